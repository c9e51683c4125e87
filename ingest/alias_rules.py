"""General rules for what a mined alias may join (`kg/data/alias_rules.json`).

A note's bracket glosses many things besides a synonym: a measure of the concept
(`丢弃比率（dropout）`), an annotation of the name (`gcc（小写）`), or a list of tokens
(`js css img（静态数据）`). Each of these joined two concepts, or made a non-name one.
"""

from __future__ import annotations

import re

from kg.normalize import has_cjk, key
from kg.resources import alias_rules, annotation_words

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
