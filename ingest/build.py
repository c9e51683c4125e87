"""Build the index of a notes folder: per-file extraction (cached by content hash), then merge.

Extraction is the expensive part (jieba); merging every file's facts into
concepts, relations and BM25 postings is cheap, so a changed note costs only its
own extraction.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ingest.assemble import assemble
from ingest.extract import extract_text
from ingest.read import UndecodableNote, decode, find_notes, note_source
from kg import store
from kg.models import FileExtract
from kg.tokenize import Tokenizer, default_tokenizer

log = logging.getLogger(__name__)
PIPELINE_VERSION = "1"


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


_EXTRACTION_CODE = ("ingest.read", "ingest.clean", "ingest.passages", "ingest.concepts", "ingest.relations",
                    "ingest.extract", "kg.tokenize", "kg.normalize", "kg.models")


@functools.lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """Changes whenever a shipped data file or the code of a per-file stage changes: a cached
    extract is only reused when extracting again would give the same result."""
    import importlib

    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    for name in sorted(p.name for p in resources.files("kg").joinpath("data").iterdir()):
        digest.update(name.encode())
        digest.update(resources.files("kg").joinpath("data", name).read_bytes())
    for module in _EXTRACTION_CODE:
        digest.update(Path(importlib.import_module(module).__file__).read_bytes())
    return digest.hexdigest()[:16]


def cache_path(data_dir: Path, source: str, data: bytes) -> Path:
    digest = hashlib.sha256(pipeline_fingerprint().encode() + source.encode() + b"\0" + data).hexdigest()
    return data_dir / "cache" / f"{digest[:32]}.json"


def read_extracts(notes_dir: Path, data_dir: Path, tokenizer: Tokenizer, report: BuildReport) -> list[FileExtract]:
    files, skipped = find_notes(notes_dir)
    report.skipped.extend(skipped)
    extracts = []
    report.cache_used = set()
    for path in files:
        source = note_source(notes_dir, path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.skipped.append((source, f"unreadable: {exc.strerror}"))
            continue
        cache = cache_path(data_dir, source, data)
        report.cache_used.add(cache.name)
        extract = _load_cached(cache)
        if extract is None:
            try:
                text = decode(data)
            except UndecodableNote as exc:
                report.skipped.append((source, str(exc)))
                log.warning("skipped %s: %s", source, exc)
                continue
            extract = extract_text(source, text, tokenizer, sha=hashlib.sha256(data).hexdigest())
            store.write_atomic(cache, extract.model_dump_json().encode())
            report.files_extracted += 1
        extracts.append(extract)
        report.files_read += 1
    return extracts


def _load_cached(path: Path) -> FileExtract | None:
    try:
        return FileExtract.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def build(notes_dir: Path, data_dir: Path, tokenizer: Tokenizer | None = None) -> BuildReport:
    """Read every note, merge, and save a new index generation in `data_dir`."""
    with store.write_lock(data_dir):
        return _build(notes_dir, data_dir, tokenizer)


def _build(notes_dir: Path, data_dir: Path, tokenizer: Tokenizer | None) -> BuildReport:
    started = time.perf_counter()
    _remove_stale_temp_files(notes_dir)
    tokenizer = tokenizer or default_tokenizer()
    report = BuildReport()
    extracts = read_extracts(notes_dir, data_dir, tokenizer, report)
    built = assemble(extracts, tokenizer)
    files = {ex.source: ex.sha for ex in extracts}
    store.save(data_dir, built, files, extra={"skipped": report.skipped})
    _prune_cache(data_dir, report.cache_used)
    report.passages = len(built.index.passages)
    report.concepts = len(built.index.concepts)
    report.relations = Counter(r.type for r in built.index.relations)
    report.seconds = time.perf_counter() - started
    return report


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
