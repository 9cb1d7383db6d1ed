"""Claims about minimum sizes, checked by running the searches they need (``lbt verify --claims FILE``).

A claim names a model (with options), a target and a bound on the minimum
size in that model::

    # MAJ_5 needs exactly 9 gates over B2 (Knuth, TAOCP 7.1.2)
    b2 maj:5 = 9
    thr ip:3 >= 4
    thr layered=2 disj:2..3 <= 4      # a range stands for one claim per value
    relu hidden_layers=1 output=relu disj:2 = 3

A line is ``MODEL [KEY=VALUE ...] TARGET OP N`` with ``OP`` one of ``=``
(``==``), ``>=``, ``>``, ``<=``, ``<``; ``#`` starts a comment.  The keys are
the column options of a table spec (:func:`lbt.tablespec.model_options`, ``-``
may be written for ``_``) plus ``timeout`` (seconds for this claim).  A
``.toml`` file holds the same lines as ``claims = ["b2 maj:5 = 9", ...]`` and
may set ``timeout`` for all of them.

Each claim is decided by one upward search bounded by the claim
(:func:`check_claim`): what the search establishes is an interval
``lower <= minimum <= upper`` (the lower bound from refuted sizes, the upper
bound from a witness re-evaluated on all inputs), and the verdict is

* ``confirmed`` — the interval lies inside the claim;
* ``refuted`` — the interval lies outside it (a smaller witness exists, or the
  sizes the claim allows are all refuted);
* ``unknown`` — neither, because of the time limit, Ctrl-C or a model whose
  engine cannot refute that size (ReLU networks with several hidden layers).

A **count claim** ``MODEL [KEY=VALUE ...] npn:N count S OP K`` says how many of
the ``2^(2^N)`` functions of ``N <= 4`` inputs have minimum size ``S``
(:func:`check_count`), e.g. ``thr npn:4 count 1 = 1882`` (the 4-input
threshold functions) or Knuth's distribution of 4-input B2 costs, one line per
cost.  A function and its complement count at the same size (a complemented
output is free, Knuth's convention), so each NPN class is decided once, by
searches for its smallest table and that table's complement, and weighted by
its number of functions.  Only models whose size does not change when inputs
or the output are negated are accepted (``b2``, ``aig``, ``thr`` without
``max_weight``).

A claim is never confirmed by a bound that is not proven.  A claim the engine
rejects (a monotone circuit for a non-monotone target, too many inputs) is
reported as an error by ``lbt verify --claims``; the other claims are still checked.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from circuits.errors import SpecError, excerpt
from circuits.schema import is_decimal, loads_toml, read_text
from lbt.tablespec import expand_row, model_options, parse_column
from solvers.engines import ENGINES, synthesize_model
from solvers.limits import check_timeout

__all__ = ["Claim", "Verdict", "check_claim", "check_count", "decide", "load_claims", "parse_claims"]

_OPS = {"=": "=", "==": "=", ">=": ">=", "<=": "<=", ">": ">=", "<": "<="}
_LINE = re.compile(r"^(?P<lhs>.*?)\s*(?P<op>==|>=|<=|=|>|<)\s*(?P<value>-?[0-9]+)\s*$")
_COUNT = re.compile(r"^(?P<lhs>.*?)\s+count\s+(?P<size>[0-9]{1,4})$")
#: Models in which negating inputs or the output costs nothing (count claims weight NPN classes).
COUNT_MODELS = ("b2", "aig", "thr")
_OPTION = re.compile(r"^(?P<key>[A-Za-z][A-Za-z_-]*)=(?P<value>\S+)$")
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


@dataclass(frozen=True)
class Claim:
    """``minimum size of target in model (with options)  op  value``; ``>`` and ``<`` are stored as ``>=``/``<=``."""

    text: str  # as written (one line of the file)
    line: int
    model: str
    target: str  # normalised target spec
    op: str  # "=", ">=" or "<="
    value: int
    options: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None
    count_size: int | None = None  # a count claim: the number of functions of minimum size count_size

    def __str__(self) -> str:
        opts = "".join(f" {k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in self.options.items())
        count = f" count {self.count_size}" if self.count_size is not None else ""
        return f"{self.model}{opts} {self.target}{count} {self.op} {self.value}"


@dataclass(frozen=True)
class Verdict:
    """What the search established about a claim: ``lower <= minimum <= upper`` (``upper`` None: no witness)."""

    claim: Claim
    verdict: str  # "confirmed", "refuted", "unknown" (or "error": the engine rejected the claim's options)
    reason: str
    lower: int
    upper: int | None
    infeasible: bool = False  # no circuit at all under the options (proven)
    seconds: float = 0.0
    result: dict[str, Any] | None = None  # the search's result record
    name: str = ""  # its file stem (:attr:`solvers.records.SynthesisResult.name`)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": str(self.claim),
            "line": self.claim.line,
            "verdict": self.verdict,
            "reason": self.reason,
            "lower_bound": self.lower,
            "upper_bound": self.upper,
            "infeasible": self.infeasible,
            "seconds": round(self.seconds, 3),
            "result": self.result,
        }


def _kind(key: str) -> type | None:
    """The type of an option a claim may set: a column option of some model, or its own timeout."""
    if key == "timeout":
        return float
    return next((kinds[key] for kinds in map(model_options, ENGINES) if key in kinds), None)


def _option_value(key: str, text: str) -> Any:
    kind = _kind(key)
    if kind is int and is_decimal(text, signed=True):
        return int(text)
    if kind is float and re.fullmatch(r"[0-9]{1,20}(\.[0-9]{0,20})?", text):
        return float(text)
    if kind is bool and text.lower() in _TRUE + _FALSE:
        return text.lower() in _TRUE
    return text  # a wrong type or an unknown key: parse_column names it


def _parse_line(text: str, here: str, line: int, timeout: float | None) -> list[Claim]:
    m = _LINE.match(text)
    if m is None:
        raise SpecError(
            f"{here}expected 'MODEL [KEY=VALUE ...] TARGET OP N' with OP one of = >= > <= <, got {excerpt(text)}"
        )
    lhs, count_size = m["lhs"], None
    counted = _COUNT.match(lhs)
    if counted is not None:
        lhs, count_size = counted["lhs"], int(counted["size"])
    words = lhs.split()
    if len(words) < 2:
        raise SpecError(f"{here}expected a model and a target before {excerpt(m['op'])}, got {excerpt(text)}")
    model = words[0].lower()
    if model not in ENGINES:
        raise SpecError(f"{here}unknown model {excerpt(words[0])} (known: {', '.join(ENGINES)})")
    raw: dict[str, Any] = {"model": model}
    targets = []
    for word in words[1:]:
        opt = _OPTION.match(word)
        if opt is None:
            targets.append(word)
            continue
        key = opt["key"].replace("-", "_").lower()
        if key in raw or key in ("model", "name", "max_size"):
            raise SpecError(f"{here}option {excerpt(key)} is given twice or set by the claim itself")
        raw[key] = _option_value(key, opt["value"])
    if len(targets) != 1:
        raise SpecError(f"{here}expected one target spec, got {' '.join(targets) or 'none'} in {excerpt(text)}")
    column = parse_column(raw, here)
    op = _OPS[m["op"]]
    value = int(m["value"]) + (1 if m["op"] == ">" else -1 if m["op"] == "<" else 0)
    limit = column.timeout if column.timeout is not None else timeout
    if count_size is not None:
        family, _, arity = targets[0].partition(":")
        if family.lower() != "npn" or arity not in ("1", "2", "3", "4"):
            raise SpecError(f"{here}a count claim is about npn:N (N = 1..4), got {excerpt(targets[0])}")
        if model not in COUNT_MODELS or column.options.get("max_weight") is not None:
            raise SpecError(
                f"{here}a count claim needs a model in which negating inputs or the output is free "
                f"({', '.join(COUNT_MODELS)}; thr without max_weight), got {excerpt(text)}"
            )
        return [Claim(text, line, model, f"npn:{arity}", op, value, dict(column.options), limit, count_size)]
    try:
        rows = expand_row(targets[0])
    except SpecError as exc:
        raise SpecError(f"{here}{exc}") from None
    return [Claim(text, line, model, row.spec, op, value, dict(column.options), limit) for row in rows]


def parse_claims(text: str, path: str | Path | None = None, *, timeout: float | None = None) -> list[Claim]:
    """The claims of a file's text: TOML (``claims = [...]``) if ``path`` ends in ``.toml``, else one per line.

    ``timeout`` applies to claims that set none (a TOML file's own ``timeout`` takes precedence over it).
    """
    where = f"{path}: " if path is not None else ""
    entries: list[tuple[str, int, str]]  # (error prefix, line number, text)
    if path is not None and Path(path).suffix.lower() == ".toml":
        raw = loads_toml(text, where)
        unknown = [k for k in raw if k not in ("claims", "timeout")]
        if unknown:
            raise SpecError(f"{where}unknown key {excerpt(unknown[0])} (known: claims, timeout)")
        items = raw.get("claims")
        if not isinstance(items, list) or not all(isinstance(e, str) for e in items):
            raise SpecError(f'{where}claims must be a list of strings such as "b2 maj:5 = 9"')
        if "timeout" in raw:
            timeout = check_timeout(raw["timeout"], f"{where}timeout")
        entries = [(f"{where}claims[{i}]: ", i + 1, e.strip()) for i, e in enumerate(items)]
    else:
        entries = [
            (f"{where}line {i + 1}: ", i + 1, t.split("#", 1)[0].strip()) for i, t in enumerate(text.splitlines())
        ]
    claims = [c for here, number, line in entries if line for c in _parse_line(line, here, number, timeout)]
    if not claims:
        raise SpecError(f"{where}no claims (expected lines such as 'b2 maj:5 = 9')")
    return claims


def load_claims(path: str | Path, *, timeout: float | None = None) -> list[Claim]:
    """Read a claims file (:func:`parse_claims`)."""
    path = Path(path)
    text = read_text(path)
    return parse_claims(text, path, timeout=timeout)


def _holds(op: str, value: int, size: int) -> bool:
    return size == value if op == "=" else size >= value if op == ">=" else size <= value


def decide(claim: Claim, lower: int, upper: int | None, infeasible: bool = False) -> tuple[str, str]:
    """The verdict on ``claim`` from a proven interval ``lower <= minimum <= upper`` (``None``: unbounded)."""
    op, k = claim.op, claim.value
    if infeasible:
        verdict = "confirmed" if op == ">=" else "refuted"
        return verdict, "no circuit exists under these options (every useful size refuted)"
    if upper is None:
        span = f"minimum >= {lower}"
    elif lower == upper:
        span = f"minimum = {upper}"
    else:
        span = f"{lower} <= minimum <= {upper}"
    # the claim holds for every value in [lower, upper] -> confirmed; for none -> refuted
    if upper is not None and all(_holds(op, k, s) for s in range(lower, upper + 1)):
        return "confirmed", span
    if upper is None and op == ">=" and lower >= k:
        return "confirmed", span
    below = upper is not None and upper < k and op in ("=", ">=")  # a smaller witness exists
    above = lower > k and op in ("=", "<=")  # every size the claim allows is refuted
    if below or above:
        return "refuted", span
    return "unknown", span


def check_claim(
    claim: Claim,
    *,
    proof_dir: str | Path | None = None,
    progress: Callable[[Any], None] | None = None,
) -> Verdict:
    """Decide ``claim`` with one search bounded by it (see the module docstring).

    ``= k`` and ``<= k`` search sizes up to ``k``; ``>= k`` up to ``k - 1`` (at
    least 1).  ``>= k`` with ``k <= 0`` holds without a search.
    """
    if claim.count_size is not None:
        return check_count(claim, proof_dir=proof_dir, progress=progress)
    if claim.op == ">=" and claim.value <= 0:
        return Verdict(claim, "confirmed", "every size is >= 0", 0, None)
    if claim.op in ("=", "<=") and claim.value < 0:
        return Verdict(claim, "refuted", "no size is negative", 0, None)
    max_size = max(claim.value - 1 if claim.op == ">=" else claim.value, 1)
    result = synthesize_model(
        claim.target,
        claim.model,
        max_size=max_size,
        timeout=claim.timeout,
        proof_dir=proof_dir,
        progress=progress,
        **claim.options,
    )
    lower, upper = int(result.lower_bound), result.size
    infeasible = bool(getattr(result, "infeasible", False))
    verdict, span = decide(claim, lower, upper, infeasible)
    reason = span
    if verdict == "unknown":
        why = (
            "interrupted" if result.interrupted else "time limit" if result.timed_out else "not refuted by this engine"
        )
        reason = f"{span} ({why})"
    return Verdict(
        claim, verdict, reason, lower, upper, infeasible, float(result.seconds), result.to_dict(), result.name
    )


#: Searches of count claims that ran to their bound in this process: key -> (lower bound, size found, bound
#: searched to).  A later count claim about the same classes re-uses them instead of solving again.
_SEARCHED: dict[tuple[Any, ...], tuple[int, int | None, int]] = {}


def _npn_classes(n: int) -> list[tuple[int, int]]:
    """``(smallest table, number of functions)`` of every NPN class of ``n`` inputs, in increasing order."""
    import numpy as np

    from circuits.npn import npn_canonical_all

    tables, sizes = np.unique(npn_canonical_all(n), return_counts=True)
    return [(int(t), int(k)) for t, k in zip(tables, sizes)]


def check_count(
    claim: Claim,
    *,
    proof_dir: str | Path | None = None,
    progress: Callable[[Any], None] | None = None,
) -> Verdict:
    """Decide a count claim: how many functions of ``N`` inputs have minimum size ``claim.count_size``.

    Every NPN class is decided by two searches bounded by that size, for its
    smallest table and for the complement of that table; the class's size is the
    smaller minimum.  What is established is an interval ``lower <= count <=
    upper`` (classes left open by the time limit, which covers the whole claim,
    widen it), decided as :func:`decide` does.  A class decided by an earlier
    count claim of the same process (the same model and options) is not searched again.
    """
    from circuits.truthtable import TruthTable, full_mask

    assert claim.count_size is not None
    n, size = int(claim.target.split(":")[1]), claim.count_size
    deadline = None if claim.timeout is None else time.monotonic() + claim.timeout
    started = time.monotonic()
    lower = upper = 0
    open_classes = 0
    interrupted = timed_out = False
    for table, functions in _npn_classes(n):
        bounds: list[tuple[int, int | None]] = []  # (lower, upper or None) of the table and of its complement
        for t in (table, table ^ full_mask(n)):
            key = (claim.model, tuple(sorted(claim.options.items())), n, t)
            known = _SEARCHED.get(key)
            if known is not None and (known[0] == known[1] or known[0] > size or known[2] >= size):
                bounds.append((known[0], known[1]))  # decided by an earlier search of this run
                continue
            left = None if deadline is None else deadline - time.monotonic()
            if interrupted or (left is not None and left <= 0):
                bounds.append((0, None))
                timed_out = timed_out or not interrupted
                continue
            spec = f"tt:{n}:{TruthTable.single(n, t).hex()}"
            result = synthesize_model(
                spec,
                claim.model,
                max_size=max(size, 1),
                timeout=left,
                proof_dir=proof_dir,
                progress=progress,
                **claim.options,
            )
            interrupted = interrupted or bool(result.interrupted)
            timed_out = timed_out or bool(result.timed_out)
            bounds.append((int(result.lower_bound), result.size))
            if not (result.timed_out or result.interrupted):
                _SEARCHED[key] = (int(result.lower_bound), result.size, max(size, 1))
        # the class's size is the smaller minimum: at least the smaller lower bound, at most the smaller witness
        low = min(b[0] for b in bounds)
        found: list[int] = [b[1] for b in bounds if b[1] is not None]
        high = min(found) if found else None
        if low == high == size:
            lower += functions
            upper += functions
        elif low <= size and (high is None or high >= size):
            upper += functions  # not decided: the class may or may not have this size
            open_classes += 1
    seconds = time.monotonic() - started
    span = f"{lower} functions of size {size}" if lower == upper else f"{lower} to {upper} functions of size {size}"
    holds = [_holds(claim.op, claim.value, k) for k in range(lower, upper + 1)]
    verdict = "confirmed" if all(holds) else "refuted" if not any(holds) else "unknown"
    reason = span
    if open_classes:
        why = "interrupted" if interrupted else "time limit" if timed_out else "not refuted by this engine"
        reason = f"{span} ({open_classes} classes open: {why})"
    return Verdict(claim, verdict, reason, lower, upper, False, seconds, None, "")
