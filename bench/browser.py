"""What a user waits for in the browser: the explorer on dl500 + cv_note, in Debian chromium.

    python3 bench/browser.py [--notes /tmp/ui/notes] [--data /tmp/ui/data] [--rounds 5] [--baseline DIR]

Starts `kg ui` (this checkout's code) over an already built index, then drives one
headless chromium (Python playwright, no browser download) through what a learner
does and times each step from the user's action until the page shows its answer:

- first page: from the server answering `/_stcore/health` until the search box and its
  "… concepts and … passages are indexed" line show (the index loaded);
- deep link: `/concept?concept=X` typed into the address bar until the title is X and the
  graph component has drawn X's graph (Cytoscape reports its nodes, centred on X);
- click: a mouse click on a neighbour's node on the canvas until the new title and graph
  are drawn (checks the graph opened the node clicked; some clicks follow a zoom);
- search: Enter in the search box until the passage hits show;
- topics / path: opening the page until its graph is drawn.

Prints medians and p95 (nearest rank) and the share of clicks that opened the node
clicked, and lists every request the browser made to a host other than the app's.
The machine may be shared: compare runs made under the same load.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CY = "[...document.querySelectorAll('div')].find(d => d._cyreg)._cyreg.cy"
CENTER = "cy.nodes('.center, [role = \"center\"]')"
CONCEPTS = ("过拟合", "梯度消失", "卷积神经网络", "dropout", "ResNet", "YOLO", "损失函数", "Batch Normalization")
QUERIES = ("过拟合", "How to deal with overfitting?", "目标检测 NMS 的作用", "dropout", "学习率衰减")
PATHS = (("dropout", "Adam"), ("过拟合", "YOLO"), ("ResNet", "梯度消失"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(notes: str, data: str, port: int, log_path: Path, root: Path = ROOT) -> tuple[subprocess.Popen, float]:
    """`kg ui` of the checkout `root` in its own process group; returns it once `/_stcore/health`
    answers, and how long that took."""
    log = log_path.open("w")
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ui", "--port", str(port), "--notes", notes,
                             "--data", data], stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
                            cwd=root)
    while time.monotonic() - started < 120:
        if proc.poll() is not None:
            raise SystemExit("kg ui exited:\n" + log_path.read_text())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc, time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise SystemExit("kg ui did not answer within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def graph_state(page) -> dict | None:
    """The drawn graph of the page's graph component: its centre's id and label, node count, or None."""
    for frame in page.frames:
        if frame == page.main_frame:
            continue
        try:
            state = frame.evaluate(f"""() => new Promise(done => requestAnimationFrame(() => {{
                try {{ const cy = {CY}; const c = {CENTER};
                    done({{n: cy.nodes().length, center: c.length ? c.first().data('label') : null,
                           centerId: c.length ? c.first().id() : null}}); }}
                catch (e) {{ done(null); }} }}))""")
        except Exception:  # a frame detached while we asked it
            continue
        if state and state["n"] > 0:
            return state
    return None


def wait_graph(page, center: str | None = None, timeout: float = 90) -> dict:
    """Poll until a graph is drawn (centred on `center` when given)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = graph_state(page)
        if state and (center is None or state["center"] == center):
            return state
        page.wait_for_timeout(20)
    raise TimeoutError(f"no graph centred on {center!r} within {timeout} s (last: {graph_state(page)})")


def wait_heading(page, name: str) -> None:
    page.get_by_role("heading", name=name, exact=True).wait_for(timeout=30_000)


def pick_neighbour(page, avoid: set[str]) -> dict | None:
    """A neighbour of the centre drawn well inside the canvas, with its page coordinates."""
    for frame in page.frames:
        if frame == page.main_frame:
            continue
        try:
            target = frame.evaluate(f"""(avoid) => {{ const cy = {CY}; const c = {CENTER}.first();
                const w = cy.width(), h = cy.height();
                const inside = n => {{ const p = n.renderedPosition(); return p.x > 40 && p.x < w - 40 && p.y > 30 && p.y < h - 30; }};
                const ns = c.neighborhood('node').filter(n => inside(n) && !avoid.includes(n.data('label')));
                if (!ns.length) return null;
                const n = ns[Math.floor(ns.length / 2)];
                const box = document.getElementById('cy').getBoundingClientRect();
                return {{label: n.data('label'), id: n.id(), x: n.renderedPosition().x + box.x,
                         y: n.renderedPosition().y + box.y}}; }}""", sorted(avoid))
        except Exception:
            continue
        if target:
            box = frame.frame_element().bounding_box()
            return {**target, "x": box["x"] + target["x"], "y": box["y"] + target["y"]}
    return None


def zoom(page, factor: float) -> None:
    """Zoom the graph about its centre as a wheel would."""
    for frame in page.frames:
        if frame == page.main_frame:
            continue
        try:
            frame.evaluate(f"""(f) => {{ const cy = {CY};
                cy.zoom({{level: cy.zoom() * f, renderedPosition: {{x: cy.width() / 2, y: cy.height() / 2}}}}); }}""",
                           factor)
            return
        except Exception:
            continue


def wait_new_center(page, previous: str, timeout: float = 60) -> dict:
    """Poll until the graph drawn is centred on another concept than `previous`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = graph_state(page)
        if state and state["center"] != previous:
            return state
        page.wait_for_timeout(20)
    raise TimeoutError(f"the graph stayed on {previous!r}")


def summary(label: str, times: list[float]) -> str:
    if not times:
        return f"{label:<34} (no samples)"
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return (f"{label:<34} median {statistics.median(times):5.2f} s   p95 {p95:5.2f} s   "
            f"max {ordered[-1]:5.2f} s   n={len(times)}")


KINDS = ("first", "deep", "click", "search", "topics", "path")


class Run:
    """One server's measurements."""

    def __init__(self, url: str):
        self.url = url
        self.results: dict[str, list[float]] = {k: [] for k in KINDS}
        self.clicks = {"right": 0, "total": 0}
        self.outside: list[str] = []


def first_page(page, run: Run) -> None:
    start = time.monotonic()
    page.goto(run.url)
    page.get_by_text("passages are indexed", exact=False).wait_for(timeout=120_000)
    run.results["first"].append(time.monotonic() - start)


def one_pass(page, run: Run, i: int) -> None:
    """Search, a deep link and two clicks on its graph (the second after a zoom), a path, a topic."""
    url, results = run.url, run.results
    page.goto(url)
    box = page.get_by_placeholder("How to deal with overfitting?", exact=False)
    box.wait_for()
    box.fill(QUERIES[i % len(QUERIES)])
    start = time.monotonic()
    box.press("Enter")
    page.get_by_role("heading", name="Passages").wait_for()
    results["search"].append(time.monotonic() - start)

    start = time.monotonic()
    page.goto(f"{url}/concept?concept={quote(CONCEPTS[i % len(CONCEPTS)])}")
    state = wait_graph(page)
    wait_heading(page, state["center"])
    results["deep"].append(time.monotonic() - start)
    for click in range(2):
        if click == 1:
            zoom(page, 1.6)
            page.wait_for_timeout(200)
        target = pick_neighbour(page, {state["center"]})
        if target is None:
            break
        previous = state["center"]
        start = time.monotonic()
        page.mouse.click(target["x"], target["y"])
        try:
            state = wait_new_center(page, previous)
        except TimeoutError:
            state = graph_state(page) or {"center": None}
        results["click"].append(time.monotonic() - start)
        run.clicks["total"] += 1
        run.clicks["right"] += state["center"] == target["label"]

    a, b = PATHS[i % len(PATHS)]
    start = time.monotonic()
    page.goto(f"{url}/path?from={quote(a)}&to={quote(b)}")
    page.get_by_role("heading", name="Path 1").wait_for()
    wait_graph(page)
    results["path"].append(time.monotonic() - start)

    start = time.monotonic()
    page.goto(f"{url}/topics?topic={i % 3}")
    wait_graph(page)
    results["topics"].append(time.monotonic() - start)


def measure(runs: dict[str, Run], rounds: int, screenshot: Path | None = None) -> None:
    """Every server walked in turn, round after round, so a busy moment of the machine hits them alike."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pages = {}
            for name, run in runs.items():
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(90_000)
                host = urlsplit(run.url).netloc
                page.on("request", lambda r, run=run, host=host: run.outside.append(r.url)
                        if urlsplit(r.url).netloc not in (host, "") and not r.url.startswith(("data:", "blob:"))
                        else None)
                pages[name] = page
                first_page(page, run)
            for i in range(rounds):
                for name, run in runs.items():
                    one_pass(pages[name], run, i)
                    print(f"round {i + 1} {name}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in run.results.items()
                                                               if v), flush=True)
            if screenshot:
                page = pages["this"]
                page.goto(f"{runs['this'].url}/concept?concept={quote(CONCEPTS[0])}")
                wait_graph(page, CONCEPTS[0])
                page.wait_for_timeout(500)
                page.screenshot(path=screenshot, clip={"x": 0, "y": 0, "width": 1400, "height": 1000})
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notes", default="/tmp/ui/notes", help="notes folder (dl500 + cv_note copied into one)")
    ap.add_argument("--data", default="/tmp/ui/data", help="its index folder (built first if missing)")
    ap.add_argument("--rounds", type=int, default=5, help="walks per server (each: search, deep link, 2 clicks, "
                                                          "path, topic)")
    ap.add_argument("--baseline", type=Path, help="another checkout of kg to measure alongside, round by round")
    ap.add_argument("--baseline-data", default="/tmp/ui/data-base",
                    help="the baseline's own index folder (an index records the code that built it)")
    ap.add_argument("--screenshot", type=Path, help="save this checkout's page of the first concept here")
    args = ap.parse_args()
    servers = {"this": (ROOT, args.data)}
    if args.baseline:
        servers["baseline"] = (args.baseline.resolve(), args.baseline_data)
    procs, runs = [], {}
    try:
        for name, (root, data) in servers.items():
            port = free_port()
            proc, health = start_server(args.notes, data, port, Path(data).parent / f"bench-browser-{name}.log", root)
            procs.append(proc)
            runs[name] = Run(f"http://127.0.0.1:{port}")
            print(f"{name}: {root} answered /_stcore/health after {health:.1f} s")
        measure(runs, args.rounds, args.screenshot)
    finally:
        for proc in procs:
            stop_server(proc)
    labels = {"first": "first page after health", "deep": "deep link to a concept", "click": "click to new graph",
              "search": "search results", "topics": "topics page", "path": "path page"}
    for name, run in runs.items():
        print(f"\n{name}")
        for key, label in labels.items():
            print(summary(label, run.results[key]))
        print(f"clicks that opened the node clicked: {run.clicks['right']}/{run.clicks['total']}")
        print(f"requests to other hosts: {len(run.outside)}" + "".join(f"\n  {u}" for u in sorted(set(run.outside))))
    if "baseline" in runs:
        print("\nmedian this / baseline (same run, same load)")
        for key, label in labels.items():
            this, base = runs["this"].results[key], runs["baseline"].results[key]
            if this and base:
                print(f"{label:<34} {statistics.median(this) / statistics.median(base):5.2f}")


if __name__ == "__main__":
    main()
