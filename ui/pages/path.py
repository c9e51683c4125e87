"""Path: how two concepts connect, hop by hop, each hop explained by the sentence it came from."""

from __future__ import annotations

import streamlit as st

from kg.models import RELATION_TYPES
from ui.markup import esc, md_text, where
from ui.pages._shared import concept_link, explorer, follow_click, html, show_graph

follow_click()
ex, _ = explorer()
st.title("Path between two concepts", anchor=False)


def _index_of(param: str) -> int | None:
    name = st.query_params.get(param)
    return ex.names.index(name) if name in ex.id_by_name else None


c1, c2 = st.columns(2)
start = c1.selectbox("From", ex.names, index=_index_of("from"), placeholder="e.g. dropout")
end = c2.selectbox("To", ex.names, index=_index_of("to"), placeholder="e.g. 过拟合")
types = st.multiselect("Relation types allowed", list(RELATION_TYPES), default=list(RELATION_TYPES),
                       help="Typed relations are tried first; `related` (mentioned together) only if needed.")
for param, value in (("from", start), ("to", end)):
    if value and st.query_params.get(param) != value:
        st.query_params[param] = value
if not start or not end:
    st.caption("Pick two concepts.")
    st.stop()

result = ex.paths(ex.id_by_name[start], ex.id_by_name[end], types)
if not result.paths:
    st.info(f"No path between {md_text(start)} and {md_text(end)} over these relation types.")
    st.stop()
hops = len(result.paths[0])
st.caption(f"{len(result.paths)} shortest path(s) of {hops} hop(s)"
           + ("" if result.typed_only else " — no typed path exists, so `related` links are used"))

names = {cid: c.name for cid, c in ex.index.concepts.items()}
for i, path in enumerate(result.paths, 1):
    st.subheader(f"Path {i}", anchor=False)
    chain = [esc(names[path[0].source])] if path else [esc(start)]
    for hop in path:
        arrow = f" —{hop.type}→ " if hop.forward else f" ←{hop.type}— "
        chain.append(f'<span style="color:#888">{arrow}</span>{esc(names[hop.target])}')
    html(f'<p style="font-size:1.1em">{"".join(chain)}</p>')
    for hop in path:
        a, b = (hop.source, hop.target) if hop.forward else (hop.target, hop.source)
        concept_link(names[hop.target], label=f"{names[a]} —{hop.type}→ {names[b]}")
        for ev in hop.evidence[:1]:
            st.caption(f"“{md_text(ev['text'])}” · {md_text(where(ev['source'], ev['line']))}")

show_graph(ex.path_view(result), ex, key="path", view=f"path:{start}:{end}:{','.join(sorted(types))}", height=360)
