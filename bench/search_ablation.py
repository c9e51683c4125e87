"""What each part of issue 10's search adds, on both gold sets, in one run.

    python3 bench/search_ablation.py --corpora-data DATA1 --bundled-data DATA2 [--old-cues FILE]
        [--gold-corpora ../shared/eval-corpora] [--gold-bundled ../shared/eval]

DATA1 is a built index of ../shared/corpora (dl500 + cv_note as one notes folder), DATA2 of the
bundled notes. Each row switches parts on cumulatively, starting from answer-sized blocks alone
(markdown parser, navigation dropped, blocks as passages, no query-side addition); the last row
is what ships. `--old-cues` is the cue table before the hand-written additions (for example
`git show 1616fe9:kg/data/cues.json > /tmp/cues-main.json`); without it that row is skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

import kg.search as search
from kg import store
from kg.eval import evaluate
from kg.resources import Cues

ROOT = Path(__file__).resolve().parents[1]
GOLD = {"corpora": ROOT.parent / "shared" / "eval-corpora", "bundled": ROOT.parent / "shared" / "eval"}
NEUTRAL = {"HEADING_WEIGHT": 0.0, "BRIDGE_WEIGHT": 0.0, "SYNONYM_WEIGHT": 0.0, "NAMED_WORD_WEIGHT": 1.0}
STEPS = [("blocks + markdown parser + navigation dropped", []),
         ("+ heading path as a field (BM25F-style)", ["HEADING_WEIGHT"]),
         ("+ hand-written question/technical word table", ["HEADING_WEIGHT", "cues"]),
         ("+ Chinese question-word synonyms", ["HEADING_WEIGHT", "cues", "SYNONYM_WEIGHT"]),
         ("+ bilingual pairs mined from the notes", ["HEADING_WEIGHT", "cues", "SYNONYM_WEIGHT", "BRIDGE_WEIGHT"]),
         ("+ named English words count less (shipped)",
          ["HEADING_WEIGHT", "cues", "SYNONYM_WEIGHT", "BRIDGE_WEIGHT", "NAMED_WORD_WEIGHT"])]


@contextlib.contextmanager
def switched(on: list[str], old_cues: Cues | None):
    """Knobs not in `on` at their neutral value, and the old cue table unless `cues` is on."""
    saved = {name: getattr(search, name) for name in NEUTRAL}
    saved_cues = search.cues
    try:
        for name, value in NEUTRAL.items():
            if name not in on:
                setattr(search, name, value)
        if "cues" not in on and old_cues is not None:
            search.cues = lambda: old_cues
        yield
    finally:
        for name, value in saved.items():
            setattr(search, name, value)
        search.cues = saved_cues


def searcher(data: Path) -> search.Searcher:
    loaded = store.load(data, graph=False)
    return search.Searcher(loaded.index, loaded.passage_bm25, loaded.concept_bm25, loaded.concept_order,
                           loaded.query_tokenizer())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora-data", type=Path, required=True)
    ap.add_argument("--bundled-data", type=Path, required=True)
    ap.add_argument("--old-cues", type=Path)
    ap.add_argument("--gold-corpora", type=Path, default=GOLD["corpora"])
    ap.add_argument("--gold-bundled", type=Path, default=GOLD["bundled"])
    args = ap.parse_args(argv)
    gold = {"corpora": args.gold_corpora, "bundled": args.gold_bundled}
    old = Cues.model_validate(json.loads(args.old_cues.read_text(encoding="utf-8"))) if args.old_cues else None
    loaded = {"corpora": args.corpora_data, "bundled": args.bundled_data}
    print("| change | corpora recall@5 | corpora MRR@10 | bundled recall@5 | bundled MRR@10 |")
    print("|---|---|---|---|---|")
    for label, on in STEPS:
        if "cues" in on and old is None and label.startswith("+ hand"):
            continue
        figures = []
        for name in ("corpora", "bundled"):
            with switched(on, old):
                report = evaluate(gold[name], searcher(loaded[name]))["passages"]
            figures += [f"{report['recall@5']:.3f}", f"{report['mrr@10']:.3f}"]
        print(f"| {label} | " + " | ".join(figures) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
