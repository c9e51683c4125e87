"""BM25 with precomputed term weights: the scores of rank-bm25's BM25Plus, served fast.

rank-bm25 walks every document in Python for each query term; here each term's
postings (document ids and final weights) are computed once, so a query is a few
numpy gathers. BM25Plus is the variant because its idf, log((N+1)/df), stays
positive even for a term in every document: BM25Okapi's idf is zero or negative
for a term in half the documents or more, which on a two-note corpus ranks the
matching note below the others. Tokenization is the caller's business.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from kg.fields import HEADING_TOKEN

_BLOCK = 1 << 20
"""Tokens (a build) or postings (weights) handled at a time: bounds the size of temporaries."""


class BM25:
    """Postings of BM25Plus weights, one array per field, indexed by term.

    BM25Plus adds idf·delta for every query term to every document, matching or
    not: the same constant for all documents of a query, so it is left out. The
    stored weight is the rest, idf·tf(k1+1)/(k1·norm+tf), and a score here is
    rank-bm25's score minus that constant: same order, and documents with no
    query term get no score at all.

    Terms of the heading field (`h:` words, `kg.fields`) are a field of their own
    (BM25F-style): a heading is a few words, so its matches saturate with their
    count but are not discounted by the length of the text under the heading (b = 0
    for them); a long answer under a matching question heading is no weaker a match.

    Examples
    --------
    >>> index = BM25.build([["过拟合", "dropout"], ["梯度", "消失"]])
    >>> index.top(["dropout"], k=5)
    [(0, 1.09...)]
    """

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, docs: np.ndarray, tfs: np.ndarray,
                 lengths: np.ndarray, k1: float = 1.5, b: float = 0.75, weights: np.ndarray | None = None):
        """`weights` as saved with these postings (`to_arrays`), or None to compute them."""
        self.vocab = vocab
        self.indptr = indptr
        self.docs = docs
        self.tfs = tfs
        self.lengths = lengths
        self.k1 = k1
        self.b = b
        self.n_docs = len(lengths)
        self.weights = self._weights() if weights is None else weights

    def _weights(self) -> np.ndarray:
        """Final per-posting weights, vectorized: recomputed whenever documents are added.

        Computed a block of postings at a time, so the float64 temporaries stay a few MB
        however large the collection (whole-array temporaries were most of a 300k-passage
        build's peak memory).
        """
        weights = np.empty(len(self.docs), dtype=np.float32)
        if not len(self.docs):
            return weights
        df = np.diff(self.indptr)
        idf = np.log((self.n_docs + 1) / df)
        avgdl = float(self.lengths.mean()) or 1.0
        heading_terms = np.fromiter((t.startswith(HEADING_TOKEN) for t in self.vocab), dtype=bool, count=len(self.vocab))
        term_of = np.repeat(np.arange(len(df), dtype=np.int32), df)
        for lo in range(0, len(self.docs), _BLOCK):
            hi = min(lo + _BLOCK, len(self.docs))
            terms = term_of[lo:hi]
            norm = self.k1 * (1 - self.b + self.b * self.lengths[self.docs[lo:hi]] / avgdl)
            norm[heading_terms[terms]] = self.k1
            tf = self.tfs[lo:hi].astype(np.float64)
            weights[lo:hi] = idf[terms] * tf * (self.k1 + 1) / (norm + tf)
        return weights

    @classmethod
    def build(cls, corpus: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> "BM25":
        """Postings of a whole corpus: (term, document, frequency) triples made a block of documents
        at a time (term ids for its tokens, then one `np.unique` over its (term, document) pairs),
        then put term-major by one stable sort of the term ids (documents stay ascending).

        Blocks keep the token-sized temporaries small: a 300k-passage corpus has tens of millions
        of tokens, and whole-corpus int64 arrays of them were most of a build's memory.
        """
        vocab: dict[str, int] = {}
        n_docs = len(corpus)
        lengths = np.fromiter((len(doc) for doc in corpus), dtype=np.float32, count=n_docs)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        start = 0
        while start < n_docs:
            stop = _block_end(lengths, start)
            parts.append(_block_postings(corpus[start:stop], start, vocab))
            start = stop
        terms = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        docs = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        tfs = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=np.uint16)
        del parts
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(vocab)), out=indptr[1:])
        order = np.argsort(terms, kind="stable")  # blocks are term-sorted runs: a merge of a few runs
        del terms
        return cls(vocab, indptr, docs[order], tfs[order], lengths, k1, b)

    def extend(self, corpus: Sequence[Sequence[str]]) -> "BM25":
        """A new index with `corpus` appended as documents n_docs, n_docs+1, …: what an appended note costs."""
        base = self.n_docs
        new_terms: dict[str, int] = {}
        terms: list[int] = []
        docs: list[int] = []
        tfs: list[int] = []
        for offset, doc in enumerate(corpus):
            for term, tf in Counter(doc).items():
                i = self.vocab.get(term)
                terms.append(i if i is not None else new_terms.setdefault(term, len(self.vocab) + len(new_terms)))
                docs.append(base + offset)
                tfs.append(min(tf, 65535))
        return self.with_delta({"terms": list(new_terms),
                                "post_terms": np.array(terms, dtype=np.int64),
                                "post_docs": np.array(docs, dtype=np.int32),
                                "post_tfs": np.array(tfs, dtype=np.uint16),
                                "lengths": np.array([len(d) for d in corpus], dtype=np.float32)})

    def with_delta(self, delta) -> "BM25":
        """This index plus a delta (`delta_since`): new terms, the new documents' postings and lengths."""
        vocab = dict(self.vocab)
        for term in _strings(delta["terms"]):
            vocab[term] = len(vocab)
        lengths = np.concatenate([self.lengths, delta["lengths"].astype(np.float32)])
        indptr, docs, tfs = _merge_postings(self.indptr, self.docs, self.tfs, len(vocab),
                                            delta["post_terms"].astype(np.int64), delta["post_docs"].astype(np.int32),
                                            delta["post_tfs"].astype(np.uint16))
        return BM25(vocab, indptr, docs, tfs, lengths, self.k1, self.b)

    def delta_since(self, n_docs: int, n_terms: int) -> dict[str, np.ndarray]:
        """What was added after the first `n_docs` documents and `n_terms` terms, as arrays that
        `with_delta` applies to that earlier index: an append saves this instead of everything.

        Examples
        --------
        >>> small = BM25.build([["a", "b"], ["b"]])
        >>> big = small.extend([["b", "c"]])
        >>> small.with_delta(big.delta_since(small.n_docs, len(small.vocab))).top(["c", "b"]) == big.top(["c", "b"])
        True
        """
        term_of_posting = np.repeat(np.arange(len(self.indptr) - 1, dtype=np.int64), np.diff(self.indptr))
        new = self.docs >= n_docs
        added = sorted((i, t) for t, i in self.vocab.items() if i >= n_terms)
        return {"terms": [t for _, t in added], "post_terms": term_of_posting[new],
                "post_docs": self.docs[new], "post_tfs": self.tfs[new], "lengths": self.lengths[n_docs:]}

    def _accumulate(self, query: Sequence[str], boosts: dict[str, float] | None) -> tuple[np.ndarray, np.ndarray]:
        """Scores of all documents, and the ids of those that hold at least one query term."""
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
        return acc, np.flatnonzero(hit)

    def document_frequency(self, term: str) -> int:
        """In how many documents `term` occurs (0 for a term of no document).

        Examples
        --------
        >>> BM25.build([["a", "b"], ["b"]]).document_frequency("b"), BM25.build([["a"]]).document_frequency("z")
        (2, 0)
        """
        i = self.vocab.get(term)
        return 0 if i is None else int(self.indptr[i + 1] - self.indptr[i])

    def documents_with_all(self, terms: Sequence[str]) -> bool:
        """Whether some document holds every one of `terms`.

        Examples
        --------
        >>> index = BM25.build([["a", "b"], ["b", "c"]])
        >>> index.documents_with_all(["a", "b"]), index.documents_with_all(["a", "c"])
        (True, False)
        """
        common: np.ndarray | None = None
        for term in dict.fromkeys(terms):
            i = self.vocab.get(term)
            if i is None:
                return False
            docs = self.docs[self.indptr[i]:self.indptr[i + 1]]
            common = docs if common is None else np.intersect1d(common, docs, assume_unique=True)
            if not len(common):
                return False
        return common is not None

    def top(self, query: Sequence[str], k: int = 10, boosts: dict[str, float] | None = None) -> list[tuple[int, float]]:
        """The `k` best documents, best first, ties by document id.

        Only the candidates that can make the top `k` are sorted: a common term can
        match most of a large collection, and sorting all of it would cost more
        than scoring it.
        """
        if not query or not self.n_docs or k <= 0:
            return []
        acc, found = self._accumulate(query, boosts)
        if not len(found):
            return []
        scores = acc[found]
        if len(found) > k:
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]
            keep = scores >= kth
            found, scores = found[keep], scores[keep]
        order = np.lexsort((found, -scores))[:k]
        return list(zip(found[order].tolist(), scores[order].tolist()))

    def to_arrays(self) -> dict[str, np.ndarray]:
        terms = sorted(self.vocab, key=self.vocab.get)
        return {"terms": terms, "indptr": self.indptr, "docs": self.docs, "tfs": self.tfs,
                "lengths": self.lengths, "params": np.array([self.k1, self.b]), "weights": self.weights}

    @classmethod
    def from_arrays(cls, arrays) -> "BM25":
        """The index `to_arrays` saved; its weights as saved (computing them was the largest part of a
        cold load after the notes' stats), or computed when the arrays have none."""
        terms = _strings(arrays["terms"])
        k1, b = (float(x) for x in arrays["params"])
        weights = arrays["weights"] if "weights" in arrays else None
        return cls({t: i for i, t in enumerate(terms)}, arrays["indptr"], arrays["docs"], arrays["tfs"],
                   arrays["lengths"], k1, b, weights)


def _strings(terms) -> list[str]:
    """Terms as saved: a list (`kg.arrays`) or a numpy string array (an .npz)."""
    return terms.tolist() if isinstance(terms, np.ndarray) else list(terms)


def _block_end(lengths: np.ndarray, start: int) -> int:
    """Where the block of documents from `start` ends: about `_BLOCK` tokens, one document at least."""
    ends = np.cumsum(lengths[start:start + _BLOCK], dtype=np.int64)
    return start + max(1, int(np.searchsorted(ends, _BLOCK, side="right")))


def _block_postings(block: Sequence[Sequence[str]], first_doc: int, vocab: dict[str, int]):
    """(term, document, frequency) of documents `first_doc`, …, sorted by term then document;
    new terms get the next ids of `vocab`."""
    ids = np.fromiter((vocab.setdefault(t, len(vocab)) for doc in block for t in doc), dtype=np.int64)
    n = len(block)
    ids *= n
    ids += np.repeat(np.arange(n, dtype=np.int64), [len(doc) for doc in block])
    pairs, tfs = np.unique(ids, return_counts=True)
    terms, docs = np.divmod(pairs, n)
    return terms.astype(np.int32), (docs + first_doc).astype(np.int32), np.minimum(tfs, 65535).astype(np.uint16)


def _merge_postings(indptr, docs, tfs, n_terms, new_terms, new_docs, new_tfs):
    """Postings with new (term, doc, tf) entries appended, term-major, documents ascending.

    New documents come after every old one, so each new entry goes at the end of its
    term's run: the old entries shift by how many new ones precede their term, and no
    sort of the whole collection is needed (an append touches a few hundred entries).
    """
    if n_terms == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16)
    old_counts = np.diff(indptr)
    old_counts = np.concatenate([old_counts, np.zeros(n_terms - len(old_counts), dtype=old_counts.dtype)])
    new_counts = np.bincount(new_terms, minlength=n_terms)
    before_new = np.concatenate([[0], np.cumsum(new_counts)[:-1]])
    out_indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(old_counts + new_counts, out=out_indptr[1:])
    size = int(out_indptr[-1])
    out_docs = np.empty(size, dtype=np.int32)
    out_tfs = np.empty(size, dtype=np.uint16)
    old_pos = np.arange(len(docs), dtype=np.int64) + np.repeat(before_new[: len(indptr) - 1], np.diff(indptr))
    out_docs[old_pos] = docs
    out_tfs[old_pos] = tfs
    order = np.lexsort((new_docs, new_terms))
    new_terms, new_docs, new_tfs = new_terms[order], new_docs[order], new_tfs[order]
    rank = np.arange(len(new_terms)) - np.repeat(before_new, new_counts)
    new_pos = out_indptr[new_terms] + old_counts[new_terms] + rank
    out_docs[new_pos] = new_docs
    out_tfs[new_pos] = new_tfs
    return out_indptr, out_docs, out_tfs
