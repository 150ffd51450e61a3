"""Where benchmarks keep their figures: ``benchmarks/results/<name>.json`` (ignored by git)."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def save(name: str, results: dict) -> dict:
    """Write ``results`` as ``results/<name>.json`` and return them (a benchmark's ``main`` ends here)."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    return results
