"""Commands never destroy what they did not make: the guards of vizgrad/base/files.py.

``python -m vizgrad.lite build OUT`` replaces OUT only if it is empty or a site it built
(its marker file), builds beside it and swaps the new site in only when the build
succeeded, and takes its paths from the folder the command was typed in. The site build
itself (npm, PyPI, minutes) is replaced here by a fake builder Python that records its
argv and writes a tiny site, or fails. ``python -m vizgrad.slides`` never writes its deck
over a notebook.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vizgrad.base import files
from vizgrad.lite import site
from vizgrad.lite.__main__ import main as lite_main
from vizgrad.slides.__main__ import main as slides_main

MARKER = ".vizgrad-lite-site"  # site.MARKER: what marks a folder as a site the command built
FAKE_PYTHON = f"""#!{sys.executable}
# a builder Python: passes the probe, records argv, "builds" a tiny site (or fails)
import json, sys
from pathlib import Path
here = Path(__file__).resolve().parent
with open(here / "argv.log", "a") as log:
    log.write(json.dumps(sys.argv) + "\\n")
if sys.argv[1:4] == ["-m", "jupyterlite_core", "build"]:
    if (here / "fail").exists():
        print("npm ERR! network unreachable", file=sys.stderr)
        sys.exit(1)
    out = Path(sys.argv[sys.argv.index("--output-dir") + 1])
    (out / "static/pyodide-lock").mkdir(parents=True)
    (out / "static/pyodide-lock/pyodide-lock.json").write_text('{{"packages": {{}}}}')
    (out / "index.html").write_text("<p>new site</p>")
"""


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder with a fake builder Python (bin/python) and notebooks (nb/); the slow preparation skipped."""
    folder = tmp_path / "work"
    (folder / "bin").mkdir(parents=True)
    fake = folder / "bin" / "python"
    fake.write_text(FAKE_PYTHON, encoding="utf-8")
    fake.chmod(0o755)
    (folder / "nb").mkdir()
    (folder / "nb" / "a.ipynb").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(site, "_prepare", lambda *args: None)  # npm, PyPI, the wheel: not needed here
    monkeypatch.delenv("VIZGRAD_LITE_PYTHON", raising=False)
    return folder


def calls(work: Path) -> list[list[str]]:
    log = work / "bin" / "argv.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def build_args(work: Path, out: Path | str) -> list[str]:
    return ["build", str(out), "--python", str(work / "bin" / "python"), "--notebooks", str(work / "nb"),
            "--cache", str(work / "cache")]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


# -- 1. a folder that is not a site built here is refused and kept ------------------------------


@pytest.mark.parametrize("name", ["notes", "."])
def test_lite_build_refuses_a_folder_it_did_not_build(work, name, monkeypatch, capsys):
    monkeypatch.chdir(work)
    target = work / "notes" if name == "notes" else work
    (work / "notes").mkdir()
    (work / "notes" / "homework.txt").write_text("mine", encoding="utf-8")
    before = snapshot(target)
    assert lite_main(build_args(work, name)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"python -m vizgrad.lite: error: {target}: ")
    assert "has no .vizgrad-lite-site" in err
    assert snapshot(target) == before
    assert calls(work) == []  # refused before anything ran
    assert leftovers(target) == []


def test_lite_build_into_a_missing_or_empty_folder_then_over_its_own_site(work, capsys):
    assert site.MARKER == MARKER
    out = work / "site"
    assert lite_main(build_args(work, out)) == 0
    assert (out / MARKER).is_file() and (out / "index.html").read_text() == "<p>new site</p>"
    (out / "stale.txt").write_text("from the last build", encoding="utf-8")
    assert lite_main(build_args(work, out)) == 0  # its own site: replaced
    assert not (out / "stale.txt").exists() and (out / MARKER).is_file()
    empty = work / "empty"
    empty.mkdir()
    assert lite_main(build_args(work, empty)) == 0
    assert (empty / "index.html").is_file()
    assert leftovers(out) == [] and leftovers(empty) == []
    mode = out.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o777 & ~umask  # a site others (a web server) can read, not a private temp folder


# -- 2. a failed build keeps the previous site ---------------------------------------------------


def test_a_failed_lite_build_leaves_the_previous_site_as_it_was(work, capsys):
    out = work / "site"
    out.mkdir()
    (out / MARKER).write_text("old", encoding="utf-8")
    (out / "index.html").write_text("<p>old site</p>", encoding="utf-8")
    before = snapshot(out)
    (work / "bin" / "fail").touch()
    assert lite_main(build_args(work, out)) == 1
    err = capsys.readouterr().err
    assert err.startswith("python -m vizgrad.lite: error: jupyter lite build failed")
    assert "network unreachable" in err
    assert snapshot(out) == before
    assert leftovers(out) == []  # the temporary sibling is gone
    built_into = Path(calls(work)[-1][calls(work)[-1].index("--output-dir") + 1])
    assert built_into.parent == out.parent and built_into.name.startswith(".site.new-")


def test_build_then_swap_on_error_removes_the_new_folder_and_keeps_the_old(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".mine").write_text("", encoding="utf-8")
    (out / "a.txt").write_bytes(b"\x00old")
    before = snapshot(out)
    with pytest.raises(KeyboardInterrupt), files.build_then_swap(out, ".mine") as new:
        (new / "a.txt").write_text("new", encoding="utf-8")
        raise KeyboardInterrupt
    assert snapshot(out) == before and leftovers(out) == []
    with files.build_then_swap(out, ".mine", "note") as new:
        (new / "b.txt").write_text("new", encoding="utf-8")
    assert snapshot(out) == {".mine": b"note", "b.txt": b"new"} and leftovers(out) == []


def test_refused_is_one_line_naming_the_path(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(files.Refused) as caught:
        files.check_replaceable(a_file, ".mine")
    assert str(caught.value) == f"{a_file}: is not a folder; left as it is (give a new or empty folder)"
    assert isinstance(caught.value, OSError)  # every command (base/cli.py) reports it as one line, exit 1
    assert files.check_replaceable(tmp_path / "missing", ".mine") == tmp_path / "missing"


# -- 3. paths are taken where the user typed them ------------------------------------------------


def test_relative_lite_paths_are_resolved_in_the_folder_the_command_ran_in(work, monkeypatch, capsys):
    monkeypatch.chdir(work)  # the README's command, relative paths; the build runs its tool in a temp folder
    args = ["build", "_site/", "--python", "bin/python", "--notebooks", "nb", "--cache", "cache"]
    assert lite_main(args) == 0, capsys.readouterr().err
    tool = calls(work)[-1]
    assert tool[0] == str(work / "bin" / "python")
    assert Path(tool[tool.index("--output-dir") + 1]).parent == work
    assert (work / "_site" / "index.html").is_file()
    assert (work / "cache" / "build.log").is_file()
    assert f"JupyterLite site in {work / '_site'}" in capsys.readouterr().out


def test_a_program_name_without_a_slash_is_left_to_the_path_search():
    assert site.program("python3.12") == "python3.12"
    assert site.program(None) is None
    assert site.program("./py") == str(Path.cwd() / "py")


# -- 4. the deck is never written over a notebook ------------------------------------------------


def test_slides_refuse_to_write_the_deck_over_the_notebook(tmp_path):
    nb = tmp_path / "lecture.ipynb"
    nb.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    before = nb.read_bytes()
    done = subprocess.run([sys.executable, "-m", "vizgrad.slides", "lecture.ipynb", "-o", "lecture.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr == ("python -m vizgrad.slides: error: lecture.ipynb: is the input itself; "
                           "not writing over it (choose another output file)\n")
    assert done.stdout == ""
    assert nb.read_bytes() == before


@pytest.mark.parametrize("output", ["./lecture.ipynb", "other.ipynb", "link.html"])
def test_slides_refuse_any_notebook_and_any_other_name_of_it(tmp_path, output, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    nb = tmp_path / "lecture.ipynb"
    nb.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    (tmp_path / "other.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "link.html").symlink_to(nb)
    before = snapshot(tmp_path)
    assert slides_main(["lecture.ipynb", "-o", output]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"python -m vizgrad.slides: error: {Path(output)}: ")
    assert snapshot(tmp_path) == before
