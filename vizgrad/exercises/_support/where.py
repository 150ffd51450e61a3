"""Where in the student's code an exception came from, said in one line."""

from __future__ import annotations

import os
import re
import sys
import traceback

_HERE = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))  # all of vizgrad
_STDLIB = os.path.dirname(os.__file__)


def _libs() -> tuple[str, ...]:
    """The standard library's folder, and numpy's if numpy is loaded (no frame can be in it otherwise)."""
    numpy = sys.modules.get("numpy")
    return (_STDLIB, os.path.dirname(numpy.__file__)) if numpy is not None else (_STDLIB,)


def is_internal(filename: str) -> bool:
    """True for a file of vizgrad, the standard library, numpy or an installed package: not the student's."""
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return path.startswith(_HERE) or path.startswith(_libs()) or "site-packages" in path


def is_cell(filename: str) -> bool:
    """True for a notebook cell's code (IPython's and ipykernel's names for it)."""
    return bool(re.search(r"ipykernel_\d+[/\\]\d+\.py$", filename)) or filename.startswith(
        ("<ipython-input-", "<cell", "<string>"))


def student_line(exc: BaseException) -> str:
    """``line N of your cell: <code>`` for the deepest line of the student's code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not is_internal(f.filename)]
    if not frames:
        return ""
    f = frames[-1]
    place = "your cell" if is_cell(f.filename) else os.path.basename(f.filename)
    code = (f.line or "").strip()
    return f"line {f.lineno} of {place}" + (f": {code}" if code else "")


class StudentRaised(Exception):
    """The student's code raised a BaseException that is not an Exception (``SystemExit``, ...)."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original
        self.__traceback__ = original.__traceback__


def raised_message(exc: BaseException, what: str) -> str:
    """``your backward raised ZeroDivisionError: division by zero (line 7 of your cell: ...)``."""
    if isinstance(exc, StudentRaised):
        exc = exc.original
    text = str(exc)
    if len(text) > 200:
        text = text[:197] + "..."
    where = student_line(exc)
    return f"your {what} raised {type(exc).__name__}" + (f": {text}" if text else "") + (
        f"\n    ({where})" if where else "")

