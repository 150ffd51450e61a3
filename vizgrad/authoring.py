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
in a code cell, or with ``YOUR ANSWER HERE`` in a markdown cell (a cell marked as an
nbgrader solution but holding no marker becomes the stub as a whole), and clears every
output: the same transformation as nbgrader's ``ClearSolutions`` (with
``enforce_metadata=False``) followed by ``ClearOutput``, without needing nbgrader.

Command line (from the repository root)::

    python -m vizgrad.authoring              # notebooks/exercises/source/*.ipynb -> notebooks/exercises/
    python -m vizgrad.authoring --check      # exit 1 if a student notebook is out of date
    python -m vizgrad.authoring SRC.ipynb... --out DIR
    python -m vizgrad.authoring SRC.ipynb --out DIR --force   # even over a notebook with solutions

A source with no marker at all, or with a line that looks like one but is not
(``### Begin Solution``), is an error naming the file and the line: its student
version would hand out solutions. It never writes over a source notebook, its own or
any other that still holds ``### BEGIN SOLUTION`` markers, unless given ``--force``. Every notebook is read and
converted before the first is written, and each is written atomically
(:func:`vizgrad.base.files.write_atomic`): a failure leaves the old files as they were.
Exit status (:mod:`vizgrad.base.cli`): 0 done; 1 a notebook could not be read, converted or
written (or, with ``--check``, is out of date); 2 refused to overwrite a source notebook (a
usage error: choose another ``--out`` or pass ``--force``), or bad arguments; 130 interrupted.
A problem is one line on stderr, ``python -m vizgrad.authoring: error: FILE: ...``.

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
from typing import Any, Callable, Iterable

from .base import cli
from .base.files import write_atomic

BEGIN = "BEGIN SOLUTION"
END = "END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)

# a line that looks like a marker but is not one (``### Begin Solution``): its solution would leak
NEAR_MISS = re.compile(r"(begin|end)[\s_-]*solution", re.IGNORECASE)

SOURCE_DIR = Path("notebooks/exercises/source")
OUT_DIR = Path("notebooks/exercises")
PROG = "python -m vizgrad.authoring"


class SolutionMarkerError(ValueError):
    """A ``BEGIN SOLUTION`` without its ``END SOLUTION`` (or nested, or the other way round), a
    line that looks like a marker but is not one, or a source notebook with no marker at all."""


class NotebookError(ValueError):
    """A notebook that cannot be read: missing, not UTF-8, not JSON, not a notebook."""


class OverwriteError(ValueError):
    """Writing would replace a source notebook (one that holds solutions)."""


class WriteError(OSError):
    """A student notebook could not be written (the file is as it was before)."""


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def clear_solutions(source: str, cell_type: str = "code") -> tuple[str, bool]:
    """``source`` with every solution region replaced by the stub; and whether there was one."""
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    out: list[str] = []
    inside = found = False
    for number, line in enumerate(source.split("\n"), 1):
        if BEGIN not in line and END not in line and NEAR_MISS.search(line):
            raise SolutionMarkerError(f"line {number}: {line.strip()!r} is not a solution marker; "
                                      f"write '### {BEGIN}' / '### {END}' exactly")
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
    return _cleared(nb)[0]


def _cleared(nb: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The student version of ``nb``, and whether it had a solution to clear."""
    nb = copy.deepcopy(nb)
    any_found = False
    nb.get("metadata", {}).pop("celltoolbar", None)
    for k, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") in ("code", "markdown"):
            try:
                text, found = clear_solutions(_text(cell.get("source", "")), cell["cell_type"])
            except SolutionMarkerError as e:
                raise SolutionMarkerError(f"cell {k} ({cell.get('id', 'no id')}): {e}") from None
            if not found and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                # nbgrader: a solution cell without markers is a solution as a whole
                text, found = "\n".join(CODE_STUB if cell["cell_type"] == "code" else TEXT_STUB), True
            cell["source"] = _split_lines(text)
            any_found = any_found or found
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)
    return nb, any_found


def read(path: str | Path) -> dict[str, Any]:
    """The notebook at ``path`` as a dict; a :class:`NotebookError` naming the file if it cannot be."""
    path = Path(path)
    try:
        nb = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NotebookError(f"{path}: is a folder, not a notebook") from None
    except OSError as e:
        raise NotebookError(f"{path}: cannot read it ({e.strerror or e})") from None
    except UnicodeDecodeError as e:
        raise NotebookError(f"{path}: not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start}); "
                            "save it as UTF-8") from None
    except json.JSONDecodeError as e:
        raise NotebookError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path}: not a Jupyter notebook (no list of cells)")
    if not all(isinstance(c, dict) for c in nb["cells"]):
        raise NotebookError(f"{path}: not a Jupyter notebook (a cell is not an object)")
    return nb


def _student_of(source: Path) -> dict[str, Any]:
    """The student version of the notebook at ``source``, errors naming the file; a source
    with no solution marker is an error too (its student version would hold every solution)."""
    try:
        nb, found = _cleared(read(source))
    except SolutionMarkerError as e:
        raise SolutionMarkerError(f"{source}: {e}") from None
    if not found:
        raise SolutionMarkerError(f"{source}: no '### {BEGIN}' marker in any cell, so its student version "
                                  "would hold every solution; mark each solution with "
                                  f"'### {BEGIN}' / '### {END}'")
    return nb


def has_solutions(path: str | Path) -> bool:
    """Whether the file at ``path`` holds a ``BEGIN SOLUTION`` marker (a source notebook)."""
    try:
        return BEGIN.encode() in Path(path).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return False


def _refuse_overwrite(source: Path, target: Path) -> None:
    """An :class:`OverwriteError` if writing ``target`` would destroy a source notebook."""
    if not target.exists():
        return
    if source.exists() and target.samefile(source):
        raise OverwriteError(f"{target}: this is the source notebook itself; writing its student version "
                             "there would delete the solutions (choose another --out, or pass --force)")
    if has_solutions(target):
        raise OverwriteError(f"{target}: holds {BEGIN} markers, so it is a source notebook; refusing to "
                             "write over it (choose another --out, or pass --force)")


def dumps(nb: dict[str, Any]) -> str:
    """The notebook as nbformat writes it."""
    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        if isinstance(cell.get("source"), str):
            cell["source"] = _split_lines(cell["source"])
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def generate(sources: Iterable[str | Path], out_dir: str | Path, *, force: bool = False,
             progress: Callable[[Path, Path], None] | None = None) -> list[Path]:
    """Write the student version of each of ``sources`` into ``out_dir`` (same file names).

    Every source is read and converted, and (unless ``force``) every target checked, before
    the first is written: a bad source (:class:`NotebookError`, :class:`SolutionMarkerError`)
    or a target that would destroy solutions (:class:`OverwriteError`) writes nothing.
    ``progress(source, target)`` hears of each file written; a failed write is a
    :class:`WriteError`. Returns the files written.
    """
    out_dir = Path(out_dir)
    made = [(src, out_dir / src.name, dumps(_student_of(src))) for src in map(Path, sources)]
    try:
        if not force:
            for src, target, _ in made:
                _refuse_overwrite(src, target)
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WriteError(f"{e.filename or out_dir}: cannot write it ({e.strerror or e})") from None
    for src, target, text in made:
        try:
            write_atomic(target, text)
        except OSError as e:
            raise WriteError(f"{target}: cannot write it ({e.strerror or e}); it is as it was before") from None
        if progress is not None:
            progress(src, target)
    return [target for _, target, _ in made]


def differences(source: str | Path, student: str | Path) -> list[str]:
    """How the notebook at ``student`` differs from the student version of ``source``."""
    want = _student_of(Path(source))
    if not Path(student).exists():
        return [f"{student} does not exist"]
    have = read(student)
    problems = []
    wc, hc = want.get("cells", []), have.get("cells", [])
    if len(wc) != len(hc):
        problems.append(f"{len(hc)} cells instead of {len(wc)}")
    for k, (w, h) in enumerate(zip(wc, hc, strict=False)):  # a missing cell is reported above
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
        raise cli.CommandError(f"no source notebooks in {SOURCE_DIR}/ (run from the repository root, "
                               "or name the notebooks)")
    return found


def main(argv: list[str] | None = None, *, prog: str = PROG) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return its exit status."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Make the student versions of exercise notebooks: each ### BEGIN SOLUTION / "
                    "### END SOLUTION region becomes '# YOUR CODE HERE' + 'raise NotImplementedError()' "
                    "(markdown: 'YOUR ANSWER HERE'), and outputs are cleared.")
    parser.add_argument("sources", nargs="*", help=f"source notebooks (default: {SOURCE_DIR}/*.ipynb)")
    parser.add_argument("--out", default=None, help=f"where to write them (default: {OUT_DIR}/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a student notebook differs from what would be written")
    parser.add_argument("--force", action="store_true",
                        help="write even over a notebook that holds solutions (its source, or another)")
    return cli.run(parser, argv, _author, failed=(NotebookError, SolutionMarkerError, WriteError),
                   usage=(OverwriteError,))


def _author(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else OUT_DIR
    sources = _sources(args.sources)
    if args.check:
        return _check(sources, out)
    generate(sources, out, force=args.force, progress=lambda src, target: print(f"{src} -> {target}"))
    return cli.OK


def _check(sources: list[Path], out: Path) -> int:
    status = 0
    for src in sources:
        problems = differences(src, out / src.name)
        if problems:
            status = 1
            print(f"{out / src.name}: out of date ({'; '.join(problems[:5])})")
        else:
            print(f"{out / src.name}: up to date")
    return status


if __name__ == "__main__":
    sys.exit(main())
