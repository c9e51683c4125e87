"""Settings and escaping shared by the explorer modules."""

from __future__ import annotations

import html

from kg.models import RELATION_TYPES

MAX_NODES = 300
MAX_EDGES = 800
TYPED = tuple(t for t in RELATION_TYPES if t != "related")
TYPE_COLOURS: dict[str, str] = {
    "solves": "#2e7d32",
    "causes": "#c62828",
    "is_a": "#1565c0",
    "part_of": "#6a1b9a",
    "uses": "#ef6c00",
    "improves": "#00838f",
    "contrasts": "#ad1457",
    "related": "#b5b5b5",
}
CENTER_COLOUR = "#d62728"
NODE_COLOUR = "#4a6fa5"
FAR_COLOUR = "#8aa4c8"
BETWEENNESS_SAMPLE = 128
SEED = 42
VIEW_CACHE = 256


def esc(text: object) -> str:
    """HTML-escape anything that came from the notes (quotes too).

    Examples
    --------
    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> esc("过拟合")
    '过拟合'
    """
    return html.escape(str(text), quote=True)


