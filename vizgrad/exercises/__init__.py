"""Feedback for the exercises: check the gates you write, and see where they are wrong.

The lecture ends with the forward/backward API of a gate::

    class MultiplyGate:
        def forward(self, x, y):
            self.x, self.y = x, y          # keep what backward will need
            return x * y
        def backward(self, dz):            # dz: the upstream gradient dL/dz
            dx = ...                       # your code
            dy = ...
            return [dx, dy]

* :func:`check_gate` tests ``backward`` against numerical derivatives of your own
  ``forward`` (central differences, a fresh gate for every evaluation), at random
  inputs *and* a random upstream gradient ``dz`` (never just 1), plus ties and zeros.
  It says in plain words which gradient is wrong, by how much, at which inputs, with
  a hint for the usual mistakes, and draws the gate with the wrong wire highlighted.
* :func:`as_op` turns your gate class into an op on :class:`~vizgrad.Value` and
  :class:`~vizgrad.Tensor`, so that circuits built from *your* gates can be traced,
  drawn and scrubbed with vizgrad.
* :func:`check_circuit` checks the gradients of a whole circuit wired from your ops,
  :func:`check_net` the computational-graph object of exercise 2, :func:`draw_net`
  draws one, :func:`scrub` scrubs a circuit that may still be a TODO, and
  :func:`ready` tells whether the last checks of some gates passed.

Every check returns a :class:`CheckResult`: ``.passed``, ``.status`` (``"passed"``,
``"wrong"``, ``"todo"`` or ``"error"``), ``.message`` in words, and ``.draw()``. A
notebook shows it as the message and the drawing. A TODO that is not done yet
(``raise NotImplementedError()``, ``None``, ``...``, an undefined ``dx``) is reported
as *not implemented yet*; an exception raised by your code is reported in one line,
with the line of your cell it came from.

A failed check names the symptom and the rule it breaks, and draws it; the formula itself
comes from the second failed check of the same gate on, or with ``show_answer=True``. A graded
check cell ends with ``.assert_passed()``: it shows the result and raises :class:`CheckFailed`
(one line in a notebook) unless the check passed, so nbgrader and ``python -m vizgrad.grade``
give the part its points exactly when it passes (:mod:`.shown` reads a check back from a
saved notebook).

Your code runs under limits (:mod:`.limits`): each call may take ``TIME_LIMIT``
seconds (set ``vizgrad.exercises.TIME_LIMIT``, or give a check ``time_limit=``), what
it prints is shown after the check (its first few thousand characters), and whatever
it raises, ``SystemExit`` included, becomes feedback; Ctrl-C still interrupts.

The package: the checks, one module each, ``gates`` (check_gate, ready), ``asop``,
``circuits`` and ``nets``, ``limits`` and ``shown``; the helpers they share are in ``_support``:
``result`` (CheckResult), ``text`` (numbers as text), ``where`` (locating a traceback in
your code), ``calls`` (looking at and calling a gate class), ``numerics``, ``points``,
``hints``, ``picture`` (drawings) and ``reference`` (what the exercises know about
particular ops).
"""

from __future__ import annotations

from ._support.result import CheckFailed, CheckResult, GateError, NotImplementedYet
from .asop import as_op
from .circuits import check_circuit, scrub
from .gates import check_gate, ready
from .limits import DEFAULT_TIME_LIMIT
from .nets import check_net, draw_net

TIME_LIMIT: float = DEFAULT_TIME_LIMIT  # seconds each call of your code may take in a check

__all__ = [
    "CheckFailed",
    "CheckResult",
    "GateError",
    "NotImplementedYet",
    "TIME_LIMIT",
    "as_op",
    "check_circuit",
    "check_gate",
    "check_net",
    "draw_net",
    "ready",
    "scrub",
]
