"""Notebook cells to slide HTML: markdown, code, outputs, and the slide structure.

The structure follows each cell's ``metadata.slideshow.slide_type`` as RISE and
nbconvert read it: "slide" starts a slide, "subslide" a slide below it (a vertical
stack), "fragment" a step revealed on the same slide (the "-" cells after it join
it), "notes" goes to the speaker notes, "skip" is left out, "-" (or none) continues.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..web.nbconvert import WIDGET_VIEW
from .readable import SLIDE_HEIGHT, estimated_height, fits, readable_scale, room_needed
from .texmath import markdown_html

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_SVG_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)
_VIEW = re.compile(r'"view":\s*true')  # a player's data: a drawing without steps (no caption, no controls)


def text_of(value: Any) -> str:
    """A notebook string field (a string or a list of lines) as one string."""
    return "".join(value) if isinstance(value, list) else str(value or "")


def slide_type(cell: dict) -> str:
    return ((cell.get("metadata") or {}).get("slideshow") or {}).get("slide_type") or "-"


@dataclass
class Slide:
    """One slide: its blocks (HTML; a fragment is a list of blocks) and speaker notes."""

    blocks: list[str | list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def html(self) -> str:
        parts = []
        for b in self.blocks:
            if isinstance(b, list):
                grow = " vg-grow" if any("vg-grow" in x for x in b) else ""
                parts.append(f'<div class="fragment vg-fragment{grow}">{"".join(b)}</div>')
            else:
                parts.append(b)
        notes = f'<aside class="notes">{"".join(self.notes)}</aside>' if self.notes else ""
        return f'<section><div class="vg-slide">{"".join(parts)}</div>{notes}</section>'


def structure(cells: list[dict], render: Callable[[int, dict], str],
              room: Callable[[int], tuple[float, float] | None] = lambda i: None) -> list[list[Slide]]:
    """Stacks of slides (each stack: a slide and its subslides) from the cells.

    ``render(index, cell)`` gives a cell's HTML ("" shows nothing); ``room(index)`` the size
    its drawing needs for its numbers to be read (:func:`vizgrad.slides.readable.room_needed`).
    A drawing that would get less than that beside the rest of its slide (by an estimate
    of how tall each cell shows) starts a slide of its own, below the one it was on, and
    what follows it on that slide goes on the next.
    """
    bodies = {i: render(i, c) for i, c in enumerate(cells) if slide_type(c) != "skip"}
    tall = {i: estimated_height(c, text_of(c.get("source")), room(i)) for i, c in enumerate(cells)
            if bodies.get(i) and slide_type(c) in ("-", "fragment", "slide", "subslide")}
    stacks: list[list[Slide]] = []
    fragment: list[str] | None = None
    used, alone = 0.0, False  # the current slide: how tall it is so far; whether it is full
    for i, cell in enumerate(cells):
        kind = slide_type(cell)
        body = bodies.get(i)
        if kind == "skip":
            continue
        drawing = room(i) if body and kind in ("-", "fragment") else None
        if kind == "slide" or not stacks:
            stacks.append([Slide()])
            fragment, used, alone = None, 0.0, False
        elif kind == "subslide" or (body and kind in ("-", "fragment") and (
                alone or (drawing and stacks[-1][-1].blocks and used + tall[i] > SLIDE_HEIGHT))):
            stacks[-1].append(Slide())
            fragment, used, alone = None, 0.0, False
            kind = "-" if kind == "fragment" else kind  # the first thing on its new slide shows with it
        slide = stacks[-1][-1]
        if not body:
            continue
        if kind == "notes":
            slide.notes.append(body)
            continue
        if kind == "fragment":
            fragment = [body]
            slide.blocks.append(fragment)
        elif fragment is not None and kind == "-":
            fragment.append(body)
        else:
            slide.blocks.append(body)
        used += tall.get(i, 0.0)
        if drawing:  # what follows goes on the next slide if the drawing would then be squeezed
            alone = used + _rest_of_slide(cells, i, tall) > SLIDE_HEIGHT
    return stacks


def _rest_of_slide(cells: list[dict], i: int, tall: dict[int, float]) -> float:
    """How tall the cells after ``i`` on its slide show, by estimate."""
    rest = 0.0
    for j in range(i + 1, len(cells)):
        if slide_type(cells[j]) in ("slide", "subslide"):
            break
        rest += tall.get(j, 0.0)
    return rest


def deck_body(stacks: list[list[Slide]]) -> str:
    """The ``<section>`` elements of reveal.js: a stack of several slides nests them."""
    out = []
    for stack in stacks:
        if len(stack) == 1:
            out.append(stack[0].html())
        else:
            out.append("<section>" + "".join(s.html() for s in stack) + "</section>")
    return "\n".join(out)


# -- one cell -------------------------------------------------------------------------------------


class CellRenderer:
    """Renders cells; ``warn(message)`` hears about what could not be shown as written."""

    def __init__(self, *, no_input: bool = False, warn: Callable[[str], None] = lambda m: None) -> None:
        self.no_input = no_input
        self.warn = warn
        self.highlight = _highlighter()
        self.rooms: dict[int, tuple[float, float]] = {}  # by cell: the size its drawing needs on a slide

    def room(self, index: int) -> tuple[float, float] | None:
        """The size the drawing of cell ``index`` (rendered already) needs to be read."""
        return self.rooms.get(index)

    def __call__(self, index: int, cell: dict) -> str:
        kind = cell.get("cell_type")
        if kind == "markdown":
            src = _attachments(text_of(cell.get("source")), cell.get("attachments") or {})
            body = markdown_html(src, on_error=lambda e: self.warn(f"cell {index + 1}: {e}"))
            return f'<div class="vg-md">{body}</div>'
        if kind == "raw":
            return ""
        if kind != "code":
            return ""
        parts = []
        source = text_of(cell.get("source"))
        if not self.no_input and source.strip():
            parts.append(f'<pre class="vg-code"><code>{self.highlight(source)}</code></pre>')
        outputs = cell.get("outputs") or []
        rooms = [_room_of(o) for o in outputs]
        outs = [self.output(index, cell, o, r) for o, r in zip(outputs, rooms, strict=True)]
        needs = [r for r in rooms if r]
        if needs:
            self.rooms[index] = (max(w for w, _ in needs), sum(h for _, h in needs))
        parts += [o for o in outs if o]
        if not parts:
            return ""
        grow = " vg-grow" if any("vg-grow" in p for p in parts) else ""
        return f'<div class="vg-cell{grow}">{"".join(parts)}</div>'

    def output(self, index: int, cell: dict, out: dict, room: tuple[float, float] | None = None) -> str:
        """One output as HTML: a player, an image (with alt text), HTML, text or an error;
        ``room``: the size its drawing needs on a slide (:func:`_room_of`)."""
        kind = out.get("output_type")
        if kind == "stream":
            name = "vg-stderr" if out.get("name") == "stderr" else "vg-stdout"
            return f'<pre class="vg-out {name}">{_plain(text_of(out.get("text")))}</pre>'
        if kind == "error":
            tb = "\n".join(out.get("traceback") or []) or f"{out.get('ename')}: {out.get('evalue')}"
            return f'<pre class="vg-out vg-error">{_plain(tb)}</pre>'
        data = out.get("data") or {}
        meta = out.get("metadata") or {}
        if (meta.get("vizgrad") or {}).get("player") and "text/html" in data:
            # a scrubber: its self-contained player, not the widget view (that needs a kernel)
            markup = text_of(data["text/html"])
            zoom = readable_scale(markup) if room and not fits(room) else None
            # a drawing too big to read even on a slide of its own opens zoomed in (zoom.js)
            readable = f' data-vg-readable="{zoom}"' if zoom else ""
            return f'<div class="vg-out vg-player vg-grow"{readable}>{markup}</div>'
        if "image/svg+xml" in data or "image/png" in data or "image/jpeg" in data:
            return self.image(index, cell, data, meta)
        if "text/html" in data:
            return f'<div class="vg-out vg-html">{text_of(data["text/html"])}</div>'
        if "text/markdown" in data:
            md = markdown_html(text_of(data["text/markdown"]), on_error=lambda e: self.warn(f"cell {index + 1}: {e}"))
            return f'<div class="vg-out vg-md">{md}</div>'
        if "text/latex" in data:
            return f'<div class="vg-out vg-md">{markdown_html(text_of(data["text/latex"]))}</div>'
        if "text/plain" in data:
            return f'<pre class="vg-out">{_plain(text_of(data["text/plain"]))}</pre>'
        if WIDGET_VIEW in data:
            self.warn(f"cell {index + 1}: a widget without a static view is left out (it needs a kernel)")
        return ""

    def image(self, index: int, cell: dict, data: dict, meta: dict) -> str:
        mime = next(m for m in ("image/svg+xml", "image/png", "image/jpeg") if m in data)
        raw = text_of(data[mime])
        alt = _alt_text(index, cell, meta, mime, raw)
        if mime == "image/svg+xml":
            payload = base64.b64encode(raw.encode("utf-8")).decode("ascii")
        else:
            payload = "".join(raw.split())  # already base64
        return (f'<div class="vg-out vg-image vg-grow"><img src="data:{mime};base64,{payload}" '
                f'alt="{html.escape(alt, quote=True)}"></div>')


def _room_of(out: dict) -> tuple[float, float] | None:
    """The size a drawing in an output needs on a slide (:func:`room_needed`), or ``None``."""
    data = out.get("data") or {}
    if ((out.get("metadata") or {}).get("vizgrad") or {}).get("player") and "text/html" in data:
        markup = text_of(data["text/html"])
        return room_needed(markup, player=not _VIEW.search(markup), live='"live":' in markup)
    if "image/svg+xml" in data:
        return room_needed(text_of(data["image/svg+xml"]))
    return None


def _alt_text(index: int, cell: dict, meta: dict, mime: str, raw: str) -> str:
    """An image's alt text: from the output's or cell's metadata, the SVG's title, or its cell."""
    cmeta = cell.get("metadata") or {}
    for where in ((meta.get(mime) or {}), meta, cmeta):
        for key in ("alt", "alt_text", "alt-text"):
            if isinstance(where.get(key), str) and where[key].strip():
                return where[key].strip()
    if mime == "image/svg+xml" and (m := _SVG_TITLE.search(raw)):
        title = html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
        if title and not title.startswith("%"):  # Graphviz names an unnamed graph %3
            return title
    n = cell.get("execution_count")
    return f"Output of cell {n if n else index + 1}"


def _plain(text: str) -> str:
    return html.escape(_ANSI.sub("", text))


def _attachments(source: str, attachments: dict) -> str:
    """``attachment:name`` images of a markdown cell as ``data:`` URLs."""
    def url(m: re.Match) -> str:
        name = m.group(1)
        bundle = attachments.get(name) or {}
        for mime, payload in bundle.items():
            return "data:" + mime + ";base64," + "".join(text_of(payload).split())
        return m.group(0)

    return re.sub(r"attachment:([^\s)\"']+)", url, source)


def _highlighter() -> Callable[[str], str]:
    """Python source as highlighted HTML (pygments, if installed), else escaped."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:  # pragma: no cover - pygments comes with IPython
        return html.escape
    lexer, fmt = PythonLexer(), HtmlFormatter(nowrap=True)
    return lambda src: highlight(src, lexer, fmt).rstrip("\n")


def pygments_css() -> str:
    """The highlighting colours, scoped to the deck's code blocks ("" without pygments)."""
    try:
        from pygments.formatters import HtmlFormatter
    except ImportError:  # pragma: no cover
        return ""
    return HtmlFormatter(style="default").get_style_defs(".vg-code")
