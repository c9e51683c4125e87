"""What a note says a concept is: its own defining line, cleaned, or nothing.

A definition is shown on the concept's page and becomes a study card, so a wrong one costs more
than none: a body that is a number, a date, a citation, a list of kinds, a remark about the term,
a thought continued from the line before, or text with a hole where a formula or code stood
(`方差是一种特殊的协方差。当 时， 。`) is refused. `ingest.concepts` finds the lines; this module
decides what of them reads as a definition.
"""

from __future__ import annotations

import re

from ingest.note_lines import note_reason, own_entry

DEFINITION_CHARS = 240
NOTE_CHARS = 1000
"""A note line is the user's own text: kept whole but for a runaway line."""
HOLE = "\0"
"""Stands where `ingest.concepts.scrub` removed a formula, code span or link from a line."""

_COPULA_DEFINITION = re.compile(
    r"^\s*(?:[-*+•]\s*|\d{1,3}[.、)）]\s*)?\**(?P<term>[^,，。:：;；!！?？()（）*]{1,30}?)\**\s*(?:[(（][^()（）]{1,60}[)）])?\s*"
    r"(?:是指|指的是|就是指|是一种|是一类|是一个|是一门|是对|就是(?!说)|is an?\s|refers to)(?P<body>.+)$", re.S)
"""A sentence that defines its subject: `过拟合是指…`, `Dropout（随机失活）是一种…`, `BN 是对…进行归一化`,
`神经网络就是按照一定规则将多个神经元连接起来的网络`."""
_COPULA = re.compile(r"是指|指的是|就是|是一种|是一类|是一个|是一门|指|即|is an?\s|refers to", re.I)
_LEADING_COPULA = re.compile(r"^(?:就是指|是指|指的是|就是)\s*")
_CITATION = re.compile(r"《[^》]+》|\bet al\b|出版社|\bpp?\.\s*\d|\b(?:19|20)\d\d[.)）]|ISBN|arXiv"
                       r"|/\s*[\u4e00-\u9fff]{2,3}\s*[，,、]\s*[\u4e00-\u9fff]{2,3}\s*$", re.I)
"""A reference, not a definition: a book title, a paper, `书名/ 作者，作者` of a reading list."""
_INDENT = re.compile(r"^(?:[\s\u200b\ufeff]|&emsp;|&ensp;|&nbsp;)+")
"""What some notes indent a paragraph with: spaces, zero-width spaces, `&emsp;` entities."""
_EMPTY_BRACKET = re.compile(r"\s*[(（][\s\0]*[)）]")
_NOT_A_START = re.compile(r"(?:除了|如果|若|但是|但|因为|所以|而且|而|也|则|可以|比如|例如|如下|见|参考|详见|同上|略|与|和|的|及|设|虽然|"
                          r"最常|最好|最重要|最主要|最简单|"
                          r"[,，;；:：。、)）\]])")
"""A body that starts so continues a thought (`sigmoid:除了输出层…基本不会用它`) or ranks the term
(`最常用的默认函数`): it defines nothing."""


def colon_definition(body: str, term: str) -> str | None:
    """The body of a `术语：定义` line as the term's definition, starting at its content.

    Examples
    --------
    >>> colon_definition("就是指训练误差和测试误差间距过大，模型泛化性能下降。", "过拟合")
    '训练误差和测试误差间距过大，模型泛化性能下降。'
    >>> colon_definition("方差（\\0）是一种特殊的协方差。当\\0时，\\0。", "方差") is None
    True
    """
    return colon_reading(body, term)[0]


def colon_reading(body: str, term: str) -> tuple[str | None, str | None]:
    """A `术语：说明` line's body as (definition, note line): at most one of them is set.

    A body that says something about the term but does not say what it is (an outline, a list, a
    cause, a remark: `ingest.note_lines`) is the user's own note about the concept: shown and
    studied as such, never dropped. A body refused for any other reason (a hole, a citation, a
    number) is neither.

    Examples
    --------
    >>> colon_reading("权重初始化比值过大", "梯度爆炸")
    (None, '权重初始化比值过大')
    >>> colon_reading("累加了历史梯度更新方向,抑制与历史梯度相反的。", "momentum")
    ('累加了历史梯度更新方向,抑制与历史梯度相反的。', None)
    """
    body = _clean(body)
    if body is None:
        return None, None
    body = own_entry(_LEADING_COPULA.sub("", body))
    if _STACK.search(body) or _SECOND_LABEL.search(body) or _about_term(body, term):
        return None, None
    if note_reason(body) and _a_statement(body):
        return None, body[:NOTE_CHARS]
    return (body[:DEFINITION_CHARS], None) if reads_as_definition(body, term) else (None, None)


def _a_statement(body: str) -> bool:
    """Whether a body is something the user states (not a citation, a link or a lone word)."""
    words = re.findall(r"[\u4e00-\u9fff]|[A-Za-z]+", body)
    return len(words) >= 4 and not _CITATION.search(body) and not body.startswith(("`", "$", "http", "!", "[", "|"))


_STACK = re.compile(r"[A-Za-z0-9]+\+[A-Za-z0-9]+\+[A-Za-z0-9]+")
"""`基于k8s+tensorflow+kebuflow的…集群`: a set-up, not what the term is."""
_SECOND_LABEL = re.compile(r"[；;]\s*[^\s；;:：，,。]{1,12}[:：]")
"""`前向传播：输入层-->输出层；反向传播：…`: a line of two labels is a table, not a definition."""
_CAUSE = re.compile(r"导致|引起|造成")
_JUDGEMENT = re.compile(r"^(?:是|就是)?(?:非常|很|最|比较|相当|十分)")


def _about_term(body: str, term: str) -> bool:
    """Whether the body talks about its own term instead of saying what it is: uses it in its first
    clause (`贝叶斯优化：使用贝叶斯优化超参数，会遇到…`), judges it (`tanh 激活函数：tanh 是非常优秀的`), or
    names a cause of it (`模型退化：…，导致模型退化`). The term's first Latin word stands for it too.

    Examples
    --------
    >>> _about_term("tanh 是非常优秀的，几乎适合所有场合。", "tanh 激活函数"), _about_term("SVM则要找一个划分超平面", "SVM算法")
    (True, False)
    >>> _about_term("训练误差过大，正则化目的在于解决过拟合问题。", "过拟合")
    False
    """
    names = {term.casefold().replace(" ", "")}
    first = re.match(r"[A-Za-z][A-Za-z0-9\-]+", term)
    if first and len(first.group()) >= 3:
        names.add(first.group().casefold())
    text = body.casefold().replace(" ", "")
    clause = re.split(r"[,，;；。.!！?？]", text, maxsplit=1)[0]
    for name in names:
        at = clause.find(name)
        if at > 0 or at == 0 and _JUDGEMENT.match(clause[len(name):]):
            return True
        if any(_CAUSE.search(text[max(0, m.start() - 2):m.start()]) for m in re.finditer(re.escape(name), text)):
            return True
    return False


def copula_definition(text: str) -> tuple[str, str] | None:
    """The term and the whole sentence of a line that defines its subject (`过拟合是指…`), from
    the term on; None for a line that is no such sentence or does not read as a definition.

    Examples
    --------
    >>> copula_definition("- **建图**(\\0)是指构建地图的过程，地图是对环境的描述。")
    ('建图', '建图是指构建地图的过程，地图是对环境的描述。')
    """
    text = _INDENT.sub("", text)
    m = _COPULA_DEFINITION.match(text)
    if not m or not reads_as_definition(m.group("body")):
        return None
    sentence = _clean(text[m.start("term"):].replace("**", ""))
    return (m.group("term"), sentence[:DEFINITION_CHARS]) if sentence else None


def _clean(body: str) -> str | None:
    """`body` on one line without the brackets a removed formula left empty; None if a hole is left."""
    body = _EMPTY_BRACKET.sub("", body)
    return None if HOLE in body else re.sub(r"\s+", " ", body).strip()


def reads_as_definition(body: str, term: str = "") -> bool:
    """Whether the text after a defined term says what it is: not a number, a date, a citation
    or code, and long enough to say something.

    Examples
    --------
    >>> [reads_as_definition(b) for b in ["0.001。", "2017年7月", "《深度学习》，人民邮电出版社，2017.",
    ...  "用梯度的一阶矩估计动态调整学习率", "输入 卷积 激活 池化 全连接", "除了输出层基本不会用它，其他层都不用",
    ...  "线性、双线性、最邻近、双三次、三次线性卷积", "(这里使用Square Error)"]]
    [False, False, False, True, False, False, False, False]
    >>> reads_as_definition("tanh 是非常优秀的，几乎适合所有场合。", "tanh"), reads_as_definition("SMOTE是一种过采样方法，插值产生样本", "SMOTE")
    (False, True)
    >>> reads_as_definition("对小类的数据样本进行采样来增加小类的数据样本个数。", "过采样")
    True
    >>> reads_as_definition("Caffe之经典模型讲解与实战/ 乐毅，王斌"), reads_as_definition("矩阵乘的算法优化可分为两类：")
    (False, False)
    >>> reads_as_definition("L1 loss, L2 loss, smooth L1 loss")
    False
    """
    body = body.strip()
    if _NOT_A_START.match(body) or re.match(r"[(（]|\d{1,2}[.、)]", body) or re.search(r"[\u4e00-\u9fff][:：]$", body):
        return False  # `…可分为两类：` introduces what follows, it defines nothing
    if term and body.casefold().startswith(term.casefold()) and not _COPULA.match(body[len(term):].lstrip()):
        return False  # `tanh: tanh 是非常优秀的`: a remark about the term, not what it is
    words = re.findall(r"[\u4e00-\u9fff]|[A-Za-z]+", body)
    if len(words) < 6 or _CITATION.search(body) or body.startswith(("`", "$", "http", "!", "[", "|")):
        return False
    if re.match(r"^[\d\s.,，%/年月日:：\-]+", body) and len(re.findall(r"\d", body)) >= 2:
        return False
    pieces, items = body.split(), [i for i in re.split(r"[、,，;；]", body.rstrip("。.")) if i.strip()]
    if len(items) >= 3 and (all(len(i.strip()) <= 6 or _name_list_item(i) for i in items)
                            or len({i.strip()[-2:] for i in items}) == 1):
        return False  # `线性、双线性、最邻近`, `L1 loss, L2 loss, smooth L1 loss`, `残差连接，加残差连接…`: kinds
    return not (len(pieces) >= 4 and all(len(piece) <= 3 for piece in pieces))  # a bare word list


def _name_list_item(item: str) -> bool:
    """A comma-separated item that is a Latin name of at most three words (`smooth L1 loss`)."""
    return bool(re.fullmatch(r"\s*[A-Za-z0-9][A-Za-z0-9\-+.']*(?:\s+[A-Za-z0-9\-+.']+){0,2}\s*", item))
