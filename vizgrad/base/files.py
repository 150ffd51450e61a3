"""Writing files so that a failure never leaves a damaged one behind.

Every file vizgrad writes (players, frames, decks, notebooks) goes through
:func:`write_atomic` (or, written bit by bit, :func:`replacing`): the data is written
to a temporary file in the same folder, flushed to disk, then renamed over the target in
one step. A full disk or an interrupted run leaves the previous file as it was, never a
truncated one.

A folder a command builds (the JupyterLite site) goes through :func:`build_then_swap`: it
is built in a new folder beside it and swapped in only when the build succeeded, and a
folder is replaced only if it is empty or carries the command's marker file
(:func:`is_ours`); anything else is refused (:class:`Refused`), never deleted. A command
about to write a file refuses to write over its own input with :func:`check_target`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator


def write_atomic(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` (text or bytes) to ``path`` all at once; return the path.

    On any error the target keeps its old content (or stays absent) and the
    temporary file is removed, then the error is raised.
    """
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else bytes(data)
    with replacing(path) as f:
        f.write(raw)
    return path


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` with, bit by bit: a temporary file beside it, renamed
    over ``path`` (keeping its permissions) when the block ends, or removed on any error,
    leaving the old ``path`` as it was."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if path.exists():  # keep the permissions of the file being replaced
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Refused(FileExistsError):
    """A path vizgrad will not write over; ``str()`` is one line, ``PATH: why``."""

    def __init__(self, path: str | Path, why: str) -> None:
        super().__init__(errno.EEXIST, why, str(path))

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


def absolute(path: str | Path) -> Path:
    """``path`` made absolute against the current folder now (``~`` expanded, links not followed).

    Commands apply it to their path arguments as they are parsed, before anything changes folder.
    """
    return Path(os.path.abspath(os.path.expanduser(path)))


def check_target(target: str | Path, *, source: str | Path | None = None,
                 protect: tuple[str, ...] = (".ipynb",)) -> Path:
    """``target`` if a command may write it: not its ``source``, not a file ending in ``protect``."""
    target = Path(target)
    same = source is not None and (absolute(target) == absolute(source) or
                                   (target.exists() and Path(source).exists() and os.path.samefile(target, source)))
    if same:
        raise Refused(target, "is the input itself; not writing over it (choose another output file)")
    if target.suffix.lower() in protect:
        raise Refused(target, f"is a {target.suffix} file; not writing over it (choose another output file)")
    return target


def is_ours(folder: str | Path, marker: str) -> bool:
    """Whether ``folder`` is a folder holding the file ``marker`` (written by :func:`build_then_swap`)."""
    folder = Path(folder)
    return folder.is_dir() and (folder / marker).is_file()


def check_replaceable(folder: str | Path, marker: str) -> Path:
    """``folder`` if it is missing, empty or ours (:func:`is_ours`); else raise :class:`Refused`."""
    folder = Path(folder)
    if not os.path.lexists(folder) or is_ours(folder, marker):
        return folder
    if not folder.is_dir():
        raise Refused(folder, "is not a folder; left as it is (give a new or empty folder)")
    if any(folder.iterdir()):
        raise Refused(folder, f"is not empty and has no {marker} file (vizgrad did not build it); "
                              "left as it is (give a new or empty folder)")
    return folder


@contextlib.contextmanager
def build_then_swap(out: str | Path, marker: str, note: str = "") -> Iterator[Path]:
    """A new folder beside ``out`` to build into; swapped in for ``out`` when the block succeeds.

    ``out`` must be missing, empty or ours (else :class:`Refused`, before anything is made).
    On success the new folder gets the ``marker`` file (text ``note``) and replaces ``out``
    (the old one is renamed aside, then removed); on any error it is removed and ``out``
    stays as it was.
    """
    out = absolute(out)
    check_replaceable(out, marker)
    out.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        yield new
        (new / marker).write_text(note, encoding="utf-8")
        _swap_in(new, out, marker)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def _swap_in(new: Path, out: Path, marker: str) -> None:
    """Put the folder ``new`` where ``out`` is (``out`` checked again: the build may have been long)."""
    check_replaceable(out, marker)
    if os.path.lexists(out):
        os.chmod(new, out.stat().st_mode & 0o7777)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(new, 0o777 & ~umask)
    if not os.path.lexists(out):
        os.rename(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()  # a free name beside ``out`` (renaming onto a folder is not portable)
    os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old, out)
        raise
    if old.is_symlink():
        old.unlink()
    else:
        shutil.rmtree(old, ignore_errors=True)
