"""numpy, imported when an array first needs it.

The scalar engine (:class:`~vizgrad.Value`), traces, drawings and the scalar exercise
checks run without numpy (the browser site has none); the Tensor engine needs it. A
module that uses numpy writes ``np = lazy(globals())``: if numpy is already imported
that is numpy itself; otherwise a stand-in that imports numpy at its first attribute
and then puts numpy in its place in that module, so later uses cost nothing. The checks
(gradcheck, the exercises) name a fallback, :mod:`vizgrad.engine.floats`, used where numpy is
not installed.
"""

from __future__ import annotations

import importlib
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

    def __init__(self, namespace: dict[str, Any], fallback: str | None) -> None:
        self._namespace, self._fallback = namespace, fallback

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            module = require()
        except ModuleNotFoundError:
            if self._fallback is None:
                raise
            module = importlib.import_module(self._fallback)
        for key, value in list(self._namespace.items()):
            if value is self:
                self._namespace[key] = module
        return getattr(module, name)

    def __repr__(self) -> str:
        return "<numpy, imported when first used>"


def lazy(namespace: dict[str, Any], fallback: str | None = None) -> Any:
    """numpy for the module whose ``globals()`` is ``namespace`` (see the module's docstring).

    ``fallback``: a module to use instead where numpy is not installed (``"vizgrad.engine.floats"``).
    """
    if loaded():
        return sys.modules["numpy"]
    return _StandIn(namespace, fallback)
