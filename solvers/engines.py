"""The registry of synthesis engines: the model name picks the engine, nothing else dispatches on it.

Each :class:`Engine` entry names the models it answers to, the function that
runs its search (imported only when a search runs, so that the registry is
cheap to import), the options a table column or a ``--claims`` line may give
it with their types, the ``lbt synth`` options that apply to it, and the
family of record checks :mod:`solvers.audit` runs on its results.

Built in: the Boolean engine (``b2``, ``aig``, ``mono``:
:func:`solvers.boolean.engine.synthesize`), ``thr``
(:func:`solvers.threshold.encoding.synthesize_threshold`) and ``relu``
(:func:`solvers.relu.patterns.synthesize_relu`).  A new engine is one module with a
search function and one :func:`register_engine` call.

``synthesize_model(target, model, **options)`` runs the engine of ``model``;
options whose value is ``None`` are left to the engine's default, so callers
(the ``lbt synth`` command, table runs) can pass what they were given as is.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from circuits.errors import SpecError

__all__ = [
    "BOOLEAN_MODELS",
    "ENGINES",
    "MODELS",
    "Engine",
    "engine_for",
    "record_options",
    "register_engine",
    "synthesize_model",
    "unregister_engine",
]

#: Options of ``lbt synth`` that every engine takes.
COMMON_CLI_OPTIONS = frozenset({"max_size", "start", "timeout"})


@dataclass(frozen=True)
class Engine:
    """One registry entry (see the module docstring).

    ``search`` is ``"module:function"``; the function is called as
    ``function(target, model, **options)`` when ``takes_model`` is true, else
    ``function(target, **options)``, with ``proof_dir`` and ``progress`` among
    the options.  ``options`` are those a table column may set (name -> type);
    ``cli_options`` those ``lbt synth`` passes on (beyond
    :data:`COMMON_CLI_OPTIONS`).  ``defaults(**options)`` gives the fields of
    a result record that say which question it answers; ``audit`` names the
    family of checks in :mod:`solvers.audit` (``None``: its records cannot be
    audited).
    """

    models: tuple[str, ...]
    search: str
    options: dict[str, type]
    cli_options: frozenset[str]
    defaults: Callable[..., dict[str, Any]]
    audit: str | None = None
    takes_model: bool = False
    description: str = field(default="", compare=False)

    def run(self, target: Any, model: str, **options: Any) -> Any:
        module, _, name = self.search.partition(":")
        function = getattr(importlib.import_module(module), name)
        return function(target, model, **options) if self.takes_model else function(target, **options)


def _boolean_defaults(**opts: Any) -> dict[str, Any]:
    return {"fanin": 2, "depth": None} | opts  # synthesize()'s defaults


def _threshold_defaults(**opts: Any) -> dict[str, Any]:
    from solvers.threshold.encoding import ThresholdOptions

    return ThresholdOptions(**opts).to_dict()


def _relu_defaults(**opts: Any) -> dict[str, Any]:
    from dataclasses import asdict

    from solvers.relu.patterns import ReLUOptions

    return asdict(ReLUOptions(**opts))


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


def engine_for(model: str) -> Engine:
    """The engine of ``model``; an unknown model (or a non-string) is a :class:`SpecError`."""
    engine = ENGINES.get(model) if isinstance(model, str) else None
    if engine is None:
        raise SpecError(f"unknown model {model!r} (known: {', '.join(ENGINES)})")
    return engine


register_engine(
    Engine(
        models=("b2", "aig", "mono"),
        search="solvers.boolean.engine:synthesize",
        options={"depth": int, "fanin": int},
        cli_options=frozenset({"depth", "fanin", "solver", "jobs", "care"}),
        defaults=_boolean_defaults,
        audit="boolean",
        takes_model=True,
        description="SAT-based exact synthesis over B2, AND-inverter and monotone gates",
    )
)
register_engine(
    Engine(
        models=("thr",),
        search="solvers.threshold.encoding:synthesize_threshold",
        options={"depth": int, "layered": int, "max_weight": int, "fanin": int},
        cli_options=frozenset({"depth", "layered", "max_weight", "fanin", "method"}),
        defaults=_threshold_defaults,
        audit="thr",
        description="lazy SAT + exact LP search for threshold circuits",
    )
)
register_engine(
    Engine(
        models=("relu",),
        search="solvers.relu.patterns:synthesize_relu",
        options={"hidden_layers": int, "skip": bool, "output": str, "max_weight": int},
        cli_options=frozenset({"hidden_layers", "skip", "output", "max_weight"}),
        defaults=_relu_defaults,
        audit="relu",
        description="activation-pattern (or bit-blasted, with max_weight) search for ReLU networks",
    )
)

#: The built-in models (the registry may hold more: :data:`ENGINES`).
MODELS = tuple(ENGINES)
BOOLEAN_MODELS = engine_for("b2").models


def synthesize_model(target: Any, model: str, **options: Any) -> Any:
    """The smallest circuit of ``model`` computing ``target`` (a spec string or a truth table)."""
    given = {key: value for key, value in options.items() if value is not None}
    return engine_for(model).run(target, model, **given)


def record_options(model: str, **options: Any) -> dict[str, Any]:
    """The fields of a result record that say which question it answers, for ``model`` run with ``options``.

    These are the model's options with the engine's defaults filled in, and
    ``care = None`` (a full truth table, no don't-cares).  A record answers the
    question asked only if it has these values: a refutation under a depth bound,
    say, does not refute the unbounded question.

    >>> record_options("b2", depth=3)
    {'fanin': 2, 'depth': 3, 'care': None}
    >>> record_options("relu")
    {'hidden_layers': 1, 'skip': False, 'output': 'linear', 'max_weight': None, 'care': None}
    """
    engine = engine_for(model)
    given = {key: value for key, value in options.items() if value is not None}
    unknown = set(given) - engine.defaults().keys()
    if unknown:
        raise SpecError(f"model {model} has no option {min(unknown)!r}")
    return engine.defaults(**given) | {"care": None}
