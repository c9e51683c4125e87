"""The Study page: show a card, reveal it, grade it, and see it leave the due list."""

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.build import build
from kg.study import schedule
from kg.study.storage import ReviewStore

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")


@pytest.fixture
def study_env(sample_notes, data, tmp_path, monkeypatch):
    build(sample_notes, data)
    monkeypatch.setenv("KG_NOTES", str(sample_notes))
    monkeypatch.setenv("KG_DATA", str(data))
    monkeypatch.setenv("KG_STUDY_DB", str(tmp_path / "study.sqlite"))
    return tmp_path / "study.sqlite"


def _due_list(at) -> str:
    return "\n".join(m.value for m in at.markdown if "data-card=" in m.value)


def test_grading_a_card_records_the_review_and_takes_it_off_the_due_list(study_env):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/study.py").run()
    assert not at.exception, at.exception
    caption = next(c.value for c in at.caption if "· card " in c.value)
    card_id = caption.rsplit("card ", 1)[1]
    assert f'data-card="{card_id}"' in _due_list(at)
    due_before = at.metric[0].value
    at.button(key="reveal").click().run()
    assert not at.exception
    at.button(key="grade-good").click().run()
    assert not at.exception
    assert f'data-card="{card_id}"' not in _due_list(at)
    assert int(at.metric[0].value) == int(due_before) - 1
    with ReviewStore(study_env) as store:
        assert [(r.card_id, r.rating) for r in store.history()] == [(card_id, "good")]
    assert any(link.proto.page.endswith("concept") or "concept=" in link.proto.query_string
               for link in at.get("page_link"))


def test_a_concept_forgotten_days_ago_is_listed_among_the_weakest(study_env):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/study.py").run()
    card_id = next(c.value for c in at.caption if "· card " in c.value).rsplit("card ", 1)[1]
    with ReviewStore(study_env) as store:
        store.review(card_id, "again", at=schedule.now() - timedelta(days=3))
        concepts = store.card(card_id).concepts
    from ui.workspace import open_workspace

    index = open_workspace().load().index
    names = {index.concepts[c].name for c in concepts}
    at.run()
    assert not at.exception
    weakest = [link.proto.label.replace("\\", "") for link in at.get("page_link") if "%" in link.proto.label]
    assert any(label.startswith(name + "  (") for label in weakest for name in names), (names, weakest)


def test_note_text_on_the_study_page_is_shown_as_text(notes, data, tmp_path, monkeypatch):
    payload = "<img src=x onerror=alert(1)>"
    # In a code span: markdown keeps it as text there (raw inline HTML is dropped by the parser).
    (notes / "xss.md").write_text(f"# 过拟合\n\n## 什么是 dropout？\n\ndropout 防止过拟合 `{payload}`。\n",
                                  encoding="utf-8")
    build(notes, data)
    monkeypatch.setenv("KG_NOTES", str(notes))
    monkeypatch.setenv("KG_DATA", str(data))
    monkeypatch.setenv("KG_STUDY_DB", str(tmp_path / "study.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/study.py").run()
    at.button(key="reveal").click().run()
    assert not at.exception
    page = "\n".join(m.value for m in at.markdown)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in page


def test_a_study_database_that_cannot_be_used_is_one_clear_error(study_env):
    study_env.write_bytes(b"not a database" * 100)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/study.py").run()
    assert not at.exception
    assert any("cannot be used" in e.value for e in at.error)
    assert study_env.read_bytes().startswith(b"not a database")
