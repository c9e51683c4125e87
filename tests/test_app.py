"""Every explorer page through Streamlit's AppTest, over a temp copy of the sample notes."""

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.build import build as build_index
from kg.workspace import Workspace

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.fixture
def app_env(sample_notes, data, monkeypatch):
    (sample_notes / "xss.md").write_text(f"# 梯度裁剪\n\n- 过拟合的另一个办法是 dropout {PAYLOAD}\n", encoding="utf-8")
    Workspace(sample_notes, data, build_index).build()
    monkeypatch.setenv("KG_NOTES", str(sample_notes))
    monkeypatch.setenv("KG_DATA", str(data))
    return sample_notes, data


def _app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at


def _html(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _links(at) -> list:
    return list(at.get("page_link"))


def _graph_args(at) -> dict:
    (component,) = [c for c in at.get("component_instance")]
    return json.loads(component.proto.json_args)


def test_search_shows_concepts_and_highlighted_passages(app_env):
    at = _app()
    at.run()
    at.text_input(key="q").input("overfitting").run()
    assert not at.exception
    first = _links(at)[0].proto
    assert first.label.startswith("过拟合") and "relations" in first.label
    assert "concept=%E8%BF%87%E6%8B%9F%E5%90%88" in first.query_string
    page = _html(at)
    assert ":orange-background[过拟合]" in page
    assert ".md:" in page.replace("\\", "")
    assert at.query_params["q"] == "overfitting"


def test_search_and_concept_pages_quote_the_lines_that_matched(app_env):
    notes, data = app_env
    (notes / "matched.md").write_text(f"# 稀有标题\n\n- 第一行无关\n- 第二行讲梯度裁剪甲乙 {PAYLOAD}\n- 第三行也无关\n",
                                      encoding="utf-8")
    Workspace(notes, data, build_index).build()
    for at in (_app(q="梯度裁剪甲乙"), _app(concept="梯度裁剪")):
        at.run()
        quotes = [line for m in at.markdown for line in m.value.split("\n") if line.startswith("> » ")]
        assert any("第二行" in q and ":orange-background[梯度裁剪" in q and "&lt;img src=x" in q for q in quotes)
        assert not any("第一行" in q or "第三行" in q for q in quotes) and PAYLOAD not in _html(at)


def test_search_shows_a_note_payload_as_text(app_env):
    at = _app(q="dropout")
    at.run()
    page = _html(at)
    assert "&lt;img src=x onerror=alert(1)>" in page and PAYLOAD not in page


def test_a_query_string_value_is_shown_as_plain_text(app_env):
    evil = "![x](http://evil.example/p.png)"
    at = _app(concept=evil)
    at.run()
    assert not at.exception and not at.title
    shown = at.warning[0].value
    assert "evil" in shown and "![" not in shown and "](" not in shown


def test_deep_link_opens_the_concept_page(app_env):
    at = _app(concept="过拟合")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["过拟合"]
    assert any(e.label.startswith("solves (") for e in at.expander)
    labels = [link.proto.label for link in _links(at)]
    assert "dropout —solves→ 过拟合" in labels
    solves = next(link.proto for link in _links(at) if link.proto.label == "dropout —solves→ 过拟合")
    assert solves.help.startswith("“") and solves.help.endswith("\\:1")  # its evidence sentence and where, on hover
    page = _html(at)
    assert "overfitting" in page and ":orange-background[过拟合]" in page
    graph = _graph_args(at)
    assert graph["events"] == [{"name": "clicked_node", "event_type": "click tap", "selector": "node"}]
    names = {n["data"]["label"] for n in graph["elements"]["nodes"]}
    assert {"过拟合", "dropout", "早停", "正则化"} <= names
    assert PAYLOAD not in json.dumps(graph, ensure_ascii=False)
    # The side panel shows every data field but the label: only what a learner reads there.
    assert {k for n in graph["elements"]["nodes"] for k in n["data"]} <= {"id", "label", "relations", "also",
                                                                          "definition"}
    assert [n["data"]["label"] for n in graph["elements"]["nodes"] if "center" in n["classes"].split()] == ["过拟合"]


def test_the_concept_page_opens_a_typed_name_and_picks_from_all_names_when_empty(app_env):
    at = _app(concept="过拟合")
    at.run()
    assert all(len(box.options) < 10 for box in at.selectbox)  # no picker of every name: a box to type in
    at.text_input(key="open_concept").input("dropuot").run()
    assert [t.value for t in at.title] == ["dropout"] and at.query_params["concept"] == "dropuot"
    at = _app()
    at.switch_page("pages/concept.py").run()
    assert "过拟合" in at.selectbox[0].options and at.selectbox[0].value is None


def test_an_alias_deep_link_and_an_unknown_name(app_env):
    at = _app(concept="overfitting")
    at.run()
    assert [t.value for t in at.title] == ["过拟合"]
    at = _app(concept="no-such-thing-at-all")
    at.run()
    assert not at.exception and not at.title
    assert "unknown concept" in at.warning[0].value and "no\\-such\\-thing" in at.warning[0].value


def test_concept_page_filters_the_graph_by_type_and_radius(app_env):
    at = _app(concept="过拟合")
    at.run()
    all_edges = {e["data"]["label"] for e in _graph_args(at)["elements"]["edges"]}
    assert "related" in all_edges
    next(m for m in at.multiselect if m.label == "Relation types").set_value(["solves"]).run()
    assert {e["data"]["label"] for e in _graph_args(at)["elements"]["edges"]} == {"solves"}
    one = len(_graph_args(at)["elements"]["nodes"])
    next(r for r in at.radio if r.label == "Radius").set_value(2).run()
    assert len(_graph_args(at)["elements"]["nodes"]) >= one


def test_path_page_explains_each_hop(app_env):
    at = _app(**{"from": "正则化", "to": "早停"})
    at.switch_page("pages/path.py").run()
    assert not at.exception
    labels = [link.proto.label for link in _links(at)]
    assert "正则化 —solves→ 过拟合" in labels and "早停 —solves→ 过拟合" in labels
    page = _html(at)
    assert "正则化" in page and "—solves→" in page and "←solves—" in page
    assert any(c.value.startswith("“") for c in at.caption)  # each hop quotes its evidence sentence


def test_topics_page_lists_topics_and_study_gaps(app_env):
    at = _app()
    at.switch_page("pages/topics.py").run()
    assert not at.exception
    assert at.selectbox[0].options and "topics" in at.selectbox[0].label
    assert any(s.value.startswith("Study gaps") for s in at.subheader)
    assert _graph_args(at)["elements"]["nodes"]
    top, gaps = at.button_group
    assert 1 <= len(top.options) <= 12 and gaps.options
    shown = re.sub(r"\\(.)", r"\1", gaps.options[0])  # a gap: its name, betweenness, passages, neighbours
    picked = shown.split(" · ")[0]
    gaps.set_value(picked).run()
    assert [t.value for t in at.title] == [picked]  # picking one opens its concept page


def test_add_note_previews_then_saves_once_and_shows_new_concepts_at_once(app_env):
    notes, _ = app_env
    at = _app()
    at.switch_page("pages/add.py").run()
    at.text_input[0].input("Focal Loss")
    at.text_area[0].input("Focal Loss 可以缓解类别不平衡问题。")
    next(b for b in at.button if b.label == "Preview").click().run()
    assert not at.exception and not at.error
    assert at.subheader[0].value.startswith("Would add: ")
    assert "focal loss" in _html(at).lower()
    assert not (notes / "inbox").exists()  # a preview writes nothing

    next(b for b in at.button if b.label == "Save note").click().run()
    assert not at.error and at.success
    saved = list((notes / "inbox").glob("*.md"))
    assert len(saved) == 1
    assert any("focal loss" in link.proto.label.lower() for link in _links(at))

    next(b for b in at.button if b.label == "Save note").click().run()  # the same form submitted again
    assert not at.error and at.success
    assert list((notes / "inbox").glob("*.md")) == saved

    at.switch_page("pages/search.py").run()
    at.text_input(key="q").input("focal loss").run()
    assert _links(at)[0].proto.label.lower().startswith("focal loss")


def test_add_preview_lists_typed_relations_and_counts_co_occurrences(app_env):
    at = _app()
    at.switch_page("pages/add.py").run()
    at.text_area[0].input("- Focal Loss 可以缓解类别不平衡问题。\n- dropout 可以缓解过拟合。\n- 早停 和 dropout 和 正则化 常一起用。\n")
    next(b for b in at.button if b.label == "Preview").click().run()
    assert not at.exception and not at.error
    heading = at.subheader[0].value
    assert "typed relations" in heading and "co-occurrence links" in heading
    typed_rows = [m.value for m in at.markdown if "—" in m.value and "→" in m.value]
    assert typed_rows and not any("—related→" in row for row in typed_rows)


def test_add_note_refuses_an_empty_note(app_env):
    notes, _ = app_env
    at = _app()
    at.switch_page("pages/add.py").run()
    next(b for b in at.button if b.label == "Save note").click().run()
    assert at.error and "empty" in at.error[0].value
    assert not (notes / "inbox").exists()


def test_a_concept_the_learner_is_forgetting_is_ringed_in_its_graph(app_env, tmp_path, monkeypatch):
    from datetime import timedelta

    from kg import store
    from kg.study import schedule
    from kg.study.cards import relation_cards
    from kg.study.storage import ReviewStore

    _, data = app_env
    db = tmp_path / "study.sqlite"
    monkeypatch.setenv("KG_STUDY_DB", str(db))
    at = _app(concept="过拟合")
    at.run()
    assert not any("weak" in n["classes"].split() for n in _graph_args(at)["elements"]["nodes"])
    index = store.load(data).index
    cards = [c for c in relation_cards(index) if c.concepts[0] == "过拟合"]
    assert cards, "the sample notes say what solves 过拟合"
    with ReviewStore(db) as reviews:
        reviews.sync(cards)
        reviews.review(cards[0].id, "again", at=schedule.now() - timedelta(days=60))
    at = _app(concept="过拟合")
    at.run()
    weak = {n["data"]["label"] for n in _graph_args(at)["elements"]["nodes"] if "weak" in n["classes"].split()}
    assert "过拟合" in weak and weak <= {index.concepts[c].name for c in cards[0].concepts}
