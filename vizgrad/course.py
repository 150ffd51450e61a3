"""``vizgrad notebooks DEST``: a copy of the course's notebooks to work in.

The lecture notebooks go into DEST and the student exercises, with their README, into
``DEST/exercises/`` (never the solutions), from a clone or from the installed package
(:func:`vizgrad.base.resources.notebooks_folder`). DEST must be new or empty; with
``--force`` the notebooks are added to a folder that holds other files, but a file in the
way is written over only if it is the copy this command made there and is unchanged since
(the ``.vizgrad-notebooks`` file records what it wrote); any other is refused, before
anything is written. Each file is written atomically.

Exit status (:mod:`vizgrad.base.cli`): 0 copied; 1 refused (DEST not empty, a file in the
way) or a file could not be written; 2 bad arguments; 130 interrupted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .base import cli, files
from .base.resources import course_files, notebooks_folder

PROG = "vizgrad notebooks"
#: the file that records what this command wrote into a folder (path -> sha256)
MARKER = ".vizgrad-notebooks"


@dataclass
class Copied:
    """What :func:`copy_course` did: the files written, and those already there as they are."""

    dest: Path
    written: list[str]
    unchanged: list[str]

    def __str__(self) -> str:
        lectures = sum("/" not in name for name in self.written + self.unchanged)
        exercises = sum(name.endswith(".ipynb") and "/" in name for name in self.written + self.unchanged)
        kept = f" ({len(self.unchanged)} already there as they are)" if self.unchanged else ""
        return (f"{self.dest}: {lectures} lecture notebooks and {exercises} exercises{kept}; "
                f"open them with: python -m jupyter lab {self.dest}")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _records(dest: Path) -> dict[str, str]:
    try:
        data = json.loads((dest / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def copy_course(dest: str | Path, *, force: bool = False, source: str | Path | None = None) -> Copied:
    """Copy the course's notebooks (from ``source``, default the package's) into ``dest``.

    ``dest`` must be missing or empty, else :class:`~vizgrad.base.files.Refused`; with
    ``force`` a non-empty folder is fine, but a file in the way must be the unchanged copy
    this function wrote there (or hold the same bytes), else it is refused before anything
    is written.
    """
    dest = files.absolute(dest)
    source = Path(source) if source is not None else notebooks_folder()
    names = course_files(source)
    if not names:
        raise cli.CommandError(f"no notebooks found in {source}: reinstall vizgrad-edu, or run from the "
                               "project's source tree")
    if dest.exists() and not dest.is_dir():
        raise files.Refused(dest, "is not a folder; left as it is (give a new or empty folder)")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise files.Refused(dest, "is not empty; left as it is (give a new or empty folder, or add "
                                  "--force to add the notebooks to it)")
    records = _records(dest)
    todo, unchanged = [], []
    for name in names:
        data = (source / name).read_bytes()
        target = dest / name
        if target.is_file() and target.read_bytes() == data:
            unchanged.append(name)
            continue
        if target.exists() or target.is_symlink():
            ours = target.is_file() and not target.is_symlink() and records.get(name) == _digest(target.read_bytes())
            if not ours:
                raise files.Refused(target, "is in the way and is not a copy made here (or it was changed "
                                            "since); left as it is (move it away, or choose another folder)")
        todo.append((name, data))
    for name, data in todo:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        files.write_atomic(dest / name, data)
        records[name] = _digest(data)
    dest.mkdir(parents=True, exist_ok=True)
    files.write_atomic(dest / MARKER, json.dumps(records, indent=1, sort_keys=True) + "\n")
    return Copied(dest, [name for name, _ in todo], unchanged)


def main(argv: list[str] | None = None, *, prog: str = PROG) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return its exit status."""
    parser = argparse.ArgumentParser(
        prog=prog, description="Copy the lecture notebooks into DEST and the student exercises into "
                               "DEST/exercises/, to open in Jupyter.")
    parser.add_argument("dest", type=files.absolute, metavar="DEST", help="a new or empty folder")
    parser.add_argument("--force", action="store_true",
                        help="add the notebooks to a folder that is not empty (a file in the way is written "
                             "over only if it is the unchanged copy made here)")

    def body(args: argparse.Namespace) -> None:
        print(copy_course(args.dest, force=args.force))

    return cli.run(parser, argv, body)


if __name__ == "__main__":
    sys.exit(main())
