"""One real browser on the Study page: grade a card and see it leave the due list.

Needs Debian's chromium and the playwright package, as tests/test_browser.py does.
"""

import shutil
from pathlib import Path

import pytest

from test_browser import CHROMIUM, CHROMIUM_ARGS, _serve

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.browser


@pytest.fixture
def study_server(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    server = _serve(tmp_path, notes, {"KG_STUDY_DB": str(tmp_path / "study.sqlite")})
    url, _, _ = next(server)
    try:
        yield url, tmp_path / "study.sqlite"
    finally:
        server.close()


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
