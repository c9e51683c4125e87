"""The study commands of `kg`: questions, cards, study, review, due, history, backup; and the
Anki / Obsidian exports. `ui.cli` registers them with one call.

`review`, `due`, `history` and `backup` read only the study database (no index load),
so they stay fast; `cards`, `questions` and `study` read the notes' cards off the
index and store them (new cards become due, vanished ones are suspended).
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError, StudyError
from kg.normalize import one_line

if TYPE_CHECKING:  # the study modules load with the study commands, not with every `kg` command
    from kg.index import KnowledgeIndex
    from kg.search import Searcher
    from kg.study.models import BankEntry, Card, Question
    from kg.study.storage import ReviewStore
    from kg.workspace import Workspace

RATINGS = ("again", "hard", "good", "easy")
EXPORTS = ("anki", "obsidian")
PROMPT = "  again / hard / good / easy (1-4), s = skip, q = quit: "


def register(sub, common) -> None:
    """Add the study subcommands to `kg`'s subparsers."""
    study_common = _study_parent(common)
    p = sub.add_parser("questions", parents=[study_common], help="the questions your notes ask, and their gaps")
    p.add_argument("--concept", help="only questions naming this concept")
    p.add_argument("--gaps", action="store_true", help="only questions no passage answers")
    p.add_argument("--json", action="store_true", help="write the questions as JSON")
    p.set_defaults(handler=cmd_questions)

    p = sub.add_parser("cards", parents=[study_common], help="study cards read off the graph (and store them)")
    p.add_argument("--concept", help="only cards naming this concept")
    p.add_argument("--json", action="store_true", help="write the cards as JSON")
    p.set_defaults(handler=cmd_cards)

    p = sub.add_parser("study", parents=[study_common], help="a review session in the terminal")
    p.add_argument("--concept", help="study this concept and its weak prerequisites")
    p.add_argument("--topic", type=int, help="study one topic (its number in the Topics page)")
    p.add_argument("--limit", type=int, default=20, help="cards in the session (default: 20)")
    p.set_defaults(handler=cmd_study)

    p = sub.add_parser("review", parents=[study_common], help="record one review: kg review CARD_ID good")
    p.add_argument("card_id", help="the card's id (see `kg due` or `kg cards`)")
    p.add_argument("rating", choices=RATINGS, help="how well you recalled it")
    p.add_argument("--json", action="store_true", help="write the review and next due time as JSON")
    p.set_defaults(handler=cmd_review)

    p = sub.add_parser("due", parents=[study_common], help="cards due now")
    p.add_argument("--limit", type=int, help="show at most this many")
    p.add_argument("--json", action="store_true", help="write the due cards as JSON")
    p.set_defaults(handler=cmd_due)

    p = sub.add_parser("history", parents=[study_common], help="every review recorded")
    p.add_argument("--card", help="only this card's reviews")
    p.add_argument("--json", action="store_true", help="write the reviews as JSON")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("backup", parents=[study_common], help="copy the review history (SQLite backup API)")
    p.add_argument("-o", "--output", help="backup file (default: beside the database, with a timestamp)")
    p.set_defaults(handler=cmd_backup)


def _study_parent(common):
    import argparse

    parent = argparse.ArgumentParser(add_help=False, parents=[common])
    parent.add_argument("--study-db", help="review history database (default: $KG_STUDY_DB, or beside the data "
                                           "folder: .kg → .kg-study.sqlite)")
    return parent


# --------------------------------------------------------------------------- shared with the Study page


def note_questions(notes_dir: Path) -> list[Question]:
    """Every question of every note, read off the units the build splits it into (a note that
    cannot be read is skipped, as a build skips it)."""
    from ingest.extract import note_units
    from ingest.read import UndecodableNote, decode
    from kg.notes import find_notes
    from kg.study.questions import find_questions

    found, _ = find_notes(notes_dir)
    out = []
    for source, path in sorted(found.items()):
        try:
            text = decode(path.read_bytes())
        except (OSError, UndecodableNote):
            continue
        out.extend(find_questions(note_units(source, text)))
    return out


def bank_of(ws: Workspace, index: KnowledgeIndex, searcher: Searcher) -> list[BankEntry]:
    from kg.study.questions import question_bank

    return question_bank(index, searcher, note_questions(ws.notes_dir))


def deck(ws: Workspace) -> tuple[KnowledgeIndex, list[BankEntry], list[Card]]:
    """The index, the question bank and every card of the notes (the index as built: after
    editing notes, `kg build` first; a stale index is served with a warning)."""
    from kg.study.cards import make_cards

    loaded = ws.load()
    if ws.last_warning:
        _say(f"kg: warning: {ws.last_warning}", err=True)
    searcher = ws.searcher(loaded)
    bank = bank_of(ws, loaded.index, searcher)
    return loaded.index, bank, make_cards(loaded.index, bank)


def open_store(ws: Workspace, explicit: str | None = None) -> ReviewStore:
    from kg.study.storage import ReviewStore, study_db_path

    return ReviewStore(study_db_path(ws.data_dir, explicit))


def export_study(ws: Workspace, fmt: str, output: str | None) -> int:
    """`kg export --format anki|obsidian`."""
    from kg.study.export import export_anki, export_obsidian

    if not output:
        raise KgError(f"--format {fmt} needs -o/--output ({'deck.apkg' if fmt == 'anki' else 'a folder'})")
    if fmt == "anki":
        index, _, cards = deck(ws)
        n = export_anki(cards, index, Path(output))
        _say(f"wrote {n} notes to {output}")
    else:
        n = export_obsidian(ws.load().index, Path(output))
        _say(f"wrote {n} concept notes to {output}")
    return 0


# --------------------------------------------------------------------------- commands


def _workspace(args) -> Workspace:
    from ui.workspace import open_workspace

    return open_workspace(args.notes, args.data)


def _concept_id(index: KnowledgeIndex, name: str | None) -> str | None:
    return index.resolve(name).id if name else None


def cmd_questions(args) -> int:
    from kg.study.questions import GAP

    ws = _workspace(args)
    loaded = ws.load()
    bank = bank_of(ws, loaded.index, ws.searcher(loaded))
    cid = _concept_id(loaded.index, args.concept)
    rows = [e for e in bank if (cid is None or cid in e.concepts) and (not args.gaps or e.is_gap)]
    if args.json:
        print(_dumps([{**e.question.model_dump(), "concepts": list(e.concepts),
                       "answers": [a.model_dump() for a in e.answers], "gap": e.is_gap} for e in rows]))
        return 0
    for e in rows:
        q = e.question
        _say(f"{q.source}:{q.line}  {one_line(q.text, 100)}")
        if e.is_gap:
            _say(f"    {GAP}")
        for a in e.answers[:1]:
            _say(f"    → {a.source}:{a.line}  {one_line(a.text, 100)}")
    gaps = sum(e.is_gap for e in rows)
    _say(f"questions: {len(rows)}  answered: {len(rows) - gaps}  gaps ({GAP}): {gaps}")
    return 0


def cmd_cards(args) -> int:
    ws = _workspace(args)
    index, _, cards = deck(ws)
    with open_store(ws, args.study_db) as store:
        report = store.sync(cards)
    cid = _concept_id(index, args.concept)
    shown = [c for c in cards if cid is None or cid in c.concepts]
    if args.json:
        print(_dumps([c.model_dump() for c in shown]))
        return 0
    for c in shown:
        _say(f"{c.id}  [{c.kind}{'/' + c.relation if c.relation else ''}]  {one_line(c.front, 80)}")
        _say(f"    {one_line(c.back, 100)}")
    _say(f"cards: {len(shown)}  (stored: {report.added} new, {report.suspended} suspended, "
          f"{report.revived} back from suspension)")
    return 0


def cmd_review(args) -> int:
    ws = _workspace(args)
    with open_store(ws, args.study_db) as store:
        if store.card(args.card_id) is None:
            store.sync(deck(ws)[2])
        due = store.review(args.card_id, args.rating)
    if args.json:
        print(_dumps({"card_id": args.card_id, "rating": args.rating, "due": due.isoformat()}))
    else:
        _say(f"reviewed {args.card_id}: {args.rating}; next due {_when(due)}")
    return 0


def cmd_due(args) -> int:
    ws = _workspace(args)
    with open_store(ws, args.study_db) as store:
        rows = store.due(limit=args.limit)
        empty = not rows and store.db.execute("SELECT 1 FROM cards LIMIT 1").fetchone() is None
    if args.json:
        print(_dumps([asdict(r) | {"due": datetime.fromtimestamp(r.due).astimezone().isoformat()} for r in rows]))
        return 0
    for r in rows:
        _say(f"{r.id}  [{r.kind}]  {one_line(r.front, 90)}")
    _say(f"due: {len(rows)}" + ("" if rows or not empty else "  (no cards stored yet: run `kg cards` or `kg study`)"))
    return 0


def cmd_history(args) -> int:
    ws = _workspace(args)
    with open_store(ws, args.study_db) as store:
        rows = store.history(args.card)
    if args.json:
        print(_dumps([asdict(r) for r in rows]))
        return 0
    for r in rows:
        _say(f"{r.at}  {r.rating:5}  {r.card_id}")
    _say(f"reviews: {len(rows)}")
    return 0


def cmd_backup(args) -> int:
    ws = _workspace(args)
    with open_store(ws, args.study_db) as store:
        target = Path(args.output) if args.output else store.path.with_name(
            f"{store.path.stem}.backup-{time.strftime('%Y%m%d-%H%M%S')}.sqlite")
        store.backup(target)
    _say(f"backed up to {target}")
    return 0


def cmd_study(args) -> int:
    ws = _workspace(args)
    index, _, cards = deck(ws)
    with open_store(ws, args.study_db) as store:
        store.sync(cards)
        due_ids = [r.id for r in store.due()]
        chosen, note = _pick(index, cards, due_ids, store, args)
        if note:
            _say(note)
        if not chosen:
            _say("nothing to study now")
            return 0
        return _session(store, chosen)


def _pick(index, cards, due_ids, store, args) -> tuple[list[Card], str]:
    from kg.study.strength import concept_session, concept_strength, session

    if args.topic is not None:
        from kg.graph import to_graph
        from kg.topics import topics

        found = {t.id: t for t in topics(to_graph(index))}
        if args.topic not in found:
            raise StudyError(f"no topic {args.topic} (topics are numbered 0-{len(found) - 1})")
        topic = found[args.topic]
        return session(cards, due_ids, topic.members, args.limit), f"topic {topic.id}: {topic.label}"
    if args.concept:
        cid = index.resolve(args.concept).id
        strength = concept_strength(cards, store.retrievability())
        chosen, taken = concept_session(index, cards, due_ids, cid, strength, args.limit)
        names = [index.concepts[c].name for c in taken[1:]]
        return chosen, f"{index.concepts[cid].name}" + (f" with weak prerequisites: {', '.join(names)}" if names else "")
    return session(cards, due_ids, None, args.limit), ""


def _session(store: ReviewStore, cards: list[Card]) -> int:
    done = 0
    for i, card in enumerate(cards, start=1):
        _say(f"\n[{i}/{len(cards)}] {card.front}")
        if _ask("  (enter: show the answer, q: quit) ") == "q":
            break
        _say(f"  {card.back}")
        for e in card.evidence[:3]:
            _say(f"    “{one_line(e.text, 100)}” {e.source}:{e.line}")
        answer = _ask(PROMPT)
        while answer not in {"q", "s", *RATINGS, "1", "2", "3", "4", "a", "h", "g", "e"}:
            answer = _ask(PROMPT)
        if answer == "q":
            break
        if answer == "s":
            continue
        rating = {"a": "again", "h": "hard", "g": "good", "e": "easy"}.get(answer, answer)
        due = store.review(card.id, rating)
        done += 1
        _say(f"  next due {_when(due)}")
    _say(f"\nreviewed {done}; still due: {len(store.due())}")
    return 0


def _say(text: str = "", err: bool = False) -> None:
    """Print through `kg`'s terminal-safe printer (note text may hold control or bidi characters)."""
    from ui.cli import say

    say(text, err=err)


def _dumps(value) -> str:
    from ui.cli import dumps

    return dumps(value)


def _ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    return line.strip().lower() if line else "q"


def _when(due: datetime) -> str:
    return due.astimezone().strftime("%Y-%m-%d %H:%M")
