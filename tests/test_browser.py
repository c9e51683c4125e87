"""One real browser against `kg ui`: search, open a concept, click nodes in the graph, walk every page.

Needs Debian's chromium (/usr/bin/chromium) and the Python playwright package; no
browser download. Screenshots go to screenshots/ (git-ignored). Every test fails on
a request to any host but the app's own: "no network at run time" holds in the
browser too.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import stop_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "screenshots"
PAYLOAD = "<img src=x onerror=alert(1)>"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CY = "[...document.querySelectorAll('div')].find(d => d._cyreg)._cyreg.cy"

pytestmark = pytest.mark.browser
CENTER = "cy.nodes('.center').first()"
EVIL = "![x](http://evil.example/p.png)"


def _needs_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright Python package is missing (pip install playwright)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of listening TCP sockets on `port`, from /proc/net (Linux)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def _graph_frame(page, timeout: float = 20):
    """The component frame whose Cytoscape instance has drawn its nodes (frames come and go while Streamlit
    renders, so look them up again until one is ready)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame == page.main_frame:
                continue
            try:
                if frame.evaluate(f"() => {{ try {{ return {CY}.nodes().length > 1 }} catch (e) {{ return false }} }}"):
                    page.wait_for_timeout(300)  # the layout runs without animation; let the frame settle
                    return frame
            except Exception:  # a frame detached while we asked it
                continue
        page.wait_for_timeout(200)
    page.screenshot(path=SHOTS / "failed.png", full_page=True)
    pytest.fail(f"the graph component never drew its nodes; frames: {[f.url for f in page.frames]}")


def _serve(tmp_path, notes: Path, env: dict | None = None):
    """`kg ui` of this checkout over `notes` until the generator is closed: (url, port, seconds to health)."""
    _needs_browser()
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ui", "--port", str(port), "--notes", str(notes),
                             "--data", str(tmp_path / ".kg")], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                            start_new_session=True,
                            env={**os.environ, "KG_DEBUG": "1", "PYTHONPATH": str(ROOT), **(env or {})})
    try:
        url = f"http://127.0.0.1:{port}"
        while time.monotonic() - started < 180:
            if proc.poll() is not None:
                pytest.fail("kg ui exited:\n" + (tmp_path / "server.log").read_text())
            try:
                if _get(url + "/_stcore/health") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        health_seconds = time.monotonic() - started
        yield url, port, health_seconds
    finally:
        stop_server(proc, grace=10)
        log.close()


@pytest.fixture
def server(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    (notes / "xss.md").write_text(f"# 梯度裁剪\n\n- 过拟合的另一个办法是 dropout {PAYLOAD}\n\n"
                                  f"**梯度裁剪** 和 正则化 与 过拟合 {PAYLOAD}\n", encoding="utf-8")
    yield from _serve(tmp_path, notes)


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    from conftest import corpora_or_skip

    corpora = corpora_or_skip()
    tmp_path = tmp_path_factory.mktemp("big")
    notes = tmp_path / "notes"
    for name in ("dl500", "cv_note"):
        shutil.copytree(corpora / name, notes / name)
    yield from _serve(tmp_path, notes)


class _Browser:
    """A chromium page that records every request to a host other than the app's."""

    def __init__(self, p, url):
        self.browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        self.page = self.browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.set_default_timeout(60_000)
        self.dialogs, self.outside = [], []
        host = url.split("//", 1)[1]
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.outside.append(r.url) if r.url.split("//", 1)[-1].split("/")[0] != host
                     and not r.url.startswith(("data:", "blob:")) else None)

    def close(self):
        self.browser.close()
        assert self.dialogs == [], f"a script from the notes ran: {self.dialogs}"
        assert self.outside == [], f"the page reached outside: {self.outside}"


def _centre(page) -> str | None:
    frame = _graph_frame(page)
    return frame.evaluate(f"() => {CY}.nodes('.center').first().data('label')")


def _click_a_neighbour(page, avoid: set[str], nth: int = 0) -> str:
    """Click a neighbour of the centre drawn inside the canvas, where Cytoscape says it is; its label."""
    frame = _graph_frame(page)
    # Only a node no other node's drawn box covers at its centre: a click there can only mean that node.
    target = frame.evaluate(f"""([avoid, nth]) => {{ const cy = {CY}; const w = cy.width(), h = cy.height();
        const inside = n => {{ const p = n.renderedPosition(); return p.x > 40 && p.x < w - 40 && p.y > 30 && p.y < h - 30; }};
        const covers = (m, p) => {{ const b = m.renderedBoundingBox({{includeLabels: false}});
            return p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2; }};
        const cyBox = document.getElementById('cy').getBoundingClientRect();
        const onCanvas = p => document.getElementById('cy').contains(document.elementFromPoint(p.x + cyBox.x, p.y + cyBox.y));
        const clear = n => onCanvas(n.renderedPosition())
            && cy.nodes().filter(m => m !== n && covers(m, n.renderedPosition())).length === 0;
        const ns = {CENTER}.neighborhood('node').filter(n => inside(n) && clear(n) && !avoid.includes(n.data('label')));
        const n = ns[nth % ns.length];
        const box = document.getElementById('cy').getBoundingClientRect();
        return {{label: n.data('label'), x: n.renderedPosition().x + box.x, y: n.renderedPosition().y + box.y}}; }}""",
                            [sorted(avoid), nth])
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    return target["label"]


def _wait_centre(page, name: str, timeout: float = 30) -> str | None:
    deadline = time.monotonic() + timeout
    centre = None
    while time.monotonic() < deadline:
        try:
            centre = _centre(page)
        except Exception:  # the frame changed under us
            centre = None
        if centre == name:
            break
        page.wait_for_timeout(100)
    return centre


def test_search_open_concept_click_a_neighbour_and_stay_safe(server):
    from playwright.sync_api import sync_playwright

    url, port, health_seconds = server
    assert health_seconds < 30, f"/_stcore/health answered after {health_seconds:.1f} s"
    assert _listening_addresses(port) <= {"0100007F"}, "kg ui must listen on 127.0.0.1 only"
    assert _listening_addresses(port), "no listening socket found for kg ui"
    assert _get(url + "/_stcore/health", host=f"evil.example:{port}") == 403
    SHOTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        b = _Browser(p, url)
        page = b.page
        try:
            page.goto(url)
            box = page.get_by_placeholder("How to deal with overfitting?", exact=False)
            box.fill("overfitting")
            box.press("Enter")
            page.get_by_role("heading", name="Passages").wait_for()
            page.screenshot(path=SHOTS / "search.png", full_page=True)
            page.get_by_role("link", name="过拟合").first.click()
            page.get_by_role("heading", name="过拟合", exact=True).wait_for()
            assert "concept=" in page.url
            assert _wait_centre(page, "过拟合") == "过拟合"
            page.screenshot(path=SHOTS / "concept.png", full_page=True)

            # The payload from the notes shows as text in the graph's side panel and on the page.
            frame = _graph_frame(page)
            selected = frame.evaluate(f"""() => {{ const cy = {CY};
                const hit = cy.elements().filter(e => Object.values(e.data()).some(v => String(v).includes('onerror')));
                hit.first().select(); return hit.length; }}""")
            assert selected >= 1
            frame.wait_for_function("() => document.getElementById('infopanel').innerText.includes('onerror')")
            assert frame.evaluate("() => document.querySelectorAll('#infopanel img, img[src=\"x\"]').length") == 0
            assert page.locator("img[src='x']").count() == 0
            # The side panel shows what a learner reads, never an element's id, source or target.
            for selector in ("node.center", "edge"):
                frame.evaluate(f"(s) => {{ const cy = {CY}; cy.elements().unselect(); cy.$(s).first().select(); }}",
                               selector)
                frame.wait_for_function("() => document.querySelectorAll('#infopanelProps .infopanel__key').length")
                keys = frame.evaluate("() => [...document.querySelectorAll('#infopanelProps .infopanel__key')]"
                                      ".map(k => k.textContent.trim())")
                assert set(keys) <= {"also", "definition", "relations", "evidence", "where"}, keys
            frame.evaluate(f"() => {{ {CY}.elements().unselect(); }}")
            page.wait_for_timeout(400)

            name = _click_a_neighbour(page, {"过拟合"})
            page.get_by_role("heading", name=name, exact=True).wait_for()
            assert _wait_centre(page, name) == name
            page.screenshot(path=SHOTS / "neighbour.png", full_page=True)

            page.go_back()
            page.get_by_role("heading", name="过拟合", exact=True).wait_for()

            # On a page quoting the note's passages, the payload shows as text.
            page.goto(f"{url}/concept?concept=%E6%A2%AF%E5%BA%A6%E8%A3%81%E5%89%AA")  # 梯度裁剪
            page.get_by_role("heading", name="Passages").wait_for()
            assert page.get_by_text("onerror=alert(1)", exact=False).count() >= 1
            assert page.locator("img[src='x']").count() == 0
            page.screenshot(path=SHOTS / "payload.png", full_page=True)
        finally:
            b.close()


def _sidebar_concepts(page) -> int:
    text = page.get_by_test_id("stSidebar").get_by_text("concepts ·", exact=False).inner_text()
    return int(text.split(" concepts")[0].replace(",", ""))


def test_every_page_stays_on_the_app_and_shows_query_values_as_text(server):
    from playwright.sync_api import sync_playwright

    url, _, _ = server
    with sync_playwright() as p:
        b = _Browser(p, url)
        page = b.page
        try:
            page.goto(f"{url}/concept?concept={EVIL.replace('(', '%28').replace(')', '%29')}")
            page.get_by_text("unknown concept", exact=False).wait_for()
            assert page.get_by_text(EVIL, exact=False).count() >= 1  # shown as typed, not fetched
            page.goto(f"{url}/?q=dropout")
            page.get_by_role("heading", name="Passages").wait_for()
            page.goto(f"{url}/concept?concept=dropout")
            assert _wait_centre(page, "dropout") == "dropout"
            page.goto(f"{url}/path?from=%E6%AD%A3%E5%88%99%E5%8C%96&to=%E6%97%A9%E5%81%9C")
            page.get_by_role("heading", name="Path 1").wait_for()
            _graph_frame(page)
            page.goto(f"{url}/topics")
            page.get_by_role("heading", name="Study gaps: central but thin").wait_for()
            _graph_frame(page)

            page.goto(f"{url}/add")
            before = _sidebar_concepts(page)
            page.get_by_label("Title").fill("Focal Loss")
            page.get_by_label("Note").fill("- Focal Loss 可以缓解类别不平衡问题。\n- Label Smoothing 可以缓解过拟合。\n")
            page.get_by_role("button", name="Preview").click()
            page.get_by_role("heading", name="Would add", exact=False).wait_for()
            page.get_by_role("button", name="Save note").click()
            page.get_by_text("Saved ", exact=False).wait_for()
            deadline = time.monotonic() + 30
            while _sidebar_concepts(page) == before and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            assert _sidebar_concepts(page) > before  # the sidebar counts the new concepts at once
        finally:
            b.close()


def test_clicks_land_on_the_node_clicked_in_big_notes_even_after_a_zoom(big_server):
    from playwright.sync_api import sync_playwright

    url, _, _ = big_server
    with sync_playwright() as p:
        b = _Browser(p, url)
        page = b.page
        try:
            right, tried = 0, []
            for start in ("过拟合", "卷积神经网络"):
                page.goto(f"{url}/concept?concept={start}")
                assert _wait_centre(page, start, timeout=120) == start
                frame = _graph_frame(page)
                shown, zoom = frame.evaluate(f"() => [{CY}.nodes().length, {CY}.zoom()]")
                assert shown <= 60, f"{start}: {shown} concepts drawn"
                assert 12 * zoom >= 8, f"{start}: labels drawn at {12 * zoom:.1f} px"
                centre = start
                for i in range(5):
                    if i % 2:  # every other click after zooming in about the centre of the canvas
                        _graph_frame(page).evaluate(f"""() => {{ const cy = {CY};
                            cy.zoom({{level: cy.zoom() * 1.5, renderedPosition: {{x: cy.width() / 2, y: cy.height() / 2}}}}); }}""")
                        page.wait_for_timeout(300)
                    name = _click_a_neighbour(page, {centre, *tried}, nth=i)
                    tried.append(name)
                    centre = _wait_centre(page, name)
                    right += centre == name
            assert right == 10, f"{right}/10 clicks opened the node clicked: {tried}"
        finally:
            b.close()
