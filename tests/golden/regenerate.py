"""Write tests/golden/lecture_frames.json again: the lecture's frames as the pinned
WebAssembly Graphviz lays them out (what tests/test_graphviz.py compares byte for byte).

    python tests/golden/regenerate.py

Run it only when the picture is meant to change, and say so in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import vizgrad as vg  # noqa: E402
from vizgrad.examples import lecture_circuit  # noqa: E402

if __name__ == "__main__":
    vg.use_graphviz("wasm")
    data = vg.frames(lecture_circuit()).to_json()
    (HERE / "lecture_frames.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'lecture_frames.json'}")
