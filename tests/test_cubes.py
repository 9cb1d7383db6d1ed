"""Cube-and-conquer (solvers.split, solvers.cubes): the same minima split or not, a checked proof of every cube
and of the coverage, a verifier that derives the cubes itself, resume, and what stops a split."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from circuits.targets import target
from solvers.audit import audit_file
from solvers.boolean.engine import synthesize
from solvers.records import Status
from solvers.relu.engine import synthesize_relu
from solvers.split import derive, occurrence_groups, split
from solvers.threshold.engine import synthesize_threshold


# --------------------------------------------------------------- the split
@given(
    st.lists(st.lists(st.integers(1, 40), min_size=1, max_size=4, unique=True), min_size=0, max_size=5),
    st.integers(1, 200),
)
def test_split_is_the_product_of_the_first_groups(groups, count):
    cubes = split(groups, count)
    used = len(cubes[0]) if cubes else 0
    # the first `used` groups, every combination once, in product order
    assert cubes == list(itertools.product(*groups[:used]))
    # as few groups as give `count` cubes: one group fewer would give fewer than `count`
    if used:
        assert len(list(itertools.product(*groups[: used - 1]))) < count
    assert len(cubes) >= count or used == len(groups)


@settings(max_examples=30)
@given(st.lists(st.lists(st.integers(-6, 6).filter(bool), min_size=1, max_size=4), min_size=1, max_size=12))
def test_the_derived_cubes_cover_every_model_once(clauses):
    # occurrence groups are a variable and its negation; the cubes unit propagation refutes are left out:
    # every model of the clauses extends exactly one cube, and no cube left out has a model
    cubes = derive(clauses, 8)
    variables = sorted({abs(lit) for clause in clauses for lit in clause})
    split_vars = {abs(lit) for lit in occurrence_groups(clauses)[0]} if variables else set()
    for bits in itertools.product((False, True), repeat=len(variables)):
        true = {v if b else -v for v, b in zip(variables, bits)}
        if all(true & set(clause) for clause in clauses):
            assert sum(set(cube) <= true for cube in cubes) == 1
    assert all(split_vars <= {abs(lit) for lit in cube} for cube in cubes)
    counts = {abs(lit) for clause in clauses for lit in clause}
    assert [g[0] for g in occurrence_groups(clauses)] == sorted(
        counts, key=lambda v: (-sum(v in map(abs, c) for c in clauses), v)
    )


def test_a_cube_unit_propagation_refutes_is_left_out():
    # x1 -> x2 and x1 -> -x2: every cube with x1 is refuted by unit propagation
    clauses = [[-1, 2], [-1, -2], [1, 3], [3, 2]]
    assert all(1 not in cube for cube in derive(clauses, 4, [[1, -1], [2, -2]]))
    assert derive(clauses, 4, [[1, -1], [2, -2]]) == [(-1, 2), (-1, -2)]


# --------------------------------------------------------------- same minima, split or not
# MAJ_4 needs 7 B2 gates (Knuth, TAOCP 7.1.2), PAR_4 three threshold gates, PAR_3 four ReLU neurons with
# one hidden layer, MAJ_4 three neurons with integer weights in [-1, 1] (the unsplit searches agree)
RUNS = {
    "b2": lambda **kw: synthesize("maj:4", **kw),
    "aig": lambda **kw: synthesize("par:3", "aig", **kw),
    "thr": lambda **kw: synthesize_threshold("par:4", **kw),
    "relu": lambda **kw: synthesize_relu("par:3", **kw),
    "relu-bitblast": lambda **kw: synthesize_relu("maj:4", hidden_layers=2, max_weight=1, **kw),
}


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("run", RUNS.values(), ids=RUNS.keys())
def test_split_sizes_give_the_same_minimum(run, jobs, tmp_path):
    whole = run()
    cubed = run(cubes=4, jobs=jobs, proof_dir=tmp_path)
    assert (cubed.size, cubed.proven, cubed.lower_bound) == (whole.size, whole.proven, whole.lower_bound)
    assert all(step.method.endswith("+cubes") for step in cubed.steps)
    assert all("cubes" in json.dumps(ref.proof) for ref in cubed.refutations)
    (tmp_path / f"{cubed.name}.result.json").write_text(json.dumps(cubed.to_dict()))
    audit = audit_file(tmp_path / f"{cubed.name}.result.json")
    assert audit.ok, audit.failures
    assert multiprocessing.active_children() == []


# --------------------------------------------------------------- the verifier derives the cubes
@pytest.fixture(scope="module", params=["b2", "thr"])
def split_dir(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"split-{request.param}")
    r = RUNS[request.param](cubes=6, proof_dir=d)
    path = d / f"{r.name}.result.json"
    path.write_text(json.dumps(r.to_dict()))
    assert audit_file(path).ok
    return d, path


def _tampered(split_dir, tmp_path, change):
    d, path = split_dir
    copy = tmp_path / "copy"
    shutil.copytree(d, copy)
    record = json.loads((copy / path.name).read_text())
    proof = record["refutations"][-1]["proof"]
    change(proof, copy)
    (copy / path.name).write_text(json.dumps(record))
    return audit_file(copy / path.name)


def _swap(proof, d, key):
    a, b = proof["cubes"][0], proof["cubes"][1]
    pa, pb = (d / os.path.basename(x[key]) for x in (a, b))
    tmp = d / "swap"
    pa.rename(tmp)
    pb.rename(pa)
    tmp.rename(pb)


def _swap_proofs(proof, d):
    _swap(proof, d, "proof_path")


TAMPERING = {
    "a cube deleted": lambda proof, d: proof["cubes"].pop(1),
    "a cube added twice": lambda proof, d: proof["cubes"].append(dict(proof["cubes"][0])),
    "a cube's literal negated": lambda proof, d: proof["cubes"][0]["cube"].__setitem__(
        0, -proof["cubes"][0]["cube"][0]
    ),
    "two cubes' records swapped": lambda proof, d: proof["cubes"].insert(0, proof["cubes"].pop(1)),
    "two cubes' proof files swapped": _swap_proofs,
    "the coverage proof removed": lambda proof, d: proof.pop("cover"),
    "fewer cubes asked for": lambda proof, d: proof["split"].update(cubes=1),
    "the split dropped": lambda proof, d: proof.pop("split"),
}


@pytest.mark.parametrize("change", TAMPERING.values(), ids=TAMPERING.keys())
def test_the_verifier_rejects_a_tampered_split(split_dir, tmp_path, change):
    audit = _tampered(split_dir, tmp_path, change)
    assert not audit.ok
    assert any("size" in failure for failure in audit.failures), audit.failures


def test_certificate_files_under_each_others_names_still_justify_the_split(split_dir, tmp_path):
    # a threshold cube's certificate states its own cube and names its own CNF and proof: under another
    # name it still refutes the cube it states, and every derived cube keeps a verified certificate
    if "certificates_path" not in json.loads(split_dir[1].read_text())["refutations"][-1]["proof"]["cubes"][0]:
        pytest.skip("Boolean cubes have no certificate files")
    assert _tampered(split_dir, tmp_path, lambda proof, d: _swap(proof, d, "certificates_path")).ok


def test_a_cube_proof_of_another_cube_is_rejected(split_dir, tmp_path):
    # the cube's own files, but the record claims they refute the cube with one literal flipped
    def change(proof, d):
        entry = proof["cubes"][-1]
        entry["cube"] = [-entry["cube"][0], *entry["cube"][1:]]

    assert not _tampered(split_dir, tmp_path, change).ok


def _mixed_split(directory):
    """A split of PAR_2's size 2 over thr whose coverage is of the default encoding, but whose cubes are refuted in
    the encoding without symmetry breaking: the same cube literals, another formula.  Returns the record."""
    import solvers.threshold.engine as te
    from solvers.cases import settle
    from solvers.cubes import coverage_case, cube_record
    from solvers.sat import solve_step
    from solvers.threshold.options import ThresholdOptions

    table = target("par:2").table
    run = synthesize_threshold("par:2", proof_dir=directory)
    record = run.to_dict()
    (case,) = te.ThresholdEngine("par:2", table, ThresholdOptions()).cases(2, None)
    cubes = derive(case.clauses, 8)
    cover = coverage_case(case, cubes)
    step = solve_step([list(c) for c in cover.clauses], cover.num_vars, size=2, proof_dir=directory,
                      name=cover.name, write_cnf=False)  # fmt: skip
    other = te.ThresholdEngine("par:2", table, ThresholdOptions(), symmetry=[])
    (bare,) = other.cases(2, None)
    entries = []
    for k, cube in enumerate(cubes):
        outcome = settle(other, bare.restrict(k, cube), None, directory)
        assert outcome.status == "unsat"  # each cube is refuted, but in another formula
        entries.append(cube_record(k, cube, outcome))
    proof = {"split": {"cubes": 8, "count": len(cubes)}, "cover": step.proof, "cubes": entries}
    record["refutations"] = [r for r in record["refutations"] if r["size"] != 2]
    record["refutations"].append({"size": 2, "status": "unsat", "proof": proof})
    record.update(size=None, witness=None, proven=False, lower_bound=3)  # PAR_2 needs 2 threshold gates: false
    return record, case, cubes


def test_cubes_refuted_in_another_encoding_do_not_count(tmp_path):
    # a cube's literals mean something only in the formula its split was made of: the coverage proof of one
    # encoding and cube refutations of another prove nothing of either
    record, _, _ = _mixed_split(tmp_path)
    (tmp_path / "forged.result.json").write_text(json.dumps(record))
    audit = audit_file(tmp_path / "forged.result.json")
    assert not audit.ok and any("refutes another question" in f for f in audit.failures), audit.failures


def test_cubes_of_another_encoding_are_not_reused_on_resume(tmp_path):
    forged = tmp_path / "forged"
    _, case, cubes = _mixed_split(forged)
    resumed = tmp_path / "resumed"
    resumed.mkdir()
    for k, cube in enumerate(cubes):  # planted as this run's cubes, with the journal's base hash set to match
        name = f"par_2-thr-s2-c{k}"
        for suffix in (".certs.json", ".lrat.gz"):
            shutil.copy(forged / (name + suffix), resumed / (name + suffix))
        journal = json.loads((forged / f"{name}.refutation.json").read_text())
        journal["base_sha256"] = case.restrict(k, cube).header["base_sha256"]
        (resumed / f"{name}.refutation.json").write_text(json.dumps(journal))
    r = synthesize_threshold("par:2", cubes=8, proof_dir=resumed)
    assert (r.size, r.proven) == (2, True)  # size 2 was not taken as refuted


def test_a_size_that_is_not_an_integer_proves_nothing(tmp_path):
    record = synthesize_threshold("par:2", proof_dir=tmp_path).to_dict()
    record.update(size=3.0, lower_bound=None, proven=True)  # 3.0 == 3, and no size was refuted at 2
    (tmp_path / "float.result.json").write_text(json.dumps(record))
    audit = audit_file(tmp_path / "float.result.json")
    assert not audit.ok and "is not an integer" in " ".join(audit.failures)


# --------------------------------------------------------------- resume, and what stops a split
def test_an_interrupted_split_resumes_and_solves_only_what_is_missing(cli, tmp_path):
    d = tmp_path / "p"
    synth = ["synth", "maj:4", "--cubes", "8", "--proof", d, "--json"]
    code, out, err = cli(*synth)
    assert code == 0, err
    first = json.loads(out)
    # as if stopped before cube 0 of size 6 was refuted: its journal is gone
    (d / "maj_4-b2-s6-c0.refutation.json").unlink()
    code, out, err = cli(*synth)
    again = json.loads(out)
    assert code == 0 and (again["size"], again["proven"]) == (first["size"], first["proven"]), err
    methods = {r["size"]: r["method"] for r in again["refutations"]}
    assert methods[5].endswith(":stored") and not methods[6].endswith(":stored"), methods
    assert cli("verify", d)[0] == 0


def test_a_satisfiable_cube_ends_the_split_and_gives_the_witness():
    r = synthesize("maj:4", start=7, cubes=4, jobs=2)
    (step,) = r.steps
    assert step.status == "sat" and step.method.endswith("+cubes") and r.circuit.size == 7
    assert multiprocessing.active_children() == []


def test_the_whole_case_races_the_cubes_for_a_model(monkeypatch):
    # the cube processes never finish (forked after this patch); only the racer on the whole formula can
    # find the 7-gate circuit of MAJ_4 before the time limit
    import solvers.cubes

    def stuck(*args, **kwargs):
        time.sleep(30)  # then a cube ends undecided: without the racer the size times out
        return solvers.cubes.Settled(Status.TIMEOUT)

    monkeypatch.setattr(solvers.cubes, "settle", stuck)
    r = synthesize("maj:4", start=7, cubes=4, jobs=2, timeout=120)
    assert not r.timed_out and r.size == 7 and r.circuit.computes(target("maj:4").table)
    assert r.steps[-1].method.endswith("+cubes")
    assert multiprocessing.active_children() == []


def test_ctrl_c_stops_every_cube_process():
    timer = threading.Timer(3.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        r = synthesize("maj:5", start=8, max_size=8, cubes=16, jobs=2)
    finally:
        timer.cancel()
    assert r.interrupted and not r.proven
    assert multiprocessing.active_children() == []


def test_cube_options_are_checked(cli):
    for args, words in [
        (["--cubes", "1"], "cubes must be an integer >= 2"),
        (["--jobs", "0"], "jobs must be an integer in 1.."),
        (["--scheduler", " "], "scheduler must be an address"),
    ]:
        code, _, err = cli("synth", "maj:3", *args)
        assert code == 2 and words in err and err.count("\n") == 1, err


def test_cubes_on_a_dask_cluster_give_the_same_proofs(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        r = synthesize_threshold("par:4", cubes=4, scheduler=cluster.scheduler_address, proof_dir=tmp_path)
    local = synthesize_threshold("par:4", cubes=4, jobs=2, proof_dir=tmp_path / "local")
    assert (r.size, r.proven) == (local.size, local.proven) == (3, True)
    names = sorted(p.name for p in tmp_path.glob("*.certs.json"))
    assert names == sorted(p.name for p in (tmp_path / "local").glob("*.certs.json")) and names
    (tmp_path / "r.result.json").write_text(json.dumps(r.to_dict()))
    assert audit_file(tmp_path / "r.result.json").ok
    # resumed, the refuted sizes' cubes are re-checked here and none is sent: no scheduler listens at this address
    again = synthesize_threshold("par:4", cubes=4, scheduler="tcp://127.0.0.1:9", proof_dir=tmp_path, max_size=2)
    assert again.lower_bound == 3 and not again.timed_out and again.size is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux only (PR_SET_PDEATHSIG, /proc)")
def test_a_racer_dies_with_its_parent():
    # the racer's one solver call never looks at the clock: when its parent is killed, the kernel must end it
    import solvers.cubes

    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked processes
        racer = os.fork()
        if racer == 0:
            solvers.cubes._die_with_parent(os.getppid())
            time.sleep(60)
            os._exit(0)
        os.write(write, str(racer).encode())
        time.sleep(60)
        os._exit(0)
    racer = int(os.read(read, 32))
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    until = time.monotonic() + 10
    alive = True
    while alive and time.monotonic() < until:
        try:
            alive = Path(f"/proc/{racer}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            alive = False
        time.sleep(0.05)
    if alive:  # pragma: no cover - the failure case: clean up before failing
        os.kill(racer, signal.SIGKILL)
    assert not alive
