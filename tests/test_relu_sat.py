"""Exact minimum ReLU networks (solvers.relu.patterns) against hand derivations and brute force.

The brute-force oracle shares no code with the solver: it enumerates *every*
activation column (threshold function or not) and both output signs for each
hidden neuron, with no symmetry breaking, and decides the plain linear system
(``p_i >= 0`` where active, ``p_i <= 0`` where not, output value from the active
neurons) with a floating-point LP.  A minimum ``m`` is confirmed when the solver's
witness computes the target exactly and no choice of columns and signs with
``m - 2`` hidden neurons (``m - 1`` neurons) is feasible.
"""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from circuits.errors import SpecError, TooLargeError
from circuits.relu import Neuron, ReLUNetwork
from circuits.targets import target
from circuits.truthtable import TruthTable
from solvers.relu.engine import synthesize_relu
from solvers.relu.patterns import ReLUOptions, check_witness, encode, forced_direction, solve_size
from solvers.relu.verify import verify_certificate, verify_directory

OUTPUTS = ("linear", "relu", "threshold")


# ---------------------------------------------------------------- brute force
def _feasible(n: int, f: list[int], output: str, skip: bool, cols: tuple, signs: tuple) -> bool:
    """Is there a one-hidden-layer network with these activation columns and output signs?"""
    from scipy.optimize import linprog

    k, R = len(cols), 1 << n
    reads_x = skip or k == 0
    nv = k * (n + 1) + 1 + (n if reads_x else 0)
    X = [[(r >> j) & 1 for j in range(n)] + [1] for r in range(R)]
    ub, bub, eq, beq = [], [], [], []
    for i in range(k):
        for r in range(R):
            a = [0.0] * nv
            for j in range(n + 1):
                a[i * (n + 1) + j] = -X[r][j] if cols[i][r] else X[r][j]
            ub.append(a)
            bub.append(0.0)
    for r in range(R):
        z = [0.0] * nv
        for i in range(k):
            if cols[i][r]:
                for j in range(n + 1):
                    z[i * (n + 1) + j] = X[r][j] * (1 if signs[i] else -1)
        z[k * (n + 1)] = 1.0
        if reads_x:
            for j in range(n):
                z[k * (n + 1) + 1 + j] = X[r][j]
        if output == "linear" or (output == "relu" and f[r]):
            eq.append(z)
            beq.append(float(f[r]))
        elif output == "relu":
            ub.append(z)
            bub.append(0.0)
        elif f[r]:
            ub.append([-v for v in z])
            bub.append(0.0)
        else:
            ub.append(z)
            bub.append(-1.0)
    kw = {}
    if ub:
        kw.update(A_ub=np.array(ub), b_ub=np.array(bub))
    if eq:
        kw.update(A_eq=np.array(eq), b_eq=np.array(beq))
    res = linprog(np.zeros(nv), bounds=(None, None), method="highs", **kw)
    return res.status == 0


def brute_force_exists(table: TruthTable, hidden: int, output: str, skip: bool, columns=None) -> bool:
    """Some network with ``hidden`` hidden neurons computes ``table`` (all columns and signs tried)."""
    n = table.n
    R = 1 << n
    f = [int(b) for b in table.bits()]
    if columns is None:
        columns = [tuple((c >> r) & 1 for r in range(R)) for c in range(1 << R)]
    choices = [(col, s) for col in columns for s in (0, 1)]
    for combo in itertools.combinations_with_replacement(choices, hidden):
        if _feasible(n, f, output, skip, tuple(c for c, _ in combo), tuple(s for _, s in combo)):
            return True
    return False


def confirm_minimum(table: TruthTable, output: str, skip: bool, columns=None) -> int:
    r = synthesize_relu(table, output=output, skip=skip)
    assert r.proven and r.size == r.lower_bound
    check_witness(r.circuit, table, ReLUOptions(output=output, skip=skip), r.size)
    if r.size >= 2:
        cols = columns if r.size - 2 >= 2 else None  # one hidden neuron: every column
        assert not brute_force_exists(table, r.size - 2, output, skip, cols), (table, output, skip, r.size)
    return r.size


# NP representatives of the 2-input functions (the model is invariant under permuting and negating inputs)
NP2 = {"0": 0x0, "1": 0xF, "x0": 0xA, "and": 0x8, "or": 0xE, "xor": 0x6, "xnor": 0x9}


@pytest.mark.parametrize("skip", [False, True])
@pytest.mark.parametrize("output", OUTPUTS)
def test_two_inputs_against_brute_force(output, skip):
    for t in NP2.values():
        confirm_minimum(TruthTable.single(2, t), output, skip)


def test_three_inputs_against_brute_force_small_minima():
    """Every minimum <= 3 on these 3-input functions: all 256 columns x 2 signs for one hidden neuron."""
    for spec, output, skip in [
        ("maj:3", "linear", False),
        ("par:3", "threshold", True),
        ("tt:3:e1", "relu", False),
    ]:
        confirm_minimum(target(spec).table, output, skip)


@pytest.mark.slow
@pytest.mark.parametrize("skip", [False, True])
@pytest.mark.parametrize("output", OUTPUTS)
def test_three_inputs_exhaustive(output, skip):
    """All 22 NP classes of 3-input functions (minima 1 to 4).

    One hidden neuron ranges over all 256 columns; two hidden neurons (needed only
    to confirm a minimum of 4, i.e. PAR_3 without skip) range over the 104
    threshold columns, a restriction checked with all columns where it is cheap.
    """
    from circuits.linsep import Separator, threshold_function

    ltf = [
        tuple((c >> r) & 1 for r in range(8))
        for c in range(256)
        if isinstance(threshold_function(TruthTable.single(3, c)), Separator)
    ]
    assert len(ltf) == 104
    seen = set()
    for t in range(256):
        table = TruthTable.single(3, t)
        key = min(table.permute(p).negate_inputs(m).table for p in itertools.permutations(range(3)) for m in range(8))
        if key in seen:
            continue
        seen.add(key)
        confirm_minimum(table, output, skip, columns=ltf)


# ---------------------------------------------------------------- known values
def test_xor_derived():
    """XOR: 3 neurons without skip (2 hidden + linear output), 2 with skip.

    Derivation, one hidden neuron, no skip: z = σ·max(0, p) + c.  On the inactive
    rows I (p <= 0) z = c, so f is constant on I; on the others z = σp + c.  I is
    not empty (XOR is not affine on all four points) and is the non-positive side
    of p, so it is not {00, 11} or {01, 10} (XOR is not a threshold function):
    |I| = 1.  I = {00}: c = 0, σp = 1, 1, 0 on 01, 10, 11 with p >= 0, so σ = 1 and
    p(00) = p(01) + p(10) - p(11) = 2 > 0, a contradiction; the other three cases
    are the same up to symmetry.  Two hidden neurons suffice:
    max(0, x + y) - 2·max(0, x + y - 1).  With skip, x + y - 2·max(0, x + y - 1).
    """
    assert synthesize_relu("par:2").size == 3
    h1, h2 = Neuron(((0, 1), (1, 1)), 0), Neuron(((0, 1), (1, 1)), -1)
    net = ReLUNetwork(2, (h1, h2, Neuron(((2, 1), (3, -2)), 0, "linear")), (4,))
    check_witness(net, target("par:2").table, ReLUOptions(), 3)
    r = synthesize_relu("par:2", skip=True)
    assert r.size == 2 and r.proven
    # the paper-style witness is accepted by the same exact check
    h = Neuron(((0, 1), (1, 1)), -1)
    out = Neuron(((0, 1), (1, 1), (2, -2)), 0, "linear")
    check_witness(ReLUNetwork(2, (h, out), (3,)), target("par:2").table, ReLUOptions(skip=True), 2)


def test_and_is_one_relu_neuron():
    """AND_n = max(0, x0 + ... + x_{n-1} - n + 1): one neuron with a ReLU (or threshold) output.

    With a linear output AND_n (n >= 2) is not affine, so it needs a hidden neuron: 2.
    """
    for n in (2, 3, 4):
        spec = f"thr:{n}:{n}"
        assert synthesize_relu(spec, output="relu").size == 1
        assert synthesize_relu(spec, output="threshold").size == 1
        r = synthesize_relu(spec)
        assert r.size == 2 and r.proven


def test_disjointness_paper_upper_bound():
    """Paper 002 (Thm 16): DISJ_d has a (d+1)-neuron network, AND neurons then [1 - sum]_+ (ReLU output)."""
    for d in (2, 3):
        table = target(f"disj:{d}").table
        hidden = [Neuron(((j, 1), (d + j, 1)), -1) for j in range(d)]
        out = Neuron(tuple((2 * d + j, -1) for j in range(d)), 1, "relu")
        net = ReLUNetwork(2 * d, tuple(hidden) + (out,), (3 * d,))
        check_witness(net, table, ReLUOptions(output="relu"), d + 1)
    r = synthesize_relu("disj:2", output="relu")
    assert r.proven and r.size == 3  # the paper's d + 1 is optimal for d = 2
    # with a linear output DISJ_2 needs 4 neurons: see the ``refuted`` fixture


def _same_minimum_without_symmetry(spec: str, output: str, skip: bool) -> None:
    full = synthesize_relu(spec, output=output, skip=skip)
    bare = synthesize_relu(spec, output=output, skip=skip, symmetry=())
    assert full.size == bare.size and full.proven and bare.proven, (spec, output, skip)


def test_symmetry_breaking_preserves_minima():
    for spec, output, skip in [
        ("maj:3", "linear", False),
        ("maj:3", "relu", True),
        ("tt:3:e1", "threshold", False),
        ("tt:3:69", "threshold", False),
    ]:
        _same_minimum_without_symmetry(spec, output, skip)


@pytest.mark.slow
def test_symmetry_breaking_preserves_minima_exhaustive():
    for spec in ("par:3", "maj:3", "tt:3:e1", "tt:3:69", "disj:2", "eq:2"):
        for output in OUTPUTS:
            for skip in (False, True):
                _same_minimum_without_symmetry(spec, output, skip)


def test_forced_direction():
    assert forced_direction("linear", 1, 0, 0, 0) == 1
    assert forced_direction("linear", 1, 0, 1, 0) == 0
    # threshold: (1,1) vs (1,0) is not forced: z = (2, 2 | 5, -1) is consistent
    assert forced_direction("threshold", 1, 1, 1, 0) == 0
    assert forced_direction("threshold", 1, 1, 0, 0) == 1
    assert forced_direction("relu", 1, 1, 1, 0) == 1
    assert forced_direction("relu", 1, 0, 0, 0) == 0


# ---------------------------------------------------------------- results and witnesses
def test_result_dict_and_witness_round_trip():
    r = synthesize_relu("maj:3")
    d = r.to_dict()
    for key in ("target", "model", "size", "proven", "lower_bound", "witness", "refutations", "seconds"):
        assert key in d
    assert d["model"] == "relu" and d["hidden_layers"] == 1 and d["skip"] is False and d["output"] == "linear"
    net = ReLUNetwork.from_dict(d["witness"])
    assert net.computes(target("maj:3").table)
    assert [s["size"] for s in d["refutations"]] == list(range(1, r.size))
    json.dumps(d)


def test_progress_and_limits():
    events = []
    r = synthesize_relu("par:3", progress=events.append)
    assert {e.status for e in events} >= {"solving", "unsat", "sat"}
    r = synthesize_relu("par:3", max_size=2)
    assert r.size is None and not r.proven and r.lower_bound == 3
    r = synthesize_relu("par:3", start=3)
    assert r.size == 4 and not r.proven  # sizes 1, 2 were not refuted


def test_deeper_networks_claim_only_what_is_proven():
    # XOR without skip: size 2 is refuted for every depth (2 neurons have depth <= 2)
    r = synthesize_relu("par:2", hidden_layers=3)
    assert r.size == 3 and r.proven and r.lower_bound == 3
    # PAR_3 without skip: one hidden layer needs 4; with two layers only size <= 2 is refuted
    r = synthesize_relu("par:3", hidden_layers=2)
    assert r.size == 4 and not r.proven and r.lower_bound == 3
    assert all(s["size"] <= 2 for s in r.to_dict()["refutations"])


# ---------------------------------------------------------------- certificates
@pytest.fixture(scope="module")
def refuted(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("relu_proofs")
    r = synthesize_relu("disj:2", proof_dir=d)
    assert r.proven and r.size == 4
    r = synthesize_relu("par:3", output="threshold", proof_dir=d, symmetry=("alive", "order"))
    assert r.proven and r.size == 4
    return d


def test_certificates_verify(refuted):
    verdicts = verify_directory(refuted)
    assert len(verdicts) == 6 and all(v.verified for v in verdicts), [v.reason for v in verdicts]
    assert any(v.learned > 0 for v in verdicts)


def _copy(src: Path, tmp: Path, stem: str) -> tuple[Path, dict]:
    for p in src.glob(stem + ".*"):
        shutil.copy(p, tmp / p.name)
    cert = tmp / f"{stem}.certs.json"
    return cert, json.loads(cert.read_text())


def _with_learned(refuted: Path) -> str:
    for p in sorted(refuted.glob("*.certs.json")):
        data = json.loads(p.read_text())
        if any(c["kind"] == "lp" for c in data["learned"]):
            return p.name[: -len(".certs.json")]
    raise AssertionError("no certificate with learned clauses")


def test_tampered_multiplier_rejected(refuted, tmp_path):
    stem = _with_learned(refuted)
    cert, data = _copy(refuted, tmp_path, stem)
    lc = next(c for c in data["learned"] if c["kind"] == "lp")
    term = lc["terms"][-1]
    term[-1] = str(Fraction(term[-1]) * 2)
    cert.write_text(json.dumps(data))
    v = verify_certificate(cert)
    assert not v.verified and "learned clause" in v.reason


def test_tampered_ltf_certificate_rejected(refuted, tmp_path):
    for p in sorted(refuted.glob("*.certs.json")):
        data = json.loads(p.read_text())
        k = next((i for i, c in enumerate(data["learned"]) if c["kind"] == "ltf"), None)
        if k is not None:
            break
    else:
        raise AssertionError("no threshold-column certificate")
    cert, data = _copy(refuted, tmp_path, p.name[: -len(".certs.json")])
    data["learned"][k]["rows"][0][2] += 1
    cert.write_text(json.dumps(data))
    v = verify_certificate(cert)
    assert not v.verified and "multiplicities" in v.reason


def test_tampered_clause_rejected(refuted, tmp_path):
    stem = _with_learned(refuted)
    cert, data = _copy(refuted, tmp_path, stem)
    k = next(i for i, c in enumerate(data["learned"]) if c["kind"] == "lp" and len(c["clause"]) > 1)
    data["learned"][k]["clause"] = data["learned"][k]["clause"][1:]
    cert.write_text(json.dumps(data))
    v = verify_certificate(cert)
    assert not v.verified


def test_tampered_proof_rejected(refuted, tmp_path):
    stem = _with_learned(refuted)
    cert, data = _copy(refuted, tmp_path, stem)
    proof = tmp_path / data["proof"]
    lines = gzip.decompress(proof.read_bytes()).splitlines(keepends=True)
    proof.write_bytes(gzip.compress(b"".join(lines[:-1])))
    v = verify_certificate(cert)
    assert not v.verified and "proof" in v.reason.lower()


def test_tampered_header_rejected(refuted, tmp_path):
    stem = _with_learned(refuted)
    cert, data = _copy(refuted, tmp_path, stem)
    data["options"]["output"] = "relu"
    cert.write_text(json.dumps(data))
    assert not verify_certificate(cert).verified


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs",
    [
        {"output": "sigmoid"},
        {"hidden_layers": 0},
        {"hidden_layers": True},
        {"max_weight": -1},
        {"max_weight": 1.5},
        {"skip": "yes"},
        {"max_size": 0},
        {"start": -2},
        {"timeout": 0},
    ],
)
def test_bad_options(kwargs):
    with pytest.raises(SpecError) as exc:
        synthesize_relu("par:2", **kwargs)
    assert "\n" not in str(exc.value)


def test_bad_targets():
    with pytest.raises(SpecError):
        synthesize_relu("sum:3")  # two outputs
    with pytest.raises(SpecError):
        synthesize_relu(42)
    with pytest.raises(TooLargeError):
        synthesize_relu("par:9")
    with pytest.raises(SpecError):
        encode(target("par:2").table, 2, ReLUOptions(), symmetry={"normal"})  # needs skip


def test_solve_size_direct():
    enc = encode(target("par:2").table, 3)
    out = solve_size(enc)
    assert out.status == "sat" and out.witness.computes(target("par:2").table)


# ---------------------------------------------------------------- bounded integer weights
def _compositions(k: int, max_parts: int):
    if k == 0:
        yield ()
        return
    for p in range(1, min(k, max_parts) + 1):
        for cuts in itertools.combinations(range(1, k), p - 1):
            b = (0,) + cuts + (k,)
            yield tuple(b[q + 1] - b[q] for q in range(p))


def integer_networks_functions(n: int, W: int, size: int, L: int, skip: bool, output: str) -> set[int]:
    """Tables computed by *every* network with integer weights in [-W, W] of ``size`` neurons (plain enumeration)."""
    R = 1 << n
    X = np.array([[(r >> j) & 1 for j in range(n)] for r in range(R)], dtype=np.int64)
    rng = range(-W, W + 1)
    found: set[int] = set()
    pw = 1 << np.arange(R, dtype=np.int64)
    for widths in _compositions(size - 1, L):
        layer_sources = []  # for each neuron: column indices of the nodes it reads
        layers = [list(range(n))]
        node = n
        for width in list(widths) + [1]:
            src = [u for lay in layers for u in lay] if skip else list(layers[-1])
            lay = []
            for _ in range(width):
                layer_sources.append(src)
                lay.append(node)
                node += 1
            layers.append(lay)

        def dfs(i: int, vals: np.ndarray, layer_sources: list[list[int]] = layer_sources) -> None:
            src = layer_sources[i]
            grid = np.array(list(itertools.product(rng, repeat=len(src) + 1)), dtype=np.int64)
            z = vals[:, src] @ grid[:, :-1].T + grid[:, -1]  # (R, candidates)
            if i == len(layer_sources) - 1:
                if output == "linear":
                    ok = ((z == 0) | (z == 1)).all(axis=0)
                    tables = (z * pw[:, None]).sum(axis=0)
                elif output == "relu":
                    y = np.maximum(z, 0)
                    ok = (y <= 1).all(axis=0)
                    tables = (y * pw[:, None]).sum(axis=0)
                else:
                    ok = np.ones(z.shape[1], dtype=bool)
                    tables = ((z >= 0) * pw[:, None]).sum(axis=0)
                found.update(int(t) for t in np.unique(tables[ok]))
                return
            for col in np.unique(np.maximum(z, 0), axis=1).T:
                dfs(i + 1, np.concatenate([vals, col[:, None]], axis=1), layer_sources)

        dfs(0, X)
    return found


@pytest.mark.parametrize("output", OUTPUTS)
def test_bounded_weights_against_enumeration(output):
    """n = 2, W = 1, sizes <= 3, one or two hidden layers, with and without skip."""
    for L in (1, 2):
        for skip in (False, True):
            by_size = [integer_networks_functions(2, 1, s, L, skip, output) for s in (1, 2, 3)]
            for name, t in NP2.items():
                r = synthesize_relu(
                    TruthTable.single(2, t), output=output, skip=skip, max_weight=1, hidden_layers=L, max_size=3
                )
                expect = next((s for s, tabs in zip((1, 2, 3), by_size) if t in tabs), None)
                assert r.size == expect, (name, output, L, skip, r.size, expect)
                if expect is not None:
                    assert r.proven and r.to_dict()["engine"] == "bitblast"


def test_bounded_certificates(tmp_path):
    r = synthesize_relu("par:2", max_weight=1, hidden_layers=2, proof_dir=tmp_path)
    assert r.proven and r.size == 3
    verdicts = verify_directory(tmp_path)
    assert verdicts and all(v.verified for v in verdicts), [v.reason for v in verdicts]
    cert = max(tmp_path.glob("*.certs.json"))
    data = json.loads(cert.read_text())
    data["options"]["max_weight"] = 2
    cert.write_text(json.dumps(data))
    assert not verify_certificate(cert).verified


def test_zero_weight_bound_is_answered_directly():
    r = synthesize_relu("par:2", max_weight=0)
    assert r.size is None and r.infeasible and r.proven
    assert synthesize_relu("tt:2:f", max_weight=0, output="threshold").size == 1  # [0 >= 0] = 1
