"""What a notebook's output carries besides a picture: the picture zoomable, when it is too
big to read at a cell's width, and the metadata that tells decks and nbconvert to show it."""

from __future__ import annotations

import html
from typing import Any

from ..drawing.svg import fits_a_cell
from .player import zoomable_html

ERROR_RED = "#d62728"  # the one colour of an error line in a notebook's output


def error_html(text: str, tag: str = "span") -> str:
    """``text`` as one red line of HTML (escaped), inside ``<tag>``."""
    return f'<{tag} style="color:{ERROR_RED}">{html.escape(text)}</{tag}>'


def error_line(e: BaseException) -> str:
    """An error in one line of text: its class and its message."""
    return f"{type(e).__name__}: {e}"


def no_drawing_text(e: BaseException) -> str:
    """Why there is no picture, in one line: ``(no drawing: GraphvizError: <first line>)``."""
    reason = (str(e).strip().splitlines() or [""])[0]
    return f"(no drawing: {type(e).__name__}: {reason})"


def no_drawing(e: BaseException) -> dict[str, str]:
    """The display bundle shown where a picture could not be made: one red line, no traceback."""
    text = no_drawing_text(e)
    return {"text/plain": text, "text/html": error_html(text, "pre")}


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
