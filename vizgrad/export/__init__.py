"""Writing frames to files: SVG, PNG or PDF per step, one animated GIF, or the DOT source.

Everything here works from pip wheels alone, with no Graphviz binary, no cairo and no
browser (the frames themselves are already laid out):

* PNG: ``resvg-py`` (the Rust resvg renderer) turns each frame's SVG into pixels;
* GIF: the same PNG frames, assembled by Pillow;
* PDF: ``svglib`` reads each SVG into a ReportLab drawing and ReportLab writes a
  vector PDF, with its text as real (embedded, searchable) text. Each element is
  read once per state it shows in, not once per frame.

Text is set in DejaVu Sans, the font matplotlib ships, in both renderers: the PNG,
GIF and PDF files come out the same on every system, and text shows even on a
machine without fonts. Only if a frame holds a character DejaVu Sans has no glyph
for (Chinese, say) are the system's fonts loaded for the PNG and GIF too.
"""

from __future__ import annotations

import io
import math
import re
from numbers import Integral
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..drawing.frames import Frames
from .convert import DPI, font_options, pdf_writer, png_renderer, positive, with_font

FORMATS = ("svg", "png", "pdf", "gif", "dot")

SCALE = 2.0  # PNG and GIF frames: twice the drawing's own size, sharp on slides
DURATION_MS = 700  # each GIF frame without captions

# Appended to the frame's own <style>: a later rule of the same specificity wins, so
# every text is set in the one font both renderers are given.


def save_frames(
    frames: Frames,
    folder: str | Path,
    format: str = "svg",
    *,
    dpi: float | None = None,
    scale: float | None = None,
    duration_ms: int | None = None,
    last_ms: int | None = None,
    max_pixels: float | None = None,
    max_bytes: float | None = None,
    caption: bool | None = None,
    palette: str | None = None,
    steps: Iterable[int] | int | None = None,
) -> list[Path]:
    """Write the frames of a trace to ``folder``; return the paths written.

    ``format``: ``"svg"``, ``"png"`` or ``"pdf"`` write one file per step
    (``step_000.svg`` …); ``"gif"`` writes one animated ``pass.gif`` of the whole pass;
    ``"dot"`` writes the Graphviz source of the layout, ``graph.dot``.

    ``steps``: only these steps' files (SVG, PNG, PDF), named as in the whole export
    (``steps=[8]`` writes ``step_008.png``) and returned in step order; a negative step
    counts from the end. A step that does not exist is an ``IndexError``, one that is
    not an int a ``TypeError``.

    PNG and GIF size: ``scale`` times the drawing's own size (default 2: sharp on
    slides; the drawing's own size is 96 pixels per inch), or ``dpi`` pixels per inch
    (times ``scale``, then 1 by default). SVG, PDF and DOT are vector formats and ignore both.

    ``caption``: the step's caption (:func:`vizgrad.captions`) under each frame (default:
    on for GIF, off for SVG, PNG and PDF). ``palette``: the frames' colours in another
    palette (``"lecture"``, ``"colorblind"``: see :mod:`vizgrad.drawing.palette`).

    GIF timing: every frame shows for ``duration_ms``, the last one for ``last_ms``
    (default three times as long); the animation loops forever. Without ``duration_ms``:
    700 ms a frame, or with captions long enough to read each one (half as long again at
    the first backward step, twice at the last).

    Size guard: before anything is rendered the export's size is estimated
    (:func:`vizgrad.export.sizes.estimate`), and one past a limit raises
    :class:`vizgrad.export.sizes.ExportTooLarge` with one line saying how to fit. PNG and
    GIF: ``max_pixels``, the pixels of all frames together (default 1e9, or the
    ``VIZGRAD_MAX_PIXELS`` environment variable); SVG and PDF: ``max_bytes``, the SVG
    text of all frames together (default 250e6, or ``VIZGRAD_MAX_BYTES``). ``inf``
    lifts a limit.

    Every file is written atomically (:func:`vizgrad.base.files.write_atomic`): a failure
    such as a full disk leaves the file that was there before, never a truncated one.
    PNG, GIF and PDF files are byte-identical for the same frames and options.
    """
    from ..base.files import replacing, write_atomic
    from .captioned import export_svgs, gif_durations
    from .sizes import check, estimate

    if not isinstance(format, str) or format.lower() not in FORMATS:
        choices = ", ".join(repr(f) for f in FORMATS)
        raise ValueError(f"unknown format {format!r}: choose one of {choices}")
    format = format.lower()
    chosen = _chosen(steps, len(frames), format)
    if format == "gif" and len(frames) == 0:
        raise ValueError("this trace has no steps: there is nothing to animate")
    px_per_inch = _resolution(dpi, scale)
    _durations(duration_ms, last_ms)  # bad timings: one line, before anything is done
    show_caption = (format == "gif") if caption is None else bool(caption)
    if format == "dot":
        show_caption = False
    svgs, final, extra = export_svgs(frames, show_caption, palette)
    check(estimate(frames if chosen is None else _Some(frames, len(chosen)), format, px_per_inch, extra),
          max_pixels, max_bytes)

    # before anything is written: a missing converter fails at once, with an empty folder
    if format == "png":
        render = png_renderer()
    elif format == "gif":
        render = png_renderer()
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise ImportError("GIF export needs Pillow: pip install pillow") from None
    elif format == "pdf":
        write_pdf = pdf_writer()

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(frames) - 1)))

    def step_path(k: int) -> Path:
        return folder / f"step_{k:0{width}d}.{format}"

    def picked() -> Iterator[tuple[int, str]]:  # (step, its SVG) of each step to write
        return ((k, svg) for k, svg in enumerate(svgs()) if chosen is None or k in chosen)

    if format == "dot":
        return [write_atomic(folder / "graph.dot", frames.dot)]
    if format == "svg":
        return [write_atomic(step_path(k), svg) for k, svg in picked()]
    if format == "pdf":
        return [write_atomic(step_path(k), write_pdf(with_font(svg))) for k, svg in picked()]

    fonts = font_options(svgs())  # from every step: a step's file is the same in any selection
    if format == "png":
        return [write_atomic(step_path(k), render(with_font(svg), px_per_inch, fonts)) for k, svg in picked()]

    # format == "gif"
    path = folder / "pass.gif"
    pngs = (render(with_font(svg), px_per_inch, fonts) for svg in svgs())
    colours = _gif_palette(final, render, px_per_inch, fonts)
    durations = gif_durations(frames, duration_ms, last_ms, show_caption, _durations(duration_ms, last_ms))
    with replacing(path) as fp:  # written frame by frame: a failure leaves the old GIF
        _write_gif(fp, pngs, durations, colours)
    return [path]


# -- options ----------------------------------------------------------------------------


def _chosen(steps: Iterable[int] | int | None, n: int, format: str) -> set[int] | None:
    """The steps ``steps=`` asks for (``None``: every step), each checked: one line for a bad one."""
    if steps is None:
        return None
    if format not in ("svg", "png", "pdf"):
        raise ValueError(f"steps= picks the files of an svg, png or pdf export; {format} is one file "
                         "of the whole pass")
    if _is_int(steps):
        steps = [steps]
    if isinstance(steps, (str, bytes)) or not isinstance(steps, Iterable):
        raise TypeError(f"steps must be a step number or a list of them, got {type(steps).__name__}")
    chosen = set()
    for k in steps:
        if not _is_int(k):
            raise TypeError(f"steps must be step numbers (ints), got {k!r} ({type(k).__name__})")
        if not -n <= k < n:
            raise IndexError(f"step {k} does not exist: this trace has {n} steps (0 to {n - 1})")
        chosen.add(int(k) % n)
    return chosen


def _is_int(k: Any) -> bool:
    return isinstance(k, Integral) and not isinstance(k, bool)  # numpy's integers too


class _Some:
    """Frames as the size estimate sees them: only ``n`` of their steps are written."""

    def __init__(self, frames: Frames, n: int) -> None:
        self._frames, self._n = frames, n

    def __len__(self) -> int:
        return self._n

    def __getattr__(self, name: str) -> Any:
        return getattr(self._frames, name)


def _resolution(dpi: float | None, scale: float | None) -> float:
    """Pixels per inch for PNG and GIF frames: ``dpi`` (default 96) times ``scale`` (default
    :data:`SCALE`, or 1 when ``dpi`` is given: then ``dpi`` alone says the resolution)."""
    px = DPI if dpi is None else positive("dpi", dpi)
    return px * ((SCALE if dpi is None else 1.0) if scale is None else positive("scale", scale))


def _durations(duration_ms: int | None, last_ms: int | None) -> tuple[int, int]:
    frame = DURATION_MS if duration_ms is None else round(positive("duration_ms", duration_ms))
    last = 3 * frame if last_ms is None else round(positive("last_ms", last_ms))
    return max(frame, 10), max(last, 10)  # GIF counts in hundredths of a second


# -- PNG and GIF ------------------------------------------------------------------------


_HEX = re.compile(r"#([0-9a-fA-F]{6})\b")
_CLASS = re.compile(r'class="(vg-[^"]*)"')
_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"')
_PALETTE_SAMPLE_PIXELS = 1_000_000


def _gif_palette(final_svg: str, render, px_per_inch: float, fonts: dict):
    """One 256-colour palette for every frame of the GIF (a "P" image holding it).

    Every colour the drawing names is in it exactly (the orange highlight stays the
    orange of the SVG); the rest is fitted to a sample: the finished pass (every value
    and gradient) and the same with every element active, so the antialiased edges of
    both plain and highlighted elements find close colours.
    """
    from PIL import Image

    exact = ["#ffffff", "#000000"]
    for match in _HEX.finditer(final_svg):
        colour = "#" + match.group(1).lower()
        if colour not in exact:
            exact.append(colour)
    exact = exact[:64]
    all_active = _CLASS.sub(lambda m: f'class="{m.group(1)} vg-active"', final_svg)
    size = _SIZE.search(final_svg)  # the sample need not be large: at most a megapixel
    if size:
        pixels = float(size.group(1)) * float(size.group(2)) * (px_per_inch / 72) ** 2
        px_per_inch /= max(1.0, math.sqrt(pixels / _PALETTE_SAMPLE_PIXELS))
    samples = []
    for svg in (final_svg, all_active):
        with Image.open(io.BytesIO(render(with_font(svg), px_per_inch, fonts))) as im:
            samples.append(im.convert("RGB"))
    sample = Image.new("RGB", (max(s.width for s in samples), sum(s.height for s in samples)), "white")
    y = 0
    for im in samples:
        sample.paste(im, (0, y))
        y += im.height
    fitted = sample.quantize(colors=256 - len(exact), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    used = len(fitted.getcolors(256) or ())
    colours = [bytes.fromhex(c[1:]) for c in exact]
    table = bytearray(b"".join(colours))
    rest = bytes(fitted.getpalette("RGB") or b"")[: 3 * used]
    for i in range(0, len(rest), 3):
        # Pillow maps pixels to a palette through a cache of 4x4x4 boxes: a fitted colour
        # that close to an exact one could take its pixels (white would turn light grey)
        if all(max(abs(a - b) for a, b in zip(rest[i:i + 3], c, strict=True)) > 8 for c in colours):
            table += rest[i:i + 3]
    table = table[:768].ljust(768, b"\0")
    palette = Image.new("P", (1, 1))
    palette.putpalette(table)
    return palette


def _write_gif(fp: io.BufferedIOBase, pngs: Iterable[bytes], durations: list[int], palette) -> None:
    """An animated GIF, written one frame at a time to ``fp``: each frame is only what changed.

    Every frame is kept (even one that looks like the one before), so the GIF has
    exactly one frame per step; it loops forever.
    """
    from PIL import GifImagePlugin, Image, ImageChops

    if not hasattr(GifImagePlugin, "getdata"):  # pragma: no cover - a Pillow without it
        _save_gif(fp, pngs, durations, palette)
        return
    table = bytes(palette.getpalette("RGB"))[:768].ljust(768, b"\0")
    previous = size = None
    for png, duration in zip(pngs, durations, strict=True):
        with Image.open(io.BytesIO(png)) as im:
            rgb = im.convert("RGB")
        if size is None:
            size = rgb.size
            fp.write(b"GIF89a" + _u16(size[0]) + _u16(size[1])
                     + bytes([0xF7, 0, 0])  # global table of 256 colours, background 0, square pixels
                     + table
                     + b"!\xff\x0bNETSCAPE2.0\x03\x01" + _u16(0) + b"\x00")  # loop forever
            box = (0, 0, *size)
        else:
            if rgb.size != size:  # cannot happen with one layout; never let a GIF jump
                canvas = Image.new("RGB", size, "white")
                canvas.paste(rgb, (0, 0))
                rgb = canvas
            box = ImageChops.difference(rgb, previous).getbbox() or (0, 0, 1, 1)
        previous = rgb
        frame = rgb.crop(box).quantize(palette=palette, dither=Image.Dither.NONE)
        for chunk in GifImagePlugin.getdata(frame, offset=box[:2], duration=duration, disposal=1):
            fp.write(chunk)
    fp.write(b";")


def _save_gif(fp: io.BufferedIOBase, pngs: Iterable[bytes], durations: list[int], palette) -> None:
    """The same GIF through Pillow's own writer (which keeps every frame in memory)."""
    from PIL import Image

    images = []
    for png in pngs:
        with Image.open(io.BytesIO(png)) as im:
            images.append(im.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE))
    images[0].save(fp, format="GIF", save_all=True, append_images=images[1:],
                   duration=durations, loop=0, disposal=1, optimize=False)


def _u16(n: int) -> bytes:
    return n.to_bytes(2, "little")
