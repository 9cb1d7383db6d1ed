"""How circuits, networks and synthesis results show themselves in Jupyter.

IPython asks an object for ``_repr_svg_``, ``_repr_html_`` and
``_repr_markdown_`` and shows the richest answer that is not ``None``.  The
models and :class:`solvers.records.SynthesisResult` answer through this module:

* :func:`svg` — the Graphviz drawing of :func:`circuits.dot.to_dot`, rendered by
  the ``dot`` program, with an optional caption; ``None`` when ``dot`` is not
  installed or the drawing has more than :data:`MAX_SVG_NODES` nodes;
* :func:`html` and :func:`markdown` — the text form (``str(model)``) under the
  caption, for a front end without SVG or a machine without ``dot``.  They
  return ``None`` when :func:`svg` has an answer, so a notebook stores one
  picture, not the same thing three times.

Nothing here is imported before it is used: ``import circuits.boolean`` does
not load graphviz.
"""

from __future__ import annotations

import html as _html
import subprocess
from typing import Any

__all__ = ["MAX_SVG_NODES", "Displayed", "html", "markdown", "svg"]

#: Largest drawing (inputs plus gates) rendered for a notebook; larger ones show as text.
MAX_SVG_NODES = 400


def _nodes(model: Any) -> int:
    return int(model.n) + int(model.size)


def svg(model: Any, caption: str | None = None) -> str | None:
    """SVG text of ``model`` drawn by Graphviz (``caption`` under it), or None without ``dot`` or when too large."""
    from circuits.dot import can_render, to_dot

    if model is None or not can_render() or _nodes(model) > MAX_SVG_NODES:
        return None
    source = to_dot(model)
    if caption:
        label = caption.replace("\\", "\\\\").replace('"', '\\"')
        source = source.rstrip().rstrip("}") + f'\tlabel="{label}"\n\tlabelloc=b\n}}\n'
    proc = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, timeout=60)
    if proc.returncode != 0:
        return None
    text = proc.stdout.decode()
    start = text.find("<svg")  # drop the XML prolog and doctype: the SVG is inlined into a page
    return text[start:] if start >= 0 else None


def html(model: Any, caption: str | None = None, *, force: bool = False) -> str | None:
    """``caption`` and ``str(model)`` as HTML; None when :func:`svg` answers (unless ``force``)."""
    if not force and svg(model, caption) is not None:
        return None
    parts = []
    if caption:
        parts.append(f"<p><b>{_html.escape(caption)}</b></p>")
    if model is not None:
        parts.append(f"<pre>{_html.escape(str(model))}</pre>")
    return "<div>" + "".join(parts) + "</div>"


def markdown(model: Any, caption: str | None = None, *, force: bool = False) -> str | None:
    """``caption`` and ``str(model)`` as Markdown; None when :func:`svg` answers (unless ``force``)."""
    if not force and svg(model, caption) is not None:
        return None
    parts = []
    if caption:
        parts.append(f"**{caption}**")
    if model is not None:
        parts.append("```text\n" + str(model) + "\n```")
    return "\n\n".join(parts)


class Displayed:
    """Mixin of the circuit models: they show themselves in Jupyter through this module."""

    __slots__ = ()

    def _repr_svg_(self) -> str | None:
        return svg(self)

    def _repr_html_(self) -> str | None:
        return html(self)

    def _repr_markdown_(self) -> str | None:
        return markdown(self)
