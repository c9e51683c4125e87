"""Topics (Louvain communities, fixed seed) and study gaps (central but thin concepts)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import networkx as nx

BETWEENNESS_SAMPLE = 128
SEED = 42


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
    terms: tuple[str, ...] = ()
    """The concept ids the label names."""


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
        out.append(Topic(i, label, tuple(order), tuple(order[:top])))
    return out


@dataclass(frozen=True)
class Gap:
    """A concept many paths run through that the notes say little about."""

    id: str
    name: str
    betweenness: float
    passages: int
    degree: int


def is_real_concept(g: nx.MultiDiGraph, node: str, min_typed: int = 2) -> bool:
    """A concept a learner would study: in the glossary (it has a category) or in `min_typed` typed relations.

    Words the notes merely repeat near many others ("前言", "联系") are linked by
    co-occurrence only; they are central in the graph but no study gap.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("前言", category=""); g.add_node("dropout", category="method")
    >>> is_real_concept(g, "前言"), is_real_concept(g, "dropout")
    (False, True)
    """
    if g.nodes[node].get("category"):
        return True
    typed = sum(1 for _, _, k in g.out_edges(node, keys=True) if k != "related")
    typed += sum(1 for _, _, k in g.in_edges(node, keys=True) if k != "related")
    return typed >= min_typed


def study_gaps(g: nx.MultiDiGraph, limit: int = 15, top_share: float = 0.1, min_top: int = 20,
               sample: int = BETWEENNESS_SAMPLE, seed: int = SEED, simple: nx.Graph | None = None) -> list[Gap]:
    """"Central but thin" concepts: among the most central real concepts, those the notes say least about.

    Central: the top `top_share` of real concepts (see :func:`is_real_concept`; at
    least `min_top`) by betweenness, i.e. the bridges many shortest paths between
    other concepts run through. Thin: fewer passages than the median of those
    central concepts. Listed by betweenness, the score the page shows, highest first.
    Betweenness is exact on small graphs and estimated from `sample` source nodes
    (fixed seed) on big ones, so the page stays fast and the list stays stable.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> for a, b in [("a", "hub"), ("b", "hub"), ("hub", "big"), ("big", "c"), ("big", "d")]:
    ...     _ = g.add_edge(a, b, key="related", type="related", weight=1.0)
    >>> nx.set_node_attributes(g, {n: n for n in g}, "name")
    >>> nx.set_node_attributes(g, {n: "method" for n in g}, "category")
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
    real = [c for c, b in centrality.items() if b > 0 and is_real_concept(g, c)]
    ranked = sorted(real, key=lambda c: (-centrality[c], c))
    central = ranked[:max(min_top, math.ceil(top_share * len(real)))]
    if not central:
        return []
    thin = statistics.median(passages[c] for c in central)
    gaps = [Gap(c, g.nodes[c].get("name", c), round(centrality[c], 6), passages[c], u.degree(c))
            for c in central if passages[c] < thin]
    gaps.sort(key=lambda x: (-x.betweenness, x.name))
    return gaps[:limit]
