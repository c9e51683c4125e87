"""Normalization for matching: one place decides when two strings are "the same".

Notes keep their text as written; only the matching form is folded.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_KEY_DROP = re.compile(r"[\s\-_·'’‘`]+")


@functools.lru_cache(maxsize=1)
def _traditional_to_simplified() -> dict[int, str]:
    """Character-level Traditional → Simplified map from zhconv's table.

    Character-level is enough for matching (正則化 → 正则化) and runs at
    `str.translate` speed, which a phrase converter over whole notes does not.
    """
    import importlib.util
    import json
    from pathlib import Path

    # Read zhconv's table file directly: importing zhconv pulls in pkg_resources (0.13 s of a cold start).
    package = importlib.util.find_spec("zhconv").submodule_search_locations[0]
    table = json.loads((Path(package) / "zhcdict.json").read_text(encoding="utf-8"))["zh2Hans"]
    return {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}


def fold(text: str) -> str:
    """Fold a string for matching: NFKC (full-width, Kangxi radicals), case, Traditional.

    Examples
    --------
    >>> fold("Ｏverfitting 正則化 ⽤")
    'overfitting 正则化 用'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.translate(_traditional_to_simplified())


def key(name: str) -> str:
    """The lookup key of a name: folded, without whitespace and ``-_·'``.

    Examples
    --------
    >>> key("Over-Fitting") == key("overfitting")
    True
    >>> key("Earth Mover's Distance")
    'earthmoversdistance'
    """
    return unicodedata.normalize("NFKC", _KEY_DROP.sub("", fold(name)))


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)


def has_latin(text: str) -> bool:
    return any("a" <= c <= "z" or "A" <= c <= "Z" for c in text)


def one_line(text: str | None, limit: int) -> str:
    """Text flattened to one line of at most `limit` characters, with an ellipsis if cut.

    Examples
    --------
    >>> one_line("过拟合的处理:   数据增广、早停", 10)
    '过拟合的处理: 数…'
    """
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def display_width(text: str) -> int:
    """Columns a string takes in a monospace editor (CJK counts 2): how notes were wrapped."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wider_than(text: str, columns: int) -> bool:
    """`display_width(text) > columns`, without measuring lines that are plainly too long or short.

    Examples
    --------
    >>> wider_than("过拟合", 5), wider_than("过拟合", 6), wider_than("x" * 300, 72)
    (True, False, True)
    """
    if len(text) > columns:
        return True
    if 2 * len(text) <= columns:
        return False
    return display_width(text) > columns
