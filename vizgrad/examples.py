"""The lecture's example graphs, built and named, ready to trace and draw."""

from __future__ import annotations

import random
from typing import Sequence

from .value import Value


def circuit(x: Value, y: Value, z: Value) -> Value:
    """The lecture's first circuit, ``f = (x + y) z``, on the given inputs (``q = x + y``)."""
    q = x + y
    q.name = "q"
    f = q * z
    f.name = "f"
    return f


def lecture_circuit(x: float = -2.0, y: float = 5.0, z: float = -4.0) -> Value:
    """``f = (x + y) z`` at the lecture's ``x = -2, y = 5, z = -4`` (f = -12)."""
    return circuit(Value(x, name="x"), Value(y, name="y"), Value(z, name="z"))


def sigmoid_circuit(w0: float = 2.0, x0: float = -1.0, w1: float = -3.0, x1: float = -2.0,
                    w2: float = -3.0) -> Value:
    """``f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2)))`` with the lecture's gates (f ≈ 0.73)."""
    w0_, x0_, w1_, x1_, w2_ = (Value(v, name=n) for v, n in
                               [(w0, "w0"), (x0, "x0"), (w1, "w1"), (x1, "x1"), (w2, "w2")])
    s = w0_ * x0_ + w1_ * x1_ + w2_
    s.name = "s"
    f = 1 / (1 + (-1 * s).exp())
    f.name = "f"
    return f


def mlp(sizes: Sequence[int] = (3, 16, 16, 1), seed: int = 0,
        inputs: Sequence[Value] | None = None) -> Value:
    """The scalar graph of a ReLU MLP applied to one input (3→16→16→1: about 1,000 nodes).

    Weights are drawn from ``random.Random(seed)``; so are the inputs unless given.
    """
    rng = random.Random(seed)
    h = list(inputs) if inputs is not None else [
        Value(rng.uniform(-1, 1), name=f"x{i}") for i in range(sizes[0])]
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
        out = []
        for j in range(n_out):
            act = Value(0.0, name=f"b{layer}.{j}")
            for i in range(n_in):
                act = act + Value(rng.uniform(-1, 1), name=f"w{layer}.{j}.{i}") * h[i]
            out.append(act.relu() if layer < len(sizes) - 2 else act)
        h = out
    return h[0]
