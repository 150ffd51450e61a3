"""Build the JupyterLite site: the lecture and the exercises in the browser, nothing to install.

The site is static files: JupyterLab (``jupyterlite-core``), a Python kernel that runs in
the page (``jupyterlite-pyodide-kernel``, Pyodide), the notebooks, and the wheels the
kernel installs from the site itself (vizgrad, anywidget, ipywidgets, graphviz, IPython,
...). Parts come from PyPI and npm at build time; at run time the site loads nothing
from anywhere but its own host.

The JupyterLite tools run in a *builder* Python (3.12 or newer, for ``pyodide-lock`` and
``uv``): the one given (``--python`` or the environment variable ``VIZGRAD_LITE_PYTHON``),
else this Python if it has them, else one the build makes once in its cache folder from a Python
>= 3.12 found on PATH or in pyenv (``vizgrad lite builder DIR`` makes one elsewhere).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from ..base import files
from ..base.resources import notebooks_folder
from ..base.version import VERSION
from ..graphviz import js as graphviz_js
from . import npm
from .npm import ToolMissing
from .wheel import build_wheel

#: what the builder Python needs (also the ``lite`` extra of vizgrad's pyproject.toml)
BUILD_REQUIRES = (
    "jupyterlite-core[contents]==0.8.6",
    "jupyterlite-pyodide-kernel==0.8.6",
    "pyodide-lock[uv]>=0.2.1",
    "jupyterlab-widgets>=3.0.10",
    "anywidget>=0.9",
)
BUILDER_MODULES = ("jupyterlite_core", "jupyterlite_pyodide_kernel", "pyodide_lock", "uv",
                   "jupyter_server", "jupyterlab_widgets", "anywidget")
#: what the kernel loads while it starts, besides its own packages
PREFETCH = ("vizgrad", "anywidget", "ipywidgets", "graphviz")
PYODIDE_FILES = ("pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm",
                 "python_stdlib.zip", "pyodide-lock.json", "package.json")
GRAPHVIZ_FILES = ("dist/index.js", "LICENSE", "package.json")
LOCK = Path("static/pyodide-lock/pyodide-lock.json")
#: the file that marks a folder as a site built here (only such a folder is replaced)
MARKER = ".vizgrad-lite-site"
MARKER_NOTE = "A JupyterLite site built by python -m vizgrad.lite build; the next build replaces this folder.\n"
#: what to do when no Python >= 3.12 is found (one line)
NO_PYTHON312 = ("the site build needs a Python >= 3.12 (for pyodide-lock and uv) and found none on PATH "
                "(python3.12, python3.13, ...) or in pyenv: install one (e.g. `pyenv install 3.12`, "
                "`sudo apt-get install python3.12-venv`, `brew install python@3.12`, or from python.org), "
                "or pass --python with one that has the lite extra")
_URL = re.compile(r"https?://[^\s\"'<>)]+")


class BuildError(RuntimeError):
    """The site could not be built (the message says why and what to do)."""


@dataclass
class Site:
    """A built site: where it is, how big, how long it took."""

    path: Path
    seconds: float
    size_bytes: int
    files: int

    def __str__(self) -> str:
        return (f"JupyterLite site in {self.path}: {self.files} files, {self.size_bytes / 1e6:.1f} MB, "
                f"built in {self.seconds:.0f} s; open {self.path / 'index.html'} through a web server "
                f"(python -m http.server -d {self.path})")


def default_cache() -> Path:
    """Where fetched parts and the build log are kept (``VIZGRAD_CACHE``/lite, else the user's cache)."""
    base = os.environ.get("VIZGRAD_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "vizgrad")
    return Path(base) / "lite"


def default_notebooks() -> Path:
    """The course's notebooks: the installed package's, or the source tree's this vizgrad was imported from."""
    return notebooks_folder()


# -- the builder Python ---------------------------------------------------------------------


def builder_python(python: str | None = None, cache: Path | None = None) -> str:
    """The Python that runs JupyterLite's tools (checked).

    ``python`` or ``VIZGRAD_LITE_PYTHON`` if given; else this Python if it has the tools; else the
    builder kept in ``cache`` (default :func:`default_cache`), made there the first time
    (:func:`cached_builder`).
    """
    given = python or os.environ.get("VIZGRAD_LITE_PYTHON")
    if not given and not _missing_modules(sys.executable):
        return sys.executable
    if not given:
        return cached_builder(cache or default_cache())
    missing = _missing_modules(given)
    if missing:
        raise ToolMissing(
            f"the Python {given} cannot build the site (missing {', '.join(missing)}): leave out --python "
            "(and VIZGRAD_LITE_PYTHON) and the build makes its own, or make one with "
            "`vizgrad lite builder DIR` and pass --python DIR/bin/python"
        )
    return given


def cached_builder(cache: Path) -> str:
    """The builder Python in ``cache``/builder: reused if it has the tools, else made (once) from a
    Python >= 3.12 found on this machine; with none, :class:`ToolMissing` says what to install."""
    folder = Path(cache) / "builder"
    venv_python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if venv_python.exists() and not _missing_modules(str(venv_python)):
        return str(venv_python)
    python = find_python312()
    if not python:
        raise ToolMissing(NO_PYTHON312)
    print(f"making the site's builder Python in {folder} from {python} (once; about a minute)", file=sys.stderr)
    return make_builder(folder, python)


def _missing_modules(python: str) -> list[str]:
    probe = ("import importlib.util, sys\n"
             "if sys.version_info < (3, 12): print('Python>=3.12')\n"
             f"for m in {BUILDER_MODULES!r}:\n"
             "    if importlib.util.find_spec(m) is None: print(m)\n")
    try:
        done = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False, timeout=60)
    except OSError:
        return [f"the program itself ({python})"]
    return done.stdout.split() if done.returncode == 0 else ["a working interpreter"]


def find_python312() -> str | None:
    """A Python >= 3.12 on this machine (on PATH, or installed by pyenv), or None."""
    names = [shutil.which(f"python3.{minor}") for minor in range(12, 16)]
    pyenv = sorted(Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv").glob("versions/3.1[2-9]*/bin/python3"))
    for candidate in [*names, *map(str, pyenv)]:
        if not candidate:
            continue
        try:
            done = subprocess.run([candidate, "-c", "import sys, venv; print(sys.version_info >= (3, 12))"],
                                  capture_output=True, text=True, check=False, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.stdout.strip() == "True":
            return candidate
    return None


def make_builder(folder: Path, python: str | None = None) -> str:
    """Create a virtual environment in ``folder`` with :data:`BUILD_REQUIRES`; return its Python.

    ``python``: the Python (>= 3.12) to make it from; by default one found by :func:`find_python312`.
    """
    python = python or find_python312()
    if not python:
        raise ToolMissing(NO_PYTHON312)
    exe = shutil.which(python) or python
    folder = Path(folder)
    venv_python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not venv_python.exists():
        _run([exe, "-m", "venv", str(folder)], f"{exe} -m venv")
    _run([str(venv_python), "-m", "pip", "install", "--quiet", *BUILD_REQUIRES], "pip install")
    return str(builder_python(str(venv_python)))


def _run(cmd: list[str], what: str, cwd: Path | None = None, log: Path | None = None) -> str:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as e:
        raise ToolMissing(f"{what}: cannot run {cmd[0]} ({e.strerror})") from None
    output = done.stdout + done.stderr
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(output, encoding="utf-8")
    if done.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-15:])
        where = f" (whole log: {log})" if log else ""
        raise BuildError(f"{what} failed{where}:\n{tail}")
    return done.stdout


# -- the build --------------------------------------------------------------------------------


def build(out: Path, *, notebooks: Path | None = None, python: str | None = None,
          cache: Path | None = None, pyodide_dist: Path | None = None, expose_app: bool = False) -> Site:
    """Build the site into ``out`` and return what was built.

    ``out`` must be missing, empty, or a site built here (it has :data:`MARKER`), else
    :class:`~vizgrad.base.files.Refused`. The site is built beside it and swapped in only
    when the build succeeded: a failed build leaves the old site as it was.
    ``pyodide_dist``: a full Pyodide distribution (a folder with ``pyodide-lock.json`` and
    the wheels it names, e.g. numpy) to use instead of the core from npm, which has no
    packages. ``expose_app`` sets ``window.jupyterapp`` (for tests driving the page).
    """
    started = time.monotonic()
    out = files.absolute(out).resolve()
    files.check_replaceable(out, MARKER)
    cache = files.absolute(cache or default_cache())
    notebooks = files.absolute(notebooks or default_notebooks())
    pyodide_dist = None if pyodide_dist is None else files.absolute(pyodide_dist)
    if not any(notebooks.glob("*.ipynb")):
        raise BuildError(f"no notebooks in {notebooks}: pass --notebooks DIR (the project's notebooks/ folder)")
    python = program(builder_python(program(python), cache))
    with files.build_then_swap(out, MARKER, MARKER_NOTE) as into:
        with tempfile.TemporaryDirectory(prefix="vizgrad-lite-") as tmp:
            src = Path(tmp)
            _prepare(src, into, notebooks, cache, python, pyodide_dist, expose_app)
            _run([python, "-m", "jupyterlite_core", "build", "--lite-dir", str(src), "--output-dir", str(into)],
                 "jupyter lite build", cwd=src, log=cache / "build.log")
        removed = strip_remote_packages(into / LOCK)
        if removed:
            print(f"left out of the site (only on a CDN): {', '.join(removed)}", file=sys.stderr)
        remote = remote_urls(into)
        if remote:
            raise BuildError(f"the built site would load files from outside: {', '.join(remote[:5])}")
    found = [p for p in out.rglob("*") if p.is_file()]
    return Site(out, time.monotonic() - started, sum(p.stat().st_size for p in found), len(found))


def program(python: str | None) -> str | None:
    """A program name as given (found on PATH), or, if it is a path (has a slash), that path made absolute."""
    if python and ("/" in python or os.sep in python):
        return str(files.absolute(python))
    return python


def _prepare(src: Path, out: Path, notebooks: Path, cache: Path, python: str,
             pyodide_dist: Path | None, expose_app: bool) -> None:
    """Lay out JupyterLite's input folder ``src``: Pyodide, the wheels, the notebooks, the config."""
    pyodide = src / "static" / "pyodide"
    pyodide.mkdir(parents=True)
    if pyodide_dist is None:
        version = _run([python, "-c", "from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION as v; "
                        "print(v)"], "asking the kernel for its Pyodide version").strip()
        core = npm.fetch("pyodide", version, cache)
        for name in PYODIDE_FILES:
            shutil.copy2(core / name, pyodide / name)
    else:
        shutil.copytree(pyodide_dist, pyodide, dirs_exist_ok=True)
    _keep_local_packages(pyodide / "pyodide-lock.json")

    gv = npm.fetch(graphviz_js.NPM_PACKAGE, graphviz_js.NPM_VERSION, cache)
    vendor = "vizgrad/graphviz/" + "/".join(graphviz_js.VENDOR_DIR)
    extra = [(f"{vendor}/{Path(name).name}", (gv / name).read_bytes()) for name in GRAPHVIZ_FILES]

    build_wheel(Path(__file__).resolve().parents[1], VERSION, src / "wheels", extra=extra)

    contents = src / "files"
    _copy_notebooks(notebooks, contents)
    _copy_notebooks(notebooks / "exercises", contents / "exercises")

    config = {
        "LiteBuildConfig": {"no_sourcemaps": True, "no_unused_shared_packages": True,
                            "contents": ["files"], "output_dir": str(out)},
        "PyodideLockAddon": {"enabled": True, "wheels": ["wheels"], "specs": ["micropip", *PREFETCH],
                             "prefetch_extra": list(PREFETCH),
                             "pyodide_lock_uv_options": {"extra_uv_args": ["--no-python-downloads"]}},
    }
    (src / "jupyter_lite_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    page = {"jupyter-config-data": {"appName": "vizgrad", "exposeAppInBrowser": expose_app}}
    (src / "jupyter-lite.json").write_text(json.dumps(page, indent=2), encoding="utf-8")


def _copy_notebooks(source: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.ipynb")) + sorted(source.glob("README.md")):
        shutil.copy2(path, dest / path.name)


def _keep_local_packages(lock: Path) -> None:
    """Drop the packages of a Pyodide lock whose files are not beside it (they would come from a CDN)."""
    data = json.loads(lock.read_text(encoding="utf-8"))
    data["packages"] = {name: pkg for name, pkg in data["packages"].items()
                        if not urllib.parse.urlparse(pkg["file_name"]).scheme
                        and (lock.parent / pkg["file_name"]).is_file()}
    lock.write_text(json.dumps(data, indent=1), encoding="utf-8")


def strip_remote_packages(lock: Path) -> list[str]:
    """Remove the packages a lock fetches by URL; return their names (an error if one is needed)."""
    data = json.loads(lock.read_text(encoding="utf-8"))
    packages = data["packages"]
    remote = sorted(n for n, p in packages.items() if urllib.parse.urlparse(p["file_name"]).scheme)
    for name in remote:
        del packages[name]
    needed = sorted({f"{n} needs {d}" for n, p in packages.items() for d in p.get("depends", []) if d in remote})
    if needed:
        raise BuildError(f"the site needs packages it could only load from a CDN: {', '.join(needed)}")
    if remote:
        lock.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return remote


def remote_urls(out: Path) -> list[str]:
    """URLs outside the site in the files that tell the page and the kernel what to load."""
    configs = [*out.glob("**/jupyter-lite.json"), *out.glob("static/**/pyodide-lock.json")]
    found = []
    for path in configs:
        for url in _URL.findall(path.read_text(encoding="utf-8")):
            found.append(f"{url} (in {path.relative_to(out)})")
    return sorted(set(found))
