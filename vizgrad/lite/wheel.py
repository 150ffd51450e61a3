"""vizgrad's wheel for the browser: the package as it is, with the browser's dependencies.

The wheel ``pip`` would build names every CPython dependency (numpy, wasmtime, the
exporters), and none of those has a Pyodide build in an offline site. The site gets a
pure-Python wheel of the same files whose metadata asks only for what the browser
needs (:data:`BROWSER_REQUIRES`). The bytes depend on the files alone (fixed dates,
sorted entries), so the same tree gives the same wheel.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

from ..base.files import write_atomic

#: what vizgrad needs in the browser (Pyodide): drawing, the scrubber widget
BROWSER_REQUIRES = ("graphviz>=0.20", "ipywidgets>=8.1", "anywidget>=0.9")
_DATE = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}
#: in an installed package, the course's notebooks (the site has them as its files, not in the wheel)
_SKIP_TOP = {"notebooks"}


def package_files(package_dir: Path) -> list[tuple[str, bytes]]:
    """Every file of the package under ``package_dir`` as (path in the wheel, bytes), sorted."""
    root = package_dir.parent
    found = []
    for path in sorted(package_dir.rglob("*")):
        if path.is_dir() or path.suffix in _SKIP_SUFFIXES:
            continue
        parts = path.relative_to(root).parts
        if _SKIP_DIRS.intersection(parts) or parts[1] in _SKIP_TOP:
            continue
        found.append((path.relative_to(root).as_posix(), path.read_bytes()))
    return found


def metadata(version: str, requires: tuple[str, ...] = BROWSER_REQUIRES) -> str:
    """The METADATA of the browser wheel."""
    lines = [
        "Metadata-Version: 2.1",
        "Name: vizgrad",
        f"Version: {version}",
        "Summary: Teach backpropagation by drawing the computational graph (browser build)",
        "License: MIT",
        "Requires-Python: >=3.11",
        *(f"Requires-Dist: {r}" for r in requires),
    ]
    return "\n".join(lines) + "\n"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(package_dir: Path, version: str, out_dir: Path,
                extra: list[tuple[str, bytes]] | None = None) -> Path:
    """Write ``vizgrad-VERSION-py3-none-any.whl`` into ``out_dir`` and return its path.

    ``extra``: more files for the wheel, as (path in the wheel, bytes).
    """
    dist_info = f"vizgrad-{version}.dist-info"
    entries = sorted(package_files(package_dir) + list(extra or []))
    entries += [
        (f"{dist_info}/METADATA", metadata(version).encode()),
        (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: vizgrad.lite\nRoot-Is-Purelib: true\n"
                               b"Tag: py3-none-any\n"),
        (f"{dist_info}/top_level.txt", b"vizgrad\n"),
    ]
    record = [_record_line(name, data) for name, data in entries] + [f"{dist_info}/RECORD,,"]
    entries.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"vizgrad-{version}-py3-none-any.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as whl:
        for name, data in entries:
            info = zipfile.ZipInfo(name, _DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            whl.writestr(info, data)
    return write_atomic(path, buffer.getvalue())
