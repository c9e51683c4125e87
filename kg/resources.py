"""The shipped data files (glossary, relation patterns, word lists), validated on load.

Strict about settings: a data file that does not validate raises `DataFileError`
at once, naming the file and the problem.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kg.errors import DataFileError
from kg.models import RelationType
from kg.normalize import key

CATEGORIES = frozenset(
    "problem method model layer activation loss optimizer regularization normalization metric detection "
    "segmentation image feature clustering ensemble classic generative adversarial nlp math training data "
    "architecture".split()
)


GROUPS = frozenset(f"{role}_{pick}" for role in ("head", "tail") for pick in ("first", "last", "end", "start")) | {"heads"}
"""The spans a pattern may name (`ingest.relations`); a misspelt group would silently find nothing."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GlossaryEntry(_Strict):
    name: str
    aliases: tuple[str, ...] = ()
    category: str

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}")
        return value

    @field_validator("name")
    @classmethod
    def _real_name(cls, value: str) -> str:
        if len(key(value)) < 2 and not re.search(r"[\u4e00-\u9fff]", value):
            raise ValueError(f"name {value!r} is too short to match safely")
        return value


class Glossary(_Strict):
    version: Literal[1]
    entries: tuple[GlossaryEntry, ...]


class AliasRules(_Strict):
    """`kg/data/alias_rules.json`: what may be an alias (see `glossary` and `ingest.merge`)."""

    version: Literal[1]
    note: str = ""
    process_heads: tuple[str, ...] = Field(min_length=1)
    """Words for a process done to an object (`学习`, `分解`, `检测`): an alias that is its entry's
    name without such a head names the object (`特征值` of 特征值分解, `流形` of 流形学习)."""
    short_forms_allowed: dict[str, str]
    """Such short forms that are what people write for the process itself, each with the reason."""
    annotation_words: tuple[str, ...] = Field(min_length=1)
    """Words a bracket annotates a name with (`gcc（小写）`, `（简称）`): never a name."""
    measure_suffixes: tuple[str, ...] = Field(min_length=1)
    """Endings of a measure's name (`丢弃比率`, `dilation rate`): a measure is not its concept."""

    @field_validator("short_forms_allowed")
    @classmethod
    def _reasons(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [k for k, why in value.items() if len(why.split()) < 3]
        if missing:
            raise ValueError(f"short forms {missing} need a reason of a few words")
        return value


class Pattern(_Strict):
    id: str
    type: RelationType
    scope: Literal["passage", "sentence", "heading"]
    regex: str
    missing: Literal["tail_previous", "tail_heading", "head_item"] | None = None
    trigger: str | None = None
    """A cheap regex that must match the lower-cased text before `regex` is tried (for
    unanchored patterns; case-insensitive regexes are several times slower)."""
    min_items: int = Field(default=1, ge=1)
    """How many items a list written after the colon needs to count as a list: `聚类算法:
    KMeans、GMM` lists members, `sigmoid函数:除了输出层…` describes one thing."""
    item_pick: Literal["item", "member"] = "item"
    """How a listed item names its concept: anywhere in the item (`调整超参数`), or as the whole
    item or its start (`member`: `A=B+C` lists names, nothing else)."""
    topic_chain: bool = True
    """Whether a subject may come from the clause before the verb's (Chinese chains clauses on
    one topic: `ReLU 会使…，这样就造成了稀疏性`); `uses` is drawn only from the verb's own clause."""
    names_items: bool = False
    """Whether the listed items are names by the sentence's own word (`分别是A、B和C`), so each
    becomes a concept even when it does not read as a noun phrase (`忘记层门`)."""
    conjunctions: bool = False
    """Whether `和`/`与`/`+` also separate items (`由卷积层、池化层和全连接层组成`)."""
    problems_only: bool = False
    """Whether what the verb acts on must be a problem concept: `降低过拟合` solves, `降低网络参数`
    only lowers a quantity."""
    cue: str | None = None
    """A regex the sentence or its heading must match: two clauses that each assign a value
    (`Generator使用Adam，Discriminator使用SGD`) contrast only where a difference is said, in the
    sentence (`而`, `不同`) or in the heading it answers (`逻辑回归与SVM的异同`)."""
    questions: bool = False
    """Whether the pattern also applies to questions: `A和B的区别?` asserts a contrast,
    `逻辑回归怎么解决过拟合?` asserts nothing."""
    note: str = ""

    @field_validator("regex", "trigger", "cue")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"regex does not compile: {exc}") from exc
        return value

    @field_validator("regex")
    @classmethod
    def _known_groups(cls, value: str) -> str:
        unknown = set(re.compile(value).groupindex) - GROUPS
        if unknown:
            raise ValueError(f"unknown group name(s) {sorted(unknown)}: use {sorted(GROUPS)}")
        return value

    @field_validator("trigger")
    @classmethod
    def _lower_case(cls, value: str | None) -> str | None:
        if value is not None and value != value.lower():
            raise ValueError("a trigger is matched against lower-cased text: write it in lower case")
        return value


class PatternSet(_Strict):
    version: Literal[1]
    patterns: tuple[Pattern, ...]


class Cues(_Strict):
    version: Literal[1]
    note: str = ""
    cues: dict[str, tuple[str, ...]]
    synonyms: tuple[tuple[str, ...], ...] = ()
    intents: dict[Literal["solves", "causes", "part_of", "contrasts", "improves", "uses", "is_a", "define"],
                  tuple[str, ...]]

    @field_validator("cues")
    @classmethod
    def _english_to_chinese(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for phrase, chinese in value.items():
            if not re.fullmatch(r"[a-z0-9' ]+|[\u4e00-\u9fff]+", phrase):
                raise ValueError(f"cue {phrase!r} must be lower-case English words or a Chinese phrasing")
            if not chinese or any(not re.search(r"[\u4e00-\u9fff0-9]", w) for w in chinese):
                raise ValueError(f"cue {phrase!r} must give Chinese words")
        return value

    @field_validator("synonyms")
    @classmethod
    def _groups(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        seen: set[str] = set()
        for group in value:
            if len(group) < 2 or any(not re.fullmatch(r"[\u4e00-\u9fff]+", w) for w in group):
                raise ValueError(f"synonym group {group!r} needs two or more Chinese words")
            if seen & set(group):
                raise ValueError(f"synonym group {group!r} repeats a word of another group")
            seen.update(group)
        return value


def _read(name: str) -> str:
    return resources.files("kg").joinpath("data", name).read_text(encoding="utf-8")


def _load_json(name: str, model: type[BaseModel]):
    try:
        return model.model_validate(json.loads(_read(name)))
    except (ValidationError, json.JSONDecodeError, FileNotFoundError) as exc:
        first = str(exc).splitlines()[0:3]
        raise DataFileError(f"kg/data/{name} is invalid: {' '.join(first)}") from exc


_VERSIONED = re.compile(r"(?P<family>[a-z][a-z0-9]*?[a-z])(?:v|version)?(?P<version>\d+(?:\.\d+)?\+?)")


def version_of(name: str) -> tuple[str, str] | None:
    """The family key and version of a versioned Latin name (`YOLOv2`, `MobileNet-V3`,
    `YOLO9000`, `ResNet50`, `PASCAL VOC 2007`), or None.

    A version is its own concept: what `YOLOv2` does (anchors) is false of `YOLOv1`, so
    a version is never an alias of its family or of another version.

    Examples
    --------
    >>> version_of("MobileNet-v2"), version_of("DeepLab v3+"), version_of("YOLO")
    (('mobilenet', '2'), ('deeplab', '3+'), None)
    """
    found = _VERSIONED.fullmatch(key(name))
    return (found["family"], found["version"]) if found else None


def version_clash(names) -> tuple[str, str] | None:
    """Two of `names` that are versions of one family, or a family and its version, if any.

    Examples
    --------
    >>> version_clash(["YOLO", "YOLOv2"]), version_clash(["YOLOv2", "YOLO 9000"])
    (('YOLO', 'YOLOv2'), ('YOLOv2', 'YOLO 9000'))
    >>> version_clash(["VOC2007", "PASCAL VOC 2007", "F1", "F1 score"]) is None
    True
    """
    plain = {key(n): n for n in names}
    families: dict[str, tuple[str, str]] = {}
    for name in names:
        parsed = version_of(name)
        if parsed is None:
            continue
        family, version = parsed
        if family in plain:
            return plain[family], name
        if families.setdefault(family, (version, name))[0] != version:
            return families[family][1], name
    return None


def _bare_modifier(alias: str, entry: GlossaryEntry) -> bool:
    """An alias that is the modifier of another name of its entry (`生成式` of 生成式模型,
    `判别式` of 判别式模型): the adjective alone names no concept."""
    return bool(re.fullmatch(r"[\u4e00-\u9fff]+[式型]", alias)) and any(
        len(n) >= len(alias) + 2 and n.startswith(alias) for n in (entry.name, *entry.aliases))


def object_short_form(alias: str, entry: GlossaryEntry, rules: AliasRules) -> str | None:
    """The name of `entry` that `alias` shortens by a process head (`特征值` of `特征值分解`,
    `角点` of `角点检测`), if any: then the alias names the object, not the process."""
    if not re.search(r"[\u4e00-\u9fff]", alias):
        return None
    return next((n for n in (entry.name, *entry.aliases)
                 if n.startswith(alias) and n[len(alias):] in rules.process_heads), None)


def _check_short_forms(data: Glossary, rules: AliasRules) -> None:
    """No alias names the object of its entry's process unless allowed with a reason, and every
    allowed short form is still such an alias (a stale allow-list hides nothing)."""
    used = set()
    for entry in data.entries:
        for alias in entry.aliases:
            longer = object_short_form(alias, entry, rules)
            if longer and alias not in rules.short_forms_allowed:
                raise DataFileError(f"kg/data/glossary.json: alias {alias!r} of {entry.name!r} names the object "
                                    f"of {longer!r}, not the process: give it an entry of its own, or allow it "
                                    "with a reason in kg/data/alias_rules.json")
            if longer:
                used.add(alias)
    stale = sorted(set(rules.short_forms_allowed) - used)
    if stale:
        raise DataFileError(f"kg/data/alias_rules.json: allowed short forms {stale} are no such alias of the glossary")


@functools.lru_cache(maxsize=1)
def alias_rules() -> AliasRules:
    return _load_json("alias_rules.json", AliasRules)


@functools.lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The bilingual glossary; two entries may never share a name or alias, and an entry may
    not hold two versions of one name or a name and its version (`version_clash`)."""
    data = _load_json("glossary.json", Glossary)
    seen: dict[str, str] = {}
    for entry in data.entries:
        clash = version_clash((entry.name, *entry.aliases))
        if clash:
            raise DataFileError(f"kg/data/glossary.json: {clash[0]!r} and {clash[1]!r} in entry {entry.name!r} "
                                "are different versions: give each version an entry of its own")
        loose = next((a for a in entry.aliases if key(a) in generic_nouns() or key(a) in annotation_words()
                      or _bare_modifier(a, entry)), None)
        if loose:
            raise DataFileError(f"kg/data/glossary.json: alias {loose!r} of {entry.name!r} is a generic word "
                                "or a bare modifier, not a name")
        for name in (entry.name, *entry.aliases):
            k = key(name)
            if not k:
                raise DataFileError(f"kg/data/glossary.json: empty name in entry {entry.name!r}")
            if seen.get(k, entry.name) != entry.name:
                raise DataFileError(f"kg/data/glossary.json: {name!r} is in both {seen[k]!r} and {entry.name!r}")
            seen[k] = entry.name
    _check_short_forms(data, alias_rules())
    return data


class Glosses(_Strict):
    version: Literal[1]
    glosses: dict[str, str]

    @field_validator("glosses")
    @classmethod
    def _non_empty(cls, value: dict[str, str]) -> dict[str, str]:
        bad = next((name for name, text in value.items() if not text.strip() or not text.isascii()), None)
        if bad is not None:
            raise ValueError(f"the gloss of {bad!r} is empty or not plain English (ASCII)")
        return value


def _glossary_names() -> set[str]:
    """The entry names of glossary.json, read without validating it: a search that answers from a
    saved index has no other use for the glossary, and validating it costs 0.1 s (`glossary()`,
    run by every build, does)."""
    if glossary.cache_info().currsize:
        return {e.name for e in glossary().entries}
    try:
        return {e["name"] for e in json.loads(_read("glossary.json"))["entries"]}
    except (KeyError, TypeError, json.JSONDecodeError):
        return {e.name for e in glossary().entries}  # raises the glossary's own DataFileError


@functools.lru_cache(maxsize=1)
def glosses() -> dict[str, str]:
    """One-line English glosses of glossary entries, by entry name (`kg.glosses`). A key that is
    no entry's name fails at once: an entry renamed or split in the glossary must not silently
    lose its gloss."""
    data = _load_json("glosses.json", Glosses)
    names = _glossary_names()
    unknown = next((name for name in data.glosses if name not in names), None)
    if unknown is not None:
        raise DataFileError(f"kg/data/glosses.json: {unknown!r} is not the name of a glossary entry")
    return data.glosses


@functools.lru_cache(maxsize=1)
def patterns() -> PatternSet:
    return _load_json("patterns.json", PatternSet)


@functools.lru_cache(maxsize=1)
def cues() -> Cues:
    return _load_json("cues.json", Cues)


def _word_list(name: str) -> frozenset[str]:
    words = set()
    for line in _read(name).splitlines():
        if line.startswith("#"):
            continue
        words.update(w.casefold() for w in line.split())
    if not words:
        raise DataFileError(f"kg/data/{name} is empty")
    return frozenset(words)


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return _word_list("stopwords.txt")


@functools.lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    return frozenset(w for w in _word_list("generic.txt") if "*" not in w and not w.startswith("~"))


@functools.lru_cache(maxsize=1)
def part_words() -> frozenset[str]:
    """Names of a model's parts (`编码器`, `正则项`): bare as a subject they mean one model's part."""
    return frozenset(key(w) for w in _word_list("parts.txt"))


@functools.lru_cache(maxsize=1)
def generic_nouns() -> frozenset[str]:
    """Nouns that may be part of a name but are never a name's alias (`均值`, `面积`, `代表`)."""
    return frozenset(key(w) for w in _word_list("generic_nouns.txt"))


@functools.lru_cache(maxsize=1)
def annotation_words() -> frozenset[str]:
    """Words a bracket annotates a name with (`小写`, `简称`); never a name (`alias_rules.json`)."""
    return frozenset(key(w) for w in alias_rules().annotation_words)


@functools.lru_cache(maxsize=1)
def generic_prefixes() -> tuple[str, ...]:
    """Words that make a section title of what follows them (`常用命令`, `常见问题`)."""
    return tuple(w[:-1] for w in _word_list("generic.txt") if w.endswith("*") and len(w) > 1)


@functools.lru_cache(maxsize=1)
def title_heads() -> frozenset[str]:
    """Words that make a section title of a generic word before them (`模型结构`, `算法流程`)."""
    return frozenset(w[1:] for w in _word_list("generic.txt") if w.startswith("~") and len(w) > 1)


@functools.lru_cache(maxsize=1)
def generic_suffixes() -> tuple[str, ...]:
    return tuple(w[1:] for w in _word_list("generic.txt") if w.startswith("*") and len(w) > 1)
