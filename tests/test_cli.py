"""The CLI contract the other issues and our checks rely on."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import networkx as nx
import pytest


def kg(*args, env_extra=None, stdin=None, cwd=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, env=env,
                          input=stdin, cwd=cwd, timeout=300)


@pytest.fixture
def env(sample_notes, data):
    return {"KG_NOTES": str(sample_notes), "KG_DATA": str(data)}


def test_build_prints_a_summary(env):
    out = kg("build", env_extra=env)
    assert out.returncode == 0, out.stderr
    for label in ("files read", "files skipped", "passages", "concepts", "relations", "seconds"):
        assert label in out.stdout


def test_search_json_contract(env):
    out = kg("search", "overfitting", "-k", "3", "--json", env_extra=env)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"query", "concepts", "passages"}
    assert set(result["concepts"][0]) == {"id", "name", "aliases", "score"}
    assert {"id", "source", "line", "text", "heading", "score", "concepts"} <= set(result["passages"][0])
    assert len(result["passages"]) <= 3


def test_search_jsonl_reads_queries_from_stdin(env):
    out = kg("search", "--jsonl", "-k", "2", env_extra=env, stdin="过拟合\nNMS\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["过拟合", "NMS"]


def test_show_groups_relations_by_type_with_evidence(env):
    out = kg("show", "过拟合", "--json", env_extra=env)
    shown = json.loads(out.stdout)
    assert shown["name"] == "过拟合" and "overfitting" in shown["aliases"]
    solves = shown["relations"]["solves"]
    assert all(r["direction"] == "in" and r["evidence"][0]["line"] >= 1 for r in solves)
    assert shown["passages"]


def test_show_unknown_exits_1_with_one_line(env):
    out = kg("show", "no-such-thing-at-all", env_extra=env)
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_options_override_environment(env, sample_notes, tmp_path):
    empty = tmp_path / "empty-notes"
    empty.mkdir()
    data = tmp_path / "elsewhere"
    misleading = {"KG_NOTES": str(empty), "KG_DATA": env["KG_DATA"]}
    out = kg("build", "--notes", str(sample_notes), "--data", str(data), env_extra=misleading)
    assert out.returncode == 0 and (data / "CURRENT").exists()
    assert not os.path.exists(env["KG_DATA"])
    assert "files read: 4" in out.stdout


def test_export_json_and_graphml(env, tmp_path):
    out = kg("export", "--format", "json", env_extra=env)
    graph = json.loads(out.stdout)
    assert graph["nodes"] and graph["edges"]
    assert {"source", "target", "type", "weight", "evidence"} <= set(graph["edges"][0])
    target = tmp_path / "g.graphml"
    assert kg("export", "--format", "graphml", "-o", str(target), env_extra=env).returncode == 0
    ET.parse(target)
    assert nx.read_graphml(target).number_of_edges() == len(graph["edges"])


def test_errors_are_one_line_never_a_traceback(tmp_path):
    out = kg("search", "x", env_extra={"KG_NOTES": str(tmp_path / "missing"), "KG_DATA": str(tmp_path / "d")})
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


# Issue 12, CLI rough edges: each case with its exact message and exit code.

def test_version():
    from kg import __version__

    out = kg("--version")
    assert (out.returncode, out.stdout) == (0, f"kg {__version__}\n")


@pytest.mark.parametrize("args, message", [
    (("search",), "kg search: error: search needs a non-empty QUERY (or --jsonl to read queries from stdin) "
                  "(see kg search --help)"),
    (("search", ""), "kg search: error: search needs a non-empty QUERY (or --jsonl to read queries from stdin) "
                     "(see kg search --help)"),
    (("search", "   "), "kg search: error: search needs a non-empty QUERY (or --jsonl to read queries from stdin) "
                        "(see kg search --help)"),
    (("search", "x", "-k", "0"), "kg search: error: argument -k: 0 is not a positive whole number (see kg search --help)"),
    (("ui", "--port", "99999"), "kg ui: error: argument --port: 99999 is not a port number (1-65535) (see kg ui --help)"),
    (("ui", "--port", "http"), "kg ui: error: argument --port: http is not a port number (1-65535) (see kg ui --help)"),
])
def test_usage_errors_exit_2_in_one_line_before_any_work(args, message, sample_notes, data):
    out = kg(*args, "--notes", str(sample_notes), "--data", str(data))
    assert (out.returncode, out.stderr, out.stdout) == (2, message + "\n", "")
    assert not data.exists()  # nothing was built


def test_export_to_a_missing_folder_exits_1_before_any_work(sample_notes, data):
    out = kg("export", "-o", "/missing/dir/x.json", "--notes", str(sample_notes), "--data", str(data))
    assert (out.returncode, out.stderr) == (1, "kg: error: cannot write /missing/dir/x.json: folder /missing/dir does not exist\n")
    assert not data.exists()


def test_export_onto_a_folder_exits_1(env, tmp_path):
    out = kg("export", "-o", str(tmp_path), env_extra=env)
    assert (out.returncode, out.stderr) == (1, f"kg: error: cannot write {tmp_path}: it is a folder\n")


def test_ui_on_a_port_in_use_exits_1_before_building(sample_notes, data):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = kg("ui", "--port", str(port), "--notes", str(sample_notes), "--data", str(data))
    assert (out.returncode, out.stderr) == (1, f"kg: error: cannot listen on 127.0.0.1:{port}: Address already in use "
                                               "(choose another --port)\n")
    assert not data.exists()


@pytest.mark.parametrize("typed, meant", [("过拟和", "过拟合"), ("dropuot", "dropout"), ("dorpout", "dropout"),
                                          ("overfittnig", "过拟合")])
def test_show_takes_a_near_miss_to_the_nearest_concept_and_says_so(env, typed, meant):
    out = kg("show", typed, env_extra=env)
    assert out.returncode == 0
    assert out.stderr == f"kg: no concept is named {typed!r}; showing the nearest, {meant}\n"
    assert out.stdout.startswith(meant)


def test_show_suggests_when_a_name_is_a_prefix(env):
    out = kg("show", "过拟", env_extra=env)
    assert (out.returncode, out.stderr) == (1, "kg: error: unknown concept '过拟'; did you mean: 过拟合\n")


def test_kg_errors_exit_1_and_internal_errors_exit_3(env, monkeypatch, capsys):
    from ui import cli

    assert kg("show", "no-such-thing-at-all", env_extra=env).returncode == 1

    def broken(args):
        raise ZeroDivisionError("boom")

    monkeypatch.delenv("KG_DEBUG", raising=False)
    monkeypatch.setattr(cli, "cmd_build", broken)
    assert cli.main(["build"]) == 3
    assert capsys.readouterr().err == "kg: internal error: ZeroDivisionError: boom (set KG_DEBUG=1 for details)\n"


@pytest.mark.parametrize("args", [("search", "过拟合", "--json"), ("show", "过拟合", "--json"), ("export",)])
def test_json_writes_chinese_as_utf8(env, args):
    out = kg(*args, env_extra={**env, "LC_ALL": "C", "PYTHONIOENCODING": ""})
    assert out.returncode == 0, out.stderr
    assert "过拟合" in out.stdout and "\\u8fc7" not in out.stdout
    json.loads(out.stdout)


def test_add_a_folder_adds_the_notes_inside_it(env, tmp_path):
    folder = tmp_path / "new"
    (folder / "sub").mkdir(parents=True)
    (folder / "早停.md").write_text("稀有词汇甲乙丙可以缓解过拟合。\n", encoding="utf-8")
    (folder / "sub" / "b.txt").write_text("稀有词汇丁戊己是一种正则化。\n", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG")
    out = kg("add", str(folder), env_extra=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("added ") == 2
    for query in ("稀有词汇甲乙丙", "稀有词汇丁戊己"):
        assert "inbox/" in kg("search", query, env_extra=env).stdout


def test_add_a_folder_inside_the_notes_is_refused(env, sample_notes):
    out = kg("add", str(sample_notes), env_extra=env)
    assert (out.returncode, out.stderr) == (1, f"kg: error: {sample_notes} is inside the notes folder: its notes are "
                                               "indexed by `kg build`, not added again\n")


def test_add_a_missing_file_exits_1(env):
    out = kg("add", "/no/such/note.md", env_extra=env)
    assert (out.returncode, out.stderr) == (1, "kg: error: no such file: /no/such/note.md\n")


def test_every_option_has_help_text():
    from ui.cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        for action in command._actions:
            assert action.help, f"kg {name} {action.option_strings or action.dest} has no help text"


def test_add_a_folder_reports_a_duplicate_and_adds_the_rest(env, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.md").write_text("稀有词汇庚辛壬可以缓解过拟合。\n", encoding="utf-8")
    (folder / "b.md").write_text("稀有词汇癸子丑是一种正则化。\n", encoding="utf-8")
    assert kg("add", "--text", "稀有词汇庚辛壬可以缓解过拟合。", env_extra=env).returncode == 0
    out = kg("add", str(folder), env_extra=env)
    assert out.returncode == 1 and out.stdout.count("added ") == 1
    assert out.stderr.startswith(f"kg: error: {folder}/a.md: this text was already added as ")
    assert "inbox/" in kg("search", "稀有词汇癸子丑", env_extra=env).stdout


@pytest.mark.parametrize("args, message", [
    ((), "kg: error: the following arguments are required: command (see kg --help)"),
    (("search", "x", "--bogus"), "kg: error: unrecognized arguments: --bogus (see kg --help)"),
    (("search", "--jsonl", "x"), "kg search: error: give a QUERY or --jsonl (queries on stdin), not both "
                                 "(see kg search --help)"),
    (("show",), "kg show: error: the following arguments are required: name (see kg show --help)"),
])
def test_other_usage_errors_exit_2_in_one_line(args, message, sample_notes, data):
    out = kg(*args, env_extra={"KG_NOTES": str(sample_notes), "KG_DATA": str(data)})
    assert (out.returncode, out.stderr, out.stdout) == (2, message + "\n", "")
    assert not data.exists()


def test_show_an_unknown_name_with_nothing_near_exits_1(env):
    out = kg("show", "no-such-thing-at-all", env_extra=env)
    assert (out.returncode, out.stderr, out.stdout) == (1, "kg: error: unknown concept 'no-such-thing-at-all'\n", "")


def test_ui_on_an_address_not_of_this_machine_exits_1_before_building(sample_notes, data):
    out = kg("ui", "--host", "999.1.1.1", "--port", "8599", "--notes", str(sample_notes), "--data", str(data))
    assert out.returncode == 1 and not data.exists()
    assert out.stderr.startswith("kg: error: cannot listen on 999.1.1.1:8599: ")
    assert out.stderr.endswith(" (give an address of this machine as --host)\n")


def test_add_a_folder_without_notes_exits_1(env, tmp_path):
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "a.png").write_bytes(b"\x89PNG")
    out = kg("add", str(tmp_path / "pictures"), env_extra=env)
    assert (out.returncode, out.stderr) == (1, f"kg: error: {tmp_path / 'pictures'}: no notes (.md, .markdown, .txt) "
                                               "in this folder\n")


@pytest.mark.parametrize("option", [("--to", "a.md"), ("--title", "T")])
def test_add_a_folder_with_to_or_title_exits_1(env, tmp_path, option):
    out = kg("add", str(tmp_path), *option, env_extra=env)
    assert (out.returncode, out.stderr) == (1, f"kg: error: {tmp_path}: a folder's notes keep their own names "
                                               "(no --to or --title with a folder)\n")


def test_jsonl_writes_chinese_as_utf8_like_json(env):
    out = kg("search", "--jsonl", env_extra={**env, "LC_ALL": "C", "PYTHONIOENCODING": ""}, stdin="过拟合\n")
    assert out.returncode == 0, out.stderr
    assert "过拟合" in out.stdout and "\\u8fc7" not in out.stdout
    assert json.loads(out.stdout)["query"] == "过拟合"
