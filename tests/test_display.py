"""Circuits, networks and synthesis results in Jupyter: an SVG drawing with ``dot``, HTML/Markdown text without."""

import shutil

import pytest

import circuits.dot
from circuits.boolean import BooleanCircuit, Op2
from circuits.relu import Neuron, ReLUNetwork
from circuits.threshold import ThresholdCircuit, ThresholdGate
from solvers.boolean.engine import synthesize

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the graphviz dot program is not installed")


def _models():
    xor = BooleanCircuit.from_gates(2, [(Op2.XOR, (0, 1))], outputs=(2,))
    maj = ThresholdCircuit(3, (ThresholdGate(((0, 1), (1, 1), (2, 1)), 2),), (3,))
    relu = ReLUNetwork(2, (Neuron(((0, 1), (1, 1)), -1), Neuron(((2, 1),), 0, "linear")), (3,))
    return [(xor, "XOR"), (maj, "≥2"), (relu, "relu b=&#45;1")]


@needs_dot
@pytest.mark.parametrize(("model", "label"), _models())
def test_models_draw_themselves_as_svg(model, label):
    svg = model._repr_svg_()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert label in svg  # the gate's label is in the drawing
    assert model._repr_html_() is None and model._repr_markdown_() is None  # one picture, not three


@pytest.mark.parametrize(("model", "label"), _models())
def test_without_dot_models_show_their_text(model, label, monkeypatch):
    monkeypatch.setattr(circuits.dot, "can_render", lambda: False)
    assert model._repr_svg_() is None
    html = model._repr_html_()
    assert html.startswith("<div><pre>") and str(model).splitlines()[0] in html
    assert model._repr_markdown_() == "```text\n" + str(model) + "\n```"


@needs_dot
def test_a_synthesis_result_draws_its_witness_with_its_verdict():
    r = synthesize("maj:3", "b2")
    svg = r._repr_svg_()
    assert "maj:3 over b2: minimum size 4, proven" in svg
    assert svg.count("<title>") >= 3 + 4  # 3 inputs and 4 gates at least


def test_a_result_without_a_witness_says_what_is_open(monkeypatch):
    r = synthesize("maj:4", "b2", max_size=4)  # MAJ_4 needs 7 gates: nothing found up to 4
    assert r.size is None and r._repr_svg_() is None
    assert "maj:4 over b2: no circuit found; every size below 5 refuted (not proven)" in r._repr_html_()
    monkeypatch.setattr(circuits.dot, "can_render", lambda: False)
    found = synthesize("maj:3", "b2")
    assert found._repr_markdown_().startswith("**maj:3 over b2: minimum size 4, proven**\n\n```text\n")
