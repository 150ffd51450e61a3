"""Student code runs under limits, in this process, on the student's own objects.

* a time limit per call (:data:`vizgrad.exercises.TIME_LIMIT` seconds by default, or a
  check's ``time_limit=``): on the main thread a timer (``signal.setitimer``) raises
  inside the student's code, so even ``time.sleep`` or ``while True: pass`` stops; on
  another thread the code runs in a helper thread that is abandoned (and asked to stop)
  when time is up. The check then ends with a message naming the gate and the line it
  was running, rather than trying the next point; in the browser (Pyodide), which has
  neither the timer nor threads, a trace function looks at the clock at every line of
  Python (so a loop stops, but a single long call such as ``time.sleep`` runs to its end);
* its printed output (stdout and stderr) is captured, and the first few thousand
  characters are shown after the check, saying how much was cut;
* every exception it raises, ``SystemExit`` and other ``BaseException``\\ s included,
  becomes feedback; a real Ctrl-C (SIGINT, the notebook's Interrupt) still interrupts.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import math
import signal
import sys
import threading
import time
import traceback
from typing import Any, Callable, Iterator

from ._support.result import StopCheck
from ._support.where import StudentRaised, is_cell, is_internal, student_line

DEFAULT_TIME_LIMIT = 3.0  # seconds per call; vizgrad.exercises.TIME_LIMIT overrides it
OUTPUT_LIMIT = 4000  # characters of the student's printed output shown per check
_REPEAT = 0.2  # after the first stop, stop again this often (code that swallowed the first)


class _Expired(BaseException):
    """Raised inside the student's code when its time is up (a BaseException: ``except Exception`` keeps out)."""


class TimedOut(StopCheck):
    """The student's code ran past the time limit and was stopped; the check ends here."""

    def __init__(self, what: str, seconds: float, where: str = "", check: str = "") -> None:
        at = f"\nIt was stopped at {where}." if where else ""
        more = f"{max(2 * seconds, 10):g}"
        how = f"{check}(..., time_limit={more})" if check else f"time_limit={more} (seconds) in the check's call"
        super().__init__(
            "error",
            f"{what} did not finish within {seconds:g} s (the time limit) and was stopped.{at}\n"
            "Hint: look for a loop that never ends (a while loop whose condition never becomes false, "
            f"or a loop that calls itself). If your code is only slow, give it more time: {how}.")
        self.what, self.seconds, self.where = what, seconds, where


def is_control(exc: BaseException) -> bool:
    """True for what must pass through the student's code untouched: interrupts and time-ups."""
    return isinstance(exc, (KeyboardInterrupt, _Expired))


def default_time_limit() -> float:
    """``vizgrad.exercises.TIME_LIMIT`` (settable), else :data:`DEFAULT_TIME_LIMIT`."""
    package = sys.modules.get(__name__.rpartition(".")[0])
    return float(getattr(package, "TIME_LIMIT", DEFAULT_TIME_LIMIT))


class _Capture(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters written to it and counts the rest."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit, self.kept, self.total, self.muted = limit, io.StringIO(), 0, 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        s = str(s)
        if not self.muted:
            room = self.limit - self.total
            if room > 0:
                self.kept.write(s[:room])
            self.total += len(s)
        return len(s)

    def report(self) -> str:
        """The output kept, and a line saying how much was cut ("" when nothing was printed)."""
        text = self.kept.getvalue()
        cut = self.total - len(text)
        if cut > 0:
            text += (f"{'' if text.endswith(chr(10)) else chr(10)}[... {cut:,} more characters of output were cut: "
                     f"only the first {self.limit:,} are shown]\n")
        return text


class Limits:
    """The limits of one check: ``with Limits(3.0):`` then :func:`call` the student's code."""

    def __init__(self, time_limit: float | None = None, output_limit: int = OUTPUT_LIMIT, check: str = "") -> None:
        limit = default_time_limit() if time_limit is None else time_limit
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or math.isnan(limit) or limit <= 0:
            raise ValueError(f"time_limit must be a positive number of seconds (or math.inf), got {limit!r}")
        self.time_limit = float(limit)
        self.capture = _Capture(output_limit)
        self.check = check  # the check's name, for advice: "check_gate"
        self._depth = 0

    def __enter__(self) -> Limits:
        self._streams = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.capture  # type: ignore[assignment]
        _active.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _active.remove(self)
        sys.stdout, sys.stderr = self._streams
        text = self.capture.report()
        if text:
            sys.stdout.write(text)

    def call(self, what: str, fn: Callable[..., Any], /, *args: Any, **kw: Any) -> Any:
        """``fn(*args, **kw)`` under the time limit; see :func:`call`."""
        if self._depth:  # student code calling student code: the outer limit holds
            return fn(*args, **kw)
        self._depth += 1
        try:
            if math.isinf(self.time_limit):
                return _plain(fn, args, kw)
            if sys.platform == "emscripten":
                return _by_tracing(what, self.time_limit, fn, args, kw)
            if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
                return _on_main_thread(what, self.time_limit, fn, args, kw)
            return _on_helper_thread(what, self.time_limit, fn, args, kw)
        except TimedOut as e:
            raise TimedOut(e.what, e.seconds, e.where, self.check) from None
        finally:
            self._depth -= 1


_active: list[Limits] = []


def call(what: str, fn: Callable[..., Any], /, *args: Any, **kw: Any) -> Any:
    """Call the student's ``fn`` (``what`` names it: ``"MultiplyGate.backward"``) under the current limits.

    Returns what it returns, or raises what it raised when that is an ``Exception``; any
    other ``BaseException`` (``SystemExit``, a ``KeyboardInterrupt`` it raised itself)
    comes back as :class:`StudentRaised`; past the time limit, :class:`TimedOut`. A real
    Ctrl-C is re-raised as it is. Outside a check (no :class:`Limits` active) the default
    time limit applies, without output capture.
    """
    limits = _active[-1] if _active else Limits()
    return limits.call(what, fn, *args, **kw)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Output printed inside is dropped (e.g. a forward called again for every numerical derivative)."""
    capture = _active[-1].capture if _active else None
    if capture is None:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
        return
    capture.muted += 1
    try:
        yield
    finally:
        capture.muted -= 1


def _plain(fn: Callable[..., Any], args: tuple, kw: dict) -> Any:
    """``fn(*args, **kw)``; a BaseException it raises that is not an interrupt or a time-up becomes StudentRaised."""
    try:
        return fn(*args, **kw)
    except Exception:
        raise
    except BaseException as e:
        if is_control(e):
            raise
        raise StudentRaised(e) from None


def _on_main_thread(what: str, seconds: float, fn: Callable[..., Any], args: tuple, kw: dict) -> Any:
    state = {"running": True, "expired": False, "interrupted": False}

    def on_alarm(signum: int, frame: Any) -> None:
        if state["running"]:
            state["expired"] = True
            raise _Expired()

    old_int = signal.getsignal(signal.SIGINT)

    def on_int(signum: int, frame: Any) -> None:  # a real Ctrl-C: remember it was real, then as before
        state["interrupted"] = True
        if callable(old_int):
            old_int(signum, frame)
        raise KeyboardInterrupt

    old_alarm = signal.signal(signal.SIGALRM, on_alarm)
    if callable(old_int):
        signal.signal(signal.SIGINT, on_int)
    expired: _Expired | None = None
    start = time.monotonic()
    outer = (0.0, 0.0)  # a timer someone else had set (pytest-timeout, ...): set again afterwards
    try:
        outer = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
        try:
            try:
                result = fn(*args, **kw)
            finally:
                state["running"] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
        except _Expired as e:
            expired = e
        except KeyboardInterrupt as e:
            if state["interrupted"]:
                raise
            raise StudentRaised(e) from None
        except Exception:
            raise
        except BaseException as e:
            raise StudentRaised(e) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_alarm)
        if callable(old_int):
            signal.signal(signal.SIGINT, old_int)
        if outer[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, max(outer[0] - (time.monotonic() - start), 1e-3), outer[1])
    if expired is not None or state["expired"]:
        raise TimedOut(what, seconds, student_line(expired) if expired is not None else "")
    return result


def _by_tracing(what: str, seconds: float, fn: Callable[..., Any], args: tuple, kw: dict) -> Any:
    """No timer signal and no threads (Pyodide): a trace function checks the clock at every line of Python."""
    deadline = time.monotonic() + seconds
    outer = sys.gettrace()

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise _Expired()
        return tracer

    sys.settrace(tracer)
    try:
        try:
            result = _plain(fn, args, kw)
        finally:
            sys.settrace(outer)
    except _Expired as e:
        raise TimedOut(what, seconds, student_line(e)) from None
    return result


def _on_helper_thread(what: str, seconds: float, fn: Callable[..., Any], args: tuple, kw: dict) -> Any:
    """Off the main thread there is no timer signal: run in a helper thread and stop waiting when time is up."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn(*args, **kw)
        except BaseException as e:  # handed to the caller below
            box["error"] = e

    worker = threading.Thread(target=run, name=f"vizgrad: {what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        where = _where_running(worker)
        # ask it to stop at its next Python instruction (a blocking call finishes first)
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(_Expired))
        worker.join(0.1)
        raise TimedOut(what, seconds, where)
    error = box.get("error")
    if error is None:
        return box.get("result")
    if isinstance(error, _Expired):
        raise TimedOut(what, seconds, student_line(error))
    if isinstance(error, Exception):
        raise error
    raise StudentRaised(error)


def _where_running(thread: threading.Thread) -> str:
    """``line N of your cell: code`` for the line of the student's code ``thread`` is running."""
    frame = sys._current_frames().get(thread.ident or -1)
    if frame is None:
        return ""
    mine = [f for f in traceback.extract_stack(frame) if not is_internal(f.filename)]
    if not mine:
        return ""
    f = mine[-1]
    place = "your cell" if is_cell(f.filename) else f.filename.rsplit("/", 1)[-1]
    return f"line {f.lineno} of {place}" + (f": {f.line.strip()}" if f.line else "")
