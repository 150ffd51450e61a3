"""Markdown cells to HTML, with their LaTeX typeset at export as MathML.

``$…$`` (inline) and ``$$…$$`` (display) are cut out of the markdown before it is
parsed (so that ``_`` and ``*`` in a formula never turn into emphasis), converted with
``latex2mathml`` and put back into the HTML: no MathJax, nothing loaded at run time.
Code spans and fenced code blocks keep their dollars; ``\\$`` is a dollar sign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MATHML_NS = ' xmlns="http://www.w3.org/1998/Math/MathML"'
_HOLE = re.compile("\ue000(\\d+)\ue001")
_UNKNOWN = re.compile(r">(\\[A-Za-z]+)<")


class MathError(ValueError):
    """A formula that cannot be typeset."""


@dataclass(frozen=True)
class Span:
    """A piece of a markdown cell: ``kind`` is "text", "inline" (``$…$``) or "display" (``$$…$$``)."""

    kind: str
    text: str


def split_math(source: str) -> list[Span]:
    """The markdown ``source`` cut into text and math spans, in order."""
    spans: list[Span] = []
    prose: list[str] = []
    lines = source.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if not opened:
            prose.append(lines[i])
            i += 1
            continue
        fence = opened.group(1)
        j = i + 1
        while j < len(lines) and not re.match(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$",
                                              lines[j]):
            j += 1
        spans += _scan("".join(prose))
        prose = []
        spans.append(Span("text", "".join(lines[i:j + 1])))
        i = j + 1
    spans += _scan("".join(prose))
    return [s for s in spans if s.text or s.kind != "text"]


def _scan(text: str) -> list[Span]:
    """Math spans in prose (no fenced code in it)."""
    out: list[Span] = []
    buf: list[str] = []
    i, n = 0, len(text)

    def flush() -> None:
        if buf:
            out.append(Span("text", "".join(buf)))
            buf.clear()

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:  # an escape (\$ stays for the markdown parser)
            buf.append(text[i:i + 2])
            i += 2
        elif c == "`":  # a code span: up to the same run of backticks
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            m = re.compile(r"(?<!`)" + "`" * run + r"(?!`)").search(text, i + run)
            end = m.end() if m else i + run
            buf.append(text[i:end])
            i = end
        elif text.startswith("$$", i) and (j := text.find("$$", i + 2)) >= 0:
            flush()
            out.append(Span("display", text[i + 2:j].strip()))
            i = j + 2
        elif c == "$" and (j := _inline_end(text, i + 1)) > 0:
            flush()
            out.append(Span("inline", text[i + 1:j].strip()))
            i = j + 1
        else:
            buf.append(c)
            i += 1
    flush()
    return out


def _inline_end(text: str, start: int) -> int:
    """Where the ``$`` closing an inline formula opened before ``start`` is, or -1."""
    if start >= len(text) or text[start].isspace() or text[start] == "$":
        return -1
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "$":
            return i
        if c == "\n" and text[i + 1:].lstrip(" \t").startswith("\n"):
            return -1  # a paragraph ends first
        i += 1
    return -1


def to_mathml(latex: str, display: bool = False) -> str:
    """``latex`` as a MathML ``<math>`` element (raises :class:`MathError`)."""
    from latex2mathml.converter import convert

    try:
        out = convert(latex, display="block" if display else "inline")
    except Exception as e:  # latex2mathml raises many kinds, for unknown commands and bad braces
        raise MathError(f"cannot typeset {'$$' if display else '$'}{latex}{'$$' if display else '$'}: "
                        f"{type(e).__name__}: {e}") from None
    unknown = _UNKNOWN.search(out)  # latex2mathml writes an unknown command out as text
    if unknown:
        raise MathError(f"cannot typeset {'$$' if display else '$'}{latex}{'$$' if display else '$'}: "
                        f"unknown command {unknown.group(1)}")
    return _unary_minus(out.replace(_MATHML_NS, "", 1))


_MINUS_AFTER = re.compile(r"(<mrow>|<mo\b[^>]*>([^<]*)</mo>)<mo>&#x02212;</mo>")
_CLOSERS = {"&#x00029;", "&#x0005D;", "&#x0007D;", "&#x0007C;", "&#x02016;", "&#x027E9;"}


def _unary_minus(mathml: str) -> str:
    """A minus sign that starts a group or follows an operator is a sign: no operator spacing.

    (``x = -2`` then reads "x = −2", not "x = − 2"; after a closing bracket it stays binary.)
    """
    def sign(m: re.Match) -> str:
        if m.group(2) in _CLOSERS:
            return m.group(0)
        return f'{m.group(1)}<mo form="prefix">&#x02212;</mo>'

    return _MINUS_AFTER.sub(sign, mathml)


def markdown_html(source: str, on_error=None) -> str:
    """A markdown cell as HTML, its math as MathML.

    ``on_error(err)`` is called for a formula that cannot be typeset (it is then shown as
    its LaTeX source); without it, :class:`MathError` is raised.
    """
    import html

    import mistune

    math: list[str] = []
    parts: list[str] = []
    for span in split_math(source):
        if span.kind == "text":
            parts.append(span.text)
            continue
        display = span.kind == "display"
        try:
            math.append(to_mathml(span.text, display))
        except MathError as e:
            if on_error is None:
                raise
            on_error(e)
            math.append(f'<code class="vg-tex">{html.escape(span.text)}</code>')
        parts.append(f"\ue000{len(math) - 1}\ue001")
        if display:  # a display formula stands on its own
            parts[-1] = f"\n\n{parts[-1]}\n\n"
    md = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
    body = md("".join(parts))
    body = re.sub("<p>\\s*(\ue000\\d+\ue001)\\s*</p>",
                  lambda m: f'<div class="vg-display">{m.group(1)}</div>', body)
    return _HOLE.sub(lambda m: math[int(m.group(1))], body)
