"""Split a cleaned note into units: what a person would quote, with where it came from.

Units are the evidence of relations and the mentions of concepts; `ingest.blocks` groups
them into the passages search returns. Markdown notes go through a markdown parser
(`ingest.markdown`), which also drops navigation and residue. Plain-text notes are often
hard-wrapped mid-sentence and have no blank lines at all, so lines are joined when the
break looks like a wrap (`join_wrapped`), and short title lines (`目标检测`, `集成学习`) are
headings; a note typed one fact per line keeps one unit per line.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field

from ingest.markdown import Heading, markdown_units
from ingest.markers import LIST_ITEM as _LIST_ITEM
from ingest.markers import QUESTION as _QUESTION
from kg.models import Passage
from kg.normalize import display_width, key, wider_than
from kg.resources import glossary

MAX_PASSAGE = 500
_FACT_LINES_MIN = 3
_FACT_SHARE = 0.8
_TITLE_SCOPE = 8
_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MARKER_AT_END = re.compile(r"(?:^|\s)(?:\d{1,3}[.、)]|[(（]\d{1,3}[)）])\s*$")
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_TERMINAL = re.compile(r"[。！？!?；;]\s*$")
_CONTINUATION_START = re.compile(r"^[,，、。.)）\]】;；:：!！?？%]")
_DEFINITION = re.compile(r"^\s*(?!https?:)[^\s:：,，。]{1,24}\s*[:：]\s*\S")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;])|\n|(?<=[a-z0-9)][.])\s+(?=[A-Z\u4e00-\u9fff])")
_CLAUSE_STARTS = ("使用", "采用", "利用", "通过", "进行", "如果", "因为", "所以", "但是", "然后", "其中", "目前", "一般", "可以", "需要")
_PUNCT = re.compile(r"[，。,;；!！?？=<>{}\[\]“”\"]")


@dataclass
class _Block:
    line: int
    lines: list[str] = field(default_factory=list)
    kind: str = "paragraph"

    def __post_init__(self):
        self._joined: tuple[int, str] | None = None

    @property
    def text(self) -> str:
        """The lines joined as one passage (recomputed only when a line was added)."""
        if self._joined is None or self._joined[0] != len(self.lines):
            self._joined = (len(self.lines), _join_lines(self.lines))
        return self._joined[1]


def split_passages(text: str, source: str, markdown: bool | None = None) -> list[Passage]:
    """Units of one note, in order, each with its heading path and first line.

    Examples
    --------
    >>> ps = split_passages("目标检测\\n两阶段方法的特点是先提议区域,再分类。\\n", "a.txt")
    >>> [(p.heading, p.text) for p in ps]
    [(('目标检测',), '两阶段方法的特点是先提议区域,再分类。')]
    """
    if markdown is None:
        markdown = source.lower().endswith((".md", ".markdown"))
    if markdown:
        blocks = (((u.heading, u.heading_lines), _Block(u.line, u.lines, u.kind)) for u in markdown_units(text))
    else:
        blocks = _blocks(text.split("\n"), one_fact_per_line(text))
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for (heading, heading_lines), block in blocks:
        for offset, chunk in _chunks(block.text):
            chunk = chunk.strip()
            if not chunk:
                continue
            line = block.line + _line_of_offset(block.lines, offset)
            kind = _kind(block.kind, chunk)
            pid = _passage_id(source, chunk, seen)
            passages.append(Passage(id=pid, source=source, line=line, heading=heading, text=chunk, kind=kind,
                                    heading_lines=heading_lines))
    return passages


def one_fact_per_line(text: str) -> bool:
    """A plain note typed one fact per line: (nearly) every line ends a sentence or is `X:Y`.

    Such a note has no hard wraps to join, so each line is a unit of its own (an Add-page note
    of 38 fact lines must not become one passage).

    Examples
    --------
    >>> one_fact_per_line("Dropout:随机丢弃\\nBN 加速收敛。\\nAdam 自适应学习率;\\n")
    True
    >>> one_fact_per_line("梯度消失:一般是选了不合适的激活函数 1.\\n靠近输出层的梯度大,收敛快\\n")
    False
    """
    lines = [l.strip() for l in text.split("\n") if l.strip()]
    facts = sum(map(_is_fact, lines))
    return len(lines) >= _FACT_LINES_MIN and facts >= _FACT_SHARE * len(lines)


def _is_fact(line: str) -> bool:
    """A line that ends a sentence or is `X:Y`: a fact, never a title."""
    return bool(_TERMINAL.search(line.strip()) or _DEFINITION.match(line))


def _blocks(lines: list[str], line_per_unit: bool = False):
    """Yield ((heading path, heading lines), block) pairs of a plain note; a heading with no text under
    it is a block of its own. `line_per_unit` never joins lines (see `one_fact_per_line`)."""
    headings: list[Heading] = []
    current: _Block | None = None
    fence: str | None = None
    under_title: list[bool] = []

    def path() -> tuple[tuple[str, ...], tuple[int, ...]]:
        return tuple(h.text for h in headings), tuple(h.line for h in headings)

    def flush():
        nonlocal current
        out, current = current, None
        if out is None or not out.text.strip():
            return []
        if headings and _title_scope_ended(under_title, out):
            headings.clear()
        under_title.append(bool(_DEFINITION.match(out.text)))
        for h in headings:
            h.used = True
        return [(path(), out)]

    def replace_headings(keep: list[Heading], new: Heading):
        """Swap in a new heading; headings leaving the path with nothing under them are kept as passages."""
        out = []
        for i, h in enumerate(headings):
            if h not in keep and not h.used:
                out.append(((tuple(x.text for x in headings[:i]), tuple(x.line for x in headings[:i])),
                            _Block(h.line, [h.text], "heading")))
        headings[:] = keep + [new]
        under_title.clear()
        return out

    for number, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if fence is not None:
            current.lines.append(raw)
            if line.strip().startswith(fence):
                fence = None
                yield from flush()
            continue
        fence_match = _FENCE.match(line)
        if fence_match:
            yield from flush()
            fence = fence_match.group(1)
            current = _Block(number, [raw], "code")
            continue
        if not line.strip():
            yield from flush()
            continue
        md = _MD_HEADING.match(line)
        if md:
            yield from flush()
            level, title = len(md.group(1)), md.group(2).strip()
            yield from replace_headings([h for h in headings if h.level < level], Heading(level, title, number))
            continue
        if not (line_per_unit and _is_fact(line)) and _is_title_line(line, lines, number) and not (current and join_wrapped(current.lines[-1], line)):
            yield from flush()
            stacked = [] if any(h.used for h in headings) else headings[-2:]
            yield from replace_headings(stacked, Heading(1, line.strip().rstrip(":："), number))
            continue
        starts_item = bool(_LIST_ITEM.match(line))
        if _TABLE.match(line):
            if current is None or current.kind != "table":
                yield from flush()
                current = _Block(number, [], "table")
            current.lines.append(line)
            continue
        if current is not None and current.kind == "table":
            yield from flush()
        if current is None:
            current = _Block(number, [line], "item" if starts_item else "paragraph")
            continue
        joined = not line_per_unit and join_wrapped(current.lines[-1], line)
        if joined:
            current.lines.append(line)
        else:
            yield from flush()
            current = _Block(number, [line], "item" if starts_item else "paragraph")
    yield from flush()
    yield from replace_headings([], Heading(0, "", 0))


def _title_scope_ended(kinds: list[bool], block: _Block) -> bool:
    """A plain-text title has no end marker: it governs at most `_TITLE_SCOPE` passages, and
    stops where two definition lines in a row start a glossary-like run of their own."""
    if len(kinds) >= _TITLE_SCOPE:
        return True
    return len(kinds) >= 2 and kinds[-1] and bool(_DEFINITION.match(block.text))


def _is_title_line(line: str, lines: list[str], number: int) -> bool:
    """A short line with no sentence punctuation, followed by more text: a plain-text heading."""
    s = line.strip().rstrip(":：")
    if not s or wider_than(s, 22) or len(s) < 2 or _PUNCT.search(s) or _LIST_ITEM.match(line):
        return False
    if any(s.startswith(w) for w in _CLAUSE_STARTS):
        return False
    if s.startswith(("http", "www.", "![", "<")) or re.fullmatch(r"[\d\s.\-+*/=()]+", s):
        return False
    following = next((l for l in lines[number:] if l.strip()), None)
    return following is not None and not join_wrapped(line, following)


def join_wrapped(previous: str, line: str) -> bool:
    """Whether `line` continues `previous` (a hard wrap) rather than starting anew.

    Examples
    --------
    >>> join_wrapped("梯度消失:一般是选了不合适的激活函数 1.", "靠近输出层的梯度大,收敛快")
    True
    >>> join_wrapped("ReLU激活函数", "欠拟合的处理方法:模型复杂化、增加特征")
    False
    >>> join_wrapped("Denoising Diffusion Probabilistic", "Model(DDPM,去噪扩散概率模型)是一种")
    True
    """
    prev, cur = previous.rstrip(), line.strip()
    if _TERMINAL.search(prev) and not _MARKER_AT_END.search(prev):
        return False
    if prev.count("(") + prev.count("（") > prev.count(")") + prev.count("）"):
        return True
    if _LIST_ITEM.match(cur) or _DEFINITION.match(cur) and not _CONTINUATION_START.match(cur):
        return False
    if _MARKER_AT_END.search(prev) or _CONTINUATION_START.match(cur):
        return True
    if prev.count("[") > prev.count("]") or re.search(r"[-+*/=|<>,，、]$", prev):
        return True
    if re.search(r"[A-Za-z0-9]$", prev):
        if _bridges_known_term(prev, cur):
            return True
        if re.match(r"[A-Za-z]", cur):
            first = re.match(r"[A-Za-z0-9']+", cur).group()
            return wider_than(prev, 71 - display_width(first)) or cur[0].islower()
        return wider_than(prev, 59)
    return False


def _bridges_known_term(prev: str, cur: str) -> bool:
    """The words around the break form a glossary term (`Latent Diffusion` / `Model(LDM`)."""
    tail = re.findall(r"[A-Za-z0-9'’\-]+", prev)[-4:]
    head = re.match(r"[A-Za-z0-9'’\-]+|[\u4e00-\u9fff]{1,4}", cur)
    if not tail or not head:
        return False
    known = glossary_keys()
    for k in range(1, len(tail) + 1):
        stem = "".join(tail[-k:])
        piece = head.group()
        for end in range(len(piece), 0, -1):
            if key(stem + piece[:end]) in known:
                return True
    return False


@functools.lru_cache(maxsize=1)
def glossary_keys() -> frozenset[str]:
    return frozenset(key(n) for e in glossary().entries for n in (e.name, *e.aliases))


def _join_lines(lines: list[str]) -> str:
    out = ""
    for line in lines:
        piece = line.strip()
        if not out:
            out = piece
        elif re.search(r"[A-Za-z0-9.,;:)]$", out) and re.match(r"[A-Za-z0-9(]", piece):
            out += " " + piece
        elif out.endswith(("-", "–")) or not piece:
            out += piece
        else:
            sep = " " if re.search(r"[A-Za-z0-9]$", out) or re.match(r"[A-Za-z0-9]", piece) else ""
            out += sep + piece
    return out


def _line_of_offset(lines: list[str], offset: int) -> int:
    """Which of the block's lines (0-based) holds character `offset` of the joined text."""
    total = 0
    for i, line in enumerate(lines):
        total += len(line.strip()) + 1
        if offset < total:
            return i
    return max(0, len(lines) - 1)


def _chunks(text: str) -> list[tuple[int, str]]:
    """Pieces of at most ~MAX_PASSAGE characters, cut at sentence ends where possible."""
    if len(text) <= MAX_PASSAGE:
        return [(0, text)]
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    out: list[tuple[int, str]] = []
    start, buf = 0, ""
    pos = 0
    for sentence in sentences:
        while len(sentence) > MAX_PASSAGE:
            if buf:
                out.append((start, buf))
                buf = ""
            out.append((pos, sentence[:MAX_PASSAGE]))
            pos += MAX_PASSAGE
            sentence = sentence[MAX_PASSAGE:]
        if buf and len(buf) + len(sentence) > MAX_PASSAGE:
            out.append((start, buf))
            buf = ""
        if not buf:
            start = pos
        buf += sentence
        pos += len(sentence)
    if buf:
        out.append((start, buf))
    return out


def _kind(block_kind: str, text: str) -> str:
    if block_kind in ("code", "table", "item", "heading"):
        return block_kind
    if _DEFINITION.match(text):
        return "definition"
    if len(text) <= 80 and _QUESTION.search(text):
        return "question"
    return "paragraph"


def _passage_id(source: str, text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha1(f"{source}\x00{text}".encode()).hexdigest()[:12]
    seen[digest] = seen.get(digest, 0) + 1
    return digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def sentences(text: str) -> list[str]:
    """Sentences of a passage, for patterns that must stay within one.

    An English full stop ends a sentence when a capital or a Chinese character follows
    (not in `3.5`, `e.g. the`).

    Examples
    --------
    >>> sentences("Dropout prevents overfitting. BN speeds up training;收敛更快")
    ['Dropout prevents overfitting.', 'BN speeds up training;', '收敛更快']
    """
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s.strip()]
