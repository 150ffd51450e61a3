"""Grading a class: ``python -m vizgrad.grade`` on 10 submissions of exercise 01, ``--jobs 2``.

Ten notebooks built from the student version: five right, three with a planted mistake (swapped
multiply gradients, a sigmoid without its upstream gradient, a max gate that loops until the
check's time limit) and two untouched. The command runs in a fresh process, as an instructor
runs it; the benchmark checks every row's points before reporting the time. Target: well under
two minutes on two cores. Run from the repository root:  python benchmarks/grading.py
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "notebooks" / "exercises"

from _results import save  # noqa: E402  (benchmarks/ is on the path)

JOBS = 2
MISTAKES = {  # solution cell -> a planted mistake, and the part that must lose its points
    "swapped": ("multiply_code", "class MultiplyGate:\n    def forward(self, x, y):\n        self.x, self.y = x, y\n"
                "        return x * y\n    def backward(self, dz):\n        return [self.x * dz, self.y * dz]\n",
                "multiply_gate"),
    "no_upstream": ("sigmoid_code", "class SigmoidGate:\n    def forward(self, x):\n"
                    "        self.out = 1.0 / (1.0 + math.exp(-x))\n        return self.out\n"
                    "    def backward(self, dz):\n        return [(1.0 - self.out) * self.out]\n", "sigmoid_gate"),
    "loops": ("max_code", "class MaxGate:\n    def forward(self, x, y):\n        return max(x, y)\n"
              "    def backward(self, dz):\n        while True:\n            pass\n", "max_gate"),
}


def _right() -> dict:
    nb = json.loads((EXERCISES / "01_gates.ipynb").read_text(encoding="utf-8"))
    source = json.loads((EXERCISES / "source" / "01_gates.ipynb").read_text(encoding="utf-8"))
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in source["cells"]
               if "nbgrader" in c["metadata"]}
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = answers[meta["grade_id"]]
    return nb


def _with(nb: dict, grade_id: str, code: str) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = code
    return nb


def main() -> dict:
    right = _right()
    untouched = json.loads((EXERCISES / "01_gates.ipynb").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        subs, out = Path(tmp) / "subs", Path(tmp) / "out"
        subs.mkdir()
        expected = {}
        for k in range(5):
            (subs / f"right{k}.ipynb").write_text(json.dumps(right))
            expected[f"right{k}"] = (9, None)
        for name, (cell, code, part) in MISTAKES.items():
            (subs / f"{name}.ipynb").write_text(json.dumps(_with(right, cell, code)))
            expected[name] = (9 - (2 if part != "add_gate" else 1), part)
        for k in range(2):
            (subs / f"untouched{k}.ipynb").write_text(json.dumps(untouched))
            expected[f"untouched{k}"] = (0, None)
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "vizgrad.grade", str(subs), "-o", str(out), "--jobs", str(JOBS)],
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(f"vizgrad.grade failed ({done.returncode}): {done.stderr}")
        with open(out / "grades.csv", newline="") as f:
            rows = {r["student"]: r for r in csv.DictReader(f)}
        for student, (total, part) in expected.items():
            if float(rows[student]["total"]) != total or (part and rows[student][part] != "0"):
                raise AssertionError(f"{student}: {rows[student]} (expected a total of {total})")
    results = {"notebooks": len(expected), "jobs": JOBS, "cpus": os.cpu_count(), "seconds": round(seconds, 1),
               "seconds_per_notebook": round(seconds / len(expected), 2), "target_seconds": 120}
    print(f"10 submissions of exercise 01, --jobs {JOBS} on {os.cpu_count()} CPUs: {seconds:.1f} s "
          f"({seconds / len(expected):.2f} s per notebook; target: well under 120 s)")
    return save("grading", results)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
