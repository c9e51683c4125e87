"""Merge per-file extracts into one index: concepts, mentions, relations, BM25 postings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.link import heading_concepts, link, mentions_by_passage
from ingest.merge import decide_concepts
from kg.bm25 import BM25
from kg.index import KnowledgeIndex
from kg.lexicon import Lexicon
from kg.models import FileExtract
from kg.resources import glossary, stopwords
from kg.tokenize import Tokenizer, words

CONCEPT_TOKEN = "c:"


@dataclass
class Assembled:
    index: KnowledgeIndex
    passage_bm25: BM25
    concept_bm25: BM25
    concept_order: list[str]


def assemble(extracts: Sequence[FileExtract], tokenizer: Tokenizer) -> Assembled:
    extracts = sorted(extracts, key=lambda ex: ex.source)
    concepts, keys = decide_concepts(extracts, glossary(), tokenizer)
    lexicon = Lexicon(keys)
    mentions = mentions_by_passage(extracts, lexicon)
    headings = heading_concepts(extracts, lexicon)
    used = {c for found in mentions.values() for c in found} | {c for found in headings.values() for c in found}
    concepts = {cid: c for cid, c in concepts.items() if cid in used}
    keys = {k: cid for k, cid in keys.items() if cid in concepts}
    lexicon = Lexicon(keys)
    relations = link(extracts, concepts, lexicon, tokenizer, mentions, headings)

    passages = [p for ex in extracts for p in ex.passages]
    concept_passages: dict[str, list[str]] = {cid: [] for cid in concepts}
    for pid, found in mentions.items():
        for cid in found:
            concept_passages[cid].append(pid)
    stop = stopwords()
    passage_docs = [doc for ex in extracts for doc in passage_documents(ex, mentions, headings)]
    concept_tokens = {cid: concept_document(concepts[cid], tokenizer, stop) for cid in sorted(concepts)}
    index = KnowledgeIndex(
        concepts=concepts, relations=relations, passages=passages, passage_concepts=mentions,
        concept_passages=concept_passages, keys=keys, concept_tokens=concept_tokens,
    )
    concept_order = sorted(concepts)
    return Assembled(index, BM25.build(passage_docs), BM25.build([concept_tokens[c] for c in concept_order]),
                     concept_order)


def passage_documents(ex: FileExtract, mentions: dict[str, list[str]], headings: dict[str, list[str]]):
    """What passage search matches: the words, the nearest heading's words, and concept tokens."""
    stop = stopwords()
    for p, toks in zip(ex.passages, ex.tokens):
        doc = words(toks, stop)
        if p.heading:
            doc += words(ex.heading_tokens.get(p.heading[-1], ()), stop)
        doc += [CONCEPT_TOKEN + c for c in mentions[p.id]] + [CONCEPT_TOKEN + c for c in headings[p.id]]
        yield doc


def concept_document(concept, tokenizer: Tokenizer, stop) -> list[str]:
    """What concept search matches: names, aliases, definition, and the concept itself."""
    text = " ".join((concept.name, *concept.aliases, concept.definition or ""))
    return words(tokenizer.tokens(text), stop) + [CONCEPT_TOKEN + concept.id] * 2
