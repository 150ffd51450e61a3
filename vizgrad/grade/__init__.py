"""Grading a class: ``python -m vizgrad.grade SUBMISSIONS -o OUT [--timeout SECONDS] [--jobs N]``.

Each submitted exercise notebook runs in its own kernel, in a fresh temporary folder, one cell at a
time under a time limit; each graded part (a locked check cell, see the exercise notebooks) earns
its points when its check passes, exactly as nbgrader's ``autograde`` counts them. The results:
``OUT/grades.csv``, and per student ``OUT/<student>/results.json`` (Gradescope's format) and
``OUT/<student>/feedback.html`` (each part's points, vizgrad's diagnosis in words and its drawing;
a page that loads nothing).

The modules: ``submissions`` (finding and reading them, recognising the assignment), ``kernel``
(running the cells), ``score`` (points and diagnosis), ``report`` (the files) and ``cli``.
"""

from __future__ import annotations

from .cli import DEFAULT_TIMEOUT, grade_all, grade_one, main

__all__ = ["DEFAULT_TIMEOUT", "grade_all", "grade_one", "main"]
