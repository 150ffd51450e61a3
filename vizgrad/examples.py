"""The lecture's example graphs, built and named, ready to trace and draw."""

from __future__ import annotations

import random
from typing import Sequence

from .engine.value import Value


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


def rnn_cells(steps: int = 20, shared: bool = True, seed: int = 0) -> tuple[Value, tuple]:
    """An unrolled recurrent net ``h_t = tanh(w_h h_{t-1} + w_x x_t + b)`` and one group per
    step (for ``vg.draw(out, groups=..., collapse=True)``: one gate per step).

    With ``shared`` the weights ``w_h``, ``w_x`` and ``b`` are the same three leaves at every
    step (their gradients add up over the steps); otherwise each step has its own copies.
    """
    from .engine.group import group

    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number of at least 1, got {steps!r}")
    rng = random.Random(seed)
    weights = (rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-0.5, 0.5))

    def leaves() -> tuple[Value, Value, Value]:
        return tuple(Value(v, name=n) for v, n in zip(weights, ("w_h", "w_x", "b"), strict=True))

    w_h, w_x, b = leaves()
    h = Value(0.0, name="h0")
    cells = []
    for t in range(1, steps + 1):
        if not shared and t > 1:
            w_h, w_x, b = leaves()
        before = h
        h = (w_h * h + w_x * Value(rng.uniform(-1, 1), name=f"x{t}") + b).tanh()
        h.name = f"h{t}"
        cells.append(group(h, [before], f"step {t}"))
    return h, tuple(cells)


def rnn(steps: int = 20, shared: bool = True, seed: int = 0) -> Value:
    """The last hidden state of :func:`rnn_cells`: about 6 nodes per step."""
    return rnn_cells(steps, shared, seed)[0]
