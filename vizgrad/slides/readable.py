"""How much of a slide a drawing needs for its numbers to be read from the back of the room.

A deck's slide is 1280 x 720 CSS px, scaled to the screen (1.5 times on a 1920 x 1080
projector). A drawing's numbers are readable there when they are at least
:data:`NUMBER_PX` tall on the slide: 13 px, which is 19.5 px at 1920 x 1080 and 13 px at
1280 x 720, less the margin reveal.js keeps around a slide (3 %). :func:`room_needed` gives
the size a drawing must be shown at for that, from its SVG: its ``viewBox`` and the smallest
font size of its numbers (the ``vg-value`` and ``vg-grad`` texts); :func:`estimated_height`
how tall a cell shows. The deck (:func:`vizgrad.slides.cells.structure`) gives a drawing that
would get less than its room beside the rest of its slide a slide of its own.
"""

from __future__ import annotations

import re

NUMBER_PX = 13.0  # a number's font size on the 1280 x 720 slide (the target, 12 px, and some room)
CONTENT_WIDTH = 1184.0  # a slide's width inside its padding (static/deck.css)
SLIDE_HEIGHT = 660.0  # a slide's height inside its padding, less the gaps between its blocks
PLAYER_CHROME = 150.0  # a player's caption and controls, under its drawing
LIVE_CHROME = 60.0  # a live player's sliders, above its drawing
# the deck's type (static/deck.css), for an estimate of how tall a cell shows
LINE_PX, CODE_LINE_PX, CHARS_PER_LINE = 36.0, 20.5, 78
HEADING_PX, MATH_PX, BLOCK_PX = 56.0, 80.0, 20.0

_SVG = re.compile(r'<svg\b[^>]*?\bviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')
_TEXT = re.compile(r"<text\b([^>]*)>")
_SIZE = re.compile(r'\bfont-size="([\d.]+)"')
_NUMBER_CLASS = re.compile(r'\bclass="[^"]*\bvg-(?:value|grad)\b')


def _numbers(markup: str) -> tuple[float, float, float] | None:
    """The first vizgrad drawing in ``markup``: its viewBox width and height and the
    smallest font size of its numbers (``None``: no drawing with numbers)."""
    m = _SVG.search(markup)
    if not m:
        return None
    width, height = float(m.group(1)), float(m.group(2))
    end = markup.find("</svg>", m.end())
    sizes = [float(s.group(1)) for t in _TEXT.finditer(markup, m.end(), end if end > 0 else len(markup))
             if _NUMBER_CLASS.search(t.group(1)) and (s := _SIZE.search(t.group(1)))]
    return (width, height, min(sizes)) if sizes and width > 0 and height > 0 else None


def room_needed(markup: str, player: bool = False, live: bool = False) -> tuple[float, float] | None:
    """The width and height in slide px at which the first vizgrad drawing in ``markup``
    (an SVG, or HTML holding one) shows its numbers at :data:`NUMBER_PX`, with a player's
    caption and controls (``player``) and sliders (``live``); ``None`` when it holds no
    drawing with numbers."""
    found = _numbers(markup)
    if found is None:
        return None
    width, height, size = found
    k = NUMBER_PX / size
    return width * k, height * k + (PLAYER_CHROME if player else 0.0) + (LIVE_CHROME if live else 0.0)


def readable_scale(markup: str) -> float | None:
    """The zoom (times the drawing's own size, Graphviz's points at 96 dpi) at which the
    drawing in ``markup`` shows its numbers at :data:`NUMBER_PX`."""
    found = _numbers(markup)
    return None if found is None else round(NUMBER_PX / (found[2] * 4 / 3), 3)


def fits(room: tuple[float, float]) -> bool:
    """Whether a drawing needing ``room`` fits a slide of its own at that size."""
    return room[0] <= CONTENT_WIDTH and room[1] <= SLIDE_HEIGHT


def estimated_height(cell: dict, source: str, room: tuple[float, float] | None) -> float:
    """About how tall ``cell`` shows on a slide, in slide px, its drawing (if any) at the
    size ``room`` it needs: an estimate from its text, to decide what shares a slide."""
    if cell.get("cell_type") == "markdown":
        h = 0.0
        for block in source.split("\n\n"):
            b = block.strip()
            if b.startswith("#"):
                h += HEADING_PX
            elif b.startswith("$$"):
                h += MATH_PX
            elif b:
                h += BLOCK_PX + LINE_PX * sum(-(-len(line) // CHARS_PER_LINE) or 1 for line in b.split("\n"))
        return h
    lines = source.count("\n") + 1 if source.strip() else 0
    h = BLOCK_PX + CODE_LINE_PX * lines if lines else 0.0
    for out in cell.get("outputs") or []:
        text = out.get("text") or (out.get("data") or {}).get("text/plain") or ""
        text = "".join(text) if isinstance(text, list) else str(text)
        if out.get("output_type") in ("stream", "error") or (room is None and text):
            h += BLOCK_PX + CODE_LINE_PX * (text.count("\n") + 1)
    return h + (room[1] if room else 0.0)
