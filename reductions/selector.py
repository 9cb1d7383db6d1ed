"""The selector lemma (Lemma 20 of paper 002): multi-output <-> single-output threshold circuits.

For ``g: {0,1}^m -> {0,1}^l`` the single-output ``g'(x, s) = g(x)_k`` reads a
one-hot selector ``s = e_k`` of ``l`` bits after ``x`` (inputs ``m .. m+l-1``).

* :func:`single_output_selector` builds ``g'`` from a circuit for ``g``: the
  circuit, then ``AND_k = [o_k + s_k >= 2]`` for every output ``o_k`` and
  ``OR = [sum_k AND_k >= 1]``.  Size ``s + l + 1``.  On every input it computes
  ``OR_k (g_k(x) AND s_k)``, which is ``g(x)_k`` on the one-hot ``s = e_k``.
* :func:`hardwire_selector` goes back: from any circuit ``C'`` on ``m + l``
  inputs it builds ``l`` copies, copy ``k`` with ``s = e_k`` hard-wired (a gate's
  weight on ``s_k`` moves into its threshold, weights on the other selector bits
  are dropped).  Size exactly ``l * size(C')``, depth exactly ``depth(C')`` (the
  notes' ``l * s(dl + l)``); output ``k`` is ``C'(x, e_k)``.
"""

from __future__ import annotations

import numpy as np

from circuits.errors import ArityError, SpecError
from circuits.threshold import ThresholdCircuit, ThresholdGate
from circuits.truthtable import MAX_INPUTS, TruthTable
from reductions.bits import check_positive_int
from reductions.report import Report

__all__ = ["single_output_selector", "hardwire_selector", "selector_roundtrip", "selector_table"]


def _need_circuit(circuit: object) -> ThresholdCircuit:
    if not isinstance(circuit, ThresholdCircuit):
        raise SpecError(f"expected a ThresholdCircuit, got {type(circuit).__name__}")
    return circuit


def selector_table(g: TruthTable) -> TruthTable:
    """``g'(x, s) = OR_k (g_k(x) AND s_k)`` on ``g.n + g.m`` inputs, the function :func:`single_output_selector` builds."""
    m, l = g.n, g.m
    n = m + l
    rows = np.arange(1 << n, dtype=np.int64)
    x = rows & ((1 << m) - 1)
    value = np.zeros(1 << n, dtype=np.uint8)
    for k in range(l):
        value |= g.bits(k)[x] & ((rows >> (m + k)) & 1).astype(np.uint8)
    return TruthTable.from_bits(n, [value])


def _out_depth(circuit: ThresholdCircuit) -> int:
    layers = circuit.layers()
    return max(layers[o - circuit.n] for o in circuit.outputs)


def single_output_selector(circuit: ThresholdCircuit, *, check: bool = True) -> Report:
    """``g'(x, s) = g(x)_s`` from a circuit for the multi-output ``g``; size ``s + l + 1``."""
    circuit = _need_circuit(circuit)
    m, l, s = circuit.n, circuit.num_outputs, circuit.size
    n = m + l

    def shift(u: int) -> int:
        return u if u < m else u + l

    gates = [ThresholdGate(tuple((shift(u), w) for u, w in g.weights), g.threshold) for g in circuit.gates]
    ands = []
    for k, o in enumerate(circuit.outputs):
        ands.append(n + len(gates))
        gates.append(ThresholdGate(((shift(o), 1), (m + k, 1)), 2))
    out = n + len(gates)
    gates.append(ThresholdGate(tuple((a, 1) for a in ands), 1))
    result = ThresholdCircuit(n, tuple(gates), (out,))
    checked = "not checked"
    if check:
        if n > MAX_INPUTS:
            raise ArityError(f"checking needs m + l <= {MAX_INPUTS} inputs, got {n}")
        g = circuit.truth_table()
        if result.truth_table() != selector_table(g):
            raise AssertionError("selector circuit differs from OR_k(g_k(x) AND s_k)")
        checked = (
            f"exact on all 2^{n} inputs: equals OR_k(g_k(x) AND s_k) for the table of the given circuit, "
            f"hence g(x)_k on the {l * (1 << m)} one-hot selector inputs s = e_k"
        )
    depth = max(circuit.depth, _out_depth(circuit) + 2)
    return Report(
        name="single_output_selector",
        params={"m": m, "l": l},
        result=result,
        size=result.size,
        depth=result.depth,
        formula="lbt's count of its Lemma 20 construction: g' = OR_k [o_k + s_k >= 2]: size s + l + 1, depth max(depth, output depth + 2)",
        formula_size=s + l + 1,
        formula_depth=depth,
        checked=checked,
        formula_kind="exact",
        source_size=s,
        source_depth=circuit.depth,
    )


def hardwire_selector(circuit: ThresholdCircuit, l: int, *, check: bool = True) -> Report:
    """The ``l``-output circuit ``x -> (C'(x, e_0), ..., C'(x, e_{l-1}))`` of size ``l * size(C')``."""
    circuit = _need_circuit(circuit)
    l = check_positive_int(l, "l")
    if circuit.num_outputs != 1:
        raise ArityError(f"the selector circuit must have one output, got {circuit.num_outputs}")
    if circuit.n < l:
        raise ArityError(f"a circuit with {circuit.n} inputs cannot have a selector of {l} bits")
    m = circuit.n - l
    size = circuit.size
    gates: list[ThresholdGate] = []
    outputs = []
    for k in range(l):
        base = m + k * size

        def remap(u: int, base: int = base) -> int:
            return u if u < m else base + (u - circuit.n)

        for g in circuit.gates:
            threshold = g.threshold
            pairs = []
            for u, w in g.weights:
                if u < m:
                    pairs.append((u, w))
                elif u < circuit.n:
                    if u - m == k:
                        threshold -= w  # s_k = 1 moves into the threshold
                else:
                    pairs.append((remap(u), w))
            gates.append(ThresholdGate(tuple(pairs), threshold))
        outputs.append(remap(circuit.outputs[0]))
    result = ThresholdCircuit(m, tuple(gates), tuple(outputs))
    checked = "not checked"
    if check:
        if circuit.n > MAX_INPUTS:
            raise ArityError(f"checking needs at most {MAX_INPUTS} inputs, got {circuit.n}")
        bits = circuit.truth_table().bits()
        x = np.arange(1 << m, dtype=np.int64)
        expected = TruthTable.from_bits(m, [bits[x | (1 << (m + k))] for k in range(l)])
        if result.truth_table() != expected:
            raise AssertionError("hard-wired circuit differs from C'(x, e_k)")
        checked = f"exact on all 2^{m} inputs x and every k < {l}: output k equals C'(x, e_k)"
    return Report(
        name="hardwire_selector",
        params={"m": m, "l": l},
        result=result,
        size=result.size,
        depth=result.depth,
        formula="Lemma 20 (converse): l copies with s = e_k hard-wired into the thresholds: size l * s', depth = depth(C')",
        formula_size=l * size,
        formula_depth=circuit.depth,
        checked=checked,
        formula_kind="exact",
        formula_source="paper",
        source_size=size,
        source_depth=circuit.depth,
    )


def selector_roundtrip(circuit: ThresholdCircuit, *, check: bool = True) -> Report:
    """``g -> g' -> g``: size ``l (s + l + 1)``; checks that the result computes the table of ``circuit``."""
    circuit = _need_circuit(circuit)
    l = circuit.num_outputs
    single = single_output_selector(circuit, check=check)
    back = hardwire_selector(single.result, l, check=check)
    checked = "not checked"
    if check:
        if back.result.truth_table() != circuit.truth_table():
            raise AssertionError("round trip does not compute g")
        checked = f"exact on all 2^{circuit.n} inputs: the round trip computes the table of the given circuit"
    return Report(
        name="selector_roundtrip",
        params={"m": circuit.n, "l": l},
        result=back.result,
        size=back.size,
        depth=back.depth,
        formula="Lemma 20 both ways (l copies of lbt's g'): l (s + l + 1) gates",
        formula_size=l * (circuit.size + l + 1),
        formula_depth=single.formula_depth,
        checked=checked,
        formula_kind="exact",
        source_size=circuit.size,
        source_depth=circuit.depth,
    )
