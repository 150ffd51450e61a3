"""Groups: several ops seen as one gate.

The lecture's sigmoid circuit draws ``1 / (1 + exp(-s))`` as four gates, then points
out that they form one *sigmoid gate* whose local gradient is σ(1 - σ). A
:class:`Group` names such a piece of a graph. Drawings can box it (a cluster), and
:func:`collapse` rebuilds the graph with the group as a single gate, whose local
gradient is computed by backpropagating through the group once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from ..base.lazy_numpy import lazy
from .graph import backprop, topological_order
from .recorded import Mirror, Seen, mirrored
from .tensor import LocalGradient, Tensor
from .value import Value

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)

Node = Value | Tensor


@dataclass(frozen=True, eq=False)
class Group:
    """The ops between ``inputs`` and ``output``, to be drawn as one gate called ``label``."""

    label: str
    output: Node
    inputs: tuple[Node, ...]  # where the group's wires come in, in a stable order
    members: tuple[Node, ...]  # the ops inside, inputs first (the output last)

    def __contains__(self, node: object) -> bool:
        return any(node is m for m in self.members)


def group(output: Node, inputs: Node | list | tuple, label: str) -> Group:
    """The part of the graph that computes ``output`` from ``inputs``, named ``label``.

    Every op on a path from the inputs to the output belongs to it; a leaf reached
    on the way (a weight, a constant) becomes one more input of the group.
    """
    if not isinstance(output, (Value, Tensor)):
        raise TypeError(f"group(output, ...) needs a Value or a Tensor, got {type(output).__name__} "
                        "(for a PyTorch or micrograd graph: t.group(...) of its trace t = vizgrad.trace(out))")
    if not isinstance(label, str) or not label:
        raise TypeError("group(..., label) needs a non-empty string to name the gate")
    given = (inputs,) if isinstance(inputs, (Value, Tensor)) else tuple(inputs)
    stops = {id(n) for n in given}
    if id(output) in stops or not output.op:
        raise ValueError("a group needs at least one op between its inputs and its output")
    members: list[Node] = []
    outside: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, int]] = [(output, 0)]
    seen.add(id(output))
    while stack:  # depth-first, inputs in order, stopping at the group's inputs and leaves
        node, i = stack[-1]
        if i < len(node.inputs):
            stack[-1] = (node, i + 1)
            child = node.inputs[i]
            if id(child) in seen:
                continue
            seen.add(id(child))
            if id(child) in stops or not child.op:
                outside.append(child)
            else:
                stack.append((child, 0))
        else:
            stack.pop()
            members.append(node)
    missing = [n for n in given if not any(n is o for o in outside)]
    if missing:
        raise ValueError(f"{missing[0]!r} is not an input of the group: the output does not depend on it")
    return Group(label, output, tuple(outside), tuple(members))


def _collapsed(g: Group) -> Node:
    """One node standing for the whole group."""
    order = list(g.members)
    if isinstance(g.output, Value):
        grads = backprop(g.output, 1.0, order)
        local = tuple(float(grads[i]) for i in g.inputs)
        return Value(g.output.data, g.output.name, _op=g.label, _inputs=g.inputs, _local=local)

    def local_for(inp: Node) -> LocalGradient:
        return LocalGradient(f"backprop through the {g.label} group", partial(_through, g.output, order, inp),
                             inp.shape, g.output.shape)

    out = g.output._gate(g.output.data, g.label, *((i, local_for(i)) for i in g.inputs))
    out.name = g.output.name
    return out


def _through(output: Tensor, order: list[Node], inp: Tensor, upstream: np.ndarray) -> np.ndarray:
    """The VJP of a collapsed group: backprop from its output to one of its inputs."""
    return np.asarray(backprop(output, upstream, order)[inp])


def collapse(out: Node, *groups: Group) -> Node:
    """The graph of ``out`` rebuilt with each group as one gate (leaves are kept as they are)."""
    member_of = _members(out, groups)
    order = topological_order(out)
    new: dict[int, Any] = {}
    for node in order:
        g = member_of.get(id(node))
        if g is not None:
            if node is g.output:
                rebuilt = _collapsed(g)
                rebuilt.inputs = tuple(new.get(id(i), i) for i in g.inputs)
                new[id(node)] = rebuilt
            continue
        inputs = tuple(new.get(id(i), i) for i in node.inputs)
        if all(a is b for a, b in zip(inputs, node.inputs, strict=True)):
            new[id(node)] = node
        else:
            new[id(node)] = node._rewired(inputs)
    return new[id(out)]


def regrouped(t: Any, *groups: Group) -> Mirror:
    """A recorded trace ``t`` (another engine's pass) with each group as one gate, from the
    recorded numbers alone: the gate passes on to each of its inputs the sum of what the ops
    inside passed on to it (its local gradient, for scalars, is the recorded local gradients
    chained through the group)."""
    member_of = _members(t.output, groups)
    seen: dict[int, Seen] = {}
    for node in t.nodes:
        g = member_of.get(id(node))
        if g is not None and node is not g.output:
            continue
        back, value = t.backward_step(node), t.forward_step(node).value
        if g is None:
            sent = [(e.contribution, e.local if isinstance(e.local, float) else e.local.rule, None) for e in back.edges]
            seen[id(node)] = Seen(node.op, [id(i) for i in node.inputs], value, back.upstream, node.name, sent)
            continue
        total: dict[int, Any] = {}
        inside = {id(x) for x in g.members}
        for m in g.members:
            for e in t.backward_step(m).edges:
                if id(e.input) not in inside:
                    k = id(e.input)
                    total[k] = e.contribution if k not in total else total[k] + e.contribution
        if isinstance(g.output, Value):
            through = backprop(g.output, 1.0, list(g.members))
            local: list[Any] = [float(through[i]) for i in g.inputs]
        else:
            local = [f"torch's backward through the {g.label} group"] * len(g.inputs)
        sent = [(total[id(i)], loc, None) for i, loc in zip(g.inputs, local, strict=True)]
        seen[id(node)] = Seen(g.label, [id(i) for i in g.inputs], value, back.upstream, node.name, sent)
    visited = [id(s.node) for s in t.backward if id(s.node) in seen]
    keys = t.node

    def resolve(obj: Any) -> int | None:
        try:
            found = keys(obj)
        except KeyError:
            return None
        return id(found) if id(found) in seen else None

    return mirrored(seen, visited, id(t.output), t.engine, isinstance(t.output, Value), resolve)


def _members(out: Node, groups: tuple[Group, ...]) -> dict[int, Group]:
    """Each group's members by identity, once checked: a group's inner values feed only the group."""
    member_of: dict[int, Group] = {}
    for g in groups:
        if not isinstance(g, Group):
            raise TypeError(f"collapse(out, *groups) takes Groups made by vizgrad.group, got {type(g).__name__}")
        for m in g.members:
            member_of[id(m)] = g
    for node in topological_order(out):
        for child in node.inputs:
            g = member_of.get(id(child))
            if g is not None and child is not g.output and id(node) not in {id(m) for m in g.members}:
                raise ValueError(
                    f"cannot collapse group {g.label!r}: one of its inner values is also used "
                    "outside it (only the group's output may leave it)"
                )
    return member_of
