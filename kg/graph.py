"""Functions over the concept graph, graph first: neighbourhoods, paths, communities, export."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import networkx as nx

from kg.index import KnowledgeIndex

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold at all, even escaped (controls, lone surrogates, U+FFFE, U+FFFF)."""


def to_graph(index: KnowledgeIndex) -> nx.MultiDiGraph:
    """The typed, directed concept graph; node and edge data are plain Python values.

    Examples
    --------
    >>> from kg.models import Concept, Relation
    >>> idx = KnowledgeIndex(concepts={"a": Concept(id="a", name="A"), "b": Concept(id="b", name="B")},
    ...                      relations=[Relation(source="a", target="b", type="solves")])
    >>> g = to_graph(idx)
    >>> list(g.edges(keys=True))
    [('a', 'b', 'solves')]
    """
    g = nx.MultiDiGraph()
    for c in index.concepts.values():
        g.add_node(c.id, name=c.name, aliases=list(c.aliases), definition=c.definition or "",
                   category=c.category or "", passages=len(index.concept_passages.get(c.id, ())))
    for r in index.relations:
        g.add_edge(r.source, r.target, key=r.type, type=r.type, weight=r.weight,
                   evidence=[e.model_dump() for e in r.evidence])
    return g


def neighbourhood(g: nx.MultiDiGraph, center: str, radius: int = 1, types: Iterable[str] | None = None,
                  limit: int = 300) -> tuple[set[str], int]:
    """Nodes within `radius` hops (either direction), nearest and heaviest first, at most `limit`.

    Walks predecessors and successors directly: `nx.ego_graph(undirected=True)`
    copies the whole graph on every call. Returns the kept nodes and how many
    were left out.
    """
    wanted = set(types) if types else None
    seen = {center: 0}
    frontier = [center]
    for depth in range(1, radius + 1):
        nxt = []
        for node in frontier:
            for other in _neighbours(g, node, wanted):
                if other not in seen:
                    seen[other] = depth
                    nxt.append(other)
        frontier = nxt
    ranked = sorted(seen, key=lambda n: (seen[n], -g.degree(n), n))
    return set(ranked[:limit]), max(0, len(ranked) - limit)


def _neighbours(g, node, wanted):
    for _, other, data in g.out_edges(node, data=True):
        if wanted is None or data["type"] in wanted:
            yield other
    for other, _, data in g.in_edges(node, data=True):
        if wanted is None or data["type"] in wanted:
            yield other


def export_json(index: KnowledgeIndex) -> dict:
    return {
        "nodes": [{"id": c.id, "name": c.name, "aliases": list(c.aliases), "definition": c.definition,
                   "notes": list(c.notes), "category": c.category, "passages": len(index.concept_passages.get(c.id, ()))}
                  for c in index.concepts.values()],
        "edges": [{"source": r.source, "target": r.target, "type": r.type, "weight": r.weight,
                   "evidence": [e.model_dump() for e in r.evidence]} for r in index.relations],
    }


def xml_text(value):
    """`value` with the characters XML cannot hold removed, if it is a string.

    Examples
    --------
    >>> xml_text("a\\ufffeb\\uffff\\x01c\\tok"), xml_text(3)
    ('abc\\tok', 3)
    """
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def export_graphml(index: KnowledgeIndex, path) -> None:
    """GraphML that Gephi and networkx open: list-valued data become JSON strings, and characters
    XML cannot hold (a note may contain U+FFFE or a control) are dropped, so the file is well-formed."""
    g = to_graph(index)
    clean = nx.MultiDiGraph()
    for node, data in g.nodes(data=True):
        data["aliases"] = json.dumps(data["aliases"], ensure_ascii=False)
        clean.add_node(xml_text(node), **{k: xml_text(v) for k, v in data.items()})
    for source, target, key, data in g.edges(keys=True, data=True):
        data["evidence"] = json.dumps(data["evidence"], ensure_ascii=False)
        clean.add_edge(xml_text(source), xml_text(target), key=key, **{k: xml_text(v) for k, v in data.items()})
    nx.write_graphml(clean, path)
