"""How big vizgrad's numbers are where they land: the height of the drawn values and gradients.

This measures; it changes nothing. For each drawing and medium, over the drawing's texts that
show a number (the green values and red gradients, ``<text data-kind="value">`` and
``data-kind="grad"``; texts that are empty at that step are skipped), the median and the
smallest text height.

Text height, everywhere: the text's font size as drawn, in CSS px (in image px for a PNG) --
its font size in the SVG's own units times the SVG's current scale:

- an inline SVG (the player page, a deck's players and zoomable views): the computed
  font-size of the ``<text>`` times min(rendered width / viewBox width, rendered height /
  viewBox height), the rendered size being the SVG's getBoundingClientRect() (so it includes
  reveal.js scaling the slide to the screen, the deck shrinking a crowded slide, and the
  player's zoom; the min is the "meet" of preserveAspectRatio);
- an SVG shown as an ``<img>`` (a static output in a deck): its ``font-size`` times the scale
  the image is drawn at: the width of the img's content box contained to the viewBox's aspect
  ratio (object-fit: contain; the SVG's own ``max-width`` does not hold inside an img), divided
  by the viewBox width, times how much the page scales the img (client rect width / layout
  width). Checked against screenshots: the drawing's extent in the slide's pixels agrees with
  this scale to 1 %;
- a PNG frame (``vg.frames(f).save(folder, "png")``, default scale 2): its ``font-size``
  times the PNG's width in px / the viewBox width (192 dpi / 72 pt per inch = 2.67).

This is the em size, not the ink: a digit is about 0.73 of it tall, and a text's
getBoundingClientRect() height (its line box) about 1.15 times it (recorded in the results as
``bbox_over_font``).

Drawings and media:

1. the saved player page (``vizgrad.web.player.save_html``) in a 960 px wide viewport (a
   notebook's cell), for the lecture circuit ``f = (x + y) z``, the sigmoid circuit (notebook
   02) and the circuit of notebook 03 ``f = 2 (x y + max(z, w))`` (rebuilt here as the notebook
   builds it), at the first step, mid-backward and the last step (set with the player's
   ``go``);
2. the decks of notebooks 01, 02 and 03 (``python -m vizgrad.slides NOTEBOOK --execute``) at
   1920x1080 and 1280x720: every slide, with all its fragments shown, every drawing on it (the
   SVG of each player or view, each static SVG image), as it opens; and whether the drawing's
   visible part lies inside the slide;
3. a PNG frame of each of the three circuits at the default scale, at the same three steps.

Targets: at least 12 px in a 960 px cell, 18 px at 1920x1080, 12 px at 1280x720, 24 px in a
PNG; a drawing passes if its smallest number does (and, on a slide, if it lies inside it).
``VIZGRAD_BENCH_LEGIBILITY_SHOTS=DIR`` also saves a screenshot of each page and slide measured.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import vizgrad as vg  # noqa: E402
from vizgrad.examples import lecture_circuit, sigmoid_circuit  # noqa: E402
from vizgrad.web.player import save_html  # noqa: E402

from _results import save  # noqa: E402  (benchmarks/ is on the path)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOKS = ("01_computational_graphs", "02_chain_rule", "03_gradient_flow_patterns")
CELL = (960, 800)
SCREENS = ((1920, 1080), (1280, 720))
TARGET_CELL, TARGET_PNG = 12.0, 24.0
TARGET_SCREEN = {(1920, 1080): 18.0, (1280, 720): 12.0}
TIMEOUT_MS = 60_000
BUILD_TIMEOUT_S = 600


def patterns_circuit():
    """Notebook 03's circuit, built as the notebook builds it: f = 2 (x y + max(z, w)) = -20."""
    x, y = vg.Value(3.0, name="x"), vg.Value(-4.0, name="y")
    z, w = vg.Value(2.0, name="z"), vg.Value(-1.0, name="w")
    f = 2 * (x * y + z.max(w))
    f.name = "f"
    return f


DRAWINGS = (("lecture f=(x+y)z", lecture_circuit), ("sigmoid (nb 02)", sigmoid_circuit),
            ("patterns (nb 03)", patterns_circuit))


def three_steps(n: int, backward: int) -> list[tuple[str, int]]:
    """The first step, the middle of the backward pass, the last step."""
    return [("first", 0), ("mid-bwd", backward + (n - backward) // 2), ("last", n - 1)]


# -- the measurement in the page -------------------------------------------------------------------

MEASURE_JS = r"""
const NUMBERS = 'text[data-kind="value"], text[data-kind="grad"]';
const box = (r) => ({x: r.left, y: r.top, w: r.width, h: r.height});
const clip = (a, b) => {
  const x = Math.max(a.x, b.x), y = Math.max(a.y, b.y);
  return {x, y, w: Math.max(0, Math.min(a.x + a.w, b.x + b.w) - x), h: Math.max(0, Math.min(a.y + a.h, b.y + b.h) - y)};
};
// an inline SVG: computed font-size x min(rendered / viewBox), both ways
window.__vgInline = (svg) => {
  const vb = svg.viewBox && svg.viewBox.baseVal;
  const r = svg.getBoundingClientRect();
  if (!vb || !(vb.width > 0) || !(vb.height > 0) || !(r.width > 0)) return null;
  const scale = Math.min(r.width / vb.width, r.height / vb.height);
  const sizes = [], boxes = [];
  for (const t of svg.querySelectorAll(NUMBERS)) {
    if (!t.textContent.trim()) continue;
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    sizes.push(px);
    const b = t.getBoundingClientRect();
    if (b.height > 0) boxes.push(b.height / px);
  }
  const fig = svg.closest('.vgp-figure');
  const shown = fig ? clip(box(r), box(fig.getBoundingClientRect())) : box(r);
  return {sizes, bbox: boxes, scale, shown};
};
// an SVG in an <img>: its font-size x the scale it is drawn at
window.__vgImage = (img) => {
  const m = /^data:image\/svg\+xml;base64,(.*)$/s.exec(img.getAttribute('src') || '');
  if (!m) return null;
  const bytes = Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0));
  const root = new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'image/svg+xml').documentElement;
  if (!/(^|\s)vg(\s|$)/.test(root.getAttribute('class') || '')) return null;  // not one of vizgrad's
  const vb = (root.getAttribute('viewBox') || '').trim().split(/[\s,]+/).map(Number);
  if (vb.length !== 4 || !(vb[2] > 0) || !(vb[3] > 0) || !(img.clientWidth > 0)) return null;
  // object-fit: contain; the SVG's own max-width does not hold inside an <img> (Chromium draws
  // it as large as the box allows, as screenshots of the decks show)
  const drawn = Math.min(img.clientWidth, img.clientHeight * vb[2] / vb[3]);
  const r = img.getBoundingClientRect();
  const scale = drawn / vb[2] * (r.width / img.offsetWidth);
  const sizes = [];
  for (const t of root.querySelectorAll(NUMBERS)) {
    if (t.textContent.trim()) sizes.push(parseFloat(t.getAttribute('font-size')) * scale);
  }
  return {sizes, bbox: [], scale, shown: box(r)};
};
window.__vgSlide = (section) => {
  const frame = section.querySelector(':scope > .vg-slide') || section;
  const slide = box(frame.getBoundingClientRect());
  const heading = section.querySelector('h1, h2, h3, h4, h5, h6');
  const words = (el) => (el ? el.textContent : '').replace(/\s+/g, ' ').trim();
  const title = heading ? words(heading) : '"' + words(section.querySelector('.vg-md')).slice(0, 36) + '…"';
  const drawings = [];
  for (const root of section.querySelectorAll('.vgp')) {
    const svg = root.querySelector('.vgp-figure svg.vg');
    const m = svg && window.__vgInline(svg);
    const p = root.__vgp;
    drawings.push({kind: root.classList.contains('vgp-view') ? 'view' : 'player', ...(m || {sizes: [], bbox: []}),
                   zoomed: root.classList.contains('vgp-zoomed'),
                   step: p && !root.classList.contains('vgp-view') ? p.cur : null, n: p ? p.n : null});
  }
  for (const img of section.querySelectorAll('img[src^="data:image/svg"]')) {
    const m = window.__vgImage(img);
    if (m) drawings.push({kind: 'image', ...m, zoomed: false, step: null, n: null});
  }
  for (const d of drawings) {
    const s = d.shown;
    d.inside = !!s && s.w > 0 && s.h > 0 && s.x >= slide.x - 1 && s.y >= slide.y - 1
      && s.x + s.w <= slide.x + slide.w + 1 && s.y + s.h <= slide.y + slide.h + 1;
  }
  return {title, fit: frame.dataset.fit ? parseFloat(frame.dataset.fit) : null, drawings};
};
"""

SETTLE_JS = """
async (measure) => {
  // measure until two measurements a few frames apart agree (players resize after a slide shows)
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  let last = null, out = null;
  for (let i = 0; i < 10; i++) {
    await frame(); await frame();
    out = eval(measure);
    const key = JSON.stringify(out);
    if (key === last) break;
    last = key;
    await new Promise((r) => setTimeout(r, 40));
  }
  return out;
}
"""

DECK_READY = ("window.Reveal && Reveal.isReady() && document.documentElement.dataset.vgReady && "
              "[...document.querySelectorAll('.vgp')].every((p) => p.dataset.ready)")


def offline_page(browser, width: int, height: int):
    """A page in a context of its own with every request that is not a local file aborted."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                  else r.abort())
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.add_init_script(MEASURE_JS)
    return context, page


def slug(name: str) -> str:
    return re.sub(r"\W+", "_", name).strip("_")


def summary(sizes: list[float]) -> tuple[float | None, float | None]:
    return (statistics.median(sizes), min(sizes)) if sizes else (None, None)


# -- 1. the saved player page ------------------------------------------------------------------------

def player_pages(browser, tmp: Path, drawings, shots: Path | None) -> list[dict]:
    rows = []
    context, page = offline_page(browser, *CELL)
    try:
        for name, fr in drawings:
            path = save_html(tmp / f"{slug(name)}.html", fr)
            page.goto(path.as_uri())
            page.wait_for_selector(".vgp[data-ready='1']")
            for label, k in three_steps(len(fr), len(fr.trace.nodes)):
                page.evaluate("k => document.querySelector('.vgp').__vgp.go(k)", k)
                m = page.evaluate(SETTLE_JS, "window.__vgInline(document.querySelector('.vgp .vgp-figure svg.vg'))")
                zoomed = page.evaluate("document.querySelector('.vgp').classList.contains('vgp-zoomed')")
                med, low = summary(m["sizes"])
                rows.append({"drawing": name, "medium": "player page", "size": f"{CELL[0]} px cell",
                             "step": f"{label} {k}", "median_px": med, "min_px": low, "target_px": TARGET_CELL,
                             "numbers": len(m["sizes"]), "scale": m["scale"], "zoomed": zoomed,
                             "bbox_over_font": statistics.median(m["bbox"]) if m["bbox"] else None})
                if shots is not None:
                    page.screenshot(path=str(shots / f"page_{slug(name)}_{k}.png"))
    finally:
        context.close()
    return rows


# -- 2. the decks ------------------------------------------------------------------------------------

def start_builds(tmp: Path) -> dict[str, tuple[subprocess.Popen, Path, float]]:
    """The three decks, built in the background while the rest runs."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    builds = {}
    for nb in NOTEBOOKS:
        out = tmp / f"{nb}.slides.html"
        cmd = [sys.executable, "-m", "vizgrad.slides", str(ROOT / "notebooks" / f"{nb}.ipynb"), "--execute",
               "-o", str(out)]
        builds[nb] = (subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
                      out, time.perf_counter())
    return builds


def finish_build(proc: subprocess.Popen, out: Path, t0: float, deadline: float) -> float:
    try:
        _, err = proc.communicate(timeout=max(1.0, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"building {out.name} took over {BUILD_TIMEOUT_S} s") from None
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"building {out.name} failed ({proc.returncode}): {err.strip()[-2000:]}")
    return time.perf_counter() - t0


def deck_rows(browser, nb: str, path: Path, width: int, height: int, shots: Path | None) -> list[dict]:
    context, page = offline_page(browser, width, height)
    rows = []
    try:
        page.goto(path.as_uri())
        page.wait_for_function(DECK_READY, polling=100)
        page.evaluate("Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
        slides = page.evaluate("Reveal.getSlides().map((s) => { const i = Reveal.getIndices(s); return [i.h, i.v]; })")
        for h, v in slides:
            page.evaluate("([h, v]) => Reveal.slide(h, v ?? 0, 999)", [h, v])  # every fragment shown
            s = page.evaluate(SETTLE_JS, "window.__vgSlide(Reveal.getCurrentSlide())")
            where = f"{h}" if v is None else f"{h}.{v}"
            for i, d in enumerate(s["drawings"], 1):
                med, low = summary(d["sizes"])
                step = "as shown" if d["step"] is None else f"opens {d['step']}"
                rows.append({"drawing": f"{nb[:2]} {where} {s['title']}", "slide": s["title"], "at": where,
                             "which": f"{d['kind']} {i}", "medium": "deck", "size": f"{width}x{height}",
                             "step": step, "median_px": med, "min_px": low, "target_px": TARGET_SCREEN[(width, height)],
                             "numbers": len(d["sizes"]), "scale": d.get("scale"), "inside": d["inside"],
                             "zoomed": d["zoomed"], "slide_fit": s["fit"],
                             "bbox_over_font": statistics.median(d["bbox"]) if d["bbox"] else None})
            if shots is not None and s["drawings"]:
                page.screenshot(path=str(shots / f"{nb[:2]}_{width}_{where}.png"))
    finally:
        context.close()
    return rows


# -- 3. PNG frames -----------------------------------------------------------------------------------

def png_width(path: Path) -> int:
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    return struct.unpack(">I", data[16:20])[0]


def svg_number_sizes(svg: str) -> tuple[list[float], float]:
    """The font sizes of the non-empty number texts of a frame, and its viewBox width."""
    root = ET.fromstring(svg)
    vb = [float(x) for x in root.get("viewBox", "").replace(",", " ").split()]
    sizes = [float(t.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text")
             if t.get("data-kind") in ("value", "grad") and "".join(t.itertext()).strip()]
    return sizes, vb[2]


def png_rows(tmp: Path, drawings) -> list[dict]:
    rows = []
    for name, fr in drawings:
        folder = tmp / f"png_{slug(name)}"
        paths = fr.save(folder, "png")
        for label, k in three_steps(len(fr), len(fr.trace.nodes)):
            sizes, vb_width = svg_number_sizes(fr.svg(k))
            scale = png_width(paths[k]) / vb_width
            med, low = summary([s * scale for s in sizes])
            rows.append({"drawing": name, "medium": "PNG frame", "size": f"scale 2 ({png_width(paths[k])} px)",
                         "step": f"{label} {k}", "median_px": med, "min_px": low, "target_px": TARGET_PNG,
                         "numbers": len(sizes), "scale": scale})
    return rows


# -- the table ---------------------------------------------------------------------------------------

def verdict(row: dict) -> bool:
    ok = row["min_px"] is not None and row["min_px"] >= row["target_px"]
    return ok and row.get("inside", True)


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def table(rows: list[dict]) -> str:
    head = ["drawing", "medium", "size", "step", "median px", "min px", "target", "ok"]
    lines = []
    for r in rows:
        name = r["drawing"] if r["medium"] != "deck" else f"{r['drawing'][:44]} · {r['which']}"
        note = "" if r.get("inside", True) else " (outside the slide)"
        lines.append([name, r["medium"], r["size"], r["step"], fmt(r["median_px"]), fmt(r["min_px"]),
                      f"≥{r['target_px']:g} px", ("✓" if verdict(r) else "✗") + note])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    for line in lines:
        out.append("  ".join(c.rjust(w) if i in (4, 5) else c.ljust(w)
                             for i, (c, w) in enumerate(zip(line, widths, strict=True))))
    return "\n".join(out)


def passed(some: list[dict]) -> bool | None:
    return all(verdict(r) for r in some) if some else None


def short_slides(rows: list[dict]) -> list[str]:
    """The slides with a drawing under its target or outside the slide, one line each."""
    found: dict[tuple, list[str]] = {}
    for r in rows:
        if r["medium"] != "deck" or verdict(r):
            continue
        why = []
        if r["min_px"] is None:
            why.append(f"{r['which']}: no numbers shown")
        elif r["min_px"] < r["target_px"]:
            why.append(f"{r['which']}: min {r['min_px']:.1f} px < {r['target_px']:g}")
        if not r["inside"]:
            why.append(f"{r['which']}: outside the slide")
        found.setdefault((r["drawing"][:2], r["size"], r["at"], r["slide"]), []).extend(why)
    return [f"{nb} {size} slide {at} {title}: {'; '.join(why)}" for (nb, size, at, title), why in found.items()]


def main() -> dict:
    t_start = time.perf_counter()
    results: dict = {"method": "font size x the SVG's current scale (see the module's docstring)"}
    shots_dir = os.environ.get("VIZGRAD_BENCH_LEGIBILITY_SHOTS")  # a folder: screenshots of the pages and slides
    shots = Path(shots_dir) if shots_dir else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        builds = start_builds(tmp)
        try:
            drawings = [(name, vg.frames(make())) for name, make in DRAWINGS]
            rows_png = png_rows(tmp, drawings)
            if not Path(CHROMIUM).exists():
                results["browser"] = f"skipped: {CHROMIUM} not found"
                rows_page: list[dict] = []
                rows_deck: list[dict] = []
            else:
                from playwright.sync_api import sync_playwright

                with sync_playwright() as pw:
                    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                    try:
                        rows_page = player_pages(b, tmp, drawings, shots)
                        rows_deck = []
                        deadline = time.perf_counter() + BUILD_TIMEOUT_S
                        results["deck_build_s"] = {}
                        for nb, (proc, out, t0) in builds.items():
                            results["deck_build_s"][nb] = finish_build(proc, out, t0, deadline)
                            for width, height in SCREENS:
                                rows_deck += deck_rows(b, nb, out, width, height, shots)
                    finally:
                        b.close()
        finally:
            for proc, _, _ in builds.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
    rows = rows_page + rows_deck + rows_png
    results["rows"] = rows
    results["short_slides"] = short_slides(rows)
    results["targets"] = {
        "player_page_min_ge_12px": passed(rows_page),
        "deck_1920x1080_min_ge_18px_and_inside": passed([r for r in rows_deck if r["size"] == "1920x1080"]),
        "deck_1280x720_min_ge_12px_and_inside": passed([r for r in rows_deck if r["size"] == "1280x720"]),
        "png_min_ge_24px": passed(rows_png),
    }
    results["seconds"] = time.perf_counter() - t_start
    save("legibility", results)
    print(table(rows))
    print()
    print("Slides that fall short:" if results["short_slides"] else "Every slide's drawings meet their target.")
    for line in results["short_slides"]:
        print(f"  {line}")
    ratios = [r["bbox_over_font"] for r in rows if r.get("bbox_over_font")]
    if ratios:
        print(f"\n(a text's getBoundingClientRect height / its font size as drawn: median "
              f"{statistics.median(ratios):.2f}, {min(ratios):.2f}–{max(ratios):.2f})")
    print(f"{len(rows)} rows in {results['seconds']:.0f} s; results/legibility.json")
    check(rows_page, rows_deck, rows_png)
    return results


def check(rows_page: list[dict], rows_deck: list[dict], rows_png: list[dict]) -> None:
    """That the measurement found what is there: numbers at every last step, drawings in every
    deck, finite sizes, and PNG frames at the default 192 dpi (2.67 px per SVG unit)."""
    problems = [f"{r['drawing']} {r['medium']}: no numbers at the last step"
                for r in rows_page + rows_png if r["step"].startswith("last") and not r["numbers"]]
    problems += [f"deck {nb}: no drawing found" for nb in NOTEBOOKS
                 if rows_deck and not any(r["drawing"].startswith(nb[:2]) for r in rows_deck)]
    problems += [f"{r['drawing']}: {r['median_px']} px" for r in rows_page + rows_deck + rows_png
                 if r["median_px"] is not None and not (0 < r["median_px"] < 1e4 and math.isfinite(r["min_px"]))]
    problems += [f"{r['drawing']} PNG: {r['scale']:.3f} px per unit" for r in rows_png
                 if abs(r["scale"] - 192 / 72) > 0.01 * 192 / 72]
    if problems:
        raise AssertionError("; ".join(problems))


if __name__ == "__main__":
    main()
