"""The ReLU engines: activation patterns (real weights) and bit-blasting (integer weights in ``[-W, W]``).

:func:`synthesize_relu` gives the smallest ReLU network computing a target, with
certified refutations below it.  Sizes (neurons, output included) are tried
upward from 1 by the run loop of :mod:`solvers.run`:

* real weights: :class:`PatternsEngine`, the exact one-hidden-layer search of
  :mod:`solvers.relu.patterns`.  With ``L >= 2`` hidden layers only its
  refutations of sizes 1 and 2 count (a network of ``s`` neurons has depth at
  most ``s``); a larger size it refutes ends the step as
  ``"unsat-one-hidden-layer"`` and the search goes on, so a deeper network's
  size is an upper bound only;
* ``max_weight=W``: :class:`BitblastEngine`, one case per hidden-layer width
  profile of the size (:mod:`solvers.relu.bitblast`); a size is refuted when
  every profile is.

With ``proof_dir`` every refuted case leaves ``NAME.cnf``, ``NAME.lrat.gz`` and
``NAME.certs.json`` (see :mod:`solvers.relu.verify`).  Every witness is
re-evaluated exactly with Fractions on all ``2**n`` rows before it is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from circuits.relu import ReLUNetwork
from circuits.truthtable import TruthTable
from solvers.cases import Case, Solved, proof_name
from solvers.certificate import Verdict, header
from solvers.limits import check_encoding_size
from solvers.records import ProgressEvent, Status, SynthesisResult, refuted_claim
from solvers.relu import bitblast, patterns
from solvers.relu.options import ReLUOptions
from solvers.run import run_engine
from solvers.search import Search

__all__ = ["BitblastEngine", "PatternsEngine", "synthesize_relu"]


class _ReLUEngine:
    """What both ReLU engines share: the question, its bounds, the certificate verifier and the result fields."""

    next_on: frozenset[str] = frozenset({Status.UNSAT})
    certifies = True
    least_size = 1
    encoding = ""
    solver = "cadical195"
    engine = ""

    def __init__(self, spec: str, table: TruthTable, options: ReLUOptions) -> None:
        patterns.check_table(table)
        self.spec, self.table, self.options = spec, table, options
        self.lb, self.bound_reason = 1, "every network has an output neuron"
        self.cap: int | None = None
        self.tag = options.tag()

    def check_proofs(self) -> None:
        pass

    def verify(self, path: Path) -> Verdict:
        from solvers.relu.verify import verify_certificate

        return verify_certificate(path)

    def trivial(self) -> Any:
        raise AssertionError("every network has an output neuron")

    def strengthenings(self) -> tuple[str, ...]:
        return ()

    def upper_bound_reason(self) -> str:
        return ""

    def result_fields(self, search: Search) -> dict[str, Any]:
        return {
            "model": "relu",
            "care": None,
            "fanin": None,
            "depth": self.options.hidden_layers + 1,
            "solver": self.solver,
            "encoding": self.encoding,
            "encoding_version": 1,
            "strengthenings": self.strengthenings(),
            "extra": {
                **self.options.to_dict(),
                "engine": self.engine,
                "upper_bound_reason": self.upper_bound_reason() if search.witness is not None else "",
                "certified": True,
            },
        }


class PatternsEngine(_ReLUEngine):
    """Real weights (a :class:`solvers.run.SizeEngine`): the one-hidden-layer pattern search, one case per size."""

    certificate: tuple[str, int] | None = (patterns.CERTIFICATE_FORMAT, patterns.CERTIFICATE_VERSION)
    next_on = frozenset({Status.UNSAT, Status.UNSAT_ONE_HIDDEN_LAYER})
    encoding = patterns.ENCODING
    solver = "cadical195+highs"

    def __init__(
        self, spec: str, table: TruthTable, options: ReLUOptions, *, symmetry: Iterable[str] | None = None
    ) -> None:
        super().__init__(spec, table, options)
        self.one_layer = ReLUOptions(hidden_layers=1, skip=options.skip, output=options.output)
        self.symmetry = patterns.default_symmetry_breaking(self.one_layer) if symmetry is None else frozenset(symmetry)
        patterns.encode(table, 1, self.one_layer, self.symmetry)  # validates the symmetry set early
        self.tag = self.one_layer.tag()  # the refutations are of one-hidden-layer networks
        self.deep = options.hidden_layers > 1
        if self.deep:
            self.bound_reason = "sizes 1 and 2 by one-hidden-layer refutations (a network of s neurons has depth <= s)"
        self.engine = "patterns-partial" if self.deep else "patterns"

    def method(self, proofs: bool) -> str:
        return "proof:cadical195+farkas" if proofs else "lazy:cadical195+highs"

    def cases(self, size: int, deadline: float | None) -> Iterator[Case]:
        enc = patterns.encode(self.table, size, self.one_layer, self.symmetry, deadline)
        encoding = (patterns.ENCODING, patterns.ENCODING_VERSION)
        counts = patterns.one_layer_refutes(self.options, size)
        yield enc.case(self.spec, self.tag, encoding, self.one_layer.to_dict(), counts)

    def solve(self, case: Case, deadline: float | None, proof_dir: Path | None) -> Solved:
        return patterns.solve_size(case.data, deadline=deadline).solved(case.data, deadline)

    def accept(self, solved: Solved, case: Case) -> ReLUNetwork:
        patterns.check_witness(solved.witness, self.table, self.options, case.size)
        return solved.witness

    def strengthenings(self) -> tuple[str, ...]:
        return tuple(x for x in patterns.SYMMETRY_BREAKING if x in self.symmetry)

    def upper_bound_reason(self) -> str:
        return "a one-hidden-layer witness (at most L hidden layers)" if self.deep else "exact one-hidden-layer search"


class BitblastEngine(_ReLUEngine):
    """Integer weights in ``[-W, W]`` (a :class:`solvers.run.SizeEngine`): one case per width profile."""

    certificate: tuple[str, int] | None = (bitblast.CERTIFICATE_FORMAT, patterns.CERTIFICATE_VERSION)
    encoding = bitblast.ENCODING
    engine = "bitblast"

    def __init__(self, spec: str, table: TruthTable, options: ReLUOptions) -> None:
        super().__init__(spec, table, options)
        W = options.max_weight
        self.bound_reason = f"every network has an output neuron; weights are integers in [-{W}, {W}]"
        self.cap = bitblast.max_useful_size(table, options)
        if self.cap == 0:  # no size computes the target: infeasible, with no solver call
            self.bound_reason = "with max_weight 0 every network computes the constant [0 >= 0] or 0"
            self.solver = "none"

    def method(self, proofs: bool) -> str:
        return "bitblast:cadical195" + ("+lrat" if proofs else "")

    def cases(self, size: int, deadline: float | None) -> Iterator[Case]:
        question = self.options.to_dict()
        for widths in bitblast.profiles(size, self.options):
            clauses, nv = bitblast.encode_profile(self.table, widths, self.options)
            yield Case(
                size,
                proof_name(self.spec, self.tag, size, widths),
                clauses,
                nv,
                key={"widths": list(widths)},
                header=header(
                    self.spec,
                    (bitblast.ENCODING, bitblast.ENCODING_VERSION),
                    self.table,
                    size,
                    question,
                    clauses,
                    nv,
                    widths=list(widths),
                ),  # fmt: skip
                claim=refuted_claim(self.table, size, question, widths),
                data=widths,
            )

    def solve(self, case: Case, deadline: float | None, proof_dir: Path | None) -> Solved:
        from solvers.sat import solve_step

        step = solve_step(
            [list(c) for c in case.clauses], case.num_vars, size=case.size, deadline=deadline, race=case.race
        )
        return Solved(step.status, step.model, cnf_sha256=step.cnf_sha256)

    def accept(self, solved: Solved, case: Case) -> ReLUNetwork:
        net = bitblast.decode(self.table, case.data, self.options, solved.witness or [])
        layers = bitblast.layout(self.table.n, case.data, self.options.skip)[1]
        patterns.check_witness(net, self.table, self.options, case.size, layers)
        return net

    def strengthenings(self) -> tuple[str, ...]:
        return () if self.cap == 0 else ("layer_order",)

    def upper_bound_reason(self) -> str:
        return "exact search over integer weights in [-W, W]"


def synthesize_relu(
    target: TruthTable | str,
    *,
    hidden_layers: int = 1,
    skip: bool = False,
    output: str = "linear",
    max_weight: int | None = None,
    max_size: int | None = None,
    start: int | None = None,
    timeout: float | None = None,
    proof_dir: str | Path | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    symmetry: Iterable[str] | None = None,
    jobs: int = 1,
    cubes: int | None = None,
    scheduler: str | None = None,
) -> SynthesisResult:
    """The smallest ReLU network computing ``target``, with certified refutations below it.

    A ``start`` above 1 leaves sizes unrefuted, so the result is then not proven.
    ``timeout`` (seconds) and Ctrl-C return the partial result.  See the module
    docstring for the engines and what each proves; ``symmetry`` overrides the
    constraints of :func:`solvers.relu.patterns.default_symmetry_breaking`.
    """
    from circuits.targets import resolve_target

    options = ReLUOptions(hidden_layers=hidden_layers, skip=skip, output=output, max_weight=max_weight)
    spec, table = resolve_target(target)
    engine: _ReLUEngine
    if options.max_weight is not None:
        engine = BitblastEngine(spec, table, options)
    else:
        engine = PatternsEngine(spec, table, options, symmetry=symmetry)
    if start is not None and isinstance(start, int):
        check_encoding_size(start, start * (1 << table.n))  # either engine: a column of values per neuron
    return run_engine(
        engine, max_size=max_size, start=start, timeout=timeout, proof_dir=proof_dir, progress=progress, jobs=jobs,
        cubes=cubes, scheduler=scheduler,
    )  # fmt: skip
