"""Passages on disk as JSON lines, read whole by a full load and line by line by a search.

A search shows ten passages and looks at thirty, so a fresh `kg search` must not parse and
validate every passage of a large collection: it keeps the checked bytes of each segment,
finds the line starts with one numpy scan, and parses a line when its passage is asked for.
Each line is `[passage, concept ids]`: the passage and the concepts it mentions, so a hit's
concepts need no table of every passage either. The bytes were written by the index itself
and checked against their sha256, so the rows a search parses are built without validation.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
from pydantic import TypeAdapter

from kg.models import Passage

@functools.lru_cache(maxsize=1)
def _row_adapter() -> TypeAdapter:
    """Made on first save, not at import: a search never writes rows."""
    return TypeAdapter(tuple[Passage, list[str] | None])


def rows_bytes(passages: Sequence[Passage], concepts: Mapping[str, list[str]]) -> bytes:
    """One line per passage: `[passage, the concepts it mentions]` (null when the index lists none for
    it; JSON never holds a raw newline)."""
    dump = _row_adapter().dump_json
    return b"".join(dump((p, concepts.get(p.id))) + b"\n" for p in passages)


def read_rows(segments: list[bytes]) -> tuple[list[dict], dict[str, list[str]]]:
    """Every passage of `segments` as parsed JSON (a full load validates them with the index), and
    the concepts of each by passage id."""
    passages: list[dict] = []
    concepts: dict[str, list[str]] = {}
    for data in segments:
        body = data.rstrip(b"\n")
        if not body:
            continue
        for passage, ids in json.loads(b"[" + body.replace(b"\n", b",") + b"]"):
            passages.append(passage)
            if ids is not None:
                concepts[passage["id"]] = ids
    return passages, concepts


class PassageRows(Sequence[Passage]):
    """The passages of some segments, parsed one line at a time when asked for, then kept (a
    passage's sequences are tuples, as validation would make them)."""

    def __init__(self, segments: list[bytes]):
        self.segments = segments
        self._starts: list[np.ndarray] = []
        self._first: list[int] = []
        total = 0
        for data in segments:
            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
            self._starts.append(np.concatenate([[0], ends + 1]))
            self._first.append(total)
            total += len(ends)
        self._len = total
        self._parsed: dict[int, Passage] = {}
        self.concepts_by_id: dict[str, list[str]] = {}
        """The concepts of every passage parsed so far, by passage id."""
        self.parsed_ids: set[str] = set()
        self.complete = False
        """Whether every row has been parsed."""

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(i)
        found = self._parsed.get(i)
        if found is None:
            found = self._parsed[i] = self._parse(i)
        return found

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(self._len))

    def _parse(self, i: int) -> Passage:
        segment = bisect.bisect_right(self._first, i) - 1
        line = i - self._first[segment]
        starts = self._starts[segment]
        fields, ids = json.loads(self.segments[segment][starts[line]:starts[line + 1] - 1])
        passage = Passage.model_construct(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})
        self.parsed_ids.add(passage.id)
        if ids is not None:
            self.concepts_by_id[passage.id] = ids
        return passage


class RowConcepts(Mapping[str, list[str]]):
    """`passage_concepts` of a lazily read index: a parsed passage's concepts at once, any
    other passage's after every row has been parsed (which only a full scan needs)."""

    def __init__(self, rows: PassageRows):
        self._rows = rows

    def _all(self) -> dict[str, list[str]]:
        """Every passage's concepts: one JSON parse of the segments, no passage built (a search that
        counts a concept's passages, as its typo check does, needs no more)."""
        if not self._rows.complete:
            self._rows.concepts_by_id = read_rows(self._rows.segments)[1]  # in passage order
            self._rows.complete = True
        return self._rows.concepts_by_id

    def get(self, pid, default=None):
        found = self._rows.concepts_by_id.get(pid)
        if found is None and pid not in self._rows.parsed_ids:
            found = self._all().get(pid)
        return default if found is None else found

    def __getitem__(self, pid: str) -> list[str]:
        found = self.get(pid)
        if found is None:
            raise KeyError(pid)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


class LazyMapping(Mapping):
    """A mapping made by `factory` on first use: a part of a lazily read index a search never needs."""

    def __init__(self, factory):
        self._factory = factory
        self._made: dict | None = None

    def _dict(self) -> dict:
        if self._made is None:
            self._made = self._factory()
        return self._made

    def __getitem__(self, key):
        return self._dict()[key]

    def __iter__(self):
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())
