"""Topics (Louvain communities, fixed seed) and study gaps (central but thin concepts)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import networkx as nx


from kg.explore_common import BETWEENNESS_SAMPLE, SEED


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

