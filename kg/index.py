"""The built index: concepts, typed relations, passages, and the maps between them.

It is what `ingest.build` produces and `kg.store` saves; search, graph and the
faces only read it.
"""

from __future__ import annotations

import functools

from pydantic import BaseModel, ConfigDict, PrivateAttr

from kg.errors import UnknownConceptError
from kg.lexicon import Lexicon
from kg.models import Concept, Passage, Relation

FORMAT_VERSION = 9


class KnowledgeIndex(BaseModel):
    """Everything a query, a concept page or a graph view needs, in one model."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    format: int = FORMAT_VERSION
    concepts: dict[str, Concept] = {}
    relations: list[Relation] = []
    passages: list[Passage] = []
    passage_concepts: dict[str, list[str]] = {}
    concept_passages: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    concept_tokens: dict[str, list[str]] = {}
    """What concept search matches per concept; kept so an append re-tokenizes only new concepts."""
    bridges: dict[str, list[str]] = {}
    """Folded English phrase → Chinese words, as the notes pair them (`ingest.bridges`)."""

    _lexicon: Lexicon | None = PrivateAttr(default=None)

    @property
    def lexicon(self) -> Lexicon:
        """The names of `keys`, built on first use."""
        if self._lexicon is None:
            self._lexicon = Lexicon(self.keys)
        return self._lexicon

    def with_lexicon(self, lexicon: Lexicon) -> "KnowledgeIndex":
        """This index, using `lexicon` (already built over exactly `keys`) instead of building its own."""
        self._lexicon = lexicon
        return self

    @functools.cached_property
    def passage_by_id(self) -> dict[str, Passage]:
        return {p.id: p for p in self.passages}

    def resolve(self, name: str) -> Concept:
        """The concept a user means by `name` (id, name, alias, or a near spelling).

        Raises `UnknownConceptError` with suggestions when nothing matches.
        """
        if name in self.concepts:
            return self.concepts[name]
        cid = self.lexicon.lookup(name)
        if cid is None:
            fuzzy = self.lexicon.fuzzy(name)
            if len(fuzzy) == 1:
                cid = fuzzy[0]
            else:
                raise UnknownConceptError(name, [self.concepts[c].name for c in fuzzy] or self._suggest(name))
        return self.concepts[cid]

    def _suggest(self, name: str, limit: int = 5) -> list[str]:
        from kg.normalize import key

        k = key(name)
        hits = [c.name for c in self.concepts.values()
                if k and (k in c.id or (c.id in k and 2 * len(c.id) >= len(k)))]
        return sorted(hits, key=len)[:limit]
