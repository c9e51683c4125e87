"""Our segmentation route must give jieba's tokens, exactly: the index, the saved query
dictionary and every concept name depend on it."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import given, settings, strategies as st

from kg.dictionary import WordDictionary, jieba_dictionary, tag_table
from kg.normalize import fold
from kg.tokenize import Tokenizer, default_tokenizer

from conftest import ROOT, SHARED

_RUN = re.compile(r"[\u4e00-\u9fd5]+")


@pytest.fixture(scope="module")
def reference():
    """A real jieba instance with the glossary's words added as the default tokenizer adds them."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    segmenter.initialize()
    for word in default_tokenizer()._vocabulary:
        segmenter.add_word(word)
    return segmenter


def _runs(text: str) -> list[str]:
    return _RUN.findall(fold(text))


def test_adding_the_glossary_gives_jiebas_frequencies_and_total(reference):
    ours = default_tokenizer().dictionary
    assert ours.total == reference.total
    for word in default_tokenizer()._vocabulary:
        assert ours.freq[word] == reference.FREQ[word], word


def test_the_bundled_notes_segment_exactly_like_jieba(reference):
    runs = _runs((ROOT / "notes" / "interview-notes.txt").read_text(encoding="utf-8"))
    assert [default_tokenizer().cut_cjk(r) for r in runs] == [reference.lcut(r, HMM=False) for r in runs]


def test_the_corpora_segment_exactly_like_jieba(reference):
    folder = SHARED / "corpora"
    if not folder.is_dir():
        pytest.skip("../shared/corpora is absent (a user's fresh clone)")
    files = sorted(folder.rglob("*.md"))[::5]
    runs = [r for path in files for r in _runs(path.read_text(encoding="utf-8", errors="replace"))]
    assert len(runs) > 5000
    tokenizer = default_tokenizer()
    assert [tokenizer.cut_cjk(r) for r in runs] == [reference.lcut(r, HMM=False) for r in runs]


_COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_COMMON, min_size=1, max_size=40))
def test_any_run_of_common_characters_segments_like_jieba(reference, run):
    assert default_tokenizer().cut_cjk(run) == reference.lcut(run, HMM=False)


def test_a_saved_word_list_segments_its_own_text_like_the_full_dictionary():
    tokenizer = default_tokenizer()
    runs = _runs((ROOT / "notes" / "interview-notes.txt").read_text(encoding="utf-8"))
    saved = tokenizer.export_dictionary({w for r in runs for w in tokenizer.cut_cjk(r)})
    fast = WordDictionary.from_words(saved["words"], saved["total"])
    assert [fast.cut(r) for r in runs] == [tokenizer.cut_cjk(r) for r in runs]


def test_adding_words_to_one_dictionary_does_not_leak_into_another():
    first = jieba_dictionary(["卷积神经网络结构"])
    second = jieba_dictionary()
    assert first.cut("卷积神经网络结构") == ["卷积神经网络结构"]
    assert second.cut("卷积神经网络结构") != ["卷积神经网络结构"]
    assert "卷积神经网络结构" not in Tokenizer().tokens("卷积神经网络结构")


def test_rare_characters_stand_alone_as_jieba_leaves_them(reference):
    text = "中㐀国的\u9fe0模型"
    assert Tokenizer().tokens(text) == reference.lcut(text, HMM=False)


def test_the_tag_table_is_jiebas():
    import jieba.posseg

    tags = tag_table()
    for word, flag in jieba.posseg.lcut("模型的训练数据和过拟合问题", HMM=False):
        assert tags.get(word, "x") == flag, word
