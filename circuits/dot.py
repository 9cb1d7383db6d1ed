"""Graphviz drawings of any circuit model.

Every model provides ``to_networkx()`` (nodes with ``label`` and ``kind``,
edges with an optional ``label`` or ``neg``); this module turns that graph
into DOT text with the ``graphviz`` package and renders it with the
``dot`` binary when it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import graphviz

from circuits.errors import FormatError, TooLargeError
from circuits.model import CircuitModel
from circuits.schema import display_name

__all__ = ["MAX_DOT_NODES", "to_dot", "render", "can_render"]

_SHAPES = {"input": "box", "gate": "ellipse", "output": "doublecircle"}

#: Most inputs plus gates of a drawing (Graphviz lays out far fewer in reasonable time anyway).
MAX_DOT_NODES = 100_000


def to_dot(model: CircuitModel, name: str = "circuit") -> str:
    """DOT text of ``model`` as a graph called ``name`` (a file name's undecodable bytes become U+FFFD)."""
    if model.n + model.size > MAX_DOT_NODES:
        raise TooLargeError(f"a drawing has at most {MAX_DOT_NODES:,} inputs and gates; this circuit has more")
    name = display_name(name)
    graph = model.to_networkx()
    dot = graphviz.Digraph(name, graph_attr={"rankdir": "BT"})
    for node, attrs in graph.nodes(data=True):
        dot.node(str(node), str(attrs.get("label", node)), shape=_SHAPES.get(attrs.get("kind", "gate"), "ellipse"))
    for u, v, attrs in graph.edges(data=True):
        extra = {}
        if attrs.get("label") is not None:
            extra["label"] = str(attrs["label"])
        if attrs.get("neg"):
            extra["style"] = "dashed"
            extra["arrowhead"] = "odot"
        dot.edge(str(u), str(v), **extra)
    return dot.source


def can_render() -> bool:
    return shutil.which("dot") is not None


def render(dot_text: str, path: Path, fmt: str) -> None:
    """Render DOT text to ``path`` in format ``png`` or ``svg`` with the ``dot`` binary."""
    if fmt not in ("png", "svg"):
        raise FormatError(f"cannot render format {fmt!r} (use dot, png or svg)")
    if not can_render():
        raise FormatError("rendering needs the graphviz 'dot' program (Debian package graphviz); write .dot instead")
    proc = subprocess.run(["dot", f"-T{fmt}", "-o", str(path)], input=dot_text.encode(), capture_output=True)
    if proc.returncode != 0:
        Path(path).unlink(missing_ok=True)
        raise FormatError(f"dot failed: {proc.stderr.decode(errors='replace').strip().splitlines()[0]}")
