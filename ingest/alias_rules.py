"""General rules for what a mined alias may join (`kg/data/alias_rules.json`).

A note's bracket glosses many things besides a synonym: a measure of the concept
(`丢弃比率（dropout）`), an annotation of the name (`gcc（小写）`), or a list of tokens
(`js css img（静态数据）`). Each of these joined two concepts, or made a non-name one.
A new name for a glossary concept must also read as a translation of its names
(`fits_english`, `fits_chinese`), not as a description of it (`F1（综合评价指标）`).
"""

from __future__ import annotations

import re

from kg.normalize import has_cjk, key
from kg.resources import alias_rules, annotation_words, generic_words

_SHORT_WORD = 3
"""A word of a token list is this short at most (`js`, `css`, `img`); `you only look once` names."""


def is_measure(name: str) -> bool:
    """Whether a name ends as a measure's name does (`丢弃比率`, `卷积核大小`, `dilation rate`)."""
    folded = name.strip().casefold()
    return any(folded.endswith(s.casefold()) and len(folded) > len(s.strip()) for s in alias_rules().measure_suffixes)


def glosses_a_measure(names: list[str], group_names) -> bool:
    """Whether an alias pairs a measure with a name of something that is not one: the bracket says
    what the measure is of (`丢弃比率（dropout）`), not that the two are one concept.

    `group_names(name)` gives every known name of `name`'s concept (itself if new). The other
    side is known not to be a measure when its concept has names and none is a measure's, and
    it is a glossary concept or a Chinese name (a new English word may be a measure: `coverage`).

    Examples
    --------
    >>> glosses_a_measure(["丢弃比率", "dropout"], lambda n: [n, "随机失活"] if n == "dropout" else [n])
    True
    >>> glosses_a_measure(["卷积核大小", "kernel size"], lambda n: [n])
    False
    """
    measures = [n for n in names if is_measure(n)]
    if not measures:
        return False
    for other in names:
        if other in measures:
            continue
        known = list(group_names(other))
        if not any(is_measure(n) for n in known) and (len(known) > 1 or has_cjk(other)):
            return True
    return False


def is_annotation(name: str) -> bool:
    """An annotation a bracket adds to a name (`小写`, `简称`, `注`), not a name."""
    return key(name) in annotation_words()


def is_token_list(surface: str) -> bool:
    """A Latin phrase of three or more short lower-case words (`js css img`) lists tokens (file
    types, commands), it does not name a concept; names are written with capitals or longer words.

    Examples
    --------
    >>> is_token_list("js css img"), is_token_list("you only look once"), is_token_list("max pooling")
    (True, False, False)
    """
    words = surface.split()
    return len(words) >= 3 and all(re.fullmatch(r"[a-z]+", w) and len(w) <= _SHORT_WORD for w in words)


def names_of(groups):
    """Every known name of a name's concept (the name alone if the notes have not used it)."""
    def names(name: str) -> list[str]:
        if key(name) not in groups.parent:
            return [name]
        root = groups.find(key(name))
        return [s for k in groups.parent if groups.find(k) == root for s in groups.surfaces[k]] or [name]
    return names


def fits_english(groups, root: str, names: list[str]) -> bool:
    """A new English name for a glossary concept that has English names must share a word with
    them or spell their initials: `机器学习（Andrew Ng）` glosses nothing, `（machine learning）` does."""
    new_english = [n for n in names if n.isascii() and (key(n) not in groups.parent or groups.find(key(n)) != root)]
    if not new_english:  # the common case: no group need be walked
        return True
    english = [s for k in groups.parent if groups.find(k) == root for s in groups.surfaces[k] if s.isascii()]
    words = {w.casefold() for s in english for w in re.findall(r"[A-Za-z]+", s)}
    initials = {"".join(w[0] for w in re.findall(r"[A-Za-z]+", s)).casefold() for s in english}
    return not english or all({w.casefold() for w in re.findall(r"[A-Za-z]+", n)} & words or key(n) in initials
                              for n in new_english)


def fits_chinese(groups, root: str, names: list[str]) -> bool:
    """A new Chinese name for a glossary concept must share a two-character word with its Chinese
    names, generic ones aside (`模型`, `算法`): a bracket after an acronym often describes it
    (`F1（综合评价指标）`, `LRN（规范化操作）`, `DenseNet（特征复用）`, `神经网络（纠错模型）`) where a
    translation shares a word (`丢弃技术` of 丢弃法, `特异性` of 特异度)."""
    new_chinese = [n for n in names if has_cjk(n) and (key(n) not in groups.parent or groups.find(key(n)) != root)]
    if not new_chinese:
        return True
    known = {b for k in groups.parent if groups.find(k) == root for s in groups.surfaces[k] for b in _bigrams(s)}
    return not known or all(_bigrams(n) & known for n in new_chinese)


def negates(names: list[str], group_names) -> bool:
    """Whether one name is another's opposite (`非饱和性（saturation）`: 非 + 饱和性, a name of
    saturation): the bracket names what the property is the absence of.

    Examples
    --------
    >>> negates(["非饱和性", "saturation"], lambda n: [n, "饱和性"] if n == "saturation" else [n])
    True
    >>> negates(["非极大值抑制", "NMS"], lambda n: [n])
    False
    """
    for name in names:
        if len(name) > 2 and name[0] in "非不无":
            rest = key(name[1:])
            if any(rest == key(known) for other in names if other != name for known in group_names(other)):
                return True
    return False


def _bigrams(name: str) -> set[str]:
    """The two-character runs of a name's Chinese, less generic words (`模型`, `网络`, `方法`)."""
    runs = re.findall(r"[\u4e00-\u9fff]+", name)
    return {r[i:i + 2] for r in runs for i in range(len(r) - 1)} - generic_words()
