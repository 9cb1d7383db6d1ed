"""The options of the threshold engine (imports nothing heavy: the command line reads them at start-up)."""

from __future__ import annotations

from dataclasses import dataclass

from circuits.errors import SpecError
from solvers.options import EngineOptions, check_int, option

__all__ = ["METHODS", "ThresholdOptions"]

#: Search methods: ``lazy`` (SAT + exact LP, certified refutations) and ``milp`` (a comparison, never proven).
METHODS = ("lazy", "milp")


@dataclass(frozen=True)
class ThresholdOptions(EngineOptions):
    """The model: ``depth``, ``layered``, ``max_weight``, ``fanin`` (``None``: unrestricted), and the method."""

    KIND = "threshold"

    depth: int | None = option(None, int, help="depth bound: every path has at most D gates")
    layered: int | None = option(None, int, help="strictly layered with this many layers")
    max_weight: int | None = option(None, int, help="integer weights and thresholds in [-W, W]")
    fanin: int | None = option(None, int, help="every gate reads at most K nodes")
    method: str = option("lazy", str, help="lazy (SAT + exact LP, certified) or milp (never proven)", question=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", check_int("depth", self.depth, 1))
        object.__setattr__(self, "layered", check_int("layered", self.layered, 1))
        object.__setattr__(self, "max_weight", check_int("max-weight", self.max_weight, 0))
        object.__setattr__(self, "fanin", check_int("fanin", self.fanin, 1))
        if self.depth is not None and self.layered is not None:
            raise SpecError("give either depth (skip connections allowed) or layered, not both")
        if self.method not in METHODS:
            raise SpecError(f"unknown method {self.method!r} (known: {', '.join(METHODS)})")

    @property
    def depth_bound(self) -> int | None:
        return self.layered if self.layered is not None else self.depth

    def tag(self) -> str:
        """File-name tag, e.g. ``thr-d2-k3``."""
        letters = {"depth": "d", "layered": "l", "max_weight": "w", "fanin": "k"}
        return "-".join(["thr", *(f"{letters[k]}{v}" for k, v in self.to_dict().items() if v is not None)])
