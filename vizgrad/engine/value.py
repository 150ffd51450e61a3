"""The scalar engine: :class:`Value`, one number in a computational graph.

Every op computes its forward value and, right beside it, its *local gradient*:
the derivative of its output with respect to each of its inputs, evaluated at the
forward values (the lecture's "staged computation": we cache what backward needs).
The backward pass then only multiplies: ``contribution = upstream × local``.

A Python number used with a Value becomes part of the gate, as in the lecture's
drawings: ``x + 1`` is one ``+1`` gate, ``-1 * x`` a ``*-1`` gate, ``1 / x`` a ``1/x`` gate.

What each op computes is one row of the op table, :mod:`vizgrad.engine.ops`; ``+``, ``*`` and
``exp`` are also written out below, as the lecture's examples (the tests hold them to
their rows).
"""

from __future__ import annotations

import copyreg
import math
from typing import Any

from . import ops
from .graph import pickled_inputs, topological_order
from .op_math import as_float
from .ops import OPS, Op

Number = int | float

ADD, MUL, EXP = OPS["add"], OPS["mul"], OPS["exp"]
_ADD_SPEC, _MUL_SPEC, _EXP_SPEC = (ADD, None), (MUL, None), (EXP, None)


def _node(data: float, op: str, inputs: tuple["Value", ...], local: tuple[float, ...],
          spec: tuple[Op, float | None]) -> "Value":
    """A new node made by ``op`` from ``inputs``, with d node / d input for each."""
    out = Value.__new__(Value)
    out.data, out.grad, out.name, out.op, out.inputs, out._local = data, 0.0, None, op, inputs, local
    out._spec = spec
    return out


class Value:
    """A scalar node: its value ``data``, its gradient ``grad``, and how it was made.

    >>> x, y, z = Value(-2.0, name="x"), Value(5.0, name="y"), Value(-4.0, name="z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)
    """

    __slots__ = ("data", "grad", "name", "op", "inputs", "_local", "_spec")
    _engine = "Value"  # how the other engine recognizes a Value without importing it

    def __init__(
        self,
        data: Number,
        name: str | None = None,
        *,
        _op: str = "",
        _inputs: tuple["Value", ...] = (),
        _local: tuple[float, ...] = (),
        _spec: tuple[Op, float | None] | None = None,
    ) -> None:
        if isinstance(data, Value):
            raise TypeError("Value(...) takes a number, not another Value: use the Value itself")
        x = as_float(data, "Value(...)", bools=True)
        if x is None:
            raise TypeError(
                f"Value(...) takes a real number, got {type(data).__name__}: "
                "use vizgrad.Tensor for arrays"
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        self.data = x
        self.grad = 0.0
        self.name = name
        self.op = _op  # "" for a leaf (an input you made yourself)
        self.inputs = _inputs  # in order: no sets, so drawings are reproducible
        self._local = _local  # d self / d input, for each input, at the forward values
        self._spec = _spec  # (row of the op table, its constant or None): see ops.spec_of

    # -- building the graph ------------------------------------------------------
    # Every op is a row of the op table (vizgrad/ops.py): its forward, its local
    # gradient, its label. + and * are written out here as the lecture draws them;
    # the others apply their row with _apply, and the one-input ones such as exp()
    # and relu() are made from their rows below the class.

    def _rewired(self, inputs: tuple["Value", ...]) -> "Value":
        """The same node on other inputs (the same value and local gradients)."""
        return Value(self.data, self.name, _op=self.op, _inputs=inputs, _local=self._local, _spec=self._spec)

    def _other(self, other: Any, symbol: str) -> "Value | float":
        if type(other) is Value:
            return other
        if type(other) is float:
            return other
        if isinstance(other, Value):
            return other
        c = as_float(other, f"{symbol!r} with a Value")
        if c is not None:
            return c
        if getattr(other, "_engine", None) == "Tensor":
            raise TypeError(
                f"cannot combine a Value with a Tensor using {symbol!r}: "
                "use Tensors throughout (Tensor(x.data) turns a Value's number into a Tensor)"
            )
        raise TypeError(
            f"unsupported operand for {symbol!r}: Value and {type(other).__name__} "
            "(a Value combines with another Value or a Python number)"
        )

    def _apply(self, row: Op, other: "Value | float | None" = None) -> "Value":
        """The node ``row`` makes from self and ``other`` (a Value, a constant, or nothing)."""
        if other is None:
            x = self.data
            y = row.forward(x)
            return _node(y, row.label, (self,), row.local(x, y), (row, None))
        if isinstance(other, Value):
            a, b = self.data, other.data
            y = row.forward(a, b)
            return _node(y, row.label, (self, other), row.local(a, b, y), (row, None))
        x = self.data
        y = row.forward(x, other)
        return _node(y, row.label_for(other), (self,), row.local(x, other, y), (row, other))

    def __add__(self, other: "Value | Number") -> "Value":
        o = other if type(other) is Value else self._other(other, "+")
        if isinstance(o, Value):  # the add gate passes its upstream gradient to both inputs
            return _node(self.data + o.data, ADD.label, (self, o), (1.0, 1.0), _ADD_SPEC)
        return self._apply(OPS["add_const"], o)  # x + 1 is one "+1" gate

    def __radd__(self, other: Number) -> "Value":
        return self + other

    def __mul__(self, other: "Value | Number") -> "Value":
        o = other if type(other) is Value else self._other(other, "*")
        if isinstance(o, Value):  # the multiply gate swaps its inputs' values
            return _node(self.data * o.data, MUL.label, (self, o), (o.data, self.data), _MUL_SPEC)
        return self._apply(OPS["mul_const"], o)  # 2 * x is one "*2" gate

    def __rmul__(self, other: Number) -> "Value":
        return self * other

    def __sub__(self, other: "Value | Number") -> "Value":
        o = self._other(other, "-")
        return self._apply(OPS["sub"], o) if isinstance(o, Value) else self + (-o)

    def __rsub__(self, other: Number) -> "Value":
        return self._apply(OPS["rsub"], self._other(other, "-"))

    def __truediv__(self, other: "Value | Number") -> "Value":
        o = self._other(other, "/")
        return self._apply(OPS["div"] if isinstance(o, Value) else OPS["div_const"], o)

    def __rtruediv__(self, other: Number) -> "Value":
        return self._apply(OPS["rdiv"], self._other(other, "/"))

    def __pow__(self, n: Number) -> "Value":
        if isinstance(n, Value):
            raise TypeError(
                "the exponent of ** must be a number, not a Value: "
                "for a variable exponent write (b.log() * n).exp()"
            )
        c = as_float(n, "the exponent of **")
        if c is None:
            raise TypeError(f"the exponent of ** must be a number, got {type(n).__name__}")
        return self._apply(OPS["pow"], c)

    def __rpow__(self, other: Any) -> "Value":
        raise TypeError(
            "a Value cannot be an exponent: for c ** x write (x * math.log(c)).exp()"
        )

    def __neg__(self) -> "Value":
        return self._apply(OPS["neg"])

    def __pos__(self) -> "Value":
        return self

    def max(self, other: "Value | Number") -> "Value":
        """The max gate: routes the whole gradient to the larger input (the first on a tie)."""
        o = self._other(other, "max")
        return self._apply(OPS["max"] if isinstance(o, Value) else OPS["max_const"], o)

    def exp(self) -> "Value":
        """The exp gate: e^x, and beside it its local gradient, e^x again."""
        out = EXP.forward(self.data)
        return _node(out, EXP.label, (self,), (out,), _EXP_SPEC)  # d/dx e^x = e^x

    # log, tanh, sigmoid, relu, sin, cos, ...: one method per one-input row of the
    # op table, added to the class at the end of this module

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
            for child, local in zip(node.inputs, node._local):  # noqa: B905 (the hot loop: no check)
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

    # -- pickling: the ops by name (see Op.__reduce__), the graph without recursion ------

    def __reduce__(self) -> tuple[Any, ...]:
        state = (self.data, self.grad, self.name, self.op, self._local, self._spec, pickled_inputs(self))
        return copyreg.__newobj__, (type(self),), state

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.data, self.grad, self.name, self.op, self._local, self._spec, (_, _, self.inputs) = state

    def __copy__(self) -> "Value":
        out = _node(self.data, self.op, self.inputs, self._local, self._spec)
        out.grad, out.name = self.grad, self.name
        return out


def _unary_method(row: Op) -> Any:
    forward, local, label, spec = row.forward, row.local, row.label, (row, None)

    def method(self: Value) -> Value:
        x = self.data
        y = forward(x)
        return _node(y, label, (self,), local(x, y), spec)

    method.__name__, method.__qualname__ = row.method, f"Value.{row.method}"
    method.__doc__ = f"The {row.label} gate: {row.verb} ({row.rule})."
    return method


for _row in ops.SCALAR_OPS:
    if _row.method and _row.inputs == ("x",) and _row.method not in Value.__dict__:
        setattr(Value, _row.method, _unary_method(_row))
