"""``python -m vizgrad.lite build OUT/``: the JupyterLite site; ``builder DIR``: a Python to build it with.

Exit status (:mod:`vizgrad.base.cli`): 0 done; 1 the build failed (the previous site is
kept), OUT is not a site built here and not empty (it is left as it is), a package could
not be fetched or a tool it needs is missing; 2 bad arguments; 130 interrupted. Paths are
taken from the folder the command is run in.
"""

from __future__ import annotations

import argparse
import sys

from ..base import cli, files
from .npm import FetchFailed, ToolMissing
from .site import BuildError, build, make_builder, program

PROG = "python -m vizgrad.lite"


def main(argv: list[str] | None = None, *, prog: str = PROG) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return its exit status."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="build the static JupyterLite site into OUT")
    b.add_argument("out", type=files.absolute)
    b.add_argument("--notebooks", type=files.absolute,
                   help="the notebooks folder (default: the course's, from the package or the source tree)")
    b.add_argument("--python", type=program,
                   help="a Python >= 3.12 with the 'lite' extra (default: VIZGRAD_LITE_PYTHON, else this one if it "
                        "can, else a builder made once in the cache folder)")
    b.add_argument("--cache", type=files.absolute,
                   help="where fetched parts are kept (default: ~/.cache/vizgrad/lite)")
    b.add_argument("--pyodide-dist", type=files.absolute,
                   help="a full Pyodide distribution folder (with numpy) instead of the core from npm")
    b.add_argument("--expose-app", action="store_true", help="set window.jupyterapp (for tests)")
    m = commands.add_parser("builder", help="make a virtual environment that can build the site")
    m.add_argument("folder", type=files.absolute)
    m.add_argument("--python", type=program,
                   help="the Python (>= 3.12) to make it from (default: one found on PATH or in pyenv)")
    return cli.run(parser, argv, _lite, failed=(BuildError, FetchFailed, ToolMissing))


def _lite(args: argparse.Namespace) -> None:
    if args.command == "builder":
        print(make_builder(args.folder, args.python))
    else:
        print(build(args.out, notebooks=args.notebooks, python=args.python, cache=args.cache,
                    pyodide_dist=args.pyodide_dist, expose_app=args.expose_app))


if __name__ == "__main__":
    sys.exit(main())
