"""Tokens of notes and queries: jieba's Chinese words, folded Latin words, and breaks.

Chinese is segmented with jieba's dictionary and route (see `kg.dictionary`) with
the glossary's Chinese names added, so concept names come out as single tokens;
nothing touches jieba's global state. The dictionary is loaded lazily: a process
that answers from a saved index never pays for it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from kg.dictionary import TagTable, WordDictionary, jieba_dictionary, tag_table
from kg.normalize import fold

BREAK = "|"
"""Token standing for punctuation: concept names never match across it."""
_CHINESE_WORD = re.compile(r"[\u4e00-\u9fd5]{2,}")
"""What jieba can add as a word: two or more of the characters it segments."""

_PIECES = re.compile(
    r"(?P<cjk>[\u4e00-\u9fd5]+)"
    r"|(?P<rare>[\u9fd6-\u9fff\u3400-\u4dbf])"
    r"|(?P<latin>[a-z0-9]+)"
    r"|(?P<join>[\s'’\-_·]+)"
    r"|(?P<other>.)",
    re.S,
)


class Tokenizer:
    """Segments folded text into word tokens with `BREAK` at punctuation.

    Chinese runs are cut by jieba's dictionary route (`kg.dictionary`): jieba's full
    dictionary with `vocabulary` added (loaded lazily, on the first Chinese text), or a
    saved index's word list (`dictionary`), which segments queries the same way for a
    fraction of the start-up cost.

    Examples
    --------
    >>> t = Tokenizer(["过拟合"])
    >>> t.tokens("Dropout:防止过拟合")
    ['dropout', '|', '防止', '过拟合']
    """

    def __init__(self, vocabulary: Iterable[str] = (), dictionary: WordDictionary | None = None):
        self._vocabulary = tuple(sorted({w for w in map(fold, vocabulary) if _CHINESE_WORD.fullmatch(w)}))
        self._tags: TagTable | None = None
        self._dictionary = dictionary

    @property
    def dictionary(self) -> WordDictionary:
        if self._dictionary is None:
            self._dictionary = jieba_dictionary(self._vocabulary)
        return self._dictionary

    def cut_cjk(self, run: str) -> list[str]:
        if len(run) == 1:
            return [run]
        return self.dictionary.cut(run)

    def export_dictionary(self, words: Iterable[str]) -> dict:
        """`words` with their frequencies and the total: what a saved `WordDictionary` needs to
        segment like this tokenizer."""
        dictionary = self.dictionary
        return {"total": dictionary.total, "words": {w: dictionary.frequency(w) for w in sorted(set(words))}}

    def pos(self, text: str) -> list[tuple[str, str]]:
        """Part-of-speech pairs of a short Chinese phrase: this instance's words, tagged from jieba's
        tag table (what jieba's POS tagger does without HMM)."""
        if self._tags is None:
            self._tags = tag_table()
        return [(w, self._tags.get(w, "x")) for w in self.cut_cjk(text)]

    def tokens(self, text: str) -> list[str]:
        """All tokens of `text`, folded, with `BREAK` where punctuation stood."""
        out: list[str] = []
        for m in _PIECES.finditer(fold(text)):
            kind = m.lastgroup
            if kind == "cjk":
                out.extend(self.cut_cjk(m.group()))
            elif kind == "latin" or kind == "rare":
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

    return Tokenizer(n for e in glossary().entries for n in (e.name, *e.aliases))
