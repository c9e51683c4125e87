"""Questions and cards: what the notes ask, what they answer, and cards a user can trust."""

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from kg.models import Concept, Evidence, Relation
from kg.index import KnowledgeIndex
from kg.study.cards import card_id, make_cards, relation_cards
from kg.study.models import Card
from ingest.extract import note_units
from kg.study.questions import find_questions as find_in_units
from kg.study.strength import concept_session, concept_strength, session, weak_prerequisites

MIN_BUNDLED_CARDS = 60
"""Issue 13: at least 60 cards on the bundled notes (65: 27 definitions, 24 relations, 14 questions)."""

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "notes" / "interview-notes.txt"


def find_questions(text, source):
    """The questions of a note, read off its units as the build splits them."""
    return find_in_units(note_units(source, text))


@pytest.mark.parametrize("text, expected", [
    ("### 3.2.1 什么是卷积？\n", ["什么是卷积？"]),
    ("## 为什么需要 BN\n", ["为什么需要 BN"]),
    ("## 卷积的作用\n", []),
    ("## 介绍\n本文介绍 BN。\n", []),
    ("bagging 和 boosting 区别是什么?bagging 是一种\n", ["bagging 和 boosting 区别是什么?"]),
    ("参数量的计算????\n", ["参数量的计算?"]),
    ("见 https://a.com/x?id=1 的说明\n", []),
    ("```\nwhy?\n```\n", []),
    ("python 中 is 与 == 的区别\n", ["python 中 is 与 == 的区别"]),
    ("7，引用和指针的区别？\n", ["引用和指针的区别？"]),
    ("## C++ 指针和引用的区别\n+ 指针有自己的内存空间\n", ["C++ 指针和引用的区别"]),  # 引用 here is no bibliography
    ("**如何解决过拟合：**\n- 早停\n", ["如何解决过拟合"]),
])
def test_finds_the_questions_a_line_asks(text, expected):
    assert [q.text for q in find_questions(text, "n.md")] == expected


def test_a_question_heading_is_cited_at_its_own_line():
    found = find_questions("# 基础\n\n## 什么是 BN？\n\nBN 归一化每层的输入。\n", "n.md")
    assert [(q.line, q.rule, q.heading) for q in found] == [(3, "heading", "什么是 BN？")]


def test_an_interview_list_in_markdown_ends_at_the_next_heading():
    note = "## 字节一面\n- 自我介绍\n- Focal loss 说下\n1. NMS 的流程\n## 复习\n- 卷积\n"
    found = find_questions(note, "n.md")
    assert [(q.line, q.rule) for q in found] == [(2, "interview"), (3, "interview"), (4, "interview")]


def test_a_plain_interview_list_ends_where_answers_begin():
    note = "纸质版面经\n过拟合的处理:数据增广、早停\n1018 tplink 图像算法面试\n自我介绍\nPGD的计算方法\n"
    assert [q.text for q in find_questions(note, "n.txt")] == ["自我介绍", "PGD的计算方法"]


def test_an_interview_summary_is_not_a_question_list():
    assert find_questions("### 一面总结\n- 基础要扎实\n", "n.md") == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="过拟合和与的区别什么是?？#- 1.面试\n:，ab", max_size=30), max_size=8))
def test_every_question_is_quoted_from_the_note_at_a_line_of_it(lines):
    text = "\n".join(lines)
    note_lines = text.splitlines()
    for q in find_questions(text, "n.md"):
        assert "".join(q.text.rstrip("?？").split()) in "".join(text.split())
        assert 1 <= q.line <= len(note_lines) and note_lines[q.line - 1].strip()


def test_every_question_of_the_bundled_interview_lists_is_in_the_bank():
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines, 1) if line.strip().endswith("面试") and line[:1].isdigit())
    expected = {i for i in range(first + 1, len(lines) + 1) if lines[i - 1].strip()
                and not lines[i - 1].strip().endswith("二面")}
    found = {q.line for q in find_questions("\n".join(lines), BUNDLED.name)}
    assert expected <= found


def test_bundled_cards_are_many_varied_and_cited(bundled_index):
    cards = _bundled_cards(bundled_index)
    kinds = Counter(c.kind for c in cards)
    assert len(cards) >= MIN_BUNDLED_CARDS and len(kinds) >= 3, kinds
    note = BUNDLED.read_text(encoding="utf-8").splitlines()
    for card in cards:
        assert card.evidence, card
        for e in card.evidence:
            near = "".join("".join(note[e.line - 1:e.line + 4]).split())
            assert "".join(e.text.split())[:12] in near, (card.id, e)


def test_a_solves_card_names_every_remedy_the_graph_holds(bundled_index):
    index = bundled_index.load().index
    for card in relation_cards(index):
        if card.relation == "solves":
            remedies = {r.source for r in index.relations if r.type == "solves" and r.target == card.concepts[0]}
            assert set(card.concepts[1:]) == remedies
            assert all(index.concepts[r].name in card.back for r in remedies)


def test_a_definition_card_is_its_concepts_id(bundled_index):
    index = bundled_index.load().index
    definitions = [c for c in _bundled_cards(bundled_index) if c.kind == "definition"]
    assert definitions and all(c.id in index.concepts and c.concepts == (c.id,) for c in definitions)


def _bundled_cards(ws):
    from ui.cli_study import deck

    return deck(ws)[2]


def _index(*relations):
    names = {n for r in relations for n in (r.source, r.target)}
    return KnowledgeIndex(concepts={n: Concept(id=n, name=n.upper()) for n in names}, relations=list(relations))


def _rel(source, target, type_, text="x", line=1):
    return Relation(source=source, target=target, type=type_, evidence=(Evidence(source="n.md", line=line, text=text,
                                                                                   rule="t"),))


def test_a_relation_card_keeps_its_id_when_the_wording_and_the_remedies_change():
    before = relation_cards(_index(_rel("dropout", "overfit", "solves", "dropout 防止过拟合")))
    after = relation_cards(_index(_rel("dropout", "overfit", "solves", "用 dropout 可以缓解过拟合", line=9),
                                  _rel("l2", "overfit", "solves", "L2 也行")))
    assert [c.id for c in before] == [c.id for c in after]
    assert after[0].back == "DROPOUT、L2" or after[0].back == "L2、DROPOUT"


@given(st.text(min_size=1, max_size=8), st.text(min_size=1, max_size=8))
def test_a_contrast_card_id_does_not_depend_on_direction(a, b):
    assert card_id("relation", "contrasts", [a, b]) == card_id("relation", "contrasts", [b, a])
    assert card_id("relation", "solves", [a]) != card_id("relation", "causes", [a])


def test_a_remedy_card_asks_what_a_remedy_solves_when_the_notes_present_it_as_one():
    index = _index(_rel("bn", "vanish", "solves"), _rel("bn", "explode", "solves"), _rel("l2", "overfit", "solves"),
                   _rel("drop", "overfit", "solves"))
    index.concepts["drop"] = Concept(id="drop", name="DROP", definition="随机丢弃神经元以防止 OVERFIT 的方法")
    cards = {c.concepts[0]: c for c in relation_cards(index) if c.relation == "remedy_for"}
    assert set(cards) == {"bn", "drop"}  # two problems, or a definition naming its problem; not l2
    assert set(cards["bn"].concepts[1:]) == {"vanish", "explode"} and cards["drop"].back == "OVERFIT"
    assert cards["bn"].id == card_id("relation", "remedy_for", ["bn"]) != card_id("relation", "solves", ["bn"])


def test_a_relation_without_evidence_makes_no_card():
    index = _index(Relation(source="a", target="b", type="solves"))
    assert make_cards(index) == []


def _card(cid, *concepts):
    return Card(id=cid, kind="relation", front=cid, back="", concepts=concepts, evidence=())


def test_strength_is_the_mean_retrievability_of_reviewed_cards():
    cards = [_card("1", "x"), _card("2", "x", "y"), _card("3", "z")]
    strength = concept_strength(cards, {"1": 0.2, "2": 0.6})
    assert strength == {"x": 0.4, "y": 0.6}
    assert "z" not in strength


def test_a_weak_concept_session_pulls_in_weak_prerequisites_only():
    index = _index(_rel("bn", "norm", "is_a"), _rel("bn", "mean", "uses"), _rel("relu", "bn", "solves"))
    cards = [_card("c-bn", "bn"), _card("c-norm", "norm"), _card("c-mean", "mean"), _card("c-relu", "relu")]
    strength = {"bn": 0.3, "norm": 0.95, "mean": 0.4}
    assert weak_prerequisites(index, "bn", strength) == ["mean"]
    chosen, taken = concept_session(index, cards, ["c-relu", "c-mean"], "bn", strength)
    assert taken == ["bn", "mean"]
    assert [c.id for c in chosen] == ["c-mean", "c-bn"]


def test_a_plain_session_takes_due_cards_in_due_order():
    cards = [_card("a", "x"), _card("b", "y"), _card("c", "z")]
    assert [c.id for c in session(cards, ["c", "a"])] == ["c", "a"]
    assert [c.id for c in session(cards, ["c", "a"], limit=1)] == ["c"]


def test_brackets_quoted_from_a_note_make_no_obsidian_link(tmp_path):
    from kg.study.export import export_obsidian

    index = _index(_rel("a", "b", "uses", text="A 用 [[b]] 和 [[nowhere]]"))
    export_obsidian(index, tmp_path)
    text = (tmp_path / "A.md").read_text(encoding="utf-8")
    import re

    assert re.findall(r"(?<!\\)\[\[([^\]]+)\]\]", text) == ["B"]
