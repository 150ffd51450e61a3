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
static; elements and slots are named by ids (:mod:`vizgrad.drawing.slots`). Layout
(:mod:`vizgrad.drawing.layout`) and frames (:mod:`vizgrad.drawing.frames`) use it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Mapping

from ..base.lazy_numpy import lazy
from ..engine.recorded import is_kept
from ..engine.tensor import Tensor
from ..engine.trace import Step, Trace
from ..engine.value import Value
from . import heatmap
from .slots import ElementId, Slot
from .texts import BLANK, clean, fmt, is_numbers, one_line, roomiest, text_width

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
    slot: Slot | None = None
    heat: tuple[Slot, int, int] | None = None  # a heatmap's room: its slot, rows and columns of cells


@dataclass
class Element:
    """A node (input, gate, output, junction) or a wire of the drawing."""

    id: ElementId
    kind: str  # "input" | "gate" | "output" | "junction" | "wire" | "cluster"
    rows: tuple[Row, ...] = ()
    tail: ElementId | None = None  # wires only
    head: ElementId | None = None
    flagged: bool = False  # shows a nan or inf
    arrow: bool = True
    members: tuple[ElementId, ...] = ()  # clusters only: the elements boxed together

    @property
    def is_wire(self) -> bool:
        return self.kind == "wire"


@dataclass
class Scene:
    """The drawing of a trace, and what each of its steps changes."""

    trace: Trace
    elements: list[Element] = field(default_factory=list)
    changes: list[dict[Slot, str]] = field(default_factory=list)  # per step: slot -> text
    active: list[tuple[ElementId, ...]] = field(default_factory=list)  # per step: element ids
    digits: int = 3
    final: dict[Slot, str] = field(default_factory=dict)  # every slot once the pass is over
    left: tuple[ElementId, ...] = ()  # inputs that stand in one column at the left edge
    copies: bool = False  # whether a leaf used often is drawn once per use
    live: bool = False  # its numbers change on the same layout (live inputs): rows keep room for them
    tried: tuple = ()  # live inputs: what the function built at the inputs tried (drawing.room.outcomes)

    def slot_history(self) -> dict[Slot, tuple[list[int], list[str]]]:
        """For each slot, the steps where it changes and its text from then on."""
        history: dict[Slot, tuple[list[int], list[str]]] = {}
        for k, change in enumerate(self.changes):
            for slot, text in change.items():
                steps, texts = history.setdefault(slot, ([], []))
                steps.append(k)
                texts.append(text)
        return history

    def texts_at(self, step: int | None) -> dict[Slot, str]:
        """Every slot's text after ``step`` (``None``: the finished pass)."""
        if step is None and self.final:
            return dict(self.final)
        k = len(self.changes) - 1 if step is None else step
        out: dict[Slot, str] = {}
        for slot, (steps, texts) in self.slot_history().items():
            i = bisect_right(steps, k)
            out[slot] = texts[i - 1] if i else ""
        return out


def name_of(node: Value | Tensor) -> str | None:
    return node.name if node.name else None


# -- building the scene -------------------------------------------------------------


def build_scene(trace: Trace, digits: int = 3, groups: tuple = (), copies: bool = False,
                heatmaps: bool = True, room: bool | Mapping[Slot, str] = False) -> Scene:
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
    graph = _Graph.of(trace, copies)
    _add_groups(scene, groups, graph.pos)
    _add_nodes(scene, graph)
    for i, n in enumerate(trace.nodes):
        scene.elements.extend(_wires(i, n, graph.uses[id(n)], id(n) in graph.copied))
    if heatmaps:
        _add_heatmaps(scene)
    _add_steps(scene, graph, heatmaps)
    _size_rows(scene, room)
    return scene


@dataclass(frozen=True)
class _Graph:
    """Where each node of a trace is (``pos``, by ``id()``), who uses it, once per use (a node
    used twice by one gate counts twice): ``(gate, input)`` pairs, which leaves are drawn once
    per use, and, by position, each node's element (``ids``: its gate, or its input drawn once)
    and the wires it lights up (``wires``: its own, and a fork's junction and branches)."""

    pos: dict[int, int]
    uses: dict[int, list[tuple[int, int]]]
    copied: set[int]
    ids: tuple[ElementId, ...]
    wires: tuple[tuple[ElementId, ...], ...]

    @classmethod
    def of(cls, trace: Trace, copies: bool) -> _Graph:
        nodes = trace.nodes
        uses: dict[int, list[tuple[int, int]]] = {id(n): [] for n in nodes}
        for j, n in enumerate(nodes):
            for k, inp in enumerate(n.inputs):
                uses[id(inp)].append((j, k))
        copied = {id(n) for n in nodes if copies and not n.op and len(uses[id(n)]) > COPIES_OVER}
        wires = tuple((ElementId.wire(i), *(_fork(i, uses[id(n)]) if len(uses[id(n)]) > 1 else ()))
                      for i, n in enumerate(nodes))
        return cls({id(n): i for i, n in enumerate(nodes)}, uses, copied,
                   tuple(ElementId.node_at(i) for i in range(len(nodes))), wires)


def _fork(i: int, users: list[tuple[int, int]]) -> tuple[ElementId, ...]:
    """Where node ``i``'s wire forks: its junction, then a branch per use."""
    return (ElementId.junction(i), *(ElementId.branch(i, j, k) for j, k in users))


def _add_groups(scene: Scene, groups: tuple, pos: dict[int, int]) -> None:
    """A box around the gates of each group."""
    for c, g in enumerate(groups):
        inside = tuple(ElementId.node_at(pos[id(m)]) for m in g.members if id(m) in pos)
        if not inside:
            raise ValueError(f"group {g.label!r} is not part of this graph (a PyTorch or micrograd graph's groups "
                             "come from t.group(...) of the trace t that is drawn)")
        scene.elements.append(Element(ElementId.cluster(c), "cluster",
                                      tuple(Row(t, MUTED, 12.0) for t in clean(g.label)), members=inside))


def _add_nodes(scene: Scene, graph: _Graph) -> None:
    """A gate per op, an input per leaf (one per use when copied), and the left column of inputs."""
    nodes = scene.trace.nodes
    for i, n in enumerate(nodes):
        flagged = not n.is_finite and is_kept(scene.trace.forward[i].value)  # (nan stands for a value not kept)
        if n.op:
            scene.elements.append(Element(ElementId.node_at(i), "gate", (Row(one_line(n.op)),), flagged=flagged))
            continue
        rows = [Row(line) for line in clean(name_of(n) or ("input" if isinstance(n, Value) else "array"))]
        if isinstance(n, Tensor):
            rows.append(Row(_shape(n.shape), size=11.0))
        if id(n) in graph.copied:  # one copy per use, each with the total gradient under its name
            for c in range(len(graph.uses[id(n)])):
                scene.elements.append(Element(ElementId.node_at(i, c), "input",
                                              (*rows, Row("", RED, 12.0, Slot.sum(i, c))), flagged=flagged))
        else:
            scene.elements.append(Element(ElementId.node_at(i), "input", tuple(rows), flagged=flagged))
    named = [ElementId.node_at(i) for i, n in enumerate(nodes) if not n.op and n.name and id(n) not in graph.copied]
    if len(named) <= LEFT_COLUMN_MAX:
        scene.left = tuple(named)


def _wires(i: int, n: Value | Tensor, users: list[tuple[int, int]], copied: bool) -> list[Element]:
    """The wire out of node ``i``, with its value above and its gradient below: to the output's
    name, to its one user, from each copy (``copied``) to its user, or forking to each use."""
    value_row = Row("", GREEN, 12.0, Slot.value(i))
    grad_row = Row("", RED, 12.0, Slot.grad(i))
    here = ElementId.node_at(i)
    if not users:  # the output: its wire ends at its name
        out = ElementId.output()
        return [Element(out, "output", tuple(Row(t) for t in clean(name_of(n) or "out"))),
                Element(ElementId.wire(i), "wire", (value_row, grad_row), here, out)]
    if copied:
        return [Element(ElementId.wire(i, c), "wire",
                        (Row("", GREEN, 12.0, Slot.value(i, c)), Row("", RED, 12.0, Slot.grad(i, c))),
                        ElementId.node_at(i, c), ElementId.node_at(j))
                for c, (j, _) in enumerate(users)]
    if len(users) == 1:
        return [Element(ElementId.wire(i), "wire", (value_row, grad_row), here, ElementId.node_at(users[0][0]))]
    fork = ElementId.junction(i)  # a fork: trunk to a junction, one branch per use
    return [Element(fork, "junction"), Element(ElementId.wire(i), "wire", (value_row, grad_row), here, fork,
                                               arrow=False),
            *(Element(ElementId.branch(i, j, k), "wire", (Row("", RED, 12.0, Slot.branch(i, j, k)),),
                      fork, ElementId.node_at(j)) for j, k in users)]


def _add_steps(scene: Scene, graph: _Graph, heatmaps: bool) -> None:
    """Each step's changed texts and active elements, and every text once the pass is over."""
    for step in scene.trace:
        change, active = _step_changes(step, graph, scene.digits)
        if heatmaps:
            change.update(_heat_changes(step, graph.pos[id(step.node)]))
        scene.changes.append(change)
        scene.active.append(active)
    scene.final = scene.texts_at(None)


def _step_changes(step: Step, graph: _Graph, digits: int) -> tuple[dict[Slot, str], tuple[ElementId, ...]]:
    node = step.node
    pos = graph.pos
    i = pos[id(node)]
    users = graph.uses[id(node)]
    if id(node) in graph.copied:
        return _copies_changes(step, i, graph, digits)
    wires = graph.wires[i]
    if step.phase == "forward":
        value = fmt(step.value, digits)
        name = name_of(node)
        text = f"{' '.join(clean(name))} = {value}" if node.op and name else value
        return {Slot.value(i): text}, (graph.ids[i], *wires)

    # the wire carries its number, as on the lecture's slides; the chain rule that made it
    # (upstream × local = contribution) is the step's caption (vizgrad.drawing.captions)
    change: dict[Slot, str] = {Slot.grad(i): fmt(step.upstream, digits)}
    if len(users) > 1:  # a fork: each branch its own contribution, the trunk their sum
        for e in step.sources:
            change[Slot.branch(i, pos[id(e.output)], e.index)] = fmt(e.contribution, digits)
    active = (graph.ids[i], *wires, *(graph.ids[pos[id(e.output)]] for e in step.sources))
    return change, active


def _copies_changes(step: Step, i: int, graph: _Graph, digits: int) -> tuple[dict[Slot, str], tuple[ElementId, ...]]:
    """A leaf drawn once per use: every copy shows its value; going backward, each copy's
    wire its own contribution, and under every copy's name the sum of them all (``Σ``)."""
    pos, users = graph.pos, graph.uses[id(step.node)]
    n = len(users)
    copies = [ElementId.node_at(i, c) for c in range(n)] + [ElementId.wire(i, c) for c in range(n)]
    if step.phase == "forward":
        value = fmt(step.value, digits)
        return {Slot.value(i, c): value for c in range(n)}, tuple(copies)
    copy_of = {(j, k): c for c, (j, k) in enumerate(users)}
    change = {Slot.sum(i, c): f"Σ {fmt(step.upstream, digits)}" for c in range(n)}
    for e in step.sources:
        change[Slot.grad(i, copy_of[pos[id(e.output)], e.index])] = fmt(e.contribution, digits)
    return change, (*copies, *dict.fromkeys(graph.ids[pos[id(e.output)]] for e in step.sources))


def longest_texts(scene: Scene) -> dict[Slot, str]:
    """The longest text each slot of ``scene`` shows at any step."""
    longest: dict[Slot, str] = {}
    for change in scene.changes:
        for slot, text in change.items():
            if len(text) > len(longest.get(slot, "")):
                longest[slot] = text
    return longest


def _size_rows(scene: Scene, room: bool | Mapping[Slot, str]) -> None:
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
    rooms: dict[Slot, tuple[Row, ...]] = {}
    for i, n in enumerate(scene.trace.nodes):
        if heatmap.shown(n.data):
            lines, blank = heatmap.room(n.shape)
            rows, cols = heatmap.grid_shape(n.shape)
            for slot in (Slot.value(i), Slot.grad(i)):
                rooms[slot] = tuple(Row(blank, "heat", 12.0, heat=(slot.heatmap(), rows, cols)) for _ in range(lines))
    for el in scene.elements:
        if any(r.slot in rooms for r in el.rows):
            el.rows = tuple(x for r in el.rows for x in (r, *rooms.get(r.slot, ())))


def _heat_changes(step: Step, i: int) -> dict[Slot, str]:
    """The classes of node ``i``'s heatmap cells that ``step`` shows (none for small arrays)."""
    data = step.value if step.phase == "forward" else step.upstream
    if not heatmap.shown(step.node.data) or data is None or not is_kept(data):
        return {}
    return heatmap.changes(Slot.heat(i, "value" if step.phase == "forward" else "grad"), np.asarray(data))


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
