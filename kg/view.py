"""Graph-component elements and HTML snippets, every note string escaped on the way out.

Graph components render node data as HTML, and a note may contain
``<img src=x onerror=…>``: nothing from the notes leaves this module unescaped,
with one exception. A node's ``label`` is drawn on the canvas and set as the info
panel's ``innerText`` by st-link-analysis (0.4.0, pinned), never parsed as HTML,
so it stays as written: escaping it would show ``&amp;`` on the canvas.
`tests/test_explore.py` checks the component's bundle still treats it that way.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from kg.graph import neighbourhood
from kg.models import RELATION_TYPES
from kg.normalize import one_line

from kg.explore_common import (CENTER_COLOUR, MAX_EDGES, MAX_NODES, NODE_COLOUR, TYPE_COLOURS, esc)


# --------------------------------------------------------------------------- graph component elements


@dataclass(frozen=True)
class GraphView:
    """Elements for a Cytoscape component, every note string already HTML-escaped."""

    elements: dict
    shown: int
    left_out: int
    edges_left_out: int
    types: list[str]
    ids: dict[str, str] = field(default_factory=dict)
    """Element id → concept id."""


def node_size(degree: int) -> float:
    """Node diameter grows with the log of its degree, within [8, 36].

    Examples
    --------
    >>> node_size(0), node_size(1), node_size(3), node_size(10_000)
    (8.0, 12.0, 16.0, 36.0)
    """
    return float(min(36.0, 8.0 + 4.0 * math.log2(1 + degree)))


def graph_view(g: nx.MultiDiGraph, nodes: Iterable[str], center: str | None = None,
               types: Iterable[str] | None = None, left_out: int = 0, limit: int = MAX_NODES,
               max_edges: int = MAX_EDGES) -> GraphView:
    """Nodes (at most `limit`, the center and best connected kept) and the typed edges among them.

    Node data: ``label`` (the name, as written: see the module docstring), aliases,
    a short definition, passage count, degree and ``size`` (by degree); edge data:
    ``label`` (the relation type), weight, the first evidence sentence and its
    ``file:line``. All other strings are escaped. Edges touching the center, typed
    ones and heavier ones are kept first when there are more than `max_edges`.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("x", name="<img src=x onerror=alert(1)>", aliases=[], definition="", passages=1)
    >>> g.add_node("y", name="y", aliases=[], definition="", passages=1)
    >>> _ = g.add_edge("x", "y", key="solves", type="solves", weight=1.0,
    ...            evidence=[{"source": "a.md", "line": 3, "text": "x <b>solves</b> y", "rule": "r"}])
    >>> v = graph_view(g, ["x", "y"], center="x")
    >>> v.elements["nodes"][0]["data"]["label"]
    '<img src=x onerror=alert(1)>'
    >>> v.elements["edges"][0]["data"]["evidence"], v.elements["edges"][0]["data"]["where"]
    ('x &lt;b&gt;solves&lt;/b&gt; y', 'a.md:3')
    >>> graph_view(g, ["x", "y"], center="x", limit=1).left_out
    1
    """
    wanted = set(types) if types is not None else None
    kept = [n for n in dict.fromkeys(nodes) if n in g]
    extra = 0
    if len(kept) > limit:
        ranked = sorted(kept, key=lambda n: (n != center, -g.degree(n), n))
        extra = len(kept) - limit
        kept = ranked[:limit]
    keep = set(kept)
    edges = []
    for a in kept:
        for _, b, type_, data in g.out_edges(a, keys=True, data=True):
            if b in keep and a != b and (wanted is None or type_ in wanted):
                edges.append((a, b, type_, data))
    edges.sort(key=lambda e: (center not in (e[0], e[1]), e[2] == "related", -e[3].get("weight", 1.0), e[0], e[1]))
    edges_left_out = max(0, len(edges) - max_edges)
    edges = edges[:max_edges]
    ids: dict[str, str] = {}
    node_elems = []
    for n in kept:
        d = g.nodes[n]
        eid = esc(n)
        ids[eid] = n
        degree = g.degree(n)
        node_elems.append({"data": {
            "id": eid,
            "label": one_line(d.get("name", n), 80),
            "aliases": esc(", ".join(d.get("aliases", [])[:6])),
            "definition": esc(one_line(d.get("definition"), 200)),
            "passages": int(d.get("passages", 0)),
            "degree": degree,
            "size": node_size(degree),
            "role": "center" if n == center else "node",
        }})
    edge_elems = []
    for a, b, type_, data in edges:
        ev = (data.get("evidence") or [{}])[0]
        where = f"{ev.get('source', '')}:{ev.get('line', '')}" if ev else ""
        # The sentence behind a link is what a learner opens an edge for; co-occurrence links between
        # two neighbours carry only its place, which keeps big views light.
        explain = type_ != "related" or center in (a, b) or center is None
        edge_elems.append({"data": {
            "id": esc(f"{a}\u2192{b}:{type_}"),
            "source": esc(a),
            "target": esc(b),
            "label": type_,
            "weight": data.get("weight", 1.0),
            "evidence": esc(one_line(ev.get("text", ""), 160)) if explain else "",
            "where": esc(where),
        }})
    present = [t for t in RELATION_TYPES if any(e[2] == t for e in edges)]
    return GraphView({"nodes": node_elems, "edges": edge_elems}, len(kept), left_out + extra, edges_left_out,
                     present, ids)


def ego_view(g: nx.MultiDiGraph, center: str, radius: int = 1, types: Iterable[str] | None = None,
             limit: int = MAX_NODES) -> GraphView:
    """The neighbourhood of a concept (walking predecessors and successors) as a graph view."""
    wanted = list(types) if types is not None else None
    if wanted is not None and not wanted:
        return graph_view(g, [center], center=center, types=wanted, limit=limit)
    nodes, left_out = neighbourhood(g, center, radius, wanted, limit)
    ordered = sorted(nodes, key=lambda n: (n != center, -g.degree(n), n))
    return graph_view(g, ordered, center=center, types=wanted, left_out=left_out, limit=limit)


def graph_styles() -> list[dict]:
    """Cytoscape style rules: node size by degree, the center in red, edge colour and arrow by type."""
    styles: list[dict] = [
        {"selector": "*", "style": {"min-zoomed-font-size": 6}},
        {"selector": "node", "style": {"width": "data(size)", "height": "data(size)", "label": "data(label)",
                                       "font-size": 8, "text-margin-y": 2, "background-color": NODE_COLOUR}},
        {"selector": "node[role = 'center']", "style": {"background-color": CENTER_COLOUR, "font-size": 11,
                                                        "font-weight": "bold"}},
    ]
    for type_, colour in TYPE_COLOURS.items():
        style = {"line-color": colour, "target-arrow-color": colour, "background-color": colour,
                 "text-background-color": colour, "width": 1.2 if type_ == "related" else 2.0}
        if type_ != "related":
            style["target-arrow-shape"] = "triangle"
        styles.append({"selector": f"edge[label = '{type_}']", "style": style})
    return styles


def legend_html(types: Sequence[str]) -> str:
    """A one-line legend of edge colours (relation types are fixed names, not note text).

    Examples
    --------
    >>> "solves" in legend_html(["solves"]) and TYPE_COLOURS["solves"] in legend_html(["solves"])
    True
    """
    items = [f'<span style="display:inline-block;margin-right:1em"><span style="display:inline-block;width:1.6em;'
             f'height:0.35em;vertical-align:middle;background:{TYPE_COLOURS[t]}"></span> {esc(t)}</span>'
             for t in types if t in TYPE_COLOURS]
    return "<div>" + "".join(items) + "</div>"


def clicked_concept(value: object, ids: Mapping[str, str] | None = None,
                    concepts: Mapping[str, object] | None = None) -> str | None:
    """The concept id a graph component's click event names, or None.

    Accepts the value st-link-analysis returns for ``Event("clicked_node", …)``
    (``{"action": "clicked_node", "data": {"target_id": …}}``); ids are mapped back
    through `ids` (or unescaped) and must name a known concept.

    Examples
    --------
    >>> clicked_concept({"action": "clicked_node", "data": {"target_id": "a&amp;b"}}, concepts={"a&b": 1})
    'a&b'
    >>> clicked_concept({"action": "remove", "data": {"node_ids": ["x"]}}, concepts={"x": 1}) is None
    True
    >>> clicked_concept(None) is None
    True
    """
    if not isinstance(value, Mapping) or value.get("action") != "clicked_node":
        return None
    data = value.get("data")
    target = data.get("target_id") if isinstance(data, Mapping) else None
    if not isinstance(target, str):
        return None
    cid = ids.get(target) if ids and target in ids else html.unescape(target)
    if concepts is not None and cid not in concepts:
        return None
    return cid


# --------------------------------------------------------------------------- highlighting


def _term_pattern(terms: Iterable[str]) -> re.Pattern | None:
    parts = []
    for t in sorted({t for t in terms if t and t.strip()}, key=len, reverse=True):
        p = re.escape(t)
        if t[0].isascii() and t[0].isalnum():
            p = r"(?<![A-Za-z0-9])" + p
        if t[-1].isascii() and t[-1].isalnum():
            p = p + r"(?![A-Za-z0-9])"
        parts.append(p)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of `terms` in `text`, longest term first, ignoring case.

    Latin terms match whole words only, so ``bn`` is not found in ``ubnormal``.

    Examples
    --------
    >>> highlight_spans("Dropout防止过拟合 (overfitting)", ["过拟合", "dropout", "fit"])
    [(0, 7), (9, 12)]
    """
    pattern = _term_pattern(terms)
    return [m.span() for m in pattern.finditer(text)] if pattern else []


def highlight_html(text: str, terms: Iterable[str]) -> str:
    """`text` as safe HTML: every part escaped, matched terms wrapped in ``<mark>``, newlines as ``<br>``.

    Spans are found on the raw text and each piece is escaped on its own, so a
    match can never cut an entity (``&lt;``) in half.

    Examples
    --------
    >>> highlight_html("<img src=x onerror=alert(1)> 过拟合", ["过拟合", "img"])
    '&lt;<mark>img</mark> src=x onerror=alert(1)&gt; <mark>过拟合</mark>'
    """
    out, last = [], 0
    for start, end in highlight_spans(text, terms):
        out.append(esc(text[last:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        last = end
    out.append(esc(text[last:]))
    return "".join(out).replace("\r\n", "\n").replace("\n", "<br>")


def where(source: str, line: int, heading: Sequence[str] = ()) -> str:
    """Where a passage or evidence sentence is: ``file:line`` and its heading path.

    Examples
    --------
    >>> where("a.md", 3, ["深度学习", "过拟合"])
    'a.md:3 · 深度学习 › 过拟合'
    """
    return f"{source}:{line}" + (f" · {' › '.join(heading)}" if heading else "")


def text_html(text: str) -> str:
    """Plain note text as safe HTML (escaped, newlines as ``<br>``).

    Examples
    --------
    >>> text_html("a < b\\nc")
    'a &lt; b<br>c'
    """
    return highlight_html(text, ())

