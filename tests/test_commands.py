"""The ``vizgrad`` command: one entry point, one row per command, each with its own ``--help``;
``vizgrad notebooks DEST`` copies the course and never writes over what it did not make; the
site build makes (or reuses) its own builder Python, or says in one line what to install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_file_guards import FAKE_PYTHON, calls, snapshot
from vizgrad import commands, course
from vizgrad.base import resources
from vizgrad.base.version import VERSION
from vizgrad.lite import site

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def vizgrad(*argv: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m vizgrad ARGV`` in a new process (this tree's vizgrad), as a user types it."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "vizgrad", *argv], capture_output=True, text=True,
                          cwd=cwd, env=environ, timeout=300)


# -- the command and its table ------------------------------------------------------------------


def test_help_lists_every_command_and_version_prints_it():
    done = vizgrad("--help")
    assert done.returncode == 0 and done.stderr == ""
    for name, (_, what) in commands.COMMANDS.items():
        assert f"    {name}" in done.stdout and what.split()[0] in done.stdout, name
    assert set(commands.COMMANDS) == {"slides", "lite", "author", "notebooks", "grade"}
    done = vizgrad("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"vizgrad {VERSION}")


@pytest.mark.parametrize("name", ["slides", "lite", "author", "notebooks"])
def test_each_command_has_its_own_help_under_its_name(name):
    done = vizgrad(name, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: vizgrad {name} "), done.stdout[:200]


def test_a_command_module_runs_under_the_vizgrad_name(capsys):
    assert commands.main(["lite", "build"]) == 2  # argparse: OUT is missing
    assert capsys.readouterr().err.splitlines()[-1].startswith("vizgrad lite build: error: ")
    assert commands.main(["slides", "no-such.ipynb"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("vizgrad slides: error: "), err


def test_no_command_or_an_unknown_one_is_a_usage_error():
    for argv in [(), ("nope",), ("--nope",)]:
        done = vizgrad(*argv)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.splitlines()[-1].startswith("vizgrad: error: "), done.stderr


def test_grade_runs_the_grader_under_its_own_name(tmp_path):
    done = vizgrad("grade", "--help")
    assert done.returncode == 0 and done.stdout.startswith("usage: vizgrad grade [-h] -o OUT")
    missing = tmp_path / "nothing-here"
    done = vizgrad("grade", str(missing), "-o", str(tmp_path / "out"))
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("vizgrad grade: error: "), done.stderr
    assert not (tmp_path / "out").exists()


def test_the_old_entry_points_still_work():
    for module in ("vizgrad.slides", "vizgrad.lite", "vizgrad.authoring"):
        done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
        assert done.returncode == 0 and done.stdout.startswith(f"usage: python -m {module}"), module


# -- vizgrad notebooks DEST -----------------------------------------------------------------------


def course_names() -> list[str]:
    lectures = sorted(p.name for p in NOTEBOOKS.glob("0*.ipynb"))
    exercises = sorted(f"exercises/{p.name}" for p in (NOTEBOOKS / "exercises").glob("0*.ipynb"))
    return sorted(lectures + exercises + ["exercises/README.md"])


def test_the_course_is_the_lectures_and_the_student_exercises_never_the_solutions():
    names = resources.course_files(NOTEBOOKS)
    assert names == course_names()
    assert len([n for n in names if "/" not in n]) >= 6 and not any("source" in n for n in names)
    assert resources.notebooks_folder() == NOTEBOOKS  # a clone: the tree's own folder


def test_notebooks_copies_the_course_into_a_new_folder(tmp_path):
    done = vizgrad("notebooks", "course", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    dest = tmp_path / "course"
    assert str(dest) in done.stdout and "exercises" in done.stdout
    copied = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert copied == sorted([*course_names(), course.MARKER])
    for name in course_names():
        assert (dest / name).read_bytes() == (NOTEBOOKS / name).read_bytes(), name
    for text in (p.read_text(encoding="utf-8") for p in dest.rglob("*.ipynb")):
        assert "BEGIN SOLUTION" not in text


def test_notebooks_into_an_empty_folder_is_fine_a_full_one_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    assert vizgrad("notebooks", "empty", cwd=tmp_path).returncode == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes", encoding="utf-8")
    done = vizgrad("notebooks", "mine", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"vizgrad notebooks: error: {mine}: ")
    assert "--force" in done.stderr
    assert snapshot(mine) == {"notes.txt": b"my notes"}
    (tmp_path / "file").write_text("x", encoding="utf-8")
    done = vizgrad("notebooks", "file", cwd=tmp_path)
    assert done.returncode == 1 and "is not a folder" in done.stderr and (tmp_path / "file").read_text() == "x"


def test_force_adds_to_a_folder_and_keeps_every_file_it_did_not_make(tmp_path, capsys):
    dest = tmp_path / "course"
    dest.mkdir()
    (dest / "notes.txt").write_text("my notes", encoding="utf-8")
    assert commands.main(["notebooks", str(dest), "--force"]) == 0
    assert (dest / "notes.txt").read_text() == "my notes"
    assert all((dest / name).is_file() for name in course_names())

    # its own unchanged copy is replaced (an update); an identical file is left as it is
    lecture = dest / course_names()[0]
    records = json.loads((dest / course.MARKER).read_text())
    old = b'{"an": "older copy"}\n'
    lecture.write_bytes(old)
    records[lecture.name] = course._digest(old)
    (dest / course.MARKER).write_text(json.dumps(records))
    capsys.readouterr()
    assert commands.main(["notebooks", str(dest), "--force"]) == 0
    assert lecture.read_bytes() == (NOTEBOOKS / lecture.name).read_bytes()
    assert "already there" in capsys.readouterr().out

    # a copy the student changed, or a file of their own in the way: refused, nothing written
    lecture.write_text("my answers", encoding="utf-8")
    exercise = dest / "exercises" / "01_gates.ipynb"
    exercise.unlink()
    before = snapshot(dest)
    assert commands.main(["notebooks", str(dest), "--force"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"vizgrad notebooks: error: {lecture}: ")
    assert snapshot(dest) == before and not exercise.exists()


# -- vizgrad lite build OUT: its own builder Python ------------------------------------------------


@pytest.fixture
def lite_env(tmp_path, monkeypatch):
    """No VIZGRAD_LITE_PYTHON, this Python without JupyterLite's tools, the slow preparation skipped."""
    monkeypatch.delenv("VIZGRAD_LITE_PYTHON", raising=False)
    monkeypatch.setattr(site, "_missing_modules", lambda python: [] if "builder" in python else ["jupyterlite_core"])
    monkeypatch.setattr(site, "_prepare", lambda *args: None)
    return tmp_path


def test_lite_build_reuses_the_builder_in_its_cache(lite_env, monkeypatch, capsys):
    builder = lite_env / "cache" / "builder" / "bin"
    builder.mkdir(parents=True)
    (builder / "python").write_text(FAKE_PYTHON, encoding="utf-8")
    (builder / "python").chmod(0o755)
    monkeypatch.setattr(site, "find_python312", lambda: pytest.fail("a builder was there: nothing to make"))
    out = lite_env / "site"
    assert commands.main(["lite", "build", str(out), "--cache", str(lite_env / "cache"),
                          "--notebooks", str(NOTEBOOKS)]) == 0, capsys.readouterr().err
    assert (out / "index.html").read_text() == "<p>new site</p>"
    assert calls(builder.parent)[-1][1:4] == ["-m", "jupyterlite_core", "build"]


def test_lite_build_makes_its_builder_once_from_a_python_312(lite_env, monkeypatch, capsys):
    made = []

    def make_builder(folder, python):
        made.append((folder, python))
        (folder / "bin").mkdir(parents=True)
        (folder / "bin" / "python").write_text(FAKE_PYTHON, encoding="utf-8")
        (folder / "bin" / "python").chmod(0o755)
        return str(folder / "bin" / "python")

    monkeypatch.setattr(site, "find_python312", lambda: "/opt/python3.12")
    monkeypatch.setattr(site, "make_builder", make_builder)
    cache = lite_env / "cache"
    for out in ("one", "two"):
        assert commands.main(["lite", "build", str(lite_env / out), "--cache", str(cache),
                              "--notebooks", str(NOTEBOOKS)]) == 0
    assert made == [(cache / "builder", "/opt/python3.12")]  # made the first time, reused the second
    assert "making the site's builder Python" in capsys.readouterr().err


def test_lite_build_without_a_python_312_says_what_to_install(tmp_path):
    no_pyenv = tmp_path / "no-pyenv"
    no_pyenv.mkdir()
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "PYENV_ROOT": str(no_pyenv),
           "VIZGRAD_LITE_PYTHON": ""}
    if any(Path(folder, f"python3.{m}").exists() for folder in ("/usr/bin", "/bin") for m in range(12, 16)):
        pytest.skip("this machine has a python3.12+ in /usr/bin: the message cannot be provoked")
    done = vizgrad("lite", "build", "site", "--cache", str(tmp_path / "cache"), cwd=tmp_path, env=env)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("vizgrad lite: error: the site build needs a Python >= 3.12")
    assert "install one" in done.stderr and not (tmp_path / "site").exists()
