"""What a user hands the tensor engine, checked and made a float64 array.

The data of a new :class:`~vizgrad.Tensor` and the upstream gradient given to
``backward(grad=...)`` are refused, in one line that says what to do, when they are not
real numbers of the right shape; ``shape_text`` writes a shape in those messages as numpy
does, ``(3,)``.
"""

from __future__ import annotations

from typing import Any

from ..base.lazy_numpy import lazy

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def as_array(data: Any) -> np.ndarray:
    """``data`` as a float64 array, refusing in one line what is not an array of real numbers."""
    if type(data) is np.ndarray and data.dtype.kind in "fiub":  # the usual case: a copy
        return np.array(data, dtype=np.float64)
    if getattr(data, "_engine", None) == "Value":
        raise TypeError("Tensor(...) takes numbers or arrays, not a Value: write Tensor(v.data)")
    if data is None:
        raise TypeError("Tensor(...) needs numbers or an array, got None")
    try:
        array = np.asarray(data)
        if array.dtype == object:  # not plain numbers: Values, None, ...
            for item in array.flat:
                if item is None:
                    raise TypeError("Tensor(...) got None among its numbers: fill in every entry")
                if getattr(item, "_engine", None):
                    raise TypeError(
                        f"Tensor(...) takes numbers, not a {item._engine} inside a list (it would lose its "
                        "gradient): build the Tensor from numbers, Tensor([v.data for v in values]), "
                        "or keep the Values in a scalar graph"
                    )
        if array.dtype.kind == "c":
            raise TypeError("Tensor(...) takes real numbers, got complex ones: use .real or abs()")
        return np.array(array, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as e:
        if str(e).startswith("Tensor(...)"):
            raise TypeError(str(e)) from None
        raise TypeError(
            f"Tensor(...) needs numbers or a (regular) array of numbers, "
            f"got {type(data).__name__}: {e}"
        ) from None


def seed_of(out: Any, grad: Any) -> np.ndarray:
    """The gradient the Tensor ``out``'s ``backward(grad)`` starts from: 1 for one element, else ``grad``."""
    if grad is None:
        if out.data.size != 1:
            raise ValueError(
                f"backward() on a Tensor of shape {shape_text(out.shape)} needs an upstream "
                "gradient: reduce it to one number first (.sum() or .mean()), "
                "or pass grad=<array of the same shape>"
            )
        return np.ones(out.data.shape)
    seed = np.array(grad, dtype=np.float64)  # a copy: it becomes out.grad
    if seed.shape != out.shape:
        raise ValueError(
            f"backward(grad=...) got shape {shape_text(seed.shape)}, "
            f"but the Tensor has shape {shape_text(out.shape)}: they must be equal"
        )
    return seed
