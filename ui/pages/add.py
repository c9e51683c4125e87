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
from kg.view import esc
from ui.pages._shared import concept_link, explorer, follow_click, forget_index, html, workspace

follow_click()
explorer()
st.title("Add a note")

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
        st.success(f"Saved {saved['path']}")
    st.stop()

body = text
if upload is not None:
    try:
        body = decode(upload.getvalue())
    except UndecodableNote as exc:
        st.error(f"{upload.name}: {exc}")
        st.stop()
    title = title or Path(upload.name).stem
title = title.strip() or None
ws = workspace()
digest = hashlib.sha256(f"{title}\0{body}".encode("utf-8")).hexdigest()

if wants_save:
    saved = st.session_state.get("_kg_saved")
    if saved and saved["digest"] == digest:  # the same form submitted again: it is saved already
        st.success(f"Saved {saved['path']}")
        st.stop()
    try:
        with st.spinner("Saving and updating the index…"):
            result = add_note(ws, body, title=title)
    except NoteRejectedError as exc:
        st.error(str(exc))
        st.stop()
    except KgError as exc:
        st.error(f"kg: {exc}")
        st.stop()
    forget_index()
    explorer()  # load the new index now, so every page shows the new concepts at once
    st.session_state["_kg_saved"] = {"digest": digest, "path": str(result.path)}
    st.success(f"Saved {result.path}")
    new_concepts, relations, heading = result.concepts_new, result.relations_new, "Added"
else:
    try:
        preview = preview_note(ws, body, title=title)
    except NoteRejectedError as exc:
        st.error(str(exc))
        st.stop()
    new_concepts, relations, heading = preview.concepts_new, preview.relations, "Would add"
    if preview.concepts_known:
        st.caption("Mentions known concepts: " + ", ".join(preview.concepts_known[:30]))

st.subheader(f"{heading}: {len(new_concepts)} new concepts, {len(relations)} new relations")
if wants_save:
    for name in new_concepts[:30]:
        concept_link(name)
elif new_concepts:
    html(", ".join(f"<b>{esc(n)}</b>" for n in new_concepts[:60]))
for row in relations[:40]:
    html(f'<div>{esc(row["source"])} <span style="color:#888">—{esc(row["type"])}→</span> {esc(row["target"])}'
         f'<div style="margin-left:1.2em;font-size:0.9em;color:#555">“{esc(row.get("evidence", ""))}”</div></div>')
if len(relations) > 40:
    st.caption(f"and {len(relations) - 40} more relations")
