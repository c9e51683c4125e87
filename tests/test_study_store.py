"""The review history is the user's data: it survives rebuilds, concurrent writers and SIGKILL."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kg.errors import SettingsError, StudyError
from kg.study import schedule
from kg.study.models import Card, Cite
from kg.study.storage import ReviewStore, study_db_path

ROOT = Path(__file__).resolve().parents[1]


def _card(cid: str, line: int = 1) -> Card:
    return Card(id=cid, kind="relation", front=f"{cid}?", back="answer", concepts=(cid,),
                evidence=(Cite(source="n.md", line=line, text="evidence"),))


@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "study.sqlite") as s:
        yield s


def test_new_cards_are_due_and_a_good_review_takes_a_card_off_the_due_list(store):
    store.sync([_card("a"), _card("b")])
    assert {c.id for c in store.due()} == {"a", "b"}
    due = store.review("a", "good")
    assert due > schedule.now()
    assert [c.id for c in store.due()] == ["b"]
    assert [(r.card_id, r.rating) for r in store.history()] == [("a", "good")]


def test_a_card_whose_evidence_disappears_is_suspended_with_its_history_and_comes_back(store):
    store.sync([_card("a"), _card("b")])
    store.review("a", "again")
    report = store.sync([_card("b")])
    assert report.suspended == 1 and store.is_suspended("a")
    assert "a" not in {c.id for c in store.due(schedule.now() + timedelta(days=400))}
    with pytest.raises(StudyError, match="suspended"):
        store.review("a", "good")
    assert [r.card_id for r in store.history()] == ["a"]
    report = store.sync([_card("a", line=7), _card("b")])
    assert report.revived == 1 and not store.is_suspended("a")
    assert store.card("a").evidence[0].line == 7
    assert [r.card_id for r in store.history("a")] == ["a"]


def test_an_unknown_card_or_rating_is_one_clear_error(store):
    store.sync([_card("a")])
    with pytest.raises(StudyError, match="unknown card"):
        store.review("zzz", "good")
    with pytest.raises(StudyError, match="unknown rating"):
        store.review("a", "great")


def test_the_default_database_sits_beside_the_index_folder_never_inside(tmp_path, monkeypatch):
    monkeypatch.delenv("KG_STUDY_DB", raising=False)
    data = tmp_path / ".kg"
    assert study_db_path(data) == tmp_path / ".kg-study.sqlite"
    monkeypatch.setenv("KG_STUDY_DB", str(tmp_path / "mine.sqlite"))
    assert study_db_path(data) == tmp_path / "mine.sqlite"
    assert study_db_path(data, str(tmp_path / "x.sqlite")) == tmp_path / "x.sqlite"
    with pytest.raises(SettingsError, match="inside the index folder"):
        study_db_path(data, str(data / "study.sqlite"))
    with pytest.raises(SettingsError, match="is a folder"):
        study_db_path(data, str(tmp_path))


def test_a_file_that_is_not_a_database_is_refused_not_overwritten(tmp_path):
    path = tmp_path / "study.sqlite"
    path.write_bytes(b"my precious notes, not sqlite" * 100)
    with pytest.raises(StudyError, match="cannot be used"):
        ReviewStore(path)
    assert path.read_bytes().startswith(b"my precious notes")


def test_backup_is_a_complete_consistent_copy(store, tmp_path):
    store.sync([_card("a")])
    store.review("a", "hard")
    store.backup(tmp_path / "copy.sqlite")
    with ReviewStore(tmp_path / "copy.sqlite") as copy:
        assert copy.integrity() == "ok"
        assert [(r.card_id, r.rating) for r in copy.history()] == [("a", "hard")]


def _kg(*args, env):
    return subprocess.Popen([sys.executable, "-m", "ui.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **env}, cwd=ROOT)


def test_twenty_reviews_from_separate_processes_at_once_all_survive_a_rebuild(sample_notes, data, tmp_path):
    env = {"KG_NOTES": str(sample_notes), "KG_DATA": str(data), "KG_STUDY_DB": str(tmp_path / "study.sqlite"),
           "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "ui.cli", "build"], env={**os.environ, **env}, cwd=ROOT, check=True,
                   capture_output=True)
    cards = [_card(f"c{i}") for i in range(5)]
    with ReviewStore(tmp_path / "study.sqlite") as s:
        s.sync(cards)
    procs = [_kg("review", cards[i % 5].id, "good", "--json", env=env) for i in range(20)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    history = json.loads(subprocess.run([sys.executable, "-m", "ui.cli", "history", "--json"], capture_output=True,
                                        text=True, env={**os.environ, **env}, cwd=ROOT, check=True).stdout)
    assert len(history) == 20 and set(history[0]) == {"card_id", "rating", "at"}
    subprocess.run(["rm", "-rf", str(data)], check=True)
    subprocess.run([sys.executable, "-m", "ui.cli", "build"], env={**os.environ, **env}, cwd=ROOT, check=True,
                   capture_output=True)
    again = json.loads(subprocess.run([sys.executable, "-m", "ui.cli", "history", "--json"], capture_output=True,
                                      text=True, env={**os.environ, **env}, cwd=ROOT, check=True).stdout)
    assert again == history


REVIEWER = """
import sys
from kg.study.storage import ReviewStore
store = ReviewStore(sys.argv[1])
i = 0
while True:
    card = f"c{i % 5}"
    due = store.review(card, "good")
    print(card, flush=True)
    i += 1
"""


def test_sigkill_during_reviews_loses_no_acknowledged_review(tmp_path):
    path = tmp_path / "study.sqlite"
    with ReviewStore(path) as s:
        s.sync([_card(f"c{i}") for i in range(5)])
    rng = random.Random(13)
    acknowledged = 0
    kills = 32
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", REVIEWER, str(path)], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
        proc.stdout.readline()  # the first review is acknowledged: the child is mid-stream from now on
        acknowledged += 1
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        acknowledged += len(rest.splitlines())
    with ReviewStore(path) as s:
        assert s.integrity() == "ok"
        recorded = len(s.history())
    assert recorded >= acknowledged, (recorded, acknowledged)
    assert recorded <= acknowledged + kills  # at most the one in flight per kill went through unacknowledged
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=40), st.text(max_size=80), st.lists(st.text(min_size=1, max_size=10), max_size=3),
       st.integers(min_value=1, max_value=10**6))
def test_a_card_comes_back_from_the_database_as_it_went_in(tmp_path, front, back, concepts, line):
    card = Card(id="x", kind="question", front=front, back=back, concepts=tuple(concepts),
                evidence=(Cite(source="笔记/a b.md", line=line, text=back or front),))
    with ReviewStore(tmp_path / "rt.sqlite") as s:
        s.sync([card])
        assert s.card("x") == card
