"""NPN canonical forms of single-output Boolean functions.

Two functions are NPN-equivalent when one becomes the other by negating
inputs, permuting inputs and negating the output.  The canonical form used
here is the **smallest table (as an integer)** in the NPN class; it is found
exhaustively over all ``2 * n! * 2**n`` transforms, vectorised with numpy,
for ``n <= MAX_NPN_INPUTS``.

A transform ``T = (perm, input_neg, output_neg)`` acts as
``T(f)(x) = output_neg XOR f(y)`` with ``y_j = x[perm[j]] XOR bit j of input_neg``,
i.e. ``T(f) = f.negate_inputs(input_neg).permute(perm)``, complemented when
``output_neg``.  :func:`npn_canonical` returns the canonical table and a
transform reaching it from ``f``.

>>> from circuits.truthtable import TruthTable
>>> f = TruthTable.single(3, 0xe8)          # MAJ_3
>>> table, transform = npn_canonical(f)
>>> transform.apply(f).table == table
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import permutations

import numpy as np

from circuits.errors import ArityError, TooLargeError
from circuits.truthtable import TruthTable

__all__ = ["MAX_NPN_INPUTS", "NPNTransform", "npn_canonical", "npn_canonical_all"]

#: Largest number of inputs for which canonical forms are computed (2**6 = 64-bit tables).
MAX_NPN_INPUTS = 6


@dataclass(frozen=True, slots=True)
class NPNTransform:
    perm: tuple[int, ...]
    input_neg: int
    output_neg: bool

    def apply(self, f: TruthTable) -> TruthTable:
        g = f.negate_inputs(self.input_neg).permute(self.perm)
        return g.complement() if self.output_neg else g


@cache
def _transforms(n: int) -> tuple[list[tuple[tuple[int, ...], int]], np.ndarray]:
    """All (perm, input_neg) pairs and, per pair, the source row of every row."""
    rows = np.arange(1 << n)
    xbits = [(rows >> j) & 1 for j in range(n)]
    pairs: list[tuple[tuple[int, ...], int]] = []
    sources = []
    for perm in permutations(range(n)):
        for mask in range(1 << n):
            src = np.zeros(1 << n, dtype=np.int64)
            for j in range(n):
                src |= (xbits[perm[j]] ^ ((mask >> j) & 1)) << j
            pairs.append((perm, mask))
            sources.append(src)
    return pairs, np.array(sources, dtype=np.int64)


def _check(f: TruthTable) -> None:
    if f.m != 1:
        raise ArityError(f"NPN canonical form is defined for single-output functions, got {f.m} outputs")
    if f.n > MAX_NPN_INPUTS:
        raise TooLargeError(f"NPN canonical form supports at most {MAX_NPN_INPUTS} inputs, got {f.n}")


def _pack(bits: np.ndarray) -> np.ndarray:
    """Rows of a 0/1 matrix (last axis = table rows, at most 64) as uint64 tables."""
    weights = np.left_shift(np.uint64(1), np.arange(bits.shape[-1], dtype=np.uint64))
    return (bits.astype(np.uint64) * weights).sum(axis=-1, dtype=np.uint64)


def npn_canonical(f: TruthTable) -> tuple[int, NPNTransform]:
    """The canonical (smallest) table of ``f``'s NPN class and a transform reaching it."""
    _check(f)
    pairs, sources = _transforms(f.n)
    images = f.bits()[sources]  # one transformed table per (perm, mask)
    tables = _pack(images)
    full = np.uint64((1 << (1 << f.n)) - 1) if f.n < 6 else np.uint64(0xFFFFFFFFFFFFFFFF)
    complements = tables ^ full
    i_plain, i_comp = int(np.argmin(tables)), int(np.argmin(complements))
    if int(tables[i_plain]) <= int(complements[i_comp]):
        perm, mask = pairs[i_plain]
        return int(tables[i_plain]), NPNTransform(perm, mask, False)
    perm, mask = pairs[i_comp]
    return int(complements[i_comp]), NPNTransform(perm, mask, True)


def npn_canonical_all(n: int) -> np.ndarray:
    """Canonical table of every function of ``n <= 4`` inputs, indexed by table."""
    if n > 4:
        raise TooLargeError(f"classifying all functions is supported for at most 4 inputs, got {n}")
    rows = 1 << n
    tables = np.arange(1 << rows, dtype=np.uint64)
    bits = ((tables[:, None] >> np.arange(rows, dtype=np.uint64)) & np.uint64(1)).astype(np.uint8)
    full = np.uint64((1 << rows) - 1)
    best = tables.copy()
    _, sources = _transforms(n)
    for src in sources:
        image = _pack(bits[:, src])
        np.minimum(best, image, out=best)
        np.minimum(best, image ^ full, out=best)
    return best
