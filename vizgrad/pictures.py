"""The frames a user holds (:func:`frames`): every step of a trace, shown in a notebook's cell
and saved to files. The model itself, one layout and each step's changes, is
:class:`vizgrad.drawing.frames.Frames`; this adds what a notebook and a disk need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .drawing import frames as model
from .drawing.captions import describe
from .drawing.options import Options
from .drawing.request import scene_of
from .drawing.svg import fit_width
from .engine.group import Group
from .engine.tensor import Tensor
from .engine.trace import Trace
from .engine.value import Value
from .export import save_frames
from .web.display import asked, zoomable


class Frames(model.Frames):
    """Every step of a trace as a picture, from one layout: ``len(frames)`` steps,
    ``frames.svg(k)`` each (see :class:`vizgrad.drawing.frames.Frames`). A notebook shows
    the finished pass; :meth:`save` writes the steps to files."""

    def _repr_svg_(self) -> str:
        return fit_width(self.final_svg())  # as wide as the notebook's cell at most

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any):
        """What a notebook shows: the finished pass, fitted to the cell, and zoomable too
        (``text/html``) if it is too big to read at the cell's width."""
        svg = self.final_svg()
        data = {"image/svg+xml": fit_width(svg)} if asked("image/svg+xml", include, exclude) else {}
        more, metadata = zoomable(svg, describe(self.trace), include, exclude)
        return {**data, **more}, metadata

    def save(self, folder: str | Path, format: str = "svg", **options: Any) -> list[Path]:
        """Write every step to ``folder`` as SVG, PNG or PDF (``step_000.svg`` …), or the whole
        pass as one ``pass.gif``, or the layout's ``graph.dot``. ``options``: ``steps`` (only
        these steps: ``steps=[8]`` writes ``step_008.png``), ``scale`` and ``dpi`` (PNG, GIF),
        ``duration_ms`` and ``last_ms`` (GIF), ``caption`` and ``palette``
        (see :func:`vizgrad.export.save_frames`)."""
        return save_frames(self, folder, format, **options)


def frames(out_or_trace: Value | Tensor | Trace, rankdir: str = "LR", digits: int = 3,
           groups: Group | tuple[Group, ...] = (), collapse: bool = False, **more: Any) -> Frames:
    """The frames of a whole trace, computed from a single Graphviz layout.

    ``groups`` are boxed, or with ``collapse=True`` each drawn as one gate; ``more``:
    any other option of :class:`~vizgrad.drawing.options.Options`.
    """
    options = Options.of(rankdir=rankdir, digits=digits, groups=groups, collapse=collapse, **more)
    return Frames(scene_of(out_or_trace, options), options)
