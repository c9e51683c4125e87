"""An alias names the concept itself: not its object, measure or part, not its family or a member.

Small notes are built into real indexes and names resolved there; the corpora graph is checked
where ../shared holds it (skipped otherwise)."""

import json
import re

import pytest

from conftest import corpora_or_skip, index_of_note
from ingest import merge
from ingest.build import build as build_index
from kg import resources
from kg.errors import DataFileError
from kg.normalize import key
from kg.tokenize import Tokenizer
from kg.workspace import Workspace

APART = [
    ("部署", "模型部署"), ("流形", "流形学习"), ("特征值", "特征值分解"), ("特征向量", "特征值分解"),
    ("奇异值", "SVD"), ("主成分", "PCA"), ("角点", "角点检测"), ("移动平均", "EMA"), ("moving average", "EMA"),
    ("梯度提升", "GBDT"), ("gradient boosting", "GBDT"), ("扩散过程", "前向扩散过程"), ("图像增强", "数据增强"),
    ("拉格朗日乘子法", "拉格朗日函数"), ("dropout", "丢弃比率"), ("互信息", "PMI"), ("孪生网络", "双塔网络"),
    ("感受野", "有效感受野"), ("核函数", "核方法"), ("图像梯度", "梯度幅值"),
]
"""Names an independent judge found fused in one node although they name different concepts."""

JOINED = [("蒸馏", "知识蒸馏"), ("熵", "信息熵"), ("注意力", "注意力机制"), ("无监督", "无监督学习"),
          ("最大似然", "最大似然估计"), ("PCA", "主成分分析"), ("GBDT", "梯度提升决策树")]
"""Short forms people write for the concept itself."""


def _node(index, name: str):
    """The concept a name is a name of (exactly: `resolve` would also guess at a near name)."""
    return index.keys.get(key(name))


@pytest.mark.parametrize("one,other", APART)
def test_a_name_of_another_concept_is_not_an_alias(tmp_path, one, other):
    index = index_of_note(tmp_path, f"{one}和{other}不是一回事。\n\n{other}用到{one}。\n")
    assert _node(index, other) is not None
    assert _node(index, one) != _node(index, other)


@pytest.mark.parametrize("short,name", JOINED)
def test_good_short_forms_still_name_their_concept(tmp_path, short, name):
    index = index_of_note(tmp_path, f"{name}很常用。\n\n{short}也常写。\n")
    assert _node(index, short) == _node(index, name) is not None


def test_a_bracket_naming_what_a_measure_is_of_joins_nothing(tmp_path):
    index = index_of_note(tmp_path, "训练时丢弃比例（dropout）设为0.5。\n\n" * 2 + "dropout能缓解过拟合。\n")
    assert _node(index, "丢弃比例") != _node(index, "dropout")
    assert _node(index, "dropout") is not None


@pytest.mark.parametrize("pair,joined", [
    (["采样比例", "Zeta采样"], False),  # the bracket says what the measure is of
    (["采样比例", "sampling ratio"], True),  # a measure glossed as a measure
    (["Zeta采样", "zeta sampling"], True),
])
def test_a_measure_joins_only_another_measure(pair, joined):
    groups = merge._Groups()
    for name in pair:
        groups.add(name)
    merge._join_aliases(groups, [pair], refused=set())
    assert (groups.find(key(pair[0])) == groups.find(key(pair[1]))) == joined


def test_an_annotation_in_brackets_is_not_a_name(tmp_path):
    index = index_of_note(tmp_path, "GNU Compiler Collection（GCC）是编译器套装。\n\n这里的 `gcc` （小写）是命令，与 `GCC` 不同。\n\n"
                   + "GCC 很常用。\n\n" * 3)
    assert _node(index, "GCC") is not None
    assert _node(index, "小写") is None or _node(index, "小写") != _node(index, "GCC")


def test_a_list_of_short_lowercase_tokens_is_not_a_concept(tmp_path):
    index = index_of_note(tmp_path, "把 js css img（静态数据）放到 CDN 上。\n\n" * 3)
    assert _node(index, "js css img") is None


def _glossary_with(monkeypatch, entries, rules=None):
    real = resources._read

    def read(name):
        if name == "glossary.json":
            return json.dumps({"version": 1, "entries": entries})
        if name == "alias_rules.json" and rules is not None:
            return json.dumps(rules)
        return real(name)
    monkeypatch.setattr(resources, "_read", read)
    resources.alias_rules.cache_clear()
    resources.annotation_words.cache_clear()


@pytest.mark.parametrize("name,aliases", [
    ("特征值分解", ["特征值"]), ("流形学习", ["manifold", "流形"]), ("角点检测", ["角点"]), ("GCC", ["小写"]),
])
def test_the_glossary_refuses_an_alias_naming_the_object_or_an_annotation(monkeypatch, name, aliases):
    _glossary_with(monkeypatch, [{"name": name, "aliases": aliases, "category": "math"}])
    try:
        with pytest.raises(DataFileError):
            resources.glossary.__wrapped__()
    finally:
        resources.alias_rules.cache_clear()
        resources.annotation_words.cache_clear()


def test_a_stale_allowed_short_form_is_an_error(monkeypatch):
    rules = json.loads(resources._read("alias_rules.json"))
    rules["short_forms_allowed"]["不存在"] = "a short form no glossary entry has"
    _glossary_with(monkeypatch, [{"name": "无监督学习", "aliases": ["无监督"], "category": "method"}], rules)
    try:
        with pytest.raises(DataFileError, match="不存在"):
            resources.glossary.__wrapped__()
    finally:
        resources.alias_rules.cache_clear()
        resources.annotation_words.cache_clear()


def test_the_shipped_glossary_loads_with_its_allowed_short_forms():
    entries = resources.glossary.__wrapped__().entries
    aliases = {a for e in entries for a in e.aliases}
    assert set(resources.alias_rules().short_forms_allowed) <= aliases


@pytest.fixture(scope="module")
def corpora_index(tmp_path_factory):
    root = corpora_or_skip()
    ws = Workspace(root, tmp_path_factory.mktemp("corpora") / ".kg", build_index)
    ws.build()
    return ws.load().index


@pytest.mark.parametrize("one,other", [p for p in APART if p[0] != "部署"] + [("GCC", "小写"), ("js css img", "静态数据")])
def test_the_judged_pairs_are_apart_on_the_corpora_graph(corpora_index, one, other):
    assert _node(corpora_index, one) is None or _node(corpora_index, one) != _node(corpora_index, other)


@pytest.mark.parametrize("short,name", [("蒸馏", "知识蒸馏"), ("熵", "信息熵"), ("注意力", "注意力机制")])
def test_good_short_forms_are_joined_on_the_corpora_graph(corpora_index, short, name):
    assert _node(corpora_index, short) == _node(corpora_index, name) is not None


EVERYDAY_FREQUENCY = 500


def _loose_aliases(index) -> list[tuple[str, str]]:
    """Aliases that are a generic word, an annotation, or one everyday Chinese word, unless the
    glossary gives that name to the concept."""
    glossary_names = {key(n) for e in resources.glossary().entries for n in (e.name, *e.aliases)}
    generic = resources.generic_nouns() | resources.generic_words() | resources.annotation_words()
    tokenizer = Tokenizer()
    loose = []
    for concept in index.concepts.values():
        for alias in concept.aliases:
            if key(alias) in glossary_names:
                continue
            everyday = re.fullmatch(r"[\u4e00-\u9fff]+", alias) and len(tokenizer.cut_cjk(alias)) == 1 \
                and tokenizer.dictionary.frequency(alias) >= EVERYDAY_FREQUENCY
            if key(alias) in generic or everyday:
                loose.append((concept.name, alias))
    return loose


def test_no_alias_is_a_generic_or_everyday_word_on_the_corpora_graph(corpora_index):
    assert _loose_aliases(corpora_index) == []


def test_no_alias_is_a_generic_or_everyday_word_on_the_bundled_graph(bundled_index):
    assert _loose_aliases(bundled_index.load().index) == []


def test_a_heading_of_a_topic_and_an_aspect_is_no_alias(tmp_path):
    index = index_of_note(tmp_path, "## boosting 串行训练\n\n每一轮训练一个弱学习器。\n\n"
                   "## 非极大化抑制 NMS\n\n去掉重叠的框。\n")
    assert _node(index, "串行训练") != _node(index, "boosting")
    assert _node(index, "非极大化抑制") == _node(index, "NMS") is not None


def test_an_acronym_after_two_coordinated_words_glosses_neither_alone(tmp_path):
    index = index_of_note(tmp_path, "一种基于引导和表面(GS)的检测算法。\n\n" * 3 + "表面很光滑。\n\nGS 算法很快。\n\nGS 算法很准。\n")
    assert _node(index, "表面") is None or _node(index, "表面") != _node(index, "GS")


@pytest.mark.parametrize("pair,joined", [
    (["F1", "综合评价指标"], False),  # the bracket describes F1, it does not translate it
    (["LRN", "规范化操作"], False),
    (["神经网络", "纠错模型"], False),  # sharing only a generic word (`模型`) is no translation
    (["dropout", "丢弃技术"], True),  # shares 丢弃 with 丢弃法
    (["特异度", "特异性"], True),
])
def test_a_new_chinese_name_of_a_glossary_concept_must_share_a_word_with_it(pair, joined):
    groups = merge._glossary_groups(resources.glossary())[0].copy()
    merge._join_aliases(groups, [pair], refused=set())
    assert (groups.find(key(pair[0])) == groups.find(key(pair[1]))) == joined


def test_a_name_and_its_negation_are_not_one_concept():
    groups = merge._glossary_groups(resources.glossary())[0].copy()
    merge._join_aliases(groups, [["非饱和性", "saturation"]], refused=set())
    assert groups.find(key("非饱和性")) != groups.find(key("饱和性"))


@pytest.mark.parametrize("name,phrase", [("医学等磁共振成像", False), ("磁共振成像", True)])
def test_a_name_holding_etc_is_a_fragment(tokenizer, name, phrase):
    assert merge.noun_phrase(name, tokenizer) == phrase
