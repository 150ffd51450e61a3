"""Live inputs in a saved page (no kernel), and the deck of notebook 01.

A scrubber of a ReLU MLP 3→4→4→1 applied to three live inputs (about 100 scalar nodes),
saved with ``w.save_html`` and opened in headless Chromium (/usr/bin/chromium): an input
slider is moved (its value set, an ``input`` event dispatched) to random values, and the
time from the event to the drawn numbers is measured (performance.now() before the
event, after the page has recomputed the pass, put the numbers in and a forced style and
layout); also to the next frame (a requestAnimationFrame, then a task). Before timing,
the page's numbers are checked against ``vg.trace`` in Python at the same inputs.

The deck (``python -m vizgrad.slides notebooks/01_computational_graphs.ipynb --execute``):
its file size, the time to build it, and in Chromium the first contentful paint and the
time until reveal.js and every player in it are ready.

Target: median ≤ 16 ms from the input event to the drawn numbers; the deck's figures are
reported.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vizgrad.examples import mlp as mlp_graph  # noqa: E402
from vizgrad.engine.trace import trace_call as call  # noqa: E402
from vizgrad.web.live_data import Quantities  # noqa: E402
from vizgrad.scrub import scrub  # noqa: E402

from _results import save, stats  # noqa: E402  (benchmarks/ is on the path)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
START = {"x0": 0.5, "x1": -0.3, "x2": 0.8}

MOVE_JS = """
async ([values, name]) => {
  const root = document.querySelector('.vgp');
  const fig = root.querySelector('.vgp-figure');
  const range = root.querySelector(`.vgp-live-range[aria-label="${name}"]`);
  const drawn = [], framed = [];
  for (const v of values) {
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const t0 = performance.now();
    range.value = String(v);
    range.dispatchEvent(new Event('input', { bubbles: true }));
    void fig.offsetHeight;  // forces style recalculation and layout
    drawn.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    framed.push(performance.now() - t0);
  }
  return [drawn, framed];
}
"""


def fn(x0, x1, x2):
    return mlp_graph((3, 4, 4, 1), seed=1, inputs=[x0, x1, x2])


def _same(a, b) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def live_page(browser, tmp: Path) -> dict:
    w = scrub(fn, **START)
    t0 = time.perf_counter()
    path = w.save_html(tmp / "live.html")
    out = {"nodes": len(w.trace.nodes), "steps": len(w.frames), "save_html_s": time.perf_counter() - t0,
           "page_bytes": path.stat().st_size}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_selector(".vgp[data-ready='1']")
    page.evaluate("document.querySelector('.vgp').__vgp.go(1e9)")  # the last step: every number shown
    at = dict(START, x1=1.7)  # the same numbers as Python first
    q = page.evaluate("(at) => document.querySelector('.vgp').__vgp.live.set(at)", at)
    t = call(fn, at)
    want = Quantities(t).of(t)
    if len(q) != len(want) or not all(_same(a, b) for a, b in zip(q, want, strict=True)):
        raise AssertionError("the page's numbers differ from vg.trace's")
    rng = random.Random(0)
    values = [round(rng.uniform(-2, 2), 1) for _ in range(80)]
    drawn, framed = page.evaluate(MOVE_JS, [values, "x0"])
    out["input_to_drawn"] = stats(drawn)
    out["input_to_next_frame"] = stats(framed)
    page.close()
    return out


def deck(browser, tmp: Path) -> dict:
    source = ROOT / "notebooks" / "01_computational_graphs.ipynb"
    target = tmp / "deck.html"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "vizgrad.slides", str(source), "--execute", "-o", str(target)],
                   check=True, capture_output=True, env=env, timeout=600)
    out = {"build_s": time.perf_counter() - t0, "bytes": target.stat().st_size}
    if browser is None:
        return out
    firsts, ready = [], []
    for _ in range(3):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                   else r.abort())
        page.goto(target.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady() && [...document.querySelectorAll('.vgp')]"
                               ".every((r) => r.dataset.ready)", polling="raf", timeout=60000)
        ready.append(page.evaluate("performance.now()"))
        page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
        firsts.append(page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
        out["players"] = page.evaluate("document.querySelectorAll('.vgp').length")
        out["live_players"] = page.evaluate("document.querySelectorAll('.vgp-live-range').length")
        page.close()
    out["first_contentful_paint_ms"] = statistics.median(firsts)
    out["reveal_and_players_ready_ms"] = statistics.median(ready)
    return out


def main() -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not Path(CHROMIUM).exists():
            results["browser"] = f"skipped: {CHROMIUM} not found"
            results["deck"] = deck(None, tmp)
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                try:
                    results["live_page"] = live_page(b, tmp)
                    results["deck"] = deck(b, tmp)
                finally:
                    b.close()
    lp = results.get("live_page", {})
    results["targets"] = {
        "input_to_drawn_median_le_16ms": lp.get("input_to_drawn", {}).get("median_ms", math.inf) <= 16,
    }
    print(json.dumps(save("live_page", results), indent=2))
    return results


if __name__ == "__main__":
    main()
