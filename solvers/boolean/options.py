"""The options of the Boolean engine (imports nothing heavy: the command line reads them at start-up)."""

from __future__ import annotations

from dataclasses import dataclass

from circuits.errors import SpecError
from solvers.options import EngineOptions, check_int, option

__all__ = ["MAX_FANIN", "BooleanOptions"]

#: Largest gate fan-in (:data:`circuits.boolean.MAX_FANIN`, which this module does not import: it is light).
MAX_FANIN = 5


@dataclass(frozen=True)
class BooleanOptions(EngineOptions):
    """The gates' fan-in and a depth bound (the question), and the SAT solver (the method)."""

    KIND = "Boolean"

    fanin: int = option(2, int, help="gate fan-in, 2..5")
    depth: int | None = option(None, int, help="depth bound: every path has at most D gates")
    solver: str = option("cadical195", str, help="python-sat solver name", question=False)

    def __post_init__(self) -> None:
        if not isinstance(self.fanin, int) or isinstance(self.fanin, bool) or not 2 <= self.fanin <= MAX_FANIN:
            raise SpecError(f"fan-in must be an integer in 2..{MAX_FANIN}, got {self.fanin!r}")
        object.__setattr__(self, "depth", check_int("depth bound", self.depth, 1))
        if not isinstance(self.solver, str):
            raise SpecError(f"solver name must be a string, got {self.solver!r}")

    def tag(self, model: str, care: tuple[int, ...] | None = None) -> str:
        """File-name tag, e.g. ``b2``, ``aig-k3-d2``; a care set adds 8 hex digits of its hash."""
        import hashlib

        tag = model + ("" if self.fanin == 2 else f"-k{self.fanin}") + ("" if self.depth is None else f"-d{self.depth}")
        if care is not None:
            tag += "-dc" + hashlib.sha256(repr(care).encode()).hexdigest()[:8]
        return tag
