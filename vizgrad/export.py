"""Writing frames to files: SVG per step, the DOT source (PNG, PDF and GIF: see below)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .frames import Frames


def save_frames(frames: "Frames", folder: str | Path, format: str = "svg") -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(frames) - 1)))
    if format == "svg":
        paths = []
        for k, svg in enumerate(frames):
            path = folder / f"step_{k:0{width}d}.svg"
            path.write_text(svg, encoding="utf-8")
            paths.append(path)
        return paths
    if format == "dot":
        path = folder / "graph.dot"
        path.write_text(frames.dot, encoding="utf-8")
        return [path]
    raise ValueError(f"unknown format {format!r}: choose one of 'svg', 'dot'")
