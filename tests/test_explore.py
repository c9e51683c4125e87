"""kg.explore: what the explorer pages show, on a tiny hand-made index and on the bundled notes."""

import networkx as nx
import pytest

from kg.explore import (
    Explorer,
    concept_page,
    index_version,
    relations_by_concept,
    relations_of_concept,
)
from hypothesis import given
from hypothesis import strategies as st

from kg.graph import to_graph
from kg.index import KnowledgeIndex
from kg.models import RELATION_TYPES, Concept, Evidence, Passage, Relation
from kg.paths import shortest_paths
from kg.topics import is_real_concept, study_gaps, topics
from kg.view import CENTER, MAX_NODES, NEAR, READABLE_NODES, core_model, ego_model
from ui.graph import clicked_concept, elements, ids
from ui.markup import matched_markdown, md_text, passage_markdown

PAYLOAD = "<img src=x onerror=alert(1)>"


def _ev(text, line=1):
    return (Evidence(source="n.md", line=line, text=text, rule="test"),)


@pytest.fixture
def tiny() -> KnowledgeIndex:
    names = {"dropout": (), "过拟合": ("overfitting",), "正则化": ("regularization",), "早停": (), "方差": (),
             "xss": (PAYLOAD,)}
    concepts = {n: Concept(id=n, name=n, aliases=a) for n, a in names.items()}
    concepts["xss"] = Concept(id="xss", name=f"x{PAYLOAD}", aliases=(PAYLOAD,), definition=PAYLOAD)
    relations = [
        Relation(source="dropout", target="过拟合", type="solves", weight=2.0, evidence=_ev("dropout 防止过拟合", 3)),
        Relation(source="正则化", target="过拟合", type="solves", weight=1.0, evidence=_ev("正则化可以缓解过拟合", 4)),
        Relation(source="早停", target="过拟合", type="solves", weight=1.0, evidence=_ev("早停也行", 5)),
        Relation(source="过拟合", target="方差", type="related", weight=1.0, evidence=_ev("过拟合 方差大", 6)),
        Relation(source="dropout", target="方差", type="related", weight=0.5, evidence=_ev("dropout 减少方差", 7)),
        Relation(source="xss", target="过拟合", type="related", weight=1.0, evidence=_ev(f"过拟合 {PAYLOAD}", 8)),
    ]
    passages = [Passage(id="p1", source="n.md", line=3, text="dropout 防止过拟合", heading=("正则",)),
                Passage(id="p2", source="n.md", line=6, text="过拟合 方差大")]
    return KnowledgeIndex(concepts=concepts, relations=relations, passages=passages,
                          concept_passages={"过拟合": ["p1", "p2"], "dropout": ["p1"], "方差": ["p2"]})


def test_relations_by_concept_agrees_with_a_full_scan(tiny, bundled_index):
    for index in (tiny, bundled_index.load().index):
        by = relations_by_concept(index)
        for cid in index.concepts:
            assert by.get(cid, []) == relations_of_concept(index, cid)[cid]


def test_concept_page_groups_by_type_heaviest_first_with_direction_and_passages(tiny):
    page = concept_page(tiny, relations_by_concept(tiny), "过拟合")
    assert list(page.groups) == [t for t in RELATION_TYPES if t in ("solves", "related")]
    solvers = page.groups["solves"]
    assert [r.other_name for r in solvers] == ["dropout", "早停", "正则化"]
    assert not any(r.outgoing for r in solvers)
    assert solvers[0].evidence[0].text == "dropout 防止过拟合"
    assert next(r for r in page.groups["related"] if r.other == "方差").outgoing
    assert [p.id for p in page.passages] == ["p1", "p2"]
    assert page.relation_count == 5


def test_shortest_paths_prefer_typed_relations_and_explain_each_hop(tiny):
    g = to_graph(tiny)
    # 方差 has only co-occurrence edges: the path falls back to them and says so.
    result = shortest_paths(g, "dropout", "方差")
    assert not result.typed_only and len(result.paths[0]) == 1
    # A one-hop `related` shortcut does not hide the two typed hops that explain the link.
    g.add_edge("正则化", "dropout", key="related", type="related", weight=3.0, evidence=[])
    result = shortest_paths(g, "正则化", "dropout")
    assert result.typed_only
    hops = result.paths[0]
    assert [(h.source, h.type, h.forward, h.target) for h in hops] == [
        ("正则化", "solves", True, "过拟合"), ("过拟合", "solves", False, "dropout")]
    assert hops[1].evidence[0]["text"] == "dropout 防止过拟合"


def test_shortest_paths_respect_the_type_filter_and_report_no_path(tiny):
    g = to_graph(tiny)
    assert shortest_paths(g, "正则化", "方差", types=["solves"]).paths == []
    assert shortest_paths(g, "正则化", "方差", types=["solves", "related"]).paths
    assert shortest_paths(g, "正则化", "no-such-concept").paths == []


def test_shortest_paths_list_every_tied_path_up_to_the_limit(tiny):
    g = to_graph(tiny)
    both = shortest_paths(g, "正则化", "早停", limit=5).paths
    assert len(both) == 1 and [h.target for h in both[0]] == ["过拟合", "早停"]
    g.add_edge("正则化", "x", key="uses", type="uses", weight=1.0, evidence=[])
    g.add_edge("x", "早停", key="uses", type="uses", weight=1.0, evidence=[])
    assert len(shortest_paths(g, "正则化", "早停", limit=5).paths) == 2
    assert len(shortest_paths(g, "正则化", "早停", limit=1).paths) == 1


def _panel_fields(view: dict) -> set[str]:
    return {k for element in view["nodes"] for k in element["data"]}


def test_graph_elements_escape_every_note_string_but_the_canvas_label(tiny):
    g = to_graph(tiny)
    view = elements(ego_model(g, "过拟合"))
    for element in view["nodes"] + view["edges"]:
        for name, value in element["data"].items():
            assert name == "label" or not isinstance(value, str) or "<" not in value
    xss = next(n for n in view["nodes"] if n["data"]["label"] == f"x{PAYLOAD}")  # drawn as text: `&` reads `&`
    assert xss["data"]["definition"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert _panel_fields(view) <= {"id", "label", "also", "definition", "relations"}  # nothing internal


def test_the_graph_component_never_parses_a_label_as_html():
    """st-link-analysis puts every node field but `label` into innerHTML (we escape those) and
    the label into innerText and the canvas: if an upgrade changes that, labels must be escaped."""
    from pathlib import Path

    import st_link_analysis

    bundle = "".join(p.read_text(encoding="utf-8") for p in
                     (Path(st_link_analysis.__file__).parent / "frontend" / "build").glob("index.*.bundle.js"))
    assert bundle.count("innerHTML") == 1
    assert '.filter((e=>"label"!=e[0]))' in bundle and "firstChild.innerText=n" in bundle


def _hub(related: int, typed: int) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("hub", name="hub", aliases=[], definition="", passages=1)
    for i in range(related):
        g.add_node(f"r{i}", name=f"r{i}", aliases=[], definition="", passages=0)
        evidence = [{"source": "n.md", "line": i, "text": "s"}] * (1 + i % 5)
        g.add_edge("hub", f"r{i}", key="related", type="related", weight=1.0, evidence=evidence)
    for i in range(typed):
        g.add_node(f"t{i}", name=f"t{i}", aliases=[], definition="", passages=0)
        g.add_edge(f"t{i}", "hub", key="solves", type="solves", weight=1.0, evidence=[])
    return g


def test_a_hub_is_drawn_readable_typed_links_first_the_rest_counted():
    g = _hub(related=MAX_NODES + 50, typed=3)
    model = ego_model(g, "hub")
    assert model.shown == READABLE_NODES and model.left_out == MAX_NODES + 53 - (READABLE_NODES - 1)
    kept = [n.id for n in model.nodes]
    assert kept[0] == "hub" and model.nodes[0].ring == CENTER and {"t0", "t1", "t2"} <= set(kept)
    related = [int(n[1:]) for n in kept if n.startswith("r")]
    assert min(1 + i % 5 for i in related) == 5  # the related neighbours with the most evidence
    more = ego_model(g, "hub", limit=MAX_NODES)
    assert more.shown == MAX_NODES and more.left_out == MAX_NODES + 53 - (MAX_NODES - 1)


def test_no_concept_is_drawn_without_a_link():
    g = _hub(related=10, typed=2)
    for i in range(10):  # a dense clique of co-occurrences between the neighbours
        for j in range(i + 1, 10):
            g.add_edge(f"r{i}", f"r{j}", key="related", type="related", weight=1.0, evidence=[])
    for model in (ego_model(g, "hub", radius=2, through_related=True), core_model(g, [f"r{i}" for i in range(10)] +
                                                                              ["t0", "t1"])):
        linked = {n for e in model.edges for n in (e.source, e.target)}
        assert all(n.id in linked for n in model.nodes)
        assert len(model.edges) <= 2 * (model.shown + model.left_out)
    core = core_model(g, [f"r{i}" for i in range(10)] + ["t0"], terms={"r0"}, limit=5)
    assert [n.ring for n in core.nodes][:2] == [NEAR, 2] and core.left_out == 6


def test_radius_two_walks_on_through_typed_links_only_unless_asked(tiny):
    g = to_graph(tiny)
    g.add_edge("方差", "偏差", key="contrasts", type="contrasts", weight=1.0, evidence=[])
    g.add_node("偏差", name="偏差", aliases=[], definition="", passages=0)
    two = {n.id for n in ego_model(g, "dropout", radius=2).nodes}
    assert {"正则化", "早停"} <= two and "xss" not in two
    assert "xss" in {n.id for n in ego_model(g, "dropout", radius=2, through_related=True).nodes}


def test_ego_model_walks_both_directions_without_copying_the_graph(tiny, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("ego_graph copies the whole graph")

    monkeypatch.setattr(nx, "ego_graph", refuse)
    g = to_graph(tiny)
    assert {n.id for n in ego_model(g, "dropout").nodes} == {"dropout", "过拟合", "方差"}
    typed = ego_model(g, "dropout", radius=2, types=["solves"])
    assert "方差" not in {n.id for n in typed.nodes} and typed.types == ["solves"]
    assert {n.id for n in ego_model(g, "dropout", types=[]).nodes} == {"dropout"}


def test_node_size_grows_with_relations(tiny):
    g = to_graph(tiny)
    view = elements(core_model(g, list(g.nodes)))
    size = {n["data"]["label"]: int(n["classes"].split()[1][1:]) for n in view["nodes"]}
    assert size["过拟合"] > size["早停"]


def test_clicked_node_maps_back_to_a_known_concept(tiny):
    g = to_graph(tiny)
    model = ego_model(g, "过拟合")
    xss_id = next(i for i, c in ids(model).items() if c == "xss")
    event = {"action": "clicked_node", "data": {"type": "tap", "target_id": xss_id}, "timestamp": 1}
    assert clicked_concept(event, ids(model), tiny.concepts) == "xss"
    assert clicked_concept({"action": "clicked_node", "data": {"target_id": "ghost"}}, ids(model), tiny.concepts) is None
    assert clicked_concept({"action": "expand", "data": {"node_ids": ["xss"]}}, ids(model), tiny.concepts) is None


@given(st.text())
def test_md_text_escapes_so_markdown_shows_the_text_as_written(text):
    import re

    shown = re.sub(r"\\(.)", r"\1", md_text(text))
    assert shown == text.replace("\n", " ")
    assert not re.search(r"(?<!\\)[!\[\]()<`*_$:]", md_text(text))


@given(st.text(alphabet="ab <>![]()`$*:/.x\n", max_size=60))
def test_passages_never_load_an_image_or_carry_html(text):
    import re

    out = passage_markdown(text, ["a"])
    outside_code = re.sub(r"`[^`\n]+`|\$[^\s$](?:[^$\n]*[^\s$])?\$", "", out)
    assert "<" not in outside_code and not re.search(r"(?<!\\)!(?<!\\)\[", outside_code)


@given(st.text(alphabet="ab <>![]()`$*:/.x\n", max_size=60), st.lists(st.integers(-2, 8), max_size=4))
def test_matched_lines_never_load_an_image_or_carry_html(text, matched):
    import re

    out = matched_markdown(text, matched, ["a"])
    outside_code = re.sub(r"`[^`\n]+`|\$[^\s$](?:[^$\n]*[^\s$])?\$", "", out)
    assert "<" not in outside_code and not re.search(r"(?<!\\)!(?<!\\)\[", outside_code)
    assert all(line.startswith(">") for line in out.split("\n") if out)


def test_matched_lines_quote_the_lines_that_matched_only():
    text = "# 正则化\n- 数据增广\n- 早停可以防止**过拟合**\n- 权重衰减"
    assert matched_markdown(text, [2], ["过拟合"]) == "> » 早停可以防止**:orange-background[过拟合]**"
    assert matched_markdown("早停可以防止过拟合", [0], ["过拟合"]) == ""  # one line: the passage is the match
    assert matched_markdown(text, [], ["过拟合"]) == ""


def test_passages_keep_their_formatting_and_formulas():
    out = passage_markdown("**BN** 用 `x<y` 算 $\\mu_B$\n- 一\n- 二 ![图](img/a.png) [链接](http://evil.example)", ["BN"])
    assert out.startswith("**:orange-background[BN]**") and "`x<y`" in out and "$\\mu_B$" in out
    assert "\n- 一\n- 二 图 链接" in out and "http" not in out


def test_topics_are_stable_and_labelled_by_their_top_concepts(bundled_index):
    g = to_graph(bundled_index.load().index)
    first, second = topics(g), topics(g)
    assert first == second and len(first) >= 2
    members = [m for t in first for m in t.members]
    assert len(members) == len(set(members)) and set(members) <= set(g.nodes)
    assert all(t.label.split(" · ")[0] == g.nodes[t.members[0]]["name"] for t in first)
    assert [len(t.members) for t in first] == sorted((len(t.members) for t in first), reverse=True)


def test_study_gaps_are_central_thin_real_and_sorted_by_their_score(bundled_index):
    g = to_graph(bundled_index.load().index)
    exact = study_gaps(g)
    assert exact and all(gap.betweenness > 0 for gap in exact)
    assert [gap.betweenness for gap in exact] == sorted((gap.betweenness for gap in exact), reverse=True)
    assert all(is_real_concept(g, gap.id) for gap in exact)
    most_passages = max(g.nodes[n]["passages"] for n in g)
    assert all(gap.passages < most_passages for gap in exact)
    assert study_gaps(g, sample=50, seed=7) == study_gaps(g, sample=50, seed=7)


def test_explorer_on_the_bundled_notes(bundled_index):
    loaded = bundled_index.load()
    ex = Explorer.from_index(loaded.index, index_version(bundled_index.data_dir))
    overfit = loaded.index.resolve("overfitting").id
    page = ex.page(overfit)
    assert {"dropout", "正则化", "早停"} <= {r.other_name for r in page.groups["solves"]}
    view = ex.ego(overfit)
    assert ex.ego(overfit) is view  # remembered for the next rerun
    assert {overfit, loaded.index.resolve("dropout").id} <= {n.id for n in view.nodes}
    assert ex.relation_count(overfit) == len(relations_of_concept(loaded.index, overfit)[overfit])
    path = ex.paths(loaded.index.resolve("dropout").id, loaded.index.resolve("早停").id)
    assert path.typed_only and path.paths and all(h.evidence for h in path.paths[0])
    assert ex.topics and ex.topic_view(ex.topics[0]).shown <= READABLE_NODES


def test_index_version_changes_with_each_build(sample_notes, data):
    from ingest.build import build as build_index
    from kg.workspace import Workspace

    ws = Workspace(sample_notes, data, build_index)
    ws.build()
    first = index_version(data)
    ws.build()
    assert index_version(data) != first


def test_the_kept_graph_component_lays_out_each_view_again_from_a_fixed_centre(tiny):
    from ui.graph import layout

    model = ego_model(to_graph(tiny), "过拟合")
    assert layout(model, "ego:过拟合") != layout(model, "ego:dropout")  # same options would not lay out again
    assert layout(model, "v")["fixedNodeConstraint"][0]["nodeId"] == "过拟合"
    # A node selected in the last graph must not stay selected: its open side panel hides part of the next.
    assert all(node["selected"] is False for node in elements(model)["nodes"])
