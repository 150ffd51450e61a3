"""Time to interrupt a layout: Ctrl-C (SIGINT) during a slow Graphviz layout.

A fresh Python process lays out the graph of an unrolled recurrent net with one
shared weight (52 steps, about 210 nodes: a layout of many seconds with either
engine). The benchmark sends it SIGINT ``t`` seconds after the layout started and
measures the time until the process has ended with KeyboardInterrupt, for the
bundled WebAssembly Graphviz and the system's ``dot``; median of three.

Run from the repository root:  python benchmarks/interrupt.py  (or benchmarks/run.py interrupt)
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from vizgrad.graphviz import engines as dot  # noqa: E402

from _results import save  # noqa: E402  (benchmarks/ is on the path)
STEPS = 52  # a layout of 10 s or more here (46 steps: 5 s; 55: 21 s), so the later Ctrl-C still lands in it
AFTER_S = (1.0, 5.0)
REPEATS = 3

CHILD = f"""
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as a terminal gives it, even if started in the background
import vizgrad as vg
from vizgrad.graphviz import engines as dot
from vizgrad.drawing.layout import dot_source
from vizgrad.drawing.scene import build_scene

w, h = vg.Value(0.5, name="w"), vg.Value(0.0, name="h0")
for t in range({STEPS}):
    h = (h * w + vg.Value(0.1 * t, name=f"x{{t}}")).tanh()
source = dot_source(build_scene(vg.trace(h), 3, ()))
dot.run("digraph {{ a }}", "svg")
print("laying out", flush=True)
try:
    dot.run(source, "json", timeout=600)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    sys.exit(130)
print("finished", flush=True)
"""


def interrupt_once(engine: str, after_s: float, cache: str) -> float:
    """Seconds from SIGINT to the end of a child laying the slow graph out with ``engine``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VIZGRAD_CACHE": cache, "VIZGRAD_GRAPHVIZ": engine}
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        started = child.stdout.readline().strip()
        if started != "laying out":
            raise RuntimeError(f"the {engine} child did not start its layout: {child.stderr.read()}")
        time.sleep(after_s)
        sent = time.perf_counter()
        os.kill(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=600)
        took = time.perf_counter() - sent
    finally:
        child.kill()
        child.wait()
    if out.strip() == "finished":
        raise RuntimeError(f"the {engine} layout finished within {after_s:g} s, before Ctrl-C: make the graph "
                           "slower (STEPS) so that the signal lands in the layout")
    if child.returncode != 130 or out.strip() != "KeyboardInterrupt":
        raise RuntimeError(f"the {engine} child did not end with KeyboardInterrupt: {out!r} {err[-500:]!r}")
    return took


def measure() -> dict:
    engines = [e for e in dot.ENGINES if dot.available(e)]
    out: dict = {"graph": f"unrolled recurrent net, {STEPS} steps, one shared weight", "repeats": REPEATS}
    with tempfile.TemporaryDirectory() as cache:
        for engine in engines:
            for after in AFTER_S:
                times = [interrupt_once(engine, after, cache) for _ in range(REPEATS)]
                out[f"{engine}_sigint_at_{after:g}s"] = {"median_s": statistics.median(times), "all_s": times}
    return out


def main() -> dict:
    r = measure()
    print(f"time to interrupt a layout ({r['graph']}), median of {r['repeats']}:")
    for name, v in r.items():
        if isinstance(v, dict):
            engine, _, at = name.partition("_sigint_at_")
            print(f"  {engine:6s} SIGINT at {at:>3s}: ended {v['median_s']:.2f} s later "
                  f"({', '.join(f'{t:.2f}' for t in v['all_s'])})")
    return save("interrupt", r)


if __name__ == "__main__":
    main()
