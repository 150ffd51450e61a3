"""From a trace to a drawing: what is drawn, and what each step changes.

The lecture draws a computational graph as *gates* (circles showing the op) joined
by *wires*. Each wire carries a variable: its forward value in green above the wire
and its gradient in red below. Inputs are named at the left end of their wire, the
output at the right end. Where a variable feeds several gates, its wire splits at a
small *junction*: each branch carries the gradient coming back from one gate, and
the trunk shows them being added up.

A :class:`Scene` is that drawing, described without coordinates: its elements (with
Graphviz attributes) and, for every step of the trace, the texts that change and
the elements that are active. Texts that change live in *slots*; everything else is
static. Layout (:mod:`vizgrad.drawing.layout`) and frames (:mod:`vizgrad.drawing.frames`) use it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Mapping

from . import heatmap
from ..base.lazy_numpy import lazy
from ..engine.tensor import Tensor
from ..engine.trace import Edge, Step, Trace
from .texts import BLANK, as_factor, is_numbers, clean, fmt, one_line, roomiest, text_width
from ..engine.value import Value

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)

# A row's colour is a role: the SVG gives it the class vg-<role>, the palette its colour
INK = "ink"
GREEN = VALUE = "value"  # forward values (green in the lecture)
RED = GRAD = "grad"  # gradients (red in the lecture)
FLAG = "flag"  # non-finite values
MUTED = "muted"  # group labels
COPIES_OVER = 4  # a leaf used more often than this is drawn once per use (see build_scene)
LEFT_COLUMN_MAX = 12  # at most this many named inputs stand in one column at the left


@dataclass(frozen=True)
class Row:
    """One line of text in a label: static ``text``, or a ``slot`` whose text changes."""

    text: str
    color: str = INK
    size: float = 14.0
    slot: str | None = None
    heat: tuple[str, int, int] | None = None  # a heatmap's room: its key, rows and columns of cells


@dataclass
class Element:
    """A node (input, gate, output, junction) or a wire of the drawing."""

    id: str
    kind: str  # "input" | "gate" | "output" | "junction" | "wire"
    rows: tuple[Row, ...] = ()
    tail: str | None = None  # wires only
    head: str | None = None
    flagged: bool = False  # shows a nan or inf
    arrow: bool = True
    members: tuple[str, ...] = ()  # clusters only: the elements boxed together

    @property
    def is_wire(self) -> bool:
        return self.kind == "wire"


@dataclass
class Scene:
    """The drawing of a trace, and what each of its steps changes."""

    trace: Trace
    elements: list[Element] = field(default_factory=list)
    changes: list[dict[str, str]] = field(default_factory=list)  # per step: slot -> text
    active: list[tuple[str, ...]] = field(default_factory=list)  # per step: element ids
    digits: int = 3
    final: dict[str, str] = field(default_factory=dict)  # every slot once the pass is over
    left: tuple[str, ...] = ()  # inputs that stand in one column at the left edge
    copies: bool = False  # whether a leaf used often is drawn once per use
    live: bool = False  # its numbers change on the same layout (live inputs): rows keep room for them

    def slot_history(self) -> dict[str, tuple[list[int], list[str]]]:
        """For each slot, the steps where it changes and its text from then on."""
        history: dict[str, tuple[list[int], list[str]]] = {}
        for k, change in enumerate(self.changes):
            for slot, text in change.items():
                steps, texts = history.setdefault(slot, ([], []))
                steps.append(k)
                texts.append(text)
        return history

    def texts_at(self, step: int | None) -> dict[str, str]:
        """Every slot's text after ``step`` (``None``: the finished pass)."""
        if step is None and self.final:
            return dict(self.final)
        k = len(self.changes) - 1 if step is None else step
        out: dict[str, str] = {}
        for slot, (steps, texts) in self.slot_history().items():
            i = bisect_right(steps, k)
            out[slot] = texts[i - 1] if i else ""
        return out


def name_of(node: Value | Tensor) -> str | None:
    return node.name if node.name else None


# -- building the scene -------------------------------------------------------------


def build_scene(trace: Trace, digits: int = 3, groups: tuple = (), copies: bool = False,
                heatmaps: bool = True, room: bool | Mapping[str, str] = False) -> Scene:
    """Describe the drawing of ``trace`` and the changes made by each of its steps.

    Each of ``groups`` (see :func:`vizgrad.group`) is drawn as a labelled box around its gates.
    With ``copies`` (as every drawing vizgrad shows), a leaf used more than
    :data:`COPIES_OVER` times (a weight shared by every step of a recurrent net) is drawn
    once per use, beside the gate that uses it: one node with a fork of many long branches
    would tie the whole graph together and make its layout slow (minutes at 300 nodes).
    The copies show the same value and highlight together; going backward each copy's wire
    shows its own contribution, and under every copy's name ``Σ`` the sum of them all.
    A leaf used a few times keeps one node, whose fork shows the gradients adding up.
    Named inputs stand in one column at the left edge, as the lecture draws ``x, y, z``,
    when there are at most :data:`LEFT_COLUMN_MAX` of them; in a bigger graph each input
    sits just before the gate that uses it (a column of hundreds of weights would stretch
    every wire across the drawing).
    With ``heatmaps``, a tensor of more than a few elements has heatmaps of its value and
    gradient under their texts (:mod:`vizgrad.drawing.heatmap`).
    With ``room``, the drawing is for live inputs (other inputs drawn on the same layout):
    ``True`` gives every number's slot the room of the widest number the drawing's ``digits``
    can write (:func:`widest_number`); a mapping gives each slot the room of the wider of its
    own text and the mapping's (texts of the same slot at other inputs, see
    :mod:`vizgrad.drawing.room`), at most that widest room. Without it, each text gets the room it
    needs, and the drawing is as compact, and its text as large, as the page allows.
    """
    scene = Scene(trace, digits=digits, copies=copies, live=room is not False)
    nodes = trace.nodes
    pos = {id(n): i for i, n in enumerate(nodes)}
    for c, g in enumerate(groups):
        inside = tuple(f"n{pos[id(m)]}" for m in g.members if id(m) in pos)
        if not inside:
            raise ValueError(f"group {g.label!r} is not part of this graph")
        scene.elements.append(Element(f"c{c}", "cluster", tuple(Row(t, MUTED, 12.0) for t in clean(g.label)),
                                      members=inside))
    # who uses each node, once per use (a node used twice by one gate counts twice)
    uses: dict[int, list[tuple[int, int]]] = {id(n): [] for n in nodes}
    for j, n in enumerate(nodes):
        for k, inp in enumerate(n.inputs):
            uses[id(inp)].append((j, k))

    copied = {id(n) for n in nodes if copies and not n.op and len(uses[id(n)]) > COPIES_OVER}
    for i, n in enumerate(nodes):
        flagged = not n.is_finite
        if n.op:
            scene.elements.append(Element(f"n{i}", "gate", (Row(one_line(n.op)),), flagged=flagged))
            continue
        rows = [Row(line) for line in clean(name_of(n) or ("input" if isinstance(n, Value) else "array"))]
        if isinstance(n, Tensor):
            rows.append(Row(_shape(n.shape), size=11.0))
        if id(n) in copied:  # one copy per use, each with the total gradient under its name
            for c in range(len(uses[id(n)])):
                scene.elements.append(Element(f"n{i}@{c}", "input", (*rows, Row("", RED, 12.0, f"s{i}@{c}")),
                                              flagged=flagged))
        else:
            scene.elements.append(Element(f"n{i}", "input", tuple(rows), flagged=flagged))
    named = [f"n{i}" for i, n in enumerate(nodes) if not n.op and n.name and id(n) not in copied]
    if len(named) <= LEFT_COLUMN_MAX:
        scene.left = tuple(named)

    for i, n in enumerate(nodes):
        value_row = Row("", GREEN, 12.0, f"v{i}")
        grad_row = Row("", RED, 12.0, f"g{i}")
        users = uses[id(n)]
        if not users:  # the output: its wire ends at its name
            label = clean(name_of(n) or "out")
            scene.elements.append(Element("out", "output", tuple(Row(t) for t in label)))
            scene.elements.append(Element(f"w{i}", "wire", (value_row, grad_row), f"n{i}", "out"))
        elif id(n) in copied:
            for c, (j, _) in enumerate(users):
                scene.elements.append(Element(f"w{i}@{c}", "wire", (Row("", GREEN, 12.0, f"v{i}@{c}"),
                                                                    Row("", RED, 12.0, f"g{i}@{c}")),
                                              f"n{i}@{c}", f"n{j}"))
        elif len(users) == 1:
            j, _ = users[0]
            scene.elements.append(Element(f"w{i}", "wire", (value_row, grad_row), f"n{i}", f"n{j}"))
        else:  # a fork: trunk to a junction, one branch per use
            scene.elements.append(Element(f"j{i}", "junction"))
            scene.elements.append(Element(f"w{i}", "wire", (value_row, grad_row), f"n{i}", f"j{i}",
                                          arrow=False))
            for j, k in users:
                scene.elements.append(Element(f"w{i}.{j}.{k}", "wire", (Row("", RED, 12.0, f"g{i}.{j}.{k}"),),
                                              f"j{i}", f"n{j}"))

    if heatmaps:
        _add_heatmaps(scene)

    settle: dict[str, str] = {}  # chain-rule texts become plain numbers one step later
    for step in trace:
        change, active = _step_changes(step, pos, uses, digits, id(step.node) in copied)
        if heatmaps:
            change.update(_heat_changes(step, pos[id(step.node)]))
        scene.changes.append({**settle, **change})
        scene.active.append(active)
        settle = {slot: text.rsplit(" = ", 1)[-1] for slot, text in change.items() if " = " in text}
        if step.phase == "forward":
            settle = {}
    scene.final = {**scene.texts_at(None), **settle}

    _size_rows(scene, room)
    return scene


def _step_changes(step: Step, pos: dict[int, int], uses: dict, digits: int,
                  copied: bool = False) -> tuple[dict[str, str], tuple[str, ...]]:
    node = step.node
    i = pos[id(node)]
    users = uses[id(node)]
    if copied:
        return _copies_changes(step, i, pos, users, digits)
    wires = [f"w{i}"] + ([f"j{i}"] + [f"w{i}.{j}.{k}" for j, k in users] if len(users) > 1 else [])
    if step.phase == "forward":
        value = fmt(step.value, digits)
        name = name_of(node)
        text = f"{' '.join(clean(name))} = {value}" if node.op and name else value
        return {f"v{i}": text}, (f"n{i}", *wires)

    grad = fmt(step.upstream, digits)
    change: dict[str, str] = {}
    if not step.sources:  # the output: d out / d out
        change[f"g{i}"] = grad
    elif len(users) == 1:
        change[f"g{i}"] = chain_text(step.sources[0], digits)
    else:
        parts = [fmt(e.contribution, digits) for e in step.sources]
        change[f"g{i}"] = " + ".join(parts[:1] + [as_factor(p) for p in parts[1:]]) + f" = {grad}"
        for e in step.sources:
            change[f"g{i}.{pos[id(e.output)]}.{e.index}"] = chain_text(e, digits)
    # the previous step's chain-rule texts settle to plain numbers
    active = (f"n{i}", *wires, *(f"n{pos[id(e.output)]}" for e in step.sources))
    return change, active


def _copies_changes(step: Step, i: int, pos: dict[int, int], users: list, digits: int
                    ) -> tuple[dict[str, str], tuple[str, ...]]:
    """A leaf drawn once per use: every copy shows its value; going backward, each copy's
    wire its own contribution, and under every copy's name the sum of them all (``Σ``)."""
    copies = [f"n{i}@{c}" for c in range(len(users))] + [f"w{i}@{c}" for c in range(len(users))]
    if step.phase == "forward":
        value = fmt(step.value, digits)
        return {f"v{i}@{c}": value for c in range(len(users))}, tuple(copies)
    copy_of = {(j, k): c for c, (j, k) in enumerate(users)}
    change = {f"s{i}@{c}": f"Σ {fmt(step.upstream, digits)}" for c in range(len(users))}
    for e in step.sources:
        change[f"g{i}@{copy_of[pos[id(e.output)], e.index]}"] = chain_text(e, digits)
    return change, (*copies, *dict.fromkeys(f"n{pos[id(e.output)]}" for e in step.sources))


def chain_text(e: Edge, digits: int) -> str:
    """``upstream × local = contribution`` for one edge, as numbers (or the VJP rule)."""
    up, out = fmt(e.upstream, digits), fmt(e.contribution, digits)
    if isinstance(e.local, float):
        return f"{up} × {as_factor(fmt(e.local, digits))} = {out}"
    return f"{e.local.rule} = {out}"


def longest_texts(scene: Scene) -> dict[str, str]:
    """The longest text each slot of ``scene`` shows at any step."""
    longest: dict[str, str] = {}
    for change in scene.changes:
        for slot, text in change.items():
            if len(text) > len(longest.get(slot, "")):
                longest[slot] = text
    return longest


def _size_rows(scene: Scene, room: bool | Mapping[str, str]) -> None:
    """Give each slot row, for layout, the longest text it will ever show; with ``room``
    (``True``), every number in it as wide as any number :func:`fmt` may write there (so that
    other inputs, drawn on the same layout, fit as well); with a mapping of texts, the wider
    of the slot's own and the mapping's (numbers no wider than with ``True``)."""
    longest = longest_texts(scene)
    if room is True:
        longest = {slot: roomiest(text, scene.digits) for slot, text in longest.items()}
    elif room is not False:
        for slot, own in longest.items():
            hint = room.get(slot, own)
            if hint != own and text_width(hint) >= text_width(own):
                most = roomiest(own, scene.digits, factors=True)  # (an array's summary: no cap)
                longest[slot] = hint if not is_numbers(own) or text_width(hint) <= text_width(most) else most
    for el in scene.elements:
        el.rows = tuple(
            Row(longest.get(r.slot, "") or BLANK, r.color, r.size, r.slot) if r.slot else r
            for r in el.rows
        )


def structure(scene: Scene) -> list[tuple]:
    """The scene without its changing texts and flags: what the layout depends on."""
    return [
        (el.id, el.kind, el.tail, el.head, el.arrow, el.members,
         tuple((r.slot, r.color, r.size) if r.slot else (r.text, r.color, r.size) for r in el.rows))
        for el in scene.elements
    ]


def _add_heatmaps(scene: Scene) -> None:
    """Under the value and the gradient text of each large array, its heatmap's room."""
    rooms = {}
    for i, n in enumerate(scene.trace.nodes):
        if heatmap.shown(n.data):
            lines, blank = heatmap.room(n.shape)
            rows, cols = heatmap.grid_shape(n.shape)
            for kind in "vg":
                rooms[f"{kind}{i}"] = tuple(Row(blank, "heat", 12.0, heat=(f"h{kind}{i}", rows, cols))
                                            for _ in range(lines))
    for el in scene.elements:
        if any(r.slot in rooms for r in el.rows):
            el.rows = tuple(x for r in el.rows for x in (r, *rooms.get(r.slot, ())))


def _heat_changes(step: Step, i: int) -> dict[str, str]:
    """The classes of node ``i``'s heatmap cells that ``step`` shows (none for small arrays)."""
    data = step.value if step.phase == "forward" else step.upstream
    if not heatmap.shown(step.node.data) or data is None:
        return {}
    return heatmap.changes(f"{'hv' if step.phase == 'forward' else 'hg'}{i}", np.asarray(data))


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
