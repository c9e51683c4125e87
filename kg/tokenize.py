"""The one owner of jieba, and of Latin tokens: notes and queries go through `tokens`.

jieba is used through a private ``jieba.Tokenizer()`` instance with the glossary's
Chinese names added, so concept names come out as single tokens and nothing leaks
into the global jieba state. The instance is built lazily: a process that never
segments text (e.g. one answering from a saved index) never pays for it.
"""

from __future__ import annotations

import functools
import logging
import math
import os
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


class SavedDictionary:
    """jieba's own segmentation (DAG, max-probability route, no HMM) over a saved word list.

    A saved index keeps the words its notes were segmented into, with jieba's
    frequencies and total; a query can only match those words, and for text made
    of them this finds the same route as jieba with its full dictionary. Loading
    it costs milliseconds where jieba's dictionary costs most of a second, which
    decides how fast `kg search` answers from a cold start.

    Examples
    --------
    >>> SavedDictionary({"过拟合": 100, "处理": 500}, 10_000).cut("过拟合的处理")
    ['过拟合', '的', '处理']
    """

    def __init__(self, words: dict[str, int], total: int):
        self.total = total
        self.freq: dict[str, int] = {}
        for word, count in words.items():
            self.freq[word] = count
            for i in range(1, len(word)):
                self.freq.setdefault(word[:i], 0)
        self._log_total = math.log(total)

    def cut(self, sentence: str) -> list[str]:
        n = len(sentence)
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        freq = self.freq
        for idx in range(n - 1, -1, -1):
            best = None
            end = idx
            frag = sentence[idx]
            ends = []
            while end < n and frag in freq:
                if freq[frag]:
                    ends.append(end)
                end += 1
                frag = sentence[idx:end + 1]
            for x in ends or [idx]:
                score = math.log(freq.get(sentence[idx:x + 1]) or 1) - self._log_total + route[x + 1][0]
                if best is None or (score, x) > best:
                    best = (score, x)
            route[idx] = best
        out, x = [], 0
        while x < n:
            y = route[x][1] + 1
            out.append(sentence[x:y])
            x = y
        return out


class Tokenizer:
    """Segments folded text into word tokens with `BREAK` at punctuation.

    Examples
    --------
    >>> t = Tokenizer(["过拟合"])
    >>> t.tokens("Dropout:防止过拟合")
    ['dropout', '|', '防止', '过拟合']
    """

    def __init__(self, vocabulary: Iterable[str] = (), dictionary: SavedDictionary | None = None):
        self._vocabulary = tuple(sorted({fold(w) for w in vocabulary if w}))
        self._jieba = None
        self._tags = None
        self._dictionary = dictionary

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
        if self._dictionary is not None:
            return self._dictionary.cut(run)
        return self._segmenter().lcut(run, HMM=False)

    def export_dictionary(self, words: Iterable[str]) -> dict:
        """`words` with jieba's frequencies and total: what `SavedDictionary` needs to segment like this."""
        seg = self._segmenter()
        return {"total": seg.total, "words": {w: seg.FREQ.get(w) or 1 for w in sorted(set(words))}}

    def pos(self, text: str) -> list[tuple[str, str]]:
        """Part-of-speech pairs of a short Chinese phrase: this instance's words, tagged from jieba's
        tag table (what jieba's POS tagger does without HMM; the table is loaded once, by jieba)."""
        if self._tags is None:
            self._tags = _tag_table()
        return [(w, self._tags.get(w, "x")) for w in self.cut_cjk(text)]

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
def _tag_table() -> dict[str, str]:
    """jieba's word → part-of-speech table, from its dictionary file; cached beside jieba's own
    cache (importing jieba.posseg parses the 5 MB dictionary on every start)."""
    import hashlib
    import marshal
    import tempfile
    from pathlib import Path

    import jieba

    source = Path(jieba.__file__).with_name("dict.txt")
    stamp = hashlib.sha1(f"{source}:{source.stat().st_mtime_ns}".encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / f"kg-jieba-tags-{stamp}.marshal"
    try:
        return marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = {}
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                table[parts[0]] = parts[2]
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(marshal.dumps(table))
    os.replace(tmp, cache)
    return table


@functools.lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    """The tokenizer with the shipped glossary's Chinese names as vocabulary."""
    from kg.resources import glossary

    vocab = [n for e in glossary().entries for n in (e.name, *e.aliases) if _all_cjk(n)]
    return Tokenizer(vocab)


def _all_cjk(name: str) -> bool:
    return bool(re.fullmatch(r"[\u4e00-\u9fff\u3400-\u4dbf]{2,}", name))
