"""How vizgrad writes numbers and names: one definition of each, for every medium.

:func:`fmt` writes a number or an array as a drawing, a caption, a quiz and a saved page
show it; :func:`clean` and :func:`one_line` make a user's string printable; and for the
layout, :func:`text_width` estimates how wide a text is and :func:`roomiest` gives the
most room a slot's numbers may need (live inputs, :mod:`vizgrad.drawing.room`).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from ..base.lazy_numpy import lazy, loaded
from ..engine.recorded import NOT_KEPT, NotKept

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)

BLANK = "\u00b7"  # sizes a row that never shows text at this point


def fmt(x: Any, digits: int = 3) -> str:
    """A number or array as a short label (a value another engine did not keep: in words)."""
    if isinstance(x, NotKept):
        return NOT_KEPT
    if isinstance(x, float):  # (a float subclass, e.g. a live page's marker, stays itself)
        return _num(x, digits)
    if not loaded() and isinstance(x, int):
        return _num(float(x), digits)
    a = np.asarray(x, dtype=np.float64)
    if a.size == 1:
        return _num(float(a.reshape(())), digits)
    if a.size <= 4:
        return np.array2string(a, separator=", ", formatter={"float_kind": lambda v: _num(v, digits)})
    finite = a[np.isfinite(a)]
    shape = "×".join(map(str, a.shape))
    if finite.size == 0:
        return f"{shape} all non-finite"
    lo, hi = _num(float(finite.min()), 2), _num(float(finite.max()), 2)
    bad = "" if finite.size == a.size else f", {a.size - finite.size} nan/inf"
    return f"{shape} in [{lo}, {hi}]{bad}"


def _num(v: float, digits: int) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    s = f"{v:.{digits}g}"
    return "0" if s == "-0" else s


@lru_cache(maxsize=None)
def widest_number(digits: int = 3) -> str:
    """The longest text :func:`fmt` writes for one float at ``digits`` (its digits as ``8``):
    the room a number's slot keeps, whatever number it shows later."""
    probes = (-1.2345678901234567e-100, -1.2345678901234567e100, -0.00012345678901234567,
              -123456.78901234567, -12345678901234567.0)
    return re.sub(r"[0-9]", "8", max((_num(v, digits) for v in probes), key=len))


class _Widths(dict):
    """Advance widths (in em) of DejaVu Sans, the font layouts measure in, for the characters
    numbers use; any other character counts as wide as ``M``."""

    def __missing__(self, c: str) -> float:
        return 0.863


_EM = _Widths({**dict.fromkeys("0123456789", 0.636), "-": 0.361, ".": 0.318, "e": 0.615, "+": 0.838, " ": 0.318,
               "×": 0.838, "=": 0.838, "(": 0.39, ")": 0.39, "n": 0.634, "a": 0.613, "i": 0.278, "f": 0.352,
               BLANK: 0.318})


def text_width(text: str) -> float:
    """About how wide ``text`` is, in em: which of two texts of one slot is the wider."""
    return round(sum(map(_EM.__getitem__, text)), 6)


_NUMBER = re.compile(r"-?(?:\d+\.?\d*(?:e[+-]\d+)?|inf)|nan")


def as_factor(s: str) -> str:
    """A number as the right-hand factor of a product: negatives in parentheses."""
    return f"({s})" if s.startswith("-") else s


def clean(text: str) -> list[str]:
    """A user's string as lines of printable text (control characters, NUL included, shown
    as escapes such as ``\\x00``). A string of newlines alone gives that many empty lines."""
    lines = []
    for line in str(text).split("\n"):
        lines.append("".join(
            c if c.isprintable() or c == " " else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
            for c in line
        ))
    return lines


def one_line(text: str) -> str:
    """A user's string as one line of printable text (its lines joined by spaces)."""
    return " ".join(clean(text))


def roomiest(text: str, digits: int, factors: bool = False) -> str:
    """A slot's text with every number as wide as :func:`fmt` may write it (and with
    ``factors``, each factor of a product or term of a sum in parentheses, as a negative one
    is written): the most room it may need."""
    if not is_numbers(text):
        return text
    widest = widest_number(digits)
    text = _NUMBER.sub(widest, text)
    if factors:
        text = text.replace(f" × {widest}", f" × ({widest})").replace(f" + {widest}", f" + ({widest})")
    return text


def is_numbers(text: str) -> bool:
    """Whether a slot's text is made of scalar numbers (not an array's summary or a rule)."""
    return "[" not in text and "×" not in text.replace(" × ", "")
