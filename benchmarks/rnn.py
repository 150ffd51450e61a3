"""Laying out an unrolled recurrent net whose weights are shared by every step.

``vizgrad.examples.rnn(steps)``: h_t = tanh(w_h h_{t-1} + w_x x_t + b) with the same three
leaves w_h, w_x, b at every step (about 6 nodes per step). Drawn as one node with a fork
of ``steps`` branches, each shared leaf ties the whole graph together and Graphviz's layout
grows steeply (9 s at 20 steps, over 2 minutes at 50); vizgrad draws a leaf used more than
``scene.COPIES_OVER`` times once per use. Measured: vizgrad.frames (the one layout and every
frame) at 20, 50, 100 and 200 steps, and the same net collapsed into one gate per step.
Graphviz runs as vizgrad is set to (VIZGRAD_GRAPHVIZ=wasm or native).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import vizgrad as vg
from vizgrad.graphviz import engines as dot
from vizgrad.examples import rnn_cells

RESULTS = Path(__file__).resolve().parent / "results"
STEPS = (20, 50, 100, 200)
TARGET_S = 3.0  # 50 steps


def timed(fn, repeats: int = 2) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def measure() -> dict:
    rows = []
    for steps in STEPS:
        out, cells = rnn_cells(steps)
        t_full, fr = timed(lambda out=out: vg.frames(out))
        w_h = next(n for n in fr.trace.nodes if n.name == "w_h")
        step = fr.trace.backward_step(w_h)  # gradients add up over the steps
        assert math.isclose(step.upstream, sum(e.contribution for e in step.sources), rel_tol=1e-9, abs_tol=1e-12)
        t_coll, coll = timed(lambda out=out, cells=cells: vg.frames(out, groups=cells, collapse=True))
        rows.append({"steps": steps, "nodes": len(fr.trace.nodes), "frames_s": t_full,
                     "collapsed_nodes": len(coll.trace.nodes), "collapsed_frames_s": t_coll})
    return {"graphviz": f"{dot.graphviz_engine()} (Graphviz {dot.version()})", "rows": rows}


def main() -> dict:
    r = measure()
    print(f"rnn: unrolled recurrent net, weights shared by every step; {r['graphviz']}")
    print(f"  {'steps':>5} {'nodes':>6} {'frames':>9} {'collapsed nodes':>16} {'frames':>9}")
    for row in r["rows"]:
        mark = f"   (target ≤ {TARGET_S:g} s)" if row["steps"] == 50 else ""
        print(f"  {row['steps']:>5} {row['nodes']:>6} {row['frames_s']:>8.2f}s {row['collapsed_nodes']:>16} "
              f"{row['collapsed_frames_s']:>8.2f}s{mark}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rnn.json").write_text(json.dumps(r, indent=2))
    return r


if __name__ == "__main__":
    main()
