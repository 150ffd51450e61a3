"""vizgrad: see backpropagation happen, one gradient at a time.

Build an expression from :class:`Value` (numbers) or :class:`Tensor` (arrays),
record its forward and backward pass with :func:`trace`, and draw or scrub through it.

The scrubber (:func:`scrub`, :class:`Scrubber`) loads its widget libraries when first used,
and the Tensor engine numpy (see :mod:`vizgrad.base.lazy_numpy`), so ``import vizgrad`` stays quick.
"""

import importlib as _importlib
import sys as _sys
import types as _types
from typing import Any as _Any

from . import exercises
from .base.version import VERSION as _VERSION
from .draw import draw
from .drawing.captions import Caption, captions
from .drawing.palette import set_palette
from .engine.check import GradcheckResult, gradcheck, jacobian
from .engine.group import Group, collapse, group
from .engine.local_gradient import LocalGradient
from .engine.losses import cross_entropy
from .engine.tensor import Tensor
from .engine.torch_forward import record_forward
from .engine.trace import Edge, Step, Trace, trace
from .engine.value import Value
from .graphviz.engines import GraphvizError, GraphvizNotFound, LayoutTooSlow, graphviz_engine, use_graphviz
from .pictures import Frames, frames
from .web.player import player_html

__version__ = _VERSION

_LAZY = {"scrub": "scrub", "Scrubber": "Scrubber"}  # name -> attribute of vizgrad.scrub


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        module = _importlib.import_module(".scrub", __name__)  # the widget libraries load now
        value = getattr(module, _LAZY[name])
        globals()[name] = value
        return value
    raise AttributeError(f"module 'vizgrad' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API (``__all__``), the dunders, and the subpackages imported so far."""
    names = globals()
    return sorted({*__all__, *(n for n in names if n.startswith("__")),
                   *(n for n, v in names.items() if isinstance(v, _types.ModuleType) and not n.startswith("_"))})


class _Package(_types.ModuleType):
    """vizgrad itself: importing the submodule vizgrad.scrub leaves ``vizgrad.scrub`` the function."""

    def __setattr__(self, name: str, value: _Any) -> None:
        if name == "scrub" and isinstance(value, _types.ModuleType):
            value = value.scrub
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

__all__ = [
    "Value",
    "Tensor",
    "LocalGradient",
    "cross_entropy",
    "trace",
    "record_forward",
    "Trace",
    "Step",
    "Edge",
    "gradcheck",
    "GradcheckResult",
    "jacobian",
    "draw",
    "frames",
    "Frames",
    "captions",
    "Caption",
    "GraphvizNotFound",
    "GraphvizError",
    "LayoutTooSlow",
    "use_graphviz",
    "graphviz_engine",
    "group",
    "Group",
    "collapse",
    "exercises",
    "scrub",
    "Scrubber",
    "player_html",
    "set_palette",
]
