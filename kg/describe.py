"""The concept a description means, read off the passages the description finds.

A student who cannot recall a name describes the thing: "the model does well on the training set
but badly on unseen data", "让小的 student 模型去拟合大的 teacher 模型的输出". Such a query names
other concepts (训练集, 模型) but not the one meant, whose name it avoids; the notes' passages that
answer it sit under that concept's heading or open with its name. So a descriptive query's concepts
are ranked by the passages it finds, not only by the names it writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.index import KnowledgeIndex
from kg.tokenize import BREAK, Tokenizer

DESCRIPTION_WORDS = 5
"""Content words from which a query is a description rather than a name (`weight sharing in CNNs`
is three; a paraphrase is rarely under six)."""
ABOUT_PASSAGES = 3
"""How many of the best passages vote: the first answers most often, the next two back it up."""
ABOUT_BONUS = 150.0
"""Above a named concept's bonus (`kg.search.MENTION_BONUS`): in a description the concepts named
are parts of the description; the one described is what the answering passages are about."""
_QUESTION = re.compile(r"^\s*(?:how|why|what|when|which|where|does|do|is|are|can|should)\b|[?？]|为什么|为何|如何|怎么|怎样|什么|哪些|吗",
                       re.I)
"""A question asks about the concepts it names (`how does NMS remove duplicate boxes`); a description
avoids the name of the one it means."""
_NUMBERING = re.compile(r"^\s*(?:[\d.、)）]+|[一二三四五六七八九十]+[、.])\s*")


def is_description(words: Sequence[str], exact: str | None) -> bool:
    """Whether a query describes a concept instead of naming it.

    Examples
    --------
    >>> is_description(["weight", "sharing", "cnns"], None)
    False
    >>> is_description(["model", "well", "training", "set", "poorly", "unseen", "test", "data"], None)
    True
    """
    return exact is None and len(set(words)) >= DESCRIPTION_WORDS


def answer_subjects(query: str, named: Sequence[str], about: dict[str, float]) -> dict[str, float]:
    """What the passages are about counts for a description, not for a question that names concepts:
    `how does non-maximum suppression remove duplicate boxes in object detection` asks about NMS first,
    though its answers sit under 目标检测, which it names too.

    Examples
    --------
    >>> answer_subjects("how does NMS work in detection", ["nms", "det"], {"det": 150.0})
    {}
    >>> answer_subjects("the model fits training data but fails on new data", ["train"], {"overfit": 150.0})
    {'overfit': 150.0}
    """
    if named and _QUESTION.search(query):
        return {}
    return about


def passage_subject(index: KnowledgeIndex, tokenizer: Tokenizer, heading: Sequence[str], text: str) -> str | None:
    """The concept a passage is about: the one its nearest heading names first, else the one its
    text opens with."""
    lexicon = index.lexicon
    if heading:
        title = _NUMBERING.sub("", heading[-1])
        whole = lexicon.lookup(title)
        if whole:
            return whole
        found = lexicon.mentions(tokenizer.tokens(title))
        if found:
            return found[0].concept
    tokens = tokenizer.tokens(text[:80])
    found = lexicon.mentions(tokens)
    if found and not [t for t in tokens[: found[0].start] if t != BREAK]:
        return found[0].concept
    return None


def described(index: KnowledgeIndex, tokenizer: Tokenizer, passages) -> dict[str, float]:
    """A bonus per concept the best passages are about, the first passage counting most."""
    bonus: dict[str, float] = {}
    for rank, hit in enumerate(passages[:ABOUT_PASSAGES]):
        cid = passage_subject(index, tokenizer, hit.heading, hit.text)
        if cid and cid in index.concepts:
            bonus[cid] = bonus.get(cid, 0.0) + ABOUT_BONUS / (rank + 1)
    return bonus
