"""Which files of the notes folder are notes.

Every read needs this (to tell whether the index is stale), not only a build, so it
lives in the core; `ingest.read` decodes what it finds.
"""

from __future__ import annotations

import os
from pathlib import Path

NOTE_SUFFIXES = (".md", ".markdown", ".txt")


def find_notes(root: Path) -> tuple[dict[str, Path], list[tuple[str, str]]]:
    """Note files under `root` by the name each is known by (its path relative to `root`; a
    link keeps its own name), sorted, and the (name, reason) of those skipped.

    Hidden folders (`.kg`, `.git`) and our own temp files are not notes. A symlink
    whose target resolves outside `root` is skipped: notes are the user's folder,
    not whatever a link points at.
    """
    root = root.resolve()
    found: dict[str, Path] = {}
    skipped: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                continue
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    skipped.append((rel, "symlink pointing outside the notes folder"))
                    continue
                if not target.is_file():
                    skipped.append((rel, "broken symlink"))
                    continue
            found[rel] = path
    return found, skipped
