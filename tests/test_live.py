"""Live inputs with no kernel: a saved scrubber of a function keeps its sliders.

The page recomputes the recorded graph (vizgrad/web/live_data.py, vizgrad/web/static/live.js). In
Python: the recipes recorded at one set of inputs, filled with the numbers of another,
give exactly the frames and captions Python draws there; the page's formatter writes
numbers as vizgrad.drawing.texts.fmt does. In Chromium (network blocked): moving a slider or
typing a value shows what vg.trace computes at those inputs, for every scalar op.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vizgrad as vg
from vizgrad.engine import ops
from vizgrad.drawing.request import as_frames
from vizgrad.engine.trace import trace_call as call
from vizgrad.web.player import player_data, static_text
from vizgrad.web.live_data import Quantities, live_data, render
from vizgrad.drawing.texts import fmt
from conftest import browser_test as in_browser

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")


def lecture(x, y, z):
    q = x + y
    q.name = "q"
    f = q * z
    f.name = "f"
    return f


def _constant(row: ops.Op) -> float:
    return {"pow": 0.5, "div_const": 0.0, "max_const": 0.25, "rdiv": 2.0}.get(row.name, -1.5)


def op_circuit(row: ops.Op):
    """A small circuit around one op: the op, then a fork on its output and on x."""
    def fn(x, y):
        if len(row.inputs) == 1:
            h = ops.apply(row, x)
        elif row.has_constant:
            h = ops.apply(row, x, _constant(row))
        else:
            h = ops.apply(row, x, y)
        h.name = "h"
        return h * x + h * y
    fn.__name__ = row.name
    return fn


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 3.0, -3.0, 1e-300, 700.0, -700.0, 1e200]


def random_inputs(rng: random.Random) -> dict[str, float]:
    pick = lambda: rng.choice(SPECIAL) if rng.random() < 0.3 else rng.uniform(-4, 4) * 10 ** rng.randint(-3, 3)  # noqa: E731
    return {"x": pick(), "y": pick()}


def expected(fn, inputs: dict[str, float], at: dict[str, float]) -> tuple[dict, list[float]]:
    """Python's player data for ``fn`` at ``at``, drawn on the layout made at ``inputs``, and its quantities."""
    fr = as_frames(fn, inputs).with_trace(call(fn, at))
    return player_data(fr), Quantities(fr.trace).of(fr.trace)


def same_number(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


# -- Python: the recipes ---------------------------------------------------------------------


@pytest.mark.parametrize("row", ops.SCALAR_OPS, ids=lambda r: r.name)
def test_recipes_of_one_pass_draw_every_other_pass(row):
    """Recipes recorded at the starting inputs, filled with another pass's numbers, give that
    pass's frames and captions exactly, nan and inf flags included."""
    fn = op_circuit(row)
    start = {"x": 1.3, "y": -0.7}
    live = live_data(as_frames(fn, start), {}, {})
    assert "kernel" not in live, live.get("kernel")
    rng = random.Random(row.name)
    flagged = 0
    for _ in range(25):
        at = random_inputs(rng)
        want, q = expected(fn, start, at)
        steps = [[[h, render(r[1], q) if isinstance(r[1], list) else
                   (" vg-flagged" if r[1] >= 0 and not math.isfinite(q[r[1]]) else "") + (" vg-active" if r[2] else "")]
                  for h, r in ((r[0], r) for r in diff)] for diff in live["steps"]]
        assert steps == want["steps"], at
        assert [[render(t, q), render(f, q)] for t, f in live["captions"]] == want["captions"], at
        assert [render(t, q) for t in live["spoken"]] == want["spoken"], at
        initial = [""] * len(want["initial"])
        for h, i in live["initial"]:
            initial[h] = " vg-flagged" if not math.isfinite(q[i]) else ""
        assert initial == want["initial"], at
        flagged += any(want["initial"])
    if row.name in ("log", "div", "div_const", "pow", "rdiv", "exp"):
        assert flagged, "some inputs should give a nan or inf here"


def _strict(word: str):
    raise ValueError(f"{word} is not JSON")


def data_in(html: str) -> dict:
    """The player's data in a page, read as strict JSON (as the page's JSON.parse reads it)."""
    text = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html).group(1)
    return json.loads(text, parse_constant=_strict)


def test_only_a_scrubber_of_a_function_carries_live_data():
    f = vg.examples.lecture_circuit()
    assert "live" not in player_data(vg.frames(f))
    assert "live" not in data_in(vg.scrub(f).html())
    w = vg.scrub(lecture, x=-2.0, y=5.0, z=(-4.0, -6, 6, 0.5))
    assert "live" not in json.loads(w.data)  # the widget: the kernel recomputes
    live = data_in(w.html())["live"]
    assert [s["name"] for s in live["inputs"]] == ["x", "y", "z"]
    assert live["inputs"][2] == {"name": "z", "value": -4.0, "min": -6.0, "max": 6.0, "step": 0.5, "nodes": [3]}
    assert set(live["ops"]) == {"add", "mul"} and live["ops"]["mul"]["local"] == ["b", "a"]


def test_live_data_follows_the_kernels_inputs():
    """Saved after the inputs moved in the kernel, the page starts from there."""
    w = vg.scrub(lecture, x=-2.0, y=5.0, z=-4.0)
    w.set_inputs(z=2.5)
    live = w._live()
    assert [s["value"] for s in live["inputs"]] == [-2.0, 5.0, 2.5]
    assert live["nodes"][3] == [None, [], None, 2.5]


def test_an_unused_input_moves_nothing_and_constants_survive_json():
    w = vg.scrub(lambda x, y: x * float("inf") + 1.0, x=1.0, y=2.0)
    live = w._live()
    assert [s["nodes"] for s in live["inputs"]] == [[0], []]
    assert ["mul_const", [0], "inf", None] in live["nodes"]
    data_in(w.html())  # strict JSON: no NaN or Infinity in it
    json.dumps(live, allow_nan=False)


def test_graphs_the_page_cannot_recompute_say_so():
    tensor = vg.scrub(lambda x: (vg.Tensor(np.array([1.0, 2.0])) * x.data).sum(), x=1.0)
    assert "Tensors" in tensor._live()["kernel"]
    # a gate made by hand (as exercises make theirs), not from the op table
    own = vg.scrub(lambda x: vg.Value(2 * x.data, _op="double", _inputs=(x,), _local=(2.0,)), x=1.0)
    live = own._live()
    assert "double" in live["kernel"] and live["inputs"][0]["name"] == "x"


def test_the_widget_flags_nan_live():
    """In the kernel widget a value turning nan is flagged by the new trace's data."""
    w = vg.scrub(lambda x: x.log(), x=1.0)
    assert " vg-flagged" not in json.loads(w.data)["initial"]
    w.set_inputs(x=-1.0)
    assert " vg-flagged" in json.loads(w.data)["initial"]


# -- the formatter, written twice -----------------------------------------------------------


def _values() -> list[float]:
    rng = random.Random(7)
    vals = [0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
            0.125, 0.375, 2.5, 0.5, 1.5, 12.5, 1e22, 1e21, 1e-5, 1e-4, 9.995, 99999.5, 0.00015, 123456789.0,
            -0.0001234, 1e16, 0.1, 0.3, 2 / 3, -1 / 3, 1234.5, 4.35, 0.045, 1e-7, 999.5, 9.5, 0.95]
    for _ in range(600):
        vals.append(rng.uniform(-1, 1) * 10 ** rng.uniform(-30, 30))
    for _ in range(200):  # exact ties at few digits: k + 0.5 units
        vals.append((rng.randint(1, 99999) + 0.5) / 2 ** rng.randint(0, 12) * rng.choice([1, -1]))
    vals += [rng.randint(-10**6, 10**6) / 8 for _ in range(100)]
    return vals


def _js_formatter() -> str:
    """The page's formatter, out of live.js, as a script for Node."""
    src = static_text("live.js")
    start, end = src.index("// x.toPrecision(p)"), src.index("const liveNumber")
    return src[start:end]


@pytest.mark.skipif(NODE is None, reason="Node.js not found (the browser test checks the formatter too)")
def test_the_page_formats_numbers_as_python_does():
    vals = _values()
    digits = [1, 2, 3, 4, 5, 6, 8, 12, 17]
    script = _js_formatter() + f"""
const vals = {json.dumps([repr(v) for v in vals])}.map((s) => s === "nan" ? NaN : s === "inf" ? Infinity
  : s === "-inf" ? -Infinity : Number(s));
const out = [];
for (const d of {json.dumps(digits)}) out.push(vals.map((v) => fmtNumber(v, d)));
process.stdout.write(JSON.stringify(out));
"""
    got = json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60,
                                    check=True).stdout)
    for d, row in zip(digits, got, strict=True):
        want = [fmt(v, d) for v in vals]
        bad = [(v, w, g) for v, w, g in zip(vals, want, row, strict=True) if w != g]
        assert bad == [], f"digits={d}: {bad[:5]}"


@pytest.mark.skipif(NODE is None, reason="Node.js not found (the browser test checks the quiz too)")
def test_the_page_recomputes_the_quiz_as_python_does():
    """live.js's liveQuiz, given a pass's numbers, gives what vizgrad.web.quiz.fill_quiz gives (and so
    quiz_data at that pass): the answers, which mistakes apply, their numbers and messages."""
    from vizgrad.web.quiz import fill_quiz, live_quiz

    def routed(x, y):
        h = (x * y).relu()
        h.name = "h"
        m = (x + 1.0).max(y * 2.0)
        m.name = "m"
        return h * m + x * x

    start = {"x": 1.5, "y": -0.5}
    recipe = live_quiz(as_frames(routed, start), True)
    assert recipe is not None
    rng = random.Random(5)
    passes = [random_inputs(rng) for _ in range(40)] + [{"x": 0.0, "y": 0.0}, {"x": 2.0, "y": 1.5}]
    qs = [expected(routed, start, at)[1] for at in passes]
    src = static_text("live.js")
    script = (src[src.index("// x.toPrecision(p)"):src.index("const liveNumber")]
              + src[src.index("function liveQuiz"):src.index("// the player's data at these inputs")] + f"""
const rec = {json.dumps(recipe, allow_nan=False)};
const passes = {json.dumps([[repr(v) for v in q] for q in qs])}.map((q) => Float64Array.from(q.map((s) =>
  s === "nan" ? NaN : s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s))));
process.stdout.write(JSON.stringify(passes.map((q) => liveQuiz(rec, q))));
""")
    got = json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60,
                                    check=True).stdout)
    kinds = set()
    for at, q, page in zip(passes, qs, got, strict=True):
        want = fill_quiz(recipe, q)
        assert page == want, at
        kinds |= {w[1] for s in (want or {"steps": []})["steps"] for w in s["wrong"]}
    assert {"max", "swap", "one path", "local only", "upstream only", "sign"} <= kinds


# -- in Chromium ----------------------------------------------------------------------------


@pytest.fixture
def open_page(offline):
    """Open a file with every non-local request blocked (and recorded), page errors recorded."""

    def opener(path: Path, ready: str = ".vgp[data-ready='1']"):
        return offline(path, ready=ready).page

    return opener


SHOWN = """(root) => ({
  slots: Object.fromEntries([...root.querySelectorAll('svg text[data-slot]')]
    .map((t) => [t.dataset.slot, t.textContent])),
  flagged: [...root.querySelectorAll('svg g.vg-flagged')].map((g) => g.id),
  text: root.querySelector('.vgp-text').textContent,
  formula: root.querySelector('.vgp-formula').textContent,
})"""


def shown(page, index: int = 0) -> dict:
    return page.locator(".vgp").nth(index).evaluate(SHOWN)


def python_shows(fn, inputs, at, step):
    fr = as_frames(fn, inputs).with_trace(call(fn, at))
    slots = dict(re.findall(r'<text [^>]*data-slot="([^"]+)"[^>]*>([^<]*)</text>', fr.svg(step)))
    cap = vg.captions(fr.trace)[step]
    return fr, slots, cap


@in_browser
@pytest.mark.timeout(120)
def test_saved_lecture_page_moves_z_to_zero(open_page, tmp_path):
    """The lecture's question, in the saved page: set z = 0 (slider, then text box)."""
    start = {"x": -2.0, "y": 5.0, "z": -4.0}
    w = vg.scrub(lambda x, y, z: (x + y) * z, **start)
    page = open_page(w.save_html(tmp_path / "live.html"))
    fn = lambda x, y, z: (x + y) * z  # noqa: E731
    page.locator(".vgp-last").click()
    last = len(w.frames) - 1
    z = page.get_by_role("slider", name="z", exact=True)
    assert page.get_by_role("slider", name="x", exact=True).input_value() == "-2"
    box = page.get_by_role("textbox", name="z, exact value")
    assert box.input_value() == "-4"
    for control, value in ((z, 0.0), (box, -4.0), (box, 0.0)):
        at = dict(start, z=value)
        control.fill(f"{value:g}")
        fr, slots, cap = python_shows(fn, start, at, last)
        now = shown(page)
        assert now["slots"] == slots
        assert (now["text"], now["formula"]) == (cap.text, cap.formula)
        assert box.input_value() == f"{value:g}" and z.input_value() == f"{value:g}"
        if value == 0:  # f = 0; x and y get 0, z gets x + y = 3
            grads = [fr.trace.grad(n) for n in fr.trace.nodes]
            assert (fr.trace.output.data, grads[0], grads[1], grads[3]) == (0.0, 0.0, 0.0, 3.0)
            assert (now["slots"]["v4"], now["slots"]["g1"], now["slots"]["g3"]) == ("0", "0", "3")
            assert "0" in cap.formula
    # stepping still works on the new numbers: step 0 of the pass at these inputs
    page.locator(".vgp-first").click()
    assert shown(page)["formula"] == python_shows(fn, start, at, 0)[2].formula


@in_browser
@pytest.mark.timeout(600)
def test_page_equals_python_for_every_scalar_op(open_page, tmp_path):
    """For each op: random inputs (and zeros, huge, tiny), set in the page; every number equals
    vg.trace's (relative 1e-12) and every text, flag and caption equals Python's."""
    start = {"x": 1.3, "y": -0.7}
    rng = random.Random(2024)
    flagged = 0
    for row in ops.SCALAR_OPS:
        fn = op_circuit(row)
        w = vg.scrub(fn, **start)
        page = open_page(w.save_html(tmp_path / f"{row.name}.html"))
        for _ in range(6):
            at = random_inputs(rng)
            q = page.evaluate("(at) => document.querySelector('.vgp').__vgp.live.set(at)", at)
            data = page.evaluate("() => { const d = document.querySelector('.vgp').__vgp.data;"
                                 " return {initial: d.initial, steps: d.steps, captions: d.captions,"
                                 " spoken: d.spoken}; }")
            want, q_py = expected(fn, start, at)
            assert len(q) == len(q_py)
            bad = [(i, a, b) for i, (a, b) in enumerate(zip(q, q_py, strict=True))
                   if not same_number(a if a is not None else math.nan, b)]
            assert bad == [], (row.name, at, bad[:4])
            assert data["initial"] == want["initial"], (row.name, at)
            assert data["steps"] == want["steps"], (row.name, at)
            assert data["captions"] == want["captions"], (row.name, at)
            assert data["spoken"] == want["spoken"], (row.name, at)
            flagged += any(want["initial"])
        page.close()
    assert flagged > 5  # nan and inf were shown (and matched)


@in_browser
@pytest.mark.timeout(600)
def test_deck_of_notebook_01_keeps_live_sliders(browser, tmp_path):
    """python -m vizgrad.slides notebook 01 --execute: the live scrubber's sliders recompute offline."""
    source = ROOT / "notebooks" / "01_computational_graphs.ipynb"
    shutil.copy(source, tmp_path / source.name)
    deck = tmp_path / "deck.html"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-m", "vizgrad.slides", source.name, "--execute", "-o", str(deck)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=400, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    from test_slides import Deck

    shown_deck = Deck(browser, deck)
    page = shown_deck.page
    n = page.evaluate("[...document.querySelectorAll('.vgp')].findIndex((r) => r.querySelector('.vgp-live-range'))")
    assert n >= 0, "no player with live inputs in the deck"
    shown_deck.go_to_player(n)
    root = page.locator(".vgp").nth(n)
    assert root.get_by_role("slider", name="z", exact=True).is_visible()
    root.get_by_role("textbox", name="z, exact value").fill("0")
    slots = root.evaluate(SHOWN)["slots"]
    start = {"x": -2.0, "y": 5.0, "z": -4.0}
    fr = as_frames(lecture, start).with_trace(call(lecture, dict(start, z=0.0)))
    step = int(root.evaluate("(r) => r.dataset.step"))
    want = dict(re.findall(r'<text [^>]*data-slot="([^"]+)"[^>]*>([^<]*)</text>', fr.svg(step)))
    assert slots == want
    root.get_by_role("slider", name="z", exact=True).fill("2")
    root.locator(".vgp-last").click()
    fr = as_frames(lecture, start).with_trace(call(lecture, dict(start, z=2.0)))
    want = dict(re.findall(r'<text [^>]*data-slot="([^"]+)"[^>]*>([^<]*)</text>', fr.svg(len(fr) - 1)))
    assert root.evaluate(SHOWN)["slots"] == want and want["v4"] == "f = 6"
    shown_deck.close()


@in_browser
@pytest.mark.timeout(120)
def test_a_saved_tensor_scrubber_says_its_inputs_need_the_kernel(open_page, tmp_path):
    w = vg.scrub(lambda x: (vg.Tensor(np.array([1.0, 2.0])) * x.data).sum(), x=1.5)
    page = open_page(w.save_html(tmp_path / "tensor.html"))
    assert page.locator(".vgp-live-range, .vgp-live-text").count() == 0
    note = page.locator(".vgp-live-kernel").text_content()
    assert "x = 1.5" in note and "kernel" in note
