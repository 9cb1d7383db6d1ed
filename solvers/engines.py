"""The registry of synthesis engines: the model name picks the engine, nothing else dispatches on it.

Each :class:`Engine` entry names the models it answers to, its options
dataclass (:mod:`solvers.options`: the ``lbt synth`` options, the table-spec
column options and the fields of a result record that say which question it
answers are read off it), the function that runs its search, the record checks
of ``lbt verify`` and the verifier of its certificate files.  Functions are
named ``"module:function"`` and imported only when they run, so the registry
is cheap to import (the command line reads it at start-up).

Built in: the Boolean engine (``b2``, ``aig``, ``mono``:
:func:`solvers.boolean.engine.synthesize`), ``thr``
(:func:`solvers.threshold.engine.synthesize_threshold`) and ``relu``
(:func:`solvers.relu.engine.synthesize_relu`).  A new engine is one module
with a search function (usually a :class:`solvers.run.SizeEngine` and a call of
:func:`solvers.run.run_engine`) and one :func:`register_engine` call.

``synthesize_model(target, model, **options)`` runs the engine of ``model``;
options whose value is ``None`` are left to the engine's default, so callers
(the ``lbt synth`` command, table runs, ``--claims``) can pass what they were
given as is.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from circuits.errors import SpecError
from solvers.boolean.options import BooleanOptions
from solvers.options import EngineOptions
from solvers.relu.options import ReLUOptions
from solvers.threshold.options import ThresholdOptions

__all__ = [
    "BOOLEAN_MODELS",
    "ENGINES",
    "MODELS",
    "SEARCH_OPTIONS",
    "Engine",
    "engine_for",
    "record_options",
    "register_engine",
    "synthesize_model",
    "unregister_engine",
]

#: Options of every search (:func:`solvers.run.run_engine`), whatever the engine.
SEARCH_OPTIONS = frozenset({"max_size", "start", "timeout", "proof_dir", "progress", "jobs", "cubes", "scheduler"})


def _load(name: str) -> Any:
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class Engine:
    """One registry entry (see the module docstring).

    ``search`` is ``"module:function"``, called as ``function(target, model,
    **options)`` when ``takes_model`` is true, else ``function(target,
    **options)``; ``options`` is the engine's options dataclass, ``partial``
    whether it takes don't-care rows (``care``).  ``audit`` names the record
    checks (``function(record, base, table, checks, checked) -> Bounds``, see
    :mod:`solvers.audit`; ``None``: its records cannot be audited), ``verifier``
    the function that re-checks one of its certificate files of the formats
    ``certificates``.  ``tuning`` lists the keyword arguments its search takes
    beyond the options (from Python only, e.g. the symmetry breaking).
    """

    models: tuple[str, ...]
    search: str
    options: type[EngineOptions]
    audit: str | None = None
    verifier: str | None = None
    certificates: tuple[str, ...] = ()
    takes_model: bool = False
    partial: bool = False
    tuning: frozenset[str] = frozenset()
    description: str = field(default="", compare=False)

    def option_names(self) -> frozenset[str]:
        """The options ``lbt synth`` and :func:`synthesize_model` pass on to this engine."""
        return frozenset(f.name for f in fields(self.options)) | ({"care"} if self.partial else set())  # type: ignore[arg-type]

    def run(self, target: Any, model: str, **options: Any) -> Any:
        function = _load(self.search)
        return function(target, model, **options) if self.takes_model else function(target, **options)

    def audit_checks(self) -> Callable[..., Any]:
        assert self.audit is not None
        return _load(self.audit)

    def verify_certificate(self, path: str | Path) -> Any:
        """The verdict of this engine's verifier on one certificate file."""
        if self.verifier is None:
            raise SpecError(f"model {self.models[0]} has no certificate files")
        return _load(self.verifier)(path)


ENGINES: dict[str, Engine] = {}


def register_engine(engine: Engine) -> Engine:
    """Add ``engine`` under each of its model names (a name already taken is an error)."""
    taken = [m for m in engine.models if m in ENGINES]
    if taken:
        raise SpecError(f"model {taken[0]!r} already has an engine")
    for m in engine.models:
        ENGINES[m] = engine
    return engine


def unregister_engine(model: str) -> None:
    """Remove the engine of ``model`` (and its other names)."""
    engine = ENGINES.get(model)
    for m in engine.models if engine is not None else ():
        ENGINES.pop(m, None)


def engine_for(model: object) -> Engine:
    """The engine of ``model``; an unknown model (or a non-string) is a :class:`SpecError`."""
    engine = ENGINES.get(model) if isinstance(model, str) else None
    if engine is None:
        raise SpecError(f"unknown model {model!r} (known: {', '.join(ENGINES)})")
    return engine


def certificate_engine(fmt: Any) -> Engine:
    """The engine whose verifier reads certificates of format ``fmt``."""
    for engine in ENGINES.values():
        if fmt in engine.certificates:
            return engine
    raise SpecError(f"no engine reads certificates of format {fmt!r}")


register_engine(
    Engine(
        models=("b2", "aig", "mono"),
        search="solvers.boolean.engine:synthesize",
        options=BooleanOptions,
        audit="solvers.boolean.verify:audit",
        takes_model=True,
        partial=True,
        tuning=frozenset({"strengthenings"}),
        description="SAT-based exact synthesis over B2, AND-inverter and monotone gates",
    )
)
register_engine(
    Engine(
        models=("thr",),
        search="solvers.threshold.engine:synthesize_threshold",
        options=ThresholdOptions,
        audit="solvers.threshold.verify:audit",
        verifier="solvers.threshold.verify:verify_certificate",
        certificates=("lbt-threshold-refutation",),
        tuning=frozenset({"symmetry"}),
        description="lazy SAT + exact LP search for threshold circuits (or a MILP, never proven)",
    )
)
register_engine(
    Engine(
        models=("relu",),
        search="solvers.relu.engine:synthesize_relu",
        options=ReLUOptions,
        audit="solvers.relu.verify:audit",
        verifier="solvers.relu.verify:verify_certificate",
        certificates=("lbt-relu-refutation", "lbt-relu-bitblast-refutation"),
        tuning=frozenset({"symmetry"}),
        description="activation-pattern (or bit-blasted, with max_weight) search for ReLU networks",
    )
)

#: The built-in models (the registry may hold more: :data:`ENGINES`).
MODELS = tuple(ENGINES)
BOOLEAN_MODELS = engine_for("b2").models


def synthesize_model(target: Any, model: str, **options: Any) -> Any:
    """The smallest circuit of ``model`` computing ``target`` (a spec string or a truth table).

    ``options`` are the engine's options (:attr:`Engine.options`), ``care`` for an
    engine that takes don't-cares, its tuning arguments, and those of every search
    (:data:`SEARCH_OPTIONS`); one that does not apply to the model is a
    :class:`SpecError`.
    """
    engine = engine_for(model)
    given = {key: value for key, value in options.items() if value is not None}
    wrong = sorted(set(given) - engine.option_names() - engine.tuning - SEARCH_OPTIONS)
    if wrong:
        raise SpecError(f"option {wrong[0]} does not apply to model {model}")
    return engine.run(target, model, **given)


def record_options(model: object, **options: Any) -> dict[str, Any]:
    """The fields of a result record that say which question it answers, for ``model`` run with ``options``.

    These are the question fields of the model's options with the engine's
    defaults filled in, and ``care = None`` (a full truth table, no don't-cares).
    A record answers the question asked only if it has these values: a
    refutation under a depth bound, say, does not refute the unbounded question.
    An unknown model (or a non-string, as a stored record may hold) is a
    :class:`SpecError`.

    >>> record_options("b2", depth=3)
    {'fanin': 2, 'depth': 3, 'care': None}
    >>> record_options("relu")
    {'hidden_layers': 1, 'skip': False, 'output': 'linear', 'max_weight': None, 'care': None}
    """
    engine = engine_for(model)
    given = {key: value for key, value in options.items() if value is not None}
    unknown = set(given) - set(engine.options.column_types())
    if unknown:
        raise SpecError(f"model {model} has no option {min(unknown)!r}")
    return engine.options(**given).to_dict() | {"care": None}
