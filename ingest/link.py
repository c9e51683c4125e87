"""Link the collection: concept mentions in passages, typed relations, co-occurrence.

Typed relations come from pattern candidates (`ingest.relations`), resolved here
to concept ids now that every name is known. `related` edges (co-occurrence in a
passage, or a passage under a concept's heading) are added only between concepts
with no typed edge, so they never hide an explanation.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence

from kg.lexicon import Lexicon
from kg.models import Concept, Evidence, FileExtract, Relation, RelationCandidate
from kg.tokenize import BREAK, Tokenizer

MAX_EVIDENCE = 3
MAX_EVIDENCE_RELATED = 2


def evidence_limit(relation_type: str) -> int:
    """How many sentences an edge keeps: co-occurrence needs fewer than a typed claim."""
    return MAX_EVIDENCE_RELATED if relation_type == "related" else MAX_EVIDENCE
MAX_CONCEPTS_FOR_COOCCURRENCE = 10
_VARIANT_PREFIX_MAX = 6
_SUBJECT_LEAD = 2


def mentions_by_passage(extracts: Sequence[FileExtract], lexicon: Lexicon) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Concept ids mentioned in each passage (in order of first mention), and each passage's
    subject: the concept it starts with, after any list marker."""
    out: dict[str, list[str]] = {}
    subjects: dict[str, str] = {}
    for ex in extracts:
        for passage, tokens in zip(ex.passages, ex.tokens):
            found = lexicon.mentions(tokens)
            out[passage.id] = list(dict.fromkeys(m.concept for m in found))
            if found and all(t == BREAK or t.isdigit() for t in tokens[: found[0].start]):
                subjects[passage.id] = found[0].concept
    return out, subjects


def heading_concepts(extracts: Sequence[FileExtract], lexicon: Lexicon) -> dict[str, list[str]]:
    """Concepts named by each passage's nearest heading."""
    out: dict[str, list[str]] = {}
    for ex in extracts:
        cache = {h: [m.concept for m in lexicon.mentions(toks)] for h, toks in ex.heading_tokens.items()}
        for p in ex.passages:
            out[p.id] = cache.get(p.heading[-1], []) if p.heading else []
    return out


class _Edges:
    def __init__(self):
        self.weight: dict[tuple[str, str, str], float] = defaultdict(float)
        self.evidence: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)

    def add(self, source: str, target: str, type_: str, evidence: Evidence, weight: float = 1.0):
        if source == target:
            return
        k = (source, target, type_)
        if any(e.text == evidence.text for e in self.evidence[k]):
            return
        self.weight[k] += weight
        if len(self.evidence[k]) < evidence_limit(type_):
            self.evidence[k].append(evidence)

    def typed_pairs(self) -> set[frozenset[str]]:
        return {frozenset((s, t)) for (s, t, ty) in self.weight if ty != "related"}

    def relations(self) -> list[Relation]:
        return [Relation(source=s, target=t, type=ty, weight=round(w, 3), evidence=tuple(self.evidence[(s, t, ty)]))
                for (s, t, ty), w in sorted(self.weight.items())]


def link(extracts: Sequence[FileExtract], concepts: dict[str, Concept], lexicon: Lexicon, tokenizer: Tokenizer,
         mentions: dict[str, list[str]], headings: dict[str, list[str]]) -> list[Relation]:
    edges = _Edges()
    resolver = _Resolver(lexicon, tokenizer)
    for ex in extracts:
        for cand in ex.relations:
            _add_candidate(edges, cand, resolver)
    _add_name_variants(edges, extracts, concepts, mentions, headings)
    typed = edges.typed_pairs()
    _add_cooccurrence(edges, extracts, mentions, headings, typed)
    return edges.relations()


class _Resolver:
    def __init__(self, lexicon: Lexicon, tokenizer: Tokenizer):
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.cache: dict[tuple[str, str], str | None] = {}

    def __call__(self, span: str, pick: str, tokens: tuple[str, ...] = ()) -> str | None:
        k = (span, pick)
        if k not in self.cache:
            self.cache[k] = self._resolve(span, pick, tokens)
        return self.cache[k]

    def _resolve(self, span: str, pick: str, tokens: tuple[str, ...]) -> str | None:
        if pick == "item":
            whole = self.lexicon.lookup(span)
            if whole:
                return whole
        tokens = tokens or self.tokenizer.tokens(span)
        found = self.lexicon.mentions(tokens)
        if not found:
            return None
        if pick == "subject":
            lead = [t for t in tokens[: found[0].start] if t != BREAK and not t.isdigit()]
            return found[0].concept if len(lead) <= _SUBJECT_LEAD else None
        return found[-1].concept if pick == "last" else found[0].concept


def _add_candidate(edges: _Edges, cand: RelationCandidate, resolve: _Resolver):
    head = resolve(cand.head, cand.head_pick, cand.head_tokens)
    tail = resolve(cand.tail, cand.tail_pick, cand.tail_tokens)
    if head and tail:
        edges.add(head, tail, cand.type, cand.evidence)


def _add_name_variants(edges, extracts, concepts, mentions, headings):
    """`Fast R-CNN` in the same section as `R-CNN`: a variant improves its original (a metric is only related)."""
    by_key = {c.id: c for c in concepts.values() if c.id.isascii() and len(c.id) >= 2}
    variants: dict[str, str] = {}
    for cid in by_key:
        for cut in range(1, min(_VARIANT_PREFIX_MAX, len(cid) - 2) + 1):
            base = cid[cut:]
            if base in by_key and base != cid:
                variants[cid] = base
                break
    if not variants:
        return
    for ex in extracts:
        sections: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for p in ex.passages:
            sections[p.heading].update(mentions.get(p.id, ()), headings.get(p.id, ()))
        for p in ex.passages:
            for variant in set(mentions.get(p.id, ())) & variants.keys():
                base = variants[variant]
                if base in sections[p.heading]:
                    type_ = "related" if concepts[base].category == "metric" else "improves"
                    edges.add(variant, base, type_, Evidence(source=p.source, line=p.line, text=p.text[:300],
                                                             rule="name_variant"))


def _add_cooccurrence(edges, extracts, mentions, headings, typed):
    for ex in extracts:
        for p in ex.passages:
            found = mentions.get(p.id, [])
            if len(found) > MAX_CONCEPTS_FOR_COOCCURRENCE:
                found = found[:MAX_CONCEPTS_FOR_COOCCURRENCE]
            same_passage = under_heading = None
            for a, b in itertools.combinations(sorted(found), 2):
                if frozenset((a, b)) not in typed:
                    same_passage = same_passage or Evidence(source=p.source, line=p.line, text=p.text[:300],
                                                            rule="same_passage")
                    edges.add(a, b, "related", same_passage)
            for h in headings.get(p.id, []):
                for c in found[:5]:
                    if c != h and frozenset((h, c)) not in typed:
                        under_heading = under_heading or Evidence(source=p.source, line=p.line, text=p.text[:300],
                                                                  rule="under_heading")
                        edges.add(h, c, "related", under_heading, weight=0.5)
