"""Names → concept ids: what makes `overfitting`, `Over-fitting` and `过拟合` one concept.

Matching works on token sequences (see `kg.tokenize`): a concept is mentioned where
a run of consecutive tokens, joined, equals one of its keys. Runs never cross a
`BREAK`, and single tokens are never split, so `熵` is not found inside `交叉熵`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from kg.normalize import key
from kg.tokenize import BREAK


class Mention(NamedTuple):
    start: int
    end: int
    concept: str


class Lexicon:
    """A frozen map from name keys to concept ids, with mention finding and fuzzy lookup.

    Examples
    --------
    >>> lex = Lexicon({"overfitting": "过拟合", "过拟合": "过拟合", "batchnormalization": "bn"})
    >>> lex.lookup("Over-Fitting")
    '过拟合'
    >>> [m.concept for m in lex.mentions(["batch", "normalization", "防止", "过拟合"])]
    ['bn', '过拟合']
    """

    def __init__(self, keys: Mapping[str, str]):
        self._keys = dict(keys)
        self._prefixes: set[str] = set()
        self._by_length: dict[int, list[str]] = {}
        self._index(self._keys)
        self._fuzzy_cache: dict[str, list[str]] = {}

    def _index(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        self._prefixes |= {k[:i] for k in keys for i in range(1, len(k) + 1)}
        for k in keys:
            if k.isascii() and len(k) >= 4:
                self._by_length.setdefault(len(k), []).append(k)

    def with_keys(self, keys: Mapping[str, str]) -> "Lexicon":
        """A lexicon of `keys`, reusing this one's tables when `keys` only adds names to it (an
        append adds a handful of names to thousands).

        Examples
        --------
        >>> Lexicon({"dropout": "dropout"}).with_keys({"dropout": "dropout", "早停": "早停"}).lookup("早停")
        '早停'
        """
        if any(k not in keys for k in self._keys):
            return Lexicon(keys)
        other = Lexicon.__new__(Lexicon)
        other._keys = dict(keys)
        other._prefixes = set(self._prefixes)
        other._by_length = {n: list(ks) for n, ks in self._by_length.items()}
        other._index(k for k in other._keys if k not in self._keys)
        other._fuzzy_cache = {}
        return other

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, name: str) -> bool:
        return self.lookup(name) is not None

    def items(self) -> Iterable[tuple[str, str]]:
        return self._keys.items()

    def lookup(self, name: str) -> str | None:
        """The concept a whole name denotes (exact key, or an English plural of one)."""
        k = key(name)
        found = self._keys.get(k)
        if found is None and k.isascii() and len(k) > 4 and k.endswith("s"):
            found = self._keys.get(k[:-1])
        return found

    def mentions(self, tokens: Sequence[str], max_tokens: int = 8) -> list[Mention]:
        """Leftmost-longest concept mentions in a token sequence (the build's hottest loop)."""
        keys, prefixes = self._keys, self._prefixes
        found: list[Mention] = []
        i, n = 0, len(tokens)
        while i < n:
            joined = tokens[i]
            if joined not in prefixes:
                i += 1
                continue
            best, best_end, j = None, i, i
            while True:
                hit = keys.get(joined)
                if hit is not None:
                    best, best_end = hit, j + 1
                j += 1
                if j >= n or j - i >= max_tokens or tokens[j] == BREAK:
                    break
                joined += tokens[j]
                if joined not in prefixes:
                    break
            if best is None:
                i += 1
            else:
                found.append(Mention(i, best_end, best))
                i = best_end
        return found

    def fuzzy(self, name: str, limit: int = 3) -> list[str]:
        """Concepts whose Latin key is within a small edit distance of `name`.

        One edit for names of 4-7 letters, two from 8 on: enough for `regularizaton`,
        not enough to turn `relu` into `elu`.

        Examples
        --------
        >>> Lexicon({"regularization": "正则化"}).fuzzy("regularizaton")
        ['正则化']
        """
        k = key(name)
        if not k.isascii() or len(k) < 4:
            return []
        if k not in self._fuzzy_cache:
            self._fuzzy_cache[k] = self._fuzzy(k)
        return self._fuzzy_cache[k][:limit]

    def _fuzzy(self, k: str) -> list[str]:
        budget = 1 if len(k) < 8 else 2
        scored = []
        for length in range(len(k) - budget, len(k) + budget + 1):
            for cand in self._by_length.get(length, ()):
                d = edit_distance(k, cand, budget)
                if d <= budget:
                    scored.append((d, len(cand), cand))
        out: list[str] = []
        for _, _, cand in sorted(scored):
            cid = self._keys[cand]
            if cid not in out:
                out.append(cid)
        return out


def edit_distance(a: str, b: str, budget: int) -> int:
    """Levenshtein distance, giving up (returning budget + 1) once it must exceed budget.

    Examples
    --------
    >>> edit_distance("kitten", "sitting", 5)
    3
    >>> edit_distance("kitten", "sitting", 1)
    2
    """
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > budget:
            return budget + 1
        prev = cur
    return prev[-1]
