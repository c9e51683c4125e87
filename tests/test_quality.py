"""The quality bars of the spine issue, on the bundled notes and the shared gold sets."""


from conftest import eval_or_skip
from kg.eval import evaluate


def test_bundled_notes_meet_the_quality_bars(bundled_index):
    report = evaluate(eval_or_skip(), bundled_index.searcher(bundled_index.load()))
    assert report["concepts"]["top1"] >= 0.90
    assert report["passages"]["recall@5"] >= 0.90
    assert report["relations"]["recall"] >= 0.85
    assert report["relations"]["typed_recall"] >= 0.75


def test_every_passage_a_gold_query_finds_is_short_enough(bundled_index):
    searcher = bundled_index.searcher()
    assert all(len(p.text) <= 600 for p in searcher.index.passages)
