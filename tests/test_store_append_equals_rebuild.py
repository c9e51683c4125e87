"""On real text, a note added to an index gets the facts a full build gives it (skipped where
../shared is absent), apart from the approximations `ingest.incremental` documents."""

import shutil

import pytest

from conftest import corpora_or_skip
from ingest.append import INBOX, add_note
from ingest.build import build as build_index
from kg import store
from kg.workspace import Workspace

pytestmark = pytest.mark.corpora

ADDED = ["4-deep_learning/深度学习基础/神经网络基础部件-BN层详解.md",
         "interview_summary/1-计算机视觉岗2019届实习面经.md"]


@pytest.fixture(scope="module")
def dl500(tmp_path_factory):
    """dl500 notes and their index, built once; each test copies both."""
    corpora = corpora_or_skip()
    root = tmp_path_factory.mktemp("dl500")
    shutil.copytree(corpora / "dl500", root / "notes" / "dl500")
    build_index(root / "notes", root / "data")
    return corpora, root


def _own_facts(index, source):
    """The note's concepts (as the index describes them) and its edges (evidence from it)."""
    mentioned = {c for p in index.passages if p.source == source for c in index.passage_concepts.get(p.id, [])}
    concepts = {cid: index.concepts[cid].model_dump() for cid in mentioned}
    edges = {(r.source, r.target, r.type): r for r in index.relations if any(e.source == source for e in r.evidence)}
    return concepts, edges


@pytest.mark.parametrize("relative", ADDED)
def test_an_appended_note_gets_the_facts_a_full_build_gives_it(dl500, tmp_path, relative):
    corpora, base = dl500
    notes, data, full = tmp_path / "notes", tmp_path / "data", tmp_path / "full"
    shutil.copytree(base / "notes", notes)
    shutil.copytree(base / "data", data)
    before = store.load(data).index
    text = (corpora / "cv_note" / relative).read_text(encoding="utf-8")
    path = add_note(Workspace(notes, data, build_index), text, title=relative.rsplit("/", 1)[-1][:-3]).path
    source = f"{INBOX}/{path.name}"
    shutil.copytree(data / "cache", full / "cache")  # the full build re-extracts nothing: same extracts
    build_index(notes, full)
    appended, rebuilt = store.load(data).index, store.load(full).index
    inc_concepts, inc_edges = _own_facts(appended, source)
    full_concepts, full_edges = _own_facts(rebuilt, source)

    # Exact: every concept the appended note names is the concept a full build gives it.
    for cid, concept in inc_concepts.items():
        assert full_concepts.get(cid) == concept, cid
    # Approximation 1: a name that becomes a concept only by counts over several notes (an
    # acronym seen in enough passages) is one in the full build only.
    assert set(full_concepts) - set(inc_concepts) <= set(rebuilt.concepts) - set(appended.concepts)

    new_names = set(appended.concepts) - set(before.concepts)
    new_keys = set(appended.keys) - set(before.keys)
    only_full = set(rebuilt.concepts) - set(appended.concepts)
    for k in set(inc_edges) | set(full_edges):
        ends = {k[0], k[1]}
        if ends & only_full:
            continue  # approximation 1
        if ends & new_names:
            # Approximation 2: a name the note makes a concept is not looked for in older notes,
            # so its edges there (their weight, and evidence that would fill the cap first) are missing.
            assert k in inc_edges, k
            continue
        assert k in inc_edges and k in full_edges, k
        assert inc_edges[k].evidence == full_edges[k].evidence, k
        # Approximation 2 again: the names (and aliases) the note adds are not looked for in
        # older notes, so the older notes' share of an edge's weight may differ; the note's share
        # may not.
        assert inc_edges[k].weight == full_edges[k].weight or new_keys, k
