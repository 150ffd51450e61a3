"""Laying a scene out once with Graphviz.

:func:`dot_source` writes the scene as DOT (every text escaped into an HTML-like
label); :func:`layout` runs Graphviz on it once, with every changing text at the
longest it will ever be, and keeps the geometry Graphviz chose (its JSON output:
shapes, splines and text positions), from which :mod:`vizgrad.svg` draws every frame.
Graphviz runs as :mod:`vizgrad.dot` chooses: bundled as WebAssembly, or the system's ``dot``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, replace
from typing import Any

from graphviz.quoting import escape, nohtml, quote

from . import dot
from .dot import GraphvizNotFound, LayoutTooSlow  # noqa: F401  (raised by layout())
from .palette import LECTURE
from .palette import get as get_palette
from .scene import BLANK, Element, Row, Scene, one_line


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
    return quote(escape(str(value)), is_valid_id=_never)


def _attrs(**kw: Any) -> str:
    """A DOT attribute list; ``label`` (from :func:`plain_label`) keeps its ``\\n`` line breaks."""
    return "[" + " ".join(
        f"{k}={quote(nohtml(v), is_valid_id=_never) if k == 'label' else _quoted(v)}"
        for k, v in kw.items() if v is not None
    ) + "]"


def _rows(el: Element, texts: dict[str, str] | None) -> tuple[Row, ...]:
    if texts is None:
        return el.rows
    return tuple(replace(r, text=texts.get(r.slot, "")) if r.slot else replace(r, text="") if r.heat else r
                 for r in el.rows)


def plain_label(rows: tuple[Row, ...], blank: str = BLANK) -> str | None:
    """A plain Graphviz label, one line per row, escaped for DOT (lines joined by ``\\n``).

    ``&``, ``<`` and ``>`` become entities (which Graphviz reads back), so a text is
    measured as itself; a row with nothing to show keeps its line with ``blank`` (a
    middle dot, which Graphviz measures and places like any text).
    Only sizes matter here: the SVG is written by :mod:`vizgrad.svg`, with every row's
    own colour. No label (``None``) only when every row is a changing text not shown yet.
    """
    if all(r.slot and not r.text for r in rows):
        return None
    lines = (one_line(r.text) for r in rows)
    return "\\n".join(escape(html.escape(line if line.strip() else blank, quote=False)) for line in lines)


def dot_lines(scene: Scene, texts: dict[str, str] | None = None, rankdir: str = "LR",
              active: tuple[str, ...] = (), flags: bool = True, palette: str | None = None) -> list[str]:
    """The body of the scene's DOT graph.

    ``texts`` gives each slot's text; ``None`` gives each slot its longest text,
    which is what the one layout is computed from. ``active`` elements are highlighted,
    and with ``flags`` flagged ones (a nan or inf) are drawn as vizgrad's SVG draws them.
    The layout is computed without flags: they change with the numbers, not the structure.
    Colours: those of ``palette`` (:mod:`vizgrad.palette`; ``None``: the session's default).
    """
    p = get_palette(palette)
    lines = [
        f'graph [rankdir={_quoted(rankdir)} ordering="in" nodesep="0.35" ranksep="0.45" bgcolor="{p.paper}" '
        f'fontname="{LAYOUT_FONT}"]',
        f'node [fontname="{LAYOUT_FONT}" fontsize="14" color="{p.ink}" penwidth="1.3"]',
        f'edge [fontname="{LAYOUT_FONT}" fontsize="12" color="{p.line}" arrowsize="0.7" penwidth="1.2"]',
    ]
    blank = BLANK if texts is None else NBSP  # a step's picture shows nothing in an empty row
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
            lines.append(f"{el.tail} -> {el.head} " + _attrs(
                id=el.id, **text, arrowhead=None if el.arrow else "none", **flag))
        elif el.kind == "gate":
            short = len(rows[0].text) <= 4 if rows else True
            lines.append(f"{el.id} " + _attrs(
                id=el.id, **text, shape="circle" if short else "ellipse",
                margin="0.02", width="0.5", fixedsize="false", **flag))
        elif el.kind == "cluster":
            attrs = dict(id=el.id, **text, style="rounded,dashed", color=p.frame, labeljust="l")
            lines.append(f"subgraph cluster_{el.id} {{ " + _attrs(**attrs)[1:-1] + "; "
                         + "; ".join(el.members) + " }")
        elif el.kind == "junction":
            lines.append(f"{el.id} " + _attrs(id=el.id, shape="point", width="0.09"))
        else:  # input or output: text at the end of a wire
            lines.append(f"{el.id} " + _attrs(id=el.id, **text, shape="plaintext", margin="0.04",
                                              width="0.2", height="0.3", **flag))
    return lines


def dot_source(scene: Scene, texts: dict[str, str] | None = None, rankdir: str = "LR",
               active: tuple[str, ...] = (), flags: bool = True) -> str:
    """The scene as a whole DOT graph (see :func:`dot_lines`)."""
    body = dot_lines(scene, texts, rankdir, active, flags)
    return "digraph vizgrad {\n" + "".join(f"  {line}\n" for line in body) + "}\n"


@dataclass
class Layout:
    """Graphviz's geometry for a scene: the bounding box and each element's drawing ops."""

    width: float
    height: float
    ops: dict[str, list[dict]]  # element id -> xdot ops (shapes, then label texts)
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


def layout(scene: Scene, rankdir: str = "LR") -> Layout:
    """Lay ``scene`` out once, every slot at its longest text."""
    data = json.loads(dot.run(dot_source(scene, None, rankdir, flags=False), "json"))
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    ops: dict[str, list[dict]] = {}
    texts: dict[str, list[dict]] = {}
    placed: dict[str, dict] = {}
    for obj in data.get("objects", []) + data.get("edges", []):
        el_id = obj.get("id")
        if el_id is None:
            continue
        shapes = [op for key in ("_draw_", "_hdraw_", "_tdraw_") for op in obj.get(key, [])]
        ops[el_id] = shapes
        texts[el_id] = [op for op in obj.get("_ldraw_", []) if op["op"] == "T"]
        placed[el_id] = obj
    for el in scene.elements:
        if el.rows and not texts.get(el.id) and el.id in placed:
            texts[el.id] = _label_texts(placed[el.id], len(el.rows))
        if len(texts.get(el.id, [])) != len(el.rows):
            raise RuntimeError(
                f"unexpected Graphviz output for {el.id}: {len(el.rows)} text rows were laid out "
                f"as {len(texts.get(el.id, []))} texts"
            )
    return Layout(x1 - x0, y1 - y0, ops, texts)
