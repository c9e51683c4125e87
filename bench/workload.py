"""What the benchmark feeds the code: passage documents, seeded queries, the synthetic scale-up.

Nothing here is timed. Everything is seeded, so two runs measure the same work.
"""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from kg.bm25 import BM25

_CJK = re.compile(r"[\u4e00-\u9fff]")

ZH_TEMPLATES = ("{x}的作用", "什么是{x}", "{x}和{y}的区别", "{x}的优缺点", "为什么要用{x}", "{x}如何解决{y}", "{x}的原理")
EN_TEMPLATES = ("how does {x} work", "what is {x}", "difference between {x} and {y}", "why use {x}",
                "{x} vs {y}", "how to deal with {x}", "advantages of {x}")


@contextlib.contextmanager
def capture_bm25_corpora() -> Iterator[list[list[list[str]]]]:
    """Record every corpus handed to `BM25.build` / `BM25.extend` while the block runs.

    This is how the benchmark gets the exact token lists the real index is built
    from, without copying the pipeline's document assembly: it runs a (cached)
    build and listens. The class is restored afterwards.
    """
    seen: list[list[list[str]]] = []
    saved = {name: BM25.__dict__[name] for name in ("build", "extend") if name in BM25.__dict__}

    if "build" in saved:
        original_build = saved["build"].__func__

        def build(cls, corpus, *args, **kwargs):
            corpus = [list(doc) for doc in corpus]
            seen.append(corpus)
            return original_build(cls, corpus, *args, **kwargs)

        BM25.build = classmethod(build)
    if "extend" in saved:
        original_extend = saved["extend"]

        def extend(self, corpus, *args, **kwargs):
            corpus = [list(doc) for doc in corpus]
            seen.append(corpus)
            return original_extend(self, corpus, *args, **kwargs)

        BM25.extend = extend
    try:
        yield seen
    finally:
        for name, value in saved.items():
            setattr(BM25, name, value)


def passage_documents(notes_dir: Path, data_dir: Path) -> list[list[str]]:
    """The passage documents (token lists) of the index of `notes_dir`, exactly as the build makes them.

    `data_dir` should hold a built index of the same notes: the rebuild then reuses
    every cached extract and only re-assembles.
    """
    from ingest.build import build
    from kg import store

    with capture_bm25_corpora() as seen:
        build(notes_dir, data_dir)
    n_passages = len(store.load(data_dir).index.passages)
    candidates = [c for c in seen if len(c) == n_passages]
    if not candidates:
        raise RuntimeError(f"no BM25 corpus of {n_passages} documents was built (saw sizes {[len(c) for c in seen]})")
    return max(candidates, key=lambda c: sum(map(len, c)))


def _names(concept) -> tuple[list[str], list[str]]:
    names = list(dict.fromkeys([concept.name, *concept.aliases]))
    zh = [n for n in names if _CJK.search(n) and len(n) <= 12]
    en = [n for n in names if n.isascii() and 2 <= len(n) <= 40]
    return zh, en


def make_queries(index, n: int = 200, seed: int = 5) -> list[str]:
    """`n` distinct mixed Chinese/English questions about concepts the notes mention.

    Half use Chinese templates (`X的作用`, `X和Y的区别`), half English ones (`how does X
    work`); the concept names come from the index (names and aliases), in the
    template's language 70 % of the time and in the other language otherwise, as
    people write (`dropout的作用`).
    """
    rng = random.Random(seed)
    pool = []
    for cid in sorted(index.concepts):
        if not index.concept_passages.get(cid):
            continue
        zh, en = _names(index.concepts[cid])
        if zh or en:
            pool.append((zh, en))
    if not pool:  # an index without concept → passages: every concept will do
        pool = [names for cid in sorted(index.concepts) if any(names := _names(index.concepts[cid]))]
    if not pool:
        raise RuntimeError("the index has no concept to make queries from")

    def name(lang: str) -> str:
        zh, en = rng.choice(pool)
        first, second = (zh, en) if lang == "zh" else (en, zh)
        if rng.random() >= 0.7:
            first, second = second, first
        return rng.choice(first or second)

    out: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < n and attempts < n * 50:
        attempts += 1
        lang = "zh" if len(out) % 2 == 0 else "en"
        template = rng.choice(ZH_TEMPLATES if lang == "zh" else EN_TEMPLATES)
        query = template.format(x=name(lang), y=name(lang))
        if query not in seen:
            seen.add(query)
            out.append(query)
    return out


def query_terms(searcher, query: str) -> list[str]:
    """The tokens `Searcher` scores passages with for `query` (words, named concepts, cue words)."""
    from kg.tokenize import BREAK

    try:
        from kg.search import CONCEPT_TOKEN

        a = searcher.analyse(query)
        cue_terms = [w for c in a.cue_words for w in searcher.tokenizer.tokens(c) if w != BREAK]
        return list(a.words) + [CONCEPT_TOKEN + c for c in a.concepts] + cue_terms
    except Exception:  # the search internals moved: fall back to the plain words
        from kg.resources import stopwords
        from kg.tokenize import words

        return words(searcher.tokenizer.tokens(query), stopwords())


def scale_up(docs: Sequence[Sequence[str]], n: int, seed: int = 11) -> list[list[str]]:
    """`n` documents: the real ones, then perturbed copies of them in turn.

    A copy drops 1-3 random tokens (keeping at least one) and gains one token drawn
    uniformly from the corpus vocabulary, so copies are near-duplicates, not
    duplicates, and the vocabulary and length distribution stay the real ones.
    """
    rng = random.Random(seed)
    vocab = sorted({t for d in docs for t in d})
    out = [list(d) for d in docs[:n]]
    m = len(docs)
    i = 0
    while len(out) < n:
        doc = list(docs[i % m])
        i += 1
        for _ in range(min(rng.randint(1, 3), len(doc) - 1)):
            doc.pop(rng.randrange(len(doc)))
        doc.insert(rng.randrange(len(doc) + 1), rng.choice(vocab))
        out.append(doc)
    return out


def note_of_about(nbytes: int, source: Path, seed: int) -> str:
    """A new note of about `nbytes` UTF-8 bytes: consecutive lines of `source`, under a unique title."""
    lines = [ln for ln in source.read_text(encoding="utf-8").splitlines() if ln.strip()]
    rng = random.Random(seed)
    start = rng.randrange(max(1, len(lines)))
    body: list[str] = [f"# 复习笔记 {seed}: 过拟合与正则化 (bench)"]
    i = start
    while len("\n".join(body).encode("utf-8")) < nbytes and lines:
        body.append(lines[i % len(lines)])
        i += 1
    text = "\n".join(body)
    encoded = text.encode("utf-8")[:nbytes]
    return encoded.decode("utf-8", errors="ignore") + "\n"
