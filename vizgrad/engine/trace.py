"""Recording a whole forward and backward pass as a sequence of steps.

``trace(out)`` runs the backward pass once (the same :func:`~vizgrad.engine.graph.backprop`
that ``backward()`` runs) and keeps what happened at every step, so that drawings,
scrubbers and captions can replay it without computing anything again:

* one forward step per node, inputs first: the value computed there;
* one backward step per node, output first: the gradient that has arrived there
  (``upstream``), and for each of its input edges the local gradient, the
  contribution ``upstream × local`` and the input's gradient after adding it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Literal, overload

from ..base.lazy_numpy import is_array, lazy, loaded
from . import micrograd_trace, torch_trace
from .graph import backprop, topological_order
from .group import Group, group, regrouped
from .recorded import NOT_KEPT, Mirror, NotKept
from .tensor import Tensor, seed_of
from .value import Value

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)

Node = Value | Tensor


def _snapshot(x: Any) -> Any:
    """A read-only copy that later in-place updates (``w.data -= lr * w.grad``) cannot change."""
    return _frozen(np.array(x, dtype=np.float64)) if is_array(x) else x


def _frozen(x: Any) -> Any:
    """``x`` itself, made read-only if it is an array.

    Gradients need no copy: the backward pass makes every contribution and every sum
    afresh and never changes one in place, and only the trace holds them. One array can
    appear in several places (a node's ``upstream`` is its last source's ``grad_after``,
    and the ``upstream`` of each of its edges), so none may be written to.
    """
    if is_array(x):
        x.flags.writeable = False
    return x


@dataclass(frozen=True, eq=False)
class Edge:
    """One input edge of a gate during backward: ``output`` ← ``input``.

    ``contribution = upstream × local``; ``grad_after`` is the input's gradient once
    this contribution has been added (it differs from ``contribution`` at a fork;
    elsewhere it is the same object). Arrays in a trace are read-only.
    """

    output: Node
    input: Node
    index: int  # which input of ``output`` this is
    upstream: Any
    local: Any  # a number for a Value; a LocalGradient for a Tensor
    contribution: Any
    grad_after: Any


@dataclass(frozen=True, eq=False)
class Step:
    """One step of a trace. ``phase`` is ``"forward"`` or ``"backward"``.

    Forward steps have ``value``; backward steps also have ``upstream`` (d out / d node),
    ``edges`` (what this node sends to its inputs) and ``sources`` (the edges whose
    contributions added up to ``upstream``; empty for the output itself).
    """

    index: int
    phase: Literal["forward", "backward"]
    node: Node
    value: Any
    upstream: Any = None
    edges: tuple[Edge, ...] = ()
    sources: tuple[Edge, ...] = ()

    def __str__(self) -> str:
        label = _label(self.node)
        if self.phase == "forward":
            return f"{self.index:>3} forward   {label} = {_fmt(self.value)}"
        text = f"{self.index:>3} backward  d/d{label} = {_fmt(self.upstream)}"
        for e in self.edges:
            local = _fmt(e.local) if not hasattr(e.local, "rule") else e.local.rule
            text += (f"\n                → {_label(e.input)}: local {local}, "
                     f"contribution {_fmt(e.contribution)}, grad now {_fmt(e.grad_after)}")
        return text


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else f"this {type(x).__name__}"


def _label(node: Node) -> str:
    return node.name if node.name is not None else (node.op or "input")


def _fmt(x: Any) -> str:
    if isinstance(x, NotKept):
        return NOT_KEPT
    if isinstance(x, float) or not loaded() and isinstance(x, int):
        return f"{float(x):.4g}"
    a = np.asarray(x)
    return f"{a.item():.4g}" if a.size == 1 else f"array{a.shape}"


class Trace(Sequence):
    """An immutable record of one forward and one backward pass through a graph."""

    def __init__(self, output: Node, seed: Any = None) -> None:
        if not isinstance(output, (Value, Tensor)):
            raise TypeError(
                f"trace(...) needs the graph's output (a Value or a Tensor, a PyTorch tensor with a grad_fn "
                f"or a micrograd Value), got {type(output).__name__}"
            )
        self.output = output
        self.nodes: tuple[Node, ...] = tuple(topological_order(output))
        forward = [Step(i, "forward", n, _snapshot(n.data)) for i, n in enumerate(self.nodes)]

        edges_from: dict[int, list[Edge]] = {id(n): [] for n in self.nodes}
        edges_to: dict[int, list[Edge]] = {id(n): [] for n in self.nodes}

        def record(node, upstream, i, child, contribution, after):
            e = Edge(node, child, i, _frozen(upstream), node._local_gradient(i),
                     _frozen(contribution), _frozen(after))
            edges_from[id(node)].append(e)
            edges_to[id(child)].append(e)

        if isinstance(output, Value):
            if seed is not None:
                raise TypeError("trace(value) takes no seed: d out / d out is 1")
            seed = 1.0
        else:
            seed = seed_of(output, seed)  # a copy of the caller's array
        grads = backprop(output, seed, list(self.nodes), record)
        n = len(self.nodes)
        backward = [
            Step(n + k, "backward", node, forward[n - 1 - k].value,
                 _frozen(grads[node]), tuple(edges_from[id(node)]), tuple(edges_to[id(node)]))
            for k, node in enumerate(reversed(self.nodes))
        ]
        self._steps: tuple[Step, ...] = tuple(forward + backward)
        self._grads = {id(k): _frozen(g) for k, g in grads.items()}
        self._position = {id(node): i for i, node in enumerate(self.nodes)}
        self.engine = "vizgrad"  # which engine ran the backward pass ("torch", "micrograd": recorded)
        self._keys: Callable[[Any], Node | None] | None = None

    @classmethod
    def recorded(cls, m: Mirror) -> Trace:
        """The trace of a backward pass another engine ran (see :mod:`vizgrad.engine.recorded`):
        its nodes in topological order (the engine's backward order, reversed), each one's
        forward value and arriving gradient, and every edge in the order the engine passed it on.
        ``m.keys`` turns a user's own object (the engine's tensor or node) into its node here."""
        self = cls.__new__(cls)
        nodes = m.nodes
        self.output, self.nodes, self.engine, self._keys = nodes[-1], tuple(nodes), m.engine, m.keys
        n = len(nodes)
        forward = [Step(i, "forward", node, _frozen(v))
                   for i, (node, v) in enumerate(zip(nodes, m.values, strict=True))]
        edges_from: dict[int, list[Edge]] = {id(x): [] for x in nodes}
        edges_to: dict[int, list[Edge]] = {id(x): [] for x in nodes}
        for out, inp, i, up, local, contribution, after in m.edges:
            e = Edge(out, inp, i, _frozen(up), local, _frozen(contribution), _frozen(after))
            edges_from[id(out)].append(e)
            edges_to[id(inp)].append(e)
        ups = [_frozen(g) for g in m.upstreams]
        backward = [Step(n + k, "backward", node, forward[n - 1 - k].value, ups[n - 1 - k],
                         tuple(edges_from[id(node)]), tuple(edges_to[id(node)]))
                    for k, node in enumerate(reversed(nodes))]
        self._steps = tuple(forward + backward)
        self._grads = {id(x): g for x, g in zip(nodes, ups, strict=True)}
        self._position = {id(node): i for i, node in enumerate(nodes)}
        return self

    # -- the sequence --------------------------------------------------------------

    @overload
    def __getitem__(self, k: int) -> Step: ...
    @overload
    def __getitem__(self, k: slice) -> tuple[Step, ...]: ...

    def __getitem__(self, k):
        return self._steps[k]

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps)

    @property
    def forward(self) -> tuple[Step, ...]:
        """The forward steps, inputs first."""
        return self._steps[: len(self.nodes)]

    @property
    def backward(self) -> tuple[Step, ...]:
        """The backward steps, output first."""
        return self._steps[len(self.nodes):]

    # -- looking things up -----------------------------------------------------------

    def node(self, key: Any) -> Node:
        """The node of this trace's graph that ``key`` is: a node itself, or for a recorded
        trace the user's own object (a torch tensor, a micrograd Value)."""
        if id(key) in self._position:
            return key
        found = self._keys(key) if self._keys is not None else None
        if found is None:
            raise KeyError(f"{_short(key)} is not part of this trace's graph")
        return found

    def position(self, node: Any) -> int:
        """The node's place in topological order (its forward step's index)."""
        return self._position[id(self.node(node))]

    def forward_step(self, node: Any) -> Step:
        return self._steps[self.position(node)]

    def backward_step(self, node: Any) -> Step:
        return self._steps[2 * len(self.nodes) - 1 - self.position(node)]

    def grad(self, node: Any) -> Any:
        """d output / d node at the end of the backward pass (``node``: see :meth:`node`)."""
        return self._grads[id(self.node(node))]

    def group(self, output: Any, inputs: Any = (), label: str = "") -> Group:
        """:func:`vizgrad.group` with this trace's nodes, each given as a node or as the user's own
        object (a torch tensor, a micrograd Value): ``t.group(h1, x, "layer 1")``."""
        given = inputs if isinstance(inputs, (list, tuple)) else (inputs,)
        return group(self.node(output), [self.node(i) for i in given], label)

    def collapsed(self, *groups: Group) -> Trace:
        """This recorded trace with each group drawn as one gate (see :func:`vizgrad.engine.group.regrouped`)."""
        return Trace.recorded(regrouped(self, *groups))

    def __repr__(self) -> str:
        by = "" if self.engine == "vizgrad" else f", recorded from {self.engine}"
        return f"<Trace of {_label(self.output)}: {len(self.nodes)} nodes, {len(self)} steps{by}>"

    # -- pickling: the look-ups by node identity are made again, the arrays read-only again

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)  # the output first: it pickles the graph (see graph.pickled_inputs)
        state["_grads"] = tuple(self._grads[id(n)] for n in self.nodes)
        del state["_position"]
        state["_keys"] = None  # the user's own objects stay with the user
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        grads = state.pop("_grads")
        self.__dict__.update({"engine": "vizgrad", "_keys": None, **state})
        self._grads = {id(n): _frozen(g) for n, g in zip(self.nodes, grads, strict=True)}
        self._position = {id(node): i for i, node in enumerate(self.nodes)}
        for step in self._steps:
            _frozen(step.value), _frozen(step.upstream)
            for e in step.edges:
                _frozen(e.upstream), _frozen(e.contribution), _frozen(e.grad_after)

    def __str__(self) -> str:
        return "\n".join(str(s) for s in self._steps)


def trace(out: Any, seed: Any = None, names: Any = None) -> Trace:
    """Record the forward and backward pass that ends at ``out``.

    Does not change ``.grad`` of any node: the gradients live in the trace
    (``trace.grad(node)``, ``step.upstream``). For a Tensor output with more than one
    element, pass ``seed`` (the upstream gradient of the output).

    ``out`` may also be a PyTorch tensor with a ``grad_fn`` (a scalar loss) or a micrograd
    ``Value``: their own engine runs the backward pass and the trace records what it did
    (:mod:`vizgrad.engine.torch_trace`, :mod:`vizgrad.engine.micrograd_trace`); the graph is
    left as it was. ``names`` names their nodes: a mapping of name to tensor or Value (for
    torch also an ``nn.Module``, whose parameters are named); a node's own ``name`` (torch) or
    ``label`` (micrograd) attribute is used too.
    """
    kind = foreign(out)
    if kind == "torch":
        return Trace.recorded(torch_trace.record(out, seed, names))
    if kind == "micrograd":
        if seed is not None:
            raise TypeError("trace(value) takes no seed: d out / d out is 1")
        return Trace.recorded(micrograd_trace.record(out, names))
    if names is not None:
        raise TypeError("names are for a PyTorch tensor or a micrograd Value; name vizgrad's nodes with name=")
    return Trace(out, seed)


def foreign(obj: Any) -> str | None:
    """``"torch"`` or ``"micrograd"`` for a graph's output from one of those engines, else None."""
    if isinstance(obj, (Value, Tensor, Trace)):
        return None
    if torch_trace.is_torch_tensor(obj):
        return "torch"
    return "micrograd" if micrograd_trace.is_micrograd(obj) else None


def is_output(obj: Any) -> bool:
    """Whether ``obj`` is a graph's output that :func:`trace` takes (any engine's)."""
    return isinstance(obj, (Value, Tensor)) or foreign(obj) is not None


def output_of(out_or_trace: Node | Trace) -> Node:
    """The output of the graph a user passes: a node itself, or a trace's output."""
    if isinstance(out_or_trace, Trace):
        return out_or_trace.output
    if isinstance(out_or_trace, (Value, Tensor)):
        return out_or_trace
    raise TypeError(f"expected the output of a graph (a Value or a Tensor) or a vizgrad.trace(...), "
                    f"got {type(out_or_trace).__name__}")


def traced(out_or_trace: Any) -> Trace:
    """The trace of what a user passes: a trace as it is, or the trace of a graph's output.

    Every front (draw, frames, scrub, the player) turns its input into a trace here: this
    is where a graph recorded by another engine (a PyTorch loss, a micrograd Value) becomes
    a :class:`Trace`."""
    if isinstance(out_or_trace, Trace):
        return out_or_trace
    return trace(out_or_trace) if foreign(out_or_trace) else trace(output_of(out_or_trace))


def trace_call(fn: Callable[..., Any], inputs: dict[str, float]) -> Trace:
    """The trace of ``fn`` called with a named :class:`Value` per input."""
    out = fn(**{name: Value(float(v), name=name) for name, v in inputs.items()})
    if isinstance(out, Trace):
        return out
    if not isinstance(out, (Value, Tensor)):
        raise TypeError(f"the function must return the output of a graph (a Value or a Tensor) "
                        f"or a vizgrad.trace(...), got {type(out).__name__}")
    return trace(out)
