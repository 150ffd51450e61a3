"""The points a gate is checked at: random ones, ties and zeros, each with a random upstream gradient."""

from __future__ import annotations

from typing import Any

from ..base.lazy_numpy import lazy
from .calls import _copy, _Spec
from .numerics import _Trial

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats

def _sample(rng: np.random.Generator, shape: tuple, low: float, high: float) -> Any:
    size = int(np.prod(shape)) if shape else 1
    v = rng.uniform(low, high, size=size)
    if low < 0 < high:  # keep random points away from 0, where gates have kinks
        small = np.abs(v) < 0.1
        v[small] = np.where(v[small] < 0, -0.1, 0.1) - v[small]
    v = np.round(v, 2)
    return float(v[0]) if shape == () else v.reshape(shape)


def _upstream(rng: np.random.Generator, shape: tuple) -> Any:
    size = int(np.prod(shape)) if shape else 1
    v = rng.uniform(0.5, 2.5, size=size)
    v = np.where(np.abs(v - 1.0) < 0.15, v + 0.4, v)  # never (close to) 1: a missing dz must show
    v = np.round(v * rng.choice([-1.0, 1.0], size=size), 2)
    return float(v[0]) if shape == () else v.reshape(shape)


def _points(spec: _Spec, shapes: dict[str, tuple], trials: int, rng: np.random.Generator,
            domain: tuple[float, float], edge_cases: bool, given: list) -> list[_Trial]:
    names = spec.inputs
    out: list[_Trial] = []
    for g in given:
        g = dict(zip(names, g, strict=False)) if not isinstance(g, dict) else dict(g)
        out.append(_Trial("given", {p: (float(g[p]) if shapes[p] == () else np.array(g[p], dtype=np.float64))
                                    for p in names}))
    for _ in range(trials):
        for _attempt in range(20):  # random points: no ties between scalar inputs
            point = {p: _sample(rng, shapes[p], *domain) for p in names}
            scalars = [point[p] for p in names if shapes[p] == ()]
            if all(abs(a - b) >= 0.2 for k, a in enumerate(scalars) for b in scalars[k + 1:]):
                break
        out.append(_Trial("random", point))
    if not edge_cases:
        return out
    base = {p: _sample(rng, shapes[p], *domain) for p in names}
    groups: dict[tuple, list[str]] = {}
    for p in names:
        groups.setdefault(shapes[p], []).append(p)
    if any(len(g) > 1 for g in groups.values()):  # ties: equal inputs (x == y)
        tie = dict(base)
        for g in groups.values():
            for p in g[1:]:
                tie[p] = _copy(tie[g[0]])
        out.append(_Trial("tie", tie))
    if all(shapes[p] == () for p in names):  # zeros
        lo, hi = domain
        if lo <= 0 <= hi:
            out.append(_Trial("zeros", {p: 0.0 for p in names}))
            if len(names) > 1:
                for p in names:
                    out.append(_Trial("zero", {**base, p: 0.0}))
    else:
        zeros = {}
        for p in names:
            a = np.array(base[p], dtype=np.float64)
            if a.ndim:
                mask = rng.random(a.shape) < 1 / 3
                mask.flat[rng.integers(a.size)] = True
                a[mask] = 0.0
            zeros[p] = a.item() if shapes[p] == () else a
        if domain[0] <= 0 <= domain[1]:
            out.append(_Trial("zeros", zeros))
    return out

