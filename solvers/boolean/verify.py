"""Re-checking a Boolean result record: every refuted size's CNF regenerated, its LRAT proof checked.

A Boolean refutation has no certificate file: the LRAT proof of the size's CNF
is the whole certificate.  :func:`audit` regenerates the SAT-chain encoding of
each refuted size from the record's question (target table, basis, fan-in, depth
bound, care rows) and its strengthenings (each one sound, taken from the fixed
list :data:`solvers.boolean.encoding.STRENGTHENINGS`; the encoder rejects any
other), requires the stored CNF to hash to it and checks the proof with the
project's checker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from circuits.boolean import Basis, BooleanCircuit
from circuits.errors import LbtError
from circuits.truthtable import TruthTable
from solvers.boolean.encoding import Problem, check_witness as check_circuit, encode, lower_bound, max_useful_size
from solvers.certificate import (
    AuditFailure,
    Bounds,
    Checks,
    Reject,
    check_cover,
    check_cube_list,
    check_witness,
    split_count,
)
from solvers.cnf import dimacs_sha256
from solvers.lrat import Cnf
from solvers.proof import verify_refutation
from solvers.split import derive

__all__ = ["audit"]


def _care(record: dict[str, Any]) -> tuple[int, ...] | None:
    care = record.get("care")
    if care is None:
        return None
    try:
        return tuple(int(c, 16) for c in care)
    except (TypeError, ValueError):
        raise AuditFailure("the record's care masks are malformed") from None


def audit(record: dict[str, Any], base: Path, table: TruthTable, checks: Checks, checked: set[str]) -> Bounds:
    """The Boolean checks of :func:`solvers.audit.audit_result` (see the module docstring)."""
    try:
        problem = Problem(table, Basis(record["model"], int(record["fanin"])), record.get("depth"), _care(record))
        chosen = frozenset(record["strengthenings"])
    except (KeyError, TypeError, ValueError, LbtError) as exc:
        raise AuditFailure(f"the record's options are malformed: {exc}") from None
    if record.get("witness") is not None:

        def describe() -> str:
            circuit = BooleanCircuit.from_dict(record["witness"])
            check_circuit(circuit, problem, record.get("size"))
            return f"witness: {circuit.size} gates, computes the target on every care row"

        check_witness(checks, describe)
    verified = []
    for ref in record.get("refutations", []):
        size = ref.get("size")
        proof = ref.get("proof")
        if not isinstance(proof, dict) or not (proof.get("proof_path") or "split" in proof):
            checks.append((False, f"size {size}: no proof stored (run synth with --proof DIR)"))
            continue
        enc = encode(problem, int(size), strengthenings=chosen)
        try:
            if "split" in proof:
                what = _check_split(proof, enc, base)
            else:
                what = _check_refutation(proof, enc.clauses, enc.nv, base)
        except Reject as exc:
            checks.append((False, f"size {size}: {exc}"))
            continue
        checks.append((True, f"size {size}: {what}"))
        verified.append(int(size))
    lb, reason = lower_bound(problem)
    checks.append((True, "lower bound recomputed: " + reason))
    return lb, verified, max_useful_size(problem)


def _check_refutation(proof: dict[str, Any], clauses: Sequence[Sequence[int]], num_vars: int, base: Path) -> str:
    """Reject unless ``proof`` is a verified LRAT refutation of exactly ``clauses`` (of the stored CNF file, whose
    hash must be theirs, or of the clauses in memory for a refutation stored without one)."""
    if dimacs_sha256(clauses, num_vars) != proof.get("cnf_sha256"):
        raise Reject("the CNF refuted is not the encoding of this claim")
    cnf_file = proof.get("cnf_path")
    result = verify_refutation(
        Cnf(num_vars, tuple(tuple(c) for c in clauses)) if cnf_file is None else base / Path(str(cnf_file)).name,
        base / Path(str(proof.get("proof_path"))).name,
        cnf_sha256=proof.get("cnf_sha256"),
        proof_sha256=proof.get("proof_sha256"),
    )
    if not result.verified:
        raise Reject(f"encoding regenerated; LRAT proof: {result.reason}")
    return f"encoding regenerated; LRAT proof: {result.reason}"


def _check_split(proof: dict[str, Any], enc: Any, base: Path) -> str:
    """Reject unless the size's cubes, derived here, are covered and each refuted (see :mod:`solvers.cubes`)."""
    cubes = derive(enc.clauses, split_count(proof), enc.split_groups())
    check_cover(proof, enc.clauses, enc.nv, cubes, base)
    check_cube_list(proof, cubes)
    for k, (cube, entry) in enumerate(zip(cubes, proof["cubes"])):
        try:
            _check_refutation(entry, [*enc.clauses, *([lit] for lit in cube)], enc.nv, base)
        except Reject as exc:
            raise Reject(f"cube {k} {list(cube)}: {exc}") from None
    return f"encoding regenerated; {len(cubes)} cubes refuted and their coverage proved, every LRAT proof verified"
