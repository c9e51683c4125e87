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
    assert set(result["passages"][0]) == {"id", "source", "line", "text", "heading", "score", "concepts"}
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
