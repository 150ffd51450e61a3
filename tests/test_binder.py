"""Binder: repo2docker (what mybinder.org runs) reads binder/ the way we intend.

``jupyter-repo2docker --no-build --debug .`` picks a buildpack and prints the Dockerfile
it would build, without Docker. From it we check that the conda buildpack is chosen
from ``binder/environment.yml`` (with its exact Python) and that ``binder/postBuild``
is run, which installs vizgrad itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    pytest.importorskip(
        "repo2docker",
        reason="jupyter-repo2docker is not installed (pip install jupyter-repo2docker, "
        "or the project's [test] extra)",
    )
    run = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(ROOT)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    return out


def test_repo2docker_uses_the_conda_buildpack_with_python_3_11(dockerfile):
    python = re.search(r"^\s*-\s*python=(\S+)\s*$",
                       (ROOT / "binder" / "environment.yml").read_text(encoding="utf-8"), re.MULTILINE)
    assert python, "binder/environment.yml must pin python=X.Y"
    assert f"Building conda environment for python={python.group(1)}" in dockerfile
    assert "binder/environment.yml" in dockerfile
    assert re.search(r"env update .*--file \"?binder/environment.yml", dockerfile)


def test_repo2docker_runs_postbuild(dockerfile):
    assert "RUN ./binder/postBuild" in dockerfile
    assert "chmod +x binder/postBuild" in dockerfile


def test_repo2docker_ignores_the_root_environment_file(dockerfile):
    # with a binder/ folder, repo2docker reads only binder/: the root copy is for local use
    assert "COPY --chown=0:0 src/environment.yml" not in dockerfile
