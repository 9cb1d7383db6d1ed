"""The options of the ReLU engines (imports nothing heavy: the command line reads them at start-up)."""

from __future__ import annotations

from dataclasses import dataclass

from circuits.errors import SpecError
from solvers.options import EngineOptions, check_int, option

__all__ = ["MAX_WEIGHT", "OUTPUTS", "ReLUOptions"]

#: Output activations.
OUTPUTS = ("linear", "relu", "threshold")

#: Largest ``max_weight``: the bit-blasted encoding has a clause per excluded weight pattern of every weight.
MAX_WEIGHT = 1 << 12


@dataclass(frozen=True)
class ReLUOptions(EngineOptions):
    """The architecture: ``hidden_layers``, ``skip``, ``output``, ``max_weight`` (see :mod:`solvers.relu.patterns`)."""

    KIND = "ReLU"

    hidden_layers: int = option(1, int, help="at most this many hidden layers")
    skip: bool = option(False, bool, help="skip connections from the inputs to later layers", flag="--skip/--no-skip")
    output: str = option("linear", str, help="output neuron: linear, threshold or relu")
    max_weight: int | None = option(None, int, help="integer weights and biases in [-W, W] (bit-blasted search)")

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden_layers", check_int("hidden_layers", self.hidden_layers, 1))
        if not isinstance(self.skip, bool) and type(self.skip).__name__ != "bool_":  # numpy's bool too
            raise SpecError(f"skip must be true or false, got {self.skip!r}")
        object.__setattr__(self, "skip", bool(self.skip))
        if self.output not in OUTPUTS:
            raise SpecError(f"unknown output kind {self.output!r} (known: {', '.join(OUTPUTS)})")
        object.__setattr__(self, "max_weight", check_int("max_weight", self.max_weight, 0, MAX_WEIGHT))

    def tag(self) -> str:
        """File-name tag, e.g. ``relu-l2-skip-thr-w1``."""
        out = {"linear": "lin", "relu": "relu", "threshold": "thr"}[self.output]
        tag = f"relu-l{self.hidden_layers}{'-skip' if self.skip else ''}-{out}"
        return tag + (f"-w{self.max_weight}" if self.max_weight is not None else "")
