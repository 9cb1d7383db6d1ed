"""The interface shared by the three circuit models (Boolean, threshold, ReLU).

Node numbering is common to all models: nodes ``0 .. n-1`` are the circuit
inputs ``x0 .. x_{n-1}``; gate (or neuron) ``i`` of the ordered gate list is
node ``n + i`` and may read only nodes with a smaller number, so the list order
is a topological order.  :mod:`circuits.dag` holds what the models share on
this numbering: validation of node references, layers, depth and the drawing
graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from circuits.truthtable import TruthTable

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["CircuitModel"]


@runtime_checkable
class CircuitModel(Protocol):
    #: The model's name in the canonical JSON (``"boolean"``, ``"threshold"``, ``"relu"``).
    MODEL: ClassVar[str]

    @property
    def n(self) -> int:
        """Number of inputs."""
        ...

    @property
    def num_outputs(self) -> int: ...

    @property
    def size(self) -> int:
        """Number of gates/neurons, as the model counts size."""
        ...

    @property
    def depth(self) -> int:
        """Length of the longest input-to-output path counted in gates/neurons."""
        ...

    def truth_table(self) -> TruthTable:
        """Exact evaluation on all ``2**n`` Boolean inputs."""
        ...

    def computes(self, target: TruthTable) -> bool:
        """True iff the model computes ``target`` exactly on every Boolean input."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready body of the canonical format (without the file envelope)."""
        ...

    def to_networkx(self) -> nx.DiGraph:
        """The drawing graph: every node has ``label`` and ``kind`` ('input', 'gate', 'output')."""
        ...
