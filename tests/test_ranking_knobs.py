"""Every ranking knob kept in `kg.search` / `kg.bm25` changes a ranking a user would see (issue 9).

Each test builds a tiny notes folder where the knob decides the order, checks the order with
the shipped value, then sets the knob to its neutral value and checks that the order changes:
a knob that stopped mattering fails its test.
"""

from __future__ import annotations

import pytest

import kg.search as search
from kg.workspace import Workspace
from ui.workspace import build_index
from kg.bm25 import BM25
from kg.fields import HEADING_TOKEN
from kg.index import KnowledgeIndex
from kg.models import Passage
from kg.search import Searcher
from kg.tokenize import Tokenizer


def _searcher(notes, data, files: dict[str, str]):
    for name, text in files.items():
        (notes / name).write_text(text, encoding="utf-8")
    return Workspace(notes, data, build_index).searcher()


def _rank(searcher, query: str, needle: str) -> int | None:
    """1-based rank of the first hit holding `needle` with a positive score."""
    hits = searcher.search(query, 10).passages
    return next((i for i, h in enumerate(hits, 1) if needle in h.text and h.score > 0), None)


def test_heading_weight_lifts_the_answer_under_a_matching_question_heading(notes, data, monkeypatch):
    s = _searcher(notes, data, {"a.md": "# 梯度消失的原因\n\n链式求导时许多小于一的导数连乘。\n\n"
                                        "# 激活函数\n\nsigmoid 会让梯度消失，原因之一是饱和区。\n"})
    assert _rank(s, "梯度消失的原因", "导数连乘") == 1
    monkeypatch.setattr(search, "HEADING_WEIGHT", 0.0)
    assert _rank(s, "梯度消失的原因", "导数连乘") != 1


_DROPOUT = {"a.txt": "dropout 的缺点是训练的时间变得更长。\ndropout 随机丢弃。\n数据不足时容易过拟合。\n"}


def test_cue_weight_lets_an_english_question_word_reach_its_chinese_word(notes, data, monkeypatch):
    s = _searcher(notes, data, _DROPOUT)
    assert _rank(s, "dropout drawbacks", "缺点") == 1
    monkeypatch.setattr(search, "CUE_WEIGHT", 0.0)
    assert _rank(s, "dropout drawbacks", "缺点") != 1


def test_synonym_weight_lets_one_question_word_find_its_synonym(notes, data, monkeypatch):
    s = _searcher(notes, data, _DROPOUT)
    assert _rank(s, "dropout 不足", "缺点") == 1
    monkeypatch.setattr(search, "SYNONYM_WEIGHT", 0.0)
    assert _rank(s, "dropout 不足", "缺点") != 1


def test_bridge_weight_carries_an_english_phrase_to_the_chinese_the_notes_pair_it_with(monkeypatch):
    passages = [Passage(id="a", source="a.md", line=1, text="步长不整除时出现棋盘伪影。"),
                Passage(id="b", source="a.md", line=2, text="上采样用插值。")]
    index = KnowledgeIndex(passages=passages, bridges={"checkerboard artifacts": ["棋盘", "伪影"]})
    postings = BM25.build([["步长", "整除", "出现", "棋盘", "伪影"], ["上采样", "插值"]])
    s = Searcher(index, postings, BM25.build([]), [], Tokenizer())
    assert _rank(s, "checkerboard artifacts", "棋盘伪影") == 1
    monkeypatch.setattr(search, "BRIDGE_WEIGHT", 0.0)
    assert _rank(s, "checkerboard artifacts", "棋盘伪影") is None


def test_named_word_weight_keeps_an_english_name_from_outranking_the_chinese_answer(notes, data, monkeypatch):
    s = _searcher(notes, data, {"a.txt": "常用早停来解决过拟合。\n英文 overfitting 即过拟合。\n梯度爆炸很少见。\n"})
    assert _rank(s, "overfitting solution", "早停") == 1
    monkeypatch.setattr(search, "NAMED_WORD_WEIGHT", 1.0)
    assert _rank(s, "overfitting solution", "早停") != 1


def test_question_prior_ranks_an_answer_above_a_bare_question(notes, data, monkeypatch):
    s = _searcher(notes, data, {"a.txt": "过拟合为什么会在训练中发生？\n过拟合发生是因为模型很复杂。\n梯度爆炸很少见。\n"})
    assert _rank(s, "过拟合为什么发生", "模型很复杂") == 1
    monkeypatch.setattr(search, "QUESTION_PRIOR", 1.0)
    assert _rank(s, "过拟合为什么发生", "模型很复杂") != 1


def test_subject_weight_prefers_the_passage_about_the_concept(notes, data, monkeypatch):
    s = _searcher(notes, data, {"a.txt": "dropout 在训练时随机地丢弃一部分的神经元。\n训练时用 dropout 丢弃神经元。\n梯度爆炸很少见。\n"})
    assert _rank(s, "dropout 丢弃神经元", "随机地") == 1
    monkeypatch.setattr(search, "SUBJECT_WEIGHT", 0.0)
    assert _rank(s, "dropout 丢弃神经元", "随机地") != 1


def test_bm25_boosts_scale_a_terms_share_of_the_score():
    index = BM25.build([["过拟合", "早停"], ["过拟合", "dropout"]])
    assert index.top(["早停", "dropout"], 2, {"早停": 2.0})[0][0] == 0
    assert index.top(["早停", "dropout"], 2, {"dropout": 2.0})[0][0] == 1


@pytest.mark.parametrize("body", [1, 10, 100])
def test_a_heading_match_counts_the_same_however_long_the_text_under_it(body):
    index = BM25.build([[HEADING_TOKEN + "过拟合", *["词"] * body], [HEADING_TOKEN + "过拟合", "词"], ["其他"] * 5])
    (_, long), (_, short) = sorted(index.top([HEADING_TOKEN + "过拟合"], 2))
    assert long == pytest.approx(short)
