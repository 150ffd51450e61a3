"""micrograd's backward pass, recorded from its own closures.

A micrograd ``Value`` (Karpathy's package, or the class typed in along his videos: any object
with ``data``, ``grad``, ``_prev``, ``_op`` and ``_backward``) runs backward by calling each
node's ``_backward`` closure in reversed topological order. :func:`record` wraps every closure
so that calling it also notes the node's gradient and its inputs' gradients before and after,
then lets the Value's own ``backward()`` run (micrograd's order, micrograd's closures). Each
closure is then asked once more, with an upstream of 1 and its inputs' gradients at 0, for
its local gradients. Afterwards every ``grad``, ``_backward``, ``_prev`` and ``data`` is put
back as it was.
"""

from __future__ import annotations

import math
import re
from typing import Any, Hashable, Mapping

from .recorded import Mirror, Seen, mirrored

FIELDS = ("data", "grad", "_prev", "_op", "_backward")
WORDS = {"+": "add", "*": "mul", "-": "sub", "/": "div", "ReLU": "relu", "relu": "relu", "tanh": "tanh",
         "exp": "exp", "log": "log", "sigmoid": "sigmoid", "neg": "neg"}


class BackwardFailed(RuntimeError):
    """The micrograd graph's own backward raised."""


def is_micrograd(obj: Any) -> bool:
    """Whether ``obj`` is shaped like micrograd's ``Value``."""
    return all(hasattr(obj, f) for f in FIELDS) and not isinstance(obj, type)


def op_word(op: Any) -> str:
    """micrograd's ``_op`` in words: ``*`` → ``mul``, ``**2`` → ``pow 2``, ``ReLU`` → ``relu``."""
    op = str(op)
    power = re.fullmatch(r"\*\*\s*(.+)", op)
    if power:
        return f"pow {power.group(1)}"
    return WORDS.get(op, op.lower() or "op")


def topological(out: Any) -> list[Any]:
    """micrograd's topological order (its ``build_topo``: depth-first over ``_prev`` in its own
    iteration order, a node after its inputs), without recursion."""
    topo, visited = [], {id(out)}
    stack = [(out, iter(list(out._prev)))]
    while stack:
        v, children = stack[-1]
        for child in children:
            if id(child) not in visited:
                visited.add(id(child))
                stack.append((child, iter(list(child._prev))))
                break
        else:
            stack.pop()
            topo.append(v)
    return topo


def _name(v: Any, named: dict[int, str]) -> str | None:
    if id(v) in named:
        return named[id(v)]
    for attr in ("label", "name"):
        name = getattr(v, attr, None)
        if isinstance(name, str) and name:
            return name
    return None


def record(out: Any, names: Mapping[str, Any] | None = None) -> Mirror:
    """What ``out.backward()`` does, recorded (see the module's docstring)."""
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"names must map a name to each Value, got {type(names).__name__}")
    named = {id(v): str(k) for k, v in (names or {}).items()}
    nodes = topological(out)
    kids = {id(v): list({id(c): c for c in v._prev}.values()) for v in nodes}  # each input once (a * a)
    own = {id(v): (v.data, v.grad, v._prev, v._backward, _own_closure(v)) for v in nodes}
    calls: dict[int, tuple[float, list[Any], list[Any]]] = {}
    visited: list[int] = []

    def wrap(v: Any, closure: Any):
        def run() -> None:
            below = kids[id(v)]
            before = [c.grad for c in below]
            upstream = v.grad
            closure()
            calls[id(v)] = (upstream, before, [c.grad for c in below])
            visited.append(id(v))
        return run

    locals_: dict[int, list[float]] = {}
    try:
        for v in nodes:
            v.grad = 0
            v._backward = wrap(v, own[id(v)][3])
        try:
            if callable(getattr(out, "backward", None)):
                out.backward()
            else:  # no backward(): micrograd's loop
                out.grad = 1
                for v in reversed(nodes):
                    v._backward()
        except Exception as e:  # student code may raise: say so in one line
            raise BackwardFailed(f"the graph's own backward() raised {type(e).__name__}: {e}") from None
        final = {id(v): v.grad for v in nodes}
        for v in nodes:
            if kids[id(v)]:
                locals_[id(v)] = _probe(v, own[id(v)][3], kids[id(v)])
    finally:
        for v in nodes:
            data, grad, prev, closure, own_closure = own[id(v)]
            v.data, v.grad, v._prev = data, grad, prev
            if own_closure:
                v._backward = closure
            else:
                del v._backward
    return _mirror(out, nodes, kids, calls, final, locals_, visited, named)


def _own_closure(v: Any) -> bool:
    """Whether ``v``'s ``_backward`` is its own attribute (to set back) or its class's (to uncover)."""
    return not hasattr(v, "__dict__") or "_backward" in v.__dict__


def _probe(v: Any, closure: Any, below: list[Any]) -> list[float]:
    """The local gradient of each input, as ``v``'s own closure gives it for an upstream of 1."""
    try:
        v.grad = 1.0
        for c in below:
            c.grad = 0.0
        closure()
        return [float(c.grad) for c in below]
    except Exception:  # a closure that fails on its own again: its local gradient stays unknown
        return [math.nan] * len(below)


def _mirror(out: Any, nodes: list[Any], kids: dict, calls: dict, final: dict, locals_: dict, visited: list,
            named: dict[int, str]) -> Mirror:
    seen: dict[Hashable, Seen] = {}
    for v in nodes:
        below = kids[id(v)]
        upstream, before, after = calls.get(id(v), (final[id(v)], None, None))
        s = Seen(op_word(v._op) if below else "", [id(c) for c in below], float(v.data), float(upstream),
                 _name(v, named))
        if after is not None:
            local = locals_.get(id(v), [math.nan] * len(below))
            s.sent = [(float(a) - float(b), loc, float(a)) for b, a, loc in zip(before, after, local, strict=True)]
        seen[id(v)] = s
    keep = {id(v): v for v in nodes}  # the user's Values, kept alive so their ids stay theirs

    def resolve(obj: Any, keep: dict = keep) -> Hashable | None:
        return id(obj) if keep.get(id(obj)) is obj else None

    return mirrored(seen, visited, id(out), "micrograd", True, resolve)
