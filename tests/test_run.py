"""The run loop every engine shares (solvers.run): resume from a proof directory, for every engine.

What is under test is resume, not the values: a second run with the same
``--proof DIR`` must re-check the stored refutations instead of solving them
again and agree with the first run, and a stored refutation that no longer
checks must be solved (and proved) again.
"""

from __future__ import annotations

import gzip
import json

import pytest

# each target has at least two refuted sizes below its minimum in the model, so one can be tampered with
# while another is still re-used
ENGINES = {
    "b2": ["maj:3", "--model", "b2"],  # sizes 2, 3 refuted, 4 gates (Knuth, TAOCP 7.1.2)
    "aig": ["par:2", "--model", "aig"],  # XOR needs 3 AND gates with free negations
    "thr": ["par:4", "--model", "thr"],  # sizes 1, 2 refuted, 3 threshold gates
    "thr-depth": ["par:4", "--model", "thr", "--depth", "2"],
    "relu-patterns": ["par:3", "--model", "relu"],
    "relu-deep": ["par:3", "--model", "relu", "--hidden-layers", "2"],  # sizes 1, 2 refuted by one layer
    "relu-bitblast": ["maj:4", "--model", "relu", "--hidden-layers", "2", "--max-weight", "1"],
}


def _tamper(path):
    """Change a stored file so that it no longer checks: a CNF gets one clause more, a certificate a table."""
    if path.name.endswith(".certs.json"):
        data = json.loads(path.read_text())
        data["table"] = "ff" if data["table"] != "ff" else "00"
        path.write_text(json.dumps(data))
    else:
        path.write_text(path.read_text() + "1 -1 0\n")


@pytest.mark.parametrize("args", ENGINES.values(), ids=ENGINES.keys())
def test_a_second_run_reuses_the_checked_refutations_and_solves_a_tampered_one_again(cli, tmp_path, args):
    d = tmp_path / "proofs"
    synth = ["synth", *args, "--proof", d, "--json"]
    code, out, err = cli(*synth)
    first = json.loads(out)
    sizes = [r["size"] for r in first["refutations"]]
    assert code in (0, 3) and len(sizes) >= 2, err
    assert first["lower_bound"] == sizes[-1] + 1
    code, out, err = cli(*synth)
    again = json.loads(out)
    assert (again["size"], again["proven"], again["lower_bound"]) == (
        first["size"],
        first["proven"],
        first["lower_bound"],
    )
    assert [r["size"] for r in again["refutations"]] == sizes
    assert all(r["method"].endswith(":stored") for r in again["refutations"]), again["refutations"]
    assert cli("verify", d)[0] == 0
    # the last refuted size's stored files no longer check: that size alone is solved and proved again
    last = sizes[-1]
    stored = sorted(d.glob(f"*-s{last}*.certs.json")) or sorted(d.glob(f"*-s{last}.cnf"))
    _tamper(stored[0])
    code, out, err = cli(*synth)
    third = json.loads(out)
    assert (third["size"], third["lower_bound"]) == (first["size"], first["lower_bound"]), err
    methods = {r["size"]: r["method"] for r in third["refutations"]}
    assert methods[sizes[0]].endswith(":stored") and not methods[last].endswith(":stored"), methods
    assert cli("verify", d)[0] == 0


def test_the_milp_method_refuses_proofs(cli, tmp_path):
    # its "infeasible" answers are floating-point and refute nothing, so there is nothing to prove
    code, out, err = cli("synth", "par:3", "--model", "thr", "--method", "milp", "--proof", tmp_path / "d")
    assert code == 2 and err.count("\n") == 1 and "milp method proves nothing" in err
    assert not list(tmp_path.rglob("*.*"))  # nothing written


def test_a_gzip_proof_is_what_a_refuted_plain_case_stores(cli, tmp_path):
    # the plain engines' certificate is the LRAT proof of the size's own CNF: it is stored and it checks
    d = tmp_path / "p"
    code, _, err = cli("synth", "maj:3", "--proof", d)
    assert code == 0, err
    (proof,) = d.glob("maj_3-b2-s3.lrat.gz")
    assert gzip.decompress(proof.read_bytes()).strip()
    assert cli("verify-proof", d / "maj_3-b2-s3.cnf", proof)[0] == 0
