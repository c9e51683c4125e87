"""The review history: the user's own data, in its own SQLite file outside the index folder.

`rm -rf .kg && kg build`, or an index set aside as corrupt, never touches it: by
default it sits next to the data folder (`.kg` → `.kg-study.sqlite`), or wherever
`--study-db` / `KG_STUDY_DB` say. WAL journal, `BEGIN IMMEDIATE` for every write
and a busy timeout let many processes review at once; `synchronous=FULL` means a
review is on disk before it is acknowledged. Cards whose evidence left the notes
are suspended, never deleted, so their history waits for them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kg.errors import SettingsError, StudyError
from kg.study import schedule
from kg.study.models import Card, Cite

ENV = "KG_STUDY_DB"
SUFFIX = "-study.sqlite"
BUSY_MS = 30_000
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, relation TEXT, front TEXT NOT NULL, back TEXT NOT NULL,
    concepts TEXT NOT NULL, evidence TEXT NOT NULL, suspended INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL, due REAL NOT NULL, added TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cards_due ON cards (suspended, due);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY, card_id TEXT NOT NULL, rating INTEGER NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reviews_card ON reviews (card_id);
"""
RATING_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}


def study_db_path(data_dir: Path, explicit: str | None = None) -> Path:
    """Where the review history lives: `explicit`, else `$KG_STUDY_DB`, else beside the data folder.

    Never inside the data folder, which a rebuild may delete.

    Examples
    --------
    >>> study_db_path(Path("/n/.kg")).as_posix()
    '/n/.kg-study.sqlite'
    """
    chosen = explicit or os.environ.get(ENV)
    absolute = data_dir.resolve()
    path = Path(chosen) if chosen else absolute.with_name(absolute.name + SUFFIX)
    if path.is_dir():
        raise SettingsError(f"study database {path} is a folder (set --study-db or {ENV} to a file)")
    resolved = path.resolve()
    if resolved == absolute or absolute in resolved.parents:
        raise SettingsError(f"study database {path} is inside the index folder {data_dir}, which a rebuild "
                            f"deletes; choose a file outside it")
    return path


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    suspended: int
    revived: int


@dataclass(frozen=True)
class DueCard:
    id: str
    kind: str
    front: str
    due: float


@dataclass(frozen=True)
class Review:
    card_id: str
    rating: str
    at: str


class ReviewStore:
    """One connection to the study database; every write is one `BEGIN IMMEDIATE` transaction."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
            self.db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            self._wal()
            self.db.execute("PRAGMA synchronous=FULL")
            if self.db.execute("SELECT 1 FROM sqlite_master WHERE name='reviews'").fetchone() is None:
                with self.write():  # first use: readers after this never take the write lock to open
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        self.db.execute(statement)
                    self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            raise StudyError(f"study database {self.path} cannot be used: {exc}") from None

    def _wal(self) -> None:
        """Switch to WAL; another process switching at the same moment may hold a lock briefly."""
        for attempt in range(50):
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError:
                if attempt == 49:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "ReviewStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """A write transaction that takes the write lock up front (no deadlock on upgrade)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def sync(self, cards: Iterable[Card], at: datetime | None = None) -> SyncReport:
        """Store the cards of the current notes: new ones join due now, known ones take the new
        text and evidence (keeping their state), absent ones are suspended with their history."""
        at = at or schedule.now()
        cards = {c.id: c for c in cards}
        with self.write():
            known = dict(self.db.execute("SELECT id, suspended FROM cards"))
            added = [c for cid, c in cards.items() if cid not in known]
            kept = [c for cid, c in cards.items() if cid in known]
            gone = [cid for cid, suspended in known.items() if cid not in cards and not suspended]
            revived = sum(1 for c in kept if known[c.id])
            state = json.dumps(schedule.new_state(at))
            self.db.executemany(
                "INSERT INTO cards (id, kind, relation, front, back, concepts, evidence, state, due, added) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*_content(c), state, at.timestamp(), at.isoformat()) for c in added])
            self.db.executemany(
                "UPDATE cards SET kind=?, relation=?, front=?, back=?, concepts=?, evidence=?, suspended=0 WHERE id=?",
                [(*_content(c)[1:], c.id) for c in kept])
            self.db.executemany("UPDATE cards SET suspended=1 WHERE id=?", [(cid,) for cid in gone])
        return SyncReport(len(added), len(kept), len(gone), revived)

    def review(self, card_id: str, rating: str, at: datetime | None = None) -> datetime:
        """Record one review and reschedule the card; returns when it is next due.

        The review is committed (and on disk) when this returns.
        """
        at = at or schedule.now()
        grade = schedule.rating_of(rating)
        with self.write():
            row = self.db.execute("SELECT state, suspended FROM cards WHERE id=?", (card_id,)).fetchone()
            if row is None:
                raise StudyError(f"unknown card {card_id!r} (see `kg cards` or `kg due`)")
            if row[1]:
                raise StudyError(f"card {card_id!r} is suspended: its evidence is no longer in the notes")
            state = schedule.next_state(json.loads(row[0]), grade, at)
            due = datetime.fromisoformat(state["due"])
            self.db.execute("UPDATE cards SET state=?, due=? WHERE id=?", (json.dumps(state), due.timestamp(), card_id))
            self.db.execute("INSERT INTO reviews (card_id, rating, at) VALUES (?, ?, ?)",
                            (card_id, int(grade), at.isoformat()))
        return due

    def due(self, at: datetime | None = None, limit: int | None = None) -> list[DueCard]:
        """Cards due by `at`, most overdue first (suspended cards are never due)."""
        at = at or schedule.now()
        sql = "SELECT id, kind, front, due FROM cards WHERE suspended=0 AND due<=? ORDER BY due, id"
        args: tuple = (at.timestamp(),)
        if limit is not None:
            sql += " LIMIT ?"
            args += (limit,)
        return [DueCard(*row) for row in self.db.execute(sql, args)]

    def history(self, card_id: str | None = None) -> list[Review]:
        """Every review recorded, oldest first."""
        sql = "SELECT card_id, rating, at FROM reviews" + (" WHERE card_id=?" if card_id else "") + " ORDER BY id"
        return [Review(cid, RATING_NAMES[r], at) for cid, r, at in
                self.db.execute(sql, (card_id,) if card_id else ())]

    def cards(self, ids: Iterable[str] | None = None, suspended: bool = False) -> list[Card]:
        """Stored cards (active ones unless `suspended`), in the order of `ids` when given."""
        rows = self.db.execute("SELECT id, kind, relation, front, back, concepts, evidence FROM cards "
                               "WHERE suspended=?", (int(suspended),))
        found = {row[0]: _card(row) for row in rows}
        return [found[i] for i in ids if i in found] if ids is not None else list(found.values())

    def card(self, card_id: str) -> Card | None:
        row = self.db.execute("SELECT id, kind, relation, front, back, concepts, evidence FROM cards WHERE id=?",
                              (card_id,)).fetchone()
        return _card(row) if row else None

    def is_suspended(self, card_id: str) -> bool:
        row = self.db.execute("SELECT suspended FROM cards WHERE id=?", (card_id,)).fetchone()
        return bool(row and row[0])

    def retrievability(self, at: datetime | None = None) -> dict[str, float]:
        """FSRS retrievability of every active card reviewed at least once."""
        at = at or schedule.now()
        out = {}
        for cid, state in self.db.execute("SELECT id, state FROM cards WHERE suspended=0 AND "
                                          "json_extract(state, '$.last_review') IS NOT NULL"):
            r = schedule.retrievability(json.loads(state), at)
            if r is not None:
                out[cid] = r
        return out

    def concept_strength(self, at: datetime | None = None) -> dict[str, float]:
        """Per concept id, the mean retrievability of its reviewed cards (what the explorer colours)."""
        from kg.study.strength import concept_strength

        return concept_strength(self.cards(), self.retrievability(at))

    def backup(self, target: Path) -> None:
        """A consistent copy through SQLite's backup API (safe while others write)."""
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise SettingsError("backup target is the study database itself")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.unlink(missing_ok=True)
        dest = sqlite3.connect(tmp)
        try:
            self.db.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target)

    def integrity(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]


def _content(c: Card) -> tuple:
    return (c.id, c.kind, c.relation, c.front, c.back, json.dumps(list(c.concepts), ensure_ascii=False),
            json.dumps([e.model_dump() for e in c.evidence], ensure_ascii=False))


def _card(row) -> Card:
    cid, kind, relation, front, back, concepts, evidence = row
    return Card(id=cid, kind=kind, relation=relation, front=front, back=back, concepts=tuple(json.loads(concepts)),
                evidence=tuple(Cite(**e) for e in json.loads(evidence)))
