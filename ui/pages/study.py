"""Study: the due cards one at a time (show, reveal, grade), progress, and each card's concepts a click away.

Cards come from the same functions as `kg cards`; grades go to the same review
database as `kg review` (`KG_STUDY_DB`, or beside the data folder).
"""

from __future__ import annotations

from html import escape

import streamlit as st

from kg.errors import KgError
from kg.study.strength import WEAK
from ui.cli_study import RATINGS, note_questions, open_store
from ui.markup import md_text
from ui.pages._shared import concept_link, explorer, html, workspace

REVEALED = "_kg_study_revealed"
EVIDENCE = 3
DUE_SHOWN = 30
WEAKEST = 8


@st.cache_resource(max_entries=2, show_spinner="Reading cards off the graph…")
def _cards(version: str, notes: str, _ex, _searcher) -> list:
    """Every card of this index generation, stored once (new ones become due, vanished ones suspended)."""
    from kg.study.cards import make_cards
    from kg.study.questions import question_bank

    bank = question_bank(_ex.index, _searcher, note_questions(workspace().notes_dir))
    cards = make_cards(_ex.index, bank)
    with open_store(workspace()) as store:
        store.sync(cards)
    return cards


def _text(text: str) -> str:
    """Note text as HTML: escaped, its line breaks kept."""
    return escape(text).replace("\n", "<br>")


ex, searcher = explorer()
ws = workspace()
st.title("Study")
try:
    cards = _cards(ex.version, str(ws.notes_dir), ex, searcher)
    store = open_store(ws)
except KgError as exc:  # e.g. KG_STUDY_DB names a file that is not a study database
    st.error(f"kg: {md_text(exc)}")
    st.stop()

topic_labels = {None: "All topics", **{t.id: f"{t.label}  ({len(t.members)})" for t in ex.topics}}
topic = st.selectbox("Topic", list(topic_labels), format_func=topic_labels.get, key="study_topic")

with store:
    due = store.due()
    reviewed = store.history()
    members = set(next(t.members for t in ex.topics if t.id == topic)) if topic is not None else None
    by_id = {c.id: c for c in cards}
    queue = [by_id[d.id] for d in due if d.id in by_id and (members is None or members & set(by_id[d.id].concepts))]

    left, right = st.columns(2)
    left.metric("Due now", len(queue))
    right.metric("Reviews so far", len(reviewed))
    if queue or reviewed:
        st.progress(len(reviewed) / (len(reviewed) + len(queue)) if queue else 1.0)

    if not queue:
        st.success("Nothing due. Come back later, or pick another topic.")
        st.stop()

    card = queue[0]
    st.caption(f"{card.kind}{' · ' + card.relation if card.relation else ''} · card {card.id}")
    html(f'<div style="font-size:1.3em;margin:0.5em 0 1em 0">{escape(card.front)}</div>')
    if st.session_state.get(REVEALED) != card.id:
        if st.button("Show the answer", key="reveal", type="primary"):
            st.session_state[REVEALED] = card.id
            st.rerun()
    else:
        html(f'<div style="margin-bottom:0.8em">{_text(card.back)}</div>')
        for e in card.evidence[:EVIDENCE]:
            html(f'<div style="margin:0 0 0.6em 1.2em;font-size:0.9em">“{_text(e.text)}” '
                 f'<span style="color:#777">{escape(e.source)}:{e.line}</span></div>')
        for rating, column in zip(RATINGS, st.columns(len(RATINGS))):
            if column.button(rating, key=f"grade-{rating}", use_container_width=True):
                store.review(card.id, rating)
                st.session_state.pop(REVEALED, None)
                st.rerun()

    names = [ex.index.concepts[c].name for c in card.concepts if c in ex.index.concepts]
    if names:
        st.caption("Concepts on this card (open one to see its graph):")
        for name in names[:8]:
            concept_link(name)

    weakest = sorted((s, c) for c, s in store.concept_strength().items() if s < WEAK and c in ex.index.concepts)
    if weakest:
        st.subheader("Weakest concepts")
        for strength, cid in weakest[:WEAKEST]:
            concept_link(ex.index.concepts[cid].name, label=f"{ex.index.concepts[cid].name}  ({strength:.0%})")

    st.subheader(f"Due list ({len(queue)})")
    html("".join(f'<div data-card="{escape(c.id)}" style="font-size:0.9em">{escape(c.front)}</div>'
                 for c in queue[:DUE_SHOWN]))
    if len(queue) > DUE_SHOWN:
        st.caption(f"and {len(queue) - DUE_SHOWN} more")
