"""A long left-to-right drawing wrapped into rows, to fill a 16:9 page.

Graphviz lays a chain (an unrolled recurrent net, one gate per step) out as one long
band: on a slide or in a notebook cell it would be scaled down to a thin line. When a
left-to-right layout of at least :data:`WRAP_GATES` gates is more than :data:`WRAP_ASPECT`
times as wide as it is tall, it is cut into rows, as text is wrapped: the cuts fall
between columns of nodes (never through a node or the room of a wire's texts), each row
is moved under the one before, and a wire
that crosses a cut is led out at the right edge, back along the gap between the rows and
in again at the left edge. The number of rows is the one whose drawing is largest on a
16:9 page. Other directions, and drawings with boxed groups, are kept as they are.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

PAGE = 16 / 9
WRAP_ASPECT = 2 * PAGE  # wider than this (width / height): wrapped into rows
WRAP_GATES = 6  # graphs with fewer gates (the lecture's first circuits) stay in one row, as on the slide
BIG_GATES = 24  # graphs with this many gates are laid out tighter (vizgrad.drawing.layout)
LANE = 5.0  # points between two wires led along the same margin or gap
MAX_ROWS = 40

Point = list  # [x, y] in Graphviz's coordinates (y up)


Box = tuple[float, float, float, float]  # a node's x from, x to, y from, y to


def free_gaps(boxes: list[Box]) -> list[float]:
    """The middles of the gaps no node spans, left to right."""
    gaps, reach = [], None
    for lo, hi, *_ in sorted(boxes):
        if reach is not None and lo > reach:
            gaps.append((reach + lo) / 2)
        reach = hi if reach is None else max(reach, hi)
    return gaps


def band_extents(cuts: list[float], boxes: list[Box]) -> list[tuple[float, float]]:
    """The y from and to of the nodes of each row."""
    ext = [(float("inf"), float("-inf")) for _ in range(len(cuts) + 1)]
    for x0, x1, y0, y1 in boxes:
        b = bisect_right(cuts, (x0 + x1) / 2)
        ext[b] = (min(ext[b][0], y0), max(ext[b][1], y1))
    return [(lo, hi) if lo <= hi else (0.0, 0.0) for lo, hi in ext]


def choose_cuts(width: float, height: float, boxes: list[Box],
                spans: list[tuple[float, float]] = ()) -> list[float]:
    """Where to cut a drawing ``width`` × ``height`` into rows (no cut: ``[]``): between
    columns of nodes (``boxes``), near even shares of the width, where the fewest wires
    (their x ``spans``) cross; as many rows as make the drawing largest on a 16:9 page."""
    gaps = free_gaps(boxes)
    if not gaps or width <= WRAP_ASPECT * height:
        return []
    los, his = sorted(lo for lo, hi in spans if lo < hi), sorted(hi for lo, hi in spans if lo < hi)
    crossing = {g: bisect_left(los, g) - bisect_right(his, g) for g in gaps}  # the spans with lo < g < hi
    best, best_scale = [], min(PAGE / width, 1 / height)
    for rows in range(2, min(MAX_ROWS, len(gaps) + 1) + 1):
        cuts: list[float] = []
        share = width / rows
        for r in range(1, rows):
            target = width * r / rows
            left = [g for g in gaps if (not cuts or g > cuts[-1]) and abs(g - target) < share * 0.2]
            left = left or [g for g in gaps if not cuts or g > cuts[-1]]
            if not left:
                break
            cuts.append(min(left, key=lambda g: (crossing[g], abs(g - target))))
        starts = [0.0, *cuts]
        band = max(b - a for a, b in zip(starts, [*cuts, width], strict=True))
        tall = sum(hi - lo + 30 for lo, hi in band_extents(cuts, boxes))
        scale = min(PAGE / band, 1 / tall)
        if scale > best_scale * 1.02:
            best, best_scale = cuts, scale
    return best


class Wrapper:
    """Moves points of the one-row drawing to where they are in the wrapped one."""

    def __init__(self, width: float, cuts: list[float], boxes: list[Box], lanes: int) -> None:
        self.cuts = cuts
        self.starts = [0.0, *cuts]
        self.margin = 8.0 + LANE * lanes
        self.gap = 30.0 + LANE * lanes
        band = max(b - a for a, b in zip(self.starts, [*cuts, width], strict=True))
        self.width = band + 2 * self.margin
        self.extents = [(lo - 20, hi + 20) for lo, hi in band_extents(cuts, boxes)]  # room for labels
        self.base: list[float] = [0.0] * len(self.starts)  # where each row's lowest y goes
        for b in range(len(self.starts) - 2, -1, -1):
            lo, hi = self.extents[b + 1]
            self.base[b] = self.base[b + 1] + (hi - lo) + self.gap
        lo, hi = self.extents[0]
        self.total = self.base[0] + hi - lo

    def band(self, x: float) -> int:
        return bisect_right(self.cuts, x)

    def move(self, p: Point, band: int | None = None) -> Point:
        b = self.band(p[0]) if band is None else band
        return [p[0] - self.starts[b] + self.margin, p[1] - self.extents[b][0] + self.base[b]]

    def lead(self, p: Point, q: Point, q_band: int, lane: int) -> list[Point]:
        """Corner points of a wire led from ``p`` out at the right edge, along the gap above
        the row of ``q`` (row ``q_band``) and in at the left edge to ``q`` (both moved)."""
        right, left = self.width - self.margin + 4 + LANE * lane, self.margin - 4 - LANE * lane
        lo, hi = self.extents[q_band]
        y = self.base[q_band] + (hi - lo) + 8 + LANE * lane
        return [[right, p[1]], [right, y], [left, y], [left, q[1]]]


def _straight(points: list[Point]) -> list[Point]:
    """A polyline as the points of a Bézier curve of straight pieces."""
    out = [points[0]]
    for a, b in zip(points, points[1:], strict=False):
        out += [a, b, b]
    return out


def _sampled(points: list[Point], per_piece: int = 12) -> list[Point]:
    out = [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i:i + 4]
        for k in range(1, per_piece + 1):
            t = k / per_piece
            u = 1 - t
            out.append([u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * d
                        for a, b, c, d in zip(p0, p1, p2, p3, strict=True)])
    return out


def crossings(cuts: list[float], points: list[Point]) -> list[float]:
    """The cuts a wire's curve crosses (one entry per crossing)."""
    xs = [p[0] for p in points]
    if bisect_right(cuts, min(xs)) == bisect_right(cuts, max(xs)):
        return []  # all its points in one row: so is the curve (it keeps within them)
    samples = _sampled(points)
    out = []
    for a, b in zip(samples, samples[1:], strict=False):
        ba, bb = bisect_right(cuts, a[0]), bisect_right(cuts, b[0])
        if ba != bb:
            out.append(cuts[min(ba, bb)])
    return out


def wrap_curve(w: Wrapper, points: list[Point], lanes: dict[float, int]) -> list[Point]:
    """A wire's Bézier points in the wrapped drawing: moved as they are within one row,
    led around the rows where it crosses a cut."""
    bands = {w.band(p[0]) for p in points}
    if len(bands) == 1:
        return [w.move(p) for p in points]
    samples = _sampled(points)
    path: list[Point] = [w.move(samples[0])]
    for a, b in zip(samples, samples[1:], strict=False):
        ba, bb = w.band(a[0]), w.band(b[0])
        if ba != bb:
            cut = w.cuts[min(ba, bb)]
            lane = lanes.get(cut, 0)
            lanes[cut] = lane + 1
            path += w.lead(w.move(a), w.move(b), bb, lane)
        path.append(w.move(b))
    return _straight(path)


def wrap_ops(w: Wrapper, ops: list[dict], band: int | None) -> list[dict]:
    """Drawing ops moved into the wrapped drawing (all into ``band``, or each by its own x)."""
    out = []
    for op in ops:
        if "points" in op:
            pts = op["points"]
            b = band if band is not None else w.band(sum(p[0] for p in pts) / len(pts))
            out.append({**op, "points": [w.move(p, b) for p in pts]})
        elif "rect" in op:
            cx, cy, rx, ry = op["rect"]
            out.append({**op, "rect": [*w.move([cx, cy], band), rx, ry]})
        elif "pt" in op:
            out.append({**op, "pt": w.move(op["pt"], band if band is not None else w.band(op["pt"][0]))})
        else:
            out.append(op)
    return out
