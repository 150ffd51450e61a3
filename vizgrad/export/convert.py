"""An SVG drawing as a PNG or a vector PDF, from wheels alone (resvg, svglib and reportlab).

The WebAssembly Graphviz writes SVG only: this is how a drawing becomes a picture with
no Graphviz program installed. Text is set in DejaVu Sans (shipped inside matplotlib),
the font the layout measured, so every text fits on every machine. Used by
:mod:`vizgrad.export` for frames and by drawings (``vg.draw(...).pipe("png")``).
"""

from __future__ import annotations

import copy
import io
import math
import re
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Iterable

DPI = 96.0  # pixels per inch at scale 1: a PNG frame the size the SVG shows at in a browser
FONT_FAMILY = "DejaVu Sans"
_FONT_RULE = f'\n.vg text {{ font-family: "{FONT_FAMILY}", sans-serif; }}\n'
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def convert_svg(svg: str, format: str, dpi: float = DPI) -> bytes:
    """An SVG (a frame, or Graphviz's own) as PNG or PDF bytes, frames' text set in DejaVu Sans.

    This is how a drawing becomes a picture with no Graphviz program installed:
    the WebAssembly Graphviz writes SVG only.
    """
    svg = with_font(svg)
    if format == "png":
        return png_renderer()(svg, positive("dpi", dpi), font_options([svg]))
    if format == "pdf":
        return pdf_writer()(svg)
    raise ValueError(f"convert_svg makes 'png' or 'pdf', not {format!r}")


def picture(svg: str, format: str = "svg") -> bytes:
    """An SVG (a frame, or Graphviz's own) as the bytes of an SVG, PNG or PDF file."""
    fmt = format.lower() if isinstance(format, str) else format
    if fmt == "svg":
        return svg.encode("utf-8")
    if fmt not in ("png", "pdf"):
        raise ValueError(f"a picture is 'svg', 'png' or 'pdf', not {format!r}")
    return convert_svg(svg, fmt)


def positive(name: str, value: float) -> float:
    """``value`` as a float, if it is a positive finite number; else a one-line ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


# -- fonts ------------------------------------------------------------------------------


def with_font(svg: str) -> str:
    """The frame with every text set in :data:`FONT_FAMILY`."""
    head, sep, tail = svg.partition("</style>")
    return head + _FONT_RULE + sep + tail if sep else svg


@lru_cache(maxsize=None)
def font_files() -> tuple[str, ...]:
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

    return frozenset(set.intersection(*(set(FT2Font(path).get_charmap()) for path in font_files())))


def font_options(frames: Iterable[str]) -> dict:
    """resvg's font options: the bundled fonts, and the system's only if they are needed."""
    needed = {ord(c) for svg in frames for c in set(_NON_ASCII.findall(svg))}
    return {"font_files": list(font_files()), "skip_system_fonts": not needed or needed <= _covered(),
            "font_family": FONT_FAMILY, "sans_serif_family": FONT_FAMILY}


# -- PNG ---------------------------------------------------------------------------------


def png_renderer():
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


# -- PDF --------------------------------------------------------------------------------


def pdf_writer():
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

    regular, bold, oblique, bold_oblique = font_files()
    font_map = FontMap()
    font_map.register_font(FONT_FAMILY, regular, rlgFontName="VizgradDejaVuSans")
    font_map.register_font(FONT_FAMILY, bold, weight="bold", rlgFontName="VizgradDejaVuSans-Bold")
    font_map.register_font(FONT_FAMILY, oblique, style="italic", rlgFontName="VizgradDejaVuSans-Oblique")
    font_map.register_font(FONT_FAMILY, bold_oblique, weight="bold", style="italic",
                           rlgFontName="VizgradDejaVuSans-BoldOblique")
    return font_map
