"""Canonical JSON envelope, file kinds and atomic writes for all three models."""

import json
from fractions import Fraction

import pytest

from circuits.boolean import BooleanCircuit, Op2
from circuits.errors import FormatError
from circuits.fileformat import from_json, load, save, to_json
from circuits.relu import Neuron, ReLUNetwork
from circuits.threshold import ThresholdCircuit, ThresholdGate

FULL_ADDER = BooleanCircuit.from_gates(
    3, [(Op2.XOR, (0, 1)), (Op2.XOR, (3, 2)), (Op2.AND, (0, 1)), (Op2.AND, (3, 2)), (Op2.OR, (5, 6))], outputs=(4, 7)
)
PAR3 = ThresholdCircuit(
    3, (ThresholdGate(((0, 1), (1, 1), (2, 1)), 2), ThresholdGate(((0, 1), (1, 1), (2, 1), (3, -2)), 1)), (4,)
)
HALF = ReLUNetwork(
    2, (Neuron(((0, Fraction(1, 2)), (1, 1)), Fraction(-1, 3), "relu"), Neuron(((2, 3),), 0, "linear")), (3,)
)
MODELS = [FULL_ADDER, PAR3, HALF]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.MODEL)
def test_json_round_trip(model, tmp_path):
    assert from_json(to_json(model)) == model
    path = tmp_path / "c.json"
    save(model, path)
    assert load(path) == model
    assert json.loads(path.read_text())["model"] == model.MODEL


@pytest.mark.parametrize("suffix", [".bench", ".aag"])
def test_boolean_formats(suffix, tmp_path):
    path = tmp_path / f"fa{suffix}"
    save(FULL_ADDER, path)
    assert load(path).truth_table() == FULL_ADDER.truth_table()


def test_wrong_model_for_format(tmp_path):
    with pytest.raises(FormatError):
        save(PAR3, tmp_path / "x.bench")
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "[]",
        '{"format": "other"}',
        '{"format": "lbt", "version": 99, "model": "relu", "circuit": {}}',
        '{"format": "lbt", "version": 1, "model": "quantum", "circuit": {}}',
        '{"format": "lbt", "version": 1, "model": "threshold"}',
        '{"format": "lbt", "version": 1, "model": "threshold", "circuit": {"n": 2, "gates": [], "outputs": [7]}}',
    ],
)
def test_corrupt_json(text):
    with pytest.raises(Exception) as info:
        from_json(text)
    assert isinstance(info.value, (FormatError,)) or info.type.__name__ == "ModelError"
    assert "\n" not in str(info.value)


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(FormatError):
        load(tmp_path / "c.txt")
    with pytest.raises(FormatError):
        load(tmp_path / "missing.json")


def test_atomic_write_gives_the_usual_permissions(tmp_path):
    import os

    from circuits.output import write_text_atomic

    umask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "a.json", "{}\n")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644


def test_typed_fields_take_numpy_integers_but_no_bools():
    import numpy as np

    from circuits.schema import is_int

    assert is_int(3) and is_int(np.int64(3)) and is_int(np.uint8(0))
    assert not any(is_int(v) for v in (True, np.True_, np.bool_(False), 3.0, "3", None))
