"""Folding one note's edges into the saved ones must give what merging everything at once gives."""

from hypothesis import given, settings, strategies as st

from ingest.incremental import _merge_relations
from ingest.link import _Edges
from kg.models import Evidence

CONCEPTS = ["a", "b", "c", "d", "e"]
TYPES = ["related", "solves", "uses"]


def _as_a_build_merges(adds):
    """What a build makes of these (source, target, type, sentence) findings, all notes at once:
    the linker's own edge table, and no `related` edge between a pair that has a typed one (the
    linker adds co-occurrence only between pairs without a typed edge)."""
    edges = _Edges()
    for source, target, type_, text in adds:
        edges.add(source, target, type_, Evidence(source="n.md", line=1, text=text, rule="r"))
    typed = edges.typed_pairs()
    return [r for r in edges.relations() if r.type != "related" or frozenset((r.source, r.target)) not in typed]


def _findings(sentences):
    return st.lists(st.tuples(st.sampled_from(CONCEPTS), st.sampled_from(CONCEPTS), st.sampled_from(TYPES),
                              st.sampled_from(sentences)), max_size=25)


@settings(max_examples=300, deadline=None)
@given(_findings(["old 1", "old 2", "old 3"]), _findings(["new 1", "new 2", "new 3"]))
def test_folding_in_a_notes_edges_equals_merging_them_all(old_adds, new_adds):
    """A new note's sentences are its own (the approximation documented in `ingest.incremental`
    is about names, not edges), so the old notes' and the new note's evidence never coincide."""
    old, new = _as_a_build_merges(old_adds), _as_a_build_merges(new_adds)
    merged, added, delta = _merge_relations(old, new)
    assert merged == _as_a_build_merges(old_adds + new_adds)
    old_keys = {(r.source, r.target, r.type) for r in old}
    merged_keys = {(r.source, r.target, r.type) for r in merged}
    assert {(r.source, r.target, r.type) for r in added} == merged_keys - old_keys
    assert set(map(tuple, delta["remove"])) == old_keys - merged_keys
    changed = [r for r in merged if (r.source, r.target, r.type) not in old_keys or r not in old]
    assert sorted(delta["upsert"], key=lambda r: (r.source, r.target, r.type)) == changed
