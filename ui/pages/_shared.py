"""What the pages share: the workspace, the cached explorer, links, and the graph component.

Widgets only; everything shown is computed in `kg.explore`, and looks come from
`ui.graph` / `ui.markup`. Every string from the notes that reaches a widget goes
through `md_text` (plain) or `passage_markdown` (a passage).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st

from kg.workspace import Workspace
from kg.errors import IndexCorruptError, IndexMissingError, KgError
from kg.explore import Explorer, index_version
from kg.search import Searcher
from ui.workspace import build_index, open_workspace
from kg.view import GraphModel
from ui import graph
from ui.graph_component import graph_component
from ui.markup import matched_markdown, md_text, passage_markdown, where
from ui.preload import explore, take_prepared

PAGES_DIR = Path(__file__).resolve().parent
SEARCH = str(PAGES_DIR / "search.py")
CONCEPT = str(PAGES_DIR / "concept.py")
PATH = str(PAGES_DIR / "path.py")
TOPICS = str(PAGES_DIR / "topics.py")
ADD = str(PAGES_DIR / "add.py")
GOTO = "_kg_goto"


def workspace() -> Workspace:
    """The notes and data folders, chosen exactly as the CLI chooses them (KG_NOTES / KG_DATA)."""
    return open_workspace()


@st.cache_resource(max_entries=2, show_spinner="Loading the index…")
def _load(notes: str, data: str, version: str) -> tuple[Explorer, Searcher]:
    prepared = take_prepared(notes, data, version)
    if prepared is not None:
        return prepared
    ws = Workspace(Path(notes), Path(data), builder=build_index)
    return explore(ws, ws.load())  # with the graph part (relations), which search alone does not read


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


def concept_link(name: str, label: str | None = None, help: str | None = None) -> None:
    """A link to a concept's page; the label is shown as plain text (a name may hold markdown), `help`
    (safe markdown) on hover."""
    st.page_link(CONCEPT, label=md_text(label or name), query_params={"concept": name}, help=help)


def passage(text: str, source: str, line: int, heading=(), terms=(), matched=()) -> None:
    """A passage in one element: where it is, the lines that matched (why it is shown), then its text as
    markdown (formulas too), nothing loaded from outside."""
    quote = matched_markdown(text, matched, terms)
    st.markdown(f":gray[:small[{md_text(where(source, line, heading))}]]\n\n" + (f"{quote}\n\n" if quote else "")
                + passage_markdown(text, terms))


def open_picked(key: str) -> None:
    """A concept picked in a list widget (pills) opens its page, as a node clicked in a graph does."""
    name = st.session_state.pop(key, None)
    if name:
        st.session_state[GOTO] = name


def follow_click() -> None:
    """On a page other than Concept: a node clicked in the last run opens its concept page."""
    name = st.session_state.pop(GOTO, None)
    if name:
        st.switch_page(CONCEPT, query_params={"concept": name})


def _clicked(key: str, ex: Explorer, id_map: dict, set_param: bool) -> None:
    cid = graph.clicked_concept(st.session_state.get(key), id_map, ex.index.concepts)
    if cid is None:
        return
    name = ex.index.concepts[cid].name
    if set_param:
        st.query_params["concept"] = name
    else:
        st.session_state[GOTO] = name


def show_graph(model: GraphModel, ex: Explorer, key: str, view: str, on_concept_page: bool = False,
               height: int = 560) -> None:
    """The clickable graph with its legend and a line on what was left out.

    `key` stays the same while the page shows other concepts, so the component
    stays mounted and only its elements change; `view` names what is shown, so a
    new view is laid out again.
    """
    notes = []
    if model.left_out:
        notes.append(f"{model.left_out:,} more concepts in reach not drawn")
    if model.edges_left_out:
        notes.append(f"{model.edges_left_out:,} weaker co-occurrence links not drawn")
    with st.container():  # one slot whatever it holds, so the graph after it keeps its place
        if model.types:
            html(graph.legend_html(model.types))
        st.caption(f"{model.shown} concepts shown" + ("; " + "; ".join(notes) if notes else "") + ".")
    model = _mark_weak(model)
    id_map = graph.ids(model)
    graph_component(graph.elements(model), graph.styles(), graph.layout(model, view), height=height, key=key,
                    on_change=lambda: _clicked(key, ex, id_map, on_concept_page))


def _mark_weak(model: GraphModel) -> GraphModel:
    """The model with the concepts the user is forgetting (study reviews) flagged: drawn with a red ring."""
    weak = _weak_concepts(*_study_db_stamp())
    if not weak:
        return model
    return dataclasses.replace(model, nodes=tuple(dataclasses.replace(n, weak=n.id in weak) for n in model.nodes))


def _study_db_stamp() -> tuple[str, int]:
    """The review database and when it last changed (its WAL included): the cache key of the weak set."""
    from kg.study.storage import study_db_path

    path = study_db_path(workspace().data_dir)
    stamps = [p.stat().st_mtime_ns for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    return str(path), max(stamps, default=0)


@st.cache_data(max_entries=4, show_spinner=False)
def _weak_concepts(path: str, stamp: int) -> frozenset[str]:
    """Reviewed concepts below the weak threshold; none while no review was ever recorded."""
    if not stamp:
        return frozenset()
    from kg.study.storage import ReviewStore
    from kg.study.strength import weak_concepts

    try:
        with ReviewStore(Path(path)) as store:
            return frozenset(weak_concepts(store.concept_strength()))
    except (KgError, OSError):  # an unusable review database must not take the graph down
        return frozenset()


__all__ = ["ADD", "CONCEPT", "PATH", "SEARCH", "TOPICS", "concept_link", "explorer", "follow_click",
           "forget_index", "html", "open_picked", "passage", "show_graph", "workspace"]
