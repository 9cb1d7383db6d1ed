"""The SAT-chain encoding against an independent brute-force enumeration of small circuits.

The brute force below shares no code with :mod:`solvers.boolean.encoding`: it
enumerates every circuit of at most three gates (every gate reads any 2..k
existing nodes, a B2 gate may read one node twice, every op of the basis) and
collects the functions they compute.  The encoding is run directly with a SAT
solver (not through the driver), size by size.
"""

from __future__ import annotations

import random
from functools import cache
from itertools import combinations

import pytest
from pysat.solvers import Solver

from circuits.boolean import Basis, BooleanCircuit
from circuits.truthtable import TruthTable
from solvers.boolean.encoding import (
    STRENGTHENINGS,
    Problem,
    encode,
    input_symmetries,
    lower_bound,
    trivial_circuit,
)

MAX_GATES = 3

# ---------------------------------------------------------------------------
# brute force (independent of the encoding)


def _full(n: int) -> int:
    return (1 << (1 << n)) - 1


def _var(n: int, j: int) -> int:
    return sum(1 << i for i in range(1 << n) if (i >> j) & 1)


def _minterms(tables: tuple[int, ...], full: int) -> list[int]:
    """Table of "the inputs carry pattern r" for every r (input 0 = bit 0 of r)."""
    out = []
    for r in range(1 << len(tables)):
        t = full
        for q, x in enumerate(tables):
            t &= x if (r >> q) & 1 else x ^ full
        out.append(t)
    return out


def _gate_outputs(basis: str, tables: tuple[int, ...], full: int) -> set[int]:
    m = _minterms(tables, full)
    if basis == "b2":
        rows = len(m)
        return {sum(m[r] for r in range(rows) if (op >> r) & 1) for op in range(1 << rows)}
    if basis == "aig":  # AND of literals over all inputs: one minterm
        return set(m)
    and_t, or_t = full, 0
    for x in tables:
        and_t &= x
        or_t |= x
    return {and_t, or_t}


def _fanins(basis: str, count: int, fanin: int) -> list[tuple[int, ...]]:
    """Index tuples a gate may read among ``count`` nodes."""
    out = [c for a in range(2, fanin + 1) for c in combinations(range(count), a)]
    if basis == "b2":
        out += [(i, i) for i in range(count)]  # a unary gate reads one node twice
    return out


@cache
def _layers(n: int, basis: str, fanin: int, depth: int | None, gates: int):
    """States (frozensets of (table, depth) of the gates) of every circuit with exactly s <= gates gates."""
    layers = [{frozenset()}]
    for _ in range(gates):
        nxt = set()
        for st in layers[-1]:
            for g, d in _creatable(n, basis, fanin, depth, st, with_depth=True):
                nxt.add(st | {(g, d)})
        layers.append(nxt)
    return layers


@cache
def _creatable(n: int, basis: str, fanin: int, depth: int | None, st: frozenset, with_depth: bool = False):
    """What one more gate can compute on top of the state ``st``: tables (with their depths)."""
    full = _full(n)
    nodes = tuple((_var(n, j), 0) for j in range(n)) + tuple(sorted(st))
    out = set()
    for idx in _fanins(basis, len(nodes), fanin):
        d = 1 + max(nodes[i][1] for i in idx)
        if depth is not None and d > depth:
            continue
        for g in _gate_outputs(basis, tuple(nodes[i][0] for i in idx), full):
            out.add((g, d) if with_depth else g)
    return frozenset(out)


def _free(n: int, basis: str) -> set[int]:
    full = _full(n)
    free = {0, full} | {_var(n, j) for j in range(n)}
    if basis == "aig":
        free |= {_var(n, j) ^ full for j in range(n)}
    return free


def _completions(outputs: tuple[int, ...], care: tuple[int, ...], rows: int):
    """Every total function agreeing with ``outputs`` on the care rows."""
    per_output = []
    for f, c in zip(outputs, care):
        free_rows = [r for r in range(rows) if not (c >> r) & 1]
        base = f & c
        per_output.append(
            [
                base | sum(1 << r for i, r in enumerate(free_rows) if (bits >> i) & 1)
                for bits in range(1 << len(free_rows))
            ]
        )
    combos = [()]
    for options in per_output:
        combos = [c + (o,) for c in combos for o in options]
    return combos


def brute_min(
    n: int,
    outputs: tuple[int, ...],
    basis: str,
    *,
    fanin: int = 2,
    depth: int | None = None,
    care: tuple[int, ...] | None = None,
    gates: int = MAX_GATES,
) -> int | None:
    """Fewest gates of a circuit computing ``outputs`` (on the care rows), or None if more than ``gates``."""
    if care is not None:
        costs = [
            brute_min(n, c, basis, fanin=fanin, depth=depth, gates=gates) for c in _completions(outputs, care, 1 << n)
        ]
        costs = [c for c in costs if c is not None]
        return min(costs) if costs else None
    full = _full(n)
    free = _free(n, basis)
    layers = _layers(n, basis, fanin, depth, gates - 1)

    def missing(st) -> list[int]:
        avail = free | {t for t, _ in st}
        return [f for f in outputs if f not in avail and not (basis == "aig" and f ^ full in avail)]

    for s, layer in enumerate(layers):
        if any(not missing(st) for st in layer):
            return s
    for st in layers[-1]:
        miss = missing(st)
        options = {miss[0]} | ({miss[0] ^ full} if basis == "aig" else set())
        for f in miss[1:]:
            options &= {f} | ({f ^ full} if basis == "aig" else set())
        if options & _creatable(n, basis, fanin, depth, st):
            return gates
    return None


# ---------------------------------------------------------------------------
# the encoding, solved size by size


def sat_min(
    problem: Problem,
    limit: int = MAX_GATES,
    *,
    strengthenings=None,
    normal: bool = True,
) -> tuple[int | None, BooleanCircuit | None]:
    """Smallest size <= limit found by the encoding (with a checked witness), else (None, None)."""
    if trivial_circuit(problem) is not None:
        c = trivial_circuit(problem)
        _check(c, problem, 0)
        return 0, c
    for s in range(1, limit + 1):
        enc = encode(problem, s, strengthenings=strengthenings, normal=normal)
        with Solver(name="cadical195", bootstrap_with=enc.clauses) as solver:
            if solver.solve():
                c = enc.decode(solver.get_model())
                _check(c, problem, s)
                return s, c
    return None, None


def _check(c: BooleanCircuit, problem: Problem, size: int) -> None:
    assert c.size == size
    assert c.basis == problem.basis
    table = c.truth_table()
    for k in range(problem.m):
        assert problem.agrees(k, table.outputs[k]), (problem, str(c))
    if problem.depth is not None:
        assert c.depth <= problem.depth


def _problem(n, outputs, basis="b2", **kw) -> Problem:
    fanin = kw.pop("fanin", 2)
    return Problem(TruthTable(n, tuple(outputs)), Basis(basis, fanin), **kw)


def _sample_tables(n: int, count: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.getrandbits(1 << n) for _ in range(count)]


def _pair_symmetric(n: int, count: int, seed: int) -> list[int]:
    """Random functions symmetric in a random pair of inputs."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        f = TruthTable.single(n, rng.getrandbits(1 << n))
        a, b = rng.sample(range(n), 2)
        perm = list(range(n))
        perm[a], perm[b] = b, a
        out.append(f.table & f.permute(perm).table)
    return out


# ---------------------------------------------------------------------------
# exact minima against brute force


@pytest.mark.parametrize("n", [1, 2, 3])
def test_b2_all_functions_match_brute_force(n):
    for f in range(1 << (1 << n)):
        want = brute_min(n, (f,), "b2")
        got, _ = sat_min(_problem(n, [f]))
        assert got == want, f"f={f:#x}"


def test_b2_functions_beyond_three_gates_need_exactly_four():
    # every 3-input function costs at most 4 over B2 (Knuth 7.1.2); those beyond brute force
    n = 3
    for f in range(256):
        if brute_min(n, (f,), "b2") is None:
            got, _ = sat_min(_problem(n, [f]), limit=4)
            assert got == 4, f"f={f:#x}"


@pytest.mark.parametrize("basis", ["aig", "mono"])
def test_aig_mono_all_functions_match_brute_force(basis):
    n = 3
    prob_of = lambda f: _problem(n, [f], basis)  # noqa: E731
    for f in range(256):
        p = prob_of(f)
        if basis == "mono" and not p.is_monotone_extendable():
            continue
        want = brute_min(n, (f,), basis)
        got, _ = sat_min(p)
        assert got == want, f"{basis} f={f:#x}"


@pytest.mark.parametrize("basis", ["b2", "aig"])
def test_multi_output_matches_brute_force(basis):
    n = 3
    full = _full(n)
    rng = random.Random(7)
    cases = [
        (0x8, 0x7),  # AND, NAND-like pair on x0, x1 with the complement as second output
        (0x88, 0x77),
        (0xE8, 0x17),
        (0x96, 0xE8),  # full adder
        (0xAA, 0x55),  # x0 and NOT x0
        (0x88, 0x55),
        (0x80, 0xFE, 0x7F),
        (0x66, 0x99, 0x88),
        (0x55, 0x33),  # two NOT gates in B2
        (0x55, 0x33, 0x0F),
        (0x88, 0x77, 0x55),
        (0x88, 0x77, 0xEE),
    ]
    two = [(0x8, 0x7), (0x6, 0x9), (0x8, 0x7, 0xE), (0x8, 0x5), (0x6, 0x8, 0x9), (0x5, 0x3)]
    for _ in range(30):
        a = rng.getrandbits(8)
        # mix in functions cheap enough for the brute force, and complements
        b = rng.choice([a ^ full, a & rng.getrandbits(8), 0x88, 0x66 ^ full, rng.getrandbits(8)])
        cases.append((a, b))
    for outs in cases:
        want = brute_min(n, outs, basis)
        got, _ = sat_min(_problem(n, outs, basis))
        assert got == want, f"{basis} outputs={[hex(t) for t in outs]}"
    for outs in two:
        want = brute_min(2, outs, basis)
        got, _ = sat_min(_problem(2, outs, basis))
        assert got == want, f"{basis} outputs={[hex(t) for t in outs]}"


@pytest.mark.parametrize("basis", ["b2", "aig", "mono"])
@pytest.mark.parametrize("depth", [1, 2])
def test_depth_bound_matches_brute_force(basis, depth):
    n = 3
    tables = list(range(256)) if basis != "b2" else _sample_tables(3, 60, 11) + [0xE8, 0x17, 0x96, 0x80, 0x7F]
    for f in tables:
        p = _problem(n, [f], basis, depth=depth)
        if basis == "mono" and not p.is_monotone_extendable():
            continue
        want = brute_min(n, (f,), basis, depth=depth)
        got, c = sat_min(p)
        assert got == want, f"{basis} depth {depth} f={f:#x}"


def test_depth_bound_multi_output_mixed_polarity():
    n = 3
    rng = random.Random(3)
    cases = [(0x88, 0x77), (0x8, 0xF7), (0xE8, 0x17), (0x96, 0x69, 0x80)]
    cases += [(a, a ^ 0xFF) for a in _sample_tables(3, 10, 5)]
    cases += [(rng.getrandbits(8), rng.getrandbits(8)) for _ in range(10)]
    for depth in (1, 2):
        for outs in cases:
            want = brute_min(n, outs, "b2", depth=depth)
            got, _ = sat_min(_problem(n, outs, depth=depth))
            assert got == want, f"depth {depth} outputs={[hex(t) for t in outs]}"


@pytest.mark.parametrize("basis", ["b2", "aig", "mono"])
def test_dont_cares_match_brute_force(basis):
    n = 3
    rng = random.Random(23 + len(basis))
    checked = 0
    while checked < 60:
        f = rng.getrandbits(8)
        care = 0xFF
        for _ in range(rng.randint(1, 4)):
            care &= ~(1 << rng.randrange(8))
        outs = (f,)
        if rng.random() < 0.3:
            outs = (f, rng.getrandbits(8))
            cares = (care, 0xFF & ~(1 << rng.randrange(8)))
        else:
            cares = (care,)
        p = Problem(TruthTable(n, outs), Basis(basis), care=cares)
        if basis == "mono" and not p.is_monotone_extendable():
            continue
        want = brute_min(n, outs, basis, care=cares)
        got, c = sat_min(p)
        assert got == want, f"{basis} outputs={outs} care={cares}"
        checked += 1


@pytest.mark.parametrize("basis", ["b2", "aig", "mono"])
def test_fanin3_matches_brute_force(basis):
    n = 3
    tables = range(256) if basis != "b2" else _sample_tables(3, 40, 9)
    for f in tables:
        p = _problem(n, [f], basis, fanin=3)
        if basis == "mono" and not p.is_monotone_extendable():
            continue
        want = brute_min(n, (f,), basis, fanin=3)
        got, _ = sat_min(p)
        assert got == want, f"{basis}3 f={f:#x}"


def test_b3_four_inputs_matches_brute_force():
    n = 4
    cases = _sample_tables(4, 12, 31) + [0x8000, 0x6996, 0xE880, 0x0116]
    for f in cases:
        want = brute_min(n, (f,), "b2", fanin=3, gates=2)
        got, _ = sat_min(_problem(n, [f], fanin=3), limit=2)
        assert got == want, f"B3 f={f:#x}"


# ---------------------------------------------------------------------------
# every strengthening preserves the minimum


def _cheap_four_input_functions(count: int, seed: int) -> list[int]:
    """Functions of random circuits of <= 3 B2 gates on 4 inputs (cost <= 3), some complemented."""
    rng = random.Random(seed)
    full = _full(4)
    out = []
    for _ in range(count):
        nodes = [_var(4, j) for j in range(4)]
        for _ in range(rng.randint(1, 3)):
            a, b = rng.sample(range(len(nodes)), 2)
            op = rng.randrange(16)
            m = _minterms((nodes[a], nodes[b]), full)
            nodes.append(sum(m[r] for r in range(4) if (op >> r) & 1))
        out.append(nodes[-1] ^ (full if rng.random() < 0.5 else 0))
    return out


def _strengthening_cases():
    """(problem, limit) pairs: single and multi-output, symmetric, depth, don't-cares, fan-in 3."""
    cases = []
    for f in _sample_tables(3, 25, 1) + _pair_symmetric(3, 15, 2) + [0xE8, 0x17, 0x96, 0x69, 0x80, 0x7F, 0x55]:
        cases.append((_problem(3, [f]), 4))
        cases.append((_problem(3, [f], "aig"), 3))
    for f in _cheap_four_input_functions(20, 3) + _pair_symmetric(4, 6, 4):
        cases.append((_problem(4, [f]), 3))
    from circuits.targets import target

    for spec in ("thr:4:4", "thr:4:1", "par:4", "exact:4:0", "exact:4:1", "thr:3:2"):
        cases.append((Problem(target(spec).table), 4))
    rng = random.Random(5)
    for _ in range(12):
        a = rng.getrandbits(8)
        b = rng.choice([a ^ 0xFF, rng.getrandbits(8), 0x88, 0x77])
        cases.append((_problem(3, [a, b]), 3))
        cases.append((_problem(3, [a, b], "aig"), 3))
        cases.append((_problem(3, [a, b], depth=2), 3))
    for outs in [(0x55, 0x33), (0x55, 0x33, 0x0F), (0x88, 0x77, 0x55), (0x88, 0x77, 0xEE), (0x96, 0xE8)]:
        cases.append((_problem(3, outs), 3))
        cases.append((_problem(3, outs, depth=1), 3))
    for outs in [(0x8, 0x7), (0x6, 0x9), (0x8, 0x7, 0xE), (0x8, 0x5), (0x6, 0x8, 0x9)]:
        cases.append((_problem(2, outs), 3))
    for f in [0xE8, 0x80, 0xFE, 0xC0, 0xEA]:
        cases.append((_problem(3, [f], "mono"), 4))
        cases.append((_problem(3, [f], "mono", depth=2), 4))
    for f in _sample_tables(3, 8, 6):
        cases.append((_problem(3, [f], depth=2), 3))
        cases.append((Problem(TruthTable(3, (f,)), Basis("b2"), care=(0xFF & ~0x21,)), 3))
        cases.append((_problem(4, [f | (f << 8)], fanin=3), 2))
    return cases


@pytest.mark.parametrize("name", STRENGTHENINGS)
def test_each_strengthening_preserves_minimum(name):
    for p, limit in _strengthening_cases():
        without, _ = sat_min(p, limit, strengthenings=())
        with_it, _ = sat_min(p, limit, strengthenings=(name,))
        assert with_it == without, f"{name}: {p}"


def test_all_strengthenings_together_preserve_minimum():
    for p, limit in _strengthening_cases():
        without, _ = sat_min(p, limit, strengthenings=())
        together, _ = sat_min(p, limit)
        assert together == without, f"all: {p}"


@pytest.mark.parametrize("basis", ["b2", "aig"])
def test_normal_form_preserves_minimum(basis):
    cases = [(_problem(3, [f], basis), 4) for f in _sample_tables(3, 30, 12) + [0x17, 0x7F, 0x55, 0xFF ^ 0x96]]
    cases += [(_problem(3, [a, a ^ 0xFF], basis), 3) for a in _sample_tables(3, 8, 13)]
    cases += [(_problem(3, [f], basis, depth=2), 3) for f in _sample_tables(3, 8, 14)]
    for p, limit in cases:
        plain, _ = sat_min(p, limit, strengthenings=(), normal=False)
        normal, _ = sat_min(p, limit, strengthenings=())
        assert normal == plain, f"{p}"


@pytest.mark.slow
def test_each_strengthening_four_input_symmetric_costs():
    # MAJ_4 and THR_4^3 cost 7 over B2; check sizes 5..6 stay unsat and 7 sat for symmetry-heavy options
    from circuits.targets import target

    p = Problem(target("thr:4:2").table)
    base, _ = sat_min(p, 6, strengthenings=())
    for name in ("symmetry", "colex"):
        got, _ = sat_min(p, 6, strengthenings=(name, "nontrivial"))
        assert got == base


# ---------------------------------------------------------------------------
# known values (sources in comments)


def test_known_values():
    from circuits.targets import target

    # XOR_n needs n - 1 gates over B2 (each gate joins two components; parity is not computable with fewer)
    assert sat_min(Problem(target("par:3").table))[0] == 2
    assert sat_min(Problem(target("par:4").table))[0] == 3
    # the full adder needs 5 B2 gates (Knuth TAOCP 7.1.2; Kojevnikov, Kulikov, Yaroslavtsev 2009)
    assert sat_min(Problem(target("sum:3").table), 5)[0] == 5
    # MAJ_3 needs 4 B2 gates (Knuth TAOCP 7.1.2)
    assert sat_min(Problem(target("maj:3").table), 4)[0] == 4
    # AND of n inputs: n - 1 AIG gates
    for n in (2, 3, 4, 5):
        assert sat_min(Problem(target(f"thr:{n}:{n}").table, Basis("aig")), 5)[0] == n - 1
    # XOR_2 needs 3 AIG gates
    assert sat_min(Problem(target("par:2").table, Basis("aig")))[0] == 3


# ---------------------------------------------------------------------------
# helpers


def test_trivial_circuit_and_lower_bound():
    n = 3
    x0, x1 = _var(n, 0), _var(n, 1)
    p = _problem(n, [x0, 0, 0xFF])
    assert trivial_circuit(p).truth_table().outputs == (x0, 0, 0xFF)
    assert lower_bound(p)[0] == 0
    # NOT x0 is free in aig only
    assert trivial_circuit(_problem(n, [x0 ^ 0xFF])) is None
    assert trivial_circuit(_problem(n, [x0 ^ 0xFF], "aig")) is not None
    # three essential inputs: 2 gates over fan-in 2, 1 over fan-in 3
    assert lower_bound(_problem(n, [0xE8]))[0] == 2
    assert lower_bound(_problem(n, [0xE8], fanin=3))[0] == 1
    # two different non-free output functions need two gates
    assert lower_bound(_problem(n, [x0 & x1, x0 | x1]))[0] == 2
    assert lower_bound(_problem(n, [x0 & x1, (x0 & x1) ^ 0xFF], "aig"))[0] == 1


def test_essential_inputs():
    rng = random.Random(8)
    for n in range(1, 6):
        for _ in range(50):
            t = TruthTable.single(n, rng.getrandbits(1 << n) & rng.getrandbits(1 << n))
            assert Problem(t).essential_inputs(0) == t.support()
    # AND of x0, x1 with rows 1 and 3 free: x0 no longer certainly matters (care rows 0 and 2 differ in x1)
    p = Problem(TruthTable.single(2, 0x8), care=(0b0101,))
    assert p.essential_inputs(0) == ()
    p = Problem(TruthTable.single(2, 0x8), care=(0b1100,))
    assert p.essential_inputs(0) == (0,)


def test_input_symmetries():
    from circuits.targets import target

    assert input_symmetries(Problem(target("maj:4").table)) == [(0, 1, 2, 3)]
    assert input_symmetries(Problem(TruthTable.single(3, 0x80 | 0x08))) == [(0, 1)]
    # a care mask that breaks the symmetry removes it
    p = Problem(TruthTable.single(2, 0x8), care=(0b1101,))
    assert input_symmetries(p) == []


def test_encoding_has_no_unit_assumptions_needed_and_rejects_unknown_strengthening():
    from circuits.errors import SpecError

    with pytest.raises(SpecError):
        encode(_problem(2, [0x6]), 1, strengthenings=("bogus",))
    enc = encode(_problem(2, [0x6]), 1)
    assert all(isinstance(c, list) and c for c in enc.clauses)
    assert max(abs(l) for c in enc.clauses for l in c) <= enc.nv


def test_unsat_below_minimum_sat_at_minimum():
    from circuits.targets import target

    p = Problem(target("maj:3").table)
    for s, expect in [(3, False), (4, True)]:
        enc = encode(p, s)
        with Solver(name="cadical195", bootstrap_with=enc.clauses) as solver:
            assert solver.solve() is expect
