"""What the explorer shows, computed from the index and its graph (graph first).

The Streamlit pages hold widgets only; every list, path, topic and graph view they
show comes from here. An :class:`Explorer` is built once per index generation
(the faces cache it) and precomputes what a page would otherwise rescan on every
rerun: each concept's relations, the graph, sorted names. Topics and study gaps
are computed on first use.

Everything returned is plain data (names, counts, evidence as written): the faces
in ``ui/`` turn it into markup and escape every string from the notes on the way.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg import store
from kg.graph import to_graph
from kg.index import KnowledgeIndex
from kg.models import RELATION_TYPES, Concept, Evidence, Passage, Relation

from kg.paths import PathResult, shortest_paths, typed_subgraph
from kg.topics import Gap, Topic, study_gaps, topics, undirected_weighted
from kg.view import READABLE_NODES, GraphModel, core_model, ego_model, links_model

VIEW_CACHE = 256


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


def relations_of_concept(index: KnowledgeIndex, concept_id: str) -> dict[str, list[Relation]]:
    """The one concept's relations, in the shape `concept_page` takes (no index-wide map needed)."""
    return {concept_id: [r for r in index.relations if concept_id in (r.source, r.target)]}


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

    def ego(self, concept_id: str, radius: int = 1, types: Iterable[str] | None = None,
            limit: int = READABLE_NODES, through_related: bool = False) -> GraphModel:
        """The ego graph model, remembered (a rerun of the same view costs a dict lookup)."""
        wanted = None if types is None else tuple(sorted(set(types)))
        return self._remember(("ego", concept_id, radius, wanted, limit, through_related),
                              lambda: ego_model(self.graph, concept_id, radius, wanted, limit, through_related))

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

    def adopt(self, topics_found: list[Topic], gaps: list[Gap]) -> None:
        """Topics and study gaps computed elsewhere (another process) for this same index; kept
        unless this explorer computed its own first."""
        self.__dict__.setdefault("topics", topics_found)
        self.__dict__.setdefault("gaps", gaps)

    def topic_view(self, topic: Topic, types: Iterable[str] | None = None,
                   limit: int = READABLE_NODES) -> GraphModel:
        """A topic's core: its most central members, its label terms marked."""
        wanted = None if types is None else tuple(sorted(set(types)))
        return self._remember(("topic", topic.id, wanted, limit),
                              lambda: core_model(self.graph, topic.members, topic.terms, limit, wanted))

    def path_view(self, result: PathResult) -> GraphModel:
        """The concepts and hops of some paths, as a small graph."""
        links = [(h.source, h.target, h.type) if h.forward else (h.target, h.source, h.type)
                 for path in result.paths for h in path]
        return links_model(self.graph, links)
