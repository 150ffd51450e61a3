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
from typing import Any, Callable, Iterable, Iterator
from xml.sax.saxutils import escape

from ..drawing.captions import Caption, captions
from ..drawing.palette import get, recolour

SIZE = 12.0  # points
LINE = 1.4 * SIZE
MARGIN = 8.0
CHAR = 0.52 * SIZE  # a DejaVu Sans character, on average

READ_MS = (1200, 30, 5000)  # a GIF frame with its caption: base + per character, at most

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


# -- what an export writes ------------------------------------------------------------


def export_svgs(frames: Any, caption: bool, palette: str | None) -> tuple[Callable[[], Iterator[str]], str, float]:
    """What is exported: a function giving the frames' SVGs anew (in ``palette``, with their
    captions), the finished pass drawn the same way, and the points captions add."""

    def coloured(svg: str) -> str:
        return svg if palette is None else recolour(svg, palette)

    final = coloured(frames.final_svg())  # an unknown palette: one line, before anything is written
    if not caption:
        return (lambda: (coloured(svg) for svg in frames)), final, 0.0
    trace = frames.trace
    caps = captions(trace, frames.options.digits)
    phases = [step.phase for step in trace]
    width = size_of(final)[0]
    paper = get(palette or frames.options.palette).paper
    lines = [lines_of(c, p, width) for c, p in zip(caps, phases, strict=True)]
    n = max((len(x) for x in lines), default=0)

    def svgs():
        return captioned((coloured(svg) for svg in frames), caps, phases, width, paper)

    return svgs, with_caption(final, lines[-1] if lines else [], n, paper), height_of(n)


def gif_durations(frames: Any, duration_ms: int | None, last_ms: int | None, caption: bool,
                  plain: tuple[int, int]) -> list[int]:
    """Each GIF frame's time: ``plain`` (the time of each frame and of the last, from
    ``duration_ms`` and ``last_ms``); with captions and no ``duration_ms``, each long enough
    to read its caption, half as long again at the first backward step, twice at the last
    (or ``last_ms``)."""
    frame_ms, hold_ms = plain
    n = len(frames)
    if duration_ms is not None or not caption:
        return [frame_ms] * (n - 1) + [hold_ms]
    base, per_char, most = READ_MS
    trace = frames.trace
    times = [min(most, base + per_char * len(c.text + c.formula))
             for c in captions(trace, frames.options.digits)]
    phases = [step.phase for step in trace]
    if "backward" in phases[:-1]:
        times[phases.index("backward")] *= 1.5
    times[-1] = hold_ms if last_ms is not None else 2 * times[-1]
    return [max(10, round(t, -1)) for t in times]
