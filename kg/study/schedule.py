"""FSRS scheduling through the `fsrs` package: a card's memory state in, the next state out.

States are kept as the package's own JSON-able dicts, so the review database stores
exactly what FSRS needs and a newer `fsrs` can read it back.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from kg.errors import StudyError

RATINGS: dict[str, Rating] = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


@functools.lru_cache(maxsize=1)
def scheduler() -> Scheduler:
    """FSRS with its default (trained) parameters and 90 % desired retention."""
    return Scheduler()


def now() -> datetime:
    return datetime.now(timezone.utc)


def rating_of(name: str) -> Rating:
    """The FSRS rating a user names (again, hard, good, easy; or 1-4).

    Examples
    --------
    >>> rating_of("good"), rating_of("1")
    (<Rating.Good: 3>, <Rating.Again: 1>)
    """
    name = name.strip().lower()
    if name in RATINGS:
        return RATINGS[name]
    if name in {"1", "2", "3", "4"}:
        return Rating(int(name))
    raise StudyError(f"unknown rating {name!r}: use again, hard, good or easy")


def new_state(at: datetime) -> dict:
    """A card never reviewed: due at once."""
    return FsrsCard(due=at).to_dict()


def next_state(state: dict, rating: Rating, at: datetime) -> dict:
    """The memory state after a review at `at`."""
    card, _ = scheduler().review_card(FsrsCard.from_dict(state), rating, at)
    return card.to_dict()


def retrievability(state: dict, at: datetime) -> float | None:
    """How likely the card is recalled at `at` (FSRS's forgetting curve); None if never reviewed."""
    if state.get("last_review") is None:
        return None
    return scheduler().get_card_retrievability(FsrsCard.from_dict(state), at)
