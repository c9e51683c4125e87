"""Bilingual pairs a note states, for English queries over Chinese notes.

Notes name a thing in both languages side by side: `非结构化剪枝（unstructured pruning）`,
`Batch Normalization（批归一化）`. Each such pair maps the folded English phrase to the
Chinese words; the index keeps them for all notes, and a query in English also asks for
those words (`kg.search`, with a weight below the query's own words).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from kg.models import Passage
from kg.tokenize import BREAK, Tokenizer

_ZH_EN = re.compile(r"([\u4e00-\u9fff]{2,})\s*[（(]\s*([A-Za-z][A-Za-z0-9\-]*(?:[ \-][A-Za-z0-9]+){0,4})\s*(?:[,，;；:：][^)）]*)?[)）]")
_EN_ZH = re.compile(r"([A-Za-z][A-Za-z0-9\-]*(?: [A-Za-z][A-Za-z0-9\-]*){0,5})\s*[（(]\s*([\u4e00-\u9fff]{2,12})\s*[)）]")
_CHARS_PER_WORD = 2.5
_MAX_CHINESE_TOKENS = 4
_MAX_ENGLISH_WORDS = 4
KEEP_PER_PHRASE = 2


def mine_pairs(units: Sequence[Passage], tokenizer: Tokenizer) -> list[tuple[str, tuple[str, ...]]]:
    """(English phrase, Chinese tokens) pairs stated in a note's units, in order.

    Examples
    --------
    >>> from kg.models import Passage
    >>> from kg.tokenize import Tokenizer
    >>> u = Passage(id="1", source="a.md", line=1, text="批归一化（Batch Normalization）能加速收敛")
    >>> mine_pairs([u], Tokenizer(["批归一化"]))
    [('batch normalization', ('批归一化',))]
    """
    out: list[tuple[str, tuple[str, ...]]] = []
    for u in units:
        if u.kind == "code" or ("（" not in u.text and "(" not in u.text):
            continue
        for m in _ZH_EN.finditer(u.text):
            english = _english(m.group(2))
            chinese = _tail_tokens(tokenizer.tokens(m.group(1)), len(english.split()))
            if english and chinese:
                out.append((english, chinese))
        for m in _EN_ZH.finditer(u.text):
            chinese = tuple(t for t in tokenizer.tokens(m.group(2)) if t != BREAK)
            words = m.group(1).split()[-max(1, min(_MAX_ENGLISH_WORDS, round(len(m.group(2)) / 2))):]
            english = _english(" ".join(words))
            if english and chinese:
                out.append((english, chinese))
    return out


def merge_pairs(pairs: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, list[str]]:
    """English phrase → the Chinese words of its most frequent renderings across all notes."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for english, chinese in pairs:
        counts[english][tuple(chinese)] += 1
    return {english: list(dict.fromkeys(w for zh, _ in seen.most_common(KEEP_PER_PHRASE) for w in zh))
            for english, seen in sorted(counts.items())}


def _english(phrase: str) -> str:
    words = re.findall(r"[a-z0-9]+", phrase.casefold())
    return " ".join(words) if words and len(words) <= _MAX_ENGLISH_WORDS and not words[0].isdigit() else ""


def _tail_tokens(tokens: list[str], n_words: int) -> tuple[str, ...]:
    """The last Chinese words before the parenthesis, about as many characters as the English needs."""
    out: list[str] = []
    need = _CHARS_PER_WORD * max(1, n_words)
    for t in reversed(tokens):
        if t == BREAK or len(out) == _MAX_CHINESE_TOKENS or sum(map(len, out)) >= need:
            break
        out.insert(0, t)
    return tuple(out)
