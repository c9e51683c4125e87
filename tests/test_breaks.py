"""Rules that a one-line change could switch off with the whole suite still green (issue 9's
audit, docs/notes/audit.md): each test here fails when its rule is removed."""

from pathlib import Path

import pytest

from ingest.passages import split_passages
from kg.workspace import Workspace
from ui.workspace import build_index


def _headings(text: str) -> list[tuple[str, ...]]:
    return [p.heading for p in split_passages(text, "note.txt")]


def test_a_plain_title_governs_only_the_passages_near_it():
    """A short line in a plain-text note is taken for a title, but nothing marks where its section
    ends: without a bound, one title would head (and lift in search) every passage to the end."""
    body = "".join(f"第{i}种做法把多个弱学习器组合起来，效果更稳定。\n\n" for i in range(30))
    headings = _headings("集成学习\n" + body)
    assert headings[0] == ("集成学习",)
    assert headings[-1] == ()


@pytest.mark.parametrize("title", ["BN", "优化", "激活函数"])
def test_a_short_line_over_a_sentence_is_a_plain_title_down_to_two_characters(title):
    """Notes name sections in two characters (`BN`, `优化`): the passage under one is found under it."""
    assert _headings(f"{title}\n动量法让梯度下降更快收敛。\n") == [(title,)]


def test_a_single_character_line_is_text_not_a_title():
    assert _headings("A\n动量法让梯度下降更快收敛。\n")[-1] == ()


def test_a_run_of_definition_lines_ends_a_plain_titles_scope():
    """`术语：定义` lines one after another are a glossary of their own, not the title's section."""
    headings = _headings("激活函数\n激活函数给网络带来非线性，使它能拟合复杂函数。\n\n"
                         "ReLU：大于零时输出输入本身\n\nSigmoid：把输入压到零到一之间\n\nTanh：把输入压到负一到一之间\n")
    assert headings[0] == ("激活函数",)
    assert headings[-1] == ()


def test_a_variant_name_in_the_same_section_is_related_to_its_original(tmp_path: Path):
    """`Fast R-CNN` and `R-CNN` in one section but in different passages: only the name links them."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "det.md").write_text("## 目标检测\n\nR-CNN 先提取候选区域，再对每个区域分类。\n\n"
                                  "Fast R-CNN 共享整张图的卷积特征，速度快很多。\n\nYOLO 是一种单阶段检测器。\n",
                                  encoding="utf-8")
    ws = Workspace(notes, tmp_path / "data", build_index)
    ws.build()
    pairs = {frozenset((r.source, r.target)) for r in ws.load().index.relations}
    assert frozenset(("fastrcnn", "rcnn")) in pairs
    assert frozenset(("yolo", "rcnn")) not in pairs


def test_an_index_naming_a_module_this_installation_lacks_was_made_by_other_code():
    """A module renamed or removed since the build: the index is stale, not read as current."""
    from kg.fingerprint import index_code, made_by_other_code

    current = index_code()
    assert not made_by_other_code(current)
    assert made_by_other_code({**current, "code_files": [*current["code_files"], "kg/removed_since.py"]})


@pytest.mark.parametrize("before", [0, 3, 20])
def test_a_multiword_name_is_found_wherever_it_stands_in_the_text(before):
    """The window that joins tokens into a name is counted from where the name starts: a name
    late in a long passage is found as one at its start is."""
    from kg.lexicon import Lexicon

    lex = Lexicon({"batchnormalization": "bn"})
    tokens = ["的"] * before + ["batch", "normalization"]
    assert [(m.start, m.concept) for m in lex.mentions(tokens)] == [(before, "bn")]


def test_each_piece_of_a_long_wrapped_paragraph_points_at_the_line_it_starts_on():
    """A search hit names `note.txt:LINE`: for a paragraph cut into pieces, each piece's own line."""
    marks = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
    lines = ["梯度消失", *(f"{m}在训练深层网络时梯度会逐层变小导致前面的层学不到东西。{m}就是梯度消失问题，" for m in marks)]
    pieces = split_passages("\n".join(lines) + "。\n", "note.txt")
    assert len(pieces) >= 2
    for piece in pieces:
        assert piece.text[:8] in lines[piece.line - 1]


def test_a_concepts_first_definition_survives_a_later_line_that_names_it_again(tmp_path: Path):
    """`SGD:…` defines SGD; a later `SGD:` line of another kind must not erase or replace it."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "opt.txt").write_text("SGD:每一次迭代计算一个小批量的梯度,然后对参数进行更新\n"
                                   "Adam 快速优化,SGD精准优化\n"
                                   "SGD:一阶导数 牛顿法:二阶导数,慢\n", encoding="utf-8")
    ws = Workspace(notes, tmp_path / "data", build_index)
    ws.build()
    sgd = ws.load().index.concepts["sgd"]
    assert sgd.definition and "小批量的梯度" in sgd.definition
