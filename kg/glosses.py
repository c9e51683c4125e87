"""Find a concept by an English description of it, through the glossary's short glosses.

The notes are mostly Chinese, and concept search matches names and aliases, so a user
who describes a concept in English (`squashes scores into probabilities that sum to
one`) and names none finds nothing. Each glossary entry has a one-line English gloss
(`kg/data/glosses.json`); a query's English words that name no concept are matched
against the glosses with BM25 over lightly stemmed words, and only a match that covers
most of those words counts: a shared word or two is what any two ML sentences have.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from kg.bm25 import BM25
from kg.index import KnowledgeIndex
from kg.normalize import key
from kg.resources import glosses, stopwords

MIN_WORDS = 3
"""Distinct content words (stems) a query needs, outside the names it holds, to be read as a
description: `prevent overfitting` is a question about a named concept, not a gloss."""
MIN_MATCHED = 3
"""Distinct query stems a gloss must share: two shared words (`training data`) are chance."""
MIN_COVERAGE = 0.5
"""Share of the query's idf weight (over the stems any gloss uses) a gloss must hold."""
MIN_EVIDENCE = 12.0
"""Summed idf of the shared stems a gloss needs: `training data for the model` shares three words with
dozens of glosses (each idf about 2), a description shares rarer ones (`duplicate`, `overlapping`)."""
DESCRIPTION_RATIO = 2
"""A query is a description when its English words outside names outnumber the words of the names
it holds more than this many times; otherwise the names it holds rank first, as without glosses."""
NAMED_COVERAGE = 0.35
"""A query whose other words a named concept's own gloss covers this much describes that concept
by name (`why does ResNet use skip connections to train very deep networks`): it stays first."""
_LATIN = re.compile(r"[a-z][a-z0-9]*")
_SUFFIXES = (
    ("izations", ""), ("ization", ""), ("isation", ""), ("ications", "y"), ("ication", "y"), ("ations", ""),
    ("ation", ""), ("izing", ""), ("izes", ""), ("ized", ""), ("ize", ""), ("ating", ""), ("ated", ""),
    ("ates", ""), ("ate", ""), ("ings", ""), ("ing", ""), ("ies", "y"), ("ied", "y"), ("ier", "y"),
    ("ness", ""), ("ments", ""), ("ment", ""), ("ances", ""), ("ance", ""), ("ences", ""), ("ence", ""),
    ("ers", ""), ("er", ""), ("ly", ""), ("ed", ""), ("es", ""), ("s", ""),
)
_KEEP_S = ("ss", "us", "is")
_DOUBLING = ("ing", "ings", "ed", "er", "ers")


@functools.lru_cache(maxsize=1 << 14)
def stem(word: str) -> str:
    """A light suffix stripper, the same on glosses and queries, so `normalizes`, `normalized` and
    `normalization` meet, and `probabilities` meets `probability`; it need not give real words.

    Examples
    --------
    >>> [stem(w) for w in ("normalization", "normalizes", "probabilities", "probability", "loss", "layers")]
    ['normal', 'normal', 'probabiliti', 'probabiliti', 'loss', 'lai']
    >>> [stem(w) for w in ("summing", "sum", "fitted", "fits")]
    ['sum', 'sum', 'fit', 'fit']
    """
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(_KEEP_S):
                continue
            word = word[: len(word) - len(suffix)] + replacement
            if suffix in _DOUBLING and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # `summing`, `fitted`, `stopping`: the consonant doubled for the suffix
            break
    if word.endswith("y"):
        word = word[:-1] + "i"
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def gloss_terms(text: str) -> list[str]:
    """Stems of the English content words of `text` (stopwords and one-letter words dropped).
    Glosses are ASCII English: case-folding is all the folding they need."""
    stop = stopwords()
    return [stem(w) for w in _LATIN.findall(text.casefold()) if len(w) > 1 and w not in stop]


@dataclass(frozen=True)
class GlossHit:
    name: str
    """The glossary entry's name."""
    score: float
    coverage: float
    """Share of the query's (idf-weighted) stems that the gloss holds."""


class GlossIndex:
    """BM25 over all the glosses, built once per process (a few ms: 835 one-line documents)."""

    def __init__(self, entries: dict[str, str]):
        self.names = list(entries)
        self._doc_of = {key(name): doc for doc, name in enumerate(self.names)}
        docs = [gloss_terms(text) for text in entries.values()]
        self.terms = [frozenset(d) for d in docs]
        self.bm25 = BM25.build(docs)
        n = len(docs)
        self.idf = {t: math.log((n + 1) / self.bm25.document_frequency(t)) for t in self.bm25.vocab}

    def _query(self, words: list[str]) -> list[str]:
        return [t for t in dict.fromkeys(stem(w) for w in words) if t in self.idf]

    def coverage(self, name: str, words: list[str]) -> float:
        """Share of the (idf-weighted) stems of `words` that the gloss of entry `name` holds; 0 for a
        name without a gloss."""
        doc, query = self._doc_of.get(key(name)), self._query(words)
        if doc is None or not query:
            return 0.0
        return sum(self.idf[t] for t in query if t in self.terms[doc]) / sum(self.idf[t] for t in query)

    def match(self, words: list[str], k: int = 10) -> list[GlossHit]:
        """The glosses that paraphrase `words` (English words of a query), best first by score times
        coverage (a gloss that matches most of the description beats a long one that repeats a few of
        its words); none when the words are too few to describe anything."""
        query = self._query(words)
        if len(query) < MIN_WORDS:
            return []
        total = sum(self.idf[t] for t in query)
        hits = []
        for doc, score in self.bm25.top(query, k):
            shared = [t for t in query if t in self.terms[doc]]
            evidence = sum(self.idf[t] for t in shared)
            if len(shared) >= MIN_MATCHED and evidence >= MIN_EVIDENCE and evidence >= MIN_COVERAGE * total:
                coverage = evidence / total
                hits.append(GlossHit(self.names[doc], score, round(coverage, 4)))
        return sorted(hits, key=lambda h: (-h.score * h.coverage, h.name))


@functools.lru_cache(maxsize=1)
def gloss_index() -> GlossIndex:
    return GlossIndex(glosses())


def glossed_concepts(index: KnowledgeIndex, words: list[str], named_words: list[str],
                     named: list[str]) -> list[tuple[str, GlossHit, bool]]:
    """Concepts of `index` whose gloss the query's English `words` outside its names paraphrase,
    best first, each with whether it is what the query describes: only the best, only when the
    query is mostly description (`DESCRIPTION_RATIO`) and describes none of the concepts it names
    (`NAMED_COVERAGE`). A gloss never brings a concept the notes do not have."""
    taken = set(named_words)
    free = [w for w in words if w.isascii() and w not in taken]
    if len(set(free)) < MIN_WORDS:  # Chinese and short queries never build the gloss index
        return []
    glossed = gloss_index()
    hits = [(cid, hit) for hit in glossed.match(free) if (cid := index.keys.get(key(hit.name))) in index.concepts]
    described = bool(hits) and len(free) > DESCRIPTION_RATIO * len(named_words) and not any(
        glossed.coverage(index.concepts[c].name, free) >= NAMED_COVERAGE for c in named if c in index.concepts)
    return [(cid, hit, described and i == 0) for i, (cid, hit) in enumerate(hits)]
