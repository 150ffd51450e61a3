"""The live inputs of ``vg.scrub(fn, x=...)``, checked before any slider is made: a bad one is
refused in one line naming the input."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from .drawing.room import default_range


def slider_spec(name: str, spec: Any) -> tuple[float, float, float, float]:
    """Input ``name``'s slider, ``(value, min, max, step)``, from a number (a range around it) or
    ``(value, min, max[, step])``: finite numbers, min below max, step above 0, value in range."""
    if isinstance(spec, (tuple, list)):
        if len(spec) not in (3, 4):
            raise ValueError(f"input {name}: give a number or (value, min, max[, step]), got {spec!r}")
        if not all(isinstance(v, Real) and not isinstance(v, bool) for v in spec):
            raise TypeError(f"input {name}: (value, min, max[, step]) takes numbers, got {spec!r}")
        value, lo, hi, *rest = (float(v) for v in spec)
        step = rest[0] if rest else 0.1
    else:
        if isinstance(spec, bool) or not isinstance(spec, Real):
            raise TypeError(f"input {name}: expected a number, got {type(spec).__name__}")
        value = float(spec)
        lo, hi, step = default_range(value) if math.isfinite(value) else (0.0, 1.0, 0.1)
    for what, v in (("start", value), ("min", lo), ("max", hi), ("step", step)):
        if not math.isfinite(v):
            raise ValueError(f"input {name}: the {what} must be finite, got {v}")
    if lo >= hi:
        raise ValueError(f"input {name}: the min {lo} must be below the max {hi}")
    if step <= 0:
        raise ValueError(f"input {name}: the step must be above 0, got {step}")
    if not lo <= value <= hi:
        raise ValueError(f"input {name}: the start {value} is outside its range {lo} to {hi}")
    return value, lo, hi, step
