"""BM25 at scale: postings built block by block, weights saved with them, both equal to the one-shot result."""

import random

import numpy as np
from hypothesis import given, strategies as st

from kg.bm25 import BM25


@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "h:a", "过拟合"]), max_size=6), max_size=40),
       st.integers(1, 12))
def test_building_postings_block_by_block_gives_the_same_index(corpus, block):
    import kg.bm25 as bm25

    whole = BM25.build(corpus)
    saved, bm25._BLOCK = bm25._BLOCK, block  # blocks of a few tokens: many blocks and weight batches
    try:
        blocked = BM25.build(corpus)
    finally:
        bm25._BLOCK = saved
    assert blocked.vocab == whole.vocab
    for name, array in whole.to_arrays().items():
        assert np.array_equal(blocked.to_arrays()[name], array), name
    assert np.array_equal(blocked.weights, whole.weights)


def test_saved_weights_load_back_as_the_weights_the_postings_give():
    rng = random.Random(5)
    corpus = [[rng.choice("abcdefgh") for _ in range(rng.randint(1, 9))] for _ in range(50)]
    arrays = BM25.build(corpus).to_arrays()
    saved = BM25.from_arrays(arrays)
    computed = BM25.from_arrays({k: v for k, v in arrays.items() if k != "weights"})
    assert np.array_equal(saved.weights, computed.weights)
    assert saved.top(list("abc"), 10) == computed.top(list("abc"), 10)
