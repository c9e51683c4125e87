"""Tiny shared fixtures: a notes folder made of sample lines, and a built index over it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = Path(__file__).parent / "samples"


def stop_server(proc: subprocess.Popen, grace: float = 15) -> None:
    """Stop a `kg ui` started in its own session: SIGTERM to its group, SIGKILL if it lingers
    (Streamlit's child processes die with it)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(grace)


def index_of_note(tmp_path: Path, text: str):
    """The index a full build makes of one note holding `text` (for rule tests on tiny notes)."""
    from ingest.build import build as build_index
    from kg import store
    from kg.workspace import Workspace

    notes_dir = tmp_path / "notes"
    notes_dir.mkdir()
    (notes_dir / "n.md").write_text(text, encoding="utf-8")
    Workspace(notes_dir, tmp_path / ".kg", build_index).build()
    return store.load(tmp_path / ".kg").index


@pytest.fixture(scope="session")
def tokenizer():
    from kg.tokenize import default_tokenizer

    return default_tokenizer()


@pytest.fixture
def notes(tmp_path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    return folder


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / ".kg"


@pytest.fixture
def sample_notes(notes) -> Path:
    for path in SAMPLES.glob("*"):
        shutil.copy(path, notes / path.name)
    return notes


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory):
    """The index of the bundled notes, built once for the session."""
    from ingest.build import build as build_index
    from kg.workspace import Workspace

    data = tmp_path_factory.mktemp("bundled") / ".kg"
    ws = Workspace(ROOT / "notes", data, build_index)
    ws.build()
    return ws


def corpora_or_skip() -> Path:
    path = SHARED / "corpora"
    if not (path / "dl500").is_dir() or not (path / "cv_note").is_dir():
        pytest.skip("../shared/corpora is absent (a user's fresh clone): corpora tests need it")
    return path


def eval_or_skip() -> Path:
    path = SHARED / "eval"
    if not path.is_dir():
        pytest.skip("../shared/eval is absent (a user's fresh clone): the gold sets live there")
    return path
