"""What the grader writes: ``grades.csv``, and per student ``results.json`` (Gradescope's format)
and ``feedback.html`` (a page that loads nothing: its style inline, its drawings inline SVG, and a
Content-Security-Policy that forbids scripts and every network request)."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass, field
from typing import Any

from .score import PartResult

BLOCKED = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video", "animate",
           "set", "handler", "listener"}


@dataclass
class Row:
    """One notebook graded: who, which assignment, each part, and what went wrong as a whole."""

    student: str
    assignment: str
    parts: list[PartResult]
    problem: str = ""  # why the notebook could not run at all
    failed_cells: list[str] = field(default_factory=list)
    stopped: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(p.points for p in self.parts if p.auto)

    @property
    def max(self) -> float:
        return sum(p.max for p in self.parts if p.auto)


def number(x: float) -> str:
    """Points as text: ``2`` rather than ``2.0``."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


FIXED = ("student", "assignment", "total", "max")


def grades_csv(rows: list[Row]) -> str:
    """One line per notebook: student, assignment, each autograded part's points, total, max (a part
    named like one of these columns is headed ``NAME (part)``)."""
    columns: list[str] = []
    for r in rows:
        columns += [p.name for p in r.parts if p.auto and p.name not in columns]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "assignment", *(f"{c} (part)" if c in FIXED else c for c in columns), "total", "max"])
    for r in rows:
        got = {p.name: number(p.points) for p in r.parts if p.auto}
        w.writerow([r.student, r.assignment, *(got.get(c, "") for c in columns), number(r.total), number(r.max)])
    return buf.getvalue()


def points_text(points: float, most: float) -> str:
    """``1 of 2 points``."""
    return f"{number(points)} of {number(most)} point{'' if most == 1 else 's'}"


def _score(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _output(r: Row, p: PartResult) -> str:
    head = points_text(p.points, p.max)
    return f"{head}\n{p.words}" if p.words else head


def results_json(rows: list[Row]) -> dict[str, Any]:
    """Gradescope's results for one student's notebooks: a test per autograded part; score = their sum."""
    several = len(rows) > 1
    tests = []
    for r in rows:
        if r.problem and not r.parts:
            tests.append({"name": r.assignment or "notebook", "score": 0, "max_score": 0, "output": r.problem,
                          "status": "failed"})
        for p in r.parts:
            if p.auto:
                tests.append({"name": f"{r.assignment}: {p.name}" if several else p.name, "score": _score(p.points),
                              "max_score": _score(p.max), "output": _output(r, p),
                              "status": "passed" if p.passed else "failed"})
    return {"score": sum(t["score"] for t in tests), "tests": tests}


def results_text(rows: list[Row]) -> str:
    return json.dumps(results_json(rows), indent=2, ensure_ascii=False) + "\n"


def clean_svg(svg: str) -> str:
    """``svg`` without anything that runs or loads (scripts, event attributes, outside links); "" if
    it is not well-formed SVG. The drawing comes from the student's kernel, so it is not trusted."""
    if not svg:
        return ""
    try:
        from lxml import etree

        root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True,
                                                                     huge_tree=False))
    except Exception:
        return ""
    if not isinstance(root.tag, str) or etree.QName(root).localname != "svg":
        return ""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):  # comments, processing instructions
            if el.getparent() is not None:
                el.getparent().remove(el)
            continue
        local = etree.QName(el).localname.lower()
        if el.getparent() is not None and (local in BLOCKED or local == "style" and _loads(el.text or "")):
            el.getparent().remove(el)
            continue
        for name in list(el.attrib):
            local = etree.QName(name).localname.lower()
            value = el.attrib[name].strip().lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")) or "url(" in value and (
                    "url(#" not in value):
                del el.attrib[name]
    return etree.tostring(root, encoding="unicode")


def _loads(css: str) -> bool:
    """Whether a style sheet could load something (``@import``, ``url(...)`` other than ``url(#id)``)."""
    text = css.lower().replace(" ", "")
    return "@import" in text or "url(" in text.replace("url(#", "") or "expression(" in text


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff;
max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2rem} h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0} th,td{border:1px solid #888;padding:.3rem .7rem;text-align:left}
.passed{color:#116329} .failed{color:#a40e26} .manual{color:#4a4a4a}
pre{white-space:pre-wrap;background:#f6f8fa;border-left:4px solid #888;padding:.5rem .8rem;margin:.4rem 0}
section.part.passed pre{border-left-color:#116329} section.part.failed pre{border-left-color:#a40e26}
figure{margin:.5rem 0;overflow-x:auto} figure svg{max-width:100%;height:auto}
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"


def _mark(p: PartResult) -> tuple[str, str]:
    if not p.auto:
        return "manual", "graded by hand"
    return ("passed", "✔ passed") if p.passed else ("failed", "✘ no points")


def _part_html(p: PartResult) -> str:
    cls, word = _mark(p)
    points = points_text(p.points, p.max) if p.auto else f"{number(p.max)} point{'' if p.max == 1 else 's'}"
    svg = clean_svg(p.svg)
    alt = html.escape(p.alt or f"the check of {p.name}", quote=True)
    picture = f'<figure role="img" aria-label="{alt}">{svg}</figure>' if svg else ""
    return (f'<section class="part {cls}"><h3>{html.escape(p.name)}: <span class="{cls}">{word}</span>, '
            f"{points}</h3><pre>{html.escape(p.words)}</pre>{picture}</section>")


def _row_html(r: Row) -> str:
    out = [f"<h2>{html.escape(r.assignment or 'notebook')}: {points_text(r.total, r.max)}</h2>"]
    if r.problem:
        out.append('<p class="failed"><strong>This notebook could not be graded:</strong> '
                   f"{html.escape(r.problem)}</p>")
    if r.stopped:
        out.append(f'<p class="failed"><strong>The run stopped early:</strong> {html.escape(r.stopped)}; '
                   "the parts after that point earn no points.</p>")
    if r.parts:
        out.append("<table><thead><tr><th>part</th><th>result</th><th>points</th></tr></thead><tbody>")
        for p in r.parts:
            cls, word = _mark(p)
            pts = f"{number(p.points)} / {number(p.max)}" if p.auto else f"– / {number(p.max)}"
            out.append(f'<tr><td>{html.escape(p.name)}</td><td class="{cls}">{word}</td><td>{pts}</td></tr>')
        out.append("</tbody></table>")
    if r.failed_cells:
        items = "".join(f"<li><code>{html.escape(c)}</code></li>" for c in r.failed_cells)
        out.append(f"<p>Cells of yours that raised an error:</p><ul>{items}</ul>")
    out += [_part_html(p) for p in r.parts]
    return "\n".join(out)


def feedback_html(student: str, rows: list[Row]) -> str:
    """The feedback page of one student: each notebook's points, and each part in words and picture."""
    title = f"Feedback for {student}"
    body = "\n".join(_row_html(r) for r in rows)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n"
            f"<body><main><h1>{html.escape(title)}</h1>\n{body}\n</main></body></html>\n")
