"""Merge per-file extracts into one index: concepts, mentions, relations, BM25 postings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.bridges import merge_pairs
from ingest.link import heading_concepts, link, mentions_by_passage
from ingest.merge import decide_concepts
from kg.bm25 import BM25
from kg.fields import CONCEPT_TOKEN, HEADING_TOKEN, RELATION_TOKEN, SUBJECT_TOKEN
from kg.index import KnowledgeIndex
from kg.lexicon import Lexicon
from kg.models import FileExtract
from kg.resources import glossary, stopwords
from kg.tokenize import Tokenizer, words


@dataclass
class Assembled:
    index: KnowledgeIndex
    passage_bm25: BM25
    concept_bm25: BM25
    concept_order: list[str]
    dictionary: dict
    added_relations: list | None = None
    """For an incremental update: the relations the new note added (not merely reinforced)."""
    graph_delta: dict | None = None
    """For an incremental update: relations to upsert and relation keys to remove, so that
    saving writes only what changed (see `kg.store.save`)."""
    passage_delta: list | None = None
    """For an incremental update: the new note's passages, saved after the earlier ones."""


def assemble(extracts: Sequence[FileExtract], tokenizer: Tokenizer) -> Assembled:
    extracts = sorted(extracts, key=lambda ex: ex.source)
    concepts, keys = decide_concepts(extracts, glossary(), tokenizer)
    lexicon = Lexicon(keys)
    mentions, subjects = mentions_by_passage(extracts, lexicon)
    headings = heading_concepts(extracts, lexicon)
    used = {c for found in mentions.values() for c in found} | {c for found in headings.values() for c in found}
    concepts = {cid: c for cid, c in concepts.items() if cid in used}
    keys = {k: cid for k, cid in keys.items() if cid in concepts}
    lexicon = Lexicon(keys)
    relations = link(extracts, concepts, lexicon, tokenizer, mentions, headings)

    passages = [b for ex in extracts for b in ex.blocks]
    block_mentions = {bid: found for ex in extracts for bid, found in block_concepts(ex, mentions).items()}
    concept_passages: dict[str, list[str]] = {cid: [] for cid in concepts}
    for bid, found in block_mentions.items():
        for cid in found:
            concept_passages[cid].append(bid)
    stop = stopwords()
    extra = graph_tokens(extracts, relations, subjects)
    passage_docs = [doc for ex in extracts for doc in passage_documents(ex, mentions, headings, extra)]
    concept_tokens = {cid: concept_document(concepts[cid], tokenizer, stop) for cid in sorted(concepts)}
    index = KnowledgeIndex(
        concepts=concepts, relations=relations, passages=passages, passage_concepts=block_mentions,
        concept_passages=concept_passages, keys=keys, concept_tokens=concept_tokens,
        bridges=merge_pairs(pair for ex in extracts for pair in ex.bridges),
    )
    concept_order = sorted(concepts)
    dictionary = tokenizer.export_dictionary(chinese_words(extracts))
    return Assembled(index, BM25.build(passage_docs), BM25.build([concept_tokens[c] for c in concept_order]),
                     concept_order, dictionary)


def chinese_words(extracts: Sequence[FileExtract]) -> set[str]:
    """Every Chinese token the notes were segmented into: all a query can ever match."""
    distinct: set[str] = set()
    for ex in extracts:
        distinct.update(*ex.tokens, *ex.heading_tokens.values())
    return {t for t in distinct if "\u4e00" <= t[0] <= "\u9fff"}


def graph_tokens(extracts: Sequence[FileExtract], relations, subjects: dict[str, str]) -> dict[str, list[str]]:
    """Tokens, per unit, that let a query reach passages through the graph.

    `r:<type>:<concept>` on every unit that is the evidence of a typed relation
    touching the concept (so "how to solve X" reaches the lines that say what
    solves X), and `s:<concept>` on units whose subject is the concept (they
    start with it), which definitional questions prefer. A block carries its units' tokens.
    """
    where = {(p.source, p.line): p.id for ex in extracts for p in ex.passages}
    extra: dict[str, list[str]] = {}
    for r in relations:
        if r.type == "related":
            continue
        for e in r.evidence:
            pid = where.get((e.source, e.line))
            if pid:
                extra.setdefault(pid, []).extend((f"{RELATION_TOKEN}{r.type}:{r.source}", f"{RELATION_TOKEN}{r.type}:{r.target}"))
    for pid, subject in subjects.items():
        extra.setdefault(pid, []).append(SUBJECT_TOKEN + subject)
    return extra


def block_concepts(ex: FileExtract, mentions: dict[str, list[str]]) -> dict[str, list[str]]:
    """Concepts each block of a note mentions: its units' mentions, in order of first mention."""
    return {b.id: list(dict.fromkeys(c for i in members for c in mentions[ex.passages[i].id]))
            for b, members in zip(ex.blocks, ex.block_units)}


def passage_documents(ex: FileExtract, mentions: dict[str, list[str]], headings: dict[str, list[str]],
                      extra: dict[str, list[str]]):
    """What passage search matches, per block: its units' words and concept and graph tokens, and
    the words of every heading over its units as a field of their own (`h:`)."""
    stop = stopwords()
    for block, members in zip(ex.blocks, ex.block_units):
        units = [ex.passages[i] for i in members]
        doc: list[str] = []
        for i, p in zip(members, units):
            doc += words(ex.tokens[i], stop)
            doc += [CONCEPT_TOKEN + c for c in mentions[p.id]]
            doc += extra.get(p.id, [])
        titles = dict.fromkeys(h for p in units for h in (*block.heading, *p.heading))
        doc += [HEADING_TOKEN + w for w in dict.fromkeys(w for h in titles for w in words(ex.heading_tokens.get(h, ()), stop))]
        doc += [CONCEPT_TOKEN + c for c in dict.fromkeys(c for p in units for c in headings[p.id])]
        yield doc


def concept_document(concept, tokenizer: Tokenizer, stop) -> list[str]:
    """What concept search matches: names, aliases, definition, note lines, and the concept itself."""
    text = " ".join((concept.name, *concept.aliases, concept.definition or "", *concept.notes))
    return words(tokenizer.tokens(text), stop) + [CONCEPT_TOKEN + concept.id] * 2
