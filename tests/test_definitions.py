"""A concept's definition is its own defining line, cleaned, or none: never a remark, a list or a
line with a hole where a formula stood."""

import pytest

from ingest.concepts import mine_terms
from ingest.passages import split_passages


def _definitions(text: str, term: str) -> list[str | None]:
    found = [t for t in mine_terms(split_passages(text, "n.md"))
             if t.surface == term and t.rule in ("definition", "copula_definition")]
    return [t.definition for t in found]


@pytest.mark.parametrize("text,term", [
    ("方差是一种特殊的协方差。当 $i=j$ 时，$cov=var$ 。\n", "方差"),  # holes where formulas stood
    ("贝叶斯优化：使用贝叶斯优化超参数，会遇到贝叶斯优化算法本身就需要很多的参数的困难。\n", "贝叶斯优化"),
    ("tanh 激活函数：tanh 是非常优秀的，几乎适合所有场合。\n", "tanh 激活函数"),
    ("ReLu 激活函数：最常用的默认函数，如果不确定用哪个激活函数，就使用它。\n", "ReLu 激活函数"),
    ("模型退化：易分类的负样本太多会压倒训练，导致模型退化。\n", "模型退化"),
    ("跳跃连接：残差连接，加残差连接，多输入加权残差连接或跨阶段局部连接\n", "跳跃连接"),
    ("分布式训练：基于k8s+tensorflow+kubeflow的分布式gpu训练集群\n", "分布式训练"),
    ("前向传播：输入层-->输出层；反向传播：输出层-->输入层。\n", "前向传播"),
    ("问题分析：矩阵乘的算法优化可分为两类：\n", "问题分析"),
    ("深度学习：Caffe之经典模型讲解与实战/ 乐毅，王斌\n", "深度学习"),
])
def test_a_line_that_does_not_say_what_its_term_is_gives_no_definition(text, term):
    assert not any(_definitions(text, term))


@pytest.mark.parametrize("text,term,definition", [
    ("过拟合：就是指训练误差和测试误差间距过大，表现为模型泛化性能下降。\n", "过拟合", "训练误差和测试误差"),
    ("- **建图**($S$)是指构建地图的过程，地图是对环境的描述。\n", "建图", "建图是指构建地图的过程"),
    ("1. SRNs是一个三层网络，其在隐藏层增加了上下文单元。\n", "SRNs", "SRNs是一个三层网络"),
    ("SVM算法:SVM则要找一个最优的划分超平面来将正负样本分开,距离尽可能大。\n", "SVM算法", "SVM则要找"),
])  # a lead-in (`集成学习:投票选举(bagging: …):`) is a note line now: tests/test_note_lines.py
def test_a_defining_line_gives_its_content_without_markers_copula_or_holes(text, term, definition):
    assert any(d and d.startswith(definition) for d in _definitions(text, term)), _definitions(text, term)
