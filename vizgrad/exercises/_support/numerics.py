"""Numerical derivatives of a student's forward, compared with its backward."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ...base.lazy_numpy import lazy
from ...engine.check import numerical_gradient
from .calls import Spec, run_forward
from .result import StopCheck
from .text import shape_text

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats

RTOL, ATOL = 1e-4, 1e-5


def _close(a: Any, b: Any, rtol: float = RTOL, atol: float = ATOL) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))


def all_close(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` have the same shape and agree within RTOL and ATOL everywhere."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    return bool(np.all(_close(a, b)))


@dataclass
class Trial:
    """One point a gate is checked at, and what the check found there."""

    kind: str  # "random", "tie", "zeros", "zero", "given"
    point: dict[str, Any]
    dz: Any = None
    z: np.ndarray | None = None
    got: list[np.ndarray] = field(default_factory=list)
    center: list[np.ndarray] = field(default_factory=list)  # numerical gradient, upstream dz
    center1: list[np.ndarray] = field(default_factory=list)  # the same with upstream 1
    lo: list[np.ndarray] = field(default_factory=list)
    hi: list[np.ndarray] = field(default_factory=list)
    kink: list[np.ndarray] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)
    ties: list[tuple] = field(default_factory=list)  # failing joint directions


def _forward_at(spec: Spec, values: dict[str, Any], consts: dict[str, Any], shape: tuple) -> np.ndarray:
    """The output of a fresh gate at ``values``, which must have the shape it had at the trial's point."""
    _, z = run_forward(spec, values, consts)
    if z.shape != shape:
        raise StopCheck("error", f"{spec.name}: forward returned shape {shape_text(z.shape)} at one input and "
                                 f"{shape_text(shape)} at another: the output's shape must depend only on "
                                 "the inputs' shapes.")
    return z


def fill_numerics(spec: Spec, t: Trial, consts: dict[str, Any], shapes: dict[str, tuple],
                  max_entries: int, rng: np.random.Generator) -> None:
    """The numerical gradient of every input (with upstream dz, and with upstream 1), and kinks."""
    z0, dz = t.z, np.asarray(t.dz, dtype=np.float64)

    def weighted(p: str, a: Any) -> np.ndarray:  # (sum of dz * z, sum of z) with input p at a
        z = _forward_at(spec, {**t.point, p: a}, consts, z0.shape)
        return np.array([np.sum(dz * z), np.sum(z)])

    with np.errstate(all="ignore"):
        for p in spec.inputs:
            base = np.asarray(t.point[p], dtype=np.float64)
            entries = list(np.ndindex(base.shape))
            if len(entries) > max_entries:
                entries = [entries[k] for k in sorted(rng.choice(len(entries), max_entries, replace=False))]
            d = numerical_gradient(partial(weighted, p), t.point[p], 1e-6, relative=True, entries=entries,
                                   one_sided=True)
            c, c1 = d.central[..., 0], d.central[..., 1]
            dp, dm = d.right[..., 0], d.left[..., 0]
            kink = np.abs(dp - dm) > 1e-3 * (1.0 + np.abs(dp) + np.abs(dm))
            t.center.append(c)
            t.center1.append(c1)
            t.lo.append(np.where(kink, np.minimum(dp, dm), c))
            t.hi.append(np.where(kink, np.maximum(dp, dm), c))
            t.kink.append(kink)


def compare_gradients(spec: Spec, t: Trial, consts: dict[str, Any], shapes: dict[str, tuple]) -> None:
    """Fill ``t.bad`` (inputs whose gradient is out of bounds) and ``t.ties`` (joint directions)."""
    for i in range(len(spec.inputs)):
        g, lo, hi = t.got[i], t.lo[i], t.hi[i]
        known = ~np.isnan(lo)
        tol = ATOL + RTOL * np.maximum(np.abs(g), np.maximum(np.abs(lo), np.abs(hi)))
        with np.errstate(invalid="ignore"):
            ok = (g >= lo - tol) & (g <= hi + tol)
        if not np.all(ok[known]) or not np.all(np.isfinite(g)):
            t.bad.append(i)
    # at a kink, the directions that move all same-shaped inputs together must match too
    # (a max gate at a tie may send dz to either input, but not to both)
    seen: set[tuple] = set()
    z0, dz = t.z, np.asarray(t.dz, dtype=np.float64)
    for i, p in enumerate(spec.inputs):
        for idx in zip(*np.nonzero(t.kink[i]), strict=False) if t.kink[i].ndim else ([()] if t.kink[i] else []):
            idx = tuple(int(k) for k in idx)
            key = (shapes[p], idx)
            if key in seen:
                continue
            seen.add(key)
            members = [j for j, q in enumerate(spec.inputs) if shapes[q] == shapes[p]]
            if len(members) < 2:
                continue
            with np.errstate(all="ignore"):
                dp = float(np.sum(dz * (_moved(spec, t, consts, shapes, members, idx, 1e-6) - z0))) / 1e-6
                dm = float(np.sum(dz * (z0 - _moved(spec, t, consts, shapes, members, idx, -1e-6)))) / 1e-6
            total = float(sum(t.got[j][idx] for j in members))
            lo, hi = min(dp, dm), max(dp, dm)
            tol = ATOL + RTOL * max(abs(total), abs(lo), abs(hi))
            if not lo - tol <= total <= hi + tol:
                t.ties.append((members, idx, total, lo, hi))


def _moved(spec: Spec, t: Trial, consts: dict[str, Any], shapes: dict[str, tuple], members: list[int],
           idx: tuple, h: float) -> np.ndarray:
    """The output with entry ``idx`` of every input in ``members`` moved by ``h`` together."""
    values = dict(t.point)
    for j in members:
        q = spec.inputs[j]
        a = np.array(values[q], dtype=np.float64)
        a[idx] += h
        values[q] = a.item() if shapes[q] == () else a
    return run_forward(spec, values, consts)[1]


# -- what the forward looks like (for hints) -------------------------------------------


def guess_kind(spec: Spec, t: Trial) -> str:
    """What a two-input gate computes at ``t``: "multiply", "add", "max", "matmul", or "" (for hints)."""
    vals = [np.asarray(t.point[p], dtype=np.float64) for p in spec.inputs]
    z = t.z
    if len(vals) == 2:
        a, b = vals
        candidates = {"multiply": lambda: a * b, "add": lambda: a + b, "max": lambda: np.maximum(a, b),
                      "matmul": lambda: a @ b}
        for kind, f in candidates.items():
            try:
                with np.errstate(all="ignore"):
                    v = f()
            except (ValueError, TypeError):
                continue
            if v.shape == z.shape and all_close(v, z):
                return kind
    return ""

