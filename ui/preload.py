"""The explorer of an index, built once: by `kg ui` while Streamlit starts, or by the first page.

No Streamlit here: `kg ui` calls :func:`prepare` before the server runs, and a
component (st-link-analysis) imported before the runtime exists is never served.
"""

from __future__ import annotations

import gc
import threading
from concurrent.futures import Future

from kg.workspace import Workspace
from kg.explore import Explorer, index_version
from kg.search import Searcher

_PREPARED: dict[tuple[str, str, str], Future] = {}


def prepare(ws: Workspace, loaded) -> None:
    """`kg ui` calls this with the index it has just loaded, before the server starts.

    The explorer is built from it in the background while Streamlit starts and the
    browser loads the page, so the first page finds it ready instead of reading the
    index a second time ("Loading the index…" for seconds on big notes).
    """
    key = (str(ws.notes_dir.resolve()), str(ws.data_dir.resolve()), index_version(ws.data_dir))
    future: Future = Future()

    def work() -> None:
        try:
            future.set_result(explore(ws, loaded))
        except BaseException as exc:  # handed to the page that waits for it, which loads again
            future.set_exception(exc)

    _PREPARED[key] = future
    threading.Thread(target=work, name="kg-prepare", daemon=True).start()


def explore(ws: Workspace, loaded) -> tuple[Explorer, Searcher]:
    """The searcher and explorer over a loaded index, warmed; topics start in the background."""
    gc.unfreeze()  # let the collector see the previous generation's objects again
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


def take_prepared(notes: str, data: str, version: str) -> tuple[Explorer, Searcher] | None:
    """The explorer `prepare` built for these folders and index generation (waiting for it), once."""
    prepared = _PREPARED.pop((notes, data, version), None)
    if prepared is None:
        return None
    try:
        return prepared.result()
    except Exception:  # noqa: BLE001 - the page loads the index itself, which reports the error properly
        return None
