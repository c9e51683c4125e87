"""Real notes by other people: robustness at 2.3 MB (skipped where ../shared is absent)."""

import pytest

from conftest import corpora_or_skip
from ingest.build import build as build_index
from kg.workspace import Workspace


@pytest.fixture(scope="module")
def corpora_ws(tmp_path_factory):
    root = corpora_or_skip()
    ws = Workspace(root, tmp_path_factory.mktemp("corpora") / ".kg", build_index)
    ws.report = ws.build()
    return ws


def test_build_over_both_corpora_reads_every_note(corpora_ws):
    assert corpora_ws.report.files_read >= 140
    assert corpora_ws.report.concepts > 500


def test_overfitting_has_at_least_three_solvers_there(corpora_ws):
    index = corpora_ws.load().index
    overfit = index.resolve("过拟合")
    solvers = {r.source for r in index.relations if r.target == overfit.id and r.type == "solves"}
    assert len(solvers) >= 3


def test_mined_concepts_and_aliases_are_not_junk(corpora_ws):
    from ingest.concepts import is_term_like
    from kg.normalize import key
    from kg.resources import generic_words, stopwords

    index = corpora_ws.load().index
    mined = [c for c in index.concepts.values() if c.origin == "notes"]
    assert mined
    for concept in mined:
        assert is_term_like(concept.name), concept.name
    for concept in index.concepts.values():
        for name in (concept.name, *concept.aliases):
            assert key(name) not in generic_words() | stopwords(), (concept.name, name)


@pytest.mark.parametrize("one,other,same", [
    ("NLP", "自然语言处理", True), ("LSTMs", "LSTM", True), ("VOC", "PASCAL VOC", True), ("COCO", "MS COCO", True),
    ("KL", "KL散度", True), ("DW", "逐通道卷积", True),
    ("FLOPs", "MACs", False), ("卷积核", "kernel size", False), ("Mesh", "网格", False), ("k-means", "均值", False),
    ("精确率", "精度", False),
])
def test_known_synonyms_are_one_node_and_namesakes_two(corpora_ws, one, other, same):
    from kg.errors import UnknownConceptError

    index = corpora_ws.load().index

    def node(name):
        try:
            return index.resolve(name).id
        except UnknownConceptError:
            return None

    assert node(one) is not None
    assert (node(one) == node(other)) is same
