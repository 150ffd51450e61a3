"""python -m vizgrad.authoring as a command: it never destroys a source notebook, a failed
write leaves the old file, and bad input is one line naming the file, never a traceback.

(What the student versions contain is tested in test_exercises.py.)"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vizgrad import authoring
from vizgrad.base import files

from conftest import ROOT

SOURCE = {
    "cells": [
        {"cell_type": "markdown", "id": "q", "metadata": {}, "source": ["Why?\n", "### BEGIN SOLUTION\n",
                                                                          "Because.\n", "### END SOLUTION"]},
        {"cell_type": "code", "execution_count": 3, "id": "c", "metadata": {}, "outputs": [],
         "source": ["def f(x):\n", "    ### BEGIN SOLUTION\n", "    return 2 * x\n", "    ### END SOLUTION"]},
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "vizgrad.authoring", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def one_line_error(done: subprocess.CompletedProcess, *words: str) -> str:
    err = done.stderr
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for w in words:
        assert w in err, err
    return err


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "ex.ipynb"
    path.write_text(json.dumps(SOURCE, indent=1), encoding="utf-8")
    return path


def test_refuses_to_write_over_its_own_source(source):
    before = source.read_bytes()
    done = run("ex.ipynb", "--out", ".", cwd=source.parent)
    assert done.returncode == 2 and done.stdout == ""
    one_line_error(done, "ex.ipynb", "--force")
    assert source.read_bytes() == before
    assert sorted(p.name for p in source.parent.iterdir()) == ["ex.ipynb"]  # no temporary file either


def test_refuses_to_write_over_another_notebook_with_solutions_unless_forced(source, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    other = out / "ex.ipynb"
    other.write_text(json.dumps(SOURCE), encoding="utf-8")  # e.g. a copy of the sources
    before = other.read_bytes()
    done = run(str(source), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 2
    one_line_error(done, str(other), "BEGIN SOLUTION", "--force")
    assert other.read_bytes() == before

    done = run(str(source), "--out", str(out), "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "BEGIN SOLUTION" not in other.read_text(encoding="utf-8")
    # a student version (no markers) is simply brought up to date, and --check agrees
    assert run(str(source), "--out", str(out), cwd=tmp_path).returncode == 0
    assert run(str(source), "--out", str(out), "--check", cwd=tmp_path).returncode == 0


def test_forced_over_its_source_it_does_what_it_is_told(source):
    done = run("ex.ipynb", "--out", ".", "--force", cwd=source.parent)
    assert done.returncode == 0, done.stderr
    assert "YOUR ANSWER HERE" in source.read_text(encoding="utf-8")


@pytest.mark.parametrize("name, content, problem", [
    ("missing.ipynb", None, "no such file"),
    ("bad.ipynb", b'{"cells": [', "not valid JSON"),
    ("latin1.ipynb", json.dumps(SOURCE).replace("Why?", "Pourquoi\u00e9?").encode("latin-1"), "not UTF-8"),
    ("open.ipynb", json.dumps({**SOURCE, "cells": SOURCE["cells"][:1] + [
        {**SOURCE["cells"][1], "source": ["### BEGIN SOLUTION\n", "x = 1"]}]}).encode(), "without END SOLUTION"),
    ("list.ipynb", b"[1, 2]", "not a Jupyter notebook"),
])
def test_bad_input_is_one_line_naming_the_file(tmp_path, name, content, problem):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    for extra in ([], ["--check"]):
        done = run(name, "--out", "out", *extra, cwd=tmp_path)
        assert done.returncode == 1
        one_line_error(done, name, problem)
    assert not (tmp_path / "out").exists()


def test_every_problem_is_one_line_in_one_style(tmp_path):
    done = run(cwd=tmp_path)  # no notebooks named, none in the default folder
    assert done.returncode == 1
    err = one_line_error(done, "no source notebooks in")
    assert err.startswith("python -m vizgrad.authoring: error: ")
    done = run("--no-such-option", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("python -m vizgrad.authoring: error: ")


def test_nothing_is_written_when_one_source_is_bad(source, tmp_path):
    (tmp_path / "z.ipynb").write_text("{", encoding="utf-8")
    done = run(str(source), str(tmp_path / "z.ipynb"), "--out", "out", cwd=tmp_path)
    assert done.returncode == 1
    one_line_error(done, "z.ipynb")
    assert not (tmp_path / "out").exists()


class FullDisk:
    """``os`` as vizgrad.base.files sees it, on a disk that fills up halfway through a file."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def fdopen(fd, mode="r"):
        real = os.fdopen(fd, mode)

        class Half:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                real.close()

            def write(self, data):
                real.write(data[: len(data) // 2])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            def __getattr__(self, name):
                return getattr(real, name)

        return Half()


def test_a_full_disk_leaves_the_old_student_notebook(source, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert authoring.main([str(source), "--out", str(out)]) == 0
    before = (out / "ex.ipynb").read_bytes()
    changed = json.loads(source.read_text(encoding="utf-8"))
    changed["cells"][0]["source"] = ["A new question, with more words in it than before?"]
    source.write_text(json.dumps(changed), encoding="utf-8")
    capsys.readouterr()
    monkeypatch.setattr(files, "os", FullDisk())
    assert authoring.main([str(source), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "No space left" in err and str(out / "ex.ipynb") in err
    assert (out / "ex.ipynb").read_bytes() == before
    assert [p.name for p in out.iterdir()] == ["ex.ipynb"]


def _without_markers(begin: str, end: str) -> dict:
    cells = json.loads(json.dumps(SOURCE["cells"]))
    for cell in cells:
        cell["source"] = [line.replace("### BEGIN SOLUTION", begin).replace("### END SOLUTION", end)
                          for line in cell["source"]]
    return {**SOURCE, "cells": cells}


@pytest.mark.parametrize("begin, end, seen", [
    ("### Begin Solution", "### End Solution", "'### Begin Solution'"),  # a near miss: named
    ("### BEGIN  SOLUTION", "### END  SOLUTION", "'### BEGIN  SOLUTION'"),
    ("# begin solution", "# end solution", "'# begin solution'"),
    ("", "", "no '### BEGIN SOLUTION' marker"),  # forgotten: no marker at all
])
def test_a_source_without_real_markers_is_an_error_not_a_leak(tmp_path, begin, end, seen):
    (tmp_path / "ex.ipynb").write_text(json.dumps(_without_markers(begin, end)), encoding="utf-8")
    for extra in ([], ["--check"]):
        done = run("ex.ipynb", "--out", "out", *extra, cwd=tmp_path)
        assert done.returncode == 1, done.stdout
        one_line_error(done, "ex.ipynb", seen, "### BEGIN SOLUTION")
    assert not (tmp_path / "out").exists()  # no student version holding the solutions


def test_a_near_miss_beside_real_markers_is_an_error_too(source, tmp_path):
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "d", "metadata": {}, "outputs": [],
                        "source": ["### Begin Solution\n", "secret = 42\n", "### End Solution"]})
    source.write_text(json.dumps(nb), encoding="utf-8")
    done = run(str(source), "--out", "out", cwd=tmp_path)
    assert done.returncode == 1
    one_line_error(done, "ex.ipynb", "cell 2 (d)", "line 1", "'### Begin Solution'")
    assert not (tmp_path / "out").exists()
