"""Finding the submissions and the assignment each one is, before any of them runs.

A submissions folder is either flat (``alice.ipynb`` → student ``alice``) or nbgrader's
``SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb``. Every notebook is read into memory
here, so nothing a student's code does later (writing over another submission) changes what
is graded. An assignment is a released notebook (``notebooks/exercises/01_gates.ipynb``): its
graded parts are its cells with nbgrader's ``grade: true``; a submission is matched to one by
its name or, failing that, by the ``grade_id``\\ s of its cells.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.resources import notebooks_folder

RELEASED = notebooks_folder() / "exercises"  # the student versions: in the wheel, or the clone's notebooks/


@dataclass
class Part:
    """A graded cell: its ``grade_id``, its points, and whether it is autograded (a check cell)
    or graded by hand (a written answer)."""

    name: str
    points: float
    auto: bool


@dataclass
class Assignment:
    """A released notebook: its name (the file's stem), its parts, and its locked cells' sources."""

    name: str
    parts: list[Part]
    locked: dict[str, Any] = field(default_factory=dict)  # grade_id -> the released cell source

    @property
    def auto_parts(self) -> list[Part]:
        return [p for p in self.parts if p.auto]

    @property
    def max_points(self) -> float:
        return sum(p.points for p in self.auto_parts)


@dataclass
class Submission:
    """One notebook handed in: who, which assignment, and its cells (or why it could not be read)."""

    student: str
    path: Path
    assignment: Assignment | None = None
    notebook: dict[str, Any] | None = None
    problem: str = ""  # why the notebook cannot be graded ("" when it can)


def nbgrader_of(cell: dict[str, Any]) -> dict[str, Any]:
    """A cell's nbgrader metadata ({} if none)."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    found = meta.get("nbgrader") if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else {}


def assignment_of(name: str, nb: dict[str, Any]) -> Assignment:
    """The assignment a notebook defines: its graded cells, in order, and its locked cells."""
    parts, locked = [], {}
    for cell in nb.get("cells", []):
        meta = nbgrader_of(cell)
        gid = meta.get("grade_id")
        if not gid:
            continue
        if meta.get("grade"):
            try:
                points = float(meta.get("points", 0) or 0)
            except (TypeError, ValueError):
                points = 0.0
            auto = cell.get("cell_type") == "code" and not meta.get("solution")
            parts.append(Part(str(gid), points, auto))
        if meta.get("locked") and not meta.get("solution"):
            locked[str(gid)] = cell.get("source", "")
    return Assignment(name, parts, locked)


def released(folder: Path = RELEASED) -> dict[str, Assignment]:
    """The assignments released in ``folder`` (the student notebooks), by name; {} if there are none."""
    found = {}
    for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        a = assignment_of(path.stem, nb)
        if a.parts:
            found[a.name] = a
    return found


def parse(raw: bytes, path: Path) -> tuple[dict[str, Any] | None, str]:
    """The notebook in ``raw``, or None and why it is not one."""
    try:
        nb = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not a notebook: the file is not UTF-8 text"
    except json.JSONDecodeError as e:
        return None, f"not a notebook: broken JSON (line {e.lineno}, column {e.colno}: {e.msg})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or not all(
            isinstance(c, dict) for c in nb["cells"]):
        return None, "not a notebook: no list of cells"
    if nb.get("nbformat", 4) < 4:
        return None, "not a notebook this grader reads: nbformat 3 or older (save it again in Jupyter)"
    return nb, ""


def recognise(name: str, nb: dict[str, Any] | None, known: dict[str, Assignment]) -> Assignment | None:
    """The assignment a notebook is: the released one of that name, else the one sharing the most
    ``grade_id``\\ s, else the notebook's own graded cells (None when it has none)."""
    if name in known:
        return known[name]
    if nb is None:
        return None
    ids = {nbgrader_of(c).get("grade_id") for c in nb["cells"]} - {None}
    best = max(known.values(), key=lambda a: len(ids & {p.name for p in a.parts}), default=None)
    if best is not None and ids & {p.name for p in best.parts}:
        return best
    own = assignment_of(name, nb)
    return own if own.parts else None


def safe_name(text: str) -> str:
    """A student's name usable as a folder name (no separators, not hidden, not empty)."""
    name = re.sub(r"[^\w.@+-]", "_", text).lstrip(".")
    return name or "student"


def collect(folder: Path, known: dict[str, Assignment]) -> list[Submission]:
    """Every submission in ``folder`` (flat, or nbgrader's layout), read now; sorted by student."""
    flat = sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.name.startswith("."))
    found: list[tuple[str, str, Path]] = []  # (student, notebook's stem, path)
    if flat:
        found = [(p.stem, "", p) for p in flat]
    else:
        for p in sorted(folder.glob("*/*/*.ipynb")):
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts):
                found.append((p.parts[-3], p.stem, p))
    subs = []
    for student, stem, path in found:
        s = Submission(safe_name(student), path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            s.problem = f"cannot read the file ({e.strerror or e})"
        else:
            s.notebook, s.problem = parse(raw, path)
        s.assignment = recognise(stem, s.notebook, known)
        subs.append(s)
    _guess_unknown(subs)
    return sorted(subs, key=lambda s: (s.student, s.assignment.name if s.assignment else ""))


def _guess_unknown(subs: list[Submission]) -> None:
    """A notebook that could not be recognised (broken JSON) is taken to be the assignment every
    other submission is, when they are all the same one."""
    names = {s.assignment.name: s.assignment for s in subs if s.assignment is not None}
    if len(names) == 1:
        only = next(iter(names.values()))
        for s in subs:
            if s.assignment is None:
                s.assignment = only
