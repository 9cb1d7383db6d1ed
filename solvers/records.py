"""The records every engine produces: the status of a step, one record per size, the result of a search.

:class:`Status` names what a step (one size, or one case of a size) ended in;
:class:`StepResult` is the record of one size, :class:`ProgressEvent` what the
progress callback is told, :class:`SynthesisResult` the outcome of a whole
minimum-size search, whatever the model (its JSON is what ``lbt synth --proof``
stores and what :mod:`solvers.audit` re-checks).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from circuits.truthtable import TruthTable

__all__ = ["ProgressEvent", "Status", "StepResult", "SynthesisResult", "refuted_claim"]


class Status(enum.StrEnum):
    """How a step ended (a ``str``: records store the value, and compare equal to it)."""

    SAT = "sat"
    #: refuted: the only status that counts for a lower bound
    UNSAT = "unsat"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"
    #: refuted for one hidden layer only: says nothing of the deeper networks asked for
    UNSAT_ONE_HIDDEN_LAYER = "unsat-one-hidden-layer"
    #: a floating-point "no" (MILP): never a refutation
    INFEASIBLE = "infeasible"
    #: a floating-point "yes" whose rounded witness failed the exact check (MILP)
    UNVERIFIED = "unverified"
    #: progress only: a size is being solved
    SOLVING = "solving"
    #: progress only: size 0, no solver call
    TRIVIAL = "trivial"
    #: progress only: a cube of a split case is settled (``ProgressEvent.cubes`` says how far the split is)
    SPLIT = "split"


@dataclass(frozen=True)
class StepResult:
    """The outcome of one size (see :class:`Status`); ``proof`` is its refutation record, if proved."""

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
        d: dict[str, Any] = {
            "size": self.size,
            "status": str(self.status),
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

    ``status`` is a :class:`Status`; ``seconds`` is the time of this size,
    ``elapsed`` that of the whole search so far.
    """

    size: int
    status: str
    seconds: float
    elapsed: float
    variables: int = 0
    clauses: int = 0
    #: with ``SPLIT``: the :class:`solvers.cubes.CubeProgress` of the case being split
    cubes: Any = None


@dataclass(frozen=True)
class SynthesisResult:
    """The outcome of a minimum-size search, whatever the model.

    ``size`` is the smallest size found (``None`` if none was found);
    ``lower_bound`` the smallest size not excluded, by the justified starting
    bound (``bound_reason``) followed by a gap-free run of refutations;
    ``proven`` is true iff ``size == lower_bound`` (the size is the exact
    minimum), or ``infeasible`` is true: every size up to the largest useful one
    was refuted, so no circuit under the options exists.  ``extra`` holds the
    model's own JSON keys (its options and how the search ran), appended to
    :meth:`to_dict` in order; ``name`` is not part of it.
    """

    target: str
    table: str
    n: int
    m: int
    care: tuple[int, ...] | None
    model: str
    fanin: int | None
    depth: int | None
    solver: str
    encoding: str
    encoding_version: int
    strengthenings: tuple[str, ...]
    size: int | None
    proven: bool
    lower_bound: int
    bound_reason: str
    start: int
    circuit: Any
    refutations: tuple[StepResult, ...]
    steps: tuple[StepResult, ...]
    seconds: float
    timed_out: bool = False
    interrupted: bool = False
    infeasible: bool = False
    max_size: int | None = None
    proofs: bool = False
    jobs: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: File stem of the question, e.g. ``maj_5-b2`` (``lbt synth --proof`` writes ``NAME.result.json``).
    name: str = field(default="", compare=False)

    @property
    def witness(self) -> dict[str, Any] | None:
        return None if self.circuit is None else self.circuit.to_dict()

    def summary(self) -> str:
        """One line: what the search established (``maj:4 over b2: minimum size 7, proven``)."""
        head = f"{self.target} over {self.model}: "
        if self.infeasible:
            return head + "no circuit exists under these options (proven)"
        if self.size is None:
            return head + f"no circuit found; every size below {self.lower_bound} refuted (not proven)"
        if self.proven:
            return head + f"minimum size {self.size}, proven"
        return head + f"size {self.size} found, every size below {self.lower_bound} refuted (minimum not proven)"

    # Jupyter: the witness drawn by Graphviz under the summary where ``dot`` is installed, else text
    def _repr_svg_(self) -> str | None:
        from circuits.display import svg

        return svg(self.circuit, self.summary())

    def _repr_html_(self) -> str | None:
        from circuits.display import html

        return html(self.circuit, self.summary())

    def _repr_markdown_(self) -> str | None:
        from circuits.display import markdown

        return markdown(self.circuit, self.summary())

    def to_dict(self) -> dict[str, Any]:
        digits = max(1, (1 << self.n) // 4)
        return {
            "target": self.target,
            "table": self.table,
            "n": self.n,
            "m": self.m,
            "care": None if self.care is None else [format(c, f"0{digits}x") for c in self.care],
            "model": self.model,
            "fanin": self.fanin,
            "depth": self.depth,
            "solver": self.solver,
            "encoding": self.encoding,
            "encoding_version": self.encoding_version,
            "strengthenings": list(self.strengthenings),
            "size": self.size,
            "proven": self.proven,
            "lower_bound": self.lower_bound,
            "bound_reason": self.bound_reason,
            "start": self.start,
            "max_size": self.max_size,
            "witness": self.witness,
            "refutations": [r.to_dict() for r in self.refutations],
            "steps": [r.to_dict() for r in self.steps],
            "proofs": self.proofs,
            "jobs": self.jobs,
            "seconds": round(self.seconds, 6),
            "timed_out": self.timed_out,
            "interrupted": self.interrupted,
            "infeasible": self.infeasible,
            **self.extra,
        }


def refuted_claim(
    table: TruthTable,
    size: int,
    options: dict[str, Any],
    widths: Sequence[int] | None = None,
    cube: Sequence[int] | None = None,
    base: Sequence[Sequence[int]] | None = None,
) -> dict[str, Any]:
    """What a verified refutation of ``size`` for ``table`` under ``options`` refutes, in canonical form.

    This is :attr:`solvers.certificate.Verdict.claim`: the verifiers build it from
    what they regenerated, and :mod:`solvers.audit` compares it with the claim it needs.

    A whole size (or width profile) is the same question whatever sound symmetry
    breaking its encoding used, so the encoding is not part of its claim.  A cube
    is not: its literals mean something only in the formula the split was made
    of, so a cube's claim also names that formula, ``base`` (the clauses before
    the cube's units), by the hash of its clauses.
    """
    from solvers.cnf import clauses_hash

    return {
        "n": table.n,
        "table": table.hex(),
        "size": size,
        "options": dict(options),
        "widths": None if widths is None else [int(w) for w in widths],
        "cube": None if not cube else [int(lit) for lit in cube],
        "base": None if not cube or base is None else clauses_hash(base),
    }
