"""Tests of the truth-table conversions and output parsers of scripts/bench/boolean_peers.py.

The peers (cirbo, ABC) are not needed; the few checks against them skip when they are missing.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from circuits.targets import target
from circuits.truthtable import TruthTable

_PATH = Path(__file__).resolve().parents[1] / "scripts" / "bench" / "boolean_peers.py"
_SPEC = importlib.util.spec_from_file_location("boolean_peers", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
bp = importlib.util.module_from_spec(_SPEC)
sys.modules["boolean_peers"] = bp
_SPEC.loader.exec_module(bp)


def B(bits: str) -> list[bool]:
    """A cirbo row list from a 0/1 string."""
    return [c == "1" for c in bits]


# ------------------------------------------------------------------ ABC hex
@pytest.mark.parametrize(
    ("spec", "expected"),
    [("maj:3", ["e8"]), ("par:3", ["96"]), ("gt:2", ["08ce"]), ("tt:3:02", ["02"]), ("sum:3", ["96", "e8"])],
)
def test_abc_hex(spec, expected):
    assert bp.abc_hex(target(spec).table) == expected


def test_abc_hex_keeps_leading_zeros_of_five_inputs():
    assert bp.abc_hex(TruthTable.single(5, 1)) == ["00000001"]


# ------------------------------------------------------------------ cirbo rows
def test_cirbo_single_one_row():
    # tt:3:02 is 1 only at x0=1, x1=x2=0; cirbo reads input 0 as the most significant bit: row 0b100
    assert bp.cirbo_table(target("tt:3:02").table) == [B("00001000")]


def test_cirbo_gt2_by_hand():
    # row j = (x0 x1 y0 y1) big-endian; x = x0 + 2 x1 > y = y0 + 2 y1, worked out row by row
    assert bp.cirbo_table(target("gt:2").table) == [B("0000101010001110")]


def test_cirbo_symmetric_and_multi_output():
    assert bp.cirbo_table(target("maj:3").table) == [B("00010111")]
    assert bp.cirbo_table(target("sum:3").table) == [B("01101001"), B("00010111")]


@pytest.mark.parametrize("spec", ["gt:2", "rand:4:3", "sum:3", "rand:5:2"])
def test_cirbo_round_trip_and_knuth(spec):
    t = target(spec).table
    rows = bp.cirbo_table(t)
    assert bp.from_cirbo_rows(t.n, rows) == t.outputs
    assert ["".join("1" if v else "0" for v in col) for col in rows] == [t.to_knuth(k) for k in range(t.m)]


# ------------------------------------------------------------------ parsers
def test_blif_tables_in_any_node_order_and_with_swapped_fanins():
    blif = """\
.model t
.inputs a b c
.outputs d
.names c n d
10 1
.names a b n
01 1
.end
"""
    # as written: n = ~a & b, d = c & ~n
    assert bp.blif_tables(blif) == (0xB0,)
    # fan-ins swapped: n = a & ~b, d = ~c & n = a & ~b & ~c
    assert bp.blif_tables(blif, swap_fanins=True) == (0x02,)


def test_blif_offset_cover_and_constant():
    blif = ".model t\n.inputs a b\n.outputs y z\n.names a b y\n11 0\n.names z\n.end\n"
    assert bp.blif_tables(blif) == (0x7, 0x0)


def test_blif_gate_counts_skip_output_inverters():
    blif = ".model t\n.inputs a b\n.outputs y\n.names a b g\n11 1\n.names g y\n0 1\n.end\n"
    assert bp.blif_gate_counts(blif) == (1, 1)
    assert bp.blif_tables(blif) == (0x7,)


def test_twoexact_circuit_parser():
    text = "Realization of given 3-input function using 2 two-input gates:\n04 = 4'b0010( c 03 )\n03 = 4'b0100( a b )\n"
    assert bp.twoexact_table(text, 3) == 0x02
    assert bp.twoexact_table("The problem has no solution.\n", 3) is None


# ------------------------------------------------------------------ instances and report
def test_random_circuit_tables_are_fixed_and_use_all_inputs():
    t = bp.random_circuit_table(5, 7, 1)
    assert t == bp.random_circuit_table(5, 7, 1)
    names = [i.name for i in bp.default_instances()]
    assert len(names) == len(set(names)) == 21
    f = TruthTable.single(5, t)
    for j in range(5):
        assert any(f.evaluate(i) != f.evaluate(i ^ (1 << j)) for i in range(32)), f"x{j} is not essential"


def test_ratio_needs_agreement():
    base = bp.Run("lbt", "ok", 0.5, 0.6, 7, True)
    assert bp.ratio(bp.Run("x", "ok", 1.0, 1.0, 7, True), base) == pytest.approx(2.0)
    assert bp.ratio(bp.Run("x", "ok", 1.0, 1.0, 8, True), base) is None
    rows = [{"name": "I", "runs": {"lbt": base, "x": bp.Run("x", "ok", 1.0, 1.0, 8, True)}}]
    assert bp.check_sizes(rows) == ["I: x found size 8, lbt proved 7"]


def test_timeout_bound_uses_the_time_the_peer_used():
    base = bp.Run("lbt", "ok", 0.5, 2.0, 7, True)
    peer = bp.Run("x", "timeout", 100.0, 300.0)
    assert bp.timeout_bound(peer, base, "cpu") == pytest.approx(200.0)
    assert bp.timeout_bound(peer, base, "wall") == pytest.approx(150.0)
    assert bp.timeout_bound(bp.Run("x", "timeout", None, 300.0), base, "cpu") is None
    assert bp.fmt_ratio(peer, base) == ">200"


# ------------------------------------------------------------------ with the peers
def test_abc_exact_sizes_and_basis():
    abc = bp.abc_binary(None)
    if abc is None:
        pytest.skip("ABC not installed (scripts/bench/setup.sh)")
    # B2: XOR_3 takes 2 gates (6 in an AIG); 17 = not MAJ_3 is written with an extra output inverter
    for hexes, size, nd in (("e8", 4, 4), ("96", 2, 2), ("02", 2, 2), ("17", 4, 5)):
        cmd = f"exact {hexes}; print_stats; write_blif /dev/stdout"
        out = subprocess.run([abc, "-c", cmd], capture_output=True, text=True, check=False)
        assert int(out.stdout.split("nd =")[1].split()[0]) == nd
        assert bp.blif_gate_counts(out.stdout)[0] == size


def test_cirbo_reads_our_rows():
    pytest.importorskip("cirbo")
    from cirbo.core.truth_table import TruthTableModel
    from cirbo.synthesis.circuit_search import CircuitFinderSat

    t = target("tt:3:02").table
    ckt = CircuitFinderSat(TruthTableModel(bp.cirbo_table(t)), 2, basis="XAIG").find_circuit()
    got = sum(int(ckt.evaluate([bool((i >> j) & 1) for j in range(3)])[0]) << i for i in range(8))
    assert got == t.table


@pytest.mark.skipif(shutil.which("berkeley-abc") is None and shutil.which("abc") is None, reason="ABC not installed")
def test_twoexact_live_bit_order():
    abc = bp.abc_binary(None)
    out = subprocess.run([abc, "-c", "twoexact -I 4 -N 5 08ce"], capture_output=True, text=True, check=False)
    assert bp.twoexact_table(out.stdout, 4) == target("gt:2").table.table
