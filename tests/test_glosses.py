"""English glosses of glossary entries: a user who describes a concept in English finds it.

The descriptions below are written for these tests, in other words than the glosses use.
"""

from __future__ import annotations

import json

import pytest

from kg import resources
from kg.errors import DataFileError


def _search(ws, query):
    return ws.searcher().search(query, k=5).concepts


def test_every_glossary_entry_has_one_short_gloss():
    glosses = resources.glosses()
    without_gloss = {e.name for e in resources.glossary().entries} - set(glosses)
    assert not without_gloss
    assert all(8 <= len(text.split()) <= 25 for text in glosses.values())


@pytest.mark.parametrize("glosses", [
    {"no such concept": "a concept the glossary does not have, described in a few words"},
    {"过拟合": "   "},
    {"过拟合": "模型在训练集上表现好，在测试集上表现差"},
])
def test_a_gloss_of_no_entry_or_an_empty_or_non_english_gloss_is_refused(monkeypatch, glosses):
    real = resources._read
    monkeypatch.setattr(resources, "_read", lambda name: json.dumps({"version": 1, "glosses": glosses})
                        if name == "glosses.json" else real(name))
    with pytest.raises(DataFileError):
        resources.glosses.__wrapped__()


def test_an_unknown_field_in_the_glosses_file_is_refused(monkeypatch):
    real = resources._read
    monkeypatch.setattr(resources, "_read", lambda name: json.dumps({"version": 1, "glosses": {}, "note": 1})
                        if name == "glosses.json" else real(name))
    with pytest.raises(DataFileError):
        resources.glosses.__wrapped__()


@pytest.mark.parametrize("query,concept", [
    ("turns a list of raw class scores into a probability distribution summing to one", "softmax"),
    ("getting rid of duplicate overlapping detection boxes so only the highest scoring box remains", "NMS"),
    ("stop training once the validation loss stops improving", "早停"),
    ("the gradients get smaller and smaller in early layers of a very deep network", "梯度消失"),
    ("the model is too simple and has high error even on the training data", "欠拟合"),
    ("small filter slid across the image computing weighted sums", "卷积"),
])
def test_an_english_description_finds_its_concept_first(bundled_index, query, concept):
    hits = _search(bundled_index, query)
    assert hits and hits[0].name == concept


@pytest.mark.parametrize("query,concept", [
    ("softmax", "softmax"),
    ("how to deal with overfitting", "过拟合"),
    ("what is batch normalization", "BN"),
    ("what does the softmax function do to the output scores of a classifier", "softmax"),
    ("why does ResNet use skip connections to train very deep networks", "ResNet"),
])
def test_a_query_naming_a_concept_ranks_it_first(bundled_index, query, concept):
    assert _search(bundled_index, query)[0].name == concept


@pytest.mark.parametrize("query", [
    "how does non-maximum suppression remove duplicate boxes in object detection",
    "how does YOLO divide the image into a grid to predict boxes and class probabilities",
    "why is ReLU preferred over sigmoid for avoiding vanishing gradients in deep networks",
    "why does ResNet use skip connections to train very deep networks",
])
def test_glosses_leave_the_first_concept_of_a_query_naming_concepts_as_it_was(bundled_index, monkeypatch, query):
    """A long question that names what it asks about and whose other words a gloss could match
    (`duplicate boxes` is NMS's gloss, `grid`, `boxes`, `class probabilities` YOLOv1's)."""
    with_glosses = _search(bundled_index, query)
    monkeypatch.setattr("kg.search.glossed_concepts", lambda *args: [])
    assert with_glosses[0].name == _search(bundled_index, query)[0].name


def test_a_query_mostly_made_of_names_is_about_them_not_a_gloss_its_few_other_words_match(bundled_index):
    query = "ReLU, dropout, Adam, softmax, sigmoid and tanh versus removing duplicate overlapping boxes"
    names = [h.name for h in _search(bundled_index, query)]
    assert names[0] != "NMS" and names[0] in {"ReLU", "dropout", "Adam", "softmax", "sigmoid", "tanh", "边界框"}


def test_a_few_shared_words_describe_nothing(bundled_index, monkeypatch):
    query = "training data for the model"
    with_glosses = [h.name for h in _search(bundled_index, query)]
    monkeypatch.setattr("kg.search.glossed_concepts", lambda *args: [])
    assert with_glosses[:1] == [h.name for h in _search(bundled_index, query)][:1]


def test_a_gloss_never_brings_a_concept_the_notes_do_not_have(notes, data):
    from ingest.build import build as build_index
    from kg.workspace import Workspace

    note = "# 过拟合\n过拟合：模型在训练集上表现好，在测试集上表现差。\n"
    (notes / "a.md").write_text(note, encoding="utf-8")
    ws = Workspace(notes, data, build_index)
    ws.build()
    names = [h.name for h in _search(ws, "squashes a vector of scores into probabilities that sum to one")]
    assert "softmax" not in names
    assert all(name in {c.name for c in ws.searcher().index.concepts.values()} for name in names)
