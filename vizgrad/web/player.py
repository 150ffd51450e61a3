"""A self-contained HTML player for the frames of a trace.

The page holds the one laid-out SVG (with its numbered holes), each step's few
changes, the captions, and the player's script and style, all inline: it makes no
network request and needs no kernel. The same script (:func:`player_script`) runs
the notebook widget, :func:`vizgrad.scrub.scrub`.

    html = player_html(vizgrad.frames(f))      # a whole page, as text
    save_html("pass.html", f)                  # the same, written to a file
    player_fragment(f)                         # a <div> to embed in a page (several per page work)
    save_html("quiz.html", f, quiz=True)       # each backward gradient asked before it is shown

Everyone can use it: every control has a name and works from the keyboard (Tab, the
arrows, Home/End, space for Play; in a quiz, typing a number starts the answer and Enter
checks it); each step is announced in words to screen readers (``Caption.spoken``) and
the drawing is described (:func:`vizgrad.drawing.captions.describe`). With the system setting
``prefers-reduced-motion``, Play shows each step for 2 seconds at least and nothing in
the player animates.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

from ..base.files import write_atomic
from ..drawing.captions import Caption, describe
from ..drawing.captions import captions as make_captions
from ..drawing.frames import Frames
from ..drawing.request import Drawable, as_frames
from ..drawing.texts import clean
from .assets import player_script, static_text
from .quiz import Quiz, live_quiz, quiz_data

# Inline SVG in an HTML page needs no namespace declaration: leaving it out keeps the
# saved page free of any URL at all.
_XMLNS = ' xmlns="http://www.w3.org/2000/svg"'


def script_json(obj: Any) -> str:
    """JSON safe to put inside ``<script>``: no ``</script>``, no ``<!--`` can appear."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def player_svg(frames: Frames, step: int | None = None, hidden: tuple[int, ...] = ()) -> str:
    """The player's drawing: the marked SVG filled at ``step`` (``None``: as it starts),
    with a ``?`` in each of the ``hidden`` holes (a quiz's question at this step)."""
    values = None if step is None else frames.values(step)
    if hidden:
        values = list(frames.initial if values is None else values)
        for h in hidden:
            values[h] = "?"
    return grouped(frames.marked_svg(values).replace(_XMLNS, "", 1))


GROUPED = 1000
"""A drawing of at least this many elements has them grouped (:func:`grouped`)."""


def grouped(svg: str) -> str:
    """``svg`` (one of vizgrad's: one element a line) with its elements, when there are at
    least :data:`GROUPED`, in plain groups of about √n each, in the same order (so drawn the
    same). A browser then updates a changed element's group and the few groups, not every
    element of a flat drawing: a step of a big graph is laid out some 10 times faster."""
    head, sep, rest = svg.partition("\n<g ")
    body, end, tail = rest.rpartition("</svg>")
    if not sep or not end:
        return svg
    lines = ("<g " + body).rstrip("\n").split("\n")
    if len(lines) < GROUPED:
        return svg
    size = math.isqrt(len(lines))
    groups = ("<g>\n" + "\n".join(lines[i:i + size]) + "\n</g>" for i in range(0, len(lines), size))
    return head + "\n" + "\n".join(groups) + "\n" + end + tail


def player_data(frames: Frames, start: int = 0, interval: int = 700,
                captions: list[Caption] | None = None, quiz: Quiz = False,
                live: dict[str, Any] | None = None) -> dict[str, Any]:
    """The player's data: each hole's start, each step's changes, the captions (and each
    in words alone, ``spoken``), where backward begins, the ``quiz`` if one is asked
    for (see :mod:`vizgrad.web.quiz`), and ``live``, the live inputs a saved page recomputes
    by itself (:func:`vizgrad.web.live_data.live_data`), if any."""
    if captions is None:
        captions = make_captions(frames.trace, frames.options.digits)
    if live and "kernel" not in live and quiz:  # the page recomputes its questions too
        asked = live_quiz(frames, quiz)
        live = {**live, "quiz": asked} if asked else live
    data = {
        "n": len(frames),
        "backward": len(frames.trace.nodes),
        "start": start,
        "interval": interval,
        "initial": list(frames.initial),
        "steps": [[[h, v] for h, v in diff] for diff in frames.changes],
        "captions": [[c.text, c.formula] for c in captions],
        "spoken": [c.spoken for c in captions],
        "alt": describe(frames.trace),
        **({"live": live} if live else {}),
    }
    questions = quiz_data(frames, quiz)
    if questions:
        data["quiz"] = questions
    return data


def first_question(frames: Frames, step: int, quiz: Quiz) -> int:
    """``step``, or the first quizzed step if that comes before it (no answer shows unasked)."""
    questions = quiz_data(frames, quiz)
    return min([step] + [q["step"] for q in questions["steps"]]) if questions else step


# How many players with the same content this process has written: the n-th gets its
# own id, and the same calls in the same order give the same ids (e.g. nbconvert --execute).
_seen: Counter[str] = Counter()


def _player_id(content: str, page: bool) -> str:
    """An element id from the player's content: the same in every run, and unique on a
    page (a second identical player in this process gets another id). A whole page holds
    one player: its id depends on its content alone."""
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    n = 0 if page else _seen[digest]
    if not page:
        _seen[digest] += 1
    if n:
        digest = hashlib.sha256(f"{digest}:{n}".encode()).hexdigest()
    return "vgp-" + digest[:16]


def player_fragment(
    frames_or_trace: Drawable,
    *,
    step: int = 0,
    interval: int = 700,
    css: bool = True,
    defer: bool = False,
    quiz: Quiz = False,
    **options: Any,
) -> str:
    """A ``<div>`` with its own style and script: a working player inside any HTML page.

    Element ids come from the content and are unique per call, so several players can
    share a page and the same calls give the same page. The SVG is filled in at
    ``step``, so the drawing shows even where scripts do not run. ``defer``: keep the
    drawing out of layout until the script runs (a large drawing then loads faster; a
    ``<noscript>`` rule shows it where scripts do not run). ``quiz``: ask for the gradients
    of backward steps before showing them (``True``, or a list of steps: :mod:`vizgrad.web.quiz`).
    ``options``: the drawing's (``rankdir``, ``digits``, ``groups``, ``collapse``: see
    :class:`vizgrad.drawing.options.Options`).
    """
    return frames_fragment(as_frames(frames_or_trace, **options), step, interval, css, defer, page=False, quiz=quiz)


def frames_fragment(frames: Frames, step: int, interval: int, css: bool, defer: bool, page: bool,
                    captions: list[Caption] | None = None, quiz: Quiz = False,
                    live: dict[str, Any] | None = None) -> str:
    """The player of ``frames`` as a ``<div>`` (:func:`player_fragment`; ``page``: the one player
    of a whole page), with the given ``captions`` and ``live`` inputs (:func:`player_data`)."""
    step = first_question(frames, min(max(int(step), 0), len(frames) - 1), quiz)
    given = player_data(frames, start=step, interval=int(interval), captions=captions, quiz=quiz, live=live)
    data = script_json(given)
    asked = [q["hide"] for q in (given.get("quiz") or {}).get("steps", []) if q["step"] == step]
    figure = player_svg(frames, step, tuple(asked[0]) if asked else ())
    return _mounted(figure, data, given["alt"], css, page, defer=defer)


def _mounted(figure: str, data: str, alt: str, css: bool, page: bool, defer: bool = False,
             view: bool = False) -> str:
    """The player's ``<div>`` holding ``figure`` (an SVG), its ``data`` (JSON text) and the
    script that mounts it. ``defer``: the drawing is laid out once the script runs; ``view``:
    one drawing without steps (:func:`zoomable_html`)."""
    uid = _player_id(figure + data, page)
    style = f"<style>{static_text('player.css')}</style>\n" if css else ""
    noscript = f"<noscript><style>#{uid} > .vgp-figure {{ display: block; }}</style></noscript>\n" if defer else ""
    cls = "vgp" + (" vgp-defer" if defer else "") + (" vgp-view" if view else "")
    # the focus: on the player (its keys step), or in a view on the drawing (its arrow keys scroll it)
    player_tab, figure_tab = ("", ' tabindex="0"') if view else (' tabindex="0"', "")
    return (
        f'{style}{noscript}<div class="{cls}" id="{uid}"{player_tab}>'
        f'<div class="vgp-figure"{figure_tab} role="img" aria-label="{html.escape(alt)}">{figure}</div></div>\n'
        f'<script type="application/json" id="{uid}-data">{data}</script>\n'
        f'<script type="module">\n{player_script()}\nmountStatic("{uid}");\n</script>\n'
    )


def zoomable_html(svg: str, alt: str) -> str:
    """One drawing (an SVG of vizgrad's) that can be zoomed and panned, as an HTML fragment
    with its own style and script: the player without its steps. Wheel with ctrl (or a
    pinch) zooms around the pointer, dragging pans, the keys ``+`` ``-`` ``0`` and the
    buttons zoom and fit, and an overview shows where the view is. Where scripts do not
    run it is the drawing, as wide as the page at most. ``alt``: the drawing in words."""
    data = script_json({"view": True, "steps": [[]], "initial": [], "captions": [["", ""]], "alt": alt})
    return _mounted(svg.replace(_XMLNS, "", 1), data, alt, css=True, page=False, view=True)


def player_html(
    frames_or_trace: Drawable,
    *,
    title: str | None = None,
    step: int = 0,
    interval: int = 700,
    quiz: Quiz = False,
    **options: Any,
) -> str:
    """One self-contained HTML page: the graph, the step slider, buttons, keys, Play, captions.

    Everything is inline (no network request, no kernel): open it from disk, mail it,
    put it on a slide. ``frames_or_trace`` is a :class:`~vizgrad.drawing.frames.Frames`, a
    trace, or the output of a graph (laid out here, with the drawing ``options``).
    The same input gives the same page, byte for byte. ``quiz``: see :func:`player_fragment`.
    """
    return frames_page(as_frames(frames_or_trace, **options), title, step, interval, quiz=quiz)


def frames_page(frames: Frames, title: str | None, step: int, interval: int,
                captions: list[Caption] | None = None, quiz: Quiz = False,
                live: dict[str, Any] | None = None) -> str:
    """The player of ``frames`` as a whole page (:func:`player_html`)."""
    if title is None:
        out = frames.trace.output
        title = f"vizgrad: {' '.join(clean(out.name))}" if out.name else "vizgrad"
    body = frames_fragment(frames, step, interval, css=True, defer=True, page=True, captions=captions, quiz=quiz,
                     live=live)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>html{background:#f3f4f6}body{margin:0;padding:24px;}"
        "main{max-width:1200px;margin:0 auto;}"
        "h1{font:600 20px system-ui,-apple-system,'Segoe UI',Roboto,Arial,'DejaVu Sans',sans-serif;"
        "color:#1f2328;margin:0 0 12px}</style>\n"
        f"</head>\n<body>\n<main>\n<h1>{html.escape(title)}</h1>\n{body}</main>\n</body>\n</html>\n"
    )


def save_html(path: str | Path, frames_or_trace: Drawable, *, title: str | None = None, step: int = 0,
              interval: int = 700, quiz: Quiz = False, **options: Any) -> Path:
    """Write :func:`player_html` to ``path`` (UTF-8, all at once); return the path."""
    return write_atomic(path, player_html(frames_or_trace, title=title, step=step, interval=interval,
                                          quiz=quiz, **options))
