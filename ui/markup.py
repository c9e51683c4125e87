"""Note text as the explorer shows it: markdown that is safe to hand to Streamlit.

Every string from the notes reaches the page through Streamlit's markdown, which
loads images (``![](http://…)``, even in widget labels) and, where raw HTML is
allowed, runs it. So:

- names, file names and query-string values go through :func:`md_text`, which
  backslash-escapes every markdown character: they show exactly as written;
- passages go through :func:`passage_markdown`: their own bold, code, lists and
  ``$formulas$`` (Streamlit's KaTeX) render, raw HTML shows as text, and images and
  links become their text, so nothing is fetched from another host;
- the few raw-HTML fragments (the legend) escape with :func:`esc`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")
_PROTECTED = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]+`|\$\$.+?\$\$|\$[^\s$](?:[^$\n]*[^\s$])?\$", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(([^)\n]*)\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\n]*)\)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.MULTILINE)
HIGHLIGHT = "orange-background"


def esc(text: object) -> str:
    """HTML-escape anything that came from the notes (quotes too).

    Examples
    --------
    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(str(text), quote=True)


def md_text(text: object) -> str:
    """Plain text for a markdown-rendering element: every markdown character escaped, shown as written.

    Examples
    --------
    >>> print(md_text("![x](http://evil.example/p.png)"))
    \\!\\[x\\]\\(http\\://evil\\.example/p\\.png\\)
    >>> md_text("过拟合")
    '过拟合'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def _term_pattern(terms: Iterable[str]) -> re.Pattern | None:
    parts = []
    for t in sorted({t for t in terms if t and t.strip()}, key=len, reverse=True):
        p = re.escape(t)
        if t[0].isascii() and t[0].isalnum():
            p = r"(?<![A-Za-z0-9])" + p
        if t[-1].isascii() and t[-1].isalnum():
            p = p + r"(?![A-Za-z0-9])"
        parts.append(p)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of `terms` in `text`, longest term first, ignoring case.

    Latin terms match whole words only, so ``bn`` is not found in ``ubnormal``.

    Examples
    --------
    >>> highlight_spans("Dropout防止过拟合 (overfitting)", ["过拟合", "dropout", "fit"])
    [(0, 7), (9, 12)]
    """
    pattern = _term_pattern(terms)
    return [m.span() for m in pattern.finditer(text)] if pattern else []


def _plain(text: str, pattern: re.Pattern | None) -> str:
    """Markdown outside code and formulas: images and links as their text, HTML as text, terms marked."""
    text = _LINK_DEFINITION.sub("", text)
    text = _IMAGE.sub(lambda m: m.group(1) or "image", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    out, last = [], 0
    for m in pattern.finditer(text) if pattern else ():
        out.append(_inert(text[last:m.start()]))
        out.append(f":{HIGHLIGHT}[{md_text(m.group())}]")
        last = m.end()
    out.append(_inert(text[last:]))
    return "".join(out)


def _inert(text: str) -> str:
    """Keep markdown, but no HTML, autolink, image or Streamlit directive can start here."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace("!", "\\!")
            .replace("[", "\\[").replace(":", "\\:"))


def passage_markdown(text: str, terms: Sequence[str] = ()) -> str:
    """A passage as safe markdown: its formatting kept, `terms` highlighted, nothing loaded from anywhere.

    Examples
    --------
    >>> passage_markdown("**Dropout** 防止过拟合 ![图](http://evil.example/p.png) <img src=x>", ["过拟合"])
    '**Dropout** 防止:orange-background[过拟合] 图 &lt;img src=x>'
    >>> passage_markdown("用 `a<b` 和 $x^2$ x", ["x"])
    '用 `a<b` 和 $x^2$ :orange-background[x]'
    """
    pattern = _term_pattern(terms)
    out, last = [], 0
    for m in _PROTECTED.finditer(text):
        out.append(_plain(text[last:m.start()], pattern))
        out.append(m.group())
        last = m.end()
    out.append(_plain(text[last:], pattern))
    return "".join(out)


_BLOCK_MARKERS = re.compile(r"^\s*(?:(?:[-*+]|\d+[.)]|#{1,6}|>)\s+)*")


def matched_markdown(text: str, matched: Sequence[int], terms: Sequence[str] = ()) -> str:
    """The lines of a passage that matched, as a quote to show above it: why the passage was found.

    Nothing when the passage is one line (all of it is the match) or no line matched.
    Each line loses its list or heading marker and goes through `passage_markdown`.

    Examples
    --------
    >>> print(matched_markdown("过拟合怎么办\\n- 数据增广\\n- 早停 <b>防止</b>过拟合", [2], ["过拟合"]))
    > » 早停 &lt;b>防止&lt;/b>:orange-background[过拟合]
    >>> matched_markdown("one line", [0])
    ''
    """
    lines = text.split("\n")
    if len(lines) < 2:
        return ""
    shown = [_BLOCK_MARKERS.sub("", lines[i]).strip() for i in dict.fromkeys(matched) if 0 <= i < len(lines)]
    return "\n>\n".join(f"> » {passage_markdown(line, terms)}" for line in shown if line)


def where(source: str, line: int, heading: Sequence[str] = ()) -> str:
    """Where a passage or evidence sentence is: ``file:line`` and its heading path.

    Examples
    --------
    >>> where("a.md", 3, ["深度学习", "过拟合"])
    'a.md:3 · 深度学习 › 过拟合'
    """
    return f"{source}:{line}" + (f" · {' › '.join(heading)}" if heading else "")
