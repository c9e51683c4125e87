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
    found, skipped = note_files(root)
    return {rel: Path(path) for rel, path in found.items()}, skipped


def note_files(root: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """`find_notes` with each file's path as a string: what a staleness check of many notes needs
    (a `Path` per note costs more than the walk itself)."""
    root = root.resolve()
    found: dict[str, str] = {}
    skipped: list[tuple[str, str]] = []
    stack = [(str(root), "")]
    while stack:  # depth first, in name order, as `os.walk` goes; one scandir per folder and no stat per file
        folder, prefix = stack.pop()
        subfolders = []
        for entry in _entries(folder):
            name = entry.name
            if _is_folder(entry):
                if not name.startswith(".") and not entry.is_symlink():  # links to folders are not followed
                    subfolders.append((entry.path, f"{prefix}{name}/"))
                continue
            if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                continue
            rel = prefix + name
            reason = _link_problem(Path(entry.path), root) if entry.is_symlink() else None
            if reason:
                skipped.append((rel, reason))
            else:
                found[rel] = entry.path
        stack.extend(reversed(subfolders))
    return found, skipped


def _entries(folder: str) -> list[os.DirEntry]:
    """A folder's entries by name; none when it cannot be listed (as `os.walk` skips it)."""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _link_problem(path: Path, root: Path) -> str | None:
    target = path.resolve()
    if not target.is_relative_to(root):
        return "symlink pointing outside the notes folder"
    if not target.is_file():
        return "broken symlink"
    return None
