"""Decide the concepts of the whole collection: glossary, mined terms, mined aliases.

One node per concept across languages: glossary entries are fixed groups of
names; a mined alias joins names into one group unless it would fuse two
glossary concepts (a note's `交叉熵(JS散度)` is a slip, not a synonym).
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from ingest.alias_rules import (fits_chinese, fits_english, glosses_a_measure, is_annotation, is_token_list, names_of,
                                negates)
from ingest.concepts import is_term_like
from kg.lexicon import Lexicon
from kg.models import Concept, FileExtract
from kg.normalize import has_cjk, has_latin, key
from kg.resources import Glossary, generic_nouns, generic_words, patterns, version_clash
from kg.tokenize import Tokenizer

MIN_ACRONYM_PASSAGES = 3
MIN_SHORT_ACRONYM_PASSAGES = 6
GENERAL_WORD_FREQUENCY = 200
"""A word this frequent in jieba's general dictionary is everyday Chinese (`均值`, `面积`, `代表`)."""
GENERAL_ALIAS_RATIO = 3
"""…and is refused as an alias when the notes use it this many times more than the name it glosses."""


class _Groups:
    """Union-find over name keys, remembering which groups come from the glossary."""

    def __init__(self):
        self.parent: dict[str, str] = {}
        self.glossary_root: dict[str, str] = {}
        self.surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        self._shared: set[str] = set()
        """Keys whose surface counts still belong to the groups this was copied from."""

    def find(self, k: str) -> str:
        self.parent.setdefault(k, k)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if ra in self.glossary_root and rb in self.glossary_root:
            return False
        if rb in self.glossary_root:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True

    def copy(self) -> "_Groups":
        """A copy to add a collection's names to; surface counts are copied when first written."""
        other = _Groups()
        other.parent = dict(self.parent)
        other.glossary_root = dict(self.glossary_root)
        other.surfaces = defaultdict(Counter, self.surfaces)
        other._shared = set(self.surfaces)
        return other

    def add(self, surface: str, weight: int = 1) -> str:
        k = key(surface)
        self.find(k)
        if k in self._shared:
            self.surfaces[k] = Counter(self.surfaces[k])
            self._shared.discard(k)
        self.surfaces[k][surface.strip()] += weight
        return k


_BAD_FIRST = ("c", "r", "d", "m", "p", "q", "f", "u", "y", "e", "o")
_BAD_ANY = ("u", "uj", "ul", "uz", "ug", "uv", "ud", "c", "y", "d")
_BAD_LAST = ("p", "c", "u", "d", "r", "y", "m", "q", "f", "a", "i")
_NOUNISH = ("n", "l", "j", "eng", "x", "i", "vn", "nz")
_NAMES = ("nr", "ns", "nt", "nrt", "nrfg")
_MANNER_WORDS = ("方法", "方式", "形式", "过程")
"""A name cut off a longer run that ends so is the run's head without what made it one method."""
_EASE_WORDS = ("易", "难", "容易", "易于", "难以", "便于")
"""A name that starts so says how easy something is (`易部署：…`, easy to deploy), it names nothing."""
_COORDINATORS = ("和", "与", "及", "以及", "或", "或者", "跟", "同")
"""An acronym after `A和B` spells both (`引导和表面(GS)`: guidance and surface), never B alone."""
_CUT_AFTER = ("c", "p", "u", "v", "d", "r", "m", "q")
"""A name before a bracket is cut off the run only after a conjunction, preposition, particle, verb,
adverb, pronoun, numeral or classifier (`由乘法累加（MAC）`, `这是一种逆向工程（reverse engineering）`),
never after a modifier or a name."""


def noun_phrase(surface: str, tokenizer: Tokenizer) -> bool:
    """Whether the Chinese part of a mined name reads as a noun phrase (jieba's POS tags).

    Rejects clauses and fragments that look like terms by length alone:
    `统一的形式`, `函数定义为`, `多个通道`, `了解`.
    """
    chinese = "".join(re.findall(r"[\u4e00-\u9fff]+", surface))
    if not chinese:
        return _latin_name(surface)
    pairs = tokenizer.pos(chinese)
    tags = [flag for _, flag in pairs]
    if not tags or tags[0].startswith(_BAD_FIRST) or tags[-1].startswith(_BAD_LAST) or pairs[0][0] in _EASE_WORDS:
        return False
    if any(t in _BAD_ANY or t in _NAMES for t in tags) or any(w == "是" for w, _ in pairs):
        return False
    if len(tags) >= 3 and tags[0] == "v":
        return False
    if len(tags) == 1 and tags[0] == "v":
        return False
    return len(tags) > 1 or has_latin(surface) or tags[0].startswith(_NOUNISH) and tags[0] != "vn"


def _latin_name(surface: str) -> bool:
    """A mined Latin name is an acronym, a CamelCase or versioned name, or a phrase; not one plain word."""
    words = surface.split()
    if len(words) > 1:
        return True
    word = words[0] if words else ""
    return sum(c.isupper() for c in word) >= 2 or bool(re.search(r"[a-z][A-Z]|\d", word))


def is_admissible(surface: str, tokenizer: Tokenizer, glossary: Glossary) -> bool:
    """A mined name must be a noun phrase, not merely contain glossary names (`ReLU激活函数`).

    """
    if not is_term_like(surface) or is_annotation(surface) or is_token_list(surface) \
            or not noun_phrase(surface, tokenizer):
        return False
    known = _glossary_groups(glossary)[2]
    found = known.mentions(tokenizer.tokens(surface))
    return not found or (len(found) == 1 and known.lookup(surface) is not None)


_GLOSSARY_GROUPS: dict[int, tuple[Glossary, tuple]] = {}


def _glossary_groups(glossary: Glossary) -> tuple["_Groups", dict[str, str], Lexicon]:
    """The glossary's fixed groups, built once per process (an append reuses them).

    Cached by identity: hashing a frozen 786-entry glossary model on every lookup cost more
    than the whole concept decision.
    """
    cached = _GLOSSARY_GROUPS.get(id(glossary))
    if cached is not None and cached[0] is glossary:
        return cached[1]
    _GLOSSARY_GROUPS[id(glossary)] = (glossary, built := _build_glossary_groups(glossary))
    return built


def _build_glossary_groups(glossary: Glossary) -> tuple["_Groups", dict[str, str], Lexicon]:
    groups = _Groups()
    category: dict[str, str] = {}
    for entry in glossary.entries:
        root = groups.add(entry.name, weight=10_000)
        groups.glossary_root[root] = entry.name
        category[root] = entry.category
        for alias in entry.aliases:
            groups.union(root, groups.add(alias, weight=0))
    return groups, category, Lexicon({k: k for k in groups.parent})


def decide_concepts(extracts: Sequence[FileExtract], glossary: Glossary,
                    tokenizer: Tokenizer) -> tuple[dict[str, Concept], dict[str, str]]:
    """Concepts and the key → concept id map of the collection."""
    base, category, _ = _glossary_groups(glossary)
    groups = base.copy()
    definitions: dict[str, str] = {}
    notes: dict[str, list[str]] = defaultdict(list)

    @functools.lru_cache(maxsize=None)
    def admissible(surface: str) -> bool:
        return is_admissible(surface, tokenizer, glossary)

    naming = {p.id for p in patterns().patterns if p.names_items}
    acronym_counts: Counter[str] = Counter()
    stated_definitions: dict[str, str] = {}
    titles: set[str] = set()
    named: set[str] = set()
    for ex in extracts:
        for term in ex.terms:
            if term.rule.startswith("acronym:"):
                acronym_counts[term.surface] += int(term.rule.split(":")[1])
                continue
            if term.rule == "copula_definition":  # defines a name found elsewhere; names nothing new
                stated_definitions.setdefault(key(term.surface), term.definition or "")
                continue
            if admissible(term.surface):
                k = groups.add(term.surface, weight=3 if term.rule == "definition" else 1)
                (titles if term.rule in ("heading", "definition") else named).add(k)
                if groups.find(k) in groups.glossary_root:  # a label the glossary does not know titles as often as it defines
                    if term.definition and k not in definitions:
                        definitions[k] = term.definition
                    _add_note(notes, k, term.note)
            elif key(term.surface) in base.parent:
                # a glossary name too plain to be mined as a new one (`dropout:…`) is still defined
                if term.definition:
                    definitions.setdefault(key(term.surface), term.definition)
                _add_note(notes, key(term.surface), term.note)
        for rel in ex.relations:
            name = rel.head if rel.head_pick == "item" else ""
            if name and "的" not in name and len(name) <= 12 and (
                    admissible(name) or rel.evidence.rule in naming and is_term_like(name)):
                named.add(groups.add(name))
    for surface, n in acronym_counts.items():
        if n >= (MIN_ACRONYM_PASSAGES if len(surface) >= 3 else MIN_SHORT_ACRONYM_PASSAGES) \
                and len(set(surface.casefold())) > 1 and admissible(surface):
            groups.add(surface, weight=n)
    for k, definition in stated_definitions.items():
        if k in groups.parent and definition:
            definitions[k] = definition  # `X是指…` defines X better than whatever follows `X:`
    pairs = _alias_pairs(groups, extracts, tokenizer, admissible)
    refused = _general_names(groups, pairs, extracts, tokenizer)
    _merge_plurals(groups, refused)
    _join_aliases(groups, pairs, refused)
    _drop_lone(groups, ambiguous_names(groups, pairs))  # `MAC` alone would still mean two things
    _drop_bare_titles(groups, titles - named, extracts)
    _drop_everyday_words(groups, tokenizer)
    return _concepts_from_groups(groups, category, definitions, notes)


def _add_note(notes: dict[str, list[str]], k: str, note: str | None) -> None:
    """Keep a note line under the same terms a definition is kept (a glossary name's), once."""
    if note and note not in notes[k]:
        notes[k].append(note)


MIN_TITLE_MENTIONS = 2
"""A name found only as a heading or before a colon must be written in this many passages to be
a concept: `ILSVRC挑战赛历年冠军`, `操作步骤:`, `右图思路:` title a section, they name nothing."""


def _drop_bare_titles(groups: _Groups, titles: set[str], extracts: Sequence[FileExtract]) -> None:
    """Forget names found only as headings or labels (`X:…`) that the notes do not write in
    other passages, unless the glossary or a mined alias vouches for them."""
    members: Counter[str] = Counter(groups.find(k) for k in groups.parent)
    bare = {k for k in titles if members[groups.find(k)] == 1 and groups.find(k) not in groups.glossary_root}
    if not bare:
        return
    lexicon = Lexicon({k: k for k in bare})
    written: Counter[str] = Counter()
    for ex in extracts:
        for tokens in ex.tokens:
            written.update({m.concept for m in lexicon.mentions(tokens)})
    for k in bare:
        if written[k] < MIN_TITLE_MENTIONS:
            del groups.parent[k]


EVERYDAY_CONCEPT_FREQUENCY = 500
"""A name mined from the notes that is one Chinese word this frequent in jieba's general dictionary
(`尺寸`, `分类`, `绿色`, `硬件`) is everyday language, not a concept of the notes."""


def _drop_everyday_words(groups: _Groups, tokenizer: Tokenizer) -> None:
    """Forget mined names that are a single everyday Chinese word and nothing else: no glossary
    entry and no other name of the notes vouches for them."""
    members: Counter[str] = Counter(groups.find(k) for k in groups.parent)
    for k in [k for k in groups.parent if members[groups.find(k)] == 1 and k not in groups.glossary_root]:
        if re.fullmatch(r"[\u4e00-\u9fff]+", k) and len(tokenizer.cut_cjk(k)) == 1 \
                and tokenizer.dictionary.frequency(k) >= EVERYDAY_CONCEPT_FREQUENCY:
            del groups.parent[k]


def _merge_plurals(groups: _Groups, refused: set[str]) -> None:
    """`LSTMs` and `LSTM` are one concept: a Latin name that is another plus `s` joins it, unless
    the notes gloss the shorter one as something else too (`MAC` is memory access cost as well)."""
    for k in [k for k in groups.parent if k.isascii() and len(k) >= 4 and k.endswith("s")]:
        if k[:-1] in groups.parent and k[:-1] not in refused:
            groups.union(k[:-1], k)


def _alias_pairs(groups: _Groups, extracts: Sequence[FileExtract], tokenizer: Tokenizer,
                 admissible) -> list[list[str]]:
    """The names of each mined alias, as usable names (two or more per alias)."""
    def usable(name: str, acronym: bool = False) -> str | None:
        """An alias name as written if known or admissible; a long Chinese run cut at a word boundary
        (not after `和` when an acronym glosses it: its letters may stand for both words)."""
        if key(name) in groups.parent:
            return name
        if re.fullmatch(r"[\u4e00-\u9fff]+", name):
            tagged = tokenizer.pos(name)
            pieces = [w for w, _ in tagged]
            for i in range(len(pieces)):
                if i and (not tagged[i - 1][1].startswith(_CUT_AFTER) or pieces[-1] in _MANNER_WORDS
                          or acronym and pieces[i - 1] in _COORDINATORS):
                    continue  # `强语义（rich semantic）` glosses 强语义, not 语义; `…的学习方法（SCL）` not 学习方法
                candidate = "".join(pieces[i:])
                if key(candidate) in groups.parent or admissible(candidate) and len(pieces[i]) > 1:
                    return candidate  # not from a one-character word: `(等)人提出二值连接` names nothing
            return None
        return name if admissible(name) else None

    pairs = []
    for ex in extracts:
        for alias in ex.aliases:
            acronym = any(re.fullmatch(r"[A-Z][A-Z0-9]+", n) for n in alias.names)
            names = list(dict.fromkeys(u for u in (usable(n, acronym) for n in alias.names) if u))
            if len(names) >= 2:
                pairs.append(names)
    return pairs


def _join_aliases(groups: _Groups, pairs: list[list[str]], refused: set[str]) -> None:
    """Join the names each mined alias says are one, unless that would fuse two glossary concepts,
    two versions of one name or a name and its version (`YOLO（YOLOv1）`, `MobileNet-v2/V3`), or
    make a generic word a name (`refused`, see `_general_names`)."""
    for names in pairs:
        names = [n for n in names if key(n) not in refused]
        if len(names) < 2:
            continue
        roots = {groups.find(key(n)) for n in names if key(n) in groups.parent}
        if version_clash([*names, *roots]):
            continue
        if sum(1 for r in roots if r in groups.glossary_root) > 1 or glosses_a_measure(names, names_of(groups)) \
                or negates(names, names_of(groups)):
            continue
        if any(not fits_english(groups, r, names) or not fits_chinese(groups, r, names)
               for r in roots if r in groups.glossary_root):
            continue
        ks = [groups.add(n) for n in names]
        for k in ks[1:]:
            groups.union(ks[0], k)


def ambiguous_names(groups: _Groups, pairs: list[list[str]]) -> set[str]:
    """Keys of mined names the notes gloss as two different glossary concepts (`精度` as precision
    and as accuracy, `MAC` as multiply-accumulates and as memory access cost)."""
    glossed: dict[str, set[str]] = defaultdict(set)
    for names in pairs:
        for n in names:
            for other in names:
                if key(other) in groups.parent and groups.find(key(other)) in groups.glossary_root:
                    own = groups.find(key(n)) if key(n) in groups.parent else None
                    if key(other) != key(n) and groups.find(key(other)) != own:
                        glossed[key(n)].add(groups.find(key(other)))
    return {k for k, roots in glossed.items() if len(roots) > 1 and groups.find(k) not in groups.glossary_root}


def _drop_lone(groups: _Groups, drop: set[str]) -> None:
    """Forget the names in `drop` that are a concept of their own (no other name joined them)."""
    members: Counter[str] = Counter(groups.find(k) for k in groups.parent)
    for k in drop:
        if k in groups.parent and groups.find(k) == k and members[k] == 1 and k not in groups.glossary_root:
            del groups.parent[k]


def _general_names(groups: _Groups, pairs: list[list[str]], extracts: Sequence[FileExtract],
                   tokenizer: Tokenizer) -> set[str]:
    """Name keys that may not be an alias: generic nouns (`kg/data/generic_nouns.txt`), names
    glossed as two different glossary concepts (`精度` for precision and for accuracy), and
    everyday words the notes use far more often than the name they would gloss (`均值` for
    k-means). A glossary name is never refused."""
    glossary_key = {k for k in groups.parent if groups.find(k) in groups.glossary_root}
    refused = {key(n) for names in pairs for n in names
               if key(n) not in glossary_key and (key(n) in generic_nouns() or key(n) in generic_words()
                                                  or is_annotation(n))}
    refused |= ambiguous_names(groups, pairs)
    everyday = {key(n) for names in pairs for n in names if key(n) not in glossary_key and re.fullmatch(
        r"[\u4e00-\u9fff]+", n) and tokenizer.dictionary.frequency(key(n)) >= GENERAL_WORD_FREQUENCY}
    if everyday:
        uses = _passage_counts(extracts, {key(n) for names in pairs if everyday & {key(m) for m in names} for n in names})
        for names in pairs:
            for n in names:
                others = max((uses[key(o)] for o in names if key(o) != key(n)), default=0)
                if key(n) in everyday and uses[key(n)] > GENERAL_ALIAS_RATIO * max(others, 1):
                    refused.add(key(n))
    return refused


def _passage_counts(extracts: Sequence[FileExtract], wanted: set[str]) -> Counter[str]:
    """In how many passages each wanted key is written as one token (or as a run of tokens)."""
    counts: Counter[str] = Counter()
    for ex in extracts:
        for tokens in ex.tokens:
            seen = {t for t in tokens if t in wanted}
            joined = "".join(t for t in tokens if t != "|")
            seen |= {k for k in wanted if len(k) > 1 and k not in seen and k.isascii() and k in joined}
            counts.update(seen)
    return counts


def _concepts_from_groups(groups: _Groups, category: dict[str, str], definitions: dict[str, str],
                          notes: dict[str, list[str]]):
    members: dict[str, list[str]] = defaultdict(list)
    for k in list(groups.parent):
        members[groups.find(k)].append(k)
    concepts: dict[str, Concept] = {}
    keys: dict[str, str] = {}
    for root, ks in members.items():
        surfaces: Counter[str] = Counter()
        for k in ks:
            surfaces.update(groups.surfaces[k])
        if root in groups.glossary_root:
            name = groups.glossary_root[root]
        else:
            name = max(surfaces, key=lambda s: (surfaces[s], has_cjk(s), -len(s)))
        definition = next((definitions[k] for k in sorted(ks, key=lambda k: k != root) if k in definitions), None)
        lines = tuple(dict.fromkeys(n for k in sorted(ks, key=lambda k: k != root) for n in notes.get(k, ())))
        concept = _concept(name, frozenset(surfaces), definition, category.get(root), root in groups.glossary_root, lines)
        cid = concept.id
        concepts[cid] = concept
        for k in ks:
            if len(k) >= 2 or has_cjk(k):
                keys[k] = cid
    return concepts, keys


@functools.lru_cache(maxsize=8192)
def _concept(name: str, surfaces: frozenset[str], definition: str | None, category: str | None,
             from_glossary: bool, notes: tuple[str, ...] = ()) -> Concept:
    """A concept from its name and every surface form seen (memoized: an append re-derives
    hundreds of unchanged glossary concepts)."""
    cid = key(name)
    aliases = tuple(sorted({s for s in surfaces if key(s) != cid and s != name}, key=lambda s: (key(s), s)))
    return Concept(id=cid, name=name, aliases=tuple(dedupe_by_key(aliases)), definition=definition,
                   category=category, origin="glossary" if from_glossary else "notes", notes=notes)


def dedupe_by_key(names):
    seen = set()
    for n in names:
        if key(n) not in seen:
            seen.add(key(n))
            yield n
