import os

import pytest
from hypothesis import given, strategies as st

from ingest.clean import clean_text
from ingest.read import UndecodableNote, decode, find_notes


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_decode_accepts_the_encodings_notes_come_in(encoding):
    text = "过拟合的处理:数据增广、早停"
    assert decode(text.encode(encoding)) == text


def test_big5_is_decoded_right_or_refused_never_garbled():
    text = "過擬合的處理方法包括資料增強與正則化"
    try:
        assert decode(text.encode("big5")) == text
    except UndecodableNote:
        pass


def test_binary_is_refused():
    with pytest.raises(UndecodableNote):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_find_notes_skips_links_leaving_the_folder(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("A", encoding="utf-8")
    (notes / "LICENSE").write_text("not a note", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    os.symlink(outside, notes / "leak.txt")
    found, skipped = find_notes(notes)
    assert list(found) == ["a.md"] and found["a.md"].name == "a.md"
    assert skipped == [("leak.txt", "symlink pointing outside the notes folder")]


def test_clean_maps_radicals_spaces_entities_and_drops_invisibles():
    assert clean_text("⽤⼀个\u200b模型&emsp;x\u3000y&amp;") == "用一个模型 x y&"


@given(st.text())
def test_clean_never_loses_a_visible_character(text):
    cleaned = clean_text(text)
    invisible = set("\u200b\u200c\u200d\u2060\ufeff\u00ad\r") | {chr(c) for c in range(32) if chr(c) not in "\n\t"} | {"\x7f"}
    kept = [c for c in text if c not in invisible and not c.isspace() and c != "&"]
    for ch in kept:
        if "\u2e80" <= ch <= "\u2fdf":
            continue
        assert ch in cleaned or ch in ";#"
