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


from ingest.blocks import MAX_BLOCK, group_blocks
from ingest.passages import one_fact_per_line

_RESIDUE = """[TOC]

- [16.1，过拟合问题怎么解决](#161过拟合问题怎么解决)
- [16.2，欠拟合](#162欠拟合)

# 16.1 过拟合问题怎么解决

![](img/ch16/16.1.jpg)

<!-- 作者的备注 -->

<div align=center><img src="img/16.2.png"></div>

常用的有以下几个方案：

- 数据增广
- **早停**
- dropout

[1]: https://example.com/paper

## 参考文献

- [1] Srivastava N, et al. Dropout. JMLR 2014.
"""


def test_navigation_and_residue_are_not_units():
    texts = [p.text for p in split_passages(_RESIDUE, "nav.md")]
    joined = "\n".join(texts)
    assert "常用的有以下几个方案：" in texts
    for residue in ("TOC", "](#", "img/", "作者的备注", "example.com", "Srivastava"):
        assert residue not in joined, residue


def test_markdown_markup_is_not_part_of_the_text_but_list_markers_are():
    texts = [p.text for p in split_passages(_RESIDUE, "nav.md")]
    assert "- 早停" in texts


def test_lead_in_and_its_list_are_one_block_under_the_question_heading():
    units = split_passages(_RESIDUE, "nav.md")
    blocks, members = group_blocks(units)
    answer = next(b for b in blocks if "数据增广" in b.text)
    assert answer.heading == ("16.1 过拟合问题怎么解决",)
    assert answer.text.startswith("常用的有以下几个方案：") and "- dropout" in answer.text
    assert answer.line == next(u.line for u in units if u.text.startswith("常用的"))
    assert all(units[i].text in answer.text for i in members[blocks.index(answer)])


def test_long_sections_are_cut_at_unit_boundaries_and_keep_their_heading():
    items = "\n".join(f"- 第{i}种缓解梯度消失的方法是换一个激活函数并且加上残差连接" for i in range(40))
    units = split_passages(f"# 梯度消失怎么办\n\n{items}\n", "long.md")
    blocks, members = group_blocks(units)
    assert len(blocks) > 1
    assert all(len(b.text) <= MAX_BLOCK and b.heading == ("梯度消失怎么办",) for b in blocks)
    assert [i for m in members for i in m] == list(range(len(units)))


def test_a_new_question_heading_starts_a_new_block_but_a_bold_point_does_not():
    text = ("# 如何选择平台？\n\n下面列出一些参考。\n\n**参考1：生态**\n\n看生态是否完善。\n\n"
            "# 为什么要归一化？\n\n加快收敛。\n")
    blocks, _ = group_blocks(split_passages(text, "a.md"))
    assert [b.heading for b in blocks] == [("如何选择平台？",), ("为什么要归一化？",)]
    assert "参考1：生态\n看生态是否完善。" in blocks[0].text


def test_bold_only_line_titles_what_follows():
    ps = split_passages("# 正则化\n\n**L1 正则：**\n\n让权重稀疏。\n", "b.md")
    assert ps[0].heading == ("正则化", "L1 正则") and ps[0].text == "让权重稀疏。"


def test_a_plain_note_typed_one_fact_per_line_gives_one_unit_per_line():
    lines = [f"事实{i}:第{i}条记录的内容" for i in range(38)]
    text = "\n".join(lines) + "\n"
    assert one_fact_per_line(text)
    units = split_passages(text, "add.txt")
    assert [u.text for u in units] == lines
    blocks, _ = group_blocks(units)
    assert len(blocks) == 38


def test_block_ids_are_stable_and_unique():
    units = split_passages(_RESIDUE * 2, "nav.md")
    a, _ = group_blocks(units)
    b, _ = group_blocks(units)
    assert [x.id for x in a] == [x.id for x in b] and len({x.id for x in a}) == len(a)
