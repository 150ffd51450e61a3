"""Frames from one layout versus redrawing with Graphviz at every step.

On the scalar graph of a ReLU MLP 3→16→16→1 applied to one input (about 1,000 nodes):
- building every frame (vizgrad.frames) versus one `dot` render of the final graph;
- the bytes of all frames (one drawing plus per-step changes) versus one SVG of the final graph;
- producing all frames versus the naive way, a `dot` render per step (measured on a few
  steps and extrapolated), as micrograd's draw_dot would have to.
Graphviz runs as vizgrad is set to (VIZGRAD_GRAPHVIZ=wasm or native).
"""

from __future__ import annotations

import statistics
import time

import vizgrad as vg
from vizgrad.graphviz import engines as dot
from vizgrad.examples import mlp as mlp_graph

from _results import save  # noqa: E402  (benchmarks/ is on the path)


def timed(fn, repeats: int = 3) -> tuple[float, object]:
    """The fastest of ``repeats`` runs (the least disturbed, on a shared machine) and the result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def measure(repeats: int = 3, naive_steps: int = 3) -> dict:
    tr = vg.trace(mlp_graph())
    final = vg.draw(tr).source  # Graphviz renders the DOT itself, as a redraw per step would
    t_dot, t_frames = float("inf"), float("inf")
    for _ in range(repeats):  # interleaved, so both see the same machine
        t, final_svg = timed(lambda: dot.run(final, "svg"), 1)
        t_dot = min(t_dot, t)
        t, fr = timed(lambda: vg.frames(tr), 1)
        t_frames = min(t_frames, t)
    t_one, _ = timed(lambda: fr.svg(len(fr) // 2), repeats)
    probe = [len(fr) * (i + 1) // (naive_steps + 1) for i in range(naive_steps)]
    t_naive_step = statistics.median(timed(lambda k=k: dot.run(vg.draw(tr, step=k).source, "svg"), 1)[0]
                                     for k in probe)
    t_naive = t_naive_step * len(fr)
    return {
        "graphviz": f"{dot.graphviz_engine()} (Graphviz {dot.version()})",
        "nodes": len(tr.nodes),
        "steps": len(fr),
        "dot_render_final_s": t_dot,
        "frames_build_s": t_frames,
        "frames_vs_one_render": t_frames / t_dot,
        "one_frame_svg_ms": t_one * 1e3,
        "final_svg_bytes": len(final_svg),
        "frames_bytes": fr.nbytes,
        "bytes_ratio": fr.nbytes / len(final_svg),
        "naive_per_step_s": t_naive_step,
        "naive_all_steps_s (extrapolated)": t_naive,
        "speedup_vs_naive": t_naive / t_frames,
    }


def main() -> dict:
    r = measure()
    print(f"rendering: MLP 3→16→16→1 scalar graph, {r['nodes']} nodes, {r['steps']} steps; {r['graphviz']}")
    print(f"  one dot render of the final graph   {r['dot_render_final_s']:8.2f} s")
    print(f"  vizgrad.frames (all steps)          {r['frames_build_s']:8.2f} s   "
          f"ratio {r['frames_vs_one_render']:.2f} (target ≤ 1.5)")
    print(f"  one frame's SVG from the frames     {r['one_frame_svg_ms']:8.1f} ms")
    print(f"  bytes: frames {r['frames_bytes']:,} vs one SVG {r['final_svg_bytes']:,}   "
          f"ratio {r['bytes_ratio']:.2f} (target ≤ 2)")
    print(f"  naive: dot per step {r['naive_per_step_s']:.2f} s × {r['steps']} = "
          f"{r['naive_all_steps_s (extrapolated)']:.0f} s"
          f"   speed-up {r['speedup_vs_naive']:.0f}× (target ≥ 100)")
    return save("rendering", r)


if __name__ == "__main__":
    main()
