"""Numbers, arrays and lists of names as short text for messages and drawings."""

from __future__ import annotations

from typing import Any

from ...base.lazy_numpy import lazy
from ...drawing.texts import fmt

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats


def num(v: float) -> str:
    """A number with 4 significant digits."""
    return fmt(float(v), 4)


def show(x: Any, indent: int = 0) -> str:
    """A number or an array for a message (an array's later lines indented by ``indent``)."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return num(float(a))
    if a.size > 24:
        return f"an array of shape {shape_text(a.shape)}"
    with np.printoptions(precision=4, suppress=True, floatmode="maxprec"):
        text = np.array2string(a, separator=", ", max_line_width=78 - indent)
    return text.replace("\n", "\n" + " " * indent)


def short(x: Any) -> str:
    """A number or an array as a short label for a drawing."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return num(float(a))
    if a.size <= 4:
        return "[" + ", ".join(num(v) for v in a.ravel()) + "]" + ("" if a.ndim == 1 else f" {shape_text(a.shape)}")
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return f"{'×'.join(map(str, a.shape))}, all nan/inf"
    return f"{'×'.join(map(str, a.shape))} in [{num(finite.min())}, {num(finite.max())}]"


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as Python writes it: ``(3,)``, ``(2, 4)``."""
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def plural(names: list[str]) -> str:
    """Names joined as in a sentence: ``dx, dy and dz``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def printable(text: Any) -> str:
    """A user's text made printable (control characters shown as ``\\xNN``)."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(text))

