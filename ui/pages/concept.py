"""Concept: definition, aliases, relations by type with evidence, passages, and a clickable ego graph.

The concept shown is the `concept` query parameter, so `?concept=过拟合` deep-links
here and the browser's back button walks back through the concepts visited.
"""

from __future__ import annotations

import streamlit as st

from kg.errors import UnknownConceptError
from kg.view import esc, highlight_html, text_html, where
from kg.models import RELATION_TYPES
from ui.pages._shared import concept_link, explorer, html, show_graph

ROWS = 8
PASSAGES = 10

ex, _ = explorer()
name = st.query_params.get("concept", "")
concept = None
if name:
    try:
        concept = ex.index.resolve(name)
    except UnknownConceptError as exc:
        st.warning(str(exc))
        for suggestion in exc.suggestions:
            concept_link(suggestion)

current = ex.names.index(concept.name) if concept else None
picked = st.selectbox("Concept", ex.names, index=current, placeholder="Pick a concept…",
                      label_visibility="collapsed")
if picked and (concept is None or picked != concept.name):
    st.query_params["concept"] = picked
    st.rerun()
if concept is None:
    st.caption("Pick a concept above, search for one, or click one in a graph.")
    st.stop()

page = ex.page(concept.id)
st.title(concept.name)
if concept.aliases:
    html(f'<div style="color:#555">also: {esc(", ".join(concept.aliases))}</div>')
if concept.definition:
    html(f"<p><b>Definition.</b> {text_html(concept.definition)}</p>")
st.caption(f"{page.relation_count} relations · {len(page.passages)} passages"
           + (f" · {concept.category}" if concept.category else ""))

graph_col, text_col = st.columns([3, 2], gap="large")
with graph_col:
    c1, c2 = st.columns([1, 3])
    radius = c1.radio("Radius", [1, 2], horizontal=True, key=f"radius:{concept.id}")
    present = [t for t in RELATION_TYPES if t in page.groups] or list(RELATION_TYPES)
    types = c2.multiselect("Relation types", present, default=present, key=f"types:{concept.id}")
    view = ex.ego(concept.id, radius, types)
    show_graph(view, ex, key=f"ego:{concept.id}:{radius}:{','.join(sorted(types))}", on_concept_page=True)
    st.caption("Node size: number of relations. Click a concept to open it.")

with text_col:
    st.subheader("Relations")
    if not page.groups:
        st.caption("No relations yet.")
    for type_, rows in page.groups.items():
        with st.expander(f"{type_} ({len(rows)})", expanded=type_ != "related"):
            for row in rows[:ROWS]:
                arrow = f"{concept.name} —{type_}→ {row.other_name}" if row.outgoing else \
                    f"{row.other_name} —{type_}→ {concept.name}"
                concept_link(row.other_name, label=arrow)
                for ev in row.evidence[:1]:
                    html(f'<div style="margin:-0.6em 0 0.6em 1.2em;font-size:0.9em">“{text_html(ev.text)}” '
                         f'<span style="color:#777">{esc(where(ev.source, ev.line))}</span></div>')
            if len(rows) > ROWS:
                more = ", ".join(esc(r.other_name) for r in rows[ROWS:])
                html(f'<div style="font-size:0.85em;color:#555">and {len(rows) - ROWS} more: {more}</div>')

st.subheader("Passages")
terms = [concept.name, *concept.aliases]
for p in page.passages[:PASSAGES]:
    html(f'<div style="color:#666;font-size:0.85em">{esc(where(p.source, p.line, p.heading))}</div>'
         f'<div style="margin-bottom:0.9em">{highlight_html(p.text, terms)}</div>')
if len(page.passages) > PASSAGES:
    st.caption(f"{len(page.passages) - PASSAGES} more passages mention {concept.name}.")
