"""Tracing another engine's backward pass versus running it plainly.

PyTorch: a two-layer net (``Linear(32, 64)``, ``ReLU``, ``Linear(64, 10)``, cross-entropy) on a
batch of 64, in float32 on one thread. Each repetition builds the graph afresh and times only
the backward part: ``loss.backward()`` against ``vg.trace(loss)`` (torch's backward run with a
hook on every node, the gradients copied out, the graph mirrored as a Trace). micrograd: the
same comparison for ``MLP(3, [4, 4, 1])`` on the videos' four examples. The ratio is reported;
the trace is a teaching tool, run once per drawing, not once per training step.

Before timing, the trace's gradients are checked against what ``loss.backward()`` gives.
"""

from __future__ import annotations

import random
import time

import numpy as np

import vizgrad as vg
from _results import save, stats  # noqa: E402  (benchmarks/ is on the path)

REPEATS = 30


def timed(build, run) -> list[float]:
    """Milliseconds of ``run(graph)`` for ``REPEATS`` fresh graphs (``build()``)."""
    times = []
    for _ in range(REPEATS):
        graph = build()
        t0 = time.perf_counter()
        run(graph)
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def torch_mlp() -> dict:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    x, y = torch.randn(64, 32), torch.randint(0, 10, (64,))

    def build():
        net.zero_grad(set_to_none=True)
        return F.cross_entropy(net(x), y)

    loss = build()
    t = vg.trace(loss)
    loss.backward()
    for p in net.parameters():
        assert np.allclose(t.grad(p), p.grad.numpy(), rtol=1e-6, atol=1e-7), "trace and backward differ"
    backward = stats(timed(build, lambda loss: loss.backward()))
    traced = stats(timed(build, vg.trace))
    return {"graph": "Linear(32, 64), ReLU, Linear(64, 10), cross-entropy; batch 64, float32, 1 thread",
            "nodes": len(t.nodes), "backward": backward, "trace": traced,
            "trace_vs_backward": traced["median_ms"] / backward["median_ms"]}


def micrograd_mlp() -> dict:
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(1337)
    model = MLP(3, [4, 4, 1])
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]

    def build():
        model.zero_grad()
        return sum(((model(x) - y) ** 2 for x, y in zip(xs, ys, strict=True)), Value(0.0))

    loss = build()
    t = vg.trace(loss)
    loss.backward()
    assert [t.grad(p) for p in model.parameters()] == [p.grad for p in model.parameters()], "trace and backward differ"
    backward = stats(timed(build, lambda loss: loss.backward()))
    traced = stats(timed(build, vg.trace))
    return {"graph": "micrograd MLP(3, [4, 4, 1]) on 4 examples", "nodes": len(t.nodes), "backward": backward,
            "trace": traced, "trace_vs_backward": traced["median_ms"] / backward["median_ms"]}


def main() -> dict:
    results = {}
    for name, run in (("torch_mlp", torch_mlp), ("micrograd_mlp", micrograd_mlp)):
        try:
            r = run()
        except ImportError as e:
            print(f"{name}: skipped ({e}; pip install 'vizgrad-edu[torch]')")
            continue
        results[name] = r
        print(f"{name}: {r['graph']}, {r['nodes']} nodes: backward {r['backward']['median_ms']:.2f} ms, "
              f"trace {r['trace']['median_ms']:.2f} ms (median of {REPEATS}): "
              f"trace / backward = {r['trace_vs_backward']:.1f}x")
    return save("torch_trace", results)


if __name__ == "__main__":
    main()
