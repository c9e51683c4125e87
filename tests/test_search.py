import random

import pytest
from hypothesis import given, strategies as st
from rank_bm25 import BM25Plus

from kg.bm25 import BM25
from kg.lexicon import Lexicon
from kg.normalize import fold, key


def test_bm25_matches_rank_bm25_top10_on_a_small_corpus():
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(60)] + ["过拟合", "梯度", "dropout"]
    corpus = [[rng.choice(vocab) for _ in range(rng.randint(1, 30))] for _ in range(300)]
    ours = BM25.build(corpus)
    reference = BM25Plus(corpus)
    for _ in range(30):
        query = rng.sample(vocab, rng.randint(1, 4))
        ref_scores = reference.get_scores(query)
        floor = sum(reference.idf.get(t, 0) * reference.delta for t in query)
        got = dict(ours.top(query, 10))
        matching = [i for i, doc in enumerate(corpus) if set(query) & set(doc)]
        expected = sorted(matching, key=lambda i: (-ref_scores[i], i))[:10]
        assert list(got) == expected
        for doc, score in got.items():
            assert score == pytest.approx(ref_scores[doc] - floor, rel=1e-5)


def test_matching_passages_score_above_others_on_a_two_note_corpus():
    index = BM25.build([["过拟合", "dropout"], ["过拟合", "梯度"]])
    top = index.top(["dropout", "过拟合"], 2)
    assert top[0][0] == 0 and top[0][1] > top[1][1] > 0


def test_empty_corpus_and_query_give_nothing():
    assert BM25.build([]).top(["x"]) == []
    assert BM25.build([["a"]]).top([]) == []


@given(st.text(max_size=40))
def test_key_is_idempotent_and_ignores_case_and_separators(name):
    assert key(key(name)) == key(name)
    assert key(name.upper()) == key(name.lower()) or not name.isascii()
    assert key(f" {name}-_ ") == key(name)


def test_fold_maps_traditional_full_width_and_radicals():
    assert fold("正則化 ＡＢＣ ⽤") == "正则化 abc 用"


def test_lexicon_finds_multiword_and_mixed_names():
    lex = Lexicon({"batchnormalization": "bn", "bn层": "bn", "过拟合": "过拟合", "交叉熵": "ce", "熵": "entropy"})
    assert [m.concept for m in lex.mentions(["batch", "normalization"])] == ["bn"]
    assert [m.concept for m in lex.mentions(["bn", "层"])] == ["bn"]
    assert [m.concept for m in lex.mentions(["交叉熵"])] == ["ce"]
    assert lex.mentions(["batch", "|", "normalization"]) == []


def test_fuzzy_finds_typos_but_not_other_words():
    lex = Lexicon({"regularization": "正则化", "relu": "relu", "elu": "elu"})
    assert lex.fuzzy("regularizaton") == ["正则化"]
    assert lex.fuzzy("relu") == ["relu"]


def test_extending_postings_equals_building_them_at_once():
    rng = random.Random(3)
    vocab = [f"t{i}" for i in range(80)]
    corpus = [[rng.choice(vocab) for _ in range(rng.randint(1, 20))] for _ in range(300)]
    whole = BM25.build(corpus)
    grown = BM25.build(corpus[:100]).extend(corpus[100:250]).extend(corpus[250:])
    for term in vocab:
        grown_hits, whole_hits = grown.top([term], 300), whole.top([term], 300)
        assert [doc for doc, _ in grown_hits] == [doc for doc, _ in whole_hits]
        assert [score for _, score in grown_hits] == pytest.approx([score for _, score in whole_hits], rel=1e-9)


def test_search_returns_the_answer_block_with_its_heading_and_marked_lines(tmp_path):
    from kg.workspace import Workspace
    from ui.workspace import build_index
    from kg.eval import is_navigation

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "dl.md").write_text(
        "- [16.1，过拟合问题怎么解决](#161过拟合问题怎么解决)\n- [16.2，梯度消失](#162梯度消失)\n\n"
        "# 16.1 过拟合问题怎么解决\n\n![](img/16.1.jpg)\n\n常用的有以下几个方案：\n\n- 数据增广\n- 早停\n- dropout 防止过拟合\n\n"
        "# 16.2 梯度消失\n\n换用 ReLU 激活函数。\n", encoding="utf-8")
    hits = Workspace(notes, tmp_path / ".kg", build_index).searcher().search("过拟合怎么解决", 5).passages
    assert hits[0].heading == ["16.1 过拟合问题怎么解决"]
    assert hits[0].text.startswith("常用的有以下几个方案") and "- 早停" in hits[0].text
    assert hits[0].text.split("\n")[hits[0].matched[0]] == "- dropout 防止过拟合"
    assert not any(is_navigation(h.text) or "](#" in h.text or "img/" in h.text for h in hits)
