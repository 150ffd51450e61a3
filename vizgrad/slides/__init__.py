"""A notebook as one self-contained reveal.js slide deck that needs no network.

    python -m vizgrad.slides notebooks/01_computational_graphs.ipynb --execute

writes ``notebooks/01_computational_graphs.slides.html``: one HTML file holding
reveal.js (vendored from npm, ``vizgrad/web/static/vendor/reveal``), its theme, the
slides, the math (typeset as MathML when the deck is built), the images (as
``data:`` URLs) and every scrubber as a self-contained player. Opened from disk
with the network cut it works as it does online: it loads nothing.

A slide is 1280 x 720 CSS pixels, scaled to the screen by reveal.js; a player or a
picture takes the height the rest of the slide leaves (``static/deck.css``), and a
slide with more content than fits is scaled down when first shown.

Keys: the arrow keys, space and Page Up/Down move through the slides and their
fragments. While a player has the focus (click it) the keys are the player's:
←/→ step, Home/End, space plays; Escape or a click outside it gives them back.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from ..base.files import write_atomic
from ..web.assets import static_text
from .cells import CellRenderer, deck_body, pygments_css, structure, text_of
from .texmath import MathError, markdown_html, split_math, to_mathml

__all__ = ["SlidesError", "MathError", "DEFAULT_TIMEOUT", "build_deck", "deck_html", "default_output",
           "markdown_html", "split_math", "timeout_seconds", "to_mathml", "REVEAL_VERSION"]

REVEAL_VERSION = "6.0.2"  # vizgrad/web/static/vendor/reveal (scripts/vendor_reveal.sh)

# reveal.js settings: a 16:9 slide of 1280 x 720 CSS pixels, scaled to fit the screen
REVEAL_CONFIG: dict[str, Any] = {
    "width": 1280, "height": 720, "margin": 0.03, "center": False, "hash": True,
    "navigationMode": "linear", "controlsLayout": "edges", "slideNumber": "c/t",
    "transition": "slide", "transitionSpeed": "fast",
}

# The keys belong to a player while it has the focus: reveal.js leaves them alone then,
# and Escape hands them back to the slides. A slide whose content is taller than the
# slide is laid out larger and scaled down to fit (down to FIT_MIN; below that it scrolls),
# once, when it is first shown: a player's controls stay on the screen.
FIT_MIN = 0.55
_DECK_SCRIPT = """
(function () {
  var inPlayer = function (e) { return e.target instanceof Element && !!e.target.closest('.vgp'); };
  var fit = function (section) {
    var box = section && section.querySelector(':scope > .vg-slide');
    if (!box || box.dataset.fit) return;
    var k = 1;
    while (box.scrollHeight > box.clientHeight + 1 && k > %(min)s) {
      k = Math.max(%(min)s, Math.round((k - 0.05) * 100) / 100);
      box.style.width = (100 / k) + '%%';
      box.style.height = 'calc(var(--vg-slide-height) / ' + k + ')';
      box.style.transform = 'scale(' + k + ')';
    }
    box.dataset.fit = String(k);
  };
  var config = %(config)s;
  config.plugins = [RevealNotes];
  config.keyboardCondition = function (e) { return !inPlayer(e); };
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && inPlayer(e)) { e.target.blur(); }
  });
  Reveal.on('slidechanged', function (e) { fit(e.currentSlide); });
  Reveal.initialize(config).then(function () {
    return document.fonts.ready;
  }).then(function () {
    fit(Reveal.getCurrentSlide());
    document.documentElement.dataset.vgReady = '1';
  });
})();
"""


class SlidesError(Exception):
    """A deck cannot be built; the message says why and what to do."""


@lru_cache(maxsize=None)
def vendor_text(name: str) -> str:
    """A vendored reveal.js file (``reveal.js``, ``reveal.css``, ``white.css``, ``notes.js``)."""
    return static_text("vendor", "reveal", name)


def _inline(tag: str, text: str) -> str:
    """``text`` inside ``<tag>…</tag>``; refuses text that would end the element early."""
    if re.search(f"</{tag}", text, re.I):
        raise RuntimeError(f"vizgrad.slides: an inlined file contains </{tag}; it cannot go in the page as is")
    return f"<{tag}>\n{text}\n</{tag}>"


def _title(cells: list[dict], fallback: str) -> str:
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            m = re.search(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", text_of(cell.get("source")), re.M)
            if m:
                return re.sub(r"[*_`$\\]", "", m.group(1))
    return fallback


_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=)(["\'])(.*?)\2', re.I | re.S)
_REMOTE = re.compile(r'<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?'
                     r'\s(?:src|href|data)=["\']?((?:https?:)?//[^"\'\s>]+)', re.I)


# What the first bytes of each image type the deck inlines are (a file named .png must be a PNG)
_SVG_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:(?:<\?xml[^>]*>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)\s*)*"
                        rb"<svg[\s>/]", re.S | re.I)
_SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "image/png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda b: b[:6] in (b"GIF87a", b"GIF89a"),
    "image/webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
    "image/avif": lambda b: b[4:12] in (b"ftypavif", b"ftypavis"),
    "image/bmp": lambda b: b[:2] == b"BM",
    "image/vnd.microsoft.icon": lambda b: b[:4] == b"\x00\x00\x01\x00",
    "image/svg+xml": lambda b: _SVG_START.match(b) is not None,
}


def _image_file(src: str, folder: Path) -> tuple[str, bytes] | str:
    """The type and bytes of the image file ``src`` names, or why it is not put in the deck.

    Only an image file inside ``folder`` (symlinks resolved, no ``..`` out of it) whose
    bytes are of the type its name says.
    """
    import mimetypes
    from urllib.parse import unquote

    home = folder.resolve()
    try:
        path = (home / unquote(html.unescape(src))).resolve()
        if not path.is_relative_to(home):
            return "is outside the notebook's folder"
        if not path.is_file():
            return "not found beside the notebook: it will not show"
    except (OSError, RuntimeError, ValueError):  # a name too long, a symlink loop, a NUL
        return "not found beside the notebook: it will not show"
    mime, encoding = mimetypes.guess_type(path.name)
    if not mime or not mime.startswith("image/") or encoding:
        return f"is not an image file ({mime or 'unknown type'})"
    sniff = _SIGNATURES.get(mime)
    if sniff is None:
        return f"is a {mime} image, which a deck does not inline"
    try:
        data = path.read_bytes()
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"
    if not sniff(data):
        return f"is named as an image ({mime}) but its bytes are not one"
    return mime, data


def _local_images(body: str, folder: Path | None, warn: Callable[[str], None]) -> str:
    """Image files given by a path inside the notebook's folder, put in the page as ``data:`` URLs.

    Anything else (a file outside the folder, not an image, not what its name says) is
    left as written, not embedded, with a warning.
    """
    import base64

    def inline(m: re.Match) -> str:
        src = m.group(3)
        if folder is None or re.match(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", src, re.I):
            return m.group(0)
        found = _image_file(src, folder)
        if isinstance(found, str):
            tail = "" if found.endswith("will not show") else ": not put in the deck (left as written)"
            warn(f"image {src!r} {found}{tail}")
            return m.group(0)
        mime, data = found
        return f"{m.group(1)}{m.group(2)}data:{mime};base64,{base64.b64encode(data).decode('ascii')}{m.group(2)}"

    return _IMG_SRC.sub(inline, body)


def _upgraded(nb: dict, name: str) -> dict:
    """A notebook of nbformat 1-3 as nbformat 4 (nbformat converts it); others as they are."""
    version = nb.get("nbformat")
    if not isinstance(version, int) or version >= 4:
        return nb
    try:
        import nbformat
    except ImportError:
        raise SlidesError(f"{name} is a version {version} notebook: to upgrade it to version 4, install nbformat "
                          "(pip install -e \".[lab]\"), or open it in Jupyter and save it") from None
    try:
        return nbformat.reads(json.dumps(nb), as_version=4)
    except Exception as e:  # nbformat's errors for a notebook it cannot upgrade
        raise SlidesError(f"{name}: nbformat cannot upgrade it from version {version}: "
                          f"{type(e).__name__}: {e}") from None


def deck_html(
    notebook: dict,
    *,
    no_input: bool = False,
    title: str | None = None,
    folder: str | Path | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> str:
    """The deck of a notebook (its JSON as a dict), as the text of one HTML page.

    ``no_input`` hides the code; ``folder`` is where the notebook's relative image paths
    point; ``warn(message)`` hears about what does not show as written (a formula that
    cannot be typeset, a missing image, something that would load from the network).
    """
    cells = _upgraded(notebook, "this notebook").get("cells")
    if not isinstance(cells, list):
        raise SlidesError("not a notebook: it has no list of cells")
    render = CellRenderer(no_input=no_input, warn=warn)
    body = deck_body(structure(cells, render, render.room))
    body = _local_images(body, Path(folder) if folder is not None else None, warn)
    for url in sorted(set(_REMOTE.findall(body))):
        warn(f"an output loads {url} from the network: it will not show offline")
    title = title or _title(cells, "vizgrad slides")
    styles = "\n".join(_inline("style", s) for s in (
        vendor_text("reveal.css"), vendor_text("white.css"), pygments_css(), static_text("deck.css")))
    config = json.dumps(REVEAL_CONFIG, separators=(",", ":"))
    scripts = "\n".join((_inline("script", vendor_text("reveal.js")), _inline("script", vendor_text("notes.js")),
                         _inline("script", _DECK_SCRIPT % {"config": config, "min": FIT_MIN})))
    esc = title.replace("&", "&amp;").replace("<", "&lt;")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="vizgrad.slides (reveal.js {REVEAL_VERSION})">\n'
        f"<title>{esc}</title>\n{styles}\n</head>\n<body>\n"
        f'<div class="reveal"><div class="slides">\n{body}\n</div></div>\n{scripts}\n</body>\n</html>\n'
    )


def default_output(notebook: str | Path) -> Path:
    """Where a notebook's deck goes by default: beside it, ``NAME.slides.html``."""
    p = Path(notebook)
    return p.with_name(p.stem + ".slides.html")


def read_notebook(path: Path) -> dict:
    """A notebook's JSON (a clear :class:`SlidesError` if it is missing or not a notebook)."""
    if not path.is_file():
        raise SlidesError(f"no such notebook: {path}")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SlidesError(f"{path} is not a notebook (not JSON: {e})") from None
    if isinstance(nb, dict):
        nb = _upgraded(nb, str(path))
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SlidesError(f"{path} is not a notebook (no list of cells)")
    return nb


DEFAULT_TIMEOUT = 60.0  # seconds a cell may run under --execute
_TIMED_OUT = "vizgrad.slides: the cell timed out"


def timeout_seconds(text: str) -> float:
    """``--timeout``'s value: a number of seconds above 0 (else argparse's usage error)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text}")
    return value


def _first_line(cell: dict, width: int = 60) -> str:
    line = next((x.strip() for x in text_of(cell.get("source")).splitlines() if x.strip()), "")
    return line if len(line) <= width else line[:width - 1] + "…"


def execute_notebook(path: Path, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """The notebook run top to bottom (kernel python3, in its own folder); nothing is written.

    A cell that runs longer than ``timeout`` seconds stops it (a :class:`SlidesError` naming the cell).
    """
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError:
        raise SlidesError("--execute needs nbclient, nbformat and ipykernel: pip install -e \".[lab]\"") from None
    read_notebook(path)
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as e:  # nbformat's errors for a notebook it cannot upgrade or validate
        raise SlidesError(f"{path}: nbformat cannot read it: {type(e).__name__}: {e}") from None
    running: list[int] = []  # the cells started, the last one running
    # a cell over time is interrupted (the kernel then shuts down cleanly) and fails as _TIMED_OUT
    client = NotebookClient(nb, kernel_name="python3", timeout=math.ceil(timeout), interrupt_on_timeout=True,
                            error_on_timeout={"ename": _TIMED_OUT, "evalue": "", "traceback": []},
                            on_cell_execute=lambda cell, cell_index: running.append(cell_index),
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    try:
        client.execute()
    except CellExecutionError as e:
        if e.ename == _TIMED_OUT and running:
            raise SlidesError(f"{path}: cell {running[-1] + 1} (`{_first_line(nb.cells[running[-1]])}`) timed out "
                              f"after {timeout:g} s (give it longer with --timeout SECONDS)") from None
        where = next((i + 1 for i, c in enumerate(nb.cells)
                      if any(o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
        raise SlidesError(f"{path}: cell {where} failed: {e.ename}: {e.evalue} "
                          "(fix the notebook, or build from its saved outputs without --execute)") from None
    except Exception as e:  # no python3 kernel, a kernel that died
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise SlidesError(f"{path}: running it failed: {type(e).__name__}: {first}") from None
    return nb


def build_deck(
    notebook: str | Path,
    output: str | Path | None = None,
    *,
    execute: bool = False,
    no_input: bool = False,
    warn: Callable[[str], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Path:
    """Write the deck of ``notebook`` (default: beside it, ``NAME.slides.html``); return its path.

    ``execute`` runs the notebook first, each cell for at most ``timeout`` seconds (its
    outputs then come from this run; the notebook file is not changed). The deck is
    written atomically.
    """
    path = Path(notebook)
    if not (math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout must be a number of seconds above 0, not {timeout!r}")
    if warn is None:
        def warn(message: str) -> None:
            print(f"vizgrad.slides: warning: {message}", file=sys.stderr)
    try:
        import mistune  # noqa: F401
    except ImportError:
        raise SlidesError("building a deck needs mistune: pip install -e \".[lab]\"") from None
    out = Path(output) if output is not None else default_output(path)
    if not out.parent.is_dir():
        raise SlidesError(f"cannot write {out}: the folder {out.parent} does not exist")
    nb = execute_notebook(path, timeout) if execute else read_notebook(path)
    code = [c for c in nb["cells"] if c.get("cell_type") == "code" and text_of(c.get("source")).strip()]
    if not execute and code and not any(c.get("outputs") for c in code):
        warn("the notebook has no saved outputs, so the deck shows no pictures or players: "
             "build it with --execute to run the notebook first")
    page = deck_html(nb, no_input=no_input, folder=path.parent, warn=warn)
    try:
        return write_atomic(out, page)
    except OSError as e:
        raise SlidesError(f"cannot write {out}: {e.strerror or e}") from None
