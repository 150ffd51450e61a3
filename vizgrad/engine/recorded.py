"""Traces of what another engine did: its backward pass recorded, drawn like vizgrad's own.

An adapter (:mod:`~vizgrad.engine.torch_trace`, :mod:`~vizgrad.engine.micrograd_trace`)
watches another autograd engine run its backward pass and hands :func:`recorded_trace` what
it saw: each node (its op in words, its inputs, its forward value if the engine kept one),
the order the engine visited them, the gradient that arrived at each, and each gradient it
passed on. Nothing is computed again here: the numbers are the engine's own. The graph is
mirrored by vizgrad nodes (:class:`Value` for scalars, :class:`Tensor` for arrays), so
everything that reads a :class:`~vizgrad.engine.trace.Trace` draws it unchanged.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Hashable

from ..base.lazy_numpy import lazy
from .local_gradient import LocalGradient
from .ops import OPS
from .tensor import tensor_node
from .value import _node

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)

NOT_KEPT = "not kept by autograd"


class NotKept(float):
    """A forward value the engine did not keep (it saved only what its backward needs).

    A nan, so no arithmetic with it looks like a number; drawings write :data:`NOT_KEPT`.
    """

    def __new__(cls, shape: tuple[int, ...] = ()) -> NotKept:
        x = super().__new__(cls, math.nan)
        x.shape = tuple(shape)
        return x

    def __getnewargs__(self) -> tuple[tuple[int, ...]]:
        return (self.shape,)

    def __repr__(self) -> str:
        return f"<{NOT_KEPT}>"

    def __str__(self) -> str:
        return NOT_KEPT


def is_kept(value: Any) -> bool:
    """Whether a step's forward value is known (not a :class:`NotKept`)."""
    return not isinstance(value, NotKept)


@dataclass
class Seen:
    """One node of another engine's graph, as an adapter saw it.

    ``inputs`` are keys of other nodes (in the order of the op's inputs); ``value`` is the
    forward value (a float, an array, or :class:`NotKept`); ``upstream`` the gradient that
    arrived; ``sent`` one entry per input: ``(contribution, local, grad_after)``, with
    ``grad_after`` None where the engine's running sum was not seen.
    """

    op: str  # "" for a leaf
    inputs: list[Hashable]
    value: Any
    upstream: Any = None
    name: str | None = None
    sent: list[tuple[Any, Any, Any]] = field(default_factory=list)


def backward_order(seen: dict[Hashable, Seen], visited: list[Hashable], output: Hashable) -> list[Hashable]:
    """Every node, output first, in the order the engine ``visited`` them; a node it never
    visited goes as early as its users allow (a valid reverse topological order either way)."""
    rank = {k: i for i, k in enumerate(visited)}
    users: dict[Hashable, int] = {k: 0 for k in seen}
    for s in seen.values():
        for c in s.inputs:
            users[c] += 1
    count = itertools.count()  # ties (nodes never visited) in the order they became ready
    ready, order = [(rank.get(output, math.inf), next(count), output)], []
    while ready:
        k = heapq.heappop(ready)[2]
        order.append(k)
        for c in seen[k].inputs:
            users[c] -= 1
            if users[c] == 0:
                heapq.heappush(ready, (rank.get(c, math.inf), next(count), c))
    return order


def op_spec(op: str, arity: int) -> Any:
    """The op table's row for an op named in words, when it is one (for captions' verbs)."""
    row = OPS.get(op)
    return (row, None) if row is not None and not row.has_constant and len(row.inputs) == arity else None


@dataclass(frozen=True)
class Mirror:
    """A recorded pass, ready to become a :class:`~vizgrad.engine.trace.Trace` (``Trace.recorded``):
    the mirror nodes in topological order, their forward values and gradients, every edge
    ``(output, input, index, upstream, local, contribution, grad_after)`` in the order the engine
    passed it on, the engine's name, and ``keys``: a user's own object to its mirror node (or None)."""

    nodes: list[Any]
    values: list[Any]
    upstreams: list[Any]
    edges: list[tuple[Any, ...]]
    engine: str
    keys: Callable[[Any], Any] | None


def mirrored(seen: dict[Hashable, Seen], visited: list[Hashable], output: Hashable, engine: str,
             scalar: bool, resolve: Callable[[Any], Hashable | None] | None = None) -> Mirror:
    """What an engine did (see :class:`Seen`), mirrored by :class:`Value` nodes (``scalar``) or
    :class:`Tensor` nodes; ``resolve`` turns a user's own object (a tensor, a Value of that
    engine) into its key, for ``trace.grad(obj)`` and the like."""
    order = backward_order(seen, visited, output)
    up = {k: _number(seen[k].upstream, scalar) for k in order}
    mirror: dict[Hashable, Any] = {}
    for k in reversed(order):  # inputs first
        s = seen[k]
        ins = tuple(mirror[c] for c in s.inputs)
        if scalar:
            local = tuple(float(loc) for _, loc, _ in s.sent) if s.sent else (math.nan,) * len(ins)
            node = _node(_number(s.value, True), s.op, ins, local, op_spec(s.op, len(ins)))
        else:
            shape = np.shape(up[k])
            data = np.full(shape, np.nan) if not is_kept(s.value) else np.asarray(s.value, dtype=np.float64)
            node = tensor_node(data, s.op, ins, tuple(_rule(loc, c.shape, shape) for c, (_, loc, _) in
                                                      zip(ins, s.sent or [(None, "", None)] * len(ins),
                                                          strict=True)))
        node.name = s.name
        mirror[k] = node
    sums: dict[Hashable, Any] = {}
    left = {k: 0 for k in order}
    for k in order:
        for c in seen[k].inputs if seen[k].sent else ():
            left[c] += 1
    edges = []
    for k in order:
        s = seen[k]
        if not s.sent:  # never visited: it passed nothing on
            continue
        for i, (c, (contribution, _, after)) in enumerate(zip(s.inputs, s.sent, strict=True)):
            contribution = _number(contribution, scalar)
            left[c] -= 1
            if after is not None:
                after = _number(after, scalar)
            elif left[c] == 0:
                after = up[c]  # the sum the engine formed
            else:
                after = contribution if c not in sums else sums[c] + contribution
            sums[c] = after
            node = mirror[k]
            edges.append((node, mirror[c], i, up[k], node._local_gradient(i), contribution, after))
    nodes = [mirror[k] for k in reversed(order)]
    values = [_value(seen[k].value, scalar) for k in reversed(order)]
    keys = None if resolve is None else partial(_lookup, resolve, mirror)
    return Mirror(nodes, values, [up[k] for k in reversed(order)], edges, engine, keys)


def _lookup(resolve: Callable[[Any], Hashable | None], mirror: dict[Hashable, Any], obj: Any) -> Any:
    key = resolve(obj)
    return None if key is None else mirror.get(key)


def _number(x: Any, scalar: bool) -> Any:
    if isinstance(x, NotKept):
        return x
    if scalar:
        return float(np.asarray(x).reshape(())) if not isinstance(x, (int, float)) else float(x)
    return np.array(x, dtype=np.float64)


def _value(x: Any, scalar: bool) -> Any:
    return x if isinstance(x, NotKept) else _number(x, scalar)


def _rule(rule: str, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> LocalGradient:
    """An edge's local gradient as the engine's backward function, named (its VJP is the engine's own)."""
    return LocalGradient(rule or "not recorded", partial(_not_here, rule), tuple(in_shape), tuple(out_shape))


def _not_here(rule: str, upstream: Any) -> Any:
    raise TypeError(f"{rule} ran inside its own engine: the trace holds the gradients it passed on "
                    "(step.edges), not the function itself")
