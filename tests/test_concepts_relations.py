import re

import pytest

from ingest.concepts import is_term_like, mine_aliases, mine_terms
from ingest.passages import split_passages
from ingest.relations import find_relations, split_items


def _p(text, source="n.txt"):
    return split_passages(text, source)


@pytest.mark.parametrize("junk", ["这样", "进行", "方法", "的", "3.5", "一般是没用的", "如果", "纸质版面经"])
def test_junk_is_never_term_like(junk):
    assert not is_term_like(junk)


@pytest.mark.parametrize("term", ["数据增广", "Adam", "BN层", "Batch Normalization", "YOLO"])
def test_terms_are_term_like(term):
    assert is_term_like(term)


def test_definition_lines_give_terms_with_definitions():
    terms = mine_terms(_p("Adam:用梯度的一阶矩估计和二阶矩估计动态调整每个参数的学习率\n"))
    adam = next(t for t in terms if t.surface == "Adam")
    assert adam.rule == "definition" and adam.definition.startswith("用梯度的一阶矩")


@pytest.mark.parametrize("text,names", [
    ("修正线性单元(ReLU)计算更快\n", {"修正线性单元", "ReLU"}),
    ("Denoising Diffusion Probabilistic Model(DDPM,去噪扩散概率模型)是一种模型\n",
     {"Denoising Diffusion Probabilistic Model", "DDPM", "去噪扩散概率模型"}),
    ("反卷积,转置卷积:上采样\n", {"反卷积", "转置卷积"}),
    ("空洞卷积:扩张卷积,参数不变的情况下扩大感受野\n", {"空洞卷积", "扩张卷积"}),
    ("Wasserstein距离又叫推土机距离,用于WGAN\n", {"Wasserstein距离", "推土机距离"}),
])
def test_aliases_are_mined(text, names):
    found = [set(a.names) for a in mine_aliases(_p(text))]
    assert any(names <= f for f in found), found


@pytest.mark.parametrize("text", [
    "dropout类似于 bagging(减少方差)\n",
    "一个是更深的网络（代表：ResNet）\n",  # a labelled comment
    "常用 `k-均值（k-means）聚类` 算法\n",  # the left side is part of a longer name
    "4. 计算平台(GPU，ARM)\n",  # examples
    "等人提出二值连接（binary connect）\n",
])
def test_paren_that_is_a_comment_is_not_an_alias(text):
    found = [a.names for a in mine_aliases(_p(text))]
    assert not any(n in ("均值", "代表", "ARM", "算平台", "人提出二值连接") for names in found for n in names), found


def test_a_language_label_in_a_bracket_is_not_a_name():
    found = [set(a.names) for a in mine_aliases(_p("**导数**（英语：derivative）是微积分学中的一个概念。\n"))]
    assert any("derivative" in f for f in found) and not any("英语" in f for f in found)


@pytest.mark.parametrize("head,names", [
    ("L1、L2正则化", {"L1正则化", "L2正则化"}),
    ("均值、中值滤波", {"均值滤波", "中值滤波"}),
])
def test_a_coordination_gives_two_concepts_and_no_alias(head, names):
    passages = _p(f"{head}:常用的方法,用来处理噪声和过拟合\n")
    assert names <= {t.surface for t in mine_terms(passages)}
    assert not [a for a in mine_aliases(passages) if a.rule == "synonym_head"]


def test_synonyms_listed_together_are_aliases():
    assert any(a.rule == "synonym_head" for a in mine_aliases(_p("反卷积,转置卷积:上采样\n")))


@pytest.mark.parametrize("text", [
    "NLP https://mp.weixin.qq.com/s/NQIy0XnFNraWpYwFpaYhbg 准确率\n",
    "见[编译器](https://zh.wikipedia.org/wiki/%E7%BC%96%E8%AF%91%E5%99%A8)的说明\n",
    "公式 $W^TXX^TW$ 的迹: 见下文推导过程\n",
])
def test_urls_link_targets_and_formulas_name_nothing(text):
    surfaces = {t.surface for t in mine_terms(_p(text))} | {n for a in mine_aliases(_p(text)) for n in a.names}
    assert not any(re.search(r"https|www|%E|NQIy|weixin|TXX", s, re.I) for s in surfaces), surfaces


@pytest.mark.parametrize("text,term,definition", [
    ("学习率:0.001。\n", "学习率", None),
    ("深度学习:《深度学习》，人民邮电出版社，2017.\n", "深度学习", None),
    ("sigmoid函数:除了输出层是一个二分类问题基本不会用它。\n", "sigmoid函数", None),
    ("Adam:用梯度的一阶矩估计和二阶矩估计动态调整每个参数的学习率\n", "Adam", "用梯度的一阶矩估计"),
    ("过拟合是指模型在训练集上表现很好但在测试集上表现差。\n", "过拟合", "过拟合是指"),
])
def test_definitions_come_only_from_defining_lines(text, term, definition):
    found = [t for t in mine_terms(_p(text)) if t.surface == term and t.rule in ("definition", "copula_definition")]
    assert found
    if definition is None:
        assert all(t.definition is None for t in found)
    else:
        assert any(t.definition and t.definition.startswith(definition) for t in found)


def test_remedy_list_gives_solves_candidates_with_evidence():
    cands = find_relations(_p("过拟合的处理:数据增广、早停、dropout\n"))
    solves = [c for c in cands if c.type == "solves"]
    assert {c.head for c in solves} == {"数据增广", "早停", "dropout"}
    assert all(c.tail == "过拟合" and c.evidence.line == 1 for c in solves)
    assert solves[0].evidence.text == "过拟合的处理:数据增广、早停、dropout"


def test_remedies_after_a_problem_line_solve_that_problem():
    cands = find_relations(_p("梯度爆炸:权重初始化比值过大\n解决方法: 梯度剪切、权重正则化\n"))
    assert any(c.type == "solves" and c.head == "梯度剪切" and c.tail.startswith("梯度爆炸") for c in cands)


def test_steps_announced_then_listed_are_parts():
    cands = find_relations(_p("Canny边缘检测的流程。\n(1)图像降噪。\n(2)非极大值抑制。\n"))
    parts = [c for c in cands if c.type == "part_of"]
    assert len(parts) == 2 and all("Canny边缘检测" in c.tail for c in parts)


def test_difference_question_gives_contrasts():
    cands = find_relations(_p("bagging 和 boosting 区别是什么?\n"))
    assert any(c.type == "contrasts" for c in cands)


def test_negated_verbs_give_no_relation():
    cands = find_relations(_p("预训练不能解决欠拟合\n"))
    assert not [c for c in cands if c.type == "solves"]


def test_split_items():
    assert split_items("(1)数据处理 (2)正则化") == ["数据处理", "正则化"]


def test_english_relation_verbs_are_found_in_any_case_and_stay_in_their_sentence():
    found = {(c.type, c.head, c.tail.rstrip(".")) for c in find_relations(_p(
        "Dropout Prevents overfitting. BN LEADS TO faster training.\n"))}
    assert ("solves", "Dropout", "overfitting") in found
    assert ("causes", "BN", "faster training") in found


def test_a_pattern_trigger_in_upper_case_is_refused_at_load():
    from pydantic import ValidationError

    from kg.resources import Pattern

    with pytest.raises(ValidationError, match="lower case"):
        Pattern(id="x", type="solves", scope="sentence", regex="prevents?", trigger="Prevent")


def test_a_misspelt_group_name_is_refused_at_load():
    from pydantic import ValidationError

    from kg.resources import Pattern

    with pytest.raises(ValidationError, match="unknown group"):
        Pattern(id="x", type="solves", scope="sentence", regex="(?P<head_frist>.+)防止(?P<tail_first>.+)")
