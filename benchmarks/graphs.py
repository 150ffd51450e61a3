"""Graphs the benchmarks share."""

from __future__ import annotations

import random

import vizgrad as vg


def mlp_graph(sizes: tuple[int, ...] = (3, 16, 16, 1), seed: int = 0) -> vg.Value:
    """The scalar graph of a ReLU MLP applied to one input (3→16→16→1: about 1,000 nodes)."""
    rng = random.Random(seed)
    h = [vg.Value(rng.uniform(-1, 1), name=f"x{i}") for i in range(sizes[0])]
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        out = []
        for j in range(n_out):
            act = vg.Value(0.0, name=f"b{layer}.{j}")
            for i in range(n_in):
                act = act + vg.Value(rng.uniform(-1, 1), name=f"w{layer}.{j}.{i}") * h[i]
            out.append(act.relu() if layer < len(sizes) - 2 else act)
        h = out
    h[0].name = "out"
    return h[0]
