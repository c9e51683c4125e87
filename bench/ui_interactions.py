"""Server time of explorer interactions on the big corpora (dl500 + cv_note), measured with AppTest.

    python3 bench/ui_interactions.py [--notes ../shared/corpora] [--data /tmp/corpdata-ui]

AppTest runs the app script in this process exactly as the server would (widgets,
cached index, kg.explore); each interaction is timed after a warm-up run that
loads the index into the cache, so the numbers are the per-rerun server time of
a user's click. Builds the index first if it is missing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "ui" / "app.py")


def timed(label, at, repeat=5, action=None):
    times = []
    for _ in range(repeat):
        if action:
            action(at)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        assert not at.exception, at.exception
    print(f"{label:<66} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms")
    return times


def fresh(**params):
    at = AppTest.from_file(APP, default_timeout=600)
    for k, v in params.items():
        at.query_params[k] = v
    return at


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--data", default="/tmp/corpdata-ui")
    args = ap.parse_args()
    os.environ["KG_NOTES"], os.environ["KG_DATA"] = args.notes, args.data

    start = time.perf_counter()
    fresh().run()
    print(f"{'first run (load index, build explorer)':<66} {1000 * (time.perf_counter() - start):7.1f} ms")

    searches("(topics still computing in the background)")

    at = fresh(concept="过拟合")
    at.run()
    timed("concept 过拟合 (rerun, radius 1)", at)
    timed("concept 过拟合 radius 2", at, action=lambda a: next(r for r in a.radio if r.label == "Radius").set_value(2))
    timed("concept 过拟合 types = solves only", at,
          action=lambda a: next(m for m in a.multiselect if m.label == "Relation types").set_value(["solves"]))
    for name in ("损失函数", "ResNet", "dropout", "卷积", "YOLO"):  # a click on a node: same session, new concept
        timed(f"open concept {name} (first visit)", at, repeat=1,
              action=lambda a, name=name: a.query_params.__setitem__("concept", name))

    at = fresh(**{"from": "dropout", "to": "Adam"})
    at.switch_page("pages/path.py")
    timed("path dropout → Adam", at)
    at = fresh(**{"from": "过拟合", "to": "YOLO"})
    at.switch_page("pages/path.py")
    timed("path 过拟合 → YOLO", at)

    at = fresh()
    at.switch_page("pages/topics.py")
    start = time.perf_counter()
    at.run()
    print(f"{'topics, first view (Louvain + betweenness)':<66} {1000 * (time.perf_counter() - start):7.1f} ms")
    timed("topics (cached)", at)
    timed("topics: pick topic 2", at, action=lambda a: a.selectbox[0].set_value(2))
    searches("(settled)")


def searches(when: str) -> None:
    at = fresh()
    at.run()
    for q in ("过拟合", "How to deal with overfitting?", "目标检测 NMS 的作用"):
        timed(f"search {q!r} {when}", at, action=lambda a, q=q: a.text_input(key="q").set_value(q))


if __name__ == "__main__":
    main()
