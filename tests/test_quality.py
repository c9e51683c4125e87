"""The quality bars of the spine issue, on the bundled notes and the shared gold sets."""


import json

from conftest import eval_or_skip
from kg.eval import MAX_PASSAGE_CHARS, evaluate


def test_bundled_notes_meet_the_quality_bars(bundled_index):
    report = evaluate(eval_or_skip(), bundled_index.searcher(bundled_index.load()))
    assert report["concepts"]["top1"] >= 0.90
    assert report["passages"]["recall@5"] >= 0.90
    assert report["relations"]["recall"] >= 0.85
    assert report["relations"]["typed_recall"] >= 0.75


def test_every_passage_a_gold_query_finds_is_short_enough(bundled_index):
    """What a user reads for a gold question fits on a screen: every passage of its top 10."""
    gold = eval_or_skip() / "passages.jsonl"
    queries = [json.loads(line)["q"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    searcher = bundled_index.searcher()
    found = [(q, len(p.text)) for q in queries for p in searcher.search(q, 10).passages]
    assert queries and found
    assert [(q, n) for q, n in found if n > MAX_PASSAGE_CHARS] == []


def test_every_bundled_passage_is_answer_sized(bundled_index):
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in bundled_index.searcher().index.passages)
