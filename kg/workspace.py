"""A notes folder and its data folder, as the faces use them: settings, staleness, recovery.

Every read goes through here, so it lives in the core and never imports the write
path: building is a callable the face injects (`builder`), loaded only when an index
must be made. Reads never write an index that exists: a stale one is served as it is,
with a one-line notice; the refresh happens in `kg build`, `kg add` or the app's
background refresh (`refresh`).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kg import store
from kg.errors import IndexCorruptError, IndexMissingError, IndexOutdatedError, KgError, SettingsError
from kg.fingerprint import made_by_other_code
from kg.notes import listing_unchanged, note_files
from kg.notetable import NoteTable
from kg.search import Searcher

Builder = Callable[[Path, Path], Any]
"""Builds the index of a notes folder into a data folder (`ingest.build.build`)."""

SETTLED_NS = 2_000_000_000
"""A note whose mtime is this much older than its stat was taken has settled: a later write
would change its stat, so an unchanged stat means unchanged bytes (as git's index trusts it)."""


@dataclass
class Workspace:
    """The folders, the builder, the last warning worth telling the user, and the index loaded last."""

    notes_dir: Path
    data_dir: Path
    builder: Builder | None = None
    last_warning: str | None = None
    _loaded: dict = field(default_factory=dict, repr=False, compare=False)
    _hashes: dict = field(default_factory=dict, repr=False, compare=False)
    _stale: str | None = field(default=None, repr=False, compare=False)
    """Why the index `load` returned last is stale (None: it is not)."""

    @classmethod
    def from_settings(cls, notes: str | None = None, data: str | None = None,
                      builder: Builder | None = None) -> "Workspace":
        """Folders from options, else `KG_NOTES` / `KG_DATA`, else `./notes` and `./.kg`.

        The data folder may be neither the notes folder, nor inside it, nor above it: a build
        would read its own index as notes, and setting a broken index aside could take notes along.
        """
        notes_dir = Path(notes or os.environ.get("KG_NOTES") or "notes")
        data_dir = Path(data or os.environ.get("KG_DATA") or ".kg")
        if not notes_dir.is_dir():
            raise SettingsError(f"notes folder {notes_dir} does not exist (set --notes or KG_NOTES)")
        if data_dir.exists() and not data_dir.is_dir():
            raise SettingsError(f"data folder {data_dir} is not a folder")
        check_folders_apart(notes_dir, data_dir)
        return cls(notes_dir, data_dir, builder)

    def build(self) -> Any:
        """A full build of the notes (the builder's report)."""
        if self.builder is None:
            raise KgError("this face opened the workspace read-only: run `kg build`")
        self.last_warning = None
        return self.builder(self.notes_dir, self.data_dir)

    def load(self, graph: bool = True) -> store.LoadedIndex:
        """The saved index as it is; a stale one is served with a notice in `last_warning`.

        Only a missing, corrupt or outdated index is built here, and only when the data folder
        is writable and a builder was given; otherwise that is a clear error.
        """
        scan: NoteScan | None = NoteScan(self.notes_dir, data_dir=self.data_dir)  # stat'ed while the index is read
        try:
            loaded = self._cached(graph) or store.load(self.data_dir, graph=graph)
        except (IndexMissingError, IndexOutdatedError, IndexCorruptError) as exc:
            scan.wait()  # no thread may run while a build forks its workers; the build changes the notes' stats
            scan = None
            loaded = self._load_after(exc, graph)
        self._stale = self.notice_staleness(loaded.manifest, scan)
        return self.remember(loaded)

    def _load_after(self, exc: Exception, graph: bool) -> store.LoadedIndex:
        """The index after `exc` stopped a load: built when missing or outdated, recovered when corrupt."""
        if isinstance(exc, IndexCorruptError):
            return self._recover(exc, graph)
        self._build_missing("there is no index yet" if isinstance(exc, IndexMissingError) else str(exc))
        return store.load(self.data_dir, graph=graph)

    def refresh(self, graph: bool = True) -> store.LoadedIndex:
        """The index, rebuilt first if notes changed or other code built it (a write: for
        `kg add` and the app's refresh, never for a read command)."""
        with store.write_lock(self.data_dir):
            loaded = self.load(graph)
            if self._stale is None:  # as `load` just found it: a second walk of every note would tell the same
                return loaded
            self.build()
            return self.remember(store.load(self.data_dir, graph=graph))

    def writable(self) -> bool:
        """Whether builds may write the data folder (it, or the folder it would be made in)."""
        folder = self.data_dir
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return os.access(folder, os.W_OK | os.X_OK)

    def _build_missing(self, why: str) -> None:
        if self.builder is None:
            raise IndexMissingError(f"{why} in {self.data_dir}: run `kg build`")
        if not self.writable():
            raise IndexMissingError(f"{why} in {self.data_dir}, and the folder is read-only here: run `kg build`")
        with store.write_lock(self.data_dir):
            try:
                store.load(self.data_dir, graph=False)  # another process may have built it meanwhile
                return
            except (IndexMissingError, IndexOutdatedError, IndexCorruptError):
                self.build()

    def _recover(self, exc: IndexCorruptError, graph: bool) -> store.LoadedIndex:
        """A corrupt index: proven broken under the writer lock, only the broken generation set
        aside, then rebuilt from the notes."""
        if self.builder is None or not self.writable():
            raise IndexCorruptError(f"{exc}; the data folder is read-only here: run `kg build`") from exc
        with store.write_lock(self.data_dir):
            aside = store.set_aside_corrupt(self.data_dir)
            if aside is not None:
                self.build()
                self.last_warning = f"index was corrupt ({exc}); kept aside as {aside.name} and rebuilt"
            else:
                try:
                    return store.load(self.data_dir, graph=graph)
                except (IndexMissingError, IndexOutdatedError):
                    self.build()
        return store.load(self.data_dir, graph=graph)

    def _cached(self, graph: bool) -> store.LoadedIndex | None:
        """The index this workspace loaded last, if it is still the current generation."""
        try:
            current = store.read_pointer(self.data_dir)
        except (IndexMissingError, IndexCorruptError):
            return None
        for loaded in (self._loaded.get(True), self._loaded.get(False) if not graph else None):
            if loaded is not None and loaded.generation.name == current:
                return loaded
        return None

    def remember(self, loaded: store.LoadedIndex) -> store.LoadedIndex:
        self._loaded[loaded.has_graph] = loaded
        return loaded

    def notice_staleness(self, manifest: dict, scan: "NoteScan | None" = None) -> str | None:
        """Set `last_warning` when the index of `manifest` is stale (for a face that read only the
        manifest); why it is stale, or None."""
        reason = self.stale_reason(manifest, scan)
        if reason is not None:
            self.last_warning = f"the index is stale ({reason}): showing it as it is; run `kg build` to refresh"
        return reason

    def is_stale(self, manifest: dict) -> bool:
        """Whether notes were added, changed, deleted or renamed since the index was built, or
        it was built by other code."""
        return self.stale_reason(manifest) is not None

    def stale_reason(self, manifest: dict, scan: "NoteScan | None" = None) -> str | None:
        """Why the index no longer matches the notes or the code (one line), or None."""
        changed = self.changed_notes(manifest, scan)
        if changed:
            return f"{changed} note{'s' if changed != 1 else ''} changed since the last build"
        if made_by_other_code(manifest):
            return "built by another version of kg"
        return None

    def changed_notes(self, manifest: dict, scan: "NoteScan | None" = None) -> int:
        """How many notes were added, changed, deleted or renamed since the index was built.

        A note's bytes are hashed again only when its stat differs from the one the build
        recorded, or had not settled when recorded: a cold check of many notes is a walk and
        a stat of each (`scan`, if one was started), compared as arrays, not a read of each.
        """
        table: NoteTable = manifest["notes"]
        names, paths, observed = (scan or NoteScan(self.notes_dir, manifest=manifest)).result()
        if names == table.names:  # the usual case: the same notes, walked in the order they were indexed
            changed, kept, recorded = 0, range(len(names)), table.signatures
        else:
            skipped = {p for p, _ in manifest.get("skipped", [])}
            changed = len((set(names) - skipped) ^ table.row_of.keys())
            kept = [i for i, name in enumerate(names) if name in table.row_of]
            observed = observed[kept]
            recorded = table.signatures[[table.row_of[names[i]] for i in kept]].reshape(len(kept), 4)
        trusted = (recorded[:, 3] - recorded[:, 1] > SETTLED_NS) & (observed == recorded[:, :3]).all(axis=1)
        for i in np.flatnonzero(~trusted).tolist():
            if not self._hashes_to(paths[kept[i]], table.sha(names[kept[i]])):
                changed += 1
        return changed

    def _hashes_to(self, path: str, sha: str) -> bool:
        try:
            stat = os.stat(path)
        except OSError:
            return False
        return self._sha_of(path, [stat.st_size, stat.st_mtime_ns, stat.st_ino, time.time_ns()]) == sha

    def _sha_of(self, path: str, signature: list[int]) -> str:
        """A note's hash, read again only when its stat changed since this workspace read it."""
        key = (path, *signature[:3])
        known = self._hashes.get(key)
        if known is not None:
            return known
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        if _settled(signature):
            self._hashes[key] = digest
        return digest

    def searcher(self, loaded: store.LoadedIndex | None = None) -> Searcher:
        """Search over the saved index, tokenizing queries from its saved dictionary."""
        loaded = loaded or self.load(graph=False)
        return Searcher(loaded.index, loaded.passage_bm25, loaded.concept_bm25, loaded.concept_order,
                        loaded.query_tokenizer())


def note_signature(path: Path | str) -> list[int]:
    """`[size, mtime_ns, inode, when]` of a note, `when` the time the stat was taken: taken
    before its bytes are read, so a write after the read changes the signature.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as fh:
    ...     _ = fh.write(b"abc"); fh.flush()
    ...     note_signature(Path(fh.name))[0]
    3
    """
    stat = os.stat(path)
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, time.time_ns()]


class NoteScan:
    """The notes folder walked and each note stat'ed, in a thread: a stat is a system call, which
    runs beside the index's reading (at 100k notes the walk and the stats cost as much as the rest
    of a search)."""

    GONE = (-2, -2, -2)
    """The stat row of a note that vanished after the walk: no recorded stat matches it."""

    def __init__(self, notes_dir: Path, data_dir: Path | None = None, manifest: dict | None = None):
        """The notes of `manifest` (or of the index in `data_dir`, read in the thread) are listed from
        it when no folder changed since its build (`kg.notes.listing_unchanged`), else walked."""
        self._notes_dir = notes_dir
        self._data_dir = data_dir
        self._manifest = manifest
        self._found: tuple[list[str], list[str], np.ndarray] | None = None
        self._error: BaseException | None = None
        self.walked = False
        """Whether the folders were walked (some changed, or none were recorded)."""
        self._thread = threading.Thread(target=self._run, name="kg-note-scan", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            listing = self._recorded_listing()
            if listing is None:
                self.walked = True
                current, _ = note_files(self._notes_dir)
                listing = list(current), list(current.values())
            names, paths = listing
            flat: list[int] = []
            for path in paths:
                try:
                    info = os.stat(path)
                except OSError:
                    flat.extend(self.GONE)
                else:
                    flat.extend((info.st_size, info.st_mtime_ns, info.st_ino))
            self._found = names, paths, np.array(flat, dtype=np.int64).reshape(len(names), 3)
        except BaseException as exc:  # re-raised in the caller's thread, as a walk there would raise it
            self._error = exc

    def _recorded_listing(self) -> tuple[list[str], list[str]] | None:
        """The notes (and skipped files) the build listed, when no folder changed since; else None."""
        manifest = self._manifest
        if manifest is None and self._data_dir is not None:
            try:
                manifest = store.read_manifest(self._data_dir)
            except KgError:
                return None
        folders = (manifest or {}).get("folders")
        if not folders or not listing_unchanged(self._notes_dir, folders, SETTLED_NS):
            return None
        names = [*manifest["notes"].names, *(name for name, _ in manifest.get("skipped", []))]
        base = str(self._notes_dir.resolve())
        return names, [os.path.join(base, name) for name in names]

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> tuple[list[str], list[str], np.ndarray]:
        """The notes' names, their paths, and each one's `(size, mtime_ns, inode)` (n × 3)."""
        self.wait()
        if self._error is not None:
            raise self._error
        return self._found


def _settled(signature: list) -> bool:
    """Whether a note's mtime was already old when its stat was taken (a second write in the
    same clock tick as the first would leave its stat unchanged)."""
    return len(signature) == 4 and signature[3] - signature[1] > SETTLED_NS


def check_folders_apart(notes_dir: Path, data_dir: Path) -> None:
    """Refuse a data folder equal to, inside or above the notes folder.

    Examples
    --------
    >>> check_folders_apart(Path("/a/notes"), Path("/a/.kg"))
    >>> check_folders_apart(Path("/a/notes"), Path("/a/notes/.kg"))
    Traceback (most recent call last):
    ...
    kg.errors.SettingsError: the data folder /a/notes/.kg is inside the notes folder /a/notes: choose another --data
    """
    notes, data = notes_dir.resolve(), data_dir.resolve()
    if data == notes:
        raise SettingsError(f"the data folder {data_dir} is the notes folder: choose another --data")
    if data.is_relative_to(notes):
        raise SettingsError(f"the data folder {data_dir} is inside the notes folder {notes_dir}: choose another --data")
    if notes.is_relative_to(data):
        raise SettingsError(f"the data folder {data_dir} holds the notes folder {notes_dir}: choose another --data")
