"""One real browser on the Study page: grade a card and see it leave the due list.

Needs Debian's chromium and the playwright package, as tests/test_browser.py does.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _get, _needs_browser

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.browser


@pytest.fixture
def study_server(tmp_path):
    _needs_browser()
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    env = {**os.environ, "KG_DEBUG": "1", "KG_STUDY_DB": str(tmp_path / "study.sqlite"), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ui", "--port", str(port), "--notes", str(notes),
                             "--data", str(tmp_path / ".kg")], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                            start_new_session=True, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        while time.monotonic() - started < 60:
            if proc.poll() is not None:
                pytest.fail("kg ui exited:\n" + (tmp_path / "server.log").read_text())
            try:
                if _get(url + "/_stcore/health") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield url, tmp_path / "study.sqlite"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()


def test_grade_a_card_in_the_browser_and_see_it_leave_the_due_list(study_server):
    from playwright.sync_api import sync_playwright

    from kg.study.storage import ReviewStore

    url, db = study_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url + "/study")
            page.get_by_role("heading", name="Study").wait_for()
            caption = page.get_by_text("· card ", exact=False).first
            card_id = caption.inner_text().rsplit("card ", 1)[1].strip()
            page.locator(f'[data-card="{card_id}"]').wait_for(state="attached")
            page.get_by_role("button", name="Show the answer").click()
            page.get_by_role("button", name="good", exact=True).click()
            page.wait_for_function("id => { const due = [...document.querySelectorAll('[data-card]')];"
                                   " return due.length > 0 && !due.some(e => e.dataset.card === id); }", arg=card_id)
            assert page.locator(f'[data-card="{card_id}"]').count() == 0
        finally:
            browser.close()
    with ReviewStore(db) as store:
        assert [(r.card_id, r.rating) for r in store.history()] == [(card_id, "good")]
