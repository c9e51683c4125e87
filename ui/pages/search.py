"""Search: one box, Chinese or English; concept hits and highlighted passage hits."""

from __future__ import annotations

import streamlit as st

from kg.errors import QueryTooLongError
from kg.search import highlight_terms
from ui.markup import md_text
from ui.pages._shared import concept_link, explorer, follow_click, passage

follow_click()
ex, searcher = explorer()
st.title("Search your notes", anchor=False)

url_q = st.query_params.get("q", "")
if st.session_state.get("_q_url") != url_q:  # first run, a deep link, or the browser's back button
    st.session_state["q"] = url_q
    st.session_state["_q_url"] = url_q
query = st.text_input("Search", key="q", placeholder="过拟合 · How to deal with overfitting? · NMS",
                      label_visibility="collapsed")
if query != url_q:
    st.session_state["_q_url"] = query
    if query:
        st.query_params["q"] = query
    else:
        st.query_params.pop("q", None)

if not query.strip():
    st.caption(f"Ask in Chinese or English: {len(ex.index.concepts):,} concepts and "
               f"{len(ex.index.passages):,} passages are indexed.")
    st.stop()

try:
    result = searcher.search(query, k=10)
except QueryTooLongError as exc:  # a pasted page (or a crafted deep link): refused at once, in one line
    st.error(str(exc))
    st.stop()
terms = highlight_terms(searcher.analyse(query), ex.index)
left, right = st.columns([1, 2], gap="large")
with left:
    st.subheader("Concepts", anchor=False)
    if not result.concepts:
        st.caption("No concept matches.")
    for hit in result.concepts:
        concept_link(hit.name, label=f"{hit.name}  ·  {ex.relation_count(hit.id)} relations")
        if hit.aliases:
            st.caption(md_text(", ".join(hit.aliases[:6])))
with right:
    st.subheader("Passages", anchor=False)
    if not result.passages:
        st.caption("No passage matches.")
    for hit in result.passages:
        passage(hit.text, hit.source, hit.line, hit.heading, terms, hit.matched)
