"""Which concept a span of a relation candidate means, for each way a pattern picks it.

A pattern only finds spans (`ingest.relations`); once every note's names are known, the
linker (`ingest.link`) asks a `Resolver` which concept a span names: its subject, the head noun
of its object, a list member that names only itself, the class a thing is said to be. Most of
the rules here say when a name is *not* meant: a modifier of another noun, a negated or
preposition-governed name, a name inside a longer one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from kg.lexicon import Lexicon
from kg.models import Concept
from kg.normalize import key
from kg.resources import glossary, part_words
from kg.tokenize import BREAK, Tokenizer

_SUBJECT_LEAD = 2
_CATEGORY_SUFFIX = 1
"""Words a category may add after its concept: `边界框回归 损失`, `量化 算法`."""
_CLAUSE_ENDS = frozenset("，,。;；:：")
_QUALIFIER_WORDS = 6
"""How far a `的` may stand after a name that qualifies a later one (`A 和预测框（BBox）的C`)."""
_LISTED = re.compile(r"[,，、;；]")
_CONJUNCTIONS = frozenset({"或", "和", "与", "及", "以及", "or", "and"})
_NEGATIONS = frozenset({"无", "非", "不", "没有", "免", "未", "不用", "无需", "不再", "不是", "而不是", "取消", "去掉", "去除",
                        "移除", "舍弃"})
_MODIFIED = frozenset({"过程", "过程中", "中", "时", "时候", "后", "之后", "训练", "阶段", "后期", "前期", "期间", "为",
                       "级别", "层面", "层次", "训练过程", "训练时", "里", "内部", "计算", "速度", "效率", "性能", "消耗", "开销", "参数",
                       "损失", "下降", "降低", "提升", "变化", "丢失", "不足", "数量", "个数", "数目", "规模", "大小",
                       "时间", "占用"})
"""Words after a concept that make it a modifier of the real object: in `反向传播过程中的梯度问题`,
`GAN训练不稳定的问题` and `语义级别的图像分割问题` the thing solved is not 反向传播, GAN or 语义; in
`使用尺寸为5×5的过滤器` what is used is not a size."""
_PROBLEM_NOUNS = frozenset({"问题", "现象", "情况", "风险", "可能"})
"""`X问题`: X is what is solved only when X is itself a problem (`过拟合问题`, not `梯度问题`)."""
_PREPOSITIONS = frozenset({"与", "和", "跟", "同", "对", "把", "将", "被", "给", "向", "从", "由", "该", "这", "这个", "这种",
                           "此", "其", "那", "那个", "比如", "例如", "到", "参考", "借鉴"})
"""Words before a concept that make it an object of a preposition or a pointer to an earlier topic
(`将动量加入RMSProp`: 动量 is what is added, not who adds)."""
_STEP_PREPOSITIONS = _PREPOSITIONS | {"在", "根据", "按照", "利用", "通过"}
"""A step (`在验证集上搜索…`) names what it does first; a concept after these is only a means."""
_VERBS_OF_USE = frozenset({"使用", "采用", "用", "利用", "引入", "加入"})
_PURPOSE = frozenset({"适用", "适用于", "用于", "用来", "针对", "处理", "解决", "基于", "替代", "代替", "取代", "替换"})
"""`SVM是一种…适用小样本学习方法`: a class named after what it serves is not what the thing is."""
_SUBJECT_MODIFIED = frozenset({"后", "之后", "以后", "前", "之前"})
"""`池化后的特征…利用…`: the subject is what comes after the concept, not the concept."""
_KIND_REST = 2
_EXAMPLE_WORDS = frozenset({"实例", "举例", "例子", "示例", "例题", "习题", "练习", "计算"})
"""Heading words of a worked example: its items act on the example, not as the concept."""
_ONE_OF = frozenset({"一", "种", "一种", "一类", "之一", "一个", "类"})
"""`迁移学习的一种`: the class, then a word saying the thing is one of it."""
_CLASS_WORDS = frozenset("算法 方法 模型 网络 函数 技术 策略 方式 算子 滤波器 分类器 检测器 损失 结构 层 器 法 类 "
                         "任务 手段 机制 操作 运算 思想 变换 过程 形式 范式 学习".split())
"""Words after a class that still name the class (`二分类模型`, `降维技术`); others name another thing
(`分布式深度学习框架` is a framework, not a kind of 深度学习; `SVM是一个凸优化问题` poses SVM's
training as a problem, SVM is no kind of optimisation)."""
_NAME_SUFFIXES = _CLASS_WORDS | {"型", "之间", "等", "等等", "系列", "模块", "单元", "版本"}
"""The only words that may follow a name in a span that must be (nearly) only that name: `MSE 损失之间的比较`
compares MSE, `欠拟合与过拟合图解不同` compares plots, `imgaug 图像增强库使用…` is the library's use."""
_REST = {"heading": 1, "member": 2, "whole": 1, "agent": 1}
"""How many words may follow the concept in a span that must be (nearly) only its name:
`WGAN的改进` names WGAN, `卷积层的输出使用的激活函数…` is not a member named 卷积, and who
uses something stands right before the verb (`模型压缩/加速算法组件基于…` is the component's)."""
_AGENT_FILLERS = frozenset("都 也 还 主要 通常 一般 直接 本身 是 则 就 会 可以 能 能够 最 均 全部 大多 核心".split())
_OBJECT_LEAD = {"object": 3, "problem": 3, "thing": 1, "problem_object": 3}
"""An object is written within a few words of its verb; further on, it is another clause's.
What is used is named right after `使用` (`使用了大量的3×3卷积层` says too little to draw)."""


class Resolver:
    """Which concept a span means, for each way a pattern picks it (see `kg.models.Pick`)."""

    def __init__(self, lexicon: Lexicon, tokenizer: Tokenizer, concepts: dict[str, Concept]):
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.concepts = concepts
        self.cache: dict[tuple[str, str], str | None] = {}

    def __call__(self, span: str, pick: str, tokens: tuple[str, ...] = ()) -> str | None:
        k = (span, pick)
        if k not in self.cache:
            self.cache[k] = self._resolve(span, pick, tokens)
        return self.cache[k]

    def _resolve(self, span: str, pick: str, tokens: tuple[str, ...]) -> str | None:
        if pick in ("item", "member", "heading"):
            whole = self.lexicon.lookup(span)
            if whole:
                return None if pick == "heading" and self._is_problem(whole) else whole
        tokens = tokens or tuple(self.tokenizer.tokens(span))
        found = [m for m in self.lexicon.mentions(tokens) if not _partial(tokens, m)]
        if not found:
            return None
        if pick in ("subject", "own_subject", "member", "heading", "start", "whole", "step", "agent"):
            return self._leading(tokens, found[0], pick)
        found = [m for m in found if not _negated(tokens, m)]
        if not found:
            return None
        if pick in ("object", "problem", "thing", "problem_object"):
            return self._object(tokens, found, pick)
        if pick == "end":
            rest = [t for t in tokens[found[-1].end:] if t != BREAK]
            if len(rest) > _CATEGORY_SUFFIX or not all(t in _AGENT_FILLERS or t == "的" or _name_suffix(t) for t in rest):
                return None
            return _specific(tokens, found, span).concept
        if pick == "kind":
            return None if span.rstrip().endswith("问题") else _kind(tokens, found)  # `是一个凸优化问题`
        return found[-1].concept if pick == "last" else found[0].concept

    def _leading(self, tokens, first, pick: str) -> str | None:
        """The concept a span starts with; none if it is negated, owned (`X的…` for own_subject),
        or followed by a word that makes it a modifier (`池化后的特征`)."""
        lead = [t for t in tokens[: first.start] if t != BREAK and not t.isdigit()]
        after = _next_word(tokens, first.end)
        if len(lead) > (0 if pick in ("start", "member", "whole", "heading") else _SUBJECT_LEAD) or _negated(tokens, first):
            return None
        if set(lead) & (_STEP_PREPOSITIONS if pick == "step" else _PREPOSITIONS) or any(map(self._verb, lead)):
            return None  # `与sigmoid搭配使用的…`, `参考FPN思路…`, `该网络结构…`: not the subject, or another's
        if pick == "own_subject" and lead and tokens[first.start - 1] == lead[-1] and self._modifier(lead[-1]):
            return None  # `双线性池化是一种特征融合方法`: the subject is a kind of pooling the notes do not name
        if pick == "own_subject" and "的" in tokens[first.end: first.end + 2] or after in _SUBJECT_MODIFIED:
            return None  # `滤波器层面的剪枝属于…`: the subject is something of the concept
        if "的" in lead and not self._qualifier(lead[lead.index("的") - 1] if lead.index("的") else ""):
            return None  # `算法的网络结构是基于…`: the concept belongs to something else
        rest = [t for t in tokens[first.end:] if t not in (BREAK, "的") and t not in _AGENT_FILLERS]
        if pick == "member" and _CONJUNCTIONS & set(rest):
            rest = rest[: min(rest.index(c) for c in _CONJUNCTIONS & set(rest))]  # `Swish 或 Mish`
        if len(rest) > _REST.get(pick, len(rest)):
            return None
        if pick in ("whole", "member") and not all(map(_name_suffix, rest)) or pick == "agent" and any(map(self._other_noun, rest)):
            return None  # `过拟合图解不同` compares plots; `亮度、对比度增强` is no brightness; `图像增强库使用…`: the library
        if pick == "heading" and set(rest) & _EXAMPLE_WORDS:
            return None  # under `后验概率实例`, `使用贝叶斯定理…` works the example
        if pick == "heading" and self._is_problem(first.concept):
            return None  # under `如何解决欠拟合`, `使用集成方法` is a remedy, not something 欠拟合 uses
        return first.concept

    def bare_part(self, tokens: tuple[str, ...]) -> bool:
        """Whether a subject span starts with a model's part and no owner (`编码器采用deeplabv3`
        under a DeepLabv3+ heading): the sentence is about that model's part, not the concept."""
        words = [t for t in tokens if t != BREAK]
        found = self.lexicon.mentions(tuple(words))
        if not found or any(t == "的" for t in words[: found[0].start]):
            return False
        return key("".join(words[found[0].start: found[0].end])) in part_words()

    def named(self, tokens: tuple[str, ...]) -> set[str]:
        """Every concept a span names."""
        return {m.concept for m in self.lexicon.mentions(tokens)}

    def named_problem(self, problems: str, item: str) -> str | None:
        """The problem an item under a heading about several (`梯度消失、爆炸的解决方案`) says it
        remedies: one it names that the heading names too, if only in part (`爆炸`)."""
        tokens = tuple(self.tokenizer.tokens(item))
        for m in self.lexicon.mentions(tokens):
            if self._is_problem(m.concept) and not _negated(tokens, m) and any(
                    n[i:i + 2] in problems for n in self._names(m.concept) for i in range(len(n) - 1)):
                return m.concept
        return None

    def problem_before(self, text: str, head: str) -> str | None:
        """The problem `这个问题` points back to: the last concept the sentence names before the
        remedy, if that is a problem its clause ends on (`…称为内部协变量偏移，BN 解决这个问题`;
        in `局部最优往往有几维的权重较大，L2 可以缓解这一问题` the problem is the weights)."""
        at = text.find(head.strip()) if head.strip() else -1
        tokens = tuple(self.tokenizer.tokens(text[:at] if at > 0 else ""))
        named = [m for m in self.lexicon.mentions(tokens) if not _negated(tokens, m)]
        if not named or not self._is_problem(named[-1].concept):
            return None
        rest = tokens[named[-1].end:]
        ends_clause = next((t for t in rest if t not in _PROBLEM_NOUNS), BREAK) == BREAK
        return named[-1].concept if ends_clause else None

    def about_sibling(self, problem: str, item: str) -> bool:
        """Whether a remedy item is about a sibling of the problem its list names: a problem that
        shares a word with it and whose own part the item writes while the problem's is absent
        (`梯度剪切(爆炸)` under `梯度消失`: `爆炸` without `消失`)."""
        name = self.concepts[problem].name
        own = _bigrams((name,))
        for sibling in _problem_names():
            theirs = _bigrams((sibling,))
            if sibling != name and own & theirs and _written(theirs - own, item) and not _written(own - theirs, item):
                return True
        return False

    def _names(self, cid: str) -> tuple[str, ...]:
        concept = self.concepts.get(cid)
        return (concept.name, *concept.aliases) if concept else ()

    def _is_problem(self, cid: str) -> bool:
        return cid in self.concepts and self.concepts[cid].category == "problem"

    def _verb(self, word: str) -> bool:
        """A verb or preposition (jieba's tags), whose object a concept after it is."""
        tags = [flag for _, flag in self.tokenizer.pos(word)] if re.fullmatch(r"[\u4e00-\u9fff]+", word) else []
        return len(tags) == 1 and tags[0] in ("v", "p", "vd")

    def _other_noun(self, word: str) -> bool:
        """A noun after a name that is not a class word: the span names that noun's thing (`图像增强库`)."""
        if _name_suffix(word) or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
            return False
        tags = [flag for _, flag in self.tokenizer.pos(word)]
        return len(tags) == 1 and tags[0].startswith("n")

    def _modifier(self, word: str) -> bool:
        """A Chinese noun or adjective written onto a name (`双线性` in `双线性池化`) makes a longer name."""
        tags = [flag for _, flag in self.tokenizer.pos(word)] if re.fullmatch(r"[\u4e00-\u9fff]{2,}", word) else []
        return len(tags) == 1 and tags[0][0] in "nab"

    def _qualifier(self, word: str) -> bool:
        """An adjective or distinguishing word (`常见的`, `经典的`) may stand before a subject."""
        tags = [flag for _, flag in self.tokenizer.pos(word)] if re.fullmatch(r"[\u4e00-\u9fff]+", word) else []
        return len(tags) == 1 and tags[0][0] in "abzd"

    def _qualifies_later(self, tokens, mention, found) -> bool:
        """`使用 Ground Truth 和预测框的交并比`: a name in a phrase that `的` ties to a later name
        qualifies that name, which is what is used (for what is solved, `解决X问题的损失函数` is a
        relative clause: X is still what is solved)."""
        words = 0
        for i in range(mention.end, len(tokens)):
            t = tokens[i]
            if t == BREAK:
                continue  # backticks and bracketed glosses break the tokens too
            words += 1
            if words > _QUALIFIER_WORDS or t in _CLAUSE_ENDS or self._verb(t):
                return False
            if t == "的":
                return any(n.start > i and n.concept != mention.concept for n in found)
        return False

    def _object(self, tokens, found, pick: str) -> str | None:
        """The head noun of an object span, written right after the verb: the first concept that
        is not a modifier of another word; for solves/causes, before `问题` only a concept that
        is itself a problem (`problem`: only a problem at all)."""
        if pick != "thing" and tokens and tokens[0] in _VERBS_OF_USE:
            return None  # `避免使用ReLU`: what is avoided is a use, not a problem
        if pick == "thing" and any(self._verb(t) for t in tokens[: found[0].start] if t != BREAK):
            return None  # `使用防止过拟合`: the verb's object is a clause
        ends = {m.end for m in found}
        for m in found:
            if len([t for t in tokens[: m.start] if t != BREAK]) > _OBJECT_LEAD[pick]:
                return None
            if m.start >= 2 and tokens[m.start - 1] == "的" and m.start - 1 not in ends:
                continue  # `一些死的神经元`: a kind of the concept, not the concept
            after = _next_word(tokens, m.end, stop_at_break=True)
            if after == "的":
                after = _next_word(tokens, m.end + 1, stop_at_break=True)
                if after and after not in _PROBLEM_NOUNS:
                    continue
            if after in _MODIFIED or pick != "thing" and _before_problem_noun(tokens, m) or pick == "thing" and self._qualifies_later(tokens, m, found):
                continue
            category = self.concepts[m.concept].category if m.concept in self.concepts else None
            is_problem = category == "problem"
            if pick == "problem_object" and not is_problem:
                return None  # `降低了网络参数`: a quantity lowered, not a problem solved
            if pick != "thing" and category not in (None, "problem"):
                return None  # what is solved or caused is a problem, not a metric or a model
            if pick != "thing" and (after in _PROBLEM_NOUNS or pick == "problem") and not is_problem:
                return None
            if pick == "problem" and len([t for t in tokens[m.end:] if t != BREAK]) > 1 and after not in _PROBLEM_NOUNS:
                return None  # `导致前面网络参数贡献很小`: what is caused is a clause about it
            return m.concept
        return None


def _before_problem_noun(tokens: Sequence[str], mention) -> bool:
    """`无监督图像转换问题`: other words stand between the concept and `问题`, so the problem
    is a problem of something the concept qualifies."""
    rest = []
    for t in tokens[mention.end:]:
        if t == BREAK:
            return False
        if t in _PROBLEM_NOUNS:
            return any(w != "的" for w in rest)
        rest.append(t)
    return False


def _previous_word(tokens: Sequence[str], i: int) -> str:
    return next((t for t in reversed(tokens[:i]) if t != BREAK), "")


def _next_word(tokens: Sequence[str], i: int, stop_at_break: bool = False) -> str:
    for t in tokens[i:]:
        if t != BREAK:
            return t
        if stop_at_break:
            return ""
    return ""


@functools.lru_cache(maxsize=1)
def _problem_names() -> tuple[str, ...]:
    """Names of the problems the glossary knows, whether or not these notes name them."""
    return tuple(e.name for e in glossary().entries if e.category == "problem")


def _bigrams(names: Sequence[str]) -> set[str]:
    """Two-character pieces of Chinese names: `梯度爆炸` → 梯度, 度爆, 爆炸."""
    return {n[i:i + 2] for n in names for i in range(len(n) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", n[i:i + 2])}


def _written(pieces: set[str], text: str) -> bool:
    return any(p in text for p in pieces)


def _name_suffix(word: str) -> bool:
    """A word that may follow a name and still name its thing: a class word, or one ending in one
    (`型函数`, `核心思想`).

    Examples
    --------
    >>> _name_suffix("损失"), _name_suffix("型函数"), _name_suffix("图解"), _name_suffix("库")
    (True, True, False, False)
    """
    return word in _NAME_SUFFIXES or any(word.endswith(w) for w in _CLASS_WORDS if len(w) >= 2)


def _specific(tokens: Sequence[str], found, span: str):
    """The most specific name at a span's end: a name right before the last one (at most a
    bracketed gloss between) qualifies it; `交叉熵（CE）损失函数` is cross-entropy, not any loss.
    In a list (`SSD、YOLO`) the last name is the one the span ends with."""
    last = found[-1]
    if len(found) < 2 or _LISTED.search(span) or found[-2].concept == last.concept:
        return last
    between = tokens[found[-2].end: last.start]
    glossed = "(" in span or "（" in span
    return found[-2] if all(t == BREAK or glossed and t.isascii() for t in between) else last


def _kind(tokens: Sequence[str], found) -> str | None:
    """The class a thing is said to be: the last concept, or the one right before it that
    qualifies it (`one-stage 目标检测算法` is a one-stage detector); none if more than a word or
    two follow it (`通过计算图的形式来表述计算的编程系统` is no kind of 计算图)."""
    last = found[-1]
    rest = [t for t in tokens[last.end:] if t not in (BREAK, "的")]
    if len(rest) > _KIND_REST or rest and rest[0] not in _CLASS_WORDS and rest[0] not in _ONE_OF:
        return None  # `多分支卷积模块` is a kind of module, `深度学习库` of library
    if _previous_word(tokens, found[-2].start if len(found) >= 2 and found[-2].end == last.start else last.start) in _PURPOSE:
        return None
    if len(found) >= 2 and found[-2].end == last.start and tokens[found[-2].start].isascii():
        return found[-2].concept
    return last.concept


def _partial(tokens: Sequence[str], mention) -> bool:
    """A Latin name inside a longer one: `FCN` in `R-FCN` (the hyphen is not a token),
    `mini-batch` in `mini-batch norm`."""
    if not tokens[mention.start].isascii():
        return False
    before = tokens[mention.start - 1] if mention.start else ""
    after = tokens[mention.end] if mention.end < len(tokens) else ""
    written = tokens[mention.start: mention.end]
    return any(t.isascii() and t.isalpha() and t not in written for t in (before, after))  # not `batchnorm Batchnorm`


def _negated(tokens: Sequence[str], mention) -> bool:
    """`无 anchor 算法`, `anchor free`, `不冻结…`: the span names what the thing is not."""
    before = next((t for t in reversed(tokens[:mention.start]) if t != BREAK), "")
    after = next((t for t in tokens[mention.end:] if t != BREAK), "")
    return before in _NEGATIONS or after == "free"
