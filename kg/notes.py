"""Which files of the notes folder are notes; reading them within the size limit; decoding their bytes.

Every read needs `find_notes` (to tell whether the index is stale), not only a build, so
this lives in the core; `ingest.read` re-exports it for the write path.

Lenient about notes: a file that cannot be decoded, is binary, too big, not a regular
file (a FIFO or device would block or never end), a link that loops or leaves the
folder, is skipped with a reason, never a crash and never silently. Strict about the
folder: one that cannot be listed, or a note that cannot be opened, stops the build
with a clear error, so the last good index is kept instead of one missing those notes.
"""

from __future__ import annotations

import operator
import os
import re
import stat
import time
from pathlib import Path
from typing import BinaryIO

from kg.errors import NotesUnreadableError
from kg.limits import max_note_bytes

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
_SURROGATE = re.compile("[\udc80-\udcff]")
"""How a file name's bytes that are not UTF-8 appear in a `str` (`os.fsdecode`)."""
_BY_NAME = operator.attrgetter("name")
_CHUNK = 1 << 16


class UnreadableNote(ValueError):
    """A note that is skipped (or refused by `kg add`); the message is the reason."""


class UndecodableNote(UnreadableNote):
    """Bytes that are not text in any encoding we accept."""


class NoteTooBig(UnreadableNote):
    """More bytes than the note-size limit (`kg.limits`); noticed before reading them all."""


def find_notes(root: Path) -> tuple[dict[str, Path], list[tuple[str, str]]]:
    """Note files under `root` by the name each is known by (its path relative to `root`; a
    link keeps its own name), sorted, and the (name, reason) of those skipped.

    Hidden folders (`.kg`, `.git`), a file system's `lost+found` and our own temp files are not notes. A symlink
    whose target resolves outside `root` is skipped: notes are the user's folder,
    not whatever a link points at. A file name that is not UTF-8 (a GBK name from a
    Windows zip) keeps its bytes in the path and is known by a readable name.
    Raises `NotesUnreadableError` when a folder cannot be listed.
    """
    found, skipped = note_files(root)
    return {rel: Path(path) for rel, path in found.items()}, skipped


def note_files(root: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """`find_notes` with each file's path as a string: what a staleness check of many notes needs
    (a `Path` or a `stat` per note costs more than the walk itself)."""
    root = root.resolve()
    found: dict[str, str] = {}
    skipped: list[tuple[str, str]] = []
    stack = [(str(root), "")]
    while stack:  # depth first, in name order, as `os.walk` goes; one scandir per folder and no stat per file
        folder, prefix = stack.pop()
        subfolders = []
        for entry in _entries(folder):
            name = entry.name
            if _is_plain_file(entry):  # the usual note, told from the folder listing alone
                if not name.startswith(".") and name.lower().endswith(NOTE_SUFFIXES):
                    found[readable_name(prefix + name, found)] = entry.path
                continue
            if _is_folder(entry):
                if not name.startswith(".") and name != "lost+found" and not entry.is_symlink():
                    subfolders.append((entry.path, f"{prefix}{name}/"))  # links to folders are not followed
                continue
            if name.startswith(".") or not name.lower().endswith(NOTE_SUFFIXES):
                continue
            rel = readable_name(prefix + name, found)
            reason = _not_a_note(entry, root)
            if reason:
                skipped.append((rel, reason))
            else:
                found[rel] = entry.path
        stack.extend(reversed(subfolders))
    return found, skipped


def folder_signatures(root: Path) -> dict[str, list[int]] | None:
    """`[ctime_ns, inode, when]` of every folder a walk of `root` enters, by its prefix (`""`,
    `"a/"`, …), taken before the notes are listed; None when the folder holds anything but
    folders and plain files with UTF-8 names (a link, a FIFO, a renamed name), whose meaning
    can change while its folder stays the same.

    A folder's ctime changes whenever an entry is added, removed or renamed in it, or its mode
    changes: a read that finds every folder as recorded knows the walk would list the same notes
    (`listing_unchanged`), and only stats them.
    """
    root = root.resolve()
    found: dict[str, list[int]] = {}
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        info = os.stat(folder)
        found[prefix] = [info.st_ctime_ns, info.st_ino, time.time_ns()]
        for entry in _entries(folder):
            if entry.is_symlink() or _SURROGATE.search(entry.name):
                return None
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name != "lost+found":
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
            elif not entry.is_file(follow_symlinks=False):
                return None
    return found


def listing_unchanged(root: Path, folders: dict[str, list[int]], settled_ns: int) -> bool:
    """Whether every folder of `folder_signatures` is as recorded, and was already `settled_ns`
    old when recorded (a change in the same clock tick would leave its ctime as it was)."""
    base = str(root.resolve())
    for prefix, (ctime, ino, when) in folders.items():
        try:
            info = os.stat(os.path.join(base, prefix) if prefix else base)
        except OSError:
            return False
        if info.st_ctime_ns != ctime or info.st_ino != ino or when - ctime <= settled_ns:
            return False
    return True


def _entries(folder: str) -> list[os.DirEntry]:
    """A folder's entries by name; a folder that cannot be listed stops the build (its notes would
    silently vanish from the index)."""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=_BY_NAME)
    except OSError as error:
        raise NotesUnreadableError(f"cannot read the notes folder {readable_name(folder)}: {error.strerror} "
                                   "(nothing was built; the last index is kept)") from None


def _is_plain_file(entry: os.DirEntry) -> bool:
    """A regular file, not a link: what `_not_a_note` accepts without a `stat`."""
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _not_a_note(entry: os.DirEntry, root: Path) -> str | None:
    """Why a file entry is skipped, or None for a regular file inside `root` (directly or by link).
    Only links cost a `stat`: the entry's own type says whether a plain file is regular."""
    if not entry.is_symlink():
        try:
            regular = entry.is_file(follow_symlinks=False)
        except OSError as exc:
            return exc.strerror
        return None if regular else "not a regular file (a FIFO, device or socket)"
    path = Path(entry.path)
    try:
        if not path.resolve().is_relative_to(root):
            return "symlink pointing outside the notes folder"
        mode = path.stat().st_mode
    except RuntimeError:  # Python 3.11 reports a symlink loop this way; later versions raise OSError
        return "symlink loop"
    except OSError as exc:
        return "symlink loop" if exc.errno == 40 else "broken symlink"
    return None if stat.S_ISREG(mode) else "not a regular file (a FIFO, device or socket)"


def readable_name(name: str, taken: dict[str, Path] | None = None) -> str:
    """`name` as a person can read it: a name whose bytes are not UTF-8 (held as surrogates) is
    decoded as a note would be, else its odd bytes are shown as `\\xNN`.

    Examples
    --------
    >>> readable_name(os.fsdecode("过拟合.md".encode("gbk")))
    '过拟合.md'
    >>> print(readable_name(os.fsdecode(b"a\\xff.md")))
    a\\xff.md
    """
    if name.isascii() or not _SURROGATE.search(name):
        return name
    raw = os.fsencode(name)
    try:
        shown = decode(raw)
    except UndecodableNote:
        shown = raw.decode("utf-8", "backslashreplace")
    if "\ufffd" in shown or shown in (taken or {}):
        shown = raw.decode("utf-8", "backslashreplace")
    return shown


def read_note(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the note at `path`, refusing one over `limit` (default: the note limit)
    before reading it, and anything that is not a regular file without blocking on it.

    Raises `NoteTooBig` or `UnreadableNote` (skip the note), `NotesUnreadableError` when the
    file exists but cannot be opened or read (permissions, I/O error).
    """
    limit = max_note_bytes() if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise UnreadableNote("removed while reading") from None
    except OSError as exc:
        raise NotesUnreadableError(f"cannot read note {readable_name(str(path))}: {exc.strerror} "
                                   "(nothing was built; the last index is kept)") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableNote("not a regular file (a FIFO, device or socket)")
        if info.st_size > limit:
            raise NoteTooBig(_too_big(info.st_size, limit))
        return read_stream(fh, limit)


def read_stream(stream: BinaryIO, limit: int | None = None) -> bytes:
    """At most `limit` bytes of a stream (stdin, an upload), refusing it as soon as there are more:
    `kg add - < /dev/zero` stops after the limit instead of reading until memory runs out.

    Examples
    --------
    >>> import io
    >>> read_stream(io.BytesIO(b"abc"), limit=3)
    b'abc'
    >>> read_stream(io.BytesIO(b"abcd"), limit=3)
    Traceback (most recent call last):
    kg.notes.NoteTooBig: too big: more than 3 bytes, the limit (set KG_MAX_NOTE_BYTES)
    """
    limit = max_note_bytes() if limit is None else limit
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise NoteTooBig(f"too big: more than {limit:,} bytes, the limit (set KG_MAX_NOTE_BYTES)")


def _too_big(size: int, limit: int) -> str:
    return f"too big: {size:,} bytes, over the limit of {limit:,} (set KG_MAX_NOTE_BYTES)"


def decode(data: bytes) -> str:
    """Text of a note: UTF-8 (with or without BOM), UTF-16 by BOM, then GB18030, then Big5.

    GB18030 accepts almost any byte string, so its result is only trusted when most
    of its Chinese characters are common ones; Big5 read as GB18030 is not, and is
    then tried as Big5 instead of being stored garbled.

    Examples
    --------
    >>> decode("过拟合".encode("gb18030"))
    '过拟合'
    >>> decode("\\ufeff过拟合".encode("utf-8"))
    '过拟合'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16")
    if b"\x00" in data[:8192]:
        raise UndecodableNote("binary file (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible_chinese(text, encoding):
            return text
    raise UndecodableNote("not UTF-8, UTF-16, GB18030 or Big5 text")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UndecodableNote(f"invalid {encoding}: {exc.reason}") from exc


def _plausible_chinese(text: str, encoding: str) -> bool:
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return True
    common = "gb2312" if encoding == "gb18030" else "big5"
    ok = 0
    for c in han:
        try:
            c.encode(common)
            ok += 1
        except UnicodeEncodeError:
            pass
    return ok / len(han) >= 0.9 and _control_ratio(text) < 0.01


def _control_ratio(text: str) -> float:
    bad = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t")
    return bad / max(1, len(text))

