"""The Streamlit explorer: `kg ui` serves this file; pages live in ui/pages/ and hold widgets only."""

from __future__ import annotations

import streamlit as st

from kg.errors import KgError
from ui.pages._shared import ADD, CONCEPT, PATH, SEARCH, TOPICS, explorer, forget_index, workspace

st.set_page_config(page_title="kg · notes graph", page_icon=":material/hub:", layout="wide")

search = st.Page(SEARCH, title="Search", icon=":material/search:", default=True)
concept = st.Page(CONCEPT, title="Concept", icon=":material/hub:", url_path="concept")
path = st.Page(PATH, title="Path", icon=":material/route:", url_path="path")
topics = st.Page(TOPICS, title="Topics", icon=":material/workspaces:", url_path="topics")
add = st.Page(ADD, title="Add note", icon=":material/note_add:", url_path="add")
page = st.navigation([search, concept, path, topics, add])

if page.url_path == search.url_path and "concept" in st.query_params:
    # A deep link such as `/?concept=过拟合` opens that concept's page.
    st.switch_page(concept, query_params=st.query_params.to_dict())

try:
    ex, _ = explorer()
except KgError as exc:
    st.error(f"kg: {exc}")
    st.stop()

with st.sidebar:
    st.caption(f"{len(ex.index.concepts):,} concepts · {len(ex.index.relations):,} relations · "
               f"{len(ex.index.passages):,} passages")
    if st.button("Reload notes", help="Rebuild the index if notes changed on disk"):
        workspace().refresh()
        forget_index()
        st.rerun()

page.run()
