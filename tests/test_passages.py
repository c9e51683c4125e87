from pathlib import Path

import pytest

from ingest.clean import clean_text
from ingest.passages import join_wrapped, split_passages

SAMPLES = Path(__file__).parent / "samples"


def _passages(name):
    return split_passages(clean_text((SAMPLES / name).read_text(encoding="utf-8-sig")), name)


def test_hard_wrapped_lines_are_joined_into_one_passage():
    texts = [p.text for p in _passages("wrapped.txt")]
    assert any("不合适的激活函数 1.靠近输出层的梯度大" in t for t in texts)
    assert any(t.startswith("Denoising Diffusion Probabilistic Model(DDPM") for t in texts)


def test_separate_lines_stay_separate():
    texts = [p.text for p in _passages("wrapped.txt")]
    assert "过拟合的处理:数据增广、早停、dropout、正则化" in texts


def test_short_title_lines_become_headings_in_plain_text():
    by_text = {p.text: p for p in _passages("wrapped.txt")}
    assert by_text["bagging 和 boosting 区别是什么?"].heading == ("集成学习",)


def test_markdown_headings_ignore_code_fences():
    ps = _passages("questions.md")
    headings = {p.heading for p in ps}
    assert ("第三章 深度学习基础", "3.2.1 什么是批归一化？") in headings
    assert not any("this is code" in h for hs in headings for h in hs)
    code = [p for p in ps if p.kind == "code"]
    assert code and "x = bn(x)" in code[0].text


def test_answer_under_question_heading_keeps_source_and_line():
    ps = _passages("questions.md")
    answer = next(p for p in ps if p.text.startswith("批归一化(Batch Normalization)"))
    assert answer.source == "questions.md" and answer.line == 5
    assert answer.heading[-1] == "3.2.1 什么是批归一化？"


def test_list_items_are_their_own_passages():
    ps = _passages("questions.md")
    assert any(p.kind == "item" and p.text.startswith("- LSTM") for p in ps)
    assert any(p.heading[-1] == "二十一，RNN" for p in ps)


def test_long_paragraphs_are_cut_at_sentence_ends():
    text = "。".join(f"第{i}句话讲的是梯度消失的一个方面" for i in range(80)) + "。"
    ps = split_passages(text, "long.md")
    assert len(ps) > 1 and all(len(p.text) <= 600 for p in ps)
    assert "".join(p.text for p in ps) == text


@pytest.mark.parametrize("previous,line,joined", [
    ("梯度消失:一般是选了不合适的激活函数 1.", "靠近输出层的梯度大", True),
    ("ReLU激活函数", "欠拟合的处理方法:模型复杂化", False),
    ("BN 通过对每一层的输出做 scale 和 shift", ",是的将每层神经网络", True),
    ("目标检测", "两阶段", False),
])
def test_join_wrapped(previous, line, joined):
    assert join_wrapped(previous, line) is joined


def test_passage_ids_are_stable_and_unique():
    a, b = _passages("wrapped.txt"), _passages("wrapped.txt")
    assert [p.id for p in a] == [p.id for p in b]
    assert len({p.id for p in a}) == len(a)


from collections import Counter

from hypothesis import given, settings, strategies as st

_NOTE_TEXT = st.lists(
    st.one_of(
        st.text(alphabet="过拟合梯度消失的处理:、,。()（）#-* 1.abcXYZ\n", max_size=40),
        st.sampled_from(["# 标题", "```", "1. 数据增广", "(2)早停", "| a | b |", "", "Adam:一阶矩", "目标检测"]),
    ),
    max_size=25,
).map("\n".join)


@given(_NOTE_TEXT)
@settings(max_examples=200, deadline=None)
def test_splitting_never_loses_a_letter_digit_or_chinese_character(text):
    cleaned = clean_text(text)
    ps = split_passages(cleaned, "prop.txt")
    kept = Counter("".join(p.text for p in ps) + "".join(h for p in ps for h in p.heading))
    wanted = Counter(c for c in cleaned if c.isalnum())
    assert not wanted - kept
