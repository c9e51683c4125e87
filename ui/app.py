"""The Streamlit explorer: `kg ui` serves this file; pages live in ui/pages/ and hold widgets only."""

from __future__ import annotations

import streamlit as st

from kg.errors import KgError
from ui.markup import md_text
from ui.pages._shared import ADD, CONCEPT, PAGES_DIR, PATH, SEARCH, TOPICS, explorer, forget_index, workspace

# An emoji icon becomes an inline SVG; a `:material/…:` page icon would be fetched from fonts.gstatic.com.
st.set_page_config(page_title="kg · notes graph", page_icon="🕸️", layout="wide")

search = st.Page(SEARCH, title="Search", icon=":material/search:", default=True)
concept = st.Page(CONCEPT, title="Concept", icon=":material/hub:", url_path="concept")
path = st.Page(PATH, title="Path", icon=":material/route:", url_path="path")
topics = st.Page(TOPICS, title="Topics", icon=":material/workspaces:", url_path="topics")
add = st.Page(ADD, title="Add note", icon=":material/note_add:", url_path="add")
study = st.Page(str(PAGES_DIR / "study.py"), title="Study", icon=":material/school:", url_path="study")
page = st.navigation([search, concept, path, topics, add, study])

if page.url_path == search.url_path and "concept" in st.query_params:
    # A deep link such as `/?concept=过拟合` opens that concept's page.
    st.switch_page(concept, query_params=st.query_params.to_dict())

try:
    ex, _ = explorer()
except KgError as exc:
    st.error(f"kg: {md_text(exc)}")
    st.stop()

with st.sidebar:
    st.caption(f"{len(ex.index.concepts):,} concepts · {len(ex.index.relations):,} relations · "
               f"{len(ex.index.passages):,} passages")
    if st.button("Reload notes", help="Rebuild the index if notes changed on disk"):
        workspace().refresh()
        forget_index()
        st.rerun()

page.run()
