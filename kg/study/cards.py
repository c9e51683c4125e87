"""Cards read off the graph: definitions, note lines, typed relations, and answered questions.

A card's id never comes from the wording of a note. A definition card is its
concept's id; a note card (what the user's own lines say about a concept they do not
define) is a hash of its kind and the concept's id; a relation card is a hash of its kind, relation type and the
canonical concept ids it asks about; so rewording a note, or adding a remedy to a
list, keeps the card and its review history. Every card cites where its answer is
written (`source`, `line`, `text`); a fact the notes do not state makes no card.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from kg.index import KnowledgeIndex
from kg.models import Concept, Relation
from kg.normalize import fold
from kg.study.models import BankEntry, Card, Cite

MAX_EVIDENCE = 8
BACK_CHARS = 600

RELATION_FRONTS: dict[str, tuple[str, str]] = {
    "solves": ("target", "{x} 有哪些解决方法？ / How to deal with {x}?"),
    "causes": ("target", "{x} 的原因有哪些？ / What causes {x}?"),
    "part_of": ("target", "{x} 的步骤/组成有哪些？ / What are the steps or parts of {x}?"),
    "is_a": ("target", "{x} 有哪些种类？ / Name kinds of {x}."),
    "uses": ("source", "{x} 用到了什么？ / What does {x} use?"),
    "improves": ("target", "{x} 有哪些改进？ / What improves on {x}?"),
}
"""Per relation type: which end the card asks about (all relations sharing it make one card),
and its question. `contrasts` makes one card per pair instead."""
CONTRAST_FRONT = "{a} 与 {b} 的区别？ / How do {a} and {b} differ?"
REMEDY_FOR = "remedy_for"
"""The relation label (and id part) of the reverse of `solves`: which problems a remedy solves."""
REMEDY_FRONT = "{x} 解决什么问题？ / What problem does {x} solve?"
NOTE_FRONT = "{x} — 你的笔记怎么说？ / {x} — what do your notes say?"


def card_id(kind: str, relation: str, concept_ids: Iterable[str]) -> str:
    """A stable id from what a card is about, never from its text.

    Examples
    --------
    >>> card_id("relation", "solves", ["过拟合"]) == card_id("relation", "solves", ["过拟合"])
    True
    >>> card_id("relation", "contrasts", ["b", "a"]) == card_id("relation", "contrasts", ["a", "b"])
    True
    """
    ids = sorted(concept_ids) if relation == "contrasts" else list(concept_ids)
    digest = hashlib.sha256("\x1f".join([kind, relation, *ids]).encode()).hexdigest()[:16]
    return f"{kind[0]}-{digest}"


def make_cards(index: KnowledgeIndex, bank: Iterable[BankEntry] = ()) -> list[Card]:
    """All cards of an index: definitions, note lines, then relations, then answered questions; one per id."""
    cards: dict[str, Card] = {}
    for card in [*definition_cards(index), *note_cards(index), *relation_cards(index), *question_cards(bank)]:
        cards.setdefault(card.id, card)
    return list(cards.values())


def definition_cards(index: KnowledgeIndex) -> list[Card]:
    """"什么是 X?" for each concept the notes define, citing the passage that defines it."""
    out = []
    for concept in index.concepts.values():
        if not concept.definition:
            continue
        cite = _definition_cite(index, concept)
        if cite is not None:
            out.append(Card(id=concept.id, kind="definition", front=_what_is(concept), back=concept.definition,
                            concepts=(concept.id,), evidence=(cite,)))
    return out


def note_cards(index: KnowledgeIndex) -> list[Card]:
    """"X — what do your notes say?" for each concept with note lines, answered by the lines and
    citing the passages that hold them; a line no passage holds is not asked about."""
    out = []
    for concept in index.concepts.values():
        cited = [(line, cite) for line in concept.notes if (cite := _cite_of(index, concept, line)) is not None]
        if cited:
            out.append(Card(id=card_id("note", "", [concept.id]), kind="note", front=NOTE_FRONT.format(x=concept.name),
                            back="\n".join(line for line, _ in cited)[:BACK_CHARS], concepts=(concept.id,),
                            evidence=tuple(dict.fromkeys(cite for _, cite in cited))[:MAX_EVIDENCE]))
    return out


def _what_is(concept: Concept) -> str:
    other = next((a for a in concept.aliases if a.isascii() != concept.name.isascii()), None)
    name = f"{concept.name}（{other}）" if other else concept.name
    return f"什么是 {name}？ / What is {name}?"


def _definition_cite(index: KnowledgeIndex, concept: Concept) -> Cite | None:
    """The passage of `concept` that states its definition (the definition's opening words)."""
    return _cite_of(index, concept, concept.definition or "")


def _cite_of(index: KnowledgeIndex, concept: Concept, text: str) -> Cite | None:
    """The first passage of `concept` that holds `text` (its opening words)."""
    probe = fold(text)[:20]
    for pid in index.concept_passages.get(concept.id, ()):
        passage = index.passage_by_id.get(pid)
        if passage is not None and probe and probe in fold(passage.text):
            return Cite(source=passage.source, line=passage.line, text=passage.text)
    return None


def relation_cards(index: KnowledgeIndex) -> list[Card]:
    """One card per concept and typed relation asked about (every remedy of a problem on one
    card), and one per contrasted pair."""
    groups: dict[tuple[str, str], list[Relation]] = defaultdict(list)
    pairs: dict[tuple[str, str], list[Relation]] = defaultdict(list)
    for r in index.relations:
        if r.source == r.target or r.source not in index.concepts or r.target not in index.concepts:
            continue
        if r.type == "contrasts":
            pairs[tuple(sorted((r.source, r.target)))].append(r)
        elif r.type in RELATION_FRONTS:
            end = RELATION_FRONTS[r.type][0]
            groups[(r.type, r.target if end == "target" else r.source)].append(r)
    cards = [_group_card(index, type_, anchor, rels) for (type_, anchor), rels in groups.items()]
    cards += remedy_cards(index, [r for (type_, _), rels in groups.items() if type_ == "solves" for r in rels])
    by_source: dict[str, list] = defaultdict(list)
    for p in index.passages if pairs else ():
        by_source[p.source].append(p)
    cards += [_contrast_card(index, pair, rels, by_source) for pair, rels in pairs.items()]
    return [c for c in cards if c is not None]


def _group_card(index: KnowledgeIndex, type_: str, anchor: str, rels: list[Relation]) -> Card | None:
    end, front = RELATION_FRONTS[type_]
    others = list(dict.fromkeys(r.source if end == "target" else r.target for r in
                                sorted(rels, key=lambda r: (-r.weight, _first_line(r)))))
    evidence = _cites(rels)
    if not evidence:
        return None
    names = [index.concepts[o].name for o in others]
    return Card(id=card_id("relation", type_, [anchor]), kind="relation", relation=type_,
                front=front.format(x=index.concepts[anchor].name), back="、".join(names),
                concepts=(anchor, *others), evidence=evidence)


def remedy_cards(index: KnowledgeIndex, solves: list[Relation]) -> list[Card]:
    """"X 解决什么问题?" for a remedy the notes present as one: it solves more than one problem
    (`BN`: 梯度消失 and 梯度爆炸), or its definition names what it solves (`dropout:防止过拟合…`,
    cited too). A remedy named once in a list (`调整参数与超参数` under 欠拟合) is only a line of
    its problem's card; its id is a hash of the remedy's id, as a relation card's is."""
    by_remedy: dict[str, list[Relation]] = defaultdict(list)
    for r in solves:
        by_remedy[r.source].append(r)
    out = []
    for remedy, rels in by_remedy.items():
        problems = list(dict.fromkeys(r.target for r in sorted(rels, key=lambda r: (-r.weight, _first_line(r)))))
        defined = _names_in_definition(index, remedy, problems)
        evidence = _cites(rels)
        if not evidence or (len(problems) < 2 and not defined):
            continue
        probe = fold(index.concepts[remedy].definition or "")[:20]
        if defined and not any(probe in fold(e.text) for e in evidence):  # cite where it is defined, once
            cite = _definition_cite(index, index.concepts[remedy])
            evidence = (cite, *evidence)[:MAX_EVIDENCE] if cite is not None else evidence
        out.append(Card(id=card_id("relation", REMEDY_FOR, [remedy]), kind="relation", relation=REMEDY_FOR,
                        front=REMEDY_FRONT.format(x=index.concepts[remedy].name),
                        back="、".join(index.concepts[p].name for p in problems),
                        concepts=(remedy, *problems), evidence=evidence))
    return out


def _names_in_definition(index: KnowledgeIndex, concept: str, others: list[str]) -> bool:
    """Whether `concept`'s definition names one of `others` (by name or alias)."""
    definition = fold(index.concepts[concept].definition or "")
    return bool(definition) and any(fold(n) in definition for o in others
                                    for n in (index.concepts[o].name, *index.concepts[o].aliases) if len(n) >= 2)


def _contrast_card(index: KnowledgeIndex, pair: tuple[str, str], rels: list[Relation],
                   by_source: dict[str, list]) -> Card | None:
    evidence = _cites(rels)
    if not evidence:
        return None
    a, b = (index.concepts[c].name for c in pair)
    return Card(id=card_id("relation", "contrasts", pair), kind="relation", relation="contrasts",
                front=CONTRAST_FRONT.format(a=a, b=b), back=_passage_around(by_source, evidence[0])[:BACK_CHARS],
                concepts=pair, evidence=evidence)


def _passage_around(by_source: dict[str, list], cite: Cite) -> str:
    """The passage a sentence of evidence sits in: a contrast is stated over sentences, and the
    sentence that names both sides is often the question (`A和B的区别是什么?`) before the answer."""
    probe = "".join(cite.text.split())[:20]
    for p in by_source.get(cite.source, ()):
        if p.line <= cite.line and probe in "".join(p.text.split()):
            return p.text
    return cite.text


def _first_line(r: Relation) -> tuple[str, int]:
    return (r.evidence[0].source, r.evidence[0].line) if r.evidence else ("", 0)


def _cites(rels: list[Relation]) -> tuple[Cite, ...]:
    seen: dict[tuple[str, int], Cite] = {}
    for r in rels:
        for e in r.evidence[:1]:
            seen.setdefault((e.source, e.line), Cite(source=e.source, line=e.line, text=e.text))
    return tuple(list(seen.values())[:MAX_EVIDENCE])


def question_cards(bank: Iterable[BankEntry]) -> list[Card]:
    """A card per question the notes answer: the question in front, its best passage behind."""
    out = []
    for entry in bank:
        if entry.is_gap:
            continue
        q = entry.question
        ident = card_id("question", "", [fold("".join(q.text.split())).rstrip("?？")])
        out.append(Card(id=ident, kind="question", front=q.text, back=entry.answers[0].text[:BACK_CHARS],
                        concepts=entry.concepts, evidence=entry.answers))
    return out
