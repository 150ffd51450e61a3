"""What the exercises know about particular ops: read from the op table.

A student's gate class is drawn with the label of the op its name says (``MultiplyGate``
→ ``*``), found in :mod:`vizgrad.engine.ops`. :func:`check_net` wires its test graphs from
reference gates (add, mul, sigmoid) whose forward and local gradient are the table's rows.
Only the exercises' own gates that are not single ops (``AddBias``, the softmax loss)
keep a label here.
"""

from __future__ import annotations

from typing import Any

from ...engine import ops

# gates of the exercises that are not one row of the op table, by their lower-case name
_OWN_LABELS = {"addbias": "+b", "softmaxcrossentropy": "softmax-CE", "softmaxce": "softmax-CE"}


def _key(cls: type) -> str:
    key = cls.__name__.lower()
    key = key[:-4] if key.endswith("gate") and len(key) > 4 else key
    return key.replace("_", "")


def default_label(cls: type) -> str:
    """The label a gate class is drawn with: its op's label, else the class's name."""
    key = _key(cls)
    if key in _OWN_LABELS:
        return _OWN_LABELS[key]
    row = ops.find(key)
    return cls.__name__ if row is None else row.label


def reference_for(cls: type, label: str = "") -> Any:
    """vizgrad's own op for a gate: the op drawn as ``label`` (``"*"``), else the one the class's name
    says (``MultiplyGate``); called as an op made by ``as_op`` is (``op(a, b, name=...)``); None
    when the op table has no such op."""
    row = ops.by_label(label) if label else None
    if row is None or row.forward is None or len(row.inputs) > 2 or row.has_constant:
        row = ops.find(_key(cls))
    if row is None or row.forward is None or row.has_constant:
        return None

    def op(*nodes: Any, name: str | None = None) -> Any:
        out = ops.apply(row, *nodes)
        if name is not None:
            out.name = name
        return out

    op.__name__ = f"reference_{row.name}"
    return op


class ReferenceGate:
    """A reference gate for :func:`check_net` (numbers in, a list of gradients out)."""

    def __init__(self, kind: str) -> None:
        self.row = ops.OPS[kind]

    def forward(self, *xs: float) -> float:
        self.xs = tuple(float(x) for x in xs)
        self.y = self.row.forward(*self.xs)
        return self.y

    def backward(self, d: float) -> list[float]:
        return [d * local for local in self.row.local(*self.xs, self.y)]


def reference_op(kind: str, *nodes: Any) -> Any:
    """The table's op ``kind`` applied to vizgrad nodes (the graph the reference checks)."""
    return ops.apply(kind, *nodes)


def reference_label(kind: str) -> str:
    """The label the op table gives op ``kind`` (``kind`` itself if the table has no such op)."""
    row = ops.OPS.get(kind)
    return str(kind) if row is None else row.label
