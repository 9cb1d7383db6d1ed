"""``lbt verify --claims``: parsing claim files, the verdict logic, and claims checked against known values."""

import json

import pytest
from hypothesis import given, strategies as st

from circuits.errors import SpecError
from lbt.claims import Claim, check_claim, decide, parse_claims


def one(text: str) -> Claim:
    (claim,) = parse_claims(text)
    return claim


# ------------------------------------------------------------------ parsing
def test_line_syntax_ops_and_options():
    c = one("thr layered=2 ip:3 >= 4")
    assert (c.model, c.target, c.op, c.value, c.options) == ("thr", "ip:3", ">=", 4, {"layered": 2})
    # strict comparisons become the non-strict ones on integers
    assert (one("b2 maj:5 > 8").op, one("b2 maj:5 > 8").value) == (">=", 9)
    assert (one("b2 maj:5 < 10").op, one("b2 maj:5 < 10").value) == ("<=", 9)
    assert one("b2 maj:5 == 9").op == "="
    c = one("relu hidden-layers=2 skip=true output=relu disj:2 <= 5")
    assert c.options == {"hidden_layers": 2, "skip": True, "output": "relu"}
    with pytest.raises(SpecError, match="expected one target spec"):
        one("b2 maj:5 = 9 timeout=7")  # options come before the comparison


def test_comments_blank_lines_ranges_and_line_numbers():
    claims = parse_claims("# header\n\nb2 par:2..4 = 3   # only par:4 is right\nthr maj:3 = 1\n")
    assert [(c.target, c.line) for c in claims] == [("par:2", 3), ("par:3", 3), ("par:4", 3), ("maj:3", 4)]


def test_timeouts_claim_then_file_then_default():
    text = 'timeout = 5\nclaims = ["b2 maj:3 = 4", "b2 timeout=2 par:3 = 2"]\n'
    a, b = parse_claims(text, "c.toml", timeout=600)
    assert (a.timeout, b.timeout) == (5.0, 2.0)
    (c,) = parse_claims("b2 maj:3 = 4\n", "c.txt", timeout=600)
    assert c.timeout == 600


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("b2 maj:5 9", "line 1: expected 'MODEL"),
        ("maj:5 = 9", "expected a model and a target"),
        ("foo maj:5 = 9", "unknown model 'foo'"),
        ("b2 maj:5 par:3 = 9", "expected one target spec"),
        ("b2 layered=2 maj:5 = 9", "unknown key 'layered' for model b2"),
        ("thr layered=x maj:5 = 9", "layered must be an integer"),
        ("thr max_size=4 maj:5 = 9", "set by the claim itself"),
        ("b2 nosuch:5 = 9", "unknown family 'nosuch'"),
        ("b2 depth=2 depth=3 maj:3 = 4", "given twice"),
        ("# nothing\n", "no claims"),
    ],
)
def test_malformed_claims_name_the_problem(text, fragment):
    with pytest.raises(SpecError) as info:
        parse_claims(text, "claims.txt")
    message = str(info.value)
    assert fragment in message and "\n" not in message and message.startswith("claims.txt: ")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("claims = 3", "claims must be a list of strings"),
        ('claim = ["b2 maj:3 = 4"]', "unknown key 'claim'"),
        ('claims = ["b2 maj:3 = 4"]\ntimeout = -1', "timeout must be a positive number"),
        ('claims = ["b2 maj:3 = 4", "b2 maj:3"]', "claims[1]: expected"),
        ("claims = [", "not valid TOML"),
    ],
)
def test_malformed_toml_claims(text, fragment):
    with pytest.raises(SpecError) as info:
        parse_claims(text, "claims.toml")
    assert fragment in str(info.value)


# ------------------------------------------------------------------ the verdict logic
def _oracle(op: str, k: int, lower: int, upper: int | None) -> str:
    """Brute force: the minimum is any s in [lower, upper] (unbounded: any s >= lower, tried up to far past k)."""
    top = upper if upper is not None else max(lower, k) + 50
    holds = [s == k if op == "=" else s >= k if op == ">=" else s <= k for s in range(lower, top + 1)]
    if upper is None and op in ("=", "<="):
        holds.append(False)  # larger minima, for which '=' and '<=' fail
    return "confirmed" if all(holds) else "refuted" if not any(holds) else "unknown"


@given(
    op=st.sampled_from(["=", ">=", "<="]),
    k=st.integers(0, 12),
    lower=st.integers(0, 12),
    width=st.one_of(st.none(), st.integers(0, 6)),
)
def test_decide_matches_brute_force(op, k, lower, width):
    upper = None if width is None else lower + width
    claim = Claim("", 1, "b2", "maj:3", op, k)
    assert decide(claim, lower, upper)[0] == _oracle(op, k, lower, upper)


def test_decide_infeasible():
    # no circuit at all under the options: every lower bound holds, no equality or upper bound does
    assert decide(Claim("", 1, "b2", "maj:3", ">=", 40), 3, None, True)[0] == "confirmed"
    assert decide(Claim("", 1, "b2", "maj:3", "<=", 40), 3, None, True)[0] == "refuted"
    assert decide(Claim("", 1, "b2", "maj:3", "=", 4), 3, None, True)[0] == "refuted"


# ------------------------------------------------------------------ claims against known values
@pytest.mark.parametrize(
    ("line", "verdict"),
    [
        ("b2 maj:3 = 4", "confirmed"),  # MAJ_3 over B2: 4 gates (Knuth, TAOCP 7.1.2, Table 1)
        ("b2 maj:3 = 3", "refuted"),
        ("b2 maj:3 >= 5", "refuted"),
        ("b2 maj:3 <= 3", "refuted"),
        ("b2 par:4 = 3", "confirmed"),  # PAR_n over B2: n - 1 gates (n inputs need n - 1 binary gates)
        ("b2 par:4 <= 2", "refuted"),
        ("b2 expr:x0 >= 1", "refuted"),  # a projection needs no gate
        ("thr par:3 = 2", "confirmed"),  # PAR_3: [x >= 2] and [x - 2g >= 1] (Minsky-Papert); 1 gate is not enough
        ("thr maj:5 = 1", "confirmed"),  # one threshold gate
        ("thr par:3 > 2", "refuted"),
        ("b2 depth=1 maj:3 <= 9", "refuted"),  # depth 1 over B2 sees two inputs: no circuit at all
        ("b2 depth=1 maj:3 >= 9", "confirmed"),
    ],
)
def test_claims_on_known_values(line, verdict):
    v = check_claim(one(line))
    assert v.verdict == verdict, v.reason


def test_time_limit_gives_unknown_never_a_verdict():
    # MAJ_5 over B2 needs 9 gates and refuting 8 takes minutes: 0.5 s settles nothing
    v = check_claim(one("b2 timeout=0.5 maj:5 = 9"))
    assert v.verdict == "unknown" and "time limit" in v.reason
    assert v.lower < 9


# ------------------------------------------------------------------ the command line
def test_cli_verdicts_exit_codes_and_json(tmp_path, cli):
    good = tmp_path / "good.txt"
    good.write_text("b2 maj:3 = 4\nthr par:3 >= 2\n")
    code, out, _ = cli("verify", "--claims", good, "--quiet")
    assert code == 0 and "2 confirmed, 0 refuted, 0 unknown" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('claims = ["b2 maj:3 = 4", "b2 maj:3 = 5"]\n')
    code, out, _ = cli("verify", "--claims", bad, "--json")
    doc = json.loads(out)
    assert code == 1 and (doc["confirmed"], doc["refuted"], doc["unknown"]) == (1, 1, 0)
    assert [c["verdict"] for c in doc["claims"]] == ["confirmed", "refuted"]
    slow = tmp_path / "slow.txt"
    slow.write_text("b2 maj:5 = 9\n")
    code, out, _ = cli("verify", "--claims", slow, "--timeout", "0.5", "--quiet")
    assert code == 3 and "UNKNOWN" in out


def test_cli_rejected_claim_is_listed_and_exits_2(tmp_path, cli):
    claims = tmp_path / "c.txt"
    claims.write_text("mono par:3 = 2\nb2 maj:3 = 4\n")  # PAR_3 is not monotone: the engine rejects it
    code, out, _ = cli("verify", "--claims", claims, "--quiet")
    assert code == 2 and "ERROR" in out and "not monotone" in out
    assert "CONFIRMED b2 maj:3 = 4" in out and "1 confirmed, 0 refuted, 0 unknown, 1 rejected" in out


def test_cli_claim_proofs_can_be_reverified(tmp_path, cli):
    claims = tmp_path / "c.txt"
    claims.write_text("b2 maj:3 = 4\nthr par:3 = 2\n")
    code, _, _ = cli("verify", "--claims", claims, "--proof", tmp_path / "proofs", "--quiet")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "proofs").glob("*.result.json")) == [
        "maj_3-b2-eq4.result.json",
        "par_3-thr-eq2.result.json",
    ]
    code, out, _ = cli("verify", tmp_path / "proofs")
    assert code == 0 and "failed 0" in out


@pytest.mark.parametrize(
    "args",
    [
        ("--claims", "MISSING.txt"),
        ("x.toml", "--claims", "c.txt"),
        (),
        ("--claims", "c.txt", "--timeout", "0"),
        ("somedir", "--timeout", "5"),
    ],
)
def test_cli_bad_claim_invocations(tmp_path, cli, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.txt").write_text("b2 maj:3 = 4\n")
    code, out, err = cli("verify", *args)
    assert code == 2 and out == "" and err.startswith("lbt: error: ") and err.count("\n") == 1, err
