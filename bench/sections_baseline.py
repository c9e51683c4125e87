"""The issue-10 baseline beside `kg search`, on the same gold questions in the same run.

Baseline: rank-bm25 (BM25Okapi) over markdown sections (text between `#` headings, heading
line included) cut at 600 characters at line boundaries, jieba tokens (`lcut`, lower-cased,
punctuation and spaces dropped), nothing else. Scored as `kg eval` scores: a hit counts if
it contains `expect` and is at most 600 characters.

    python3 bench/sections_baseline.py GOLD_DIR --notes NOTES [--data DATA]

With `--data` (a built index of the same notes) kg's own figures are printed beside it,
plus the median length of the top-5 passages and how many top-5 hits are navigation
(a table-of-contents line or an image-only line).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

import jieba
from rank_bm25 import BM25Okapi

CUT = 600
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_WORD = re.compile(r"\w")



def sections(text: str) -> list[str]:
    """Markdown sections cut at `CUT` characters at line boundaries."""
    out: list[str] = []
    buf: list[str] = []

    def flush():
        piece = "\n".join(buf).strip()
        if piece:
            out.append(piece)
        buf.clear()

    for line in text.split("\n"):
        if _HEADING.match(line):
            flush()
        if buf and len("\n".join(buf)) + len(line) + 1 > CUT:
            flush()
        while len(line) > CUT:
            out.append(line[:CUT])
            line = line[CUT:]
        buf.append(line)
    flush()
    return out


def tokens(tokenizer, text: str) -> list[str]:
    return [t for t in tokenizer.lcut(text.lower(), HMM=False) if _WORD.search(t)]


def score(rows: list[dict], ranked_texts) -> dict:
    r5, rr = 0, 0.0
    for row in rows:
        texts = ranked_texts(row["q"])
        rank = next((i for i, t in enumerate(texts, 1) if row["expect"] in t and len(t) <= CUT), None)
        r5 += bool(rank and rank <= 5)
        rr += 1 / rank if rank else 0.0
    return {"recall@5": r5 / len(rows), "mrr@10": rr / len(rows)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("--notes", type=Path, required=True)
    ap.add_argument("--data", type=Path)
    args = ap.parse_args(argv)
    rows = [json.loads(l) for l in (args.gold / "passages.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    seg = jieba.Tokenizer()
    seg.initialize()
    docs: list[str] = []
    for path in sorted(args.notes.rglob("*")):
        if path.is_file() and path.suffix.lower() in (".md", ".markdown", ".txt"):
            docs.extend(sections(path.read_text(encoding="utf-8", errors="replace")))
    bm25 = BM25Okapi([tokens(seg, d) or ["\x00"] for d in docs])

    def baseline(q: str) -> list[str]:
        s = bm25.get_scores(tokens(seg, q))
        return [docs[i] for i in sorted(range(len(docs)), key=lambda i: -s[i])[:10]]

    out = {"baseline sections@600": score(rows, baseline)}
    if args.data:
        from ui.workspace import open_workspace
        from kg.eval import is_navigation

        ws = open_workspace(str(args.notes), str(args.data))
        searcher = ws.searcher(ws.load())
        lengths, nav = [], 0

        def ours(q: str) -> list[str]:
            nonlocal nav
            hits = [h.text for h in searcher.search(q, 10).passages]
            lengths.extend(len(t) for t in hits[:5])
            nav += sum(is_navigation(t) for t in hits[:5])
            return hits

        out["kg"] = score(rows, ours)
        out["kg"]["median top-5 chars"] = statistics.median(lengths) if lengths else 0
        out["kg"]["navigation in top 5"] = nav
    for name, figures in out.items():
        print(f"{name:24s} " + "  ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                           for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
