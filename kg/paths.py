"""Shortest typed paths between concepts, each hop explained by its evidence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from kg.models import RELATION_TYPES
from kg.view import TYPED


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

