"""Colours anyone can read: contrast, colour-vision deficiencies, the palette option, heatmaps.

Contrast is computed from the colours the written SVG itself declares (its <style> and
its background), for every palette. Colour-vision deficiencies are simulated with the
matrices of Machado, Oliveira & Fernandes (2009) at severity 1.0, applied in linear RGB.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import vizgrad as vg  # noqa: E402
from vizgrad.graphviz import engines as vg_dot  # noqa: E402
from vizgrad.drawing import palette as vp  # noqa: E402
from vizgrad.examples import lecture_circuit  # noqa: E402

needs_graphviz = pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz")
PALETTES = list(vp.PALETTES)


# -- colour science -------------------------------------------------------------------------


def linear(colour: str) -> np.ndarray:
    c = np.array(list(bytes.fromhex(colour.lstrip("#"))), dtype=float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(colour: str) -> float:
    return float(linear(colour) @ [0.2126, 0.7152, 0.0722])


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


MACHADO = {  # severity 1.0
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear RGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb_linear
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(colour: str, vision: str | None) -> np.ndarray:
    rgb = linear(colour)
    if vision:
        rgb = np.clip(np.array(MACHADO[vision]) @ rgb, 0, 1)
    return lab(rgb)


def delta_e(a: str, b: str, vision: str | None = None) -> float:
    """CIE76 colour difference as seen with ``vision`` (None: normal)."""
    return float(np.linalg.norm(seen(a, vision) - seen(b, vision)))


def test_the_colour_science_is_right():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic AA borderline
    assert seen("#ffffff", None) == pytest.approx([100, 0, 0], abs=0.1)
    # deuteranopes and protanopes confuse red and green, tritanopes blue and green
    assert delta_e("#d62728", "#2ca02c", "deuteranopia") < 0.4 * delta_e("#d62728", "#2ca02c")
    assert delta_e("#3182bd", "#31a354", "tritanopia") < 0.5 * delta_e("#3182bd", "#31a354")
    for vision in MACHADO:  # greys stay grey
        assert seen("#808080", vision) == pytest.approx(seen("#808080", None), abs=0.5)


# -- reading the SVG's colours --------------------------------------------------------------


def rules(svg: str) -> list[tuple[str, dict[str, str]]]:
    style = re.search(r"<style>(.*?)</style>", svg, re.S).group(1)
    out = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", style):
        props = dict(p.split(":", 1) for p in body.split(";") if ":" in p)
        props = {k.strip(): v.strip() for k, v in props.items()}
        for sel in selectors.split(","):
            out.append((sel.strip(), props))
    return out


def colour_of(svg: str, selector_end: str, prop: str) -> str:
    """The ``prop`` colour the SVG's style gives to selectors ending in ``selector_end``."""
    found = [p[prop] for sel, p in rules(svg) if sel.endswith(selector_end) and prop in p]
    assert found, f"no {prop} for {selector_end}"
    return found[-1]


def paper_of(svg: str) -> str:
    return re.search(r'<rect x="0" y="0" [^>]*fill="(#[0-9a-f]{6})"', svg).group(1)


def text_roles(svg: str) -> set[str]:
    return set(re.findall(r'<text [^>]*class="vg-([a-z]+)"', svg))


@pytest.fixture(scope="module")
def drawn() -> dict[str, str]:
    """The lecture graph's frame at a backward step, one per palette, with its caption."""
    if not vg_dot.available():
        pytest.skip("no Graphviz")
    from vizgrad.export.captioned import export_svgs

    out = {}
    for name in PALETTES:
        fr = vg.frames(lecture_circuit(), palette=name)
        svgs, _, _ = export_svgs(fr, True, None)
        out[name] = list(svgs())[8]
    return out


@needs_graphviz
@pytest.mark.parametrize("name", PALETTES)
def test_every_text_reads_at_aa_contrast(drawn, name):
    svg = drawn[name]
    assert f'class="vg vg-p-{name}"' in svg
    paper = paper_of(svg)
    roles = text_roles(svg)
    assert {"ink", "value", "grad"} <= roles  # names, values, gradients (and the caption's texts)
    for role in roles | {"muted", "flag"}:
        colour = colour_of(svg, f".vg-{role}", "fill")
        assert contrast(colour, paper) >= 4.5, f"{name}: {role} text {colour} on {paper}"
    # an op's label is ink inside its gate, filled when active or showing a nan
    ink = colour_of(svg, ".vg-ink", "fill")
    for fill in (colour_of(svg, ".vg-active.vg-gate ellipse", "fill"), colour_of(svg, ".vg-flagged ellipse", "fill")):
        assert contrast(ink, fill) >= 4.5
    # a name showing a nan is in the flag colour, on paper
    assert contrast(colour_of(svg, ".vg-flagged.vg-input text", "fill"), paper) >= 4.5


@needs_graphviz
@pytest.mark.parametrize("name", PALETTES)
def test_highlights_stand_out_at_3_to_1(drawn, name):
    svg = drawn[name]
    paper = paper_of(svg)
    for selector in (".vg-active.vg-wire path", ".vg-active.vg-gate ellipse", ".vg-flagged.vg-wire path"):
        colour = colour_of(svg, selector, "stroke")
        assert contrast(colour, paper) >= 3, f"{name}: {selector} {colour}"
    active = colour_of(svg, ".vg-active.vg-gate ellipse", "stroke")
    assert contrast(active, colour_of(svg, ".vg-active.vg-gate ellipse", "fill")) >= 3  # its ring on its fill


THRESHOLD = 20  # CIE76: 2.3 is just noticeable; 20 keeps thin text and lines in separate categories


def test_colorblind_roles_stay_apart_under_every_deficiency():
    p = vp.COLORBLIND
    roles = {"value": p.value, "gradient": p.grad, "active": p.active}
    for vision in (None, *MACHADO):
        for a in roles:
            for b in roles:
                if a < b:
                    d = delta_e(roles[a], roles[b], vision)
                    assert d >= THRESHOLD, f"{a} and {b} are {d:.1f} apart under {vision or 'normal vision'}"


def test_the_lecture_palette_would_not_do_for_deuteranopes():
    """What the colour-blind palette is for: the lecture's red and green come much closer."""
    lecture = min(delta_e(vp.LECTURE.value, vp.LECTURE.grad, v) for v in MACHADO)
    colorblind = min(delta_e(vp.COLORBLIND.value, vp.COLORBLIND.grad, v) for v in MACHADO)
    assert colorblind > 3 * lecture


@pytest.mark.parametrize("name", PALETTES)
def test_heat_scales_diverge_from_a_light_zero_in_every_vision(name):
    heat = vp.get(name).heat
    assert len(heat) == 2 * vp.HEAT_LEVELS + 1
    zero = heat[vp.HEAT_LEVELS]
    assert luminance(zero) > 0.85
    for vision in (None, *MACHADO):
        assert delta_e(heat[0], heat[-1], vision) >= THRESHOLD, f"{name}: the ends meet under {vision}"
        for side in (heat[:vp.HEAT_LEVELS + 1], heat[vp.HEAT_LEVELS:][::-1]):  # darker away from zero
            lightness = [seen(c, vision)[0] for c in side]
            assert lightness == sorted(lightness), f"{name} under {vision}: {side}"


# -- values and gradients differ without colour ----------------------------------------------


@needs_graphviz
@pytest.mark.parametrize("name", PALETTES)
def test_gradients_are_italic_and_values_are_not(drawn, name):
    svg = drawn[name]
    italic = [sel for sel, p in rules(svg) if p.get("font-style") == "italic"]
    assert italic and all(sel.endswith(".vg-grad") for sel in italic)
    grads = re.findall(r'<text [^>]*class="vg-grad"[^>]*>([^<]*)</text>', svg)
    values = re.findall(r'<text [^>]*class="vg-value"[^>]*>([^<]*)</text>', svg)
    assert "-4" in grads and "q = 3" in values


# -- the palette option ---------------------------------------------------------------------


@pytest.fixture
def default_palette():
    yield
    vg.set_palette("lecture")


@needs_graphviz
def test_palette_on_every_entry_point(default_palette, tmp_path):
    f = lecture_circuit()
    assert 'class="vg vg-p-colorblind"' in vg.frames(f, palette="colorblind").svg(0)
    assert 'class="vg vg-p-colorblind"' in vg.draw(f, palette="colorblind").pipe(format="svg").decode()
    assert vp.COLORBLIND.active in vg.draw(f, step=8, palette="colorblind").source  # its DOT source too
    assert "svg.vg-p-colorblind" in vg.player_html(f, palette="colorblind")
    assert "svg.vg-p-colorblind" in vg.scrub(f, palette="colorblind").svg()
    saved = vg.frames(f).save(tmp_path, "svg", palette="colorblind")[0].read_text(encoding="utf-8")
    assert 'class="vg vg-p-colorblind"' in saved and vp.svg_rules("colorblind") in saved
    vg.set_palette("colorblind")
    assert 'class="vg vg-p-colorblind"' in vg.frames(f).svg(0)
    assert 'class="vg vg-p-lecture"' in vg.frames(f, palette="lecture").svg(0)
    vg.set_palette("lecture")
    assert 'class="vg vg-p-lecture"' in vg.frames(f).svg(0)


@needs_graphviz
def test_a_palette_is_one_style_block(default_palette):
    """Two palettes: the same frames but for the style block and the class naming it."""
    f = lecture_circuit()
    a, b = vg.frames(f), vg.frames(f, palette="colorblind")
    assert a.changes == b.changes and a.template.holes == b.template.holes
    assert vp.recolour(a.svg(8), "colorblind") == b.svg(8)
    assert vp.recolour(b.svg(8), "lecture") == a.svg(8)


def test_an_unknown_palette_is_one_line_naming_the_palettes(default_palette):
    for call in (lambda: vg.set_palette("sepia"), lambda: vp.get("sepia"),
                 lambda: vg.frames(lecture_circuit(), palette="sepia")):
        with pytest.raises(ValueError) as err:
            call()
        message = str(err.value)
        assert "\n" not in message and "'sepia'" in message
        assert all(repr(name) in message for name in PALETTES)
    assert vp.get("ColorBlind") is vp.COLORBLIND


def test_the_player_css_holds_the_palettes():
    css = (ROOT / "vizgrad" / "web" / "static" / "player.css").read_text(encoding="utf-8")
    block = re.search(r"/\* palette: begin \*/\n(.*?)/\* palette: end \*/", css, re.S).group(1)
    assert block == vp.player_rules()
    # no colour of values, gradients or the highlight is named anywhere else in it
    rest = css.replace(block, "")
    for p in vp.PALETTES.values():
        for colour in (p.value, p.grad, p.active):
            assert colour not in rest
    # the phase badge is white on the value or gradient colour; the slider's labels are those colours on white
    for p in vp.PALETTES.values():
        for colour in (p.value, p.grad):
            assert contrast(colour, "#ffffff") >= 4.5
    assert "color-scheme: light" in css and 'data-jp-theme-light="false"' in css


# -- tensor heatmaps --------------------------------------------------------------------------


def tensor_graph(data: np.ndarray) -> vg.Tensor:
    W = vg.Tensor(data, "W")
    y = (W * 2.0).sum()
    y.name = "y"
    return y


@needs_graphviz
def test_an_8x8_tensor_has_a_64_cell_heatmap_following_the_signs():
    rng = np.random.default_rng(3)
    data = rng.normal(size=(8, 8))
    data[0, 0] = 0.0
    fr = vg.frames(tensor_graph(data))
    i = next(n for n, node in enumerate(fr.trace.nodes) if node.name == "W")
    index = {(h.kind, h.key): n for n, h in enumerate(fr.template.holes)}
    holes = [index["class", f"hv{i}.{k}"] for k in range(64)]
    assert f"hv{i}.64" not in {key for _, key in index}
    forward = next(k for k, s in enumerate(fr.trace) if s.phase == "forward" and s.node is fr.trace.nodes[i])
    before = fr.values(forward - 1) if forward else fr.initial
    classes = [fr.values(forward)[n] for n in holes]
    assert all(before[n] == "" for n in holes)  # not shown before its step
    for value, cls in zip(data.ravel(), classes, strict=True):
        if value > 0:
            assert cls.startswith(" vg-qp"), (value, cls)
        elif value < 0:
            assert cls.startswith(" vg-qn"), (value, cls)
        else:
            assert cls == " vg-q0"
    # the largest magnitude has the darkest colour
    top = int(np.argmax(np.abs(data)))
    assert classes[top].endswith(str(vp.HEAT_LEVELS))
    # the range is in numbers beside it
    assert "8×8 in [" in fr.svg(forward)
    svg = fr.final_svg()
    assert svg.count('data-c="vg-hc"') == 4 * 64  # the value's and the gradient's, of W and of 2 W


@needs_graphviz
def test_the_gradient_heatmap_appears_at_its_backward_step():
    data = np.arange(64, dtype=float).reshape(8, 8) - 20
    fr = vg.frames(tensor_graph(data))
    i = next(n for n, node in enumerate(fr.trace.nodes) if node.name == "W")
    step = next(k for k, s in enumerate(fr.trace) if s.phase == "backward" and s.node is fr.trace.nodes[i])
    index = {(h.kind, h.key): n for n, h in enumerate(fr.template.holes)}
    shown = index["class", f"hg{i}"]
    grad_cells = [n for (kind, key), n in index.items() if key.startswith(f"hg{i}.")]
    assert len(grad_cells) == 64
    assert fr.values(step - 1)[shown] == "" and all(fr.values(step - 1)[n] == "" for n in grad_cells)
    assert fr.values(step)[shown] == " vg-on"
    # d(sum(2 W))/dW = 2 everywhere: every cell at the top of the positive scale
    assert {fr.values(step)[n] for n in grad_cells} == {f" vg-qp{vp.HEAT_LEVELS}"}
    assert 'class="vg-heat vg-on"' in fr.svg(step)


@needs_graphviz
def test_nan_cells_are_marked_and_another_trace_recolours_the_cells():
    data = np.ones((6, 6))
    fr = vg.frames(tensor_graph(data))
    i = next(n for n, node in enumerate(fr.trace.nodes) if node.name == "W")
    bad = data.copy()
    bad[2, 3] = np.nan
    bad[0, 0] = -1.0
    other = fr.with_trace(tensor_graph(bad))
    index = {(h.kind, h.key): n for n, h in enumerate(fr.template.holes)}
    final = other.final_values()
    assert final[index["class", f"hv{i}.{2 * 6 + 3}"]] == " vg-qbad"
    assert final[index["class", f"hv{i}.0"]].startswith(" vg-qn")
    assert fr.final_values()[index["class", f"hv{i}.0"]].startswith(" vg-qp")
    svg = other.final_svg()
    assert "vg-qbad" in svg and vp.LECTURE.heat_bad in svg  # dark, and struck through in the flag colour
    assert colour_of(svg, ".vg-qbad path", "stroke") == vp.LECTURE.flag


@needs_graphviz
def test_large_tensors_are_pooled_and_small_ones_show_numbers():
    from vizgrad.drawing.heatmap import MAX_SIDE, pooled

    big = vg.frames(tensor_graph(np.random.default_rng(0).normal(size=(50, 40))))
    assert big.final_svg().count('data-c="vg-hc"') == 4 * 13 * 14  # blocks of 4 × 3, for W and 2 W
    assert pooled(np.arange(12.0).reshape(2, 6)).shape == (2, 6)
    assert pooled(np.ones((40, 40))).shape == (14, 14)  # blocks of 3
    assert max(pooled(np.ones((1000, 3))).shape) <= MAX_SIDE
    cube = pooled(np.arange(24.0).reshape(2, 3, 4))  # stacked rows
    assert cube.shape == (6, 4) and cube[5, 3] == 23
    small = vg.frames(tensor_graph(np.ones((2, 2))))
    assert 'data-c="vg-hc"' not in small.final_svg()
