"""``lbt polytope`` and ``lbt fundim``: output, JSON, exit codes (a few runs as a subprocess, the rest in-process
through the ``cli`` fixture, typer's CliRunner)."""

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from circuits.fileformat import save
from circuits.newton import max_network
from circuits.relu import Neuron, ReLUNetwork
from circuits.threshold import ThresholdCircuit

LBT = [sys.executable, "-c", "from lbt.cli import main; main()"]


def run(*args):
    """A real subprocess, as a user runs the command."""
    return subprocess.run(LBT + [str(a) for a in args], check=False, capture_output=True, text=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("geometry")
    paths = {
        "max4": d / "max4.json",
        "f4": d / "f4.json",
        "bias": d / "bias.json",
        "frac": d / "frac.json",
        "threshold": d / "threshold.json",
        "gate": d / "maj2.json",
    }
    save(max_network(4), paths["max4"])
    save(max_network(4, with_zero=True), paths["f4"])
    save(ReLUNetwork(2, (Neuron(((0, 1), (1, 1)), 1), Neuron(((2, 1),), 0, "linear")), (3,)), paths["bias"])
    save(
        ReLUNetwork(2, (Neuron(((0, 1), (1, Fraction(1, 2))), 0), Neuron(((2, 1),), 0, "linear")), (3,)), paths["frac"]
    )
    save(ReLUNetwork(2, (Neuron(((0, 1), (1, 1)), 0, "threshold"),), (2,)), paths["threshold"])
    save(ThresholdCircuit.single_gate(2, [1, 1], 2), paths["gate"])
    return paths


def test_polytope_max4_json(files):
    proc = run("polytope", files["max4"], "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    (out,) = data["outputs"]
    assert data["ok"] and out["invariant_holds"] and out["support_mismatches"] == 0
    assert out["hidden_layers"] == 2 and out["threshold"] == 4
    p, n = out["P"], out["N"]
    assert p["dim"] == 4 and p["volume"] % 2 == 0 and p["f_vector"][0] == p["vertices"] == len(p["vertex_list"])
    assert sum((-1) ** i * f for i, f in enumerate(p["f_vector"][:-1])) == 1 - (-1) ** p["dim"]  # Euler
    assert n["dim"] <= 4 and all(o <= f for o, f in zip(p["odd"], p["f_vector"]))


def test_polytope_f4_text(files, cli):
    code, out, _ = cli("polytope", files["f4"])
    assert code == 0
    assert "3 hidden layer(s)" in out and "holds" in out
    data = json.loads(cli("polytope", files["f4"], "--json")[1])
    # F_4 = max(0, x1..x4): Vol_4(P) is odd, so P would break the invariant for 2 hidden layers
    assert data["outputs"][0]["P"]["volume"] % 2 == 1


def test_polytope_zero_biases(files, cli):
    code, out, _ = cli("polytope", files["bias"], "--zero-biases", "--json")
    assert code == 0
    assert json.loads(out)["outputs"][0]["P"]["vertex_list"] == [[0, 0], [1, 1]]


@pytest.mark.parametrize(
    "key, message",
    [("bias", "bias 1"), ("frac", "non-integer weight 1/2"), ("threshold", "threshold neuron")],
)
def test_polytope_bad_networks_exit_2(files, key, message, cli):
    code, _, err = cli("polytope", files[key])
    assert code == 2
    assert err.startswith("lbt: error:") and message in err and err.count("\n") == 1


def test_polytope_missing_file_and_wrong_model(files, tmp_path, cli):
    assert cli("polytope", tmp_path / "nope.json")[0] == 2
    code, _, err = cli("polytope", files["gate"])
    assert code == 2 and err.startswith("lbt: error:") and "needs a relu network" in err


def test_bad_input_exit_2_as_a_subprocess(files):
    proc = run("polytope", files["bias"])
    assert proc.returncode == 2 and proc.stderr.startswith("lbt: error:") and proc.stderr.count("\n") == 1
    proc = run("fundim", "2,x")
    assert proc.returncode == 2 and proc.stderr.startswith("lbt: error: malformed architecture")


def test_fundim_json(cli):
    code, out, _ = cli("fundim", "2,3,1", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["params"], data["hidden"], data["bound"], data["rank"]) == (13, 3, 10, 10)
    assert data["attains_bound"] is True and data["arch"] == [2, 3, 1]


def test_fundim_width_one_chain_text(cli):
    code, out, _ = cli("fundim", "2,1,1,1,1", "--tries", "10", "--seed", "3")
    assert code == 0
    assert "bound #params - #hidden = 6" in out and "below the bound" in out


def test_fundim_samples_option(cli):
    code, out, _ = cli("fundim", "2,2,1", "--samples", "30", "--seed", "5", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["samples"] == 30 and data["rank"] <= data["bound"] == 7


@pytest.mark.parametrize(
    "args", [["2,x"], ["2"], ["2,0,1"], ["2,,1"], ["2,2,1", "--samples", "0"], ["2,2,1", "--tries", "0"]]
)
def test_fundim_bad_input_exit_2(args, cli):
    code, out, err = cli("fundim", *args)
    assert code == 2, out
    assert err.startswith("lbt: error:") and err.count("\n") == 1
