"""Everything the exercises know about particular ops, in one place.

TO RE-POINT: this is the exercises' only op-specific knowledge (a gate's label in
drawings, and the reference gates add / mul / sigmoid that :func:`check_net` wires
its test graphs from: forward, local gradient, label). When :mod:`vizgrad.ops` (one
row per op: label, forward, local gradient, caption verb) exists, ``_LABELS``,
``_REF_OPS``, ``_REF_LABEL`` and ``_Ref`` can be read from its rows; the rest of the
exercises use only the names defined here.
"""

from __future__ import annotations

import math

_LABELS = {"multiply": "*", "mul": "*", "mult": "*", "add": "+", "plus": "+", "max": "max",
           "sigmoid": "σ", "relu": "relu", "matmul": "@", "matmult": "@", "exp": "exp",
           "addbias": "+b", "softmaxcrossentropy": "softmax-CE", "softmaxce": "softmax-CE"}


def _default_label(cls: type) -> str:
    key = cls.__name__.lower()
    key = key[:-4] if key.endswith("gate") and len(key) > 4 else key
    return _LABELS.get(key.replace("_", ""), cls.__name__)

class _Ref:
    """A reference gate for :func:`check_net` (lists in, list out)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def forward(self, *xs: float) -> float:
        self.xs = [float(x) for x in xs]
        a = self.xs
        if self.kind == "add":
            return a[0] + a[1]
        if self.kind == "mul":
            return a[0] * a[1]
        self.s = 1.0 / (1.0 + math.exp(-a[0]))
        return self.s

    def backward(self, d: float) -> list[float]:
        a = self.xs
        if self.kind == "add":
            return [d, d]
        if self.kind == "mul":
            return [a[1] * d, a[0] * d]
        return [self.s * (1.0 - self.s) * d]


_REF_OPS = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "sigmoid": lambda a: a.sigmoid()}
_REF_LABEL = {"add": "+", "mul": "*", "sigmoid": "σ"}

