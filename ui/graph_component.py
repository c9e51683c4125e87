"""The graph component: st-link-analysis's frontend (0.4.0), served with one script of ours added.

The component's side panel lists every data field of the element selected, the
element's id (and an edge's source and target) included; Cytoscape needs those, a
learner does not. `graph_panel.js` keeps the panel to the fields a learner reads.
The component's files are copied once into the user's cache folder (``~/.cache/kg``)
with that script added to its page (Streamlit serves a component from one folder
and refuses links that lead out of it); the frontend itself is unchanged.

Declare it while the Streamlit runtime exists (imported by a page, not by `kg ui`).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import st_link_analysis
from streamlit.components import v1 as components

PANEL_SCRIPT = Path(__file__).resolve().parent / "graph_panel.js"
FRONTEND = Path(st_link_analysis.__file__).resolve().parent / "frontend" / "build"
CLICK_EVENTS = [{"name": "clicked_node", "event_type": "click tap", "selector": "node"}]
"""A click or tap on a node comes back as ``{"action": "clicked_node", "data": {"target_id": …}}``."""


def frontend_with_panel(target: Path, frontend: Path = FRONTEND) -> Path:
    """`frontend` copied into `target`, its page loading `graph_panel.js` after the component's own scripts.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     built = frontend_with_panel(Path(tmp) / "graph")
    ...     page = (built / "index.html").read_text(encoding="utf-8")
    ...     page.count("graph_panel.js"), (built / "graph_panel.js").is_file()
    (1, True)
    """
    shutil.copytree(frontend, target)
    shutil.copyfile(PANEL_SCRIPT, target / PANEL_SCRIPT.name)
    page = target / "index.html"
    html = page.read_text(encoding="utf-8")
    if "</head>" not in html:
        raise RuntimeError(f"{frontend / 'index.html'} has no </head>: st-link-analysis changed its page")
    page.write_text(html.replace("</head>", f'<script defer="defer" src="{PANEL_SCRIPT.name}"></script></head>', 1),
                    encoding="utf-8")
    return target


def component_folder(cache: Path) -> Path:
    """The frontend with the panel script, made once under `cache` (the user's) and reused by every server.

    Named by a digest of our script's bytes and the frontend's file names and sizes (its
    bundles are named by their content hash), so an upgrade of either makes a new one; made aside and renamed into place, so two servers starting at
    once never serve a half-copied folder.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first = component_folder(Path(tmp))
    ...     first == component_folder(Path(tmp)), (first / "graph_panel.js").is_file()
    (True, True)
    """
    digest = hashlib.sha256(PANEL_SCRIPT.read_bytes())
    for file in sorted(FRONTEND.rglob("*")):
        digest.update(str(file.relative_to(FRONTEND)).encode() + b"\0" + str(file.stat().st_size).encode())
    folder = cache / f"graph-component-{digest.hexdigest()[:16]}"
    if not folder.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        aside = Path(tempfile.mkdtemp(prefix=".graph-component-", dir=cache))
        try:
            os.rename(frontend_with_panel(aside / "frontend"), folder)
        except OSError:  # another server made it first
            pass
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    return folder


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"


@functools.cache
def _declared() -> Callable[..., Any]:
    try:
        folder = component_folder(_user_cache())
    except OSError:  # no writable cache: a private temporary copy, removed at exit
        folder = frontend_with_panel(Path(tempfile.mkdtemp(prefix="kg-graph-")) / "frontend")
        atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    return components.declare_component("kg_graph", path=str(folder))


def graph_component(elements: dict, styles: Sequence[dict], layout: dict, height: int, key: str,
                    on_change: Callable[[], None] | None = None) -> Any:
    """The clickable graph (the arguments st-link-analysis's own function passes its frontend)."""
    return _declared()(elements=elements, style=list(styles), layout=layout, height=f"{height}px", key=key,
                       on_change=on_change, nodeActions=[], events=CLICK_EVENTS)
