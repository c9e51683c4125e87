"""A search reads the index lazily: same answers as a full load, without parsing every passage."""

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.append import add_note
from kg import store
from kg.models import Passage
from kg.notetable import NoteTable
from kg.passage_rows import PassageRows, read_rows, rows_bytes
from kg.search import Searcher

QUERIES = ["过拟合", "How to deal with overfitting?", "dropout 和 batch normalization 的区别", "梯度消失怎么办"]


def _searcher(loaded: store.LoadedIndex) -> Searcher:
    return Searcher(loaded.index, loaded.passage_bm25, loaded.concept_bm25, loaded.concept_order,
                    loaded.query_tokenizer())


@pytest.mark.parametrize("query", QUERIES)
def test_a_lazily_read_index_answers_as_a_full_load_does(bundled_index, query):
    full = store.load(bundled_index.data_dir)
    lazy = store.load(bundled_index.data_dir, graph=False)
    assert _searcher(lazy).search(query) == _searcher(full).search(query)


def test_a_search_parses_only_the_passages_it_ranks(bundled_index):
    lazy = store.load(bundled_index.data_dir, graph=False)
    rows = lazy.index.passages
    assert isinstance(rows, PassageRows) and len(rows) == len(store.load(bundled_index.data_dir).index.passages)
    _searcher(lazy).search("过拟合", k=5)
    assert 0 < len(rows._parsed) <= 15  # the 3·k candidates the question prior looks at, no more


def test_every_part_of_a_lazily_read_index_equals_the_full_load(bundled_index):
    full = store.load(bundled_index.data_dir).index
    lazy = store.load(bundled_index.data_dir, graph=False).index
    assert list(lazy.passages) == full.passages
    assert dict(lazy.passage_concepts) == full.passage_concepts
    assert dict(lazy.concept_passages) == full.concept_passages
    assert lazy.concepts == full.concepts and lazy.keys == full.keys and lazy.bridges == full.bridges


def test_appended_passages_are_read_lazily_from_their_own_segment(sample_notes, data):
    from ingest.build import build
    from kg.workspace import Workspace

    ws = Workspace(sample_notes, data, build)
    ws.build()
    add_note(ws, "稀有词汇庚辛壬可以缓解过拟合。", title="lazy")
    assert len(store.read_manifest(data)["passages"]) == 2
    lazy = store.load(data, graph=False)
    hits = _searcher(lazy).search("稀有词汇庚辛壬").passages
    assert hits and "庚辛壬" in hits[0].text
    assert list(lazy.index.passages) == store.load(data).index.passages


passages = st.builds(Passage, id=st.text(min_size=1, max_size=8), source=st.text(max_size=12),
                     line=st.integers(1, 10**6), heading=st.lists(st.text(max_size=6), max_size=3).map(tuple),
                     text=st.text(max_size=40), kind=st.sampled_from(["paragraph", "item", "question"]))


@given(st.lists(passages, max_size=6), st.lists(passages, max_size=3), st.data())
def test_passage_rows_round_trip_line_by_line_and_whole(first, second, data):
    concepts = {p.id: data.draw(st.lists(st.text(max_size=4), max_size=3)) for p in first + second}
    segments = [rows_bytes(first, concepts), rows_bytes(second, concepts)]
    rows = PassageRows(segments)
    assert len(rows) == len(first) + len(second)
    assert [rows[i] for i in reversed(range(len(rows)))] == list(reversed(first + second))
    whole, by_id = read_rows(segments)
    assert [Passage.model_validate(p) for p in whole] == first + second
    assert by_id == {p.id: concepts[p.id] for p in first + second}


names = st.text(st.characters(blacklist_characters="\0", blacklist_categories=["Cs"]), min_size=1, max_size=10)


@given(st.dictionaries(names, st.binary(min_size=32, max_size=32), max_size=8), st.data())
def test_the_note_table_round_trips(files, data):
    hexes = {name: sha.hex() for name, sha in files.items()}
    stats = {name: data.draw(st.lists(st.integers(0, 2**62), min_size=4, max_size=4)) for name in files
             if data.draw(st.booleans())}
    table = NoteTable.from_bytes(NoteTable.from_mappings(hexes, stats).to_bytes())
    assert table.files == hexes and table.stats == stats
    assert all(table.sha(name) == sha for name, sha in hexes.items())


def test_an_index_of_the_previous_format_is_rebuilt_not_misread(sample_notes, data, monkeypatch):
    from ingest.build import build
    from kg.workspace import Workspace

    ws = Workspace(sample_notes, data, build)
    monkeypatch.setattr(store, "FORMAT_VERSION", store.FORMAT_VERSION - 1)
    ws.build()
    old = store.current_generation(data)
    monkeypatch.undo()
    assert ws.load(graph=False).generation != old
    assert _searcher(ws.load(graph=False)).search("过拟合").passages


def test_a_note_table_naming_notes_that_are_gone_counts_them_changed(sample_notes, data):
    from ingest.build import build
    from kg.workspace import Workspace

    ws = Workspace(sample_notes, data, build)
    ws.build()
    first = sorted(sample_notes.iterdir())[0]
    os.remove(first)
    assert ws.changed_notes(store.read_manifest(data)) == 1
    assert np.all(store.read_manifest(data)["notes"].signatures[:, 0] >= 0)


numeric = st.sampled_from([np.int32, np.int64, np.uint16, np.uint8, np.float32, np.float64])


@given(st.dictionaries(st.text(max_size=5), st.one_of(
    st.lists(st.text(max_size=6), max_size=5),
    st.tuples(numeric, st.lists(st.integers(0, 200), max_size=12)).map(lambda t: np.array(t[1], dtype=t[0])))))
def test_array_blobs_round_trip(arrays):
    from kg.arrays import pack, unpack

    out = unpack(pack(arrays))
    assert out.keys() == arrays.keys()
    for name, value in arrays.items():
        if isinstance(value, np.ndarray):
            assert out[name].dtype == value.dtype and np.array_equal(out[name], value)
        else:
            assert out[name] == value


def test_a_truncated_array_blob_is_refused_not_misread():
    from kg.arrays import pack, unpack

    blob = pack({"a": np.arange(100, dtype=np.int64), "t": ["过拟合"] * 10})
    for cut in (3, 20, len(blob) // 2, len(blob) - 16):  # the last bytes are padding
        with pytest.raises(ValueError):
            unpack(blob[:cut])


@pytest.fixture
def settled_ws(sample_notes, data, monkeypatch):
    """A built workspace whose folders count as settled (as they are a few seconds after any change)."""
    from ingest.build import build
    from kg.workspace import Workspace

    (sample_notes / "sub" / "empty").mkdir(parents=True)
    (sample_notes / "sub" / "a.md").write_text("早停可以防止过拟合。\n", encoding="utf-8")
    monkeypatch.setattr("kg.workspace.SETTLED_NS", -10**18)
    ws = Workspace(sample_notes, data, build)
    ws.build()
    return ws


def _scan(ws):
    from kg.workspace import NoteScan

    scan = NoteScan(ws.notes_dir, data_dir=ws.data_dir)
    return scan, ws.changed_notes(store.read_manifest(ws.data_dir), scan)


def test_an_unchanged_notes_folder_is_checked_without_listing_it(settled_ws, monkeypatch):
    monkeypatch.setattr("kg.workspace.note_files", lambda root: pytest.fail("the notes were walked"))
    scan, changed = _scan(settled_ws)
    assert changed == 0 and not scan.walked


@pytest.mark.parametrize("change", ["add_in_empty_folder", "add_at_top", "delete", "rename", "edit", "new_folder"])
def test_every_kind_of_change_is_noticed_when_folders_are_recorded(settled_ws, change):
    notes = settled_ws.notes_dir
    if change == "add_in_empty_folder":
        (notes / "sub" / "empty" / "new.md").write_text("新笔记\n", encoding="utf-8")
    elif change == "add_at_top":
        (notes / "new.md").write_text("新笔记\n", encoding="utf-8")
    elif change == "delete":
        (notes / "sub" / "a.md").unlink()
    elif change == "rename":
        (notes / "sub" / "a.md").rename(notes / "sub" / "b.md")
    elif change == "edit":
        with open(notes / "sub" / "a.md", "a", encoding="utf-8") as fh:
            fh.write("梯度裁剪可以缓解梯度爆炸。\n")
    else:
        (notes / "sub" / "empty" / "deeper").mkdir()
        (notes / "sub" / "empty" / "deeper" / "x.md").write_text("新笔记\n", encoding="utf-8")
    _, changed = _scan(settled_ws)
    assert changed >= 1
    assert settled_ws.changed_notes(store.read_manifest(settled_ws.data_dir)) == changed  # as a walk counts


def test_a_folder_with_a_link_is_always_walked(sample_notes, data):
    from ingest.build import build
    from kg.workspace import Workspace

    os.symlink(sorted(sample_notes.iterdir())[0], sample_notes / "linked.md")
    ws = Workspace(sample_notes, data, build)
    ws.build()
    assert store.read_manifest(data)["folders"] is None
    scan, changed = _scan(ws)
    assert scan.walked and changed == 0


def test_unsettled_folders_are_walked(settled_ws, monkeypatch):
    monkeypatch.setattr("kg.workspace.SETTLED_NS", 10**18)
    scan, changed = _scan(settled_ws)
    assert scan.walked and changed == 0


def test_counting_a_concepts_passages_on_a_lazy_index_builds_no_passage(bundled_index):
    full = store.load(bundled_index.data_dir).index
    loaded = store.load(bundled_index.data_dir, graph=False)
    _searcher(loaded).search("过拟合")  # some rows parsed first, as a search does
    parsed = len(loaded.index.passages._parsed)
    counts = {cid: len(loaded.index.concept_passages.get(cid, ())) for cid in full.concepts}
    assert counts == {cid: len(full.concept_passages.get(cid, ())) for cid in full.concepts}
    assert dict(loaded.index.concept_passages) == full.concept_passages  # lists in passage order too
    assert len(loaded.index.passages._parsed) == parsed
