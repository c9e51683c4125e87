"""The explorer of an index, built once: by `kg ui` as its server starts, or by the first page.

No Streamlit here: `kg ui` calls :func:`prepare` from the server's start-up hook, and a
component (st-link-analysis) imported before the runtime exists is never served.
"""

from __future__ import annotations

import gc
import threading
from concurrent.futures import Future

from kg import store
from kg.workspace import Workspace
from kg.explore import Explorer, index_version
from kg.search import Searcher

_PREPARED: dict[tuple[str, str, str], Future] = {}


def prepare(ws: Workspace, loaded=None) -> None:
    """`kg ui` calls this before the server starts, with the index if it had to load it (to build it).

    The index is loaded and the explorer built in the background while the browser loads
    the page, so the server answers without waiting for the index and the first page
    finds the explorer ready, or nearly.
    """
    key = (str(ws.notes_dir.resolve()), str(ws.data_dir.resolve()), index_version(ws.data_dir))
    future: Future = Future()

    def work() -> None:
        try:
            future.set_result(explore(ws, loaded or ws.load()))
        except BaseException as exc:  # handed to the page that waits for it, which loads again
            future.set_exception(exc)

    _PREPARED[key] = future
    threading.Thread(target=work, name="kg-prepare", daemon=True).start()


def explore(ws: Workspace, loaded) -> tuple[Explorer, Searcher]:
    """The searcher and explorer over a loaded index, warmed; topics start in the background."""
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
    # Topics and study gaps take a second or two on big notes: start them now, off the page's path.
    threading.Thread(target=lambda: (ex.topics, ex.gaps), name="kg-topics", daemon=True).start()
    return ex, searcher


def take_prepared(notes: str, data: str, version: str) -> tuple[Explorer, Searcher] | None:
    """The explorer `prepare` built for these folders and index generation (waiting for it), once."""
    prepared = _PREPARED.pop((notes, data, version), None)
    if prepared is None:
        return None
    try:
        return prepared.result()
    except Exception:  # noqa: BLE001 - the page loads the index itself, which reports the error properly
        return None
