"""Laying a scene out once with Graphviz.

:func:`dot_source` writes the scene as DOT (every text escaped into an HTML-like
label); :func:`layout` runs Graphviz on it once, with every changing text at the
longest it will ever be, and keeps the geometry Graphviz chose (its JSON output:
shapes, splines and text positions), from which :mod:`vizgrad.drawing.svg` draws every frame.
Graphviz runs as :mod:`vizgrad.graphviz.engines` chooses: bundled as WebAssembly, or the system's ``dot``.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from graphviz.quoting import escape, nohtml, quote

from ..graphviz import engines as dot
from ..graphviz.effort import effort
from ..graphviz.engines import GraphvizNotFound, LayoutTooSlow  # noqa: F401  (raised by layout())
from . import shapes
from .palette import LECTURE
from .palette import get as get_palette
from .scene import Element, Row, Scene
from .slots import ElementId, Slot
from .texts import BLANK, one_line
from .wrap import BIG_GATES, WRAP_ASPECT, WRAP_GATES, Wrapper, choose_cuts, crossings, wrap_curve, wrap_ops

LAYOUT_FONT = "DejaVu Sans"  # the widest font a frame may be shown in: texts fit in any of them
ACTIVE = LECTURE.active  # the lecture palette's (a drawing's DOT source uses its own palette's)
ACTIVE_FILL = LECTURE.active_fill
NBSP = "\u00a0"
FLAG = LECTURE.flag
FLAG_FILL = LECTURE.flag_fill


def _never(_: str) -> bool:
    return False


def _quoted(value: Any) -> str:
    """``value`` as a double-quoted DOT string, by the graphviz package's own quoting:
    every backslash literal (:func:`graphviz.escape`), every ``"`` escaped."""
    text = str(value)
    if _PLAIN.fullmatch(text):  # most values (ids, numbers, colours): nothing to escape
        return f'"{text}"'
    return quote(escape(text), is_valid_id=_never)


_PLAIN = re.compile(r"[A-Za-z0-9_.,#@~ ()+-]*")


def node_id(name: str) -> str:
    """A node's name in DOT: as it is when it is a plain identifier, else quoted."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else _quoted(name)


def _attrs(**kw: Any) -> str:
    """A DOT attribute list; ``label`` (from :func:`plain_label`) keeps its ``\\n`` line breaks."""
    return "[" + " ".join(
        f"{k}={quote(nohtml(v), is_valid_id=_never) if k == 'label' else _quoted(v)}"
        for k, v in kw.items() if v is not None
    ) + "]"


def _rows(el: Element, texts: dict[Slot, str] | None) -> tuple[Row, ...]:
    if texts is None:
        return el.rows
    return tuple(replace(r, text=texts.get(r.slot, "")) if r.slot else replace(r, text="") if r.heat else r
                 for r in el.rows)


def plain_label(rows: tuple[Row, ...], blank: str = BLANK) -> str | None:
    """A plain Graphviz label, one line per row, escaped for DOT (lines joined by ``\\n``).

    ``&``, ``<`` and ``>`` become entities (which Graphviz reads back), so a text is
    measured as itself; a row with nothing to show keeps its line with ``blank`` (a
    middle dot, which Graphviz measures and places like any text).
    Only sizes matter here: the SVG is written by :mod:`vizgrad.drawing.svg`, with every row's
    own colour. No label (``None``) only when every row is a changing text not shown yet.
    """
    if all(r.slot and not r.text for r in rows):
        return None
    lines = (one_line(r.text) for r in rows)
    return "\\n".join(escape(html.escape(line if line.strip() else blank, quote=False)) for line in lines)


def depth(scene: Scene) -> int:
    """The length of the longest chain of operations in ``scene``'s graph."""
    nodes = scene.trace.nodes
    pos = {id(n): i for i, n in enumerate(nodes)}
    longest = [0] * len(nodes)
    for i, n in enumerate(nodes):  # (a trace's nodes come in topological order)
        longest[i] = max((longest[pos[id(m)]] + 1 for m in n.inputs), default=0)
    return max(longest, default=0)


def dot_lines(scene: Scene, texts: dict[Slot, str] | None = None, rankdir: str = "LR",
              active: tuple[ElementId, ...] = (), flags: bool = True, palette: str | None = None) -> list[str]:
    """The body of the scene's DOT graph.

    ``texts`` gives each slot's text; ``None`` gives each slot its longest text,
    which is what the one layout is computed from. ``active`` elements are highlighted,
    and with ``flags`` flagged ones (a nan or inf) are drawn as vizgrad's SVG draws them.
    The layout is computed without flags: they change with the numbers, not the structure.
    Colours: those of ``palette`` (:mod:`vizgrad.drawing.palette`; ``None``: the session's default).
    """
    p = get_palette(palette)
    big = sum(el.kind == "gate" for el in scene.elements) >= BIG_GATES  # tighter: more fits a page
    nodesep, ranksep = ("0.2", "0.3") if big else ("0.35", "0.45")
    lines = [
        f'graph [rankdir={_quoted(rankdir)} ordering="in" nodesep="{nodesep}" ranksep="{ranksep}" bgcolor="{p.paper}" '
        f'fontname="{LAYOUT_FONT}"]',
        f'node [fontname="{LAYOUT_FONT}" fontsize="14" color="{p.ink}" penwidth="1.3"]',
        f'edge [fontname="{LAYOUT_FONT}" fontsize="12" color="{p.line}" arrowsize="0.7" penwidth="1.2"]',
    ]
    limits = effort(len(scene.elements), depth(scene))  # a big graph: Graphviz's work bounded (graphviz.effort)
    if limits:
        lines.insert(1, "graph [" + " ".join(f'{k}="{v}"' for k, v in limits.items()) + "]")
    blank = BLANK if texts is None else NBSP  # a step's picture shows nothing in an empty row
    kinds = {el.id: el.kind for el in scene.elements}
    for el in scene.elements:
        rows = _rows(el, texts)
        text = dict(label=plain_label(rows, blank), fontsize=f"{max(r.size for r in rows):g}" if rows else None)
        flagged = flags and el.flagged
        flag = {}
        if flagged:
            flag = dict(fontcolor=p.flag) if el.kind in ("input", "output") else dict(
                color=p.flag, penwidth="2.5", style="dashed")
        if el.id in active:
            flag = dict(color=p.active, penwidth="3", style="dashed" if flagged else None)
        if el.kind == "gate" and (flagged or el.id in active):  # filled as the SVG's style fills it
            fill = p.active_fill if el.id in active else p.flag_fill
            flag.update(style=",".join(filter(None, ("filled", flag.get("style")))), fillcolor=fill)
        if el.kind == "wire":
            # wires between ops weigh more: the graph's main line runs straight, leaves join it
            main = kinds.get(el.tail or "") in ("gate", "junction") and kinds.get(el.head or "") == "gate"
            weight = "8" if main else None
            lines.extend(_wire_lines(el, rows, blank, rankdir, {**flag, "weight": weight}))
        elif el.kind == "gate":
            short = len(rows[0].text) <= 4 if rows else True
            lines.append(f"{node_id(el.id)} " + _attrs(
                id=el.id, **text, shape="circle" if short else "ellipse",
                margin="0.02", width="0.5", fixedsize="false", **flag))
        elif el.kind == "cluster":
            attrs = dict(id=el.id, **text, style="rounded,dashed", color=p.frame, labeljust="l")
            lines.append(f"subgraph cluster_{el.id} {{ " + _attrs(**attrs)[1:-1] + "; "
                         + "; ".join(map(node_id, (*el.members, *_inside(scene, el.members)))) + " }")
        elif el.kind == "junction":
            lines.append(f"{node_id(el.id)} " + _attrs(id=el.id, shape="point", width="0.09"))
        else:  # input or output: text at the end of a wire
            lines.append(f"{node_id(el.id)} " + _attrs(id=el.id, **text, shape="plaintext", margin="0.04",
                                              width="0.2", height="0.3", **flag))
    if scene.left:  # the inputs in one column at the left edge, as the lecture draws them
        lines.append("{ rank=min; " + "; ".join(map(node_id, scene.left)) + " }")
    return lines


def _part(wire: ElementId, part: str) -> str:
    """A wire's Graphviz objects: ``"l"`` the plain node that keeps the room of its texts,
    ``"a"`` and ``"b"`` the edges into and out of it (joined into one wire again by :func:`layout`)."""
    return f"{wire}~{part}"


def _inside(scene: Scene, members: tuple[ElementId, ...]) -> list[str]:
    """The rooms of the wires between members of a box: inside the box as well."""
    inside = set(members)
    return [_part(el.id, "l") for el in scene.elements if el.is_wire and el.tail in inside and el.head in inside]


LINE = 14.4  # points from one row of 12-point text to the next
ABOVE = 5.0  # from a wire up to the baseline of the text above it
BELOW = 14.0  # from a wire down to the baseline of the text below it
ASIDE = 6.0  # from a top-to-bottom wire to the texts beside it
PORTS = {"LR": ("w", "e"), "RL": ("e", "w"), "TB": ("n", "s"), "BT": ("s", "n")}


def wire_sides(rows: tuple[Row, ...]) -> tuple[list[int], list[int]]:
    """Which of a wire's rows go above it (its value) and which below (gradients, notes),
    as row indices, each list from the wire outwards."""
    above = [k for k, r in enumerate(rows) if r.slot is not None and r.slot.kind == "value"]
    return above, [k for k in range(len(rows)) if k not in above]


def _wire_lines(el: Element, rows: tuple[Row, ...], blank: str, rankdir: str, flag: dict) -> list[str]:
    """A wire as two edges through a plain node that keeps the room of its texts: the wire
    runs straight through the node's middle, its value above and its gradient below
    (beside it, value left and gradient right, when the graph runs top to bottom)."""
    above, below = wire_sides(rows)
    texts = [one_line(r.text) if r.text.strip() else blank for r in rows]
    if rankdir in ("LR", "RL"):
        n = max(len(above), len(below), 1)
        lines = ([blank] * (n - len(above)) + [texts[k] for k in reversed(above)]
                 + [texts[k] for k in below] + [blank] * (n - len(below)))
    else:
        wide = max(texts, key=len)
        lines = [wide + NBSP * 4 + wide]
    label = "\\n".join(escape(html.escape(line, quote=False)) for line in lines)
    size = f"{max(r.size for r in rows):g}" if rows else None
    out_port, in_port = PORTS[rankdir]
    room = _part(el.id, "l")
    tail, head, room_id = node_id(el.tail or ""), node_id(el.head or ""), node_id(room)
    return [
        f"{room_id} " + _attrs(id=room, label=label, fontsize=size, shape="plaintext", margin="0.03,0.03",
                            width="0", height="0"),
        f"{tail} -> {room_id} " + _attrs(id=_part(el.id, "a"), headport=out_port, arrowhead="none", **flag),
        f"{room_id} -> {head} " + _attrs(id=_part(el.id, "b"), tailport=in_port,
                                        arrowhead=None if el.arrow else "none", **flag),
    ]


def dot_source(scene: Scene, texts: dict[Slot, str] | None = None, rankdir: str = "LR",
               active: tuple[ElementId, ...] = (), flags: bool = True) -> str:
    """The scene as a whole DOT graph (see :func:`dot_lines`)."""
    body = dot_lines(scene, texts, rankdir, active, flags)
    return "digraph vizgrad {\n" + "".join(f"  {line}\n" for line in body) + "}\n"


@dataclass
class Layout:
    """Graphviz's geometry for a scene: the bounding box and each element's drawing ops."""

    width: float
    height: float
    ops: dict[str, list[dict]]  # element id (as Graphviz gives it back) -> xdot ops (shapes, then label texts)
    texts: dict[str, list[dict]]  # element id -> its label's text ops, one per row


def _label_texts(obj: dict, lines: int) -> list[dict]:
    """Text ops for a label Graphviz placed (``lp``, ``lheight``) but did not write out.

    The WebAssembly build omits a cluster's label from its drawing ops when the label
    holds more than one backslash; its lines are placed here as Graphviz places them:
    centred on ``lp``, one line height apart, the baseline three quarters down a line.
    """
    lp = obj.get("lp")
    if not lp:
        return []
    x, y = (float(v) for v in lp.split(","))
    height = float(obj.get("lheight", 0)) * 72
    line = height / lines
    width = float(obj.get("lwidth", 0)) * 72
    top = y + height / 2
    return [{"op": "T", "pt": [x, top - (i + 0.75) * line], "align": "c", "width": width, "text": ""}
            for i in range(lines)]


def _wire_geometry(el: Element, ops: dict[str, list[dict]], placed: dict[str, dict],
                   rankdir: str) -> tuple[list[dict], list[dict]]:
    """One wire's drawing ops (its two edges joined into one curve through the middle of
    the room kept for its texts) and its texts, placed from the wire itself: where it
    crosses that room, each value above it and each gradient below (or left and right)."""
    first, second = ops.pop(_part(el.id, "a"), []), ops.pop(_part(el.id, "b"), [])
    ops.pop(_part(el.id, "l"), None)
    curves = [next(op for op in part if op["op"] in "bB") for part in (first, second)]
    a, b = curves[0]["points"], curves[1]["points"]
    joined = {**curves[0], "points": [*a, a[-1], b[0], *b]}
    drawn = [op for op in first if op["op"] not in "bB"] + [joined] + [op for op in second if op["op"] not in "bB"]
    (x0, y0), (x1, y1) = a[-1], b[0]
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2  # the middle of the wire's straight stretch
    width = float(placed[_part(el.id, "l")].get("width", 0)) * 72
    above, below = wire_sides(el.rows)
    where: dict[int, dict] = {}
    for side, rows in ((1, above), (-1, below)):
        for n, k in enumerate(rows):
            if rankdir in ("LR", "RL"):
                base = my + (ABOVE + n * LINE if side > 0 else -BELOW - n * LINE)
                where[k] = {"op": "T", "pt": [mx, base], "align": "c", "width": width, "text": ""}
            else:  # value on the left of a downward wire, gradients on the right
                x = mx - ASIDE if side > 0 else mx + ASIDE
                where[k] = {"op": "T", "pt": [x, my - 4.0 - n * LINE], "align": "c", "width": width,
                            "anchor": "end" if side > 0 else "start", "text": ""}
    return drawn, [where[k] for k in range(len(el.rows))]


def layout(scene: Scene, rankdir: str = "LR", wrap: bool = False) -> Layout:
    """Lay ``scene`` out once, every slot at its longest text; with ``wrap`` (as frames do),
    a long left-to-right graph is wrapped into rows to fit a 16:9 page (:mod:`vizgrad.drawing.wrap`)."""
    # positions only (json0): the few drawing ops vizgrad needs are made by vizgrad.drawing.shapes
    data = json.loads(dot.run(dot_source(scene, None, rankdir, flags=False), "json0"))
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    rows = {el.id: len(el.rows) for el in scene.elements}
    ops: dict[str, list[dict]] = {}
    texts: dict[str, list[dict]] = {}
    placed: dict[str, dict] = {}
    for obj in data.get("objects", []):
        el_id = obj.get("id")
        if el_id is None:
            continue
        if "pos" in obj:
            ops[el_id] = shapes.node_ops(obj)
            texts[el_id] = shapes.label_texts(obj, rows.get(el_id, 0))
        elif "bb" in obj:  # a cluster
            ops[el_id], texts[el_id] = shapes.cluster_ops(obj), []
        placed[el_id] = obj
    for obj in data.get("edges", []):
        if obj.get("id") is not None:
            ops[obj["id"]] = shapes.edge_ops(obj)
    for el in scene.elements:
        if el.is_wire:
            ops[el.id], texts[el.id] = _wire_geometry(el, ops, placed, rankdir)
        elif el.rows and not texts.get(el.id) and el.id in placed:
            texts[el.id] = _label_texts(placed[el.id], len(el.rows))
        if len(texts.get(el.id, [])) != len(el.rows):
            raise RuntimeError(
                f"unexpected Graphviz output for {el.id}: {len(el.rows)} text rows were laid out "
                f"as {len(texts.get(el.id, []))} texts"
            )
    laid = Layout(x1 - x0, y1 - y0, ops, texts)
    gates = sum(el.kind == "gate" for el in scene.elements)
    if wrap and rankdir == "LR" and gates >= WRAP_GATES and laid.width > WRAP_ASPECT * laid.height:
        boxes = [(x - w / 2, x + w / 2, y - h / 2, y + h / 2) for obj in data.get("objects", []) if "pos" in obj
                 for (x, y), w, h in [((float(v) for v in obj["pos"].split(",")),
                                      float(obj.get("width", 0)) * 72, float(obj.get("height", 0)) * 72)]]
        # a group's box is never cut: it counts as one box spanning its gates
        boxes += [(bx0, bx1, by0, by1) for obj in data.get("objects", []) if "bb" in obj and "pos" not in obj
                  for bx0, by0, bx1, by1 in [(float(v) for v in obj["bb"].split(","))]]
        spans = [(min(xs), max(xs)) for el in scene.elements if el.is_wire
                 for xs in [[p[0] for op in laid.ops[el.id] if op["op"] in "bB" for p in op["points"]]]]
        cuts = choose_cuts(laid.width, laid.height, boxes, spans)
        if cuts:
            return _wrapped(scene, laid, cuts, boxes, placed)
    return laid


def _wrapped(scene: Scene, laid: Layout, cuts: list[float], boxes: list, placed: dict[str, dict]) -> Layout:
    """``laid`` cut into rows at ``cuts`` (see :mod:`vizgrad.drawing.wrap`)."""
    curves = {el.id: next(op for op in laid.ops[el.id] if op["op"] in "bB") for el in scene.elements if el.is_wire}
    crossed: dict[float, int] = {}
    for curve in curves.values():
        for cut in crossings(cuts, curve["points"]):
            crossed[cut] = crossed.get(cut, 0) + 1
    w = Wrapper(laid.width, cuts, boxes, max(crossed.values(), default=0))
    lanes: dict[float, int] = {}
    ops: dict[str, list[dict]] = {}
    texts: dict[str, list[dict]] = {}
    for el in scene.elements:
        if el.is_wire:
            curve = curves[el.id]
            ops[el.id] = [{**op, "points": wrap_curve(w, op["points"], lanes)} if op is curve else
                          wrap_ops(w, [op], None)[0] for op in laid.ops[el.id]]
            texts[el.id] = wrap_ops(w, laid.texts[el.id], None)
        else:
            pos = placed.get(el.id, {}).get("pos")
            band = w.band(float(pos.split(",")[0])) if pos else None
            ops[el.id] = wrap_ops(w, laid.ops.get(el.id, []), band)
            texts[el.id] = wrap_ops(w, laid.texts.get(el.id, []), band)
    return Layout(w.width, w.total, ops, texts)
