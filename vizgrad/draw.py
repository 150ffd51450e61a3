"""One picture of a trace as a :class:`graphviz.Digraph`, in the lecture's style."""

from __future__ import annotations

import graphviz

from .frames import as_trace
from .group import Group
from .layout import INSTALL_HINT, GraphvizNotFound, dot_lines
from .scene import build_scene
from .tensor import Tensor
from .trace import Trace
from .value import Value


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` that says how to install Graphviz when ``dot`` is missing."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except (graphviz.ExecutableNotFound, GraphvizNotFound):
            return {"text/plain": f"GraphvizNotFound: {INSTALL_HINT}",
                    "text/html": f'<pre style="color:#d62728">GraphvizNotFound: {INSTALL_HINT}</pre>'}

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound(INSTALL_HINT) from None

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound(INSTALL_HINT) from None


def draw(out_or_trace: Value | Tensor | Trace, step: int | None = None, rankdir: str = "LR",
         digits: int = 3, groups: Group | tuple[Group, ...] = (), collapse: bool = False) -> Drawing:
    """Draw the graph as it is after ``step`` of its trace (``None``: the finished pass).

    ``step`` may also be a node of the graph: the backward step that computes its gradient.

    Forward values are green above each wire, gradients red below; at a backward step
    the active wires are highlighted and labelled ``upstream × local = contribution``.
    Given an output rather than a trace, the output is traced first, so the values and
    gradients shown are those of the whole pass whether or not ``backward()`` was called.
    ``groups`` (from :func:`vizgrad.group`) are boxed, or with ``collapse=True`` drawn as one gate.
    """
    tr, groups = as_trace(out_or_trace, groups, collapse)
    scene = build_scene(tr, digits, groups)
    if isinstance(step, (Value, Tensor)):  # a node: the backward step that reaches it
        step = tr.backward_step(step).index
    if step is None:
        texts, active = scene.texts_at(None), ()
    else:
        if not isinstance(step, int) or isinstance(step, bool):
            raise TypeError(f"step must be an int, a node of the graph or None, got {type(step).__name__}")
        if not -len(tr) <= step < len(tr):
            raise IndexError(f"step {step} does not exist: this trace has {len(tr)} steps (0 to {len(tr) - 1})")
        step %= len(tr)
        texts, active = scene.texts_at(step), scene.active[step]
    dot = Drawing("vizgrad")
    dot.body.extend(f"\t{line}\n" for line in dot_lines(scene, texts, rankdir, active))
    return dot
