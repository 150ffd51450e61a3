"""The step player in a real browser, and live inputs in the kernel.

On the scalar graph of a ReLU MLP 3→16→16→1 applied to one input (about 1,000 nodes,
about 2,000 steps, thousands of holes), saved as one self-contained page
(vizgrad.web.player.save_html) and opened in headless Chromium (/usr/bin/chromium):

- page ready: from navigation start to the player ready (performance.now() in the page),
  to the first frame showing the drawing (a requestAnimationFrame after ready, then a
  task), and the page's load event;
- time to show a new step: performance.now() around the step change plus a forced
  style and layout (reading the figure's size), for single steps forward, single steps
  back, and random jumps; median and 95th percentile. The player opens this graph
  zoomed in (it is too big to read fitted; zoom.js), following the active step: those
  are step_next/back/jump; step_*_fit are the same with the whole graph fitted (key 0).
  step_to_next_frame and step_next_to_next_frame: from a step change (a jump of 37 steps,
  or the next step) until the next frame has been produced, zoomed in (this includes the
  wait for that frame, up to one refresh interval, and painting it: headless Chromium
  paints without a GPU).
  The machine's load average is recorded beside them (a busy machine is slower).

Live inputs (vizgrad.scrub.scrub(fn, x0=…, …)) on a ReLU MLP 3→4→4→1 (about 100 nodes):
moving an input calls fn again, traces, and sends only the new numbers for the same
layout; median time of that recompute + update in the kernel.

Targets: a step ≤ 16 ms, page ready ≤ 1 s, live update ≤ 50 ms.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import vizgrad as vg  # noqa: E402
from vizgrad.examples import mlp as mlp_graph  # noqa: E402
from vizgrad.web.player import save_html  # noqa: E402

from _results import save, stats  # noqa: E402  (benchmarks/ is on the path)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


STEP_JS = """
async ([kind, count, seed, fit]) => {
  const root = document.querySelector('.vgp');
  const p = root.__vgp;
  const fig = root.querySelector('.vgp-figure');
  if (fit) {  // the key 0: the whole graph
    root.focus();
    root.dispatchEvent(new KeyboardEvent('keydown', {key: '0', bubbles: true}));
  }
  let s = seed >>> 0;
  const rand = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
  const times = [];
  let k = kind === 'back' ? p.n - 1 : 0;
  p.go(k); void fig.offsetHeight;
  await new Promise(r => requestAnimationFrame(() => r()));
  for (let i = 0; i < count; i++) {
    if (kind === 'next') k = (k + 1) % p.n;
    else if (kind === 'back') k = k > 0 ? k - 1 : p.n - 1;
    else k = Math.floor(rand() * p.n);
    const t0 = performance.now();
    p.go(k);
    void fig.offsetHeight;            // forces style recalculation and layout
    void p.text.getBoundingClientRect();
    times.push(performance.now() - t0);
    if (i % 10 === 9) await new Promise(r => requestAnimationFrame(() => r()));  // let frames paint
  }
  return times;
}
"""

FRAME_JS = """
async ([count, stride]) => {
  // the time from a step change until the frame showing it has been produced:
  // change at the start of a frame, then wait for the next frame (zoomed in, the view
  // follows the active step: a far jump paints a part of the drawing not shown before)
  const p = document.querySelector('.vgp').__vgp;
  const times = [];
  let k = 0;
  for (let i = 0; i < count; i++) {
    await new Promise(r => requestAnimationFrame(() => r()));
    k = (k + stride) % p.n;
    const t0 = performance.now();
    p.go(k);
    await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    times.push(performance.now() - t0);
  }
  return times;
}
"""


def browser(path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            ready = []
            shown = []
            loads = []
            for _ in range(5):
                page = b.new_page(viewport={"width": 1280, "height": 900})
                page.goto(path.as_uri())
                page.wait_for_selector(".vgp[data-ready='1']")
                page.wait_for_load_state("load")
                ready.append(page.evaluate("document.querySelector('.vgp').__vgp.readyAt"))
                page.wait_for_function("document.querySelector('.vgp').__vgp.shownAt !== undefined")
                shown.append(page.evaluate("document.querySelector('.vgp').__vgp.shownAt"))
                loads.append(page.evaluate(
                    "performance.getEntriesByType('navigation')[0].loadEventEnd"))
                page.close()
            out["page_ready_ms"] = statistics.median(ready)
            out["page_first_frame_ms"] = statistics.median(shown)
            out["page_load_event_ms"] = statistics.median(loads)
            page = b.new_page(viewport={"width": 1280, "height": 900})
            page.goto(path.as_uri())
            page.wait_for_selector(".vgp[data-ready='1']")
            out["holes"] = page.evaluate("document.querySelector('.vgp').__vgp.els.length")
            out["zoomed_at_start"] = page.evaluate("document.querySelector('.vgp').classList.contains('vgp-zoomed')")
            alltimes = []
            for kind, count in (("next", 300), ("back", 300), ("jump", 300)):
                t = page.evaluate(STEP_JS, [kind, count, 1234, False])
                alltimes += t
                out[f"step_{kind}"] = stats(t)
            out["step_all"] = stats(alltimes)
            out["step_to_next_frame"] = stats(page.evaluate(FRAME_JS, [60, 37]))
            out["step_next_to_next_frame"] = stats(page.evaluate(FRAME_JS, [60, 1]))
            for kind in ("next", "jump"):
                out[f"step_{kind}_fit"] = stats(page.evaluate(STEP_JS, [kind, 300, 1234, True]))
            out["load_average"] = os.getloadavg()
        finally:
            b.close()
    return out


def live() -> dict:
    from vizgrad.scrub import scrub

    def fn(x0, x1, x2):
        return mlp_graph((3, 4, 4, 1), seed=1, inputs=[x0, x1, x2])

    w = scrub(fn, x0=0.5, x1=-0.3, x2=0.8)
    rng = random.Random(0)
    times = []
    for _ in range(40):
        t0 = time.perf_counter()
        w.set_inputs(x0=round(rng.uniform(-2, 2), 1))
        times.append((time.perf_counter() - t0) * 1e3)
    return {"nodes": len(w.trace.nodes), "steps": w.max_step + 1,
            **{f"update_{k}": v for k, v in stats(times).items()}, "new_layouts": w.layouts - 1}


def main() -> dict:
    results: dict = {}
    out = mlp_graph()
    t0 = time.perf_counter()
    fr = vg.frames(out)
    t_layout = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mlp.html"
        t0 = time.perf_counter()
        save_html(path, fr)
        t_save = time.perf_counter() - t0
        results["mlp"] = {"nodes": len(fr.trace.nodes), "steps": len(fr), "layout_s": t_layout,
                          "save_html_s": t_save, "page_bytes": path.stat().st_size}
        if Path(CHROMIUM).exists():
            results["mlp"].update(browser(path))
        else:
            results["mlp"]["browser"] = f"skipped: {CHROMIUM} not found"
    results["live"] = live()
    m, lv = results["mlp"], results["live"]
    results["targets"] = {
        "step_median_le_16ms": m.get("step_all", {}).get("median_ms", float("inf")) <= 16,
        "jump_p95_le_16ms": m.get("step_jump", {}).get("p95_ms", float("inf")) <= 16,
        "page_ready_le_1s": m.get("page_ready_ms", float("inf")) <= 1000,
        "page_first_frame_le_1s": m.get("page_first_frame_ms", float("inf")) <= 1000,
        "live_update_median_le_50ms": lv["update_median_ms"] <= 50,
    }
    print(json.dumps(save("player", results), indent=2))
    return results


if __name__ == "__main__":
    main()
