"""The numbers each op of the table computes, for Python floats and numpy arrays.

Floats follow numpy's IEEE results (nan, signed infinities and zeros) instead of
raising Python's exceptions; arrays use numpy, imported when first used. The table
(:mod:`vizgrad.engine.ops`) names these functions in its rows.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Callable

from ..base.lazy_numpy import lazy, loaded

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)


def num(c: float) -> str:
    """A constant as it appears in a gate's label: ``1``, ``-1``, ``0.5``."""
    return f"{c:g}"


def as_float(x: Any, what: str, bools: bool = False) -> float | None:
    """``x`` as a float if it is a real number (numpy scalars too, ``True`` if ``bools``), else None.

    Refuses, in one line, what looks like a number but is not a real float.
    """
    if not isinstance(x, Real) or isinstance(x, bool) and not bools:
        if type(x).__module__ != "numpy" or getattr(x, "shape", None) != ():
            return None
        x = x.item()  # a numpy scalar (or 0-d array)
        if isinstance(x, complex):
            raise TypeError(f"{what}: expected a real number, got the complex {x}: use its .real or abs()")
        if not isinstance(x, Real):
            return None
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(
            f"{what}: got an integer of {len(str(abs(int(x))))} digits, too large for a float "
            "(at most about 1.8e308): write float('inf') if you mean infinity"
        ) from None


# -- floats: IEEE results, as numpy gives them, instead of Python's exceptions -------------


def div(a: float, b: float) -> float:
    """``a / b`` with IEEE results (inf, nan) instead of ZeroDivisionError."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def power(a: float, n: float) -> float:
    """``a ** n`` as numpy computes it: nan for a complex result, ±inf on overflow or at ±0,
    ``x ** 0.5`` as a square root (so ``(-inf) ** 0.5`` is nan)."""
    if a - a == 0 and n - n == 0:  # both finite: Python's power, unless it raises
        try:
            r = a**n
        except (ZeroDivisionError, OverflowError):  # ±0 ** negative; too large
            pass
        else:
            return math.nan if isinstance(r, complex) else r
    if n == 0.5:
        return math.nan if a < 0 else math.sqrt(a)
    odd = n - n == 0 and n % 2 == 1  # an odd integer exponent keeps the base's sign
    if a == 0 and n < 0:
        return math.copysign(math.inf, a) if odd else math.inf
    try:
        return math.pow(a, n)  # C99's pow for infinities and nan, as numpy
    except OverflowError:
        return -math.inf if a < 0 and odd else math.inf
    except ValueError:  # a negative base, a fractional exponent
        return math.nan


def exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def periodic(f: Callable[[float], float]) -> Callable[[float], float]:
    """``math.sin``/``math.cos`` with nan at ±inf (as numpy) instead of ValueError."""
    def g(x: float) -> float:
        return f(x) if x - x == 0 else math.nan
    return g


sin, cos = periodic(math.sin), periodic(math.cos)


# 1 - tanh²(x) and σ(x)(1 - σ(x)) lose all their digits where tanh(x) or σ(x) is close to 1
# (1 - y² cancels). Both are bell(u) = 4e/(1 + e)² with e = exp(-|u|), at u = 2x and x, which
# keeps them: 1 - tanh²(x) = bell(2x), σ(x)(1 - σ(x)) = bell(x) / 4.


def bell(u: float) -> float:
    e = math.exp(-abs(u))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def array_bell(u: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(u))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


# x ** e as numpy computes it (JavaScript's ** differs at 1 ** nan, (-1) ** ±inf and, as numpy
# takes a square root for ** 0.5, at (-inf) ** 0.5)
JS_POW = "({e} === 0.5 ? Math.sqrt(x) : x === 1 || (x === -1 && Math.abs({e}) === Infinity) ? 1 : x ** {e})"
JS_BELL = "4 * Math.exp(-Math.abs({u})) / ((1 + Math.exp(-Math.abs({u}))) * (1 + Math.exp(-Math.abs({u}))))"


def maximum(a: float, b: float) -> float:
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


def maximum_local(a: float, b: float, y: float) -> tuple[float, float]:
    if a != a or b != b:
        return math.nan, math.nan
    return (1.0, 0.0) if a >= b else (0.0, 1.0)


# -- arrays ----------------------------------------------------------------------------------


def ufunc(name: str) -> Callable[..., Any]:
    """numpy's ufunc ``name``; before numpy is loaded, a function that looks it up when called."""
    if loaded():
        return getattr(np, name)

    def call(*args: Any) -> Any:
        return getattr(np, name)(*args)

    call.__name__ = name
    return call


def array_sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def array_max(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a) | np.isnan(b), np.nan, np.where(a >= b, a, b))


def array_max_local(a: np.ndarray, b: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = np.where(np.isnan(a) | np.isnan(b), np.nan, a >= b)
    return first, np.where(np.isnan(first), np.nan, 1.0 - first)


def array_relu_local(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray]:
    positive = x > 0  # y = max(x, 0) is nan exactly where x is: then so is the gradient
    has_nan = y.size and np.isnan(y.max())  # max: one fast pass, nan if any element is
    return (np.where(np.isnan(x), np.nan, positive) if has_nan else positive,)


def array_pow_local(x: np.ndarray, c: float, y: np.ndarray) -> tuple[Any]:
    return (0.0 if c == 0 else c * np.power(x, c - 1),)
