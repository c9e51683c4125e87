#!/usr/bin/env python3
"""Seeded samples for judging a graph by hand, and the score of a judged sample.

The samples are the protocol's (`../shared/eval-corpora/JUDGING.md`): 40 typed edges or 40
concepts drawn with `random.Random(42)` from a `kg export --format json`, so a figure judged here
is the figure the protocol asks for. `--markdown` prints the sample as a table to fill in and
keep under `bench/judged/`; `score` reads such a file back and prints precision and junk rate.

    python3 -m ui.cli export --format json -o /tmp/g.json
    python3 bench/judge_sample.py /tmp/g.json edges --markdown > bench/judged/DATE-GRAPH-edges.md
    python3 bench/judge_sample.py score bench/judged/DATE-GRAPH-edges.md
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

SAMPLE = 40
SEED = 42
RIGHT = ("C", "C?")
"""Edge verdicts that count as right: correct, or correct but weakly stated."""
JUNK = "junk"


def edge_sample(graph: dict, seed: int = SEED) -> list[dict]:
    """The protocol's typed-edge sample: sorted by (type, source, target), then seeded."""
    typed = sorted((e for e in graph["edges"] if e["type"] != "related"),
                   key=lambda e: (e["type"], e["source"], e["target"]))
    return random.Random(seed).sample(typed, min(SAMPLE, len(typed)))


def node_sample(graph: dict, seed: int = SEED) -> list[dict]:
    """The protocol's concept sample: sorted by id, then seeded."""
    nodes = sorted(graph["nodes"], key=lambda n: n["id"])
    return random.Random(seed).sample(nodes, min(SAMPLE, len(nodes)))


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).replace("|", "\\|")


def print_edges(graph: dict, markdown: bool, seed: int = SEED) -> None:
    if markdown:
        print("| # | edge | evidence (first) | verdict | reason |\n|---|---|---|---|---|")
    for i, e in enumerate(edge_sample(graph, seed), 1):
        ev = e["evidence"]
        if markdown:
            first = ev[0] if ev else {"source": "", "line": 0, "rule": "", "text": ""}
            print(f"| E{i:02d} | [{e['type']}] {e['source']} → {e['target']} | {first['source']}:{first['line']} "
                  f"rule={first['rule']} «{_cell(first['text'][:200])}» |  |  |")
            continue
        print(f"E{i:02d} [{e['type']}] {e['source']} -> {e['target']}  (w={e.get('weight')})")
        for item in ev[:3]:
            print(f"     {item['source']}:{item['line']} rule={item['rule']}")
            print(f"     «{item['text'][:400]}»")
        if len(ev) > 3:
            print("     +", len(ev) - 3, "more evidence")


def print_nodes(graph: dict, markdown: bool, seed: int = SEED) -> None:
    degree: Counter[str] = Counter()
    for e in graph["edges"]:
        degree[e["source"]] += 1
        degree[e["target"]] += 1
    if markdown:
        print("| # | concept | aliases | definition | verdict | reason |\n|---|---|---|---|---|---|")
    for i, n in enumerate(node_sample(graph, seed), 1):
        if markdown:
            print(f"| N{i:02d} | {_cell(n['name'])} (deg {degree[n['id']]}) | {_cell(', '.join(n.get('aliases') or []))} "
                  f"| {_cell(str(n.get('definition') or '')[:120])} |  |  |")
            continue
        print(f"N{i:02d} {n['id']!r} name={n['name']!r} cat={n.get('category')} deg={degree[n['id']]} "
              f"passages={n.get('passages')} aliases={n.get('aliases')}")
        if n.get("definition"):
            print("     def:", str(n["definition"])[:200])


def score(path: Path) -> str:
    """Precision (edges) or junk rate (concepts) of a judged markdown table."""
    verdicts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells and re.fullmatch(r"[EN]\d+", cells[0]):
            verdicts.append((cells[0][0], cells[-2]))
    if not verdicts:
        return "no judged rows"
    if verdicts[0][0] == "E":
        right = sum(v in RIGHT for _, v in verdicts)
        return f"typed-edge precision {right}/{len(verdicts)} = {right / len(verdicts):.0%}"
    junk = sum(v == JUNK for _, v in verdicts)
    return f"junk concepts {junk}/{len(verdicts)} = {junk / len(verdicts):.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a `kg export --format json` file, or `score`")
    parser.add_argument("what", help="edges | nodes, or the judged file to score")
    parser.add_argument("--markdown", action="store_true", help="a table to fill in with verdicts")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="another seed draws a fresh sample, so rules are not tuned to the protocol's one")
    args = parser.parse_args()
    if args.source == "score":
        print(score(Path(args.what)))
        return
    graph = json.loads(Path(args.source).read_text(encoding="utf-8"))
    (print_edges if args.what == "edges" else print_nodes)(graph, args.markdown, args.seed)


if __name__ == "__main__":
    main()
