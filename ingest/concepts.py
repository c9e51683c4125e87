"""Find the terms a note names: defined terms, titled terms, listed terms, aliases, acronyms.

Finding is separate from deciding: this stage returns candidates with the rule
that found them; `ingest.build` decides which become concepts, after seeing every
note. `is_term_like` keeps junk (function words, numbers, clauses) out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ingest.definitions import HOLE, colon_reading, copula_definition
from ingest.note_lines import answers_aspect_question
from ingest.markers import QUESTION_WORDS as _QUESTION_WORDS
from kg.models import AliasCandidate, Passage, TermCandidate
from kg.normalize import has_cjk, has_latin, key
from kg.resources import generic_prefixes, generic_suffixes, generic_words, stopwords, title_heads

_DEFINITION = re.compile(r"^\s*(?P<term>(?!https?:)[^:：。!！?？()（）]{1,30}?)\s*[:：]\s*(?P<body>.+)$", re.S)
_PAREN = re.compile(r"[(（](?P<inside>[^()（）]{1,60})[)）]")
_CALLED = re.compile(
    r"(?P<a>[\w\u4e00-\u9fff][\w\u4e00-\u9fff '’\-]{0,30}?)\s*(?:又叫做?|也叫做?|又称为?|也称为?|简称为?|也被称为|亦称|俗称|又名|aka|also called|also known as)\s*"
    r"(?P<b>[\w\u4e00-\u9fff][\w\u4e00-\u9fff '’\-]{0,30})"
)
_CALLED_TRIGGER = re.compile(r"又叫|也叫|又称|也称|简称|被称为|亦称|俗称|又名|aka|also called|also known as")
_LATIN_TAIL = re.compile(r"[A-Za-z0-9'’\-+ ]+$")
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*|[a-z][A-Z]{2,}[a-z0-9]*)(?![A-Za-z0-9])")
_MAX_ACRONYM = 7
_HEADING_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[一二三四五六七八九十百]+[、，,.]|第[一二三四五六七八九十\d]+[章节部分]|[(（]\d+[)）])\s*")
_SPLIT_NAMES = re.compile(r"\s*[,，、/;；]\s*")
_VERB_START = ("用", "种", "第", "时", "请", "本", "该", "如", "记", "见", "接", "再", "而", "即", "所", "其", "该", "此", "多个", "各", "每", "使用", "采用", "利用", "通过", "进行", "增加", "减少", "提高", "降低", "防止", "解决", "导致", "引起",
               "计算", "得到", "包括", "包含", "需要", "可以", "能够", "用于", "用来", "如何", "怎么", "为什么", "什么",
               "是否", "如果", "因为", "所以", "但是", "一般", "通常", "主要", "其中", "对于", "关于", "基于", "根据",
               "相当于", "等同于", "类似于", "等价于", "从", "在", "把", "被", "将", "对", "和", "与", "或", "是", "有", "没", "不", "很", "更", "最", "也")
_BAD_END = ("的", "了", "吗", "呢", "吧", "等", "是", "和", "与", "或", "及", "在", "中", "上", "下", "时", "后",
            "包括", "变成", "如下", "公式", "为")
_ODD_CHARACTER = re.compile(r"[^\w\u4e00-\u9fff +\-.'’#/&]|[_\u2460-\u24ff\u2776-\u2793\u3220-\u325f]")
_LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9+#.'’\- ]{0,39}")
_NOT_TEXT = re.compile(
    r"(?<=\])\([^)\s]*\)"                  # a markdown link target: `[text](target)`
    r"|(?:https?|ftp)://\S+|www\.\S+"        # a bare URL
    r"|`[^`]*`(?=[^\w`]|$)(?!\s*[(（])"        # a code span not glossed by a bracket
    r"|[A-Za-z0-9._/:\-]*(?:%[0-9A-Fa-f]{2}){2,}[A-Za-z0-9%._/:\-]*"  # percent-encoded text
    r"|[A-Za-z0-9._+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"  # an e-mail address
    r"|'[^'\s]{1,40}'"                       # a quoted code string: `parse_url(url, 'HOST')`
    r"|\$\$?[^$]{1,400}\$\$?|\\[A-Za-z]+|[^\s\u4e00-\u9fff]*\^[^\s\u4e00-\u9fff]*"  # formulas: `$…$`, `\left`, `W^TXX^TW`
)
"""Text of a note that names nothing: link targets, URLs, code spans, encoded text."""


_VAGUE_MODIFIERS = frozenset({"new", "old", "other", "another", "more", "less", "some", "many", "several", "common"})
_CLAUSE_WORDS = frozenset({"or", "to", "be", "is", "are", "was", "were", "can", "will", "should", "must"})


def _generic_phrase(s: str) -> bool:
    """A Chinese run that is a generic word and a title head (`模型结构`, `算法流程`), a title
    prefix and a word (`常用命令`), or a coordination with a generic word (`数据结构与算法`): the
    words of a section title, not a name.

    Examples
    --------
    >>> [_generic_phrase(s) for s in ["模型结构", "常用命令", "数据结构与算法", "卷积结构", "卷积与池化", "概率分布"]]
    [True, True, True, False, False, False]
    """
    generic = generic_words()
    if s.startswith(generic_prefixes()) or any(s[:i] in generic and s[i:] in title_heads() for i in range(1, len(s))):
        return True
    parts = re.split(r"[与和及]", s)
    return len(parts) > 1 and any(p in generic for p in parts)


def is_term_like(surface: str) -> bool:
    """Whether a string could name a concept: a short noun phrase, not a clause or junk.

    Examples
    --------
    >>> [is_term_like(s) for s in ["数据增广", "Batch Normalization", "BN层", "这样", "进行", "3.5", "增加训练数据一般是没用的", "的"]]
    [True, True, True, False, False, False, False, False]
    >>> [is_term_like(s) for s in ["New loss", "类别标签y", "L2正则化", "values to be mapped", "Network In Network"]]
    [False, False, True, False, True]
    >>> [is_term_like(s) for s in ["步骤2", "情况 1", "Markdown Revision 1", "YOLOv3", "ResNet 50"]]
    [False, False, False, True, True]
    """
    s = surface.strip()
    if not s or re.search(r"[,，。:：;；!！?？()（）\[\]{}<>=|\"“”`*#]", s):
        return False
    folded = s.casefold()
    if folded in stopwords() or folded in generic_words() or key(s) in generic_words():
        return False
    if folded.endswith(generic_suffixes()) or _QUESTION_WORDS.search(s) or _ODD_CHARACTER.search(s):
        return False
    if _NUMBERED.search(s) or "进行" in s:
        return False  # `步骤2`, `情况 1`, `Markdown Revision 1` number a section; `进行` makes a clause
    if not has_cjk(s) and not has_latin(s):
        return False
    cjk = re.findall(r"[\u4e00-\u9fff]", s)
    if has_cjk(s):
        if len(cjk) < 2 and not has_latin(s) or len(cjk) > 10 or re.search(r"[\u4e00-\u9fff]\s*[A-Za-z]$", s):
            return False  # `类别标签y`: a variable, not a name
        if s.startswith(_VERB_START) or s.endswith(_BAD_END):
            return False
        if re.match(r"^[\d一二三四五六七八九十两几]", s) and not has_latin(s):
            return False
        if _generic_phrase(s):
            return False
        return len(s) <= 16
    words = s.split()
    if len(words) > 5 or len(s) > 40 or len(key(s)) < 2 or re.search(r"\bet al\b|\b(?:19|20)\d\d\b", s):
        return False
    if words[0].casefold() in stopwords() or words[-1].casefold() in stopwords():
        return False
    if len(words) > 1 and words[0].casefold() in _VAGUE_MODIFIERS:
        return False  # `New loss`, `Other methods`: a heading's words, not a name
    if any(w.casefold() in _CLAUSE_WORDS for w in words) or re.search(r"\s-|-\s", s):
        return False  # `values to be mapped`, `float or int`: a phrase of a sentence, not a name
    return bool(_LATIN_TERM.fullmatch(s))

_NUMBERED = re.compile(r"[\u4e00-\u9fff]\s*\d+$|(?i:\b(?:revision|rev|part|step|chapter|case|section|figure|fig|table|"
                       r"example|lesson|day|week|note)\s*\d+$)")
"""A word and a number: a section, step or case of the notes (`步骤2`, `Markdown Revision 1`), not a name."""

_NOT_TEXT_MARK = re.compile(r"\]\(|://|www\.|[`%@'$\\^]")
"""A character every `_NOT_TEXT` alternative needs: most passages have none, and skip the scan
(a scan of every position costs as much as segmenting the passage)."""


def scrub(text: str) -> str:
    """A passage's text without what names nothing (link targets, URLs, code spans, encoded
    text), each replaced by a space so no name is glued across it.

    Examples
    --------
    >>> scrub("NLP https://mp.weixin.qq.com/s/NQIy0XnF 准确率")
    'NLP   准确率'
    >>> scrub("见[编译器](https://zh.wikipedia.org/wiki/%E7%BC%96)与 `x = 1` 代码")
    '见[编译器]  与   代码'
    """
    return mark_holes(text).replace(HOLE, " ")


def mark_holes(text: str) -> str:
    """`text` with what `scrub` removes replaced by `HOLE`: a definition with a hole in it (a formula
    or code that was there) is no definition to show."""
    return _NOT_TEXT.sub(HOLE, text) if _NOT_TEXT_MARK.search(text) else text


def mine_terms(passages: Sequence[Passage]) -> list[TermCandidate]:
    """Terms the note defines (`Adam:…`, `过拟合是指…`), uses as headings, or writes as acronyms."""
    found: list[TermCandidate] = []
    seen_headings: set[str] = set()
    acronyms: Counter[str] = Counter()
    first_line: dict[str, int] = {}
    for p in passages:
        for heading in p.heading:
            if heading not in seen_headings:
                seen_headings.add(heading)
                found.extend(_heading_terms(heading, p))
        marked = mark_holes(p.text) if p.kind != "code" else ""
        text = marked.replace(HOLE, " ")
        m = _DEFINITION.match(marked) if p.kind in ("definition", "item", "paragraph") else None
        if m:
            term = _strip_marker(m.group("term"))
            for name in _coordinated(_SPLIT_NAMES.split(term)):
                if is_term_like(name):
                    definition, note = colon_reading(m.group("body"), name)
                    if definition and answers_aspect_question(p.heading):  # a point of the answer, not a glossary line
                        definition, note = None, definition
                    found.append(TermCandidate(surface=name, source=p.source, line=p.line, definition=definition,
                                               note=note, rule="definition"))
        copula = copula_definition(marked) if p.kind in ("paragraph", "item", "definition") else None
        if copula and is_term_like(_strip_marker(copula[0])):
            found.append(TermCandidate(surface=_strip_marker(copula[0]), source=p.source, line=p.line, definition=copula[1],
                                       rule="copula_definition"))
        if text:
            for a in _ACRONYM.findall(text):
                if 2 <= len(a) <= _MAX_ACRONYM and a.casefold() not in stopwords():
                    acronyms[a] += 1
                    first_line.setdefault(a, p.line)
    source = passages[0].source if passages else ""
    for a, n in acronyms.items():
        found.append(TermCandidate(surface=a, source=source, line=first_line[a], rule=f"acronym:{n}"))
    return found


def _coordinated(names: list[str]) -> list[str]:
    """`L1、L2正则化` coordinates two names sharing an ending, it does not give a name twice:
    each earlier name gets the last one's ending. Synonyms (`反卷积,转置卷积`) share their end.

    Examples
    --------
    >>> _coordinated(["L1", "L2正则化"]), _coordinated(["均值", "中值滤波"]), _coordinated(["反卷积", "转置卷积"])
    (['L1正则化', 'L2正则化'], ['均值滤波', '中值滤波'], ['反卷积', '转置卷积'])
    """
    if len(names) < 2:
        return names
    *earlier, last = names
    if not all(earlier) or any(n[-1] == last[-1] for n in earlier):
        return names
    suffix = re.search(r"[\u4e00-\u9fff]+$", last)
    stem = last[: suffix.start()] if suffix else ""
    if suffix and stem and not has_cjk(stem) and not any(has_cjk(n) for n in earlier):
        return [n + suffix.group() for n in earlier] + [last]
    lengths = {len(n) for n in earlier}
    if all(has_cjk(n) for n in earlier) and len(lengths) == 1 and len(last) - min(lengths) >= 2 and has_cjk(last):
        return [n + last[min(lengths):] for n in earlier] + [last]
    return names


def _heading_terms(heading: str, p: Passage) -> list[TermCandidate]:
    text = _HEADING_NUMBER.sub("", heading).strip().rstrip("?？:：")
    parts = [text] if is_term_like(text) else re.split(r"\s+", text) if re.fullmatch(r"[\w\u4e00-\u9fff ]+", text) else []
    return [TermCandidate(surface=t, source=p.source, line=p.line, rule="heading") for t in parts if is_term_like(t)]


def _strip_marker(term: str) -> str:
    return re.sub(r"^\s*(?:[-*+•]\s*|\d{1,3}[.、)）]\s*|[(（]\d{1,3}[)）]\s*)", "", term).strip()


def mine_aliases(passages: Sequence[Passage]) -> list[AliasCandidate]:
    """Pairs of names the note says are the same: parentheses, synonym heads, 又叫."""
    found: list[AliasCandidate] = []
    for p in passages:
        if p.kind == "code":
            continue
        text = scrub(p.text)
        for names, rule in (*_paren_aliases(text), *_synonym_heads(p), *_called_aliases(text), *_heading_pairs(p)):
            names = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
            if len(names) >= 2:
                found.append(AliasCandidate(names=names, source=p.source, line=p.line, rule=rule))
    return found


def _paren_aliases(text: str):
    for m in _PAREN.finditer(text):
        inside = _glossed(m.group("inside"))
        if not inside or len(inside) > 2 or not all(is_term_like(n) for n in inside) or _examples(inside):
            continue
        before = text[max(0, m.start() - 80): m.start()].rstrip("*`_ ")  # `**导数**（英语：derivative）`
        outer = _term_before(before, inside)
        if outer and _switches_language(outer, inside):
            yield (outer, *inside), "parentheses"


_LABEL = re.compile(r"^\s*(?:英语|英文名|英文|英|English|全称|全名|缩写为|缩写|简称|简写|又称|或称|即|原文|外文|原名|旧称|曾用名)\s*[:：]?\s*", re.I)


def _glossed(inside: str) -> list[str]:
    """The names a bracket glosses: `英语：GNU toolchain` gives the name, never `英语`;
    a bracket with any other `label：` (`代表：ResNet`) is a comment, not a name.

    Examples
    --------
    >>> _glossed("英语：GNU Compiler Collection，缩写为 GCC"), _glossed("代表：ResNet"), _glossed("ReLU")
    (['GNU Compiler Collection', 'GCC'], [], ['ReLU'])
    """
    names = []
    for part in re.split(r"\s*[,，、;；]\s*", inside):
        labelled = _LABEL.sub("", part)
        if re.search(r"[:：]", labelled):
            return []
        if labelled:
            names.append(labelled.strip())
    return names


def _term_before(before: str, inside: list[str]) -> str | None:
    """The term just before a parenthesis: a Latin phrase, or a short Chinese run."""
    latin = _LATIN_TAIL.search(before)
    words = latin.group().split()[-6:] if latin else []
    if words and not words[0][0].isalpha():
        words = words[1:]
    if words:
        acronym = next((n for n in inside if re.fullmatch(r"[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*", n)), None)
        if acronym:
            if len(words) < len(acronym) or not _initials_match(words[-len(acronym):], acronym):
                return None
            words = words[-len(acronym):]
        elif len(words) > 4:
            return None
        candidate = " ".join(words)
        return candidate if is_term_like(candidate) else None
    cjk = re.search(r"([\u4e00-\u9fff]{2,8})$", before)
    if not cjk or re.search(r"[A-Za-z0-9\-_+]$", before[: cjk.start()]):
        return None  # `k-均值（k-means）`: the left side is part of a longer name
    run = cjk.group(1)
    for cut in range(len(run) - 1):
        candidate, dropped = run[cut:], run[:cut]
        if dropped and not (dropped.endswith(_VERB_START) or dropped[-1] in stopwords()) or re.search(r"[一二三四五六七八九十两几\d]$", dropped):
            continue  # `计算平台` is not cut to `算平台`: only a leading verb or function word goes
        if is_term_like(candidate) and not candidate.startswith(_VERB_START):
            return candidate
    return None


def _examples(inside: list[str]) -> bool:
    """Two names of one script in a bracket are examples (`计算平台(GPU，ARM)`), unless one
    spells out the other (`Support Vector Machines, SVM`).

    Examples
    --------
    >>> _examples(["GPU", "ARM"]), _examples(["Support Vector Machines", "SVM"]), _examples(["DDPM", "去噪扩散模型"])
    (True, False, False)
    """
    if len(inside) < 2 or has_cjk(inside[0]) != has_cjk(inside[1]):
        return False
    long, short = sorted(inside, key=len, reverse=True)
    return has_cjk(short) or not _initials_match(long.split()[: len(short)], short)


def _initials_match(words: list[str], acronym: str) -> bool:
    return [w[0].casefold() for w in words] == [c.casefold() for c in acronym if c.isalpha()][: len(words)]


def _switches_language(outer: str, inside: list[str]) -> bool:
    """An alias in parentheses crosses languages (中文(English)) or spells out an acronym."""
    outer_cjk = has_cjk(outer)
    return any(has_cjk(n) != outer_cjk or (not outer_cjk and key(n) != key(outer)) for n in inside)


def _synonym_heads(p: Passage):
    """`反卷积,转置卷积:上采样` names one thing twice; `空洞卷积:扩张卷积,…` too."""
    m = _DEFINITION.match(p.text)
    if not m:
        return
    head = _strip_marker(m.group("term"))
    names = _SPLIT_NAMES.split(head)
    if len(names) >= 2 and _coordinated(names) != names:
        return  # `L1、L2正则化:…` names two things
    if len(names) >= 2 and all(is_term_like(n) for n in names) and _names_alike(names):
        yield names, "synonym_head"
        return
    first = re.split(r"[,，。;；(（]", m.group("body"), maxsplit=1)[0].strip()
    if (is_term_like(head) and is_term_like(first) and has_cjk(head) and has_cjk(first)
            and head[-1] == first[-1] and len(first) <= 8 and first != head):
        yield (head, first), "synonym_definition"


def _names_alike(names: list[str]) -> bool:
    """Names listed together give one thing twice only if they switch language (`dropout,随机失活`)
    or share their head (`反卷积,转置卷积`); `卷积、池化层` are two things."""
    return len({has_cjk(n) for n in names}) > 1 or len({n[-1].casefold() for n in names}) == 1


def _called_aliases(text: str):
    if not _CALLED_TRIGGER.search(text):
        return
    for m in _CALLED.finditer(text):
        a = _tail_term(m.group("a"))
        b = _head_term(m.group("b"))
        if a and b:
            yield (a, b), "called"


def _tail_term(text: str) -> str | None:
    text = text.strip()
    for cut in range(len(text)):
        if is_term_like(text[cut:]):
            return text[cut:]
    return None


def _head_term(text: str) -> str | None:
    text = text.strip()
    for end in range(len(text), 0, -1):
        if is_term_like(text[:end]):
            return text[:end]
    return None


def _heading_pairs(p: Passage):
    """A heading made of a Chinese name and then its Latin one (`非极大化抑制 NMS`). The other way
    round a heading names a topic and an aspect of it (`R-CNN 实验结果`, `boosting 串行训练`,
    `Shell 基本运算符`, `resnet 及其后续工作`): no alias."""
    if not p.heading:
        return
    parts = p.heading[-1].split()
    if len(parts) == 2 and has_cjk(parts[0]) and not has_cjk(parts[1]) and all(is_term_like(x) for x in parts):
        yield parts, "heading_pair"
