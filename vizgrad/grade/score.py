"""Points by part, the way nbgrader's autograder gives them, with vizgrad's diagnosis in words.

An autograded part is a locked check cell: it earns its points when it ran and raised no error
(its check passed), else 0, as nbgrader counts; and only when vizgrad's check showed that it
passed (a check replaced by the student's code shows nothing). Its words are what the check
displayed (the message of the :class:`~vizgrad.exercises.CheckResult` shown in the cell) and, for
a cell that failed in another way, the error; its picture is the check's drawing. A written
answer is graded by hand: listed, with the student's text, but not counted.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from ..exercises.shown import FAILED_NAME, read_shown
from .kernel import CellRun, NotebookRun
from .submissions import Assignment, Submission, nbgrader_of

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class PartResult:
    """One part of one submission: points earned of ``max``, in words, and the check's drawing."""

    name: str
    points: float
    max: float
    auto: bool
    words: str
    svg: str = ""
    alt: str = ""

    @property
    def passed(self) -> bool:
        return self.auto and self.points >= self.max


def prepared(sub: Submission) -> list[dict[str, Any]]:
    """The cells to run: the submission's, with each locked cell's source put back as released
    (as nbgrader's autograder does), so an edited check still checks what it should."""
    cells = copy.deepcopy(sub.notebook["cells"]) if sub.notebook else []
    locked = sub.assignment.locked if sub.assignment else {}
    for cell in cells:
        gid = nbgrader_of(cell).get("grade_id")
        if gid in locked:
            cell["source"] = locked[gid]
    return cells


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def error_text(output: dict[str, Any]) -> str:
    """An error output as one line: ``NameError: name 'x' is not defined``."""
    ename, evalue = output.get("ename", ""), output.get("evalue", "")
    if ename == FAILED_NAME:
        return ""
    if ename == "TimeoutError" and evalue.startswith("time limit"):
        return evalue
    return _ANSI.sub("", f"{ename}: {evalue}" if evalue else ename)


def _diagnosis(run: CellRun) -> tuple[str, str, str, bool]:
    """(words, svg, alt, passed) of a check cell's outputs: the check's message and drawing, its
    errors, and whether every check it showed passed (False if it showed none)."""
    words, svg, alt, errors, printed, statuses = [], "", "", [], [], []
    for o in run.outputs:
        shown = read_shown(o)
        if shown is not None:
            words.append(shown["message"])
            statuses.append(shown["status"])
            svg, alt = shown["svg"] or svg, shown["alt"] or alt
        elif o.get("output_type") == "error":
            errors.append(error_text(o))
        elif o.get("output_type") == "stream":
            printed.append(o.get("text", ""))
    text = "\n".join(w for w in words if w)
    extra = [e for e in errors if e]
    if extra:
        text = (text + "\n" if text else "") + "\n".join(extra)
    if printed and not text:
        text = "".join(printed)[:2000]
    return text, svg, alt, bool(statuses) and all(st == "passed" for st in statuses)


def score(sub: Submission, cells: list[dict[str, Any]], run: NotebookRun | None) -> list[PartResult]:
    """Each part of ``sub``'s assignment with its points (``run`` None: nothing ran)."""
    a: Assignment | None = sub.assignment
    if a is None:
        return []
    by_id = {nbgrader_of(c).get("grade_id"): (k, c) for k, c in enumerate(cells)}
    failed_before = _failed_cells(cells, run, a)
    out = []
    for part in a.parts:
        k, cell = by_id.get(part.name, (None, None))
        if not part.auto:
            answer = _text(cell.get("source")) if cell else ""
            out.append(PartResult(part.name, 0.0, part.points, False,
                                  "graded by hand; the answer:\n" + (answer.strip() or "(none)")))
            continue
        if cell is None:
            why = f"did not run: {sub.problem}" if sub.problem else "its check cell is missing from the notebook"
            out.append(PartResult(part.name, 0.0, part.points, True, why))
            continue
        crun = run.cells.get(k) if run is not None else None
        if crun is None or not crun.ran and not crun.outputs:
            why = sub.problem or (run.stopped if run is not None and run.stopped else "")
            out.append(PartResult(part.name, 0.0, part.points, True,
                                  f"did not run: {why}" if why else "did not run"))
            continue
        words, svg, alt, shown_passed = _diagnosis(crun)
        if crun.failed and not svg and failed_before.get(k):
            words = (words + "\n" if words else "") + "an earlier cell failed: " + failed_before[k]
        if not crun.failed and not shown_passed:  # no error, yet no passed check shown: not vizgrad's check
            words = (words + "\n" if words else "") + "the check did not show that it passed (was it replaced?)"
        points = part.points if not crun.failed and shown_passed else 0.0
        out.append(PartResult(part.name, points, part.points, True, words or ("passed" if points else "failed"),
                              svg, alt))
    return out


def _failed_cells(cells: list[dict[str, Any]], run: NotebookRun | None, a: Assignment) -> dict[int, str]:
    """For each check cell, the last error of a cell before it that is not a check (a student's cell)."""
    found: dict[int, str] = {}
    last = ""
    checks = {p.name for p in a.parts if p.auto}
    for k, cell in enumerate(cells):
        crun = run.cells.get(k) if run is not None else None
        if nbgrader_of(cell).get("grade_id") in checks:
            found[k] = last
            continue
        if crun is not None:
            errs = [error_text(o) for o in crun.outputs if o.get("output_type") == "error"]
            if errs and errs[-1]:
                last = f"cell {k + 1}: {errs[-1]}"
    return found


def failed_cells(cells: list[dict[str, Any]], run: NotebookRun | None) -> list[str]:
    """Every cell that raised, in one line each (``cell 5: SyntaxError: ...``), for the feedback."""
    lines = []
    for k, crun in sorted((run.cells if run is not None else {}).items()):
        if nbgrader_of(cells[k]).get("grade") and nbgrader_of(cells[k]).get("locked"):
            continue  # a check cell: its part says it
        for o in crun.outputs:
            if o.get("output_type") == "error":
                lines.append(f"cell {k + 1}: {error_text(o)}")
    return lines
