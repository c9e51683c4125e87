"""The workspace as both faces open it: folders from options or the environment, and the
write path plugged in, imported only when an index must actually be built (so `kg search`
on a built index never loads `ingest`, jieba or the extractors)."""

from __future__ import annotations

from pathlib import Path

from kg.workspace import Workspace


def build_index(notes_dir: Path, data_dir: Path):
    """`ingest.build.build`, imported on first use."""
    from ingest.build import build

    return build(notes_dir, data_dir)


def open_workspace(notes: str | None = None, data: str | None = None) -> Workspace:
    """`Workspace.from_settings` with the builder the faces use."""
    return Workspace.from_settings(notes, data, builder=build_index)
