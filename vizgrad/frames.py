"""Every step of a trace as a picture, from one layout.

:class:`Frames` lays the graph out once (texts at their final, longest size), writes
one SVG with holes, and keeps for each step only what changes: a few texts and which
elements are active. Every node therefore stays in exactly the same place in every
frame, and the frames together cost little more than one drawing. The scrubber,
the saved player and the exports all read this one representation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Iterator

from .group import Group
from .group import collapse as collapse_groups
from .layout import dot_source, layout
from .scene import Scene, build_scene
from .svg import ACTIVE_CLASS, Template, text_value, write_template
from .tensor import Tensor
from .trace import Trace, trace
from .value import Value



def as_trace(out_or_trace: Value | Tensor | Trace, groups: tuple[Group, ...] = (),
             collapse: bool = False) -> tuple[Trace, tuple[Group, ...]]:
    """A trace, given either a trace or the output of a graph (which is traced).

    With ``collapse``, each group becomes one gate (the graph is rebuilt and traced);
    otherwise the groups are returned to be drawn as boxes.
    """
    if isinstance(out_or_trace, Trace):
        out = out_or_trace.output
    elif isinstance(out_or_trace, (Value, Tensor)):
        out = out_or_trace
    else:
        raise TypeError(
            f"expected the output of a graph (a Value or a Tensor) or a vizgrad.trace(...), "
            f"got {type(out_or_trace).__name__}"
        )
    groups = (groups,) if isinstance(groups, Group) else tuple(groups)
    if collapse and groups:
        return trace(collapse_groups(out, *groups)), ()
    return (out_or_trace if isinstance(out_or_trace, Trace) else trace(out)), groups


class Frames(Sequence):
    """The frames of a whole trace: ``len(frames)`` steps, ``frames.svg(k)`` each."""

    def __init__(self, out_or_trace: Value | Tensor | Trace, rankdir: str = "LR", digits: int = 3,
                 groups: Group | tuple[Group, ...] = (), collapse: bool = False) -> None:
        trace, groups = as_trace(out_or_trace, groups, collapse)
        self._lay_out(build_scene(trace, digits, groups), rankdir)

    @classmethod
    def of_scene(cls, scene: Scene, rankdir: str = "LR") -> "Frames":
        """The frames of a scene already built (its trace is ``scene.trace``)."""
        frames = cls.__new__(cls)
        frames._lay_out(scene, rankdir)
        return frames

    def _lay_out(self, scene: Scene, rankdir: str) -> None:
        self.trace: Trace = scene.trace
        self.rankdir = rankdir
        self.scene: Scene = scene
        self.template: Template = write_template(scene, layout(scene, rankdir))
        index = {(h.kind, h.key): i for i, h in enumerate(self.template.holes)}
        self.initial: list[str] = ["" for _ in self.template.holes]
        # per step: (hole, value) pairs that differ from the step before
        self.changes: list[tuple[tuple[int, str], ...]] = []
        before: tuple[str, ...] = ()
        for k, change in enumerate(self.scene.changes):
            diff = [(index["text", slot], text_value(text)) for slot, text in change.items()]
            now = self.scene.active[k]
            diff += [(index["class", el], "") for el in before if el not in now]
            diff += [(index["class", el], ACTIVE_CLASS) for el in now if el not in before]
            self.changes.append(tuple(diff))
            before = now

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

    def final_svg(self) -> str:
        """The SVG of the finished pass: every value and gradient, nothing active."""
        values = list(self.initial)
        for i, h in enumerate(self.template.holes):
            if h.kind == "text":
                values[i] = text_value(self.scene.final.get(h.key, ""))
        return self.template.fill(values)

    def _repr_svg_(self) -> str:
        return self.final_svg()

    @property
    def dot(self) -> str:
        """The DOT source of the one layout (every text at its longest)."""
        return dot_source(self.scene, None, self.rankdir)

    # -- the compact form, for players -----------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Everything a player needs: the SVG with numbered holes and each step's changes."""
        parts = self.template.parts
        marked = [parts[0]]
        for i, (hole, part) in enumerate(zip(self.template.holes, parts[1:])):
            if hole.kind == "text":  # the hole sits right after '<text ... data-slot="…">'
                marked[-1] = marked[-1][:-1] + f' data-h="{i}">'
            else:  # the hole sits inside class="…": mark the element itself
                head, sep, tail = marked[-1].rpartition("<g ")
                marked[-1] = f'{head}{sep}data-h="{i}" {tail}'
            marked.append(self.initial[i])
            marked.append(part)
        return {"svg": "".join(marked), "steps": [[list(c) for c in diff] for diff in self.changes]}

    @property
    def nbytes(self) -> int:
        """Bytes of the base drawing plus every step's changes (as sent to a player)."""
        return len(json.dumps(self.to_json(), ensure_ascii=False).encode("utf-8"))

    # -- export ---------------------------------------------------------------------------

    def save(self, folder: str | Path, format: str = "svg", **options: Any) -> list[Path]:
        """Write every step to ``folder`` as SVG, PNG or PDF (``step_000.svg`` …), or the whole
        pass as one ``pass.gif``, or the layout's ``graph.dot``. ``options``: ``scale`` and
        ``dpi`` (PNG, GIF), ``duration_ms`` and ``last_ms`` (GIF)."""
        from .export import save_frames

        return save_frames(self, folder, format, **options)

    def __repr__(self) -> str:
        return f"<Frames: {len(self)} steps of {len(self.trace.nodes)} nodes, one layout>"


def frames(out_or_trace: Value | Tensor | Trace, rankdir: str = "LR", digits: int = 3,
           groups: Group | tuple[Group, ...] = (), collapse: bool = False) -> Frames:
    """The frames of a whole trace, computed from a single Graphviz layout.

    ``groups`` are boxed, or with ``collapse=True`` each drawn as one gate.
    """
    return Frames(out_or_trace, rankdir, digits, groups, collapse)
