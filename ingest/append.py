"""Add new interview notes safely: a new file (or an append under a dated separator), then the index.

The user's notes are the one thing that must never be lost: a note is created
with O_EXCL so nothing is overwritten, every write is atomic (temp file in the
same folder, fsync, `os.replace`, fsync of the folder), and the whole add (note
and index) holds one file lock, so concurrent `kg add`s serialize. A failed
write (disk full) says whether the note itself was saved.

A title is written as YAML front matter, which `ingest.clean` blanks: it names the
note, and is not mined as a concept. The preview runs the very function the save
runs, on the file the save would write, without writing it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.assemble import Assembled
from ingest.build import build, cache_path, manifest_extra
from ingest.clean import strip_front_matter
from ingest.extract import extract_text
from ingest.incremental import append_delta, apply_extract
from ingest.read import UnreadableNote, read_note
from kg import store
from kg.errors import KgError, NoteRejectedError, SettingsError, StorageError
from kg.limits import check_note_size
from kg.models import FileExtract
from kg.tokenize import Tokenizer, default_tokenizer
from kg.workspace import Workspace, note_signature

INBOX = "inbox"
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
"""Unicode categories never kept in a file name or title: controls, bidi overrides, zero-widths,
lone surrogates (undecodable bytes), private-use and unassigned code points, line separators."""
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.I)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|#%&{}$!'`@+=\[\]\s]+")
MAX_SLUG_BYTES = 120


@dataclass
class Preview:
    concepts_new: list[str] = field(default_factory=list)
    concepts_known: list[str] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)


@dataclass
class AddResult:
    path: Path
    concepts_new: list[str] = field(default_factory=list)
    relations_new: list[dict] = field(default_factory=list)


def sanitize_title(title: str) -> str:
    """A file-name slug that keeps Chinese and can never leave the folder it is put in.

    Examples
    --------
    >>> sanitize_title("过拟合 怎么办?")
    '过拟合-怎么办'
    >>> sanitize_title("../../etc/passwd")
    'etc-passwd'
    >>> sanitize_title("con")
    'note-con'
    >>> sanitize_title("evil\\u202egpj.md")
    'evilgpj.md'
    """
    text = _UNSAFE.sub("-", visible(unicodedata.normalize("NFKC", title or "")))
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r"-{2,}", "-", text).strip("-. ")
    while len(text.encode("utf-8")) > MAX_SLUG_BYTES:
        text = text[:-1]
    text = text.strip("-. ")
    if not text:
        return "note"
    if _RESERVED.match(text):
        text = f"note-{text}"
    return text


def visible(text: str) -> str:
    """`text` without the characters a title or file name must not hold (see `_INVISIBLE`).

    Examples
    --------
    >>> visible("a\\u202eb\\x1b[31mc")
    'ab[31mc'
    """
    return "".join(c for c in text if unicodedata.category(c) not in _INVISIBLE)


def validate_text(text: str) -> str:
    if "\x00" in text:
        raise NoteRejectedError("the note contains NUL bytes: is it a binary file?")
    if not text.strip():
        raise NoteRejectedError("the note is empty")
    check_note_size(len(text.encode("utf-8")))
    return text


def _text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def preview_note(ws: Workspace, text: str, title: str | None = None) -> Preview:
    """What adding `text` would add, computed as the save computes it, without writing anything."""
    text = validate_text(text)
    loaded = ws.load()
    content = _compose(text, title)
    source = f"{INBOX}/{_free_name(ws.notes_dir.resolve() / INBOX, title, content)}"
    _, assembled = _fold_in(loaded, source, content.encode("utf-8"), default_tokenizer())
    old = loaded.index.concepts
    mentioned = dict.fromkeys(c for p in assembled.passage_delta for c in assembled.index.passage_concepts.get(p.id, ()))
    return Preview(concepts_new=_new_concepts(loaded, assembled),
                   concepts_known=[old[c].name for c in mentioned if c in old],
                   relations=[_relation_row(r, assembled.index) for r in assembled.added_relations])


def add_note(ws: Workspace, text: str, title: str | None = None, force: bool = False,
             to: str | None = None) -> AddResult:
    """Write a new note (or append to `to`) and update the index; refuse duplicates unless `force`.

    Raises `StorageError` when a write fails, saying whether the note was saved.
    """
    text = validate_text(text)
    ws.data_dir.mkdir(parents=True, exist_ok=True)
    with store.write_lock(ws.data_dir), store.no_gc_pauses():
        added = _added_hashes(ws)
        digest = _text_hash(text)
        if digest in added and not force:
            raise NoteRejectedError(f"this text was already added as {added[digest]} (use --force to add it again)")
        ws.builder = ws.builder or build  # an add refreshes a stale index first: a write, as the add is
        loaded = ws.refresh()
        if to is not None:
            path = _saved_or_error(lambda: _append_to(ws, to, text))
            return _index_or_error(path, lambda: _append_and_rebuild(ws, loaded, path, digest))
        path = _saved_or_error(lambda: _create_note(ws, title, _compose(text, title)))
        return _index_or_error(path, lambda: _add_and_fold_in(ws, loaded, path))


def _saved_or_error(write):
    try:
        return write()
    except OSError as exc:
        raise StorageError(f"the note was not saved: {exc.strerror or exc} (nothing was changed)") from exc


def _index_or_error(path: Path, update) -> AddResult:
    try:
        return update()
    except OSError as exc:
        raise StorageError(f"the note was saved as {path}, but the index was not updated: {exc.strerror or exc} "
                           "(run `kg build` once this is fixed)") from exc


def _fold_in(loaded: store.LoadedIndex, source: str, data: bytes,
             tokenizer: Tokenizer) -> tuple[FileExtract, Assembled]:
    """The note `source` (its bytes `data`) extracted, and the loaded index with it folded in:
    what both preview and save compute."""
    extract = extract_text(source, data.decode("utf-8"), tokenizer, sha=hashlib.sha256(data).hexdigest())
    return extract, apply_extract(loaded, extract, tokenizer)


def _new_concepts(loaded: store.LoadedIndex, assembled: Assembled) -> list[str]:
    return [assembled.index.concepts[c].name for c in sorted(assembled.index.concepts.keys() - loaded.index.concepts.keys())]


def _add_and_fold_in(ws: Workspace, loaded: store.LoadedIndex, path: Path) -> AddResult:
    """A new note folded into the loaded index on its own (see `ingest.incremental`)."""
    tokenizer = default_tokenizer()
    source = path.relative_to(ws.notes_dir.resolve()).as_posix()
    signature = note_signature(path)
    data = path.read_bytes()
    extract, assembled = _fold_in(loaded, source, data, tokenizer)
    store.write_atomic(cache_path(ws.data_dir, source, data), extract.model_dump_json().encode(), durable=False)
    notes = loaded.manifest["notes"]
    files = {**notes.files, source: extract.sha}
    stats = {**notes.stats, source: signature}
    gen = store.save(ws.data_dir, assembled, files, extra=manifest_extra(loaded.manifest.get("skipped", []), stats),
                     delta=append_delta(loaded, assembled))
    ws.remember(store.LoadedIndex(assembled.index, assembled.passage_bm25, assembled.concept_bm25,
                                  assembled.concept_order, assembled.dictionary, store.generation_manifest(gen), gen))
    return AddResult(path=path, concepts_new=_new_concepts(loaded, assembled),
                     relations_new=[_relation_row(r, assembled.index) for r in assembled.added_relations])


def _append_and_rebuild(ws: Workspace, loaded: store.LoadedIndex, path: Path, digest: str) -> AddResult:
    """Text appended to an existing note: the note changed, so the index is rebuilt (only that
    note is extracted again; the others come from the cache)."""
    _record(ws, digest, path)
    before = {(r.source, r.target, r.type) for r in loaded.index.relations}
    build(ws.notes_dir, ws.data_dir)
    index = store.load(ws.data_dir).index
    return AddResult(
        path=path,
        concepts_new=[index.concepts[c].name for c in sorted(index.concepts.keys() - loaded.index.concepts.keys())],
        relations_new=[_relation_row(r, index) for r in index.relations if (r.source, r.target, r.type) not in before],
    )


def _relation_row(r, index) -> dict:
    ev = r.evidence[0] if r.evidence else None
    return {"source": index.concepts[r.source].name, "target": index.concepts[r.target].name, "type": r.type,
            "evidence": ev.text if ev else ""}


def _compose(text: str, title: str | None) -> str:
    """The file a note is saved as: its title (one line, visible characters, JSON-quoted, which YAML
    reads as a double-quoted string) in front matter, then the text as typed.

    Examples
    --------
    >>> print(_compose("dropout 可以缓解过拟合", "过拟合: 怎么办\\n"), end="")
    ---
    title: "过拟合: 怎么办"
    ---
    <BLANKLINE>
    dropout 可以缓解过拟合
    """
    body = text if text.endswith("\n") else text + "\n"
    title = visible(" ".join((title or "").split()))
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n{body}" if title else body


def _names(inbox: Path, title: str | None, content: str):
    """Candidate names of a new note, `<date>-<slug>.md`, then `-2`, `-3`…"""
    stem = f"{_dt.date.today().isoformat()}-{sanitize_title(title or _first_words(content))}"
    return (f"{stem}.md" if n == 1 else f"{stem}-{n}.md" for n in range(1, 10_000))


def _free_name(inbox: Path, title: str | None, content: str) -> str:
    """The name `_create_note` would give the note now (for the preview)."""
    return next(name for name in _names(inbox, title, content) if not (inbox / name).exists())


def _create_note(ws: Workspace, title: str | None, content: str) -> Path:
    """A new file in notes/inbox named `<date>-<slug>.md`; never an existing one."""
    inbox = ws.notes_dir.resolve() / INBOX
    inbox.mkdir(parents=True, exist_ok=True)
    for name in _names(inbox, title, content):
        path = inbox / name
        if not path.resolve().is_relative_to(inbox):
            raise SettingsError(f"refusing a note path outside the notes folder: {path}")
        tmp = inbox / f".{path.name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(content.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            continue
        finally:
            tmp.unlink(missing_ok=True)
        store.fsync_dir(inbox)
        return path
    raise KgError(f"could not find a free file name in {inbox}")


def _first_words(text: str) -> str:
    first = next((line.strip("# ").strip() for line in text.splitlines() if line.strip()), "note")
    return first[:30]


def _append_to(ws: Workspace, to: str, text: str) -> Path:
    root = ws.notes_dir.resolve()
    target = (root / to).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise SettingsError(f"--to must name an existing note inside {ws.notes_dir}: {to}")
    old = target.read_bytes()
    separator = f"\n\n---\n\n## {_dt.datetime.now().strftime('%Y-%m-%d %H:%M')}\n\n"
    store.write_atomic(target, old + separator.encode("utf-8") + text.encode("utf-8") + b"\n")
    return target


def _registry(ws: Workspace) -> Path:
    return ws.data_dir / "added.jsonl"


def _added_hashes(ws: Workspace) -> dict[str, str]:
    """Hashes of every text added before: the inbox notes' bodies (so it survives a deleted data
    folder) and the registry of texts appended to other notes."""
    seen: dict[str, str] = {}
    inbox = ws.notes_dir / INBOX
    for path in sorted(inbox.glob("*.md")) if inbox.is_dir() else ():
        try:
            body = read_note(path).decode("utf-8")
        except (UnreadableNote, KgError, UnicodeDecodeError):
            continue
        seen[_text_hash(_strip_title(body))] = path.name
    try:
        for line in _registry(ws).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            seen[row["sha"]] = row["path"]
    except (OSError, ValueError, KeyError):
        pass
    return seen


def _strip_title(body: str) -> str:
    """The text a note was added with: without its front matter, or the `# title` older kg wrote."""
    stripped = strip_front_matter(body)
    return stripped if stripped != body else re.sub(r"\A# [^\n]*\n\n", "", body, count=1)


def _record(ws: Workspace, digest: str, path: Path) -> None:
    registry = _registry(ws)
    old = registry.read_bytes() if registry.exists() else b""
    row = json.dumps({"sha": digest, "path": path.name}, ensure_ascii=False).encode("utf-8") + b"\n"
    store.write_atomic(registry, old + row)
