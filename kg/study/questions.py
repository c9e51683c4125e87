"""The question bank: the questions a note asks, and the passages that answer them.

Interview notes are mostly questions: headings such as `### 3.2.1 什么是卷积？`,
sentences ending in a question mark, lists of what an interviewer asked under a
`1018 tplink 图像算法面试` title, and `A和B的区别`. Finding them reads a note's units
as the build split them (`ingest.extract.note_units`: markdown through its parser,
plain text by lines, each unit with its heading path and the lines of its headings),
so fences, tables, links and headings are told apart once, by the build; answering
them goes through search, so better passages answer them better.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence

from kg.index import KnowledgeIndex
from kg.models import Passage
from kg.search import Searcher
from kg.study.models import BankEntry, Cite, Question

GAP = "你的笔记还没有覆盖"
"""What a question no passage answers is listed as."""

ANSWERS = 3
MIN_IN_PLACE = 6
"""Words (a Chinese character, or two letters) an answer written right after its question needs."""
WORD_SHARE = 3 / 4
"""Of a question naming no concept, the share of its words a passage must hold to answer it."""
TITLE_MAX = 40
ITEM_MAX = 80
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.、)），,]?|[（(]\d+[)）]|[一二三四五六七八九十]+[、.])\s*")
_BULLET = re.compile(r"^\s*(?:[-+*•]|\d+[.、)）]|[（(]\d+[)）])\s+")
_INTERVIEW = re.compile(r"面试|面经|笔试|[一二三四五终hH]面")
_NAMES_INTERVIEW = re.compile(r"(?:面试|面经|笔试|[一二三四五终hH]面)\s*(?:[(（][^)）]*[)）])?$")
_NOT_A_LIST = re.compile(r"总结|心得|感想|建议")
_PROSE = re.compile(r"[“”\"]|(?<![=!<>])=(?!=)")
"""An answer, not a question: a quotation or a formula (a lone `=`; `==` is code asked about)."""
_URL = re.compile(r"https?://\S+|www\.\S+")
_ASKED = re.compile(r"[^。！!；;?？]+?[?？]+")
_STARTS_ASKING = re.compile(r"^(?:什么是|什么叫|为什么|为何|如何|怎么|怎样|是否|请?简述|请?介绍|说说|谈谈|讲讲|"
                            r"(?:what|why|how|when|which|explain|describe)\b)", re.IGNORECASE)
_CONTRAST = re.compile(r"[^，,。；;：:?？！!]{1,30}?(?:和|与|跟|以及|vs\.?)[^，,。；;：:?？！!]{1,30}?"
                       r"(?:之间)?的?(?:区别|差别|差异|异同|不同点)", re.IGNORECASE)
_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]{2}|[\u4e00-\u9fff]")
_QUOTE = re.compile(r"^\s*(?:>\s*)+")
_DEFINES = re.compile(r"^[^:：]{1,30}[:：]\s*\S")
_FIRST_SENTENCE = re.compile(r"[^。！!？?]*[。！!？?]?")
_NOT_ASKED = ("code", "table")


def find_questions(units: Sequence[Passage]) -> list[Question]:
    """Every question one note's units ask, in note order, each once per line.

    `units` are the note's units in order, as `ingest.extract.note_units` splits them.

    Examples
    --------
    >>> from kg.models import Passage
    >>> def unit(line, text, heading=(), lines=()):
    ...     return Passage(id=str(line), source="a.md", line=line, heading=heading, heading_lines=lines, text=text)
    >>> units = [unit(2, "模型在训练集上好。", ("1.2 什么是过拟合？",), (1,)),
    ...          unit(3, "bagging 和 boosting 区别是什么?二者都集成"), unit(4, "1018 tplink 图像算法面试"),
    ...          unit(5, "自我介绍"), unit(6, "PGD的计算方法"), unit(7, "过拟合的处理:数据增广、早停")]
    >>> [(q.line, q.rule, q.text) for q in find_questions(units)]  # doctest: +NORMALIZE_WHITESPACE
    [(1, 'heading', '什么是过拟合？'), (3, 'mark', 'bagging 和 boosting 区别是什么?'),
     (5, 'interview', '自我介绍'), (6, 'interview', 'PGD的计算方法')]
    """
    by_line: dict[int, dict[str, Question]] = {}
    for q in _scan(units):
        by_line.setdefault(q.line, {}).setdefault(_collapse(q.text), q)
    return [q for found in by_line.values() for k, q in found.items()
            if not any(k != other and k in other for other in found)]


def _collapse(text: str) -> str:
    return re.sub(r"\s+", "", text.rstrip("?？"))


def _scan(units: Sequence[Passage]) -> Iterator[Question]:
    """Walk a note's headings and units in order, keeping track of an open interview list: a
    markdown interview heading lists what is under it; a plain interview title (a line, or a
    plain note's title line) lists the lines that follow, up to the first that reads as an answer."""
    if not units:
        return
    source = units[0].source
    markdown = source.lower().endswith((".md", ".markdown"))
    listing: int | None = None  # the open interview list: its heading's line, or 0 for a plain list
    for heading, u in _walk(units):
        if listing and listing not in (heading[2] if heading else u.heading_lines):
            listing = None  # left the interview heading's section
        if heading:
            title, line, _ = heading
            if _is_interview_title(title, heading=True):
                listing = line if markdown else 0
                continue
            text, rule = title, "heading"
        elif u.kind in _NOT_ASKED:
            continue
        else:
            text, line, rule = u.text.strip(), u.line, "mark"
            if _is_interview_title(text):
                listing = 0
                continue
        if listing == 0 or listing and rule == "mark":  # a markdown sub-heading is no item of the list
            item = _list_item(text)
            if item is not None:  # a plain note's title line is answered by what is under it
                yield Question(text=item, source=source, line=line, rule="interview",
                               heading=text if rule == "heading" else None)
                continue
            if listing == 0:
                listing = None
        if rule == "heading":
            if _is_question(asked := _NUMBERING.sub("", text)):
                yield Question(text=asked, source=source, line=line, rule="heading", heading=text)
        else:
            yield from _asked_in(text, source, line)


def _walk(units: Sequence[Passage]) -> Iterator[tuple[tuple[str, int, tuple[int, ...]] | None, Passage]]:
    """The note in order: each heading when first met, as ((title, line, the lines of the headings
    above it), the unit under it), then each unit as (None, unit). A heading with nothing under it
    is a unit of kind `heading`: it comes as a heading."""
    seen: set[int] = set()
    for u in units:
        for i, (title, line) in enumerate(zip(u.heading, u.heading_lines)):
            if line not in seen:
                seen.add(line)
                yield (title, line, u.heading_lines[:i]), u
        if u.kind == "heading":
            yield (u.text, u.line, u.heading_lines), u
        else:
            yield None, u


def _is_interview_title(line: str, heading: bool = False) -> bool:
    """A short title naming an interview (`1018 tplink 图像算法面试`, `### 二面（70分钟）`), not its summary.

    A plain line must end with the interview word: a line merely mentioning 面经 is prose.
    """
    named = _INTERVIEW.search(line) if heading else _NAMES_INTERVIEW.search(line)
    return len(line) <= TITLE_MAX and bool(named) and not _NOT_A_LIST.search(line) \
        and not _DEFINES.match(line) and not _URL.search(line)


def _list_item(raw: str) -> str | None:
    """The question a line of an interview list asks: a list item, or a short plain line that
    does not define or link anything; None when the line reads as an answer or prose."""
    bullet = _BULLET.match(raw)
    text = raw[bullet.end():].strip() if bullet else raw.strip()
    if bullet and len(text) > ITEM_MAX:  # an item and the interviewee's account run on: the item asks first
        text = _FIRST_SENTENCE.match(text).group(0)
    if not text or _URL.search(text) or len(text) > ITEM_MAX:
        return None
    if not bullet and (_DEFINES.match(text) or _PROSE.search(text)):
        return None
    return text


def _is_question(text: str) -> bool:
    """A title that asks: ends in a question mark, opens with an asking word and says about what
    (`介绍` alone titles an introduction), or contrasts two things."""
    asks = _STARTS_ASKING.match(text)
    return bool(text) and (text.endswith(("?", "？")) or bool(asks and _WORDY.search(text[asks.end():])) or
                           bool(_CONTRAST.fullmatch(text.rstrip("。."))))


def _asked_in(text: str, source: str, number: int) -> Iterator[Question]:
    """Sentences of a unit that end in a question mark, and `A和B的区别` clauses."""
    text = _BULLET.sub("", _QUOTE.sub("", _URL.sub(" ", text)), count=1).strip()
    follows = 0  # a question opens the unit or follows another: not one asked in passing mid-prose
    for m in _ASKED.finditer(text):
        sentence = _NUMBERING.sub("", re.sub(r"[?？]+$", lambda q: q.group(0)[0], m.group(0).strip()))
        if m.start() == follows and _WORDY.search(sentence):
            yield Question(text=sentence, source=source, line=number, rule="mark")
            follows = m.end()
    for m in _CONTRAST.finditer(text):
        yield Question(text=m.group(0).strip(), source=source, line=number, rule="contrast")


def question_bank(index: KnowledgeIndex, searcher: Searcher, questions: Iterable[Question]) -> list[BankEntry]:
    """Each question with the concepts it names and up to `ANSWERS` passages that answer it.

    A passage answers a question when it is written under the question (its heading),
    or when search finds it and it mentions a concept the question names (or, for a
    question naming none, holds most of its words); last, what follows the question in
    its own line answers it (`…线性不可分问题?手动添加特征,加大特征维度`). A question
    nothing answers is a gap: the notes ask it but do not yet answer it.
    """
    under: dict[tuple[str, str], list] = {}
    by_source: dict[str, list] = {}
    for p in index.passages:
        by_source.setdefault(p.source, []).append(p)
        if p.heading and p.kind not in ("heading", "question"):
            under.setdefault((p.source, p.heading[-1]), []).append(p)
    questions = list(questions)
    asked_at = {(q.source, q.line) for q in questions}
    asked = {k for q in questions if (k := _collapse(q.heading or q.text))}
    asking = {p.id for p in index.passages if p.kind == "question" or (p.source, p.line) in asked_at}
    return [_entry(searcher, q, under.get((q.source, q.heading), []) if q.heading else [], asking,
                   _answered_in_place(by_source.get(q.source, ()), q, asked)) for q in questions]


def _entry(searcher: Searcher, q: Question, under_heading: list, asking: set[str],
           in_place: Cite | None = None) -> BankEntry:
    analysis = searcher.analyse(q.text)
    named = tuple(dict.fromkeys([*([analysis.exact] if analysis.exact else []), *analysis.named]))
    answers: dict[tuple[str, int], Cite] = {}
    if in_place is not None and q.heading:  # the text under a title the block holds as a line of it
        answers[(in_place.source, in_place.line)] = in_place
    for p in [p for p in under_heading if p.line > q.line and p.id not in asking][:ANSWERS]:
        answers.setdefault((p.source, p.line), Cite(source=p.source, line=p.line, text=p.text))
    words = set(analysis.words)
    if named or len(words) >= 2:
        for hit in searcher.search(q.text, k=2 * ANSWERS).passages:
            if hit.id in asking or "](#" in hit.text or _holds(hit, q):
                continue
            if _answers(searcher, hit, named, words):
                answers.setdefault((hit.source, hit.line), Cite(source=hit.source, line=hit.line, text=hit.text))
    if in_place is not None and not q.heading and len(answers) < ANSWERS:
        answers.setdefault((in_place.source, in_place.line), in_place)
    return BankEntry(question=q, concepts=named, answers=tuple(list(answers.values())[:ANSWERS]))


def _answered_in_place(passages: Iterable, q: Question, asked: set[str] = frozenset()) -> Cite | None:
    """What the block holding a question writes right after it, when that says something and is
    not another question (`asked`, collapsed): notes often write `Q?A`, and a block holds the
    sub-titles it spans as lines (`KL散度 交叉熵` over the lines on 熵).

    Examples
    --------
    >>> from kg.models import Passage
    >>> p = Passage(id="b", source="a.txt", line=3, text="SVM 的损失\\n有哪些 trick?手动添加特征,加大特征维度\\n下一条")
    >>> _answered_in_place([p], Question(text="有哪些 trick?", source="a.txt", line=4, rule="mark")).text
    '手动添加特征,加大特征维度'
    >>> _answered_in_place([p], Question(text="SVM 的损失", source="a.txt", line=3, rule="mark")) is None
    True
    >>> title = Question(text="SVM 的损失", source="a.txt", line=3, rule="interview", heading="SVM 的损失")
    >>> _answered_in_place([p], title).text, _answered_in_place([p], title, {"有哪些trick"})
    ('有哪些 trick?手动添加特征,加大特征维度\\n下一条', None)
    """
    for p in passages:
        rest = _until_asked(_after(p.text, q), asked) if _holds(p, q) else ""
        if len(_WORDY.findall(rest)) >= MIN_IN_PLACE:
            return Cite(source=q.source, line=q.line, text=rest)
    return None


def _until_asked(text: str, asked: set[str]) -> str:
    """The lines of `text` before the first that asks one of the `asked` questions (collapsed)."""
    kept = []
    for line in text.split("\n"):
        first = _ASKED.match(line.strip())
        if _collapse(line) in asked or (first and _collapse(_NUMBERING.sub("", first.group(0))) in asked):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _after(text: str, q: Question) -> str:
    """What follows `q` in a block's text: the rest of its line after a question mark (a sentence
    asked, further questions skipped), or the lines after it (a title the block holds)."""
    if q.heading:
        lines = text.split("\n")
        at = next((i for i, line in enumerate(lines) if line.strip() == q.heading.strip()), None)
        return "\n".join(lines[at + 1:]).strip() if at is not None else ""
    asked = q.text.rstrip("?？")
    at = text.find(asked)
    if q.rule != "mark" or at < 0 or not text[at + len(asked):].startswith(("?", "？")):
        return ""
    rest = text[at + len(asked):].split("\n", 1)[0].lstrip("?？ ")
    while (more := _ASKED.match(rest)) is not None:
        rest = rest[more.end():].lstrip()
    return rest


def _holds(hit, q: Question) -> bool:
    """Whether a passage is (or contains) the question itself: a block spans several lines."""
    return hit.source == q.source and hit.line <= q.line <= hit.line + hit.text.count("\n")


def _answers(searcher: Searcher, hit, named: tuple[str, ...], words: set[str]) -> bool:
    """A hit answers when it mentions a concept the question names; a question naming none
    (`多线程和多进程的区别`, concepts the glossary lacks) is answered by a hit holding most of its words."""
    if named:
        return bool(set(hit.concepts) & set(named))
    held = words & set(searcher.tokenizer.tokens(hit.text))
    return len(held) >= max(2, math.ceil(WORD_SHARE * len(words)))
