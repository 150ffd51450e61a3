"""Run the benchmarks: every benchmarks/*.py module with a main(), in sorted order.

    python benchmarks/run.py                  # all of them
    python benchmarks/run.py engines          # only benchmarks/engines.py
    python benchmarks/run.py engines rendering
    python benchmarks/run.py interrupt        # time to stop a layout with Ctrl-C

Exits with status 1 if any benchmark raised (e.g. a failed correctness check).
"""

from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # import vizgrad from this checkout
sys.path.insert(0, str(HERE))  # and the benchmarks' own helpers (_results)


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_benchmark_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(names: list[str]) -> int:
    available = sorted(p.stem for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_"))
    unknown = [n for n in names if n.removesuffix(".py") not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    failed = []
    for name in [n.removesuffix(".py") for n in names] or available:
        try:
            module = load(HERE / f"{name}.py")
            if not callable(getattr(module, "main", None)):
                if names:  # asked for by name: say so; otherwise a helper module, skipped
                    print(f"benchmarks/{name}.py defines no main()", file=sys.stderr)
                    failed.append(name)
                continue
            print(f"== {name}", flush=True)
            t0 = time.perf_counter()
            module.main()
            print(f"== {name}: done in {time.perf_counter() - t0:.1f} s\n", flush=True)
        except Exception:
            traceback.print_exc()
            print(f"== {name}: FAILED\n", flush=True)
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
