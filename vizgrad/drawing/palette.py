"""Every colour vizgrad draws with, in one place.

A :class:`Palette` names the colour of each *role*: ink (names, ops), values,
gradients, the active step's highlight, nan/inf flags, and the diverging scale of
tensor heatmaps. Drawings never name a colour: each text and mark carries a class
(``vg-value``, ``vg-grad``, ``vg-active``, ``vg-q…``), and the SVG's own ``<style>``
(:func:`svg_rules`) colours them, so a palette is one style block.

* ``"lecture"`` (the default): green values and red gradients as in the lecture, every
  text at WCAG AA contrast (4.5:1 or more) on its background, highlights at 3:1 or more.
* ``"colorblind"``: Okabe–Ito blue values, vermillion gradients and a reddish-purple
  highlight, which stay distinct under deuteranopia, protanopia and tritanopia.

In both, gradients are also set in italic: a value and a gradient differ in place and
type, not only in colour. :func:`set_palette` chooses the default for a session;
``palette=`` on ``draw``, ``frames``, ``scrub`` and the exports chooses one drawing's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEAT_LEVELS = 4  # heatmap colours on each side of zero


@dataclass(frozen=True)
class Palette:
    """The colour of each role (``#rrggbb``)."""

    name: str
    value: str  # forward values
    grad: str  # gradients
    active: str  # the active step's wires and gates (a highlight: 3:1 on paper)
    active_fill: str  # inside an active gate (behind ink)
    flag: str  # a nan or inf
    flag_fill: str  # inside a gate showing a nan or inf (behind ink)
    heat: tuple[str, ...]  # most negative … zero … most positive (2 * HEAT_LEVELS + 1)
    paper: str = "#ffffff"
    ink: str = "#222222"  # names, ops and wires' outlines
    muted: str = "#555555"  # group labels
    line: str = "#444444"  # wires
    frame: str = "#888888"  # group boxes
    heat_bad: str = "#222222"  # a heatmap cell holding a nan or inf

    def texts(self) -> dict[str, str]:
        """Each text role and its colour (all on paper)."""
        return {"ink": self.ink, "value": self.value, "grad": self.grad, "muted": self.muted, "flag": self.flag}


# Each role's colour in the two palettes, side by side: (lecture, colorblind). The lecture's
# green values and red gradients, darkened to AA contrast; Okabe-Ito blue, vermillion and
# reddish purple for colour-blind readers; diverging heat scales, negative to positive.
_ROLES = {
    "value": ("#1b7a2f", "#0072b2"),
    "grad": ("#d62728", "#b34700"),
    "active": ("#d35f00", "#c4709f"),
    "active_fill": ("#fff1e0", "#fcf2f7"),
    "flag": ("#d62728", "#b34700"),
    "flag_fill": ("#fde2e2", "#fbe5d6"),
    "heat": (("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"),
             ("#542788", "#8073ac", "#b2abd2", "#d8daeb", "#f7f7f7", "#fee0b6", "#fdb863", "#e08214", "#b35806")),
}
LECTURE, COLORBLIND = (Palette(name, **{role: both[i] for role, both in _ROLES.items()})
                       for i, name in enumerate(("lecture", "colorblind")))

PALETTES: dict[str, Palette] = {p.name: p for p in (LECTURE, COLORBLIND)}
_default = ["lecture"]


def palette_name(name: object) -> str:
    """``name`` as a palette's name (``None``: the session's default); one line if unknown."""
    if name is None:
        return _default[0]
    if isinstance(name, Palette):
        name = name.name
    key = name.lower() if isinstance(name, str) else name
    if key not in PALETTES:
        raise ValueError(f"unknown palette {name!r}: choose one of {', '.join(map(repr, PALETTES))}")
    return key


def get(name: object = None) -> Palette:
    """The palette called ``name`` (``None``: the session's default)."""
    return PALETTES[palette_name(name)]


def set_palette(name: str) -> None:
    """Draw with the palette ``name`` (``"lecture"`` or ``"colorblind"``) from now on,
    wherever no ``palette=`` is given."""
    _default[0] = palette_name(name)


def heat_class(level: int | None) -> str:
    """The class of a heatmap cell: level ``-HEAT_LEVELS … HEAT_LEVELS``, ``None`` for nan/inf."""
    if level is None:
        return "vg-qbad"
    return f"vg-q{'n' if level < 0 else 'p' if level > 0 else ''}{abs(level)}"


# -- the SVG's style ----------------------------------------------------------------------

BASE_RULES = """
.vg text { font-family: Helvetica, Arial, "DejaVu Sans", sans-serif; }
.vg .vg-grad { font-style: italic; }
.vg-flagged.vg-gate ellipse, .vg-flagged.vg-gate polygon { stroke-width: 2.5; stroke-dasharray: 5,2; }
.vg-flagged.vg-wire path { stroke-width: 2.5; stroke-dasharray: 5,2; }
.vg-flagged.vg-input text, .vg-flagged.vg-output text { font-weight: bold; }
.vg-active.vg-wire path { stroke-width: 3; }
.vg-active.vg-gate ellipse, .vg-active.vg-gate polygon { stroke-width: 3; }
.vg-active.vg-input text, .vg-active.vg-output text { font-weight: bold; }
.vg-hc rect { fill: none; }
.vg-hc path { stroke: none; stroke-width: 1; }
.vg-heat rect { fill: none; stroke: none; stroke-width: 0.6; }
"""


def svg_rules(name: object = None) -> str:
    """The CSS of a drawing in palette ``name``: rules that hold in every palette, then this
    palette's colours, scoped to ``svg.vg-p-<name>`` (several drawings share one page's CSS)."""
    p = get(name)
    s = f"svg.vg-p-{p.name}"
    rules = [f"{s} .vg-{role} {{ fill: {colour}; }}" for role, colour in p.texts().items()]
    rules += [
        f"{s} .vg-flagged.vg-gate ellipse, {s} .vg-flagged.vg-gate polygon {{ stroke: {p.flag}; }}",
        f"{s} .vg-flagged.vg-wire path {{ stroke: {p.flag}; }}",
        f"{s} .vg-flagged.vg-wire polygon {{ fill: {p.flag}; stroke: {p.flag}; }}",
        f"{s} .vg-flagged.vg-input text, {s} .vg-flagged.vg-output text {{ fill: {p.flag}; }}",
        f"{s} .vg-flagged ellipse, {s} .vg-flagged polygon {{ fill: {p.flag_fill}; }}",
        f"{s} .vg-active.vg-wire path {{ stroke: {p.active}; }}",
        f"{s} .vg-active.vg-wire polygon {{ fill: {p.active}; stroke: {p.active}; }}",
        f"{s} .vg-active.vg-gate ellipse, {s} .vg-active.vg-gate polygon {{ stroke: {p.active}; "
        f"fill: {p.active_fill}; }}",
        f"{s} .vg-active.vg-junction ellipse {{ fill: {p.active}; stroke: {p.active}; }}",
        f"{s} .vg-heat.vg-on rect {{ stroke: {p.ink}; }}",
        f"{s} .vg-qbad rect {{ fill: {p.heat_bad}; }}",
        f"{s} .vg-qbad path {{ stroke: {p.flag}; }}",
    ]
    rules += [f"{s} .{heat_class(level)} rect {{ fill: {colour}; }}"
              for level, colour in zip(range(-HEAT_LEVELS, HEAT_LEVELS + 1), p.heat, strict=True)]
    return BASE_RULES + "\n".join(rules) + "\n"


def recolour(svg: str, name: object) -> str:
    """A drawing of vizgrad's in the palette ``name``: its style block and class swapped."""
    new = palette_name(name)
    m = re.search(r'<svg\b[^>]*\bclass="vg vg-p-([a-z]+)"', svg)
    if not m or m.group(1) == new or m.group(1) not in PALETTES:
        return svg
    old = m.group(1)
    svg = svg.replace(f'class="vg vg-p-{old}"', f'class="vg vg-p-{new}"', 1)
    return svg.replace(svg_rules(old), svg_rules(new), 1)


# -- the player's chrome ------------------------------------------------------------------


def player_rules() -> str:
    """The player's colour variables for each palette (kept in ``static/player.css``: a test
    checks that file holds exactly this block)."""
    out = []
    for p in PALETTES.values():
        # the player names its drawing's palette (data-palette): a :has() rule here would restyle
        # every element of a big drawing at each step
        scope = ".vgp" if p is LECTURE else f'.vgp[data-palette="{p.name}"]'
        out.append(f"{scope} {{ --vgp-green: {p.value}; --vgp-red: {p.grad}; --vgp-accent: {p.active}; }}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # print the block player.css holds
    print(player_rules(), end="")
