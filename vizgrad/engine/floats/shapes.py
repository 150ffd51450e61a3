"""numpy's shape functions, for :mod:`vizgrad.engine.floats`: indexes and broadcasting."""

from __future__ import annotations

import itertools
from typing import Iterator


def ndindex(shape: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    return itertools.product(*(range(n) for n in shape))


def unravel_index(k: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return next(itertools.islice(ndindex(shape), k, None))


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    n = max((len(s) for s in shapes), default=0)
    out = []
    for dims in zip(*[(1,) * (n - len(s)) + tuple(s) for s in shapes], strict=True):
        sizes = {d for d in dims if d != 1}
        if len(sizes) > 1:
            raise ValueError(f"shapes {shapes} cannot be broadcast together")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)
