"""How much room a live drawing keeps for its numbers.

A function with live inputs (``vg.scrub(fn, x=-2.0, ...)``) is laid out once and drawn
again, on that layout, at every input its sliders reach. Each number's slot keeps the room
of the widest text it showed when the function was called at a few inputs across the
sliders' ranges (:func:`sample`, :func:`rooms_for`), not of the widest number there is: the drawing is
as compact as the numbers it will really show. A number that still outgrows its room is
laid out again in the kernel (:meth:`vizgrad.drawing.frames.Frames.with_trace`) and squeezed into
its room in a saved page (``static/live.js``).

The same calls tell where the function builds another graph than at the start (a branch on
``x.data``) or raises (:func:`outcomes`): a saved page replays the recorded graph and must say
where it does not hold.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import re
import time
import warnings
from typing import Any, Callable, Mapping, NamedTuple

from ..engine.trace import trace_call
from .scene import build_scene, longest_texts, structure
from .slots import Slot
from .texts import text_width

Range = tuple[float, float, float]  # a slider's min, max and step

MOST_CALLS = 40  # calls of the function to size the rooms, at most
BUDGET_S = 0.4  # seconds of sampling, at most (the start is always drawn)
PER_INPUT = 10  # points across each input's range, at most
CORNERS_UP_TO = 3  # with this many inputs or fewer, the corners of their ranges too
SAME, OTHER, RAISED = 0, 1, 2  # what a sampled call built: the start's graph, another one, nothing (it raised)


class Call(NamedTuple):
    """One sampled call: its inputs, the structure of its drawing (``None``: the call raised)
    and the longest text of each slot."""

    point: dict[str, float]
    shape: list | None
    texts: dict[Slot, str]


def default_range(value: float) -> Range:
    """The range of a slider given only its start: around it, at least ±5."""
    span = max(5.0, 2.0 * abs(value))
    return math.floor(value - span), math.ceil(value + span), 0.1


def sample_points(start: Mapping[str, float], ranges: Mapping[str, Range],
                  most: int = MOST_CALLS) -> list[dict[str, float]]:
    """Inputs to call the function at (the start not among them): per input, points across
    its range (the others at the start), then, for a few inputs, the corners of their ranges;
    at most ``most``, the most telling first. Each point lies on its slider's steps."""

    def on_steps(name: str, at: float) -> float:
        """The point ``at`` (0 to 1) of the range, one step in from a whole number of steps:
        a number as long as the slider's numbers get (``-6.9``, not ``-7``)."""
        lo, hi, step = ranges[name]
        v = lo + (hi - lo) * at
        if step > 0 and math.isfinite(step) and hi - lo > 2 * step:
            v = lo + round((v - lo) / step) * step + (step if at < 1 else -step)
            v = float(f"{v:.12g}")  # as the slider shows it: -6.9, not -6.8999999999999995
        return min(max(v, lo), hi)

    names = [n for n in start if n in ranges]
    per = max(2, min(PER_INPUT, (most - 1) // max(1, len(names))))
    # the ends first, then from the middle out, each input in turn (a budget may stop early)
    order = sorted(range(per), key=lambda k: (0 < k < per - 1, abs(k - (per - 1) / 2)))
    points = [{**start, name: on_steps(name, k / (per - 1))} for k in order for name in names]
    if 1 < len(names) <= CORNERS_UP_TO:
        for corner in itertools.product((0.0, 1.0), repeat=len(names)):
            points.append({**start, **{n: on_steps(n, at) for n, at in zip(names, corner, strict=True)}})
    unique = list({tuple(p.items()): p for p in points if p != dict(start)}.values())
    return unique[:most]


def sample(fn: Callable[..., Any], start: Mapping[str, float], ranges: Mapping[str, Range],
           digits: int = 3, budget_s: float = BUDGET_S) -> list[Call]:
    """``fn`` called at :func:`sample_points`: a :class:`Call` each (see :func:`rooms_for`).

    Stops after ``budget_s`` seconds; a call that raises has no structure, and what it prints or
    warns is dropped (a sample is a guess: the function's own output and errors show when a
    slider reaches them, not here).
    """
    t0 = time.perf_counter()
    samples = []
    # what the function prints or warns at these inputs is not the user's to read
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for point in sample_points(start, ranges):
            if time.perf_counter() - t0 > budget_s:
                break
            try:
                scene = build_scene(trace_call(fn, point), digits, copies=True)
            except Exception:  # noqa: BLE001
                samples.append(Call(point, None, {}))
                continue
            samples.append(Call(point, structure(scene), longest_texts(scene)))
    return samples


def rooms_for(samples: list[Call], shape: list, digits: int = 3) -> dict[Slot, str]:
    """The widest text of each slot over the ``samples`` whose structure is ``shape``, each
    fraction in it (``-0.647``) with room for two more zeros (``-0.00888``): a number that
    crosses zero between the samples is small somewhere, and a fraction shows it."""
    rooms: dict[Slot, str] = {}
    for call in samples:
        if call.shape != shape:
            continue
        for slot, text in call.texts.items():
            if text_width(text) > text_width(rooms.get(slot, "")):
                rooms[slot] = text
    small = "-0.00" + "8" * digits
    return {slot: _FRACTION.sub(lambda m: f"{m[1]} ({small})" if m[1] else small, text) for slot, text in rooms.items()}


_FRACTION = re.compile(r"(?:([×+]) \(?)?(?<![\d.e])-?0\.\d+(?![\d.e])\)?")  # (a negative factor: in parentheses)



def outcomes(samples: list[Call], shape: list) -> tuple[tuple[dict[str, float], int], ...]:
    """What each sampled call built, against the structure ``shape`` drawn at the start: its
    inputs and :data:`SAME`, :data:`OTHER` (another graph) or :data:`RAISED`."""
    return tuple((c.point, SAME if c.shape == shape else RAISED if c.shape is None else OTHER) for c in samples)
