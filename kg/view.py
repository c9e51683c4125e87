"""Graph views sized for reading: which concepts and links a picture of the graph should hold.

A concept in big notes has hundreds of co-occurrence (``related``) neighbours; drawn
all at once they are an unreadable hairball. A view therefore keeps what matters
for the concept first (typed relations, then the ``related`` links with the most
evidence), at most `limit` concepts, and says how many it left out. The result
is a plain model (names, counts, links with their first evidence sentence): the
faces in ``ui/`` decide how it looks, and escape what they render.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from kg.models import RELATION_TYPES

READABLE_NODES = 40
MAX_NODES = 300
TYPED = tuple(t for t in RELATION_TYPES if t != "related")
CENTER, NEAR, FAR = 0, 1, 2


@dataclass(frozen=True)
class NodeModel:
    """A concept as a graph view shows it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    definition: str
    typed: int
    """Typed relations of the concept in the whole graph."""
    related: int
    """Co-occurrence (``related``) links of the concept in the whole graph."""
    ring: int
    """CENTER (the concept the view is about), NEAR (one hop, or a topic's label term) or FAR."""
    weak: bool = False
    """Set by a face that knows the learner's weak concepts; the core leaves it False."""


@dataclass(frozen=True)
class EdgeModel:
    source: str
    target: str
    type: str
    weight: float
    evidence: str
    """The first sentence the relation was read from ("" when none)."""
    where: str
    """``file:line`` of that sentence."""


@dataclass(frozen=True)
class GraphModel:
    """Concepts and the links among them; every node has at least one link (the center may have none)."""

    nodes: tuple[NodeModel, ...]
    edges: tuple[EdgeModel, ...]
    center: str | None
    left_out: int
    """Concepts in reach that are not drawn."""
    edges_left_out: int
    """Links among the drawn concepts that are not drawn (the weakest co-occurrences)."""

    @property
    def shown(self) -> int:
        return len(self.nodes)

    @property
    def types(self) -> list[str]:
        present = {e.type for e in self.edges}
        return [t for t in RELATION_TYPES if t in present]


def _link_strength(g: nx.MultiDiGraph, a: str, b: str, wanted: set[str]) -> tuple[bool, int, float]:
    """(has a typed link, evidence sentences, weight) over the wanted links between a and b, either way."""
    typed, evidence, weight = False, 0, 0.0
    for x, y in ((a, b), (b, a)):
        for type_, data in g.get_edge_data(x, y, default={}).items():
            if type_ in wanted:
                typed |= type_ != "related"
                evidence += len(data.get("evidence") or ())
                weight += data.get("weight", 1.0)
    return typed, evidence, weight


def _neighbours(g: nx.MultiDiGraph, node: str, wanted: set[str]) -> set[str]:
    out = {v for v, keys in g.succ[node].items() if not wanted.isdisjoint(keys)}
    out |= {u for u, keys in g.pred[node].items() if not wanted.isdisjoint(keys)}
    out.discard(node)
    return out


def ego_model(g: nx.MultiDiGraph, center: str, radius: int = 1, types: Iterable[str] | None = None,
              limit: int = READABLE_NODES, through_related: bool = False) -> GraphModel:
    """The neighbourhood of a concept, at most `limit` concepts, the ones that explain it first.

    Order of keeping: neighbours linked by a typed relation, then (radius 2) the
    concepts one typed hop further, then ``related`` neighbours by evidence count.
    Radius 2 walks on only through typed relations unless `through_related`: a hub's
    co-occurrences of co-occurrences are most of the notes.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for a, b, t, n in [("dropout", "过拟合", "solves", 1), ("过拟合", "方差", "related", 3),
    ...                    ("过拟合", "GPU", "related", 1), ("方差", "偏差", "contrasts", 1)]:
    ...     _ = g.add_edge(a, b, key=t, type=t, weight=1.0, evidence=[{"source": "a.md", "line": 1, "text": "s"}] * n)
    >>> m = ego_model(g, "过拟合", limit=3)
    >>> [n.id for n in m.nodes], m.left_out
    (['过拟合', 'dropout', '方差'], 1)
    >>> sorted(n.id for n in ego_model(g, "dropout", radius=2).nodes)
    ['dropout', '过拟合']
    >>> sorted(n.id for n in ego_model(g, "dropout", radius=2, through_related=True).nodes)
    ['GPU', 'dropout', '方差', '过拟合']
    """
    wanted = set(RELATION_TYPES if types is None else types)
    if center not in g:
        return GraphModel((), (), center, 0, 0)
    near = _neighbours(g, center, wanted)
    strength = {n: _link_strength(g, center, n, wanted) for n in near}
    near_typed = [n for n in near if strength[n][0]]
    near_rest = [n for n in near if not strength[n][0]]

    def by_strength(n: str) -> tuple:
        return -strength[n][1], -strength[n][2], -g.degree(n), n

    far: list[str] = []
    if radius >= 2:
        walk = wanted if through_related else wanted & set(TYPED)
        far_count: dict[str, int] = {}
        for n in near if through_related else near_typed:
            for m in _neighbours(g, n, walk):
                if m != center and m not in near:
                    far_count[m] = far_count.get(m, 0) + 1
        far = sorted(far_count, key=lambda m: (-far_count[m], -g.degree(m), m))
    if through_related:
        order = sorted(near_typed, key=by_strength) + sorted(near_rest, key=by_strength) + far
    else:
        order = sorted(near_typed, key=by_strength) + far + sorted(near_rest, key=by_strength)
    kept = [center] + order[:max(0, limit - 1)]
    rings = {n: (CENTER if n == center else NEAR if n in near else FAR) for n in kept}
    return _model(g, kept, rings, wanted, center, len(order) - (len(kept) - 1))


def core_model(g: nx.MultiDiGraph, members: Sequence[str], terms: Collection[str] = (), limit: int = READABLE_NODES,
               types: Iterable[str] | None = None) -> GraphModel:
    """A topic's core: its first `limit` members (most central first), its label `terms` marked NEAR.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for a, b in [("a", "b"), ("b", "c"), ("c", "d")]:
    ...     _ = g.add_edge(a, b, key="related", type="related", weight=1.0, evidence=[])
    >>> g.add_node("lonely")
    >>> m = core_model(g, ["b", "c", "a", "lonely", "d"], terms={"b"}, limit=4)
    >>> [(n.id, n.ring) for n in m.nodes], m.left_out
    ([('b', 1), ('c', 2), ('a', 2)], 2)
    """
    wanted = set(RELATION_TYPES if types is None else types)
    kept = [m for m in dict.fromkeys(members) if m in g][:limit]
    rings = {n: NEAR if n in terms else FAR for n in kept}
    model = _model(g, kept, rings, wanted, None, 0)
    return GraphModel(model.nodes, model.edges, None, len(members) - model.shown, model.edges_left_out)


def links_model(g: nx.MultiDiGraph, links: Iterable[tuple[str, str, str]], center: str | None = None) -> GraphModel:
    """Exactly the given (source, target, type) links and their concepts, e.g. the hops of a path."""
    links = [link for link in dict.fromkeys(links) if g.has_edge(link[0], link[1], key=link[2])]
    kept = list(dict.fromkeys(n for a, b, _ in links for n in (a, b)))
    nodes = tuple(_node(g, n, CENTER if n == center else NEAR) for n in kept)
    return GraphModel(nodes, tuple(_edge(g, a, b, t) for a, b, t in links), center, 0, 0)


def _model(g: nx.MultiDiGraph, kept: list[str], rings: dict[str, int], wanted: set[str], center: str | None,
           left_out: int) -> GraphModel:
    """The kept concepts and the links among them worth drawing; concepts left with no link are dropped.

    Every typed link and every link to the center is drawn; co-occurrence links
    between two other concepts only where no typed link joins them, the strongest
    first, about two per concept.
    """
    keep = set(kept)
    must, optional = [], []
    for a in kept:
        for _, b, type_, data in g.out_edges(a, keys=True, data=True):
            if b not in keep or a == b or type_ not in wanted:
                continue
            if type_ != "related" or center in (a, b):
                must.append((a, b, type_))
            elif not any(t != "related" and t in wanted for x, y in ((a, b), (b, a))
                         for t in g.get_edge_data(x, y, default={})):
                optional.append((len(data.get("evidence") or ()), data.get("weight", 1.0), a, b))
    typed_pairs = {frozenset((a, b)) for a, b, t in must if t != "related"}
    must = [(a, b, t) for a, b, t in must if t != "related" or frozenset((a, b)) not in typed_pairs]
    optional.sort(key=lambda e: (-e[0], -e[1], e[2], e[3]))
    budget = max(0, 2 * len(kept) - len(must))
    links = must + [(a, b, "related") for _, _, a, b in optional[:budget]]
    linked = {n for a, b, _ in links for n in (a, b)} | ({center} if center in keep else set())
    nodes = tuple(_node(g, n, rings[n]) for n in kept if n in linked)
    dropped = len(kept) - len(nodes)
    return GraphModel(nodes, tuple(_edge(g, a, b, t) for a, b, t in links), center, left_out + dropped,
                      max(0, len(optional) - budget))


def _node(g: nx.MultiDiGraph, n: str, ring: int) -> NodeModel:
    d = g.nodes[n]
    related = sum(1 for *_, key in g.out_edges(n, keys=True) if key == "related")
    related += sum(1 for *_, key in g.in_edges(n, keys=True) if key == "related")
    return NodeModel(n, d.get("name", n), tuple(d.get("aliases", ())), d.get("definition") or "",
                     g.degree(n) - related, related, ring)


def _edge(g: nx.MultiDiGraph, a: str, b: str, type_: str) -> EdgeModel:
    data = g.edges[a, b, type_]
    ev = (data.get("evidence") or [{}])[0]
    where = f"{ev['source']}:{ev.get('line', '')}" if ev.get("source") else ""
    return EdgeModel(a, b, type_, data.get("weight", 1.0), ev.get("text", ""), where)
