"""The one owner of jieba, and of Latin tokens: notes and queries go through `tokens`.

jieba is used through a private ``jieba.Tokenizer()`` instance with the glossary's
Chinese names added, so concept names come out as single tokens and nothing leaks
into the global jieba state. The instance is built lazily: a process that never
segments text (e.g. one answering from a saved index) never pays for it.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable

from kg.normalize import fold

BREAK = "|"
"""Token standing for punctuation: concept names never match across it."""

_PIECES = re.compile(
    r"(?P<cjk>[\u4e00-\u9fff\u3400-\u4dbf]+)"
    r"|(?P<latin>[a-z0-9]+)"
    r"|(?P<join>[\s'’\-_·]+)"
    r"|(?P<other>.)",
    re.S,
)


class Tokenizer:
    """Segments folded text into word tokens with `BREAK` at punctuation.

    Examples
    --------
    >>> t = Tokenizer(["过拟合"])
    >>> t.tokens("Dropout:防止过拟合")
    ['dropout', '|', '防止', '过拟合']
    """

    def __init__(self, vocabulary: Iterable[str] = ()):
        self._vocabulary = tuple(sorted({fold(w) for w in vocabulary if w}))
        self._jieba = None
        self._tagger = None

    def _segmenter(self):
        if self._jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            seg = jieba.Tokenizer()
            seg.initialize()
            for word in self._vocabulary:
                seg.add_word(word)
            self._jieba = seg
        return self._jieba

    def cut_cjk(self, run: str) -> list[str]:
        if len(run) == 1:
            return [run]
        return self._segmenter().lcut(run, HMM=False)

    def pos(self, text: str) -> list[tuple[str, str]]:
        """Part-of-speech pairs of a short Chinese phrase (jieba's tagger on this instance)."""
        if self._tagger is None:
            import jieba.posseg

            self._tagger = jieba.posseg.POSTokenizer(self._segmenter())
        return [(p.word, p.flag) for p in self._tagger.lcut(text, HMM=False)]

    def tokens(self, text: str) -> list[str]:
        """All tokens of `text`, folded, with `BREAK` where punctuation stood."""
        out: list[str] = []
        for m in _PIECES.finditer(fold(text)):
            kind = m.lastgroup
            if kind == "cjk":
                out.extend(self.cut_cjk(m.group()))
            elif kind == "latin":
                out.append(m.group())
            elif kind == "other" and out and out[-1] != BREAK:
                out.append(BREAK)
        return out


def words(tokens: Iterable[str], stopwords: frozenset[str]) -> list[str]:
    """The tokens that carry meaning for ranking: no breaks, no stopwords."""
    return [t for t in tokens if t != BREAK and t not in stopwords]


@functools.lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    """The tokenizer with the shipped glossary's Chinese names as vocabulary."""
    from kg.resources import glossary

    vocab = [n for e in glossary().entries for n in (e.name, *e.aliases) if _all_cjk(n)]
    return Tokenizer(vocab)


def _all_cjk(name: str) -> bool:
    return bool(re.fullmatch(r"[\u4e00-\u9fff\u3400-\u4dbf]{2,}", name))
