"""Concept: definition, aliases, relations by type with evidence, passages, and a clickable graph.

The concept shown is the `concept` query parameter, so `?concept=过拟合` deep-links
here and the browser's back button walks back through the concepts visited. The
graph keeps one component key on this page: a click swaps its elements in place
instead of mounting a new component.
"""

from __future__ import annotations

import streamlit as st

from kg.errors import UnknownConceptError
from kg.models import RELATION_TYPES
from kg.search import matched_lines
from kg.view import MAX_NODES, READABLE_NODES
from ui.markup import md_text, passage_markdown, where
from ui.pages._shared import concept_link, explorer, passage, show_graph

ROWS = 5
PASSAGES = 6
SIZES = {READABLE_NODES: f"{READABLE_NODES} (readable)", 100: "100", MAX_NODES: f"{MAX_NODES} (all, up to)"}

ex, _ = explorer()
name = st.query_params.get("concept", "")
concept = None
if name:
    try:
        concept = ex.index.resolve(name)
    except UnknownConceptError as exc:
        st.warning(f"unknown concept “{md_text(name)}”" + ("; did you mean:" if exc.suggestions else ""))
        for suggestion in exc.suggestions:
            concept_link(suggestion)

if concept is None:
    picked = st.selectbox("Concept", ex.names, index=None, placeholder="Pick a concept…", label_visibility="collapsed")
    if picked:
        st.query_params["concept"] = picked
        st.rerun()
    st.caption("Pick a concept above, search for one, or click one in a graph.")
    st.stop()


def _open_typed() -> None:
    """The name typed in "Open another concept" becomes the page's concept (resolved, or suggestions)."""
    typed = st.session_state.pop("open_concept", "").strip()
    if typed:
        st.query_params["concept"] = typed


# A box to type a name in, not the picker of every name: a picker of 1k+ options costs the browser
# more to draw than the rest of the page, on every visit of a concept.
st.text_input("Open another concept", key="open_concept", on_change=_open_typed, label_visibility="collapsed",
              placeholder="Open another concept: type its name, an alias or a near spelling, then Enter")

page = ex.page(concept.id)
st.title(md_text(concept.name), anchor=False)
with st.container():
    if concept.aliases:
        st.markdown(f"also: {md_text(', '.join(concept.aliases))}")
    if concept.definition:
        st.markdown(f"**Definition.** {passage_markdown(concept.definition)}")
    for note in concept.notes:  # the user's own line about the concept, which says something else than what it is
        st.markdown(f"**Your notes say.** {passage_markdown(note)}")
    st.caption(f"{page.relation_count} relations · {len(page.passages)} passages"
               + (f" · {md_text(concept.category)}" if concept.category else ""))

graph_col, text_col = st.columns([3, 2], gap="large")
with graph_col:
    c1, c2, c3 = st.columns([2, 3, 2])
    radius = c1.radio("Radius", [1, 2], horizontal=True, key="radius")
    present = [t for t in RELATION_TYPES if t in page.groups] or list(RELATION_TYPES)
    types = c2.multiselect("Relation types", present, default=present, key=f"types:{concept.id}")
    size = c3.selectbox("Concepts shown", list(SIZES), format_func=SIZES.get, key="size",
                        help="The first ones are those linked by a typed relation, then the strongest co-occurrences")
    through = radius == 2 and c1.checkbox("via co-occurrence", key="through",
                                          help="Radius 2 walks on through typed relations only unless this is on")
    model = ex.ego(concept.id, radius, types, size, through)
    view = f"ego:{concept.id}:{radius}:{','.join(sorted(types))}:{size}:{through}"
    show_graph(model, ex, key="ego", view=view, on_concept_page=True)
    st.caption("Node size: number of relations; typed links are coloured. Click a concept to open it.")

with text_col:
    st.subheader("Relations", anchor=False)
    if not page.groups:
        st.caption("No relations yet.")
    for type_, rows in page.groups.items():
        with st.expander(f"{type_} ({len(rows)})", expanded=type_ != "related"):
            for row in rows[:ROWS]:
                arrow = f"{concept.name} —{type_}→ {row.other_name}" if row.outgoing else \
                    f"{row.other_name} —{type_}→ {concept.name}"
                # The evidence sentence shows on hover: a caption under each row doubled what the browser
                # draws before the graph (the relation rows and passages, not the graph, made deep links slow).
                ev = row.evidence[0] if row.evidence else None
                concept_link(row.other_name, label=arrow,
                             help=f"“{passage_markdown(ev.text)}” · {md_text(where(ev.source, ev.line))}" if ev else None)
            if len(rows) > ROWS:
                more = ", ".join(r.other_name for r in rows[ROWS:])
                st.caption(md_text(f"and {len(rows) - ROWS} more: {more}"))

st.subheader("Passages", anchor=False)
terms = [concept.name, *concept.aliases]
folded = [t.casefold() for t in terms]
for p in page.passages[:PASSAGES]:
    passage(p.text, p.source, p.line, p.heading, terms, matched_lines(p.text, folded))
if len(page.passages) > PASSAGES:
    st.caption(f"{len(page.passages) - PASSAGES} more passages mention {md_text(concept.name)}.")
