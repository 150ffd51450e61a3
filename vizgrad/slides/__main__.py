"""``python -m vizgrad.slides NOTEBOOK.ipynb [-o OUT.html] [--execute] [--no-input]``.

Exit status (:mod:`vizgrad.base.cli`): 0 the deck is written; 1 it could not be built (the
notebook is missing or not a notebook, a cell failed under ``--execute``, the deck cannot be
written, or the output is the notebook or another ``.ipynb``: never written over); 2 bad
arguments; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from ..base import cli, files
from . import DEFAULT_TIMEOUT, SlidesError, build_deck, default_output, timeout_seconds

PROG = "python -m vizgrad.slides"


def main(argv: list[str] | None = None, *, prog: str = PROG) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return its exit status."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Turn a notebook into one self-contained reveal.js slide deck (no network needed to show it).")
    parser.add_argument("notebook", help="the notebook (.ipynb)")
    parser.add_argument("-o", "--output", help="the deck to write (default: beside the notebook, NAME.slides.html)")
    parser.add_argument("--execute", action="store_true", help="run the notebook first (kernel python3)")
    parser.add_argument("--no-input", action="store_true", help="hide the code cells' source")
    parser.add_argument("--timeout", type=timeout_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"with --execute, stop if a cell runs longer than this (default: {DEFAULT_TIMEOUT:g})")

    def slides(args: argparse.Namespace) -> None:
        target = files.check_target(args.output or default_output(args.notebook), source=args.notebook)
        out = build_deck(args.notebook, target, execute=args.execute, no_input=args.no_input, timeout=args.timeout,
                         warn=lambda message: cli.warn(prog, message))
        print(f"wrote {out}")

    return cli.run(parser, argv, slides, failed=(SlidesError,))


if __name__ == "__main__":
    sys.exit(main())
