"""A player everyone can use: names, keys, focus, words for screen readers, reduced motion.

The words (each step spoken, the drawing described, a check's picture titled) are made
in Python and checked here; then saved players, a quiz, a page with live inputs and a
slide deck are opened in headless Chromium and checked with axe-core (no serious or
critical violation), walked through with the keyboard alone, and played with
``prefers-reduced-motion``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import vizgrad as vg
from vizgrad import examples
from vizgrad.drawing.captions import Caption, describe
from vizgrad.exercises import check_gate
from vizgrad.web.player import player_data, player_fragment, save_html
from vizgrad.scrub import scrub
import conftest

lecture = examples.lecture_circuit


# -- words, made in Python ----------------------------------------------------------------------


def test_each_step_is_spoken_in_words_with_its_number():
    caps = vg.captions(vg.trace(lecture()))
    assert caps[8].spoken == ("Backward, step 8: the gradient of f with respect to y is upstream −4 times "
                              "local 1, which is −4.")
    assert caps[0].spoken == "Forward, step 0: the input x is −2."
    assert caps[5].spoken == "Backward, step 5: the gradient of f with respect to itself is 1."
    assert all("∂" not in c.spoken and c.spoken for c in caps)  # words, not symbols
    a = vg.Value(2.0, name="a")
    b = a * a + a
    b.name = "b"
    fork = vg.captions(vg.trace(b))[5]
    assert "sum over its 3 uses" in fork.spoken and fork.spoken.endswith("which is 5.")
    assert Caption("t", "f") == Caption("t", "f", "")  # made as before: the words are optional


def test_the_player_data_carries_the_words_and_the_drawing_described():
    data = player_data(vg.frames(lecture()))
    caps = vg.captions(vg.trace(lecture()))
    assert data["spoken"] == [c.spoken for c in caps]
    assert data["alt"] == describe(vg.trace(lecture()))
    assert "inputs (x, y, z)" in data["alt"] and "q = x + y" in data["alt"] and "f = q · z" in data["alt"]
    fragment = player_fragment(lecture())
    assert re.search(r'<div class="vgp-figure" role="img" aria-label="Computational graph of f:', fragment)


def test_a_big_graph_is_described_briefly():
    text = describe(vg.trace(examples.mlp((3, 4, 4, 1), 1)))
    assert "more" in text and len(text) < 800


def _wrong_mul():
    class Mul(conftest.Mul):
        def backward(self, dz):
            return [dz * self.x, dz * self.x]  # dx should be dz * y

    return check_gate(Mul, seed=0)


def test_a_check_picture_names_the_wrong_gradient_in_its_title():
    r = _wrong_mul()
    assert r.wrong == ("dx",)
    assert r.alt.startswith("Mul: dx is wrong: got ") and "expected" in r.alt
    assert "dy" not in r.alt.split(".")[0]  # only the wrong one is called wrong
    svg = r.titled_svg()
    if svg is None:
        pytest.skip("no Graphviz here: the check has no picture")
    title = re.search(r"<svg[^>]*role=\"img\"[^>]*>\s*<title>([^<]*)</title>", svg)
    assert title and title.group(1).startswith("Mul: dx is wrong")
    assert svg.replace(f"\n<title>{title.group(1)}</title>", "").replace(' role="img"', "") == r.svg()
    page = r._repr_html_()  # in a notebook: the picture's box is an image named by the same words
    label = re.search(r'<div [^>]*role="img" aria-label="([^"]*)">\s*<svg', page)
    assert label and label.group(1).startswith("Mul: dx is wrong: got ")


def test_a_passing_check_picture_says_nothing_is_wrong():
    r = check_gate(conftest.Mul, seed=0)
    assert r.passed and "none is marked wrong" in r.alt


# -- in a browser ---------------------------------------------------------------------------------

from conftest import browser_test  # noqa: E402


@pytest.fixture
def opened(offline):
    def open_(path: Path, reduced: bool = False, wait: str = ".vgp[data-ready='1']"):
        return offline(path, 1100, 850, reduced_motion="reduce" if reduced else "no-preference", ready=wait).page

    return open_


def serious(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python")
    found = axe.Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in ("serious", "critical")]


@browser_test
def test_axe_finds_nothing_serious_on_a_saved_player(opened, tmp_path):
    page = opened(save_html(tmp_path / "p.html", lecture()))
    assert serious(page) == []  # forward
    page.locator(".vgp-figure").click()
    page.keyboard.press("End")
    assert serious(page) == []  # backward


@browser_test
def test_axe_finds_nothing_serious_on_a_quiz(opened, tmp_path):
    page = opened(save_html(tmp_path / "q.html", lecture(), quiz=True))
    page.locator(".vgp-figure").click()
    page.keyboard.press("End")  # the first question
    assert page.locator(".vgp-quiz-input").is_visible()
    assert serious(page) == []
    page.locator(".vgp-quiz-input").fill("1")
    page.locator(".vgp-quiz-input").press("Enter")  # a wrong answer, diagnosed
    assert serious(page) == []


@browser_test
def test_axe_finds_nothing_serious_on_a_live_input_page(opened, tmp_path):
    w = scrub(lambda x, y, z: (x + y) * z, x=-2.0, y=5.0, z=-4.0, quiz=True)
    page = opened(w.save_html(tmp_path / "live.html"))
    assert serious(page) == []


@browser_test
def test_axe_finds_nothing_serious_on_a_zoomable_drawing(opened, tmp_path):
    view = vg.draw(examples.mlp((2, 2, 1), 0), step=3)._repr_mimebundle_()[0]["text/html"]
    path = tmp_path / "view.html"
    path.write_text(f'<!DOCTYPE html><html lang="en"><head><title>a drawing</title></head><body><main>{view}'
                    "</main></body></html>", encoding="utf-8")
    page = opened(path)
    assert serious(page) == []
    page.locator(".vgp-figure").focus()
    page.keyboard.press("+")
    assert page.locator(".vgp-zoomed").count() == 1
    assert serious(page) == []  # zoomed in


@browser_test
def test_axe_finds_nothing_serious_on_a_deck(opened, tmp_path):
    from vizgrad.slides import deck_html

    player = {"output_type": "display_data", "metadata": {"vizgrad": {"player": True}},
              "data": {"text/html": player_fragment(lecture(), quiz=True), "text/plain": "<scrubber>"}}
    nb = {"metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "slide"}}, "source": "# Backprop"},
        {"cell_type": "code", "metadata": {"slideshow": {"slide_type": "slide"}}, "source": "scrub(f, quiz=True)",
         "outputs": [player], "execution_count": 1},
    ]}
    path = tmp_path / "deck.html"
    path.write_text(deck_html(nb), encoding="utf-8")
    page = opened(path, wait=".reveal.ready .vgp[data-ready='1']")
    assert serious(page) == []
    page.keyboard.press("ArrowRight")  # the slide with the player
    page.wait_for_function("() => Reveal.getIndices().h === 1")
    assert serious(page) == []


FOCUS = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {cls: e.className, visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                                     || s.boxShadow !== 'none'};
}"""


@browser_test
def test_a_quiz_by_keyboard_alone(opened, tmp_path):
    page = opened(save_html(tmp_path / "q.html", lecture(), quiz=True))
    step = lambda: int(page.locator(".vgp").get_attribute("data-step"))  # noqa: E731
    page.keyboard.press("Tab")  # the player
    assert page.evaluate(FOCUS) == {"cls": "vgp vgp-defer vgp-quizzing", "visible": True}
    page.keyboard.press("End")  # as far as the first question
    assert step() == 6
    for typed in ("3", "-4", "1", "-4"):  # z, q, then y: wrong once, then right
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus == {"cls": "vgp-quiz-input", "visible": True}
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        if typed == "1":  # diagnosed; the focus stays in the box with the answer selected
            assert "only the local gradient" in page.locator(".vgp-quiz-feedback").text_content()
            page.keyboard.press("Shift+Tab")
            continue
        assert page.locator(".vgp").get_attribute("data-quiz") == "right"
        page.keyboard.press("ArrowRight")
    assert step() == 9
    # every button and the slider and the speed can be reached and show their focus
    seen = set()
    for _ in range(20):
        page.keyboard.press("Tab")
        if not page.evaluate("() => !!document.activeElement.closest('.vgp')"):
            break  # out of the player
        f = page.evaluate(FOCUS)
        assert f["visible"], f
        seen.add(f["cls"].split()[-1])
    assert {"vgp-quiz-input", "vgp-quiz-show", "vgp-quiz-all", "vgp-first", "vgp-prev", "vgp-play",
            "vgp-range", "vgp-speed", "vgp-zoom-out", "vgp-zoom-in", "vgp-fit"} <= seen


@browser_test
def test_play_respects_reduced_motion(opened, tmp_path):
    path = save_html(tmp_path / "p.html", lecture(), interval=100)
    moving = opened(path)
    still = opened(path, reduced=True)
    for page in (moving, still):
        page.locator(".vgp-play").click()
    moving.wait_for_timeout(900)
    assert int(moving.locator(".vgp").get_attribute("data-step")) >= 5  # 100 ms a step
    assert int(still.locator(".vgp").get_attribute("data-step")) == 0  # 2 s a step at least
    assert still.evaluate("() => matchMedia('(prefers-reduced-motion: reduce)').matches")
