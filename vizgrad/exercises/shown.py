"""How a check looks in a notebook's saved outputs, and how to read it back from them.

A :class:`~vizgrad.exercises.CheckResult` shows itself as one ``<div>`` of class
:data:`CHECK_CLASS` whose ``data-status`` is the check's status, holding its message and, when
there is one, its drawing (an SVG, inside an element with ``role="img"`` and an ``aria-label``
saying the drawing in words). ``python -m vizgrad.grade`` reads the outputs of a graded cell with
:func:`read_shown`; a failed graded check raises :data:`FAILED_NAME` (``CheckFailed``).
"""

from __future__ import annotations

import html
import re
from typing import Any

CHECK_CLASS = "vizgrad-check"
FAILED_NAME = "CheckFailed"

_CHECK = re.compile(rf'class="{CHECK_CLASS}" data-status="(\w+)"')
_SVG = re.compile(r"<svg\b.*</svg>", re.DOTALL)
_LABEL = re.compile(r'role="img" aria-label="([^"]*)"')


def read_shown(output: dict[str, Any]) -> dict[str, str] | None:
    """A check's ``status``, ``message``, ``svg`` and ``alt`` from one saved output (nbformat's
    ``display_data`` or ``execute_result``); None if the output is not a check's."""
    data = output.get("data") or {}
    page = data.get("text/html", "")
    page = "".join(page) if isinstance(page, list) else str(page)
    found = _CHECK.search(page)
    if not found:
        return None
    text = data.get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else str(text)
    svg, label = _SVG.search(page), _LABEL.search(page)
    return {"status": found.group(1), "message": text.strip(), "svg": svg.group(0) if svg else "",
            "alt": html.unescape(label.group(1)) if label else ""}
