"""The op table: one row per op, read by :class:`~vizgrad.Value`, :class:`~vizgrad.Tensor`
and the captions.

A row (:class:`Op`, written with keywords) holds everything about one op: its label in
drawings, its forward and its local gradient for Python floats and for numpy arrays (the
float ones serve arrays too unless a row gives array ones), the rule in words, the verb of
its caption, and the same forward and local gradient as JavaScript expressions. Adding an
op is adding a row (and its tests): an op with a ``method`` name becomes
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
(a caption's verb) and :func:`apply` (a row applied to Values or Tensors). A row
pickles as its name (:func:`op_named` finds it again), so a graph pickles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from ..base.lazy_numpy import lazy
from .op_math import (
    JS_BELL,
    JS_POW,
    array_bell,
    array_max,
    array_max_local,
    array_pow_local,
    array_relu_local,
    array_sigmoid,
    bell,
    cos,
    div,
    exp,
    log,
    maximum,
    maximum_local,
    num,
    power,
    sigmoid,
    sin,
    ufunc,
)

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)


# -- the table -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, kw_only=True)
class Op:
    """One op, written with keywords: ``Op(name="exp", label="exp", inputs=("x",), ...)``.

    ``label`` and ``verb`` may hold ``{c}`` (the constant, as :func:`num` writes it). A row
    leaves out what does not apply to it: the array functions when the float ones work on
    arrays too, ``method`` and ``aliases`` when it has none, everything computed when the
    Tensor engine writes the op out (the arrays-only rows at the end of the table).
    """

    name: str  # the key of OPS: "mul"
    label: str  # what a drawing writes on the gate: "*", "+{c}", "max({c})"
    inputs: tuple[str, ...]  # ("x",), ("x", "c") or ("a", "b"): the argument names below
    verb: str  # what a caption says the gate does: "multiplies its inputs"
    derivatives: tuple[str, ...]  # d y / d input for each input, in words: ("1/x",), ("{c}·x^{c-1}",)
    forward: Callable | None = None  # floats: forward(*inputs) -> y; None for an arrays-only row
    local: Callable | None = None  # floats: local(*inputs, y) -> (d y / d input, ...)
    array_forward: Callable | None = None  # numpy arrays; left out: ``forward`` works on arrays too
    array_local: Callable | None = None  # numpy arrays; left out: ``local`` works on arrays too
    js_forward: str | None = None  # forward as a JavaScript expression (see the module's docstring)
    js_local: tuple[str, ...] | None = None  # local, one JavaScript expression per input
    method: str | None = None  # becomes Value.<method>() and Tensor.<method>()
    aliases: tuple[str, ...] = ()  # other names :func:`find` knows it by

    def __post_init__(self) -> None:
        if self.array_forward is None:
            object.__setattr__(self, "array_forward", self.forward)
        if self.array_local is None:
            object.__setattr__(self, "array_local", self.local)
        object.__setattr__(self, "_local_rules", self._make_rules(None))

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

    def __reduce__(self) -> tuple[Callable[[str], Op], tuple[str]]:
        """A row pickles as its name (its functions are the table's): :func:`op_named` finds it again."""
        if OPS.get(self.name) is not self:
            raise TypeError(f"cannot pickle {self!r}: it is not a row of vizgrad's op table, and a row "
                            "pickles as its name")
        return op_named, (self.name,)


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


# one row per op; the array functions, when given, compute what the float ones do, for numpy arrays
_ROWS = [
    # -- two inputs a and b
    Op(name="add", label="+", inputs=("a", "b"), verb="adds its inputs", derivatives=("1", "1"),
       forward=lambda a, b: a + b, local=_ones, array_forward=ufunc("add"),
       js_forward="a + b", js_local=("1", "1"), aliases=("plus",)),
    Op(name="sub", label="-", inputs=("a", "b"), verb="subtracts", derivatives=("1", "-1"),
       forward=lambda a, b: a - b, local=lambda a, b, y: (1.0, -1.0), array_forward=ufunc("subtract"),
       js_forward="a - b", js_local=("1", "-1"), aliases=("subtract", "minus")),
    Op(name="mul", label="*", inputs=("a", "b"), verb="multiplies its inputs",
       derivatives=("the other input (b)", "the other input (a)"),
       forward=lambda a, b: a * b, local=lambda a, b, y: (b, a), array_forward=ufunc("multiply"),
       js_forward="a * b", js_local=("b", "a"), aliases=("multiply", "mult", "times")),
    Op(name="div", label="/", inputs=("a", "b"), verb="divides", derivatives=("1/b", "-a/b²"),
       forward=div, local=lambda a, b, y: (div(1.0, b), div(-y, b)),  # -a/b² as -(a/b)/b: no overflow in b²
       array_forward=ufunc("divide"), array_local=lambda a, b, y: (1.0 / b, -y / b),
       js_forward="a / b", js_local=("1 / b", "-y / b"), aliases=("divide",)),
    Op(name="max", label="max", inputs=("a", "b"), verb="passes on the larger input",
       derivatives=("1 if a ≥ b, else 0", "1 if b > a, else 0"),
       forward=maximum, local=maximum_local, array_forward=array_max, array_local=array_max_local,
       js_forward="a !== a || b !== b ? NaN : (a >= b ? a : b)",
       js_local=("a !== a || b !== b ? NaN : (a >= b ? 1 : 0)", "a !== a || b !== b ? NaN : (a >= b ? 0 : 1)"),
       method="max", aliases=("maximum",)),
    # -- one input x and a constant c
    Op(name="add_const", label="+{c}", inputs=("x", "c"), verb="adds {c}", derivatives=("1",),
       forward=lambda x, c: x + c, local=_one, js_forward="x + c", js_local=("1",)),
    Op(name="rsub", label="{c}-x", inputs=("x", "c"), verb="subtracts its input from {c}", derivatives=("-1",),
       forward=lambda x, c: c - x, local=_minus_one, js_forward="c - x", js_local=("-1",)),
    Op(name="mul_const", label="*{c}", inputs=("x", "c"), verb="multiplies by {c}", derivatives=("{c}",),
       forward=lambda x, c: x * c, local=lambda x, c, y: (c,),
       js_forward="x * c", js_local=("c",), aliases=("scale",)),
    Op(name="div_const", label="/{c}", inputs=("x", "c"), verb="divides by {c}", derivatives=("1/{c}",),
       forward=div, local=lambda x, c, y: (div(1.0, c),), array_forward=lambda x, c: x / c,
       js_forward="x / c", js_local=("1 / c",)),
    Op(name="rdiv", label="{c}/x", inputs=("x", "c"), verb="divides {c} by its input", derivatives=("-{c}/x²",),
       forward=lambda x, c: div(c, x), local=lambda x, c, y: (div(-y, x),),
       array_forward=lambda x, c: c / x, array_local=lambda x, c, y: (-y / x,),
       js_forward="c / x", js_local=("-y / x",), aliases=("reciprocal",)),
    Op(name="pow", label="**{c}", inputs=("x", "c"), verb="raises its input to the power {c}",
       derivatives=("{c}·x^{c-1}",),
       forward=power, local=lambda x, c, y: (0.0 if c == 0 else c * power(x, c - 1),),
       array_forward=ufunc("power"), array_local=array_pow_local,
       js_forward=JS_POW.replace("{e}", "c"), js_local=("c === 0 ? 0 : c * " + JS_POW.replace("{e}", "(c - 1)"),),
       aliases=("power",)),
    Op(name="max_const", label="max({c})", inputs=("x", "c"), verb="passes on the larger of its input and {c}",
       derivatives=("1 if x ≥ {c}, else 0",),
       forward=maximum, local=lambda x, c, y: maximum_local(x, c, y)[:1],
       array_forward=lambda x, c: array_max(x, np.float64(c)),
       array_local=lambda x, c, y: array_max_local(x, np.float64(c), y)[:1],
       js_forward="x !== x || c !== c ? NaN : (x >= c ? x : c)",
       js_local=("x !== x || c !== c ? NaN : (x >= c ? 1 : 0)",)),
    # -- one input x
    Op(name="neg", label="-x", inputs=("x",), verb="negates its input", derivatives=("-1",),
       forward=lambda x: -x, local=_minus_one, array_forward=ufunc("negative"),
       js_forward="-x", js_local=("-1",), aliases=("negate",)),
    Op(name="exp", label="exp", inputs=("x",), verb="exponentiates", derivatives=("exp(x)",),
       forward=exp, local=lambda x, y: (y,), array_forward=ufunc("exp"),
       js_forward="Math.exp(x)", js_local=("y",), method="exp"),
    Op(name="log", label="log", inputs=("x",), verb="takes the logarithm", derivatives=("1/x",),
       forward=log, local=lambda x, y: (div(1.0, x),),
       array_forward=ufunc("log"), array_local=lambda x, y: (1.0 / x,),
       js_forward="Math.log(x)", js_local=("1 / x",), method="log", aliases=("ln",)),
    Op(name="tanh", label="tanh", inputs=("x",), verb="squashes with tanh", derivatives=("1 - tanh²(x)",),
       forward=math.tanh, local=lambda x, y: (bell(2.0 * x),),
       array_forward=ufunc("tanh"), array_local=lambda x, y: (array_bell(2.0 * x),),
       js_forward="Math.tanh(x)", js_local=(JS_BELL.replace("{u}", "(2 * x)"),), method="tanh"),
    Op(name="sigmoid", label="σ", inputs=("x",), verb="squashes with the sigmoid", derivatives=("σ(x)(1 - σ(x))",),
       forward=sigmoid, local=lambda x, y: (0.25 * bell(x),),
       array_forward=array_sigmoid, array_local=lambda x, y: (0.25 * array_bell(x),),
       js_forward="x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))",
       js_local=("0.25 * " + JS_BELL.replace("{u}", "x"),), method="sigmoid", aliases=("sigma",)),
    Op(name="relu", label="relu", inputs=("x",), verb="keeps positives (ReLU)", derivatives=("1 where x > 0, else 0",),
       forward=lambda x: x if x > 0 else (0.0 if x <= 0 else x),
       local=lambda x, y: (1.0,) if x > 0 else ((0.0,) if x <= 0 else (x,)),
       array_forward=lambda x: np.maximum(x, 0.0), array_local=array_relu_local,
       js_forward="x <= 0 ? 0 : x", js_local=("x > 0 ? 1 : (x <= 0 ? 0 : NaN)",), method="relu"),
    Op(name="sin", label="sin", inputs=("x",), verb="takes the sine", derivatives=("cos(x)",),
       forward=sin, local=lambda x, y: (cos(x),), array_forward=ufunc("sin"), array_local=lambda x, y: (np.cos(x),),
       js_forward="Math.sin(x)", js_local=("Math.cos(x)",), method="sin", aliases=("sine",)),
    Op(name="cos", label="cos", inputs=("x",), verb="takes the cosine", derivatives=("-sin(x)",),
       forward=cos, local=lambda x, y: (-sin(x),), array_forward=ufunc("cos"), array_local=lambda x, y: (-np.sin(x),),
       js_forward="Math.cos(x)", js_local=("-Math.sin(x)",), method="cos", aliases=("cosine",)),
    # -- arrays only: not elementwise, so tensor.py (and losses.py) compute them and their local gradients
    Op(name="matmul", label="@", inputs=("a", "b"), verb="multiplies matrices",
       derivatives=("upstream @ bᵀ", "aᵀ @ upstream"), aliases=("matmult",)),
    Op(name="sum", label="sum", inputs=("x",), verb="sums",
       derivatives=("copy the upstream gradient to every summed element",)),
    Op(name="mean", label="mean", inputs=("x",), verb="averages",
       derivatives=("copy the upstream gradient to every summed element, ÷ count",), aliases=("average",)),
    Op(name="transpose", label="T", inputs=("x",), verb="transposes",
       derivatives=("transpose the upstream gradient back",)),
    Op(name="reshape", label="reshape", inputs=("x",), verb="reshapes",
       derivatives=("reshape the upstream gradient back",)),
    Op(name="cross_entropy", label="cross-entropy", inputs=("x",), verb="computes the softmax cross-entropy loss",
       derivatives=("upstream · (softmax − onehot(labels)) / N",), aliases=("softmaxcrossentropy", "softmaxce")),
]

OPS: dict[str, Op] = {row.name: row for row in _ROWS}
"""Every op by name: ``OPS["mul"]``."""

_BY_LABEL = {row.label: row for row in _ROWS if "{c}" not in row.label}
_ALIASES = {a: row for row in _ROWS for a in (row.name, row.name.replace("_", ""), *row.aliases)}


def op_named(name: str) -> Op:
    """The row called ``name`` (``OPS[name]``): how a pickled row is found again."""
    return OPS[name]


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
