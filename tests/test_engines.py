"""The engine registry: a new model is one module (a SizeEngine and a search function) and one registry entry.

The toy model below is the disjunctive normal form: its size is the number of
terms (a term is an AND of literals; the empty DNF is the constant 0).  It is
written here exactly as an engine of lbt is written: an options dataclass, a
:class:`solvers.run.SizeEngine` (cases, solve, accept, result fields) and one
``register_engine`` call; the run loop gives it the upward search, proofs,
resume, progress and the result record.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from circuits.errors import SpecError, WitnessError
from circuits.truthtable import TruthTable
from lbt.tablespec import parse_spec
from solvers.cases import Case, Solved, proof_name
from solvers.engines import ENGINES, Engine, engine_for, register_engine, synthesize_model, unregister_engine
from solvers.options import EngineOptions, check_int, option
from solvers.records import Status
from solvers.run import run_engine


# ------------------------------------------------------------------ the toy engine
@dataclass(frozen=True)
class DnfOptions(EngineOptions):
    KIND = "DNF"

    width: int | None = option(None, int, help="at most this many literals per term")

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", check_int("width", self.width, 0))

    def tag(self) -> str:
        return "dnf" + ("" if self.width is None else f"-w{self.width}")


@dataclass(frozen=True)
class Dnf:
    n: int
    terms: tuple[tuple[int, ...], ...]  # a term: literals +j / -j for x_{j-1} / not x_{j-1}

    def value(self, row: int) -> int:
        return int(any(all(((row >> (abs(x) - 1)) & 1) == (x > 0) for x in term) for term in self.terms))

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "terms": [list(t) for t in self.terms]}

    def __str__(self) -> str:
        return " | ".join("&".join(f"{'' if x > 0 else '~'}x{abs(x) - 1}" for x in t) or "1" for t in self.terms) or "0"


class DnfEngine:
    certificate = None  # the LRAT proof of each size's CNF is the whole certificate
    next_on = frozenset({Status.UNSAT})
    certifies = True
    least_size = 0

    def __init__(self, spec: str, table: TruthTable, options: DnfOptions) -> None:
        if table.m != 1:
            raise SpecError("a DNF has one output")
        self.spec, self.table, self.options, self.tag = spec, table, options, options.tag()
        self.lb = 0 if table.outputs[0] == 0 else 1
        self.bound_reason = "the empty DNF is 0; anything else needs a term"
        self.cap = 1 << table.n  # one term per true row

    def method(self, proofs: bool) -> str:
        return "lrat:cadical195" if proofs else "sat:cadical195"

    def check_proofs(self) -> None:
        pass

    def cases(self, size: int, deadline: float | None) -> Iterator[Case]:
        n, f = self.table.n, self.table.outputs[0]
        var = itertools.count(1)
        pos = [[next(var) for _ in range(n)] for _ in range(size)]  # term t uses x_j
        neg = [[next(var) for _ in range(n)] for _ in range(size)]  # term t uses not x_j
        on = [[next(var) for _ in range(1 << n)] for _ in range(size)]  # term t is 1 on row r
        clauses: list[list[int]] = []
        for t in range(size):
            for r in range(1 << n):
                falsified = [neg[t][j] if (r >> j) & 1 else pos[t][j] for j in range(n)]
                clauses += [[-on[t][r], -lit] for lit in falsified]
                clauses.append([on[t][r], *falsified])
            if self.options.width is not None:  # no width + 1 literals of one term
                for used in itertools.combinations(pos[t] + neg[t], self.options.width + 1):
                    clauses.append([-v for v in used])
        for r in range(1 << n):
            clauses += [[on[t][r] for t in range(size)]] if (f >> r) & 1 else [[-on[t][r]] for t in range(size)]
        data = (pos, neg)
        yield Case(size, proof_name(self.spec, self.tag, size), clauses, 3 * size * n + size * (1 << n), data=data)

    def solve(self, case: Case, deadline: float | None, proof_dir: Path | None) -> Solved:
        from solvers.sat import solve_step

        step = solve_step(
            [list(c) for c in case.clauses], case.num_vars, size=case.size, deadline=deadline, proof_dir=proof_dir,
            name=case.name,
        )  # fmt: skip
        return Solved(step.status, step.model, proof=step.proof, method=step.method, cnf_sha256=step.cnf_sha256)

    def verify(self, path: Path) -> Any:
        raise SpecError("no certificate files")

    def accept(self, solved: Solved, case: Case) -> Dnf:
        true = {v for v in solved.witness if v > 0}
        pos, neg = case.data
        terms = tuple(
            tuple([j + 1 for j in range(self.table.n) if pos[t][j] in true] + [-(j + 1) for j in range(self.table.n) if neg[t][j] in true])
            for t in range(case.size)
        )  # fmt: skip
        return self._checked(Dnf(self.table.n, terms))

    def trivial(self) -> Dnf:
        return self._checked(Dnf(self.table.n, ()))

    def _checked(self, dnf: Dnf) -> Dnf:
        if any(dnf.value(r) != (self.table.outputs[0] >> r) & 1 for r in range(1 << self.table.n)):
            raise WitnessError("the DNF does not compute the target")
        return dnf

    def result_fields(self, search: Any) -> dict[str, Any]:
        return {
            "model": "dnf", "care": None, "fanin": None, "depth": 2, "solver": "cadical195",
            "encoding": "toy-dnf", "encoding_version": 1, "strengthenings": (), "extra": self.options.to_dict(),
        }  # fmt: skip


def synthesize_dnf(target: Any, *, width: int | None = None, **search: Any) -> Any:
    from circuits.targets import resolve_target

    spec, table = resolve_target(target)
    return run_engine(DnfEngine(spec, table, DnfOptions(width=width)), **search)


@pytest.fixture
def toy():
    engine = register_engine(Engine(models=("dnf",), search="test_engines:synthesize_dnf", options=DnfOptions))
    yield engine
    unregister_engine("dnf")
    assert "dnf" not in ENGINES


def _brute_force_dnf_terms(f: int, n: int) -> int:
    """The fewest terms of a DNF of ``f``, by trying every set of implicants (tiny n only)."""
    rows = range(1 << n)
    terms = [
        t for t in itertools.product((0, 1, 2), repeat=n)  # 0: x_j absent, 1: x_j, 2: not x_j
        if all((f >> r) & 1 for r in rows if all(c == 0 or ((r >> j) & 1) == (c == 1) for j, c in enumerate(t)))
    ]  # fmt: skip
    cover = [
        sum(1 << r for r in rows if all(c == 0 or ((r >> j) & 1) == (c == 1) for j, c in enumerate(t))) for t in terms
    ]
    for k in range(len(terms) + 1):
        if any(sum_or(c) == f for c in itertools.combinations(cover, k)):
            return k
    raise AssertionError


def sum_or(masks: tuple[int, ...]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


# ------------------------------------------------------------------ tests
@pytest.mark.parametrize("f", [0x0, 0xFF, 0xE8, 0x96, 0x80, 0x7E, 0x1B])
def test_the_toy_engine_finds_the_brute_force_minimum(toy, f):
    result = synthesize_model(TruthTable.single(3, f), "dnf")
    assert result.proven and result.size == _brute_force_dnf_terms(f, 3)  # e.g. PAR_3 (0x96) needs 4 terms


def test_a_registered_engine_runs_from_the_cli_and_a_table_and_resumes(toy, cli, tmp_path):
    # MAJ_3 = x0 x1 | x0 x2 | x1 x2: three terms, and no two terms suffice (brute force above)
    code, out, err = cli("synth", "maj:3", "--model", "dnf", "--json", "--proof", tmp_path / "p")
    assert code == 0 and json.loads(out)["size"] == 3, err
    code, out, err = cli("synth", "maj:3", "--model", "dnf", "--json", "--proof", tmp_path / "p")
    steps = json.loads(out)["steps"]
    assert [s["method"] for s in steps] == ["lrat:cadical195:stored", "lrat:cadical195:stored", "lrat:cadical195"]
    code, _, err = cli("synth", "maj:3", "--model", "dnf", "--layered", "3")
    assert code == 2 and "option --layered does not apply to --model dnf" in err
    spec_path = tmp_path / "t.toml"
    spec_path.write_text('rows = ["par:3"]\n[[columns]]\nmodel = "dnf"\nwidth = 2\n')
    assert [c.options for c in parse_spec(spec_path.read_text()).cells()] == [{"width": 2}]


def test_a_registered_engine_option_becomes_a_synth_option(toy):
    from lbt.synth import _engine_parameters

    (width,) = [p for p in _engine_parameters() if p.name == "width"]
    assert "dnf: at most this many literals per term" in width.annotation.__metadata__[0].help


def test_an_option_of_the_engine_changes_the_minimum(toy):
    # PAR_2 = x0 ~x1 | ~x0 x1 needs terms of 2 literals: with width 1 no DNF computes it
    result = synthesize_model("par:2", "dnf", width=1)
    assert result.proven and result.infeasible and result.size is None


def test_a_model_name_has_one_engine_and_unknown_models_are_bad_input(toy):
    assert engine_for("dnf") is toy and engine_for("b2") is engine_for("mono")
    with pytest.raises(SpecError, match="already has an engine"):
        register_engine(toy)
    with pytest.raises(SpecError, match="unknown model 'nope'"):
        synthesize_model("par:3", "nope")
    with pytest.raises(SpecError, match="option depth does not apply to model dnf"):
        synthesize_model("par:3", "dnf", depth=2)
