"""A notes folder and its data folder, as the faces use them: build when needed, then serve.

Both faces (CLI, Streamlit) go through here, so a page never does work the CLI
cannot.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.read import find_notes
from kg import store
from kg.errors import IndexCorruptError, IndexMissingError, SettingsError
from kg.search import Searcher

if TYPE_CHECKING:
    from ingest.build import BuildReport


PACKAGE_ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = PACKAGE_ROOT / "kg" / "data"


def files_fingerprint(paths: Iterable[Path], salt: str = "") -> str:
    """A short digest of the names and bytes of `paths`: it changes when any of them does."""
    digest = hashlib.sha256(salt.encode())
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever the code or a data file that builds an index changes: an index built by
    another version of kg is rebuilt (cheaply: per-note extracts stay cached) instead of being
    served with the old version's concepts and edges."""
    return files_fingerprint([*PACKAGE_ROOT.joinpath("ingest").glob("*.py"), *PACKAGE_ROOT.joinpath("kg").glob("*.py"),
                              *DATA_FILES.iterdir()])


_SETTLED_NS = 2_000_000_000
"""A file whose mtime is older than this has settled: a later write would change its stat."""


@dataclass
class Workspace:
    """The folders, the last warning worth telling the user, and the index loaded last."""

    notes_dir: Path
    data_dir: Path
    last_warning: str | None = None
    _loaded: dict = field(default_factory=dict, repr=False, compare=False)
    _hashes: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_settings(cls, notes: str | None = None, data: str | None = None) -> "Workspace":
        """Folders from options, else `KG_NOTES` / `KG_DATA`, else `./notes` and `./.kg`."""
        notes_dir = Path(notes or os.environ.get("KG_NOTES") or "notes")
        data_dir = Path(data or os.environ.get("KG_DATA") or ".kg")
        if not notes_dir.is_dir():
            raise SettingsError(f"notes folder {notes_dir} does not exist (set --notes or KG_NOTES)")
        if data_dir.exists() and not data_dir.is_dir():
            raise SettingsError(f"data folder {data_dir} is not a folder")
        return cls(notes_dir, data_dir)

    def build(self) -> "BuildReport":
        from ingest.build import build  # the write path (jieba, extraction) loads only when needed

        return build(self.notes_dir, self.data_dir)

    def load(self, graph: bool = True) -> store.LoadedIndex:
        """The saved index, building it first if there is none.

        A corrupt index is kept aside as `.corrupt-<time>` and rebuilt from the notes.
        """
        try:
            loaded = self._cached(graph) or store.load(self.data_dir, graph=graph)
            if not self.is_stale(loaded.manifest):
                return self.remember(loaded)
            self.build()
        except IndexMissingError:
            self.build()
        except IndexCorruptError as exc:
            aside = self.set_aside_corrupt()
            self.last_warning = f"index was corrupt ({exc}); kept aside as {aside.name} and rebuilt"
            self.build()
        return self.remember(store.load(self.data_dir, graph=graph))

    def _cached(self, graph: bool) -> store.LoadedIndex | None:
        """The index this workspace loaded last, if it is still the current generation."""
        for loaded in (self._loaded.get(True), self._loaded.get(False) if not graph else None):
            if loaded is not None and store.current_generation(self.data_dir) == loaded.generation:
                return loaded
        return None

    def remember(self, loaded: store.LoadedIndex) -> store.LoadedIndex:
        self._loaded[loaded.has_graph] = loaded
        return loaded

    def is_stale(self, manifest: dict) -> bool:
        """Whether notes were added, changed, deleted or renamed since the index was built, or
        it was built by other code."""
        if manifest.get("pipeline") != code_fingerprint():
            return True
        current, _ = find_notes(self.notes_dir)
        indexed = manifest.get("files", {})
        skipped = {p for p, _ in manifest.get("skipped", [])}
        if set(current) - skipped != set(indexed):
            return True
        return any(self._sha_of(current[source]) != sha for source, sha in indexed.items())

    def _sha_of(self, path: Path) -> str:
        """A note's hash, read again only when its size, mtime or inode changed (as git's index
        does; a file modified within the last two seconds is always read, so a second write in
        the same clock tick is never missed)."""
        stat = path.stat()
        signature = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        known = self._hashes.get(signature)
        if known is not None:
            return known
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if time.time_ns() - stat.st_mtime_ns > _SETTLED_NS:
            self._hashes[signature] = digest
        return digest

    def set_aside_corrupt(self) -> Path:
        aside = self.data_dir.with_name(f"{self.data_dir.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.move(str(self.data_dir), aside)
        return aside

    def searcher(self, loaded: store.LoadedIndex | None = None) -> Searcher:
        """Search over the saved index, tokenizing queries from its saved dictionary."""
        loaded = loaded or self.load(graph=False)
        return Searcher(loaded.index, loaded.passage_bm25, loaded.concept_bm25, loaded.concept_order,
                        loaded.query_tokenizer())

