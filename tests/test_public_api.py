"""``import vizgrad as vg``: its namespace is the public API (``vizgrad.__all__``), with the
scrubber loaded lazily, and no implementation helper in ``dir(vg)``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FRESH = """
import json, types
import vizgrad as vg

seen = {"before": dir(vg), "helpers": [n for n in ("Any", "importlib", "sys", "types", "VERSION") if hasattr(vg, n)]}
seen["lazy"] = [type(vg.scrub).__name__, isinstance(vg.Scrubber, type)]
import sys
import vizgrad.scrub
seen["after_import"] = [type(vg.scrub).__name__, vg.scrub is sys.modules["vizgrad.scrub"].scrub, "scrub" in dir(vg)]
star = {}
exec("from vizgrad import *", star)
seen["star"] = sorted(k for k in star if k != "__builtins__")
seen["all"] = sorted(vg.__all__)
seen["modules"] = sorted(n for n in dir(vg) if isinstance(getattr(vg, n), types.ModuleType))
seen["version"] = vg.__version__
print(json.dumps(seen))
"""


def fresh() -> dict:
    """What a new interpreter sees of vizgrad (the scrubber not yet loaded)."""
    done = subprocess.run([sys.executable, "-c", FRESH], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_dir_lists_the_public_api_not_implementation_helpers():
    seen = fresh()
    names = seen["before"]
    assert set(seen["all"]) <= set(names)  # scrub and Scrubber too, before they are loaded
    assert seen["helpers"] == [] and not {"Any", "importlib", "sys", "types", "VERSION"} & set(names)
    others = [n for n in names if n not in seen["all"] and not (n.startswith("__") and n.endswith("__"))]
    assert others == [n for n in others if n in seen["modules"]], others  # the rest: subpackages
    assert {"exercises", "engine"} <= set(seen["modules"]) and not [n for n in names if n.startswith("_")
                                                                     and not n.startswith("__")]
    assert "__version__" in names and seen["version"]


def test_the_scrubber_stays_lazy_and_a_function():
    seen = fresh()
    assert seen["lazy"] == ["function", True]
    assert seen["after_import"] == ["function", True, True]  # import vizgrad.scrub leaves vg.scrub the function
    assert seen["star"] == seen["all"]  # from vizgrad import *: exactly the public API


def test_dir_in_this_process_too():
    import vizgrad as vg

    assert set(vg.__all__) <= set(dir(vg)) and "sys" not in dir(vg)
    assert all(isinstance(getattr(vg, n), types.ModuleType) for n in dir(vg)
               if n not in vg.__all__ and not n.startswith("__"))
