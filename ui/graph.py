"""How a graph model looks: Cytoscape elements, styles, layout and legend for st-link-analysis.

The component (0.4.0, pinned) writes every node and edge data field but ``label``
into its side panel as HTML, and draws ``label`` on the canvas and as the panel's
``innerText``. So data holds only what a learner reads in the panel (aliases,
definition, relation counts; an edge's evidence and place), every such string
HTML-escaped, and the label as written (escaping it would show ``&amp;`` on the
canvas; `tests/test_explore.py` checks the bundle still treats it that way).
Size, ring and the weak flag travel as classes, which the panel does not show.

The component stays mounted between concepts (one key per page): new elements
replace the old in place, and the layout (whose options name the view, so a new
view lays out again) starts from rings around the centre, which stays fixed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

from kg.view import CENTER, FAR, NEAR, GraphModel, NodeModel
from ui.markup import esc

TYPE_COLOURS: dict[str, str] = {
    "solves": "#2e7d32",
    "causes": "#c62828",
    "is_a": "#1565c0",
    "part_of": "#6a1b9a",
    "uses": "#ef6c00",
    "improves": "#00838f",
    "contrasts": "#ad1457",
    "related": "#c4c4c4",
}
CENTER_COLOUR = "#d62728"
NODE_COLOUR = "#4a6fa5"
FAR_COLOUR = "#8aa4c8"
WEAK_COLOUR = "#e53935"
SIZES = (12, 16, 20, 25, 30, 36)
RING_GAP = 130.0
RING_CLASS = {CENTER: "center", NEAR: "near", FAR: "far"}


def size_class(relations: int) -> str:
    """A size bucket by the log of a concept's relation count.

    Examples
    --------
    >>> [size_class(n) for n in (0, 1, 3, 10, 100, 10_000)]
    ['s0', 's1', 's2', 's3', 's5', 's5']
    """
    return f"s{min(len(SIZES) - 1, math.ceil(math.log2(1 + relations) / 1.4))}"


def relation_summary(node: NodeModel) -> str:
    """
    Examples
    --------
    >>> relation_summary(NodeModel("a", "a", (), "", 2, 31, 1))
    '2 typed · 31 co-occurring'
    """
    return f"{node.typed} typed · {node.related} co-occurring"


def ring_positions(model: GraphModel) -> dict[str, tuple[float, float]]:
    """Starting positions: the centre at the origin, NEAR concepts on a ring, FAR ones on an outer ring.

    Rings grow with their member count so labels start apart; the force layout then
    only tidies. Deterministic, so the same view looks the same each time.

    Examples
    --------
    >>> m = GraphModel((NodeModel("c", "c", (), "", 0, 0, CENTER), NodeModel("n", "n", (), "", 0, 0, NEAR)), (),
    ...                "c", 0, 0)
    >>> ring_positions(m)["c"]
    (0.0, 0.0)
    """
    rings: dict[int, list[str]] = {}
    for node in model.nodes:
        rings.setdefault(node.ring, []).append(node.id)
    out: dict[str, tuple[float, float]] = {}
    radius = 0.0
    for ring in sorted(rings):
        ids = rings[ring]
        if ring == CENTER and len(ids) == 1:
            out[ids[0]] = (0.0, 0.0)
            continue
        radius = max(radius + RING_GAP, len(ids) * 70 / (2 * math.pi))
        for i, nid in enumerate(ids):
            angle = 2 * math.pi * i / len(ids) - math.pi / 2
            out[nid] = (round(radius * math.cos(angle), 1), round(radius * math.sin(angle), 1))
    return out


def elements(model: GraphModel) -> dict:
    """The component's elements: panel fields escaped, the label as written, looks as classes."""
    positions = ring_positions(model)
    nodes = []
    for n in model.nodes:
        data = {"id": esc(n.id), "label": n.name, "relations": relation_summary(n)}
        if n.aliases:
            data["also"] = esc(", ".join(n.aliases[:6]))
        if n.definition:
            data["definition"] = esc(n.definition[:200])
        classes = [RING_CLASS[n.ring], size_class(n.typed + n.related)] + (["weak"] if n.weak else [])
        x, y = positions[n.id]
        nodes.append({"data": data, "classes": " ".join(classes), "position": {"x": x, "y": y}})
    edges = []
    for e in model.edges:
        data = {"id": esc(f"{e.source}\u2192{e.target}:{e.type}"), "source": esc(e.source), "target": esc(e.target),
                "label": e.type}
        if e.evidence:
            data["evidence"] = esc(e.evidence[:160])
            data["where"] = esc(e.where)
        edges.append({"data": data})
    return {"nodes": nodes, "edges": edges}


def ids(model: GraphModel) -> dict[str, str]:
    """Element id → concept id, to map a click back."""
    return {esc(n.id): n.id for n in model.nodes}


def layout(model: GraphModel, view: str) -> dict:
    """fcose from the ring positions, the centre pinned; `view` names the view so a new one lays out again."""
    options = {"name": "fcose", "animate": False, "fit": True, "padding": 30, "randomize": False,
               "nodeDimensionsIncludeLabels": True, "nodeRepulsion": 9000, "idealEdgeLength": 90,
               "nodeSeparation": 90, "numIter": 1500, "kgView": view}
    if model.center is not None and any(n.id == model.center for n in model.nodes):
        options["fixedNodeConstraint"] = [{"nodeId": esc(model.center), "position": {"x": 0, "y": 0}}]
    return options


def styles() -> list[dict]:
    """Cytoscape style rules: size by class, the centre in red, weak concepts ringed red, edges by type."""
    rules: list[dict] = [
        {"selector": "*", "style": {"min-zoomed-font-size": 0}},
        {"selector": "node", "style": {"label": "data(label)", "font-size": 12, "text-valign": "bottom",
                                       "text-margin-y": 3, "background-color": NODE_COLOUR,
                                       "text-background-color": "#ffffff", "text-background-opacity": 0.7,
                                       "text-background-padding": 1}},
        {"selector": "node.far", "style": {"background-color": FAR_COLOUR, "font-size": 11}},
        {"selector": "node.center", "style": {"background-color": CENTER_COLOUR, "font-size": 15,
                                              "font-weight": "bold"}},
        {"selector": "node.weak", "style": {"border-width": 3, "border-color": WEAK_COLOUR}},
        {"selector": "edge", "style": {"font-size": 0, "curve-style": "bezier"}},
    ]
    rules += [{"selector": f"node.s{i}", "style": {"width": s, "height": s}} for i, s in enumerate(SIZES)]
    for type_, colour in TYPE_COLOURS.items():
        style = {"line-color": colour, "target-arrow-color": colour, "background-color": colour,
                 "text-background-color": colour, "width": 1.0 if type_ == "related" else 2.2}
        if type_ != "related":
            style["target-arrow-shape"] = "triangle"
        rules.append({"selector": f"edge[label = '{type_}']", "style": style})
    return rules


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


def clicked_concept(value: object, id_map: Mapping[str, str] | None = None,
                    concepts: Mapping[str, object] | None = None) -> str | None:
    """The concept id a graph component's click event names, or None.

    Accepts the value st-link-analysis returns for ``Event("clicked_node", …)``
    (``{"action": "clicked_node", "data": {"target_id": …}}``); ids are mapped back
    through `id_map` (or unescaped) and must name a known concept.

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
    cid = id_map.get(target) if id_map and target in id_map else html.unescape(target)
    if concepts is not None and cid not in concepts:
        return None
    return cid
