"""What the explorer shows, computed from the index and its graph (graph first).

The Streamlit pages hold widgets only; every list, path, topic and graph view they
show comes from here. An :class:`Explorer` is built once per index generation
(the faces cache it) and precomputes what a page would otherwise rescan on every
rerun: each concept's relations, the graph, sorted names. Topics and study gaps
are computed on first use.

Every string that comes from the notes is HTML-escaped before it leaves this
module for a graph component or an HTML snippet: graph components render node
data as HTML, and a note may contain ``<img src=x onerror=…>``.
"""

from __future__ import annotations

import functools
import html
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg import store
from kg.graph import neighbourhood, to_graph
from kg.index import KnowledgeIndex
from kg.models import RELATION_TYPES, Concept, Evidence, Passage, Relation

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


def index_version(data_dir: Path) -> str:
    """A cheap key that changes whenever a new index generation is written.

    The generation's name plus its manifest's modification time: a rebuilt data
    folder that starts again at ``gen-1`` still gets a new key. Raises
    ``IndexMissingError``/``IndexCorruptError`` like :func:`kg.store.current_generation`.
    """
    gen = store.current_generation(Path(data_dir))
    try:
        stamp = (gen / "manifest.json").stat().st_mtime_ns
    except OSError:
        stamp = 0
    return f"{gen.name}:{stamp}"


# --------------------------------------------------------------------------- relations per concept


def relations_by_concept(index: KnowledgeIndex) -> dict[str, list[Relation]]:
    """Each concept's relations (either end), in one pass over the index.

    ``KnowledgeIndex.relations_of`` scans every relation; a page that reruns on each
    click must not.

    Examples
    --------
    >>> from kg.models import Concept
    >>> idx = KnowledgeIndex(concepts={c: Concept(id=c, name=c) for c in "abc"},
    ...                      relations=[Relation(source="a", target="b", type="solves")])
    >>> {k: len(v) for k, v in relations_by_concept(idx).items()}
    {'a': 1, 'b': 1}
    """
    out: dict[str, list[Relation]] = defaultdict(list)
    for r in index.relations:
        out[r.source].append(r)
        if r.target != r.source:
            out[r.target].append(r)
    return dict(out)


@dataclass(frozen=True)
class RelationRow:
    """One relation seen from a concept: the other end, which way it points, why we believe it."""

    type: str
    outgoing: bool
    other: str
    other_name: str
    weight: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ConceptPage:
    concept: Concept
    groups: dict[str, list[RelationRow]]
    passages: list[Passage]

    @property
    def relation_count(self) -> int:
        return sum(len(rows) for rows in self.groups.values())


def concept_page(index: KnowledgeIndex, by_concept: Mapping[str, Sequence[Relation]], concept_id: str) -> ConceptPage:
    """A concept's definition, relations grouped by type (heaviest first) and passages.

    Examples
    --------
    >>> from kg.models import Concept
    >>> idx = KnowledgeIndex(concepts={"dropout": Concept(id="dropout", name="dropout"),
    ...                                "过拟合": Concept(id="过拟合", name="过拟合", aliases=("overfitting",))},
    ...                      relations=[Relation(source="dropout", target="过拟合", type="solves")])
    >>> page = concept_page(idx, relations_by_concept(idx), "过拟合")
    >>> [(t, [(r.other_name, r.outgoing) for r in rows]) for t, rows in page.groups.items()]
    [('solves', [('dropout', False)])]
    """
    concept = index.concepts[concept_id]
    groups: dict[str, list[RelationRow]] = defaultdict(list)
    for r in by_concept.get(concept_id, ()):
        outgoing = r.source == concept_id
        other = r.target if outgoing else r.source
        other_concept = index.concepts.get(other)
        groups[r.type].append(RelationRow(r.type, outgoing, other, other_concept.name if other_concept else other,
                                          r.weight, r.evidence))
    ordered = {t: sorted(groups[t], key=lambda row: (-row.weight, row.other_name)) for t in RELATION_TYPES
               if t in groups}
    by_id = index.passage_by_id
    passages = [by_id[pid] for pid in index.concept_passages.get(concept_id, ()) if pid in by_id]
    return ConceptPage(concept, ordered, passages)


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class Hop:
    """One step of a path as walked: ``source`` then ``target``.

    ``forward`` says whether the relation points the way we walk
    (``dropout —solves→ 过拟合``) or against it.
    """

    source: str
    target: str
    type: str
    forward: bool
    weight: float
    evidence: tuple[dict, ...]


@dataclass(frozen=True)
class PathResult:
    paths: list[list[Hop]]
    typed_only: bool
    """True when every hop is a typed relation (no `related` edge was needed)."""


def shortest_paths(g: nx.MultiDiGraph, source: str, target: str, types: Iterable[str] | None = None,
                   limit: int = 3, max_length: int = 8, typed_graph: nx.MultiDiGraph | None = None) -> PathResult:
    """The shortest path(s) between two concepts, each hop with its relation and evidence.

    Edges are walked either way (a learner asks how two ideas connect, not which
    way an arrow points). Typed relations are tried first; ``related``
    (co-occurrence) edges are used only when no typed path exists and `types`
    allows them. `typed_graph` (see :func:`typed_subgraph`) makes the typed search
    skip the many co-occurrence edges of hub concepts.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("dropout", "过拟合", key="solves", type="solves", weight=1.0, evidence=[])
    >>> _ = g.add_edge("过拟合", "方差", key="related", type="related", weight=1.0, evidence=[])
    >>> r = shortest_paths(g, "dropout", "方差")
    >>> [(h.source, h.type, h.forward, h.target) for h in r.paths[0]], r.typed_only
    ([('dropout', 'solves', True, '过拟合'), ('过拟合', 'related', True, '方差')], False)
    >>> shortest_paths(g, "方差", "dropout").paths[0][0].forward
    False
    """
    allowed = set(types) if types is not None else set(RELATION_TYPES)
    if source not in g or target not in g:
        return PathResult([], True)
    if source == target:
        return PathResult([[]], True)
    typed = allowed & set(TYPED)
    attempts = [(typed, True)] if typed else []
    if "related" in allowed:
        attempts.append((allowed, False))
    for wanted, typed_only in attempts:
        walk = typed_graph if typed_only and typed_graph is not None else g
        if source not in walk or target not in walk:
            continue
        parents = _bfs_parents(walk, source, target, wanted, max_length)
        if parents is None:
            continue
        node_paths = _unwind(parents, source, target, limit)
        return PathResult([[_hop(g, a, b, wanted) for a, b in zip(p, p[1:])] for p in node_paths], typed_only)
    return PathResult([], True)


def typed_subgraph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of `g` with only its typed edges (no `related`), for fast typed path search.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="solves", type="solves", weight=1.0)
    >>> _ = g.add_edge("a", "c", key="related", type="related", weight=1.0)
    >>> list(typed_subgraph(g).edges(keys=True))
    [('a', 'b', 'solves')]
    """
    t = nx.MultiDiGraph()
    t.add_edges_from((a, b, k, d) for a, b, k, d in g.edges(keys=True, data=True) if k != "related")
    return t


def _edge_neighbours(g: nx.MultiDiGraph, node: str, wanted: set[str]) -> set[str]:
    """Neighbours either way over edges of the wanted types (edge keys are relation types)."""
    out = {v for v, keys in g.succ[node].items() if not wanted.isdisjoint(keys)}
    out |= {u for u, keys in g.pred[node].items() if not wanted.isdisjoint(keys)}
    out.discard(node)
    return out


def _bfs_parents(g, source, target, wanted, max_length) -> dict[str, list[str]] | None:
    parents: dict[str, list[str]] = {source: []}
    frontier = [source]
    for _ in range(max_length):
        level: dict[str, list[str]] = defaultdict(list)
        for node in frontier:
            for other in _edge_neighbours(g, node, wanted):
                if other not in parents:
                    level[other].append(node)
        if not level:
            return None
        for node, ps in level.items():
            parents[node] = sorted(ps)
        if target in level:
            return parents
        frontier = sorted(level)
    return None


def _unwind(parents, source, target, limit) -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(node, tail):
        if len(paths) >= limit:
            return
        if node == source:
            paths.append([source, *tail])
            return
        for p in parents[node]:
            walk(p, [node, *tail])

    walk(target, [])
    return paths


def _hop(g, a, b, wanted) -> Hop:
    candidates = [(True, t, d) for t, d in g.get_edge_data(a, b, default={}).items() if t in wanted]
    candidates += [(False, t, d) for t, d in g.get_edge_data(b, a, default={}).items() if t in wanted]
    forward, type_, data = max(candidates, key=lambda c: (c[1] != "related", c[2].get("weight", 1.0), c[0]))
    return Hop(a, b, type_, forward, data.get("weight", 1.0), tuple(data.get("evidence", ())))


# --------------------------------------------------------------------------- topics and gaps


def undirected_weighted(g: nx.MultiDiGraph) -> nx.Graph:
    """One undirected edge per connected pair, weighted by the sum of its relations' weights.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="solves", type="solves", weight=1.0)
    >>> _ = g.add_edge("b", "a", key="related", type="related", weight=0.5)
    >>> list(undirected_weighted(g).edges(data="weight"))
    [('a', 'b', 1.5)]
    """
    u = nx.Graph()
    u.add_nodes_from(g.nodes)
    for a, b, w in g.edges(data="weight", default=1.0):
        if a == b:
            continue
        if u.has_edge(a, b):
            u[a][b]["weight"] += w
        else:
            u.add_edge(a, b, weight=w)
    return u


@dataclass(frozen=True)
class Topic:
    id: int
    label: str
    members: tuple[str, ...]
    """Concept ids, most connected inside the topic first."""


def topics(g: nx.MultiDiGraph, seed: int = SEED, top: int = 3, min_size: int = 2,
           simple: nx.Graph | None = None) -> list[Topic]:
    """Louvain communities (fixed seed: the same notes give the same topics), biggest first.

    Each topic is labelled by its `top` most connected concepts. Concepts with no
    relation form no topic.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for a, b in [("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")]:
    ...     _ = g.add_edge(a, b, key="related", type="related", weight=1.0)
    >>> nx.set_node_attributes(g, {n: n.upper() for n in g}, "name")
    >>> [(t.label, sorted(t.members)) for t in topics(g)]
    [('C · A · B', ['a', 'b', 'c']), ('X · Y · Z', ['x', 'y', 'z'])]
    """
    u = simple if simple is not None else undirected_weighted(g)
    u = u.subgraph([n for n in u if u.degree(n) > 0])
    if u.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(u, weight="weight", seed=seed)
    strength = dict(u.degree(weight="weight"))
    out = []
    ranked = sorted((c for c in found if len(c) >= min_size), key=lambda c: (-len(c), min(c)))
    for i, members in enumerate(ranked):
        inner = {n: sum(d.get("weight", 1.0) for m, d in u[n].items() if m in members) for n in members}
        order = sorted(members, key=lambda n: (-inner[n], -strength[n], n))
        label = " · ".join(g.nodes[n].get("name", n) for n in order[:top])
        out.append(Topic(i, label, tuple(order)))
    return out


@dataclass(frozen=True)
class Gap:
    """A concept many paths run through that the notes say little about."""

    id: str
    name: str
    betweenness: float
    passages: int
    degree: int


def study_gaps(g: nx.MultiDiGraph, limit: int = 15, top_share: float = 0.1, min_top: int = 20,
               sample: int = BETWEENNESS_SAMPLE, seed: int = SEED, simple: nx.Graph | None = None) -> list[Gap]:
    """"Central but thin" concepts: among the most central, those the notes say least about.

    Central: the top `top_share` of concepts (at least `min_top`) by betweenness,
    i.e. the bridges many shortest paths between other concepts run through.
    Thin: fewer passages than the median of those central concepts. Ranked by
    betweenness per passage.
    Betweenness is exact on small graphs and estimated from `sample` source nodes
    (fixed seed) on big ones, so the page stays fast and the list stays stable.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for a, b in [("a", "hub"), ("b", "hub"), ("hub", "big"), ("big", "c"), ("big", "d")]:
    ...     _ = g.add_edge(a, b, key="related", type="related", weight=1.0)
    >>> nx.set_node_attributes(g, {n: n for n in g}, "name")
    >>> nx.set_node_attributes(g, {"hub": 1, "big": 9, "a": 3, "b": 3, "c": 3, "d": 3}, "passages")
    >>> [(x.name, x.passages) for x in study_gaps(g)]
    [('hub', 1)]
    """
    u = simple if simple is not None else undirected_weighted(g)
    n = u.number_of_nodes()
    if n < 3:
        return []
    k = None if n <= sample else sample
    centrality = nx.betweenness_centrality(u, k=k, seed=seed if k else None, weight=None)
    passages = {c: int(g.nodes[c].get("passages", 0)) for c in u}
    ranked = sorted((c for c, b in centrality.items() if b > 0), key=lambda c: (-centrality[c], c))
    central = ranked[:max(min_top, math.ceil(top_share * n))]
    if not central:
        return []
    thin = statistics.median(passages[c] for c in central)
    gaps = [Gap(c, g.nodes[c].get("name", c), round(centrality[c], 6), passages[c], u.degree(c))
            for c in central if passages[c] < thin]
    gaps.sort(key=lambda x: (-x.betweenness / (1 + x.passages), x.name))
    return gaps[:limit]


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


def _short(text: str | None, limit: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def graph_view(g: nx.MultiDiGraph, nodes: Iterable[str], center: str | None = None,
               types: Iterable[str] | None = None, left_out: int = 0, limit: int = MAX_NODES,
               max_edges: int = MAX_EDGES) -> GraphView:
    """Nodes (at most `limit`, the center and best connected kept) and the typed edges among them.

    Node data: ``label`` (the name), aliases, a short definition, passage count,
    degree and ``size`` (by degree); edge data: ``label`` (the relation type),
    weight, the first evidence sentence and its ``file:line``. All strings are
    escaped. Edges touching the center, typed ones and heavier ones are kept first
    when there are more than `max_edges`.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("x", name="<img src=x onerror=alert(1)>", aliases=[], definition="", passages=1)
    >>> g.add_node("y", name="y", aliases=[], definition="", passages=1)
    >>> _ = g.add_edge("x", "y", key="solves", type="solves", weight=1.0,
    ...            evidence=[{"source": "a.md", "line": 3, "text": "x <b>solves</b> y", "rule": "r"}])
    >>> v = graph_view(g, ["x", "y"], center="x")
    >>> v.elements["nodes"][0]["data"]["label"]
    '&lt;img src=x onerror=alert(1)&gt;'
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
            "label": esc(d.get("name", n)),
            "aliases": esc(", ".join(d.get("aliases", [])[:6])),
            "definition": esc(_short(d.get("definition"), 200)),
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
            "evidence": esc(_short(ev.get("text", ""), 160)) if explain else "",
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


# --------------------------------------------------------------------------- the holder the faces cache


@dataclass
class Explorer:
    """An index with what the explorer precomputes over it; build once per generation."""

    index: KnowledgeIndex
    graph: nx.MultiDiGraph
    by_concept: dict[str, list[Relation]]
    version: str = ""

    @classmethod
    def from_index(cls, index: KnowledgeIndex, version: str = "") -> "Explorer":
        return cls(index, to_graph(index), relations_by_concept(index), version)

    @functools.cached_property
    def names(self) -> list[str]:
        """Concept names, sorted (for pickers)."""
        return sorted(c.name for c in self.index.concepts.values())

    @functools.cached_property
    def id_by_name(self) -> dict[str, str]:
        return {c.name: c.id for c in self.index.concepts.values()}

    def relation_count(self, concept_id: str) -> int:
        return len(self.by_concept.get(concept_id, ()))

    def page(self, concept_id: str) -> ConceptPage:
        return concept_page(self.index, self.by_concept, concept_id)

    def ego(self, concept_id: str, radius: int = 1, types: Iterable[str] | None = None) -> GraphView:
        """The ego graph view, remembered (a rerun of the same view costs a dict lookup)."""
        wanted = None if types is None else tuple(sorted(set(types)))
        return self._remember(("ego", concept_id, radius, wanted), lambda: ego_view(self.graph, concept_id, radius, wanted))

    def _remember(self, key, compute):
        cache = self.__dict__.setdefault("_views", {})
        if key not in cache:
            if len(cache) >= VIEW_CACHE:
                cache.pop(next(iter(cache)), None)
            cache[key] = compute()
        return cache[key]

    def paths(self, source: str, target: str, types: Iterable[str] | None = None, limit: int = 3) -> PathResult:
        return shortest_paths(self.graph, source, target, types, limit, typed_graph=self.typed)

    @functools.cached_property
    def typed(self) -> nx.MultiDiGraph:
        return typed_subgraph(self.graph)

    @functools.cached_property
    def simple(self) -> nx.Graph:
        return undirected_weighted(self.graph)

    @functools.cached_property
    def topics(self) -> list[Topic]:
        return topics(self.graph, simple=self.simple)

    @functools.cached_property
    def gaps(self) -> list[Gap]:
        return study_gaps(self.graph, simple=self.simple)

    def topic_view(self, topic: Topic, types: Iterable[str] | None = None) -> GraphView:
        wanted = None if types is None else tuple(sorted(set(types)))
        return self._remember(("topic", topic.id, wanted), lambda: graph_view(self.graph, topic.members, types=wanted))

    def path_view(self, result: PathResult) -> GraphView:
        """The concepts and hops of some paths, as a small graph."""
        nodes = list(dict.fromkeys(n for path in result.paths for hop in path for n in (hop.source, hop.target)))
        hops = {(h.source, h.target) for path in result.paths for h in path}
        hops |= {(b, a) for a, b in hops}
        view = graph_view(self.graph, nodes, types={h.type for path in result.paths for h in path})
        edges = [e for e in view.elements["edges"]
                 if (view.ids.get(e["data"]["source"]), view.ids.get(e["data"]["target"])) in hops]
        return GraphView({"nodes": view.elements["nodes"], "edges": edges}, view.shown, view.left_out, 0,
                         [t for t in RELATION_TYPES if any(e["data"]["label"] == t for e in edges)], view.ids)
