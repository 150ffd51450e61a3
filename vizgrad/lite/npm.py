"""Packages from the npm registry, by ``npm pack``: fetched once, kept in a cache folder."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path


class ToolMissing(RuntimeError):
    """A program the site build needs is not installed."""


class FetchFailed(RuntimeError):
    """npm could not fetch a package (offline, a registry error, a version it does not have)."""


def tarball_stem(name: str, version: str) -> str:
    """The file name ``npm pack`` gives ``name@version``, without ``.tgz``."""
    return f"{name.lstrip('@').replace('/', '-')}-{version}"


def fetch(name: str, version: str, cache: Path) -> Path:
    """The folder of ``name@version`` unpacked (``.../package``), fetched with npm if not cached."""
    stem = tarball_stem(name, version)
    folder = cache / "npm" / stem
    if (folder / "package" / "package.json").is_file():
        return folder / "package"
    npm = shutil.which("npm")
    if not npm:
        raise ToolMissing("the site build fetches Pyodide and Graphviz from the npm registry: install "
                          "Node.js with npm (e.g. sudo apt-get install npm)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        done = subprocess.run([npm, "pack", f"{name}@{version}", "--pack-destination", tmp],
                              capture_output=True, text=True, check=False)
        tgz = Path(tmp) / f"{stem}.tgz"
        if done.returncode != 0 or not tgz.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise FetchFailed(f"npm pack {name}@{version} failed: {last}")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tgz) as tar:
            tar.extractall(unpacked, filter="data")
        shutil.rmtree(folder, ignore_errors=True)
        unpacked.rename(folder)
    return folder / "package"
