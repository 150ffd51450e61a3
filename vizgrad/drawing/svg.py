"""Drawing a laid-out scene as SVG, with holes where frames differ.

The SVG is written here, not by Graphviz, from the geometry of the one layout: so
every text can be centred where its label was reserved, every element carries its
id and class, and each frame is the same document with a few holes filled in
differently: the text of a slot, or whether an element is active.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from xml.sax.saxutils import escape, quoteattr

from .heatmap import cell_size
from .layout import ASIDE, Layout
from .palette import get as get_palette
from .palette import svg_rules
from .scene import Row, Scene
from .slots import ElementId, Slot
from .texts import one_line

PAD = 6.0  # points around the drawing

ACTIVE_CLASS = " vg-active"
FLAG_CLASS = " vg-flagged"


def class_value(flagged: bool, active: bool) -> str:
    """What an element's class hole holds: whether it shows a nan or inf, and is active."""
    return (FLAG_CLASS if flagged else "") + (ACTIVE_CLASS if active else "")


@dataclass(frozen=True)
class Hole:
    """A place in the SVG that frames fill differently."""

    kind: str  # "text": a slot's text; "class": an element's flags (see class_value), a heatmap's or cell's class
    key: Slot | ElementId  # the slot or the element id


def _fill(parts: tuple[str, ...], values: list[str]) -> str:
    out = [parts[0]]
    for value, part in zip(values, parts[1:], strict=True):
        out.append(value)
        out.append(part)
    return "".join(out)


@dataclass(frozen=True)
class Template:
    """An SVG document cut at its holes: ``parts[0] hole[0] parts[1] hole[1] … parts[-1]``;
    ``rooms``: for each hole, the width its text may take without touching another element
    (0 for a class hole)."""

    parts: tuple[str, ...]
    holes: tuple[Hole, ...]
    rooms: tuple[float, ...] = ()

    def fill(self, values: list[str]) -> str:
        return _fill(self.parts, values)

    @cached_property
    def marked_parts(self) -> tuple[str, ...]:
        """The parts with every hole's element marked ``data-h="<index>"`` (for players)."""
        marked = [self.parts[0]]
        for i, (hole, part) in enumerate(zip(self.holes, self.parts[1:], strict=True)):
            if hole.kind == "text":  # the hole sits right after '<text ... data-slot="…">'
                marked[-1] = marked[-1][:-1] + f' data-h="{i}">'
            else:  # the hole sits inside class="…": mark the element itself
                head, sep, tail = marked[-1].rpartition("<g ")
                marked[-1] = f'{head}{sep}data-h="{i}" {tail}'
            marked.append(part)
        return tuple(marked)

    def fill_marked(self, values: list[str]) -> str:
        """The SVG with its holes marked, filled with ``values``."""
        return _fill(self.marked_parts, values)


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


class _Writer:
    def __init__(self, height: float) -> None:
        self.height = height
        self.parts: list[str] = []
        self.holes: list[Hole] = []
        self.rooms: list[float] = []
        self.chunk: list[str] = []

    def put(self, text: str) -> None:
        self.chunk.append(text)

    def hole(self, hole: Hole, room: float = 0.0) -> None:
        self.parts.append("".join(self.chunk))
        self.chunk = []
        self.holes.append(hole)
        self.rooms.append(room)

    def xy(self, p: list[float]) -> str:
        return f"{_f(p[0] + PAD)},{_f(self.height - p[1] + PAD)}"

    def template(self) -> Template:
        return Template(tuple(self.parts) + ("".join(self.chunk),), tuple(self.holes), tuple(self.rooms))


def _shape(w: _Writer, op: dict, pen: str, fill: str, width: str, dash: str) -> None:
    kind = op["op"]
    stroke = f' stroke="{pen}"' + (f' stroke-width="{width}"' if width != "1" else "") + dash
    if kind in "eE":
        cx, cy, rx, ry = op["rect"]
        w.put(f'<ellipse cx="{_f(cx + PAD)}" cy="{_f(w.height - cy + PAD)}" rx="{_f(rx)}" ry="{_f(ry)}" '
              f'fill="{fill if kind == "E" else "none"}"{stroke}/>')
    elif kind in "pP":
        pts = " ".join(w.xy(p) for p in op["points"])
        w.put(f'<polygon points="{pts}" fill="{fill if kind == "P" else "none"}"{stroke}/>')
    elif kind == "L":
        pts = " ".join(w.xy(p) for p in op["points"])
        w.put(f'<polyline points="{pts}" fill="none"{stroke}/>')
    elif kind in "bB":
        p = op["points"]
        d = "M" + w.xy(p[0]) + "C" + " ".join(w.xy(q) for q in p[1:])
        w.put(f'<path d="{d}" fill="{fill if kind == "B" else "none"}"{stroke}/>')


def _shapes(w: _Writer, ops: list[dict]) -> None:
    """An element's shapes, each drawn with the pen, fill, line width and dashes set before it."""
    pen, fill, width, dash = "#000000", "#000000", "1", ""
    for op in ops:
        kind = op["op"]
        if kind == "c":
            pen = op["color"]
        elif kind == "C":
            fill = op["color"]
        elif kind == "S":
            style = op["style"]
            if style.startswith("setlinewidth("):
                width = style[len("setlinewidth("):-1]
            elif style == "dashed":
                dash = ' stroke-dasharray="5,2"'
            elif style == "dotted":
                dash = ' stroke-dasharray="1,5"'
            elif style == "solid":
                dash = ""
        else:
            _shape(w, op, pen, fill, width, dash)


def write_template(scene: Scene, geometry: Layout, palette: str | None = None) -> Template:
    """The SVG of ``scene`` laid out as ``geometry``, with its holes, coloured by ``palette``
    (a name from :mod:`vizgrad.drawing.palette`; ``None``: the session's default)."""
    p = get_palette(palette)
    W, H = geometry.width + 2 * PAD, geometry.height + 2 * PAD
    w = _Writer(geometry.height)
    w.put(f'<svg xmlns="http://www.w3.org/2000/svg" class="vg vg-p-{p.name}" width="{_f(W)}pt" height="{_f(H)}pt" '
          f'viewBox="0 0 {_f(W)} {_f(H)}">\n<style>{svg_rules(p.name)}</style>\n'
          f'<rect x="0" y="0" width="{_f(W)}" height="{_f(H)}" fill="{p.paper}"/>\n')
    for el in scene.elements:
        kind_class = f"vg-{el.kind}"
        w.put(f'<g id={quoteattr(el.id)} data-c="{kind_class}" class="{kind_class}')
        w.hole(Hole("class", el.id))
        w.put('">')
        _shapes(w, geometry.ops.get(el.id, []))
        heat: dict[tuple, list[dict]] = {}
        for row, op in zip(el.rows, geometry.texts.get(el.id, []), strict=False):
            if row.heat:
                heat.setdefault(row.heat, []).append(op)
                continue
            x, y = op["pt"]
            x += {"l": op["width"] / 2, "r": -op["width"] / 2}.get(op.get("align", "c"), 0.0)
            w.put(f'<text x="{_f(x + PAD)}" y="{_f(geometry.height - y + PAD)}" '
                  f'text-anchor="{op.get("anchor", "middle")}" font-size="{row.size:g}" {_colour(row)}')
            if el.is_wire:  # which wire a text labels, and whether it is its value or a gradient
                kind = "note" if row.slot is None else "value" if row.slot.kind == "value" else "grad"
                w.put(f' data-wire={quoteattr(el.id)} data-kind="{kind}"')
            if row.slot is not None:  # its room: its label's width (centred), or the half beside a downward wire
                w.put(f' data-slot={quoteattr(row.slot)}>')
                w.hole(Hole("text", row.slot), op["width"] if op.get("anchor", "middle") == "middle"
                       else max(op["width"] / 2 - ASIDE, 0.0))
            else:
                w.put(">" + escape(one_line(row.text)))
            w.put("</text>")
        w.put("</g>\n")
        for (key, rows, cols), ops in heat.items():
            _heatmap(w, key, rows, cols, ops)
    w.put("</svg>\n")
    return w.template()


CELL_PX = (960.0, 720.0)
"""The size, in CSS px, up to which a drawing reads well at its own size in a notebook's
cell; a bigger one is shown zoomable (:func:`vizgrad.web.player.zoomable_html`)."""


_SIZE = re.compile(r' width="([0-9.]+)pt" height="([0-9.]+)pt"')  # in the <svg> tag of one of vizgrad's


def natural_px(svg: str) -> tuple[float, float] | None:
    """The size of one of vizgrad's SVGs in CSS px (its ``width`` and ``height`` are points)."""
    found = _SIZE.search(svg.partition(">")[0])
    return (float(found.group(1)) * 4 / 3, float(found.group(2)) * 4 / 3) if found else None


def fits_a_cell(svg: str) -> bool:
    """Whether ``svg`` reads well at its own size in a notebook's cell (see :data:`CELL_PX`)."""
    size = natural_px(svg)
    return size is None or (size[0] <= CELL_PX[0] and size[1] <= CELL_PX[1])


def fit_width(svg: str) -> str:
    """``svg`` (one of vizgrad's) shown at most as wide as the space it is in, and never
    wider than its own size: what a notebook shows, so that a wide drawing is scaled down
    instead of cut off. Its ``viewBox`` (and so every coordinate) stays as it is."""
    head, sep, rest = svg.partition(">")
    found = _SIZE.search(head)
    if not sep or not found or not re.search(r' class="vg[ "]', head):
        return svg
    width = found.group(1)
    fitted = (f' width="100%" style="max-width:{width}pt;height:auto" '
              f'preserveAspectRatio="xMinYMin meet"')
    return head[:found.start()] + fitted + head[found.end():] + sep + rest


def _colour(row: Row) -> str:
    """A text's colour: the class of its role (coloured by the palette), or a colour given as such."""
    return f'fill="{row.color}"' if row.color.startswith("#") else f'class="vg-{row.color}"'


def _heatmap(w: _Writer, key: Slot, rows: int, cols: int, ops: list[dict]) -> None:
    """The heatmap ``key``, in the room its rows were given: a frame and ``rows`` × ``cols``
    cells, each a class hole (its colour class; none until the heatmap is shown)."""
    size = 12.0
    xs = [op["pt"][0] + {"l": op["width"] / 2, "r": -op["width"] / 2}.get(op.get("align", "c"), 0.0) for op in ops]
    base = sorted(w.height - op["pt"][1] for op in ops)
    pitch = (base[-1] - base[0]) / (len(base) - 1) if len(base) > 1 else size * 1.2
    top, bottom = base[0] - 0.3 * size - pitch / 2, base[-1] - 0.3 * size + pitch / 2
    width = min(op["width"] for op in ops)
    cell = min(cell_size(rows, cols), (bottom - top) / rows, width / cols)
    x0 = sum(xs) / len(xs) - cols * cell / 2 + PAD
    y0 = (top + bottom) / 2 - rows * cell / 2 + PAD
    w.put('<g data-c="vg-heat" class="vg-heat')
    w.hole(Hole("class", key))
    w.put(f'"><rect x="{_f(x0 - 0.5)}" y="{_f(y0 - 0.5)}" width="{_f(cols * cell + 1)}" '
          f'height="{_f(rows * cell + 1)}"/></g>\n')
    c = _f(cell)
    for k in range(rows * cols):
        x, y = x0 + (k % cols) * cell, y0 + (k // cols) * cell
        w.put('<g data-c="vg-hc" class="vg-hc')
        w.hole(Hole("class", key.cell_at(k)))
        w.put(f'"><rect x="{_f(x)}" y="{_f(y)}" width="{c}" height="{c}"/><path d="M{_f(x)},{_f(y)}l{c},{c}"/></g>')
    w.put("\n")


def text_value(text: str) -> str:
    """A slot's text as it goes into the SVG."""
    return escape(text)
