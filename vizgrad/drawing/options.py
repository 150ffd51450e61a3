"""What a user passes to draw, frames, scrub or the player, and how it is drawn.

Every entry point takes the same thing (a graph's output, a trace, frames, or a
function with its inputs) and the same drawing options, all held in one
:class:`Options`: a new option is a new field here, and every entry point has it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

from ..engine.group import Group
from .palette import palette_name

RANKDIRS = ("LR", "RL", "TB", "BT")


@dataclass(frozen=True)
class Options:
    """How a trace is drawn.

    ``rankdir``: the direction of the graph (``"LR"``, ``"RL"``, ``"TB"``, ``"BT"``);
    ``digits``: significant digits of every number shown; ``groups``: groups (from
    :func:`vizgrad.group`) boxed with their label, or with ``collapse=True`` each drawn
    as one gate; ``palette``: the colours (``"lecture"`` or ``"colorblind"``, see
    :mod:`vizgrad.drawing.palette`; ``None``: the session's default, :func:`vizgrad.set_palette`).
    """

    rankdir: str = "LR"
    digits: int = 3
    groups: tuple[Group, ...] = ()
    collapse: bool = False
    palette: str | None = None

    def __post_init__(self) -> None:
        rankdir = self.rankdir.upper() if isinstance(self.rankdir, str) else self.rankdir
        if rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {self.rankdir!r}")
        if isinstance(self.digits, bool) or not isinstance(self.digits, int) or not 1 <= self.digits <= 17:
            raise ValueError(f"digits must be a whole number from 1 to 17, got {self.digits!r}")
        groups = (self.groups,) if isinstance(self.groups, Group) else tuple(self.groups or ())
        bad = [g for g in groups if not isinstance(g, Group)]
        if bad:
            raise TypeError(f"groups must be made by vizgrad.group(...), got a {type(bad[0]).__name__}")
        object.__setattr__(self, "rankdir", rankdir)
        object.__setattr__(self, "groups", groups)
        object.__setattr__(self, "collapse", bool(self.collapse))
        object.__setattr__(self, "palette", palette_name(self.palette))

    @classmethod
    def of(cls, options: Options | None = None, **given: Any) -> Options:
        """``options`` (default: the defaults) with the ``given`` ones changed; a name that
        is no option raises a TypeError naming the options there are."""
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(given) - set(names), key=str)
        if unknown:
            raise TypeError(f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                            f"the drawing options are {', '.join(names)}")
        return dataclasses.replace(options or cls(), **given)

    def changed(self, **given: Any) -> dict[str, Any]:
        """The ``given`` options whose value differs from these."""
        other = Options.of(self, **given)
        return {f.name: getattr(other, f.name) for f in fields(self)
                if getattr(other, f.name) != getattr(self, f.name)}


OPTION_NAMES = tuple(f.name for f in fields(Options))


def non_default(**given: Any) -> dict[str, Any]:
    """The ``given`` options that differ from the defaults (what a signature's caller chose)."""
    defaults = Options()
    return {k: v for k, v in given.items() if v != getattr(defaults, k, object())}


def boxed_groups(options: Options) -> tuple[Group, ...]:
    """The groups drawn as boxes (none once collapsed into gates)."""
    return () if options.collapse else options.groups

