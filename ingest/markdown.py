"""Markdown notes as units, through a real parser: block tokens with line maps are provenance.

markdown-it-py (CommonMark, tables, `$$` math) decides what is a heading, a list item,
a code block or a table, so nothing inside a fence or a quote is mistaken for a heading.
What a reader never asks about is dropped here, before search and concept mining see it:
tables of contents (lists of links and nothing else, `[TOC]`), image-only lines, link
reference definitions, HTML comments and HTML without text (HTML with text is kept as written), and bibliography (lists
under a `参考文献` / `References` heading, `[1] …` entries).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from ingest.markers import LIST_ITEM

BOLD_LEVEL = 7
"""A paragraph that is only bold text (`**如何解决过拟合：**`) titles what follows, below any `#` heading."""
_BOLD_TITLE_MAX = 40
_TOC_LINE = re.compile(r"^\s*\[toc\]\s*$", re.I)
_BIBLIOGRAPHY_HEADING = re.compile(r"参考文献|参考资料|参考链接|参考文章|^\s*引用\s*$|^\s*(?:references?|bibliography|citations?)\s*$",
                                   re.I)
_BIBLIOGRAPHY_ENTRY = re.compile(r"^\s*(?:[-*+]\s*)?\[\d{1,3}\]\s*\S")
_URL_ONLY = re.compile(r"^\s*(?:[-*+]\s*)?<?https?://\S+>?\s*$")
_TAG = re.compile(r"<[^>]*>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_BOLD_TITLE = re.compile(r"^\s*(?:\*\*|__)([^*_\n]{1,%d}?)[:：]?(?:\*\*|__)\s*[:：]?\s*$" % _BOLD_TITLE_MAX)
_LINKS_ONLY = re.compile(r"(?:\s*\[[^\]]*\]\([^)]*\)[\s，,、;；|]*)+")


@dataclass
class RawUnit:
    """What the parser found: a run of text lines at a source line, under a heading path."""

    heading: tuple[str, ...]
    line: int
    lines: list[str]
    kind: str
    heading_lines: tuple[int, ...] = ()


@dataclass
class Heading:
    """A heading on the current path; `used` once a block was found under it (plain notes too)."""

    level: int
    text: str
    line: int
    used: bool = False


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """Block structure only: inline markup is undone by `_plain` (the inline pass cost as much as the
    block pass and the rest of extraction together)."""
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin).disable("inline")


def markdown_units(text: str) -> list[RawUnit]:
    """Units of a markdown note in order; headings with nothing under them are units of their own.

    Examples
    --------
    >>> units = markdown_units("# 过拟合\\n- [目录](#a)\\n\\n![](x.png)\\n\\n- 数据增广\\n- **早停**\\n")
    >>> [(u.heading, u.line, u.lines, u.kind) for u in units]
    [(('过拟合',), 6, ['- 数据增广'], 'item'), (('过拟合',), 7, ['- 早停'], 'item')]
    """
    walk = _Walk(_parser().parse(text), text.split("\n"))
    return walk.run()


class _Walk:
    def __init__(self, tokens: list[Token], lines: list[str]):
        self.tokens = tokens
        self.source = lines
        self.headings: list[Heading] = []
        self.units: list[RawUnit] = []
        self.items: list[str] = []
        """Marker of each open list item, while its first paragraph is still to come ('' after it)."""

    def run(self) -> list[RawUnit]:
        i = 0
        while i < len(self.tokens):
            i = self._step(i)
        self._replace_headings(0, None)
        return self.units

    def _step(self, i: int) -> int:
        t = self.tokens[i]
        if t.type in ("bullet_list_open", "ordered_list_open") and _is_navigation(self.tokens, i):
            return _closing(self.tokens, i) + 1
        if t.type == "heading_open":
            self._heading(int(t.tag[1]), _plain(self.tokens[i + 1].content), t.map[0] + 1)
            return i + 3
        if t.type == "list_item_open":
            self.items.append(f"{t.info}{t.markup}" if t.info else t.markup)
        elif t.type == "list_item_close":
            self.items.pop()
        elif t.type == "paragraph_open":
            self._paragraph(self.tokens[i + 1])
            return i + 3
        elif t.type in ("fence", "math_block", "math_block_label"):
            self._add(t.map[0] + 1, self.source[t.map[0]:t.map[1]], "code")
        elif t.type == "code_block":
            body = t.content.rstrip("\n").split("\n")
            self._add(t.map[0] + 1, body, "paragraph" if re.search(r"[\u4e00-\u9fff]", t.content) else "code")
        elif t.type == "table_open":
            self._add(t.map[0] + 1, self.source[t.map[0]:t.map[1]], "table")
            return _closing(self.tokens, i) + 1
        elif t.type == "html_block" and not t.content.lstrip().startswith("<!--"):
            if re.search(r"\w", _TAG.sub("", t.content)):
                self._add(t.map[0] + 1, t.content.split("\n"), "paragraph")
        return i + 1

    def _heading(self, level: int, title: str, line: int) -> None:
        self._replace_headings(level, Heading(level, title.strip().rstrip(":："), line))

    def _replace_headings(self, level: int, new: Heading | None) -> None:
        """Swap in a new heading; headings leaving the path with nothing under them are kept as units."""
        keep = [h for h in self.headings if h.level < level]
        for i, h in enumerate(self.headings):
            if h not in keep and not h.used and not self._in_bibliography(self.headings[:i + 1]):
                self.units.append(RawUnit(tuple(x.text for x in self.headings[:i]), h.line, [h.text], "heading",
                                          tuple(x.line for x in self.headings[:i])))
        self.headings = keep + ([new] if new and new.text else [])

    def _paragraph(self, inline: Token) -> None:
        line = inline.map[0] + 1
        if not self.items:
            title = _BOLD_TITLE.match(inline.content)
            if title and title.group(1).strip():
                self._heading(BOLD_LEVEL, _plain(title.group(1)).strip(), line)
                return
        text = _plain(inline.content)
        if not text.strip() or _TOC_LINE.match(text):
            return
        marker = self.items[-1] if self.items else ""
        if self.items:
            self.items[-1] = ""
        pieces: list[tuple[int, list[str]]] = []
        for offset, piece in enumerate(text.split("\n")):
            if not pieces or LIST_ITEM.match(piece):
                pieces.append((line + offset, []))
            pieces[-1][1].append(piece)
        for number, (at, lines) in enumerate(pieces):
            if number == 0 and marker:
                self._add(at, [f"{marker} {lines[0].strip()}", *lines[1:]], "item")
            else:
                self._add(at, lines, "item" if LIST_ITEM.match(lines[0]) or self.items else "paragraph")

    def _add(self, line: int, lines: list[str], kind: str) -> None:
        lines = [l for l in lines if l.strip()]
        if not lines or self._in_bibliography(self.headings):
            return
        if kind != "code" and all(_BIBLIOGRAPHY_ENTRY.match(l) or _URL_ONLY.match(l) for l in lines):
            return
        for h in self.headings:
            h.used = True
        self.units.append(RawUnit(tuple(h.text for h in self.headings), line, lines, kind,
                                  tuple(h.line for h in self.headings)))

    @staticmethod
    def _in_bibliography(headings: list[Heading]) -> bool:
        return bool(headings) and bool(_BIBLIOGRAPHY_HEADING.search(headings[-1].text))


def _closing(tokens: list[Token], i: int) -> int:
    """Index of the token that closes the one opened at `i`."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _is_navigation(tokens: list[Token], i: int) -> bool:
    """A list whose every paragraph is links and nothing else: a table of contents or an index of pages."""
    inlines = [t for t in tokens[i:_closing(tokens, i)] if t.type == "inline"]
    return bool(inlines) and all(_LINKS_ONLY.fullmatch(t.content) for t in inlines)


def _plain(content: str) -> str:
    """The text a reader sees: no emphasis marks, link targets or images; line breaks kept. Inline
    HTML stays as written (what a note says is shown, escaped, never dropped unseen).

    Examples
    --------
    >>> _plain("**早停**：见 [论文](https://x.org) ![](a.png) 停止\\\\*")
    '早停：见 论文  停止*'
    """
    text = _IMAGE.sub("", content)
    text = _LINK.sub(r"\1", text)
    return _ESCAPE.sub(r"\1", _EMPHASIS.sub("", text))
