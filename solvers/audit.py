"""Re-check a stored synthesis result without trusting the run that produced it.

A result record is the JSON of :meth:`solvers.boolean.engine.SynthesisResult.to_dict`
(or of a subclass), saved next to the proof files of its refutations (``lbt synth
--proof DIR`` writes ``DIR/NAME.result.json``).

The principle
-------------
The verifier rebuilds the *question* from the record's target and options
alone, and from the question it derives what every refutation must consist of:
the CNF of each refuted size, and where the engine splits a size into cases
(the hidden-layer width profiles of a bit-blasted ReLU size; sizes that only a
one-hidden-layer refutation can cover), every case; where a case was split into
cubes (:mod:`solvers.cubes`), the cubes themselves, derived again from the
question and the number of cubes asked for (:func:`solvers.certificate.check_cover`),
with a coverage proof and one proof per cube.  Then it requires a verified
certificate for each piece.  A certificate counts only for the claim the
verifier regenerated from it (table, size, options, width profile), never for
the name or the list the record gives it.  Nothing the record leaves out is
assumed; a listed certificate that fails, or that refutes some other question
(another table, size, options, profile, cube, or the formula a cube was cut
from), fails the check; a surplus one that
verifies is not counted for anything.  The same holds for names: the target is
parsed, the table it defines must equal the record's, and a target that does
not parse fails.  Method choices a record may make (the Boolean strengthenings,
the symmetry breaking of a certificate) are taken only from the engine's fixed
lists of constraints, each sound for the question; the encoders reject the rest.

The checks of :func:`audit_result`:

* the target and table: the record's hex table is well formed and equals the
  table its ``target`` spec defines;
* the witness: it is decoded from JSON, re-evaluated on all ``2**n`` rows (on the
  care rows) and has the recorded size, and it respects the model's options
  (basis, depth bound; for threshold circuits fan-in, layering, weight bound);
* every refutation: Boolean models re-generate the CNF from the recorded options
  and compare its SHA-256 with the one the proof refutes, then re-check the LRAT
  proof (:func:`solvers.proof.verify_refutation`); threshold and ReLU models
  re-check each certificate file (:func:`solvers.threshold.verify.verify_certificate`,
  :func:`solvers.relu.verify.verify_certificate`: base encoding, every learned
  clause's certificate, LRAT proof) and require one for every piece of the size
  (:func:`_relu_pieces`);
* the bounds: a ``size`` needs a witness; the recorded ``lower_bound`` may not
  exceed what the verified refutations give counting up from the recomputed
  starting bound; ``proven`` holds only if every size from that bound up to
  ``size - 1`` has a verified refutation; ``infeasible`` only if every size up
  to the options' largest useful size (``max_useful_size``) has one.

A malformed record (a field of the wrong type or shape) is a failed check,
never an exception.

Files named in a record are looked up by file name in the record's directory,
so a result directory can be moved or copied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circuits.errors import FormatError, LbtError, excerpt
from circuits.schema import is_int
from circuits.targets import name_mismatch
from circuits.truthtable import TruthTable
from solvers.certificate import AuditFailure
from solvers.engines import ENGINES, record_options

__all__ = ["Audit", "audit_file", "audit_result"]


@dataclass(frozen=True)
class Audit:
    """The outcome of :func:`audit_result`: ``ok`` and one line per check in ``checks``."""

    path: str
    target: str | None
    model: str | None
    size: int | None
    proven: bool
    ok: bool
    checks: tuple[tuple[bool, str], ...]
    certificates: frozenset[str] = frozenset()  # names of the certificate files the audit checked
    options: tuple[tuple[str, Any], ...] = ()  # the record's options that differ from the engine's defaults

    @property
    def question(self) -> str:
        """``TARGET over MODEL`` with the options that narrow the question, e.g. ``par:4 over b2 (depth=1)``."""
        opts = ", ".join(f"{k}={v}" for k, v in self.options)
        return f"{self.target} over {self.model}" + (f" ({opts})" if opts else "")

    def __bool__(self) -> bool:
        return self.ok

    @property
    def failures(self) -> list[str]:
        return [msg for good, msg in self.checks if not good]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "target": self.target,
            "model": self.model,
            "size": self.size,
            "proven": self.proven,
            "options": dict(self.options),
            "ok": self.ok,
            "checks": [{"ok": good, "check": msg} for good, msg in self.checks],
        }


def _table(record: dict[str, Any]) -> TruthTable:
    try:
        n = int(record["n"])
        table = TruthTable.from_hex(n, str(record["table"]))
    except (KeyError, TypeError, ValueError, LbtError) as exc:
        raise AuditFailure(f"the record's truth table is malformed: {exc}") from None
    wrong = name_mismatch(record.get("target"), table)
    if wrong is not None:
        raise AuditFailure(wrong)
    return table


def audit_result(record: dict[str, Any], base: str | Path = ".", path: str = "<record>") -> Audit:
    """Check one result record whose files lie in ``base`` (see the module docstring)."""
    base = Path(base)
    checks: list[tuple[bool, str]] = []
    checked: set[str] = set()  # certificate files the checks verified
    model = record.get("model") if isinstance(record, dict) else None
    try:
        if not isinstance(record, dict):
            raise AuditFailure("a result record must be a JSON object")
        table = _table(record)
        engine = ENGINES.get(model) if isinstance(model, str) else None
        if engine is None or engine.audit is None:
            raise AuditFailure(f"cannot audit results of model {excerpt(model)}")
        lb, verified, cap = engine.audit_checks()(record, base, table, checks, checked)
        size = record.get("size")
        if size is not None and not is_int(size):  # 3.0 or True would compare equal to an int below
            raise AuditFailure(f"the record's size {excerpt(size)} is not an integer")
        if size is not None and record.get("witness") is None:
            checks.append((False, f"size {size} claimed, but no witness stored"))
        elif size is None and record.get("witness") is not None:
            checks.append((False, "a witness stored, but no size"))
        bound = lb  # the lower bound the verified refutations justify
        while bound in verified:
            bound += 1
        claimed = record.get("lower_bound")
        if claimed is not None and not (is_int(claimed) and claimed <= bound):
            checks.append((False, f"lower bound {claimed!r} recorded, but the verified refutations give {bound}"))
        elif isinstance(claimed, int) and claimed > lb and not record.get("proven"):
            checks.append((True, f"lower bound {claimed}: {_sizes(lb, claimed - 1)} refuted"))
        if record.get("infeasible"):
            unrefuted = None if cap is None else [s for s in range(lb, cap + 1) if s not in verified]
            if unrefuted is None or unrefuted or size is not None:
                why = "no size bound for these options" if unrefuted is None else f"sizes {unrefuted} not refuted"
                checks.append((False, f"claimed infeasible, but {why}" if size is None else "infeasible with a size"))
            else:
                span = f"at least {lb} needed" if lb > cap else f"{_sizes(lb, cap)} refuted"
                checks.append((True, f"infeasible: no minimum circuit under these options exceeds {cap}, {span}"))
        elif record.get("proven"):
            missing = [s for s in range(lb, size if size is not None else lb) if s not in verified]
            if missing or size is None:
                checks.append(
                    (
                        False,
                        f"claimed proven, but sizes {missing} have no verified refutation",
                    )
                )
            else:
                span = "no size below the lower bound" if lb >= size else f"{_sizes(lb, size - 1)} refuted"
                checks.append((True, f"proven: {span}, size {size} found"))
    except AuditFailure as exc:
        checks.append((False, str(exc)))
    except (AttributeError, KeyError, TypeError, ValueError, ArithmeticError, LbtError) as exc:  # a malformed field
        checks.append((False, f"malformed result record: {type(exc).__name__}: {exc}"))
    ok = bool(checks) and all(good for good, _ in checks)
    return Audit(
        path=path,
        target=record.get("target") if isinstance(record, dict) else None,
        model=model,
        size=record.get("size") if isinstance(record, dict) else None,
        proven=bool(record.get("proven")) if isinstance(record, dict) else False,
        ok=ok,
        checks=tuple(checks),
        certificates=frozenset(checked),
        options=_narrowing_options(record),
    )


def _narrowing_options(record: Any) -> tuple[tuple[str, Any], ...]:
    """The record's options whose values are not the engine's defaults (as they are, however malformed)."""
    try:
        defaults = record_options(record.get("model"))
    except (AttributeError, LbtError):
        return ()
    return tuple((k, record[k]) for k in defaults if k in record and record[k] != defaults[k])


def _sizes(lo: int, hi: int) -> str:
    return f"size {lo}" if lo == hi else f"sizes {lo}..{hi}"


def audit_file(path: str | Path) -> Audit:
    """:func:`audit_result` on a ``*.result.json`` file; raises :class:`FormatError` if unreadable."""
    path = Path(path)
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FormatError(f"cannot read result {path}: {exc}") from None
    return audit_result(record, path.parent, str(path))
