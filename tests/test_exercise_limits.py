"""Student code in the exercise checks runs under limits: time, output, exceptions, Ctrl-C."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vizgrad.graphviz import engines as vg_dot
from vizgrad import exercises
from vizgrad.exercises import limits

from test_exercises import MultiplyGate  # the lecture's gate, done right

ROOT = Path(__file__).resolve().parents[1]




class LoopingGate(MultiplyGate):
    def backward(self, dz):
        dx = 0.0
        while dx != 1.5:  # never true
            dx += 1.0
        return [dx, dz]


class SleepingGate(MultiplyGate):
    def backward(self, dz):
        time.sleep(30)
        return [self.y * dz, self.x * dz]


def _timed(fn, *args, **kw):
    start = time.monotonic()
    result = fn(*args, **kw)
    return result, time.monotonic() - start


ALARM_HANDLER = signal.getsignal(signal.SIGALRM)
INT_HANDLER = signal.getsignal(signal.SIGINT)


def _no_timer_left():
    """After a check: no timer pending, the signal handlers as they were, no capture active."""
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == ALARM_HANDLER
    assert signal.getsignal(signal.SIGINT) == INT_HANDLER
    assert not limits._active


# -- time ---------------------------------------------------------------------------------


def test_a_loop_that_never_ends_is_stopped_and_named():
    r, seconds = _timed(exercises.check_gate, LoopingGate, time_limit=0.5)
    assert seconds < 3
    assert r.status == "error" and not r.passed
    assert "LoopingGate.backward did not finish within 0.5 s" in r.message
    assert "while dx != 1.5" in r.message or "dx += 1.0" in r.message  # the line it was running
    assert "loop" in r.message and "check_gate(..., time_limit=10)" in r.message
    _no_timer_left()


def test_a_sleeping_gate_is_stopped_once_not_at_every_point():
    r, seconds = _timed(exercises.check_gate, SleepingGate, time_limit=0.5)
    assert seconds < 3  # one time limit, not one per point (9 points here)
    assert r.status == "error" and "did not finish within 0.5 s" in r.message
    assert "time.sleep(30)" in r.message


def test_the_default_time_limit_is_settable(monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.3)
    r, seconds = _timed(exercises.check_gate, SleepingGate)
    assert seconds < 3 and "within 0.3 s" in r.message
    assert exercises.check_gate(MultiplyGate).passed  # a quick gate is not affected


def test_a_slow_gate_within_the_limit_passes():
    class Slowish(MultiplyGate):
        def backward(self, dz):
            time.sleep(0.01)
            return super().backward(dz)

    assert exercises.check_gate(Slowish, time_limit=2.0).passed


def test_code_that_swallows_the_stop_is_still_reported():
    class Swallowing(MultiplyGate):
        def backward(self, dz):
            try:  # noqa: SIM105  (what a student might write)
                time.sleep(10)
            except BaseException:
                pass
            return [self.y * dz, self.x * dz]

    r, seconds = _timed(exercises.check_gate, Swallowing, time_limit=0.3)
    assert seconds < 3 and r.status == "error" and "did not finish within 0.3 s" in r.message


def test_off_the_main_thread_the_limit_holds_too():
    out = {}

    def run():
        out["loop"] = _timed(exercises.check_gate, LoopingGate, time_limit=0.5)
        out["sleep"] = _timed(exercises.check_gate, SleepingGate, time_limit=0.5)
        out["ok"] = exercises.check_gate(MultiplyGate, time_limit=2.0)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(20)
    assert not worker.is_alive()
    for key in ("loop", "sleep"):
        r, seconds = out[key]
        assert seconds < 3 and r.status == "error" and "did not finish within 0.5 s" in r.message
    assert "dx += 1.0" in out["loop"][0].message or "while dx != 1.5" in out["loop"][0].message
    assert out["ok"].passed


def test_check_net_and_check_circuit_have_limits():
    class LoopingNet:
        def __init__(self, nodes):
            self.nodes = nodes

        def forward(self, **inputs):
            while True:
                pass

    r, seconds = _timed(exercises.check_net, LoopingNet, time_limit=0.4)
    assert seconds < 3 and r.status == "error" and "LoopingNet.forward did not finish within 0.4 s" in r.message

    def circuit(x, y):
        while True:
            pass

    r, seconds = _timed(exercises.check_circuit, circuit, lambda x, y: x * y, x=1.0, y=2.0, time_limit=0.4)
    assert seconds < 3 and r.status == "error" and "did not finish within 0.4 s" in r.message


def test_a_timer_set_by_someone_else_is_set_again():
    fired = []

    def theirs(signum, frame):
        fired.append(True)

    old = signal.signal(signal.SIGALRM, theirs)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        assert exercises.check_gate(MultiplyGate).passed
        assert exercises.check_gate(LoopingGate, time_limit=0.3).status == "error"
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25.0 < left <= 30.0 and not fired
        assert signal.getsignal(signal.SIGALRM) is theirs
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_a_bad_time_limit_is_one_clear_error():
    for bad in (0, -1, float("nan"), "3"):
        with pytest.raises(ValueError, match="time_limit must be a positive number"):
            exercises.check_gate(MultiplyGate, time_limit=bad)
    assert exercises.check_gate(MultiplyGate, time_limit=math.inf).passed


# -- output -------------------------------------------------------------------------------


def test_a_flood_of_output_is_cut(capsys):
    class Chatty(MultiplyGate):
        def forward(self, x, y):
            print("x" * 10_000_000)
            return super().forward(x, y)

    r = exercises.check_gate(Chatty)
    out = capsys.readouterr().out
    assert r.passed
    assert len(out) < 2 * limits.OUTPUT_LIMIT
    assert out.startswith("x" * 100)
    assert "more characters of output were cut" in out and f"first {limits.OUTPUT_LIMIT:,}" in out


def test_output_of_a_check_is_shown_after_it(capsys):
    class Printing(MultiplyGate):
        def backward(self, dz):
            print("dz is", dz)
            return super().backward(dz)

    assert exercises.check_gate(Printing).passed
    out = capsys.readouterr()
    assert "dz is" in out.out and "cut" not in out.out
    _no_timer_left()
    print("after")
    assert capsys.readouterr().out == "after\n"


# -- exceptions ---------------------------------------------------------------------------


@pytest.mark.parametrize("exc", [SystemExit(3), KeyboardInterrupt(), GeneratorExit()])
def test_base_exceptions_become_feedback(exc):
    class Exiting(MultiplyGate):
        def backward(self, dz):
            raise exc

    r = exercises.check_gate(Exiting)
    assert r.status == "error"
    assert f"your backward raised {type(exc).__name__}" in r.message
    assert "raise exc" in r.message  # the student's line
    _no_timer_left()


def test_system_exit_in_forward_and_in_an_op():
    class Quitting(MultiplyGate):
        def forward(self, x, y):
            sys.exit("bye")

    r = exercises.check_gate(Quitting)
    assert r.status == "error" and "SystemExit: bye" in r.message
    op = exercises.as_op(Quitting)
    import vizgrad as vg

    with pytest.raises(exercises.GateError, match="SystemExit"):
        op(vg.Value(1.0), vg.Value(2.0))


def test_a_real_ctrl_c_still_interrupts_a_check():
    child = r"""
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as a terminal gives it, even if started in the background
from vizgrad import exercises

class Looping:
    def forward(self, x, y):
        return x * y
    def backward(self, dz):
        sys.__stdout__.write("looping\n")
        sys.__stdout__.flush()
        while True:
            pass

exercises.check_gate(Looping, time_limit=60)
print("the check returned")
"""
    proc = subprocess.Popen([sys.executable, "-c", child], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "looping\n"
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "the check returned" not in out
    assert proc.returncode != 0 and "KeyboardInterrupt" in err


# -- values outside a gate's domain -------------------------------------------------------


def test_a_forward_that_returns_nan_fails():
    class NanGate(MultiplyGate):
        def forward(self, x, y):
            super().forward(x, y)
            return float("nan")

    r = exercises.check_gate(NanGate)
    assert r.status == "wrong" and not r.passed
    assert "forward returned nan" in r.message and "domain=(" in r.message


def test_a_math_domain_error_suggests_the_domain_option():
    class LogGate:
        def forward(self, x):
            self.x = x
            return math.log(x)

        def backward(self, dz):
            return dz / self.x

    r = exercises.check_gate(LogGate)
    assert r.status == "error" and "math domain error" in r.message
    assert "check_gate(LogGate, domain=(0.1, 3.0))" in r.message
    assert exercises.check_gate(LogGate, domain=(0.1, 3.0)).passed


# -- drawing failures ---------------------------------------------------------------------


def test_a_graphviz_error_is_a_short_message(monkeypatch):
    r = exercises.check_gate(MultiplyGate)

    def fail(self):
        raise vg_dot.GraphvizError("Graphviz failed: syntax error in line 3\nmore detail\nand more")

    monkeypatch.setattr(type(r), "draw", fail)
    page = r._repr_html_()
    assert "passed" in page and "<svg" not in page
    assert "no drawing: GraphvizError: Graphviz failed: syntax error in line 3" in page
    assert "Traceback" not in page and "more detail" not in page


def test_a_graphviz_error_while_laying_out_is_a_short_message(monkeypatch):
    from vizgrad.drawing.frames import Frames

    def fail(self, scene, options, template=None):
        raise vg_dot.GraphvizError("Graphviz failed: out of memory\nstack trace follows")

    r = exercises.check_gate(MultiplyGate, name="Fresh")  # its drawing not made yet
    monkeypatch.setattr(Frames, "__init__", fail)
    page = r._repr_html_()
    assert "passed" in page and "no drawing: GraphvizError: Graphviz failed: out of memory" in page
    assert "stack trace" not in page
    net = exercises.draw_net(NetForDrawing([("f", MultiplyGate(), ["x", "y"])]), x=2.0, y=3.0)
    bundle = net._repr_mimebundle_()
    assert bundle["text/plain"] == "(no drawing: GraphvizError: Graphviz failed: out of memory)"
    assert "no drawing" in bundle["text/html"]


class NetForDrawing:
    def __init__(self, nodes):
        self.nodes = nodes

    def forward(self, **inputs):
        self.values = dict(inputs)
        for name, gate, ins in self.nodes:
            self.values[name] = gate.forward(*[self.values[i] for i in ins])
        return self.values[self.nodes[-1][0]]

    def backward(self, dout=1.0):
        grads = {self.nodes[-1][0]: dout}
        for name, gate, ins in reversed(self.nodes):
            for i, d in zip(ins, gate.backward(grads[name]), strict=True):
                grads[i] = grads.get(i, 0.0) + d
        return grads
