"""`lbt synth`, `lbt verify` and `lbt verify-proof` as a user runs them (subprocess)."""

import gzip
import json
import signal
import subprocess
import sys
import time

import pytest

from circuits.boolean import BooleanCircuit
from circuits.fileformat import load
from circuits.targets import target
from circuits.threshold import ThresholdCircuit

LBT = [sys.executable, "-c", "from lbt.cli import main; main()"]


def run(*args, cwd=None):
    return subprocess.run(LBT + list(args), capture_output=True, text=True, cwd=cwd, check=False)


def synth_json(*args):
    proc = run("synth", *args, "--json")
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


REQUIRED_KEYS = {
    "target",
    "model",
    "size",
    "proven",
    "lower_bound",
    "witness",
    "refutations",
    "seconds",
}


@pytest.mark.parametrize(
    ("spec", "size"),
    [
        (
            "par:4",
            3,
        ),  # XOR of n inputs needs n - 1 B2 gates (each gate reduces the support by at most one)
        ("maj:3", 4),  # C(<x y z>) = 4 over B2: Knuth, TAOCP 4A, 7.1.2
        (
            "sum:3",
            5,
        ),  # the full adder needs 5 B2 gates: Knuth, TAOCP 4A, 7.1.2 (the classic full adder is optimal)
    ],
)
def test_boolean_minimum_json(spec, size):
    proc, data = synth_json(spec, "--model", "b2")
    assert proc.returncode == 0, proc.stderr
    assert REQUIRED_KEYS <= data.keys()
    assert data["size"] == size and data["proven"] and data["lower_bound"] == size
    # the witness is re-evaluated here, independently of the run
    circuit = BooleanCircuit.from_dict(data["witness"])
    assert circuit.size == size and circuit.truth_table() == target(spec).table
    assert sorted(r["size"] for r in data["refutations"]) == list(range(size - len(data["refutations"]), size))


def test_threshold_parity_needs_two_gates():
    proc, data = synth_json("par:3", "--model", "thr")
    assert proc.returncode == 0, proc.stderr
    assert data["size"] == 2 and data["proven"] and [r["size"] for r in data["refutations"]] == [1]
    assert ThresholdCircuit.from_dict(data["witness"]).truth_table() == target("par:3").table


def test_text_output_names_each_size_and_the_verdict():
    proc = run("synth", "maj:3")
    assert proc.returncode == 0
    assert "minimum size 4, proven" in proc.stdout
    assert "size 3: refuted" in proc.stderr and "size 4: found" in proc.stderr


def test_unproven_result_exits_3():
    proc, data = synth_json("maj:4", "--max-size", "5")
    assert proc.returncode == 3
    assert data["size"] is None and not data["proven"] and data["lower_bound"] == 6
    proc, data = synth_json("maj:3", "--from", "4")  # sizes 2, 3 never refuted
    assert proc.returncode == 3 and data["size"] == 4 and not data["proven"]


def test_witness_file(tmp_path):
    out = tmp_path / "maj3.bench"
    assert run("synth", "maj:3", "-q", "-o", str(out)).returncode == 0
    assert load(out).truth_table() == target("maj:3").table


def test_proofs_verify_and_resume(tmp_path):
    d = tmp_path / "proofs"
    proc, data = synth_json("maj:4", "--proof", str(d))
    assert proc.returncode == 0, proc.stderr
    assert all(r["proof"]["verdict"] == "verified" for r in data["refutations"])
    check = run("verify", str(d), "--json")
    assert check.returncode == 0, check.stdout
    assert json.loads(check.stdout)["failed"] == 0
    # a second run re-checks the stored refutations instead of solving again
    proc, again = synth_json("maj:4", "--proof", str(d))
    assert proc.returncode == 0 and again["proven"] and again["size"] == 7
    assert all(r["method"].endswith(":stored") for r in again["refutations"])


def test_verify_rejects_a_tampered_proof(tmp_path):
    d = tmp_path / "proofs"
    assert synth_json("maj:3", "--proof", str(d))[0].returncode == 0
    proof = d / "maj_3-b2-s3.lrat.gz"
    lines = gzip.decompress(proof.read_bytes()).decode().splitlines()
    proof.write_bytes(gzip.compress(("\n".join(lines[1:]) + "\n").encode()))  # drop the first step
    proc = run("verify", str(d))
    assert proc.returncode == 1
    assert "FAIL" in proc.stdout and "size 3" in proc.stdout
    # and a resumed search does not trust it: size 3 is solved again
    proc, data = synth_json("maj:3", "--proof", str(d))
    assert proc.returncode == 0
    assert {r["size"]: r["method"] for r in data["refutations"]}[3] == "lrat:cadical195"


def test_verify_rejects_a_false_proven_claim(tmp_path):
    d = tmp_path / "proofs"
    assert synth_json("par:3", "--model", "thr", "--proof", str(d))[0].returncode == 0
    (record_path,) = d.glob("*.result.json")
    record = json.loads(record_path.read_text())
    record["refutations"] = []  # claim "proven" without the refutation of size 1
    record_path.write_text(json.dumps(record))
    proc = run("verify", str(record_path))
    assert proc.returncode == 1 and "no verified refutation" in proc.stdout


def test_verify_proof_by_hand(tmp_path):
    d = tmp_path / "proofs"
    assert synth_json("maj:3", "--proof", str(d))[0].returncode == 0
    cnf, proof = d / "maj_3-b2-s3.cnf", d / "maj_3-b2-s3.lrat.gz"
    proc = run("verify-proof", str(cnf), str(proof), "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["verified"]
    # the same proof does not refute another formula (size 2's CNF)
    proc = run("verify-proof", str(d / "maj_3-b2-s2.cnf"), str(proof))
    assert proc.returncode == 1 and "REJECTED" in proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("maj:3", "--model", "nand"),
        ("maj:3", "--depth", "0"),
        ("maj:3", "--model", "thr", "--layered", "0"),
        ("maj:3", "--model", "thr", "--max-weight", "-1"),
        ("maj:3", "--layered", "2"),  # a threshold option for a Boolean model
        ("maj:3", "--solver", "nosuchsolver"),
        ("maj:3", "--fanin", "9"),
        ("par:11",),  # more inputs than the SAT encoding supports
        ("maj:x",),
        ("maj:3", "--timeout", "-5"),
        ("maj:3", "-o", "out.txt"),
    ],
)
def test_bad_input_one_line_exit_2(args, tmp_path):
    proc = run("synth", *args, cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith("lbt: error: ") and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("what", ["missing", "empty-dir", "garbage"])
def test_verify_bad_input(tmp_path, what):
    path = tmp_path / "x.result.json"
    if what == "empty-dir":
        path = tmp_path
    elif what == "garbage":
        path.write_text("{not json")
    proc = run("verify", str(path))
    assert proc.returncode == 2 and proc.stderr.startswith("lbt: error: ")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_ctrl_c_reports_what_was_established(tmp_path):
    proofs = tmp_path / "proofs"
    proc = subprocess.Popen(
        [*LBT, "synth", "maj:5", "--json", "--proof", str(proofs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # sizes 4..7 are refuted within seconds, size 8 takes minutes: interrupt once size 6 has begun
    until = time.monotonic() + 120
    while not any(proofs.glob("*-s6.*")) and time.monotonic() < until and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    data = json.loads(out)
    assert data["interrupted"] and not data["proven"] and data["size"] is None
    assert data["lower_bound"] == 4 + len(data["refutations"]) and len(data["refutations"]) >= 2


def test_dont_cares_lower_the_cost():
    # PAR_3 on the rows with x2 = 0 (care mask 0x0f) is XOR(x0, x1): one gate instead of two
    proc, data = synth_json("par:3", "--care", "0f")
    assert proc.returncode == 0, proc.stderr
    assert data["size"] == 1 and data["proven"]
    table = BooleanCircuit.from_dict(data["witness"]).truth_table()
    assert all(table(*x, 0) == (x[0] ^ x[1]) for x in [(0, 0), (0, 1), (1, 0), (1, 1)])
    proc = run("synth", "par:3", "--care", "0f,0f")
    assert proc.returncode == 2 and "masks" in proc.stderr


def test_verify_rejects_a_tampered_separability_certificate(tmp_path):
    from solvers.threshold.encoding import SYMMETRY_BREAKING
    from solvers.threshold.engine import synthesize_threshold

    # without the eager "pairs" constraints the refutations of PAR_4 need learned clauses
    r = synthesize_threshold("par:4", proof_dir=tmp_path, symmetry=set(SYMMETRY_BREAKING) - {"pairs", "pairs_output"})
    assert r.proven and r.size == 3
    certs = sorted(tmp_path.glob("*.certs.json"))
    assert all(run("verify", str(c)).returncode == 0 for c in certs)
    tampered = next(c for c in certs if json.loads(c.read_text())["learned"])
    data = json.loads(tampered.read_text())
    row, label, mult = data["learned"][0]["rows"][0]
    data["learned"][0]["rows"][0] = [row, label, mult + 1]  # the equal-sum condition breaks
    tampered.write_text(json.dumps(data))
    proc = run("verify", str(tampered))
    assert proc.returncode == 1 and "FAILED" in proc.stdout and "learned clause 1" in proc.stdout


def test_relu_disjointness_paper_construction_is_optimal(tmp_path):
    # paper 002 (Thm 16) builds DISJ_d with d + 1 neurons (ReLU output); for d = 2, 3 neurons is the minimum
    from circuits.relu import ReLUNetwork

    d = tmp_path / "proofs"
    proc, data = synth_json("disj:2", "--model", "relu", "--output", "relu", "--proof", str(d))
    assert proc.returncode == 0, proc.stderr
    assert data["size"] == 3 and data["proven"] and data["output"] == "relu"
    assert ReLUNetwork.from_dict(data["witness"]).truth_table() == target("disj:2").table
    assert run("verify", str(d)).returncode == 0
    # tamper with the certificate of size 2: the directory no longer verifies
    cert = next(p for p in d.glob("*-s2.certs.json"))
    meta = json.loads(cert.read_text())
    meta["size"] = 3
    cert.write_text(json.dumps(meta))
    assert run("verify", str(d)).returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ("par:2", "--model", "relu", "--hidden-layers", "0"),
        ("par:2", "--model", "relu", "--output", "sigmoid"),
        ("par:2", "--model", "relu", "--max-weight", "-1"),
        ("par:2", "--model", "b2", "--skip"),
        ("par:2", "--model", "relu", "--layered", "2"),
    ],
)
def test_relu_bad_input(args):
    proc = run("synth", *args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith("lbt: error: ") and len(proc.stderr.strip().splitlines()) == 1
