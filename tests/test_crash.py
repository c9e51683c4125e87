"""SIGKILL a writer at random points during index writes: the index always loads, old or new."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from ingest.build import build as build_index
from kg import store
from kg.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]

_WRITER = """
import sys
from pathlib import Path
from kg import store
data = Path(sys.argv[1])
loaded = store.load(data)
print("ready", flush=True)
while True:
    store.save(data, loaded, loaded.manifest["notes"].files,
               extra={"stats": loaded.manifest["notes"].stats,
                      **{k: loaded.manifest[k] for k in ("skipped", "code_files", "pipeline")}})
"""


def test_index_survives_sigkill_during_writes(sample_notes, data, tmp_path):
    ws = Workspace(sample_notes, data, build_index)
    ws.build()
    original = store.load(data).index.model_dump()
    rng = random.Random(42)
    for _ in range(30):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(data)], cwd=ROOT, stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert store.load(data).index.model_dump() == original
    assert not ws.is_stale(store.load(data).manifest)
    fresh = tmp_path / "fresh"
    Workspace(sample_notes, fresh, build_index).build()
    assert store.load(fresh).index.model_dump() == original
    ws.build()
    leftovers = [p.name for p in data.iterdir() if p.name.startswith(".") and p.name != store.LOCK]
    assert leftovers == []
