"""What the pages share: the workspace, the cached explorer, links, and the graph component.

Widgets only; everything shown is computed in `kg.explore`.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import streamlit as st
from st_link_analysis import Event, st_link_analysis

from kg.workspace import Workspace
from kg.errors import IndexCorruptError, IndexMissingError
from kg.explore import Explorer, index_version
from kg.view import GraphView, clicked_concept, graph_styles, legend_html
from kg.search import Searcher
from ui.workspace import build_index, open_workspace

PAGES_DIR = Path(__file__).resolve().parent
SEARCH = str(PAGES_DIR / "search.py")
CONCEPT = str(PAGES_DIR / "concept.py")
PATH = str(PAGES_DIR / "path.py")
TOPICS = str(PAGES_DIR / "topics.py")
ADD = str(PAGES_DIR / "add.py")
GOTO = "_kg_goto"
LAYOUT = {"name": "fcose", "animate": False, "fit": True, "padding": 30, "randomize": True,
          "nodeDimensionsIncludeLabels": True, "nodeRepulsion": 6000, "idealEdgeLength": 60}
CLICK = [Event("clicked_node", "click tap", "node")]


def workspace() -> Workspace:
    """The notes and data folders, chosen exactly as the CLI chooses them (KG_NOTES / KG_DATA)."""
    return open_workspace()


@st.cache_resource(max_entries=2, show_spinner="Loading the index…")
def _load(notes: str, data: str, version: str) -> tuple[Explorer, Searcher]:
    gc.unfreeze()  # let the collector see the previous generation's objects again
    ws = Workspace(Path(notes), Path(data), builder=build_index)
    loaded = ws.load()  # with the graph part (relations), which search alone does not read
    searcher = ws.searcher(loaded)
    searcher.analyse("过拟合 overfitting")  # warms the tokenizer now, not on the first search
    ex = Explorer.from_index(searcher.index, index_version(ws.data_dir))
    # The index is a few hundred thousand long-lived objects; a full collection walking them costs
    # ~0.25 s on the corpora at a random rerun. Freezing keeps them out of the cyclic collector.
    gc.collect()
    gc.freeze()
    # Topics and study gaps take a second or two on big notes: start them now, off the page's path.
    threading.Thread(target=lambda: (ex.topics, ex.gaps), name="kg-topics", daemon=True).start()
    return ex, searcher


def explorer() -> tuple[Explorer, Searcher]:
    """The explorer and searcher of the current index generation; loaded once per generation."""
    ws = workspace()
    try:
        version = index_version(ws.data_dir)
    except (IndexMissingError, IndexCorruptError):
        ws.load()  # builds (or rebuilds) it, as the CLI would
        version = index_version(ws.data_dir)
    return _load(str(ws.notes_dir.resolve()), str(ws.data_dir.resolve()), version)


def forget_index() -> None:
    """Drop the cached explorer so the next page run loads the new index."""
    _load.clear()


def html(fragment: str) -> None:
    """Show an HTML fragment built from escaped text (one block, so markdown leaves it alone)."""
    st.markdown(f'<div class="kg">{fragment}</div>', unsafe_allow_html=True)


def concept_link(name: str, label: str | None = None) -> None:
    st.page_link(CONCEPT, label=label or name, query_params={"concept": name})


def follow_click() -> None:
    """On a page other than Concept: a node clicked in the last run opens its concept page."""
    name = st.session_state.pop(GOTO, None)
    if name:
        st.switch_page(CONCEPT, query_params={"concept": name})


def _clicked(key: str, ex: Explorer, ids: dict, set_param: bool) -> None:
    cid = clicked_concept(st.session_state.get(key), ids, ex.index.concepts)
    if cid is None:
        return
    name = ex.index.concepts[cid].name
    if set_param:
        st.query_params["concept"] = name
    else:
        st.session_state[GOTO] = name


def show_graph(view: GraphView, ex: Explorer, key: str, on_concept_page: bool = False, height: int = 520) -> None:
    """The clickable graph with its legend and a note of what was left out."""
    if view.types:
        st.markdown(legend_html(view.types), unsafe_allow_html=True)
    notes = []
    if view.left_out:
        notes.append(f"{view.left_out} more concepts left out (showing the {view.shown} nearest and best connected)")
    if view.edges_left_out:
        notes.append(f"{view.edges_left_out} weaker links not drawn")
    if notes:
        st.caption("; ".join(notes) + ".")
    st_link_analysis(view.elements, layout=LAYOUT, node_styles=[_Rule(r) for r in graph_styles()], height=height,
                     key=key, events=CLICK, on_change=lambda: _clicked(key, ex, view.ids, on_concept_page))


class _Rule:
    """A raw Cytoscape style rule in the shape st-link-analysis expects (an object with `dump()`)."""

    def __init__(self, rule: dict):
        self.rule = rule

    def dump(self) -> dict:
        return self.rule


__all__ = ["ADD", "CONCEPT", "PATH", "SEARCH", "TOPICS", "concept_link", "explorer", "follow_click",
           "forget_index", "html", "show_graph", "workspace"]
