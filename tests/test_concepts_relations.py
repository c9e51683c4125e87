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


def test_paren_that_is_a_comment_is_not_an_alias():
    assert mine_aliases(_p("dropout类似于 bagging(减少方差)\n")) == []


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
