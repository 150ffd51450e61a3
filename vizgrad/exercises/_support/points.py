"""The points a gate is checked at: random ones, ties and zeros, each with a random upstream gradient."""

from __future__ import annotations

from typing import Any

from ...base.lazy_numpy import lazy
from .calls import Spec, copy_if_array
from .numerics import Trial

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats


def _sample(rng: np.random.Generator, shape: tuple, low: float, high: float) -> Any:
    size = int(np.prod(shape)) if shape else 1
    v = rng.uniform(low, high, size=size)
    if low < 0 < high:  # keep random points away from 0, where gates have kinks
        small = np.abs(v) < 0.1
        v[small] = np.where(v[small] < 0, -0.1, 0.1) - v[small]
    v = np.round(v, 2)
    return float(v[0]) if shape == () else v.reshape(shape)


def random_upstream(rng: np.random.Generator, shape: tuple) -> Any:
    """A random upstream gradient of ``shape``, never (close to) 1 nor -1."""
    size = int(np.prod(shape)) if shape else 1
    v = rng.uniform(0.5, 2.5, size=size)
    v = np.where(np.abs(v - 1.0) < 0.15, v + 0.4, v)  # never (close to) 1: a missing dz must show
    v = np.round(v * rng.choice([-1.0, 1.0], size=size), 2)
    return float(v[0]) if shape == () else v.reshape(shape)


def make_trials(spec: Spec, shapes: dict[str, tuple], trials: int, rng: np.random.Generator,
                domain: tuple[float, float], edge_cases: bool, given: list) -> list[Trial]:
    """The points to check: the ``given`` ones, ``trials`` random ones and, with ``edge_cases``, ties and zeros."""
    names = spec.inputs
    out = [_given_trial(names, shapes, g) for g in given]
    out += [_random_trial(names, shapes, rng, domain) for _ in range(trials)]
    if not edge_cases:
        return out
    base = {p: _sample(rng, shapes[p], *domain) for p in names}
    tie = _tie_trial(names, shapes, base)
    if tie is not None:
        out.append(tie)
    return out + _zero_trials(names, shapes, rng, domain, base)


def _given_trial(names: list[str], shapes: dict[str, tuple], g: Any) -> Trial:
    """A point the student gave, as a tuple in forward's order or a dict by name."""
    g = dict(zip(names, g, strict=False)) if not isinstance(g, dict) else dict(g)
    return Trial("given", {p: (float(g[p]) if shapes[p] == () else np.array(g[p], dtype=np.float64))
                           for p in names})


def _random_trial(names: list[str], shapes: dict[str, tuple], rng: np.random.Generator,
                  domain: tuple[float, float]) -> Trial:
    """A random point in ``domain``, without ties between scalar inputs (after 20 tries, any)."""
    for _attempt in range(20):
        point = {p: _sample(rng, shapes[p], *domain) for p in names}
        scalars = [point[p] for p in names if shapes[p] == ()]
        if all(abs(a - b) >= 0.2 for k, a in enumerate(scalars) for b in scalars[k + 1:]):
            break
    return Trial("random", point)


def _tie_trial(names: list[str], shapes: dict[str, tuple], base: dict[str, Any]) -> Trial | None:
    """``base`` with the inputs of each shape made equal (x == y), or None when no two share a shape."""
    groups: dict[tuple, list[str]] = {}
    for p in names:
        groups.setdefault(shapes[p], []).append(p)
    if not any(len(g) > 1 for g in groups.values()):
        return None
    tie = dict(base)
    for g in groups.values():
        for p in g[1:]:
            tie[p] = copy_if_array(tie[g[0]])
    return Trial("tie", tie)


def _zero_trials(names: list[str], shapes: dict[str, tuple], rng: np.random.Generator,
                 domain: tuple[float, float], base: dict[str, Any]) -> list[Trial]:
    """Points with zeros, where ``domain`` holds 0: all zeros and each input 0 (numbers), or arrays with zeros."""
    lo, hi = domain
    if all(shapes[p] == () for p in names):
        if not lo <= 0 <= hi:
            return []
        out = [Trial("zeros", {p: 0.0 for p in names})]
        if len(names) > 1:
            out += [Trial("zero", {**base, p: 0.0}) for p in names]
        return out
    zeros = {}
    for p in names:
        a = np.array(base[p], dtype=np.float64)
        if a.ndim:
            mask = rng.random(a.shape) < 1 / 3
            mask.flat[rng.integers(a.size)] = True
            a[mask] = 0.0
        zeros[p] = a.item() if shapes[p] == () else a
    return [Trial("zeros", zeros)] if lo <= 0 <= hi else []
