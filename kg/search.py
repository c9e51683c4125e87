"""Search concepts and passages in Chinese or English.

A query goes through the same tokenizer and lexicon as the notes. Every concept it
names (exactly, by any alias, within a small Latin typo, or in Traditional
characters) adds that concept's token, so `How to deal with overfitting?` matches
passages that say `过拟合`. English question words add the Chinese words notes use
for the same intent (`kg/data/cues.json`), and English phrases the notes themselves
pair with Chinese (`非结构化剪枝（unstructured pruning）`, `KnowledgeIndex.bridges`) add
those Chinese words, both with a weight below the query's own words. Passages are ranked
with their heading path as a field of its own (`HEADING_WEIGHT`): in interview notes a
question heading that matches the user's question is the strongest signal there is.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from pydantic import BaseModel

from kg.bm25 import BM25
from kg.errors import QueryTooLongError
from kg.describe import answer_subjects, described, is_description
from kg.fields import CONCEPT_TOKEN, HEADING_TOKEN, RELATION_TOKEN, SUBJECT_TOKEN
from kg.glosses import glossed_concepts
from kg.index import KnowledgeIndex
from kg.lexicon import fuzzy_budget
from kg.limits import MAX_FUZZY_LOOKUPS, MAX_QUERY_CHARS
from kg.normalize import fold, key
from kg.resources import cues, stopwords
from kg.tokenize import BREAK, Tokenizer, words

SUBJECT_WEIGHT = 0.3
QUESTION_PRIOR = 0.8
CUE_WEIGHT = 0.4
HEADING_WEIGHT = 1.0
"""Weight of a query word found in a passage's heading path, beside its weight in the text."""
BRIDGE_WEIGHT = 0.5
"""Weight of the Chinese words the notes pair with an English phrase of the query."""
SYNONYM_WEIGHT = 0.8
"""Weight of the other words of a Chinese question word's group (`不足` also asks for `缺点`)."""
NAMED_WORD_WEIGHT = 0.3
"""Weight of the Latin words that spell a concept the query names (`global average pooling`): the
concept's token matches it in any language, so the words count less, or notes that merely repeat
the English name outrank the Chinese answer."""
_BRIDGE_NGRAM = 4
MAX_MARKED_LINES = 3
EXACT_BONUS = 1000.0
MENTION_BONUS = 100.0
FUZZY_BONUS = 50.0
TYPO_TARGET_PASSAGES = 3
TYPO_BONUS = 50.0
"""A word the notes never write, one edit from a name they write in this many passages, is that name
misspelt, and the concept the query is about (`Adma optimizer`, `dorpout rate`)."""
DESCRIBED_BONUS = 500.0
"""Score of the concept whose gloss a descriptive English query paraphrases (`kg.glosses`): above
the concepts its words happen to name (`training set` in a description of overfitting) with their
text score and the passages' vote (`kg.describe`, at most 275), below a query that is a name."""
GLOSS_WEIGHT = 0.3
"""Weight of the other gloss matches (`kg.glosses`), beside the concept search's own BM25 score."""
_CJK = re.compile(r"[\u4e00-\u9fff]+")
LONE_CHARACTER_PASSAGES = 20
"""A Chinese character the notes write alone in at most this many passages may be a piece of a
misspelt word (`拟` of `过拟和`); one they write alone more often is a word of its own (`难`, `做`)."""
RARE_WORD_PASSAGES = 2
"""A query word the notes write in at most this many passages may be their typo too (`Focla Loss`
once, `Focal Loss` in dozens): inside a multi-word name it is still looked up by near spelling
(alone it is too often a real word: `watch`, `gaps`)…"""
TYPO_EVIDENCE_RATIO = 10
"""…and taken for a concept only if the notes write that concept this many times as often."""


class ConceptHit(BaseModel):
    id: str
    name: str
    aliases: list[str]
    score: float


class PassageHit(BaseModel):
    id: str
    source: str
    line: int
    text: str
    heading: list[str]
    score: float
    concepts: list[str]
    matched: list[int] = []
    """Offsets (0-based) of the lines of `text` that match the query best: what a reader looks at first."""


class SearchResult(BaseModel):
    query: str
    concepts: list[ConceptHit] = []
    passages: list[PassageHit] = []


@dataclass
class QueryAnalysis:
    """What a query names and which tokens it is scored with; also used to highlight hits."""

    exact: str | None
    named: list[str]
    fuzzy: list[str]
    words: list[str]
    cue_words: list[str]
    intents: list[str]
    bridge_words: list[str]
    synonyms: list[str]
    named_words: list[str]
    """Latin words of the query that spell a concept's name: its concept token already matches them."""
    typos: list[str] = field(default_factory=list)
    """Concepts named by a word the notes never write, one edit from their name (`Adma` → Adam)."""

    @property
    def concepts(self) -> list[str]:
        return list(dict.fromkeys([*([self.exact] if self.exact else []), *self.named, *self.fuzzy]))


class Searcher:
    """Answers queries from a loaded index; holds no state besides it."""

    def __init__(self, index: KnowledgeIndex, passage_bm25: BM25, concept_bm25: BM25, concept_order: list[str],
                 tokenizer: Tokenizer):
        self.index = index
        self.passage_bm25 = passage_bm25
        self.concept_bm25 = concept_bm25
        self.concept_order = concept_order
        self.tokenizer = tokenizer
        self._cues = _compile_cues()
        self._intents = _compile_intents()
        self._english = _known_english()
        self._synonyms = _synonym_map()

    def analyse(self, query: str) -> QueryAnalysis:
        tokens = self.tokenizer.tokens(query)
        lexicon = self.index.lexicon
        exact = lexicon.lookup(query) if query.strip() else None
        found = lexicon.mentions(tokens)
        named = [m.concept for m in found]
        covered = {i for m in found for i in range(m.start, m.end)}
        stop = stopwords()
        fuzzy: list[str] = []
        typos: list[str] = []
        for i, tok in enumerate(tokens):
            if i in covered or tok == BREAK or tok in stop or not tok.isascii() or len(tok) < 3:
                continue
            if tok in self._english or self.passage_bm25.document_frequency(tok) > RARE_WORD_PASSAGES:
                continue
            phrase = self._fuzzy_phrase(tokens, i, self._typo_floor(tok))
            if phrase:
                cid, span = phrase
                named = [cid] + [m.concept for m in found if not span[0] <= m.start < span[1] and m.concept != cid]
                covered |= set(range(*span))
            elif len(tok) >= 4 and tok not in self.passage_bm25.vocab:
                near = lexicon.fuzzy(tok, limit=1)
                if near and self._written(near[0]) >= TYPO_TARGET_PASSAGES:
                    typos.extend(near)  # `Adma optimizer`: Adam, before the class it names
                else:
                    fuzzy.extend(near)
        for cid, span in self._fuzzy_chinese(tokens, covered, stop, found):
            named = [cid] + [m.concept for m in found if not span[0] <= m.start < span[1] and m.concept != cid]
            covered |= set(range(*span))
        folded = fold(query)
        cue_words = self._cue_words(folded)
        intents = [name for name, pattern in self._intents if pattern.search(folded)]
        named_words = [t for i, t in enumerate(tokens) if i in covered and t.isascii()]
        return QueryAnalysis(exact, list(dict.fromkeys(typos + named)), fuzzy, words(tokens, stop), cue_words, intents,
                             self._bridged(tokens, stop, covered),
                             list(dict.fromkeys(w for t in tokens for w in self._synonyms.get(t, ()))),
                             words(named_words, stop), typos)

    def _cue_words(self, folded: str) -> list[str]:
        """Chinese words of every cue phrase in the folded query: English phrases as whole words (a
        lookup of the query's word n-grams), Chinese phrasings anywhere."""
        english, chinese, longest = self._cues
        found = [w for phrase, ws in chinese if phrase in folded for w in ws]
        latin = re.findall(r"[a-z0-9'’]+", folded)
        for n in range(1, longest + 1):
            for start in range(len(latin) - n + 1):
                found.extend(english.get(" ".join(latin[start:start + n]), ()))
        return found

    def _bridged(self, tokens: list[str], stop: frozenset[str], named: set[int]) -> list[str]:
        """Chinese words the notes pair with the query's English phrases, longest phrase first; not for
        the tokens that name a concept (its token reaches every name of it already), nor for a single
        word the hand-written table knows (a curated rendering beats a mined one)."""
        bridges = self.index.bridges
        if not bridges:
            return []
        out: list[str] = []
        covered = set(named)
        for n in range(_BRIDGE_NGRAM, 0, -1):
            for start in range(len(tokens) - n + 1):
                window = tokens[start:start + n]
                if covered & set(range(start, start + n)) or not all(t.isascii() and t != BREAK for t in window):
                    continue
                if n == 1 and (window[0] in stop or len(window[0]) < 3 or window[0] in self._english):
                    continue
                found = bridges.get(" ".join(window))
                if found:
                    out.extend(w for w in found if w not in stop and len(w) > 1)
                    covered.update(range(start, start + n))
        return list(dict.fromkeys(out))

    def _typo_floor(self, word: str) -> int:
        """Passages a concept must be written in to be taken for `word` misspelt: any, for a word the
        notes never write; `TYPO_EVIDENCE_RATIO` times the word's own, for a word they write rarely."""
        return TYPO_EVIDENCE_RATIO * self.passage_bm25.document_frequency(word)

    def _written(self, cid: str) -> int:
        return len(self.index.concept_passages.get(cid, ()))

    def _fuzzy_chinese(self, tokens: list[str], covered: set[int], stop: frozenset[str],
                       found: list) -> list[tuple[str, tuple[int, int]]]:
        """Chinese typos (`过拟和`, `反向传波`, `交叉商`): jieba breaks a misspelt word into single
        characters, so a run of 2-4 Chinese tokens holding a lone character that no name covers, that
        is no function word and that the notes seldom write alone (`难`, `做`, `上` they write often)
        is looked up by near spelling, longest run first; a hit must name another concept than the
        names inside the run."""
        hits: list[tuple[str, tuple[int, int]]] = []
        taken: set[int] = set()
        for i, tok in enumerate(tokens):
            if i in covered or i in taken or len(tok) != 1 or tok in stop or not _CJK.fullmatch(tok) \
                    or self.passage_bm25.document_frequency(tok) > LONE_CHARACTER_PASSAGES:
                continue
            for n in (4, 3, 2):
                span = self._near_name(tokens, i, n, taken, found)
                if span:
                    hits.append(span)
                    taken |= set(range(*span[1]))
                    break
        return hits

    def _near_name(self, tokens, i, n, taken, found) -> tuple[str, tuple[int, int]] | None:
        for start in range(max(0, i - n + 1), i + 1):
            window = tokens[start:start + n]
            if len(window) < n or taken & set(range(start, start + n)) or not all(_CJK.fullmatch(t) for t in window):
                continue
            if self.passage_bm25.documents_with_all(window):
                continue  # the notes write these words together: a phrase of theirs (`虚函数`), no typo
            inside = {m.concept for m in found if start <= m.start < start + n}
            hit = [c for c in self.index.lexicon.fuzzy("".join(window), limit=1) if c not in inside]
            if hit:
                return hit[0], (start, start + n)
        return None

    def _fuzzy_phrase(self, tokens: list[str], i: int, floor: int = 0) -> tuple[str, tuple[int, int]] | None:
        """A typo inside a multi-word name (`learning rte`, `batch normalizaton`): the longest run
        of 2-3 Latin tokens around token `i` that is a small edit away from a name written in at
        least `floor` passages."""
        for n in (3, 2):
            for start in range(max(0, i - n + 1), i + 1):
                window = tokens[start:start + n]
                if len(window) < n or not all(t.isascii() and t != BREAK for t in window):
                    continue
                found = [c for c in self.index.lexicon.fuzzy("".join(window), limit=1) if self._written(c) >= floor]
                if found:
                    return found[0], (start, start + n)
        return None

    def search(self, query: str, k: int = 10) -> SearchResult:
        if len(query) > MAX_QUERY_CHARS:  # bounded work: a pasted page is refused, not analysed for seconds
            raise QueryTooLongError(f"the query is {len(query):,} characters, over the limit of {MAX_QUERY_CHARS:,}")
        if not query.strip():
            return SearchResult(query=query)
        with fuzzy_budget(MAX_FUZZY_LOOKUPS):
            analysis = self.analyse(query)
        passages = self._passages(analysis, k)
        about = described(self.index, self.tokenizer, passages) if is_description(analysis.words, analysis.exact) else {}
        about = answer_subjects(query, analysis.concepts, about)
        return SearchResult(query=query, concepts=self._concepts(analysis, k, about), passages=passages)

    def _passages(self, a: QueryAnalysis, k: int) -> list[PassageHit]:
        concept_terms = [CONCEPT_TOKEN + c for c in a.concepts]
        cue_terms = [w for c in a.cue_words for w in self.tokenizer.tokens(c) if w != BREAK]
        graph_terms = [f"{RELATION_TOKEN}{t}:{c}" for t in a.intents if t != "define" for c in a.concepts]
        subject_terms = [SUBJECT_TOKEN + c for c in a.concepts]
        bridge_terms = [w for w in a.bridge_words if w not in a.words and w not in cue_terms]
        synonym_terms = [w for w in a.synonyms if w not in a.words]
        boosts = {t: CUE_WEIGHT for t in cue_terms if t not in a.words}
        boosts.update({t: BRIDGE_WEIGHT for t in bridge_terms})
        boosts.update({t: SYNONYM_WEIGHT for t in synonym_terms})
        boosts.update({t: NAMED_WORD_WEIGHT for t in a.named_words})
        heading_terms = {HEADING_TOKEN + w: HEADING_WEIGHT * boosts.get(w, 1.0)
                         for w in dict.fromkeys(a.words + cue_terms + bridge_terms + synonym_terms)}
        boosts.update(heading_terms)
        if "define" not in a.intents:
            boosts.update({t: SUBJECT_WEIGHT for t in subject_terms})
        terms = list(dict.fromkeys(a.words + concept_terms + cue_terms + bridge_terms + synonym_terms + graph_terms
                                   + subject_terms + list(heading_terms)))
        scored = self.passage_bm25.top(terms, 3 * k, boosts)
        scored = [(doc, score * (QUESTION_PRIOR if self.index.passages[doc].kind == "question" else 1.0))
                  for doc, score in scored]
        hits = []
        marks = [t.casefold() for t in (*highlight_terms(a, self.index), *a.cue_words, *a.bridge_words, *a.synonyms)]
        for doc, score in sorted(scored, key=lambda kv: (-kv[1], kv[0]))[:k]:
            p = self.index.passages[doc]
            hits.append(PassageHit(id=p.id, source=p.source, line=p.line, text=p.text, heading=list(p.heading),
                                   score=round(score, 4), concepts=self.index.passage_concepts.get(p.id, []),
                                   matched=matched_lines(p.text, marks)))
        return hits

    def _concepts(self, a: QueryAnalysis, k: int, about: dict[str, float] | None = None) -> list[ConceptHit]:
        scores: dict[str, float] = {}
        if a.exact:
            scores[a.exact] = EXACT_BONUS
        for rank, cid in enumerate(a.named):
            scores.setdefault(cid, MENTION_BONUS - rank)
        for rank, cid in enumerate(a.fuzzy):
            scores.setdefault(cid, FUZZY_BONUS - rank)
        for cid in a.typos:  # a misspelt word the notes never write: the concept the query is about
            scores[cid] += TYPO_BONUS
        for cid, bonus in (about or {}).items():  # a description: what its answers are about comes first
            scores[cid] = scores.get(cid, 0.0) + bonus
        cue_terms = [w for c in a.cue_words for w in self.tokenizer.tokens(c) if w != BREAK and w not in a.words]
        terms = list(dict.fromkeys(a.words + cue_terms)) + [CONCEPT_TOKEN + c for c in a.concepts]  # a repeated word is one clue
        boosts = {t: CUE_WEIGHT for t in cue_terms}
        for doc, score in self.concept_bm25.top(terms, k + len(scores), boosts):
            cid = self.concept_order[doc]
            scores[cid] = scores.get(cid, 0.0) + score
        for cid, hit, paraphrased in glossed_concepts(self.index, a.words, a.named_words, a.concepts):
            scores[cid] = (DESCRIBED_BONUS + hit.coverage) if paraphrased \
                else scores.get(cid, 0.0) + GLOSS_WEIGHT * hit.score
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [ConceptHit(id=cid, name=self.index.concepts[cid].name, aliases=list(self.index.concepts[cid].aliases),
                           score=round(s, 4)) for cid, s in ranked if cid in self.index.concepts]


def matched_lines(text: str, terms: list[str]) -> list[int]:
    """Offsets of the lines of `text` that hold the most distinct query terms (at most `MAX_MARKED_LINES`).

    Case-folded only (a display aid, on every hit of every query: full folding costs more than the
    rest of marking).

    Examples
    --------
    >>> matched_lines("过拟合怎么办\\n- 数据增广\\n- 早停: 防止过拟合", ["过拟合", "早停"])
    [2]
    """
    wanted = _alternation(tuple(sorted(set(terms), key=len, reverse=True)))
    if wanted is None:
        return []
    counts = [len(set(wanted.findall(line))) for line in text.casefold().split("\n")]
    best = max(counts, default=0)
    return [i for i, c in enumerate(counts) if c == best][:MAX_MARKED_LINES] if best else []


@functools.lru_cache(maxsize=64)
def _alternation(terms: tuple[str, ...]) -> re.Pattern | None:
    """One regex for a query's terms, longest first (a query marks ten hits with the same terms)."""
    terms = tuple(t for t in terms if t)
    return re.compile("|".join(map(re.escape, terms))) if terms else None


def _word_pattern(phrase: str) -> re.Pattern:
    """Latin phrases match whole words; Chinese ones anywhere."""
    folded = re.escape(fold(phrase))
    return re.compile(rf"(?<![a-z]){folded}(?![a-z])" if phrase.isascii() else folded)


def _compile_intents() -> list[tuple[str, re.Pattern]]:
    return [(name, re.compile("|".join(_word_pattern(p).pattern for p in phrases)))
            for name, phrases in cues().intents.items()]


def _known_english() -> frozenset[str]:
    """English words our data files already know (question and intent words): never typos of a name."""
    phrases = [*cues().cues, *(p for ps in cues().intents.values() for p in ps)]
    return frozenset(w for p in phrases if p.isascii() for w in fold(p).split()) | stopwords()


def _synonym_map() -> dict[str, tuple[str, ...]]:
    """Each Chinese question word → the other words of its group (`缺点` → `不足`, `局限`, …)."""
    return {w: tuple(x for x in group if x != w) for group in cues().synonyms for w in group}


def _compile_cues() -> tuple[dict[str, tuple[str, ...]], list[tuple[str, tuple[str, ...]]], int]:
    """English cue phrases by their words (one dict lookup per query n-gram instead of a regex per
    phrase: the table has hundreds), Chinese phrasings as a list, and the longest English phrase."""
    english = {" ".join(fold(p).split()): ws for p, ws in cues().cues.items() if p.isascii()}
    chinese = [(fold(p), ws) for p, ws in cues().cues.items() if not p.isascii()]
    return english, chinese, max((len(p.split()) for p in english), default=0)


def highlight_terms(analysis: QueryAnalysis, index: KnowledgeIndex) -> list[str]:
    """Surface strings to highlight in a hit: query words and every name of the named concepts."""
    names = set(analysis.words)
    for cid in analysis.concepts:
        c = index.concepts.get(cid)
        if c:
            names.update([c.name, *c.aliases])
    return sorted((n for n in names if len(key(n)) >= 2 or re.search(r"[\u4e00-\u9fff]", n)), key=len, reverse=True)
