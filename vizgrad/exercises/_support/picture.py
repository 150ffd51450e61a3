"""The picture of a check: a gate, a circuit or a graph with its values and gradients.

A :class:`Picture` names the variables (values, the student's gradients, which are
wrong and what was expected) and the ops between them. It is drawn like every vizgrad
graph: the same graph is built from vizgrad nodes and traced, :func:`vizgrad.drawing.scene.build_scene`
describes its drawing, and the check's texts are put on it (the student's gradients, a
dashed wire with ``got`` and ``expected`` where one is wrong). It becomes a drawing
through :func:`vizgrad.draw.drawing_of`, like ``vg.draw``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from ...base.lazy_numpy import lazy
from ...draw import Drawing, drawing_of
from ...drawing.options import Options
from ...drawing.scene import INK, Row, Scene, build_scene
from ...drawing.slots import ElementId, Slot
from ...engine.tensor import LocalGradient, Tensor
from ...engine.trace import trace
from ...engine.value import Value
from .text import printable, short

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats


@dataclass
class PictureVar:
    """A variable of a picture: its value, the student's gradient, and whether (and how) it is wrong."""

    key: str
    name: str  # "" for an unnamed intermediate value
    value: Any = None
    grad: Any = None  # None: not known
    grad_name: str = ""  # "constant": no gradient shown
    expected: Any = None
    wrong: bool = False
    leaf: bool = True


@dataclass
class PictureOp:
    """An op of a picture: its label, and the keys of its input and output variables."""

    key: str
    label: str
    inputs: list[str]
    output: str


@dataclass
class Picture:
    """What a check draws: variables and the ops between them."""

    vars: list[PictureVar]
    ops: list[PictureOp]


def _mirror(p: Picture) -> tuple[dict[str, Value | Tensor], Value | Tensor]:
    """The picture's graph as vizgrad nodes (values as in the picture; gradients are not used)."""
    arrays = any(v.value is not None and np.ndim(v.value) > 0 for v in p.vars)
    producer = {o.output: o for o in p.ops}
    nodes: dict[str, Value | Tensor] = {}

    def data(v: PictureVar) -> Any:
        if v.value is None:
            return math.nan
        try:
            a = np.array(v.value, dtype=np.float64)
        except (TypeError, ValueError):
            return math.nan
        return a if arrays else float(a.reshape(-1)[0]) if a.size else math.nan

    def node(key: str) -> Value | Tensor:
        if key in nodes:
            return nodes[key]
        v = by_key[key]
        name = v.name or None
        o = producer.get(key)
        if o is None:
            made: Value | Tensor = Tensor(data(v), name) if arrays else Value(data(v), name)
        else:
            ins = tuple(node(k) for k in o.inputs)
            if arrays:
                out = np.array(data(v), dtype=np.float64)
                locals_ = tuple(LocalGradient("", lambda g, s=n.shape: np.zeros(s), n.shape, out.shape)
                                for n in ins)
                made = Tensor(out, name, _op=printable(o.label), _inputs=ins, _locals=locals_)  # type: ignore[arg-type]
            else:
                made = Value(data(v), name, _op=printable(o.label), _inputs=ins, _local=(0.0,) * len(ins))  # type: ignore[arg-type]
        nodes[key] = made
        return made

    by_key = {v.key: v for v in p.vars}
    for v in p.vars:
        node(v.key)
    used = {k for o in p.ops for k in o.inputs}
    ends = [v.key for v in p.vars if v.key not in used]
    return nodes, nodes[ends[-1]]


def _set(scene: Scene, slot: str, text: str) -> None:
    """Show ``text`` in ``slot`` once the pass is over, with room for it in the layout."""
    scene.final[slot] = text
    for el in scene.elements:
        if any(r.slot == slot for r in el.rows):
            el.rows = tuple(replace(r, text=text) if r.slot == slot and len(text) > len(r.text) else r
                            for r in el.rows)


def picture_scene(p: Picture) -> Scene:
    """The scene of a picture: vizgrad's drawing of its graph, with the check's texts."""
    nodes, out = _mirror(p)
    seed = np.ones_like(out.data) if isinstance(out, Tensor) else None  # any upstream: its texts are replaced
    scene = build_scene(trace(out, seed), digits=4, heatmaps=False)
    index = {id(n): i for i, n in enumerate(scene.trace.nodes)}
    by_id = {el.id: el for el in scene.elements}
    for slot in list(scene.final):
        if slot.use is not None:  # a fork's branches: what each use sends back is not part of a check
            _set(scene, slot, "")
    for v in p.vars:
        if v.key not in nodes or id(nodes[v.key]) not in index:
            continue
        i = index[id(nodes[v.key])]
        name = printable(v.name)
        value = "" if v.value is None else f"{name} = {short(v.value)}" if name else short(v.value)
        _set(scene, Slot.value(i), value)
        gname = printable(v.grad_name) or (f"d{name}" if name else "")
        grad = "?" if v.grad is None else short(v.grad)
        if v.wrong:
            grad = f"✘ {gname}: got {grad}" if gname else f"✘ got {grad}"
        elif v.grad_name == "constant" or v.grad is None and not v.leaf:
            grad = ""
        elif gname:
            grad = f"{gname} = {grad}"
        _set(scene, Slot.grad(i), grad)
        wire = by_id.get(ElementId.wire(i))
        if v.wrong and wire is not None:
            wire.flagged = True
            if v.expected is not None:
                expected = v.expected if isinstance(v.expected, str) else short(v.expected)
                wire.rows = wire.rows + (Row(f"expected {expected}", INK, 12.0),)
            node = by_id.get(ElementId.node_at(i))
            if node is not None and node.kind == "input":
                node.flagged = True
    return scene


def render_picture(p: Picture, **options: Any) -> Drawing:
    """The picture as a drawing: one layout, SVG by :mod:`vizgrad.drawing.svg`, like every vizgrad graph.

    ``options``: drawing options (:class:`vizgrad.drawing.options.Options`) besides the digits, e.g. a
    colour palette where Options has one: the picture is drawn like any vizgrad graph."""
    scene = picture_scene(p)
    return drawing_of(scene, None, Options.of(digits=scene.digits, **options), name="check")


def alt_text(p: Picture, title: str = "") -> str:
    """The picture in words: what is drawn and, first, which gradients are wrong (got, expected)."""
    wrong = []
    for v in p.vars:
        if not v.wrong:
            continue
        name = printable(v.grad_name) or (f"d{printable(v.name)}" if v.name else "a gradient")
        got = "missing" if v.grad is None else short(v.grad)
        said = f"{name} is wrong: got {got}"
        if v.expected is not None:
            said += f", expected {v.expected if isinstance(v.expected, str) else short(v.expected)}"
        wrong.append(said)
    ops = ", ".join(printable(o.label) for o in p.ops)
    head = f"{title}: " if title else ""
    what = f"the {ops} gate{'s' if len(p.ops) > 1 else ''}" if ops else "the graph"
    if wrong:
        return f"{head}{'; '.join(wrong)}. Drawing of {what} with its values and your gradients."
    return f"{head}drawing of {what} with its values and your gradients; none is marked wrong."


def with_title(svg: str, text: str) -> str:
    """``svg`` with ``text`` as its accessible name: role="img", and a <title> first inside it."""
    start = svg.find("<svg")
    end = svg.find(">", start)
    if start < 0 or end < 0:
        return svg
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    head = svg[:end]
    if "role=" not in head[start:]:
        head += ' role="img"'
    return f"{head}>\n<title>{esc}</title>{svg[end + 1:]}"
