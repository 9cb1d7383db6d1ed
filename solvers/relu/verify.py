"""Independent re-check of a refuted size of a ReLU network (no SAT solver or LP is trusted).

A refutation of size ``s`` written by :func:`solvers.relu.patterns.synthesize_relu` with
``proof_dir`` is three files:

``NAME.cnf``
    DIMACS: the base encoding, then the learned clauses in the order the solver
    received them;
``NAME.lrat.gz``
    an LRAT refutation of that CNF;
``NAME.certs.json``
    the header (target table, architecture, size, symmetry breaking, encoding
    version, number and SHA-256 of the base clauses) and one certificate per
    learned clause.

For the one-hidden-layer pattern encoding (``"relu-patterns"``),
:func:`verify_certificate` accepts the refutation only if

1. the base encoding regenerated from the header by :func:`solvers.relu.patterns.encode`
   is exactly the CNF's first ``base_clauses`` clauses, with the recorded hash;
2. every further clause is its certificate's clause and the certificate justifies
   it in exact arithmetic:

   * ``ltf``: the clause forbids hidden neuron ``i``'s activation column exactly
     the listed labels on the listed rows; the label-1 and label-0 input points
     with the multiplicities have equal total multiplicity and equal sums, so no
     column with these values is a threshold function;
   * ``lp``: the clause is read as a partial assignment (every literal false)
     of activation and sign variables.  Each listed constraint is rebuilt *here*
     over the variables ``w_i, b_i`` (``p_i(r) = w_i·x_r + b_i``), ``y_ir`` (the
     value ``max(0, p_i(r))``), ``c`` and ``v`` (skip weights):
     ``("ge0", i, r)``: ``-y_ir <= 0``; ``("gep", i, r)``: ``p_i(r) - y_ir <= 0``
     (both hold for every network); ``("act", i, r)``: ``y_ir - p_i(r) <= 0`` if
     the assignment makes neuron ``i`` active on row ``r``, else ``y_ir <= 0``;
     ``("out", r)``: ``z(r) = sum_i S_i·y_ir + c (+ v·x_r)`` against ``f(r)`` as
     the output kind says (linear ``z = f``; relu ``z = 1`` or ``z <= 0``;
     threshold ``-z <= 0`` or ``z <= -1``), with every sign ``S_i`` from the
     assignment.  The clause must fix every variable the constraints depend on
     and contain nothing else.  With
     Fraction multipliers (non-negative on inequalities) the constraints must
     sum to ``0 <= beta`` (or ``= beta``) with ``beta < 0``: Farkas' lemma;

3. the LRAT proof is accepted by :mod:`solvers.lrat` with the recorded hashes.

For the bounded-weight encoding (``"relu-bitblast"``) the whole CNF is
regenerated from the header by :func:`solvers.relu.bitblast.encode_profile` and
must equal the file; then the LRAT proof is checked.

Any mismatch is a rejection with a one-line reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from circuits.errors import FormatError, LbtError
from circuits.relu import fraction_from_json
from circuits.targets import name_mismatch
from circuits.truthtable import TruthTable
from solvers.cnf import forbid
from solvers.lrat import read_dimacs
from solvers.proof import read_certificate, verify_refutation
from solvers.records import refuted_claim
from solvers.threshold.verify import Verdict

__all__ = ["Verdict", "check_learned_clause", "verify_certificate", "verify_directory"]

CERTIFICATE_FORMATS = ("lbt-relu-refutation", "lbt-relu-bitblast-refutation")


class _Reject(Exception):
    pass


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# ---------------------------------------------------------------- one learned clause
def _check_ltf(enc: Any, cert: dict[str, Any], clause: Sequence[int]) -> None:
    i = cert.get("neuron")
    if not _is_int(i) or not 0 <= i < enc.size - 1:
        raise _Reject(f"neuron {i!r} out of range")
    rows = cert.get("rows")
    if not isinstance(rows, list) or not rows:
        raise _Reject("rows must be a non-empty list")
    seen: set[int] = set()
    expected: set[int] = set()
    pos: list[tuple[int, int]] = []
    neg: list[tuple[int, int]] = []
    for item in rows:
        if not isinstance(item, list) or len(item) != 3 or not all(_is_int(v) for v in item):
            raise _Reject(f"row entry {item!r} is not [row, label, multiplicity]")
        r, label, mult = item
        if not 0 <= r < enc.rows or label not in (0, 1) or mult < 1:
            raise _Reject(f"row entry {item!r} out of range")
        if r in seen:
            raise _Reject(f"row {r} listed twice")
        seen.add(r)
        lit = forbid(enc.A[i][r], label)
        if lit is True:
            raise _Reject("the forbidden column contradicts a constant of the encoding")
        if lit is not False:
            expected.add(lit)
        (pos if label else neg).append((r, mult))
    if set(clause) != expected or len(set(clause)) != len(clause):
        raise _Reject("clause does not match its certificate")
    if not pos or not neg:
        raise _Reject("an inseparability certificate needs rows of both labels")
    if sum(m for _, m in pos) != sum(m for _, m in neg):
        raise _Reject("multiplicities of the two labels differ")
    for j in range(enc.n):
        if sum(m * ((r >> j) & 1) for r, m in pos) != sum(m * ((r >> j) & 1) for r, m in neg):
            raise _Reject(f"sums differ on input {j}")


def _check_lp(enc: Any, cert: dict[str, Any], clause: Sequence[int]) -> None:
    n, k, R = enc.n, enc.size - 1, enc.rows
    t = enc.table.outputs[0]
    f = [(t >> r) & 1 for r in range(R)]
    skip, output = enc.options.skip or k == 0, enc.options.output  # no hidden neuron: the output reads x
    where: dict[int, tuple] = {}
    for i in range(k):
        if not isinstance(enc.S[i], bool):
            where[abs(enc.S[i])] = ("S", i)
        for r in range(R):
            if not isinstance(enc.A[i][r], bool):
                where[abs(enc.A[i][r])] = ("A", i, r)
    config: dict[int, int] = {}
    for lit in clause:
        if abs(lit) not in where:
            raise _Reject(f"clause literal {lit} is not an activation or sign variable")
        config[abs(lit)] = 0 if lit > 0 else 1  # the forbidden assignment falsifies the clause
    used: set[int] = set()

    def value(lit: int | bool, what: str) -> int:
        if isinstance(lit, bool):
            return int(lit)
        if abs(lit) not in config:
            raise _Reject(f"clause does not fix {what}")
        used.add(abs(lit) if config[abs(lit)] == 0 else -abs(lit))
        v = config[abs(lit)]
        return v if lit > 0 else 1 - v

    def affine(i: int, r: int, scale: int) -> dict[tuple, Fraction]:
        out = {("b", i): Fraction(scale)}
        for j in range(n):
            if (r >> j) & 1:
                out[("w", i, j)] = Fraction(scale)
        return out

    terms = cert.get("terms")
    if not isinstance(terms, list) or not terms:
        raise _Reject("terms must be a non-empty list")
    total: dict[tuple, Fraction] = {}
    beta_total = Fraction(0)
    seen: set[tuple] = set()
    for term in terms:
        if not isinstance(term, list) or not term or term[0] not in ("ge0", "gep", "act", "out"):
            raise _Reject(f'term {term!r} is not [kind, i, r, m] (kind ge0, gep, act) or ["out", r, m]')
        if term[0] != "out":
            if len(term) != 4 or not _is_int(term[1]) or not _is_int(term[2]):
                raise _Reject(f"malformed term {term!r}")
            kind, i, r, raw = term
            if not (0 <= i < k and 0 <= r < R):
                raise _Reject(f"term {term!r} out of range")
            beta, is_eq = Fraction(0), False
            if kind == "ge0":  # max(0, p) >= 0
                coeffs = {("y", i, r): Fraction(-1)}
            elif kind == "gep":  # max(0, p) >= p
                coeffs = affine(i, r, 1)
                coeffs[("y", i, r)] = Fraction(-1)
            elif value(enc.A[i][r], f"the activation of neuron {i} on row {r}"):  # active: y <= p
                coeffs = affine(i, r, -1)
                coeffs[("y", i, r)] = Fraction(1)
            else:  # inactive: y <= 0
                coeffs = {("y", i, r): Fraction(1)}
            key: tuple = (kind, i, r)
        else:
            if len(term) != 3 or not _is_int(term[1]):
                raise _Reject(f"malformed term {term!r}")
            _, r, raw = term
            if not 0 <= r < R:
                raise _Reject(f"term {term!r} out of range")
            coeffs = {("c",): Fraction(1)}
            for i in range(k):
                coeffs[("y", i, r)] = Fraction(1 if value(enc.S[i], f"the sign of neuron {i}") else -1)
            if skip:
                for j in range(n):
                    if (r >> j) & 1:
                        coeffs[("v", j)] = Fraction(1)
            if output == "linear":
                beta, is_eq = Fraction(f[r]), True
            elif output == "relu":
                beta, is_eq = (Fraction(1), True) if f[r] else (Fraction(0), False)
            elif f[r]:
                coeffs = {key2: -c for key2, c in coeffs.items()}
                beta, is_eq = Fraction(0), False
            else:
                beta, is_eq = Fraction(-1), False
            key = ("out", r)
        if key in seen:
            raise _Reject(f"constraint {key} listed twice")
        seen.add(key)
        try:
            m = fraction_from_json(raw, "multiplier")
        except FormatError as exc:
            raise _Reject(str(exc)) from None
        if m == 0 or (m < 0 and not is_eq):
            raise _Reject(f"multiplier {m} of {key} is not allowed (inequalities need > 0)")
        for var, c in coeffs.items():
            total[var] = total.get(var, Fraction(0)) + m * c
        beta_total += m * beta
    if any(c != 0 for c in total.values()):
        raise _Reject("the combination of the constraints is not the zero row")
    if not beta_total < 0:
        raise _Reject(f"the combination's right-hand side is {beta_total}, not negative")
    if used != set(clause) or len(set(clause)) != len(clause):
        raise _Reject("clause does not match the variables its constraints depend on")


def check_learned_clause(enc: Any, cert: dict[str, Any], clause: Sequence[int]) -> None:
    """Raise an exception with a one-line reason unless ``cert`` justifies ``clause`` for ``enc``."""
    kind = cert.get("kind")
    if kind == "ltf":
        _check_ltf(enc, cert, clause)
    elif kind == "lp":
        _check_lp(enc, cert, clause)
    else:
        raise _Reject(f"unknown certificate kind {kind!r}")


# ---------------------------------------------------------------- files


def _check_name(data: dict[str, Any], table: TruthTable) -> None:
    wrong = name_mismatch(data.get("target"), table, "the certificate")
    if wrong is not None:
        raise _Reject(wrong)


def _check_patterns(path: Path, data: dict[str, Any], cnf) -> tuple[int, dict[str, Any]]:
    from solvers.relu.patterns import ENCODING, ENCODING_VERSION, ReLUOptions, clauses_hash, encode

    if data.get("encoding") != ENCODING or data.get("encoding_version") != ENCODING_VERSION:
        raise _Reject(
            f"encoding {data.get('encoding')!r} v{data.get('encoding_version')!r} is not {ENCODING!r} v{ENCODING_VERSION}"
        )
    learned, base_n = data.get("learned"), data.get("base_clauses")
    if not isinstance(learned, list) or not _is_int(base_n):
        raise _Reject("malformed certificate: learned or base_clauses")
    try:
        table = TruthTable.from_hex(int(data["n"]), str(data["table"]))
        enc = encode(table, int(data["size"]), ReLUOptions.from_dict(data["options"]), data["symmetry"])
    except (LbtError, KeyError, TypeError, ValueError) as exc:
        raise _Reject(f"cannot regenerate the base encoding: {exc}") from None
    _check_name(data, table)
    if enc.options.hidden_layers != 1:
        raise _Reject("the pattern encoding refutes one-hidden-layer networks only")
    if len(enc.clauses) != base_n:
        raise _Reject(f"base encoding has {len(enc.clauses)} clauses, certificate says {base_n}")
    if clauses_hash(enc.clauses) != data.get("base_sha256"):
        raise _Reject("base encoding hash differs from the certificate's")
    if cnf.num_vars < enc.num_vars:
        raise _Reject(f"CNF declares {cnf.num_vars} variables, the encoding has {enc.num_vars}")
    if len(cnf.clauses) != base_n + len(learned):
        raise _Reject(f"CNF has {len(cnf.clauses)} clauses, expected {base_n} base + {len(learned)} learned")
    for i, (a, b) in enumerate(zip(cnf.clauses[:base_n], enc.clauses)):
        if tuple(a) != tuple(b):
            raise _Reject(f"CNF clause {i + 1} differs from the regenerated base encoding")
    for i, cert in enumerate(learned):
        clause = cnf.clauses[base_n + i]
        try:
            if not isinstance(cert, dict) or [int(x) for x in cert.get("clause", [])] != list(clause):
                raise _Reject(f"differs from CNF clause {base_n + i + 1}")
            check_learned_clause(enc, cert, clause)
        except _Reject as exc:
            raise _Reject(f"learned clause {i + 1}: {exc}") from None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError) as exc:
            raise _Reject(f"learned clause {i + 1}: malformed certificate ({type(exc).__name__})") from None
    return len(learned), refuted_claim(table, enc.size, enc.options.to_dict())


def _check_bitblast(path: Path, data: dict[str, Any], cnf) -> dict[str, Any]:
    from solvers.relu.bitblast import ENCODING, ENCODING_VERSION, encode_profile
    from solvers.relu.patterns import ReLUOptions, clauses_hash

    if data.get("encoding") != ENCODING or data.get("encoding_version") != ENCODING_VERSION:
        raise _Reject(
            f"encoding {data.get('encoding')!r} v{data.get('encoding_version')!r} is not {ENCODING!r} v{ENCODING_VERSION}"
        )
    try:
        table = TruthTable.from_hex(int(data["n"]), str(data["table"]))
        options = ReLUOptions.from_dict(data["options"])
        widths = tuple(int(w) for w in data["widths"])
        clauses, nv = encode_profile(table, widths, options)
    except (LbtError, KeyError, TypeError, ValueError) as exc:
        raise _Reject(f"cannot regenerate the encoding: {exc}") from None
    _check_name(data, table)
    if options.max_weight is None:
        raise _Reject("a bit-blasted refutation needs a weight bound")
    if sum(widths) + 1 != data.get("size"):
        raise _Reject(f"widths {list(widths)} do not add up to size {data.get('size')} minus the output")
    if clauses_hash(clauses) != data.get("base_sha256"):
        raise _Reject("encoding hash differs from the certificate's")
    if cnf.num_vars < nv or len(cnf.clauses) != len(clauses):
        raise _Reject("CNF size differs from the regenerated encoding")
    for i, (a, b) in enumerate(zip(cnf.clauses, clauses)):
        if tuple(a) != tuple(b):
            raise _Reject(f"CNF clause {i + 1} differs from the regenerated encoding")
    return refuted_claim(table, sum(widths) + 1, options.to_dict(), widths)


def verify_certificate(path: str | Path, *, check_proof: bool = True) -> Verdict:
    """Re-check one ``NAME.certs.json`` with its CNF and LRAT files (found beside it).

    Raises :class:`FormatError` if the certificate file is unreadable; everything
    wrong with its content is a rejection (``Verdict.verified`` false).
    """
    path = Path(path)
    data = read_certificate(path, CERTIFICATE_FORMATS, 1, "ReLU")
    target, size = data.get("target"), data.get("size")
    learned_n = len(data["learned"]) if isinstance(data.get("learned"), list) else 0
    base_n = data.get("base_clauses") if _is_int(data.get("base_clauses")) else 0
    try:
        cnf_path = path.parent / str(data.get("cnf"))
        proof_path = path.parent / str(data.get("proof"))
        cnf = read_dimacs(cnf_path)
        if data["format"] == "lbt-relu-refutation":
            learned_n, claim = _check_patterns(path, data, cnf)
        else:
            claim = _check_bitblast(path, data, cnf)
        if check_proof:
            result = verify_refutation(
                cnf_path, proof_path, cnf_sha256=data.get("cnf_sha256"), proof_sha256=data.get("proof_sha256")
            )
            if not result.verified:
                raise _Reject(f"LRAT proof rejected: {result.reason}")
    except _Reject as exc:
        return Verdict(False, str(exc), str(path), target, size if _is_int(size) else None, learned_n, base_n)
    except FormatError as exc:
        return Verdict(False, str(exc), str(path), target, size if _is_int(size) else None, learned_n, base_n)
    what = "encoding regenerated" + (f", {learned_n} learned clauses justified" if learned_n else "")
    label = f"size {claim['size']}" + (f", width profile {claim['widths']}" if claim["widths"] is not None else "")
    return Verdict(
        True,
        f"{label} refuted: {what}, LRAT proof verified" if check_proof else f"{label}: {what} (proof not checked)",
        str(path),
        target,
        claim["size"],
        learned_n,
        base_n,
        claim=claim,
    )


def verify_directory(directory: str | Path) -> list[Verdict]:
    """:func:`verify_certificate` on every ReLU ``*.certs.json`` in ``directory`` (sorted by name)."""
    out = []
    for p in sorted(Path(directory).glob("*.certs.json")):
        try:
            fmt = json.loads(p.read_text()).get("format")
        except (OSError, ValueError):
            fmt = None
        if fmt in CERTIFICATE_FORMATS or fmt is None:
            out.append(verify_certificate(p))
    return out
