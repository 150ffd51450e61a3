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

import copy
import io
import math
import re
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Protocol


class Frames(Protocol):
    """What is exported: :class:`vizgrad.frames.Frames` (which imports this module, not
    the other way round)."""

    dot: str

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterable[str]: ...
    def final_svg(self) -> str: ...

FORMATS = ("svg", "png", "pdf", "gif", "dot")

DPI = 96.0  # pixels per inch at scale 1: a PNG frame the size the SVG shows at in a browser
SCALE = 2.0  # PNG and GIF frames: twice the drawing's own size, sharp on slides
DURATION_MS = 700  # each GIF frame without captions
FONT_FAMILY = "DejaVu Sans"

# Appended to the frame's own <style>: a later rule of the same specificity wins, so
# every text is set in the one font both renderers are given.
_FONT_RULE = f'\n.vg text {{ font-family: "{FONT_FAMILY}", sans-serif; }}\n'
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def save_frames(
    frames: "Frames",
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
) -> list[Path]:
    """Write the frames of a trace to ``folder``; return the paths written.

    ``format``: ``"svg"``, ``"png"`` or ``"pdf"`` write one file per step
    (``step_000.svg`` …); ``"gif"`` writes one animated ``pass.gif`` of the whole pass;
    ``"dot"`` writes the Graphviz source of the layout, ``graph.dot``.

    PNG and GIF size: ``scale`` times the drawing's own size (default 2: sharp on
    slides; the drawing's own size is 96 pixels per inch), or ``dpi`` pixels per inch
    (times ``scale``, then 1 by default). SVG, PDF and DOT are vector formats and ignore both.

    ``caption``: the step's caption (:func:`vizgrad.captions`) under each frame (default:
    on for GIF, off for SVG, PNG and PDF). ``palette``: the frames' colours in another
    palette (``"lecture"``, ``"colorblind"``: see :mod:`vizgrad.palette`).

    GIF timing: every frame shows for ``duration_ms``, the last one for ``last_ms``
    (default three times as long); the animation loops forever. Without ``duration_ms``:
    700 ms a frame, or with captions long enough to read each one (half as long again at
    the first backward step, twice at the last).

    Size guard: before anything is rendered the export's size is estimated
    (:func:`vizgrad.sizes.estimate`), and one past a limit raises
    :class:`vizgrad.sizes.ExportTooLarge` with one line saying how to fit. PNG and
    GIF: ``max_pixels``, the pixels of all frames together (default 1e9, or the
    ``VIZGRAD_MAX_PIXELS`` environment variable); SVG and PDF: ``max_bytes``, the SVG
    text of all frames together (default 250e6, or ``VIZGRAD_MAX_BYTES``). ``inf``
    lifts a limit.

    Every file is written atomically (:func:`vizgrad.files.write_atomic`): a failure
    such as a full disk leaves the file that was there before, never a truncated one.
    PNG, GIF and PDF files are byte-identical for the same frames and options.
    """
    from .captioned import export_svgs, gif_durations
    from .files import replacing, write_atomic
    from .sizes import check, estimate

    if not isinstance(format, str) or format.lower() not in FORMATS:
        choices = ", ".join(repr(f) for f in FORMATS)
        raise ValueError(f"unknown format {format!r}: choose one of {choices}")
    format = format.lower()
    if format == "gif" and len(frames) == 0:
        raise ValueError("this trace has no steps: there is nothing to animate")
    px_per_inch = _resolution(dpi, scale)
    _durations(duration_ms, last_ms)  # bad timings: one line, before anything is done
    show_caption = (format == "gif") if caption is None else bool(caption)
    if format == "dot":
        show_caption = False
    svgs, final, extra = export_svgs(frames, show_caption, palette)
    check(estimate(frames, format, px_per_inch, extra), max_pixels, max_bytes)

    # before anything is written: a missing converter fails at once, with an empty folder
    if format == "png":
        render = _png_renderer()
    elif format == "gif":
        render = _png_renderer()
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise ImportError("GIF export needs Pillow: pip install pillow") from None
    elif format == "pdf":
        write_pdf = _pdf_writer()

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(frames) - 1)))

    def step_path(k: int) -> Path:
        return folder / f"step_{k:0{width}d}.{format}"

    if format == "dot":
        return [write_atomic(folder / "graph.dot", frames.dot)]
    if format == "svg":
        return [write_atomic(step_path(k), svg) for k, svg in enumerate(svgs())]
    if format == "pdf":
        return [write_atomic(step_path(k), write_pdf(_with_font(svg))) for k, svg in enumerate(svgs())]

    fonts = _font_options(svgs())
    if format == "png":
        return [write_atomic(step_path(k), render(_with_font(svg), px_per_inch, fonts))
                for k, svg in enumerate(svgs())]

    # format == "gif"
    path = folder / "pass.gif"
    pngs = (render(_with_font(svg), px_per_inch, fonts) for svg in svgs())
    colours = _gif_palette(final, render, px_per_inch, fonts)
    durations = gif_durations(frames, duration_ms, last_ms, show_caption, _durations(duration_ms, last_ms))
    with replacing(path) as fp:  # written frame by frame: a failure leaves the old GIF
        _write_gif(fp, pngs, durations, colours)
    return [path]


def convert_svg(svg: str, format: str, dpi: float = DPI) -> bytes:
    """An SVG (a frame, or Graphviz's own) as PNG or PDF bytes, frames' text set in DejaVu Sans.

    This is how a drawing becomes a picture with no Graphviz program installed:
    the WebAssembly Graphviz writes SVG only.
    """
    svg = _with_font(svg)
    if format == "png":
        return _png_renderer()(svg, _positive("dpi", dpi), _font_options([svg]))
    if format == "pdf":
        return _pdf_writer()(svg)
    raise ValueError(f"convert_svg makes 'png' or 'pdf', not {format!r}")


# -- options ----------------------------------------------------------------------------


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _resolution(dpi: float | None, scale: float | None) -> float:
    """Pixels per inch for PNG and GIF frames: ``dpi`` (default 96) times ``scale`` (default
    :data:`SCALE`, or 1 when ``dpi`` is given: then ``dpi`` alone says the resolution)."""
    px = DPI if dpi is None else _positive("dpi", dpi)
    return px * ((SCALE if dpi is None else 1.0) if scale is None else _positive("scale", scale))


def _durations(duration_ms: int | None, last_ms: int | None) -> tuple[int, int]:
    frame = DURATION_MS if duration_ms is None else round(_positive("duration_ms", duration_ms))
    last = 3 * frame if last_ms is None else round(_positive("last_ms", last_ms))
    return max(frame, 10), max(last, 10)  # GIF counts in hundredths of a second


# -- fonts ------------------------------------------------------------------------------


def _with_font(svg: str) -> str:
    """The frame with every text set in :data:`FONT_FAMILY`."""
    head, sep, tail = svg.partition("</style>")
    return head + _FONT_RULE + sep + tail if sep else svg


@lru_cache(maxsize=None)
def _font_files() -> tuple[str, ...]:
    """DejaVu Sans, regular, bold, oblique (gradients) and bold oblique, as shipped inside matplotlib."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    names = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
    files = tuple(str(folder / name) for name in names)
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise FileNotFoundError(f"matplotlib's DejaVu Sans font is missing ({missing[0]}): "
                                f"pip install --force-reinstall matplotlib")
    return files


@lru_cache(maxsize=None)
def _covered() -> frozenset[int]:
    """The code points both bundled fonts have a glyph for."""
    from matplotlib.ft2font import FT2Font

    return frozenset(set.intersection(*(set(FT2Font(path).get_charmap()) for path in _font_files())))


def _font_options(frames: Iterable[str]) -> dict:
    """resvg's font options: the bundled fonts, and the system's only if they are needed."""
    needed = {ord(c) for svg in frames for c in set(_NON_ASCII.findall(svg))}
    return {"font_files": list(_font_files()), "skip_system_fonts": not needed or needed <= _covered(),
            "font_family": FONT_FAMILY, "sans_serif_family": FONT_FAMILY}


# -- PNG and GIF ------------------------------------------------------------------------


def _png_renderer():
    try:
        import resvg_py
    except ImportError:
        raise ImportError("PNG and GIF export need resvg-py: pip install resvg-py") from None

    def render(svg: str, px_per_inch: float, fonts: dict) -> bytes:
        # resvg sizes the "pt" width and height of the SVG by dpi (1 pt = 1/72 inch)
        png = bytes(resvg_py.svg_to_bytes(svg_string=svg, dpi=px_per_inch, background="white", **fonts))
        return _with_resolution(png, px_per_inch)

    return render


def _with_resolution(png: bytes, px_per_inch: float) -> bytes:
    """The PNG with its resolution recorded (a pHYs chunk), so slide programs place it
    at the drawing's size in points whatever ``scale`` it was rendered at."""
    head = 8 + 8 + 13 + 4  # signature, then the IHDR chunk (length, type, data, CRC)
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR" or b"pHYs" in png[head:head + 64]:
        return png
    per_metre = round(px_per_inch / 0.0254)
    body = b"pHYs" + per_metre.to_bytes(4, "big") * 2 + b"\x01"
    chunk = (9).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    return png[:head] + chunk + png[head:]


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
        with Image.open(io.BytesIO(render(_with_font(svg), px_per_inch, fonts))) as im:
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


# -- PDF --------------------------------------------------------------------------------


def _pdf_writer():
    """A function from a frame's SVG to the bytes of a one-page vector PDF.

    Frames differ in a few elements only, so each top-level element of the drawing is
    converted by svglib once (alone in a copy of the frame's ``<svg>`` with its
    ``<style>``, so the CSS still applies) and reused by every frame that shows it in
    the same state: the frames of a large graph cost a few elements each, not the
    whole drawing.
    """
    try:
        from lxml import etree
        from reportlab.graphics import renderPDF
        from reportlab.graphics.shapes import Drawing
        from svglib.svglib import svg2rlg
    except ImportError:
        raise ImportError("PDF export needs svglib and reportlab: pip install svglib reportlab") from None
    font_map = _pdf_font_map()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    cache: dict[bytes, list] = {}

    def convert(svg: bytes):
        drawing = svg2rlg(io.BytesIO(svg), font_map=font_map)
        if drawing is None:  # pragma: no cover - svglib logs why
            raise ValueError("svglib could not read a frame's SVG")
        return drawing

    def write(svg: str) -> bytes:
        root = etree.fromstring(svg.encode("utf-8"), parser)
        shared = [el for el in root if isinstance(el.tag, str) and etree.QName(el).localname in ("style", "defs")]
        drawing = None
        for el in root:
            if not isinstance(el.tag, str) or el in shared:
                continue
            key = etree.tostring(el)
            if key not in cache:
                alone = etree.Element(root.tag, root.attrib, nsmap=root.nsmap)
                alone.extend(copy.deepcopy(s) for s in shared)
                alone.append(copy.deepcopy(el))
                one = convert(etree.tostring(alone))
                cache[key] = ((one.width, one.height), list(one.contents))
            size, nodes = cache[key]
            if drawing is None:
                drawing = Drawing(*size)
            for node in nodes:
                drawing.add(node)
        if drawing is None:  # nothing drawn at all
            drawing = convert(etree.tostring(root))
        out = io.BytesIO()
        # invariant: no creation date and a fixed document id, so the same frame gives the same bytes
        renderPDF.drawToFile(drawing, out, showBoundary=0, invariant=1)
        return out.getvalue()

    return write


@lru_cache(maxsize=None)
def _pdf_font_map():
    """svglib's font map with DejaVu Sans embedded (a TrueType font: any text, not just Latin-1)."""
    from svglib.fonts import FontMap

    regular, bold, oblique, bold_oblique = _font_files()
    font_map = FontMap()
    font_map.register_font(FONT_FAMILY, regular, rlgFontName="VizgradDejaVuSans")
    font_map.register_font(FONT_FAMILY, bold, weight="bold", rlgFontName="VizgradDejaVuSans-Bold")
    font_map.register_font(FONT_FAMILY, oblique, style="italic", rlgFontName="VizgradDejaVuSans-Oblique")
    font_map.register_font(FONT_FAMILY, bold_oblique, weight="bold", style="italic",
                           rlgFontName="VizgradDejaVuSans-BoldOblique")
    return font_map
