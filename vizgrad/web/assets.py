"""The web floor's static files (``web/static/``): the player's script and style, the deck's
style, and vendored reveal.js, read from the installed package by one loader."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def static_text(*path: str) -> str:
    """The text of one static file, by its path under ``web/static/`` (``"player.js"``,
    ``"vendor", "reveal", "reveal.js"``)."""
    return resources.files(__package__).joinpath("static", *path).read_text(encoding="utf-8")


FEATURE_SCRIPTS: tuple[str, ...] = ("zoom.js", "minimap.js", "follow.js", "live.js", "quiz.js")
"""The player's feature files in ``static/``, run after ``player.js`` in the same module
(each registers its hooks in ``FEATURES``, see the head of ``player.js``; ``minimap.js``
and ``follow.js`` are parts of ``zoom.js``)."""

PLAYER_SCRIPTS: tuple[str, ...] = ("player.js", "keys.js", "states.js", *FEATURE_SCRIPTS, "mount.js")
"""Every file of the player's one ES module, in order: the player, its keys and its states, the
features, and last what mounts it (a saved page's ``mountStatic``, the widget's ``render``)."""


@lru_cache(maxsize=None)
def player_script() -> str:
    """The player's whole ES module: each of :data:`PLAYER_SCRIPTS`, in one text."""
    return "\n".join(static_text(name) for name in PLAYER_SCRIPTS)
