"""What a notebook's output carries besides a picture: the picture zoomable, when it is too
big to read at a cell's width, and the metadata that tells decks and nbconvert to show it."""

from __future__ import annotations

from typing import Any

from ..drawing.svg import fits_a_cell
from .player import zoomable_html


def asked(mime: str, include: Any = None, exclude: Any = None) -> bool:
    """Whether a notebook asks for ``mime`` (IPython's ``include`` and ``exclude`` sets)."""
    return (not include or mime in include) and mime not in (exclude or ())


def zoomable(svg: str, alt: str, include: Any = None, exclude: Any = None) -> tuple[dict[str, str], dict]:
    """What a notebook shows besides a picture too big to read at a cell's width
    (:data:`vizgrad.drawing.svg.CELL_PX`): ``text/html``, the picture zoomable, and the output's
    metadata (``vizgrad.player``: decks and nbconvert show it as a player); else nothing.
    ``include``, ``exclude``: the mime types a notebook asks for, or not (IPython's)."""
    if not asked("text/html", include, exclude) or fits_a_cell(svg):
        return {}, {}
    return {"text/html": zoomable_html(svg, alt)}, {"vizgrad": {"player": True}}
