"""Certified refutations on disk: written once, re-used on resume only after a full re-check.

One size (or one width profile of a size) of the threshold and ReLU searches is
refuted by an LRAT proof of its final CNF plus a certificate file,
``NAME.certs.json``, that says what the CNF encodes and justifies every learned
clause exactly.  :func:`prove_and_store` writes both and a journal
``NAME.refutation.json``; :func:`stored_refutation` is how a later run with the
same ``--proof DIR`` re-uses them (after Ctrl-C, a time limit, or to extend
``--max-size``).

What a stored journal says of itself is never trusted: the certificate is
verified again by the model's own verifier, which regenerates the encoding from
the question the certificate names, and the claim it returns (table, size,
options, width profile) must be exactly the question being asked now.
Anything else (a missing, corrupt, foreign or tampered file) makes the size be
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

__all__ = ["journal_path", "prove_and_store", "stored_refutation"]


def journal_path(proof_dir: str | Path, name: str) -> Path:
    """The journal of refutation ``name``: ``proof_dir/NAME.refutation.json``."""
    return Path(proof_dir) / f"{name}.refutation.json"


def prove_and_store(
    clauses: Sequence[Sequence[int]],
    num_vars: int,
    header: dict[str, Any],
    learned: Sequence[Any],
    proof_dir: str | Path,
    name: str,
    deadline: float | None,
    fmt: str,
    version: int,
    extra: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Refute ``clauses`` with a checked LRAT proof, write ``NAME.certs.json`` and the journal.

    ``header`` (with ``base_clauses`` and ``base_sha256``) and ``learned`` go into
    the certificate file of format ``fmt``/``version``; ``extra`` (search
    statistics) into the record.  Returns ``("unsat", record)``, or
    ``("timeout", record)`` when the proof was not finished by ``deadline``.  A
    proof the checker rejects raises :class:`ProofRejected`; a CNF the search
    refuted but the proof run satisfies raises :class:`SolverError`.
    """
    from solvers import proof as proof_mod

    limit = None if deadline is None else max(deadline - time.monotonic(), 0.01)
    record = proof_mod.refute([list(c) for c in clauses], Path(proof_dir), name, time_limit=limit, num_vars=num_vars)
    if record.status == "timeout":
        return "timeout", record.to_dict()
    if record.status == "sat":
        raise SolverError(f"{name}: the search refuted a CNF that the proof run satisfies")
    if not record.verified:
        raise ProofRejected(f"proof {name} was not verified by the checker: {record.reason}")
    info = record.to_dict()
    cert_path = Path(proof_dir) / f"{name}.certs.json"
    info["certificates_path"] = str(cert_path)
    info["certificates_sha256"] = proof_mod.write_certificate(cert_path, fmt, version, header, info, learned)
    info["learned_clauses"] = len(learned)
    info["base_clauses"] = header["base_clauses"]
    info["base_sha256"] = header["base_sha256"]
    info.update(extra or {})
    write_text_atomic(journal_path(proof_dir, name), json.dumps(info, indent=1) + "\n")
    return "unsat", info


def stored_refutation(
    proof_dir: str | Path,
    name: str,
    base_sha256: str,
    claim: dict[str, Any],
    verify: Callable[[Path], Any],
) -> dict[str, Any] | None:
    """The record of refutation ``name`` stored by an earlier run, re-verified; else ``None``.

    ``verify`` is the model's certificate verifier (``verify_certificate`` of
    :mod:`solvers.threshold.verify` or :mod:`solvers.relu.verify`); its verdict
    must be verified and its ``claim`` equal ``claim``, the
    :func:`solvers.records.refuted_claim` of the question asked now.  The stored
    base encoding must hash to ``base_sha256`` (a run with other symmetry
    breaking solves the size again).  The files are looked for in ``proof_dir``
    whatever paths the journal names.
    """
    journal = journal_path(proof_dir, name)
    if not journal.is_file():
        return None
    try:  # whatever is wrong with a stored record, the size is solved again
        info = read_json(journal)
        if not isinstance(info, dict) or info.get("base_sha256") != base_sha256:
            return None
        certs, cnf, proof = (
            journal.parent / Path(info[key]).name for key in ("certificates_path", "cnf_path", "proof_path")
        )
        verdict = verify(certs)
    except (LbtError, KeyError, TypeError, AttributeError, ValueError):
        return None
    if not (verdict.verified and verdict.claim == claim):
        return None
    info.update(cnf_path=str(cnf), proof_path=str(proof), certificates_path=str(certs), verdict="verified",
                reason=verdict.reason)  # fmt: skip
    return info
