"""Independent re-check of a refuted size of a threshold circuit (no solver is trusted).

A refutation of size ``s`` (written by :func:`solvers.threshold.encoding.synthesize_threshold`
with ``proof_dir``) is three files:

``NAME.cnf``
    DIMACS: the base encoding of (target, options, symmetry breaking, size), then
    the learned clauses, in the order the solver received them;
``NAME.lrat.gz``
    an LRAT refutation of that CNF;
``NAME.certs.json``
    the header (target table, options, size, symmetry breaking, encoding version,
    number and SHA-256 of the base clauses) and one certificate per learned clause.

:func:`verify_certificate` accepts the refutation only if

1. the base encoding, regenerated deterministically from the header by
   :func:`solvers.threshold.encoding.encode`, is exactly the CNF's first
   ``base_clauses`` clauses (and has the recorded hash);
2. every further CNF clause is the clause of the corresponding certificate, and
   the certificate justifies it, in exact integer arithmetic:

   * ``farkas``: the clause forbids gate ``g`` the labels of the listed rows,
     forbids the gates it reads their values on those rows, and contains the
     wiring literal ``E[g][u]`` of exactly every readable node ``u`` outside
     ``reads``.  The points of the rows (the values of the ``reads`` nodes, read
     off the clause or the encoding's constants) with the multiplicities have
     equal total multiplicity on both labels and equal sums: no weights separate
     them, on ``reads`` or on any subset of it;
   * ``bounded`` (only with ``max_weight = W``): the same clause shape, and an
     exhaustive search (written here, independently of the solver's) finds no
     integer weights and threshold in ``[-W, W]`` separating the points;

3. the LRAT proof is accepted by :mod:`solvers.lrat`, with the hashes recorded in
   the certificate file.

Any mismatch (a changed multiplicity, row, label, read set, literal, a clause
missing or in the wrong place, a wrong hash) is a rejection with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from circuits.errors import LbtError
from circuits.threshold import ThresholdCircuit
from circuits.truthtable import TruthTable
from solvers.certificate import (
    AuditFailure,
    Bounds,
    Checks,
    Reject,
    Verdict,
    certified_refutations,
    check_encoding,
    check_grown_cnf,
    check_name,
    check_witness,
    verify_file,
)
from solvers.cnf import forbid
from solvers.lrat import Cnf
from solvers.records import refuted_claim
from solvers.threshold.encoding import (
    CERTIFICATE_FORMAT,
    CERTIFICATE_VERSION,
    ENCODING,
    ENCODING_VERSION,
    Encoding,
    check_witness as check_circuit,
    encode,
    lower_bound,
    max_useful_size,
)
from solvers.threshold.options import ThresholdOptions

__all__ = [
    "Verdict",
    "audit",
    "check_learned_clause",
    "no_bounded_separator",
    "verify_certificate",
    "verify_directory",
]


#: Most partial weight vectors the check of one bounded certificate may visit; a certificate that needs
#: more is rejected (as not checkable here) rather than checked for hours.
MAX_BOUNDED_CHECK = 10**7


class CheckTooLarge(Exception):
    """An exhaustive check would exceed its budget."""


# ---------------------------------------------------------------- exact checks
def no_bounded_separator(
    points: Sequence[Sequence[int]], labels: Sequence[int], bound: int, budget: int | None = None
) -> bool:
    """True iff no integer weights and threshold in ``[-bound, bound]`` separate the labelled points.

    Plain exhaustive enumeration of the weights one coordinate at a time, cutting a
    branch only when some point's sum can no longer reach its side of every
    admissible threshold.  ``[w.p >= t]`` must be 1 on label-1 points, 0 on the rest.
    Raises :class:`CheckTooLarge` after visiting ``budget`` partial weight vectors.
    """
    visits = 0
    dim = len(points[0]) if points else 0
    pts = [tuple(int(v) for v in p) for p in points]
    labs = [int(x) for x in labels]
    # remaining reach of each point from coordinate k on
    reach = [[bound * sum(abs(p[j]) for j in range(k, dim)) for p in pts] for k in range(dim + 1)]

    def feasible(partial: list[int], k: int) -> bool:
        # pos: partial + reach >= t >= -bound ; neg: partial - reach <= t - 1 <= bound - 1
        lo_t, hi_t = -bound, bound
        for idx, _ in enumerate(pts):
            if labs[idx]:
                hi_t = min(hi_t, partial[idx] + reach[k][idx])
            else:
                lo_t = max(lo_t, partial[idx] - reach[k][idx] + 1)
        if k == dim:
            return lo_t <= hi_t
        return lo_t <= hi_t

    def search(k: int, partial: list[int]) -> bool:
        nonlocal visits
        visits += 1
        if budget is not None and visits > budget:
            raise CheckTooLarge(f"more than {budget} weight vectors")
        if not feasible(partial, k):
            return False
        if k == dim:
            return True
        for w in range(-bound, bound + 1):
            if search(k + 1, [partial[i] + w * pts[i][k] for i in range(len(pts))]):
                return True
        return False

    # at k == dim the interval test is exact: a threshold t exists with max over
    # label-0 sums < t <= min over label-1 sums and |t| <= bound.
    return not search(0, [0] * len(pts))


def check_learned_clause(enc: Encoding, cert: dict[str, Any], clause: Sequence[int]) -> None:
    """Raise :class:`Reject` unless ``cert`` justifies ``clause`` for ``enc``."""
    kind = cert.get("kind")
    if kind not in ("farkas", "bounded"):
        raise Reject(f"unknown certificate kind {kind!r}")
    gate = cert.get("gate")
    if not isinstance(gate, int) or isinstance(gate, bool) or not 0 <= gate < enc.size:
        raise Reject(f"gate {gate!r} out of range")
    readable = sorted(enc.E[gate])
    reads = cert.get("reads")
    if not isinstance(reads, list) or any(not isinstance(u, int) or isinstance(u, bool) for u in reads):
        raise Reject("reads must be a list of node numbers")
    if reads != sorted(set(reads)) or any(u not in enc.E[gate] for u in reads):
        raise Reject(f"reads {reads} are not increasing readable nodes of gate {gate}")
    rows = cert.get("rows")
    if not isinstance(rows, list) or not rows:
        raise Reject("rows must be a non-empty list")
    R = enc.rows
    seen_rows = set()
    parsed = []
    for item in rows:
        if (
            not isinstance(item, list)
            or len(item) != 3
            or any(not isinstance(v, int) or isinstance(v, bool) for v in item)
        ):
            raise Reject(f"row entry {item!r} is not [row, label, multiplicity]")
        r, label, mult = item
        if not 0 <= r < R or label not in (0, 1) or mult < 1:
            raise Reject(f"row entry {item!r} out of range")
        if r in seen_rows:
            raise Reject(f"row {r} listed twice")
        if kind == "bounded" and mult != 1:
            raise Reject("bounded certificates have multiplicity 1")
        seen_rows.add(r)
        parsed.append((r, label, mult))
    lits = set(clause)
    if len(lits) != len(clause):
        raise Reject("clause repeats a literal")
    expected: set[int] = set()

    def expect(lit: int | bool) -> None:
        if lit is True:
            raise Reject("the forbidden configuration contradicts a constant of the encoding")
        if lit is not False:
            expected.add(lit)

    n = enc.n
    for u in readable:
        if u not in reads:
            expect(enc.E[gate][u])
    points = []
    labels = []
    for r, label, _ in parsed:
        expect(forbid(enc.G[gate][r], label))
        point = []
        for u in reads:
            if u < n:
                point.append((r >> u) & 1)
                continue
            var = enc.G[u - n][r]
            if isinstance(var, bool):
                point.append(int(var))
            elif -var in lits:  # clause forbids value 1 -> the configuration has 1
                point.append(1)
                expected.add(-var)
            elif var in lits:
                point.append(0)
                expected.add(var)
            else:
                raise Reject(f"clause does not fix gate {u - n} on row {r}")
        points.append(tuple(point))
        labels.append(label)
    if expected != lits:
        extra = sorted(lits - expected, key=abs)[:3]
        missing = sorted(expected - lits, key=abs)[:3]
        raise Reject(f"clause does not match its certificate (extra {extra}, missing {missing})")
    if kind == "farkas":
        pos = [(p, m) for p, (_, lab, m) in zip(points, parsed) if lab == 1]
        neg = [(p, m) for p, (_, lab, m) in zip(points, parsed) if lab == 0]
        if not pos or not neg:
            raise Reject("a Farkas certificate needs rows of both labels")
        if sum(m for _, m in pos) != sum(m for _, m in neg):
            raise Reject("multiplicities of the two labels differ")
        for k in range(len(reads)):
            if sum(m * p[k] for p, m in pos) != sum(m * p[k] for p, m in neg):
                raise Reject(f"sums differ on node {reads[k]}")
    else:
        W = enc.options.max_weight
        if W is None:
            raise Reject("bounded certificate without a weight bound")
        try:
            separable = not no_bounded_separator(points, labels, W, MAX_BOUNDED_CHECK)
        except CheckTooLarge as exc:
            raise Reject(f"a bounded certificate too large to check ({exc} over {len(reads)} nodes)") from None
        if separable:
            raise Reject(f"the rows of a bounded certificate are separable with weights in [-{W}, {W}]")


# ---------------------------------------------------------------- files


def _check(data: dict[str, Any], cnf: Cnf | None) -> tuple[dict[str, Any], str, Cnf]:
    """Regenerate the base encoding from the header; check the CNF and every learned clause (see above)."""
    check_encoding(data, ENCODING, ENCODING_VERSION)
    try:
        table = TruthTable.from_hex(int(data["n"]), str(data["table"]))
        options = ThresholdOptions.from_dict(data["options"])
        enc = encode(table, int(data["size"]), options, data["symmetry"])
    except (LbtError, KeyError, TypeError, ValueError) as exc:
        raise Reject(f"cannot regenerate the base encoding: {exc}") from None
    check_name(data, table)
    checked, learned, cube = check_grown_cnf(
        cnf, enc.clauses, enc.num_vars, data, lambda cert, clause: check_learned_clause(enc, cert, clause)
    )
    claim = refuted_claim(table, enc.size, options.to_dict(), cube=cube, base=enc.clauses)
    return claim, f"base encoding regenerated, {learned} learned clauses justified", checked


def verify_certificate(path: str | Path, *, check_proof: bool = True) -> Verdict:
    """Re-check one ``NAME.certs.json`` with its CNF and LRAT files (found beside it).

    Raises :class:`FormatError` if the certificate file is unreadable; everything
    wrong with its content is a rejection (``Verdict.verified`` false).
    """
    return verify_file(path, (CERTIFICATE_FORMAT,), CERTIFICATE_VERSION, "threshold", _check, check_proof=check_proof)


def verify_directory(directory: str | Path) -> list[Verdict]:
    """:func:`verify_certificate` on every ``*.certs.json`` in ``directory`` (sorted by name)."""
    directory = Path(directory)
    return [verify_certificate(p) for p in sorted(directory.glob("*.certs.json"))]


def audit(record: dict[str, Any], base: Path, table: TruthTable, checks: Checks, checked: set[str]) -> Bounds:
    """The threshold checks of :func:`solvers.audit.audit_result`: the witness, and one verified certificate per
    refuted size stating exactly the record's question."""
    try:
        options = ThresholdOptions(
            depth=record.get("depth"),
            layered=record.get("layered"),
            max_weight=record.get("max_weight"),
            fanin=record.get("fanin"),
        )
    except LbtError as exc:
        raise AuditFailure(f"the record's options are malformed: {exc}") from None
    if record.get("witness") is not None:

        def describe() -> str:
            circuit = ThresholdCircuit.from_dict(record["witness"])
            check_circuit(circuit, table, options)
            if circuit.size != record.get("size"):
                raise ValueError(f"witness has {circuit.size} gates, record says {record.get('size')}")
            return f"witness: {circuit.size} gates, max |weight| {circuit.max_weight}, exact on all rows"

        check_witness(checks, describe)
    symmetry = record.get("strengthenings")

    def piece_base(size: int, claim: dict[str, Any]) -> tuple[list[tuple[int, ...]], int]:
        enc = encode(table, size, options, symmetry)
        return enc.clauses, enc.num_vars

    verified = certified_refutations(
        record,
        base,
        checks,
        checked,
        verify_certificate,
        lambda size: {"its CNF": refuted_claim(table, size, options.to_dict())},
        piece_base,
    )
    lb, reason = lower_bound(table)
    checks.append((True, "lower bound recomputed: " + reason))
    return lb, verified, max_useful_size(table, options)
