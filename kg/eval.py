"""The metrics of `../shared/eval/README.md`, computed against a searcher and an index.

Names are compared after NFKC, case folding, and removing whitespace and `-_·'`,
exactly as the gold sets define; a passage counts only if it is at most 600
characters.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from pathlib import Path

from kg.errors import SettingsError

MAX_PASSAGE_CHARS = 600
_TOC_LINE = re.compile(r"^\s*(?:[-*+]|\d+\.)?\s*\[[^\]]*\]\(#[^)]*\)\s*$")
_IMAGE_LINE = re.compile(r"^\s*(?:!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>)\s*$", re.I)


def is_navigation(text: str) -> bool:
    """A passage that is only table-of-contents or image lines: what no top 5 may hold.

    Examples
    --------
    >>> is_navigation("- [16.1，过拟合问题怎么解决](#161过拟合问题怎么解决)"), is_navigation("![](img/6.15.jpg)")
    (True, True)
    >>> is_navigation("过拟合的处理:数据增广、早停")
    False
    """
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and all(_TOC_LINE.match(line) or _IMAGE_LINE.match(line) for line in lines)


def gold_key(name: str) -> str:
    """The gold sets' name comparison (no Traditional folding: theirs, not ours)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-_·'")


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except ValueError as exc:
        raise SettingsError(f"{path}: not JSON lines ({exc})") from exc


def _names(concept) -> set[str]:
    return {gold_key(n) for n in (concept.name, *concept.aliases)}


def evaluate(gold_dir: Path, searcher, k: int = 10) -> dict:
    if not gold_dir.is_dir():
        raise SettingsError(f"gold folder {gold_dir} does not exist")
    index = searcher.index
    out: dict = {}
    concept_rows = _read_jsonl(gold_dir / "concepts.jsonl")
    if concept_rows:
        top1, rr, misses = 0, 0.0, []
        for row in concept_rows:
            accept = {gold_key(a) for a in row["accept"]}
            hits = searcher.search(row["q"], k).concepts
            rank = next((i for i, h in enumerate(hits, 1) if _names(index.concepts[h.id]) & accept), None)
            top1 += rank == 1
            rr += 1 / rank if rank else 0.0
            if rank != 1:
                misses.append({"q": row["q"], "got": hits[0].name if hits else None})
        out["concepts"] = {"n": len(concept_rows), "top1": top1 / len(concept_rows), "mrr@10": rr / len(concept_rows),
                           "misses": misses}
    passage_rows = _read_jsonl(gold_dir / "passages.jsonl")
    if passage_rows:
        r5, rr, misses, lengths, navigation = 0, 0.0, [], [], 0
        for row in passage_rows:
            hits = searcher.search(row["q"], k).passages
            lengths.extend(len(h.text) for h in hits[:5])
            navigation += sum(is_navigation(h.text) for h in hits[:5])
            rank = next((i for i, h in enumerate(hits, 1)
                         if row["expect"] in h.text and len(h.text) <= MAX_PASSAGE_CHARS), None)
            r5 += bool(rank and rank <= 5)
            rr += 1 / rank if rank else 0.0
            if not rank or rank > 5:
                misses.append({"q": row["q"], "rank": rank})
        out["passages"] = {"n": len(passage_rows), "recall@5": r5 / len(passage_rows),
                           "mrr@10": rr / len(passage_rows), "median_top5_chars": statistics.median(lengths or [0]),
                           "navigation_in_top5": navigation, "misses": misses}
    relation_rows = _read_jsonl(gold_dir / "relations.jsonl")
    if relation_rows:
        out["relations"] = _relation_metrics(relation_rows, index)
    return out


def _relation_metrics(rows: list[dict], index) -> dict:
    by_name: dict[str, set[str]] = {}
    for c in index.concepts.values():
        for n in _names(c):
            by_name.setdefault(n, set()).add(c.id)
    edges: dict[frozenset, set] = {}
    directed: set[tuple[str, str, str]] = set()
    for r in index.relations:
        edges.setdefault(frozenset((r.source, r.target)), set()).add(r.type)
        directed.add((r.source, r.target, r.type))
    found, typed_rows, typed_found, misses = 0, 0, 0, []
    for row in rows:
        a = set().union(*(by_name.get(gold_key(n), set()) for n in row["a"]))
        b = set().union(*(by_name.get(gold_key(n), set()) for n in row["b"]))
        linked = any(frozenset((x, y)) in edges for x in a for y in b if x != y)
        found += linked
        if row.get("type"):
            typed_rows += 1
            ok = any((x, y, row["type"]) in directed for x in a for y in b)
            typed_found += ok
            if not ok:
                misses.append({"a": row["a"][0], "b": row["b"][0], "type": row["type"]})
        elif not linked:
            misses.append({"a": row["a"][0], "b": row["b"][0]})
    return {"n": len(rows), "recall": found / len(rows), "typed_n": typed_rows,
            "typed_recall": typed_found / typed_rows if typed_rows else None, "misses": misses}
