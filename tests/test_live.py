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
    flagged = replays(op_circuit(row), {"x": 1.3, "y": -0.7}, random.Random(row.name), 25)
    if row.name in ("log", "div", "div_const", "pow", "rdiv", "exp"):
        assert flagged, "some inputs should give a nan or inf here"


def replays(fn, start: dict[str, float], rng: random.Random, n: int) -> int:
    """Recipes recorded at ``start``, filled with ``n`` other passes' numbers, give those passes'
    frames and captions exactly; how many of them flag a nan or inf."""
    frames = as_frames(fn, start)
    live = live_data(frames, {}, {})
    assert "kernel" not in live, live.get("kernel")
    flagged = 0
    for _ in range(n):
        at = random_inputs(rng)
        fr = frames.with_trace(call(fn, at))  # as expected(fn, start, at) draws it
        want, q = player_data(fr), Quantities(fr.trace).of(fr.trace)
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
    return flagged


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


def op_mix(seed: int, terms: int):
    """A function of x and y: ``terms`` chains of op-table rows, added up (x and y used often)."""
    rng = random.Random(seed)
    plan = [[(rng.choice(ops.SCALAR_OPS), rng.random() < 0.5) for _ in range(rng.randint(1, 3))] for _ in range(terms)]

    def fn(x, y):
        out = None
        for t, chain in enumerate(plan):
            h = x if t % 2 else y
            for row, other in chain:
                h = (ops.apply(row, h) if len(row.inputs) == 1 else ops.apply(row, h, _constant(row))
                     if row.has_constant else ops.apply(row, h, x if other else y))
            out = h if out is None else out + h
        return out

    fn.__name__ = f"mix{seed}_{terms}"
    return fn


MEDIUM = [
    lambda x, y: (x * y).tanh() + (x.exp() + 1).log() * y.relu() + (x ** 2).sigmoid() - x.max(y) * 0.5,
    lambda x, y: (x * y).tanh() + (x.exp() + 1).log() * y.relu() + (x ** 2).sigmoid() - x.max(y) * 0.5 + x.relu(),
    lambda x, y: x * x + x * y + (x + 2.0).exp() + x.sigmoid() - x / (y * y + 1.0) + y.tanh(),
]


@pytest.mark.parametrize("fn", MEDIUM + [op_mix(seed, terms) for seed, terms in ((3, 6), (11, 9), (24, 14))],
                         ids=["example", "x 5 times", "x and y often", "mix 6", "mix 9", "mix 14"])
def test_functions_of_any_size_stay_live(fn):
    """However often an input is used (drawn once per use past a few uses), the page recomputes
    the graph, and its recipes draw other passes exactly."""
    assert "kernel" not in vg.scrub(fn, x=0.5, y=-1.5)._live()
    replays(fn, {"x": 0.5, "y": -1.5}, random.Random(fn.__name__), 6)


def test_a_page_of_a_branching_function_knows_where_its_graph_differs(tmp_path):
    """The calls that sized the layout (room.sample) go into the page: where each built the
    recorded graph (0), another graph (1) or raised (2); no call is made for the page."""
    calls = []

    def branchy(x):
        calls.append(x.data)
        if x.data > 5:
            raise ValueError("only x <= 5")
        return x * 2 if x.data > 0 else x * x

    w = vg.scrub(branchy, x=1.0)
    made = len(calls)
    tried = w._live()["tried"]
    assert {kind for kind, _ in tried} == {0, 1, 2}
    assert all(kind == (2 if v > 5 else 0 if v > 0 else 1) for kind, (v,) in tried)
    assert [v for _, (v,) in tried] == calls[:-1]  # the same calls: the last one drew the start
    w.save_html(tmp_path / "branchy.html")
    w.html()
    assert len(calls) == made
    w.set_inputs(x=2.5)  # the same graph, elsewhere: the calls still tell
    assert w._live()["tried"] == tried
    assert "tried" not in vg.scrub(lambda x: x * 3, x=1.0)._live()  # the same graph everywhere


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


TYPED = ["1_000", "1__0", "_1", "1_", "1_.5", "1._5", "1.5_5", "1e1_0", "1e_10", "1_e5", ".5", "5.", ".",
         "1e", "+.5e-3", "-inf", "+nan", "infinity", "iNfInItY", "-Infinity", "NaN", "0x10", "0b11", "0o7",
         "0X1F", "0_1", "01", " 5 ", "\t5\n", "\x1c5", "\x855", "\u00a05", "\ufeff5", "\u20285", "\u30005 ",
         "１２", "٣.٥", "𝟙𝟚", "1e400", "1e-400", "-0", "1,5", "1 0", "nan(1)", "+-1", "1E+5", "--1", "", " ",
         "in", "nanx", "1.e5", ".e5", "1_0.0_1e-0_1", "1e5.5", "e5", "Infinityy", "0.1", "9" * 30]


def _python_float(text: str) -> str | None:
    """What float() makes of a typed text (with − read as -), as the page's JSON would say it."""
    try:
        v = float(text.replace("\u2212", "-"))
    except ValueError:
        return None
    return "nan" if v != v else "-0" if v == 0 and math.copysign(1, v) < 0 else repr(v)


@pytest.mark.skipif(NODE is None, reason="Node.js not found (the browser test checks the typed values too)")
def test_the_page_reads_a_typed_number_as_pythons_float_does():
    """0x10, 0b11, 0o7 are no numbers to float(); underscores between digits, inf, nan, digits of
    other scripts, whitespace around and a minus sign − are."""
    rng = random.Random(9)
    typed = TYPED + ["\u22121.5", "\u22121e\u22123", " \u2212inf", "\u2212\u22121", "1\u2212"]
    typed += ["".join(rng.choice("0123456789_.eE+-xbo in fa\u00a0\t٣１\u2212") for _ in range(rng.randint(1, 7)))
              for _ in range(3000)]
    src = static_text("live.js")
    script = src[src.index("// A typed number as Python"):src.index("// Where the recorded graph holds")] + f"""
const typed = {json.dumps(typed)};
process.stdout.write(JSON.stringify(typed.map((t) => {{
  const v = liveParse(t);
  return v === null ? null : v !== v ? "nan" : Object.is(v, -0) ? "-0" : v === Infinity ? "inf"
    : v === -Infinity ? "-inf" : v;
}})));
"""
    got = json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60,
                                    check=True).stdout)
    bad = [(t, want, page) for t, page in zip(typed, got, strict=True)
           if (want := _python_float(t)) != (page if page is None or isinstance(page, str) else repr(float(page)))]
    assert bad == []
    assert [_python_float(t) for t in ("0x10", "0b11", "0o7", "1_0", " \u22122 ", "inf")] == [
        None, None, None, "10.0", "-2.0", "inf"]


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


@in_browser
@pytest.mark.timeout(300)
def test_a_saved_page_and_deck_say_where_the_recorded_graph_does_not_hold(browser, open_page, tmp_path):
    """x * 2 if x > 0 else x * x, saved at x = 1: at x = -1 the page still replays x * 2 (f = -2, where
    fn(-1) = 1), and says so in words on the page, in a deck too (where the note under the sliders
    is hidden); back where the recorded graph holds, the warning goes."""
    from test_slides import Deck, _output_cell
    from vizgrad.slides import deck_html

    def branchy(x):
        if x.data > 5:
            raise ValueError("only x <= 5")
        return x * 2 if x.data > 0 else x * x

    w = vg.scrub(branchy, x=1.0)
    page = open_page(w.save_html(tmp_path / "branchy.html"))
    note, warn = page.locator(".vgp-live-note"), page.locator(".vgp-live-warn")
    assert note.is_visible() and note.text_content() == (
        "recomputed in this page, on the graph recorded at x = 1; at x = \u22120.6 (and 3 more of the inputs tried) "
        "the function builds another graph; at x = 5.9 the function raises an error: run the notebook to see it there")
    assert "run the notebook" in note.text_content()
    assert not warn.is_visible()
    box = page.get_by_role("textbox", name="x, exact value")
    box.fill("-1")
    page.locator(".vgp-last").click()
    assert shown(page)["slots"]["v1"] == "-2"  # the recorded graph's f, not fn(-1) = 1 ...
    assert warn.is_visible()  # ... and the page says so, in words
    assert warn.text_content().startswith("The graph is different here: at x = \u22120.6")
    assert "recorded at x = 1" in warn.text_content() and "run the notebook" in warn.text_content()
    assert warn.get_attribute("role") == "status" and warn.get_attribute("title") is None
    for value, message in (("2", None), ("5.8", "The function may fail here: at x = 5.9 it raises an error"),
                           ("0.3", None), ("-3", "The graph is different here: at x = \u22122.8")):
        page.get_by_role("slider", name="x", exact=True).fill(value)
        assert warn.is_visible() == (message is not None), value
        assert message is None or warn.text_content().startswith(message)

    player = {"output_type": "display_data", "metadata": {"vizgrad": {"player": True}},
              "data": {"text/html": w.html(), "text/plain": repr(w)}}
    path = tmp_path / "deck.html"
    path.write_text(deck_html({"cells": [_output_cell([player])], "metadata": {}}), encoding="utf-8")
    deck = Deck(browser, path)
    try:
        deck.go_to_player(0)
        root = deck.page.locator(".vgp").nth(0)
        assert not root.locator(".vgp-live-warn").is_visible()
        root.get_by_role("textbox", name="x, exact value").fill("-1")
        assert not root.locator(".vgp-live-note").is_visible()  # a slide keeps its room...
        assert root.locator(".vgp-live-warn").is_visible()  # ... but says where its graph does not hold
        assert "The graph is different here" in root.locator(".vgp-live-warn").text_content()
    finally:
        deck.close()


@in_browser
@pytest.mark.timeout(600)
def test_medium_functions_move_live_in_the_page(open_page, tmp_path):
    """Sliders and text boxes of functions using their inputs often (drawn once per use) move
    the page's numbers to what vg.trace computes there, texts and nan/inf flags as Python's."""
    start = {"x": 0.5, "y": -1.5}
    for k, fn in enumerate(MEDIUM[1:] + [op_mix(24, 14)]):
        w = vg.scrub(fn, **start)
        page = open_page(w.save_html(tmp_path / f"medium{k}.html"))
        assert page.locator(".vgp-live-kernel").count() == 0
        leaves = {s["name"]: s["nodes"] for s in w._live()["inputs"]}
        for x, y in (("2.3", "-0.25"), ("-4.1", "3"), ("-inf", "0"), ("0", "inf")):
            page.get_by_role("slider" if x[-1].isdigit() else "textbox", name="x" if x[-1].isdigit()
                             else "x, exact value", exact=True).fill(x)  # -inf: typed (flags every copy of x)
            page.get_by_role("textbox", name="y, exact value").fill(y)
            at = {"x": float(x), "y": float(y)}
            t = vg.trace(fn(vg.Value(at["x"], name="x"), vg.Value(at["y"], name="y")))
            q = page.evaluate("() => Array.from(document.querySelector('.vgp').__vgp.live.Q)")
            n = len(t.nodes)
            by_trace = [t.output.data] + [t.grad(t.nodes[leaves[name][0]]) for name in ("x", "y")]
            by_page = [q[n - 1]] + [q[n + leaves[name][0]] for name in ("x", "y")]
            assert all(same_number(a if a is not None else math.nan, b)
                       for a, b in zip(by_page, by_trace, strict=True)), (k, at, by_page, by_trace)
            want, q_py = expected(fn, start, at)
            assert all(same_number(a if a is not None else math.nan, b) for a, b in zip(q, q_py, strict=True))
            data = page.evaluate("() => { const d = document.querySelector('.vgp').__vgp.data;"
                                 " return {initial: d.initial, steps: d.steps, captions: d.captions}; }")
            assert data == {"initial": want["initial"], "steps": want["steps"], "captions": want["captions"]}, (k, at)
        page.close()


@in_browser
@pytest.mark.timeout(180)
def test_the_text_box_takes_what_pythons_float_takes(open_page, tmp_path):
    """0x10, 0b11, 0o7 (numbers to JavaScript, not to float()) are marked invalid and change
    nothing; 1_0, ' −2 ', inf and the like are taken as Python takes them."""
    start = {"x": -2.0, "y": 5.0, "z": -4.0}
    fn = lambda x, y, z: (x + y) * z  # noqa: E731
    w = vg.scrub(fn, **start)
    page = open_page(w.save_html(tmp_path / "typed.html"))
    box = page.get_by_role("textbox", name="x, exact value")
    slider = page.get_by_role("slider", name="x", exact=True)
    page.locator(".vgp-last").click()
    before = shown(page)
    for typed in ("0x10", "0b11", "0o7", "1,5", "1__0", "--2", "", "0x10 "):
        box.fill(typed)
        box.press("Enter")
        assert box.get_attribute("aria-invalid") == "true", typed
        assert box.evaluate("(b) => getComputedStyle(b).backgroundColor") == "rgb(253, 226, 226)"  # its style
        assert slider.input_value() == "-2" and shown(page) == before, typed
    for typed, value in (("1_0", 10.0), (" \u22122 ", -2.0), ("\uff13", 3.0), ("2.5e0", 2.5), ("-inf", -math.inf),
                         ("NaN", math.nan), ("1e400", math.inf)):
        box.fill(typed)
        box.press("Enter")
        assert box.get_attribute("aria-invalid") is None, typed
        got = page.evaluate("() => { const v = document.querySelector('.vgp').__vgp.live.inputs[0].value;"
                            " return v !== v ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v; }")
        assert same_number(float(got), value), typed
        want, _ = expected(fn, start, dict(start, x=value))
        data = page.evaluate("() => { const d = document.querySelector('.vgp').__vgp.data;"
                             " return {initial: d.initial, steps: d.steps}; }")
        assert data == {"initial": want["initial"], "steps": want["steps"]}, typed
        if math.isinf(value):  # the slider at its end
            assert slider.input_value() == slider.get_attribute("min" if value < 0 else "max"), typed
