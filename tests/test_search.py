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


def _index_of(tmp_path, text):
    from kg.workspace import Workspace
    from ui.workspace import build_index

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "det.md").write_text(text, encoding="utf-8")
    return Workspace(notes, tmp_path / ".kg", build_index).searcher()


def test_a_typo_the_notes_make_once_still_finds_the_concept_they_write_often(tmp_path):
    paragraphs = [f"# 第{i}节\n\nFocal Loss 处理类别不平衡，第{i}种用法，不同于 Hinge Loss 和 MSE Loss。\n"
                  for i in range(12)]
    searcher = _index_of(tmp_path, "\n".join(paragraphs) + "\n# 笔误\n\n`Focla Loss` 自然地处理了不平衡。\n")
    assert searcher.search("focla loss", 3).concepts[0].name.casefold() == "focal loss"


def test_a_rare_word_is_not_taken_for_a_concept_written_as_rarely(tmp_path):
    searcher = _index_of(tmp_path, "# A\n\nFocal Loss 处理类别不平衡。\n\n# B\n\n`Focla Loss` 一次。\n")
    assert searcher.analyse("focla loss").named == []


@pytest.mark.parametrize("typed,meant", [("过拟和", "过拟合"), ("反向传波", "反向传播"), ("交叉商", "交叉熵")])
def test_a_chinese_typo_finds_the_concept(tmp_path, typed, meant):
    text = "".join(f"# 第{i}节\n\n{meant}很常见，第{i}次提到。难点在于调参。\n\n" for i in range(3))
    assert _index_of(tmp_path, text).search(typed, 3).concepts[0].name == meant


def test_words_the_notes_write_together_are_not_taken_for_a_typo(tmp_path):
    text = "# 凸函数\n\n凸函数的定义。\n\n# 虚函数\n\n虚函数用于多态。\n\n虚函数很常用。\n"
    assert all(c.name != "凸函数" for c in _index_of(tmp_path, text).search("虚函数的作用", 3).concepts)
