"""The engine registry: a new model is one search function and one register_engine() entry."""

import json

import pytest

from circuits.errors import SpecError
from lbt.tablespec import parse_spec
from solvers.engines import ENGINES, Engine, engine_for, register_engine, synthesize_model, unregister_engine


def toy_search(target, **options):
    """A toy engine: B2 circuits of depth at most 2 (the Boolean engine under a fixed bound)."""
    from solvers.boolean.engine import synthesize

    return synthesize(target, "b2", depth=2, **options)


@pytest.fixture
def toy():
    engine = register_engine(
        Engine(
            models=("toy",),
            search="test_engines:toy_search",
            options={},
            cli_options=frozenset(),
            defaults=lambda **opts: {"fanin": 2, "depth": 2} | opts,
            audit="boolean",
        )
    )
    yield engine
    unregister_engine("toy")
    assert "toy" not in ENGINES


def test_a_registered_engine_runs_from_python_the_cli_and_a_table(toy, cli, tmp_path):
    # PAR_3 over B2 needs two XOR gates (Wegener, "The Complexity of Boolean Functions", parity needs n-1
    # gates over B2), and x0 ^ (x1 ^ x2) has depth 2, so the depth bound costs nothing
    result = synthesize_model("par:3", "toy")
    assert result.size == 2 and result.proven and result.depth == 2
    code, out, err = cli("synth", "par:3", "--model", "toy", "--json")
    assert code == 0 and json.loads(out)["size"] == 2, err
    code, _, err = cli("synth", "par:3", "--model", "toy", "--depth", "3")
    assert code == 2 and "option --depth does not apply to --model toy" in err
    spec_path = tmp_path / "t.toml"
    spec_path.write_text('rows = ["par:3"]\n[[columns]]\nmodel = "toy"\n')
    assert [c.model for c in parse_spec(spec_path.read_text()).cells()] == ["toy"]


def test_a_model_name_has_one_engine_and_unknown_models_are_bad_input(toy):
    assert engine_for("toy") is toy and engine_for("b2") is engine_for("mono")
    with pytest.raises(SpecError, match="already has an engine"):
        register_engine(toy)
    with pytest.raises(SpecError, match="unknown model 'nope'"):
        synthesize_model("par:3", "nope")
