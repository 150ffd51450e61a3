"""The two ways of running Graphviz: the bundled WebAssembly build and the system's `dot`.

On the scalar graph of a ReLU MLP 3→16→16→1 (about 1,000 nodes, the same graph as
benchmarks/rendering.py), with every text at its longest:
- one layout (JSON, what vizgrad.frames reads) and one SVG render, per engine,
  interleaved, fastest of three;
- the start-up cost of the WebAssembly build in a fresh process: compiling the
  module (empty cache) versus loading the cached machine code.

Run from the repository root:  python benchmarks/run.py graphviz_engines
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import vizgrad as vg  # noqa: E402
from vizgrad.graphviz import engines as dot  # noqa: E402
from vizgrad.examples import mlp  # noqa: E402
from vizgrad.drawing.layout import dot_source  # noqa: E402
from vizgrad.drawing.scene import build_scene  # noqa: E402

from _results import save  # noqa: E402  (benchmarks/ is on the path)

START = """
import time
from vizgrad.graphviz import engines as dot
t0 = time.perf_counter()
dot.run("digraph { a -> b }", "svg", engine="wasm")
print(time.perf_counter() - t0)
"""


def _first_render_s(cache: str) -> float:
    env = {**os.environ, "VIZGRAD_CACHE": cache}
    subprocess.run([sys.executable, "-c", "import vizgrad"], env=env, check=True)  # warm the disk cache
    done = subprocess.run([sys.executable, "-c", START], env=env, capture_output=True,
                          text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def measure(repeats: int = 3) -> dict:
    source = dot_source(build_scene(vg.trace(mlp()), 3, ()))
    engines = [e for e in dot.ENGINES if dot.available(e)]
    out: dict = {"nodes": source.count("shape="), "dot_source_chars": len(source),
                 "graphviz_versions": {e: dot.version(e) for e in engines}}
    for fmt in ("json", "svg"):
        best = {e: float("inf") for e in engines}
        for _ in range(repeats):
            for e in engines:
                t0 = time.perf_counter()
                dot.run(source, fmt, engine=e)
                best[e] = min(best[e], time.perf_counter() - t0)
        out[f"{fmt}_s"] = best
    if "wasm" in engines:
        with tempfile.TemporaryDirectory() as cache:
            out["wasm_first_render_empty_cache_s"] = _first_render_s(cache)
            out["wasm_first_render_cached_s"] = _first_render_s(cache)
    return out


def main() -> dict:
    r = measure()
    print(f"graphviz engines: MLP graph, {r['nodes']} nodes; versions {r['graphviz_versions']}")
    for fmt in ("json", "svg"):
        print(f"  {fmt:4s} " + "   ".join(f"{e} {t:.2f} s" for e, t in r[f"{fmt}_s"].items()))
    if "wasm_first_render_cached_s" in r:
        print(f"  wasm start-up: {r['wasm_first_render_empty_cache_s']:.2f} s compiling, "
              f"{r['wasm_first_render_cached_s'] * 1000:.0f} ms from the cache")
    return save("graphviz_engines", r)


if __name__ == "__main__":
    main()
