"""One picture of a trace as a :class:`graphviz.Digraph`, in the lecture's style."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, Callable

import graphviz

from .base.files import write_atomic
from .drawing.captions import describe
from .drawing.layout import dot_lines
from .drawing.options import Options, non_default
from .drawing.request import as_frames, scene_of
from .drawing.scene import Scene
from .drawing.svg import fit_width
from .engine.group import Group
from .engine.tensor import Tensor
from .engine.trace import Trace, is_output
from .engine.value import Value
from .export.convert import picture
from .graphviz import engines as dot
from .graphviz.engines import GraphvizNotFound, missing_dot_hint
from .graphviz.errors import GRAPHVIZ_ERRORS
from .pictures import Frames
from .web.display import no_drawing, no_drawing_text, zoomable  # noqa: F401  (no_drawing_text: the exercises')


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` laid out by vizgrad's Graphviz (see :mod:`vizgrad.graphviz.engines`).

    Its DOT ``source`` and its picture describe one drawing: both are made from the
    same scene at the same step. The picture (SVG, and PNG or PDF made from it) is the
    frame vizgrad draws for that step, the same one the player shows; once the source
    is changed (``attr``, ``node``, ``edge``, ``body``...), every format comes from
    Graphviz rendering the source as it now is. No Graphviz program is needed with the
    bundled WebAssembly build (the default); a missing Graphviz gives a one-line message.
    """

    @property
    def _picture(self) -> Callable[[], str] | None:
        """vizgrad's own SVG of this drawing, while the source is the one it was made for."""
        fn = self.__dict__.get("_picture_fn")
        if fn is None or self.__dict__.get("_picture_source") != self.source:
            return None
        return fn

    @_picture.setter
    def _picture(self, fn: Callable[[], str] | None) -> None:
        # set once the source is complete: the picture belongs to the source as it is now
        self.__dict__["_picture_fn"] = fn
        self.__dict__["_picture_source"] = self.source

    def copy(self) -> Drawing:
        new = super().copy()
        new._picture = self.__dict__.get("_picture_fn") if self._picture is not None else None
        new.__dict__["_alt"] = self.__dict__.get("_alt", "")
        return new

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """What a notebook shows: the SVG (fitted to the cell), and for vizgrad's own picture
        too big to read at the cell's width, the same picture zoomable (``text/html``)."""
        try:
            bundle = super()._repr_mimebundle_(include, exclude, **kwargs)
            own = self._picture
            if own is None:  # Graphviz's rendering of an edited source: as it is
                return bundle
            more, metadata = zoomable(own(), self.__dict__["_alt"], include, exclude)
            return ({**bundle, **more}, metadata) if more else bundle
        except GRAPHVIZ_ERRORS as e:  # a short message where the picture would be, not a traceback
            return no_drawing(e)

    def _repr_image_svg_xml(self) -> str:
        """The SVG a notebook shows: vizgrad's own picture fits the cell's width (scaled
        down, never cut off); Graphviz's rendering of an edited source is shown as it is."""
        own = self._picture
        return fit_width(own()) if own is not None else super()._repr_image_svg_xml()

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
        own = self._picture
        if own is not None and fmt in ("svg", "png", "pdf"):
            out = picture(own(), fmt)
        elif fmt in ("png", "pdf") and dot.graphviz_engine() == "wasm":
            out = picture(dot.run(self.source, "svg").decode("utf-8"), fmt)
        else:
            out = dot.run(self.source, fmt)
        return out.decode(encoding) if encoding else out

    def save(self, filename: str | os.PathLike | None = None, directory: str | os.PathLike | None = None, *,
             skip_existing: bool | None = False) -> str:
        """Write the DOT source to ``filename`` (all at once); return its path."""
        if filename is not None:
            self.filename = filename
        if directory is not None:
            self.directory = directory
        path = Path(self.filepath)
        if skip_existing and path.exists():
            return str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, "".join(self), encoding=self.encoding)
        return str(path)

    def render(self, filename=None, directory=None, view: bool = False, cleanup: bool = True,
               format: str | None = None, *args, outfile=None, **kwargs) -> str:
        """Write the drawing to ``<filename>.<format>`` (or ``outfile``); return its path.

        Only the image is left, as graphviz's ``render(cleanup=True)``: unlike graphviz's own
        default, the DOT source is written beside it (to ``filename``) only with ``cleanup=False``.
        """
        if args or view or kwargs.get("renderer") or kwargs.get("formatter") or kwargs.get("engine"):
            try:
                return super().render(filename, directory, view, cleanup, format, *args,
                                      outfile=outfile, **kwargs)
            except graphviz.ExecutableNotFound:
                raise GraphvizNotFound(missing_dot_hint()) from None
        fmt = (format or (Path(outfile).suffix[1:] if outfile else None) or self.format or "svg").lower()
        image = self.pipe(format=fmt)
        if filename is not None:
            self.filename = filename
        if directory is not None:
            self.directory = directory
        source = Path(self.filepath)
        target = Path(outfile) if outfile is not None else source.with_name(f"{source.name}.{fmt}")
        if not cleanup:
            self.save()
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, image)
        return str(target)


def drawing_of(scene: Scene, step: int | None, options: Options, frames: Frames | None = None,
               name: str = "vizgrad") -> Drawing:
    """The :class:`Drawing` of ``scene`` after ``step`` (``None``: the finished pass): its DOT
    source and its picture both from the scene (the picture from ``frames`` if given, or
    from frames laid out the first time it is shown)."""
    if step is None:
        texts, active = scene.texts_at(None), ()
    else:
        texts, active = scene.texts_at(step), scene.active[step]
    drawing = Drawing(name)
    drawing.body.extend(f"\t{line}\n" for line in dot_lines(scene, texts, options.rankdir, active,
                                                                palette=options.palette))

    @cache
    def svg() -> str:  # the frame of this step, from the same scene: what the player shows
        fr = frames if frames is not None else Frames(scene, options)
        return fr.final_svg() if step is None else fr.svg(step)

    drawing._picture = svg
    drawing.__dict__["_alt"] = describe(scene.trace)
    return drawing


def draw(out_or_trace: Value | Tensor | Trace | Frames, step: int | Value | Tensor | None = None,
         rankdir: str = "LR", digits: int = 3, groups: Group | tuple[Group, ...] = (),
         collapse: bool = False, **more: Any) -> Drawing:
    """Draw the graph as it is after ``step`` of its trace (``None``: the finished pass).

    ``step`` may also be a node of the graph: the backward step that computes its gradient.

    Forward values are green above each wire, gradients red below; at a backward step
    the active wires and gates are highlighted, and the wire carries its new gradient
    (``vg.captions(trace)[step]`` says how it was made: ``upstream × local = contribution``).
    Given an output rather than a trace, the output is traced first, so the values and
    gradients shown are those of the whole pass whether or not ``backward()`` was called.
    ``groups`` (from :func:`vizgrad.group`) are boxed, or with ``collapse=True`` drawn as one gate.
    Given frames, their layout is used (and their options). ``more``: any other option
    of :class:`~vizgrad.drawing.options.Options`.
    """
    chosen = dict(rankdir=rankdir, digits=digits, groups=groups, collapse=collapse, **more)
    frames: Frames | None = None
    if isinstance(out_or_trace, Frames):  # laid out already: options that differ are an error
        frames = as_frames(out_or_trace, kind=Frames, **non_default(**chosen))
        options, scene = frames.options, frames.scene
    else:
        options = Options.of(**chosen)
        scene = scene_of(out_or_trace, options)
    tr = scene.trace
    if isinstance(step, (Value, Tensor)) or is_output(step):  # a node (or a torch tensor, a micrograd Value):
        # the backward step that reaches it
        step = tr.backward_step(step).index
    if step is not None:
        if not isinstance(step, int) or isinstance(step, bool):
            raise TypeError(f"step must be an int, a node of the graph or None, got {type(step).__name__}")
        if not -len(tr) <= step < len(tr):
            raise IndexError(f"step {step} does not exist: this trace has {len(tr)} steps (0 to {len(tr) - 1})")
        step %= len(tr)
    return drawing_of(scene, step, options, frames)
