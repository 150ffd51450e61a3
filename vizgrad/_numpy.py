"""numpy, imported when an array first needs it.

The scalar engine (:class:`~vizgrad.Value`), traces, drawings and the scalar exercise
checks run without numpy (the browser site has none); the Tensor engine needs it. A
module that uses numpy writes ``np = lazy(globals())``: if numpy is already imported
that is numpy itself; otherwise a stand-in that imports numpy at its first attribute
and then puts numpy in its place in every module that asked, so later uses cost nothing.
"""

from __future__ import annotations

import sys
from typing import Any

MISSING = ("vizgrad's Tensor engine (arrays) needs numpy, which is not installed here: pip install numpy "
           "(or use vizgrad.Value, the scalar engine, which does not need it)")


def loaded() -> bool:
    """Whether numpy is imported (then ``isinstance(x, numpy.ndarray)`` is worth asking)."""
    return sys.modules.get("numpy") is not None


def require() -> Any:
    """numpy, imported now; without it, one ModuleNotFoundError saying what to do."""
    try:
        import numpy
    except ImportError:
        raise ModuleNotFoundError(MISSING, name="numpy") from None
    return numpy


def is_array(x: Any) -> bool:
    """Whether ``x`` is a numpy array (False, without importing numpy, when numpy is not loaded)."""
    return loaded() and isinstance(x, sys.modules["numpy"].ndarray)


class _StandIn:
    """numpy before it is imported (see the module's docstring)."""

    def __init__(self) -> None:
        self._namespaces: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        numpy = require()
        for namespace in self._namespaces:
            for key, value in list(namespace.items()):
                if value is self:
                    namespace[key] = numpy
        self._namespaces.clear()
        return getattr(numpy, name)

    def __repr__(self) -> str:
        return "<numpy, imported when first used>"


_stand_in = _StandIn()


def lazy(namespace: dict[str, Any]) -> Any:
    """numpy for the module whose ``globals()`` is ``namespace`` (see the module's docstring)."""
    if loaded():
        return sys.modules["numpy"]
    _stand_in._namespaces.append(namespace)
    return _stand_in
