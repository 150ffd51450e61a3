"""Build steps beyond pyproject.toml: the course's notebooks travel with the package.

The wheel gets the lecture notebooks and the student exercises (with their README) as
``vizgrad/notebooks/`` (found at run time by :mod:`vizgrad.base.resources`); the sdist gets
them under ``notebooks/``, where the wheel is built from. The solution sources
(``notebooks/exercises/source/``) go into neither. An editable install reads ``notebooks/``
in place.
"""

import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
# which files ship: read from the module that finds them at run time (standard library only,
# so it runs without importing vizgrad, whose dependencies a build environment lacks)
RESOURCES = runpy.run_path(str(HERE / "vizgrad" / "base" / "resources.py"))


def shipped() -> list[str]:
    """The shipped notebooks, as paths relative to notebooks/ (an error if there are none)."""
    folder = HERE / "notebooks"
    found = RESOURCES["course_files"](folder)
    if not any(name.count("/") == 0 for name in found) or not any(name.startswith("exercises/0") for name in found):
        raise SystemExit(f"no lecture or exercise notebooks under {folder}: build from the project's source tree")
    return found


class BuildPy(build_py):
    """Also copy the notebooks into the package, as vizgrad/notebooks/ (not for an editable install)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in shipped():
            target = Path(self.build_lib, "vizgrad", "notebooks", name)
            self.mkpath(str(target.parent))
            self.copy_file(str(HERE / "notebooks" / name), str(target))


class Sdist(sdist):
    """Also put the notebooks in the sdist (the wheel is built from it)."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        for name in shipped():
            target = Path(base_dir, "notebooks", name)
            self.mkpath(str(target.parent))
            self.copy_file(str(HERE / "notebooks" / name), str(target))


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
