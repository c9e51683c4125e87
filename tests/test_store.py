"""The data folder under readers and writers: generations, the pointer, corruption, staleness."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ingest.append import add_note
from ingest.build import build as build_index
from kg import store
from kg.errors import IndexCorruptError, IndexMissingError, SettingsError
from kg.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def ws(sample_notes, data) -> Workspace:
    w = Workspace(sample_notes, data, build_index)
    w.build()
    return w


def _resave(data: Path) -> Path:
    loaded = store.load(data)
    with store.write_lock(data):
        return store.save(data, loaded, loaded.manifest["notes"].files,
                          extra={"stats": loaded.manifest["notes"].stats,
                                 **{k: loaded.manifest[k] for k in ("skipped", "code_files", "pipeline")}})


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_a_save_keeps_the_generation_it_replaced_until_the_next_save(ws):
    first = store.current_generation(ws.data_dir)
    second = _resave(ws.data_dir)
    assert first.is_dir() and second.is_dir()
    third = _resave(ws.data_dir)
    assert not first.exists() and second.is_dir() and third.is_dir()
    assert store.current_generation(ws.data_dir) == third


def test_a_thousand_loads_racing_a_save_loop_never_fail(ws):
    stop = threading.Event()
    saves = []

    def writer():
        while not stop.is_set():
            saves.append(_resave(ws.data_dir))

    thread = threading.Thread(target=writer)
    thread.start()
    failures = []
    try:
        for _ in range(1000):
            try:
                assert store.load(ws.data_dir, graph=False).index.concepts
            except Exception as exc:  # noqa: BLE001 - every failure is counted, whatever it is
                failures.append(repr(exc))
    finally:
        stop.set()
        thread.join()
    assert len(saves) > 10, "the writer must have moved the pointer under the readers"
    assert failures == []
    assert not list(ws.data_dir.glob("corrupt-*"))


@pytest.mark.parametrize("pointer", [b"\xff\xfe\x00gen-1", b"gen-1; rm -rf /", b"", b"../notes"])
def test_a_garbage_pointer_is_corruption_and_is_recovered(ws, pointer):
    (ws.data_dir / store.POINTER).write_bytes(pointer)
    with pytest.raises(IndexCorruptError):
        store.load(ws.data_dir)
    fresh = Workspace(ws.notes_dir, ws.data_dir, build_index)
    assert fresh.load().index.concepts
    assert "corrupt" in fresh.last_warning
    assert [p.read_bytes() for p in ws.data_dir.glob(f"corrupt-{store.POINTER}-*")] == [pointer]


def test_an_altered_value_in_a_well_formed_file_fails_its_checksum(ws):
    gen = store.current_generation(ws.data_dir)
    search = json.loads((gen / "search.json").read_bytes())
    cid = sorted(search["concepts"])[0]
    search["concepts"][cid]["name"] = "tampered"
    (gen / "search.json").write_text(json.dumps(search, ensure_ascii=False), encoding="utf-8")
    assert store.load(ws.data_dir, verify=False).index.concepts[cid].name == "tampered"  # still well-formed
    with pytest.raises(IndexCorruptError, match="checksum"):
        store.load(ws.data_dir)


def test_a_healthy_index_is_never_set_aside(ws):
    before = sorted(p.name for p in ws.data_dir.iterdir())
    with store.write_lock(ws.data_dir):
        assert store.set_aside_corrupt(ws.data_dir) is None
    assert sorted(p.name for p in ws.data_dir.iterdir()) == before


def test_appends_past_max_segments_are_compacted_and_load_back_exactly(ws, monkeypatch):
    monkeypatch.setattr(store, "MAX_SEGMENTS", 3)
    lengths = []
    for i in range(6):
        add_note(ws, f"第{i}条:早停可以防止过拟合,梯度裁剪可以缓解梯度爆炸{i}", title=f"seg{i}")
        lengths.append(len(store.read_manifest(ws.data_dir)["passages"]))
    assert max(lengths) <= 3 and 1 in lengths[2:], lengths
    assert store.load(ws.data_dir).index.model_dump() == ws.load().index.model_dump()
    fresh = Workspace(ws.notes_dir, ws.data_dir.with_name("fresh"), build_index)
    fresh.build()
    assert len(store.load(fresh.data_dir).index.passages) == len(store.load(ws.data_dir).index.passages)


def test_an_external_edit_makes_the_index_stale_and_a_read_serves_it_without_writing(ws):
    generation = store.current_generation(ws.data_dir)
    (ws.notes_dir / "wrapped.txt").write_text("早停:防止过拟合\n", encoding="utf-8")
    (ws.notes_dir / "new.md").write_text("dropout 防止过拟合\n", encoding="utf-8")
    before = _snapshot(ws.data_dir)
    reader = Workspace(ws.notes_dir, ws.data_dir, build_index)
    assert reader.load().generation == generation
    assert reader.last_warning is not None and "2 notes changed" in reader.last_warning
    assert _snapshot(ws.data_dir) == before
    assert reader.refresh().generation != generation
    assert not Workspace(ws.notes_dir, ws.data_dir).is_stale(store.load(ws.data_dir).manifest)


def test_a_same_size_rewrite_within_the_same_clock_tick_is_still_noticed(notes, data):
    note = notes / "a.md"
    note.write_text("早停:防止过拟合\n", encoding="utf-8")
    Workspace(notes, data, build_index).build()
    stat = note.stat()
    note.write_text("早停:防止欠拟合\n", encoding="utf-8")
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # size, mtime and inode all as recorded
    assert Workspace(notes, data).changed_notes(store.read_manifest(data)) == 1


def test_an_unchanged_settled_note_is_not_read_again(ws, monkeypatch):
    manifest = store.read_manifest(ws.data_dir)
    signatures = manifest["notes"].signatures = manifest["notes"].signatures.copy()  # as loaded, read-only
    signatures[:, 3] = signatures[:, 1] + 10 * 10**9  # as if the stats were taken long after the last write
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    assert Workspace(ws.notes_dir, ws.data_dir).changed_notes(manifest) == 0


def test_a_read_only_face_does_not_build_a_missing_index(sample_notes, data):
    with pytest.raises(IndexMissingError, match="run `kg build`"):
        Workspace(sample_notes, data).load()
    assert not (data / store.POINTER).exists()


def test_a_read_on_an_unwritable_data_folder_reports_a_missing_index_clearly(sample_notes, data, monkeypatch):
    monkeypatch.setattr(Workspace, "writable", lambda self: False)
    with pytest.raises(IndexMissingError, match="read-only"):
        Workspace(sample_notes, data, build_index).load()


@pytest.mark.parametrize("where", ["equal", "inside", "above"])
def test_a_data_folder_tangled_with_the_notes_folder_is_refused(tmp_path, where):
    notes = tmp_path / "top" / "notes"
    notes.mkdir(parents=True)
    data = {"equal": notes, "inside": notes / ".kg", "above": tmp_path / "top"}[where]
    with pytest.raises(SettingsError):
        Workspace.from_settings(str(notes), str(data))


def test_search_on_a_built_index_imports_no_write_path(ws):
    probe = ("import sys\nfrom ui.cli import main\n"
             f"main(['search', '--notes', {str(ws.notes_dir)!r}, '--data', {str(ws.data_dir)!r}, '过拟合'])\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ingest', 'jieba')))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("command", [["search", "过拟合"], ["show", "过拟合"], ["export"]])
def test_read_commands_on_a_stale_index_print_a_notice_and_write_nothing(ws, command):
    (ws.notes_dir / "new.md").write_text("dropout 防止过拟合\n", encoding="utf-8")
    before = _snapshot(ws.data_dir)
    out = subprocess.run([sys.executable, "-m", "ui.cli", *command, "--notes", str(ws.notes_dir),
                          "--data", str(ws.data_dir)], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    notices = out.stderr.strip().splitlines()
    assert len(notices) == 1 and "stale" in notices[0] and "1 note changed" in notices[0]
    assert _snapshot(ws.data_dir) == before
