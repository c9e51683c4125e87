"""The data folder: generations of the index, swapped in atomically.

A build writes a complete new generation folder (`gen-<n>/`), fsyncs it, then
atomically replaces the `CURRENT` pointer. A crash at any moment leaves `CURRENT`
naming a complete generation, old or new. Each generation's manifest holds the
sha256 of its files, so a truncated or edited file is detected on load.

Readers take no lock and never wait: a load reads `CURRENT` once and reads that
generation; a save keeps the generation it replaced (N-1) until the next save, so a
reader that has just read the pointer still finds its files, and a reader slower
than two saves sees the pointer moved and starts again.

Passages and relations are kept as segments: a base written by a build, plus one
small segment per appended note. An append hard-links the earlier segments into
its new generation instead of writing them again, which keeps it cheap however
large the collection; past `MAX_SEGMENTS`, an append writes them whole again.

A search reads a generation lazily (`load(graph=False)`): arrays without copies (`kg.arrays`),
and of the passages (JSON lines, `kg.passage_rows`) only the rows its hits need. The note
table a staleness check compares is an array blob beside the manifest (`kg.notetable`).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from kg.arrays import pack, unpack
from kg.bm25 import BM25
from kg.errors import IndexCorruptError, IndexMissingError, IndexOutdatedError
from kg.index import FORMAT_VERSION, KnowledgeIndex
from kg.models import Passage, Relation
from kg.notetable import NoteTable
from kg.passage_rows import LazyMapping, PassageRows, RowConcepts, read_rows, rows_bytes

if TYPE_CHECKING:
    from filelock import FileLock

POINTER = "CURRENT"
LOCK = "write.lock"
_NOT_IN_SEARCH = {"relations", "concept_passages", "passages", "passage_concepts"}
NOTES = "notes.arrays"
"""Each indexed note's sha256 and stat (`kg.notetable`): what a staleness check compares."""
MAX_SEGMENTS = 16
"""Segments per kind (passages, graph) before an append writes that kind whole again: loading
never reads more than this."""
_GENERATION_NAME = re.compile(r"gen-[0-9]{1,18}")
LOAD_ATTEMPTS = 8
"""Loads tried when the pointer moved under a reader (a writer saved twice while it read)."""


class IndexParts(Protocol):
    """What a generation holds: an assembled index (a build, an append) or a loaded one."""

    index: KnowledgeIndex
    passage_bm25: BM25
    concept_bm25: BM25
    concept_order: list[str]
    dictionary: dict


@dataclass(frozen=True)
class AppendDelta:
    """What one appended note changed since `previous`, so a save writes only that.

    `passages` are the note's passages (after all earlier ones); `upsert` the relations it added or
    reinforced and `remove` the keys (source, target, type) of the `related` edges a new typed edge
    replaced.
    """

    previous: "LoadedIndex"
    passages: list[Passage]
    upsert: list[Relation]
    remove: list[tuple[str, str, str]]


@dataclass
class LoadedIndex:
    """A generation as loaded; `has_graph` is False when only what search needs was read."""

    index: KnowledgeIndex
    passage_bm25: BM25
    concept_bm25: BM25
    concept_order: list[str]
    dictionary: dict
    manifest: dict
    generation: Path
    has_graph: bool = True

    def query_tokenizer(self):
        """A tokenizer that segments like the build did, from the saved word list (no jieba load)."""
        from kg.dictionary import WordDictionary
        from kg.tokenize import Tokenizer

        return Tokenizer(dictionary=WordDictionary.from_words(self.dictionary["words"], self.dictionary["total"]))


@contextlib.contextmanager
def no_gc_pauses():
    """Pause the cyclic garbage collector for a bounded burst of work.

    A loaded index is hundreds of thousands of long-lived objects; a full collection
    walks them all (about 0.25 s on the corpora) and a build or an append allocates
    enough to trigger several. Our data structures hold no reference cycles worth
    collecting mid-way, so collection waits until the work is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@functools.lru_cache(maxsize=None)
def _lock_for(path: str) -> FileLock:
    from filelock import FileLock  # only writers lock: a search does not import it

    return FileLock(path, timeout=600)


def write_lock(data_dir: Path) -> FileLock:
    """The one lock every writer of a data folder holds (builds and appends); reentrant in a process."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return _lock_for(str((data_dir / LOCK).resolve()))


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix.

    `durable=False` skips the fsyncs: for caches, which a crash may lose but never corrupt
    (a torn cache file fails validation and is rebuilt).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with contextlib.suppress(FileNotFoundError):  # a rewrite keeps the file's mode, not mkstemp's 0600
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _dictionary_text(dictionary: dict) -> str:
    """jieba's own format (`word freq` a line), the total first: quick to write and to read."""
    return f"{dictionary['total']}\n" + "".join(f"{w} {f}\n" for w, f in dictionary["words"].items())


def _read_dictionary(text: str) -> dict:
    total, _, body = text.partition("\n")
    words = {}
    for line in body.splitlines():
        word, _, freq = line.rpartition(" ")
        words[word] = int(freq)
    return {"total": int(total), "words": words}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """`arrays` as the bytes of an .npz file, written in one piece (the jieba dictionary cache,
    `kg.dictionary`; an index generation stores its arrays with `kg.arrays`)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def save(data_dir: Path, parts: IndexParts, files: dict[str, str], extra: dict | None = None,
         delta: AppendDelta | None = None) -> Path:
    """Write a new generation and point `CURRENT` at it; the generation it replaces stays (for
    readers that are still opening it) until the next save, older ones are removed.

    Callers hold `write_lock(data_dir)`. With a `delta` (an append to `delta.previous`), the
    earlier passage, postings and relation segments are hard-linked into the new generation
    instead of being written again, and the delta is added as one more segment of each.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    replaced = _pointer_name(data_dir)
    number = _next_generation(data_dir)
    gen = data_dir / f"gen-{number}"
    tmp = data_dir / f".gen-{number}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    sums: dict[str, str] = {}

    def put(name: str, data: bytes) -> None:
        (tmp / name).write_bytes(data)
        sums[name] = _sha(data)

    serializer = parts.index.__pydantic_serializer__  # bytes straight from pydantic-core: no str round trip
    put("search.json", serializer.to_json(parts.index, exclude=_NOT_IN_SEARCH))
    put("dictionary.txt", _dictionary_text(parts.dictionary).encode("utf-8"))
    put("concepts.arrays", pack(parts.concept_bm25.to_arrays()))
    extra = dict(extra or {})
    put(NOTES, NoteTable.from_mappings(files, extra.pop("stats", {})).to_bytes())
    passages, linked = _save_passages(tmp, put, parts, delta)
    postings, linked_postings = _save_postings(tmp, put, parts, delta)
    graph, linked_graph = _save_graph(tmp, put, parts, delta)
    linked.update(linked_postings)
    linked.update(linked_graph)
    manifest = {
        "format": FORMAT_VERSION,
        "created": time.time(),
        "concept_order": parts.concept_order,
        "passages": passages,
        "postings": postings,
        "graph": graph,
        "sha256": {**linked, **sums},
        **extra,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    for name in (*sums, "manifest.json"):
        with open(tmp / name, "rb") as fh:
            os.fsync(fh.fileno())
    fsync_dir(tmp)
    os.replace(tmp, gen)
    fsync_dir(data_dir)
    write_atomic(data_dir / POINTER, gen.name.encode())
    _remove_old(data_dir, keep={gen.name, replaced})
    return gen


def _save_passages(tmp: Path, put, parts: IndexParts, delta: AppendDelta | None) -> tuple[list[str], dict[str, str]]:
    """Passage segments (`kg.passage_rows`): the note's new passages after the earlier segments, or all."""
    concepts = parts.index.passage_concepts
    return _save_segments(tmp, put, "passages", delta, delta is not None,
                          lambda: rows_bytes(parts.index.passages, concepts),
                          lambda: rows_bytes(delta.passages, concepts), suffix=".jsonl")


def _save_postings(tmp: Path, put, parts: IndexParts, delta: AppendDelta | None) -> tuple[list[str], dict[str, str]]:
    """Passage BM25 postings: what the note's documents added to the previous ones, or all of them."""
    def added() -> bytes:
        before = delta.previous.passage_bm25
        return pack(parts.passage_bm25.delta_since(before.n_docs, len(before.vocab)))

    return _save_segments(tmp, put, "postings", delta, delta is not None,
                          lambda: pack(parts.passage_bm25.to_arrays()), added, suffix=".arrays")


def _save_graph(tmp: Path, put, parts: IndexParts, delta: AppendDelta | None) -> tuple[list[str], dict[str, str]]:
    """Relation segments: the base, then per append the edges it upserts and the keys it removes."""
    return _save_segments(
        tmp, put, "graph", delta, delta is not None and delta.previous.has_graph,
        lambda: parts.index.__pydantic_serializer__.to_json(parts.index, include={"relations"}),
        lambda: json.dumps({"upsert": [r.model_dump(mode="json") for r in delta.upsert],
                            "remove": [list(k) for k in delta.remove]}, ensure_ascii=False).encode("utf-8"))


def _save_segments(tmp: Path, put, kind: str, delta: AppendDelta | None, previous_has_kind: bool,
                   whole, added, suffix: str = ".json") -> tuple[list[str], dict[str, str]]:
    """The segment names of one kind in the new generation, and the checksums of those hard-linked
    from the previous generation unchanged. `whole` and `added` give the bytes to `put` (`added`
    only for an append)."""
    previous = delta.previous if delta is not None else None
    earlier = previous.manifest.get(kind, []) if previous_has_kind else []
    if not earlier or len(earlier) >= MAX_SEGMENTS:
        put(f"{kind}-0{suffix}", whole())
        return [f"{kind}-0{suffix}"], {}
    linked = {}
    for name in earlier:
        os.link(previous.generation / name, tmp / name)
        linked[name] = previous.manifest["sha256"][name]
    name = f"{kind}-{len(earlier)}{suffix}"
    put(name, added())
    return [*earlier, name], linked


def _read_graph(read, segments: list[str]) -> list[dict]:
    """Relations from the base segment with each delta applied in order, sorted as a build sorts them."""
    relations = json.loads(read(segments[0]))["relations"]
    if len(segments) == 1:
        return relations
    by_key = {(r["source"], r["target"], r["type"]): r for r in relations}
    for name in segments[1:]:
        delta = json.loads(read(name))
        for r in delta["upsert"]:
            by_key[(r["source"], r["target"], r["type"])] = r
        for k in delta["remove"]:
            by_key.pop(tuple(k), None)
    return [by_key[k] for k in sorted(by_key)]


def _concept_passages(data: dict) -> dict[str, list[str]]:
    """Which passages mention each concept: derived from the passages' own lists, in passage order."""
    out: dict[str, list[str]] = {cid: [] for cid in data.get("concepts", {})}
    for pid, concept_ids in data.get("passage_concepts", {}).items():
        for cid in concept_ids:
            out.setdefault(cid, []).append(pid)
    return out


def _next_generation(data_dir: Path) -> int:
    numbers = [int(p.name[4:]) for p in data_dir.glob("gen-*") if p.name[4:].isdigit()]
    return max(numbers, default=0) + 1


def _pointer_name(data_dir: Path) -> str | None:
    """The generation `CURRENT` names, or None when there is none or it is unreadable."""
    try:
        return read_pointer(data_dir)
    except (IndexMissingError, IndexCorruptError):
        return None


def _remove_old(data_dir: Path, keep: set[str | None]) -> None:
    """Generations other than `keep`, and temp files of interrupted saves; only ever called
    under the writer lock, so no other writer is using them."""
    for p in data_dir.iterdir():
        if p.is_dir() and (p.name.startswith("gen-") and p.name not in keep or p.name.startswith(".gen-")):
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(f".{POINTER}.") and p.name.endswith(".tmp"):
            p.unlink(missing_ok=True)


def current_generation(data_dir: Path) -> Path:
    """The generation folder `CURRENT` names; `IndexCorruptError` if that folder is not there."""
    gen = data_dir / read_pointer(data_dir)
    if not gen.is_dir():
        raise IndexCorruptError(f"{data_dir / POINTER} names a missing generation {gen.name!r}")
    return gen


def read_pointer(data_dir: Path) -> str:
    """The generation name in `CURRENT`, read once.

    `IndexMissingError` when there is no pointer; `IndexCorruptError` when it holds anything
    but a generation name (garbage, bytes that are not UTF-8).
    """
    pointer = data_dir / POINTER
    try:
        raw = pointer.read_bytes()
    except FileNotFoundError:
        raise IndexMissingError(f"no index in {data_dir}: run `kg build` first") from None
    except IsADirectoryError:
        raise IndexCorruptError(f"{pointer} is a folder, not a pointer") from None
    name = raw.decode("ascii", errors="replace").strip()
    if not _GENERATION_NAME.fullmatch(name):
        raise IndexCorruptError(f"{pointer} does not name a generation: {raw[:40]!r}")
    return name


def read_manifest(data_dir: Path) -> dict:
    """The manifest of the current generation."""
    return generation_manifest(current_generation(data_dir))


def generation_manifest(gen: Path, verify: bool = True) -> dict:
    """The manifest of generation folder `gen`, whatever `CURRENT` says now, with its note table
    (`kg.notetable`, checked against its checksum) as `"notes"`."""
    try:
        manifest = json.loads((gen / "manifest.json").read_bytes())
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"unreadable manifest in {gen}: {exc}") from exc
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"the manifest in {gen} is not an object")
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexOutdatedError(f"index format {manifest.get('format')} is not {FORMAT_VERSION}: rebuild")
    try:
        manifest["notes"] = NoteTable.from_bytes(_checked_reader(gen, manifest, verify)(NOTES))
    except IndexCorruptError:
        raise
    except Exception as exc:
        raise IndexCorruptError(f"cannot read the note table in {gen}: {exc}") from exc
    return manifest


def _checked_reader(gen: Path, manifest: dict, verify: bool):
    def read(name: str) -> bytes:
        """A file of the generation, read once and checked against its checksum."""
        data = (gen / name).read_bytes()
        if verify and _sha(data) != manifest["sha256"][name]:
            raise IndexCorruptError(f"{gen / name} does not match its checksum")
        return data

    return read


def load(data_dir: Path, verify: bool = True, graph: bool = True) -> LoadedIndex:
    """The current index; `IndexCorruptError` if a file it reads is missing, truncated or altered.

    `graph=False` reads only what search needs (not relations): the fast path of `kg search`.
    A failure while the pointer moved on is a writer's doing, not corruption: the load starts
    again on the new generation.
    """
    with no_gc_pauses():  # hundreds of thousands of new objects, none of them garbage: 0.75 s → 0.35 s
        for attempt in range(1, LOAD_ATTEMPTS + 1):
            name = read_pointer(data_dir)
            try:
                return load_generation(data_dir / name, verify, graph)
            except (IndexCorruptError, IndexOutdatedError):
                if attempt == LOAD_ATTEMPTS or _pointer_name(data_dir) == name:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


def load_generation(gen: Path, verify: bool = True, graph: bool = True) -> LoadedIndex:
    """Generation folder `gen`, whatever `CURRENT` says now.

    With `graph=False` (a search) the passages stay the checked bytes of their segments, parsed
    a line at a time when a hit needs one (`kg.passage_rows`); a full load validates them all.
    """
    if not gen.is_dir():
        raise IndexCorruptError(f"generation {gen.name!r} is missing")
    manifest = generation_manifest(gen, verify)
    read = _checked_reader(gen, manifest, verify)
    try:
        data = json.loads(read("search.json"))
        segments = [read(name) for name in manifest["passages"]]
        if graph:
            data["passages"], data["passage_concepts"] = read_rows(segments)
            data["concept_passages"] = _concept_passages(data)
            data["relations"] = _read_graph(read, manifest["graph"])
            index = KnowledgeIndex.model_validate(data)
        else:
            index = _lazy_index(data, segments)
        dictionary = _read_dictionary(read("dictionary.txt").decode("utf-8"))
        first, *deltas = manifest["postings"]
        passage_bm25 = BM25.from_arrays(unpack(read(first)))
        for name in deltas:
            passage_bm25 = passage_bm25.with_delta(unpack(read(name)))
        concept_bm25 = BM25.from_arrays(unpack(read("concepts.arrays")))
    except IndexCorruptError:
        raise
    except Exception as exc:  # any decoding failure means the same thing to the user
        raise IndexCorruptError(f"cannot read the index in {gen}: {exc}") from exc
    return LoadedIndex(index, passage_bm25, concept_bm25, manifest["concept_order"], dictionary, manifest, gen, graph)


def _lazy_index(data: dict, segments: list[bytes]) -> KnowledgeIndex:
    """The index a search reads: concepts and names validated, passages parsed when asked for (they
    are checked bytes the index wrote itself), no relations."""
    rows = PassageRows(segments)
    concepts = RowConcepts(rows)
    index = KnowledgeIndex.model_validate(data)
    return index.model_copy(update={
        "passages": rows, "passage_concepts": concepts,
        "concept_passages": LazyMapping(lambda: _concept_passages({"concepts": index.concepts,
                                                                    "passage_concepts": concepts}))})


def set_aside_corrupt(data_dir: Path) -> Path | None:
    """Move the current generation aside if it really is broken; what was moved, or None.

    The caller holds `write_lock(data_dir)`: no writer can be mid-save, so the pointer read
    here is the settled one, and a generation that fails to load now is broken, not replaced.
    Only that generation (or a garbage `CURRENT`) is moved, never the lock, the append log,
    the extract cache or the folder itself.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    try:
        name = read_pointer(data_dir)
    except IndexMissingError:
        return None
    except IndexCorruptError:
        aside = data_dir / f"corrupt-{POINTER}-{stamp}-{os.getpid()}"
        os.replace(data_dir / POINTER, aside)
        return aside
    try:
        load_generation(data_dir / name)
        return None
    except IndexOutdatedError:
        return None
    except IndexCorruptError:
        pass
    gen = data_dir / name
    if not gen.is_dir():
        return None
    aside = data_dir / f"corrupt-{name}-{stamp}-{os.getpid()}"
    os.replace(gen, aside)
    return aside
