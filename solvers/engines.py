"""One entry point for every synthesis engine: the model name picks the engine.

``synthesize_model(target, model, **options)`` calls
:func:`solvers.synthesis.synthesize` (``b2``, ``aig``, ``mono``),
:func:`solvers.threshold_sat.synthesize_threshold` (``thr``) or
:func:`solvers.relu_sat.synthesize_relu` (``relu``).  Options whose value is
``None`` are left to the engine's default, so callers (the ``lbt synth`` command,
table runs) can pass what they were given as is.
"""

from __future__ import annotations

from typing import Any

from circuits.errors import SpecError

__all__ = ["BOOLEAN_MODELS", "MODELS", "synthesize_model"]

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
