"""One picture of a trace as a :class:`graphviz.Digraph`, in the lecture's style."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import Callable

import graphviz

from . import dot
from .dot import GraphvizNotFound, missing_dot_hint
from .export import convert_svg
from .frames import Frames, as_trace
from .group import Group
from .layout import dot_lines
from .scene import build_scene
from .tensor import Tensor
from .trace import Trace
from .value import Value


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` laid out by vizgrad's Graphviz (see :mod:`vizgrad.dot`).

    Its picture (SVG, and PNG or PDF made from it) is the frame vizgrad draws for that
    step, the same one the player shows; other formats (JSON, DOT, ...) come from
    Graphviz. No Graphviz program is needed with the bundled WebAssembly build (the
    default); a missing Graphviz gives a one-line message saying what to install.
    """

    _picture: Callable[[], str] | None = None  # the SVG from vizgrad's own writer, when known

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFound as e:
            return {"text/plain": f"GraphvizNotFound: {e}",
                    "text/html": f'<pre style="color:#d62728">GraphvizNotFound: {html.escape(str(e))}</pre>'}

    def pipe(self, format: str | None = None, renderer: str | None = None, formatter: str | None = None,
             neato_no_op: bool | int | None = None, quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None) -> bytes | str:
        """The drawing in ``format`` (default: ``self.format``) as bytes, or text given ``encoding``."""
        if renderer or formatter or neato_no_op or engine not in (None, "dot"):
            try:  # options only a Graphviz program has
                return super().pipe(format, renderer, formatter, neato_no_op, quiet,
                                    engine=engine, encoding=encoding)
            except graphviz.ExecutableNotFound:
                raise GraphvizNotFound(missing_dot_hint()) from None
        fmt = (format or self.format or "svg").lower()
        if self._picture is not None and fmt in ("svg", "png", "pdf"):
            svg = self._picture()
            out = svg.encode("utf-8") if fmt == "svg" else convert_svg(svg, fmt)
        elif fmt in ("png", "pdf") and dot.graphviz_engine() == "wasm":
            out = convert_svg(dot.run(self.source, "svg").decode("utf-8"), fmt)
        else:
            out = dot.run(self.source, fmt)
        return out.decode(encoding) if encoding else out

    def render(self, filename=None, directory=None, view: bool = False, cleanup: bool = False,
               format: str | None = None, *args, outfile=None, **kwargs) -> str:
        """Write the DOT source and the drawing beside it (``<filename>.<format>``); return its path."""
        if args or view or kwargs.get("renderer") or kwargs.get("formatter") or kwargs.get("engine"):
            try:
                return super().render(filename, directory, view, cleanup, format, *args,
                                      outfile=outfile, **kwargs)
            except graphviz.ExecutableNotFound:
                raise GraphvizNotFound(missing_dot_hint()) from None
        fmt = (format or (Path(outfile).suffix[1:] if outfile else None) or self.format or "svg").lower()
        picture = self.pipe(format=fmt)
        source = Path(self.save(filename, directory=directory))
        target = Path(outfile) if outfile is not None else source.with_name(f"{source.name}.{fmt}")
        target.write_bytes(picture)
        if cleanup:
            source.unlink()
        return str(target)


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
    drawing = Drawing("vizgrad")
    drawing.body.extend(f"\t{line}\n" for line in dot_lines(scene, texts, rankdir, active))

    @cache
    def picture() -> str:  # the frame of this step, from the same scene: what the player shows
        frames = Frames.of_scene(scene, rankdir)
        return frames.final_svg() if step is None else frames.svg(step)

    drawing._picture = picture
    return drawing
