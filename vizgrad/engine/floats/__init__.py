"""The numpy functions vizgrad's checks use, on small arrays of Python floats.

Where numpy is missing (the browser site), :func:`vizgrad.gradcheck` on Values and the
exercise checks of scalar gates and circuits still run: their modules write
``np = lazy(globals(), fallback="vizgrad.engine.floats")`` and get this module instead of numpy.
It covers what those checks call, with numpy's results (IEEE division, nan-aware
reductions, elementwise comparisons, boolean masks), for arrays of a few entries; it is
not a general array library. Random numbers come from Python's :mod:`random`
(:mod:`vizgrad.engine.floats.random`), so the points a check draws differ from the ones
numpy's generator gives for the same seed.
"""

from __future__ import annotations

import builtins
import contextlib
import math
import operator
from typing import Any, Callable, Iterator

from ..op_math import div
from .random import RandomModule
from .shapes import broadcast_shapes, ndindex, unravel_index  # noqa: F401  (numpy's names, kept here)

nan = math.nan
inf = math.inf
float64 = float


class complexfloating:  # noqa: N801  (numpy's name; nothing here is complex)
    """No value here is a numpy complex number."""


class _DType:
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _DType):
            return other.kind == self.kind
        return other is float and self.kind == "f" or other is bool and self.kind == "b"

    __hash__ = None  # type: ignore[assignment]


_FLOAT, _BOOL = _DType("f"), _DType("b")


def _flatten(x: Any, out: list) -> tuple[int, ...]:
    """Append the entries of ``x`` (a number, a nested list, an array) to ``out``; return its shape."""
    if isinstance(x, ndarray):
        out.extend(x._values)
        return x.shape
    if isinstance(x, (list, tuple)):
        shapes = [_flatten(item, out) for item in x]
        if builtins.any(s != shapes[0] for s in shapes):
            raise ValueError("setting an array element with a sequence: the rows have different lengths")
        return (len(x),) + (shapes[0] if shapes else ())
    if isinstance(x, complex):
        raise TypeError("complex numbers are not supported here")
    out.append(float(x))  # a TypeError or ValueError for what is not a number
    return ()


def _operator(f: Callable[[Any, Any], Any], dtype: _DType = _FLOAT, swap: bool = False) -> Callable:
    """An array method applying ``f`` entry by entry (``f(other, self)`` if ``swap``)."""
    def method(self: ndarray, other: Any) -> ndarray:
        return _map2(f, other, self, dtype) if swap else _map2(f, self, other, dtype)
    return method


class ndarray:  # noqa: N801  (numpy's name: ``isinstance(x, np.ndarray)`` reads the same)
    """An n-dimensional array of floats (or of bools, from comparisons), stored flat in row-major order."""

    __slots__ = ("_values", "shape", "dtype")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, values: list, shape: tuple[int, ...], dtype: _DType = _FLOAT) -> None:
        self._values, self.shape, self.dtype = values, tuple(shape), dtype

    # -- what it is
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return len(self._values)

    def item(self) -> Any:
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self._values[0]

    def copy(self) -> ndarray:
        return ndarray(list(self._values), self.shape, self.dtype)

    def tolist(self) -> Any:
        if not self.shape:
            return self._values[0]
        return [self[k].tolist() for k in range(self.shape[0])]

    def reshape(self, *shape: Any) -> ndarray:
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)
        if -1 in shape:
            known = math.prod(n for n in shape if n != -1)
            shape = tuple(self.size // known if n == -1 else n for n in shape)
        if math.prod(shape) != self.size:
            raise ValueError(f"cannot reshape an array of size {self.size} into shape {shape}")
        return ndarray(list(self._values), shape, self.dtype)

    def ravel(self) -> ndarray:
        return self.reshape(-1)

    def min(self) -> float:
        return _nan_or(min, self._values)

    def max(self) -> float:
        return _nan_or(max, self._values)

    def all(self) -> bool:
        return builtins.all(self._values)

    def any(self) -> bool:
        return builtins.any(self._values)

    def sum(self) -> float:
        return builtins.sum(self._values, 0.0)

    # -- as a number
    def __bool__(self) -> bool:
        return bool(self.item()) if self.size == 1 else _ambiguous()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __format__(self, spec: str) -> str:
        return format(self.item(), spec) if self.size == 1 and not self.shape else format(str(self), spec)

    def __repr__(self) -> str:
        return f"array({self.tolist()!r})"

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self) -> Iterator[Any]:
        return (self[k] for k in range(len(self)))

    # -- indexing: integers (and one ...), or a boolean mask of the same shape
    def _block(self, key: tuple) -> tuple[int, int, tuple[int, ...]]:
        """(first flat index, entries, shape) of the block the integers ``key`` select."""
        if len(key) > self.ndim or builtins.any(not isinstance(k, int) for k in key):
            raise IndexError(f"index {key} not supported here (integers, [..., i] or a boolean mask)")
        if len(key) > self.ndim:
            raise IndexError(f"too many indices for an array of {self.ndim} dimensions")
        start, stride = 0, self.size
        for k, n in zip(key, self.shape, strict=False):
            stride //= n
            k = int(k)
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for size {n}")
            start += (k % n) * stride
        return start, stride, self.shape[len(key):]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, ndarray):
            kept = [v for v, m in zip(self._values, key._values, strict=True) if m]
            return ndarray(kept, (len(kept),), self.dtype)
        key = key if isinstance(key, tuple) else (key,)
        if key and key[0] is Ellipsis:  # [..., i]: entry i of the last axis, everywhere
            if len(key) != 2 or not self.ndim:
                raise IndexError(f"index {key} not supported here (integers, [..., i] or a boolean mask)")
            inner = self.shape[-1]
            return ndarray(self._values[int(key[1]) % inner::inner], self.shape[:-1], self.dtype)
        start, count, shape = self._block(key)
        return ndarray(self._values[start:start + count], shape, self.dtype)

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, ndarray):
            places = [k for k, m in enumerate(key._values) if m]
        else:
            start, count, _ = self._block(key if isinstance(key, tuple) else (key,))
            places = list(range(start, start + count))
        new = asarray(value)._values
        if len(new) == 1:
            new = new * len(places)
        if len(new) != len(places):
            raise ValueError(f"cannot assign {len(new)} values to {len(places)} entries")
        for k, v in zip(places, new, strict=True):
            self._values[k] = float(v) if self.dtype.kind == "f" else v

    # -- arithmetic and comparisons, elementwise (division by zero as IEEE: inf or nan)
    __add__, __radd__ = _operator(operator.add), _operator(operator.add, swap=True)
    __sub__, __rsub__ = _operator(operator.sub), _operator(operator.sub, swap=True)
    __mul__, __rmul__ = _operator(operator.mul), _operator(operator.mul, swap=True)
    __truediv__, __rtruediv__ = _operator(div), _operator(div, swap=True)
    __lt__, __le__ = _operator(operator.lt, _BOOL), _operator(operator.le, _BOOL)
    __gt__, __ge__ = _operator(operator.gt, _BOOL), _operator(operator.ge, _BOOL)
    __eq__, __ne__ = _operator(operator.eq, _BOOL), _operator(operator.ne, _BOOL)  # type: ignore[assignment]
    __and__ = _operator(lambda a, b: bool(a) and bool(b), _BOOL)
    __or__ = _operator(lambda a, b: bool(a) or bool(b), _BOOL)

    def __neg__(self) -> ndarray:
        return _map1(operator.neg, self)

    def __abs__(self) -> ndarray:
        return _map1(builtins.abs, self)

    def __invert__(self) -> ndarray:
        return _map1(operator.not_, self, _BOOL)


def _ambiguous() -> bool:
    raise ValueError("the truth value of an array with more than one element is ambiguous: use all() or any()")


def _nan_or(pick: Callable[[list], float], values: list) -> float:
    if not values:
        raise ValueError("zero-size array has no minimum or maximum")
    return nan if builtins.any(v != v for v in values) else pick(values)


def _map1(f: Callable[[Any], Any], a: Any, dtype: _DType = _FLOAT) -> ndarray:
    a = asarray(a)
    return ndarray([f(v) for v in a._values], a.shape, dtype)


def _map2(f: Callable[[Any, Any], Any], a: Any, b: Any, dtype: _DType = _FLOAT) -> ndarray:
    a, b = asarray(a), asarray(b)
    shape = broadcast_shapes(a.shape, b.shape)
    va, vb = _spread(a, shape), _spread(b, shape)
    out = [f(x, y) for x, y in zip(va, vb, strict=True)]
    return ndarray(out if dtype is _BOOL else [float(v) for v in out], shape, dtype)


def _spread(a: ndarray, shape: tuple[int, ...]) -> list:
    if a.shape == shape:
        return a._values
    if a.size == 1:
        return a._values * math.prod(shape)
    full = (1,) * (len(shape) - a.ndim) + a.shape
    strides = [math.prod(full[k + 1:]) if full[k] != 1 else 0 for k in range(len(full))]
    return [a._values[builtins.sum(i * s for i, s in zip(idx, strides, strict=True))] for idx in ndindex(shape)]


# -- making arrays


def asarray(x: Any, dtype: Any = None) -> ndarray:
    if isinstance(x, ndarray) and (dtype is None or x.dtype == dtype):
        return x
    return array(x, dtype)


def array(x: Any, dtype: Any = None) -> ndarray:
    if isinstance(x, ndarray) and dtype is None:
        return x.copy()
    if isinstance(x, bool) and dtype is None:
        return ndarray([x], (), _BOOL)
    values: list = []
    shape = _flatten(x, values)
    return ndarray(values, shape)


def full(shape: Any, value: float) -> ndarray:
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return ndarray([float(value)] * math.prod(shape), shape)


def full_like(a: Any, value: float) -> ndarray:
    return full(asarray(a).shape, value)


def zeros(shape: Any) -> ndarray:
    return full(shape, 0.0)


def zeros_like(a: Any) -> ndarray:
    return full_like(a, 0.0)


def ones_like(a: Any) -> ndarray:
    return full_like(a, 1.0)


# -- elementwise


def abs(a: Any) -> ndarray:  # noqa: A001  (numpy's name)
    return _map1(lambda v: v if v != v else (-v if v < 0 else v + 0.0), a)


def isnan(a: Any) -> ndarray:
    return _map1(lambda v: v != v, a, _BOOL)


def isinf(a: Any) -> ndarray:
    return _map1(lambda v: v in (inf, -inf), a, _BOOL)


def isfinite(a: Any) -> ndarray:
    return _map1(lambda v: v - v == 0, a, _BOOL)


def maximum(a: Any, b: Any) -> ndarray:
    return _map2(lambda x, y: x if x != x else y if y != y else (x if x >= y else y), a, b)


def minimum(a: Any, b: Any) -> ndarray:
    return _map2(lambda x, y: x if x != x else y if y != y else (x if x <= y else y), a, b)


def where(condition: Any, a: Any, b: Any) -> ndarray:
    c = asarray(condition)
    shape = broadcast_shapes(c.shape, asarray(a).shape, asarray(b).shape)
    picked = [x if m else y for m, x, y in zip(_spread(c, shape), _spread(asarray(a), shape),
                                                 _spread(asarray(b), shape), strict=True)]
    return ndarray([float(v) for v in picked], shape)


def round(a: Any, decimals: int = 0) -> ndarray:  # noqa: A001  (numpy's name)
    return _map1(lambda v: builtins.round(v, decimals) if v - v == 0 else v, a)


# -- reductions and shapes


def sum(a: Any) -> float:  # noqa: A001  (numpy's name)
    total = 0.0
    for v in asarray(a)._values:
        total += v
    return total


def all(a: Any) -> bool:  # noqa: A001  (numpy's name)
    return builtins.all(asarray(a)._values)


def any(a: Any) -> bool:  # noqa: A001  (numpy's name)
    return builtins.any(asarray(a)._values)


def nanmax(a: Any) -> float:
    kept = [v for v in asarray(a)._values if v == v]
    return max(kept) if kept else nan


def nanargmax(a: Any) -> int:
    values = asarray(a)._values
    kept = [(v, -k) for k, v in enumerate(values) if v == v]
    if not kept:
        raise ValueError("All-NaN slice encountered")
    return -max(kept)[1]


def nonzero(a: Any) -> tuple[list[int], ...]:
    a = asarray(a)
    hits = [idx for idx, v in zip(ndindex(a.shape), a._values, strict=True) if v]
    return tuple([idx[d] for idx in hits] for d in range(a.ndim))


def ndim(a: Any) -> int:
    return asarray(a).ndim


def size(a: Any) -> int:
    return asarray(a).size


def shape(a: Any) -> tuple[int, ...]:
    return asarray(a).shape


def prod(shape: Any) -> float:
    return math.prod(shape)


def errstate(**kw: Any) -> contextlib.AbstractContextManager:
    """Python floats warn about nothing: nothing to silence."""
    return contextlib.nullcontext()


def printoptions(**kw: Any) -> contextlib.AbstractContextManager:
    return contextlib.nullcontext()


random = RandomModule(ndarray)  # np.random.default_rng
