"""One node per concept, and never two concepts in one node: what aliases may join.

Each case is a small note built into a real index, checked by the concept a name resolves to."""

import pytest

from ingest.build import build as build_index
from kg import store
from kg.errors import UnknownConceptError
from kg.workspace import Workspace


def _index(tmp_path, text: str):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text(text, encoding="utf-8")
    Workspace(notes, tmp_path / ".kg", build_index).build()
    return store.load(tmp_path / ".kg").index


def _id(index, name: str):
    """The concept id a name resolves to, or None if the notes made no such concept."""
    try:
        return index.resolve(name).id
    except UnknownConceptError:
        return None


def _repeated(line: str, times: int = 4) -> str:
    return "".join(f"{line}第{i}次。\n\n" for i in range(times))


@pytest.mark.parametrize("one,other", [
    ("FLOPs", "MACs"),  # a count of operations, not of multiply-accumulates
    ("MACs", "内存访问成本"),
    ("卷积核", "kernel size"),  # a measure of the kernel, not the kernel
    ("偏差", "偏置"),
])
def test_a_measure_or_a_namesake_is_not_fused_with_the_concept(tmp_path, one, other):
    index = _index(tmp_path, f"{one}与{other}都要算。\n")
    assert _id(index, one) is not None and _id(index, other) is not None
    assert _id(index, one) != _id(index, other)


def test_an_abbreviation_and_its_full_name_are_one_node(tmp_path):
    index = _index(tmp_path, "DW 卷积即逐通道卷积，DW 省计算。\n")
    assert _id(index, "DW") == _id(index, "逐通道卷积") == _id(index, "depthwise convolution")


def test_a_bracket_glosses_the_whole_modified_name_not_its_head(tmp_path):
    index = _index(tmp_path, "高层特征具有强语义（rich semantic）。\n\n" + _repeated("语义分割要用语义"))
    assert _id(index, "语义") is None or _id(index, "语义") != _id(index, "rich semantic")


def test_a_known_name_that_does_not_translate_a_glossary_concept_is_not_its_alias(tmp_path):
    index = _index(tmp_path, "用PNN（神经网络）分类。\n\n" + _repeated("PNN 用于推荐"))
    assert _id(index, "PNN") != _id(index, "神经网络")


def test_a_name_glossed_as_two_concepts_is_neither_and_not_a_node(tmp_path):
    text = "MAC（内存访问成本）要小。\n\n由乘法累加（MAC）计数。\n\n" + _repeated("MAC 和 MACs 不同")
    index = _index(tmp_path, text)
    assert _id(index, "MAC") not in (_id(index, "MACs"), _id(index, "内存访问成本"))


def test_an_everyday_word_is_not_a_concept_of_the_notes(tmp_path):
    index = _index(tmp_path, "绿色: 表示正样本。\n\n" + _repeated("图中绿色框"))
    assert _id(index, "绿色") is None
