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
from dataclasses import dataclass
from typing import Any

from . import dot
from .dot import GraphvizNotFound, LayoutTooSlow  # noqa: F401  (raised by layout())
from .scene import BLANK, FLAG, Element, Row, Scene


LAYOUT_FONT = "DejaVu Sans"  # the widest font a frame may be shown in: texts fit in any of them
ACTIVE = "#ff7f0e"


def _attrs(**kw: Any) -> str:
    return "[" + " ".join(f'{k}="{_quote(str(v))}"' for k, v in kw.items() if v is not None) + "]"


def _quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _rows(el: Element, texts: dict[str, str] | None) -> tuple[Row, ...]:
    if texts is None:
        return el.rows
    return tuple(Row(texts.get(r.slot, ""), r.color, r.size) if r.slot else r for r in el.rows)


def plain_label(rows: tuple[Row, ...]) -> str | None:
    """A plain Graphviz label, one line per row, for ``_attrs`` to quote.

    ``&``, ``<`` and ``>`` become entities (which Graphviz reads back), so a text is
    measured as itself; an empty row keeps its line with a middle dot. Only sizes
    matter here: the SVG is written by :mod:`vizgrad.svg`, with every row's own colour.
    """
    if not any(r.text for r in rows):
        return None
    return "\n".join(html.escape(" ".join((r.text or BLANK).splitlines()), quote=False) for r in rows)


def dot_lines(scene: Scene, texts: dict[str, str] | None = None, rankdir: str = "LR",
              active: tuple[str, ...] = ()) -> list[str]:
    """The body of the scene's DOT graph.

    ``texts`` gives each slot's text; ``None`` gives each slot its longest text,
    which is what the one layout is computed from. ``active`` elements are highlighted.
    """
    lines = [
        f'graph [rankdir="{_quote(rankdir)}" ordering="in" nodesep="0.35" ranksep="0.45" bgcolor="white" '
        f'fontname="{LAYOUT_FONT}"]',
        f'node [fontname="{LAYOUT_FONT}" fontsize="14" color="#222222" penwidth="1.3"]',
        f'edge [fontname="{LAYOUT_FONT}" fontsize="12" color="#444444" arrowsize="0.7" penwidth="1.2"]',
    ]
    for el in scene.elements:
        rows = _rows(el, texts)
        text = dict(label=plain_label(rows), fontsize=f"{max(r.size for r in rows):g}" if rows else None)
        flag = dict(color=FLAG, penwidth="2.5", style="dashed") if el.flagged else {}
        if el.id in active:
            flag = dict(color=ACTIVE, penwidth="3", style="dashed" if el.flagged else None)
        if el.kind == "wire":
            lines.append(f"{el.tail} -> {el.head} " + _attrs(
                id=el.id, **text, arrowhead=None if el.arrow else "none", **flag))
        elif el.kind == "gate":
            short = len(rows[0].text) <= 4 if rows else True
            lines.append(f"{el.id} " + _attrs(
                id=el.id, **text, shape="circle" if short else "ellipse",
                margin="0.02", width="0.5", fixedsize="false", **flag))
        elif el.kind == "cluster":
            attrs = dict(id=el.id, **text, style="rounded,dashed", color="#888888", labeljust="l")
            lines.append(f"subgraph cluster_{el.id} {{ " + " ".join(
                f'{k}="{_quote(v)}"' for k, v in attrs.items() if v is not None
            ) + "; " + "; ".join(el.members) + " }")
        elif el.kind == "junction":
            lines.append(f"{el.id} " + _attrs(id=el.id, shape="point", width="0.09"))
        else:  # input or output: text at the end of a wire
            shape = "box" if el.flagged else "plaintext"
            lines.append(f"{el.id} " + _attrs(id=el.id, **text, shape=shape, margin="0.04",
                                              width="0.2", height="0.3", **flag))
    return lines


def dot_source(scene: Scene, texts: dict[str, str] | None = None, rankdir: str = "LR",
               active: tuple[str, ...] = ()) -> str:
    body = dot_lines(scene, texts, rankdir, active)
    return "digraph vizgrad {\n" + "".join(f"  {line}\n" for line in body) + "}\n"


@dataclass
class Layout:
    """Graphviz's geometry for a scene: the bounding box and each element's drawing ops."""

    width: float
    height: float
    ops: dict[str, list[dict]]  # element id -> xdot ops (shapes, then label texts)
    texts: dict[str, list[dict]]  # element id -> its label's text ops, one per row


def layout(scene: Scene, rankdir: str = "LR") -> Layout:
    """Lay ``scene`` out once, every slot at its longest text."""
    data = json.loads(dot.run(dot_source(scene, None, rankdir), "json"))
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    ops: dict[str, list[dict]] = {}
    texts: dict[str, list[dict]] = {}
    for obj in data.get("objects", []) + data.get("edges", []):
        el_id = obj.get("id")
        if el_id is None:
            continue
        shapes = [op for key in ("_draw_", "_hdraw_", "_tdraw_") for op in obj.get(key, [])]
        ops[el_id] = shapes
        texts[el_id] = [op for op in obj.get("_ldraw_", []) if op["op"] == "T"]
    for el in scene.elements:
        if len(texts.get(el.id, [])) != len(el.rows):
            raise RuntimeError(
                f"unexpected Graphviz output for {el.id}: {len(el.rows)} text rows were laid out "
                f"as {len(texts.get(el.id, []))} texts"
            )
    return Layout(x1 - x0, y1 - y0, ops, texts)
