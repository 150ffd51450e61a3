"""``python -m vizgrad.slides NOTEBOOK.ipynb [-o OUT.html] [--execute] [--no-input]``."""

from __future__ import annotations

import argparse
import sys

from . import SlidesError, build_deck, default_output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vizgrad.slides",
        description="Turn a notebook into one self-contained reveal.js slide deck (no network needed to show it).")
    parser.add_argument("notebook", help="the notebook (.ipynb)")
    parser.add_argument("-o", "--output", help="the deck to write (default: beside the notebook, NAME.slides.html)")
    parser.add_argument("--execute", action="store_true", help="run the notebook first (kernel python3)")
    parser.add_argument("--no-input", action="store_true", help="hide the code cells' source")
    args = parser.parse_args(argv)
    try:
        out = build_deck(args.notebook, args.output or default_output(args.notebook),
                         execute=args.execute, no_input=args.no_input)
    except SlidesError as e:
        print(f"{parser.prog}: error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
