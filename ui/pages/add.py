"""Add note: title and text (or an uploaded .md/.txt) → preview of what it adds → save.

It calls the same append functions as `kg add`. Submitting the same form twice
adds one note: this session remembers what it saved, and `add_note` refuses a
text it has already added.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from ingest.append import add_note, preview_note
from ingest.read import UndecodableNote, decode
from kg.errors import KgError, NoteRejectedError
from kg.limits import upload_limit_mb
from ui.markup import md_text
from ui.pages._shared import concept_link, explorer, follow_click, forget_index, workspace

TYPED_ROWS = 40


def show_additions(heading: str, new_concepts: list[str], relations: list[dict], links: bool) -> None:
    """What a note adds: new concepts, typed relations with their sentence, co-occurrences as a count."""
    typed = [r for r in relations if r["type"] != "related"]
    related = len(relations) - len(typed)
    st.subheader(f"{heading}: {len(new_concepts)} new concepts, {len(typed)} typed relations, "
                 f"{related} co-occurrence links", anchor=False)
    if links:
        for name in new_concepts[:30]:
            concept_link(name)
    elif new_concepts:
        st.markdown(", ".join(f"**{md_text(n)}**" for n in new_concepts[:60]))
    for row in typed[:TYPED_ROWS]:
        st.markdown(f"{md_text(row['source'])} —{row['type']}→ {md_text(row['target'])}")
        if row.get("evidence"):
            st.caption(f"“{md_text(row['evidence'])}”")
    if len(typed) > TYPED_ROWS:
        st.caption(f"and {len(typed) - TYPED_ROWS} more typed relations")
    if related:
        st.caption(f"{related} co-occurrence (related) links between concepts named together in a sentence.")


follow_click()
explorer()
st.title("Add a note", anchor=False)

with st.form("note"):
    title = st.text_input("Title", placeholder="e.g. 过拟合怎么办")
    text = st.text_area("Note", height=220, placeholder="dropout 可以缓解过拟合。…")
    upload = st.file_uploader("…or upload a .md / .txt file", type=["md", "txt"], max_upload_size=upload_limit_mb())
    c1, c2 = st.columns([1, 6])
    wants_preview = c1.form_submit_button("Preview")
    wants_save = c2.form_submit_button("Save note", type="primary")

if not (wants_preview or wants_save):
    saved = st.session_state.get("_kg_saved")
    if saved:
        st.success(f"Saved {md_text(saved['path'])}")
        if saved.get("fresh"):  # the run right after the save: show what it added, once
            saved["fresh"] = False
            show_additions("Added", saved["concepts"], saved["relations"], links=True)
    st.stop()

body = text
if upload is not None:
    try:
        body = decode(upload.getvalue())
    except UndecodableNote as exc:
        st.error(f"{md_text(upload.name)}: {md_text(exc)}")
        st.stop()
    title = title or Path(upload.name).stem
title = title.strip() or None
ws = workspace()
digest = hashlib.sha256(f"{title}\0{body}".encode("utf-8")).hexdigest()

if wants_save:
    saved = st.session_state.get("_kg_saved")
    if saved and saved["digest"] == digest:  # the same form submitted again: it is saved already
        st.success(f"Saved {md_text(saved['path'])}")
        st.stop()
    try:
        with st.spinner("Saving and updating the index…"):
            result = add_note(ws, body, title=title)
    except NoteRejectedError as exc:
        st.error(md_text(exc))
        st.stop()
    except KgError as exc:
        st.error(f"kg: {md_text(exc)}")
        st.stop()
    forget_index()
    explorer()  # load the new index now, so every page shows the new concepts at once
    st.session_state["_kg_saved"] = {"digest": digest, "path": str(result.path), "fresh": True,
                                     "concepts": result.concepts_new, "relations": result.relations_new}
    st.rerun()  # again from the top, so the sidebar counts the new concepts too

try:
    preview = preview_note(ws, body, title=title)
except NoteRejectedError as exc:
    st.error(md_text(exc))
    st.stop()
if preview.concepts_known:
    st.caption("Mentions known concepts: " + md_text(", ".join(preview.concepts_known[:30])))
show_additions("Would add", preview.concepts_new, preview.relations, links=False)
