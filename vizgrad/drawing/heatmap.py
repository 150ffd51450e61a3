"""Small heatmaps of tensors: the picture of an array beside its range.

A tensor with more than a few elements is shown on its wire by its shape and range
(:func:`vizgrad.drawing.texts.fmt`) and, under that text, a heatmap: one cell per element
(larger arrays are pooled to at most :data:`MAX_SIDE` cells a side, each cell the mean
of its block), coloured on a diverging scale centred on 0 (the palette's ``heat``
colours, :data:`~vizgrad.drawing.palette.HEAT_LEVELS` on each side, relative to the largest
magnitude), so the sign of every cell shows; a cell holding a nan or inf is dark and
struck through. The value's heatmap appears at its forward step, the gradient's at
its backward step.

In the layout a heatmap is a few blank text rows (:func:`rows`) that reserve its room;
in the SVG each cell is a class hole (:func:`changes` gives each step's classes), so
the frames of another trace on the same layout colour the same cells anew.
"""

from __future__ import annotations

import math
from functools import lru_cache

from ..base.lazy_numpy import is_array, lazy
from .palette import HEAT_LEVELS, heat_class
from .slots import Slot

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)

MAX_SIDE = 16  # cells a side at most
SMALL = 4  # arrays of this many elements or fewer show their numbers instead
LINE = 14.4  # height of a 12 pt text line in the layout, in points
DOT_WIDTH = 3.8  # the width of "·" at 12 pt in DejaVu Sans, in points
SIZE = 44.0  # the longer side of a heatmap, in points (cells 3 to 9 points)
ON = " vg-on"


def shown(data: object) -> bool:
    """Whether an array is drawn as a heatmap (more than :data:`SMALL` elements)."""
    return is_array(data) and data.size > SMALL


def as_matrix(data: np.ndarray) -> np.ndarray:
    """The array as a matrix: a vector is one row, more dimensions are stacked rows."""
    a = np.asarray(data, dtype=np.float64)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(1, -1)
    return a.reshape(-1, a.shape[-1])


def grid_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """Rows and columns of cells for an array of ``shape`` (pooled to :data:`MAX_SIDE`)."""
    r, c = as_matrix(np.empty(shape)).shape
    return math.ceil(r / math.ceil(r / MAX_SIDE)), math.ceil(c / math.ceil(c / MAX_SIDE))


def pooled(data: np.ndarray) -> np.ndarray:
    """The cells' numbers: each the mean of its block, nan where the block holds a nan or inf."""
    a = as_matrix(data)
    rows, cols = grid_shape(np.shape(data))
    br, bc = math.ceil(a.shape[0] / rows), math.ceil(a.shape[1] / cols)
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            block = a[i * br:(i + 1) * br, j * bc:(j + 1) * bc]
            out[i, j] = block.mean() if np.isfinite(block).all() else math.nan
    return out


def levels(data: np.ndarray) -> list[int | None]:
    """Each cell's level, row by row: 0 for zero, ±1 … ±HEAT_LEVELS by magnitude relative to
    the largest (any non-zero number at least ±1, so its sign shows), ``None`` for nan/inf."""
    cells = pooled(data).ravel()
    finite = cells[np.isfinite(cells)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    out: list[int | None] = []
    for v in cells:
        if not math.isfinite(v):
            out.append(None)
        elif v == 0 or top == 0:
            out.append(0)
        else:
            out.append(int(math.copysign(max(1, math.ceil(abs(v) / top * HEAT_LEVELS)), v)))
    return out


def cell_size(rows: int, cols: int) -> float:
    """The size in points of each cell of a heatmap of ``rows`` × ``cols`` cells."""
    return min(9.0, max(3.0, SIZE / max(rows, cols)))


def size(shape: tuple[int, ...]) -> tuple[int, int, float]:
    """Cells a side (rows, columns) and each cell's size in points."""
    rows, cols = grid_shape(shape)
    return rows, cols, cell_size(rows, cols)


def room(shape: tuple[int, ...]) -> tuple[int, str]:
    """What reserves a heatmap's room in the layout: that many lines of this blank text."""
    rows, cols, cell = size(shape)
    return max(1, math.ceil(rows * cell / LINE)), "\u00b7" * max(2, math.ceil(cols * cell / DOT_WIDTH))


def changes(key: Slot, data: np.ndarray) -> dict[Slot, str]:
    """The class of the heatmap ``key`` (shown) and of each of its cells, for ``data``."""
    each = levels(data)
    return {key: ON, **{cell: " " + heat_class(level)
                        for cell, level in zip(cells_of(key, len(each)), each, strict=True)}}


@lru_cache(maxsize=1024)
def cells_of(key: Slot, n: int) -> tuple[Slot, ...]:
    """The slots of the ``n`` cells of the heatmap ``key``, row by row (named at every step that shows it)."""
    return tuple(key.cell_at(k) for k in range(n))
