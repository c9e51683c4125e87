"""Which `术语：说明` bodies are the user's notes about a concept rather than what it is.

A terse glossary line often holds an outline (`两种说法:…`, `小:… 大:…`), a list of parts or
properties, a cause (`权重初始化比值过大`) or a remark with a caveat (`凸问题,但是…`). Shown as a
definition such a line misleads ("什么是 学习率?" → `小,收敛慢…`); it is still what the user wrote
about the concept, so `ingest.definitions` keeps it as a note line instead. Each rule here is a
feature of form, never of wording about one concept; `note_reason` names the rule that applies.
"""

from __future__ import annotations

import re

_LABEL = r"(?:[\u4e00-\u9fff]{1,6}|[A-Za-z][A-Za-z0-9\-]{0,15})"
_SUB_LABEL = re.compile(rf"(?:^|\s){_LABEL}\s*[:：]")
"""A short label of its own (`两种说法:`, `KMEANS:`, `大:`) at the start of the body or after a space:
the body is an outline of sub-points. A longer phrase before a colon (`对颜色的数据增强：亮度…`) is a
statement followed by its details, which still reads as a definition."""
_NEXT_ENTRY = re.compile(r"\s+(?=(?:[\u4e00-\u9fff]{2,6}|[A-Za-z][A-Za-z0-9\-]{1,15})\s*[:：])")
"""A label of a term (two characters or more) after a space: the next `术语:说明` entry written on the
same line (`iteration:一个batch训练一次 epoch:所有batch 训练一轮`). A one-character label (`大:`) is a value
of the term itself, which `note_reason` takes for an outline."""
_SENTENCE_END = re.compile(r"[。!！?？；;]|\.(?:\s|$)")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")
_CONDITION = re.compile(r"(?:(?:过|太)(?:大|小|高|低|多|少|深|浅|长|短|快|慢)|不足|不够)$")
"""A clause ending in a degree word names a condition (`比值过大`, `数据不足`): a cause, not what a concept is."""
_CLAUSE = re.compile(r"[,，;；。.!！?？:：、\s]")
_CONTRAST = re.compile(r"^(?:但是|但|然而|不过|可是)")
_KIND_OPENING = re.compile(r"^(?:一种|一类|一个|一门|是)")

_ASPECT_QUESTION = re.compile(r"(?:创新|改进|优点|缺点|优势|劣势|不足|特点|贡献)[^?？]{0,6}[?？]\s*$")
"""A heading that asks for the aspects of one thing (`DSSD有哪些创新点？`): a `术语:…` item under it
says what its label brings to that thing (`Backbone：将ResNet替换SSD中的VGG网络`), not what the label is."""

SHORT_CLAUSE = 4
"""At most this many characters make a clause a fragment (`凸问题`): no subject and verb of a definition."""
SHORT_SENTENCE = 6
"""A whole first sentence this short (`分类或者回归。`) is a heading of what follows, not a definition."""


def own_entry(body: str) -> str:
    """`body` up to the next glossary entry its first sentence runs into, if any.

    Examples
    --------
    >>> own_entry("一个batch训练一次 epoch:所有batch 训练一轮")
    '一个batch训练一次'
    >>> own_entry("增加小类的样本个数。代表算法：SMOTE。 SMOTE：插值产生样本")
    '增加小类的样本个数。代表算法：SMOTE。 SMOTE：插值产生样本'
    """
    first = _SENTENCE_END.split(body, maxsplit=1)[0]
    m = _NEXT_ENTRY.search(first)
    return body[:m.start()] if m and m.start() > 0 else body


def note_reason(body: str) -> str | None:
    """The rule by which `body` is a note line rather than a definition, or None if none applies.

    Examples
    --------
    >>> [note_reason(b) for b in ["两种说法:一是激活函数,二是初始化", "小,收敛慢 大:震荡", "按规则投票(bagging: 自举):",
    ...  "输入 卷积 激活 池化(降采样) 全连接", "权重初始化比值过大", "凸问题,但是神经网络大部分是非凸的", "分类或者回归。惰性、计算量大"]]
    ['outline', 'outline', 'lead_in', 'word_list', 'condition', 'remark', 'fragment']
    >>> [note_reason(b) for b in ["对颜色的数据增强：图像亮度、饱和度、对比度变化", "扩张卷积,参数量不变的情况下,将感受野扩大。",
    ...  "训练误差和测试误差间距过大，即方差过大，表现为泛化性能下降。", "一种优化算法。用梯度的一阶矩调整学习率"]]
    [None, None, None, None]
    """
    body = body.strip()
    first = _SENTENCE_END.split(body, maxsplit=1)[0]
    if _SUB_LABEL.search(first):
        return "outline"
    if re.search(r"[:：]$", body):
        return "lead_in"
    if _word_list(body):
        return "word_list"
    clauses = [c for c in _CLAUSE.split(_PAREN.sub("", body)) if c]
    if len(clauses) == 1 and _CONDITION.search(clauses[0]):
        return "condition"
    if len(clauses) >= 2 and len(clauses[0]) <= SHORT_CLAUSE and _CONTRAST.match(clauses[1]):
        return "remark"
    if _fragment_opening(body, first):
        return "fragment"
    return None


def answers_aspect_question(heading: tuple[str, ...]) -> bool:
    """Whether a line sits right under a question heading asking for a thing's aspects.

    Examples
    --------
    >>> answers_aspect_question(("第八章", "DSSD有哪些创新点？")), answers_aspect_question(("如何寻找超参数的最优值？",))
    (True, False)
    """
    return bool(heading) and bool(_ASPECT_QUESTION.search(heading[-1]))


def _word_list(body: str) -> bool:
    """Four or more bare words separated by spaces (`输入 卷积 激活 池化(降采样) 全连接`), a
    parenthesised gloss on a word not counting: a sequence of parts or steps, not a sentence."""
    pieces = _PAREN.sub("", body).split()
    return len(pieces) >= 4 and all(len(p) <= 3 for p in pieces)


def _fragment_opening(body: str, first: str) -> bool:
    """A first sentence closed by a full stop that is only a few characters (`分类或者回归。惰性、…`)
    opens a list of properties; `一种优化算法。…` states a kind and is no fragment."""
    rest = body[len(first):].lstrip("。.!！?？；; ")
    return bool(rest) and len(first.strip()) <= SHORT_SENTENCE and not _KIND_OPENING.match(first.strip())
