"""Numbers readable where they land: in a notebook cell, on a slide, in an exported frame.

The measurement is the legibility benchmark's (``benchmarks/legibility.py``): a number's font
size as Chromium draws it, in CSS px (image px for a PNG). Targets: 12 px in a 960 px wide cell,
18 px on a 1920 x 1080 slide and 12 px on a 1280 x 720 one, 24 px in a PNG frame.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import browser_test

import vizgrad as vg
from vizgrad.slides import build_deck
from vizgrad.web.player import save_html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import legibility as probe  # noqa: E402  (benchmarks/legibility.py: the measurement)


@pytest.fixture(scope="module")
def drawings():
    return [(name, vg.frames(make())) for name, make in probe.DRAWINGS]


def shortfalls(rows: list[dict]) -> list[str]:
    """Each row that misses its target, named: where, which drawing, how small."""
    return [f"{r['drawing']} {r.get('which', '')} {r['size']} {r['step']}: min {r['min_px']:.1f} px < "
            f"{r['target_px']:g}" + ("" if r.get("inside", True) else " (not inside the slide)")
            for r in rows if not probe.verdict(r)]


@browser_test
def test_every_circuit_reads_at_12_px_in_a_notebook_cell(browser, drawings, tmp_path):
    rows = probe.player_pages(browser, tmp_path, drawings, None)
    assert len(rows) == 3 * len(drawings) and all(r["numbers"] for r in rows)
    assert not shortfalls(rows), shortfalls(rows)
    # with no horizontal scrolling of the page
    context, page = probe.offline_page(browser, *probe.CELL)
    try:
        for name, fr in drawings:
            page.goto(save_html(tmp_path / f"{probe.slug(name)}_scroll.html", fr).as_uri())
            page.wait_for_selector(".vgp[data-ready='1']")
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
    finally:
        context.close()


def test_png_frames_read_at_24_px(drawings, tmp_path):
    rows = probe.png_rows(tmp_path, drawings)
    assert len(rows) == 3 * len(drawings)
    assert not shortfalls(rows), shortfalls(rows)


@pytest.fixture(scope="module", params=["01_computational_graphs", "02_chain_rule"])
def deck(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("decks") / f"{request.param}.slides.html"
    return request.param, build_deck(ROOT / "notebooks" / f"{request.param}.ipynb", out, execute=True,
                                     warn=lambda message: None)


@browser_test
@pytest.mark.parametrize("screen", probe.SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_drawing_on_every_slide_reads_at_lecture_size(browser, deck, screen):
    nb, path = deck
    rows = probe.deck_rows(browser, nb, path, *screen, None)
    assert len({r["at"] for r in rows}) >= 4  # the deck's drawings were found
    assert not shortfalls(rows), "slides that fall short:\n" + "\n".join(shortfalls(rows))
