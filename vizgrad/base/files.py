"""Writing files so that a failure never leaves a damaged one behind.

Every file vizgrad writes (players, frames, decks, notebooks) goes through
:func:`write_atomic` (or, written bit by bit, :func:`replacing`): the data is written
to a temporary file in the same folder, flushed to disk, then renamed over the target in
one step. A full disk or an interrupted run leaves the previous file as it was, never a
truncated one.
"""

from __future__ import annotations

import contextlib
import os
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
