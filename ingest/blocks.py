"""Group a note's units into retrieval passages: what answers a question, read at a glance.

The answer to `防止过拟合有哪些方法` is the block under that heading: its lead-in and
its list together, not eight 20-character items that share no word with the question.
A block is the run of units under one heading path, with the sub-sections below it
that are not questions of their own (`**参考1：…**` points under `如何选择平台？`, whose
titles become lines of the block), cut at unit boundaries to stay within `MAX_BLOCK`
characters; every piece keeps its heading path. A tiny block joins its neighbour under
the same heading. Units under no heading at all (the loose facts of a plain note typed one
per line) share no topic, so each is a block of its own. A heading with nothing under it but sub-headings is not a block: it is
in their heading paths already.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.markers import QUESTION
from kg.models import Passage

MAX_BLOCK = 500
MIN_BLOCK = 80
"""Blocks shorter than this merge with a neighbour under the same heading when both fit."""


@dataclass
class _Piece:
    heading: tuple[str, ...]
    units: list[int] = field(default_factory=list)
    size: int = 0


def group_blocks(units: Sequence[Passage]) -> tuple[list[Passage], list[tuple[int, ...]]]:
    """Retrieval passages of one note and, for each, the indices of the units it holds.

    Examples
    --------
    >>> from kg.models import Passage
    >>> units = [Passage(id=str(i), source="a.md", line=i + 2, heading=("防止过拟合有哪些方法",), text=t,
    ...                  kind="item") for i, t in enumerate(["- 数据增广", "- 早停", "- dropout"])]
    >>> blocks, members = group_blocks(units)
    >>> [(b.line, b.heading, b.text) for b in blocks], members
    ([(2, ('防止过拟合有哪些方法',), '- 数据增广\\n- 早停\\n- dropout')], [(0, 1, 2)])
    """
    pieces = _merge_tiny(_pack(units, _content(units)), units)
    seen: dict[str, int] = {}
    blocks = [_block(units, p, seen) for p in pieces]
    return blocks, [tuple(p.units) for p in pieces]


def _content(units: Sequence[Passage]) -> list[int]:
    """Indices of the units worth a block: not a bare heading whose next unit sits below it."""
    keep = []
    for i, u in enumerate(units):
        if u.kind == "heading" and i + 1 < len(units):
            below = units[i + 1].heading
            if below[:len(u.heading) + 1] == (*u.heading, u.text):
                continue
        keep.append(i)
    return keep


def _pack(units: Sequence[Passage], order: list[int]) -> list[_Piece]:
    """Consecutive units under one heading path (or a sub-section of it that asks no question of its
    own), cut before a unit that would overflow `MAX_BLOCK`."""
    pieces: list[_Piece] = []
    last: tuple[str, ...] | None = None
    for i in order:
        u = units[i]
        size = len(u.text) + 1 + sum(len(t) + 1 for t in _titles(last, u.heading))
        if (not pieces or not u.heading or not _below(pieces[-1].heading, u.heading)
                or pieces[-1].size + size > MAX_BLOCK + 1):
            pieces.append(_Piece(u.heading))
            size = len(u.text) + 1
        pieces[-1].units.append(i)
        pieces[-1].size += size
        last = u.heading
    return pieces


def _below(heading: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether a unit under `other` belongs to a block under `heading`: the same heading, or a
    sub-section that is not a question (a question heading starts an answer of its own)."""
    return other[:len(heading)] == heading and not any(_is_question(t) for t in other[len(heading):])


def _is_question(title: str) -> bool:
    return len(title) <= 80 and bool(QUESTION.search(title))


def _titles(previous: tuple[str, ...] | None, heading: tuple[str, ...]) -> tuple[str, ...]:
    """Sub-headings entered between two units: written as lines of the block."""
    if previous is None or previous == heading:
        return ()
    common = 0
    while common < min(len(previous), len(heading)) and previous[common] == heading[common]:
        common += 1
    return heading[common:]


def _merge_tiny(pieces: list[_Piece], units: Sequence[Passage]) -> list[_Piece]:
    """A tiny piece joins the next one when that is under the same heading (or below it), else the
    previous one under the same heading, when the two fit in one block."""
    out: list[_Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        if prev and prev.heading and prev.size + piece.size <= MAX_BLOCK + 1 and (
                (prev.size < MIN_BLOCK and piece.heading[:len(prev.heading)] == prev.heading)
                or (piece.size < MIN_BLOCK and piece.heading == prev.heading)):
            prev.units.extend(piece.units)
            prev.size += piece.size
        else:
            out.append(piece)
    return out


def _block(units: Sequence[Passage], piece: _Piece, seen: dict[str, int]) -> Passage:
    members = [units[i] for i in piece.units]
    lines: list[str] = []
    previous = piece.heading
    for u in members:
        lines.extend(_titles(previous, u.heading))
        lines.append(u.text)
        previous = u.heading
    text = "\n".join(lines)
    first = members[0]
    kinds = {u.kind for u in members}
    kind = first.kind if len(members) == 1 else ("question" if kinds == {"question"} else "paragraph")
    digest = hashlib.sha1(f"{first.source}\x00{text}".encode()).hexdigest()[:12]
    seen[digest] = seen.get(digest, 0) + 1
    bid = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
    return Passage(id=f"b{bid}", source=first.source, line=first.line, heading=piece.heading, text=text, kind=kind,
                   heading_lines=first.heading_lines[:len(piece.heading)])
