"""The LRAT checker (the trust base): hand-made proofs, every rejection rule, and fuzzing.

The soundness property tested throughout: whatever the proof, the checker
never verifies a refutation of a satisfiable formula.
"""

import gzip
import lzma
import random
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from circuits.errors import FormatError
from solvers.lrat import CheckResult, Cnf, check_lrat, check_lrat_stream, read_dimacs

# (a | b), (a | -b), (-a | b), (-a | -b): unsatisfiable over a=1, b=2.
XOR_CNF = "p cnf 2 4\n1 2 0\n1 -2 0\n-1 2 0\n-1 -2 0\n"
# 5 = (a) by: assume -a; clause 1 gives b; clause 2 is then falsified.
# 6 = () by: clause 5 gives a; clause 3 gives b; clause 4 is falsified.
XOR_PROOF = "5 1 0 1 2 0\n6 0 5 3 4 0\n"


def satisfiable(clauses, n):
    return any(
        all(any((lit > 0) == bits[abs(lit) - 1] for lit in c) for c in clauses)
        for bits in product((False, True), repeat=n)
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def check(tmp_path, cnf_text, proof_text) -> CheckResult:
    return check_lrat(write(tmp_path, "f.cnf", cnf_text), write(tmp_path, "f.lrat", proof_text))


def test_hand_written_proof_is_verified(tmp_path):
    r = check(tmp_path, XOR_CNF, XOR_PROOF)
    assert r.verified and r
    assert (r.steps, r.additions, r.deletions, r.line) == (2, 2, 0, None)


def test_deletions_and_blank_lines_are_accepted(tmp_path):
    proof = "5 1 0 1 2 0\n5 d 1 2 0\n\n6 0 5 3 4 0\n6 d 5 0\n"
    r = check(tmp_path, XOR_CNF, proof)
    assert r.verified and r.deletions == 2


def test_compressed_files(tmp_path):
    cnf = tmp_path / "f.cnf.xz"
    cnf.write_bytes(lzma.compress(XOR_CNF.encode()))
    proof = tmp_path / "f.lrat.gz"
    proof.write_bytes(gzip.compress(XOR_PROOF.encode()))
    assert check_lrat(cnf, proof).verified
    proof_xz = tmp_path / "proof.bin"  # recognised by content, not by name
    proof_xz.write_bytes(lzma.compress(XOR_PROOF.encode()))
    assert check_lrat(cnf, proof_xz).verified


@pytest.mark.parametrize(
    "proof, reason",
    [
        ("", "never derives the empty clause"),
        ("5 1 0 1 2 0\n", "never derives the empty clause"),
        # the literal of step 5 flipped: clause 1 then has a true and a free literal
        ("5 -1 0 1 2 0\n6 0 5 3 4 0\n", "hint 1 is not unit"),
        # clause 1 hinted twice: the second time it is satisfied
        ("5 1 0 1 1 2 0\n", "hint 1 is satisfied"),
        # the last hint removed: no conflict
        ("5 1 0 1 0\n6 0 5 3 4 0\n", "do not end in a conflict"),
        ("5 1 0 1 2 0\n6 0 5 3 0\n", "do not end in a conflict"),
        # a hint to a deleted clause, and to a clause that does not exist
        ("4 d 2 0\n5 1 0 1 2 0\n6 0 5 3 4 0\n", "hint 2 names a deleted or unknown clause"),
        ("5 1 0 1 7 0\n6 0 5 3 4 0\n", "hint 7 names a deleted or unknown clause"),
        ("5 1 0 1 5 0\n", "hint 5 names a deleted or unknown clause"),
        # hint 3 = (-a | b) has two unassigned literals at the start
        ("5 1 0 1 2 0\n6 0 3 5 4 0\n", "hint 3 is not unit"),
        # conflict reached before the last hint
        ("5 1 0 1 2 3 0\n6 0 5 3 4 0\n", "falsified before the last hint"),
        # ids must grow
        ("4 1 0 1 2 0\n6 0 4 3 4 0\n", "not larger than every earlier id"),
        ("5 1 0 1 2 0\n5 0 5 3 4 0\n", "not larger than every earlier id"),
        ("1 1 0 1 2 0\n", "not larger than every earlier id"),
        ("-5 1 0 1 2 0\n", "not larger than every earlier id"),
        # bad literals and tautologies
        ("5 1 -1 0 1 0\n", "tautology"),
        ("5 3 0 1 2 0\n", "literal 3 outside the 2 variables"),
        # RAT steps are refused explicitly
        ("5 1 0 1 -2 0\n6 0 5 3 4 0\n", "RAT steps are not supported"),
        # malformed lines
        ("5 1 0 1 2\n6 0 5 3 4 0\n", "malformed addition"),
        ("5 1 0 1 2 0 7\n", "malformed addition"),
        ("5 1 0 1 2 0 0\n", "extra 0 in hints"),
        ("5 1 0 0\n", "addition without hints"),
        ("5 1\n", "malformed addition"),
        ("5 x 0 1 2 0\n", "non-integer token"),
        ("5 1.0 0 1 2 0\n", "non-integer token"),
        ("c comment\n5 1 0 1 2 0\n6 0 5 3 4 0\n", "non-integer token"),
        ("a\x02\x04\x00", "non-integer token"),
        # integers are -?[0-9]+ only (Python's int() also reads +5 and 1_0)
        ("+5 1 0 1 2 0\n6 0 5 3 4 0\n", "non-integer token"),
        ("5 1 0 1 2 0\n6 0 5 3 +4 0\n", "non-integer token"),
        ("5 1 0 1_0 2 0\n", "non-integer token"),
        ("5 1 0 1 2 0\n6 0 5 3 4 0_0\n", "non-integer token"),
        # deletions
        ("5 d 9 0\n", "deletion of unknown clause 9"),
        ("5 d 1 1 0\n", "deletion of already deleted clause 1"),
        ("5 d 0 0\n", "deletion of invalid clause id 0"),
        ("5 d 1\n", "malformed deletion"),
        ("5 d x 0\n", "malformed deletion"),
        ("5 d +1 0\n", "malformed deletion"),
        ("5 d 1_0 0\n", "malformed deletion"),
        # a valid refutation followed by garbage is not accepted
        (XOR_PROOF + "7 1 0 1 0\n", "do not end in a conflict"),
    ],
)
def test_rejections(tmp_path, proof, reason):
    r = check(tmp_path, XOR_CNF, proof)
    assert not r.verified and not r
    assert reason in r.reason
    assert "\n" not in r.reason


def test_rejection_names_the_line(tmp_path):
    r = check(tmp_path, XOR_CNF, "5 1 0 1 2 0\n\n6 0 5 3 0\n")
    assert not r.verified and r.line == 3 and r.reason.startswith("line 3:")
    assert r.additions == 1


def test_proof_against_a_different_cnf_is_rejected(tmp_path):
    # Clause 2 removed: the ids shift and the formula becomes satisfiable.
    cnf = "p cnf 2 3\n1 2 0\n-1 2 0\n-1 -2 0\n"
    assert satisfiable([[1, 2], [-1, 2], [-1, -2]], 2)
    assert not check(tmp_path, cnf, XOR_PROOF).verified
    # Same clauses, different order: ids no longer match.
    shuffled = "p cnf 2 4\n-1 2 0\n1 -2 0\n1 2 0\n-1 -2 0\n"
    r = check(tmp_path, shuffled, XOR_PROOF)
    assert not r.verified and "hint 1 is not unit" in r.reason


def test_bogus_proofs_of_a_satisfiable_formula(tmp_path):
    cnf = "p cnf 2 3\n1 2 0\n-1 2 0\n1 -2 0\n"  # satisfied by a = b = 1
    for proof in [
        "4 0 1 2 3 0\n",
        "4 0 1 0\n",
        "4 2 0 1 2 0\n5 0 4 3 0\n",  # step 4 is fine (b), step 5 is not
        "4 1 0 1 3 0\n5 0 4 2 0\n",
        "4 0 0\n",
    ]:
        r = check(tmp_path, cnf, proof)
        assert not r.verified, proof


def test_cnf_with_an_empty_clause_needs_a_derivation(tmp_path):
    cnf = "p cnf 1 2\n1 0\n0\n"
    assert not check(tmp_path, cnf, "").verified
    assert check(tmp_path, cnf, "3 0 2 0\n").verified


def test_original_tautologies_and_duplicates(tmp_path):
    # Clause 1 is a tautology (never unit), clause 2 has a repeated literal.
    cnf = "p cnf 2 4\n1 -1 0\n2 2 0\n-2 1 0\n-1 -2 0\n"
    assert check(tmp_path, cnf, "5 0 2 3 4 0\n").verified
    assert "hint 1 is not unit" in check(tmp_path, cnf, "5 0 1 2 3 4 0\n").reason
    assert read_dimacs(write(tmp_path, "t.cnf", cnf)).clauses[1] == (2,)


@pytest.mark.parametrize(
    "cnf, message",
    [
        ("1 2 0\n", "clause before the 'p cnf' header"),
        ("", "no 'p cnf' header"),
        ("p cnf 2\n", "header must be"),
        ("p dnf 2 1\n1 0\n", "header must be"),
        ("p cnf 2 2\n1 2 0\n", "header declares 2 clauses, file has 1"),
        ("p cnf 2 1\n1 2 0\n-1 0\n", "header declares 1 clauses, file has 2"),
        ("p cnf 2 1\n1 3 0\n", "literal 3 outside the 2 declared variables"),
        ("p cnf 2 1\n1 2\n", "not terminated by 0"),
        ("p cnf 2 1\n1 a 0\n", "bad token"),
        ("p cnf 2 1\n+1 2 0\n", "bad token"),
        ("p cnf 2 1\n1 2 0_0\n", "bad token"),
        ("p cnf +2 1\n1 2 0\n", "header must be"),
        ("p cnf 2 1\np cnf 2 1\n1 0\n", "second 'p' header"),
    ],
)
def test_malformed_cnf_raises_format_error(tmp_path, cnf, message):
    with pytest.raises(FormatError, match=message):
        check(tmp_path, cnf, XOR_PROOF)


def test_missing_files(tmp_path):
    with pytest.raises(FormatError, match="cannot read CNF"):
        check_lrat(tmp_path / "nope.cnf", tmp_path / "nope.lrat")
    r = check_lrat(write(tmp_path, "f.cnf", XOR_CNF), tmp_path / "nope.lrat")
    assert not r.verified and "cannot read proof" in r.reason


def test_corrupt_compressed_proof_is_rejected(tmp_path):
    data = gzip.compress((XOR_PROOF * 50).encode())
    proof = tmp_path / "p.lrat.gz"
    proof.write_bytes(data[: len(data) // 2])
    r = check_lrat(write(tmp_path, "f.cnf", XOR_CNF), proof)
    assert not r.verified and "cannot read proof" in r.reason


def test_cnf_spanning_lines_and_comments(tmp_path):
    cnf = "c a comment\np cnf 2 4\n1\n2 0 1 -2 0\nc another\n-1 2 0 -1\n-2\n0\n"
    assert check(tmp_path, cnf, XOR_PROOF).verified


def test_progress_callback_and_stream_api(tmp_path):
    cnf = read_dimacs(write(tmp_path, "f.cnf", XOR_CNF))
    assert check_lrat_stream(cnf, iter(XOR_PROOF.encode().splitlines())).verified
    seen = []
    lines = [b""] * (1 << 20) + XOR_PROOF.encode().splitlines()
    assert check_lrat_stream(cnf, iter(lines), progress=seen.append).verified
    assert seen == [1 << 20]


# --------------------------------------------------------------------------- fuzzing


def _random_cnf(rng, n, m):
    return [[rng.choice((-1, 1)) * v for v in rng.sample(range(1, n + 1), min(3, n))] for _ in range(m)]


def _dimacs(clauses, n):
    return f"p cnf {n} {len(clauses)}\n" + "".join(" ".join(map(str, c)) + " 0\n" for c in clauses)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), m=st.integers(1, 12), steps=st.integers(1, 8))
def test_random_proofs_never_refute_satisfiable_formulas(tmp_path_factory, seed, n, m, steps):
    """Random steps whose hints point at live clauses: accepted only if the formula is UNSAT."""
    rng = random.Random(seed)
    clauses = _random_cnf(rng, n, m)
    live = list(range(1, m + 1))
    lines = []
    nid = m
    for i in range(steps):
        nid += 1
        k = 0 if i == steps - 1 else rng.randint(0, 2)
        lits = [rng.choice((-1, 1)) * v for v in rng.sample(range(1, n + 1), min(k, n))]
        hints = [rng.choice(live) for _ in range(rng.randint(1, 4))]
        lines.append(f"{nid} {' '.join(map(str, lits + [0]))} {' '.join(map(str, hints + [0]))}\n")
        live.append(nid)
    tmp = tmp_path_factory.mktemp("fuzz")
    r = check(tmp, _dimacs(clauses, n), "".join(lines))
    if r.verified:
        assert not satisfiable(clauses, n)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_complete_proofs_of_brute_force_unsat_formulas(tmp_path_factory, seed):
    """A naive but valid refutation (one RUP step per decision-tree leaf) is accepted,
    and the same proof checked after dropping a needed clause is rejected."""
    rng = random.Random(seed)
    n = 4
    while True:
        clauses = _random_cnf(rng, n, 24)
        if not satisfiable(clauses, n):
            break
    lines = _tree_refutation(clauses, n)
    tmp = tmp_path_factory.mktemp("tree")
    assert check(tmp, _dimacs(clauses, n), lines).verified
    # Replace one clause by a clause satisfied by every assignment of a model of
    # the remaining formula, if dropping it makes the formula satisfiable.
    for drop in range(len(clauses)):
        rest = clauses[:drop] + clauses[drop + 1 :]
        if satisfiable(rest, n):
            assert not check(tmp, _dimacs(rest, n), lines).verified
            weaker = clauses[:drop] + [[1, -1]] + clauses[drop + 1 :]
            assert not check(tmp, _dimacs(weaker, n), lines).verified
            break


def _tree_refutation(clauses, n):
    """Resolution along a full decision tree, written as LRAT with unit-propagation hints.

    For each partial assignment (as a clause of negated decisions, from depth n
    down to 0) derive the clause "not this assignment" from a falsified
    original (at the leaves) or from the two children.
    """
    m = len(clauses)
    ids: dict[tuple[int, ...], int] = {}
    out = []
    nid = m
    for depth in range(n, -1, -1):
        for bits in product((False, True), repeat=depth):
            # the assignment x1..xdepth = bits; its negation as a clause
            clause = tuple(-(v + 1) if b else (v + 1) for v, b in enumerate(bits))
            if depth == n:
                falsified = next(
                    i for i, c in enumerate(clauses, 1) if all((lit > 0) != bits[abs(lit) - 1] for lit in c)
                )
                hints = [falsified]
            else:
                # child with x_{depth+1} true, then child with x_{depth+1} false
                v = depth + 1
                hints = [ids[clause + (-v,)], ids[clause + (v,)]]
            nid += 1
            ids[clause] = nid
            out.append(f"{nid} {' '.join(map(str, clause + (0,)))} {' '.join(map(str, hints + [0]))}\n")
    return "".join(out)


def _long_valid_proof(n: int) -> list[bytes]:
    """A valid proof of n + 1 steps for the CNF (x1) and (-x1): n re-derivations of (x1), then the empty clause."""
    lines = [f"{3 + i} 1 0 1 0\n".encode() for i in range(n)]
    return [*lines, f"{3 + n} 0 1 2 0\n".encode()]


def test_check_stops_at_its_time_limit_without_a_verdict():
    cnf = Cnf(1, ((1,), (-1,)))
    lines = _long_valid_proof(70_000)  # the clock is read every 65536 lines
    assert check_lrat_stream(cnf, iter(lines)).verified
    r = check_lrat_stream(cnf, iter(lines), deadline=0.0)  # a deadline long past
    assert r.timed_out and not r.verified and "time limit" in r.reason and r.steps == 65536
