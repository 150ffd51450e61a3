"""``python -m vizgrad.slides NOTEBOOK.ipynb [-o OUT.html] [--execute] [--no-input]``.

Exit status (:mod:`vizgrad.base.cli`): 0 the deck is written; 1 it could not be built (the
notebook is missing or not a notebook, a cell failed under ``--execute``, the deck cannot be
written); 2 bad arguments; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from ..base import cli
from . import SlidesError, build_deck, default_output

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

    def slides(args: argparse.Namespace) -> None:
        out = build_deck(args.notebook, args.output or default_output(args.notebook),
                         execute=args.execute, no_input=args.no_input,
                         warn=lambda message: cli.warn(prog, message))
        print(f"wrote {out}")

    return cli.run(parser, argv, slides, failed=(SlidesError,))


if __name__ == "__main__":
    sys.exit(main())
