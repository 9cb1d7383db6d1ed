"""What every conversion and construction reports: the object built, its
measured size and depth, the paper's formula for them, and how it was checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Report"]


@dataclass(frozen=True)
class Report:
    """The outcome of one conversion or construction.

    ``size``/``depth`` are measured on ``result``; ``formula_size`` /
    ``formula_depth`` are a formula evaluated at ``params`` (None when there is
    no closed formula: the value is measured only).  ``formula_source`` says
    whose formula it is: ``"paper"`` when the paper states that exact count
    (Lemma 22's ``2s + q``, Theorem 16's ``d + 1`` for DISJ_d, Proposition 17's
    ``m + 2d``), ``"lbt"`` when it is lbt's own count of the construction it
    built, because the paper gives only an O(.) bound (Lemmas 21 and 25, the IP
    network of Theorem 16, the barrier networks) or no bound at all (the
    conversions that are not the paper's).  ``matches_formula`` then says only
    that the construction has the size lbt computed for it, not that a bound of
    the paper is attained.  ``checked`` says what was verified exactly (e.g.
    "all 2^6 Boolean inputs", or a finite set of rational points for
    real-valued networks).
    """

    name: str
    params: dict[str, Any]
    result: Any
    size: int
    depth: int
    formula: str
    formula_size: int | None
    formula_depth: int | None
    checked: str
    formula_kind: str = "exact"  # "exact": size/depth equal the formula; "upper": at most the formula
    formula_source: str = "lbt"  # "paper": the paper states this count; "lbt": lbt's own count of its construction
    source_size: int | None = None
    source_depth: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def matches_formula(self) -> bool:
        def ok(measured: int, formula: int | None) -> bool:
            if formula is None:
                return True
            return measured == formula if self.formula_kind == "exact" else measured <= formula

        return ok(self.size, self.formula_size) and ok(self.depth, self.formula_depth)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            "params": self.params,
            "size": self.size,
            "depth": self.depth,
            "formula": self.formula,
            "formula_size": self.formula_size,
            "formula_depth": self.formula_depth,
            "formula_kind": self.formula_kind,
            "formula_source": self.formula_source,
            "matches_formula": self.matches_formula,
            "checked": self.checked,
        }
        if self.source_size is not None:
            out["source_size"] = self.source_size
            out["source_depth"] = self.source_depth
        out.update(self.extra)
        return out
