"""Fold one new note into a saved index without re-reading the others.

The new note's own facts are merged exactly as a build would merge them: the
concepts it names (name, aliases, definition, category, note lines) and its edges with their
evidence are what a full build gives them (`tests/test_store_append_equals_rebuild.py`
checks this on real notes). Approximate until the next full build, and only these:

1. names first introduced by the new note (concepts or aliases) are not searched
   for in older notes, whose passages are not re-scanned (that would cost a full
   pass): edges those older passages would add, and their share of an edge's weight,
   are missing;
2. a name that becomes a concept only by counts over the whole collection (an
   acronym seen in enough passages) is decided from the new note's counts alone.

A full `kg build` is always the reference and gives the same result as deleting the
data folder and rebuilding.
"""

from __future__ import annotations

import bisect

from ingest.assemble import (Assembled, block_concepts, chinese_words, concept_document, graph_tokens,
                              passage_documents)
from ingest.bridges import merge_pairs
from ingest.link import evidence_limit, heading_concepts, link, mentions_by_passage
from ingest.merge import decide_concepts, dedupe_by_key
from kg.index import KnowledgeIndex
from kg.models import Concept, FileExtract, Relation
from kg.normalize import key
from kg.resources import glossary, stopwords
from kg.store import AppendDelta, LoadedIndex
from kg.tokenize import Tokenizer


def append_delta(loaded: LoadedIndex, folded: Assembled) -> AppendDelta:
    """What `apply_extract` changed in `loaded`, for `kg.store.save` to write only that."""
    return AppendDelta(previous=loaded, passages=list(folded.passage_delta),
                       upsert=list(folded.graph_delta["upsert"]), remove=list(folded.graph_delta["remove"]))


def apply_extract(loaded: LoadedIndex, extract: FileExtract, tokenizer: Tokenizer) -> Assembled:
    old = loaded.index
    known_sources = {p.source for p in old.passages}
    if extract.source in known_sources:
        raise ValueError(f"{extract.source} is already indexed: a changed note needs a build")
    local_concepts, local_keys = decide_concepts([extract], glossary(), tokenizer)
    keys = dict(old.keys)
    concepts = dict(old.concepts)
    for k, cid in local_keys.items():
        target = keys.get(k) or (cid if cid in concepts else None)
        if target is None:
            target = cid
        keys.setdefault(k, target)
    lexicon = old.lexicon.with_keys(keys)
    mentions, subjects = mentions_by_passage([extract], lexicon)
    headings = heading_concepts([extract], lexicon)
    used = {c for found in (*mentions.values(), *headings.values()) for c in found}
    new_ids = sorted(used - concepts.keys())
    for cid in new_ids:
        concepts[cid] = local_concepts[cid]
    for cid in used - set(new_ids):
        concepts[cid] = _with_spellings(concepts[cid], local_concepts.get(cid), keys)
    keys = {k: cid for k, cid in keys.items() if cid in concepts}
    lexicon = old.lexicon.with_keys(keys)
    local_relations = link([extract], concepts, lexicon, tokenizer, mentions, headings)
    relations, added_relations, graph_delta = _merge_relations(old.relations, local_relations)

    concept_passages = {cid: list(pids) for cid, pids in old.concept_passages.items()}
    for cid in new_ids:
        concept_passages.setdefault(cid, [])
    block_mentions = block_concepts(extract, mentions)
    for bid, found in block_mentions.items():
        for cid in found:
            concept_passages.setdefault(cid, []).append(bid)
    concept_tokens = dict(old.concept_tokens)
    stop = stopwords()
    for cid in new_ids:
        concept_tokens[cid] = concept_document(concepts[cid], tokenizer, stop)
    index = KnowledgeIndex.model_construct(  # every part is an already validated model
        concepts=concepts, relations=relations, passages=[*old.passages, *extract.blocks],
        passage_concepts={**old.passage_concepts, **block_mentions}, concept_passages=concept_passages, keys=keys,
        concept_tokens=concept_tokens, bridges={**merge_pairs(extract.bridges), **old.bridges},
    ).with_lexicon(lexicon)
    extra = graph_tokens([extract], local_relations, subjects)
    passage_bm25 = loaded.passage_bm25.extend(list(passage_documents(extract, mentions, headings, extra)))
    if new_ids:
        from kg.bm25 import BM25

        order = sorted(concepts)
        concept_bm25 = BM25.build([concept_tokens[c] for c in order])
    else:
        order, concept_bm25 = loaded.concept_order, loaded.concept_bm25
    new_words = tokenizer.export_dictionary(chinese_words([extract]) - loaded.dictionary["words"].keys())
    dictionary = {"total": loaded.dictionary["total"], "words": {**loaded.dictionary["words"], **new_words["words"]}}
    return Assembled(index, passage_bm25, concept_bm25, order, dictionary, added_relations, graph_delta,
                     passage_delta=list(extract.blocks))


def _with_spellings(concept: Concept, local: Concept | None, keys: dict[str, str]) -> Concept:
    """`concept` with the spellings the note writes its known names in, chosen as a build chooses
    them (one spelling per name key, the first in (key, text) order): a build sees every note's
    surfaces at once, an append must not keep only the older notes' ones. The note lines the new
    note writes about the concept are added after its older ones, as a build adds them."""
    if local is None:
        return concept
    notes = tuple(dict.fromkeys((*concept.notes, *local.notes)))
    if notes != concept.notes:
        concept = concept.model_copy(update={"notes": notes})
    spellings = {s for s in local.aliases if keys.get(key(s)) == concept.id and key(s) != concept.id
                 and s != concept.name}
    if not spellings:
        return concept
    aliases = tuple(dedupe_by_key(sorted({*concept.aliases, *spellings}, key=lambda s: (key(s), s))))
    return concept if aliases == concept.aliases else concept.model_copy(update={"aliases": aliases})


def _merge_relations(old: list[Relation], new: list[Relation]) -> tuple[list[Relation], list[Relation], dict]:
    """Old and new edges as a build would merge them, the edges that are new, and the delta
    between the two (upserts, removed keys).

    `old` is sorted by key and, as a build leaves it, holds no `related` edge between a pair
    that has a typed edge; so only the pairs the note touches need looking at, and the old
    edges are found by bisection instead of being re-keyed and re-sorted on every append.
    """
    new_typed = {frozenset((r.source, r.target)) for r in new if r.type != "related"}
    replaced: dict[int, Relation] = {}
    added: list[Relation] = []
    for r in new:
        if r.type == "related" and (frozenset((r.source, r.target)) in new_typed
                                    or _typed_between(old, r.source, r.target)):
            continue
        i = _position(old, _key(r))
        if i is None:
            added.append(r)
        else:
            replaced[i] = _reinforced(old[i], r)
    removed = {i for pair in new_typed for a, b in (tuple(pair), tuple(pair)[::-1])
               if (i := _position(old, (a, b, "related"))) is not None}
    merged = list(old)
    for i, r in replaced.items():
        merged[i] = r
    for i in sorted(removed, reverse=True):
        del merged[i]
    for r in sorted(added, key=_key):
        bisect.insort(merged, r, key=_key)
    delta = {"upsert": sorted([*replaced.values(), *added], key=_key), "remove": sorted(_key(old[i]) for i in removed)}
    return merged, added, delta


def _key(r: Relation) -> tuple[str, str, str]:
    return r.source, r.target, r.type


def _typed_between(relations: list[Relation], a: str, b: str) -> bool:
    """Whether sorted `relations` hold a typed edge between a and b, either way."""
    for source, target in ((a, b), (b, a)):
        i = bisect.bisect_left(relations, (source, target, ""), key=_key)
        while i < len(relations) and (relations[i].source, relations[i].target) == (source, target):
            if relations[i].type != "related":
                return True
            i += 1
    return False


def _position(relations: list[Relation], k: tuple[str, str, str]) -> int | None:
    i = bisect.bisect_left(relations, k, key=_key)
    return i if i < len(relations) and _key(relations[i]) == k else None


def _reinforced(kept: Relation, r: Relation) -> Relation:
    """An edge seen again: more weight, and the new sentences while there is room for evidence."""
    evidence = list(kept.evidence)
    evidence += [e for e in r.evidence if e not in evidence][: max(0, evidence_limit(r.type) - len(evidence))]
    return kept.model_copy(update={"weight": round(kept.weight + r.weight, 3), "evidence": tuple(evidence)})
