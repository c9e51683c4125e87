"""One note on its own: decode, clean, split, tokenize, mine. Cached by content hash.

Everything here depends only on the note's bytes and the shipped data files, so
the result can be reused until either changes.
"""

from __future__ import annotations

import hashlib

from ingest.blocks import group_blocks
from ingest.bridges import mine_pairs
from ingest.clean import clean_text
from ingest.concepts import mine_aliases, mine_terms
from ingest.passages import split_passages
from ingest.relations import find_relations
from kg.models import FileExtract, Passage
from kg.tokenize import Tokenizer


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def note_units(source: str, text: str) -> list[Passage]:
    """A decoded note's units: cleaned, then split (markdown by its parser, plain text by lines).

    The one reading of a note's text: the build mines these, and the question bank
    (`kg.study.questions`) reads its questions off them.
    """
    return split_passages(clean_text(text), source)


def extract_text(source: str, text: str, tokenizer: Tokenizer, sha: str = "") -> FileExtract:
    """All facts one note yields by itself.

    Examples
    --------
    >>> from kg.tokenize import Tokenizer
    >>> ex = extract_text("a.txt", "过拟合的处理:数据增广、早停、dropout", Tokenizer(["过拟合"]))
    >>> len(ex.passages), [r.type for r in ex.relations][:1]
    (1, ['solves'])
    """
    passages = note_units(source, text)
    blocks, members = group_blocks(passages)
    headings = {h for p in passages for h in p.heading}
    terms = mine_terms(passages)
    relations = [c.model_copy(update={"head_tokens": tuple(tokenizer.tokens(c.head)),
                                      "tail_tokens": tuple(tokenizer.tokens(c.tail))})
                 for c in find_relations(passages)]
    return FileExtract(
        source=source,
        sha=sha or content_hash(text.encode("utf-8")),
        passages=tuple(passages),
        tokens=tuple(tuple(tokenizer.tokens(p.text)) for p in passages),
        heading_tokens={h: tuple(tokenizer.tokens(h)) for h in sorted(headings)},
        terms=tuple(terms),
        aliases=tuple(mine_aliases(passages)),
        relations=tuple(relations),
        blocks=tuple(blocks),
        block_units=tuple(members),
        bridges=tuple(mine_pairs(passages, tokenizer)),
    )
