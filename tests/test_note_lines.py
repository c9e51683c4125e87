"""A `术语:说明` line that does not say what its term is (an outline, a list, a cause, a remark) is
not shown as a definition, and not lost either: it is the concept's note line, on its page, in
`kg show`, in the JSON export, and on a study card of its own."""

import json
import shutil
from pathlib import Path

import pytest

from ingest.concepts import mine_terms
from ingest.definitions import colon_reading
from ingest.note_lines import note_reason
from ingest.passages import split_passages

BUNDLED = Path(__file__).resolve().parent.parent / "notes"


@pytest.mark.parametrize("body,rule", [
    ("两种说法:一是激活函数选得不好,二是层数太深", "outline"),  # a sub-label of its own at the start
    ("做法:先做归一化,再训练模型", "outline"),
    ("低,容易欠拟合 高:容易过拟合", "outline"),  # a one-character value label after a space
    ("按多数投票决定结果(boosting: 逐个加权):", "lead_in"),  # ends by introducing what follows
    ("读入 切分 编码 解码 输出", "word_list"),  # bare words separated by spaces
    ("读入 切分(按词) 编码 输出", "word_list"),  # a gloss in brackets does not make a sentence
    ("训练样本数量不足", "condition"),  # one clause naming a condition: a cause
    ("网络层数过深", "condition"),
    ("可导,但是计算量比另一种方法大很多", "remark"),  # a fragment, then a caveat
    ("回归任务。简单、可解释、易过拟合", "fragment"),  # a one-phrase sentence opening a list of properties
])
def test_a_body_that_does_not_say_what_its_term_is_is_a_note_line(body, rule):
    assert note_reason(body) == rule
    definition, note = colon_reading(body, "某术语")
    assert definition is None and note == body


@pytest.mark.parametrize("body", [
    "对颜色的数据增强：图像亮度、饱和度、对比度变化",  # a long phrase before a colon is a statement
    "增加小类的样本个数。代表算法：SMOTE。 SMOTE：插值产生新样本",  # labels after the first sentence
    "扩张卷积,参数量不变的情况下,将感受野扩大。",  # a short alias first, then what it does
    "训练误差和测试误差间距过大，即方差过大，表现为泛化性能下降。",  # a condition among other clauses
    "一种优化算法。用梯度的一阶矩估计调整学习率",  # a short first sentence that states a kind
    "用于防止权重过大的正则项,加在损失函数上",  # a degree word inside a clause, not ending one
    "概率密度服从正态分布,分布在每个点上,不能用中值滤波",
])
def test_a_body_that_says_what_its_term_is_stays_a_definition(body):
    assert note_reason(body) is None
    assert colon_reading(body, "某术语") == (body, None)


def test_a_second_entry_on_the_same_line_is_cut_from_the_definition():
    definition, note = colon_reading("一次只训练一个小批量的数据 epoch:所有批量训练一轮", "iteration")
    assert definition == "一次只训练一个小批量的数据" and note is None


def test_a_refused_line_that_is_no_note_either_stays_refused():
    """A citation or a line with a hole was never the user's statement about the term."""
    assert colon_reading("《深度学习》，人民邮电出版社，2017.", "深度学习") == (None, None)
    assert colon_reading("方差（\0）是一种特殊的协方差。当\0时，\0。", "方差") == (None, None)


def test_the_miner_carries_a_note_line_on_its_term():
    [term] = [t for t in mine_terms(split_passages("梯度爆炸:权重初始化值过大\n", "n.md")) if t.surface == "梯度爆炸"]
    assert term.definition is None and term.note == "权重初始化值过大"


@pytest.mark.parametrize("heading,noted", [
    ("## YOLOv2有哪些改进？", True),  # each item says what its label brings to YOLOv2
    ("## 这个检测器的创新点?", True),
    ("## 怎样选择优化器？", False),  # a question, but not one asking for a thing's aspects
    ("## 优化器", False),
])
def test_a_labelled_item_answering_a_question_about_aspects_is_a_note(heading, noted):
    text = f"{heading}\n\n1. Anchor：用聚类得到的先验框替换手工设置的边框，提升召回率\n"
    [term] = [t for t in mine_terms(split_passages(text, "n.md")) if t.surface == "Anchor" and t.rule == "definition"]
    assert (term.definition is None and term.note is not None) == noted
    assert (term.definition or term.note).startswith("用聚类得到的先验框")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The index of the bundled notes, as `kg build` makes it."""
    from ui.workspace import open_workspace

    root = tmp_path_factory.mktemp("bundled")
    shutil.copytree(BUNDLED, root / "notes")
    ws = open_workspace(str(root / "notes"), str(root / "data"))
    ws.build()
    return ws.load().index


def test_every_glossary_line_of_the_bundled_notes_is_a_definition_or_a_note(bundled):
    """Nothing the user wrote is lost: each `术语:说明` line the miner reads for a concept either
    defines it or is one of its note lines, word for word."""
    text = (BUNDLED / "interview-notes.txt").read_text(encoding="utf-8")
    flat = "".join(text.split())
    kept = {text for c in bundled.concepts.values() for text in (c.definition or "", *c.notes) if text}
    mined = [t for t in mine_terms(split_passages(text, "interview-notes.txt"))
             if t.rule == "definition" and t.note]
    assert mined, "the bundled notes hold terse glossary lines"
    for term in mined:
        assert term.note in kept, term
    for c in bundled.concepts.values():
        for note in c.notes:
            assert "".join(note.split()) in flat, note  # the user's words, only spaces and line breaks folded


def test_a_note_line_is_shown_and_studied_but_is_not_a_definition(bundled):
    from kg.study.cards import make_cards

    noted = [c for c in bundled.concepts.values() if c.notes]
    assert noted
    cards = make_cards(bundled)
    note_cards = {c.concepts[0]: c for c in cards if c.kind == "note"}
    for concept in noted:
        card = note_cards[concept.id]
        assert all(note[:20] in card.back for note in concept.notes)
        assert card.evidence and all(any(n[:10] in e.text for n in concept.notes) for e in card.evidence)
        assert concept.definition not in concept.notes
        assert card.id != concept.id  # a definition card keeps the concept's id, whatever its notes


def test_note_lines_are_in_the_json_export_and_kg_show(tmp_path, capsys):
    from ui.cli import main

    shutil.copytree(BUNDLED, tmp_path / "notes")
    common = ["--notes", str(tmp_path / "notes"), "--data", str(tmp_path / "data")]
    assert main(["build", *common]) == 0
    assert main(["export", "--format", "json", "-o", str(tmp_path / "g.json"), *common]) == 0
    nodes = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))["nodes"]
    noted = [n for n in nodes if n["notes"]]
    assert noted and all(n["definition"] != n["notes"][0] for n in noted)
    capsys.readouterr()
    assert main(["show", noted[0]["name"], *common]) == 0
    assert noted[0]["notes"][0][:30] in capsys.readouterr().out


def test_the_concept_page_shows_a_note_line_under_its_own_label(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from ui.workspace import open_workspace

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text("# 训练\n\n梯度爆炸:权重初始化的值过大\n\n梯度爆炸 会让训练发散,可以用梯度裁剪。\n",
                                encoding="utf-8")
    open_workspace(str(notes), str(tmp_path / "data")).build()
    monkeypatch.setenv("KG_NOTES", str(notes))
    monkeypatch.setenv("KG_DATA", str(tmp_path / "data"))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "ui" / "app.py"), default_timeout=120)
    at.query_params["concept"] = "梯度爆炸"
    at.run()
    assert not at.exception and [t.value for t in at.title] == ["梯度爆炸"]
    page = "\n".join(m.value for m in at.markdown)
    assert "**Your notes say.**" in page and "权重初始化的值过大" in page
    assert "**Definition.**" not in page
