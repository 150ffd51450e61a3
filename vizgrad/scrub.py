"""Scrubbing through a forward and backward pass in a notebook.

``scrub(f)`` lays the graph out once (:class:`~vizgrad.drawing.frames.Frames`) and sends the
drawing and every step's few changes to the browser once; the slider, the buttons,
the arrow keys and Play then move between steps in the browser alone, with no
kernel round trip. ``w.step`` follows in Python and can be set from Python.

``scrub(fn, x=-2.0, y=5.0)`` adds a slider per input: moving one calls ``fn`` again,
traces the new pass and sends only the new numbers, drawn on the same layout (every
node stays where it is). Each number keeps the room of the widest text it shows across
the sliders' ranges (:mod:`vizgrad.drawing.room`); only if the new graph has a different
structure, or a number outgrows its room, is it laid out again.

Saved forms (:meth:`Scrubber.save_html`, the ``text/html`` below, a deck) keep the input
sliders: the page recomputes the recorded graph at new inputs by itself
(:mod:`vizgrad.web.live_data`, ``static/live.js``), with no kernel. It replays the graph recorded
at the inputs shown: a function whose graph depends on its inputs (a branch on ``x.data``)
needs the kernel for another branch. Graphs of Tensors need the kernel: their page says so.
A number typed there past the room its layout keeps is squeezed into that room.
In the notebook, each slider's readout is editable (type a value, then Enter).

Exports (nbconvert). A scrubber's output holds both the widget view and, as
``text/html``, a self-contained player (:func:`vizgrad.web.player.player_fragment`).
nbconvert shows the ``text/html`` only while the notebook holds no widget state: a
notebook run and saved in JupyterLab (which by default does not save widget state)
exports with working players. ``jupyter nbconvert --execute`` does store the state,
and nbconvert then prefers the widget view, which needs the widget libraries from a
CDN (nothing shows offline). For that case add the preprocessor defined here::

    jupyter nbconvert --to html --execute --Exporter.preprocessors=vizgrad.scrub.StaticPlayers x.ipynb
    jupyter nbconvert --to slides --execute --Exporter.preprocessors=vizgrad.scrub.StaticPlayers x.ipynb

(or ``--ExecutePreprocessor.store_widget_state=False``, which drops every widget's state).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import anywidget
import ipywidgets
import traitlets

from .base.files import write_atomic
from .drawing.captions import captions as make_captions
from .drawing.frames import StructureChanged
from .drawing.options import OPTION_NAMES, Options, non_default
from .drawing.request import Drawable, as_frames, check_input, live_scene
from .engine.tensor import Tensor
from .engine.trace import Trace, is_output, trace_call
from .engine.value import Value
from .graphviz.errors import GRAPHVIZ_ERRORS
from .pictures import Frames
from .scrub_inputs import slider_spec
from .web.assets import player_script, static_text
from .web.display import error_html, error_line
from .web.live_data import live_data
from .web.player import first_question, frames_fragment, frames_page, player_data, player_svg
from .web.quiz import Quiz, quiz_steps
from .web.quiz import results as quiz_results_of

SLOW_UPDATE_MS = 150.0  # slower recomputes than this wait for the slider to be let go


def _slider_for(name: str, spec: Any) -> ipywidgets.FloatSlider:
    """A slider for one input: ``spec`` a slider, or as :func:`~vizgrad.scrub_inputs.slider_spec` reads it."""
    if isinstance(spec, ipywidgets.FloatSlider):
        return spec
    value, lo, hi, step = slider_spec(name, spec)
    return ipywidgets.FloatSlider(
        value=value, min=lo, max=hi, step=step, description=name, continuous_update=True,
        readout_format=".2f", style={"description_width": "initial"},
        layout=ipywidgets.Layout(width="auto", min_width="220px", flex="1 1 220px", margin="2px 16px 2px 0"),
    )


class Scrubber(anywidget.AnyWidget):
    """Step through a trace: Play, slider, ◀ ▶ (and the arrow keys), caption per step.

    ``step`` is synced both ways; ``max_step`` is ``len(frames) - 1``; ``backward_start``
    the first backward step. ``data`` (the steps and captions) and ``svg_template``
    (the drawing, laid out once) are sent to the browser once.
    """

    _esm = player_script()
    _css = static_text("player.css")

    step = traitlets.Int(0).tag(sync=True)
    max_step = traitlets.Int(0, read_only=True).tag(sync=True)
    backward_start = traitlets.Int(0, read_only=True).tag(sync=True)
    interval = traitlets.Int(700).tag(sync=True)
    svg_template = traitlets.Unicode("").tag(sync=True)
    data = traitlets.Unicode("{}").tag(sync=True)
    # the quiz, as the browser reports it: per quizzed step {"step", "answers", "shown"}
    quiz_state = traitlets.List().tag(sync=True)

    def __init__(
        self,
        out_or_trace: Drawable,
        *,
        step: int = 0,
        interval: int = 700,
        fallback: bool = True,
        quiz: Quiz = False,
        _fn: Callable[..., Any] | None = None,
        _inputs: dict[str, Any] | None = None,
        **options: Any,
    ) -> None:
        self._fn = _fn
        self.sliders: dict[str, ipywidgets.FloatSlider] = {}
        if _fn is not None:
            self.sliders = {name: _slider_for(name, spec) for name, spec in (_inputs or {}).items()}
        start = {name: s.value for name, s in self.sliders.items()} if _fn is not None else None
        self._leaves: dict[str, Value] = {}  # the Values the function was last called with
        seen: dict[str, Value] = {}
        self.frames: Frames = as_frames(self._spy(seen) if _fn is not None else out_or_trace, start, kind=Frames,
                                        ranges=self._ranges() if _fn is not None else None, **options)
        self._leaves = seen
        self.fallback = fallback
        self.quiz = quiz
        quiz_steps(self.frames.trace, quiz)  # a bad quiz= fails here, in one line
        self._captions: list | None = None
        self.status = ipywidgets.HTML("")
        self.last_update_ms: float | None = None
        self.layouts = 1  # Graphviz layouts made (a live input changing the structure adds one)
        self._box: ipywidgets.Widget | None = None
        super().__init__(interval=int(interval))
        self._push(layout=True, step=first_question(self.frames, step, quiz))
        if _fn is not None:
            for s in self.sliders.values():
                s.observe(self._on_slider, names="value")

    # -- what is shown --------------------------------------------------------------

    @property
    def trace(self) -> Trace:
        """The trace shown now (recomputed when a live input moves)."""
        return self.frames.trace

    @property
    def captions(self) -> list:
        """Every step's caption, for the trace shown now."""
        if self._captions is None:
            self._captions = make_captions(self.frames.trace, self.frames.options.digits)
        return self._captions

    @property
    def caption(self):
        """The caption of the current step."""
        return self.captions[self.step]

    @property
    def phase(self) -> str:
        return "backward" if self.step >= self.backward_start else "forward"

    def svg(self, k: int | None = None) -> str:
        """The SVG of step ``k`` (default: the current step), as the browser shows it."""
        return self.frames.svg(self.step if k is None else k)

    @traitlets.validate("step")
    def _valid_step(self, proposal: Any) -> int:
        k = int(proposal["value"])
        return min(max(k, 0), self.max_step)

    def _push(self, layout: bool, step: int | None = None) -> None:
        fr = self.frames
        self._captions = None
        data = player_data(fr, interval=self.interval, captions=self.captions, quiz=self.quiz)
        with self.hold_sync():
            self.set_trait("max_step", len(fr) - 1)
            self.set_trait("backward_start", data["backward"])
            if layout:
                self.svg_template = player_svg(fr)
            self.data = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            if step is not None:
                self.step = step
            elif self.step > self.max_step:
                self.step = self.max_step

    @property
    def quiz_results(self) -> list[dict[str, Any]]:
        """Each quizzed step with the answers given in the browser: ``step``, ``node``, the
        right ``answer``, the ``answers`` typed, whether one was ``right`` (and
        ``right_first_time``), and whether it was ``shown`` without a right answer."""
        return quiz_results_of(json.loads(self.data).get("quiz"), list(self.quiz_state))

    # -- live inputs ----------------------------------------------------------------------

    @property
    def inputs(self) -> dict[str, float]:
        """The current value of every live input."""
        return {name: s.value for name, s in self.sliders.items()}

    def set_inputs(self, **values: float) -> None:
        """Move live inputs from Python (recomputes once)."""
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise KeyError(f"no such input: {', '.join(sorted(unknown))}; inputs: {', '.join(self.sliders)}")
        self._holding = True
        try:
            for name, v in values.items():
                self.sliders[name].value = v
        finally:
            self._holding = False
        self.recompute()

    _holding = False

    def _spy(self, seen: dict[str, Value]) -> Callable[..., Any]:
        """The function, keeping in ``seen`` the input Values it is called with."""
        fn = self._fn

        def called(**leaves: Value) -> Any:
            seen.clear()
            seen.update(leaves)
            return fn(**leaves)

        return called

    def _live(self) -> dict[str, Any] | None:
        """What a saved page needs to move the live inputs by itself (None: no live inputs)."""
        if self._fn is None:
            return None
        pos = {id(node): i for i, node in enumerate(self.frames.trace.nodes)}
        positions = {name: [pos[id(leaf)]] for name, leaf in self._leaves.items() if id(leaf) in pos}
        return live_data(self.frames, self.sliders, positions)

    def _ranges(self) -> dict[str, tuple[float, float, float]]:
        """Each live input's slider: min, max and step."""
        return {name: (s.min, s.max, s.step) for name, s in self.sliders.items()}

    def _on_slider(self, change: dict) -> None:
        if not self._holding:
            self.recompute()

    def recompute(self) -> float:
        """Call the function again at the current inputs and show the new pass.

        The layout is kept (only numbers change) unless the structure of the graph
        changed. Returns the time taken in milliseconds (also in ``last_update_ms``).
        """
        if self._fn is None:
            raise RuntimeError("this scrubber has no live inputs: use scrub(fn, x=..., ...)")
        t0 = time.perf_counter()
        seen: dict[str, Value] = {}
        try:
            new = trace_call(self._spy(seen), self.inputs)
        except Exception as e:  # show it, keep the last good drawing
            self.status.value = error_html(error_line(e))
            return float("nan")
        try:
            try:  # the same layout, unless a number outgrew its room
                fresh = self.frames.with_trace(new)
            except StructureChanged:  # rooms sized anew, over the sliders' ranges around these inputs
                opts = Options.of(**_options_of(self.frames))
                fresh = Frames(live_scene(self._fn, self.inputs, opts, self._ranges(), new), opts)
        except GRAPHVIZ_ERRORS as e:  # e.g. too slow to lay out: keep the last good drawing
            self.status.value = error_html(error_line(e))
            return float("nan")
        layout = fresh.template is not self.frames.template
        self.layouts += layout
        self.frames = fresh
        self._push(layout=layout)
        self._leaves = seen
        self.status.value = ""
        self.last_update_ms = (time.perf_counter() - t0) * 1000.0
        if self.last_update_ms > SLOW_UPDATE_MS:  # a big graph: recompute when a slider is let go
            for s in self.sliders.values():
                s.continuous_update = False
        return self.last_update_ms

    # -- display and export ----------------------------------------------------------------

    @property
    def view(self) -> ipywidgets.Widget:
        """What is displayed: the player, under the input sliders if there are any."""
        if not self.sliders:
            return self
        if self._box is None:
            row = ipywidgets.HBox(list(self.sliders.values()),
                                  layout=ipywidgets.Layout(flex_flow="row wrap"))
            self._box = ipywidgets.VBox([row, self.status, self])
        return self._box

    def html(self, step: int | None = None) -> str:
        """A self-contained player of the current pass, as an HTML fragment."""
        return frames_fragment(self.frames, self.step if step is None else step, self.interval, css=True,
                         defer=False, page=False, captions=self.captions, quiz=self.quiz, live=self._live())

    def save_html(self, path: str | Path, title: str | None = None, step: int = 0) -> Path:
        """Write the current pass as one self-contained HTML page (no network, no kernel)."""
        return write_atomic(path, frames_page(self.frames, title, step, self.interval, captions=self.captions,
                                        quiz=self.quiz, live=self._live()))

    def _repr_mimebundle_(self, **kwargs: Any):
        view = self.view
        bundle = super()._repr_mimebundle_(**kwargs) if view is self else view._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data, metadata = bundle
        else:
            data, metadata = bundle, {}
        if data is None:
            return bundle
        data = dict(data)
        if self.fallback:
            # nbconvert and other renderers without the widget show this player instead
            data["text/html"] = self.html()
        data["text/plain"] = repr(self)
        metadata = dict(metadata or {})
        metadata["vizgrad"] = {"player": "text/html" in data}  # for StaticPlayers (nbconvert)
        return data, metadata

    def __repr__(self) -> str:
        live = f", inputs {self.inputs}" if self.sliders else ""
        return f"<vizgrad scrubber: step {self.step} of 0..{self.max_step}{live}>"


def _options_of(frames: Frames) -> dict[str, Any]:
    """The drawing options of ``frames`` for another graph (its groups belong to its own)."""
    return {name: getattr(frames.options, name) for name in OPTION_NAMES if name != "groups"}


def scrub(
    out_or_trace: Drawable,
    /,
    *,
    rankdir: str = "LR",
    digits: int = 3,
    groups: Any = (),
    collapse: bool = False,
    step: int = 0,
    interval: int = 700,
    fallback: bool = True,
    quiz: Quiz = False,
    **inputs: Any,
) -> Scrubber:
    """A widget to scrub through the forward and backward pass of a graph.

    ``scrub(f)`` for a graph's output ``f`` (or a trace, or frames). ``scrub(fn, x=-2.0,
    y=5.0)`` calls ``fn(x=Value(-2.0, name="x"), y=Value(5.0, name="y"))`` and adds a
    slider per input (a number: a range around it; or ``(value, min, max[, step])``).

    Options: the drawing's (``rankdir``, ``digits``, ``groups``, ``collapse``, and any other
    of :class:`vizgrad.drawing.options.Options`: those names are not input names), the first
    ``step`` shown, Play's ``interval`` in ms per step, and ``fallback`` (also put a
    static HTML player in the output, for nbconvert and other renderers without widgets).
    ``quiz``: ask for each backward step's gradient before showing it (``True``,
    ``"backward"``, or a list of step numbers; see :mod:`vizgrad.web.quiz`); the answers given
    come back in ``w.quiz_results``.
    """
    options = dict(rankdir=rankdir, digits=digits, groups=groups, collapse=collapse)
    options.update({name: inputs.pop(name) for name in OPTION_NAMES if name in inputs})  # any other option
    check_input(out_or_trace, inputs)
    if isinstance(out_or_trace, (Value, Tensor, Trace, Frames)) or is_output(out_or_trace):
        if isinstance(out_or_trace, Frames):  # laid out already: only options that differ are an error
            options = non_default(**options)
        return Scrubber(out_or_trace, step=step, interval=interval, fallback=fallback, quiz=quiz, **options)
    for name, spec in inputs.items():  # every input checked before any slider is made
        if not isinstance(spec, ipywidgets.FloatSlider):
            slider_spec(name, spec)
    start = {name: _slider_for(name, spec) for name, spec in inputs.items()}
    return Scrubber(out_or_trace, step=step, interval=interval, fallback=fallback, quiz=quiz, _fn=out_or_trace,
                    _inputs=start, **options)


def __getattr__(name: str):
    # nbconvert is imported only when nbconvert asks for the preprocessor (it is slow to import)
    if name == "StaticPlayers":
        from .web.nbconvert import static_players_class

        cls = static_players_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
