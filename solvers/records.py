"""The records every synthesis driver produces: one per size tried, one per progress report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ProgressEvent", "StepResult"]


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
