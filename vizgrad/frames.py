"""Every step of a trace as a picture, from one layout.

:class:`Frames` lays the graph out once (texts at their final, longest size), writes
one SVG with holes, and keeps for each step only what changes: a few texts and which
elements are active (or flagged: showing a nan or inf). Every node therefore stays in exactly the same place in every
frame, and the frames together cost little more than one drawing. The scrubber,
the saved player, :func:`vizgrad.draw` and the exports all read this one representation;
another trace of the same structure is drawn on the same layout by :meth:`Frames.with_trace`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from .group import Group
from .layout import dot_source, layout
from .options import Options, as_trace, boxed_groups, call
from .room import Range, default_range, rooms_for, sample
from .scene import Scene, build_scene, longest_texts, structure
from .texts import roomiest
from .svg import Template, class_value, fit_width, text_value, write_template
from .tensor import Tensor
from .trace import Trace
from .value import Value


class StructureChanged(ValueError):
    """A new trace does not fit an existing layout: its graph has another structure."""


class Frames(Sequence):
    """The frames of a whole trace: ``len(frames)`` steps, ``frames.svg(k)`` each.

    The one layout (``template``, with its holes) and, for this trace, each hole's
    ``initial`` content and each step's ``changes``: (hole, value) pairs. A text hole
    holds a slot's text; a class hole an element's flags (a nan or inf shown, active),
    so both texts and flags follow the numbers of whichever trace is drawn on the layout.
    """

    def __init__(self, out_or_trace: Value | Tensor | Trace, rankdir: str = "LR", digits: int = 3,
                 groups: Group | tuple[Group, ...] = (), collapse: bool = False, **more: Any) -> None:
        options = Options.of(rankdir=rankdir, digits=digits, groups=groups, collapse=collapse, **more)
        self._lay_out(scene_of(out_or_trace, options), options)

    @classmethod
    def of_scene(cls, scene: Scene, rankdir: str = "LR") -> Frames:
        """The frames of a scene already built (its trace is ``scene.trace``)."""
        return cls.of_options(scene, Options(rankdir, scene.digits))

    @classmethod
    def of_options(cls, scene: Scene, options: Options) -> Frames:
        """The frames of a scene built with ``options``."""
        frames = cls.__new__(cls)
        frames._lay_out(scene, options)
        return frames

    def _lay_out(self, scene: Scene, options: Options) -> None:
        self.options: Options = options
        self.rankdir = options.rankdir
        self.template: Template = write_template(scene, layout(scene, options.rankdir, wrap=True), options.palette)
        self._holes = {(h.kind, h.key): i for i, h in enumerate(self.template.holes)}
        self._fill(scene)

    def _fill(self, scene: Scene) -> None:
        """This trace's content of every hole: at the start and changed by each step."""
        self.scene: Scene = scene
        self.trace: Trace = scene.trace
        index = self._holes
        flagged = {el.id for el in scene.elements if el.flagged}
        self.initial: list[str] = ["" for _ in self.template.holes]
        for el in flagged:
            self.initial[index["class", el]] = class_value(True, False)
        # per step: (hole, value) pairs that differ from the step before
        self.changes: list[tuple[tuple[int, str], ...]] = []
        before: tuple[str, ...] = ()
        for k, change in enumerate(scene.changes):
            # a slot is a text hole, or a class hole (a heatmap's cells: vizgrad.heatmap)
            diff = [(index["text", slot], text_value(text)) if ("text", slot) in index else (index["class", slot], text)
                    for slot, text in change.items()]
            now = scene.active[k]
            diff += [(index["class", el], class_value(el in flagged, False)) for el in before if el not in now]
            diff += [(index["class", el], class_value(el in flagged, True)) for el in now if el not in before]
            self.changes.append(tuple(diff))
            before = now

    def with_trace(self, out_or_trace: Value | Tensor | Trace) -> Frames:
        """The frames of another trace drawn on this layout (every node where it is here).

        For a graph of the same structure (the same ops, names and wiring: e.g. the same
        function at other inputs). Raises :class:`StructureChanged` otherwise.
        Frames of live inputs (:func:`as_frames` of a function) are laid out again, every
        room at least as wide as here, when a number of the new trace is wider than its room.
        """
        new_trace = as_trace(out_or_trace, Options(digits=self.options.digits))
        rooms = {r.slot: r.text for el in self.scene.elements for r in el.rows if r.slot} if self.scene.live else False
        scene = build_scene(new_trace, self.scene.digits, copies=self.scene.copies, room=rooms)
        clusters = [el for el in self.scene.elements if el.kind == "cluster"]
        scene.elements[:0] = clusters  # boxes are drawn around the same positions
        if len(scene.changes) != len(self.changes) or structure(scene) != structure(self.scene):
            raise StructureChanged("the new graph has another structure than the laid-out one "
                                   "(other ops, names or wiring): it needs a layout of its own")
        if rooms:
            grown = {r.slot for el in scene.elements for r in el.rows if r.slot and r.text != rooms[r.slot]}
            if grown:  # a number outgrew its room: laid out again, its slot as roomy as numbers get
                longest = longest_texts(scene)
                rooms.update({slot: roomiest(longest[slot], scene.digits, factors=True) for slot in grown})
                scene = build_scene(new_trace, self.scene.digits, copies=self.scene.copies, room=rooms)
                scene.elements[:0] = clusters
                return Frames.of_options(scene, self.options)
        frames = Frames.__new__(Frames)
        frames.options, frames.rankdir, frames.template, frames._holes = (
            self.options, self.rankdir, self.template, self._holes)
        try:
            frames._fill(scene)
        except KeyError as e:
            raise StructureChanged(f"the new graph has a hole the layout lacks: {e}") from None
        return frames

    # -- the sequence of SVG frames ---------------------------------------------------

    def __len__(self) -> int:
        return len(self.changes)

    def __getitem__(self, k):  # type: ignore[override]
        if isinstance(k, slice):
            return [self.svg(i) for i in range(*k.indices(len(self)))]
        return self.svg(k)

    def __iter__(self) -> Iterator[str]:
        values = list(self.initial)
        for diff in self.changes:
            for hole, value in diff:
                values[hole] = value
            yield self.template.fill(values)

    def _index(self, k: int) -> int:
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(f"a frame index must be an int, got {type(k).__name__}")
        n = len(self)
        if not -n <= k < n:
            raise IndexError(f"frame {k} does not exist: this trace has {n} steps (0 to {n - 1})")
        return k % n

    def values(self, k: int) -> list[str]:
        """The content of every hole at step ``k``."""
        values = list(self.initial)
        for diff in self.changes[: self._index(k) + 1]:
            for hole, value in diff:
                values[hole] = value
        return values

    def svg(self, k: int) -> str:
        """The SVG text of the graph after step ``k``."""
        return self.template.fill(self.values(k))

    def final_values(self) -> list[str]:
        """The content of every hole once the pass is over: every value and gradient,
        nothing active."""
        values = list(self.initial)
        for i, h in enumerate(self.template.holes):
            if h.kind == "text":
                values[i] = text_value(self.scene.final.get(h.key, ""))
            elif h.key in self.scene.final:  # a heatmap's cells
                values[i] = self.scene.final[h.key]
        return values

    def final_svg(self) -> str:
        """The SVG of the finished pass: every value and gradient, nothing active."""
        return self.template.fill(self.final_values())

    def marked_svg(self, values: list[str] | None = None) -> str:
        """The SVG with every hole's element marked ``data-h``, filled with ``values``
        (default: :attr:`initial`): what a player starts from."""
        return self.template.fill_marked(self.initial if values is None else values)

    def _repr_svg_(self) -> str:
        return fit_width(self.final_svg())  # as wide as the notebook's cell at most

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any):
        """What a notebook shows: the finished pass, fitted to the cell, and zoomable too
        (``text/html``) if it is too big to read at the cell's width."""
        from .captions import describe
        from .player import asked, zoomable

        svg = self.final_svg()
        data = {"image/svg+xml": fit_width(svg)} if asked("image/svg+xml", include, exclude) else {}
        more, metadata = zoomable(svg, describe(self.trace), include, exclude)
        return {**data, **more}, metadata

    @property
    def dot(self) -> str:
        """The DOT source of the one layout (every text at its longest)."""
        return dot_source(self.scene, None, self.rankdir, flags=False)

    # -- the compact form, for players -----------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Everything a player needs: the SVG with numbered holes and each step's changes."""
        return {"svg": self.marked_svg(), "steps": [[list(c) for c in diff] for diff in self.changes]}

    @property
    def nbytes(self) -> int:
        """Bytes of the base drawing plus every step's changes (as sent to a player)."""
        return len(json.dumps(self.to_json(), ensure_ascii=False).encode("utf-8"))

    # -- export ---------------------------------------------------------------------------

    def save(self, folder: str | Path, format: str = "svg", **options: Any) -> list[Path]:
        """Write every step to ``folder`` as SVG, PNG or PDF (``step_000.svg`` …), or the whole
        pass as one ``pass.gif``, or the layout's ``graph.dot``. ``options``: ``scale`` and
        ``dpi`` (PNG, GIF), ``duration_ms`` and ``last_ms`` (GIF), ``caption`` and ``palette``
        (see :func:`vizgrad.export.save_frames`)."""
        from .export import save_frames

        return save_frames(self, folder, format, **options)

    def __repr__(self) -> str:
        return f"<Frames: {len(self)} steps of {len(self.trace.nodes)} nodes, one layout>"


def frames(out_or_trace: Value | Tensor | Trace, rankdir: str = "LR", digits: int = 3,
           groups: Group | tuple[Group, ...] = (), collapse: bool = False, **more: Any) -> Frames:
    """The frames of a whole trace, computed from a single Graphviz layout.

    ``groups`` are boxed, or with ``collapse=True`` each drawn as one gate; ``more``:
    any other option of :class:`~vizgrad.options.Options`.
    """
    return Frames(out_or_trace, rankdir, digits, groups, collapse, **more)


def scene_of(out_or_trace: Value | Tensor | Trace, options: Options,
             room: bool | Mapping[str, str] = False) -> Scene:
    """The scene of a graph's output or of a trace, drawn with ``options`` (``room``: for live
    inputs, each number's slot as wide as numbers there get; see :func:`~vizgrad.scene.build_scene`)."""
    return build_scene(as_trace(out_or_trace, options), options.digits, boxed_groups(options), copies=True,
                       room=room)


def live_scene(fn: Callable[..., Any], inputs: Mapping[str, float], options: Options,
               ranges: Mapping[str, Range] | None = None, at: Trace | None = None) -> Scene:
    """The scene of ``fn`` at ``inputs`` (its trace ``at``, if made already), each number's slot
    as wide as the widest text it shows at a few inputs across ``ranges`` (each input's slider:
    min, max, step; default: a range around its start, as :func:`vizgrad.scrub` gives it).
    Without ``at``, ``fn`` is called last at ``inputs``."""
    ranges = {name: (ranges or {}).get(name) or default_range(float(v)) for name, v in inputs.items()}
    samples = sample(fn, inputs, ranges, options.digits)
    new = as_trace(at if at is not None else call(fn, dict(inputs)), options)
    rooms = rooms_for(samples, structure(scene_of(new, options)), options.digits)
    return scene_of(new, options, room=rooms)


Drawable = Frames | Trace | Value | Tensor | Callable[..., Any]


def as_frames(obj: Drawable, inputs: dict[str, float] | None = None, *, ranges: Mapping[str, Range] | None = None,
              **options: Any) -> Frames:
    """The frames of what a user passes: frames (as they are), a trace, a graph's output,
    or a function called with ``inputs`` (a named :class:`Value` each; its numbers' rooms
    sized over the inputs' ``ranges``, see :func:`live_scene`).

    ``options`` are those of :class:`~vizgrad.options.Options` (``rankdir``, ``digits``,
    ``groups``, ``collapse``); frames are laid out already, so options that differ from
    theirs raise a ValueError.
    """
    if isinstance(obj, Frames):
        changed = obj.options.changed(**options)
        if changed:
            said = ", ".join(f"{k}={v!r}" for k, v in changed.items())
            raise ValueError(f"these frames are laid out already: pass the graph's output or its trace "
                             f"instead of frames to draw it with {said}")
        return obj
    opts = Options.of(**options)
    if isinstance(obj, (Value, Tensor, Trace)):
        if inputs:
            raise TypeError(f"inputs ({', '.join(inputs)}) are for a function: pass a function, not a graph")
        return Frames.of_options(scene_of(obj, opts), opts)
    if not callable(obj):
        raise TypeError(
            "expected a graph's output (a Value or Tensor), a vizgrad.trace(...), frames, "
            f"or a function with its inputs as keywords; got {type(obj).__name__}"
        )
    if not inputs:
        raise TypeError("a function needs its inputs as keywords, e.g. scrub(fn, x=-2.0, y=5.0)")
    if opts.groups:
        raise TypeError("groups name the nodes of one graph, and a function makes a new graph at every "
                        "input: pass the graph's output (with its groups) instead of the function")
    # a function's graph is drawn again at other inputs on this layout: numbers keep their room
    return Frames.of_options(live_scene(obj, inputs, opts, ranges), opts)


def picture(svg: str, format: str = "svg") -> bytes:
    """An SVG (a frame, or Graphviz's own) as the bytes of an SVG, PNG or PDF file."""
    fmt = format.lower() if isinstance(format, str) else format
    if fmt == "svg":
        return svg.encode("utf-8")
    if fmt not in ("png", "pdf"):
        raise ValueError(f"a picture is 'svg', 'png' or 'pdf', not {format!r}")
    from .convert import convert_svg  # PNG and PDF writers load only when asked for

    return convert_svg(svg, fmt)
