"""Fold one new note into a saved index without re-reading the others.

The new note's own facts are merged exactly as a build would merge them; what is
approximate until the next full build is only that names first defined by the
new note are not searched for in older notes (their passages are not re-scanned:
that would cost a full pass). A full `kg build` is always the reference and gives
the same result as deleting the data folder and rebuilding.
"""

from __future__ import annotations

from ingest.assemble import Assembled, chinese_words, concept_document, graph_tokens, passage_documents
from ingest.link import evidence_limit, heading_concepts, link, mentions_by_passage
from ingest.merge import decide_concepts
from kg.index import KnowledgeIndex
from kg.lexicon import Lexicon
from kg.models import FileExtract, Relation
from kg.resources import glossary, stopwords
from kg.store import LoadedIndex
from kg.tokenize import Tokenizer



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
    lexicon = Lexicon(keys)
    mentions, subjects = mentions_by_passage([extract], lexicon)
    headings = heading_concepts([extract], lexicon)
    used = {c for found in (*mentions.values(), *headings.values()) for c in found}
    new_ids = sorted(used - concepts.keys())
    for cid in new_ids:
        concepts[cid] = local_concepts[cid]
    keys = {k: cid for k, cid in keys.items() if cid in concepts}
    lexicon = Lexicon(keys)
    local_relations = link([extract], concepts, lexicon, tokenizer, mentions, headings)
    relations, added_relations, graph_delta = _merge_relations(old.relations, local_relations)

    concept_passages = {cid: list(pids) for cid, pids in old.concept_passages.items()}
    for cid in new_ids:
        concept_passages.setdefault(cid, [])
    for pid, found in mentions.items():
        for cid in found:
            concept_passages.setdefault(cid, []).append(pid)
    concept_tokens = dict(old.concept_tokens)
    stop = stopwords()
    for cid in new_ids:
        concept_tokens[cid] = concept_document(concepts[cid], tokenizer, stop)
    index = KnowledgeIndex(
        concepts=concepts, relations=relations, passages=[*old.passages, *extract.passages],
        passage_concepts={**old.passage_concepts, **mentions}, concept_passages=concept_passages, keys=keys,
        concept_tokens=concept_tokens,
    )
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
    return Assembled(index, passage_bm25, concept_bm25, order, dictionary, added_relations, graph_delta)


def _merge_relations(old: list[Relation], new: list[Relation]) -> tuple[list[Relation], list[Relation], dict]:
    """Old and new edges as a build would merge them, the edges that are new, and the delta
    between the two (upserts, removed keys); old edges untouched by the note are reused as they
    are, and a new typed edge replaces a `related` edge between the same pair."""
    by_key = {(r.source, r.target, r.type): r for r in old}
    added, touched = [], set()
    for r in new:
        k = (r.source, r.target, r.type)
        touched.add(k)
        if k in by_key:
            kept = by_key[k]
            evidence = list(kept.evidence)
            evidence += [e for e in r.evidence if e not in evidence][: max(0, evidence_limit(r.type) - len(evidence))]
            by_key[k] = kept.model_copy(update={"weight": round(kept.weight + r.weight, 3), "evidence": tuple(evidence)})
        else:
            by_key[k] = r
            added.append(r)
    typed = {frozenset(k[:2]) for k in by_key if k[2] != "related"}
    superseded = [k for k in by_key if k[2] == "related" and frozenset(k[:2]) in typed]
    merged = [by_key[k] for k in sorted(by_key) if k[2] != "related" or frozenset(k[:2]) not in typed]
    keep = set(by_key) - set(superseded)
    delta = {"upsert": [by_key[k] for k in sorted(touched & keep)], "remove": sorted(superseded)}
    return merged, [r for r in added if (r.source, r.target, r.type) in keep], delta
