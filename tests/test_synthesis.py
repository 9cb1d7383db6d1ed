"""The minimum-size search: results, proven/lower-bound bookkeeping, options, timeouts, interrupts."""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest

from circuits.boolean import BooleanCircuit
from circuits.errors import ArityError, LbtError, SpecError, TooLargeError, WitnessError
from circuits.targets import target
from circuits.truthtable import TruthTable
from solvers.boolean import encoding as boolean_sat
from solvers.boolean.encoding import check_witness
from solvers.boolean.engine import synthesize
from solvers.cnf import dimacs_sha256
from solvers.records import ProgressEvent
from solvers.sat import solve_step, solver_name


def _verify(result, table: TruthTable, care=None, depth=None):
    """The witness, rebuilt from its dictionary, computes the target (on the care rows)."""
    circuit = BooleanCircuit.from_dict(result.to_dict()["witness"])
    assert circuit.size == result.size
    got = circuit.truth_table()
    for k in range(table.m):
        mask = (1 << (1 << table.n)) - 1 if care is None else care[k]
        assert (got.outputs[k] ^ table.outputs[k]) & mask == 0
    if depth is not None:
        assert circuit.depth <= depth
    return circuit


# --------------------------------------------------------------- known values
@pytest.mark.parametrize(
    "spec, model, size",
    [
        ("par:3", "b2", 2),  # XOR_n needs n - 1 gates over B2
        ("par:4", "b2", 3),
        ("sum:3", "b2", 5),  # full adder: 5 gates (Knuth TAOCP 7.1.2; Kojevnikov et al. 2009)
        ("maj:3", "b2", 4),  # MAJ_3: 4 gates (Knuth TAOCP 7.1.2)
        ("thr:4:4", "aig", 3),  # AND_n: n - 1 AIG gates
        ("thr:3:3", "aig", 2),
        ("par:2", "aig", 3),  # XOR in AIG: 3 ANDs
        ("maj:3", "mono", 4),  # (x & y) | (z & (x | y))
        ("thr:4:1", "mono", 3),  # OR_4
    ],
)
def test_known_minima(spec, model, size):
    r = synthesize(spec, model)
    assert r.size == size
    assert r.proven and r.lower_bound == size
    assert r.target == spec and r.model == model
    _verify(r, target(spec).table)
    # every size from the justified bound up to the minimum was refuted
    assert [s.size for s in r.refutations] == list(range(r.start, size))


def test_size_zero_without_sat():
    t = TruthTable(3, (0xAA, 0x00, 0xFF))  # x0, constant 0, constant 1
    r = synthesize(t)
    assert r.size == 0 and r.proven and r.steps == ()
    _verify(r, t)
    # NOT x0 costs a gate in B2 and nothing in AIG
    assert synthesize(TruthTable.single(2, 0x5)).size == 1
    assert synthesize(TruthTable.single(2, 0x5), "aig").size == 0


def test_complemented_outputs_b2():
    # AND and NAND of the same inputs need two B2 gates; in AIG one gate serves both
    t = TruthTable(2, (0x8, 0x7))
    r = synthesize(t)
    assert r.size == 2 and r.proven
    _verify(r, t)
    r = synthesize(t, "aig")
    assert r.size == 1
    _verify(r, t)
    # x0 AND x1 together with NOT x0
    t = TruthTable(2, (0x8, 0x5))
    r = synthesize(t)
    assert r.size == 2
    _verify(r, t)


def test_depth_bound_respected():
    r = synthesize("par:4", depth=2)
    assert r.size == 3 and r.circuit.depth <= 2
    r = synthesize("thr:4:4", "aig", depth=2)
    assert r.size == 3 and r.circuit.depth == 2
    # depth 1 cannot compute a function of three essential inputs: infeasible, proven
    r = synthesize("maj:3", depth=1)
    assert r.size is None and r.infeasible and r.proven
    # depth 2: a top gate of two gates of two inputs each cannot compute MAJ_3 (the brute force of
    # tests/test_boolean_sat.py agrees); every size up to the 3 gates such a circuit can use is refuted
    r = synthesize("maj:3", depth=2)
    assert r.size is None and r.infeasible and r.proven
    assert [s.size for s in r.refutations] == [2, 3]
    r = synthesize("maj:3", depth=3)
    assert r.size == 4
    _verify(r, target("maj:3").table, depth=3)


def test_dont_cares():
    # AND on rows 1, 2, 3 only: row 0 is free, so OR-like or AND-like completions of 1 gate
    t = TruthTable.single(3, 0xE8)
    care = (0xFF & ~0x81,)  # rows 0 and 7 free: MAJ_3 becomes cheaper? the witness must agree elsewhere
    r = synthesize(t, care=care)
    _verify(r, t, care=care)
    assert r.size <= 4
    assert r.to_dict()["care"] == ["7e"]
    # a fully free output is a constant
    r = synthesize(TruthTable(2, (0x6, 0x8)), care=(0xF, 0x0))
    assert r.size == 1


def test_fanin3():
    r = synthesize("maj:3", fanin=3)
    assert r.size == 1 and r.circuit.gates[0].arity == 3
    r = synthesize("par:5", fanin=3)
    assert r.size == 2 and r.proven
    _verify(r, target("par:5").table)


def test_four_input_symmetric_minima():
    # 7-gate instances (maj:4, thr:4:3, mod:4:3:0 over B2): each proven in well under a minute
    for spec in ("maj:4", "thr:4:3", "mod:4:3:0"):
        r = synthesize(spec)
        assert r.size == 7 and r.proven, spec
        _verify(r, target(spec).table)


# --------------------------------------------------------------- bookkeeping
def test_start_above_bound_is_not_proven():
    r = synthesize("maj:3", start=4)
    assert r.size == 4 and not r.proven
    assert r.lower_bound == 2  # the justified bound: sizes 2 and 3 were not refuted
    assert r.refutations == ()


def test_start_below_bound_is_clamped():
    r = synthesize("maj:3", start=0)
    assert r.start == 2 and r.proven


def test_max_size_stops_search():
    r = synthesize("maj:3", max_size=3)
    assert r.size is None and not r.proven and r.lower_bound == 4
    assert [s.size for s in r.refutations] == [2, 3]


def test_to_dict_is_json_and_complete():
    r = synthesize("sum:3")
    d = r.to_dict()
    json.dumps(d)
    for key in (
        "target",
        "model",
        "size",
        "proven",
        "lower_bound",
        "witness",
        "refutations",
        "seconds",
        "depth",
        "fanin",
        "solver",
        "encoding",
        "encoding_version",
        "strengthenings",
        "interrupted",
    ):
        assert key in d
    assert d["encoding"] == boolean_sat.ENCODING
    assert d["solver"] == "cadical195"
    for ref in d["refutations"]:
        assert ref["status"] == "unsat" and ref["method"] == "sat:cadical195"
        assert ref["seconds"] >= 0 and "cnf_sha256" not in ref  # hashing costs time: only with proofs


def test_progress_events():
    events: list[ProgressEvent] = []
    r = synthesize("maj:3", progress=events.append)
    statuses = [(e.size, e.status) for e in events]
    assert statuses == [(2, "solving"), (2, "unsat"), (3, "solving"), (3, "unsat"), (4, "solving"), (4, "sat")]
    assert all(e.elapsed >= 0 for e in events) and r.size == 4


def test_interrupt_from_progress_returns_partial_result():
    def stop(event):
        if event.size == 3 and event.status == "solving":
            raise KeyboardInterrupt

    r = synthesize("maj:3", progress=stop)
    assert r.interrupted and r.size is None and not r.proven
    assert r.lower_bound == 3  # size 2 was refuted before the interrupt


def test_timeout_returns_partial_result():
    r = synthesize("maj:5", timeout=1.0)
    assert r.timed_out and not r.proven and r.size is None
    assert r.seconds < 10
    assert r.lower_bound >= 4


def test_sigint_during_solve_is_interrupted():
    # a hard instance (maj:5 with 8 gates); SIGINT after 0.5 s stops the solver within a slice
    p = boolean_sat.Problem(target("maj:5").table)
    enc = boolean_sat.encode(p, 8)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        step = solve_step(enc.clauses, enc.nv, size=8)
    except KeyboardInterrupt:  # pragma: no cover - the signal arrived outside the solver
        pytest.fail("interrupt escaped the solver step")
    finally:
        timer.cancel()
    assert step.status == "interrupted"
    assert step.seconds < 5


def test_bad_witness_is_an_internal_error(monkeypatch):
    from circuits.boolean import Edge

    def wrong(self, model):
        return BooleanCircuit.from_gates(self.problem.n, [(0x8, (0, 1))] * self.size, [Edge(self.problem.n)])

    monkeypatch.setattr(boolean_sat.ChainEncoding, "decode", wrong)
    with pytest.raises(WitnessError):
        synthesize("par:3")


def test_check_witness_depth_and_size():
    p = boolean_sat.Problem(target("par:3").table, depth=1)
    c = BooleanCircuit.from_gates(3, [(0x6, (0, 1)), (0x6, (3, 2))], [4])
    with pytest.raises(WitnessError):
        check_witness(c, p)
    with pytest.raises(WitnessError):
        check_witness(c, boolean_sat.Problem(target("par:3").table), size=3)
    check_witness(c, boolean_sat.Problem(target("par:3").table), size=2)


# --------------------------------------------------------------- proofs
def test_proofs_are_checked_and_match_the_plain_cnf(tmp_path):
    r = synthesize("maj:3", proof_dir=tmp_path)
    plain = synthesize("maj:3")
    assert r.size == 4 and r.proven and r.proofs
    assert len(r.refutations) == 2
    for ref, ref_plain in zip(r.refutations, plain.refutations):
        assert ref.method == "lrat:cadical195"
        assert ref.proof["verdict"] == "verified"
        assert (tmp_path / ref.proof["proof_path"].split("/")[-1]).exists()
        # the refuted file is exactly the CNF the in-memory search solves
        enc = boolean_sat.encode(boolean_sat.Problem(target("maj:3").table), ref.size)
        assert ref.cnf_sha256 == dimacs_sha256(enc.clauses, enc.nv) and ref_plain.size == ref.size
    json.dumps(r.to_dict())


def test_proofs_need_an_lrat_solver(tmp_path):
    with pytest.raises(SpecError):
        synthesize("maj:3", solver="glucose4", proof_dir=tmp_path)


def test_proof_timeout(tmp_path):
    r = synthesize("maj:5", proof_dir=tmp_path, timeout=1.5)
    assert r.timed_out and not r.proven and r.lower_bound >= 4


# --------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"model": "xor"}, SpecError),
        ({"depth": 0}, SpecError),
        ({"depth": 1.5}, SpecError),
        ({"fanin": 1}, SpecError),
        ({"fanin": 6}, SpecError),
        ({"solver": "nosuchsolver"}, SpecError),
        ({"max_size": -1}, SpecError),
        ({"start": -2}, SpecError),
        ({"jobs": 0}, SpecError),
        ({"timeout": 0}, SpecError),
        ({"timeout": "1"}, SpecError),
        ({"strengthenings": ("magic",)}, SpecError),
        ({"care": (0xFF, 0xFF)}, ArityError),
    ],
)
def test_option_validation(kwargs, error):
    with pytest.raises(error) as exc:
        synthesize("maj:3", **kwargs)
    assert isinstance(exc.value, LbtError)
    assert "\n" not in str(exc.value)


def test_too_many_inputs():
    with pytest.raises(TooLargeError):
        synthesize(TruthTable.single(11, 1))


def test_mono_rejects_non_monotone():
    with pytest.raises(SpecError):
        synthesize("par:2", "mono")


def test_bad_target_type():
    with pytest.raises(SpecError):
        synthesize(0x8)


def test_solver_aliases():
    assert solver_name("cd19") == "cadical195"
    assert solver_name("Glucose4") == "glucose4"
    r = synthesize("maj:3", solver="g4")
    assert r.size == 4 and r.solver == "glucose4"
    r = synthesize("maj:3", solver="maplechrono")
    assert r.size == 4 and r.proven


def test_one_shot_solver_cannot_time_limit():
    with pytest.raises(SpecError):
        synthesize("maj:3", solver="lingeling", timeout=5)


# --------------------------------------------------------------- slow
@pytest.mark.slow
def test_maj5_eight_gates_refuted():
    r = synthesize("maj:5", max_size=8)
    assert r.size is None and r.lower_bound == 9


@pytest.mark.slow
def test_npn4_sample_against_plain_encoding():
    # costs of the first NPN classes with and without strengthenings agree
    import numpy as np

    from circuits.npn import npn_canonical_all

    reps = sorted(set(int(t) for t in np.unique(npn_canonical_all(4))))[:40]
    for t in reps:
        table = TruthTable.single(4, t)
        a = synthesize(table)
        b = synthesize(table, strengthenings=())
        assert a.size == b.size, hex(t)


@pytest.mark.slow
def test_every_four_input_function_cost_matches_knuth():
    """Minimum B2 cost of all 2^16 four-input functions, via their 222 NPN classes.

    Oracle: Knuth, TAOCP Vol. 4A, Section 7.1.2 (the table of the number of
    four-variable functions of each cost C(f), complementation free):
    10, 60, 456, 2474, 10624, 24184, 25008, 2720 functions of cost 0..7.
    """
    import numpy as np

    from circuits.npn import npn_canonical_all
    from circuits.truthtable import full_mask

    canon = npn_canonical_all(4)
    cost = {}
    for t in sorted(int(x) for x in np.unique(canon)):
        normal = t ^ full_mask(4) if t & 1 else t  # B2 cost is invariant under complementing a non-literal
        r = synthesize(TruthTable.single(4, normal), "b2")
        assert r.proven
        cost[t] = r.size
    counts = [0] * 8
    for t in canon:
        counts[cost[int(t)]] += 1
    assert counts == [10, 60, 456, 2474, 10624, 24184, 25008, 2720]


@pytest.mark.parametrize(
    ("spec", "size", "expected"), [("maj:3", 4, "sat"), ("maj:3", 3, "unsat"), ("par:4", 3, "sat")]
)
def test_the_racers_search_decides_like_the_sliced_one(spec, size, expected):
    # the racer of a split size (race=True: default phase, one call) must agree with the
    # ordinary search, and its model must decode to a circuit that computes the target
    # (C_B2(MAJ_3) = 4, Knuth TAOCP 7.1.2; PAR_4 needs 3 XOR gates)
    p = boolean_sat.Problem(target(spec).table)
    enc = boolean_sat.encode(p, size)
    sliced = solve_step(enc.clauses, enc.nv, size=size)
    raced = solve_step(enc.clauses, enc.nv, size=size, race=True)
    assert sliced.status == raced.status == expected
    if expected == "sat":
        check_witness(enc.decode(raced.model), p, size)
