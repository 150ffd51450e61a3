"""How vizgrad scales: scalar MLP graphs of about 1,000 to 10,000 nodes, side by side in one run.

For each size (a ReLU MLP 3→h→h→1 applied to one input, vizgrad.examples.mlp), in a
fresh process of its own, one after the other:
- trace: building the graph and vg.trace;
- frames: vizgrad.frames (every step), of which layout: Graphviz's one call (with full or
  bounded effort: vizgrad.graphviz.effort);
- page: vizgrad.web.player.save_html, its time and bytes;
- peak memory (resident) of that process;
- native: the system's `dot -Tsvg` of the same DOT, for reference, given at most
  VIZGRAD_BENCH_SCALE_NATIVE_LIMIT seconds (default 120; 0: not run);
- in headless Chromium (/usr/bin/chromium), for the sizes in VIZGRAD_BENCH_SCALE_PLAYER
  (default 5k,10k): the saved page's time until the player is ready (median of 3 loads)
  and a random slider jump (p95 of 200, the step shown and laid out as in benchmarks/player.py).
Then the growth exponent of frames' time above 2,000 nodes (the slope of log time
over log nodes) and the 10k / 1k ratio.

Sizes: VIZGRAD_BENCH_SCALE_SIZES (default 1k,2k,5k,10k; a size is a name below or a hidden
width h). Targets: 10k ≤ 30× 1k and under a minute; 5k under 10 s; exponent ≤ 1.5;
memory ≤ 1 GB at 10k; the 5k page ready ≤ 1 s, jump p95 ≤ 16 ms.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

SIZES = {"1k": 16, "2k": 24, "5k": 40, "10k": 56}  # hidden width h of 3→h→h→1: 1,028 to 10,308 nodes
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _width(size: str) -> int:
    return SIZES[size] if size in SIZES else int(size)


def one(size: str, browse: bool, native_limit: float) -> dict:
    """Every figure of one size, in this process (a fresh one)."""
    import vizgrad as vg
    from vizgrad.examples import mlp
    from vizgrad.graphviz import engines
    from vizgrad.graphviz.effort import effort
    from vizgrad.web.player import save_html

    spent = {"layout": 0.0}
    run = engines.run

    def timed_run(*args, **kw):
        t = time.perf_counter()
        try:
            return run(*args, **kw)
        finally:
            spent["layout"] += time.perf_counter() - t

    engines.run = timed_run
    h = _width(size)
    t0 = time.perf_counter()
    tr = vg.trace(mlp((3, h, h, 1)))
    t1 = time.perf_counter()
    fr = vg.frames(tr)
    t2 = time.perf_counter()
    engines.run = run
    out: dict = {"size": size, "nodes": len(tr.nodes), "steps": len(fr), "trace_s": t1 - t0,
                 "frames_s": t2 - t1, "layout_s": spent["layout"],
                 "graphviz": f"{engines.graphviz_engine()} (Graphviz {engines.version()})",
                 "effort": "bounded" if effort(len(fr.scene.elements)) else "full"}
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / f"mlp{size}.html"
        t0 = time.perf_counter()
        save_html(page, fr)
        out["page_s"] = time.perf_counter() - t0
        out["page_bytes"] = page.stat().st_size
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if browse and Path(CHROMIUM).exists():
            out.update(browser(page))
        elif browse:
            out["browser"] = f"skipped: {CHROMIUM} not found"
    out["native_dot_s"] = native(fr.dot, native_limit)
    return out


def native(source: str, limit: float) -> float | str:
    """Seconds of the system's `dot -Tsvg` on ``source``, or why there is no figure."""
    exe = os.environ.get("VIZGRAD_DOT") or shutil.which("dot")
    if not limit:
        return "not run"
    if not exe:
        return "no dot on PATH"
    t0 = time.perf_counter()
    try:
        subprocess.run([exe, "-Tsvg", "-o", os.devnull], input=source.encode(), check=True,
                       capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return f"> {limit:g}"
    return time.perf_counter() - t0


def browser(page: Path) -> dict:
    from playwright.sync_api import sync_playwright

    from _results import stats
    from player import STEP_JS  # the step timing of benchmarks/player.py

    out: dict = {}
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            ready = []
            for i in range(3):
                p = b.new_page(viewport={"width": 1280, "height": 900})
                p.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
                p.goto(page.as_uri())
                p.wait_for_selector(".vgp[data-ready='1']", timeout=120_000)
                ready.append(p.evaluate("document.querySelector('.vgp').__vgp.readyAt"))
                if i < 2:
                    p.close()
            out["page_ready_ms"] = sorted(ready)[1]
            out["holes"] = p.evaluate("document.querySelector('.vgp').__vgp.els.length")
            out["jump"] = stats(p.evaluate(STEP_JS, ["jump", 200, 1234, False]))
            out["next"] = stats(p.evaluate(STEP_JS, ["next", 200, 1234, False]))
        finally:
            b.close()
    return out


def exponent(rows: list[dict], key: str = "frames_s", above: int = 2000) -> float | None:
    """The least-squares slope of log(time) over log(nodes) for sizes of at least ``above`` nodes."""
    pts = [(math.log(r["nodes"]), math.log(r[key])) for r in rows if r["nodes"] >= above * 0.99 and r.get(key)]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)


def main() -> dict:
    from _results import save

    sizes = [s.strip() for s in os.environ.get("VIZGRAD_BENCH_SCALE_SIZES", "1k,2k,5k,10k").split(",") if s.strip()]
    browse = {s.strip() for s in os.environ.get("VIZGRAD_BENCH_SCALE_PLAYER", "5k,10k").split(",")}
    limit = float(os.environ.get("VIZGRAD_BENCH_SCALE_NATIVE_LIMIT", "120"))
    rows = []
    print("scale: scalar MLP graphs, each size in a fresh process")
    print(f"  {'size':>5} {'nodes':>7} {'effort':>8} {'trace':>7} {'layout':>7} {'frames':>7}"
          f" {'page MB':>8} {'peak MB':>8}"
          f" {'dot -Tsvg':>10} {'ready ms':>9} {'jump p95':>9}")
    for size in sizes:
        done = subprocess.run([sys.executable, __file__, "--one", size, "1" if size in browse else "0", str(limit)],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"size {size} failed:\n{done.stderr[-3000:]}")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(r)
        nat = r["native_dot_s"]
        print(f"  {size:>5} {r['nodes']:>7,} {r['effort']:>8} {r['trace_s']:>6.2f}s {r['layout_s']:>6.2f}s"
              f" {r['frames_s']:>6.2f}s"
              f" {r['page_bytes'] / 1e6:>8.2f} {r['peak_rss_mb']:>8.0f}"
              f" {nat if isinstance(nat, str) else f'{nat:.2f}s':>10}"
              f" {r.get('page_ready_ms', float('nan')):>9.0f} {r.get('jump', {}).get('p95_ms', float('nan')):>9.1f}",
              flush=True)
    results: dict = {"graphviz": rows[0]["graphviz"] if rows else None, "sizes": rows,
                     "load_average": os.getloadavg()}
    slope = exponent(rows)
    results["exponent_above_2k"] = slope
    print(f"  growth exponent of frames above 2,000 nodes: "
          f"{'n/a' if slope is None else f'{slope:.2f}'} (target ≤ 1.5)")
    steps = [(a["size"], b["size"], exponent([a, b], above=0)) for a, b in zip(rows, rows[1:], strict=False)]
    results["exponents_between_sizes"] = {f"{a}-{b}": e for a, b, e in steps}
    if steps:
        print("  from one size to the next: " + ", ".join(f"{a}→{b} {e:.2f}" for a, b, e in steps if e is not None))
    by = {r["size"]: r for r in rows}
    if "1k" in by and "10k" in by:
        results["ratio_10k_1k"] = by["10k"]["frames_s"] / by["1k"]["frames_s"]
        print(f"  10k / 1k frames: {results['ratio_10k_1k']:.1f}× (target ≤ 30), 10k in {by['10k']['frames_s']:.1f} s")
    print(f"  load average {results['load_average'][0]:.1f} (a busy machine is slower)")
    return save("scale", results)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2], sys.argv[3] == "1", float(sys.argv[4]))))
    else:
        main()
