"""Exports to the tools learners already use: an Anki deck and an Obsidian vault.

Anki notes take their guid from our card ids, so importing a newer deck updates
the notes (and keeps Anki's own review history) instead of duplicating them.
The vault has one note per concept, its aliases in front matter, its typed
relations as `[[links]]` under a heading per relation type, and the evidence quoted.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections import defaultdict
from pathlib import Path

import genanki

from kg.index import KnowledgeIndex
from kg.models import RELATION_TYPES, Relation
from kg.study.models import Card

ANKI_MODEL_ID = 1_607_392_319
ANKI_DECK_ID = 2_059_400_110
RELATED_LINKS = 20
INCOMING = {"solves": "solved by", "causes": "caused by", "is_a": "kinds", "part_of": "parts", "uses": "used by",
            "improves": "improved by", "contrasts": "contrasted with", "related": "related (mentioned with)"}
"""Headings for relations that point at the concept of a note."""
_UNSAFE = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]+')


def _anki_model() -> genanki.Model:
    return genanki.Model(
        ANKI_MODEL_ID, "kg card",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Evidence"}, {"name": "KgId"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Back}}<div class="kg-evidence">{{Evidence}}</div>'}],
        css=".card{font-family:sans-serif;font-size:20px}.kg-evidence{font-size:14px;color:#555;margin-top:1em}")


def anki_tag(name: str) -> str:
    """An Anki tag for a concept (tags cannot hold spaces).

    Examples
    --------
    >>> anki_tag("batch normalization")
    'kg::batch_normalization'
    """
    return "kg::" + re.sub(r"\s+", "_", name.strip())


def anki_notes(cards: list[Card], index: KnowledgeIndex) -> list[genanki.Note]:
    model = _anki_model()
    notes = []
    for card in cards:
        evidence = "<br>".join(f"“{html.escape(e.text)}” <i>{html.escape(e.source)}:{e.line}</i>" for e in card.evidence)
        tags = sorted({anki_tag(index.concepts[c].name if c in index.concepts else c) for c in card.concepts}
                      | {f"kg::{card.kind}"})
        notes.append(genanki.Note(model=model, guid=card.id, tags=tags,
                                  fields=[html.escape(card.front), html.escape(card.back), evidence, card.id]))
    return notes


def export_anki(cards: list[Card], index: KnowledgeIndex, path: Path, deck_name: str = "kg") -> int:
    """Write an `.apkg` with one note per card (guid = card id); returns the number of notes."""
    deck = genanki.Deck(ANKI_DECK_ID, deck_name)
    notes = anki_notes(cards, index)
    for note in notes:
        deck.add_note(note)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    genanki.Package(deck).write_to_file(str(tmp))
    os.replace(tmp, path)
    return len(notes)


def quote_text(text: str) -> str:
    """Note text as Obsidian shows it literally: brackets escaped, so `[[x]]` in a note is no link.

    Examples
    --------
    >>> print(quote_text("a[[b]]c"))
    a\\[\\[b\\]\\]c
    """
    return text.replace("[", "\\[").replace("]", "\\]")


def vault_names(index: KnowledgeIndex) -> dict[str, str]:
    """A distinct, link-safe note name per concept (its name, or with its id when two collide)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for cid, concept in sorted(index.concepts.items()):
        base = _UNSAFE.sub(" ", concept.name).strip(" .") or cid
        name = base if base.casefold() not in taken else f"{base} ({_UNSAFE.sub(' ', cid)})"
        taken.add(name.casefold())
        names[cid] = name
    return names


def export_obsidian(index: KnowledgeIndex, folder: Path) -> int:
    """Write one markdown note per concept into `folder`; returns the number written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = vault_names(index)
    by_concept: dict[str, list[tuple[bool, Relation]]] = defaultdict(list)
    for r in index.relations:
        if r.source in names and r.target in names and r.source != r.target:
            by_concept[r.source].append((True, r))
            by_concept[r.target].append((False, r))
    for cid, name in names.items():
        (folder / f"{name}.md").write_text(concept_note(index, cid, names, by_concept[cid]), encoding="utf-8")
    return len(names)


def concept_note(index: KnowledgeIndex, cid: str, names: dict[str, str],
                 relations: list[tuple[bool, Relation]]) -> str:
    """One concept as an Obsidian note."""
    concept = index.concepts[cid]
    lines = ["---", f"aliases: {json.dumps(list(concept.aliases), ensure_ascii=False)}",
             f"kg_id: {json.dumps(cid, ensure_ascii=False)}", "---", f"# {concept.name}", ""]
    if concept.definition:
        lines += [quote_text(concept.definition), ""]
    if concept.notes:
        lines += ["Your notes say:", ""]
        for note in concept.notes:
            lines += [quote_text(note), ""]
    grouped: dict[str, list[tuple[bool, Relation]]] = defaultdict(list)
    for outgoing, r in relations:
        grouped[r.type if outgoing else INCOMING[r.type]].append((outgoing, r))
    for heading in [h for t in RELATION_TYPES for h in (t, INCOMING[t]) if h in grouped]:
        rows = sorted(grouped[heading], key=lambda x: -x[1].weight)
        if heading.startswith("related"):
            rows = rows[:RELATED_LINKS]
        lines.append(f"## {heading}")
        for outgoing, r in rows:
            other = r.target if outgoing else r.source
            lines.append(f"- [[{names[other]}]]")
            for e in r.evidence[:1]:
                quoted = quote_text(" ".join(e.text.split()))
                lines.append(f"  > {quoted} ({e.source}:{e.line})")
        lines.append("")
    return "\n".join(lines)
