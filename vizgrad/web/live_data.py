"""Live inputs in a saved page: the recorded graph and, per step, how each changed text is made.

A saved page has no kernel, so it cannot call the function again. For a graph of Values
whose every gate is a row of the op table (:mod:`vizgrad.engine.ops`), it can recompute the
numbers itself: the forward value of each node, the local gradient of each edge (the
row's JavaScript expressions), then the backward pass as :func:`vizgrad.trace` records
it. What the drawing *shows* of those numbers is still decided here, in Python, by the
same code that draws every trace (:func:`~vizgrad.drawing.scene.build_scene`,
:func:`~vizgrad.drawing.captions.captions`): they run once on a copy of the trace whose numbers
are *marks*, which format as tokens naming the quantity (``value of node 3``,
``contribution of edge 5``). Every text with tokens is a template; the page fills the
tokens with its own numbers, formatted as :func:`vizgrad.drawing.texts.fmt` formats them. So the
page replays the recorded graph with new inputs: it never re-decides which hole shows
what, and a function whose graph depends on its inputs (``if x.data > 0``) keeps, in
the page, the graph recorded at the starting values. Where the calls that sized the
layout (``Scene.tried``, :func:`vizgrad.drawing.room.outcomes`) built another graph or raised, the page says so.

:func:`live_data` gives the page's JSON (see ``static/live.js``); a graph the page cannot
recompute (Tensors, gates made outside the op table) gets a short note instead.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..drawing.captions import captions as make_captions
from ..drawing.frames import Frames
from ..drawing.room import SAME
from ..drawing.scene import build_scene
from ..drawing.slots import ElementId, Slot
from ..drawing.svg import ACTIVE_CLASS, text_value
from ..drawing.texts import as_factor, fmt
from ..engine.ops import SCALAR_OPS, js_table, spec_of
from ..engine.trace import Edge, Step, Trace
from ..engine.value import Value

_TOKEN = re.compile("\ue000(\\d+)\\|(\\d+)\ue001")
_DIGITS = re.compile(r"\.(\d+)g")
MINUS = "\u2212"  # the minus sign of the spoken captions (a screen reader reads "-" as a dash)
_JS_ROWS = {row.name for row in SCALAR_OPS if row.js_forward is not None}


class NotLive(ValueError):
    """The page cannot recompute this graph (its note says why)."""


class _Mark(float):
    """A number in a recorded text: it formats as a token naming quantity ``q``, with a
    minus sign in front if ``minus`` (which tells where a text puts parentheses around
    a negative number)."""

    def __new__(cls, q: int, minus: bool) -> _Mark:
        mark = super().__new__(cls, 1.0)
        mark.q, mark.minus = q, minus
        return mark

    def __format__(self, spec: str) -> str:
        m = _DIGITS.fullmatch(spec)
        if m is None:
            raise NotLive(f"a number formatted as {spec!r}, which the page does not know")
        return ("-" if self.minus else "") + f"\ue000{self.q}|{m.group(1)}\ue001"


class Quantities:
    """Where each number of a scalar trace sits in one flat array (the page's ``Q``):
    values ``v[i]``, gradients ``g[i]``, and per edge its local gradient, contribution
    and the input's gradient after it."""

    def __init__(self, trace: Trace) -> None:
        nodes = trace.nodes
        self.n = len(nodes)
        self.pos = {id(node): i for i, node in enumerate(nodes)}
        self.edges: dict[tuple[int, int], int] = {}
        for j, node in enumerate(nodes):
            for k in range(len(node.inputs)):
                self.edges[j, k] = len(self.edges)
        self.size = 2 * self.n + 3 * len(self.edges)

    def v(self, i: int) -> int:
        return i

    def g(self, i: int) -> int:
        return self.n + i

    def local_at(self, j: int, k: int) -> int:
        """The local gradient of node ``j``'s ``k``-th input edge."""
        return 2 * self.n + self.edges[j, k]

    def edge(self, e: Edge, which: int) -> int:
        """``which``: 0 local, 1 contribution, 2 the input's gradient after it."""
        return 2 * self.n + which * len(self.edges) + self.edges[self.pos[id(e.output)], e.index]

    def of(self, trace: Trace) -> list[float]:
        """Every quantity of ``trace`` (a trace of this structure), as Python computed it."""
        q = [math.nan] * self.size
        for step in trace:
            i = self.pos[id(step.node)]
            if step.phase == "forward":
                q[self.v(i)] = step.value
                continue
            q[self.g(i)] = step.upstream
            for e in step.edges:
                q[self.edge(e, 0)], q[self.edge(e, 1)], q[self.edge(e, 2)] = e.local, e.contribution, e.grad_after
        return q


def _marked(trace: Trace, qs: Quantities, minus: bool) -> Trace:
    """A copy of ``trace`` (its nodes too) whose every number is a mark."""
    nodes: list[Value] = []
    for i, node in enumerate(trace.nodes):
        m = Value.__new__(Value)
        m.data, m.grad, m.name, m.op = _Mark(qs.v(i), minus), 0.0, node.name, node.op
        m.inputs = tuple(nodes[qs.pos[id(c)]] for c in node.inputs)
        m._local, m._spec = (), spec_of(node)
        nodes.append(m)
    edges: dict[int, Edge] = {}

    def edge(e: Edge) -> Edge:
        if id(e) not in edges:
            edges[id(e)] = Edge(nodes[qs.pos[id(e.output)]], nodes[qs.pos[id(e.input)]], e.index,
                                *(_Mark(qs.g(qs.pos[id(e.output)]), minus),
                                  *(_Mark(qs.edge(e, w), minus) for w in range(3))))
        return edges[id(e)]

    steps = []
    for step in trace:
        i = qs.pos[id(step.node)]
        node = nodes[i]
        if step.phase == "forward":
            steps.append(Step(step.index, "forward", node, _Mark(qs.v(i), minus)))
        else:
            steps.append(Step(step.index, "backward", node, _Mark(qs.v(i), minus), _Mark(qs.g(i), minus),
                              tuple(edge(e) for e in step.edges), tuple(edge(e) for e in step.sources)))
    copy = Trace.__new__(Trace)
    copy.output, copy.nodes, copy._steps = nodes[-1], tuple(nodes), tuple(steps)
    copy._grads, copy._position = {}, {id(n): i for i, n in enumerate(nodes)}
    return copy


def template(plain: str, minus: str, escape: bool) -> list[Any]:
    """A text recorded twice (marks without, then with a minus sign) as a template: literal
    strings and ``[q, digits, how]`` (``how``: 1 in parentheses when negative, 2 with a
    minus sign − as the spoken captions write it, 0 as is)."""
    a, b = _TOKEN.split(plain), _TOKEN.split(minus)
    if len(a) != len(b) or a[1::3] != b[1::3] or a[2::3] != b[2::3]:
        raise NotLive("a text depends on the numbers in a way the page cannot follow")
    out: list[Any] = []
    factored = False
    for t in range(0, len(a) - 1, 3):
        lit, seen = a[t], _unwrap(b[t], factored)
        if not seen.endswith("-"):
            raise NotLive("a number lost its sign in a text")
        seen = seen[:-1]
        factored = seen == lit + "("
        if not factored and seen != lit:
            raise NotLive("a text depends on the numbers in a way the page cannot follow")
        if lit:
            out.append(text_value(lit) if escape else lit)
        out.append([int(a[t + 1]), int(a[t + 2]), int(factored)])
    if _unwrap(b[-1], factored) != a[-1]:
        raise NotLive("a text depends on the numbers in a way the page cannot follow")
    if a[-1]:
        out.append(text_value(a[-1]) if escape else a[-1])
    return out


def _spoken(plain: str, minus: str) -> list[Any]:
    """A spoken caption's template: its numbers are read with a minus sign −."""
    pieces = template(plain, minus.replace(MINUS + "\ue000", "-\ue000"), False)
    if any(not isinstance(p, str) and p[2] for p in pieces):
        raise NotLive("a spoken caption puts a number in parentheses")
    return [p if isinstance(p, str) else [p[0], p[1], 2] for p in pieces]


def _unwrap(text: str, factored: bool) -> str:
    """``text`` without the ``)`` that closes a factored number before it."""
    if not factored:
        return text
    if not text.startswith(")"):
        raise NotLive("a text depends on the numbers in a way the page cannot follow")
    return text[1:]


def render(tmpl: list[Any], q: list[float]) -> str:
    """A template filled with numbers, as Python formats them (the page does the same)."""
    out = []
    for piece in tmpl:
        if isinstance(piece, str):
            out.append(piece)
        else:
            s = fmt(float(q[piece[0]]), piece[1])
            out.append(as_factor(s) if piece[2] == 1 else s.replace("-", MINUS) if piece[2] == 2 else s)
    return "".join(out)


def _number(x: float) -> float | str:
    """A number for JSON: nan and ±inf as strings (JSON has none)."""
    return x if math.isfinite(x) else ("nan" if x != x else ("inf" if x > 0 else "-inf"))


def graph_rows(trace: Trace, qs: Quantities) -> tuple[list[list[Any]], dict[str, Any]]:
    """Each node as ``[op name or None, [input positions], constant, leaf value]``, and the
    op rows it uses; NotLive if the page cannot compute one of them."""
    table = js_table()
    nodes, rows = [], {}
    for node in trace.nodes:
        if not isinstance(node, Value):
            raise NotLive("arrays (Tensors) are recomputed by the kernel")
        if not node.op:
            nodes.append([None, [], None, _number(node.data)])
            continue
        spec = spec_of(node)
        if spec is None or spec[0].name not in _JS_ROWS:
            raise NotLive(f"the {node.op} gate is not a row of the op table")
        row, c = spec
        rows[row.name] = table[row.name]
        nodes.append([row.name, [qs.pos[id(i)] for i in node.inputs], None if c is None else _number(c), None])
    return nodes, rows


def live_data(frames: Frames, inputs: dict[str, Any], leaves: dict[str, list[int]]) -> dict[str, Any]:
    """The page's live inputs for ``frames``: ``inputs`` maps each input's name to its slider
    (``value``, ``min``, ``max``, ``step``), ``leaves`` to the positions of its leaf nodes.

    Either ``{"inputs", "nodes", "ops", "size", "initial", "steps", "captions", "spoken",
    "rooms"}`` (the page recomputes; ``rooms``: ``[hole, width]`` per text), with ``"tried"``
    if the function built another graph somewhere (:func:`tried_calls`), or
    ``{"inputs", "kernel": why}`` (the page says the inputs need a kernel).
    """
    sliders = [{"name": name, "value": _number(s.value), "min": _number(s.min), "max": _number(s.max),
                "step": _number(s.step), "nodes": leaves.get(name, [])} for name, s in inputs.items()]
    try:
        data = {"inputs": sliders, **_recipes(frames)}
    except NotLive as e:
        return {"inputs": sliders, "kernel": str(e)}
    calls = tried_calls(frames, list(inputs))
    return {**data, "tried": calls} if calls else data


def tried_calls(frames: Frames, names: list[str]) -> list[list[Any]]:
    """The calls that sized the layout (``frames.scene.tried``) as ``[kind, [value of
    each input]]`` (kind: 0 the recorded graph, 1 another graph, 2 the call raised), if any
    built another graph or raised; else none."""
    calls = frames.scene.tried
    if not names or all(kind == SAME for _, kind in calls) or any(sorted(p) != sorted(names) for p, _ in calls):
        return []
    return [[kind, [_number(p[n]) for n in names]] for p, kind in calls]


def _recipes(frames: Frames) -> dict[str, Any]:
    trace, digits = frames.trace, frames.options.digits
    if any(el.kind == "cluster" for el in frames.scene.elements):
        raise NotLive("a drawing with groups is recomputed by the kernel")
    qs = Quantities(trace)
    nodes, rows = graph_rows(trace, qs)
    plain, minus = _marked(trace, qs, False), _marked(trace, qs, True)
    copies = frames.scene.copies  # as drawn: a leaf used often is drawn once per use
    scene_a, scene_b = build_scene(plain, digits, copies=copies), build_scene(minus, digits, copies=copies)
    caps_a, caps_b = make_captions(plain, digits), make_captions(minus, digits)
    holes = frames.template.holes

    def node_of(key: ElementId | Slot) -> int:
        """The node a class hole's element draws (a gate, an input or a copy of one), else -1."""
        return key.node if isinstance(key, ElementId) and key.kind == "node" else -1

    steps = []
    for k, diff in enumerate(frames.changes):
        texts = {holes[h].key for h, _ in diff if holes[h].kind == "text"}
        if texts != set(scene_a.changes[k]):
            raise NotLive("the recorded texts do not match the drawing")
        steps.append([[h, template(scene_a.changes[k][holes[h].key], scene_b.changes[k][holes[h].key], True)]
                      if holes[h].kind == "text" else [h, node_of(holes[h].key), int(ACTIVE_CLASS in v)]
                      for h, v in diff])
    captions = [[template(a.text, b.text, False), template(a.formula, b.formula, False)]
                for a, b in zip(caps_a, caps_b, strict=True)]
    spoken = [_spoken(a.spoken, b.spoken) for a, b in zip(caps_a, caps_b, strict=True)]
    initial = [[h, node_of(hole.key)] for h, hole in enumerate(holes)
               if hole.kind == "class" and node_of(hole.key) >= 0]
    # each text's room: a longer text (an input past the numbers the layout was sized for) is squeezed into it
    rooms = [[h, round(room, 2)] for h, (hole, room) in enumerate(zip(holes, frames.template.rooms, strict=True))
             if hole.kind == "text" and room > 0]
    data = {"nodes": nodes, "ops": rows, "size": qs.size, "initial": initial, "steps": steps,
            "captions": captions, "spoken": spoken, "rooms": rooms}
    _check(frames, data, qs.of(trace))
    return data


def _check(frames: Frames, data: dict[str, Any], q: list[float]) -> None:
    """The templates, filled with this trace's numbers, must give this trace's frames and captions."""
    for diff, recipe in zip(frames.changes, data["steps"], strict=True):
        for (_, value), r in zip(diff, recipe, strict=True):
            if isinstance(r[1], list) and render(r[1], q) != value:
                raise NotLive(f"a text differs when recomputed: {render(r[1], q)!r}, not {value!r}")
    for caption, (text, formula), spoken in zip(make_captions(frames.trace, frames.options.digits), data["captions"],
                                                data["spoken"], strict=True):
        if (render(text, q), render(formula, q), render(spoken, q)) != (caption.text, caption.formula, caption.spoken):
            raise NotLive(f"a caption differs when recomputed: {render(formula, q)!r}, not {caption.formula!r}")
