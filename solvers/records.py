"""The records every synthesis driver produces: one per size tried, one per progress report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from circuits.truthtable import TruthTable

__all__ = ["ProgressEvent", "StepResult", "refuted_claim"]


@dataclass(frozen=True)
class StepResult:
    """The outcome of one size: ``status`` is ``"sat"``, ``"unsat"``, ``"timeout"`` or ``"interrupted"``."""

    size: int
    status: str
    seconds: float
    variables: int
    clauses: int
    method: str
    cnf_sha256: str | None = None
    proof: dict[str, Any] | None = None
    model: list[int] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "size": self.size,
            "status": self.status,
            "method": self.method,
            "seconds": round(self.seconds, 6),
            "variables": self.variables,
            "clauses": self.clauses,
        }
        if self.cnf_sha256 is not None:
            d["cnf_sha256"] = self.cnf_sha256
        if self.proof is not None:
            d["proof"] = self.proof
        return d


@dataclass(frozen=True)
class ProgressEvent:
    """Reported to the ``progress`` callback before (``status="solving"``) and after each size.

    ``status`` is ``"solving"``, ``"sat"``, ``"unsat"``, ``"timeout"``, ``"interrupted"``
    or ``"trivial"`` (size 0, no SAT call); ``seconds`` is the time of this size,
    ``elapsed`` that of the whole search so far.
    """

    size: int
    status: str
    seconds: float
    elapsed: float
    variables: int = 0
    clauses: int = 0


def refuted_claim(
    table: TruthTable, size: int, options: dict[str, Any], widths: Sequence[int] | None = None
) -> dict[str, Any]:
    """What a verified refutation of ``size`` for ``table`` under ``options`` refutes, in canonical form.

    This is :attr:`solvers.threshold.verify.Verdict.claim`: the verifiers build it from
    what they regenerated, and :mod:`solvers.audit` compares it with the claim it needs.
    """
    return {
        "n": table.n,
        "table": table.hex(),
        "size": size,
        "options": dict(options),
        "widths": None if widths is None else [int(w) for w in widths],
    }
