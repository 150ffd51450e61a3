"""The scalar engine: :class:`Value`, one number in a computational graph.

Every op computes its forward value and, right beside it, its *local gradient*:
the derivative of its output with respect to each of its inputs, evaluated at the
forward values (the lecture's "staged computation": we cache what backward needs).
The backward pass then only multiplies: ``contribution = upstream × local``.

A Python number used with a Value becomes part of the gate, as in the lecture's
drawings: ``x + 1`` is one ``+1`` gate, ``-1 * x`` a ``*-1`` gate, ``1 / x`` a ``1/x`` gate.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from .graph import topological_order

Number = int | float


def _num(c: float) -> str:
    """A constant as it appears in a gate's label: ``1``, ``-1``, ``0.5``."""
    return f"{c:g}"


def _div(a: float, b: float) -> float:
    """``a / b`` with IEEE results (inf, nan) instead of ZeroDivisionError."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _pow(a: float, n: float) -> float:
    """``a ** n`` as numpy computes it: nan for a complex result, inf on overflow."""
    try:
        r = a**n
    except ZeroDivisionError:  # 0 ** negative
        return math.inf
    except OverflowError:  # too large: ±inf, or nan for a negative base's fractional power
        if a < 0 and not n.is_integer():
            return math.nan
        return -math.inf if a < 0 and n % 2 == 1 else math.inf
    return math.nan if isinstance(r, complex) else float(r)


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def _log(a: float) -> float:
    if a > 0:
        return math.log(a)
    return -math.inf if a == 0 else math.nan


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _node(data: float, op: str, inputs: tuple["Value", ...], local: tuple[float, ...]) -> "Value":
    """A new node made by ``op`` from ``inputs``, with d node / d input for each."""
    out = Value.__new__(Value)
    out.data, out.grad, out.name, out.op, out.inputs, out._local = data, 0.0, None, op, inputs, local
    return out


class Value:
    """A scalar node: its value ``data``, its gradient ``grad``, and how it was made.

    >>> x, y, z = Value(-2.0, name="x"), Value(5.0, name="y"), Value(-4.0, name="z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)
    """

    __slots__ = ("data", "grad", "name", "op", "inputs", "_local")

    def __init__(
        self,
        data: Number,
        name: str | None = None,
        *,
        _op: str = "",
        _inputs: tuple["Value", ...] = (),
        _local: tuple[float, ...] = (),
    ) -> None:
        if isinstance(data, Value):
            raise TypeError("Value(...) takes a number, not another Value: use the Value itself")
        if not isinstance(data, Real):
            if type(data).__module__ == "numpy" and getattr(data, "shape", None) == ():
                data = data.item()  # a numpy scalar is fine
            else:
                raise TypeError(
                    f"Value(...) takes a real number, got {type(data).__name__}: "
                    "use vizgrad.Tensor for arrays"
                )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.name = name
        self.op = _op  # "" for a leaf (an input you made yourself)
        self.inputs = _inputs  # in order: no sets, so drawings are reproducible
        self._local = _local  # d self / d input, for each input, at the forward values

    # -- building the graph ------------------------------------------------------

    @staticmethod
    def _gate(data: float, op: str, *pairs: tuple["Value", float]) -> "Value":
        """A new node made by ``op`` from ``(input, local gradient)`` pairs."""
        return _node(data, op, tuple(v for v, _ in pairs), tuple(d for _, d in pairs))

    def _other(self, other: Any, symbol: str) -> "Value | float":
        kind = type(other)
        if kind is Value:
            return other
        if kind is float or kind is int:
            return float(other)
        if isinstance(other, Value):
            return other
        if isinstance(other, Real) and not isinstance(other, bool):
            return float(other)
        if type(other).__module__ == "numpy" and getattr(other, "shape", None) == ():
            return float(other)
        from .tensor import Tensor

        if isinstance(other, Tensor):
            raise TypeError(
                f"cannot combine a Value with a Tensor using {symbol!r}: "
                "use Tensors throughout (Tensor(x.data) turns a Value's number into a Tensor)"
            )
        raise TypeError(
            f"unsupported operand for {symbol!r}: Value and {type(other).__name__} "
            "(a Value combines with another Value or a Python number)"
        )

    def __add__(self, other: "Value | Number") -> "Value":
        o = other if type(other) is Value else self._other(other, "+")
        if isinstance(o, Value):  # the add gate passes its upstream gradient to both inputs
            return _node(self.data + o.data, "+", (self, o), (1.0, 1.0))
        label = "+" + _num(o) if o >= 0 else "-" + _num(-o)
        return self._gate(self.data + o, label, (self, 1.0))

    def __radd__(self, other: Number) -> "Value":
        return self + other

    def __sub__(self, other: "Value | Number") -> "Value":
        o = self._other(other, "-")
        if isinstance(o, Value):
            return self._gate(self.data - o.data, "-", (self, 1.0), (o, -1.0))
        return self + (-o)

    def __rsub__(self, other: Number) -> "Value":
        c = self._other(other, "-")
        return self._gate(c - self.data, _num(c) + "-x", (self, -1.0))

    def __mul__(self, other: "Value | Number") -> "Value":
        o = other if type(other) is Value else self._other(other, "*")
        if isinstance(o, Value):  # the multiply gate swaps its inputs' values
            return _node(self.data * o.data, "*", (self, o), (o.data, self.data))
        return self._gate(self.data * o, "*" + _num(o), (self, o))

    def __rmul__(self, other: Number) -> "Value":
        return self * other

    def __truediv__(self, other: "Value | Number") -> "Value":
        o = self._other(other, "/")
        if isinstance(o, Value):
            inv = _div(1.0, o.data)
            return self._gate(
                _div(self.data, o.data), "/", (self, inv), (o, -self.data * inv * inv)
            )
        return self._gate(_div(self.data, o), "/" + _num(o), (self, _div(1.0, o)))

    def __rtruediv__(self, other: Number) -> "Value":
        c = self._other(other, "/")
        inv = _div(1.0, self.data)
        return self._gate(c * inv, _num(c) + "/x", (self, -c * inv * inv))

    def __pow__(self, n: Number) -> "Value":
        if isinstance(n, Value):
            raise TypeError(
                "the exponent of ** must be a number, not a Value: "
                "for a variable exponent write (b.log() * n).exp()"
            )
        if not isinstance(n, Real) or isinstance(n, bool):
            raise TypeError(f"the exponent of ** must be a number, got {type(n).__name__}")
        n = float(n)
        return self._gate(_pow(self.data, n), "**" + _num(n), (self, n * _pow(self.data, n - 1)))

    def __rpow__(self, other: Any) -> "Value":
        raise TypeError(
            "a Value cannot be an exponent: for c ** x write (x * math.log(c)).exp()"
        )

    def __neg__(self) -> "Value":
        return self._gate(-self.data, "-x", (self, -1.0))

    def __pos__(self) -> "Value":
        return self

    def exp(self) -> "Value":
        out = _exp(self.data)
        return self._gate(out, "exp", (self, out))  # d/dx e^x = e^x

    def log(self) -> "Value":
        return self._gate(_log(self.data), "log", (self, _div(1.0, self.data)))

    def tanh(self) -> "Value":
        t = math.tanh(self.data)
        return self._gate(t, "tanh", (self, 1.0 - t * t))

    def sigmoid(self) -> "Value":
        s = _sigmoid(self.data)
        return self._gate(s, "σ", (self, s * (1.0 - s)))  # the lecture's σ(1-σ)

    def relu(self) -> "Value":
        x = self.data
        return self._gate(x if x > 0 else 0.0, "relu", (self, 1.0 if x > 0 else 0.0))

    def max(self, other: "Value | Number") -> "Value":
        """The max gate: routes the whole gradient to the larger input (the first on a tie)."""
        o = self._other(other, "max")
        if isinstance(o, Value):
            first = self.data >= o.data
            return self._gate(
                self.data if first else o.data,
                "max",
                (self, 1.0 if first else 0.0),
                (o, 0.0 if first else 1.0),
            )
        first = self.data >= o
        return self._gate(self.data if first else o, f"max({_num(o)})", (self, float(first)))

    # -- backward ----------------------------------------------------------------

    def _contributions(self, upstream: float) -> list[float]:
        return [upstream * local for local in self._local]

    def _local_gradient(self, i: int) -> float:
        return self._local[i]

    def backward(self) -> None:
        """Set ``.grad`` of every node this one depends on to d self / d node.

        The chain rule, output first: each node passes ``upstream × local`` to each
        input, and an input used several times adds up what it receives. Gradients are
        set afresh on each call, not added to the previous ones, so calling it twice
        gives the same result.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            upstream = node.grad
            for child, local in zip(node.inputs, node._local):
                child.grad += upstream * local

    # -- looking at it -----------------------------------------------------------

    @property
    def is_finite(self) -> bool:
        """False when the forward value is nan or ±inf (renderings flag such nodes)."""
        return math.isfinite(self.data)

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name is not None else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name}{op})"

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        raise TypeError(
            "a Value has no truth value (it would hide the graph): compare x.data instead"
        )
