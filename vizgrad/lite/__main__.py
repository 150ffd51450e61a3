"""``python -m vizgrad.lite build OUT/``: the JupyterLite site; ``builder DIR``: a Python to build it with."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vizgrad.lite", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="build the static JupyterLite site into OUT")
    b.add_argument("out", type=Path)
    b.add_argument("--notebooks", type=Path, help="the notebooks folder (default: the source tree's)")
    b.add_argument("--python", help="a Python >= 3.12 with the 'lite' extra (default: VIZGRAD_LITE_PYTHON, "
                                    "else this one)")
    b.add_argument("--cache", type=Path, help="where fetched parts are kept (default: ~/.cache/vizgrad/lite)")
    b.add_argument("--pyodide-dist", type=Path,
                   help="a full Pyodide distribution folder (with numpy) instead of the core from npm")
    b.add_argument("--expose-app", action="store_true", help="set window.jupyterapp (for tests)")
    m = commands.add_parser("builder", help="make a virtual environment that can build the site")
    m.add_argument("folder", type=Path)
    m.add_argument("--python", help="the Python (>= 3.12) to make it from (default: one found on PATH or in pyenv)")
    args = parser.parse_args(argv)

    from .npm import ToolMissing
    from .site import BuildError, build, make_builder

    try:
        if args.command == "builder":
            print(make_builder(args.folder, args.python))
        else:
            print(build(args.out, notebooks=args.notebooks, python=args.python, cache=args.cache,
                        pyodide_dist=args.pyodide_dist, expose_app=args.expose_app))
    except (BuildError, ToolMissing) as e:
        print(f"vizgrad.lite: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
