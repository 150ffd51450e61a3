"""What a check found (:class:`CheckResult`) and the exceptions the exercises raise."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from ...draw import no_drawing_text
from ...drawing.palette import LECTURE
from ..shown import CHECK_CLASS, FAILED_NAME
from .picture import Picture, alt_text, render_picture, with_title

GREEN = LECTURE.value  # forward values, as in vizgrad's drawings
RED = LECTURE.grad  # gradients
INK = LECTURE.ink
PASS = "#1a7f37"
TODO = "#9a6700"

STATUS_MARK = {"passed": "✔", "wrong": "✘", "todo": "…", "error": "✘"}


class GateError(RuntimeError):
    """Your gate raised an exception (or returned something unusable) inside an op."""


class NotImplementedYet(UserWarning):
    """An op made by :func:`as_op` used a gate whose forward or backward is still a TODO."""


class CheckFailed(AssertionError):
    """A graded check that did not pass (:meth:`CheckResult.assert_passed`): its cell fails, so
    nbgrader and ``python -m vizgrad.grade`` give the part no points. Shown in a notebook as one
    line, not a traceback: the check's words and drawing are displayed just above it."""

    def __init__(self, result: CheckResult) -> None:
        first = result.message.splitlines()[0] if result.message else result.name
        super().__init__(f"{first} (no points for this part yet: see the check above)")
        self.result = result

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return [f"{FAILED_NAME}: {self}"]


class StopCheck(Exception):
    """Ends a check early with this status and message."""

    def __init__(self, status: str, message: str, wrong: tuple[str, ...] = (), grads: list | None = None,
                 expected: dict[int, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.wrong = status, message, wrong
        self.grads, self.expected = grads, expected or {}


@dataclass(eq=False)
class CheckResult:
    """What a check found. True when it passed; shown in a notebook as words and a drawing.

    ``status`` is ``"passed"``, ``"wrong"`` (a gradient or value is wrong), ``"todo"``
    (not implemented yet) or ``"error"`` (your code raised, or returned something that
    is not a number or an array). ``wrong`` names the wrong gradients (``("dx",)``);
    ``inputs``, ``upstream``, ``expected`` and ``got`` describe the point reported.
    """

    name: str
    status: str
    message: str
    wrong: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)
    upstream: Any = None
    expected: dict[str, Any] = field(default_factory=dict)
    got: dict[str, Any] = field(default_factory=dict)
    _picture: Picture | None = field(default=None, repr=False)
    _svg: str | None = field(default=None, repr=False)
    _no_svg: str = field(default="", repr=False)  # why there is no drawing, in one line

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def assert_passed(self) -> None:
        """Show the result (in a notebook) and raise :class:`CheckFailed` unless it passed.

        A graded check cell ends with it: the cell fails, and the part earns no points, exactly
        when the check does not pass.
        """
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # plain Python: the exception's message says it
            get_ipython = None  # noqa: N806
        if get_ipython is not None and get_ipython() is not None:
            display(self)
        elif self.passed:
            print(self.message)
        if not self.passed:
            raise CheckFailed(self)

    def draw(self, **options: Any) -> Any:
        """The gate (or circuit) with your gradients: a :class:`graphviz.Digraph`, or None.

        Forward values are green, your gradients red; a wrong gradient's wire is drawn
        thick and red, labelled with what you got and what was expected. ``options``: drawing
        options of :class:`vizgrad.drawing.options.Options` (e.g. a palette, where there is one).
        """
        if self._picture is None:
            return None
        return render_picture(self._picture, **options)

    @property
    def alt(self) -> str:
        """The drawing in words (its text alternative): which gradients are wrong, got and expected."""
        return alt_text(self._picture, self.name) if self._picture is not None else ""

    def svg(self) -> str | None:
        """The drawing as SVG text, or None (no drawing, or Graphviz is missing or failed);
        :meth:`titled_svg` is the same with its text alternative inside."""
        if self._svg is None and self._picture is not None:
            try:
                raw = self.draw().pipe(format="svg").decode("utf-8")
            except Exception as e:  # Graphviz missing or failing: the words still say it all
                self._no_svg = no_drawing_text(e)
                return None
            self._svg = raw[raw.find("<svg"):] if "<svg" in raw else raw
        return self._svg

    def titled_svg(self) -> str | None:
        """:meth:`svg` with a ``<title>`` (and ``role="img"``) saying which gradient is wrong."""
        svg = self.svg()
        return None if svg is None else with_title(svg, self.alt)

    def _repr_html_(self) -> str:
        color = {"passed": PASS, "todo": TODO}.get(self.status, RED)
        svg = self.svg()
        # the drawing's text alternative says which gradient is wrong (the SVG itself is draw()'s)
        alt = html.escape(self.alt, quote=True)
        picture = f'<div style="margin-top:4px" role="img" aria-label="{alt}">{svg}</div>' if svg else ""
        if not svg and self._no_svg:
            picture = f'<div style="margin-top:4px;color:#666;font-size:90%">{html.escape(self._no_svg)}</div>'
        return (
            f'<div class="{CHECK_CLASS}" data-status="{self.status}" '
            f'style="border-left:4px solid {color};padding:2px 10px;margin:4px 0">'
            f'<pre style="white-space:pre-wrap;margin:0;color:{color};background:none">'
            f"{html.escape(self.message)}</pre>{picture}</div>"
        )


def make_result(name: str, status: str, message: str, **kw: Any) -> CheckResult:
    """A :class:`CheckResult` whose message starts with the status's mark (✔, ✘ or …)."""
    mark = STATUS_MARK[status]
    return CheckResult(name, status, f"{mark} {message}", **kw)

