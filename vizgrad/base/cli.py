"""One style for vizgrad's commands: ``main(argv) -> int``, one error line, fixed exit codes.

A command builds its :class:`argparse.ArgumentParser` (``prog`` is how it is run, e.g.
``python -m vizgrad.slides``) and hands it, with ``argv`` and the command's body, to
:func:`run`::

    def main(argv: list[str] | None = None, *, prog: str = "python -m vizgrad.slides") -> int:
        parser = argparse.ArgumentParser(prog=prog)
        ...
        return cli.run(parser, argv, _slides, failed=(SlidesError,))

Every problem the command expects (the classes in ``failed`` or ``usage``, ``OSError``,
:class:`CommandError`) and an interruption become one line on stderr, in argparse's own
style, ``PROG: error: MESSAGE`` (a message's further lines, such as a tool's log, follow
indented), never a traceback. Exit codes: :data:`OK` 0, :data:`FAILED` 1 (bad input, a
failed build), :data:`USAGE` 2 (argparse's own errors, and ``usage`` classes),
:data:`INTERRUPTED` 130 (Ctrl-C). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130

Body = Callable[[argparse.Namespace], int | None]


class CommandError(Exception):
    """A failure a command reports as it is: the message is the error line, ``status`` the exit code."""

    def __init__(self, message: str, status: int = FAILED) -> None:
        super().__init__(message)
        self.status = status


def message_of(error: BaseException) -> str:
    """What an error says, for the error line: an ``OSError`` as ``FILE: reason``."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename is not None else error.strerror
    return str(error) or type(error).__name__


def report(prog: str, message: object, kind: str = "error") -> None:
    """Print ``PROG: KIND: MESSAGE`` on stderr; further lines of the message follow, indented."""
    first, *rest = str(message).splitlines() or [""]
    print("\n".join([f"{prog}: {kind}: {first}", *("  " + line for line in rest)]), file=sys.stderr)


def warn(prog: str, message: object) -> None:
    """Print ``PROG: warning: MESSAGE`` on stderr (the command goes on)."""
    report(prog, message, "warning")


def run(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    body: Body,
    *,
    failed: tuple[type[BaseException], ...] = (),
    usage: tuple[type[BaseException], ...] = (),
) -> int:
    """Parse ``argv`` with ``parser``, run ``body(args)``, and return the exit code.

    ``body`` returns its exit code (``None`` is 0). Errors of the classes in ``failed``
    (and ``OSError``) exit 1, those in ``usage`` exit 2, a :class:`CommandError` its own
    status, each as one error line named by ``parser.prog``; Ctrl-C exits 130.
    """
    prog = parser.prog
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # argparse has printed the usage and its error (2), or the help (0)
            return e.code if isinstance(e.code, int) else OK if e.code is None else USAGE
        status = body(args)
    except KeyboardInterrupt:
        report(prog, "interrupted")
        return INTERRUPTED
    except CommandError as e:
        report(prog, e)
        return e.status
    except usage as e:
        report(prog, message_of(e))
        return USAGE
    except (*failed, OSError) as e:
        report(prog, message_of(e))
        return FAILED
    return OK if status is None else status
