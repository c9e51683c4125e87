"""Appending notes: nothing lost, nothing overwritten, bad input handled, concurrency and crashes survived."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ingest.append import add_note, preview_note, sanitize_title
from ingest.build import build as build_index
from kg.workspace import Workspace
from kg import store
from kg.errors import NoteRejectedError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def ws(sample_notes, data):
    w = Workspace(sample_notes, data, build_index)
    w.build()
    return w


def kg(*args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, env={**os.environ, **(env or {})},
                          input=stdin, timeout=300)


def test_added_note_is_searchable_at_once_and_reports_what_changed(ws):
    result = add_note(ws, "Focal Loss:解决类别不平衡问题的损失函数", title="1101 面试")
    assert result.path.parent.name == "inbox" and result.path.name.endswith("-1101-面试.md")
    assert "focal loss" in [c.casefold() for c in result.concepts_new]
    assert any(r["type"] == "solves" for r in result.relations_new)
    hits = ws.searcher().search("focal loss", 3)
    assert hits.passages[0].source.startswith("inbox/")


def test_incremental_add_matches_a_full_rebuild_on_the_new_notes_facts(ws, tmp_path):
    add_note(ws, "早停:防止过拟合的训练技巧\n梯度裁剪可以缓解梯度爆炸", title="incremental")
    inc = store.load(ws.data_dir).index
    fresh = Workspace(ws.notes_dir, tmp_path / "fresh", build_index)
    fresh.build()
    full = store.load(fresh.data_dir).index
    assert {p.id for p in inc.passages} == {p.id for p in full.passages}
    assert {(r.source, r.target, r.type) for r in full.relations if r.type != "related"} == \
           {(r.source, r.target, r.type) for r in inc.relations if r.type != "related"}


def test_same_text_twice_is_refused_unless_forced(ws):
    add_note(ws, "蒸馏:用大模型指导小模型训练", title="a")
    with pytest.raises(NoteRejectedError, match="already added"):
        add_note(ws, "蒸馏:用大模型指导小模型训练", title="b")
    assert add_note(ws, "蒸馏:用大模型指导小模型训练", title="b", force=True).path.exists()


def test_a_note_is_never_overwritten(ws):
    first = add_note(ws, "第一条", title="same")
    second = add_note(ws, "第二条", title="same")
    assert first.path != second.path
    assert "第一条" in first.path.read_text(encoding="utf-8")


def test_append_to_an_existing_note_keeps_its_text(ws):
    before = (ws.notes_dir / "wrapped.txt").read_text(encoding="utf-8")
    add_note(ws, "补充:早停也能防止过拟合", to="wrapped.txt")
    after = (ws.notes_dir / "wrapped.txt").read_text(encoding="utf-8")
    assert after.startswith(before) and "补充:早停也能防止过拟合" in after and "---" in after


def test_preview_writes_nothing(ws):
    files = sorted(ws.notes_dir.rglob("*"))
    preview = preview_note(ws, "Focal Loss:解决类别不平衡问题的损失函数")
    assert preview.concepts_new and sorted(ws.notes_dir.rglob("*")) == files


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_refused(ws, text):
    with pytest.raises(NoteRejectedError, match="empty"):
        add_note(ws, text)


def test_text_over_the_limit_is_refused_with_the_limit(ws, monkeypatch):
    monkeypatch.setenv("KG_MAX_NOTE_BYTES", "100")
    with pytest.raises(NoteRejectedError, match="over the limit of 100"):
        add_note(ws, "长" * 200)


def test_nul_bytes_are_refused(ws):
    with pytest.raises(NoteRejectedError, match="NUL"):
        add_note(ws, "a\x00b")


def test_zero_width_characters_are_kept_in_the_note_and_ignored_by_search(ws):
    result = add_note(ws, "过\u200b拟合:模型在训练集上好、测试集上差", title="zw")
    assert "\u200b" in result.path.read_text(encoding="utf-8")
    assert any(p.source == f"inbox/{result.path.name}" for p in ws.searcher().search("过拟合", 10).passages)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_files_in_other_encodings_are_decoded(ws, tmp_path, encoding):
    src = tmp_path / f"note-{encoding}.txt"
    src.write_bytes("非极大值抑制:去掉重叠的候选框".encode(encoding))
    out = kg("add", str(src), env={"KG_NOTES": str(ws.notes_dir), "KG_DATA": str(ws.data_dir)})
    assert out.returncode == 0, out.stderr
    written = list((ws.notes_dir / "inbox").glob(f"*note-{encoding}*.md"))
    assert "非极大值抑制:去掉重叠的候选框" in written[0].read_text(encoding="utf-8")


def test_big5_is_decoded_right_or_refused(ws, tmp_path):
    src = tmp_path / "big5.txt"
    text = "過擬合的處理方法包括資料增強與正則化"
    src.write_bytes(text.encode("big5"))
    out = kg("add", str(src), env={"KG_NOTES": str(ws.notes_dir), "KG_DATA": str(ws.data_dir)})
    if out.returncode == 0:
        written = next((ws.notes_dir / "inbox").glob("*big5*.md"))
        assert text in written.read_text(encoding="utf-8")
    else:
        assert b"Traceback" not in out.stderr and len(out.stderr.splitlines()) == 1


def test_binary_file_is_refused_in_one_line(ws, tmp_path):
    src = tmp_path / "image.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    out = kg("add", str(src), env={"KG_NOTES": str(ws.notes_dir), "KG_DATA": str(ws.data_dir)})
    assert out.returncode != 0 and b"Traceback" not in out.stderr and len(out.stderr.splitlines()) == 1


def test_a_one_megabyte_line_without_punctuation_finishes(ws):
    result = add_note(ws, "梯度" * 170_000, title="huge")
    assert result.path.stat().st_size > 1_000_000
    assert store.load(ws.data_dir).index.passages


@pytest.mark.parametrize("title", ["../../x", "/etc/passwd", "a/../../b", "con", "a:b", "a\x00b", "长" * 600])
def test_hostile_titles_land_inside_the_inbox(ws, title):
    result = add_note(ws, f"标题测试 {title!r}", title=title)
    assert result.path.resolve().parent == (ws.notes_dir / "inbox").resolve()
    assert len(result.path.name.encode("utf-8")) < 255


def test_symlink_leaving_the_notes_folder_is_skipped(ws, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("秘密:不该被读到", encoding="utf-8")
    os.symlink(outside, ws.notes_dir / "link.md")
    report = ws.build()
    assert ("link.md", "symlink pointing outside the notes folder") in report.skipped
    assert not ws.searcher().search("秘密", 5).passages


def test_markup_is_stored_as_written(ws):
    text = "<script>alert(1)</script> [x](javascript:alert(1)) $\\frac{a}{b}$ <img src=x onerror=alert(1)>"
    result = add_note(ws, text, title="markup")
    assert text in result.path.read_text(encoding="utf-8")
    hit = ws.searcher().search("javascript", 5).passages[0]
    assert "<script>alert(1)</script>" in hit.text


@given(st.text(max_size=300))
def test_sanitized_titles_always_stay_inside_the_folder(title):
    slug = sanitize_title(title)
    folder = Path("/notes/inbox")
    path = (folder / f"2026-01-01-{slug}.md").resolve()
    assert path.parent == folder and slug and "/" not in slug and "\x00" not in slug
    assert len(slug.encode("utf-8")) <= 120


_WORKER = """
import sys
from ui.cli import main
for i in range(50):
    rc = main(["add", "--text", f"并发笔记 {sys.argv[1]}-{i}: 第{i}条关于梯度消失的笔记", "--title", f"w{sys.argv[1]}-{i}"])
    assert rc == 0, rc
"""


def test_two_processes_adding_fifty_notes_each_lose_nothing(ws):
    env = {**os.environ, "KG_NOTES": str(ws.notes_dir), "KG_DATA": str(ws.data_dir)}
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(n)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in (1, 2)]
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err.decode()[-2000:]
    notes = list((ws.notes_dir / "inbox").glob("*.md"))
    assert len(notes) == 100
    index = store.load(ws.data_dir).index
    sources = {p.source for p in index.passages}
    assert all(f"inbox/{n.name}" in sources for n in notes)
    searcher = ws.searcher()
    assert any(p.source.startswith("inbox/") for p in searcher.search("并发笔记 2-49", 5).passages)


def test_appends_saved_as_deltas_load_back_exactly(ws):
    for i in range(3):
        add_note(ws, f"第{i}条:早停可以防止过拟合,梯度裁剪可以缓解梯度爆炸,Focal Loss解决类别不平衡{i}", title=f"d{i}")
    in_memory = ws.load().index
    manifest = store.read_manifest(ws.data_dir)
    assert len(manifest["graph"]) == len(manifest["passages"]) == len(manifest["postings"]) == 4
    loaded = store.load(ws.data_dir)
    assert loaded.index.model_dump() == in_memory.model_dump()
    in_memory_postings = ws.load().passage_bm25.to_arrays()
    for name, array in loaded.passage_bm25.to_arrays().items():
        assert np.array_equal(array, in_memory_postings[name]), name
    assert ws.searcher().search("梯度裁剪", 3).passages


def test_a_title_names_the_note_and_is_not_mined_as_a_concept(ws):
    result = add_note(ws, "一种模型压缩方法，用大模型指导小模型。", title="知识蒸馏")
    assert "知识蒸馏" not in result.concepts_new
    assert result.path.read_text(encoding="utf-8").startswith('---\ntitle: "知识蒸馏"\n---\n\n一种模型压缩方法')
    assert "知识蒸馏" not in {c.name for c in ws.load().index.concepts.values()}
    hits = ws.searcher().search("大模型指导小模型").passages
    assert hits and hits[0].source == f"inbox/{result.path.name}" and hits[0].line == 5


def test_a_title_with_quotes_newlines_and_controls_stays_one_front_matter_line(ws):
    result = add_note(ws, "早停可以缓解过拟合。", title='a "b"\nc\u202ed: e')
    assert result.path.read_text(encoding="utf-8").startswith('---\ntitle: "a \\"b\\" cd: e"\n---\n')


@pytest.mark.parametrize("title, text", [
    ("知识蒸馏", "一种模型压缩方法，用大模型指导小模型。"),
    (None, "## Focal Loss\n\n用于解决类别不平衡。\n"),
    (None, "Focal Loss 用于解决类别不平衡。\nFocal Loss 是一种损失函数。\n"),
])
def test_the_preview_lists_exactly_what_the_save_adds(ws, title, text):
    preview = preview_note(ws, text, title=title)
    saved = add_note(ws, text, title=title)
    assert (preview.concepts_new, preview.relations) == (saved.concepts_new, saved.relations_new)
