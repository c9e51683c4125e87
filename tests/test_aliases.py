"""One node per concept, and never two concepts in one node: what aliases may join.

Each case is a small note built into a real index, checked by the concept a name resolves to."""

import json

import pytest

from conftest import index_of_note
from ingest import merge
from ingest.concepts import is_term_like
from kg import resources
from kg.errors import DataFileError, UnknownConceptError
from kg.normalize import key
from kg.resources import version_clash


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
    index = index_of_note(tmp_path, f"{one}与{other}都要算。\n")
    assert _id(index, one) is not None and _id(index, other) is not None
    assert _id(index, one) != _id(index, other)


def test_an_abbreviation_and_its_full_name_are_one_node(tmp_path):
    index = index_of_note(tmp_path, "DW 卷积即逐通道卷积，DW 省计算。\n")
    assert _id(index, "DW") == _id(index, "逐通道卷积") == _id(index, "depthwise convolution")


def test_a_bracket_glosses_the_whole_modified_name_not_its_head(tmp_path):
    index = index_of_note(tmp_path, "高层特征具有强语义（rich semantic）。\n\n" + _repeated("语义分割要用语义"))
    assert _id(index, "语义") is None or _id(index, "语义") != _id(index, "rich semantic")


def test_a_known_name_that_does_not_translate_a_glossary_concept_is_not_its_alias(tmp_path):
    index = index_of_note(tmp_path, "用PNN（神经网络）分类。\n\n" + _repeated("PNN 用于推荐"))
    assert _id(index, "PNN") != _id(index, "神经网络")


def test_a_name_glossed_as_two_concepts_is_neither_and_not_a_node(tmp_path):
    text = "MAC（内存访问成本）要小。\n\n由乘法累加（MAC）计数。\n\n" + _repeated("MAC 和 MACs 不同")
    index = index_of_note(tmp_path, text)
    assert _id(index, "MAC") not in (_id(index, "MACs"), _id(index, "内存访问成本"))


def test_an_everyday_word_is_not_a_concept_of_the_notes(tmp_path):
    index = index_of_note(tmp_path, "绿色: 表示正样本。\n\n" + _repeated("图中绿色框"))
    assert _id(index, "绿色") is None


@pytest.mark.parametrize("one,other", [
    ("正样本", "负样本"),  # opposites
    ("极大极小博弈", "零和博弈"),
    ("IoU", "IoU阈值"),  # a thing and its parameter
    ("Stable Diffusion", "SDXL"),  # a model and its successor
    ("归一化", "min-max归一化"),  # a family and one of its kinds
])
def test_opposites_and_a_thing_with_its_parameter_are_two_nodes(tmp_path, one, other):
    index = index_of_note(tmp_path, f"{one}与{other}都要算。\n")
    assert _id(index, one) is not None and _id(index, other) is not None
    assert _id(index, one) != _id(index, other)


def test_each_version_is_its_own_concept_apart_from_its_family(tmp_path):
    text = "YOLO 是单阶段检测器。\n\nYOLOv2 使用了 anchor。\n\nYOLO v3 使用多尺度。\n\nYOLO9000 基于 YOLOv2。\n"
    index = index_of_note(tmp_path, text)
    ids = [_id(index, n) for n in ("YOLO", "YOLOv2", "YOLO v3", "YOLO9000")]
    assert None not in ids and len(set(ids)) == 4
    assert _id(index, "YOLO v2") == _id(index, "YOLOv2")  # spacing does not make a new version


@pytest.mark.parametrize("names,clash", [
    (["YOLO", "YOLOv2"], True),
    (["MobileNet-v2", "MobileNetV3"], True),
    (["DeepLab", "DeepLab v3+"], True),
    (["ResNet", "ResNet50"], True),
    (["PASCAL VOC 2007", "VOC2007"], False),  # two spellings of one version
    (["F1", "F1 score"], False),
    (["YOLO", "You Only Look Once"], False),
])
def test_a_version_and_its_family_or_another_version_clash(names, clash):
    assert (version_clash(names) is not None) == clash


@pytest.mark.parametrize("name,aliases", [
    ("YOLO", ["YOLOv1", "YOLOv2"]), ("YOLO", ["YOLOv1"]), ("生成式模型", ["生成式"]), ("FLOPs", ["计算量"]),
])
def test_the_glossary_refuses_an_entry_fusing_versions_or_holding_a_generic_alias(monkeypatch, name, aliases):
    entry = {"name": name, "aliases": aliases, "category": "model"}
    real = resources._read
    monkeypatch.setattr(resources, "_read", lambda name: json.dumps({"version": 1, "entries": [entry]})
                        if name == "glossary.json" else real(name))
    with pytest.raises(DataFileError):
        resources.glossary.__wrapped__()


def test_the_shipped_glossary_keeps_versions_apart():
    names = [n for e in resources.glossary().entries for n in (e.name, *e.aliases)]
    assert all(version_clash((e.name, *e.aliases)) is None for e in resources.glossary().entries)
    assert {"YOLOv2", "MobileNetV2", "YOLO"} <= set(names)


@pytest.mark.parametrize("name,term", [
    ("模型结构", False), ("网络结构", False), ("常用命令", False), ("数据结构与算法", False),
    ("相当于全局变量", False), ("概率分布", True), ("经验误差", True), ("卷积结构", True),
])
def test_section_title_words_are_not_names(name, term):
    assert is_term_like(name) == term


@pytest.mark.parametrize("pair,joined", [
    (["ZetaNet", "ZetaNet-v2"], False),  # a bracket naming a version does not fuse it with the family
    (["ZetaNetV2", "ZetaNet V3"], False),
    (["ZetaNet", "Zeta Network"], True),
])
def test_mined_aliases_never_join_a_version_with_its_family(pair, joined):
    groups = merge._Groups()
    for name in pair:
        groups.add(name)
    merge._join_aliases(groups, [pair], refused=set())
    assert (groups.find(key(pair[0])) == groups.find(key(pair[1]))) == joined
