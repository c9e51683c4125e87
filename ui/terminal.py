"""Printing what notes contain: control and bidi characters escaped, JSON in UTF-8.

A note's name or text may hold an ANSI escape or a right-to-left override; printed
raw, it would rewrite the terminal or show a file name backwards. Every face that
prints (the `kg` commands) goes through `say` and `dumps`.
"""

from __future__ import annotations

import json
import re
import sys

_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069"
                              "\ufeff\ud800-\udfff]")


def shown(text: str) -> str:
    """`text` safe to print on a terminal: controls, bidi overrides and zero-widths escaped.

    Examples
    --------
    >>> print(shown("a\u202eb\x1b[2Jc\tok"))
    a\\u202eb\\x1b[2Jc	ok
    """
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                else f"\\u{ord(m.group()):04x}", text)


def dumps(value) -> str:
    """JSON with Chinese as UTF-8 (not `\\uXXXX`), but the characters `shown` escapes escaped.

    Examples
    --------
    >>> print(dumps({"name": "过拟合\u202e"}))
    {"name": "过拟合\\u202e"}
    """
    return escape_json(json.dumps(value, ensure_ascii=False))


def escape_json(text: str) -> str:
    """JSON text with terminal-unsafe characters as `\\uXXXX` (they only occur inside strings)."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def say(text: str = "", err: bool = False) -> None:
    print(shown(text), file=sys.stderr if err else sys.stdout)
