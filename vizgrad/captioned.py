"""A frame with its step's caption under it, for slides and handouts.

The caption (:func:`vizgrad.captions`) is added to the frame's SVG itself, below the
drawing: the words in ink, then the formula in the colour and type of what it computes
(a value's in the value colour, a gradient's in the gradient colour and italic, as on
the wires). Every frame of one export gets the same caption height (the most lines any
step needs), so PNG frames line up and a GIF never changes size.
"""

from __future__ import annotations

import re
import textwrap
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

from .captions import Caption

SIZE = 12.0  # points
LINE = 1.4 * SIZE
MARGIN = 8.0
CHAR = 0.52 * SIZE  # a DejaVu Sans character, on average

_HEAD = re.compile(r'(<svg\b[^>]*?\bheight=")([\d.]+)(pt"[^>]*?\bviewBox="0 0 )([\d.]+) ([\d.]+)(")')


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def size_of(svg: str) -> tuple[float, float]:
    """A frame's width and height in points."""
    m = _HEAD.search(svg)
    if not m:
        raise ValueError("not a vizgrad frame: no width, height and viewBox on its <svg>")
    return float(m.group(4)), float(m.group(5))


def lines_of(caption: Caption, phase: str, width: float) -> list[tuple[str, str]]:
    """The caption as lines that fit ``width`` points: (text, role) pairs."""
    chars = max(24, int((width - 2 * MARGIN) / CHAR))
    role = "grad" if phase == "backward" else "value"
    out = [(line, "ink") for line in textwrap.wrap(caption.text, chars)]
    out += [(line, role) for line in textwrap.wrap(caption.formula, chars)]
    return out


def height_of(lines: int) -> float:
    """The height in points of a caption of ``lines`` lines."""
    return lines * LINE + 2 * MARGIN - (LINE - SIZE)


def with_caption(svg: str, lines: list[tuple[str, str]], n_lines: int, paper: str = "#ffffff") -> str:
    """``svg`` made ``n_lines`` lines taller, showing ``lines`` below the drawing."""
    width, height = size_of(svg)
    extra = height_of(n_lines)
    total = _f(height + extra)
    svg = _HEAD.sub(lambda m: f"{m.group(1)}{total}{m.group(3)}{m.group(4)} {total}{m.group(6)}", svg, count=1)
    parts = [f'<g class="vg-caption"><rect x="0" y="{_f(height)}" width="{_f(width)}" height="{_f(extra)}" '
             f'fill="{paper}"/>']
    y = height + MARGIN + SIZE * 0.8
    for text, role in lines:
        parts.append(f'<text x="{_f(MARGIN)}" y="{_f(y)}" font-size="{SIZE:g}" class="vg-{role}">'
                     f"{escape(text)}</text>")
        y += LINE
    parts.append("</g>\n")
    head, sep, tail = svg.rpartition("</svg>")
    return head + "".join(parts) + sep + tail


def captioned(svgs: Iterable[str], captions: list[Caption], phases: list[str], width: float,
              paper: str = "#ffffff") -> Iterator[str]:
    """Each frame with its caption; all made as tall as the longest caption needs."""
    lines = [lines_of(c, p, width) for c, p in zip(captions, phases, strict=True)]
    n = max((len(x) for x in lines), default=0)
    for svg, these in zip(svgs, lines, strict=True):
        yield with_caption(svg, these, n, paper)


def caption_height(captions: list[Caption], phases: list[str], width: float) -> float:
    """How much taller captions make each frame, in points."""
    n = max((len(lines_of(c, p, width)) for c, p in zip(captions, phases, strict=True)), default=0)
    return height_of(n)
