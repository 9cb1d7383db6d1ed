"""Explicit O(d) ReLU networks for DISJ_d and IP_d (Theorem 16 of paper 002).

Inputs follow the two-operand convention of :mod:`circuits.targets`: ``x`` is
inputs ``0 .. d-1`` and ``y`` is inputs ``d .. 2d-1``.  Both networks start with
the ``d`` AND neurons ``z_j = [x_j + y_j - 1]+`` (exactly ``x_j AND y_j`` on
bits), so ``S = sum_j z_j`` is the integer ``|x AND y|`` in ``[0, d]``.

* DISJ_d: output ReLU ``[1 - S]+``: size ``d + 1``, depth 2.  (A *linear*
  output ``1 - S`` is not 0/1 once ``d >= 2``: it is ``-1`` at ``S = 2``.)
* IP_d = ``S mod 2`` with one of two parity-of-a-count gadgets:

  - ``gadget="ramps"`` (constant depth, the paper's "similar to Lemma 21"):
    ``1[S >= k] = [S - k + 1]+ - [S - k]+`` on integers, and
    ``S mod 2 = sum_{k=1}^{d} (-1)^(k+1) 1[S >= k]``.  Collecting the shared ramps
    ``r_j = [S - j]+`` (``j = 0 .. d-1``; ``r_d = 0`` on ``[0, d]``) gives the
    linear output ``r_0 + sum_{j=1}^{d-1} 2 (-1)^j r_j``.  Size ``2d + 1``, depth 3,
    no skip connections.
  - ``gadget="sawtooth"`` (depth ``O(log d)``): with ``L = ceil(log2 d)``,
    ``S mod 2 = phi^(L)(S / 2^L)`` for every integer ``S in [0, 2^L]``, where
    ``phi(u) = [2u]+ - [4u - 2]+`` is the tent map (``phi^(L)`` has ``2^(L-1)``
    teeth of width ``2^(1-L)``, peaks 1 at the odd multiples of ``2^-L``).
    Size ``d + 2L + 1``, depth ``L + 2``.

Every network is checked exactly on all ``2^(2d)`` Boolean inputs: against
``target("ip:d")`` / ``target("disj:d")`` while ``2d <= 20`` (the truth-table
limit), and beyond that against the definition, by fixing the top ``2d - 20``
inputs to each of their values (exact substitution into the biases) and
evaluating the remaining 20-input network on its whole cube.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from circuits.errors import SpecError
from circuits.relu import ReLUNetwork
from circuits.targets import target
from circuits.truthtable import MAX_INPUTS
from reductions.bits import Affine, NetBuilder, check_positive_int
from reductions.report import Report

__all__ = [
    "GADGETS",
    "disj_network",
    "ip_network",
    "disj_size",
    "ip_size",
    "ip_depth",
    "boolean_net_table",
    "check_on_cube",
]

GADGETS = ("ramps", "sawtooth")


def _ceil_log2(d: int) -> int:
    return (d - 1).bit_length()


def disj_size(d: int) -> int:
    return d + 1


def ip_size(d: int, gadget: str = "ramps") -> int:
    if gadget == "ramps":
        return 2 * d + 1
    return d + 2 * _ceil_log2(d) + 1


def ip_depth(d: int, gadget: str = "ramps") -> int:
    return 3 if gadget == "ramps" else _ceil_log2(d) + 2


def _and_layer(builder: NetBuilder, d: int) -> list[Affine]:
    return [builder.relu(builder.input(j) + builder.input(d + j) - 1) for j in range(d)]


def _ip_definition(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x & y) & 1


def _disj_definition(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x & y) == 0


def check_on_cube(
    net: ReLUNetwork, d: int, spec: str, definition: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> str:
    """Verify ``net`` exactly on all ``2^(2d)`` inputs; returns the ``checked`` text or raises AssertionError."""
    n = 2 * d
    if n <= MAX_INPUTS:
        if not net.computes(target(f"{spec}:{d}").table):
            raise AssertionError(f"network does not compute {spec}:{d}")
        return f"exact on all 2^{n} Boolean inputs against target('{spec}:{d}')"
    free = MAX_INPUTS
    fixed = list(range(free, n))
    rows = np.arange(1 << free, dtype=np.int64)
    for values in itertools.product((0, 1), repeat=len(fixed)):
        builder = NetBuilder(free)
        forms = [builder.input(j) if j < free else Affine(const=values[j - free]) for j in range(n)]
        outs = builder.embed(net, forms)
        restricted = builder.build([o if isinstance(o, int) else _output_ref(o, free) for o in outs])
        full = rows.copy()
        for j, b in zip(fixed, values):
            full |= np.int64(b) << j
        mask = (1 << d) - 1
        expected = definition(full & mask, full >> d).astype(np.uint8)
        got = restricted.truth_table().bits()
        if not np.array_equal(got, expected):
            raise AssertionError(f"network differs from {spec}_{d} with inputs {fixed} fixed to {values}")
    return (
        f"exact on all 2^{n} Boolean inputs against the definition of {spec.upper()}_{d}: inputs {free}..{n - 1} "
        f"fixed to each of their 2^{n - free} values, the restricted network evaluated on its whole cube"
    )


def _output_ref(form: Affine, n_inputs: int) -> Affine | int:
    # A relu output copied by embed is a single neuron node: keep it as the output (no new neuron).
    node = form.as_node()
    return node if node is not None and node >= n_inputs else form


def disj_network(d: int, *, check: bool = True) -> Report:
    """DISJ_d by ``d`` AND neurons and the output ReLU ``[1 - sum_j z_j]+``: size ``d + 1``, depth 2."""
    d = check_positive_int(d, "d")
    builder = NetBuilder(2 * d)
    z = _and_layer(builder, d)
    out = builder.neuron(1 - sum(z, Affine()), "relu")
    net = builder.build([out])
    checked = check_on_cube(net, d, "disj", _disj_definition) if check else "not checked"
    return Report(
        name="disj_network",
        params={"d": d},
        result=net,
        size=net.size,
        depth=net.depth,
        formula="Thm 16: d AND neurons [x_j + y_j - 1]+ and the output ReLU [1 - sum_j z_j]+: size d + 1, depth 2",
        formula_size=disj_size(d),
        formula_depth=2,
        checked=checked,
        formula_kind="exact",
        formula_source="paper",
    )


def ip_network(d: int, gadget: str = "ramps", *, check: bool = True) -> Report:
    """IP_d by ``d`` AND neurons and a parity-of-a-count gadget (see the module docstring)."""
    d = check_positive_int(d, "d")
    if gadget not in GADGETS:
        raise SpecError(f"unknown parity gadget {gadget!r} (expected one of {', '.join(GADGETS)})")
    builder = NetBuilder(2 * d)
    z = _and_layer(builder, d)
    count = sum(z, Affine())
    if gadget == "ramps":
        r = [builder.relu(count - j) for j in range(d)]
        out = r[0] + sum((r[j] * (2 * (-1) ** j) for j in range(1, d)), Affine())
        formula = (
            "lbt's count of its Thm 16 network (the paper states size O(d), constant depth), with ramps: d AND neurons, ramps r_j = [S - j]+ (j = 0..d-1), linear output "
            "r_0 + sum_{j>=1} 2(-1)^j r_j: size 2d + 1, depth 3"
        )
    else:
        levels = _ceil_log2(d)
        y = count / (1 << levels)
        for _ in range(levels):
            y = builder.relu(y * 2) - builder.relu(y * 4 - 2)
        out = y
        formula = (
            "lbt's count of its Thm 16 network (the paper states size O(d), constant depth), with a sawtooth: d AND neurons, L = ceil(log2 d) tent maps (2 ReLUs each) on S/2^L, "
            "linear output: size d + 2L + 1, depth L + 2"
        )
    net = builder.build([out])
    checked = check_on_cube(net, d, "ip", _ip_definition) if check else "not checked"
    return Report(
        name="ip_network",
        params={"d": d, "gadget": gadget},
        result=net,
        size=net.size,
        depth=net.depth,
        formula=formula,
        formula_size=ip_size(d, gadget),
        formula_depth=ip_depth(d, gadget),
        checked=checked,
        formula_kind="exact",
    )


def boolean_net_table(d_max: int = 12, *, check_up_to: int = 0) -> list[dict]:
    """Sizes and depths of the DISJ_d and IP_d networks for ``d = 1 .. d_max``.

    Networks with ``d <= check_up_to`` are also checked exhaustively (``checked`` column).
    """
    d_max = check_positive_int(d_max, "d_max")
    rows = []
    for d in range(1, d_max + 1):
        check = d <= check_up_to
        disj = disj_network(d, check=check)
        ramps = ip_network(d, "ramps", check=check)
        saw = ip_network(d, "sawtooth", check=check)
        rows.append(
            {
                "d": d,
                "disj_size": disj.size,
                "disj_depth": disj.depth,
                "ip_ramps_size": ramps.size,
                "ip_ramps_depth": ramps.depth,
                "ip_sawtooth_size": saw.size,
                "ip_sawtooth_depth": saw.depth,
                "formulas_match": disj.matches_formula and ramps.matches_formula and saw.matches_formula,
                "checked": check,
            }
        )
    return rows
