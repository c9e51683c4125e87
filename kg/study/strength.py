"""Graph-aware study: how well each concept is known, and which cards a session takes.

A concept's strength is the mean FSRS retrievability of the reviewed cards that
name it. Forgetting 梯度消失 often means what it builds on is shaky too, so a
session for a weak concept also takes the weak concepts it is `part_of`, `is_a` or
`uses` away from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from kg.index import KnowledgeIndex
from kg.study.models import Card

WEAK = 0.8
"""Below this strength a concept counts as weak (FSRS aims at 0.9 retrievability when a card is due)."""
PREREQUISITES = ("part_of", "is_a", "uses")


def concept_strength(cards: Iterable[Card], retrievability: Mapping[str, float]) -> dict[str, float]:
    """Per concept, the mean retrievability of its reviewed cards; concepts never reviewed are absent.

    Examples
    --------
    >>> from kg.study.models import Card
    >>> cards = [Card(id="a", kind="definition", front="", back="", concepts=("x",), evidence=()),
    ...          Card(id="b", kind="relation", front="", back="", concepts=("x", "y"), evidence=())]
    >>> concept_strength(cards, {"a": 0.5, "b": 0.9})
    {'x': 0.7, 'y': 0.9}
    """
    values: dict[str, list[float]] = defaultdict(list)
    for card in cards:
        if card.id in retrievability:
            for cid in card.concepts:
                values[cid].append(retrievability[card.id])
    return {cid: round(sum(v) / len(v), 4) for cid, v in values.items()}


def weak_concepts(strength: Mapping[str, float], threshold: float = WEAK) -> set[str]:
    """Concepts to show as weak in the explorer: reviewed and likely forgotten (never-reviewed
    concepts are not marked, or every graph would be red).

    Examples
    --------
    >>> sorted(weak_concepts({"a": 0.5, "b": 0.95}))
    ['a']
    """
    return {cid for cid, s in strength.items() if s < threshold}


def is_weak(concept_id: str, strength: Mapping[str, float], threshold: float = WEAK) -> bool:
    """Weak: reviewed and likely forgotten, or never reviewed at all."""
    return strength.get(concept_id, 0.0) < threshold


def weak_prerequisites(index: KnowledgeIndex, concept_id: str, strength: Mapping[str, float],
                       threshold: float = WEAK) -> list[str]:
    """Neighbours of `concept_id` over `part_of`, `is_a` and `uses` (either way) that are weak too.

    Examples
    --------
    >>> from kg.models import Concept, Relation
    >>> idx = KnowledgeIndex(concepts={c: Concept(id=c, name=c) for c in "abcd"},
    ...     relations=[Relation(source="a", target="b", type="uses"), Relation(source="c", target="a", type="part_of"),
    ...                Relation(source="a", target="d", type="solves")])
    >>> weak_prerequisites(idx, "a", {"b": 0.95, "c": 0.3})
    ['c']
    """
    found = []
    for r in index.relations:
        if r.type not in PREREQUISITES or concept_id not in (r.source, r.target):
            continue
        other = r.target if r.source == concept_id else r.source
        if other != concept_id and other not in found and is_weak(other, strength, threshold):
            found.append(other)
    return found


def session(cards: list[Card], due_ids: Iterable[str], concepts: Iterable[str] | None = None,
            limit: int = 20) -> list[Card]:
    """The cards a session shows: due cards first (in due order), limited to `concepts` when given;
    when `concepts` is given, cards of those concepts that are not due yet follow."""
    wanted = set(concepts) if concepts is not None else None
    by_id = {c.id: c for c in cards}

    def fits(card: Card) -> bool:
        return wanted is None or not wanted.isdisjoint(card.concepts)

    chosen = [by_id[i] for i in due_ids if i in by_id and fits(by_id[i])]
    if wanted is not None:
        taken = {c.id for c in chosen}
        chosen += [c for c in cards if c.id not in taken and fits(c)]
    return chosen[:limit]


def concept_session(index: KnowledgeIndex, cards: list[Card], due_ids: Iterable[str], concept_id: str,
                    strength: Mapping[str, float], limit: int = 20) -> tuple[list[Card], list[str]]:
    """A session for one concept, with its weak prerequisites; returns the cards and the concepts taken."""
    taken = [concept_id, *weak_prerequisites(index, concept_id, strength)]
    return session(cards, due_ids, taken, limit), taken
