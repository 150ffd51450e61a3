"""Laying a scene out once with Graphviz.

:func:`dot_source` writes the scene as DOT (every text escaped into an HTML-like
label); :func:`layout` runs Graphviz on it once, with every changing text at the
longest it will ever be, and keeps the geometry Graphviz chose (its JSON output:
shapes, splines and text positions), from which :mod:`vizgrad.svg` draws every frame.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from .scene import FLAG, FONT, Element, Row, Scene, html_label

INSTALL_HINT = (
    "the Graphviz program 'dot' was not found on PATH; install Graphviz: "
    "conda install -c conda-forge graphviz | sudo apt-get install graphviz | "
    "brew install graphviz | choco install graphviz (then open a new terminal)"
)


class GraphvizNotFound(RuntimeError):
    """Graphviz's ``dot`` program is not installed (or not on PATH)."""


def _attrs(**kw: Any) -> str:
    parts = []
    for k, v in kw.items():
        if v is None:
            continue
        v = str(v)
        parts.append(f"{k}={v}" if v.startswith("<") else f'{k}="{_quote(v)}"')
    return "[" + " ".join(parts) + "]"


def _quote(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _rows(el: Element, texts: dict[str, str] | None) -> tuple[Row, ...]:
    if texts is None:
        return el.rows
    return tuple(Row(texts.get(r.slot, ""), r.color, r.size) if r.slot else r for r in el.rows)


ACTIVE = "#ff7f0e"


def dot_lines(scene: Scene, texts: dict[str, str] | None = None, rankdir: str = "LR",
              active: tuple[str, ...] = ()) -> list[str]:
    """The body of the scene's DOT graph.

    ``texts`` gives each slot's text; ``None`` gives each slot its longest text,
    which is what the one layout is computed from. ``active`` elements are highlighted.
    """
    lines = [
        f'graph [rankdir="{_quote(rankdir)}" ordering="in" nodesep="0.35" ranksep="0.45" bgcolor="white" '
        f'fontname="{FONT}"]',
        f'node [fontname="{FONT}" fontsize="14" color="#222222" penwidth="1.3"]',
        f'edge [fontname="{FONT}" fontsize="12" color="#444444" arrowsize="0.7" penwidth="1.2"]',
    ]
    for el in scene.elements:
        rows = _rows(el, texts)
        label = html_label(rows) if any(r.text for r in rows) else None
        flag = dict(color=FLAG, penwidth="2.5", style="dashed") if el.flagged else {}
        if el.id in active:
            flag = dict(color=ACTIVE, penwidth="3", style="dashed" if el.flagged else None)
        if el.kind == "wire":
            lines.append(f"{el.tail} -> {el.head} " + _attrs(
                id=el.id, label=label, arrowhead=None if el.arrow else "none", **flag))
        elif el.kind == "gate":
            short = len(rows[0].text) <= 4 if rows else True
            lines.append(f"{el.id} " + _attrs(
                id=el.id, label=label, shape="circle" if short else "ellipse",
                margin="0.02", width="0.5", fixedsize="false", **flag))
        elif el.kind == "cluster":
            lines.append(f"subgraph cluster_{el.id} {{ " + " ".join(
                f'{k}={v}' for k, v in (("id", f'"{el.id}"'), ("label", label), ("style", '"rounded,dashed"'),
                                        ("color", '"#888888"'), ("labeljust", '"l"'))
            ) + "; " + "; ".join(el.members) + " }")
        elif el.kind == "junction":
            lines.append(f"{el.id} " + _attrs(id=el.id, shape="point", width="0.09"))
        else:  # input or output: text at the end of a wire
            shape = "box" if el.flagged else "plaintext"
            lines.append(f"{el.id} " + _attrs(id=el.id, label=label, shape=shape, margin="0.04",
                                              width="0.2", height="0.3", **flag))
    return lines


def dot_source(scene: Scene, texts: dict[str, str] | None = None, rankdir: str = "LR",
               active: tuple[str, ...] = ()) -> str:
    body = dot_lines(scene, texts, rankdir, active)
    return "digraph vizgrad {\n" + "".join(f"  {line}\n" for line in body) + "}\n"


def find_dot() -> str:
    """The path of Graphviz's ``dot``, or a one-line error saying how to install it."""
    path = os.environ.get("VIZGRAD_DOT") or shutil.which("dot")
    if not path:
        raise GraphvizNotFound(INSTALL_HINT)
    return path


class LayoutTooSlow(RuntimeError):
    """Graphviz did not finish laying a graph out in time."""


def run_dot(source: str, fmt: str = "json", timeout: float | None = None) -> bytes:
    """Run ``dot -T<fmt>`` on DOT text and return its output.

    Gives up after ``timeout`` seconds (default: the environment variable
    ``VIZGRAD_LAYOUT_TIMEOUT``, else 120) with an error that says what to do.
    """
    if timeout is None:
        timeout = float(os.environ.get("VIZGRAD_LAYOUT_TIMEOUT", "120"))
    try:
        done = subprocess.run([find_dot(), f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, check=False, timeout=timeout)
    except FileNotFoundError:
        raise GraphvizNotFound(INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        raise LayoutTooSlow(
            f"Graphviz gave up laying this graph out after {timeout:g} s. Values used by many "
            "gates far apart (an unrolled network's shared weights) make layouts slow: draw a "
            "smaller graph, or collapse parts of it with vizgrad.group and collapse=True "
            "(or allow more time with VIZGRAD_LAYOUT_TIMEOUT=seconds)"
        ) from None
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


@dataclass
class Layout:
    """Graphviz's geometry for a scene: the bounding box and each element's drawing ops."""

    width: float
    height: float
    ops: dict[str, list[dict]]  # element id -> xdot ops (shapes, then label texts)
    texts: dict[str, list[dict]]  # element id -> its label's text ops, one per row


def layout(scene: Scene, rankdir: str = "LR") -> Layout:
    """Lay ``scene`` out once, every slot at its longest text."""
    data = json.loads(run_dot(dot_source(scene, None, rankdir), "json"))
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
