"""Making the student version of an exercise notebook.

A *source* notebook holds the solutions between nbgrader-style markers::

    def backward(self, dz):
        ### BEGIN SOLUTION
        dx = self.y * dz
        dy = self.x * dz
        ### END SOLUTION
        return [dx, dy]

The student version replaces each marked region, at the indentation of its
``BEGIN SOLUTION`` line, with ``# YOUR CODE HERE`` and ``raise NotImplementedError()``
in a code cell, or with ``YOUR ANSWER HERE`` in a markdown cell, and clears every
output: the same transformation as nbgrader's ``ClearSolutions`` (with
``enforce_metadata=False``) followed by ``ClearOutput``, without needing nbgrader.

Command line (from the repository root)::

    python -m vizgrad.authoring              # notebooks/exercises/source/*.ipynb -> notebooks/exercises/
    python -m vizgrad.authoring --check      # exit 1 if a student notebook is out of date
    python -m vizgrad.authoring SRC.ipynb... --out DIR

Notebooks are read and written as plain JSON, in nbformat's layout (indent 1, sorted
keys, sources as lists of lines), so this needs nothing beyond the standard library.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

BEGIN = "BEGIN SOLUTION"
END = "END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)

SOURCE_DIR = Path("notebooks/exercises/source")
OUT_DIR = Path("notebooks/exercises")


class SolutionMarkerError(ValueError):
    """A ``BEGIN SOLUTION`` without its ``END SOLUTION`` (or nested, or the other way round)."""


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def clear_solutions(source: str, cell_type: str = "code") -> tuple[str, bool]:
    """``source`` with every solution region replaced by the stub; and whether there was one."""
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    out: list[str] = []
    inside = found = False
    for number, line in enumerate(source.split("\n"), 1):
        if BEGIN in line:
            if inside:
                raise SolutionMarkerError(f"line {number}: nested {BEGIN}")
            inside = found = True
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + s for s in stub)
        elif END in line:
            if not inside:
                raise SolutionMarkerError(f"line {number}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise SolutionMarkerError(f"{BEGIN} without {END}")
    return "\n".join(out), found


def _split_lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def student_version(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of the notebook (a dict, as in the .ipynb JSON) for students."""
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("celltoolbar", None)
    for k, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") in ("code", "markdown"):
            try:
                text, _ = clear_solutions(_text(cell.get("source", "")), cell["cell_type"])
            except SolutionMarkerError as e:
                raise SolutionMarkerError(f"cell {k} ({cell.get('id', 'no id')}): {e}") from None
            cell["source"] = _split_lines(text)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)
    return nb


def read(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def dumps(nb: dict[str, Any]) -> str:
    """The notebook as nbformat writes it."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        if isinstance(cell.get("source"), str):
            cell["source"] = _split_lines(cell["source"])
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def generate(source: str | Path, out_dir: str | Path) -> Path:
    """Write the student version of ``source`` into ``out_dir`` (same file name)."""
    source, out_dir = Path(source), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / source.name
    target.write_text(dumps(student_version(read(source))), encoding="utf-8")
    return target


def differences(source: str | Path, student: str | Path) -> list[str]:
    """How the notebook at ``student`` differs from the student version of ``source``."""
    want = student_version(read(source))
    if not Path(student).exists():
        return [f"{student} does not exist"]
    have = read(student)
    problems = []
    wc, hc = want.get("cells", []), have.get("cells", [])
    if len(wc) != len(hc):
        problems.append(f"{len(hc)} cells instead of {len(wc)}")
    for k, (w, h) in enumerate(zip(wc, hc)):
        if w.get("cell_type") != h.get("cell_type") or _text(w.get("source")) != _text(h.get("source")):
            problems.append(f"cell {k} differs")
        if h.get("outputs"):
            problems.append(f"cell {k} has outputs")
    return problems


def _sources(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    found = sorted(SOURCE_DIR.glob("*.ipynb"))
    if not found:
        raise SystemExit(f"no source notebooks in {SOURCE_DIR}/ (run from the repository root, "
                         "or name the notebooks)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vizgrad.authoring",
        description="Make the student versions of exercise notebooks: each ### BEGIN SOLUTION / "
                    "### END SOLUTION region becomes '# YOUR CODE HERE' + 'raise NotImplementedError()' "
                    "(markdown: 'YOUR ANSWER HERE'), and outputs are cleared.")
    parser.add_argument("sources", nargs="*", help=f"source notebooks (default: {SOURCE_DIR}/*.ipynb)")
    parser.add_argument("--out", default=None, help=f"where to write them (default: {OUT_DIR}/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a student notebook differs from what would be written")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else OUT_DIR
    status = 0
    for src in _sources(args.sources):
        if args.check:
            problems = differences(src, out / src.name)
            if problems:
                status = 1
                print(f"{out / src.name}: out of date ({'; '.join(problems[:5])})")
            else:
                print(f"{out / src.name}: up to date")
        else:
            print(f"{src} -> {generate(src, out)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
