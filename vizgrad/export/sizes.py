"""How big an export will be, known before it starts, and the limits that guard it.

A PNG frame of a large graph at 96 dpi can be tens of thousands of pixels wide; one
per step, that is hours of rendering and gigabytes of files. :func:`estimate` works
out what an export would make from the frames' declared size alone (nothing is
rendered), and :func:`check` refuses, in one line saying how to get under the limit,
an export past it:

* PNG and GIF: ``max_pixels``, the pixels of all frames together (default
  :data:`MAX_PIXELS`, or the environment variable ``VIZGRAD_MAX_PIXELS``);
* SVG and PDF: ``max_bytes``, the SVG text of all frames together, which is what the
  SVG files hold and what making the PDFs takes time in proportion to (default
  :data:`MAX_BYTES`, or ``VIZGRAD_MAX_BYTES``).

``inf`` (``max_pixels=float("inf")``, ``VIZGRAD_MAX_PIXELS=inf``) lifts a limit.
Sizes and times are rough: they say whether an export takes seconds or hours.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

from ..drawing.frames import Frames

MAX_PIXELS = 1_000_000_000  # ~2 minutes of PNG rendering, ~50 MB of files
MAX_BYTES = 250_000_000  # 250 MB of SVG; as PDF, ~10 minutes

# rough rates, measured on one laptop core with the lecture and MLP graphs
_PNG_PIXELS_PER_S = 8e6
_PNG_FILE_BYTES_PER_PIXEL = 0.05  # diagrams compress well
_GIF_CHANGE_PER_FRAME = 0.002  # GIF bytes per pixel of a frame, for each step
_PNG_MEMORY_BYTES_PER_PIXEL = 8  # the RGBA pixmap, and the PNG being encoded
_SVG_BYTES_PER_S = 200e6
_PDF_SVG_BYTES_PER_S = 300e3  # converting and laying out each frame's drawing
_PDF_BYTES_PER_SVG_BYTE = 0.25

_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"')


class ExportTooLarge(ValueError):
    """An export past its size limit (``max_pixels`` / ``max_bytes``)."""


@dataclass(frozen=True)
class Estimate:
    """What an export would make: ``files`` files of ``width`` × ``height`` pixels
    (raster formats; 0 for vector ones), ``pixels`` in all, about ``bytes`` bytes
    written, ``memory`` bytes in use per frame and ``seconds`` of work."""

    format: str
    frames: int
    files: int
    width: int
    height: int
    points: tuple[float, float]  # the drawing's width and height in points (1/72 inch)
    pixels: int
    svg_bytes: int
    bytes: int
    memory: int
    seconds: float

    def __str__(self) -> str:
        size = f" of {self.width:,} × {self.height:,} px" if self.pixels else ""
        memory = f", ~{_bytes(self.memory)} of memory each" if self.pixels else ""
        return (f"{self.format.upper()} export: {self.frames:,} frames{size}{memory}, "
                f"~{_bytes(self.bytes)} of files, ~{_duration(self.seconds)}")


def estimate(frames: Frames, format: str, px_per_inch: float, extra_height: float = 0.0) -> Estimate:
    """The size and time of exporting ``frames`` as ``format`` at ``px_per_inch``, each frame
    ``extra_height`` points taller (a caption under it)."""
    n = len(frames)
    final = frames.final_svg()  # every text at its longest: the largest frame
    svg_bytes = n * len(final.encode("utf-8"))
    m = _SIZE.search(final)
    w_pt, h_pt = (float(m.group(1)), float(m.group(2)) + extra_height) if m else (0.0, 0.0)
    width = height = pixels = memory = 0
    if format in ("png", "gif"):
        width, height = _pixels(w_pt, px_per_inch), _pixels(h_pt, px_per_inch)
        pixels = n * width * height
        memory = width * height * _PNG_MEMORY_BYTES_PER_PIXEL
        seconds = pixels / _PNG_PIXELS_PER_S
        if format == "png":
            written = pixels * _PNG_FILE_BYTES_PER_PIXEL
        else:  # one GIF: a whole first frame, then only what changes at each step
            written = width * height * (_PNG_FILE_BYTES_PER_PIXEL + _GIF_CHANGE_PER_FRAME * n)
    elif format == "pdf":
        written, seconds = svg_bytes * _PDF_BYTES_PER_SVG_BYTE, svg_bytes / _PDF_SVG_BYTES_PER_S
    elif format == "svg":
        written, seconds = svg_bytes, svg_bytes / _SVG_BYTES_PER_S
    else:  # dot: one small file
        written, seconds, svg_bytes = len(frames.dot.encode("utf-8")), 0.0, 0
    files = 1 if format in ("gif", "dot") else n
    return Estimate(format, n, files, width, height, (w_pt, h_pt), pixels, svg_bytes, round(written), memory, seconds)


def limit(name: str, value: float | None, default: float) -> float:
    """The limit in force: ``value`` if given, else the environment variable, else ``default``."""
    env = f"VIZGRAD_{name.upper()}"
    if value is None:
        text = os.environ.get(env, "").strip()
        if not text:
            return float(default)
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            raise ValueError(f"{env}={text!r} is not a number (write e.g. {env}=2e9, or inf for no limit)") from None
        name = env
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number (or inf for no limit), got {value!r}")
    return float(value)


def check(est: Estimate, max_pixels: float | None = None, max_bytes: float | None = None) -> Estimate:
    """``est`` if it is within the limits; else :class:`ExportTooLarge`, saying how to get under them."""
    if est.format in ("png", "gif"):
        most = limit("max_pixels", max_pixels, MAX_PIXELS)
        if est.pixels > most:
            raise ExportTooLarge(
                f"{est} ({_count(est.pixels)} pixels, the limit is {_count(most)}): {_smaller(est, most)}, "
                f"or lift the limit with max_pixels= or the VIZGRAD_MAX_PIXELS environment variable")
    elif est.format in ("svg", "pdf"):
        most = limit("max_bytes", max_bytes, MAX_BYTES)
        if est.svg_bytes > most:
            raise ExportTooLarge(
                f"{est} ({_bytes(est.svg_bytes)} of SVG, the limit is {_bytes(most)}): draw a smaller graph "
                f"(e.g. collapse groups), or lift the limit with max_bytes= or the VIZGRAD_MAX_BYTES "
                f"environment variable")
    return est


def _pixels(points: float, px_per_inch: float) -> int:
    return math.ceil(points * px_per_inch / 72)


def _smaller(est: Estimate, most: float) -> str:
    """Advice: the largest scale (at the default 96 dpi, two significant digits) that fits."""
    w_pt, h_pt = est.points

    def fits(scale: float) -> bool:
        return est.frames * _pixels(w_pt, 96 * scale) * _pixels(h_pt, 96 * scale) <= most

    if not fits(0.01):
        return "even scale=0.01 is past it: export a smaller graph"
    scale = math.sqrt(most / (est.frames * _pixels(w_pt, 96) * _pixels(h_pt, 96)))
    digits = 1 - math.floor(math.log10(scale))
    scale = math.floor(scale * 10**digits) / 10**digits
    while not fits(scale):
        digits = 1 - math.floor(math.log10(scale))
        scale = round(scale - 10**-digits, digits + 1)
    return f"pass scale={scale:g} or less (with the default dpi)"


def _count(n: float) -> str:
    for size, unit in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:,.0f}"


def _bytes(n: float) -> str:
    for size, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def _duration(s: float) -> str:
    if s >= 3600:
        return f"{s / 3600:.3g} h"
    if s >= 60:
        return f"{s / 60:.2g} min"
    return f"{s:.2g} s"
