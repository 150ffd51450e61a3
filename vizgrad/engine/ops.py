"""The op table: one row per op, read by :class:`~vizgrad.Value`, :class:`~vizgrad.Tensor`
and the captions.

A row (:class:`Op`) holds everything about one op: its label in drawings, its forward
and its local gradient for Python floats and for numpy arrays, the rule in words, the
verb of its caption, and the same forward and local gradient as JavaScript expressions.
Adding an op is adding a row (and its tests): an op with a ``method`` name becomes
``Value.<method>()`` and ``Tensor.<method>()``.

Three kinds of rows, by what the op takes:

- one input ``x`` (``exp``, ``relu``, ...),
- one input ``x`` and a Python number ``c`` that is part of the gate (``x + 1`` is one
  ``+1`` gate, ``1 / x`` a ``1/x`` gate),
- two inputs ``a`` and ``b`` (``+``, ``*``, ``max``, ...).

Functions, for floats and arrays alike, take the inputs in that order: ``forward(x)``,
``forward(x, c)``, ``forward(a, b)``; the local gradient also gets the output ``y`` last
(``local(x, y)``, ``local(x, c, y)``, ``local(a, b, y)``) and returns one d y / d input
per input, as a tuple. Edge values follow numpy: nan in, nan out; signed infinities and
zeros as IEEE arithmetic gives them; no exception for a value outside an op's domain.

The JavaScript expressions (``js_forward``, and ``js_local``, one per input) use the
variable names above: ``x``; ``a`` and ``b``; ``c`` for the constant; ``y`` for the
output (in ``js_local`` only). They are plain JavaScript expressions built from numbers,
``+ - * / **``, parentheses, comparisons (``=== !== < <= > >=``), ``&& ||``, ``? :``,
``NaN``, ``Infinity`` and ``Math.exp``, ``Math.log``,
``Math.tanh``, ``Math.sin``, ``Math.cos``, ``Math.abs``, ``Math.sqrt``; a page evaluates one with
``new Function("x", "a", "b", "c", "y", "return " + expr)``. They compute the same
formulas as Python, so their numbers agree to rounding (relative 1e-12).

Look-ups: :data:`OPS` (name -> row), :func:`find` (a name or common alias such as
``"multiply"``), :func:`by_label` (a drawn label such as ``"*"`` or ``"+1"``),
:func:`spec_of` (the row that made a node and its exact constant), :func:`verb_of`
(a caption's verb) and :func:`apply` (a row applied to Values or Tensors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ..base.lazy_numpy import lazy
from .op_math import (JS_BELL, JS_POW, array_bell, array_max, array_max_local, array_pow_local,
                      array_relu_local, array_sigmoid, bell, cos, div, exp, log, maximum, maximum_local, num,
                      power, sigmoid, sin, ufunc)

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)


# -- the table -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Op:
    """One op. ``label`` and ``verb`` may hold ``{c}`` (the constant, as :func:`num` writes
    it); ``derivatives`` says d y / d input for each input, in words."""

    name: str
    label: str
    inputs: tuple[str, ...]  # ("x",), ("x", "c") or ("a", "b")
    verb: str
    derivatives: tuple[str, ...]
    forward: Callable | None = None  # floats; None for an array-only op
    local: Callable | None = None
    array_forward: Callable | None = None
    array_local: Callable | None = None
    js_forward: str | None = None
    js_local: tuple[str, ...] | None = None
    method: str | None = None  # becomes Value.<method>() and Tensor.<method>()
    aliases: tuple[str, ...] = field(default=())

    @property
    def has_constant(self) -> bool:
        return self.inputs[-1] == "c"

    @property
    def wrt(self) -> tuple[str, ...]:
        """The names of the inputs that get a gradient (the constant does not)."""
        return self.inputs[:-1] if self.has_constant else self.inputs

    def label_for(self, c: float | None = None) -> str:
        if c is None:
            return self.label
        if self.name == "add_const":  # x + 1 is "+1", x - 1 is "-1"
            return "+" + num(c) if c >= 0 else "-" + num(-c)
        return self.label.replace("{c}", num(c))

    def verb_for(self, c: float | None = None) -> str:
        return self.verb if c is None else self.verb.replace("{c}", num(c))

    def __post_init__(self) -> None:
        object.__setattr__(self, "_local_rules", self._make_rules(None))

    def rules(self, c: float | None = None) -> tuple[str, ...]:
        """``∂/∂x = ...`` for each input, with the constant written in."""
        return tuple(f"∂/∂{v} = {d}" for v, d in zip(self.wrt, self.local_rules(c), strict=True))

    def local_rules(self, c: float | None = None) -> tuple[str, ...]:
        """The derivatives alone (``exp(x)``), with the constant written in: a Tensor's
        :class:`~vizgrad.engine.tensor.LocalGradient` shows these."""
        return self._local_rules if c is None else self._make_rules(c)

    def _make_rules(self, c: float | None) -> tuple[str, ...]:
        return tuple(_fill(d, c) for d in self.derivatives)

    @property
    def rule(self) -> str:
        return ", ".join(self.rules())

    def __repr__(self) -> str:
        return f"Op({self.name!r}, {self.label!r})"


def _fill(text: str, c: float | None) -> str:
    if c is None:
        return text
    return text.replace("{c-1}", num(c - 1)).replace("{c}", num(c))


def _one(*args: Any) -> tuple[float]:
    return (1.0,)


def _minus_one(*args: Any) -> tuple[float]:
    return (-1.0,)


def _ones(a: Any, b: Any, y: Any) -> tuple[float, float]:
    return 1.0, 1.0


_ROWS = [
    # two inputs
    Op("add", "+", ("a", "b"), "adds its inputs", ("1", "1"),
       lambda a, b: a + b, _ones, ufunc("add"), _ones,
       "a + b", ("1", "1"), aliases=("plus",)),
    Op("sub", "-", ("a", "b"), "subtracts", ("1", "-1"),
       lambda a, b: a - b, lambda a, b, y: (1.0, -1.0), ufunc("subtract"), lambda a, b, y: (1.0, -1.0),
       "a - b", ("1", "-1"), aliases=("subtract", "minus")),
    Op("mul", "*", ("a", "b"), "multiplies its inputs", ("the other input (b)", "the other input (a)"),
       lambda a, b: a * b, lambda a, b, y: (b, a), ufunc("multiply"), lambda a, b, y: (b, a),
       "a * b", ("b", "a"), aliases=("multiply", "mult", "times")),
    Op("div", "/", ("a", "b"), "divides", ("1/b", "-a/b²"),
       div, lambda a, b, y: (div(1.0, b), div(-y, b)),  # -a/b² as -(a/b)/b: no overflow in b²
       ufunc("divide"), lambda a, b, y: (1.0 / b, -y / b),
       "a / b", ("1 / b", "-y / b"), aliases=("divide",)),
    Op("max", "max", ("a", "b"), "passes on the larger input",
       ("1 if a ≥ b, else 0", "1 if b > a, else 0"),
       maximum, maximum_local, array_max, array_max_local,
       "a !== a || b !== b ? NaN : (a >= b ? a : b)",
       ("a !== a || b !== b ? NaN : (a >= b ? 1 : 0)", "a !== a || b !== b ? NaN : (a >= b ? 0 : 1)"),
       method="max", aliases=("maximum",)),
    # one input and a constant
    Op("add_const", "+{c}", ("x", "c"), "adds {c}", ("1",),
       lambda x, c: x + c, _one, lambda x, c: x + c, _one, "x + c", ("1",)),
    Op("rsub", "{c}-x", ("x", "c"), "subtracts its input from {c}", ("-1",),
       lambda x, c: c - x, _minus_one, lambda x, c: c - x, _minus_one, "c - x", ("-1",)),
    Op("mul_const", "*{c}", ("x", "c"), "multiplies by {c}", ("{c}",),
       lambda x, c: x * c, lambda x, c, y: (c,), lambda x, c: x * c, lambda x, c, y: (c,),
       "x * c", ("c",), aliases=("scale",)),
    Op("div_const", "/{c}", ("x", "c"), "divides by {c}", ("1/{c}",),
       div, lambda x, c, y: (div(1.0, c),), lambda x, c: x / c, lambda x, c, y: (div(1.0, c),),
       "x / c", ("1 / c",)),
    Op("rdiv", "{c}/x", ("x", "c"), "divides {c} by its input", ("-{c}/x²",),
       lambda x, c: div(c, x), lambda x, c, y: (div(-y, x),),
       lambda x, c: c / x, lambda x, c, y: (-y / x,),
       "c / x", ("-y / x",), aliases=("reciprocal",)),
    Op("pow", "**{c}", ("x", "c"), "raises its input to the power {c}", ("{c}·x^{c-1}",),
       power, lambda x, c, y: (0.0 if c == 0 else c * power(x, c - 1),),
       ufunc("power"), array_pow_local,
       JS_POW.replace("{e}", "c"), ("c === 0 ? 0 : c * " + JS_POW.replace("{e}", "(c - 1)"),),
       aliases=("power",)),
    Op("max_const", "max({c})", ("x", "c"), "passes on the larger of its input and {c}",
       ("1 if x ≥ {c}, else 0",),
       maximum, lambda x, c, y: maximum_local(x, c, y)[:1],
       lambda x, c: array_max(x, np.float64(c)), lambda x, c, y: array_max_local(x, np.float64(c), y)[:1],
       "x !== x || c !== c ? NaN : (x >= c ? x : c)", ("x !== x || c !== c ? NaN : (x >= c ? 1 : 0)",)),
    # one input
    Op("neg", "-x", ("x",), "negates its input", ("-1",),
       lambda x: -x, _minus_one, ufunc("negative"), _minus_one, "-x", ("-1",), aliases=("negate",)),
    Op("exp", "exp", ("x",), "exponentiates", ("exp(x)",),
       exp, lambda x, y: (y,), ufunc("exp"), lambda x, y: (y,),
       "Math.exp(x)", ("y",), method="exp"),
    Op("log", "log", ("x",), "takes the logarithm", ("1/x",),
       log, lambda x, y: (div(1.0, x),), ufunc("log"), lambda x, y: (1.0 / x,),
       "Math.log(x)", ("1 / x",), method="log", aliases=("ln",)),
    Op("tanh", "tanh", ("x",), "squashes with tanh", ("1 - tanh²(x)",),
       math.tanh, lambda x, y: (bell(2.0 * x),), ufunc("tanh"), lambda x, y: (array_bell(2.0 * x),),
       "Math.tanh(x)", (JS_BELL.replace("{u}", "(2 * x)"),), method="tanh"),
    Op("sigmoid", "σ", ("x",), "squashes with the sigmoid", ("σ(x)(1 - σ(x))",),
       sigmoid, lambda x, y: (0.25 * bell(x),), array_sigmoid, lambda x, y: (0.25 * array_bell(x),),
       "x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))", ("0.25 * " + JS_BELL.replace("{u}", "x"),),
       method="sigmoid", aliases=("sigma",)),
    Op("relu", "relu", ("x",), "keeps positives (ReLU)", ("1 where x > 0, else 0",),
       lambda x: x if x > 0 else (0.0 if x <= 0 else x),
       lambda x, y: (1.0,) if x > 0 else ((0.0,) if x <= 0 else (x,)),
       lambda x: np.maximum(x, 0.0), array_relu_local,
       "x <= 0 ? 0 : x", ("x > 0 ? 1 : (x <= 0 ? 0 : NaN)",), method="relu"),
    Op("sin", "sin", ("x",), "takes the sine", ("cos(x)",),
       sin, lambda x, y: (cos(x),), ufunc("sin"), lambda x, y: (np.cos(x),),
       "Math.sin(x)", ("Math.cos(x)",), method="sin", aliases=("sine",)),
    Op("cos", "cos", ("x",), "takes the cosine", ("-sin(x)",),
       cos, lambda x, y: (-sin(x),), ufunc("cos"), lambda x, y: (-np.sin(x),),
       "Math.cos(x)", ("-Math.sin(x)",), method="cos", aliases=("cosine",)),
    # arrays only (their local gradients are not elementwise: tensor.py writes them out)
    Op("matmul", "@", ("a", "b"), "multiplies matrices", ("upstream @ bᵀ", "aᵀ @ upstream"),
       aliases=("matmult",)),
    Op("sum", "sum", ("x",), "sums", ("copy the upstream gradient to every summed element",)),
    Op("mean", "mean", ("x",), "averages",
       ("copy the upstream gradient to every summed element, ÷ count",), aliases=("average",)),
    Op("transpose", "T", ("x",), "transposes", ("transpose the upstream gradient back",)),
    Op("reshape", "reshape", ("x",), "reshapes", ("reshape the upstream gradient back",)),
    Op("cross_entropy", "cross-entropy", ("x",), "computes the softmax cross-entropy loss",
       ("upstream · (softmax − onehot(labels)) / N",), aliases=("softmaxcrossentropy", "softmaxce")),
]

OPS: dict[str, Op] = {row.name: row for row in _ROWS}
"""Every op by name: ``OPS["mul"]``."""

_BY_LABEL = {row.label: row for row in _ROWS if "{c}" not in row.label}
_ALIASES = {a: row for row in _ROWS for a in (row.name, row.name.replace("_", ""), *row.aliases)}


def find(name: str) -> Op | None:
    """The row for a name or a common alias (``"mul"``, ``"multiply"``, ``"Sigmoid"``), else None."""
    return _ALIASES.get(name.lower().replace("_", "").replace(" ", "").replace("-", ""))


def by_label(label: str) -> Op | None:
    """The row that draws ``label``: ``"*"`` -> mul, ``"+1"`` -> add_const, ``"max(0)"`` -> max_const.

    A label rounds its constant (``f"{c:g}"``): for the exact constant use :func:`spec_of`.
    """
    row = _BY_LABEL.get(label)
    if row is not None or not label:
        return row
    for row in _ROWS:
        if row.has_constant and row.name != "add_const":
            head, _, tail = row.label.partition("{c}")
            if label.startswith(head) and label.endswith(tail) and _is_number(label[len(head):len(label) - len(tail)]):
                return row
    return OPS["add_const"] if label[0] in "+-" and _is_number(label[1:]) else None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def spec_of(node: Any) -> tuple[Op, float | None] | None:
    """``(row, constant)`` for the op that made ``node`` (constant None if the gate has none);
    None for a leaf, or a node made some other way (a collapsed group, an exercise's gate)."""
    return getattr(node, "_spec", None)


def apply(row: Op | str, node: Any, other: Any = None) -> Any:
    """The node ``row`` (or its name) makes from ``node`` (a Value or Tensor) and ``other``
    (its second input, its constant, or None): ``apply("mul", x, y)`` is ``x * y``."""
    row = OPS[row] if isinstance(row, str) else row
    o = None if other is None else node._other(other, row.label)
    if row.forward is None or (o is None) != (len(row.inputs) == 1) or isinstance(o, float) != row.has_constant:
        takes = {1: "one input", 2: "an input and a number" if row.has_constant else "two inputs"}
        raise TypeError(f"the {row.name} op takes {takes[len(row.inputs)]}"
                        + ("" if row.forward else " and is applied by its Tensor method"))
    return node._apply(row, o)


def verb_of(node: Any) -> str:
    """What the gate that made ``node`` does, for a caption (``"computes"`` when unknown)."""
    spec = spec_of(node)
    if spec is not None:
        return spec[0].verb_for(spec[1])
    row = _BY_LABEL.get(getattr(node, "op", ""))  # a node made by hand with a table's label
    return "computes" if row is None else row.verb


def js_table() -> dict[str, dict[str, Any]]:
    """The scalar rows for a web page: ``{name: {"label", "inputs", "forward", "local"}}``."""
    return {row.name: {"label": row.label, "inputs": list(row.inputs), "forward": row.js_forward,
                       "local": list(row.js_local)}
            for row in _ROWS if row.js_forward is not None}


SCALAR_OPS = tuple(row for row in _ROWS if row.forward is not None)
"""The rows both engines compute elementwise (with a float forward and an array forward)."""
