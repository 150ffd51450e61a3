"""Drawing ops from Graphviz's positions alone.

Graphviz's ``json`` output carries, beside every position, the drawing ops of every
shape and text (xdot); writing and reading them costs more than the layout's other
output. vizgrad asks for ``json0`` (positions, sizes and splines) and makes the few
ops it draws here, in the same form (``op``: ``e``/``E`` ellipse, ``b`` curve, ``P``
polygon, ``T`` text, ``c``/``C`` colours, ``S`` style), as Graphviz would place them.
"""

from __future__ import annotations

import math

LINE = 1.2  # a label's line height, in font sizes
ARROW = 10.0  # an arrowhead's length at arrowsize 1
ARROW_HALF_WIDTH = 0.35  # an arrowhead's half width, per unit of its length


def _style(obj: dict, pen: str) -> list[dict]:
    ops = [{"op": "S", "style": f"setlinewidth({obj.get('penwidth', '1')})"},
           {"op": "c", "grad": "none", "color": obj.get("color", pen)}]
    for style in obj.get("style", "").split(","):
        if style.strip() in ("dashed", "dotted"):
            ops.append({"op": "S", "style": style.strip()})
    return ops


def _xy(text: str) -> list[float]:
    x, y = text.split(",")[-2:]
    return [float(x), float(y)]


def label_texts(obj: dict, lines: int) -> list[dict]:
    """Text ops for the ``lines`` lines of a node's label, centred on the node."""
    if lines == 0:
        return []
    x, y = _xy(obj["pos"])
    line = LINE * float(obj.get("fontsize", 14))
    width = float(obj.get("width", 0)) * 72
    top = y + lines * line / 2
    return [{"op": "T", "pt": [x, top - (i + 0.75) * line], "align": "c", "width": width, "text": ""}
            for i in range(lines)]


def node_ops(obj: dict) -> list[dict]:
    """The shape of a node: a circle or an ellipse (gates), a dot (junctions), or nothing."""
    shape = obj.get("shape", "ellipse")
    if shape == "plaintext" or "pos" not in obj:
        return []
    x, y = _xy(obj["pos"])
    rx, ry = float(obj.get("width", 0)) * 36, float(obj.get("height", 0)) * 36
    if shape == "point":
        color = obj.get("color", "black")
        return [{"op": "c", "grad": "none", "color": color}, {"op": "C", "grad": "none", "color": color},
                {"op": "E", "rect": [x, y, rx, ry]}]
    return [*_style(obj, "black"), {"op": "e", "rect": [x, y, rx, ry]}]


def edge_ops(obj: dict) -> list[dict]:
    """An edge's curve and, unless it has none, its arrowhead."""
    parts = obj.get("pos", "").split()
    end = next((_xy(p) for p in parts if p.startswith("e,")), None)
    points = [_xy(p) for p in parts if not p.startswith(("e,", "s,"))]
    if not points:
        return []
    ops = [*_style(obj, "black"), {"op": "b", "points": points}]
    if end is not None and obj.get("arrowhead", "normal") != "none":
        (px, py), (tx, ty) = points[-1], end
        vx, vy = -(ty - py) * ARROW_HALF_WIDTH, (tx - px) * ARROW_HALF_WIDTH
        if math.hypot(vx, vy) > 0:
            color = obj.get("color", "black")
            base = [[px + vx, py + vy], [tx, ty], [px - vx, py - vy], [px + vx, py + vy]]
            ops += [*_style(obj, "black"), {"op": "C", "grad": "none", "color": color},
                    {"op": "P", "points": base}]
    return ops


def cluster_ops(obj: dict) -> list[dict]:
    """A cluster's box, from its bounding box."""
    x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
    return [*_style(obj, "black"), {"op": "p", "points": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]}]
