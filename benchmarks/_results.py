"""Where benchmarks keep their figures: ``benchmarks/results/<name>.json`` (ignored by git); timing statistics."""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

RESULTS = Path(os.environ.get("VIZGRAD_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
"""Where results go: ``benchmarks/results/``, or the folder in ``VIZGRAD_BENCH_RESULTS``."""


def stats(times) -> dict:
    """Median, 95th percentile, maximum and count of ``times`` (in ms)."""
    times = sorted(times)
    return {"median_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
            "max_ms": times[-1], "n": len(times)}


def save(name: str, results: dict) -> dict:
    """Write ``results`` as ``results/<name>.json`` and return them (a benchmark's ``main`` ends here)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    return results
