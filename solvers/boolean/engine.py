"""The Boolean engine: exact minimum circuits over B2, AIG and monotone gates, one SAT-chain CNF per size.

:func:`synthesize` starts at a size every circuit must reach (the
:func:`~solvers.boolean.encoding.lower_bound` of the target, or a user-given
``start``), asks the SAT-chain encoding of :mod:`solvers.boolean.encoding` for each
size in turn (the run loop of :mod:`solvers.run`) and stops at the first
satisfiable size.  Every unsatisfiable size is a *refutation*; the result is
*proven* minimal only when the refutations reach without a gap from the
justified lower bound up to the size found.

One size is one call of :func:`solvers.sat.solve_step`: a clause list in, a
model, "unsat" or "timeout" out.  All restrictions are clauses (no
assumptions), so an "unsat" refutes exactly the CNF that a proof run writes
(with proofs, the record has the SHA-256 of its DIMACS text).  With ``proof_dir`` the
LRAT proof of that CNF, checked by the project's checker, is the whole
certificate: :mod:`solvers.boolean.verify` regenerates the CNF from the record.

Every witness is decoded into a :class:`~circuits.boolean.BooleanCircuit` and
evaluated on all ``2**n`` rows before it is returned; a witness that does not
compute the target (on its care rows), exceeds the depth bound or has the wrong
size raises :class:`WitnessError`, never a result.

>>> r = synthesize("maj:3")
>>> r.size, r.proven, r.lower_bound
(4, True, 4)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from circuits.boolean import Basis, BooleanCircuit
from circuits.errors import SpecError, TooLargeError
from circuits.truthtable import TruthTable
from solvers.boolean.encoding import (
    DEFAULT_STRENGTHENINGS,
    ENCODING,
    ENCODING_VERSION,
    MAX_SAT_INPUTS,
    STRENGTHENINGS,
    Problem,
    check_witness,
    encode,
    lower_bound,
    max_useful_size,
    trivial_circuit,
)
from solvers.boolean.options import BooleanOptions
from solvers.cases import Case, Solved, proof_name
from solvers.records import ProgressEvent, Status, SynthesisResult
from solvers.run import run_engine
from solvers.search import Search

__all__ = ["MODELS", "BooleanEngine", "check_witness", "synthesize"]

#: The circuit models :func:`synthesize` accepts (basis names of :mod:`circuits.boolean`).
MODELS = ("b2", "aig", "mono")


class BooleanEngine:
    """The SAT-chain engine (a :class:`solvers.run.SizeEngine`): one case per size, proved inline."""

    certificate: tuple[str, int] | None = None
    next_on: frozenset[str] = frozenset({Status.UNSAT})
    certifies = True
    least_size = 0

    def __init__(
        self,
        spec: str,
        table: TruthTable,
        model: str,
        options: BooleanOptions,
        *,
        care: Iterable[int] | None = None,
        strengthenings: Iterable[str] | None = None,
    ) -> None:
        from solvers.sat import solver_name

        if not isinstance(model, str) or model.strip().lower() not in MODELS:
            raise SpecError(f"unknown circuit model {model!r} (known: {', '.join(MODELS)})")
        self.model = model.strip().lower()
        self.solver = solver_name(options.solver)
        if table.n > MAX_SAT_INPUTS:
            raise TooLargeError(f"{table.n} inputs is too many for the SAT encoding (at most {MAX_SAT_INPUTS})")
        if strengthenings is None:
            self.strengthenings = DEFAULT_STRENGTHENINGS
        else:
            unknown = sorted(set(strengthenings) - set(STRENGTHENINGS))
            if unknown:
                raise SpecError(f"unknown strengthening(s) {', '.join(unknown)} (known: {', '.join(STRENGTHENINGS)})")
            self.strengthenings = frozenset(strengthenings)
        care_masks = None if care is None else tuple(care)
        self.problem = Problem(table, Basis(self.model, options.fanin), options.depth, care_masks)
        if self.model == "mono" and not self.problem.is_monotone_extendable():
            raise SpecError("target is not monotone (on its care rows): no monotone circuit computes it")
        self.spec, self.table, self.options = spec, table, options
        self.lb, self.bound_reason = lower_bound(self.problem)
        self.cap = max_useful_size(self.problem)
        self.tag = options.tag(self.model, self.problem.care)

    def method(self, proofs: bool) -> str:
        return f"{'lrat' if proofs else 'sat'}:{self.solver}"

    def check_proofs(self) -> None:
        from solvers.proof import available_solvers

        if self.solver not in available_solvers():
            raise SpecError(
                f"solver {self.solver} cannot write LRAT proofs (with proofs use: {', '.join(available_solvers())})"
            )

    def cases(self, size: int, deadline: float | None) -> Iterator[Case]:
        from solvers.sat import ONE_SHOT

        if deadline is not None and self.solver in ONE_SHOT:
            raise SpecError(f"solver {self.solver} cannot be time-limited; use another solver or no timeout")
        enc = encode(self.problem, size, strengthenings=self.strengthenings, deadline=deadline)
        yield Case(size, proof_name(self.spec, self.tag, size), enc.clauses, enc.nv, data=enc)

    def solve(self, case: Case, deadline: float | None, proof_dir: Path | None) -> Solved:
        from solvers.sat import solve_step

        step = solve_step(
            [list(c) for c in case.clauses], case.num_vars, size=case.size, solver=self.solver, deadline=deadline,
            proof_dir=proof_dir, name=case.name, write_cnf=not case.cube, race=case.race,
        )  # fmt: skip
        return Solved(step.status, step.model, proof=step.proof, method=step.method, cnf_sha256=step.cnf_sha256)

    def split_groups(self, case: Case) -> list[list[int]]:
        """The cubes of a split size (:mod:`solvers.cubes`): which tuple each gate reads, first gate first."""
        return case.data.split_groups()

    def verify(self, path: Path) -> Any:
        raise SpecError("Boolean refutations have no certificate file: their CNF is regenerated from the record")

    def accept(self, solved: Solved, case: Case) -> BooleanCircuit:
        circuit = case.data.decode(solved.witness)
        check_witness(circuit, self.problem, case.size)
        return circuit

    def trivial(self) -> BooleanCircuit:
        circuit = trivial_circuit(self.problem)
        assert circuit is not None
        check_witness(circuit, self.problem, 0)
        return circuit

    def result_fields(self, search: Search) -> dict[str, Any]:
        return {
            "model": self.model,
            "care": self.problem.care,
            "fanin": self.options.fanin,
            "depth": self.options.depth,
            "solver": self.solver,
            "encoding": ENCODING,
            "encoding_version": ENCODING_VERSION,
            "strengthenings": tuple(s for s in STRENGTHENINGS if s in self.strengthenings),
        }


def synthesize(
    target: TruthTable | str,
    model: str = "b2",
    *,
    depth: int | None = None,
    fanin: int = 2,
    max_size: int | None = None,
    start: int | None = None,
    timeout: float | None = None,
    solver: str = "cadical195",
    proof_dir: str | Path | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    care: tuple[int, ...] | list[int] | None = None,
    strengthenings: frozenset[str] | set[str] | tuple[str, ...] | None = None,
    jobs: int = 1,
    cubes: int | None = None,
    scheduler: str | None = None,
) -> SynthesisResult:
    """The smallest circuit over ``model`` computing ``target``, with a proof of minimality.

    Parameters
    ----------
    target
        A :class:`TruthTable` or a spec string for :func:`circuits.targets.target`.
    model
        ``"b2"`` (any gate of ``fanin`` inputs), ``"aig"`` (AND gates, free
        negations) or ``"mono"`` (AND/OR gates, no negations).
    depth
        Optional bound on the circuit depth (>= 1).
    fanin
        Gate fan-in, 2..5.
    max_size
        Give up after refuting this size.
    start
        First size to try.  Sizes below the justified lower bound are skipped; a
        ``start`` above it leaves the sizes in between unrefuted, so the result is
        not proven.
    timeout
        Seconds for the whole search; on expiry the partial result is returned
        with ``timed_out=True``.
    solver
        A python-sat solver name or alias.
    proof_dir
        Write each CNF and the LRAT proof of each refutation there, checked by the
        project's checker (:mod:`solvers.proof`); a later run with the same
        directory re-checks them instead of solving again.
    progress
        Called with a :class:`ProgressEvent` before and after each size.
    care
        Per output, the mask of rows the output is constrained on (don't-cares
        elsewhere).
    strengthenings
        Override :data:`solvers.boolean.encoding.DEFAULT_STRENGTHENINGS`.
    jobs, cubes, scheduler
        Split a hard size into cubes and refute them on ``jobs`` processes or a
        Dask cluster (:class:`solvers.run.Parallel`, :mod:`solvers.cubes`).

    Ctrl-C during the search returns the partial result with ``interrupted=True``.
    """
    from circuits.targets import resolve_target

    spec, table = resolve_target(target)
    options = BooleanOptions(fanin=fanin, depth=depth, solver=solver)
    engine = BooleanEngine(spec, table, model, options, care=care, strengthenings=strengthenings)
    return run_engine(
        engine, max_size=max_size, start=start, timeout=timeout, proof_dir=proof_dir, progress=progress, jobs=jobs,
        cubes=cubes, scheduler=scheduler,
    )  # fmt: skip
