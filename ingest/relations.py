"""Typed relations from the patterns in `kg/data/patterns.json`.

A pattern finds spans (`head_first`, `tail_last`, `heads` …) in a sentence, a
passage, or a heading; this stage turns each match into `RelationCandidate`s that
keep the sentence as evidence. Which concepts the spans mean is decided later,
when every note's names are known (`ingest.build`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from kg.models import EVIDENCE_CHARS, Evidence, Passage, RelationCandidate
from kg.resources import Pattern, patterns
from ingest.markers import LIST_MARKER as _MARKER
from ingest.markers import QUESTION_SENTENCE as _QUESTION
from ingest.passages import sentences

_NUMBERED = re.compile(r"(?:^|\s|(?<=[。;；,，]))(?:[(（]\d{1,2}[)）]|\d{1,2}[.、)）](?!\d))\s*")
_LIST_SEP = re.compile(r"\s*[、,，;；]\s*(?![^(（]*[)）])")
"""A separator outside parentheses: `RoI 所属类别（21 分类，多了一个背景类）` is one item."""
_HEADING_LIST_MAX = 8
_ITEM_CUT = re.compile(r"[:：,，。;；(（]")
_UNCLOSED = re.compile(r"[(（](?=[^)）]*$)")
_MARKUP = re.compile(r"\*\*|`|!?\[[^\]]*\]\([^)]*\)")
"""Bold and code marks around a name, and whole links: `[矩阵乘法与 SIMD](…)` is a pointer, not text."""
_ITEM_SEP = re.compile(r"、(?![^(（]*[)）])")
_COORDINATED = re.compile(r"和|与|及|或|、|/|&|\band\b")
"""A heading's problem span that joins several problems (`梯度消失、爆炸`)."""
_ANNOUNCES = re.compile(r"(?:如下|以下|下面|下列)[^。]{0,12}[:：]?\s*$|[:：]\s*$")
"""A passage that announces the list after it rather than naming a remedy."""
_CODE_LIKE = re.compile(r"[=%<>{}\\]")
_CHAIN = 3
"""More clauses than this before a verb whose own clause names nothing are a chain of steps."""
_CONJUNCTION = re.compile(r"\s*(?:以及|和|与|及|[+＋]|\band\b)\s*(?![^(（]*[)）])")
"""`A、B和C`, `A+B+C`: the last two items of a list are joined by a conjunction, not a comma."""
_CLAUSE_BREAK = re.compile(r"[，,；;](?![^(（]*[)）])")
_SUBORDINATE = re.compile(r"\s*(?:早期|后来|此外|另外|同时|而且|比如|例如|譬如)?(?:因为|因(?![子素])|由于|如果|若(?!干)|假如|当(?![前然中下今])|虽然|尽管|为了|对于|随着|即使|除了)")


@functools.lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[Pattern, re.Pattern, re.Pattern | None], ...]:
    return tuple((p, re.compile(p.regex, re.I), re.compile(p.trigger) if p.trigger else None)
                 for p in patterns().patterns)


def find_relations(passages: Sequence[Passage]) -> list[RelationCandidate]:
    """Relation candidates of one note, each with the sentence it came from."""
    found: list[RelationCandidate] = []
    compiled = _compiled()
    for index, passage in enumerate(passages):
        if passage.kind in ("code", "table"):
            continue
        following = _following_items(passages, index) if passage.kind != "item" else []
        split = [(s, s.lower(), bool(_QUESTION.search(s))) for s in sentences(passage.text)]
        passage_is_question = bool(_QUESTION.search(passage.text))
        for pattern, regex, trigger in compiled:
            if pattern.scope == "sentence":
                for sentence, lowered, is_question in split:
                    if is_question and not pattern.questions or trigger and not trigger.search(lowered):
                        continue
                    m = regex.search(sentence)
                    if m and _cued(pattern, sentence, passage):
                        found.extend(_from_match(pattern, m, passage, sentence, passages, index, []))
            elif pattern.scope == "passage":
                if passage_is_question and not pattern.questions:
                    continue
                m = regex.search(passage.text)
                if m:
                    found.extend(_from_match(pattern, m, passage, passage.text, passages, index, following))
            elif pattern.scope == "heading" and passage.heading and _first_under_heading(passages, index):
                m = regex.search(passage.heading[-1])
                if m:
                    found.extend(_heading_match(pattern, m, passages, index))
    return found


def _cued(pattern: Pattern, sentence: str, passage: Passage) -> bool:
    """Whether the pattern's cue, if it needs one, is in the sentence or in the heading it sits
    under (`1、LR采用log损失，SVM采用合页损失` under `逻辑回归与SVM的异同`)."""
    if pattern.cue is None:
        return True
    heading = passage.heading[-1] if passage.heading else ""
    return any(re.search(pattern.cue, text, re.I) for text in (sentence, heading))


def _from_match(pattern, m, passage, text, passages, index, following) -> list[RelationCandidate]:
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    heads = [(span, pick, passage, text) for span, pick in _spans(groups, "head", pattern.topic_chain)]
    if "head_first" in groups and not heads and passage.kind == "item" and passage.heading \
            and not _named(_NUMBERED.split(groups["head_first"])[-1]):
        heads = [(passage.heading[-1], "heading", passage, text)]  # `使用RMSprop优化` under `WGAN的改进`
    if "heads" in groups or following:
        inline = split_items(groups.get("heads", ""), pattern.conjunctions)
        if len(inline) < pattern.min_items:
            inline = []
        heads = [(item, pattern.item_pick, passage, text) for item in inline]
        heads += [(p.text, pattern.item_pick, p, p.text) for p in following]
    tails = _spans(groups, "tail") or _missing_tail(pattern, passage, passages, index)
    if pattern.problems_only:
        tails = [(span, "problem_object" if pick == "first" else pick) for span, pick in tails]
    return [_candidate(pattern, head, head_pick, tail, tail_pick, where, evidence_text)
            for head, head_pick, where, evidence_text in heads
            for tail, tail_pick in tails]


def _spans(groups: dict[str, str], role: str, chain: bool = True) -> list[tuple[str, str]]:
    """Spans of one role; a sentence's subject is sought where `subject_span` says, a name
    right after a trigger in the current numbered item only."""
    out = []
    for pick in ("first", "last", "end", "start"):
        span = groups.get(f"{role}_{pick}", "")
        if role == "head" and pick == "first":
            whole, span = span, subject_span(span, chain)
            pick = "agent" if span and _in_verb_clause(span, whole) else "subject"
            if not _named(span) or _CODE_LIKE.search(span):
                continue  # `–sort=-%cpu`：基于…: an option of a command, not a subject
        if pick == "start":
            span = _NUMBERED.split(span)[-1]
        if span.strip():
            out.append((span, pick))
    return out


def subject_span(text: str, chain: bool = True) -> str:
    """Where the subject of the verb after `text` is written: the verb's own clause if it names
    something, else the clause before it (Chinese chains clauses on one topic), else a short
    lead-in label (`剪枝：…缓解过拟合`); in an inline numbered list, only the current item.
    A subordinate clause (`若…`) has no subject for the main verb.

    Examples
    --------
    >>> subject_span("生成器和判别器的loss不取log 3.限制权重的绝对值 4.")
    ''
    >>> subject_span("Batchnorm是重要的成果，具有加速收敛的效果，Batchnorm本质上是")
    'Batchnorm本质上是'
    >>> subject_span("ReLU 会使一部分神经元的输出为 0，这样就")
    'ReLU 会使一部分神经元的输出为 0'
    >>> subject_span("区域提议(搜索、合并),调整一致,提取特征(CNN),SVM分类每个区域,")
    ''
    >>> subject_span("3、剪枝：决策树容易过拟合，一般来需要剪枝，缩小树结构规模、")
    '剪枝'
    """
    items = _NUMBERED.split(text)
    text = items[-1] if len(items) > 1 else text
    text = _UNCLOSED.split(text)[-1]  # `A跟B类似（B是减少方差`: the verb's subject is inside the bracket
    label = ""
    if _LEAD_IN.match(text):
        label = _LEAD_IN.match(text).group().strip().rstrip(":：")
        text = _LEAD_IN.sub("", text, count=1)
    text = _ITEM_SEP.split(text)[-1]
    clauses = _CLAUSE_BREAK.split(text)
    if _SUBORDINATE.match(clauses[-1]):
        return ""
    if _named(clauses[-1]):
        return clauses[-1]
    previous = clauses[-2] if len(clauses) >= 2 else ""
    if previous and not _SUBORDINATE.match(previous) and ("是" in previous or chain and len(clauses) <= _CHAIN):
        return previous  # `Xception是对Inception v3的改进，主要是采用…`: a topic stated with 是 carries on
    return label if len(clauses) == 1 else ""


def _in_verb_clause(span: str, text: str) -> bool:
    """Whether the subject found is written in the verb's own clause (not carried from before)."""
    return text.rstrip().endswith(span.rstrip())


_FILLER = re.compile(r"^(?:\s|最后|然后|接着|之后|同时|并且|并|还|也|都|就|这样|这样就|因此|所以|从而|进而|此外|其实|实际上|"
                     r"事实上|本质上|其|它|可以|能够|能|会|主要|通常|一般|直接|再|又|且|而且|而|是)*")
_LEAD_IN = re.compile(r"^[^:：]{1,15}[:：]\s*(?=\S)")
"""A short lead-in label (`New loss：提出…`) before the verb's clause; in `dropout:防止…` nothing
follows the label, so the label is the subject."""


def _named(clause: str) -> bool:
    """Whether a clause names something before its verb (more than fillers like `最后`, `因此`)."""
    return len(_FILLER.sub("", clause).strip()) >= 2


def main_clause(text: str) -> str:
    """The first clause that is not subordinate: in `因X造成Y，Z使用W` the subject is in `Z使用W`.

    Examples
    --------
    >>> main_clause("因 DCNN 连续池化造成分辨率降低，DeepLabv2 去除下采样，")
    'DeepLabv2 去除下采样'
    >>> main_clause("Dropout 可以")
    'Dropout 可以'
    """
    clauses = _CLAUSE_BREAK.split(text)
    return next((c for c in clauses if not _SUBORDINATE.match(c)), "")


def _missing_tail(pattern, passage, passages, index) -> list[tuple[str, str]]:
    if pattern.missing == "tail_previous" and index > 0:
        previous = passages[index - 1].text
        return [(re.split(r"[:：,，。]", previous, maxsplit=1)[0], "first")]
    if pattern.missing == "tail_heading" and passage.heading:
        return [(passage.heading[-1], "first")]
    return []


def _heading_match(pattern, m, passages, index) -> list[RelationCandidate]:
    """Each passage under a remedy heading names one remedy, until the list visibly ends. Under a
    heading about several problems (`梯度消失和梯度爆炸的解决`) an item remedies only the problem it
    names itself."""
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    tails = _spans(groups, "tail")
    several = any(_COORDINATED.search(span) for span, _ in tails)
    return [_candidate(pattern, p.text, "item", tail, "named_problem" if several else tail_pick, p, p.text)
            for p in _remedies(_heading_list(passages, index))
            for tail, tail_pick in tails]


def _remedies(listed: list[Passage]) -> list[Passage]:
    """The passages of a heading's list that name a remedy each: its items if it has any (a
    paragraph between them explains the item before it), never the lead-in that announces them."""
    items = [p for p in listed if p.kind == "item"]
    return items or [p for p in listed if not _ANNOUNCES.search(p.text)]  # an item `正则化：` names its remedy


def _heading_list(passages: Sequence[Passage], index: int) -> list[Passage]:
    """The passages of a heading's list: at most `_HEADING_LIST_MAX`, ending where two
    definition lines in a row start a new glossary-like run (`微调:…` then `dropout:…`)."""
    heading = passages[index].heading
    out: list[Passage] = []
    for p in passages[index:index + _HEADING_LIST_MAX]:
        if p.heading != heading:
            break
        if p.kind == "definition" and out and out[-1].kind == "definition":
            out.pop()
            break
        out.append(p)
    return out


def _candidate(pattern, head, head_pick, tail, tail_pick, passage, text) -> RelationCandidate:
    evidence = Evidence(source=passage.source, line=passage.line, text=text.strip()[:EVIDENCE_CHARS], rule=pattern.id)
    head = item_name(head) if head_pick in ("item", "member") else head.strip()
    head, tail = _MARKUP.sub("", head), _MARKUP.sub("", tail)  # `**X**`, `` `X` `` are X
    return RelationCandidate(head=head, head_pick=head_pick, tail=tail.strip(), tail_pick=tail_pick,
                             type=pattern.type, evidence=evidence)


def item_name(span: str) -> str:
    """The name a list item stands for: its text up to a colon or parenthesis.

    Examples
    --------
    >>> item_name("(3)正则化:获取更多数据"), item_name("权重正则化(防止W过大)")
    ('正则化', '权重正则化')
    """
    return _ITEM_CUT.split(_MARKER.sub("", span), maxsplit=1)[0].strip()


def _first_under_heading(passages: Sequence[Passage], index: int) -> bool:
    return index == 0 or passages[index - 1].heading != passages[index].heading


def _following_items(passages: Sequence[Passage], index: int) -> list[Passage]:
    """Numbered items right after a passage that announces them (`…的流程。` then `(1)…`);
    an item that asks a question names nothing. An item's own siblings are not its members."""
    items = []
    for p in passages[index + 1:]:
        if p.kind != "item" or p.heading != passages[index].heading:
            break
        if not _QUESTION.search(p.text):
            items.append(p)
    return items


def split_items(text: str, conjunctions: bool = False) -> list[str]:
    """The items of a list written inline: numbered (`(1)… (2)…`) or separated by 、,;.

    Examples
    --------
    >>> split_items("数据增广、早停、dropout")
    ['数据增广', '早停', 'dropout']
    >>> split_items("RoI 所属类别（21 分类，含背景）、边框")
    ['RoI 所属类别（21 分类，含背景）', '边框']
    >>> split_items("1. 灰度化 2. GAMMA归一化 调节对比度 3.计算梯度")
    ['灰度化', 'GAMMA归一化 调节对比度', '计算梯度']
    >>> split_items("卷积层、池化层和全连接层", conjunctions=True), split_items("ResNet + FPN", conjunctions=True)
    (['卷积层', '池化层', '全连接层'], ['ResNet', 'FPN'])
    """
    text = text.strip().rstrip("。.")
    if not text:
        return []
    numbered = [s.strip() for s in _NUMBERED.split(text) if s and s.strip()]
    if len(_NUMBERED.findall(text)) >= 2:
        return numbered
    if "。" in text:  # sentences after the colon: a description, not a list
        return []
    items = [s for s in _LIST_SEP.split(text) if s]
    if conjunctions:
        items = [part for item in items for part in _CONJUNCTION.split(item) if part.strip()]
    return items
