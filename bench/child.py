"""Work the benchmark runs in a fresh process, so its peak RSS and start-up are its own.

    python3 bench/child.py bare
    python3 bench/child.py build300k DOCS.pickle N SEED OUT.npz
    python3 bench/child.py search300k OUT.npz QUERIES.json
    python3 bench/child.py coldsplit NOTES DATA QUERY
    KG_BENCH_RSS=out.json python3 bench/child.py kg build --notes N --data D

Each prints one JSON object on its last stdout line (`kg` runs the `kg` command's
own `main` in this process and writes its JSON to $KG_BENCH_RSS instead).

Peak RSS is VmHWM, read by the process itself: the parent's `ru_maxrss` from
`wait4` is no good here, because a child spawned by a big process inherits that
process's high-water mark through fork/vfork + exec.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def vmhwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def import_project() -> None:
    import ingest.build  # noqa: F401
    import kg.workspace  # noqa: F401
    import kg.bm25  # noqa: F401
    import kg.search  # noqa: F401
    import kg.store  # noqa: F401
    import ui.cli  # noqa: F401


def bare() -> dict:
    import_project()
    return {"vmhwm_kb": vmhwm_kb()}


def build300k(docs_path: str, n: str, seed: str, out: str) -> dict:
    import pickle

    import numpy as np

    from kg.bm25 import BM25
    from workload import scale_up

    import_project()
    with open(docs_path, "rb") as fh:
        docs = pickle.load(fh)
    started = time.perf_counter()
    corpus = scale_up(docs, int(n), int(seed))
    generated = time.perf_counter()
    index = BM25.build(corpus)
    built = time.perf_counter()
    arrays = index.to_arrays()
    arrays["terms"] = np.array(arrays["terms"], dtype=str)  # .npz, as rank-bm25's side of the figure reads it
    with open(out, "wb") as fh:
        np.savez(fh, **arrays)
    return {"n_docs": index.n_docs, "generate_s": generated - started, "build_s": built - generated,
            "save_s": time.perf_counter() - built, "bytes": Path(out).stat().st_size, "vmhwm_kb": vmhwm_kb()}


def search300k(npz: str, queries_path: str) -> dict:
    import numpy as np

    from kg.bm25 import BM25

    import_project()
    baseline = vmhwm_kb()
    started = time.perf_counter()
    with np.load(npz, allow_pickle=False) as arrays:
        index = BM25.from_arrays({k: arrays[k] for k in arrays.files})
    loaded = time.perf_counter()
    queries = json.loads(Path(queries_path).read_text(encoding="utf-8"))
    for q in queries:
        index.top(q, 10)
    return {"n_docs": index.n_docs, "load_s": loaded - started, "search_s": time.perf_counter() - loaded,
            "queries": len(queries), "imported_kb": baseline, "vmhwm_kb": vmhwm_kb()}


def coldsplit(notes: str, data: str, query: str) -> dict:
    """Where a cold `kg search` spends its time, phase by phase, in one fresh process."""
    t0 = time.perf_counter()
    import ui.cli  # noqa: F401
    from ui.workspace import open_workspace
    from kg import store

    t1 = time.perf_counter()
    ws = open_workspace(notes, data)  # as `kg search` does
    searcher = ws.searcher()
    t2 = time.perf_counter()
    searcher.search(query)
    t3 = time.perf_counter()
    searcher.search(query)
    t4 = time.perf_counter()
    peak = vmhwm_kb()
    store.load(Path(data))  # everything, as the app reads it; after the peak of the search path is taken
    t5 = time.perf_counter()
    return {"import_s": t1 - t0, "workspace_searcher_s": t2 - t1, "first_search_s": t3 - t2,
            "second_search_s": t4 - t3, "store_load_s": t5 - t4, "vmhwm_kb": peak}


def kg(*argv: str) -> None:
    """The `kg` console script, exactly (`ui.cli:run`), with this process's peak RSS written to
    $KG_BENCH_RSS just before it exits."""
    import os

    from ui.cli import finish, main

    rc = main(list(argv))
    out = os.environ.get("KG_BENCH_RSS")
    if out:
        Path(out).write_text(json.dumps({"rc": rc, "vmhwm_kb": vmhwm_kb()}), encoding="utf-8")
    finish(rc, list(argv))


TASKS = {"bare": bare, "build300k": build300k, "search300k": search300k, "coldsplit": coldsplit}

if __name__ == "__main__":
    task, *args = sys.argv[1:]
    if task == "kg":
        kg(*args)
    print(json.dumps(TASKS[task](*args)))
