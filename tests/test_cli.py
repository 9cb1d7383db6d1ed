"""The lbt command line, run as a user runs it (subprocess): output, JSON, exit codes."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from circuits.boolean import BooleanCircuit, Op2
from circuits.fileformat import save

LBT = [sys.executable, "-c", "from lbt.cli import main; main()"]
EXAMPLES = Path(__file__).resolve().parent.parent / "scripts" / "examples"


def run(*args, cwd=None):
    return subprocess.run(LBT + list(args), capture_output=True, text=True, cwd=cwd)


def test_info_majority_json():
    proc = run("info", "maj:5", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["n"] == 5 and data["hex"] == ["fee8e880"]
    assert data["threshold"] == [{"is_threshold": True, "weights": [1, 1, 1, 1, 1], "threshold": 3}]


def test_info_parity_certificate_is_valid():
    data = json.loads(run("info", "par:3", "--json").stdout)
    (thr,) = data["threshold"]
    assert thr["is_threshold"] is False
    cert = thr["certificate"]

    # re-check the printed certificate independently: rows of PAR_3 with the right labels, equal sums
    def parity(p):
        return sum(p) % 2

    assert all(parity(p) == 1 for p, _ in cert["positive"]) and all(parity(q) == 0 for q, _ in cert["negative"])
    for k in range(3):
        assert sum(a * p[k] for p, a in cert["positive"]) == sum(b * q[k] for q, b in cert["negative"])
    assert sum(a for _, a in cert["positive"]) == sum(b for _, b in cert["negative"]) > 0


def test_eval_against_target(tmp_path):
    ok = run("eval", str(EXAMPLES / "par3_threshold.json"), "par:3", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["computes"] is True
    bad = run("eval", str(EXAMPLES / "par3_threshold.json"), "maj:3", "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["computes"] is False


def test_eval_bench_full_adder():
    proc = run("eval", str(EXAMPLES / "full_adder.bench"), "sum:3", "--json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["size"] == 5 and data["computes"] is True


@pytest.mark.parametrize(
    "args",
    [
        ["info", "foo:3"],
        ["info", "maj:0"],
        ["info", "par:40"],
        ["info", "tt:3:1ff"],
        ["info", "maj:3", "--bogus"],
        ["info"],
        ["eval", "missing.json"],
        ["eval", str(EXAMPLES / "par3_threshold.json"), "maj:5"],  # arity mismatch
        ["draw", str(EXAMPLES / "par3_threshold.json"), "-o", "out.jpg"],
    ],
)
def test_bad_input_one_line_exit_2(args, tmp_path):
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("lbt: error: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_corrupt_file_exit_2(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"format": "lbt", "version": 1, "model": "boolean", "circuit": {"n": "x"}}')
    proc = run("eval", str(path))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    bench = tmp_path / "c.bench"
    bench.write_text("INPUT(a)\nOUTPUT(b)\nb = FROB(a)\n")
    proc = run("eval", str(bench))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


def test_draw_writes_dot_and_png(tmp_path):
    circuit = BooleanCircuit.from_gates(2, [(Op2.XOR, (0, 1))], outputs=(2,))
    save(circuit, tmp_path / "x.json")
    proc = run("draw", str(tmp_path / "x.json"))
    assert proc.returncode == 0
    dot = (tmp_path / "x.dot").read_text()
    assert dot.startswith("digraph") and "XOR" in dot
    if shutil.which("dot"):
        assert run("draw", str(tmp_path / "x.json"), "-o", str(tmp_path / "x.png")).returncode == 0
        assert (tmp_path / "x.png").read_bytes()[:4] == b"\x89PNG"


def test_readme_python_snippets(tmp_path, monkeypatch):
    """The Python blocks of README.md run as written (in a scratch directory)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    blocks = [b.split("```", 1)[0] for b in readme.split("```python\n")[1:]]
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_the_cli_starts_without_the_heavy_libraries():
    """`lbt --help` and the start of every command must not pay for numpy, networkx, scipy, dask, matplotlib
    or HiGHS: the commands import them where they use them.  (Wall time is measured by
    scripts/bench/startup.py, not here.)"""
    heavy = ("numpy", "networkx", "scipy", "dask", "distributed", "matplotlib", "highspy", "aiger")
    code = f"import sys, lbt.cli; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"importing lbt.cli loads {loaded}"


def test_a_boolean_synthesis_loads_no_graph_lp_or_aiger_library():
    """`lbt synth maj:3 --model b2` needs numpy (the target library) and pysat, but not networkx, scipy,
    HiGHS, dask or py-aiger: the models import networkx only in to_networkx(), file formats their parsers
    only for their files."""
    heavy = ("networkx", "scipy", "dask", "distributed", "matplotlib", "highspy", "aiger")
    code = (
        "import sys\nfrom lbt.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        f"print('loaded:' + ','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)"
    )
    args = ["synth", "maj:3", "--model", "b2", "--json"]
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)["size"] == 4  # MAJ_3 needs 4 B2 gates (Knuth, TAOCP 7.1.2)
    loaded = proc.stderr.splitlines()[-1]
    assert loaded == "loaded:", f"lbt synth maj:3 --model b2 loads {loaded}"


@pytest.mark.parametrize(
    ("module", "model"),
    [("solvers.boolean.engine", "b2"), ("solvers.threshold.engine", "thr"), ("solvers.relu.patterns", "relu")],
)
def test_a_witness_that_fails_its_check_is_a_soundness_error_not_bad_input(cli, monkeypatch, module, model):
    import importlib

    from circuits.errors import WitnessError

    def forged_check(*args, **kwargs):
        raise WitnessError("witness output 0 computes 00, target e8")

    monkeypatch.setattr(importlib.import_module(module), "check_witness", forged_check)
    code, out, err = cli("synth", "maj:3", "--model", model)
    assert code == 4, err
    assert err.strip().splitlines()[-1] == (
        "lbt: soundness check failed: WitnessError: witness output 0 computes 00, target e8"
    )
    assert "lbt: error" not in err


# each target has a refuted size in its model: MAJ_3 needs 4 B2 gates, PAR_3 two threshold gates
# and three ReLU neurons, so the searches (from 2, 1 and 1) refute at least one size
@pytest.mark.parametrize(("spec", "model"), [("maj:3", "b2"), ("par:3", "thr"), ("par:3", "relu")])
def test_a_proof_the_checker_rejects_is_a_soundness_error(cli, monkeypatch, tmp_path, spec, model):
    import dataclasses

    import solvers.proof

    real = solvers.proof.refute

    def rejecting(*args, **kwargs):
        record = real(*args, **kwargs)
        if record.status == "unsat":
            return dataclasses.replace(record, verdict="rejected", reason="step 3 is not a RUP step")
        return record

    monkeypatch.setattr(solvers.proof, "refute", rejecting)
    code, out, err = cli("synth", spec, "--model", model, "--proof", tmp_path / "proofs")
    last = err.strip().splitlines()[-1]
    assert code == 4, err
    assert last.startswith("lbt: soundness check failed: ProofRejected: ") and "not" in last


@pytest.mark.parametrize(("raised", "message"), [(KeyboardInterrupt, ""), ("abort", "lbt: interrupted\n")])
def test_an_interrupted_command_exits_130(cli, monkeypatch, raised, message):
    import typer

    import circuits.targets

    def interrupted(spec):
        raise typer.Abort() if raised == "abort" else raised()

    monkeypatch.setattr(circuits.targets, "target", interrupted)
    assert cli("info", "maj:3") == (130, "", message)


def test_outside_standalone_mode_errors_reach_the_caller():
    from typer.main import get_command

    from circuits.errors import SpecError
    from lbt.cli import app

    with pytest.raises(SpecError, match="unknown family 'nope'"):
        get_command(app).main(["info", "nope:3"], standalone_mode=False)
