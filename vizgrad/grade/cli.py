"""``python -m vizgrad.grade SUBMISSIONS -o OUT [--timeout SECONDS] [--jobs N]``: grade a class.

Every submission is read first (:mod:`.submissions`); then each notebook runs in a kernel of its
own, in a fresh temporary folder, a cell at a time under the time limit (:mod:`.kernel`); its
parts get their points as nbgrader's autograder gives them (:mod:`.score`); and OUT is written
only at the end, into a new folder swapped in for OUT (:func:`vizgrad.base.files.build_then_swap`):
``grades.csv``, ``<student>/results.json`` and ``<student>/feedback.html`` (:mod:`.report`).
A notebook that cannot be read, loops, raises or exits gets its row like any other; the exit
status is 0 when every notebook has one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..base import cli
from ..base.files import Refused, absolute, build_then_swap, check_replaceable, write_atomic
from .kernel import NotebookRun, run_cells
from .report import Row, feedback_html, grades_csv, results_text
from .score import failed_cells, prepared, score
from .submissions import Submission, collect, released

PROG = "python -m vizgrad.grade"
MARKER = ".vizgrad-grades"
DEFAULT_TIMEOUT = 10.0


def grade_one(sub: Submission, timeout: float = DEFAULT_TIMEOUT, stop: threading.Event | None = None) -> Row:
    """Run one submission (in a temporary folder of its own) and give its row, whatever happens."""
    try:
        return _grade_one(sub, timeout, stop)
    except Exception as e:  # never lose a row, nor stop the batch
        sub.problem = f"the grader could not run this notebook ({type(e).__name__}: {e})"
        return Row(sub.student, sub.assignment.name if sub.assignment else "", score(sub, [], None),
                   problem=sub.problem)


def _grade_one(sub: Submission, timeout: float, stop: threading.Event | None) -> Row:
    name = sub.assignment.name if sub.assignment else ""
    problem = sub.problem
    if not problem and sub.assignment is None:
        problem = "no graded cells: this is not one of the assignments (no cell has an nbgrader grade_id)"
    if problem:
        return Row(sub.student, name, score(sub, [], None), problem=problem)
    cells = prepared(sub)
    nb = dict(sub.notebook or {}, cells=cells)
    work = Path(tempfile.mkdtemp(prefix="vizgrad-grade-"))
    try:
        (work / sub.path.name).write_text(json.dumps(nb), encoding="utf-8")  # a fresh copy, for the code to see
        try:
            run = run_cells(cells, work, timeout, stop=stop)
        except Exception as e:  # the kernel could not start: say so in the row, go on with the others
            run = NotebookRun(stopped=f"the kernel could not start ({type(e).__name__}: {e})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Row(sub.student, name, score(sub, cells, run), failed_cells=failed_cells(cells, run),
               stopped=run.stopped, seconds=run.seconds)


def grade_all(subs: list[Submission], timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
              progress: bool = False) -> list[Row]:
    """Every submission's row, ``jobs`` notebooks at a time, in the order of ``subs``."""
    stop = threading.Event()

    def one(sub: Submission) -> Row:
        row = grade_one(sub, timeout, stop)
        if progress:
            print(f"{row.student} {row.assignment or '?'}: {row.total:g} of {row.max:g} points"
                  f" ({row.seconds:.1f} s){' — ' + (row.problem or row.stopped) if row.problem or row.stopped else ''}",
                  flush=True)
        return row

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        return list(pool.map(one, subs))
    except BaseException:  # Ctrl-C: the running kernels stop at once, the others never start
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def write_out(rows: list[Row], out: Path) -> None:
    """OUT: grades.csv and each student's results.json and feedback.html, built aside, then swapped in."""
    by_student: dict[str, list[Row]] = {}
    for r in rows:
        by_student.setdefault(r.student, []).append(r)
    note = "made by python -m vizgrad.grade; it replaces this folder when run again\n"
    with build_then_swap(out, MARKER, note) as new:
        write_atomic(new / "grades.csv", grades_csv(rows))
        for student, mine in by_student.items():
            (new / student).mkdir()
            write_atomic(new / student / "results.json", results_text(mine))
            write_atomic(new / student / "feedback.html", feedback_html(student, mine))


def _reserve(out: Path) -> None:
    """Refuse OUT now if it is not ours to replace; make it (with the marker) if it is missing, so
    that a folder a student's code makes there during the run is still ours to replace."""
    check_replaceable(out, MARKER)
    if not os.path.lexists(out):
        out.mkdir(parents=True)
        (out / MARKER).write_text("made by python -m vizgrad.grade\n", encoding="utf-8")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least 1")
    return value


def main(argv: list[str] | None = None, *, prog: str = PROG) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return its exit status."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Grade exercise notebooks: run each in its own kernel, give each graded part its points "
                    "(as nbgrader's autograder does), and write grades.csv, and per student results.json "
                    "(Gradescope) and feedback.html.")
    parser.add_argument("submissions", type=absolute, metavar="SUBMISSIONS",
                        help="a folder of notebooks (alice.ipynb, bob.ipynb, ...) or nbgrader's "
                             "SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb")
    parser.add_argument("-o", "--out", required=True, type=absolute,
                        help="the folder to write (made, or replaced if this command made it)")
    parser.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"seconds each cell may run (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=_jobs, default=1, metavar="N", help="notebooks run at the same time (default 1)")
    return cli.run(parser, argv, _grade, usage=(Refused,))


def _grade(args: argparse.Namespace) -> int:
    folder: Path = args.submissions
    if not folder.is_dir():
        raise cli.CommandError(f"{folder}: no such folder (give the folder of submitted notebooks)")
    if args.out.is_relative_to(folder):
        raise cli.CommandError(f"{args.out}: is inside the submissions folder; choose an output folder "
                               "outside it", cli.USAGE)
    if folder.is_relative_to(args.out):
        raise cli.CommandError(f"{args.out}: holds the submissions folder, and would be replaced; choose "
                               "another output folder", cli.USAGE)
    subs = collect(folder, released())
    if not subs:
        raise cli.CommandError(f"{folder}: no notebooks (*.ipynb) in it, nor in <student>/<assignment>/ "
                               "folders under it")
    _reserve(args.out)
    start = time.monotonic()
    rows = grade_all(subs, args.timeout, args.jobs, progress=True)
    write_out(rows, args.out)
    print(f"{len(rows)} notebooks graded in {time.monotonic() - start:.1f} s: {args.out / 'grades.csv'}",
          file=sys.stderr)
    return cli.OK
