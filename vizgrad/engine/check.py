"""Checking gradients against numbers: central differences and explicit Jacobians."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any, Callable

from ..base.lazy_numpy import lazy
from .graph import backprop, topological_order
from .local_gradient import JACOBIAN_LIMIT, check_jacobian_size
from .tensor import Tensor
from .value import Value

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats


@dataclass(frozen=True)
class GradcheckResult:
    """The outcome of :func:`gradcheck`; true when every gradient matched."""

    passed: bool
    max_rel_error: float
    worst_input: int  # index of the input with the largest error
    worst_name: str
    errors: tuple[float, ...]  # the largest relative error for each input
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        import html

        color = "#1a7f37" if self.passed else "#cf222e"
        return f'<pre style="color:{color}">{html.escape(self.message)}</pre>'


@dataclass(frozen=True)
class Differences:
    """Finite differences of ``f`` at ``x``, one entry of ``x`` at a time.

    Each array has shape ``x.shape + shape of f(x)``; entries not evaluated are nan.
    ``right`` and ``left`` (the one-sided differences) are filled by ``one_sided=True`` only.
    """

    central: np.ndarray  # (f(x + h) - f(x - h)) / 2h
    right: np.ndarray | None = None  # (f(x + h) - f(x)) / h
    left: np.ndarray | None = None  # (f(x) - f(x - h)) / h


def numerical_gradient(f: Callable[[Any], Any], x: Any, eps: float = 1e-6, *, relative: bool = False,
                       entries: list[tuple[int, ...]] | None = None, one_sided: bool = False) -> Differences:
    """Central differences of ``f`` (numbers or arrays out) with respect to each entry of ``x``.

    ``f`` gets ``x`` with one entry moved by ``±h`` (a float when ``x`` is a number, else an
    array); ``h`` is ``eps``, or ``eps * max(1, |x_i|)`` when ``relative``. Only ``entries``
    (indices into ``x``) are evaluated when given. With ``one_sided`` the one-sided
    differences are computed too, from the same evaluations and one of ``f(x)``.
    """
    base = np.array(x, dtype=np.float64)

    def at(a: np.ndarray) -> np.ndarray:
        return np.asarray(f(a.item() if base.ndim == 0 else a), dtype=np.float64)

    f0 = at(base.copy()) if one_sided else None
    central = right = left = None
    for idx in (list(np.ndindex(base.shape)) if entries is None else entries):
        h = eps * max(1.0, abs(float(base[idx]))) if relative else eps
        plus, minus = base.copy(), base.copy()
        plus[idx] += h
        minus[idx] -= h
        fp, fm = at(plus), at(minus)
        if central is None:
            central = np.full(base.shape + fp.shape, np.nan)
            right, left = np.full_like(central, np.nan), np.full_like(central, np.nan)
        with np.errstate(all="ignore"):
            central[idx] = (fp - fm) / (2 * h)
            if f0 is not None:
                right[idx], left[idx] = (fp - f0) / h, (f0 - fm) / h
    if central is None:  # nothing to evaluate
        central = np.full(base.shape, np.nan)
        right, left = central.copy(), central.copy()
    return Differences(central, right if one_sided else None, left if one_sided else None)


def _as_node(x: Any, i: int) -> Value | Tensor:
    if isinstance(x, (Value, Tensor)):
        return x
    if isinstance(x, Real) and not isinstance(x, bool):
        return Value(float(x), name=f"input {i}")
    return Tensor(x, name=f"input {i}")


def gradcheck(
    fn: Callable[..., Value | Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> GradcheckResult:
    """Compare the gradients of ``fn(*inputs)`` with central differences.

    ``inputs`` are numbers, arrays, Values or Tensors (numbers become Values, arrays
    Tensors); ``fn`` must return one number (a Value or a one-element Tensor).
    The relative error of each gradient entry is ``|a - n| / max(|a|, |n|, atol / rtol)``.
    """
    nodes = [_as_node(x, i) for i, x in enumerate(inputs)]
    if not nodes:
        raise TypeError("gradcheck(fn, *inputs) needs at least one input")
    out = fn(*nodes)
    if not isinstance(out, (Value, Tensor)) or isinstance(out, Tensor) and out.data.size != 1:
        shape = getattr(getattr(out, "data", None), "shape", None)
        raise ValueError(
            "gradcheck needs fn to return one number (a Value or a one-element Tensor), "
            f"got {type(out).__name__}{'' if shape is None else ' of shape ' + str(shape)}: "
            "reduce it with .sum() first"
        )
    seed = 1.0 if isinstance(out, Value) else np.ones_like(out.data)
    grads = backprop(out, seed, topological_order(out))

    def value_at(node_index: int, data: Any) -> float:
        trial = list(nodes)
        node = nodes[node_index]
        trial[node_index] = Value(data, node.name) if isinstance(node, Value) else Tensor(data, node.name)
        return float(np.asarray(fn(*trial).data).reshape(()))

    errors = []
    for k, node in enumerate(nodes):
        analytic = np.asarray(grads.get(node, np.zeros_like(np.asarray(node.data))), dtype=float)
        base = np.array(node.data, dtype=np.float64)
        numeric = numerical_gradient(lambda data, k=k: value_at(k, data), node.data, eps).central
        denom = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), atol / rtol)
        err = np.abs(analytic.reshape(base.shape) - numeric) / denom
        errors.append(float(np.nanmax(err)) if err.size and not np.isnan(err).all() else
                      (float("nan") if err.size else 0.0))

    worst = int(np.nanargmax(errors)) if not all(np.isnan(errors)) else 0
    nan_found = any(np.isnan(errors))
    passed = not nan_found and max(errors) <= rtol
    name = nodes[worst].name or f"input {worst}"
    if passed:
        message = f"gradcheck passed: largest relative error {max(errors):.2e} (at {name})"
    elif nan_found:
        message = "gradcheck failed: a gradient is nan (a value is outside the op's domain?)"
    else:
        message = (f"gradcheck failed: the gradient of {name} is off by a relative "
                   f"{errors[worst]:.2e} (tolerance {rtol:.0e})")
    return GradcheckResult(passed, float(np.nanmax(errors)) if not all(np.isnan(errors)) else
                           float("nan"), worst, name, tuple(errors), message)


def jacobian(fn: Callable[[Tensor], Tensor], x: Any, limit: int = JACOBIAN_LIMIT) -> np.ndarray:
    """The explicit Jacobian of ``fn`` at ``x``: ``J[i, j] = d out_i / d x_j``.

    Built with one backward pass per output element, for small functions only:
    for large inputs backprop multiplies through ops instead (refused above ``limit``).
    """
    node = x if isinstance(x, Tensor) else Tensor(x, name="x")
    out = fn(node)
    if not isinstance(out, Tensor):
        raise TypeError(f"jacobian needs fn to return a Tensor, got {type(out).__name__}")
    check_jacobian_size(out.data.size, node.data.size, limit)
    order = topological_order(out)
    J = np.zeros((out.data.size, node.data.size))
    for i in range(out.data.size):
        seed = np.zeros(out.data.size)
        seed[i] = 1.0
        g = backprop(out, seed.reshape(out.shape), order).get(node)
        if g is not None:
            J[i] = np.broadcast_to(g, node.shape).ravel()
    return J
