"""Size limits on what kg reads: one definition each, used by the CLI, the app and the build.

A note over the limit is refused by `kg add` and by the app's upload, and skipped
(with the reason) when it is found in the notes folder: every reader checks the
size before reading, so a huge or endless input never fills memory.
"""

from __future__ import annotations

import math
import os

from kg.errors import NoteTooBigError, SettingsError

DEFAULT_MAX_NOTE_BYTES = 2_000_000
MAX_NOTE_BYTES_VARIABLE = "KG_MAX_NOTE_BYTES"
UPLOAD_HEADROOM = 4
"""The app's uploader accepts files this many times the note limit, so a file a little over the
limit reaches our check and is refused as too big (the browser refuses bigger ones itself)."""
MAX_QUERY_CHARS = 2_000
"""A query longer than this is refused: longer text is a note, not a question, and analysing it
costs time in proportion to its length."""
MAX_FUZZY_LOOKUPS = 64
"""Typo look-ups one query may make; words past this budget are matched exactly only."""


def max_note_bytes() -> int:
    """The note-size limit in bytes: `KG_MAX_NOTE_BYTES`, else 2,000,000; a bad value fails at once.

    Examples
    --------
    >>> max_note_bytes() == int(os.environ.get("KG_MAX_NOTE_BYTES", DEFAULT_MAX_NOTE_BYTES))
    True
    """
    raw = os.environ.get(MAX_NOTE_BYTES_VARIABLE, str(DEFAULT_MAX_NOTE_BYTES))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{MAX_NOTE_BYTES_VARIABLE} must be a number of bytes, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{MAX_NOTE_BYTES_VARIABLE} must be positive")
    return value


def check_note_size(size: int, what: str = "the note") -> None:
    """Refuse `size` bytes when over the limit, naming the limit and how to change it.

    Examples
    --------
    >>> check_note_size(10)
    >>> check_note_size(10**9, "big.md")
    Traceback (most recent call last):
    kg.errors.NoteTooBigError: big.md is too big: 1,000,000,000 bytes, over the limit of ... (set KG_MAX_NOTE_BYTES)
    """
    limit = max_note_bytes()
    if size > limit:
        raise NoteTooBigError(f"{what} is too big: {size:,} bytes, over the limit of {limit:,} "
                              f"(set {MAX_NOTE_BYTES_VARIABLE})")


def upload_limit_mb() -> int:
    """The app's upload limit in whole megabytes (Streamlit counts uploads in MB), from the note limit.

    Examples
    --------
    >>> upload_limit_mb() >= max_note_bytes() / 2**20
    True
    """
    return max(1, math.ceil(UPLOAD_HEADROOM * max_note_bytes() / 2**20))
