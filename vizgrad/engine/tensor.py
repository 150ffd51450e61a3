"""The vectorized engine: :class:`Tensor`, an array in a computational graph.

The same idea as :class:`~vizgrad.Value`, with arrays. The local gradient of a
vector op is a Jacobian matrix, but we never build it: each op keeps a
:class:`~vizgrad.engine.local_gradient.LocalGradient` that knows how to multiply an upstream
gradient by it (a vector-Jacobian product, VJP). For an elementwise op the Jacobian is
diagonal, so the local gradient is just an array the shape of the output. The loss
:func:`~vizgrad.engine.losses.cross_entropy` is built on this engine in its own module, and
:mod:`~vizgrad.engine.tensor_input` checks what a user hands it (a Tensor's data, backward's grad).
"""

from __future__ import annotations

import copyreg
from functools import partial
from typing import Any

from ..base.lazy_numpy import lazy
from . import ops
from .graph import backprop, pickled_inputs, topological_order
from .local_gradient import LocalGradient, elementwise, matmul_locals
from .op_math import as_float
from .ops import OPS, Op
from .tensor_input import as_array, seed_of, shape_text

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)


def _frozen(t: "Tensor") -> np.ndarray:
    """A Tensor's values to cache for backward: leaves are copied, since users update
    them in place (``w.data -= lr * w.grad``) while a graph that used them lives on."""
    return t.data if t.op else t.data.copy()


class Tensor:
    """An array node: ``data`` (float64 ndarray), ``grad`` (same shape), how it was made.

    >>> W, x = Tensor([[1.0, 2.0], [3.0, 4.0]], name="W"), Tensor([1.0, -1.0], name="x")
    >>> loss = (W @ x).sum()
    >>> loss.backward()
    >>> W.grad.tolist(), x.grad.tolist()
    ([[1.0, -1.0], [1.0, -1.0]], [4.0, 6.0])
    """

    __array_ufunc__ = None  # numpy defers to us: ndarray + Tensor calls Tensor.__radd__
    __slots__ = ("data", "_grad", "name", "op", "inputs", "_locals", "_spec", "__weakref__")
    _engine = "Tensor"  # how the other engine recognizes a Tensor without importing it

    def __init__(
        self,
        data: Any,
        name: str | None = None,
        *,
        _op: str = "",
        _inputs: tuple["Tensor", ...] = (),
        _locals: tuple[LocalGradient, ...] = (),
    ) -> None:
        if isinstance(data, Tensor):
            raise TypeError("Tensor(...) takes an array, not another Tensor: use the Tensor itself")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        array = as_array(data)
        self.data: np.ndarray = array
        self._grad: np.ndarray | None = None
        self.name = name
        self.op = _op
        self.inputs = _inputs
        self._locals = _locals
        self._spec: tuple[Op, Any] | None = None  # (row of the op table, constant): see ops.spec_of

    # -- building the graph ------------------------------------------------------

    @property
    def grad(self) -> np.ndarray:
        """d out / d self from the last ``backward()`` (zeros before any)."""
        if self._grad is None:
            self._grad = np.zeros_like(self.data)
        return self._grad

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        self._grad = value

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def _gate(self, data: np.ndarray, op: str, *pairs: tuple["Tensor", LocalGradient],
              spec: tuple[Op, Any] | None = None) -> "Tensor":
        """A new node made by ``op`` from (input, local gradient) pairs."""
        return tensor_node(data, op, tuple(t for t, _ in pairs), tuple(local for _, local in pairs), spec)

    def _rewired(self, inputs: tuple["Tensor", ...]) -> "Tensor":
        """The same node on other inputs (the same value and local gradients)."""
        out = tensor_node(self.data, self.op, inputs, self._locals, self._spec)
        out.name = self.name
        return out

    def _other(self, other: Any, symbol: str) -> "Tensor | float":
        """A Tensor for arrays, a float for plain numbers (which become part of the gate)."""
        if isinstance(other, Tensor):
            return other
        if getattr(other, "_engine", None) == "Value":
            raise TypeError(
                f"cannot combine a Tensor with a Value using {symbol!r}: "
                "use Tensors throughout (Tensor(v.data) turns a Value's number into a Tensor)"
            )
        c = as_float(other, f"{symbol!r} with a Tensor")
        if c is not None:
            return c
        if isinstance(other, (np.ndarray, list, tuple)):
            return Tensor(other)
        raise TypeError(
            f"unsupported operand for {symbol!r}: Tensor and {type(other).__name__} "
            "(a Tensor combines with another Tensor, a numpy array or a number)"
        )

    def _apply(self, row: Op, other: "Tensor | float | None" = None, reflected: bool = False) -> "Tensor":
        """The node ``row`` makes, elementwise, from self and ``other`` (a Tensor, a constant
        or nothing); ``reflected``: ``other`` is the first input."""
        if other is None or isinstance(other, float):
            X = _frozen(self)
            args = (X,) if other is None else (X, other)
            with np.errstate(all="ignore"):
                y = row.array_forward(*args)
                (d,) = row.array_local(*args, y)
            rules = row.local_rules(other)
            return tensor_node(y, row.label_for(other), (self,), (elementwise(d, X.shape, X.shape, rules[0]),),
                         (row, other))
        a, b = (other, self) if reflected else (self, other)
        A, B = _frozen(a), _frozen(b)
        try:
            with np.errstate(all="ignore"):
                y = row.array_forward(A, B)
                da, db = row.array_local(A, B, y)
        except ValueError:
            raise ValueError(
                f"cannot apply {row.label!r} to shapes {shape_text(A.shape)} and {shape_text(B.shape)}: "
                "they do not broadcast (trailing dimensions must be equal or 1)"
            ) from None
        out_shape = np.shape(y)
        rule_a, rule_b = row.local_rules()
        return tensor_node(y, row.label, (a, b), (elementwise(da, A.shape, out_shape, rule_a),
                                            elementwise(db, B.shape, out_shape, rule_b)), (row, None))

    def _binary(self, other: Any, symbol: str, row: Op, const_row: Op, reflected: bool = False) -> "Tensor":
        """``row`` on two Tensors, or ``const_row`` when ``other`` is a number (part of the gate)."""
        o = self._other(other, symbol)
        return self._apply(const_row, o) if isinstance(o, float) else self._apply(row, o, reflected)

    def __add__(self, other: Any) -> "Tensor":
        return self._binary(other, "+", OPS["add"], OPS["add_const"])

    def __radd__(self, other: Any) -> "Tensor":
        return self._binary(other, "+", OPS["add"], OPS["add_const"], True)

    def __sub__(self, other: Any) -> "Tensor":
        o = self._other(other, "-")
        return self + (-o) if isinstance(o, float) else self._apply(OPS["sub"], o)

    def __rsub__(self, other: Any) -> "Tensor":
        return self._binary(other, "-", OPS["sub"], OPS["rsub"], True)

    def __mul__(self, other: Any) -> "Tensor":
        return self._binary(other, "*", OPS["mul"], OPS["mul_const"])

    def __rmul__(self, other: Any) -> "Tensor":
        return self._binary(other, "*", OPS["mul"], OPS["mul_const"], True)

    def __truediv__(self, other: Any) -> "Tensor":
        return self._binary(other, "/", OPS["div"], OPS["div_const"])

    def __rtruediv__(self, other: Any) -> "Tensor":
        return self._binary(other, "/", OPS["div"], OPS["rdiv"], True)

    def __pow__(self, n: Any) -> "Tensor":
        c = None if isinstance(n, Tensor) else as_float(n, "the exponent of **")
        if c is None:
            raise TypeError(
                f"the exponent of ** must be a number, got {type(n).__name__}: "
                "for a variable exponent write (b.log() * n).exp()"
            )
        return self._apply(OPS["pow"], c)

    def __neg__(self) -> "Tensor":
        return self._apply(OPS["neg"])

    def max(self, other: Any) -> "Tensor":
        """The max gate, elementwise: routes the gradient to the larger input (the first on a tie)."""
        return self._binary(other, "max", OPS["max"], OPS["max_const"])

    def __matmul__(self, other: Any) -> "Tensor":
        o = self._other(other, "@")
        if isinstance(o, float):
            raise TypeError("@ needs two arrays; to scale by a number use *")
        return _matmul(self, o)

    def __rmatmul__(self, other: Any) -> "Tensor":
        o = self._other(other, "@")
        if isinstance(o, float):
            raise TypeError("@ needs two arrays; to scale by a number use *")
        return _matmul(o, self)

    # exp, log, tanh, sigmoid, relu, sin, cos, ...: one method per one-input row of
    # the op table, added to the class at the end of this module

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        return self._reduce(axis, keepdims, "sum", 1.0)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        try:
            with np.errstate(all="ignore"):  # inf + (-inf) is nan, not a warning
                count = self.data.size // max(np.sum(self.data, axis=axis, keepdims=True).size, 1)
        except (np.exceptions.AxisError, TypeError) as e:
            raise ValueError(f"mean(axis={axis!r}) on shape {shape_text(self.shape)}: {e}") from None
        # the mean of no numbers is nan, as in numpy (the node is then flagged as non-finite)
        return self._reduce(axis, keepdims, "mean", 1.0 / count if count else np.nan)

    def _reduce(self, axis: Any, keepdims: bool, what: str, scale: float) -> "Tensor":
        try:
            with np.errstate(all="ignore"):  # inf + (-inf) is nan, not a warning
                data = self.data.sum(axis=axis, keepdims=keepdims) * scale
                kept = np.sum(self.data, axis=axis, keepdims=True).shape
        except (np.exceptions.AxisError, TypeError) as e:
            raise ValueError(f"{what}(axis={axis!r}) on shape {shape_text(self.shape)}: {e}") from None
        in_shape = self.shape
        vjp = partial(_spread, kept, scale, in_shape)
        op = what if axis is None else f"{what}(axis={axis})"
        rule = f"copy the upstream gradient to every summed element{'' if scale == 1 else ', ÷ count'}"
        return self._gate(data, op, (self, LocalGradient(rule, vjp, in_shape, np.shape(data))),
                          spec=(OPS[what], None))

    @property
    def T(self) -> "Tensor":
        in_shape = self.shape
        return self._gate(self.data.T, "T", (self, LocalGradient(
            "transpose the upstream gradient back", _transposed, in_shape, in_shape[::-1])),
            spec=(OPS["transpose"], None))

    def reshape(self, *shape: Any) -> "Tensor":
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            data = self.data.reshape(shape)
        except ValueError as e:
            raise ValueError(f"cannot reshape {shape_text(self.shape)} to {shape}: {e}") from None
        in_shape = self.shape
        return self._gate(data, "reshape", (self, LocalGradient(
            "reshape the upstream gradient back", partial(_reshaped, in_shape),
            in_shape, data.shape)), spec=(OPS["reshape"], None))

    # -- backward ----------------------------------------------------------------

    def _contributions(self, upstream: np.ndarray) -> list[np.ndarray]:
        return [local.vjp(upstream) for local in self._locals]

    def _local_gradient(self, i: int) -> LocalGradient:
        return self._locals[i]

    def backward(self, grad: Any = None) -> None:
        """Set ``.grad`` of every node this one depends on (d self / d node, times ``grad``).

        For a one-element Tensor ``grad`` defaults to 1. Gradients are set afresh on
        each call, not added to the previous ones.
        """
        seed = seed_of(self, grad)
        order = topological_order(self)
        grads = backprop(self, seed, order)
        given: set[int] = set()
        for node in order:
            g = grads[node]
            # a gradient one may write to: a contribution can be a read-only broadcast view,
            # and a leaf (what users update) never shares its array with another node
            if not (type(g) is np.ndarray and g.flags.writeable and g.shape == node.data.shape
                    and (node.op or id(g) not in given)):
                g = np.array(g, dtype=np.float64).reshape(node.data.shape)
            given.add(id(g))
            node._grad = g

    # -- looking at it -----------------------------------------------------------

    @property
    def is_finite(self) -> bool:
        """False when any element is nan or ±inf (renderings flag such nodes)."""
        return bool(np.isfinite(self.data).all())

    def numpy(self) -> np.ndarray:
        return self.data

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name is not None else ""
        op = f", op={self.op!r}" if self.op else ""
        if self.data.size <= 6:
            body = np.array2string(self.data, precision=4, separator=", ")
            return f"Tensor({body}{name}{op})"
        return f"Tensor(shape={shape_text(self.shape)}{name}{op})"

    def __bool__(self) -> bool:
        raise TypeError("a Tensor has no truth value: compare t.data instead")

    # -- pickling: the ops by name (see Op.__reduce__), the graph without recursion ------

    def __reduce__(self) -> tuple[Any, ...]:
        state = (self.data, self._grad, self.name, self.op, self._locals, self._spec, pickled_inputs(self))
        return copyreg.__newobj__, (type(self),), state

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.data, self._grad, self.name, self.op, self._locals, self._spec, (_, _, self.inputs) = state

    def __copy__(self) -> "Tensor":
        out = tensor_node(self.data, self.op, self.inputs, self._locals, self._spec)
        out._grad, out.name = self._grad, self.name
        return out


def tensor_node(data: Any, op: str, inputs: tuple[Tensor, ...], locals_: tuple[LocalGradient, ...],
                spec: tuple[Op, Any] | None = None) -> Tensor:
    """A Tensor made by ``op`` from ``inputs``, one local gradient per input (``spec``: see ops.spec_of)."""
    out = Tensor.__new__(Tensor)
    out.data = data if type(data) is np.ndarray and data.dtype == np.float64 else np.asarray(data, dtype=np.float64)
    out._grad = None
    out.name = None
    out.op = op
    out.inputs = inputs
    out._locals = locals_
    out._spec = spec
    return out


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    A, B = a.data, b.data
    if A.ndim == 0 or B.ndim == 0:
        raise ValueError("@ needs arrays with at least one dimension; use * for scalars")
    inner = B.shape[0 if B.ndim == 1 else -2]
    if A.shape[-1] != inner:
        raise ValueError(
            f"cannot matrix-multiply shapes {shape_text(A.shape)} @ {shape_text(B.shape)}: "
            f"the inner dimensions {A.shape[-1]} and {inner} differ"
        )
    try:
        with np.errstate(all="ignore"):  # inf × 0 is nan, not a warning
            data = A @ B
    except ValueError as e:
        raise ValueError(f"cannot matrix-multiply shapes {shape_text(A.shape)} @ {shape_text(B.shape)}: {e}") from None
    locals_ = matmul_locals(_frozen(a), _frozen(b), data.shape)  # the forward values, cached for backward
    return tensor_node(data, "@", (a, b), locals_, (OPS["matmul"], None))


def _spread(kept: tuple[int, ...], scale: float, in_shape: tuple[int, ...], g: np.ndarray) -> np.ndarray:
    """The VJP of a sum (``scale`` 1) or a mean: the upstream gradient copied to every summed element."""
    return np.broadcast_to(np.reshape(g, kept) * scale, in_shape)


def _transposed(g: np.ndarray) -> np.ndarray:
    return g.T


def _reshaped(shape: tuple[int, ...], g: np.ndarray) -> np.ndarray:
    return np.reshape(g, shape)


def _unary_method(row: Op) -> Any:
    def method(self: Tensor) -> Tensor:
        return self._apply(row)

    method.__name__, method.__qualname__ = row.method, f"Tensor.{row.method}"
    method.__doc__ = f"The {row.label} gate, elementwise: {row.verb} ({row.rule})."
    return method


for _row in ops.SCALAR_OPS:
    if _row.method and _row.inputs == ("x",):
        setattr(Tensor, _row.method, _unary_method(_row))
