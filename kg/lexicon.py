"""Names → concept ids: what makes `overfitting`, `Over-fitting` and `过拟合` one concept.

Matching works on token sequences (see `kg.tokenize`): a concept is mentioned where
a run of consecutive tokens, joined, equals one of its keys. Runs never cross a
`BREAK`, and single tokens are never split, so `熵` is not found inside `交叉熵`.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from kg.normalize import has_cjk, key
from kg.tokenize import BREAK

MAX_FUZZY_KEY = 32
"""Names longer than this are not looked up by near spelling: their deletion variants would
dominate the table, and a phrase that long is matched word by word anyway."""
MAX_TWO_EDIT_KEY = 16
"""Names longer than this are found one edit away only: the two-deletion variants of a long name
number in the hundreds each (a second per few thousand names to build)."""
_FUZZY_CACHE_SIZE = 10_000
_allowance: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("fuzzy_allowance", default=None)


@contextlib.contextmanager
def fuzzy_budget(lookups: int) -> Iterator[None]:
    """At most `lookups` near-spelling look-ups (not already cached) inside the block, in this thread
    or task: bounds the work of one query whatever its length; later look-ups find nothing.

    Examples
    --------
    >>> lex = Lexicon({"dropout": "dropout", "softmax": "softmax"})
    >>> with fuzzy_budget(1):
    ...     lex.fuzzy("dropuot"), lex.fuzzy("sotfmax")
    (['dropout'], [])
    """
    token = _allowance.set([lookups])
    try:
        yield
    finally:
        _allowance.reset(token)


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
        self._index(self._keys)
        self._fuzzy_cache: dict[str, list[str]] = {}
        self._variants: dict[str, str] | None = None

    def _index(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        self._prefixes |= {k[:i] for k in keys for i in range(1, len(k) + 1)}

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
        other._index(k for k in other._keys if k not in self._keys)
        other._fuzzy_cache = {}
        other._variants = None
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
        """Concepts whose key is within a small edit distance of `name`, nearest first.

        Latin names: one edit for 4-7 letters, two from 8 on: enough for `regularizaton`,
        not enough to turn `relu` into `elu`. Chinese names: one character for 3-5
        characters, two from 6 on (`过拟和` → 过拟合). Swapping two neighbours is one edit
        (`dropuot` → dropout). Found through a table of deletion variants, so a look-up
        costs a few dozen dictionary probes, not a scan of every name.

        Examples
        --------
        >>> lex = Lexicon({"regularization": "正则化", "dropout": "dropout", "过拟合": "过拟合"})
        >>> lex.fuzzy("regularizaton"), lex.fuzzy("dropuot"), lex.fuzzy("过拟和"), lex.fuzzy("过拟")
        (['正则化'], ['dropout'], ['过拟合'], [])
        """
        k = key(name)
        if typo_budget(k) == 0:
            return []
        if k not in self._fuzzy_cache:
            allowance = _allowance.get()
            if allowance is not None:
                if allowance[0] <= 0:
                    return []
                allowance[0] -= 1
            if len(self._fuzzy_cache) >= _FUZZY_CACHE_SIZE:
                self._fuzzy_cache.clear()
            self._fuzzy_cache[k] = self._fuzzy(k)
        return self._fuzzy_cache[k][:limit]

    def _fuzzy(self, k: str) -> list[str]:
        budget = typo_budget(k)
        variants = self._variant_table()
        candidates = {cand for v in deletions(k, budget) if v in variants for cand in variants[v].split("\0")}
        scored = sorted((d, len(cand), cand) for cand in candidates
                        if (d := edit_distance(k, cand, budget)) <= budget)
        return list(dict.fromkeys(self._keys[cand] for _, _, cand in scored))

    def _variant_table(self) -> dict[str, str]:
        """Every fuzzy-matchable key under each string it becomes with up to two deletions (one for
        keys too short to be two edits from a name of typo length), several keys joined by NUL;
        built on first use. Values are strings, not lists: a hundred thousand small lists would
        wake the cyclic garbage collector, which then walks the whole loaded index, many times."""
        if self._variants is None:
            table: dict[str, str] = {}
            for k in self._keys:
                depth = _index_depth(k)
                for v in deletions(k, depth) if depth else ():
                    table[v] = f"{table[v]}\0{k}" if v in table else k
            self._variants = table
        return self._variants


def typo_budget(k: str) -> int:
    """Edits a key of this length may be away from a name and still be taken for it.

    Examples
    --------
    >>> [typo_budget(k) for k in ("relu", "dropout", "dropconnect", "过拟", "过拟合", "卷积神经网络")]
    [1, 1, 2, 0, 1, 2]
    """
    if len(k) > MAX_FUZZY_KEY:
        return 0
    if has_cjk(k):
        return 0 if len(k) < 3 else 1 if len(k) < 6 else 2
    if not k.isascii():
        return 0
    return 0 if len(k) < 4 else 1 if len(k) < 8 else 2


def _index_depth(k: str) -> int:
    """Deletions to index a key under: none for names too short to be matched by near spelling,
    else as many as a query that could match it may need."""
    if typo_budget(k) == 0:
        return 0
    shortest_two_edit_query = 8 if k.isascii() else 6
    return 2 if shortest_two_edit_query <= len(k) + 2 and len(k) <= MAX_TWO_EDIT_KEY else 1


def deletions(k: str, depth: int) -> set[str]:
    """`k` and every string made by deleting up to `depth` of its characters.

    Examples
    --------
    >>> sorted(deletions("abc", 1))
    ['ab', 'abc', 'ac', 'bc']
    """
    out = {k}
    for n in range(1, min(depth, len(k) - 1) + 1):
        out.update("".join(kept) for kept in itertools.combinations(k, len(k) - n))
    return out


def edit_distance(a: str, b: str, budget: int) -> int:
    """Edit distance counting a swap of two neighbours as one edit (optimal string alignment),
    giving up (returning budget + 1) once it must exceed budget.

    Examples
    --------
    >>> edit_distance("kitten", "sitting", 5), edit_distance("dropuot", "dropout", 5)
    (3, 1)
    >>> edit_distance("kitten", "sitting", 1)
    2
    """
    before: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], before[j - 2] + 1)
        if min(cur) > budget:
            return budget + 1
        before, prev = prev, cur
    return prev[-1]
