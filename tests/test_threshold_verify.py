"""The independent re-check of threshold refutations rejects every tampering."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from circuits.errors import FormatError
from circuits.targets import target
from solvers.threshold.encoding import SYMMETRY_BREAKING, ThresholdOptions, encode
from solvers.threshold.engine import synthesize_threshold
from solvers.threshold.verify import (
    check_learned_clause,
    no_bounded_separator,
    verify_certificate,
    verify_directory,
)

NO_PAIRS = set(SYMMETRY_BREAKING) - {"pairs", "pairs_output"}


@pytest.fixture(scope="module")
def refuted(tmp_path_factory) -> Path:
    """Refutations with learned clauses of both kinds: par:4 (Farkas) and par:3 with max_weight=1 (bounded)."""
    d = tmp_path_factory.mktemp("thr_proofs")
    r = synthesize_threshold("par:4", proof_dir=d, symmetry=NO_PAIRS)
    assert r.proven and r.size == 3
    r = synthesize_threshold("par:3", proof_dir=d, max_weight=1, symmetry={"output_last", "used", "order"})
    assert r.proven and r.size == 3
    return d


def _copy(refuted: Path, tmp_path: Path, stem: str) -> tuple[Path, dict]:
    for p in refuted.glob(stem + ".*"):
        shutil.copy(p, tmp_path / p.name)
    cert = tmp_path / f"{stem}.certs.json"
    return cert, json.loads(cert.read_text())


def _write_cnf_clause(cnf: Path, index: int, clause: list[int]) -> None:
    """Replace the ``index``-th (0-based) clause of a one-clause-per-line DIMACS file."""
    lines = cnf.read_text().splitlines()
    lines[1 + index] = " ".join(map(str, clause)) + " 0"
    cnf.write_text("\n".join(lines) + "\n")


def test_untampered_refutations_verify(refuted):
    verdicts = verify_directory(refuted)
    assert len(verdicts) == 4
    assert all(v.verified for v in verdicts), [v.reason for v in verdicts]
    kinds = set()
    for p in refuted.glob("*.certs.json"):
        kinds |= {c["kind"] for c in json.loads(p.read_text())["learned"]}
    assert kinds == {"farkas", "bounded"}


FARKAS = "par_4-thr-s2"
BOUNDED = "par_3-thr-w1-s2"


def _first(data: dict, kind: str) -> int:
    return next(k for k, c in enumerate(data["learned"]) if c["kind"] == kind)


def _save(cert: Path, data: dict) -> None:
    cert.write_text(json.dumps(data))


def test_changed_multiplicity_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    k = _first(data, "farkas")
    data["learned"][k]["rows"][0][2] += 1
    _save(cert, data)
    v = verify_certificate(cert)
    assert not v.verified and "multiplicities" in v.reason


def test_scaled_multiplicities_still_verify(refuted, tmp_path):
    # doubling every multiplicity keeps the certificate valid: the check is arithmetic, not a lookup
    cert, data = _copy(refuted, tmp_path, FARKAS)
    for row in data["learned"][0]["rows"]:
        row[2] *= 2
    _save(cert, data)
    assert verify_certificate(cert).verified


def test_changed_row_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    rows = data["learned"][0]["rows"]
    used = {r[0] for r in rows}
    rows[0][0] = next(r for r in range(16) if r not in used)
    _save(cert, data)
    v = verify_certificate(cert)
    assert not v.verified and "learned clause 1" in v.reason


def test_flipped_label_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    row = data["learned"][0]["rows"][0]
    row[1] = 1 - row[1]
    _save(cert, data)
    assert not verify_certificate(cert).verified


def test_changed_reads_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    lc = max(data["learned"], key=lambda c: len(c["reads"]))
    lc["reads"] = lc["reads"][:-1]
    _save(cert, data)
    assert not verify_certificate(cert).verified


@pytest.mark.parametrize("stem", [FARKAS, BOUNDED])
def test_clause_not_matching_certificate_is_rejected(refuted, tmp_path, stem):
    # drop a literal from the clause in both the certificate and the CNF: the files agree,
    # but the clause no longer forbids exactly the certified configuration
    cert, data = _copy(refuted, tmp_path, stem)
    k = max(range(len(data["learned"])), key=lambda i: len(data["learned"][i]["clause"]))
    clause = data["learned"][k]["clause"][:-1]
    data["learned"][k]["clause"] = clause
    _save(cert, data)
    _write_cnf_clause(tmp_path / data["cnf"], data["base_clauses"] + k, clause)
    v = verify_certificate(cert)
    assert not v.verified and "does not" in v.reason


def test_cnf_and_certificate_disagree_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    clause = data["learned"][0]["clause"]
    _write_cnf_clause(tmp_path / data["cnf"], data["base_clauses"], clause[::-1] + [])
    v = verify_certificate(cert)
    assert not v.verified and "differs from its certificate" in v.reason


def test_bounded_core_that_is_separable_is_rejected(refuted, tmp_path):
    # remove one row of a bounded core together with its literals: what remains is
    # separable with weights in [-1, 1] (the core was minimal), so the clause is unjustified
    cert, data = _copy(refuted, tmp_path, BOUNDED)
    k = _first(data, "bounded")
    lc = data["learned"][k]
    from circuits.truthtable import TruthTable
    from solvers.threshold.encoding import ThresholdOptions, encode

    enc = encode(
        TruthTable.from_hex(data["n"], data["table"]),
        data["size"],
        ThresholdOptions.from_dict(data["options"]),
        data["symmetry"],
    )
    r, label, _ = lc["rows"].pop()
    n = enc.n
    drop = set()
    g = enc.G[lc["gate"]][r]
    if not isinstance(g, bool):
        drop.add(-g if label else g)
    for u in lc["reads"]:
        if u >= n:
            v = enc.G[u - n][r]
            if not isinstance(v, bool):
                drop |= {v, -v}
    lc["clause"] = [x for x in lc["clause"] if x not in drop]
    _save(cert, data)
    _write_cnf_clause(tmp_path / data["cnf"], data["base_clauses"] + k, lc["clause"])
    v = verify_certificate(cert)
    assert not v.verified and "separable with weights" in v.reason


def test_changed_base_clause_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    cnf = tmp_path / data["cnf"]
    first = cnf.read_text().splitlines()[1].split()[:-1]
    _write_cnf_clause(cnf, 0, [int(x) for x in first][:-1] or [1])
    v = verify_certificate(cert)
    assert not v.verified and "base encoding" in v.reason


def test_changed_header_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    data["symmetry"] = sorted(set(data["symmetry"]) - {"distinct"})
    _save(cert, data)
    assert not verify_certificate(cert).verified
    cert, data = _copy(refuted, tmp_path, FARKAS)
    data["table"] = "6997"
    _save(cert, data)
    assert not verify_certificate(cert).verified


def test_dropped_learned_clause_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    cnf = tmp_path / data["cnf"]
    lines = cnf.read_text().splitlines()
    header = lines[0].split()
    del lines[-1]
    lines[0] = f"p cnf {header[2]} {int(header[3]) - 1}"
    cnf.write_text("\n".join(lines) + "\n")
    data["learned"].pop()
    _save(cert, data)
    v = verify_certificate(cert)
    assert not v.verified and ("sha256" in v.reason or "LRAT" in v.reason)


def test_corrupted_proof_is_rejected(refuted, tmp_path):
    cert, data = _copy(refuted, tmp_path, FARKAS)
    proof = tmp_path / data["proof"]
    text = gzip.decompress(proof.read_bytes()).decode().splitlines()
    text = text[:-1]  # no empty clause any more
    proof.write_bytes(gzip.compress(("\n".join(text) + "\n").encode()))
    assert not verify_certificate(cert).verified
    # even with the recorded hash updated, the proof itself fails
    import hashlib

    data["proof_sha256"] = hashlib.sha256(("\n".join(text) + "\n").encode()).hexdigest()
    _save(cert, data)
    v = verify_certificate(cert)
    assert not v.verified and "LRAT" in v.reason


def test_not_a_certificate(tmp_path):
    p = tmp_path / "x.certs.json"
    p.write_text("{}")
    with pytest.raises(FormatError):
        verify_certificate(p)


def test_no_bounded_separator_oracle():
    # XOR is not separable at all; AND needs weights 1, 1 and threshold 2
    pts = [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert no_bounded_separator(pts, [0, 1, 1, 0], 5)
    assert no_bounded_separator(pts, [0, 0, 0, 1], 1)
    assert not no_bounded_separator(pts, [0, 0, 0, 1], 2)
    # [2a + b >= 2] needs weight 2
    pts3 = [(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)]
    labels = [int(2 * a + b + c >= 2 + 1) for a, b, c in pts3]
    assert no_bounded_separator(pts3, labels, 1) and not no_bounded_separator(pts3, labels, 3)


def test_check_learned_clause_is_exported():
    assert callable(check_learned_clause)


def test_resume_reuses_only_a_refutation_of_the_same_question(tmp_path):
    """A stored certificate that refutes size 2 under another option must not be taken for the unbounded size 2."""
    bounded = synthesize_threshold("par:2", max_weight=1, proof_dir=tmp_path)
    assert [r.size for r in bounded.refutations] == [1, 2]  # XOR = [x + y - 2·AND >= 1] needs a weight 2
    (journal,) = tmp_path.glob("*w1-s2.refutation.json")
    planted = json.loads(journal.read_text())  # under the unbounded name, saying it has the unbounded encoding
    planted["base_sha256"] = encode(target("par:2").table, 2, ThresholdOptions()).base_hash()
    (tmp_path / journal.name.replace("_w1", "")).write_text(json.dumps(planted))
    result = synthesize_threshold("par:2", proof_dir=tmp_path)
    assert result.size == 2 and result.proven  # XOR: two threshold gates (not one: not linearly separable)
    assert [step.method.endswith(":stored") for step in result.steps] == [False, False]
