"""Hostile folders and inputs (issue 9, item 7): each is handled with a reason, never a hang or a crash."""

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.append import add_note, preview_note, sanitize_title
from ingest.read import find_notes, read_note, read_stream, NoteTooBig, UnreadableNote
from kg.workspace import Workspace
from ui.workspace import build_index
from kg import store
from kg.errors import NoteTooBigError, NotesUnreadableError, QueryTooLongError, StorageError
from kg.limits import MAX_QUERY_CHARS

GBK_NAME = "过拟合笔记.md".encode("gbk")


def kg(*args, env=None, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True,
                          env={**os.environ, **(env or {})}, stdin=stdin, timeout=timeout)


@pytest.fixture
def ws(sample_notes, data):
    w = Workspace(sample_notes, data, build_index)
    w.build()
    return w


def _generation(data: Path) -> str:
    return (data / "CURRENT").read_text()


def test_unlistable_notes_folder_is_an_error_and_the_index_is_kept(ws, monkeypatch):
    before = _generation(ws.data_dir)
    real_scandir = os.scandir

    def refuse(path="."):
        if Path(path) == ws.notes_dir.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(NotesUnreadableError, match="cannot read the notes folder .*Permission denied"):
        ws.build()
    assert _generation(ws.data_dir) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway")
def test_chmod_000_notes_folder_exits_1_and_keeps_the_index(ws):
    before = _generation(ws.data_dir)
    ws.notes_dir.chmod(0)
    try:
        out = kg("build", "--notes", str(ws.notes_dir), "--data", str(ws.data_dir))
    finally:
        ws.notes_dir.chmod(0o755)
    assert out.returncode == 1 and b"cannot read the notes folder" in out.stderr
    assert _generation(ws.data_dir) == before


def test_a_note_that_cannot_be_opened_is_an_error_and_the_index_is_kept(ws, monkeypatch):
    before = _generation(ws.data_dir)
    (ws.notes_dir / "locked.md").write_text("过拟合是一种现象。", encoding="utf-8")
    real_open = os.open

    def refuse(path, flags, *rest, **kw):
        if str(path).endswith("locked.md"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *rest, **kw)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(NotesUnreadableError, match="locked.md: Permission denied"):
        ws.build()
    assert _generation(ws.data_dir) == before


def test_symlink_loops_and_fifos_are_skipped_with_a_reason_never_a_hang(sample_notes, data):
    os.symlink("self.md", sample_notes / "self.md")
    os.symlink("b.md", sample_notes / "a.md")
    os.symlink("a.md", sample_notes / "b.md")
    os.mkfifo(sample_notes / "pipe.md")
    out = kg("build", "--notes", str(sample_notes), "--data", str(data), timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    for name in ("self.md", "a.md", "b.md"):
        assert f"  {name}: symlink loop" in text
    assert "  pipe.md: not a regular file (a FIFO, device or socket)" in text
    search = kg("search", "过拟合", "--notes", str(sample_notes), "--data", str(data), timeout=60)
    assert search.returncode == 0, search.stderr


def test_read_note_refuses_a_fifo_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    started = time.monotonic()
    with pytest.raises(UnreadableNote, match="not a regular file"):
        read_note(tmp_path / "pipe.md")
    assert time.monotonic() - started < 5


def test_non_utf8_file_names_are_read_and_shown_readably(sample_notes, data):
    raw = os.fsencode(sample_notes) + b"/" + GBK_NAME
    with open(raw, "wb") as fh:
        fh.write("稀有词汇甲乙丙是一种正则化方法。\n".encode("utf-8"))
    found, _ = find_notes(sample_notes)
    assert "过拟合笔记.md" in found and os.fsencode(found["过拟合笔记.md"]).endswith(GBK_NAME)
    out = kg("search", "稀有词汇甲乙丙", "--notes", str(sample_notes), "--data", str(data))
    assert out.returncode == 0, out.stderr
    assert "过拟合笔记.md:1" in out.stdout.decode("utf-8")


def test_a_50_mb_note_in_the_folder_is_skipped_before_it_is_read(sample_notes, data):
    with open(sample_notes / "huge.md", "wb") as fh:
        fh.write(("过拟合是模型在训练集上表现好。\n" * 1_200_000).encode("utf-8"))  # 55 MB
    code = ("import resource, sys; from ui.cli import main; rc = main(sys.argv[1:]);"
            "print('maxrss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code, "build", "--notes", str(sample_notes), "--data", str(data)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    size = (sample_notes / "huge.md").stat().st_size
    assert f"  huge.md: too big: {size:,} bytes, over the limit of 2,000,000 (set KG_MAX_NOTE_BYTES)" in out.stdout
    rss_kb = int(out.stdout.split("maxrss_kb")[1].split()[0])
    assert rss_kb < 1.5 * 2**20


def test_a_note_over_a_lowered_limit_is_skipped_and_comes_back_when_raised(sample_notes, data):
    (sample_notes / "long.md").write_text("稀有词汇甲乙丙是正则化。\n" * 100, encoding="utf-8")
    small = kg("build", "--notes", str(sample_notes), "--data", str(data), env={"KG_MAX_NOTE_BYTES": "1000"})
    assert b"  long.md: too big: 3,700 bytes, over the limit of 1,000" in small.stdout
    kg("build", "--notes", str(sample_notes), "--data", str(data))
    out = kg("search", "稀有词汇甲乙丙", "--notes", str(sample_notes), "--data", str(data))
    assert "long.md:1" in out.stdout.decode()


def test_add_from_an_endless_stdin_stops_at_the_limit(ws):
    with open("/dev/zero", "rb") as zero:
        out = kg("add", "-", "--notes", str(ws.notes_dir), "--data", str(ws.data_dir), stdin=zero, timeout=60)
    assert out.returncode == 1
    assert out.stderr.decode().strip() == "kg: error: -: too big: more than 2,000,000 bytes, the limit (set KG_MAX_NOTE_BYTES)"


def test_read_stream_reads_no_more_than_one_byte_past_the_limit():
    class Endless:
        read_total = 0

        def read(self, n):
            self.read_total += n
            return b"x" * n

    stream = Endless()
    with pytest.raises(NoteTooBig):
        read_stream(stream, limit=10_000)
    assert stream.read_total == 10_001


@pytest.mark.parametrize("title", ["evil\u202egpj.md", "a\x1b[31mred", "zero\u200bwidth\u2066x\u2069", "line\u2028sep"])
def test_control_and_bidi_characters_never_reach_a_file_name(title):
    slug = sanitize_title(title)
    assert all(c.isprintable() for c in slug), slug
    assert not any(c in slug for c in "\u202e\u2066\u2069\u200b\x1b\u2028")


def test_control_and_bidi_characters_in_note_names_are_escaped_on_the_terminal(sample_notes, data):
    (sample_notes / "r\u202eevil\x1b[2J.md").write_text("稀有词汇甲乙丙是正则化。\n", encoding="utf-8")
    out = kg("search", "稀有词汇甲乙丙", "--notes", str(sample_notes), "--data", str(data))
    text = out.stdout.decode("utf-8")
    assert "\u202e" not in text and "\x1b" not in text
    assert "r\\u202eevil\\x1b[2J.md:1" in text


def test_append_keeps_the_notes_file_mode(ws):
    note = ws.notes_dir / "bom.md"
    note.chmod(0o644)
    add_note(ws, "早停可以缓解过拟合。", to="bom.md")
    assert note.stat().st_mode & 0o777 == 0o644


def test_disk_full_while_updating_the_index_says_the_note_was_saved(ws, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "save", full)
    with pytest.raises(StorageError) as caught:
        add_note(ws, "稀有词汇甲乙丙是正则化。", title="满盘")
    message = str(caught.value)
    assert message.startswith("the note was saved as ") and "but the index was not updated: No space left" in message
    saved = Path(message.split("saved as ")[1].split(",")[0])
    assert "稀有词汇甲乙丙" in saved.read_text(encoding="utf-8")


def test_disk_full_while_writing_the_note_says_nothing_was_saved(ws, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match=r"^the note was not saved: No space left on device \(nothing was changed\)$"):
        add_note(ws, "稀有词汇甲乙丙是正则化。", title="满盘")
    assert not list((ws.notes_dir / "inbox").glob("*.md"))


def test_disk_full_in_kg_add_is_one_line_exit_1(ws, monkeypatch, capsys):
    from ui.cli import main

    monkeypatch.setattr(store, "save", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
    code = main(["add", "--text", "稀有词汇甲乙丙是正则化。", "--notes", str(ws.notes_dir), "--data", str(ws.data_dir)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("kg: error: the note was saved as ") and "run `kg build` once this is fixed" in err


def test_an_upload_over_the_note_limit_reaches_the_size_check(monkeypatch):
    from kg.limits import upload_limit_mb
    from ui.serve import streamlit_config

    assert upload_limit_mb() * 2**20 > 4_000_000  # a 4 MB upload arrives, and is refused as too big, not empty
    with pytest.raises(NoteTooBigError, match="too big: 4,000,000 bytes, over the limit of 2,000,000"):
        from kg.limits import check_note_size
        check_note_size(4_000_000)
    monkeypatch.setenv("KG_MAX_NOTE_BYTES", str(10 * 2**20))
    assert streamlit_config("127.0.0.1", 8501)["server.maxUploadSize"] == upload_limit_mb() >= 40


def test_a_four_megabyte_text_says_too_big_not_empty(ws):
    with pytest.raises(NoteTooBigError, match="the note is too big: 4,000,000 bytes"):
        preview_note(ws, "过" * 1_333_333 + "x")


@pytest.mark.parametrize("length", [MAX_QUERY_CHARS + 1, 1_000_000])
def test_a_query_over_the_limit_is_refused_at_once(ws, length):
    searcher = ws.searcher()
    started = time.perf_counter()
    with pytest.raises(QueryTooLongError, match=f"the query is {length:,} characters, over the limit of 2,000"):
        searcher.search("x" * length)
    assert time.perf_counter() - started < 1.0


def test_a_long_query_of_unknown_words_answers_within_a_second(ws):
    import random
    import string

    rng = random.Random(1)
    words = ("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9))) for _ in range(400))
    query = " ".join(words)[:MAX_QUERY_CHARS]
    searcher = ws.searcher()
    searcher.search("dropuot")  # the typo table is built once per index
    started = time.perf_counter()
    searcher.search(query)
    assert time.perf_counter() - started < 1.0


def test_jsonl_reports_a_bad_line_and_goes_on(ws):
    out = subprocess.run([sys.executable, "-m", "ui.cli", "search", "--jsonl", "-k", "1", "--notes", str(ws.notes_dir),
                          "--data", str(ws.data_dir)], input="过拟合\n".encode() + b"\xff\xfebad\n" + b"NMS\n",
                         capture_output=True, timeout=120)
    rows = [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]
    assert [r.get("query") for r in rows] == ["过拟合", None, "NMS"]
    assert rows[1] == {"line": 2, "error": "not UTF-8 text"}
    assert out.stderr.decode().strip() == "kg: error: line 2 of stdin: not UTF-8 text"
    assert out.returncode == 1


def test_graphml_export_is_well_formed_with_xml_invalid_characters(sample_notes, data, tmp_path):
    import xml.etree.ElementTree as ET

    import networkx as nx

    # Each bad character sits in text the graph keeps (a concept's evidence, a heading).
    (sample_notes / "odd.md").write_text("Dropout\ufffe 可以缓解过拟合\uffff。\x01\n\n## 坏\uffff标题\n\n早停\uffff可以防止过拟合。\n",
                                         encoding="utf-8")
    target = tmp_path / "g.graphml"
    out = kg("export", "--format", "graphml", "-o", str(target), "--notes", str(sample_notes), "--data", str(data))
    assert out.returncode == 0, out.stderr
    ET.parse(target)
    text = target.read_text(encoding="utf-8")
    assert "\ufffe" not in text and "\uffff" not in text
    assert nx.read_graphml(target).number_of_nodes() > 0


# Properties of the normalizers the hostile cases rely on.

from hypothesis import given, settings, strategies as st  # noqa: E402

from ingest.append import visible  # noqa: E402
from ingest.clean import strip_front_matter  # noqa: E402
from kg.lexicon import Lexicon, edit_distance, typo_budget  # noqa: E402
from ui.terminal import shown  # noqa: E402

BIDI_AND_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\x1b\x07\x00\x7f\x85\u2028"


@given(st.text(alphabet=st.sampled_from("ab过拟\n\t " + BIDI_AND_CONTROLS)))
def test_shown_text_holds_no_control_or_bidi_character_and_keeps_the_rest(text):
    out = shown(text)
    assert not any(c in out for c in BIDI_AND_CONTROLS)
    assert out == "".join(shown(c) for c in text)
    assert all(shown(c) == c for c in "ab过拟\n\t ")
    assert all(shown(c) in (f"\\x{ord(c):02x}", f"\\u{ord(c):04x}") for c in BIDI_AND_CONTROLS)


@given(st.text())
def test_titles_are_printable_once_sanitized(title):
    assert all(c.isprintable() for c in visible(" ".join(title.split())))
    from ingest.append import sanitize_title

    assert all(c.isprintable() for c in sanitize_title(title))


@given(st.text(alphabet=st.sampled_from("-:tile 过\n.#")))
def test_front_matter_stripping_keeps_line_numbers_and_only_blanks(text):
    out = strip_front_matter(text)
    assert out.count("\n") == text.count("\n")
    assert out == text or (text.startswith("---") and out.endswith(text[len(text) - len(out.lstrip("\n")):]))


WORDS = st.text(alphabet="abcdeo", min_size=4, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=30, unique=True), WORDS)
def test_fuzzy_finds_exactly_the_names_a_full_scan_finds(names, query):
    lexicon = Lexicon({n: n for n in names})
    budget = typo_budget(query)
    scan = {n for n in names if typo_budget(n) and edit_distance(query, n, budget) <= budget
            and (budget < 2 or len(n) <= 16)}
    assert set(lexicon.fuzzy(query, limit=len(names))) == scan


@given(st.text(alphabet="过拟合欠正则化", min_size=3, max_size=8), st.integers(0, 7), st.sampled_from("深度"))
def test_one_chinese_character_off_finds_the_name(name, at, other):
    typo = name[:at % len(name)] + other + name[at % len(name) + 1:]
    assert name in Lexicon({name: name}).fuzzy(typo, limit=5)


def test_a_deep_link_with_a_huge_query_is_refused_in_one_line(sample_notes, data, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from ui.workspace import build_index

    Workspace(sample_notes, data, build_index).build()
    monkeypatch.setenv("KG_NOTES", str(sample_notes))
    monkeypatch.setenv("KG_DATA", str(data))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "ui" / "app.py"), default_timeout=120)
    at.query_params["q"] = "qwzx " * 2_200
    started = time.perf_counter()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["the query is 11,000 characters, over the limit of 2,000"]
    assert time.perf_counter() - started < 60  # the app's first run loads the index; the refusal itself is instant
