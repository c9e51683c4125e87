"""The data folder: generations of the index, swapped in atomically.

A build writes a complete new generation folder (`gen-<n>/`), fsyncs it, then
atomically replaces the `CURRENT` pointer. A crash at any moment leaves `CURRENT`
naming a complete generation, old or new. Each generation's manifest holds the
sha256 of its files, so a truncated or edited file is detected on load.

Passages and relations are kept as segments: a base written by a build, plus one
small segment per appended note. An append hard-links the earlier segments into
its new generation instead of writing them again, which keeps it cheap however
large the collection; past `MAX_SEGMENTS`, an append writes them whole again.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from filelock import FileLock
from pydantic import TypeAdapter

from kg.bm25 import BM25
from kg.errors import IndexCorruptError, IndexMissingError, IndexOutdatedError
from kg.index import FORMAT_VERSION, KnowledgeIndex
from kg.models import Passage

POINTER = "CURRENT"
LOCK = "write.lock"
_NOT_IN_SEARCH = {"relations", "concept_passages", "passages"}
MAX_SEGMENTS = 16
"""Segments per kind (passages, graph) before an append writes that kind whole again: loading
never reads more than this."""
_PASSAGE_LIST = TypeAdapter(list[Passage])


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
    """`arrays` as the bytes of an .npz file (written, and checksummed, in one piece)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _read_npz(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return {k: arrays[k] for k in arrays.files}


def save(data_dir: Path, parts, files: dict[str, str], extra: dict | None = None,
         previous: LoadedIndex | None = None) -> Path:
    """Write a new generation and point `CURRENT` at it; older generations are removed.

    `parts` holds `index`, `passage_bm25`, `concept_bm25`, `concept_order` and
    `dictionary` (an assembled index, or a loaded one). When it also holds a
    `graph_delta` and `previous` is the generation it was derived from, the
    relations are not written again: the previous segments are hard-linked into
    the new generation and the delta is added as one more segment; likewise for the
    passages (`passage_delta`) and the passage postings.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
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
    put("concepts.npz", npz_bytes(parts.concept_bm25.to_arrays()))
    passages, linked = _save_passages(tmp, put, parts, previous)
    postings, linked_postings = _save_postings(tmp, put, parts, previous)
    graph, linked_graph = _save_graph(tmp, put, parts, previous)
    linked.update(linked_postings)
    linked.update(linked_graph)
    manifest = {
        "format": FORMAT_VERSION,
        "created": time.time(),
        "files": files,
        "concept_order": parts.concept_order,
        "passages": passages,
        "postings": postings,
        "graph": graph,
        "sha256": {**linked, **sums},
        **(extra or {}),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    for name in (*sums, "manifest.json"):
        with open(tmp / name, "rb") as fh:
            os.fsync(fh.fileno())
    fsync_dir(tmp)
    os.replace(tmp, gen)
    fsync_dir(data_dir)
    write_atomic(data_dir / POINTER, gen.name.encode())
    _remove_old(data_dir, keep=gen.name)
    return gen


def _save_passages(tmp: Path, put, parts, previous: LoadedIndex | None) -> tuple[list[str], dict[str, str]]:
    """Passage segments: the note's new passages after the earlier segments, or all of them."""
    added = getattr(parts, "passage_delta", None)
    return _save_segments(tmp, put, "passages", previous, previous is not None,
                          lambda: _PASSAGE_LIST.dump_json(parts.index.passages),
                          None if added is None else lambda: _PASSAGE_LIST.dump_json(added))


def _save_postings(tmp: Path, put, parts, previous: LoadedIndex | None) -> tuple[list[str], dict[str, str]]:
    """Passage BM25 postings: what the note's documents added to the previous ones, or all of them."""
    delta = None
    if getattr(parts, "passage_delta", None) is not None and previous is not None:
        before = previous.passage_bm25
        delta = lambda: npz_bytes(parts.passage_bm25.delta_since(before.n_docs, len(before.vocab)))  # noqa: E731
    return _save_segments(tmp, put, "postings", previous, previous is not None,
                          lambda: npz_bytes(parts.passage_bm25.to_arrays()), delta, suffix=".npz")


def _save_graph(tmp: Path, put, parts, previous: LoadedIndex | None) -> tuple[list[str], dict[str, str]]:
    """Relation segments: the base, then per append the edges it upserts and the keys it removes."""
    delta = getattr(parts, "graph_delta", None)
    return _save_segments(
        tmp, put, "graph", previous, previous is not None and previous.has_graph,
        lambda: parts.index.__pydantic_serializer__.to_json(parts.index, include={"relations"}),
        None if delta is None else lambda: json.dumps({
            "upsert": [r.model_dump(mode="json") for r in delta["upsert"]],
            "remove": [list(k) for k in delta["remove"]]}, ensure_ascii=False).encode("utf-8"))


def _save_segments(tmp: Path, put, kind: str, previous: LoadedIndex | None, previous_has_kind: bool,
                   whole, delta, suffix: str = ".json") -> tuple[list[str], dict[str, str]]:
    """The segment names of one kind in the new generation, and the checksums of those hard-linked
    from `previous` unchanged. `whole` and `delta` give the bytes to `put` (`delta` is None when
    this save is not an append)."""
    earlier = previous.manifest.get(kind, []) if previous_has_kind else []
    if delta is None or not earlier or len(earlier) >= MAX_SEGMENTS:
        put(f"{kind}-0{suffix}", whole())
        return [f"{kind}-0{suffix}"], {}
    linked = {}
    for name in earlier:
        os.link(previous.generation / name, tmp / name)
        linked[name] = previous.manifest["sha256"][name]
    name = f"{kind}-{len(earlier)}{suffix}"
    put(name, delta())
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


def _remove_old(data_dir: Path, keep: str) -> None:
    for p in data_dir.iterdir():
        if p.is_dir() and (p.name.startswith("gen-") and p.name != keep or p.name.startswith(".gen-")):
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(f".{POINTER}.") and p.name.endswith(".tmp"):
            p.unlink(missing_ok=True)


def current_generation(data_dir: Path) -> Path:
    pointer = data_dir / POINTER
    if not pointer.exists():
        raise IndexMissingError(f"no index in {data_dir}: run `kg build` first")
    gen = data_dir / pointer.read_text(encoding="utf-8").strip()
    if not gen.name.startswith("gen-") or not gen.is_dir():
        raise IndexCorruptError(f"{pointer} names a missing generation {gen.name!r}")
    return gen


def read_manifest(data_dir: Path) -> dict:
    gen = current_generation(data_dir)
    try:
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"unreadable manifest in {gen}: {exc}") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexOutdatedError(f"index format {manifest.get('format')} is not {FORMAT_VERSION}: rebuild")
    return manifest


def load(data_dir: Path, verify: bool = True, graph: bool = True) -> LoadedIndex:
    """The current index; `IndexCorruptError` if a file it reads is missing, truncated or altered.

    `graph=False` reads only what search needs (not relations): the fast path of `kg search`.
    """
    with no_gc_pauses():  # hundreds of thousands of new objects, none of them garbage: 0.75 s → 0.35 s
        return _load(data_dir, verify, graph)


def _load(data_dir: Path, verify: bool, graph: bool) -> LoadedIndex:
    gen = current_generation(data_dir)
    manifest = read_manifest(data_dir)

    def read(name: str) -> bytes:
        """A file of the generation, read once and checked against its checksum."""
        data = (gen / name).read_bytes()
        if verify and _sha(data) != manifest["sha256"][name]:
            raise IndexCorruptError(f"{gen / name} does not match its checksum")
        return data

    try:
        data = json.loads(read("search.json"))
        data["passages"] = [p for name in manifest["passages"] for p in json.loads(read(name))]
        data["concept_passages"] = _concept_passages(data)
        if graph:
            data["relations"] = _read_graph(read, manifest["graph"])
        index = KnowledgeIndex.model_validate(data)
        dictionary = _read_dictionary(read("dictionary.txt").decode("utf-8"))
        first, *deltas = manifest["postings"]
        passage_bm25 = BM25.from_arrays(_read_npz(read(first)))
        for name in deltas:
            passage_bm25 = passage_bm25.with_delta(_read_npz(read(name)))
        concept_bm25 = BM25.from_arrays(_read_npz(read("concepts.npz")))
    except IndexCorruptError:
        raise
    except Exception as exc:  # any decoding failure means the same thing to the user
        raise IndexCorruptError(f"cannot read the index in {gen}: {exc}") from exc
    return LoadedIndex(index, passage_bm25, concept_bm25, manifest["concept_order"], dictionary, manifest, gen, graph)
