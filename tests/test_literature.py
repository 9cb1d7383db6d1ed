"""Count claims (``MODEL npn:N count S = K``) and the fast subset of tables/known/literature.claims."""

import json
import subprocess
import sys
from itertools import product
from pathlib import Path

import pytest

from circuits.errors import SpecError
from lbt.claims import check_claim, parse_claims

LBT = [sys.executable, "-c", "from lbt.cli import main; main()"]
ROOT = Path(__file__).resolve().parent.parent
LITERATURE = ROOT / "tables" / "known" / "literature.claims"


def test_count_claims_parse_and_are_restricted_to_npn_invariant_models():
    (claim,) = parse_claims("thr npn:3 count 1 = 104  # Muroga")
    assert (claim.model, claim.target, claim.count_size, claim.op, claim.value) == ("thr", "npn:3", 1, "=", 104)
    assert str(claim) == "thr npn:3 count 1 = 104"
    for bad in (
        "mono npn:3 count 1 = 5",
        "thr max_weight=1 npn:3 count 1 = 5",
        "b2 maj:3 count 1 = 3",
        "b2 npn:5 count 1 = 3",
    ):
        with pytest.raises(SpecError):
            parse_claims(bad)


def _two_input_b2_costs():
    """B2 cost of every 2-input function with a free output negation, by hand: constants and literals cost 0,
    every other function is one gate."""
    costs = {}
    for bits in product((0, 1), repeat=4):
        table = sum(b << i for i, b in enumerate(bits))
        literals = {0b0000, 0b1111, 0b1010, 0b0101, 0b1100, 0b0011}
        costs[table] = 0 if table in literals else 1
    return costs


@pytest.mark.parametrize("size", [0, 1])
def test_count_claims_against_a_hand_count(size):
    expected = sum(c == size for c in _two_input_b2_costs().values())
    (right,) = parse_claims(f"b2 npn:2 count {size} = {expected}")
    (wrong,) = parse_claims(f"b2 npn:2 count {size} = {expected + 1}")
    (at_least,) = parse_claims(f"b2 npn:2 count {size} >= {expected}")
    assert check_claim(right).verdict == "confirmed"
    assert check_claim(wrong).verdict == "refuted"
    assert check_claim(at_least).verdict == "confirmed"


def test_count_claims_of_threshold_functions():
    """The 14 threshold functions of 2 inputs are the 16 but XOR and XNOR; a 3-input count off by one is refuted."""
    (two,) = parse_claims("thr npn:2 count 1 = 14")
    (three,) = parse_claims("thr npn:3 count 1 = 103")
    assert check_claim(two).verdict == "confirmed"
    verdict = check_claim(three)
    assert verdict.verdict == "refuted" and verdict.lower == verdict.upper == 104


def test_a_count_claim_out_of_time_is_unknown(monkeypatch):
    import lbt.claims

    monkeypatch.setattr(lbt.claims, "_SEARCHED", {})  # nothing decided by an earlier claim of this process
    (claim,) = parse_claims("b2 timeout=0.001 npn:4 count 7 = 2720")
    verdict = check_claim(claim)
    assert verdict.verdict == "unknown" and "classes open" in verdict.reason


def _ci_lines():
    return [line for line in LITERATURE.read_text().splitlines() if "# [ci]" in line]


def test_every_literature_claim_parses_and_cites_a_source():
    text = LITERATURE.read_text()
    claims = parse_claims(text, LITERATURE)
    assert len(claims) >= 25
    # every claim line belongs to a block whose comment names a source (a year in parentheses or a paper)
    blocks = text.split("\n\n")
    for block in blocks:
        lines = [line for line in block.splitlines() if line and not line.startswith("#")]
        if lines:
            comment = " ".join(line for line in block.splitlines() if line.startswith("#"))
            assert any(str(year) in comment for year in range(1950, 2030)), block


def test_the_fast_subset_of_the_literature_claims_is_confirmed(tmp_path):
    lines = _ci_lines()
    assert len(lines) >= 10
    subset = tmp_path / "ci.claims"
    subset.write_text("\n".join(lines) + "\n")
    proc = subprocess.run(
        LBT + ["verify", "--claims", str(subset), "--json", "--timeout", "120"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["confirmed"] == len(lines) and data["refuted"] == data["unknown"] == 0


def test_a_count_claim_reuses_the_classes_an_earlier_one_decided(monkeypatch):
    """After the cost-2 count of 3-input functions, the cost-1 count needs no search: with no time at all it is
    still decided (the 30 functions that one gate computes: 3 pairs of inputs, 10 functions of both)."""
    import lbt.claims

    monkeypatch.setattr(lbt.claims, "_SEARCHED", {})
    (first,) = parse_claims("b2 npn:3 count 2 >= 0")
    (second,) = parse_claims("b2 timeout=0.001 npn:3 count 1 = 30")
    assert check_claim(first).verdict == "confirmed"
    verdict = check_claim(second)
    assert verdict.verdict == "confirmed" and verdict.lower == verdict.upper == 30
