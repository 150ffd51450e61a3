"""What a user passes to draw, frames, scrub or the player, turned into frames.

Every entry point takes the same thing — a graph's output, a trace, frames, or a function
with its inputs — with the same drawing :class:`~vizgrad.drawing.options.Options`, and
comes here for its scene or its frames.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping

from ..engine.group import collapse as collapse_groups
from ..engine.tensor import Tensor
from ..engine.trace import Trace, foreign, is_output, output_of, trace, trace_call, traced
from ..engine.value import Value
from .frames import Frames
from .options import Options, boxed_groups
from .room import Range, default_range, outcomes, rooms_for, sample
from .scene import Scene, build_scene, structure

Drawable = Frames | Trace | Value | Tensor | Callable[..., Any]


def check_input(obj: Any, inputs: Mapping[str, Any] | None, entry: str = "scrub") -> None:
    """Refuse, in one line, what ``entry`` (``scrub``, ``player_html``…) cannot draw: inputs given
    with a graph, something that is neither a graph nor a function, a function without inputs, or
    without one it needs (or with one it does not take)."""
    if isinstance(obj, (Frames, Trace)) or is_output(obj):
        if inputs:
            raise TypeError(f"inputs ({', '.join(inputs)}) are for {entry}(fn, ...): pass a function, not a graph")
        return
    if not callable(obj):
        raise TypeError(f"{entry}(...) takes a graph's output (a Value or Tensor, a PyTorch loss or a micrograd "
                        f"Value), a vizgrad.trace(...), "
                        f"frames, or a function with its inputs as keywords; got {type(obj).__name__}")
    if not inputs:
        raise TypeError(f"{entry}(fn, ...) needs the inputs as keywords, e.g. {entry}(fn, x=-2.0, y=5.0)")
    _check_names(obj, inputs, entry)


def _check_names(fn: Callable[..., Any], inputs: Mapping[str, Any], entry: str) -> None:
    """Refuse inputs that ``fn`` (called with them as keywords) lacks or does not take, when its
    signature is known."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin or another callable without a signature
        return
    names = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    takes = ", ".join(names) or "no input by name"
    missing = [p.name for p in params if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               and p.name not in inputs]
    if missing:
        raise TypeError(f"{entry}(fn, ...): no value for input{'s' * (len(missing) > 1)} {', '.join(missing)} "
                        f"(the function takes {takes}): add {', '.join(f'{m}=...' for m in missing)}")
    extra = [] if any(p.kind is p.VAR_KEYWORD for p in params) else [n for n in inputs if n not in names]
    if extra:
        raise TypeError(f"{entry}(fn, ...): the function takes no input {', '.join(extra)} "
                        f"(it takes {takes})")


def as_trace(out_or_trace: Value | Tensor | Trace, options: Options) -> Trace:
    """The trace to draw: ``out_or_trace`` itself, or the trace of a graph's output
    (with ``collapse``, of the graph rebuilt with each group as one gate)."""
    if options.collapse and options.groups:
        if isinstance(out_or_trace, Trace) and out_or_trace.engine != "vizgrad":
            return out_or_trace.collapsed(*options.groups)  # another engine's: from its recorded numbers
        if foreign(out_or_trace):
            raise TypeError(f"groups of a {foreign(out_or_trace)} graph name the nodes of its trace: "
                            "t = vg.trace(out), then groups=[t.group(...)] and draw t itself")
        return trace(collapse_groups(output_of(out_or_trace), *options.groups))
    return traced(out_or_trace)


def scene_of(out_or_trace: Value | Tensor | Trace, options: Options,
             room: bool | Mapping[str, str] = False) -> Scene:
    """The scene of a graph's output or of a trace, drawn with ``options`` (``room``: for live
    inputs, each number's slot as wide as numbers there get; see :func:`~vizgrad.drawing.scene.build_scene`)."""
    return build_scene(as_trace(out_or_trace, options), options.digits, boxed_groups(options), copies=True,
                       room=room)


def live_scene(fn: Callable[..., Any], inputs: Mapping[str, float], options: Options,
               ranges: Mapping[str, Range] | None = None, at: Trace | None = None) -> Scene:
    """The scene of ``fn`` at ``inputs`` (its trace ``at``, if made already), each number's slot
    as wide as the widest text it shows at a few inputs across ``ranges`` (each input's slider:
    min, max, step; default: a range around its start, as :func:`vizgrad.scrub` gives it).
    Without ``at``, ``fn`` is called last at ``inputs``."""
    ranges = {name: (ranges or {}).get(name) or default_range(float(v)) for name, v in inputs.items()}
    samples = sample(fn, inputs, ranges, options.digits)
    new = as_trace(at if at is not None else trace_call(fn, dict(inputs)), options)
    shape = structure(scene_of(new, options))
    scene = scene_of(new, options, room=rooms_for(samples, shape, options.digits))
    scene.tried = outcomes(samples, shape)
    return scene


def as_frames(obj: Drawable, inputs: dict[str, float] | None = None, *, ranges: Mapping[str, Range] | None = None,
              kind: type[Frames] = Frames, **options: Any) -> Frames:
    """The frames of what a user passes: frames (as they are), a trace, a graph's output,
    or a function called with ``inputs`` (a named :class:`Value` each; its numbers' rooms
    sized over the inputs' ``ranges``, see :func:`live_scene`). New frames are a ``kind``.

    ``options`` are those of :class:`~vizgrad.drawing.options.Options` (``rankdir``, ``digits``,
    ``groups``, ``collapse``); frames are laid out already, so options that differ from
    theirs raise a ValueError.
    """
    check_input(obj, inputs)
    if isinstance(obj, Frames):
        changed = obj.options.changed(**options)
        if changed:
            said = ", ".join(f"{k}={v!r}" for k, v in changed.items())
            raise ValueError(f"these frames are laid out already: pass the graph's output or its trace "
                             f"instead of frames to draw it with {said}")
        return obj
    opts = Options.of(**options)
    if isinstance(obj, Trace) or is_output(obj):
        return kind(scene_of(obj, opts), opts)
    if opts.groups:
        raise TypeError("groups name the nodes of one graph, and a function makes a new graph at every "
                        "input: pass the graph's output (with its groups) instead of the function")
    # a function's graph is drawn again at other inputs on this layout: numbers keep their room
    return kind(live_scene(obj, inputs, opts, ranges), opts)
