"""Memory of ``vg.trace`` versus the backward pass it records.

A chain of matrix products ``x @ W1 @ ... @ WL`` (n × n arrays), summed to one number.
Each measurement runs in a fresh Python process and reports its peak resident memory
(``ru_maxrss``): the forward pass alone, forward + ``out.backward()``, and forward +
``vg.trace(out)``. The trace keeps every step of the pass, so it may hold more than
the backward pass; the target is a peak at most 1.5× the backward pass's.

The default size (10 layers of 1000 × 1000, 8 MB per array) suits a shared machine;
``VIZGRAD_BENCH_TRACE_N`` and ``VIZGRAD_BENCH_TRACE_LAYERS`` change it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from _results import save  # noqa: E402  (benchmarks/ is on the path)
ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5

CHILD = """
import resource, sys
import numpy as np
import vizgrad as vg
n, layers, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(0)
h = vg.Tensor(rng.standard_normal((n, n)) / n, name="x")
for k in range(layers):
    h = h @ vg.Tensor(rng.standard_normal((n, n)) / np.sqrt(n), name=f"W{k + 1}")
out = h.sum()
if mode == "backward":
    out.backward()
elif mode == "trace":
    tr = vg.trace(out)
    assert len(tr) == 2 * len(tr.nodes)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def peak_bytes(n: int, layers: int, mode: str) -> int:
    """The peak resident memory of a fresh process that builds the chain, then runs ``mode``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", CHILD, str(n), str(layers), mode], env=env,
                          capture_output=True, text=True, check=True, timeout=600)
    return int(done.stdout.split()[-1])


def measure(n: int, layers: int) -> dict:
    peaks = {mode: peak_bytes(n, layers, mode) for mode in ("forward", "backward", "trace")}
    return {
        "n": n,
        "layers": layers,
        "array_mb": n * n * 8 / 1e6,
        "peak_forward_mb": peaks["forward"] / 1e6,
        "peak_backward_mb": peaks["backward"] / 1e6,
        "peak_trace_mb": peaks["trace"] / 1e6,
        "trace_vs_backward": peaks["trace"] / peaks["backward"],
        # what each adds on top of the forward pass (the graph both start from)
        "extra_trace_vs_extra_backward": (peaks["trace"] - peaks["forward"])
        / max(1, peaks["backward"] - peaks["forward"]),
    }


def main() -> None:
    n = int(os.environ.get("VIZGRAD_BENCH_TRACE_N", "1000"))
    layers = int(os.environ.get("VIZGRAD_BENCH_TRACE_LAYERS", "10"))
    r = measure(n, layers)
    print(f"chain of {layers} matmuls, {n}×{n} ({r['array_mb']:.0f} MB per array), peak resident memory:")
    print(f"  forward only        {r['peak_forward_mb']:8.0f} MB")
    print(f"  forward + backward  {r['peak_backward_mb']:8.0f} MB")
    print(f"  forward + vg.trace  {r['peak_trace_mb']:8.0f} MB")
    print(f"  trace / backward    {r['trace_vs_backward']:8.2f}×  (target ≤ {TARGET}×)")
    print(f"  (beyond the forward pass: trace adds {r['extra_trace_vs_extra_backward']:.2f}× what backward adds)")
    return save("trace_memory", r)


if __name__ == "__main__":
    main()
