"""vizgrad: see backpropagation happen, one gradient at a time.

Build an expression from :class:`Value` (numbers) or :class:`Tensor` (arrays),
record its forward and backward pass with :func:`trace`, and draw or scrub through it.
"""

from . import exercises
from .captions import Caption, captions
from .check import GradcheckResult, gradcheck, jacobian
from .draw import draw
from .frames import Frames, frames
from .group import Group, collapse, group
from .palette import set_palette
from .dot import GraphvizError, GraphvizNotFound, LayoutTooSlow, graphviz_engine, use_graphviz
from .player import player_html
from .scrub import Scrubber, scrub
from .tensor import LocalGradient, Tensor, cross_entropy
from .trace import Edge, Step, Trace, trace
from .value import Value

__version__ = "0.1.0"

__all__ = [
    "Value",
    "Tensor",
    "LocalGradient",
    "cross_entropy",
    "trace",
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
