"""Find note files under the notes folder and decode their bytes.

Lenient about notes: a file that cannot be decoded, is binary, or is a link that
leaves the folder is skipped with a reason, never a crash and never silently.
"""

from __future__ import annotations

from kg.notes import NOTE_SUFFIXES, find_notes  # noqa: F401 (re-exported for the write path)


class UndecodableNote(ValueError):
    """Bytes that are not text in any encoding we accept."""


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

