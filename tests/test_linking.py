"""Typed relations a reader would call wrong must not be drawn; the right ones still are.

Each case is a small note built into a real index, checked by concept names."""

import pytest

from ingest.build import build as build_index

from kg.workspace import Workspace
from kg import store


def _typed(tmp_path, text: str):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text(text, encoding="utf-8")
    Workspace(notes, tmp_path / ".kg", build_index).build()
    index = store.load(tmp_path / ".kg").index
    return index, {(r.source, r.target, r.type) for r in index.relations if r.type != "related"}


def _edge(index, source: str, target: str, type_: str):
    return index.resolve(source).id, index.resolve(target).id, type_


MISREADINGS = [
    ("## 检测\n\n+ 无 anchor 算法: CenterNet、FCOS\n", "CenterNet", "anchor", "is_a"),
    ("## 激活函数\n\n激活函数:\n\n1. sigmoid函数:输出在0到1之间\n2. tanh函数:输出在-1到1之间\n"
     "3. 如果遇到了一些死的神经元,我们可以使用 Leaky ReLU 函数。\n", "神经元", "激活函数", "is_a"),
    ("## 激活函数\n\n- sigmoid函数:输出在0到1之间\n- tanh函数:值域为-1到1\n", "tanh", "sigmoid", "is_a"),
    ("## 激活函数\n\n3. sigmoid 激活函数:除了输出层是一个二分类问题基本不会用它。\n", "输出层", "激活函数", "is_a"),
    ("SVM 的优化问题是一种 dropout 问题。\n", "SVM", "dropout", "is_a"),
    ("因 SVM 训练太慢造成精度降低,DeepLab 使用空洞卷积扩大感受野。\n", "SVM", "空洞卷积", "uses"),
    ("| 方法 | 作用 |\n|---|---|\n| dropout 防止过拟合 | 正则化 |\n", "dropout", "过拟合", "solves"),
    ("dropout 可以防止过拟合。\n\ndropout 能缓解过拟合。\n\ndropout 是防止过拟合的方法，而导致过拟合的位置往往在边界。\n",
     "dropout", "过拟合", "causes"),
    ("MobileNet 和 LeNet 都是卷积网络。\n\nMobileNet 比 LeNet 新。\n", "MobileNet", "LeNet", "improves"),
]
RIGHT_READINGS = [
    ("聚类算法: KMeans、GMM\n", "GMM", "聚类", "is_a"),
    ("## 激活函数\n\n激活函数:\n\n1. sigmoid函数:输出在0到1之间\n2. tanh函数:输出在-1到1之间\n", "tanh", "激活函数", "is_a"),
    ("因为训练太慢,DeepLab 使用空洞卷积扩大感受野。\n", "DeepLab", "空洞卷积", "uses"),
    ("dropout 的作用是防止过拟合。\n", "dropout", "过拟合", "solves"),
    ("过拟合的处理方法:调整参数与超参数、dropout\n", "dropout", "过拟合", "solves"),
    ("Leaky ReLU 和 ReLU 都是激活函数。\n\nLeaky ReLU 改进了 ReLU 的负半轴。\n", "Leaky ReLU", "ReLU", "improves"),
]


@pytest.mark.parametrize("text,source,target,type_,drawn",
                         [(*case, False) for case in MISREADINGS] + [(*case, True) for case in RIGHT_READINGS])
def test_an_edge_is_drawn_only_for_the_right_reading(tmp_path, text, source, target, type_, drawn):
    index, typed = _typed(tmp_path, text)
    assert (_edge(index, source, target, type_) in typed) is drawn
