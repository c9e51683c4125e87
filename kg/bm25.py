"""BM25 with precomputed term weights: the scores of rank-bm25's BM25Plus, served fast.

rank-bm25 walks every document in Python for each query term; here each term's
postings (document ids and final weights) are computed once, so a query is a few
numpy gathers. BM25Plus is the variant because its idf, log((N+1)/df), stays
positive even for a term in every document: BM25Okapi's idf is zero or negative
for a term in half the documents or more, which on a two-note corpus ranks the
matching note below the others. Tokenization is the caller's business.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


class BM25:
    """Postings of BM25Plus weights, one array per field, indexed by term.

    BM25Plus adds idf·delta for every query term to every document, matching or
    not: the same constant for all documents of a query, so it is left out. The
    stored weight is the rest, idf·tf(k1+1)/(k1·norm+tf), and a score here is
    rank-bm25's score minus that constant: same order, and documents with no
    query term get no score at all.

    Examples
    --------
    >>> index = BM25.build([["过拟合", "dropout"], ["梯度", "消失"]])
    >>> index.top(["dropout"], k=5)
    [(0, 1.09...)]
    """

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, docs: np.ndarray, weights: np.ndarray, n_docs: int):
        self.vocab = vocab
        self.indptr = indptr
        self.docs = docs
        self.weights = weights
        self.n_docs = n_docs

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> "BM25":
        n = len(corpus)
        lengths = np.array([len(d) for d in corpus], dtype=np.float64)
        avgdl = float(lengths.mean()) if n and lengths.sum() else 1.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc_id, doc in enumerate(corpus):
            for term, tf in Counter(doc).items():
                postings.setdefault(term, []).append((doc_id, tf))
        vocab = {term: i for i, term in enumerate(sorted(postings))}
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        docs_out: list[np.ndarray] = []
        weights_out: list[np.ndarray] = []
        for term, i in vocab.items():
            plist = postings[term]
            ids = np.fromiter((d for d, _ in plist), dtype=np.int32, count=len(plist))
            tfs = np.fromiter((t for _, t in plist), dtype=np.float64, count=len(plist))
            idf = math.log((n + 1) / len(plist))
            norm = k1 * (1 - b + b * lengths[ids] / avgdl)
            docs_out.append(ids)
            weights_out.append((idf * tfs * (k1 + 1) / (norm + tfs)).astype(np.float32))
            indptr[i + 1] = indptr[i] + len(plist)
        docs = np.concatenate(docs_out) if docs_out else np.zeros(0, dtype=np.int32)
        weights = np.concatenate(weights_out) if weights_out else np.zeros(0, dtype=np.float32)
        return cls(vocab, indptr, docs, weights, n)

    def scores(self, query: Sequence[str], boosts: dict[str, float] | None = None) -> dict[int, float]:
        """Score of every document that holds at least one query term."""
        if not query or not self.n_docs:
            return {}
        acc = np.zeros(self.n_docs, dtype=np.float64)
        hit = np.zeros(self.n_docs, dtype=bool)
        for term in query:
            i = self.vocab.get(term)
            if i is None:
                continue
            lo, hi = self.indptr[i], self.indptr[i + 1]
            ids = self.docs[lo:hi]
            acc[ids] += self.weights[lo:hi] * (boosts.get(term, 1.0) if boosts else 1.0)
            hit[ids] = True
        found = np.flatnonzero(hit)
        return dict(zip(found.tolist(), acc[found].tolist()))

    def top(self, query: Sequence[str], k: int = 10, boosts: dict[str, float] | None = None) -> list[tuple[int, float]]:
        scored = self.scores(query, boosts)
        return sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:k]

    def to_arrays(self) -> dict[str, np.ndarray]:
        terms = np.array(sorted(self.vocab, key=self.vocab.get), dtype=object)
        return {"terms": terms, "indptr": self.indptr, "docs": self.docs, "weights": self.weights,
                "n_docs": np.array([self.n_docs])}

    @classmethod
    def from_arrays(cls, arrays) -> "BM25":
        terms = arrays["terms"].tolist()
        return cls({t: i for i, t in enumerate(terms)}, arrays["indptr"], arrays["docs"], arrays["weights"],
                   int(arrays["n_docs"][0]))
