"""One entry point for every synthesis engine: the model name picks the engine.

``synthesize_model(target, model, **options)`` calls
:func:`solvers.synthesis.synthesize` (``b2``, ``aig``, ``mono``),
:func:`solvers.threshold_sat.synthesize_threshold` (``thr``) or
:func:`solvers.relu_sat.synthesize_relu` (``relu``).  Options whose value is
``None`` are left to the engine's default, so callers (the ``lbt synth`` command,
table runs) can pass what they were given as is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from circuits.errors import SpecError

__all__ = ["BOOLEAN_MODELS", "MODELS", "record_options", "synthesize_model"]

BOOLEAN_MODELS = ("b2", "aig", "mono")
MODELS = (*BOOLEAN_MODELS, "thr", "relu")


def synthesize_model(target: Any, model: str, **options: Any) -> Any:
    """The smallest circuit of ``model`` computing ``target`` (a spec string or a truth table)."""
    given = {key: value for key, value in options.items() if value is not None}
    if model in BOOLEAN_MODELS:
        from solvers.synthesis import synthesize

        return synthesize(target, model, **given)
    if model == "thr":
        from solvers.threshold_sat import synthesize_threshold

        return synthesize_threshold(target, **given)
    if model == "relu":
        from solvers.relu_sat import synthesize_relu

        return synthesize_relu(target, **given)
    raise SpecError(f"unknown model {model!r} (known: {', '.join(MODELS)})")


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
    given = {key: value for key, value in options.items() if value is not None}
    fields: Callable[..., dict[str, Any]]
    if model in BOOLEAN_MODELS:

        def fields(**opts: Any) -> dict[str, Any]:
            return {"fanin": 2, "depth": None} | opts  # synthesize()'s defaults

    elif model == "thr":
        from solvers.threshold_sat import ThresholdOptions

        def fields(**opts: Any) -> dict[str, Any]:
            return ThresholdOptions(**opts).to_dict()

    elif model == "relu":
        from dataclasses import asdict

        from solvers.relu_sat import ReLUOptions

        def fields(**opts: Any) -> dict[str, Any]:
            return asdict(ReLUOptions(**opts))

    else:
        raise SpecError(f"unknown model {model!r} (known: {', '.join(MODELS)})")
    unknown = set(given) - fields().keys()
    if unknown:
        raise SpecError(f"model {model} has no option {min(unknown)!r}")
    return fields(**given) | {"care": None}
