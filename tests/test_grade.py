"""python -m vizgrad.grade: a class of synthetic submissions, built from the student version of
exercise 01 with planted mistakes, graded in one batch; the points, the rows, Gradescope's
results.json, the feedback pages (in Chromium, offline); and real nbgrader agreeing on the points."""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vizgrad.grade import main
from vizgrad.grade.report import clean_svg

from conftest import ROOT, browser_test

EXERCISES = ROOT / "notebooks" / "exercises"
PARTS = {"multiply_gate": 2, "add_gate": 1, "max_gate": 2, "sigmoid_gate": 2, "neuron": 2}
TIMEOUT = 4  # seconds per cell in these tests: the checks' own limit (3 s per call) stops a gate first

pytest.importorskip("jupyter_client", reason="pip install jupyter_client ipykernel (the 'test' extra)")
pytest.importorskip("ipykernel", reason="pip install ipykernel (the 'test' extra)")


def _grade_id(cell: dict) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def student_notebook(name: str = "01_gates") -> dict:
    return json.loads((EXERCISES / f"{name}.ipynb").read_text(encoding="utf-8"))


def right_notebook(name: str = "01_gates") -> dict:
    """The student version with every solution cell filled in (from the source notebook)."""
    nb = student_notebook(name)
    source = json.loads((EXERCISES / "source" / f"{name}.ipynb").read_text(encoding="utf-8"))
    answers = {_grade_id(c): c["source"] for c in source["cells"] if _grade_id(c)}
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = answers[meta["grade_id"]]
    return nb


def planted(cell_id: str, code: str, base: dict | None = None) -> dict:
    """``base`` (default: the right notebook) with the solution cell ``cell_id`` replaced by ``code``."""
    nb = copy.deepcopy(base or right_notebook())
    [cell] = [c for c in nb["cells"] if _grade_id(c) == cell_id]
    cell["source"] = code.splitlines(keepends=True)
    return nb


def _with_cell(nb: dict, after: str, code: str) -> dict:
    """``nb`` with a new code cell holding ``code`` after the cell whose grade_id is ``after``."""
    nb = copy.deepcopy(nb)
    k = next(i for i, c in enumerate(nb["cells"]) if _grade_id(c) == after)
    nb["cells"].insert(k + 1, {"cell_type": "code", "execution_count": None, "id": "planted", "metadata": {},
                               "outputs": [], "source": code.splitlines(keepends=True)})
    return nb


MULTIPLY = """class MultiplyGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
{body}
"""
SWAPPED = MULTIPLY.format(body="        return [self.x * dz, self.y * dz]")
SIGMOID_NO_UPSTREAM = """class SigmoidGate:
    def forward(self, x):
        self.out = 1.0 / (1.0 + math.exp(-x))
        return self.out

    def backward(self, dz):
        return [(1.0 - self.out) * self.out]
"""
MAX_LOOPS = """class MaxGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return max(x, y)

    def backward(self, dz):
        while True:
            pass
"""


def _write(folder: Path, name: str, nb: dict | str) -> None:
    (folder / f"{name}.ipynb").write_text(nb if isinstance(nb, str) else json.dumps(nb), encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One batch: every planted case, graded with --jobs 2; (exit code, OUT, SUBMISSIONS)."""
    base = tmp_path_factory.mktemp("class")
    subs, out = base / "submissions", base / "out"
    subs.mkdir()
    right = right_notebook()
    _write(subs, "right", right)
    _write(subs, "untouched", student_notebook())
    _write(subs, "swapped", planted("multiply_code", SWAPPED))
    _write(subs, "no_upstream", planted("sigmoid_code", SIGMOID_NO_UPSTREAM))
    _write(subs, "loops", planted("max_code", MAX_LOOPS))
    _write(subs, "endless_cell", _with_cell(right, "add_gate", "while True:\n    pass\n"))
    stubborn = "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except BaseException:\n        pass\n"
    _write(subs, "stubborn", _with_cell(right, "max_gate", stubborn))
    _write(subs, "exits", _with_cell(right, "add_gate", "import sys\nsys.exit(3)\n"))
    _write(subs, "dies", _with_cell(right, "add_gate", "import os\nos._exit(1)\n"))
    _write(subs, "syntax", planted("multiply_code", "class MultiplyGate:\n    def forward(self, x, y)\n        pass\n"))
    _write(subs, "broken", '{"cells": [')
    evil = (f"import json, pathlib\nout = pathlib.Path({str(out)!r})\nout.mkdir(exist_ok=True)\n"
            "(out / 'evil.txt').write_text('pwned')\n(out / 'right').mkdir(exist_ok=True)\n"
            "(out / 'right' / 'results.json').write_text(json.dumps({'score': 0, 'tests': []}))\n"
            f"pathlib.Path({str(subs / 'right.ipynb')!r}).write_text('not a notebook any more')\n"
            f"pathlib.Path({str(subs / 'zz_late.ipynb')!r}).write_text('{{}}')\n")
    _write(subs, "evil", _with_cell(right, "multiply_gate", evil))
    # a check that is made to pass without checking: no error, but no passed check either
    cheat = "exercises.CheckResult.assert_passed = lambda self: None\n"
    _write(subs, "cheat", _with_cell(student_notebook(), "multiply_code", cheat))
    code = main([str(subs), "-o", str(out), "--jobs", "2", "--timeout", str(TIMEOUT)])
    return code, out, subs


def _rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def _results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text(encoding="utf-8"))


def _output(out: Path, student: str, part: str) -> str:
    return next(t["output"] for t in _results(out, student)["tests"] if t["name"] == part)


def _points(out: Path, student: str) -> dict[str, float]:
    return {t["name"]: t["score"] for t in _results(out, student)["tests"]}


def test_every_notebook_gets_its_row_and_the_batch_exits_0(graded):
    code, out, _ = graded
    assert code == 0
    rows = _rows(out)
    assert sorted(rows) == sorted(["right", "untouched", "swapped", "no_upstream", "loops", "endless_cell",
                                   "stubborn", "exits", "dies", "syntax", "broken", "evil", "cheat"])
    header = list(next(iter(rows.values())))
    assert header == ["student", "assignment", *PARTS, "total", "max"]
    for r in rows.values():
        assert r["assignment"] == "01_gates" and r["max"] == str(sum(PARTS.values()))
        assert float(r["total"]) == sum(float(r[p]) for p in PARTS)


def test_points_follow_the_diagnosis(graded):
    _, out, _ = graded
    full = dict(PARTS)
    assert _points(out, "right") == full
    assert _points(out, "untouched") == dict.fromkeys(PARTS, 0)
    assert _points(out, "cheat") == dict.fromkeys(PARTS, 0)
    assert "did not show that it passed" in _output(out, "cheat", "add_gate")
    assert _points(out, "swapped") == {**full, "multiply_gate": 0}  # the neuron's wiring keeps its points
    assert _points(out, "no_upstream") == {**full, "sigmoid_gate": 0}
    assert _points(out, "loops") == {**full, "max_gate": 0}
    assert _points(out, "syntax")["multiply_gate"] == 0 and _points(out, "syntax")["max_gate"] == 2


def test_feedback_names_the_mistake(graded):
    _, out, _ = graded
    words = _output(out, "swapped", "multiply_gate")
    assert "swapped" in words and "local gradient of a multiply is the other input" in words
    assert "dx = y · dz" not in words  # the formula waits for a second try
    assert "upstream gradient dz" in _output(out, "no_upstream", "sigmoid_gate")
    assert "time limit" in _output(out, "loops", "max_gate")
    untouched = _results(out, "untouched")["tests"]
    assert all("not implemented yet" in t["output"] for t in untouched), untouched
    assert "SyntaxError" in _output(out, "syntax", "multiply_gate")


def test_results_json_is_gradescopes_format(graded):
    _, out, _ = graded
    for student in _rows(out):
        r = _results(out, student)
        assert set(r) == {"score", "tests"}
        assert r["score"] == sum(t["score"] for t in r["tests"])
        for t in r["tests"]:
            assert {"name", "score", "max_score", "output"} <= set(t)
            assert 0 <= t["score"] <= t["max_score"] and isinstance(t["output"], str)
        assert float(_rows(out)[student]["total"]) == r["score"]


def test_loops_exits_and_broken_notebooks_keep_what_ran(graded):
    _, out, _ = graded
    full = dict(PARTS)
    # a top-level loop is interrupted at the time limit; the cells after it still run
    assert _points(out, "endless_cell") == full
    assert "time limit" in (out / "endless_cell" / "feedback.html").read_text(encoding="utf-8")
    # sys.exit in a cell is an error of that cell only
    assert _points(out, "exits") == full
    # a loop that swallows the interrupt, and os._exit, end the kernel: what ran before keeps its points
    assert _points(out, "stubborn") == {**dict.fromkeys(PARTS, 0), "multiply_gate": 2, "add_gate": 1, "max_gate": 2}
    assert _points(out, "dies") == {**dict.fromkeys(PARTS, 0), "multiply_gate": 2, "add_gate": 1}
    assert "did not run" in json.dumps(_results(out, "dies"))
    broken = _results(out, "broken")
    assert broken["score"] == 0 and "broken JSON" in json.dumps(broken)


def test_student_code_cannot_touch_the_grades(graded):
    _, out, subs = graded
    assert _points(out, "right") == dict(PARTS)  # read before the evil notebook ran
    assert _points(out, "evil") == dict(PARTS)
    assert not (out / "evil.txt").exists() and "zz_late" not in _rows(out)
    assert sorted(p.name for p in out.iterdir()) == sorted([".vizgrad-grades", "grades.csv", *_rows(out)])


def test_out_is_a_users_folder(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    _write(subs, "broken", "{")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    done = subprocess.run([sys.executable, "-m", "vizgrad.grade", str(subs), "-o", str(mine)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "notes.txt" not in done.stderr and str(mine) in done.stderr
    assert (mine / "notes.txt").read_text() == "keep me" and sorted(os.listdir(mine)) == ["notes.txt"]
    # no submissions folder, and a bad --timeout: one line each
    for args in ([str(tmp_path / "nope"), "-o", str(tmp_path / "o")], [str(subs), "-o", str(tmp_path / "o"),
                                                                          "--timeout", "0"]):
        done = subprocess.run([sys.executable, "-m", "vizgrad.grade", *args], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
        assert done.returncode in (1, 2) and "Traceback" not in done.stderr
    # OUT inside the submissions, or holding them: refused before anything runs
    for out in (subs / "graded", tmp_path):
        assert main([str(subs), "-o", str(out)]) == 2
    assert sorted(os.listdir(subs)) == ["broken.ipynb"]
    # a folder it made is replaced on the next run
    assert main([str(subs), "-o", str(tmp_path / "o")]) == 0
    assert main([str(subs), "-o", str(tmp_path / "o")]) == 0
    assert _rows(tmp_path / "o")["broken"]["total"] == "0"


def test_nbgrader_layout(tmp_path):
    subs = tmp_path / "submitted"
    for student, nb in [("ann", right_notebook("02_graph")), ("bob", student_notebook("02_graph"))]:
        folder = subs / student / "ps2"
        folder.mkdir(parents=True)
        _write(folder, "02_graph", nb)
    assert main([str(subs), "-o", str(tmp_path / "out"), "--jobs", "2"]) == 0
    rows = _rows(tmp_path / "out")
    assert rows["ann"]["assignment"] == "02_graph" and rows["ann"]["net"] == "4" and rows["ann"]["max"] == "4"
    assert rows["bob"]["net"] == "0"
    tests = _results(tmp_path / "out", "ann")["tests"]
    assert [t["name"] for t in tests] == ["net"]  # the written answer is graded by hand, not here


def test_clean_svg_keeps_the_drawing_and_drops_what_runs():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
           '<script>alert(1)</script><g id="a" onclick="y()"><text>dx</text></g>'
           '<image xlink:href="http://example.com/a.png"/><use xlink:href="#a"/>'
           '<foreignObject><div>hi</div></foreignObject><style>.vg text {fill: #a40e26}</style>'
           '<style>@import "http://example.org/x.css";</style></svg>')
    out = clean_svg(svg)
    assert "<text>dx</text>" in out and 'href="#a"' in out and "fill: #a40e26" in out  # its own colours stay
    for bad in ("script", "onload", "onclick", "example.com", "foreignObject", "@import"):
        assert bad not in out
    assert clean_svg("<svg><unclosed></svg>") == "" and clean_svg("<html/>") == ""


@browser_test
def test_feedback_pages_offline(graded, offline):
    _, out, _ = graded
    page = offline(out / "swapped" / "feedback.html").page
    text = page.inner_text("body")
    assert "7 of 9 points" in text and "swapped" in text and "✘ no points" in text
    assert page.locator("section.part.failed figure svg").count() >= 1
    box = page.locator("section.part.failed figure svg").first.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 50
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")
    found = axe.Axe().run(page).response["violations"]
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []  # contrast, names, ...
    page = offline(out / "broken" / "feedback.html").page
    assert "could not be graded" in page.inner_text("body")
    page = offline(out / "dies" / "feedback.html").page
    assert "stopped early" in page.inner_text("body")


# -- real nbgrader agrees -------------------------------------------------------------------------


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg",  # nbgrader runs `alembic` from PATH
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.mark.timeout(900)
def test_nbgrader_agrees(tmp_path):
    pytest.importorskip("nbgrader", reason="pip install nbgrader (the 'test' extra)")
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    (course / "source" / "ps1" / "01_gates.ipynb").write_bytes((EXERCISES / "source" / "01_gates.ipynb").read_bytes())
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "vizgrad"\n')
    for k, name in [(2, "02_graph"), (3, "03_vectorized")]:  # the other two release as they are too
        (course / "source" / f"ps{k}").mkdir()
        source = (EXERCISES / "source" / f"{name}.ipynb").read_bytes()
        (course / "source" / f"ps{k}" / f"{name}.ipynb").write_bytes(source)
    for k, name in [(1, "01_gates"), (2, "02_graph"), (3, "03_vectorized")]:
        _nbgrader(course, "generate_assignment", f"ps{k}")
        release = json.loads((course / "release" / f"ps{k}" / f"{name}.ipynb").read_text(encoding="utf-8"))
        ours = student_notebook(name)
        assert [_text(c) for c in release["cells"]] == [_text(c) for c in ours["cells"]], name
    release = json.loads((course / "release" / "ps1" / "01_gates.ipynb").read_text(encoding="utf-8"))
    submissions = {"right": right_notebook(), "swapped": planted("multiply_code", SWAPPED)}
    for student, nb in submissions.items():
        # what the student hands in: nbgrader's release copy, solution cells filled in
        handed = copy.deepcopy(release)
        answers = {_grade_id(c): c["source"] for c in nb["cells"] if _grade_id(c)}
        for cell in handed["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("solution"):
                cell["source"] = answers[_grade_id(cell)]
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        _write(folder, "01_gates", handed)
    _nbgrader(course, "autograde", "ps1")
    ours_out = tmp_path / "out"
    assert main([str(course / "submitted"), "-o", str(ours_out), "--jobs", "2"]) == 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in submissions:
            nb = gb.find_submission_notebook("01_gates", "ps1", student)
            theirs = {g.name: g.score for g in nb.grades if g.auto_score is not None}
            assert theirs == _points(ours_out, student), student
    assert _points(ours_out, "swapped") == {**PARTS, "multiply_gate": 0}


def test_student_versions_are_nbgraders_clear_solutions(tmp_path):
    pytest.importorskip("nbgrader", reason="pip install nbgrader (the 'test' extra)")
    sources = sorted((EXERCISES / "source").glob("*.ipynb"))
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--Exporter.preprocessors="
                           '["nbgrader.preprocessors.ClearSolutions","nbconvert.preprocessors.ClearOutputPreprocessor"]',
                           "--output-dir", str(tmp_path), *map(str, sources)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    for src in sources:
        assert (tmp_path / src.name).read_bytes() == (EXERCISES / src.name).read_bytes(), src.name


def test_a_cells_output_is_capped_and_the_next_cell_still_runs(tmp_path):
    from vizgrad.grade.kernel import TEXT_LIMIT, run_cells

    cells = [{"cell_type": "code", "source": "for k in range(2000):\n    print('x' * 999)\n"},
             {"cell_type": "markdown", "source": "text"},
             {"cell_type": "code", "source": "raise ValueError('planted')"},
             {"cell_type": "code", "source": "import os\nprint(os.getcwd())"}]
    run = run_cells(cells, tmp_path, timeout=20)
    printed = "".join(o.get("text", "") for o in run.cells[0].outputs)
    assert TEXT_LIMIT <= len(printed) < TEXT_LIMIT + 500 and "output cut" in printed  # 2 MB printed
    assert run.cells[2].failed and run.cells[2].outputs[0]["ename"] == "ValueError"
    assert run.cells[3].ran and run.cells[3].outputs[0]["text"].strip() == str(tmp_path)
    assert 1 not in run.cells and not run.stopped
