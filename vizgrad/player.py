"""A self-contained HTML player for the frames of a trace.

The page holds the one laid-out SVG (with its numbered holes), each step's few
changes, the captions, and the player's script and style, all inline: it makes no
network request and needs no kernel. The same script (``static/player.js``) runs
the notebook widget, :func:`vizgrad.scrub.scrub`.

    html = player_html(vizgrad.frames(f))      # a whole page, as text
    save_html("pass.html", f)                  # the same, written to a file
    player_fragment(f)                         # a <div> to embed in a page (several per page work)
"""

from __future__ import annotations

import html
import json
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from .captions import Caption, captions as make_captions
from .frames import Frames
from .scene import clean
from .tensor import Tensor
from .trace import Trace
from .value import Value

# Inline SVG in an HTML page needs no namespace declaration: leaving it out keeps the
# saved page free of any URL at all.
_XMLNS = ' xmlns="http://www.w3.org/2000/svg"'


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """The text of one of vizgrad's static assets (``player.js``, ``player.css``)."""
    return resources.files("vizgrad").joinpath("static", name).read_text(encoding="utf-8")


def script_json(obj: Any) -> str:
    """JSON safe to put inside ``<script>``: no ``</script>``, no ``<!--`` can appear."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


@dataclass
class Replay:
    """What a player shows: one layout (``frames``) and the steps of ``trace`` on it.

    ``changes`` is per step the (hole, value) pairs that differ from the step before,
    as in :attr:`Frames.changes`; by default the frames' own. A widget with live
    inputs keeps the layout and swaps in the changes of a recomputed trace.
    """

    frames: Frames
    trace: Trace | None = None
    changes: Sequence[Sequence[tuple[int, str]]] | None = None
    captions: list[Caption] | None = None
    _marked: tuple[str, ...] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.trace is None:
            self.trace = self.frames.trace
        if self.changes is None:
            self.changes = self.frames.changes
        if self.captions is None:
            self.captions = make_captions(self.trace, self.frames.scene.digits)

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def backward_start(self) -> int:
        """The index of the first backward step."""
        return len(self.trace.nodes)

    def values(self, k: int) -> list[str]:
        """Every hole's content after step ``k``."""
        n = len(self.changes)
        if not isinstance(k, int) or not -n <= k < n:
            raise IndexError(f"step {k!r} does not exist: there are {n} steps (0 to {n - 1})")
        values = list(self.frames.initial)
        for diff in self.changes[: k % n + 1]:
            for hole, value in diff:
                values[hole] = value
        return values

    def svg(self, k: int) -> str:
        """The SVG of step ``k`` (as :meth:`Frames.svg` draws it)."""
        return self.frames.template.fill(self.values(k))

    def marked_svg(self, values: list[str] | None = None) -> str:
        """The SVG with every hole marked ``data-h``, filled with ``values`` (default: initial)."""
        parts = self._marked_parts()
        values = list(self.frames.initial) if values is None else values
        out = [parts[0]]
        for value, part in zip(values, parts[1:]):
            out.append(value)
            out.append(part)
        return "".join(out).replace(_XMLNS, "", 1)

    def _marked_parts(self) -> tuple[str, ...]:
        # Mirrors Frames.to_json's marking, so that the page can show any step
        # before its script runs; checked against to_json itself.
        if self._marked is None:
            template = self.frames.template
            parts = list(template.parts)
            marked = [parts[0]]
            for i, (hole, part) in enumerate(zip(template.holes, parts[1:])):
                if hole.kind == "text":
                    marked[-1] = marked[-1][:-1] + f' data-h="{i}">'
                else:
                    head, sep, tail = marked[-1].rpartition("<g ")
                    marked[-1] = f'{head}{sep}data-h="{i}" {tail}'
                marked.append(part)
            filled = [marked[0]]
            for value, part in zip(self.frames.initial, marked[1:]):
                filled.append(value)
                filled.append(part)
            if "".join(filled) != self.frames.to_json()["svg"]:  # pragma: no cover - format drift
                raise RuntimeError("vizgrad.player: the frames' marked SVG format changed")
            self._marked = tuple(marked)
        return self._marked

    def data(self, start: int = 0, interval: int = 700) -> dict[str, Any]:
        """The player's data: each step's changes, the captions, where backward begins."""
        return {
            "n": len(self.changes),
            "backward": self.backward_start,
            "start": start,
            "interval": interval,
            "initial": list(self.frames.initial),
            "steps": [[[h, v] for h, v in diff] for diff in self.changes],
            "captions": [[c.text, c.formula] for c in self.captions],
        }


def as_replay(obj: Frames | Trace | Value | Tensor | Replay, rankdir: str = "LR", digits: int = 3) -> Replay:
    """A :class:`Replay` of frames, a trace, or a graph's output (laid out here)."""
    if isinstance(obj, Replay):
        return obj
    if isinstance(obj, Frames):
        return Replay(obj)
    return Replay(Frames(obj, rankdir, digits))


def player_fragment(
    frames_or_trace: Frames | Trace | Value | Tensor | Replay,
    *,
    step: int = 0,
    interval: int = 700,
    rankdir: str = "LR",
    digits: int = 3,
    css: bool = True,
    defer: bool = False,
) -> str:
    """A ``<div>`` with its own style and script: a working player inside any HTML page.

    Element ids are unique per call, so several players can share a page. The SVG is
    filled in at ``step``, so the drawing shows even where scripts do not run.
    ``defer``: keep the drawing out of layout until the script runs (a large drawing
    then loads faster; a ``<noscript>`` rule shows it where scripts do not run).
    """
    replay = as_replay(frames_or_trace, rankdir, digits)
    n = len(replay)
    step = min(max(int(step), 0), n - 1)
    uid = "vgp-" + uuid.uuid4().hex[:12]
    data = replay.data(start=step, interval=int(interval))
    style = f"<style>{static_text('player.css')}</style>\n" if css else ""
    cls = "vgp vgp-defer" if defer else "vgp"
    noscript = f"<noscript><style>#{uid} > .vgp-figure {{ display: block; }}</style></noscript>\n" if defer else ""
    return (
        f'{style}{noscript}<div class="{cls}" id="{uid}" tabindex="0">'
        f'<div class="vgp-figure">{replay.marked_svg(replay.values(step))}</div></div>\n'
        f'<script type="application/json" id="{uid}-data">{script_json(data)}</script>\n'
        f'<script type="module">\n{static_text("player.js")}\nmountStatic("{uid}");\n</script>\n'
    )


def player_html(
    frames_or_trace: Frames | Trace | Value | Tensor | Replay,
    *,
    title: str | None = None,
    step: int = 0,
    interval: int = 700,
    rankdir: str = "LR",
    digits: int = 3,
) -> str:
    """One self-contained HTML page: the graph, the step slider, buttons, keys, Play, captions.

    Everything is inline (no network request, no kernel): open it from disk, mail it,
    put it on a slide. ``frames_or_trace`` is a :class:`~vizgrad.frames.Frames`, a
    trace, or the output of a graph (laid out here).
    """
    replay = as_replay(frames_or_trace, rankdir, digits)
    if title is None:
        out = replay.trace.output
        title = f"vizgrad: {' '.join(clean(out.name))}" if out.name else "vizgrad"
    body = player_fragment(replay, step=step, interval=interval, defer=True)
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


def save_html(path: str | Path, frames_or_trace: Frames | Trace | Value | Tensor | Replay, **options: Any) -> Path:
    """Write :func:`player_html` to ``path`` (UTF-8); return the path."""
    path = Path(path)
    path.write_text(player_html(frames_or_trace, **options), encoding="utf-8")
    return path


