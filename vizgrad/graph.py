"""What both engines share: a node, its topological order, and the backward pass.

A node (a :class:`~vizgrad.Value` or a :class:`~vizgrad.Tensor`) knows its forward
value (``data``), the op that made it (``op``, ``""`` for a leaf) and its inputs in a
fixed order (``inputs``). It also knows how to turn the gradient arriving from above
(the *upstream* gradient) into one *contribution* per input: ``upstream × local``.

:func:`backprop` is the single backward pass of vizgrad: ``Value.backward``,
``Tensor.backward`` and :func:`vizgrad.trace` all run it. It walks the nodes in
reverse topological order and, at every edge, can report what it did to a
recorder, which is how the trace learns every step without re-running anything.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, Sequence

import numpy as np


class Node(Protocol):
    data: Any
    grad: Any
    name: str | None
    op: str
    inputs: tuple["Node", ...]

    def _contributions(self, upstream: Any) -> Sequence[Any]: ...


def topological_order(out: Node) -> list[Node]:
    """Every node ``out`` depends on, inputs before the nodes that use them.

    Iterative depth-first search (no recursion, so a chain 100,000 ops deep is
    fine), visiting inputs in their stored order: the same graph always gives the
    same order.
    """
    order: list[Node] = []
    seen: set[int] = {id(out)}
    stack: list[tuple[Node, int]] = [(out, 0)]
    while stack:
        node, i = stack[-1]
        if i < len(node.inputs):
            stack[-1] = (node, i + 1)
            child = node.inputs[i]
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, 0))
        else:
            stack.pop()
            order.append(node)
    return order


# recorder(node, upstream, index, input, contribution, grad_after)
Recorder = Callable[[Node, Any, int, Node, Any, Any], None]


def backprop(
    out: Node,
    seed: Any,
    order: list[Node] | None = None,
    record: Recorder | None = None,
) -> dict[int, Any]:
    """Run the backward pass from ``out`` and return ``{id(node): d out / d node}``.

    ``seed`` is d out / d out (1 for a scalar). Gradients are summed where a node
    feeds several others ("gradients add at forks"). Nodes are not modified.
    """
    if order is None:
        order = topological_order(out)
    grads: dict[int, Any] = {id(out): seed}
    # Non-finite values give nan/inf gradients (0 × inf, inf + -inf), as with Python
    # floats in the scalar engine, not numpy warnings.
    with np.errstate(all="ignore"):
        for node in reversed(order):
            upstream = grads[id(node)]
            if not node.inputs:
                continue
            for i, (child, contribution) in enumerate(
                zip(node.inputs, node._contributions(upstream))
            ):
                before = grads.get(id(child))
                after = contribution if before is None else before + contribution
                grads[id(child)] = after
                if record is not None:
                    record(node, upstream, i, child, contribution, after)
    return grads
