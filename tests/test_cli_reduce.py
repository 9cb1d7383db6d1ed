"""``lbt convert`` and ``lbt construct``: written files re-evaluated, formulas, bad input.

Conversions, constructions and exit codes run in-process through typer's
CliRunner (the subprocess start-up would dominate; the application maps errors
to exit codes itself); a few cases run ``lbt.cli.main`` as a subprocess.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circuits.boolean import AIG, B2, BooleanCircuit, Edge, Op2
from circuits.fileformat import load, save
from circuits.relu import Neuron, ReLUNetwork
from circuits.targets import target
from circuits.threshold import ThresholdCircuit, ThresholdGate
from lbt.cli import app

LBT = [sys.executable, "-c", "from lbt.cli import main; main()"]
EXAMPLES = Path(__file__).resolve().parent.parent / "scripts" / "examples"
runner = CliRunner()


def invoke(*args) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.stdout


def invoke_json(*args) -> dict:
    return json.loads(invoke(*args, "--json"))


def rows(n):
    return list(itertools.product((0, 1), repeat=n))


def bits_of(i: int, n: int) -> tuple[int, ...]:
    return tuple((i >> j) & 1 for j in range(n))


# ------------------------------------------------------------------ reference evaluation (independent of the models)
def ref_threshold(c: ThresholdCircuit, x) -> tuple[int, ...]:
    vals = list(x)
    for g in c.gates:
        vals.append(int(sum(w * vals[u] for u, w in g.weights) >= g.threshold))
    return tuple(vals[o] for o in c.outputs)


def ref_relu(net: ReLUNetwork, x) -> tuple[Fraction, ...]:
    vals = [Fraction(v) for v in x]
    for v in net.neurons:
        z = v.bias + sum((w * vals[u] for u, w in v.weights), Fraction(0))
        vals.append(
            max(z, Fraction(0)) if v.activation == "relu" else z if v.activation == "linear" else Fraction(int(z >= 0))
        )
    return tuple(vals[o] for o in net.outputs)


def ref_boolean(c: BooleanCircuit, x) -> tuple[int, ...]:
    vals = list(x)

    def read(e: Edge) -> int:
        return (0 if e.node < 0 else vals[e.node]) ^ int(e.neg)

    for g in c.gates:
        vals.append((g.op >> sum(read(e) << p for p, e in enumerate(g.inputs))) & 1)
    return tuple(read(e) for e in c.outputs)


# ------------------------------------------------------------------ sources
def two_output_threshold() -> ThresholdCircuit:
    """Depth 2, 4 inputs, 3 gates, 2 outputs: MAJ(x0,x1,x2), and [x3 + 2*maj - x0 >= 2]."""
    gates = (
        ThresholdGate(((0, 1), (1, 1), (2, 1)), 2),
        ThresholdGate(((0, -1), (3, 1), (4, 2)), 2),
        ThresholdGate(((1, 3), (2, -2), (3, 1)), 1),
    )
    return ThresholdCircuit(4, gates, (5, 6))


def shallow_network() -> ReLUNetwork:
    """One hidden layer of 3 ReLUs on R^2 with rational weights, one linear output."""
    hidden = [
        Neuron(((0, Fraction(3, 2)), (1, -1)), Fraction(1, 3)),
        Neuron(((0, -2),), 1),
        Neuron(((0, 1), (1, Fraction(1, 2))), Fraction(-1, 4)),
    ]
    return ReLUNetwork(2, (*hidden, Neuron(((2, 2), (3, Fraction(-1, 3)), (4, 1)), Fraction(1, 5), "linear")), (5,))


# ------------------------------------------------------------------ lbt convert
def test_threshold_to_relu_through_main(tmp_path):
    src = two_output_threshold()
    save(src, tmp_path / "c.json")
    proc = subprocess.run(
        LBT + ["convert", str(tmp_path / "c.json"), "--to", "relu", "--json"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    out = tmp_path / "c.relu.json"  # the default name, next to the input
    assert data["output"] == str(out) and data["source_model"] == "threshold" and data["result_model"] == "relu"
    net = load(out)
    assert isinstance(net, ReLUNetwork)
    for x in rows(src.n):
        assert ref_relu(net, x) == tuple(Fraction(b) for b in ref_threshold(src, x))
    assert net.truth_table() == src.truth_table()
    s, m, q = src.size, src.depth, src.num_outputs
    assert net.size == 2 * s + q == data["size"] == data["formula_size"]  # Lemma 22: 2s + q
    assert net.depth == m + 1 == data["depth"]
    assert data["matches_formula"] and data["formula_kind"] == "exact"
    assert data["formula_source"] == "paper"  # Lemma 22 states 2s + q exactly
    assert f"2^{src.n}" in data["checked"]
    assert load(tmp_path / "c.json") == src  # the input is untouched


def test_relu_to_threshold_unary_and_binary(tmp_path):
    # v = relu(x0 + x1 + x2) in [0, 3]; output [v >= 2]: unary 3 + 1 gates, binary 2 + 1
    src = ReLUNetwork(3, (Neuron(((0, 1), (1, 1), (2, 1)), 0), Neuron(((3, 1),), -2, "threshold")), (4,))
    save(src, tmp_path / "n.json")
    unary = invoke_json("convert", tmp_path / "n.json", "--to", "thr")
    binary = invoke_json(
        "convert", tmp_path / "n.json", "--to", "thr", "--encoding", "binary", "-o", tmp_path / "b.json"
    )
    for data, path, size in ((unary, tmp_path / "n.thr.json", 4), (binary, tmp_path / "b.json", 3)):
        c = load(path)
        assert isinstance(c, ThresholdCircuit)
        assert [ref_threshold(c, x) for x in rows(3)] == [tuple(int(v) for v in ref_relu(src, x)) for x in rows(3)]
        assert c.size == size == data["size"] == data["formula_size"]
        assert data["unary_size"] == 4 and data["binary_size"] == 3


def test_relu_example_round_trip(tmp_path):
    """xor_relu.json -> thr -> relu: every step computes XOR."""
    invoke("convert", EXAMPLES / "xor_relu.json", "--to", "thr", "-o", tmp_path / "x.json")
    out = invoke("convert", tmp_path / "x.json", "--to", "relu")
    assert "wrote" in out and "checked: equal to the circuit on all 2^2 Boolean inputs" in out
    assert load(tmp_path / "x.relu.json").truth_table().hex() == "6"


def test_boolean_to_threshold_bench_and_aag(tmp_path):
    fa = load(EXAMPLES / "full_adder.bench")
    data = invoke_json("convert", EXAMPLES / "full_adder.bench", "--to", "thr", "-o", tmp_path / "fa.json")
    c = load(tmp_path / "fa.json")
    assert [ref_threshold(c, x) for x in rows(3)] == [ref_boolean(fa, x) for x in rows(3)]
    assert c.truth_table() == target("sum:3").table
    assert c.size == data["size"] <= data["formula_size"] and data["formula_kind"] == "upper"
    # an AIG with negated edges, read from ASCII AIGER: x0 XOR x1 as three ANDs
    aig = BooleanCircuit.from_gates(
        2,
        [
            (Op2.AND, (Edge(0), Edge(1, True))),
            (Op2.AND, (Edge(0, True), Edge(1))),
            (Op2.AND, (Edge(2, True), Edge(3, True))),
        ],
        [Edge(4, True)],
        basis=AIG,
    )
    save(aig, tmp_path / "x.aag")
    data = invoke_json("convert", tmp_path / "x.aag", "--to", "thr")
    c = load(tmp_path / "x.thr.json")
    assert c.truth_table().hex() == "6" and c.size == data["size"] <= data["formula_size"] == 4


def test_threshold_to_b2_bench(tmp_path):
    src = load(EXAMPLES / "par3_threshold.json")
    data = invoke_json("convert", EXAMPLES / "par3_threshold.json", "--to", "b2", "-o", tmp_path / "p.bench")
    b = load(tmp_path / "p.bench")
    assert isinstance(b, BooleanCircuit) and b.basis == B2
    assert [ref_boolean(b, x) for x in rows(3)] == [ref_threshold(src, x) for x in rows(3)]
    # the bound Σ β_g + q: β = 5T + 3L - 11 for fan-in >= 3 (T = Σ popcount|w|, L = bitlen Σ|w|)
    beta = [5 * 3 + 3 * 2 - 11, 5 * 4 + 3 * 3 - 11]
    assert data["formula_size"] == sum(beta) + 1 and b.size == data["size"] <= data["formula_size"]


def test_deep_narrow_box_and_whole_space(tmp_path):
    src = shallow_network()
    save(src, tmp_path / "s.json")
    d, n = 2, 3
    grid = [Fraction(a, 4) for a in range(-4, 5)]
    box = invoke_json("convert", tmp_path / "s.json", "--to", "deep-narrow", "--box", "1")
    deep = load(tmp_path / "s.deep-narrow.json")
    L = n  # one hidden neuron per layer
    assert deep.size == n + d * (L - 1) + L + 1 == box["size"] == box["formula_size"]
    assert deep.depth == L + 1 and box["width"] == d + 1 + 1
    for x in itertools.product(grid, repeat=d):
        assert ref_relu(deep, x) == ref_relu(src, x)
    whole = invoke_json(
        "convert", tmp_path / "s.json", "--to", "deep-narrow", "--per-layer", "2", "-o", tmp_path / "w.json"
    )
    deep = load(tmp_path / "w.json")
    L = 2
    assert deep.size == n + 2 * d * (L - 1) + 2 * L + 1 == whole["size"] and whole["matches_formula"]
    for x in itertools.product([g * 7 for g in grid], repeat=d):
        assert ref_relu(deep, x) == ref_relu(src, x)


# ------------------------------------------------------------------ lbt construct
def test_ip_and_disj_networks_written(tmp_path):
    data = invoke_json("construct", "ip-net", "--d", "3", "-o", tmp_path / "ip.json")
    net = load(tmp_path / "ip.json")
    assert net.truth_table() == target("ip:3").table and net.size == 2 * 3 + 1 == data["size"] and net.depth == 3
    data = invoke_json("construct", "ip-net", "--d", "5", "--gadget", "sawtooth", "-o", tmp_path / "ips.json")
    net = load(tmp_path / "ips.json")
    assert net.truth_table() == target("ip:5").table and net.size == 5 + 2 * 3 + 1 and net.depth == 3 + 2
    invoke("construct", "disj-net", "--d", "4", "-o", tmp_path / "disj.json")
    net = load(tmp_path / "disj.json")
    assert net.truth_table() == target("disj:4").table and net.size == 5 and net.depth == 2


@pytest.mark.parametrize("method", ["ramps", "sawtooth"])
def test_bitextract_written_network(tmp_path, method):
    c = 3
    data = invoke_json("construct", "bitextract", "--c", c, "--method", method, "-o", tmp_path / "b.json")
    net = load(tmp_path / "b.json")
    size = 2 * (2**c - 1) + c if method == "ramps" else c * c + 4 * c
    assert net.size == size == data["size"] and net.depth == (2 if method == "ramps" else c + 2)
    for k in range(2**c):
        for off in (Fraction(0), Fraction(1, 3), Fraction(3, 4)):  # outside the margin (delta = 1/4)
            assert ref_relu(net, [(k + off) / 2**c]) == tuple(Fraction(b) for b in bits_of(k, c))


def test_tables():
    data = invoke_json("construct", "ip-net", "--d", "1..6", "--table")
    assert [r["d"] for r in data["rows"]] == list(range(1, 7))
    assert all(r["size"] == 2 * r["d"] + 1 == r["formula_size"] and r["matches_formula"] for r in data["rows"])
    text = invoke("construct", "bitextract", "--c", "1..4", "--method", "sawtooth", "--table")
    lines = text.splitlines()
    assert lines[0].startswith("| c ") and lines[1].startswith("|--")
    body = [line.split("|")[1:-1] for line in lines[2:6]]
    assert [int(r[2]) for r in body] == [c * c + 4 * c for c in range(1, 5)]  # size column
    # Lemma 25 gives only O(j) per bit: the formula compared against is lbt's own count, and the table says so
    assert all(r[6].strip() == "exact" and r[7].strip() == "lbt" and r[8].strip() == "yes" for r in body)
    assert "formula (sawtooth_discretiser)" in text and "checked (sawtooth_discretiser, last row)" in text


def test_barrier_selector_lipschitz(tmp_path):
    data = invoke_json("construct", "barrier", "--d", "2", "--c", "2", "-o", tmp_path / "bar.json")
    assert data["size"] == 2 * 2 * (2**2 - 1) + 2 * data["source_size"] + 1 and data["matches_formula"]
    assert load(tmp_path / "bar.json").size == data["size"]

    data = invoke_json("construct", "selector", "--target", "sum:3", "-o", tmp_path / "sel.json")
    single, back = data["reports"]
    g2 = load(tmp_path / "sel.json")
    s, l = single["source_size"], 2
    assert g2.size == s + l + 1 == single["size"] and back["size"] == l * (s + l + 1)
    assert back["constant_gates"] == l * (l - 1)  # hard-wiring s = e_k: the other AND gates become [o_j >= 2]
    table = target("sum:3").table
    for i in range(8):
        x = bits_of(i, 3)
        for k in range(l):
            assert ref_threshold(g2, x + tuple(int(j == k) for j in range(l))) == (table.evaluate(i)[k],)

    data = invoke_json("construct", "lipschitz", "--target", "disj:2", "--norm", "linf")
    assert data["size"] == 3 + 2 * 4 and data["source_network"].startswith("Thm 16")


# ------------------------------------------------------------------ bad input: one line, exit 2, nothing written
def _bad_files(tmp_path: Path) -> None:
    save(two_output_threshold(), tmp_path / "thr.json")
    save(shallow_network(), tmp_path / "real.json")  # rational weights
    save(load(EXAMPLES / "full_adder.bench"), tmp_path / "fa.bench")
    save(ReLUNetwork(1, (Neuron(((0, 2),), 0, "linear"),), (1,)), tmp_path / "two.json")  # output 2 on x0 = 1
    save(ReLUNetwork(1, (Neuron(((0, 10**6),), 0), Neuron(((1, 1),), -1, "threshold")), (2,)), tmp_path / "big.json")
    two_hidden = (Neuron(((0, 1),), 0), Neuron(((1, 1),), 0), Neuron(((2, 1),), 0, "linear"))
    save(ReLUNetwork(1, two_hidden, (3,)), tmp_path / "deep.json")
    (tmp_path / "corrupt.json").write_text('{"format": "lbt", "version": 1, "model": "relu", "circ')
    (tmp_path / "schema.json").write_text(
        '{"format": "lbt", "version": 1, "model": "threshold", "circuit": {"n": "x"}}'
    )
    (tmp_path / "bad.bench").write_text("INPUT(a)\nOUTPUT(b)\nb = FROB(a)\n")


BAD = [
    ["convert", "real.json", "--to", "relu"],  # wrong model
    ["convert", "thr.json", "--to", "thr"],
    ["convert", "thr.json", "--to", "deep-narrow"],
    ["convert", "fa.bench", "--to", "b2"],
    ["convert", "fa.bench", "--to", "relu"],
    ["convert", "deep.json", "--to", "deep-narrow"],  # two hidden layers
    ["convert", "real.json", "--to", "thr"],  # non-integer weights
    ["convert", "two.json", "--to", "thr"],  # output not 0/1
    ["convert", "big.json", "--to", "thr"],  # unary encoding too large
    ["convert", "corrupt.json", "--to", "relu"],
    ["convert", "schema.json", "--to", "relu"],
    ["convert", "bad.bench", "--to", "thr"],
    ["convert", "missing.json", "--to", "relu"],
    ["convert", "thr.json"],  # --to missing
    ["convert", "thr.json", "--to", "foo"],
    ["convert", "thr.json", "--to", "relu", "--encoding", "binary"],
    ["convert", "thr.json", "--to", "relu", "-o", "thr.json"],  # would overwrite the input
    ["convert", "thr.json", "--to", "relu", "-o", "x.bench"],
    ["convert", "real.json", "--to", "deep-narrow", "--box", "-1"],
    ["construct", "bitextract", "--c", "0"],
    ["construct", "bitextract", "--c", "11"],
    ["construct", "bitextract", "--c", "x"],
    ["construct", "bitextract", "--c", "1..3"],  # a range without --table
    ["construct", "bitextract", "--variant", "paper"],
    ["construct", "bitextract", "--delta", "1"],
    ["construct", "ip-net", "--d", "0"],
    ["construct", "ip-net", "--d", "13"],
    ["construct", "ip-net", "--d", "5..2", "--table"],
    ["construct", "ip-net", "--d", "1..2", "--table", "-o", "t.json"],
    ["construct", "disj-net", "--d", "2", "-o", "d.bench"],
    ["construct", "barrier", "--d", "3", "--c", "4"],
    ["construct", "selector", "--file", "real.json"],
    ["construct", "selector", "--target", "add:9"],
    ["construct", "lipschitz", "--target", "add:2"],
    ["construct", "lipschitz", "--norm", "l1"],
]


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a) for a in BAD])
def test_bad_input_in_process(args, tmp_path, monkeypatch, cli):
    _bad_files(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(*args)
    assert code == 2, err
    assert err.startswith("lbt: error: ") and err.count("\n") == 1 and len(err) > len("lbt: error: ") + 5, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


MESSAGES = [
    (["convert", "real.json", "--to", "thr"], ["integer", "3/2"]),
    (["convert", "fa.bench", "--to", "b2"], ["Boolean circuit", "--to thr"]),
    (["construct", "bitextract", "--c", "0"], ["--c", "at least 1"]),
    (["construct", "ip-net", "--d", "13"], ["too large", "12"]),
    (["convert", "corrupt.json", "--to", "relu"], ["corrupt.json", "corrupt"]),
    (["convert", "big.json", "--to", "thr"], ["unary", "--encoding binary"]),
]


@pytest.mark.parametrize("args, words", MESSAGES, ids=[" ".join(a) for a, _ in MESSAGES])
def test_bad_input_message_names_the_problem(args, words, tmp_path, monkeypatch, cli):
    _bad_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*args)
    assert code == 2 and out == "" and all(w in err for w in words), err


@pytest.mark.parametrize("args", [MESSAGES[0][0], MESSAGES[1][0]], ids=["non-integer", "wrong-model"])
def test_bad_input_subprocess(args, tmp_path):
    _bad_files(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = subprocess.run(LBT + args, check=False, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("lbt: error: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    ("args", "source"),
    [
        (["bitextract", "--c", "2"], "lbt"),  # Lemma 21: O(d 2^c) only
        (["bitextract", "--c", "2", "--method", "sawtooth"], "lbt"),  # Lemma 25: O(j) per bit only
        (["ip-net", "--d", "2"], "lbt"),  # Theorem 16, IP_d: O(d) only
        (["barrier", "--c", "2", "--d", "1"], "lbt"),
        (["disj-net", "--d", "2"], "paper"),  # Theorem 16, DISJ_d: d + 1 exactly
    ],
)
def test_the_verdict_says_whose_formula_it_is(args, source):
    """Where the paper gives only an O(.) bound, the count compared against is lbt's own, and the output says so."""
    proc = subprocess.run(LBT + ["construct", *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    verdict = next(line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("exact:"))
    if source == "lbt":
        assert verdict == "exact: equal to lbt's own count of this construction"
    else:
        assert verdict == "exact: equal to the paper's formula"
    data = json.loads(subprocess.run(LBT + ["construct", *args, "--json"], capture_output=True, text=True).stdout)
    assert data["formula_source"] == source
