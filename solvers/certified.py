"""Refutations on disk: written once, re-used on resume only after a full re-check.

One refuted case (a size, or one width profile of a size) leaves in the proof
directory its CNF ``NAME.cnf``, a checked LRAT proof ``NAME.lrat.gz`` and a
journal ``NAME.refutation.json`` (the record of the refutation).  Engines whose
CNF grows while it is solved (learned clauses justified by an exact check:
threshold and ReLU) also write a certificate file ``NAME.certs.json`` that says
what the CNF encodes and justifies every learned clause exactly
(:func:`prove_and_store`).

:func:`reuse` is how a later run with the same ``--proof DIR`` re-uses a
refutation (after Ctrl-C, a time limit, or to extend ``--max-size``).  What a
stored journal says of itself is never trusted:

* a plain refutation (no certificate file) counts only if the stored CNF hashes
  to the encoding of the case asked now and its LRAT proof passes the checker
  again;
* a certified one is verified again by the model's own verifier, which
  regenerates the encoding from the question the certificate names, and the
  claim it returns (table, size, options, width profile) must be exactly the
  question being asked now.

Anything else (a missing, corrupt, foreign or tampered file) makes the case be
solved again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from circuits.errors import LbtError, ProofRejected, SolverError
from circuits.output import write_text_atomic
from circuits.schema import read_json
from solvers.lrat import Cnf

__all__ = ["journal_path", "prove_and_store", "reuse", "write_journal"]


def journal_path(proof_dir: str | Path, name: str) -> Path:
    """The journal of refutation ``name``: ``proof_dir/NAME.refutation.json``."""
    return Path(proof_dir) / f"{name}.refutation.json"


def write_journal(proof_dir: str | Path, name: str, info: dict[str, Any]) -> None:
    """Write the journal of refutation ``name`` (atomically)."""
    write_text_atomic(journal_path(proof_dir, name), json.dumps(info, indent=1) + "\n")


def prove_and_store(
    clauses: Sequence[Sequence[int]],
    num_vars: int,
    header: dict[str, Any],
    learned: Sequence[Any],
    proof_dir: str | Path,
    name: str,
    deadline: float | None,
    certificate: tuple[str, int],
    extra: dict[str, Any] | None = None,
    write_cnf: bool = True,
) -> tuple[str, dict[str, Any]]:
    """Refute ``clauses`` with a checked LRAT proof, write ``NAME.certs.json`` and the journal.

    ``header`` (with ``base_clauses`` and ``base_sha256``) and ``learned`` go into
    the certificate file of format and version ``certificate``; ``extra``
    (search statistics) into the record.  Returns ``("unsat", record)``, or
    ``("timeout", record)`` when the proof was not finished by ``deadline``.  A
    proof the checker rejects raises :class:`ProofRejected`; a CNF the search
    refuted but the proof run satisfies raises :class:`SolverError`.  With
    ``write_cnf=False`` (a cube of a split case) no ``NAME.cnf`` is written: the
    verifier rebuilds the CNF from the certificate.
    """
    from solvers import proof as proof_mod

    limit = None if deadline is None else max(deadline - time.monotonic(), 0.01)
    record = proof_mod.refute(
        [list(c) for c in clauses], Path(proof_dir), name, time_limit=limit, num_vars=num_vars, write_cnf=write_cnf
    )
    if isinstance(record, proof_mod.Timeout):
        return "timeout", record.to_dict()
    if isinstance(record, proof_mod.Model):
        raise SolverError(f"{name}: the search refuted a CNF that the proof run satisfies")
    if not record.verified:
        raise ProofRejected(f"proof {name} was not verified by the checker: {record.reason}")
    info = record.to_dict()
    cert_path = Path(proof_dir) / f"{name}.certs.json"
    fmt, version = certificate
    info["certificates_path"] = str(cert_path)
    info["certificates_sha256"] = proof_mod.write_certificate(cert_path, fmt, version, header, info, learned)
    info["learned_clauses"] = len(learned)
    info["base_clauses"] = header["base_clauses"]
    info["base_sha256"] = header["base_sha256"]
    info.update(extra or {})
    write_journal(proof_dir, name, info)
    return "unsat", info


def reuse(
    proof_dir: str | Path,
    name: str,
    *,
    cnf: Callable[[], Cnf] | None = None,
    base_sha256: str | None = None,
    claim: dict[str, Any] | None = None,
    verify: Callable[[Path], Any] | None = None,
) -> dict[str, Any] | None:
    """The record of refutation ``name`` stored by an earlier run, re-checked now; else ``None``.

    A plain refutation gives ``cnf``, the case's CNF (built only when a journal
    exists); the stored refutation must be of exactly that CNF (its hash) and its
    LRAT proof must pass the checker (against the stored CNF file, or against the
    CNF in memory for a refutation stored without one).  A certified one gives
    ``base_sha256`` (the hash of the base encoding: a run with other symmetry
    breaking solves the case again), ``claim`` (the
    :func:`solvers.records.refuted_claim` of the question asked now) and
    ``verify``, the model's certificate verifier, whose verdict must be verified
    with exactly that claim.  The files are looked for in ``proof_dir`` whatever
    paths the journal names.
    """
    journal = journal_path(proof_dir, name)
    if not journal.is_file():
        return None

    def here(path: Any) -> Path | None:
        return None if path is None else journal.parent / Path(str(path)).name

    try:  # whatever is wrong with a stored record, the case is solved again
        info = read_json(journal)
        if not isinstance(info, dict):
            return None
        cnf_file, proof = here(info["cnf_path"]), here(info["proof_path"])
        if proof is None:
            return None
        if verify is None:
            return _reuse_plain(info, cnf_file, proof, cnf)
        if info.get("base_sha256") != base_sha256:
            return None
        certs = journal.parent / Path(info["certificates_path"]).name
        verdict = verify(certs)
    except (LbtError, KeyError, TypeError, AttributeError, ValueError):
        return None
    if not (verdict.verified and verdict.claim == claim):
        return None
    info.update(cnf_path=None if cnf_file is None else str(cnf_file), proof_path=str(proof),
                certificates_path=str(certs), verdict="verified", reason=verdict.reason)  # fmt: skip
    return info


def _reuse_plain(
    info: dict[str, Any], cnf_file: Path | None, proof: Path, cnf: Callable[[], Cnf] | None
) -> dict[str, Any] | None:
    from solvers.cnf import dimacs_sha256
    from solvers.proof import Refutation, verify_refutation

    record = Refutation.from_dict(info)
    if cnf is None:
        return None
    formula = cnf()
    if record.cnf_sha256 != dimacs_sha256(formula.clauses, formula.num_vars):
        return None
    against = formula if cnf_file is None else cnf_file
    check = verify_refutation(against, proof, cnf_sha256=record.cnf_sha256, proof_sha256=record.proof_sha256)
    if not check.verified:
        return None
    out = record.to_dict()
    out.update(cnf_path=None if cnf_file is None else str(cnf_file), proof_path=str(proof), verdict="verified",
               reason=check.reason)  # fmt: skip
    out["check_seconds"] = round(check.seconds, 6)
    return out
