"""Build the index of a notes folder: per-file extraction (cached by content hash), then merge.

Extraction is the expensive part (jieba); merging every file's facts into
concepts, relations and BM25 postings is cheap, so a changed note costs only its
own extraction.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ingest.assemble import assemble
from ingest.extract import extract_text
from ingest.read import UndecodableNote, UnreadableNote, decode, find_notes, read_note
from kg.notes import folder_signatures
from kg import store
from kg.fingerprint import extraction_fingerprint, index_code
from kg.models import FileExtract
from kg.workspace import note_signature
from kg.tokenize import Tokenizer, default_tokenizer

log = logging.getLogger(__name__)
PIPELINE_VERSION = "1"
_PARALLEL_MIN_FILES = 8
_MAX_WORKERS = 4


@dataclass
class BuildReport:
    files_read: int = 0
    files_extracted: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    passages: int = 0
    concepts: int = 0
    relations: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    cache_used: set[str] = field(default_factory=set)


def cache_path(data_dir: Path, source: str, data: bytes) -> Path:
    """Where the extract of note `source` with bytes `data` is cached: the key covers every module
    the per-file stage imports and every data file (`kg.fingerprint`), so a cached extract is only
    reused when extracting again would give the same result."""
    digest = hashlib.sha256(extraction_fingerprint(PIPELINE_VERSION).encode() + source.encode() + b"\0" + data).hexdigest()
    return data_dir / "cache" / f"{digest[:32]}.json"


def read_extracts(notes_dir: Path, data_dir: Path, tokenizer: Tokenizer, report: BuildReport,
                  workers: int = 1) -> list[FileExtract]:
    """Every note's extract: from the cache when its bytes are unchanged, else extracted anew."""
    files, skipped = find_notes(notes_dir)
    report.skipped.extend(skipped)
    extracts: dict[str, FileExtract] = {}
    pending: list[tuple[str, bytes, Path]] = []
    order: list[str] = []
    for source, path in files.items():
        try:
            data = read_note(path)
        except UnreadableNote as exc:
            report.skipped.append((source, str(exc)))
            continue
        cache = cache_path(data_dir, source, data)
        report.cache_used.add(cache.name)
        order.append(source)
        cached = _load_cached(cache)
        if cached is None:
            pending.append((source, data, cache))
        else:
            extracts[source] = cached
    for source, result in _extract_all(pending, tokenizer, workers):
        if isinstance(result, str):
            report.skipped.append((source, result))
            log.warning("skipped %s: %s", source, result)
        else:
            extracts[source] = result
            report.files_extracted += 1
    report.files_read = len(extracts)
    return [extracts[s] for s in order if s in extracts]


def _extract_one(job: tuple[str, bytes, Path], tokenizer: Tokenizer | None = None) -> tuple[str, FileExtract | str]:
    """Decode and extract one note and cache the result; a reason string if it cannot be read."""
    source, data, cache = job
    try:
        text = decode(data)
    except UndecodableNote as exc:
        return source, str(exc)
    extract = extract_text(source, text, tokenizer or default_tokenizer(), sha=hashlib.sha256(data).hexdigest())
    store.write_atomic(cache, extract.model_dump_json().encode(), durable=False)
    return source, extract


def _extract_all(pending, tokenizer: Tokenizer, workers: int):
    """Extract in `workers` forked processes when there is enough to share (the dictionary is loaded once,
    before the fork, and shared copy-on-write); in this process otherwise."""
    if workers <= 1 or len(pending) < _PARALLEL_MIN_FILES:
        return [_extract_one(job, tokenizer) for job in pending]
    tokenizer.tokens("预热")  # load the dictionary before forking, so no worker loads it again
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_extract_one, _largest_first(pending), chunksize=1))


def _largest_first(pending):
    return sorted(pending, key=lambda job: -len(job[1]))


def default_workers() -> int:
    """Both cores of a build machine; one when this process runs threads (forking them is unsafe)."""
    if threading.active_count() > 1 or sys.platform != "linux":
        return 1
    return max(1, min(os.cpu_count() or 1, _MAX_WORKERS))


def _load_cached(path: Path) -> FileExtract | None:
    try:
        return FileExtract.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def build(notes_dir: Path, data_dir: Path, tokenizer: Tokenizer | None = None,
          workers: int | None = None) -> BuildReport:
    """Read every note, merge, and save a new index generation in `data_dir`."""
    with store.write_lock(data_dir), store.no_gc_pauses():
        return _build(notes_dir, data_dir, tokenizer, workers)


def _build(notes_dir: Path, data_dir: Path, tokenizer: Tokenizer | None, workers: int | None) -> BuildReport:
    started = time.perf_counter()
    _remove_stale_temp_files(notes_dir)
    tokenizer = tokenizer or default_tokenizer()
    report = BuildReport()
    folders = folder_signatures(notes_dir)  # before the notes are listed: a later change shows in a ctime
    stats = note_stats(notes_dir)  # before the notes are read: a write after the read changes the stat
    extracts = read_extracts(notes_dir, data_dir, tokenizer, report,
                             workers=default_workers() if workers is None else workers)
    built = assemble(extracts, tokenizer)
    files = {ex.source: ex.sha for ex in extracts}
    store.save(data_dir, built, files,
               extra=manifest_extra(report.skipped, {s: stats[s] for s in files if s in stats}, folders))
    _prune_cache(data_dir, report.cache_used)
    report.passages = len(built.index.passages)
    report.concepts = len(built.index.concepts)
    report.relations = Counter(r.type for r in built.index.relations)
    report.seconds = time.perf_counter() - started
    return report


def note_stats(notes_dir: Path) -> dict[str, list[int]]:
    """Each note's stat signature (`kg.workspace.note_signature`), for the manifest: a read command
    tells a changed note by its stat, without reading every note."""
    stats = {}
    for source, path in find_notes(notes_dir)[0].items():
        try:
            stats[source] = note_signature(path)
        except OSError:
            continue
    return stats


def manifest_extra(skipped: list, stats: dict[str, list[int]], folders: dict | None = None) -> dict:
    """What a build or an append adds to a generation's manifest besides the index itself (an append
    records no folders: the note it wrote changed one, so reads walk the notes until the next build)."""
    return {"skipped": skipped, "stats": stats, "folders": folders, **index_code()}


def _remove_stale_temp_files(notes_dir: Path, older_than: float = 600.0) -> None:
    """Our own `.name.<pid>.tmp` files left by a crash; never read as notes, removed once old."""
    now = time.time()
    for path in notes_dir.rglob(".*.tmp"):
        try:
            if path.is_file() and not path.is_symlink() and now - path.stat().st_mtime > older_than:
                path.unlink()
        except OSError:
            pass


def _prune_cache(data_dir: Path, keep: set[str]) -> None:
    """Drop cached extracts of notes that no longer exist or changed, so the cache stays the notes' size."""
    for path in (data_dir / "cache").glob("*.json"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
