"""Frozen pydantic models shared by the pipeline, the index and the faces.

Ids are derived from content (never from order) so that rebuilds, incremental
updates and deep links all agree on them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RelationType = Literal["solves", "causes", "is_a", "part_of", "uses", "improves", "contrasts", "related"]
RELATION_TYPES: tuple[str, ...] = ("solves", "causes", "is_a", "part_of", "uses", "improves", "contrasts", "related")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Passage(Frozen):
    """What a person would quote: a paragraph, list item, definition line or answer."""

    id: str
    source: str
    line: int
    heading: tuple[str, ...] = ()
    text: str
    kind: Literal["paragraph", "item", "definition", "heading", "table", "code", "question"] = "paragraph"
    heading_lines: tuple[int, ...] = ()
    """The line of each heading of `heading` (what cites a question heading, `kg.study.questions`)."""


class Evidence(Frozen):
    source: str
    line: int
    text: str
    rule: str


class Concept(Frozen):
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    definition: str | None = None
    category: str | None = None
    origin: Literal["glossary", "notes"] = "notes"
    notes: tuple[str, ...] = ()
    """What the user's own `术语：说明` lines say about the concept when they do not say what it is
    (an outline, a list, a cause, a remark; `ingest.note_lines`): shown and studied as "your notes say"."""


class Relation(Frozen):
    source: str
    target: str
    type: RelationType
    weight: float = 1.0
    evidence: tuple[Evidence, ...] = ()


class TermCandidate(Frozen):
    """A term a note defines, lists, or titles, before it is resolved to a concept."""

    surface: str
    source: str
    line: int
    definition: str | None = None
    note: str | None = None
    """The line's body when it is a note about the term rather than its definition."""
    rule: str


class AliasCandidate(Frozen):
    """Two surface forms a note says name the same thing (parentheses, 又叫, synonym heads)."""

    names: tuple[str, ...]
    source: str
    line: int
    rule: str


Pick = Literal["first", "last", "end", "item", "subject", "member", "own_subject", "start", "whole", "object",
               "problem", "thing", "kind", "heading", "step", "agent", "problem_object", "named_problem"]
"""Which concept of a span a relation end means; see `RelationCandidate` and `ingest.link`."""

EVIDENCE_CHARS = 300
"""How much of a sentence or passage an edge keeps as evidence (one cut for every stage)."""


class RelationCandidate(Frozen):
    """A typed relation between two text spans, found by a pattern, not yet resolved.

    `pick` says which concept of a span is meant: the first or last mentioned, the
    one the span ends with (a category's head noun: `边界框回归损失`), the one it starts
    with (`start`: a name right after a trigger), the subject (a concept the span starts
    with), the object (the head noun, not a modifier: `模型的过拟合`), a heading's concept
    (the subject of an item that names none), or for a list item the item's own name
    (its text up to a colon or parenthesis; `member`: that name and nothing else).
    """

    head: str
    head_pick: Pick = "first"
    tail: str
    tail_pick: Pick = "first"
    type: RelationType
    evidence: Evidence
    head_tokens: tuple[str, ...] = ()
    tail_tokens: tuple[str, ...] = ()
    """Tokens of `head` and `tail`, made with the note's own (parallel) extraction."""


class SkippedFile(Frozen):
    path: str
    reason: str


class FileExtract(Frozen):
    """Everything one note yields on its own; cached by content hash."""

    source: str
    sha: str
    passages: tuple[Passage, ...] = ()
    tokens: tuple[tuple[str, ...], ...] = Field(default=(), description="per passage, with '|' breaks")
    heading_tokens: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    terms: tuple[TermCandidate, ...] = ()
    aliases: tuple[AliasCandidate, ...] = ()
    relations: tuple[RelationCandidate, ...] = ()
    blocks: tuple[Passage, ...] = ()
    """Retrieval passages (`ingest.blocks`): what search returns; `passages` stay the units of evidence."""
    block_units: tuple[tuple[int, ...], ...] = ()
    """Per block, the indices of its units in `passages` (their tokens make the block's)."""
    bridges: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Bilingual pairs the note states (`非结构化剪枝（unstructured pruning）`): folded English
    phrase → Chinese tokens."""
