"""Folding one note's edges into the saved ones must give what merging everything at once gives."""

from hypothesis import given, settings, strategies as st

from ingest.incremental import _merge_relations
from ingest.link import evidence_limit
from kg.models import Evidence, Relation

CONCEPTS = ["a", "b", "c", "d", "e"]
TYPES = ["related", "solves", "uses"]


def _edge(source, target, type_, text):
    return Relation(source=source, target=target, type=type_, weight=1.0,
                    evidence=(Evidence(source="n.md", line=1, text=text, rule="r"),))


def _as_a_build_leaves_them(edges):
    """Unique keys, sorted, no `related` edge between a pair that has a typed one."""
    by_key = {(r.source, r.target, r.type): r for r in edges if r.source != r.target}
    typed = {frozenset(k[:2]) for k in by_key if k[2] != "related"}
    return [by_key[k] for k in sorted(by_key) if k[2] != "related" or frozenset(k[:2]) not in typed]


def _reference(old, new):
    by_key = {(r.source, r.target, r.type): r for r in old}
    for r in new:
        k = (r.source, r.target, r.type)
        if k in by_key:
            kept = by_key[k]
            evidence = list(kept.evidence)
            evidence += [e for e in r.evidence if e not in evidence][: max(0, evidence_limit(r.type) - len(evidence))]
            by_key[k] = kept.model_copy(update={"weight": round(kept.weight + r.weight, 3), "evidence": tuple(evidence)})
        else:
            by_key[k] = r
    typed = {frozenset(k[:2]) for k in by_key if k[2] != "related"}
    return [by_key[k] for k in sorted(by_key) if k[2] != "related" or frozenset(k[:2]) not in typed]


edges = st.lists(st.tuples(st.sampled_from(CONCEPTS), st.sampled_from(CONCEPTS), st.sampled_from(TYPES),
                           st.sampled_from(["s1", "s2", "s3"])), max_size=25)


@settings(max_examples=300, deadline=None)
@given(edges, edges)
def test_folding_in_a_notes_edges_equals_merging_them_all(old_spec, new_spec):
    old = _as_a_build_leaves_them([_edge(*e) for e in old_spec])
    new = _as_a_build_leaves_them([_edge(*e) for e in new_spec])
    merged, added, delta = _merge_relations(old, new)
    assert merged == _reference(old, new)
    old_keys = {(r.source, r.target, r.type) for r in old}
    merged_keys = {(r.source, r.target, r.type) for r in merged}
    assert {(r.source, r.target, r.type) for r in added} == merged_keys - old_keys
    assert set(map(tuple, delta["remove"])) == old_keys - merged_keys
    changed = [r for r in merged if (r.source, r.target, r.type) not in old_keys or r not in old]
    assert sorted(delta["upsert"], key=lambda r: (r.source, r.target, r.type)) == changed
