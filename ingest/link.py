"""Link the collection: concept mentions in passages, typed relations, co-occurrence.

Typed relations come from pattern candidates (`ingest.relations`), resolved here
to concept ids now that every name is known (which concept a span means: `ingest.resolve`;
whether the reading holds for the relation type: here). `related` edges (co-occurrence in a
passage, or a passage under a concept's heading) are added only between concepts
with no typed edge, so they never hide an explanation.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence

from kg.lexicon import Lexicon
from kg.models import EVIDENCE_CHARS, Concept, Evidence, FileExtract, Relation, RelationCandidate
from kg.resources import generic_words
from kg.tokenize import BREAK, Tokenizer
from ingest.resolve import Resolver

MAX_EVIDENCE = 3
MAX_EVIDENCE_RELATED = 2


def evidence_limit(relation_type: str) -> int:
    """How many sentences an edge keeps: co-occurrence needs fewer than a typed claim."""
    return MAX_EVIDENCE_RELATED if relation_type == "related" else MAX_EVIDENCE
MAX_CONCEPTS_FOR_COOCCURRENCE = 10
_VARIANT_PREFIX_MAX = 6
_NUMBERED_NAME = re.compile(r"(\D+?)\s*\d+")
_LIST_RUN = re.compile(r"(?:\s*[,，、]\s*[^,，、。;；]{1,20}(?=[,，、。;；]|$))+")
"""Short items after an object, each ending at a separator: a list, not the next clause."""
_STATES_IMPROVEMENT = re.compile(r"改进|改良|基于|improve|based on", re.I)


def mentions_by_passage(extracts: Sequence[FileExtract], lexicon: Lexicon) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Concept ids mentioned in each passage (in order of first mention), and each passage's
    subject: the concept it starts with, after any list marker."""
    out: dict[str, list[str]] = {}
    subjects: dict[str, str] = {}
    for ex in extracts:
        for passage, tokens in zip(ex.passages, ex.tokens):
            found = lexicon.mentions(tokens)
            out[passage.id] = list(dict.fromkeys(m.concept for m in found))
            if found and all(t == BREAK or t.isdigit() for t in tokens[: found[0].start]):
                subjects[passage.id] = found[0].concept
    return out, subjects


def heading_concepts(extracts: Sequence[FileExtract], lexicon: Lexicon) -> dict[str, list[str]]:
    """Concepts named by each passage's nearest heading."""
    out: dict[str, list[str]] = {}
    for ex in extracts:
        cache = {h: [m.concept for m in lexicon.mentions(toks)] for h, toks in ex.heading_tokens.items()}
        for p in ex.passages:
            out[p.id] = cache.get(p.heading[-1], []) if p.heading else []
    return out


class _Edges:
    def __init__(self):
        self.weight: dict[tuple[str, str, str], float] = defaultdict(float)
        self.evidence: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)

    def add(self, source: str, target: str, type_: str, evidence: Evidence, weight: float = 1.0):
        if source == target:
            return
        k = (source, target, type_)
        if any(e.text == evidence.text for e in self.evidence[k]):
            return
        self.weight[k] += weight
        if len(self.evidence[k]) < evidence_limit(type_):
            self.evidence[k].append(evidence)

    def typed_pairs(self) -> set[frozenset[str]]:
        return {frozenset((s, t)) for (s, t, ty) in self.weight if ty != "related"}

    def drop_contradictions(self) -> None:
        """Where notes say both that A solves B and that A causes B, keep the claim made more
        often: the other is a misreading (`dropout 是防止 overfitting 的方法，而导致 overfitting 的…`)."""
        for (s, t, ty) in [k for k in self.weight if k[2] == "solves"]:
            other = (s, t, "causes")
            if other in self.weight and self.weight[other] != self.weight[(s, t, ty)]:
                weaker = min((s, t, ty), other, key=self.weight.__getitem__)
                del self.weight[weaker], self.evidence[weaker]

    def relations(self) -> list[Relation]:
        return [Relation(source=s, target=t, type=ty, weight=round(w, 3), evidence=tuple(self.evidence[(s, t, ty)]))
                for (s, t, ty), w in sorted(self.weight.items())]


def link(extracts: Sequence[FileExtract], concepts: dict[str, Concept], lexicon: Lexicon, tokenizer: Tokenizer,
         mentions: dict[str, list[str]], headings: dict[str, list[str]]) -> list[Relation]:
    edges = _Edges()
    resolver = Resolver(lexicon, tokenizer, concepts)
    for ex in extracts:
        for cand in ex.relations:
            _add_candidate(edges, cand, resolver)
    _add_name_variants(edges, extracts, concepts, mentions, headings)
    edges.drop_contradictions()
    typed = edges.typed_pairs()
    _add_cooccurrence(edges, extracts, mentions, headings, typed)
    return edges.relations()


_OWN_SUBJECT = ("is_a", "causes")
"""Types whose subject must be the concept itself, not something of it (`X的…`): in
`SVM的最优化算法是一个二次规划` the subject is SVM's algorithm, while for `dropout的作用是防止过拟合`
(solves) the concept is what is meant. A `uses` subject carried from the clause before needs the
same (`低通滤波器的作用是…，使用空间滤波器…` is no use by the filter)."""


def _numbered_section(name: str) -> bool:
    """A generic section word with a number (`步骤2`, `情况 1`): a pointer into the notes, not a concept.

    Examples
    --------
    >>> _numbered_section("步骤2"), _numbered_section("情况 1"), _numbered_section("YOLOv2"), _numbered_section("ResNet50")
    (True, True, False, False)
    """
    m = _NUMBERED_NAME.fullmatch(name)
    return bool(m) and m.group(1) in generic_words()



_MEMBERSHIP = ("is_a",)
"""Types whose list items must name their concept first: `如果遇到了死的神经元…` is not a kind
of activation function. Remedies (`调整超参数`) and steps (`计算误差, 使用均方误差…`) name the
concept they involve anywhere in the item."""
_OBJECT = ("solves", "causes")
"""Types whose object is a head noun, not the first concept named (`解决反向传播过程中的梯度问题`)."""


_NOT_A_REMEDY = re.compile(r"^\s*(?:\(?\d+[.、)）]\s*)?(?:降低|减少|减小|减弱|去掉|去除|取消|删除|不用|不要|避免使用|"
                           r"增大|增加|加大|提高|调整|调节|扩大|缩小)"
                           r"|没用|无用|无效|没有用|不建议|不推荐|不行"
                           r"|^\s*(?:与|和|及|或|以及|并且|而)(?![\u4e00-\u9fff]*[:：])")
"""A remedy item that lowers, raises, tunes or drops a concept (`降低正则化约束`, `增大学习率`,
`调整超参数`) or says it does not help (`增加训练数据一般是没用的`; `无助于…` anywhere in its sentence,
`_UNHELPFUL`), or that continues a line broken off (`与梯度向量`): the remedy is the change,
so the concept named is not what solves the problem."""
_GENERAL_CLAIMS = ("uses", "solves", "causes", "improves", "part_of")
"""Types a bare part subject (`编码器采用…`) cannot state of the concept in general; `is_a` and
`contrasts` (`生成器是一个神经网络`) still hold of every generator."""
_ANAPHOR = re.compile(r"\s*(?:这个|这一|这些|这类|这种|该|此)(?:问题|现象)")
"""`…这种现象称为内部协变量偏移，BN 就是来解决这个问题`: the problem is the one the sentence named."""
_UNHELPFUL = re.compile(r"无助于|无益于|不能解决|无法解决|解决不了")
"""An item that says it does not help (`梯度截断有助于处理爆炸的梯度，但它无助于梯度消失`) remedies nothing of the list's."""
_BOOK_TITLE = re.compile(r"《[^》]{0,60}》")
_LOSS_CLASS = frozenset({"损失", "损失函数", "loss"})
_ALGORITHM_CLASS = frozenset({"算法", "方法"})


def _add_candidate(edges: _Edges, cand: RelationCandidate, resolve: Resolver):
    if cand.type == "solves" and cand.head_pick == "item" and (
            _NOT_A_REMEDY.search(cand.head) or _UNHELPFUL.search(cand.evidence.text)):
        return
    head_span = _BOOK_TITLE.sub(" ", cand.head)  # `《深度学习》 10.10 …` cites a book, it names no subject
    head = resolve(head_span, _head_pick(cand), cand.head_tokens if head_span == cand.head else ())
    if cand.tail_pick == "named_problem":
        tail = resolve.named_problem(cand.tail, cand.evidence.text)
    elif cand.type == "solves" and _ANAPHOR.match(cand.tail):
        tail = resolve.problem_before(cand.evidence.text, cand.head)
    else:
        tail = resolve(cand.tail, _tail_pick(cand), cand.tail_tokens)
    if not head or not tail or cand.type == "solves" and _categorized_not_problem(resolve.concepts.get(tail)):
        return
    if any(_numbered_section(resolve.concepts[c].name) for c in (head, tail) if c in resolve.concepts):
        return  # `步骤 2 和步骤 3 交替迭代`: a step number is no concept
    if cand.type == "solves" and cand.head_pick == "item" and resolve.about_sibling(tail, cand.evidence.text):
        return  # `梯度剪切(爆炸)` under `梯度消失解决办法` remedies the explosion
    if cand.type in _GENERAL_CLAIMS and cand.head_pick not in ("item", "heading") and resolve.bare_part(
            cand.head_tokens or tuple(resolve.tokenizer.tokens(cand.head))):
        return
    if cand.type == "uses" and head in resolve.named(tuple(resolve.tokenizer.tokens(_listed_with(cand)))):
        return  # `CIoU：使用了GIoU，CIoU，DIoU…来实现`: a list the subject is in, not what it uses
    if cand.type == "is_a" and cand.head_pick in ("item", "member") and not _member_fits(
            resolve.concepts.get(head), resolve.concepts.get(tail), cand.tail_tokens):
        return
    edges.add(head, tail, cand.type, cand.evidence)


def _listed_with(cand: RelationCandidate) -> str:
    """The object span and the list it opens in its sentence (`GIoU，CIoU，DIoU，MSE 这些…`).

    Examples
    --------
    >>> from kg.models import Evidence
    >>> ev = Evidence(source="a.md", line=1, text="CIoU：使用了 GIoU，CIoU，DIoU 这些算法。", rule="uses_verb")
    >>> _listed_with(RelationCandidate(head="CIoU", tail=" GIoU", type="uses", evidence=ev))
    ' GIoU，CIoU，DIoU 这些算法'
    >>> ev = Evidence(source="a.md", line=1, text="上采样使用反卷积实现，上采样的特征图与降维的编码图进行逐元素相加得到输出。", rule="uses_verb")
    >>> _listed_with(RelationCandidate(head="上采样", tail="反卷积实现", type="uses", evidence=ev))
    '反卷积实现'
    """
    text = cand.evidence.text
    at = text.find(cand.tail)
    if at < 0:
        return cand.tail
    run = _LIST_RUN.match(text, at + len(cand.tail))
    return cand.tail + (run.group() if run else "")


def _member_fits(member: Concept | None, kind: Concept | None, class_tokens: Sequence[str]) -> bool:
    """Whether a listed member is a kind of the class its list names. `边界框回归损失：MSE，IoU…`
    lists losses, not kinds of box regression; `量化算法：MINMAX、KL 散度` names a divergence an
    algorithm uses, and a mathematical quantity is no kind of algorithm.

    Examples
    --------
    >>> box, kl = Concept(id="b", name="边界框回归", category="detection"), Concept(id="k", name="KL散度", category="math")
    >>> q, iou = Concept(id="q", name="量化", category="training"), Concept(id="i", name="IoU", category="detection")
    >>> _member_fits(iou, box, ("边界框回归", "损失")), _member_fits(kl, q, ("量化", "算法")), _member_fits(iou, box, ("边界框回归",))
    (False, False, True)
    """
    suffix = next((t for t in reversed(class_tokens) if t != BREAK), "")
    if member is None or kind is None or suffix in (kind.name, *kind.aliases):
        return True
    if suffix in _LOSS_CLASS and kind.category != "loss":
        return False
    return not (suffix in _ALGORITHM_CLASS and member.category == "math" and kind.category != "math")


def _categorized_not_problem(concept: Concept | None) -> bool:
    """What is solved is a problem: `直方图处理` is histogram processing, not a remedy for 直方图."""
    return concept is not None and concept.category not in (None, "problem")


def _head_pick(cand: RelationCandidate) -> str:
    """The stricter reading some relation types need of the pattern's pick. `agent` is a
    subject written in the verb's own clause; only `uses` needs it right before the verb."""
    pick, type_ = cand.head_pick, cand.type
    if pick == "agent" and type_ != "uses":
        pick = "subject"
    if type_ == "contrasts" and pick in ("first", "last", "subject"):
        return "end"  # both names stand right next to the comparison word
    if type_ == "contrasts" and pick == "start":
        return "whole"  # `A是…，而B…`: A is all its clause's subject (`A中的X是…` sets X against B)
    if pick == "item" and type_ in _MEMBERSHIP:
        return "member"
    if pick == "item" and type_ == "part_of":
        return "step"  # a step names its concept at its start: `计算图像梯度`, not `随机选两个点聚类->…`
    if pick == "subject" and (type_ in _OWN_SUBJECT or type_ == "uses"):
        return "own_subject"
    return pick


def _tail_pick(cand: RelationCandidate) -> str:
    if cand.type == "contrasts" and cand.tail_pick == "first":
        return "whole"  # `A和B的区别`: B is all there is between the conjunction and the trigger
    if cand.type == "causes" and cand.tail_pick == "first" and cand.evidence.rule != "causes_passive":
        return "problem"
    if cand.type in _OBJECT and cand.tail_pick == "first":
        return "object"
    if cand.type == "uses" and cand.tail_pick == "first":
        return "thing"
    if cand.type == "is_a" and cand.tail_pick == "last":
        return "kind"
    return cand.tail_pick


def name_variants(concepts: dict[str, Concept]) -> dict[str, str]:
    """Concepts whose name is another's with a prefix: `Fast R-CNN` → `R-CNN`, `CIoU` → `IoU`.

    The original must be written inside the variant as it is written on its own:
    `MobileNet` is not a `LeNet`, `sigmoid` holds no `ID`. A two-letter original needs a
    short lower-case prefix that visibly stands apart (`mAP`, `CmBN`): `FPR` is not a
    kind of `PR`, nor `OpenCV` of `CV`.

    Examples
    --------
    >>> from kg.models import Concept
    >>> cs = {c: Concept(id=c.lower().replace("-", "").replace(" ", ""), name=c)
    ...       for c in ["Fast R-CNN", "R-CNN", "MobileNet", "LeNet", "FPR", "PR", "mAP", "AP"]}
    >>> name_variants({c.id: c for c in cs.values()})
    {'fastrcnn': 'rcnn', 'map': 'ap'}
    """
    by_key = {c.id: c for c in concepts.values() if c.id.isascii() and len(c.id) >= 2}
    variants: dict[str, str] = {}
    for cid, concept in by_key.items():
        for cut in range(1, min(_VARIANT_PREFIX_MAX, len(cid) - 2) + 1):
            base = by_key.get(cid[cut:])
            if base is not None and base.id != cid and _written_inside(base.name, concept.name):
                variants[cid] = base.id
                break
    return variants


def _written_inside(base: str, variant: str) -> bool:
    if base not in variant:
        return False
    if len(base) >= 3:
        return True
    prefix = variant[: variant.index(base)]
    return 1 <= len(prefix) <= 2 and prefix[-1].islower() and base[0].isupper()


def _add_name_variants(edges, extracts, concepts, mentions, headings):
    """A variant named in the same section as its original is related to it; it improves it only
    where the passage says so (`改进`, `基于`): `GoogLeNet` is no better `LeNet`."""
    variants = name_variants(concepts)
    if not variants:
        return
    for ex in extracts:
        sections: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for p in ex.passages:
            sections[p.heading].update(mentions.get(p.id, ()), headings.get(p.id, ()))
        for p in ex.passages:
            for variant in set(mentions.get(p.id, ())) & variants.keys():
                base = variants[variant]
                if base in sections[p.heading]:
                    type_ = "improves" if _states_improvement(p.text, concepts[variant], concepts[base]) else "related"
                    edges.add(variant, base, type_, Evidence(source=p.source, line=p.line, text=p.text[:EVIDENCE_CHARS],
                                                             rule="name_variant"))


def _states_improvement(text: str, variant: Concept, base: Concept) -> bool:
    """A sentence names both and says `改进`/`基于`: `DSSD … 改进每个任务的子网` about MS-CNN does not.

    Examples
    --------
    >>> v, b = Concept(id="dssd", name="DSSD"), Concept(id="ssd", name="SSD")
    >>> _states_improvement("DSSD是对SSD的改进。", v, b), _states_improvement("MS-CNN指出改进子网。DSSD更好。", v, b)
    (True, False)
    >>> _states_improvement("基于DSSD中的Anchor提出了先验框", v, b)
    False
    """
    for sentence in re.split(r"[。！？!?；;]", text):
        folded = sentence.casefold()
        if not _STATES_IMPROVEMENT.search(sentence) or not _names_in(folded, variant):
            continue
        for n in (variant.name, *variant.aliases):
            folded = folded.replace(n.casefold(), " ")
        names = "|".join(re.escape(n.casefold()) for n in (base.name, *base.aliases))
        if re.search(rf"(?:基于|在|对|based on|improves?)\s*`?(?:{names})|(?:{names})`?\s*(?:的|算法|模型)?\s*(?:改进|改良|基础)", folded):
            return True  # the original is what the sentence improves on, not merely named in it
    return False


def _names_in(folded: str, concept: Concept) -> bool:
    return any(n.casefold() in folded for n in (concept.name, *concept.aliases))


def _add_cooccurrence(edges, extracts, mentions, headings, typed):
    for ex in extracts:
        for p in ex.passages:
            found = mentions.get(p.id, [])
            if len(found) > MAX_CONCEPTS_FOR_COOCCURRENCE:
                found = found[:MAX_CONCEPTS_FOR_COOCCURRENCE]
            same_passage = under_heading = None
            for a, b in itertools.combinations(sorted(found), 2):
                if frozenset((a, b)) not in typed:
                    same_passage = same_passage or Evidence(source=p.source, line=p.line, text=p.text[:EVIDENCE_CHARS],
                                                            rule="same_passage")
                    edges.add(a, b, "related", same_passage)
            for h in headings.get(p.id, []):
                for c in found[:5]:
                    if c != h and frozenset((h, c)) not in typed:
                        under_heading = under_heading or Evidence(source=p.source, line=p.line, text=p.text[:EVIDENCE_CHARS],
                                                                  rule="under_heading")
                        edges.add(h, c, "related", under_heading, weight=0.5)
