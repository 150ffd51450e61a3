"""Each step of a trace in words and as a formula, using the nodes' names.

A backward step reads like the lecture: ``∂f/∂y = ∂f/∂q · ∂q/∂y = (-4)(1) = -4``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.ops import verb_of
from ..engine.tensor import Tensor
from ..engine.trace import Step, Trace
from .texts import as_factor, clean, fmt

INFIX = {"+": "+", "-": "-", "*": "·", "/": "/", "@": "@"}


@dataclass(frozen=True)
class Caption:
    """A step explained: ``text`` in words, ``formula`` with the numbers, and ``spoken``:
    the step said in words alone, with its number (what a screen reader announces)."""

    text: str
    formula: str
    spoken: str = ""

    def __str__(self) -> str:
        return f"{self.text}\n{self.formula}"


def labels(trace: Trace) -> list[str]:
    """A short name for each node: its own name, else one made from its op."""
    out = []
    for i, n in enumerate(trace.nodes):
        if n.name:
            out.append(" ".join(clean(n.name)))
        elif n.op:
            out.append(f"[{n.op}]")
        else:
            out.append(f"input{i}")
    return out


def captions(trace: Trace, digits: int = 3) -> list[Caption]:
    """One caption per step of ``trace``."""
    names = labels(trace)
    pos = {id(n): i for i, n in enumerate(trace.nodes)}
    f = names[-1]
    return [_caption(s, names, pos, f, digits) for s in trace]


def _caption(step: Step, names: list[str], pos: dict[int, int], f: str, digits: int) -> Caption:
    node = step.node
    me = names[pos[id(node)]]
    num = lambda x: fmt(x, digits)  # noqa: E731
    say = lambda x: num(x).replace("-", "\u2212")  # noqa: E731  (a minus sign is read as "minus")
    if step.phase == "forward":
        value = num(step.value)
        head = f"Forward, step {step.index}: "
        if not node.op:
            return Caption(f"Forward: the input {me} is {value}.", f"{me} = {value}",
                           f"{head}the input {me} is {say(step.value)}.")
        spoken = f"{head}the {node.op} gate {verb_of(node)}; {me} is {say(step.value)}."
        ins = [names[pos[id(i)]] for i in node.inputs]
        vals = [num(v) for v in (i.data for i in node.inputs)]
        text = f"Forward: the {node.op} gate {verb_of(node)}."  # the verb: from the op table
        if node.op in INFIX and len(ins) == 2:
            sym = INFIX[node.op]
            formula = f"{me} = {ins[0]} {sym} {ins[1]}"
            if isinstance(node, Tensor):
                return Caption(text, f"{formula} = {value}", spoken)
            return Caption(text, f"{formula} = {vals[0]} {sym} {as_factor(vals[1])} = {value}", spoken)
        formula = f"{me} = {node.op}({', '.join(ins)})"
        if isinstance(node, Tensor):
            return Caption(text, f"{formula} = {value}", spoken)
        return Caption(text, f"{formula} = {node.op}({', '.join(vals)}) = {value}", spoken)

    grad = num(step.upstream)
    head = f"Backward, step {step.index}: the gradient of {f} with respect to {me}"
    if not step.sources:
        return Caption(
            f"Backward starts at the output: the gradient of {f} with respect to itself is 1.",
            f"∂{f}/∂{f} = {grad}", f"Backward, step {step.index}: the gradient of {f} with respect to itself "
                                   f"is {say(step.upstream)}.")
    terms = [f"∂{f}/∂{names[pos[id(e.output)]]} · ∂{names[pos[id(e.output)]]}/∂{me}" for e in step.sources]
    if isinstance(node, Tensor):
        rules = "; ".join(f"{names[pos[id(e.output)]]}: {e.local.rule}" for e in step.sources)
        text = (f"Backward: the gradient reaches {me} through {len(step.sources)} "
                f"path{'s' if len(step.sources) > 1 else ''} ({rules}).")
        spoken = f"{head} arrives through {len(step.sources)} path{'s' if len(step.sources) > 1 else ''}; it is {grad}."
        return Caption(text, f"∂{f}/∂{me} = {' + '.join(terms)} = {grad}", spoken)
    products = [f"({num(e.upstream)})({num(e.local)})" for e in step.sources]
    if len(step.sources) == 1:
        e = step.sources[0]
        text = (f"Backward, chain rule: upstream gradient {num(e.upstream)} × "
                f"local gradient {num(e.local)} of the {e.output.op} gate.")
        spoken = f"{head} is upstream {say(e.upstream)} times local {say(e.local)}, which is {say(step.upstream)}."
    else:
        text = (f"Backward: {me} is used {len(step.sources)} times, so its gradient is the "
                "sum of what comes back along each path (gradients add at forks).")
        parts = " plus ".join(say(e.contribution) for e in step.sources)
        spoken = (f"{head} is the sum over its {len(step.sources)} uses, {parts}, "
                  f"which is {say(step.upstream)}.")
    return Caption(text, f"∂{f}/∂{me} = {' + '.join(terms)} = {' + '.join(products)} = {grad}", spoken)


def describe(trace: Trace, most: int = 12) -> str:
    """The drawing in words, for a screen reader: its inputs, its output and each gate
    (the first ``most`` of them)."""
    names = labels(trace)
    pos = {id(n): i for i, n in enumerate(trace.nodes)}
    inputs = [names[i] for i, n in enumerate(trace.nodes) if not n.op]
    gates = []
    for i, n in enumerate(trace.nodes):
        if n.op:
            ins = [names[pos[id(m)]] for m in n.inputs]
            sym = INFIX.get(n.op)
            gates.append(f"{names[i]} = {f' {sym} '.join(ins)}" if sym and len(ins) == 2
                         else f"{names[i]} = {n.op}({', '.join(ins)})")
    more = len(gates) - most
    text = (f"Computational graph of {names[-1]}: {len(inputs)} input{'s' if len(inputs) != 1 else ''} "
            f"({', '.join(inputs[:most])}{', …' if len(inputs) > most else ''}), "
            f"{len(gates)} gate{'s' if len(gates) != 1 else ''}")
    if gates:
        text += ": " + "; ".join(gates[:most]) + (f"; and {more} more" if more > 0 else "")
    return text + ". Values are written above each wire, gradients below it."
