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
