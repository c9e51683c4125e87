"""Readers racing a writer, as the app and a terminal do together (issue 9's concurrency figure).

Per run: a fresh copy of the notes and a fresh index; `--searchers` processes each run
`python3 -m ui.cli search` in a loop while `--adds` `python3 -m ui.cli add` run one after
another. Reported per run and in total: searches and how many failed (a non-zero exit), adds
and how many failed, indexes set aside (`corrupt-*` in the data folder or `*.corrupt-*` next
to it), and how many added notes a search finds afterwards.

    python3 bench/race.py                       # 6 searchers, 40 adds, 5 runs, bundled notes
    python3 bench/race.py --notes ../shared/corpora/dl500 --runs 1

Nothing is asserted: the figures go to the report (target: 0 failed, 0 set aside, all found).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SEARCH_LOOP = """
import subprocess, sys, pathlib
notes, data, stop, out = sys.argv[1:5]
ok = failed = 0
errors = []
while not pathlib.Path(stop).exists():
    run = subprocess.run([sys.executable, "-m", "ui.cli", "search", "--notes", notes, "--data", data, "过拟合 dropout"],
                         capture_output=True, text=True)
    if run.returncode == 0:
        ok += 1
    else:
        failed += 1
        errors.append(run.stderr.strip()[-300:])
pathlib.Path(out).write_text(__import__("json").dumps({"ok": ok, "failed": failed, "errors": errors[:5]}))
"""


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def one_run(source_notes: Path, work: Path, run: int, searchers: int, adds: int) -> dict:
    notes, data = work / f"notes-{run}", work / f"data-{run}"
    shutil.copytree(source_notes, notes)
    built = _cli("build", "--notes", str(notes), "--data", str(data))
    if built.returncode:
        raise SystemExit(f"build failed: {built.stderr}")
    stop = work / f"stop-{run}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    loops = [subprocess.Popen([sys.executable, "-c", _SEARCH_LOOP, str(notes), str(data), str(stop),
                               str(work / f"search-{run}-{i}.json")], cwd=ROOT, env=env) for i in range(searchers)]
    time.sleep(1.0)  # let every loop start searching before the first add
    tokens, add_failures = [], []
    started = time.perf_counter()
    for i in range(adds):
        token = f"zqrace{run}n{i}"
        added = _cli("add", "--notes", str(notes), "--data", str(data), "--title", token,
                     "--text", f"{token} 是一种防止过拟合的方法,常和 dropout 一起用。第{i}条。")
        if added.returncode:
            add_failures.append(added.stderr.strip()[-300:])
        else:
            tokens.append(token)
    add_seconds = time.perf_counter() - started
    stop.touch()
    for loop in loops:
        loop.wait()
    results = [json.loads((work / f"search-{run}-{i}.json").read_text()) for i in range(searchers)]
    found = sum(token in _cli("search", "--notes", str(notes), "--data", str(data), "--json", token).stdout
                for token in tokens)
    aside = [p.name for p in data.glob("corrupt-*")] + [p.name for p in work.glob(f"data-{run}.corrupt-*")]
    return {"run": run, "searches": sum(r["ok"] + r["failed"] for r in results),
            "failed_searches": sum(r["failed"] for r in results),
            "search_errors": [e for r in results for e in r["errors"]][:5],
            "adds": adds, "failed_adds": len(add_failures), "add_errors": add_failures[:5],
            "set_aside": aside, "added_found": found, "add_seconds": round(add_seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=Path, default=ROOT / "notes", help="notes folder to copy for each run")
    parser.add_argument("--searchers", type=int, default=6, help="searching processes per run")
    parser.add_argument("--adds", type=int, default=40, help="notes added one after another per run")
    parser.add_argument("--runs", type=int, default=5, help="runs, each on a fresh copy")
    args = parser.parse_args(argv)
    totals = {"searches": 0, "failed_searches": 0, "adds": 0, "failed_adds": 0, "set_aside": 0, "added_found": 0}
    with tempfile.TemporaryDirectory(prefix="kg-race-") as tmp:
        for run in range(args.runs):
            result = one_run(args.notes.resolve(), Path(tmp), run, args.searchers, args.adds)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            for key in totals:
                value = result[key]
                totals[key] += len(value) if isinstance(value, list) else value
    print(f"total: {totals['searches']} searches, {totals['failed_searches']} failed; {totals['adds']} adds, "
          f"{totals['failed_adds']} failed; {totals['set_aside']} indexes set aside; "
          f"{totals['added_found']} of {totals['adds'] - totals['failed_adds']} added notes found by search")
    return 0


if __name__ == "__main__":
    sys.exit(main())
