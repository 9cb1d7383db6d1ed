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
from pathlib import Path
from typing import Any

from circuits.errors import LbtError
from circuits.relu import ReLUNetwork
from circuits.truthtable import TruthTable
from solvers.certificate import (
    AuditFailure,
    Bounds,
    Checks,
    Pieces,
    Reject,
    Verdict,
    certified_refutations,
    check_encoding,
    check_grown_cnf,
    check_name,
    check_witness,
    verify_file,
)
from solvers.lrat import Cnf
from solvers.records import refuted_claim
from solvers.relu import bitblast, patterns
from solvers.relu.clauses import check_learned_clause
from solvers.relu.options import ReLUOptions

__all__ = ["Verdict", "audit", "check_learned_clause", "pieces", "verify_certificate", "verify_directory"]

CERTIFICATE_FORMATS = (patterns.CERTIFICATE_FORMAT, bitblast.CERTIFICATE_FORMAT)


# ---------------------------------------------------------------- files


def _check_patterns(data: dict[str, Any], cnf: Cnf | None) -> tuple[dict[str, Any], str, Cnf]:
    check_encoding(data, patterns.ENCODING, patterns.ENCODING_VERSION)
    try:
        table = TruthTable.from_hex(int(data["n"]), str(data["table"]))
        enc = patterns.encode(table, int(data["size"]), ReLUOptions.from_dict(data["options"]), data["symmetry"])
    except (LbtError, KeyError, TypeError, ValueError) as exc:
        raise Reject(f"cannot regenerate the base encoding: {exc}") from None
    check_name(data, table)
    if enc.options.hidden_layers != 1:
        raise Reject("the pattern encoding refutes one-hidden-layer networks only")
    checked, learned, cube = check_grown_cnf(
        cnf, enc.clauses, enc.num_vars, data, lambda cert, clause: check_learned_clause(enc, cert, clause)
    )
    what = "encoding regenerated" + (f", {learned} learned clauses justified" if learned else "")
    return refuted_claim(table, enc.size, enc.options.to_dict(), cube=cube, base=enc.clauses), what, checked


def _check_bitblast(data: dict[str, Any], cnf: Cnf | None) -> tuple[dict[str, Any], str, Cnf]:
    check_encoding(data, bitblast.ENCODING, bitblast.ENCODING_VERSION)
    try:
        table = TruthTable.from_hex(int(data["n"]), str(data["table"]))
        options = ReLUOptions.from_dict(data["options"])
        widths = tuple(int(w) for w in data["widths"])
        clauses, nv = bitblast.encode_profile(table, widths, options)
    except (LbtError, KeyError, TypeError, ValueError) as exc:
        raise Reject(f"cannot regenerate the encoding: {exc}") from None
    check_name(data, table)
    if options.max_weight is None:
        raise Reject("a bit-blasted refutation needs a weight bound")
    if sum(widths) + 1 != data.get("size"):
        raise Reject(f"widths {list(widths)} do not add up to size {data.get('size')} minus the output")
    checked, _, cube = check_grown_cnf(cnf, clauses, nv, data, _no_learned_clause)
    claim = refuted_claim(table, sum(widths) + 1, options.to_dict(), widths, cube, clauses)
    return claim, "encoding regenerated", checked


def _no_learned_clause(cert: dict[str, Any], clause: Sequence[int]) -> None:
    raise Reject("the bit-blasted encoding learns no clauses")


def _check(data: dict[str, Any], cnf: Cnf | None) -> tuple[dict[str, Any], str, Cnf]:
    return (_check_patterns if data["format"] == CERTIFICATE_FORMATS[0] else _check_bitblast)(data, cnf)


def verify_certificate(path: str | Path, *, check_proof: bool = True) -> Verdict:
    """Re-check one ``NAME.certs.json`` with its CNF and LRAT files (found beside it).

    Raises :class:`FormatError` if the certificate file is unreadable; everything
    wrong with its content is a rejection (``Verdict.verified`` false).
    """
    return verify_file(path, CERTIFICATE_FORMATS, 1, "ReLU", _check, check_proof=check_proof)


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


def pieces(table: TruthTable, options: ReLUOptions, size: int) -> Pieces:
    """What a refutation of ``size`` neurons must consist of, derived from the question alone.

    * integer weights in ``[-W, W]``: one bit-blasted CNF per hidden-layer width
      profile of the size (:func:`solvers.relu.bitblast.profiles`);
    * real weights, one hidden layer: the pattern encoding of the size;
    * real weights, ``L >= 2`` hidden layers: sizes 1 and 2 by the one-hidden-layer
      pattern encoding (a network of ``s`` neurons has depth at most ``s``); no
      method refutes a larger size.
    """
    if options.max_weight is not None:
        try:
            split = bitblast.profiles(size, options)
        except LbtError as exc:
            return str(exc)
        return {f"width profile {list(w)}": refuted_claim(table, size, options.to_dict(), w) for w in split}
    if not patterns.one_layer_refutes(options, size):
        return (
            f"no method refutes networks of {size} neurons with {options.hidden_layers} hidden layers "
            "and real weights (only sizes 1 and 2, through one hidden layer)"
        )
    one_layer = ReLUOptions(hidden_layers=1, skip=options.skip, output=options.output)
    return {"its CNF": refuted_claim(table, size, one_layer.to_dict())}


def audit(record: dict[str, Any], base: Path, table: TruthTable, checks: Checks, checked: set[str]) -> Bounds:
    """The ReLU checks of :func:`solvers.audit.audit_result`: the witness, and for each refuted size a verified
    certificate for every piece :func:`pieces` derives from the record's question."""
    try:
        options = ReLUOptions(
            hidden_layers=record["hidden_layers"],
            skip=record["skip"],
            output=record["output"],
            max_weight=record.get("max_weight"),
        )
    except (KeyError, LbtError) as exc:
        raise AuditFailure(f"the record's options are malformed: {exc}") from None
    if record.get("witness") is not None:

        def describe() -> str:
            net = ReLUNetwork.from_dict(record["witness"])
            patterns.check_witness(net, table, options, record.get("size"))
            return f"witness: {net.size} neurons, exact (Fractions) on all rows"

        check_witness(checks, describe)
    symmetry = record.get("strengthenings")

    def piece_base(size: int, claim: dict[str, Any]) -> tuple[Sequence[Sequence[int]], int]:
        if claim["widths"] is not None:
            return bitblast.encode_profile(table, claim["widths"], options)
        enc = patterns.encode(table, size, ReLUOptions.from_dict(claim["options"]), symmetry)
        return enc.clauses, enc.num_vars

    verified = certified_refutations(
        record, base, checks, checked, verify_certificate, lambda size: pieces(table, options, size), piece_base
    )
    checks.append((True, "lower bound: every network has an output neuron (size >= 1)"))
    return 1, verified, bitblast.max_useful_size(table, options)
