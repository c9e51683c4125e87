"""`kg due` on a big review history: 5,000 cards with 50,000 reviews (issue 13: ≤ 300 ms).

    python3 bench/study_due.py [--cards 5000] [--reviews 50000] [--repeat 7] [--keep]

Builds a study database with `--cards` cards and `--reviews` FSRS reviews spread
over the past year (each card's state is the real `fsrs` state after its reviews),
then times, median of `--repeat`:
- the `kg due --json` command in this process (`ui.cli.main`: open the database, query, print
  every due card as JSON): the scheduling cost the issue budgets at 300 ms;
- `kg due --json` as a user runs it, a fresh process, beside `kg due --help` (the same
  interpreter and imports, no work) so the start-up share is visible;
- `concept_strength` over every card (retrievability of all 5,000 cards), what the
  explorer needs to colour weak concepts.
The database lives in a temporary folder, removed at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.study import schedule  # noqa: E402
from kg.study.models import Card, Cite  # noqa: E402
from kg.study.storage import ReviewStore  # noqa: E402
from kg.study.strength import concept_strength  # noqa: E402

BUDGET_MS = 300


def populate(path: Path, n_cards: int, n_reviews: int, seed: int = 5) -> None:
    """Cards over 500 concepts, and reviews replayed through FSRS in time order, written in one transaction."""
    rng = random.Random(seed)
    start = schedule.now() - timedelta(days=365)
    cards = [Card(id=f"r-{i:016x}", kind="relation", front=f"概念{i % 500} 有哪些解决方法？", back="甲、乙",
                  concepts=(f"c{i % 500}", f"c{(i * 7) % 500}"), evidence=(Cite(source="n.md", line=i, text="…"),))
             for i in range(n_cards)]
    with ReviewStore(path) as store:
        store.sync(cards, at=start)
        per_card = [n_reviews // n_cards + (1 if i < n_reviews % n_cards else 0) for i in range(n_cards)]
        states, reviews = [], []
        for card, count in zip(cards, per_card):
            state = schedule.new_state(start)
            at = start
            for k in range(count):  # spread over the year, the last review within the last weeks
                at = start + timedelta(days=365 * (k + rng.uniform(0.6, 0.95)) / count)
                grade = rng.choices(list(schedule.RATINGS.values()), weights=[1, 2, 6, 1])[0]
                state = schedule.next_state(state, grade, at)
                reviews.append((card.id, int(grade), at.isoformat()))
            states.append((json.dumps(state), datetime.fromisoformat(state["due"]).timestamp(), card.id))
        with store.write():
            store.db.executemany("UPDATE cards SET state=?, due=? WHERE id=?", states)
            store.db.executemany("INSERT INTO reviews (card_id, rating, at) VALUES (?, ?, ?)", reviews)


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _quiet(fn, argv):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        assert fn(argv) == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--reviews", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-study-due-"))
    try:
        db = work / "study.sqlite"
        notes = work / "notes"
        notes.mkdir()
        t = time.perf_counter()
        populate(db, args.cards, args.reviews)
        print(f"populated {args.cards} cards, {args.reviews} reviews in {time.perf_counter() - t:.1f} s")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KG_NOTES": str(notes), "KG_DATA": str(work / ".kg"),
               "KG_STUDY_DB": str(db)}
        cli = [sys.executable, "-m", "ui.cli", "due", "--json"]
        out = subprocess.run(cli, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        n_due = len(json.loads(out.stdout))
        process = median_ms(lambda: subprocess.run(cli, env=env, capture_output=True, check=True, cwd=ROOT),
                            args.repeat)
        noop = median_ms(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.repeat)
        from ui.cli import main as kg_main

        os.environ.update(env)
        command = median_ms(lambda: _quiet(kg_main, ["due", "--json"]), args.repeat)
        startup = median_ms(lambda: subprocess.run([*cli[:-1], "--help"], env=env, capture_output=True, check=True,
                                                   cwd=ROOT), args.repeat)
        with ReviewStore(db) as store:
            cards = store.cards()
            strength = median_ms(lambda: concept_strength(cards, store.retrievability()), args.repeat)
            reviews = len(store.history())
        print(f"reviews stored: {reviews}; due now: {n_due}")
        print(f"kg due --json, the command's work:     {command:7.1f} ms  (budget {BUDGET_MS} ms)")
        print(f"kg due --json, fresh process:          {process:7.1f} ms  (`kg due --help`: {startup:.1f} ms; "
              f"bare `python -c pass`: {noop:.1f} ms)")
        print(f"concept_strength over all cards:       {strength:7.1f} ms")
        return 0 if command <= BUDGET_MS else 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
