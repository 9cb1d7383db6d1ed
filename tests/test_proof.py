"""UNSAT proofs end to end: CaDiCaL's LRAT through python-sat, renumbering, checking, storage.

Formulas with a known status (pigeonhole, brute-forced random CNFs) are
refuted and the proofs verified; real proofs are then corrupted in ways that
are invalid by construction and must be rejected.
"""

import io
import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import solvers.proof as proof_mod
from circuits.errors import FormatError, SpecError
from solvers.lrat import check_lrat, open_maybe_compressed, read_dimacs
from solvers.proof import (
    Model,
    Refutation,
    RenumberError,
    SolverError,
    Timeout,
    available_solvers,
    refute,
    renumber_lrat,
    sha256_file,
    verify_refutation,
    write_dimacs,
)


def php(holes):
    """Pigeonhole PHP(holes+1, holes), by hand: unsatisfiable for every holes >= 1."""
    pigeons = holes + 1

    def x(p, h):
        return p * holes + h + 1

    clauses = [[x(p, h) for h in range(holes)] for p in range(pigeons)]
    for h in range(holes):
        for p in range(pigeons):
            for q in range(p + 1, pigeons):
                clauses.append([-x(p, h), -x(q, h)])
    return clauses


def satisfies(model, clauses):
    true = set(model)
    return all(any(lit in true for lit in c) for c in clauses)


def brute_force_sat(clauses, n):
    for bits in product((False, True), repeat=n):
        model = [v if bits[v - 1] else -v for v in range(1, n + 1)]
        if satisfies(model, clauses):
            return True
    return False


def proof_lines(path):
    with open_maybe_compressed(path) as fh:
        return fh.read().decode().splitlines()


def write_proof(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return path


def raw_cadical_proof(clauses, workdir, name, solver="cadical195"):
    """The solver's own LRAT output (before renumbering) and the status."""
    raw = Path(workdir) / f"{name}.raw"
    with open(raw, "w+b") as fh:
        status, _, _ = proof_mod._solve_with_lrat(solver, [list(c) for c in clauses], fh, None)
    return raw, status


# --------------------------------------------------------------------------- refutations


@pytest.mark.parametrize("holes", [2, 3, 4, 5])
def test_pigeonhole_is_refuted_with_a_verified_stored_proof(tmp_path, holes):
    clauses = php(holes)
    r = refute(clauses, tmp_path, f"php{holes}")
    assert isinstance(r, Refutation) and r.status == "unsat"
    assert r.verified and r.verdict == "verified" and r.checker == "lbt.lrat"
    assert (r.solver, r.solver_version, r.proof_format) == ("cadical195", "1.9.5", "lrat")
    assert (r.num_vars, r.num_clauses) == ((holes + 1) * holes, len(clauses))
    assert r.cnf_path == tmp_path / f"php{holes}.cnf"
    assert r.proof_path == tmp_path / f"php{holes}.lrat.gz"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"php{holes}.cnf", f"php{holes}.lrat.gz"]
    # The CNF on disk is the clause list, in order.
    assert read_dimacs(r.cnf_path).clauses == tuple(tuple(c) for c in clauses)
    # Hashes of what is stored.
    assert sha256_file(r.cnf_path) == r.cnf_sha256
    assert sha256_file(r.proof_path) == r.proof_file_sha256
    assert sha256_file(r.proof_path, decompress=True) == r.proof_sha256
    assert r.proof_path.read_bytes()[:2] == b"\x1f\x8b"
    # Re-checking the stored files, with and without the recorded hashes.
    assert verify_refutation(r.cnf_path, r.proof_path).verified
    assert verify_refutation(r.cnf_path, r.proof_path, cnf_sha256=r.cnf_sha256, proof_sha256=r.proof_sha256)
    # The record survives JSON.
    d = json.loads(json.dumps(r.to_dict()))
    assert d["verdict"] == "verified" and d["status"] == "unsat" and d["proof_steps"] == r.proof_steps > 0
    assert Refutation.from_dict(d).to_dict() == d


def test_random_3sat_matches_brute_force(tmp_path):
    rng = random.Random(20240611)
    seen = {"sat": 0, "unsat": 0}
    for i in range(40):
        n = 10
        m = rng.choice((40, 60, 60))  # ratio 4 (mostly SAT) and 6 (mostly UNSAT)
        clauses = [[v * rng.choice((1, -1)) for v in rng.sample(range(1, n + 1), 3)] for _ in range(m)]
        r = refute(clauses, tmp_path, f"r{i}")
        seen[r.status] += 1
        if brute_force_sat(clauses, n):
            assert isinstance(r, Model)
            assert len(r.model) == n and satisfies(r.model, clauses)
            assert not (tmp_path / f"r{i}.lrat.gz").exists()
        else:
            assert isinstance(r, Refutation) and r.verified, r.reason
    assert seen["sat"] >= 5 and seen["unsat"] >= 5


EDGE_CASES = {
    "units-dups-taut": ([[1, 2], [1, -1], [-1, -1], [2, 2, -1], [-2, 3], [-3, -2]], False),
    "opposite-units": ([[1], [-1]], False),
    "only-empty": ([[]], False),
    "empty-inside": ([[1, 2], [], [3]], False),
    "repeated-units": ([[1], [1], [-1, 2], [-2], [5, -5]], False),
    "no-clauses": ([], True),
    "sat-with-units": ([[1], [-2], [2, 3, 3], [-1, -3, 4]], True),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_units_duplicates_tautologies_and_empty_clauses(tmp_path, case):
    clauses, sat = EDGE_CASES[case]
    r = refute(clauses, tmp_path, "e")
    if sat:
        assert isinstance(r, Model) and satisfies(r.model, clauses)
    else:
        assert isinstance(r, Refutation) and r.verified, r.reason


def test_random_formulas_with_units_duplicates_and_tautologies(tmp_path):
    """Clauses the solver simplifies while reading its input are the hard case for clause ids."""
    for seed in range(150):
        rng = random.Random(seed)
        n = rng.randint(3, 9)
        clauses = []
        for _ in range(int(n * rng.uniform(3, 7))):
            u = rng.random()
            k = 1 if u < 0.06 else 2 if u < 0.2 else 3
            c = [rng.choice((-1, 1)) * v for v in rng.sample(range(1, n + 1), min(k, n))]
            if rng.random() < 0.05:
                c.append(c[0])
            if rng.random() < 0.02:
                c.append(-c[0])
            clauses.append(c)
        r = refute(clauses, tmp_path, "s", compression="none")
        if brute_force_sat(clauses, n):
            assert isinstance(r, Model) and satisfies(r.model, clauses), seed
        else:
            assert isinstance(r, Refutation) and r.verified, (seed, r.reason)


def test_raw_cadical_ids_interleave_and_renumbering_fixes_them(tmp_path):
    """Pins CaDiCaL's numbering: clauses derived while reading the input take ids
    between the original clauses, so the raw proof is not standard LRAT."""
    clauses = EDGE_CASES["units-dups-taut"][0]
    cnf = tmp_path / "e.cnf"
    write_dimacs(clauses, cnf)
    raw, status = raw_cadical_proof(clauses, tmp_path, "e")
    assert status == 20
    assert proof_lines(raw)[:2] == ["0 d 2 0", "4 -1 0 3 0"]  # id 4 is taken by a derived clause
    r = check_lrat(cnf, raw)
    assert not r.verified and "not larger than every earlier id" in r.reason
    fixed = tmp_path / "e.lrat"
    with open(raw, "rb") as src, open(fixed, "wb") as dst:
        renumber_lrat(src, dst, len(clauses))
    assert check_lrat(cnf, fixed).verified
    assert proof_lines(fixed)[:2] == ["6 d 2 0", "7 -1 0 3 0"]


def test_renumbering_leaves_standard_lrat_alone(tmp_path):
    src = [b"5 1 0 1 2 0\n", b"5 d 1 2 0\n", b"6 0 5 3 4 0\n"]
    out = tmp_path / "o.lrat"
    with open(out, "wb") as fh:
        assert renumber_lrat(src, fh, 4) == 3
    assert out.read_bytes() == b"".join(src)


@pytest.mark.parametrize(
    "lines, message",
    [
        ([b"5 1 0 1 -2 0\n"], "non-positive hint"),
        ([b"5 1 0 1 9 0\n"], "cannot renumber"),
        ([b"5 d 3 0\n", b"6 d 3 0\n"], "cannot renumber"),
        ([b"5 1 0 1 2 0\n", b"5 0 5 3 4 0\n"], "unexpected addition"),
        ([b"5 1 0 1 2\n"], "unexpected addition"),
    ],
)
def test_renumbering_refuses_what_it_cannot_map(lines, message):
    with pytest.raises(RenumberError, match=message):
        renumber_lrat(lines, io.BytesIO(), 4)


def _corrupting_solver(monkeypatch, corrupt):
    """Make the solver's raw proof pass through ``corrupt(lines) -> lines``."""
    real = proof_mod._solve_with_lrat

    def solve(solver, clauses, fh, time_limit):
        result = real(solver, clauses, fh, time_limit)
        fh.flush()
        fh.seek(0)
        lines = fh.read().decode().splitlines()
        fh.seek(0)
        fh.truncate()
        fh.write("".join(line + "\n" for line in corrupt(lines)).encode())
        fh.flush()
        return result

    monkeypatch.setattr(proof_mod, "_solve_with_lrat", solve)


def test_a_bad_solver_proof_is_recorded_as_rejected(tmp_path, monkeypatch):
    # The solver's last step (the empty clause) goes missing.
    _corrupting_solver(monkeypatch, lambda lines: lines[:-1])
    r = refute(php(3), tmp_path, "bad")
    assert isinstance(r, Refutation) and not r.verified and r.verdict == "rejected"
    assert "never derives the empty clause" in r.reason
    assert r.to_dict()["verdict"] == "rejected"
    assert not verify_refutation(r.cnf_path, r.proof_path).verified


def test_a_proof_the_renumberer_cannot_map_is_rejected(tmp_path, monkeypatch):
    _corrupting_solver(monkeypatch, lambda lines: ["99 1 0 1 -2 0"] + lines)
    r = refute(php(3), tmp_path, "rat")
    assert not r.verified and r.verdict == "rejected" and "before checking" in r.reason


def test_a_model_violating_a_clause_is_a_solver_error(tmp_path, monkeypatch):
    monkeypatch.setattr(proof_mod, "_solve_with_lrat", lambda *args: (10, [-1, -2], 0.0))
    with pytest.raises(SolverError, match="violates clause 1"):
        refute([[1, 2], [-1]], tmp_path, "m")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the CNF must match


def test_cnf_order_pitfall(tmp_path):
    """The proof's ids refer to the clause order given to the solver: the same
    clauses written in another order do not check."""
    clauses = php(4)
    r = refute(clauses, tmp_path, "php4")
    assert r.verified
    for label, order in [("reversed", clauses[::-1]), ("shuffled", random.Random(1).sample(clauses, len(clauses)))]:
        other = tmp_path / f"{label}.cnf"
        write_dimacs(order, other)
        res = check_lrat(other, r.proof_path)
        assert not res.verified, label
    # and the order the caller gives is the order written and proved
    r2 = refute(clauses[::-1], tmp_path, "php4rev")
    assert r2.verified
    assert read_dimacs(r2.cnf_path).clauses == tuple(tuple(c) for c in clauses[::-1])


def test_proof_against_a_cnf_with_a_clause_removed(tmp_path):
    clauses = php(4)
    r = refute(clauses, tmp_path, "php4")
    used = next(
        h
        for line in proof_lines(r.proof_path)
        if " d " not in line
        for h in map(int, line.split(" 0 ")[1].split()[:-1])
        if h <= len(clauses)
    )
    smaller = tmp_path / "smaller.cnf"
    write_dimacs(clauses[: used - 1] + clauses[used:], smaller)
    res = check_lrat(smaller, r.proof_path)
    assert not res.verified and res.reason


# --------------------------------------------------------------------------- corrupted real proofs


@pytest.fixture(scope="module")
def php5(tmp_path_factory):
    wd = tmp_path_factory.mktemp("php5")
    clauses = php(5)
    r = refute(clauses, wd, "php5", compression="none")
    assert r.verified
    return clauses, r.cnf_path, proof_lines(r.proof_path)


def _parse(line):
    nums = list(map(int, line.split()))
    z = nums.index(0, 1)
    return nums[0], nums[1:z], nums[z + 1 : -1]


def test_flipped_literal_is_rejected(tmp_path, php5):
    clauses, cnf, lines = php5
    db = {i: c for i, c in enumerate(clauses, 1)}
    # A step whose first hint has a literal that the step's clause makes false:
    # flipping that literal in the step makes the first hint satisfied.
    for k, line in enumerate(lines):
        if " d " in line:
            for i in map(int, line.split()[2:-1]):
                db.pop(i)
            continue
        cid, lits, hints = _parse(line)
        first = db[hints[0]]
        shared = [lit for lit in lits if lit in first]
        if len(first) > 1 and shared:
            flipped = [-lit if lit == shared[0] else lit for lit in lits]
            bad = lines[:k] + [" ".join(map(str, [cid, *flipped, 0, *hints, 0]))] + lines[k + 1 :]
            res = check_lrat(cnf, write_proof(tmp_path / "bad.lrat", bad))
            assert not res.verified and res.line == k + 1, res
            return
        db[cid] = lits
    pytest.fail("no step to corrupt")


def test_removed_hint_is_rejected(tmp_path, php5):
    _, cnf, lines = php5
    k = next(i for i, line in enumerate(lines) if " d " not in line and len(_parse(line)[2]) >= 2)
    cid, lits, hints = _parse(lines[k])
    bad = lines[:k] + [" ".join(map(str, [cid, *lits, 0, *hints[:-1], 0]))] + lines[k + 1 :]
    res = check_lrat(cnf, write_proof(tmp_path / "bad.lrat", bad))
    assert not res.verified and res.line == k + 1 and "conflict" in res.reason


def test_hint_to_a_deleted_clause_is_rejected(tmp_path, php5):
    _, cnf, lines = php5
    k = len(lines) // 2
    while " d " in lines[k]:
        k += 1
    cid, _, hints = _parse(lines[k])
    bad = lines[:k] + [f"{cid - 1} d {hints[0]} 0"] + lines[k:]
    res = check_lrat(cnf, write_proof(tmp_path / "bad.lrat", bad))
    assert not res.verified and res.line == k + 2 and "deleted or unknown" in res.reason


def test_missing_empty_clause_is_rejected(tmp_path, php5):
    _, cnf, lines = php5
    empty = [i for i, line in enumerate(lines) if " d " not in line and not _parse(line)[1]]
    assert len(empty) == 1
    bad = lines[: empty[0]] + lines[empty[0] + 1 :]
    res = check_lrat(cnf, write_proof(tmp_path / "bad.lrat", bad))
    assert not res.verified and "never derives the empty clause" in res.reason
    res = check_lrat(cnf, write_proof(tmp_path / "half.lrat", lines[: len(lines) // 2]))
    assert not res.verified


def test_satisfiable_formula_has_no_refutation(tmp_path):
    clauses = php(4)[1:]  # one pigeon fewer: satisfiable
    r = refute(clauses, tmp_path, "sat")
    assert isinstance(r, Model) and satisfies(r.model, clauses)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sat.cnf"]
    # Whatever the solver logged on the way is not a refutation.
    raw, status = raw_cadical_proof(clauses, tmp_path, "sat")
    assert status == 10
    res = check_lrat(tmp_path / "sat.cnf", raw)
    assert not res.verified and "never derives the empty clause" in res.reason


# --------------------------------------------------------------------------- options, limits, interrupts


def test_unchecked_then_verified_later_and_other_compressions(tmp_path):
    clauses = php(3)
    r = refute(clauses, tmp_path, "u", check=False, compression="xz")
    assert r.verdict == "unchecked" and not r.verified
    assert r.proof_path.name == "u.lrat.xz" and r.proof_path.read_bytes()[:6] == b"\xfd7zXZ\x00"
    assert verify_refutation(r.cnf_path, r.proof_path, proof_sha256=r.proof_sha256).verified
    r = refute(clauses, tmp_path, "n", compression="none")
    assert r.proof_path.name == "n.lrat" and r.verified
    assert sha256_file(r.proof_path) == r.proof_sha256 == r.proof_file_sha256


def test_recorded_hashes_are_enforced(tmp_path):
    r = refute(php(3), tmp_path, "h")
    with open(r.cnf_path, "a") as fh:
        fh.write("c edited\n")
    res = verify_refutation(r.cnf_path, r.proof_path, cnf_sha256=r.cnf_sha256)
    assert not res.verified and "CNF sha256 mismatch" in res.reason
    assert verify_refutation(r.cnf_path, r.proof_path).verified  # a comment changes no clause
    res = verify_refutation(r.cnf_path, r.proof_path, proof_sha256="0" * 64)
    assert not res.verified and "proof sha256 mismatch" in res.reason


def test_proofs_are_reproducible(tmp_path):
    a = refute(php(4), tmp_path / "a", "p")
    b = refute(php(4), tmp_path / "b", "p")
    assert (a.cnf_sha256, a.proof_sha256, a.proof_file_sha256) == (b.cnf_sha256, b.proof_sha256, b.proof_file_sha256)


def test_time_limit(tmp_path):
    start = time.perf_counter()
    r = refute(php(10), tmp_path, "big", time_limit=0.3)
    elapsed = time.perf_counter() - start
    assert isinstance(r, Timeout) and r.status == "timeout"
    assert 0.3 <= r.solve_seconds and elapsed < 0.3 + 2 * proof_mod.SLICE_SECONDS + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.cnf"]
    assert json.loads(json.dumps(r.to_dict()))["time_limit"] == 0.3


def test_keyboard_interrupt_during_solving_removes_the_files(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_proof import php
        from solvers.proof import refute
        print("solving", flush=True)
        refute(php(11), {str(tmp_path)!r}, "big")
        print("finished", flush=True)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "solving"
    time.sleep(1.0)
    assert (tmp_path / "big.lrat.raw").exists()
    sent = time.perf_counter()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert time.perf_counter() - sent < 3 * proof_mod.SLICE_SECONDS + 2
    assert "KeyboardInterrupt" in err and "finished" not in out
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_during_checking_removes_the_files(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(proof_mod, "check_lrat", interrupted)
    with pytest.raises(KeyboardInterrupt):
        refute(php(3), tmp_path, "p")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif("cadical300" not in available_solvers(), reason="python-sat without CaDiCaL 3.0")
def test_cadical300(tmp_path):
    r = refute(php(4), tmp_path, "c3", solver="cadical300")
    assert r.verified and r.solver_version == "3.0.0"
    r = refute(EDGE_CASES["units-dups-taut"][0], tmp_path, "c3e", solver="cadical300")
    assert r.verified


def test_inputs_are_validated(tmp_path):
    with pytest.raises(SpecError, match="unknown solver"):
        refute([[1]], tmp_path, "x", solver="minisat22")
    with pytest.raises(SpecError, match="time limit"):
        refute([[1]], tmp_path, "x", time_limit=0)
    with pytest.raises(SpecError, match="compression"):
        refute([[1]], tmp_path, "x", compression="bz2")
    for bad in ["", "a/b", ".hidden"]:
        with pytest.raises(SpecError, match="bad proof name"):
            refute([[1]], tmp_path, bad)
    with pytest.raises(ValueError, match="literal 0"):
        refute([[1, 0]], tmp_path, "x")
    with pytest.raises(TypeError, match="not an integer"):
        refute([[1, True]], tmp_path, "x")
    with pytest.raises(TypeError, match="not an integer"):
        refute([[1.0]], tmp_path, "x")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FormatError, match="malformed refutation record"):
        Refutation.from_dict({"status": "unsat"})


def test_numpy_literals_and_declared_variables(tmp_path):
    np = pytest.importorskip("numpy")
    clauses = [np.array([1, -3]), np.array([3])]
    r = refute(clauses, tmp_path, "np", num_vars=5)
    assert isinstance(r, Model) and r.num_vars == 5 and len(r.model) == 5
    assert r.value(1) and r.value(3) and not r.value(5)
    assert (tmp_path / "np.cnf").read_text().splitlines()[0] == "p cnf 5 2"
    assert json.loads(json.dumps(r.to_dict()))["model"] == list(r.model)


# --------------------------------------------------------------------------- an independent checker


def lrat_to_drat(clauses, lines):
    """Drop ids and hints; turn deletions by id into deletions by literals."""
    db = {i: c for i, c in enumerate(clauses, 1)}
    out = []
    for line in lines:
        tok = line.split()
        if tok[1] == "d":
            out += ["d " + " ".join(map(str, db.pop(int(i)))) + " 0" for i in tok[2:-1]]
        else:
            cid, lits, _ = _parse(line)
            db[cid] = lits
            out.append(" ".join(map(str, lits + [0])))
    return "\n".join(out) + "\n"


def test_cross_check_with_dratify(tmp_path):
    dratify = pytest.importorskip("dratify")
    from pysat.solvers import Cadical195

    rng = random.Random(7)
    formulas = [php(3), php(4)]
    while len(formulas) < 5:
        f = [[v * rng.choice((1, -1)) for v in rng.sample(range(1, 11), 3)] for _ in range(60)]
        if not brute_force_sat(f, 10):
            formulas.append(f)
    for i, clauses in enumerate(formulas):
        r = refute(clauses, tmp_path, f"f{i}")
        assert r.verified
        formula = dratify.parse_dimacs(r.cnf_path.read_text())
        lines = proof_lines(r.proof_path)
        assert dratify.check_proof(formula, lrat_to_drat(clauses, lines)).ok
        # both checkers refuse the proof without its empty clause
        cut = [line for line in lines if " d " in line or _parse(line)[1]]
        assert not dratify.check_proof(formula, lrat_to_drat(clauses, cut)).ok
        assert not check_lrat(r.cnf_path, write_proof(tmp_path / "cut.lrat", cut)).verified
        # python-sat's documented proof route (DRAT) agrees on the status
        with Cadical195(bootstrap_with=clauses, with_proof=True) as s:
            assert s.solve() is False
            assert dratify.check_proof(formula, "\n".join(s.get_proof()) + "\n").ok


def test_file_stems_of_long_specs_do_not_collide():
    from solvers.proof import file_stem

    a, b = "tt:9:" + "0" * 127 + "1", "tt:9:" + "0" * 127 + "2"  # equal in their first 80 characters
    assert file_stem(a) != file_stem(b) and len(file_stem(a)) <= 80
    assert file_stem("maj:5") == "maj_5" and file_stem("::") == "target"


def test_a_proof_not_checked_within_the_limit_claims_nothing(tmp_path, monkeypatch):
    # the solver refutes in time, the check runs out of time: a timeout, and the proof is removed
    def slow_check(cnf, proof, *, time_limit=None, **kw):
        assert time_limit is not None and time_limit <= 30
        return proof_mod.CheckResult(False, "time limit reached after 65536 proof lines", 65536, timed_out=True)

    monkeypatch.setattr(proof_mod, "check_lrat", slow_check)
    r = refute(php(3), tmp_path, "slow", time_limit=30)
    assert r.status == "timeout" and not isinstance(r, Refutation)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.cnf"]
    # without a time limit the check is not limited
    monkeypatch.undo()
    assert refute(php(3), tmp_path, "slow").verified


def test_renumbering_stops_at_its_deadline(tmp_path):
    # 10000 standard lines: past deadline the renumberer stops at its next flush (every 4096 lines)
    lines = [b"%d 1 0 1 0\n" % (5 + i) for i in range(10000)]
    with pytest.raises(TimeoutError, match="after 4096 proof lines"):
        renumber_lrat(lines, io.BytesIO(), 4, deadline=time.monotonic() - 1)
    assert renumber_lrat(lines, io.BytesIO(), 4, deadline=time.monotonic() + 60) == 10000


def test_a_proof_not_renumbered_within_the_limit_claims_nothing(tmp_path, monkeypatch):
    def slow_renumber(raw, out, num_clauses, *, empty_clause_index=None, deadline=None):
        assert deadline is not None
        raise TimeoutError("time limit reached while renumbering")

    monkeypatch.setattr(proof_mod, "renumber_lrat", slow_renumber)
    r = refute(php(3), tmp_path, "slow", time_limit=30)
    assert r.status == "timeout" and not isinstance(r, Refutation)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.cnf"]


@given(st.lists(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=12), min_size=2,
                max_size=2, unique=True))  # fmt: skip
def test_file_stems_of_different_specs_differ(pair):
    from solvers.proof import file_stem

    a, b = pair
    assert file_stem(a) != file_stem(b) or a.strip(":_") == b.strip(":_") == ""
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in file_stem(a))
