"""The package as users get it: ``python -m build`` makes an sdist and a wheel that pass
``twine check --strict``; the wheel holds everything vizgrad reads at run time and the
course's notebooks (never the solutions); installed into a fresh virtual environment it runs
(``.ci/smoke-wheel``: the README's example, ``vizgrad``, ``vizgrad notebooks``, a deck); an
editable install reads the notebooks of its tree.

The fresh environments get vizgrad's dependencies from this one (a path in a ``.pth`` file,
whose own ``.pth`` files, this tree's editable install among them, are not read), so no
download is needed but the build's own (setuptools, in ``build``'s isolated environment).
CI also installs the wheel with its dependencies from PyPI and runs the same smoke test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from vizgrad.base.resources import course_files

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.timeout(900), pytest.mark.packaging]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, **kw)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _tree(into: Path) -> Path:
    """A copy of the project's files (tracked or new, not ignored), so the build litters nothing here."""
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout: which files are the project's is not known")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    return into


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    for module in ("build", "twine"):
        pytest.importorskip(module, reason=f"`{module}` is not installed (it is in the test extra)")
    tmp = tmp_path_factory.mktemp("packaging")
    src = _tree(tmp / "src")
    _run([sys.executable, "-m", "build", "--outdir", str(tmp / "dist"), str(src)])
    (sdist,) = (tmp / "dist").glob("*.tar.gz")
    (wheel,) = (tmp / "dist").glob("*.whl")
    return {"src": src, "sdist": sdist, "wheel": wheel, "tmp": tmp}


def _venv(path: Path) -> Path:
    """A fresh virtual environment at ``path`` that sees this one's packages after its own; its Python."""
    _run([sys.executable, "-m", "venv", str(path)])
    python = path / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "zz_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return python


def test_sdist_and_wheel_pass_twine_check_strict(dist):
    done = _run([sys.executable, "-m", "twine", "check", "--strict", str(dist["sdist"]), str(dist["wheel"])])
    assert done.stdout.count("PASSED") == 2, done.stdout
    assert dist["wheel"].name.startswith("vizgrad_edu-") and dist["sdist"].name.startswith("vizgrad_edu-")


def test_the_wheel_holds_what_vizgrad_reads_and_the_course(dist):
    with zipfile.ZipFile(dist["wheel"]) as whl:
        names = set(whl.namelist())
        package = sorted(p for p in (dist["src"] / "vizgrad").rglob("*") if p.is_file())
        for path in package:  # every file of the package, the static JS/CSS and vendored reveal.js too
            name = path.relative_to(dist["src"]).as_posix()
            assert name in names and whl.read(name) == path.read_bytes(), f"{name} is not in the wheel as it is"
        assert "vizgrad/web/static/vendor/reveal/LICENSE" in names
        course = course_files(ROOT / "notebooks")
        assert sum("/" not in n for n in course) >= 6 and "exercises/README.md" in course
        for name in course:
            assert whl.read(f"vizgrad/notebooks/{name}") == (ROOT / "notebooks" / name).read_bytes(), name
        shipped = sorted(n.removeprefix("vizgrad/notebooks/") for n in names if n.startswith("vizgrad/notebooks/"))
        assert shipped == course, "the wheel has notebooks that are not the course's"
        assert not any("exercises/source" in n or n.startswith(("tests/", "notebooks/")) for n in names)
        assert not any(b"BEGIN SOLUTION" in whl.read(n) for n in names if n.endswith(".ipynb"))
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        assert "\nName: vizgrad-edu\n" in whl.read(meta).decode()
        entry_points = whl.read(meta.replace("METADATA", "entry_points.txt")).decode()
        assert "vizgrad = vizgrad.commands:main" in entry_points
    with tarfile.open(dist["sdist"]) as tar:
        members = [m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name]
    assert {f"notebooks/{name}" for name in course} <= set(members)
    assert not any(m.startswith("notebooks/exercises/source") for m in members), "solutions in the sdist"


def test_the_installed_wheel_works_in_a_fresh_environment(dist):
    python = _venv(dist["tmp"] / "venv")
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(dist["wheel"])])
    done = _run(["bash", str(ROOT / ".ci" / "smoke-wheel"), str(python)])
    assert "== the installed package works" in done.stdout, done.stdout
    where = _run([str(python), "-c", "from vizgrad.base.resources import notebooks_folder as f; print(f())"],
                 cwd=dist["tmp"]).stdout.strip()
    assert Path(where).parent.name == "vizgrad" and "site-packages" in where


def test_an_editable_install_reads_the_notebooks_of_its_tree(dist, tmp_path):
    python = _venv(tmp_path / "venv")
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(dist["src"])])
    assert not (dist["src"] / "vizgrad" / "notebooks").exists()
    where = _run([str(python), "-c", "from vizgrad.base.resources import notebooks_folder as f; print(f())"],
                 cwd=tmp_path).stdout.strip()
    assert Path(where) == dist["src"] / "notebooks"
    _run([str(tmp_path / "venv" / "bin" / "vizgrad"), "notebooks", str(tmp_path / "course")])
    assert sorted(p.name for p in (tmp_path / "course").glob("0*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("0*.ipynb"))
