"""The benchmark harness runs end to end on a tiny corpus and writes its table (timings are never asserted)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_runs_and_writes_a_table(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--notes", str(notes), "--out", str(out),
         "--scale", "1500", "--mid", "600", "--queries", "12"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "| # | figure | measured | baseline (same run) | ratio | target | result |" in text
    for figure in ("search @", "top-10 parity", "build throughput", "cold start", "append", "app ready", "peak RSS"):
        assert figure in text, figure
    assert "| error |" not in text
