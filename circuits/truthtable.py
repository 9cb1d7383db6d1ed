"""Truth tables of multi-output Boolean functions.

Convention (the one ABC, kitty and Knuth's bit-twiddling use): a single-output
table on ``n`` inputs is an ``int`` of ``2**n`` bits whose bit ``i`` is
``f(x)`` for the assignment ``x_j = (i >> j) & 1``; input ``x0`` is the least
significant bit of the row index.  So ``AND_2 = 0x8``, ``MAJ_3 = 0xe8``,
``x0 = 0xaaaa`` on four inputs.  Hex strings are printed most significant
digit first with ``max(1, 2**n // 4)`` digits; a multi-output table prints its
outputs (output 0 first) separated by commas.

>>> maj3 = TruthTable.from_function(3, lambda x: sum(x) >= 2)
>>> maj3.hex()
'e8'
>>> maj3.to_knuth()
'00010111'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from circuits.errors import ArityError, SpecError, TooLargeError, excerpt

__all__ = ["MAX_INPUTS", "TruthTable", "var_mask", "full_mask"]

#: Largest number of inputs a truth table may have (2**20 rows).
MAX_INPUTS = 20


def full_mask(n: int) -> int:
    """The table of the constant-1 function on ``n`` inputs."""
    return (1 << (1 << n)) - 1


def var_mask(n: int, j: int) -> int:
    """The table of the projection ``x_j`` on ``n`` inputs."""
    if not 0 <= j < n:
        raise ArityError(f"input x{j} does not exist for a function of {n} inputs")
    block = 1 << j
    return (full_mask(n) // ((1 << block) + 1)) << block


def _check_n(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ArityError(f"number of inputs must be a non-negative integer, got {n!r}")
    if n > MAX_INPUTS:
        raise TooLargeError(f"{n} inputs is too many: truth tables support at most {MAX_INPUTS}")


def _to_bits(table: int, n: int) -> np.ndarray:
    """Row values of a table as a uint8 array of length ``2**n``."""
    rows = 1 << n
    raw = np.frombuffer(table.to_bytes((rows + 7) // 8, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:rows]


def _from_bits(bits: np.ndarray) -> int:
    packed = np.packbits(np.asarray(bits, dtype=np.uint8).ravel(), bitorder="little")
    return int.from_bytes(packed.tobytes(), "little")


def _to_cube(table: int, n: int) -> np.ndarray:
    """Rows as an n-dimensional array indexed ``cube[x0, x1, ..., x_{n-1}]``."""
    return _to_bits(table, n).reshape((2,) * n).transpose(tuple(range(n - 1, -1, -1)))


def _from_cube(cube: np.ndarray) -> int:
    n = cube.ndim
    return _from_bits(cube.transpose(tuple(range(n - 1, -1, -1))).ravel())


@dataclass(frozen=True, slots=True)
class TruthTable:
    """An immutable ``n``-input, ``m``-output Boolean function.

    ``outputs[k]`` is the table of output ``k`` in the convention of the
    module docstring.
    """

    n: int
    outputs: tuple[int, ...]

    def __post_init__(self) -> None:
        _check_n(self.n)
        if not isinstance(self.outputs, tuple):
            object.__setattr__(self, "outputs", tuple(self.outputs))
        if not self.outputs:
            raise ArityError("a truth table needs at least one output")
        limit = 1 << (1 << self.n)
        for k, t in enumerate(self.outputs):
            if not isinstance(t, int) or isinstance(t, bool) or not 0 <= t < limit:
                raise SpecError(
                    f"output {k} is not a table of {self.n} inputs (needs an integer in [0, 2^{1 << self.n}))"
                )

    # ----------------------------------------------------------------- build
    @classmethod
    def single(cls, n: int, table: int) -> TruthTable:
        return cls(n, (table,))

    @classmethod
    def var(cls, n: int, j: int) -> TruthTable:
        _check_n(n)
        return cls(n, (var_mask(n, j),))

    @classmethod
    def const(cls, n: int, value: int | bool) -> TruthTable:
        _check_n(n)
        return cls(n, (full_mask(n) if value else 0,))

    @classmethod
    def from_function(cls, n: int, fn: Callable[[tuple[int, ...]], int | bool | Sequence[int | bool]]) -> TruthTable:
        """Tabulate ``fn`` on all ``2**n`` assignments ``x = (x0, ..., x_{n-1})``.

        ``fn`` returns a bit for a single-output function or a sequence of bits
        (output 0 first) for a multi-output one.
        """
        _check_n(n)
        columns: list[list[int]] | None = None
        for i in range(1 << n):
            x = tuple((i >> j) & 1 for j in range(n))
            value = fn(x)
            bits = [int(bool(b)) for b in value] if isinstance(value, Sequence) else [int(bool(value))]
            if columns is None:
                columns = [[] for _ in bits]
            if len(bits) != len(columns):
                raise ArityError(f"function returned {len(bits)} outputs at row {i}, expected {len(columns)}")
            for k, b in enumerate(bits):
                columns[k].append(b)
        assert columns is not None
        return cls(n, tuple(_from_bits(np.array(col, dtype=np.uint8)) for col in columns))

    @classmethod
    def from_bits(cls, n: int, columns: Iterable[Sequence[int] | np.ndarray]) -> TruthTable:
        """Build from row-value arrays (one array of length ``2**n`` per output)."""
        _check_n(n)
        outs = []
        for col in columns:
            arr = np.asarray(col)
            if arr.shape != (1 << n,):
                raise ArityError(f"an output column must have {1 << n} rows, got shape {arr.shape}")
            if not np.isin(arr, (0, 1)).all():
                raise SpecError("output columns must contain only 0 and 1")
            outs.append(_from_bits(arr.astype(np.uint8)))
        return cls(n, tuple(outs))

    @classmethod
    def from_hex(cls, n: int, text: str) -> TruthTable:
        """Parse ``hex()`` output: one hex table per output, comma separated."""
        _check_n(n)
        digits = max(1, (1 << n) // 4)
        outs = []
        for part in text.split(","):
            part = part.strip()
            body = part[2:] if part.lower().startswith("0x") else part
            if not body or any(c not in "0123456789abcdefABCDEF" for c in body):
                raise SpecError(f"malformed hex truth table {excerpt(part)}")
            if len(body) != digits:
                raise SpecError(
                    f"hex truth table {excerpt(part)} has {len(body)} digits; {n} inputs need exactly {digits}"
                )
            value = int(body, 16)
            if value >> (1 << n):
                raise SpecError(f"hex truth table {excerpt(part)} has bits beyond the {1 << n} rows of {n} inputs")
            outs.append(value)
        return cls(n, tuple(outs))

    @classmethod
    def from_knuth(cls, text: str) -> TruthTable:
        """Parse Knuth's (and cirbo's) bit string: f(0..0) ... f(1..1), x0 most significant."""
        rows = len(text)
        n = rows.bit_length() - 1
        if rows == 0 or rows != 1 << n or any(c not in "01" for c in text):
            raise SpecError(f"malformed bit string {excerpt(text)}: need 2^n characters 0/1")
        _check_n(n)
        table = 0
        for idx, c in enumerate(text):
            if c == "1":
                # position idx has x0 as the most significant bit: reverse the index bits
                i = int(format(idx, f"0{n}b")[::-1], 2) if n else 0
                table |= 1 << i
        return cls(n, (table,))

    # ----------------------------------------------------------------- views
    @property
    def m(self) -> int:
        """Number of outputs."""
        return len(self.outputs)

    @property
    def table(self) -> int:
        """The table of a single-output function."""
        if self.m != 1:
            raise ArityError(f"function has {self.m} outputs; pick one with .output(k)")
        return self.outputs[0]

    def output(self, k: int) -> TruthTable:
        if not 0 <= k < self.m:
            raise ArityError(f"output {k} does not exist (function has {self.m} outputs)")
        return TruthTable(self.n, (self.outputs[k],))

    def bits(self, k: int = 0) -> np.ndarray:
        """Row values of output ``k`` as a uint8 array of length ``2**n``."""
        return _to_bits(self.outputs[k], self.n)

    def hex(self) -> str:
        digits = max(1, (1 << self.n) // 4)
        return ",".join(format(t, f"0{digits}x") for t in self.outputs)

    def to_knuth(self, k: int = 0) -> str:
        n = self.n
        t = self.outputs[k]
        out = []
        for idx in range(1 << n):
            i = int(format(idx, f"0{n}b")[::-1], 2) if n else 0
            out.append("1" if (t >> i) & 1 else "0")
        return "".join(out)

    def evaluate(self, x: int | Sequence[int]) -> tuple[int, ...]:
        """Output bits (output 0 first) on one assignment: a row index or a bit sequence."""
        if isinstance(x, int):
            if not 0 <= x < 1 << self.n:
                raise ArityError(f"row {x} out of range for {self.n} inputs")
            i = x
        else:
            if len(x) != self.n:
                raise ArityError(f"assignment has {len(x)} bits, function has {self.n} inputs")
            i = sum((int(b) & 1) << j for j, b in enumerate(x))
        return tuple((t >> i) & 1 for t in self.outputs)

    def __call__(self, *x: int) -> int | tuple[int, ...]:
        """``f(x0, x1, ...)``: a bit for single-output functions, a tuple otherwise."""
        value = self.evaluate(x)
        return value[0] if self.m == 1 else value

    def count(self, k: int = 0) -> int:
        """Number of rows on which output ``k`` is 1."""
        return self.outputs[k].bit_count()

    def depends_on(self, j: int) -> bool:
        if not 0 <= j < self.n:
            raise ArityError(f"input x{j} does not exist for a function of {self.n} inputs")
        mask = var_mask(self.n, j)
        shift = 1 << j
        return any(((t & mask) >> shift) != (t & ~mask & full_mask(self.n)) for t in self.outputs)

    def support(self) -> tuple[int, ...]:
        """The essential inputs (those some output depends on), in increasing order."""
        return tuple(j for j in range(self.n) if self.depends_on(j))

    # ------------------------------------------------------------ transforms
    def _map_cubes(self, fn: Callable[[np.ndarray], np.ndarray]) -> tuple[int, ...]:
        return tuple(_from_cube(fn(_to_cube(t, self.n))) for t in self.outputs)

    def restrict(self, j: int, value: int) -> TruthTable:
        """Fix input ``j`` to ``value``; the result has ``n - 1`` inputs (later inputs shift down)."""
        if not 0 <= j < self.n:
            raise ArityError(f"input x{j} does not exist for a function of {self.n} inputs")
        if value not in (0, 1):
            raise SpecError(f"an input can only be fixed to 0 or 1, got {value!r}")
        return TruthTable(self.n - 1, self._map_cubes(lambda c: np.take(c, value, axis=j)))

    def permute(self, perm: Sequence[int]) -> TruthTable:
        """``g(x) = f(x[perm[0]], ..., x[perm[n-1]])``: input ``j`` of f reads input ``perm[j]``."""
        perm = tuple(perm)
        if sorted(perm) != list(range(self.n)):
            raise ArityError(f"{perm} is not a permutation of {self.n} inputs")
        inverse = tuple(sorted(range(self.n), key=lambda k: perm[k]))
        return TruthTable(self.n, self._map_cubes(lambda c: c.transpose(inverse)))

    def negate_inputs(self, mask: int) -> TruthTable:
        """``g(x) = f(x XOR mask)``: bit ``j`` of ``mask`` negates input ``j``."""
        if not 0 <= mask < 1 << self.n:
            raise ArityError(f"negation mask {mask} has bits beyond {self.n} inputs")
        axes = tuple(j for j in range(self.n) if (mask >> j) & 1)
        return TruthTable(self.n, self._map_cubes(lambda c: np.flip(c, axis=axes) if axes else c))

    def complement(self) -> TruthTable:
        full = full_mask(self.n)
        return TruthTable(self.n, tuple(full ^ t for t in self.outputs))

    __invert__ = complement

    def extend(self, n: int) -> TruthTable:
        """The same function on ``n >= self.n`` inputs (the new inputs are inessential)."""
        if n < self.n:
            raise ArityError(f"cannot extend {self.n} inputs to {n}")
        _check_n(n)
        reps = n - self.n
        return TruthTable(n, self._map_cubes(lambda c: np.broadcast_to(c.reshape(c.shape + (1,) * reps), (2,) * n)))

    def compose(self, inner: Sequence[TruthTable]) -> TruthTable:
        """``f(g_0(x), ..., g_{n-1}(x))`` for single-output ``g_j`` on a common number of inputs."""
        if len(inner) != self.n:
            raise ArityError(f"composition needs {self.n} inner functions, got {len(inner)}")
        if not inner:
            return TruthTable(0, tuple(t & 1 for t in self.outputs))
        k = inner[0].n
        if any(g.n != k or g.m != 1 for g in inner):
            raise ArityError("inner functions must be single-output with a common number of inputs")
        index = np.zeros(1 << k, dtype=np.int64)
        for j, g in enumerate(inner):
            index |= g.bits().astype(np.int64) << j
        return TruthTable(k, tuple(_from_bits(_to_bits(t, self.n)[index]) for t in self.outputs))

    def stack(self, *others: TruthTable) -> TruthTable:
        """Concatenate outputs of functions with the same inputs."""
        for o in others:
            if o.n != self.n:
                raise ArityError(f"cannot stack functions of {self.n} and {o.n} inputs")
        return TruthTable(self.n, self.outputs + tuple(t for o in others for t in o.outputs))

    def __repr__(self) -> str:
        return f"TruthTable(n={self.n}, hex={self.hex()!r})"
