"""Clean decoded note text without losing what the user wrote.

Invisible characters go (zero-width, controls), HTML entities become their
characters, lookalike radicals from PDF copy-paste become the normal characters,
odd spaces become plain spaces. Full-width ASCII stays as written: matching folds
it (`kg.normalize.fold`), display keeps it. YAML front matter (the `title:` that
`kg add --title` writes, or an editor's metadata) is blanked, not mined: it names
the note, it states no fact.
"""

from __future__ import annotations

import html
import re
import unicodedata

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_RADICALS = re.compile(r"[\u2e80-\u2ef3\u2f00-\u2fd5]")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n((?:(?:[A-Za-z_][\w-]*[ \t]*:|[ \t]|- |#)[^\n]*\n|[ \t]*\n){0,60}?)"
                           r"(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_text(text: str) -> str:
    """Cleaned text of a note.

    Examples
    --------
    >>> clean_text("⽤⼀个\\u200b模型&emsp;&lt;b&gt;\\r\\n")
    '用一个模型 <b>\\n'
    """
    text = strip_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    text = _INVISIBLE.sub("", text)
    text = _RADICALS.sub(_radical_to_character, text)
    return _SPACES.sub(" ", text)


def strip_front_matter(text: str) -> str:
    """`text` with a leading YAML front matter block blanked (line numbers kept).

    Only a block whose lines all look like YAML keys, list items or indented
    values counts, so a note that merely opens with a `---` rule keeps its text.

    Examples
    --------
    >>> strip_front_matter('---\\ntitle: "过拟合"\\n---\\n\\n过拟合是…\\n')
    '\\n\\n\\n\\n过拟合是…\\n'
    >>> strip_front_matter('---\\n过拟合是…\\n---\\n')
    '---\\n过拟合是…\\n---\\n'
    """
    m = _FRONT_MATTER.match(text)
    return "\n" * m.group().count("\n") + text[m.end():] if m else text


def _radical_to_character(m: re.Match) -> str:
    folded = unicodedata.normalize("NFKC", m.group())
    return folded if folded != m.group() else _SUPPLEMENT.get(m.group(), m.group())


# CJK Radicals Supplement forms that NFKC leaves alone but PDFs emit for common characters.
_SUPPLEMENT = {"⺠": "民", "⻓": "长", "⻔": "门", "⻛": "风", "⻅": "见", "⻜": "飞", "⻢": "马", "⻋": "车",
               "⻉": "贝", "⻩": "黄", "⻥": "鱼", "⻬": "齐", "⻝": "食", "⻚": "页", "⻰": "龙", "⻆": "角",
               "⻄": "西", "⺟": "母", "⻘": "青", "⻣": "骨", "⻤": "鬼", "⻨": "麦"}
