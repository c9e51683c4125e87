"""Cold `kg search` of two checkouts side by side, with `python -c "import kg"` as the baseline.

    python3 bench/cold_compare.py REPS NOTES BEFORE_DATA AFTER_DATA [QUERY]

Runs one warm-up round, then REPS rounds of: `import kg`, the other checkout's `ui.cli search`
on BEFORE_DATA (`KG_BEFORE`, default /work/main) and this checkout's on AFTER_DATA (each data
folder built by its own checkout's code). Prints wall and CPU (user + sys of the child)
medians and the after/before ratios. Rounds interleave, so a slow moment of a shared machine
hits all three.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def timed(tree: str, cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of `cmd` run from checkout `tree` (its code first on the path)."""
    before, started = os.times(), time.perf_counter()
    done = subprocess.run(cmd, cwd=tree, env={**os.environ, "PYTHONPATH": tree}, capture_output=True)
    wall, after = time.perf_counter() - started, os.times()
    if done.returncode:
        raise SystemExit(f"{cmd} exited {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
    return wall, (after.children_user + after.children_system) - (before.children_user + before.children_system)


def main(reps: int, notes: str, before_data: str, after_data: str, query: str = "过拟合") -> None:
    search = [sys.executable, "-m", "ui.cli", "search", query, "--notes", notes, "--data"]
    runs = {"import kg": (str(HERE), [sys.executable, "-c", "import kg"]),
            "before": (os.environ.get("KG_BEFORE", "/work/main"), [*search, before_data]),
            "after": (str(HERE), [*search, after_data])}
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(reps + 1):
        for name, (tree, cmd) in runs.items():
            wall, cpu = timed(tree, cmd)
            if round_:  # the first round warms the page cache
                walls[name].append(wall)
                cpus[name].append(cpu)
    print(f"load average {os.getloadavg()[0]:.1f}")
    for name in runs:
        print(f"{name:10s} wall median {statistics.median(walls[name]):.2f} s "
              f"({', '.join(f'{x:.2f}' for x in walls[name])}); CPU median {statistics.median(cpus[name]):.2f} s "
              f"({', '.join(f'{x:.2f}' for x in cpus[name])})")
    print(f"after/before: wall {statistics.median(walls['after']) / statistics.median(walls['before']):.2f}, "
          f"CPU {statistics.median(cpus['after']) / statistics.median(cpus['before']):.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), *sys.argv[2:])
