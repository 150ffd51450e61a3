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
from typing import Any, Iterator

from ..engine.tensor import Tensor
from ..engine.trace import Trace, traced
from ..engine.value import Value
from .layout import dot_source, layout
from .options import Options
from .scene import Scene, build_scene, longest_texts, structure
from .slots import ElementId
from .svg import Template, class_value, text_value, write_template
from .texts import roomiest


class StructureChanged(ValueError):
    """A new trace does not fit an existing layout: its graph has another structure."""


class Frames(Sequence):
    """The frames of a whole trace: ``len(frames)`` steps, ``frames.svg(k)`` each.

    The one layout (``template``, with its holes) and, for this trace, each hole's
    ``initial`` content and each step's ``changes``: (hole, value) pairs. A text hole
    holds a slot's text; a class hole an element's flags (a nan or inf shown, active),
    so both texts and flags follow the numbers of whichever trace is drawn on the layout.
    """

    def __init__(self, scene: Scene, options: Options, template: Template | None = None) -> None:
        """The frames of ``scene`` (built with ``options``), laid out once; or, given the
        ``template`` of frames of the same structure, drawn on that layout."""
        self.options: Options = options
        self.rankdir = options.rankdir
        self.template: Template = template or write_template(scene, layout(scene, options.rankdir, wrap=True),
                                                             options.palette)
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
        before: tuple[ElementId, ...] = ()
        for k, change in enumerate(scene.changes):
            # a slot is a text hole, or a class hole (a heatmap and its cells: vizgrad.drawing.heatmap)
            diff = [(index["text", slot], text_value(text)) if slot.is_text else (index["class", slot], text)
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
        Frames of live inputs (:func:`~vizgrad.drawing.request.as_frames` of a function) are laid out again, every
        room at least as wide as here, when a number of the new trace is wider than its room.
        """
        new_trace = traced(out_or_trace)
        rooms = ({r.slot: r.text for el in self.scene.elements for r in el.rows if r.slot is not None}
                 if self.scene.live else False)
        scene = build_scene(new_trace, self.scene.digits, copies=self.scene.copies, room=rooms)
        clusters = [el for el in self.scene.elements if el.kind == "cluster"]
        scene.elements[:0] = clusters  # boxes are drawn around the same positions
        scene.tried = self.scene.tried  # the same structure: what the function built elsewhere holds
        if len(scene.changes) != len(self.changes) or structure(scene) != structure(self.scene):
            raise StructureChanged("the new graph has another structure than the laid-out one "
                                   "(other ops, names or wiring): it needs a layout of its own")
        if rooms:
            grown = {r.slot for el in scene.elements for r in el.rows if r.slot is not None and r.text != rooms[r.slot]}
            if grown:  # a number outgrew its room: laid out again, its slot as roomy as numbers get
                longest = longest_texts(scene)
                rooms.update({slot: roomiest(longest[slot], scene.digits, factors=True) for slot in grown})
                scene = build_scene(new_trace, self.scene.digits, copies=self.scene.copies, room=rooms)
                scene.elements[:0], scene.tried = clusters, self.scene.tried
                return type(self)(scene, self.options)
        try:
            return type(self)(scene, self.options, self.template)
        except KeyError as e:
            raise StructureChanged(f"the new graph has a hole the layout lacks: {e}") from None

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

    def __repr__(self) -> str:
        return f"<Frames: {len(self)} steps of {len(self.trace.nodes)} nodes, one layout>"

