"""One real browser against `kg ui`: search, open a concept, click a neighbour in the graph.

Needs Debian's chromium (/usr/bin/chromium) and the Python playwright package; no
browser download. Screenshots go to screenshots/ (git-ignored).
"""

import html
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "screenshots"
PAYLOAD = "<img src=x onerror=alert(1)>"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CY = "[...document.querySelectorAll('div')].find(d => d._cyreg)._cyreg.cy"

pytestmark = pytest.mark.browser


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


@pytest.fixture
def server(tmp_path):
    _needs_browser()
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    (notes / "xss.md").write_text(f"# 梯度裁剪\n\n- 过拟合的另一个办法是 dropout {PAYLOAD}\n", encoding="utf-8")
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ui", "--port", str(port), "--notes", str(notes),
                             "--data", str(tmp_path / ".kg")], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                            start_new_session=True, env={**os.environ, "KG_DEBUG": "1"})
    try:
        url = f"http://127.0.0.1:{port}"
        while time.monotonic() - started < 30:
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
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()


def test_search_open_concept_click_a_neighbour_and_stay_safe(server):
    from playwright.sync_api import sync_playwright

    url, port, health_seconds = server
    assert health_seconds < 5, f"/_stcore/health answered after {health_seconds:.1f} s"
    assert _listening_addresses(port) <= {"0100007F"}, "kg ui must listen on 127.0.0.1 only"
    assert _listening_addresses(port), "no listening socket found for kg ui"
    assert _get(url + "/_stcore/health", host=f"evil.example:{port}") == 403
    SHOTS.mkdir(exist_ok=True)
    dialogs = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(20_000)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            page.goto(url)
            box = page.get_by_placeholder("How to deal with overfitting?", exact=False)
            box.fill("overfitting")
            box.press("Enter")
            page.get_by_role("heading", name="Passages").wait_for()
            page.screenshot(path=SHOTS / "search.png", full_page=True)
            page.get_by_role("link", name="过拟合").first.click()
            page.get_by_role("heading", name="过拟合", exact=True).wait_for()
            assert "concept=" in page.url

            frame = _graph_frame(page)
            frame_el = frame.frame_element()
            page.screenshot(path=SHOTS / "concept.png", full_page=True)

            # The payload from the notes shows as text in the graph's side panel and on the page.
            selected = frame.evaluate(f"""() => {{ const cy = {CY};
                const hit = cy.elements().filter(e => Object.values(e.data()).some(v => String(v).includes('onerror')));
                hit.first().select(); return hit.length; }}""")
            assert selected >= 1
            frame.wait_for_function("() => document.getElementById('infopanel').innerText.includes('onerror')")
            assert PAYLOAD in frame.evaluate("() => document.getElementById('infopanel').innerText")
            assert frame.evaluate("() => document.querySelectorAll('#infopanel img, img[src=\"x\"]').length") == 0
            assert page.get_by_text(PAYLOAD, exact=False).count() >= 1
            assert page.locator("img[src='x']").count() == 0
            page.screenshot(path=SHOTS / "payload.png", full_page=True)
            frame.evaluate(f"() => {{ {CY}.elements().unselect(); }}")
            page.wait_for_timeout(400)

            # Click a neighbour on the canvas: Cytoscape says where it is.
            target = frame.evaluate(f"""() => {{ const cy = {CY};
                const center = cy.nodes('[role = "center"]').first();
                const w = cy.width(), h = cy.height();
                const score = n => {{ const p = n.renderedPosition(); return Math.hypot(p.x - w / 2, p.y - h / 2); }};
                const near = center.neighborhood('node').filter(n => {{ const p = n.renderedPosition();
                    return p.x > 60 && p.x < w - 60 && p.y > 40 && p.y < h - 40; }}).sort((a, b) => score(a) - score(b));
                const n = near.first();
                const box = document.getElementById('cy').getBoundingClientRect();
                return {{label: n.data('label'), x: n.renderedPosition().x + box.x, y: n.renderedPosition().y + box.y}}; }}""")
            frame_box = frame_el.bounding_box()
            page.mouse.click(frame_box["x"] + target["x"], frame_box["y"] + target["y"])
            name = html.unescape(target["label"])
            page.get_by_role("heading", name=name, exact=True).wait_for()
            assert name != "过拟合"
            page.screenshot(path=SHOTS / "neighbour.png", full_page=True)

            page.go_back()
            page.get_by_role("heading", name="过拟合", exact=True).wait_for()
        finally:
            browser.close()
    assert dialogs == [], f"a script from the notes ran: {dialogs}"
