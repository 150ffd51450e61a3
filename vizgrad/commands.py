"""The ``vizgrad`` command: one entry point for vizgrad's commands, ``vizgrad COMMAND ...``.

Each row of :data:`COMMANDS` names a command, the module whose ``main(argv)`` runs it (imported
only when that command is run) and one line of help. ``vizgrad --help`` lists them,
``vizgrad --version`` prints the version, ``vizgrad COMMAND --help`` shows a command's own
options. The modules keep their own entry points (``python -m vizgrad.slides`` ...).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from typing import Sequence

from .base import cli
from .base.version import VERSION

PROG = "vizgrad"

#: command -> (module with ``main(argv)``, what it does)
COMMANDS: dict[str, tuple[str, str]] = {
    "slides": ("vizgrad.slides.__main__", "turn a notebook into one self-contained slide deck (works offline)"),
    "lite": ("vizgrad.lite.__main__", "build the JupyterLite site: the course in the browser (lite build OUT)"),
    "author": ("vizgrad.authoring", "make the student versions of exercise notebooks from their solutions"),
    "notebooks": ("vizgrad.course", "copy the lecture notebooks and the student exercises into a folder"),
    "grade": ("vizgrad.grade", "grade students' exercise notebooks"),
}


def parser() -> argparse.ArgumentParser:
    """The top-level parser: the version, and the commands listed for ``--help``."""
    top = argparse.ArgumentParser(prog=PROG, description="Teach backpropagation: vizgrad's commands. "
                                  f"Run `{PROG} COMMAND --help` for a command's options.")
    top.add_argument("--version", action="version", version=f"{PROG} {VERSION}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_, what) in COMMANDS.items():
        sub.add_parser(name, help=what, add_help=False)
    return top


def run_command(name: str, argv: Sequence[str]) -> int:
    """Run the command ``name`` with ``argv``; return its exit status."""
    module_name, _ = COMMANDS[name]
    prog = f"{PROG} {name}"
    module = importlib.import_module(module_name)
    accepts_prog = "prog" in inspect.signature(module.main).parameters
    return module.main(list(argv), prog=prog) if accepts_prog else module.main(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``vizgrad`` with ``argv`` (default: ``sys.argv[1:]``); return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        return run_command(argv[0], argv[1:])
    # no command, an unknown one, --help or --version: argparse answers
    return cli.run(parser(), argv, lambda args: run_command(args.command, []))


if __name__ == "__main__":
    sys.exit(main())
