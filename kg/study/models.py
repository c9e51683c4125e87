"""The study models: questions found in notes, and the cards a user reviews."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

CardKind = Literal["definition", "note", "relation", "question"]
QuestionRule = Literal["heading", "mark", "interview", "contrast"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cite(_Frozen):
    """Where a card's answer is written: the note, its line, and the text quoted."""

    source: str
    line: int
    text: str


class Question(_Frozen):
    """A question as the notes ask it; `rule` says how it was recognised."""

    text: str
    source: str
    line: int
    rule: QuestionRule
    heading: str | None = None
    """For a question that is a heading (a question heading, or a plain note's title line in an
    interview list): its text as the index's passages carry it in `heading`."""


class BankEntry(_Frozen):
    """A question with the concepts it names and the passages that answer it (none: a gap)."""

    question: Question
    concepts: tuple[str, ...] = ()
    answers: tuple[Cite, ...] = ()

    @property
    def is_gap(self) -> bool:
        return not self.answers


class Card(_Frozen):
    """One thing to remember. Ids come from the graph, never from the wording of a note."""

    id: str
    kind: CardKind
    front: str
    back: str
    concepts: tuple[str, ...]
    evidence: tuple[Cite, ...]
    relation: str | None = None
    """For a relation card: the relation type it asks about."""
