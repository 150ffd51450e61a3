"""What both engines share: a node, its topological order, and the backward pass.

A node (a :class:`~vizgrad.Value` or a :class:`~vizgrad.Tensor`) knows its forward
value (``data``), the op that made it (``op``, ``""`` for a leaf) and its inputs in a
fixed order (``inputs``). It also knows how to turn the gradient arriving from above
(the *upstream* gradient) into one *contribution* per input: ``upstream × local``.

:func:`backprop` is the backward pass: ``Tensor.backward`` and :func:`vizgrad.trace`
run it (``Value.backward`` is the same loop, written out for plain numbers). It walks
the nodes in reverse topological order and, at every edge, can report what it did to
a recorder, which is how the trace learns every step without re-running anything.

:func:`pickled_inputs` is how both engines pickle a graph without recursing down it.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any, Callable, Protocol, Sequence

from ..base.lazy_numpy import lazy, loaded

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)


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
    same order. Nodes hash by identity.
    """
    order: list[Node] = []
    seen: set[Node] = {out}
    stack = [(out, iter(out.inputs))]
    while stack:
        node, inputs = stack[-1]
        for child in inputs:
            if child not in seen:
                seen.add(child)
                stack.append((child, iter(child.inputs)))
                break
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
) -> dict[Node, Any]:
    """Run the backward pass from ``out`` and return ``{node: d out / d node}``.

    ``seed`` is d out / d out (1 for a scalar). Gradients are summed where a node
    feeds several others ("gradients add at forks"). Nodes are not modified.
    """
    if order is None:
        order = topological_order(out)
    grads: dict[Node, Any] = {out: seed}
    # Non-finite values give nan/inf gradients (0 × inf, inf + -inf), as with Python
    # floats in the scalar engine, not numpy warnings (no numpy loaded: only floats, nothing to silence).
    with np.errstate(all="ignore") if loaded() else nullcontext():
        for node in reversed(order):
            if not node.inputs:
                continue
            upstream = grads[node]
            contributions = node._contributions(upstream)
            for i, child in enumerate(node.inputs):
                before = grads.get(child)
                after = contributions[i] if before is None else before + contributions[i]
                grads[child] = after
                if record is not None:
                    record(node, upstream, i, child, contributions[i], after)
    return grads


# -- pickling ------------------------------------------------------------------------------


class _Listing(threading.local):
    def __init__(self) -> None:
        self.ids: set[int] = set()  # nodes a graph being pickled lists below it, not pickled yet


_listing = _Listing()


class _Listed:
    """The end of a graph's list of nodes in a pickle: its nodes are no longer awaited."""

    def __init__(self, ids: set[int]) -> None:
        self.ids = ids

    def __reduce__(self) -> tuple[type, tuple]:
        _listing.ids.difference_update(self.ids)
        return int, ()


def pickled_inputs(node: Node) -> tuple[Any, ...]:
    """A node's pickled state: ``(below, end, inputs)``; ``inputs`` is all it restores.

    Pickle saves an object's state depth-first, so a chain of a few hundred ops would
    exceed Python's recursion limit. The first node of a graph to be pickled therefore
    lists every node below it in topological order (``below``): each of those then
    pickles with its inputs already saved, one level deep, and lists nothing.
    """
    ids = _listing.ids
    if not node.inputs or id(node) in ids:
        ids.discard(id(node))
        return (), None, node.inputs
    below = topological_order(node)[:-1]
    listed = {id(n) for n in below} - ids
    ids.update(listed)
    return below, _Listed(listed), node.inputs
