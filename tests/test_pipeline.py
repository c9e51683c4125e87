"""Build, save, load and search end to end on tiny corpora."""


import pytest

from ingest.build import build as build_index
from kg import store
from kg.errors import IndexCorruptError, SettingsError, UnknownConceptError
from kg.workspace import Workspace


def _ws(notes, data):
    return Workspace(notes, data, build_index)


def test_sample_notes_build_into_concepts_relations_and_passages(sample_notes, data):
    report = _ws(sample_notes, data).build()
    assert report.files_read == 4 and not report.skipped
    index = store.load(data).index
    overfit = index.resolve("overfitting")
    assert overfit.name == "过拟合"
    solvers = {index.concepts[r.source].name for r in index.relations if r.target == overfit.id and r.type == "solves"}
    assert {"dropout", "早停", "正则化"} <= solvers
    for r in index.relations:
        assert r.evidence and all(e.text and e.line >= 1 for e in r.evidence)


def test_english_question_finds_the_chinese_answer(sample_notes, data):
    searcher = _ws(sample_notes, data).searcher()
    result = searcher.search("How to deal with overfitting?", 5)
    assert result.passages[0].text.startswith("过拟合的处理")
    assert result.concepts[0].name == "过拟合"


def test_gbk_and_bom_notes_are_read(sample_notes, data):
    searcher = _ws(sample_notes, data).searcher()
    assert any(p.source == "gbk.txt" for p in searcher.search("NMS", 5).passages)
    assert searcher.search("dilated convolution", 5).concepts[0].name == "空洞卷积"


def test_typos_and_traditional_characters_still_find_the_concept(sample_notes, data):
    searcher = _ws(sample_notes, data).searcher()
    assert searcher.search("regularizaton", 3).concepts[0].name == "正则化"
    assert searcher.search("正則化", 3).concepts[0].name == "正则化"


def test_empty_query_and_empty_corpus_give_empty_results(notes, data):
    searcher = _ws(notes, data).searcher()
    assert searcher.search("过拟合").passages == []
    assert searcher.search("").concepts == []


def test_save_load_round_trip_and_rebuild_from_scratch_is_identical(sample_notes, data, tmp_path):
    _ws(sample_notes, data).build()
    first = store.load(data).index
    other = tmp_path / "other"
    _ws(sample_notes, other).build()
    second = store.load(other).index
    assert first.model_dump() == second.model_dump()


def test_rebuild_reextracts_only_changed_files(sample_notes, data):
    ws = _ws(sample_notes, data)
    assert ws.build().files_extracted == 4
    assert ws.build().files_extracted == 0
    (sample_notes / "wrapped.txt").write_text("早停:防止过拟合\n", encoding="utf-8")
    assert ws.build().files_extracted == 1


def test_corrupt_index_is_detected_only_its_generation_kept_aside_and_rebuilt(sample_notes, data):
    ws = _ws(sample_notes, data)
    ws.build()
    (data / "added.jsonl").write_text('{"sha": "x", "path": "a.md"}\n', encoding="utf-8")
    gen = store.current_generation(data)
    (gen / "search.json").write_bytes((gen / "search.json").read_bytes()[:100])
    with pytest.raises(IndexCorruptError):
        store.load(data)
    assert ws.load().index.concepts
    assert ws.last_warning and "corrupt" in ws.last_warning
    aside = list(data.glob(f"corrupt-{gen.name}-*"))
    assert len(aside) == 1 and (aside[0] / "manifest.json").is_file()
    assert (data / store.LOCK).exists() and (data / "added.jsonl").exists() and any((data / "cache").iterdir())
    assert not list(data.parent.glob(".kg.corrupt-*"))


def test_bad_files_are_skipped_with_a_reason_and_counted(notes, data):
    (notes / "good.md").write_text("早停:防止过拟合", encoding="utf-8")
    (notes / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (notes / "latin1.txt").write_bytes("caf\xe9 r\xe9sum\xe9 \xff\xfe\xfd".encode("latin-1"))
    report = _ws(notes, data).build()
    reasons = dict(report.skipped)
    assert report.files_read >= 1 and "bin.txt" in reasons


def test_unknown_concept_suggests_names(sample_notes, data):
    index = _ws(sample_notes, data).load().index
    with pytest.raises(UnknownConceptError) as err:
        index.resolve("过拟")  # too short to be a typo of anything: names containing it are suggested
    assert "过拟合" in err.value.suggestions
    assert index.resolve("梯度消").name == "梯度消失"  # one character off: taken for the name


def test_missing_notes_folder_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError):
        Workspace.from_settings(str(tmp_path / "nope"), str(tmp_path / "d"))


def test_an_index_from_another_version_is_rebuilt_without_calling_it_corrupt(sample_notes, data):
    import json as _json

    ws = _ws(sample_notes, data)
    ws.build()
    manifest_path = store.current_generation(data) / "manifest.json"
    manifest = _json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["format"] = 1
    manifest_path.write_text(_json.dumps(manifest), encoding="utf-8")
    fresh = _ws(sample_notes, data)
    assert fresh.load().index.concepts
    assert fresh.last_warning is None
    assert not list(data.parent.glob(".kg.corrupt-*"))


def test_an_index_built_by_other_code_is_served_with_a_notice_and_refreshed_by_a_writer(sample_notes, data,
                                                                                       monkeypatch):
    ws = _ws(sample_notes, data)
    ws.build()
    first = store.current_generation(data)
    reader = _ws(sample_notes, data)
    assert reader.load().generation == first and reader.last_warning is None
    monkeypatch.setattr("kg.workspace.made_by_other_code", lambda manifest: True)
    reader = _ws(sample_notes, data)
    assert reader.load().generation == first
    assert "another version" in reader.last_warning
    assert _ws(sample_notes, data).refresh().generation != first


@pytest.fixture
def alter_module(monkeypatch):
    """Make the fingerprints see a project file with other bytes, as after an edit."""
    from kg import fingerprint

    def clear():
        fingerprint._closure_fingerprint.cache_clear()
        fingerprint.index_code.cache_clear()

    def alter(relative: str) -> None:
        target, real = fingerprint.PACKAGE_ROOT / relative, fingerprint.source_bytes
        monkeypatch.setattr(fingerprint, "source_bytes",
                            lambda path: real(path) + (b"\n# changed\n" if path == target else b""))
        clear()

    yield alter
    monkeypatch.undo()
    clear()


@pytest.mark.parametrize("module", ["kg/dictionary.py", "kg/tokenize.py", "ingest/passages.py", "kg/normalize.py"])
def test_changing_a_module_the_per_file_stage_imports_re_extracts_every_file(sample_notes, data, alter_module, module):
    ws = _ws(sample_notes, data)
    assert ws.build().files_extracted == 4
    alter_module(module)
    assert ws.build().files_extracted == 4
    assert ws.build().files_extracted == 0


def test_changing_a_module_extraction_does_not_import_keeps_the_extracts_but_not_the_index(sample_notes, data,
                                                                                            alter_module):
    ws = _ws(sample_notes, data)
    ws.build()
    assert not ws.is_stale(store.read_manifest(data))
    alter_module("ingest/assemble.py")
    assert ws.is_stale(store.read_manifest(data))
    assert ws.build().files_extracted == 0
    assert not ws.is_stale(store.read_manifest(data))
