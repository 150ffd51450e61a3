"""One picture of a trace as a :class:`graphviz.Digraph`, in the lecture's style."""

from __future__ import annotations

import graphviz

from .frames import as_trace
from .layout import dot_lines
from .scene import build_scene
from .tensor import Tensor
from .trace import Trace
from .value import Value


def draw(out_or_trace: Value | Tensor | Trace, step: int | None = None, rankdir: str = "LR",
         digits: int = 3) -> graphviz.Digraph:
    """Draw the graph as it is after ``step`` of its trace (``None``: the finished pass).

    Forward values are green above each wire, gradients red below; at a backward step
    the active wires are highlighted and labelled ``upstream × local = contribution``.
    Given an output rather than a trace, the output is traced first, so the values and
    gradients shown are those of the whole pass whether or not ``backward()`` was called.
    """
    tr = as_trace(out_or_trace)
    scene = build_scene(tr, digits)
    if step is None:
        texts, active = scene.texts_at(None), ()
    else:
        if not isinstance(step, int) or isinstance(step, bool):
            raise TypeError(f"step must be an int or None, got {type(step).__name__}")
        if not -len(tr) <= step < len(tr):
            raise IndexError(f"step {step} does not exist: this trace has {len(tr)} steps (0 to {len(tr) - 1})")
        step %= len(tr)
        texts, active = scene.texts_at(step), scene.active[step]
    dot = graphviz.Digraph("vizgrad")
    dot.body.extend(f"\t{line}\n" for line in dot_lines(scene, texts, rankdir, active))
    return dot
