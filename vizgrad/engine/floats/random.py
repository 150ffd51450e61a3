"""numpy's random generator, as far as vizgrad's checks use it, on Python's :mod:`random`.

Part of :mod:`vizgrad.engine.floats` (numpy's stand-in where numpy is not installed): the same
methods, other numbers than numpy's generator draws for the same seed. Arrays are made by
the array type the module is given (``floats.ndarray``), so this file imports none of it.
"""

from __future__ import annotations

import math
import random as _random
from typing import Any, Callable


class Generator:
    """The few methods of numpy's ``Generator`` the checks use."""

    def __init__(self, seed: int | None, array_type: type) -> None:
        self._random = _random.Random(seed)
        self._array = array_type  # made as array_type(values, shape); its values are ``_values``

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Any = None) -> Any:
        if size is None:
            return self._random.uniform(low, high)
        return self._many(lambda: self._random.uniform(low, high), size)

    def random(self, size: Any = None) -> Any:
        return self._random.random() if size is None else self._many(self._random.random, size)

    def integers(self, high: int) -> int:
        return self._random.randrange(int(high))

    def choice(self, a: Any, size: Any = None, replace: bool = True) -> Any:
        pool = list(range(a)) if isinstance(a, int) else list(a._values if isinstance(a, self._array) else a)
        if size is None:
            return self._random.choice(pool)
        if not replace:
            return self._array([float(v) for v in self._random.sample(pool, int(size))], (int(size),))
        return self._many(lambda: self._random.choice(pool), size)

    def permutation(self, n: int) -> list[int]:
        order = list(range(n))
        self._random.shuffle(order)
        return order

    def _many(self, draw: Callable[[], float], size: Any) -> Any:
        shape = (size,) if isinstance(size, int) else tuple(size)
        return self._array([float(draw()) for _ in range(math.prod(shape))], shape)


class RandomModule:
    """``numpy.random`` as far as the checks use it: ``default_rng(seed)``, arrays of ``array_type``."""

    Generator = Generator

    def __init__(self, array_type: type) -> None:
        self._array = array_type

    def default_rng(self, seed: int | None = None) -> Generator:
        return Generator(seed, self._array)
