"""The threshold engine: one lazy SAT + exact LP search per size (:mod:`solvers.threshold.encoding`).

:func:`synthesize_threshold` gives the smallest threshold circuit computing a
target, with certified refutations below it: sizes are tried upward from the
justified lower bound (one gate per distinct output function) by the run loop
of :mod:`solvers.run`.  With ``proof_dir`` every refuted size leaves
``NAME.cnf`` (base encoding then learned clauses), ``NAME.lrat.gz`` (checked by
:mod:`solvers.lrat`) and ``NAME.certs.json`` (one separability certificate per
learned clause); :func:`solvers.threshold.verify.verify_certificate` re-checks
them.  ``method="milp"`` runs the comparison method of
:mod:`solvers.threshold.milp` instead (never proven).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from circuits.errors import TooLargeError, WitnessError
from circuits.threshold import ThresholdCircuit
from circuits.truthtable import TruthTable
from solvers.cases import Case, SizeEngine, Solved
from solvers.certificate import Verdict
from solvers.records import ProgressEvent, Status, SynthesisResult
from solvers.run import run_engine
from solvers.search import Search
from solvers.threshold.encoding import (
    CERTIFICATE_FORMAT,
    CERTIFICATE_VERSION,
    ENCODING,
    ENCODING_VERSION,
    MAX_INPUTS,
    check_witness,
    default_symmetry_breaking,
    encode,
    lower_bound,
    max_useful_size,
    minimise_weights,
    result_fields,
    solve_size,
)
from solvers.threshold.options import ThresholdOptions

__all__ = ["ThresholdEngine", "synthesize_threshold"]


class ThresholdEngine:
    """The lazy engine (a :class:`solvers.run.SizeEngine`): one case per size, certified refutations."""

    certificate: tuple[str, int] | None = (CERTIFICATE_FORMAT, CERTIFICATE_VERSION)
    next_on: frozenset[str] = frozenset({Status.UNSAT})
    certifies = True
    least_size = 1

    def __init__(
        self, spec: str, table: TruthTable, options: ThresholdOptions, *, symmetry: Iterable[str] | None = None
    ) -> None:
        if table.n > MAX_INPUTS:
            raise TooLargeError(f"{table.n} inputs is too many for threshold synthesis (at most {MAX_INPUTS})")
        self.spec, self.table, self.options = spec, table, options
        self.symmetry = default_symmetry_breaking(table.n, options) if symmetry is None else frozenset(symmetry)
        encode(table, 1, options, self.symmetry)  # validates the symmetry set early
        self.lb, self.bound_reason = lower_bound(table)
        self.cap = max_useful_size(table, options)
        self.tag = options.tag()

    def method(self, proofs: bool) -> str:
        return "proof:cadical195" if proofs else "lazy:cadical195"

    def check_proofs(self) -> None:
        pass

    def cases(self, size: int, deadline: float | None) -> Iterator[Case]:
        enc = encode(self.table, size, self.options, self.symmetry, deadline)
        yield enc.case(self.spec, self.tag, (ENCODING, ENCODING_VERSION), self.options.to_dict())

    def solve(self, case: Case, deadline: float | None, proof_dir: Path | None) -> Solved:
        return solve_size(case.data, deadline=deadline).solved(case.data, deadline)

    def verify(self, path: Path) -> Verdict:
        from solvers.threshold.verify import verify_certificate

        return verify_certificate(path)

    def accept(self, solved: Solved, case: Case) -> ThresholdCircuit:
        circuit: ThresholdCircuit = solved.witness
        check_witness(circuit, self.table, self.options)
        if circuit.size != case.size:
            raise WitnessError(f"witness has {circuit.size} gates, expected {case.size}")
        circuit = minimise_weights(circuit)
        check_witness(circuit, self.table, self.options)
        return circuit

    def trivial(self) -> Any:
        raise AssertionError("every threshold circuit has a gate")

    def result_fields(self, search: Search) -> dict[str, Any]:
        return result_fields(self.options, search, "cadical195", ENCODING, self.symmetry, certified=True)


def synthesize_threshold(
    target: TruthTable | str,
    *,
    depth: int | None = None,
    layered: int | None = None,
    max_weight: int | None = None,
    fanin: int | None = None,
    max_size: int | None = None,
    start: int | None = None,
    timeout: float | None = None,
    proof_dir: str | Path | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    method: str = "lazy",
    symmetry: Iterable[str] | None = None,
    jobs: int = 1,
    cubes: int | None = None,
    scheduler: str | None = None,
) -> SynthesisResult:
    """The smallest threshold circuit computing ``target``, with certified refutations below it.

    A ``start`` above the lower bound leaves sizes unrefuted, so the result is
    then not proven.  ``timeout`` (seconds) and Ctrl-C return the partial result.
    See the module docstring for ``proof_dir`` and ``method``; ``symmetry``
    overrides the constraints of
    :func:`solvers.threshold.encoding.default_symmetry_breaking`.
    """
    from circuits.targets import resolve_target

    options = ThresholdOptions(depth=depth, layered=layered, max_weight=max_weight, fanin=fanin, method=method)
    spec, table = resolve_target(target)
    engine: SizeEngine
    if options.method == "milp":
        from solvers.threshold.milp import MilpEngine

        engine = MilpEngine(spec, table, options)
    else:
        engine = ThresholdEngine(spec, table, options, symmetry=symmetry)
    return run_engine(
        engine, max_size=max_size, start=start, timeout=timeout, proof_dir=proof_dir, progress=progress, jobs=jobs,
        cubes=cubes, scheduler=scheduler,
    )  # fmt: skip
