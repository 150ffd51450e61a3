"""Running one notebook's code cells in a fresh kernel, under a time limit per cell.

The kernel starts in a folder of its own (the caller's temporary copy), runs every code cell in
order and goes on after a cell that fails, as nbgrader's autograder does. A cell past the time
limit is interrupted; one that does not stop then (it swallowed the interrupt) ends the kernel,
and the cells after it do not run. So does a kernel that dies (``os._exit``, a crash). What a cell
prints or displays is kept up to a limit. The kernel and anything it started are stopped at the
end, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

TEXT_LIMIT = 10_000  # characters of printed text kept per cell
DATA_LIMIT = 2_000_000  # characters of displayed data (HTML, SVG, images) kept per cell
GRACE = 3.0  # seconds a cell has to stop after it is interrupted
START_TIMEOUT = 60.0  # seconds the kernel has to start


@dataclass
class CellRun:
    """What one code cell did: its outputs (nbformat's shape), and whether it ran at all."""

    ran: bool = False
    outputs: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """True when the cell did not run or ended with an error, as nbgrader counts it."""
        return not self.ran or any(o.get("output_type") == "error" for o in self.outputs)


@dataclass
class NotebookRun:
    """Every code cell's :class:`CellRun` (by its index in the notebook), and why the run stopped early."""

    cells: dict[int, CellRun] = field(default_factory=dict)
    stopped: str = ""  # why the cells after some point did not run ("" if they all ran)
    seconds: float = 0.0


class _Collector:
    """A cell's outputs as they arrive, streams merged, each kind kept up to its limit."""

    def __init__(self) -> None:
        self.outputs: list[dict[str, Any]] = []
        self.text = self.data = 0
        self.cut = False

    def add(self, kind: str, content: dict[str, Any]) -> None:
        if kind == "stream":
            self._stream(content.get("name", "stdout"), str(content.get("text", "")))
        elif kind in ("display_data", "execute_result"):
            size = sum(len(str(v)) for v in content.get("data", {}).values())
            if self.data + size > DATA_LIMIT:
                self.cut = True
                return
            self.data += size
            self.outputs.append({"output_type": "display_data", "data": content.get("data", {}),
                                 "metadata": content.get("metadata", {})})
        elif kind == "error":
            self.outputs.append({"output_type": "error", "ename": str(content.get("ename", "")),
                                 "evalue": str(content.get("evalue", ""))[:TEXT_LIMIT],
                                 "traceback": [str(t)[:TEXT_LIMIT] for t in content.get("traceback", [])[:50]]})

    def _stream(self, name: str, text: str) -> None:
        room = TEXT_LIMIT - self.text
        if len(text) > room:
            text, self.cut = text[:max(room, 0)], True
        if not text:
            return
        self.text += len(text)
        last = self.outputs[-1] if self.outputs else None
        if last and last.get("output_type") == "stream" and last.get("name") == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def finish(self) -> list[dict[str, Any]]:
        if self.cut:
            self.outputs.append({"output_type": "stream", "name": "stderr",
                                 "text": f"\n[output cut: only the first {TEXT_LIMIT:,} characters of text "
                                         "and the first displays are kept]\n"})
        return self.outputs


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"  # plots drawn without a screen
    env.pop("JPY_PARENT_PID", None)
    return env


def run_cells(cells: list[dict[str, Any]], workdir: Path, timeout: float, kernel_name: str = "python3",
              stop: threading.Event | None = None) -> NotebookRun:
    """Run the code cells of ``cells`` (a notebook's, as dicts) in a new kernel started in ``workdir``;
    ``stop``, once set, ends the run within half a second (the grader was interrupted)."""
    stop = stop or threading.Event()
    from jupyter_client.manager import KernelManager

    result = NotebookRun()
    start = time.monotonic()
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=str(workdir), env=_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kc = km.client()
    try:
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=START_TIMEOUT)
        except RuntimeError as e:
            result.stopped = f"the kernel did not start ({e})"
            return result
        for k, cell in enumerate(cells):
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            run = _run_cell(km, kc, source, timeout, stop)
            result.cells[k] = run
            if stop.is_set():
                result.stopped = "the grader was interrupted"
            elif not km.is_alive():
                result.stopped = f"the kernel stopped during cell {k + 1} (os._exit, or a crash)"
            elif run.timed_out and not run.ran:
                result.stopped = (f"cell {k + 1} ran past the time limit ({timeout:g} s) and did not stop "
                                  "when interrupted, so the kernel was stopped")
            if result.stopped:
                break
    finally:
        result.seconds = time.monotonic() - start
        _stop(km, kc)
    return result


def _run_cell(km: Any, kc: Any, source: str, timeout: float, stop: threading.Event) -> CellRun:
    """One cell: its outputs until the kernel is idle again, interrupted at ``timeout`` seconds."""
    run, out = CellRun(), _Collector()
    t0 = time.monotonic()
    msg_id = kc.execute(source, store_history=True, allow_stdin=False, stop_on_error=False)
    deadline, interrupted = t0 + timeout, False
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            if interrupted:  # it did not stop: the caller ends the kernel
                out.outputs.append(_timeout_error(timeout))
                break
            interrupted, run.timed_out = True, True
            with contextlib.suppress(Exception):
                km.interrupt_kernel()
            deadline = time.monotonic() + GRACE
            continue
        try:
            msg = kc.get_iopub_msg(timeout=min(left, 0.5))
        except Empty:
            if not km.is_alive():
                break
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg.get("content", {})
        if kind == "status" and content.get("execution_state") == "idle":
            run.ran = True
            break
        if kind == "error" and interrupted and content.get("ename") == "KeyboardInterrupt":
            out.outputs.append(_timeout_error(timeout))
            continue
        out.add(kind, content)
    run.outputs = out.finish()
    run.seconds = time.monotonic() - t0
    if run.timed_out and run.ran and not any(o.get("output_type") == "error" for o in run.outputs):
        run.outputs.append(_timeout_error(timeout))  # stopped, though the code caught the interrupt
    return run


def _timeout_error(timeout: float) -> dict[str, Any]:
    text = f"time limit: the cell ran longer than {timeout:g} s and was stopped"
    return {"output_type": "error", "ename": "TimeoutError", "evalue": text, "traceback": [f"TimeoutError: {text}"]}


def _stop(km: Any, kc: Any) -> None:
    """End the kernel and everything it started (its process group), whatever state it is in."""
    pgid = getattr(getattr(km, "provisioner", None), "pgid", None)
    with contextlib.suppress(Exception):
        kc.stop_channels()
    if pgid and pgid != os.getpgrp() and hasattr(os, "killpg"):  # the kernel's own session, children too
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        km.shutdown_kernel(now=True)
    with contextlib.suppress(Exception):
        km.cleanup_resources()
