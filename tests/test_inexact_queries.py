"""A student who describes a concept instead of naming it, or misspells its name, finds it."""

from ingest.build import build as build_index
from kg.workspace import Workspace

NOTES = """## 知识蒸馏

让小的学生模型去拟合大的教师模型输出的软标签，小模型就能得到与大模型相近的性能。

## 模型剪枝

剪掉模型中不重要的权重和通道，让模型变小变快。

## 过拟合

模型在训练集上效果好，在测试集上效果差。

## 优化器

Adam 优化器结合了动量和自适应学习率。

## 学习率

Adam 的默认学习率是 0.001。

## 收敛

很多任务里 Adam 收敛得比 SGD 快。
"""


def _search(tmp_path, query: str):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text(NOTES, encoding="utf-8")
    workspace = Workspace(notes, tmp_path / ".kg", build_index)
    workspace.build()
    return [hit.name for hit in workspace.searcher().search(query).concepts]


def test_a_description_finds_the_concept_its_answer_is_about(tmp_path):
    names = _search(tmp_path, "用大的教师模型的输出训练一个小的学生模型，让小模型性能接近大模型")
    assert names[0] == "知识蒸馏"


def test_a_name_is_still_found_first(tmp_path):
    assert _search(tmp_path, "模型剪枝")[0] == "剪枝"  # the glossary name of 模型剪枝


def test_a_misspelt_name_before_its_class_finds_the_named_thing_first(tmp_path):
    names = _search(tmp_path, "Adma optimizer")
    assert names[:2] == ["Adam", "优化器"]
