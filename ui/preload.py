"""The explorer of an index, built once: by `kg ui` as its server starts, or by the first page.

No Streamlit here: `kg ui` calls :func:`prepare` from the server's start-up hook, and a
component (st-link-analysis) imported before the runtime exists is never served.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from kg import store
from kg.workspace import Workspace
from kg.explore import Explorer, index_version
from kg.search import Searcher
from kg.topics import Gap, Topic

_PREPARED: dict[tuple[str, str, str], Future] = {}


def topics_elsewhere(data_dir: Path) -> Future:
    """Topics and study gaps of the current index, computed in a child process (see `topics_and_gaps`).

    They take a second or two of pure Python on big notes. In a thread of the server they
    shared its interpreter lock with every page run, so the first pages after `kg ui` ran at
    half speed; a child process runs them on another core.
    """
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    future = pool.submit(topics_and_gaps, str(data_dir))
    pool.shutdown(wait=False)
    return future


def topics_and_gaps(data_dir: str) -> tuple[str, list[Topic], list[Gap]] | None:
    """The index version with its topics and study gaps; None if the index changed meanwhile."""
    folder = Path(data_dir)
    version = index_version(folder)
    ex = Explorer.from_index(store.load(folder).index, version)
    found = ex.topics, ex.gaps
    return (version, *found) if index_version(folder) == version else None


def prepare(ws: Workspace, loaded=None, topics: Future | None = None) -> None:
    """`kg ui` calls this before the server starts, with the index if it had to load it (to build it).

    The index is loaded and the explorer built in the background while the browser loads
    the page, so the server answers without waiting for the index and the first page
    finds the explorer ready, or nearly. `topics`: from `topics_elsewhere`, started earlier.
    """
    key = (str(ws.notes_dir.resolve()), str(ws.data_dir.resolve()), index_version(ws.data_dir))
    future: Future = Future()

    def work() -> None:
        try:
            future.set_result(explore(ws, loaded or ws.load(), topics))
        except BaseException as exc:  # handed to the page that waits for it, which loads again
            future.set_exception(exc)

    _PREPARED[key] = future
    threading.Thread(target=work, name="kg-prepare", daemon=True).start()


def explore(ws: Workspace, loaded, topics: Future | None = None) -> tuple[Explorer, Searcher]:
    """The searcher and explorer over a loaded index, warmed; topics and study gaps come from
    `topics` (a child process's) when it computed them for this index, else start in a thread."""
    reloading = gc.get_freeze_count() > 0
    gc.unfreeze()  # let the collector see the previous generation's objects again
    with store.no_gc_pauses():  # tens of thousands of new objects, none garbage: a collection would walk the index
        searcher = ws.searcher(loaded)
        searcher.analyse("过拟合 overfitting")  # warms the tokenizer now, not on the first search
        ex = Explorer.from_index(searcher.index, index_version(ws.data_dir))
    # The index is a few hundred thousand long-lived objects; a full collection walking them costs
    # ~0.25 s on the corpora at a random rerun. Freezing keeps them out of the cyclic collector.
    # Only a reload leaves garbage worth collecting first (the previous generation's index).
    if reloading:
        gc.collect()
    gc.freeze()
    threading.Thread(target=_topics_for, args=(ex, topics), name="kg-topics", daemon=True).start()
    return ex, searcher


def _topics_for(ex: Explorer, topics: Future | None) -> None:
    """Topics and study gaps off the page's path: the child's if it saw this index, else computed here."""
    try:
        found = topics.result() if topics is not None else None
    except Exception:  # noqa: BLE001 - a child that failed: compute them here instead
        found = None
    if found is not None and found[0] == ex.version:
        ex.adopt(*found[1:])
    else:
        _ = ex.topics, ex.gaps


def take_prepared(notes: str, data: str, version: str) -> tuple[Explorer, Searcher] | None:
    """The explorer `prepare` built for these folders and index generation (waiting for it), once."""
    prepared = _PREPARED.pop((notes, data, version), None)
    if prepared is None:
        return None
    try:
        return prepared.result()
    except Exception:  # noqa: BLE001 - the page loads the index itself, which reports the error properly
        return None
