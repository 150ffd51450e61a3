"""Where vizgrad's own files are: the course's notebooks, from a clone and from an installed wheel."""

from __future__ import annotations

from pathlib import Path

#: the folder of the ``vizgrad`` package
PACKAGE = Path(__file__).resolve().parents[1]
#: the course's notebooks, as globs in the notebooks' folder: the lectures, the student exercises and
#: their README (never ``exercises/source/``, the solutions); ``setup.py`` ships the same
COURSE = ("0*.ipynb", "exercises/0*.ipynb", "exercises/README.md")


def notebooks_folder() -> Path:
    """The lecture notebooks' folder (the exercises are in its ``exercises/``).

    An installed wheel carries them as ``vizgrad/notebooks/`` (put there by the build, see
    ``setup.py``); a clone, or an editable install of one, has them in ``notebooks/`` beside
    the package.
    """
    packaged = PACKAGE / "notebooks"
    return packaged if packaged.is_dir() else PACKAGE.parent / "notebooks"


def course_files(folder: str | Path | None = None) -> list[str]:
    """The course's files in ``folder`` (default :func:`notebooks_folder`), as sorted relative paths."""
    folder = Path(folder) if folder is not None else notebooks_folder()
    return sorted({p.relative_to(folder).as_posix() for pattern in COURSE for p in folder.glob(pattern) if p.is_file()})
