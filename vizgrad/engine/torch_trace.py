"""PyTorch's backward pass, recorded from torch's own hooks.

:func:`record` runs ``torch.autograd.grad(loss, leaves, retain_graph=True)`` once with a hook on
every node of the graph: a pre-hook keeps the gradient torch passes in (at a fork, the sum
torch formed), a post-hook the gradients the node passes on, and a hook on each leaf tensor
what reaches it, in the order torch's engine runs them. ``autograd.grad`` leaves every
``.grad`` as it was, the hooks are removed afterwards and the graph is retained, so the user
can still call ``loss.backward()``. (One thing torch does in any backward pass: a tensor computed
from others on which ``retain_grad()`` was called gets the gradient added to its ``.grad``; for
the loss and the tensors in ``names`` the trace puts that ``.grad`` back.)

torch keeps no op's output, only what each node saved for its backward: the forward values
shown are the leaves, the loss, the saved tensors (a saved tensor knows which node made it)
and whatever :func:`vizgrad.record_forward` recorded; the others are
:class:`~vizgrad.engine.recorded.NotKept`. torch is never imported here: a tensor given to
vizgrad brings it along (``sys.modules``).
"""

from __future__ import annotations

import re
import sys
from typing import Any, Hashable, Mapping

from .recorded import Mirror, NotKept, Seen, mirrored

FORWARD_KEY = "vizgrad.forward"  # a node's metadata entry: its output, recorded by record_forward
FREED = ("backward through the graph a second time", "saved tensors after they have already been freed")
WORDS = {"t": "transpose", "convolution": "conv", "max_pool2d_with_indices": "max_pool2d", "unsafe_view": "view",
         "reshape_alias": "reshape", "mkldnn_convolution": "conv"}


class GraphFreed(RuntimeError):
    """The graph's saved tensors were freed by an earlier ``backward()``."""


def is_torch_tensor(obj: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.Tensor)


def op_word(node: Any) -> str:
    """A node's op in words, from its class: ``MulBackward0`` → ``mul``, ``NllLossBackward0`` →
    ``nll_loss``; a ``torch.autograd.Function`` by its own name (``MyMulBackward`` → ``my_mul``)."""
    base = re.sub(r"Backward\d*$", "", type(node).__name__) or type(node).__name__
    word = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])", "_", base).lower()
    return WORDS.get(word, word)


def graph_of(root: Any) -> list[Any]:
    """Every node below ``root`` (itself included), depth-first, without recursion."""
    seen, stack, out = {root}, [root], []
    while stack:
        node = stack.pop()
        out.append(node)
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return out


def _leaf(node: Any) -> Any:
    return getattr(node, "variable", None) if type(node).__name__ == "AccumulateGrad" else None


def _copy(g: Any) -> Any:
    """A float64 copy of a gradient torch passed (torch may add into its buffers in place later)."""
    return None if g is None else g.detach().to(device="cpu", dtype=sys.modules["torch"].float64, copy=True)


def _outputs(node: Any) -> int:
    meta = getattr(node, "_input_metadata", None)
    return 1 if meta is None else len(meta)


def _names(names: Any) -> dict[int, str]:
    """``names`` (a mapping of name to tensor, or an ``nn.Module``: its named parameters) by the
    tensor's identity, or for a tensor computed from others by its node's."""
    if names is None:
        return {}
    if hasattr(names, "named_parameters"):
        names = dict(names.named_parameters())
    if not isinstance(names, Mapping):
        raise TypeError(f"names must map a name to each tensor (or be an nn.Module), got {type(names).__name__}")
    out = {}
    for name, t in names.items():
        if not is_torch_tensor(t):
            raise TypeError(f"names[{name!r}] must be a torch tensor, got {type(t).__name__}")
        out[id(t.grad_fn) if t.grad_fn is not None else id(t)] = str(name)
    return out


def record(loss: Any, seed: Any = None, names: Any = None) -> Mirror:
    """What torch does in ``loss``'s backward pass, recorded (see the module's docstring)."""
    root = loss.grad_fn
    if root is None:
        raise TypeError("this tensor has no grad_fn, so torch has no backward pass to show: make the inputs with "
                        "requires_grad=True and compute it outside torch.no_grad()")
    if seed is None and loss.numel() != 1:
        raise ValueError(f"trace(loss) needs a scalar loss, got a tensor of shape {tuple(loss.shape)}: reduce it "
                         "(loss.sum(), loss.mean()) or pass seed=, the gradient of its output")
    nodes = graph_of(root)
    for node in nodes:
        if _outputs(node) > 1:
            raise ValueError(f"torch's {type(node).__name__} gives {_outputs(node)} outputs, and vizgrad draws ops "
                             "with one: index the tensor instead of splitting it (x[:, 0] rather than unbind)")
    leaves = {node: _leaf(node) for node in nodes if _leaf(node) is not None}
    # torch runs a retain_grad() hook in every backward pass: the .grad of such a tensor the
    # trace knows of (the loss, the tensors named) is put back; others' cannot be reached
    known = [loss, *(names.values() if isinstance(names, Mapping) else ())]
    kept = [(t, t.grad) for t in known if is_torch_tensor(t) and t.grad_fn is not None and t.retains_grad]
    try:
        up, sent, visited = _run(loss, seed, nodes, leaves)
    finally:
        for t, g in kept:
            t.grad = g
    return _mirror(loss, nodes, leaves, up, sent, visited, names)


def _run(loss: Any, seed: Any, nodes: list[Any], leaves: dict[Any, Any]) -> tuple[dict, dict, list]:
    """Run torch's backward pass with a hook on every node: what arrived at each node, what each
    passed on, and the order torch ran them."""
    torch = sys.modules["torch"]
    up: dict[Any, Any] = {}
    sent: dict[Any, tuple[Any, ...]] = {}
    visited: list[Any] = []

    def pre(node: Any):
        def hook(grad_outputs: tuple) -> None:
            up[node] = _copy(grad_outputs[0])
            visited.append(node)
        return hook

    def post(node: Any):
        def hook(grad_inputs: tuple, grad_outputs: tuple) -> None:
            sent[node] = tuple(_copy(g) for g in grad_inputs)
        return hook

    def reached(node: Any):
        def hook(grad: Any) -> None:
            up[node] = _copy(grad)
            visited.append(node)
        return hook

    handles = []
    try:
        for node in nodes:
            if node in leaves:
                handles.append(leaves[node].register_hook(reached(node)))
            else:
                handles += [node.register_prehook(pre(node)), node.register_hook(post(node))]
        grad_out = torch.ones_like(loss) if seed is None else torch.as_tensor(seed, dtype=loss.dtype).reshape(
            loss.shape)
        torch.autograd.grad(loss, list(leaves.values()), grad_outputs=grad_out, retain_graph=True,
                            allow_unused=True)
    except RuntimeError as e:
        if any(s in str(e) for s in FREED):
            raise GraphFreed("this graph was freed when backward() ran on it (torch frees what it saved for "
                             "backward): compute the loss again and trace it before calling backward(), or call "
                             "backward(retain_graph=True)") from None
        raise
    finally:
        for h in handles:
            h.remove()
    return up, sent, visited


def _mirror(loss: Any, nodes: list[Any], leaves: dict[Any, Any], up: dict, sent: dict, visited: list,
            names: Any) -> Mirror:
    torch = sys.modules["torch"]
    values = _values(loss, nodes, leaves)
    named = _names(names)
    scalar = all(v.numel() == 1 for v in up.values() if v is not None) and loss.numel() == 1
    seen: dict[Hashable, Seen] = {}
    for node in nodes:
        g = up.get(node)
        shape = tuple(g.shape) if g is not None else _shape(node)
        value = values.get(node)
        var = leaves.get(node)
        if var is not None:
            name = named.get(id(var)) or _own_name(var)
        else:
            name = named.get(id(node)) or (_own_name(loss) if node is loss.grad_fn else None)
        ins = [(i, c) for i, (c, _) in enumerate(node.next_functions) if c is not None]
        s = Seen("" if var is not None else op_word(node), [c for _, c in ins],
                 NotKept(shape) if value is None else value.numpy(),
                 (torch.zeros(shape, dtype=torch.float64) if g is None else g).numpy(), name)
        if node in sent:
            passed = sent[node]
            local = _probe(node, g) if scalar else (None,) * len(passed)
            rule = f"torch's {type(node).__name__}"
            for i, c in ins:
                contribution = passed[i] if i < len(passed) and passed[i] is not None else None
                if contribution is None:
                    contribution = torch.zeros(tuple(up[c].shape) if up.get(c) is not None else _shape(c),
                                               dtype=torch.float64)
                s.sent.append((contribution.numpy(), local[i] if scalar else rule, None))
        seen[node] = s
    by_var = {id(v): n for n, v in leaves.items()}
    keep = (loss, leaves, nodes)  # the user's objects the lookup names, kept alive (ids stay theirs)

    def resolve(obj: Any, keep: Any = keep) -> Hashable | None:
        if is_torch_tensor(obj):
            key = obj.grad_fn if obj.grad_fn is not None else by_var.get(id(obj))
            return key if key in seen else None
        try:  # a node of torch's graph itself (loss.grad_fn)
            return obj if obj in seen else None
        except TypeError:
            return None

    return mirrored(seen, visited, loss.grad_fn, "torch", scalar, resolve)


def _own_name(t: Any) -> str | None:
    name = getattr(t, "name", None)
    return name if isinstance(name, str) and name else None


def _shape(node: Any) -> tuple[int, ...]:
    meta = getattr(node, "_input_metadata", None)
    try:
        return tuple(meta[0].shape) if meta else ()
    except (AttributeError, IndexError, TypeError):
        return ()


def _values(loss: Any, nodes: list[Any], leaves: dict[Any, Any]) -> dict[Any, Any]:
    """Each node's forward output that can be got: the loss, the leaves, what a node saved for
    backward (a saved tensor knows the node that made it), what record_forward kept."""
    found: dict[Any, Any] = {loss.grad_fn: loss}
    found.update(leaves)
    graph = set(nodes)
    for node in nodes:
        for t in _saved(node):
            fn = t.grad_fn
            if fn in graph and fn not in found and t.output_nr == 0:
                found[fn] = t
        kept = _metadata(node).get(FORWARD_KEY)
        if kept is not None and node not in found:
            found[node] = kept
    return {n: _copy(t) for n, t in found.items()}


def _metadata(node: Any) -> dict:
    try:
        return node.metadata
    except (AttributeError, RuntimeError):
        return {}


def _saved(node: Any) -> list[Any]:
    """The tensors ``node`` saved for its backward."""
    out = []
    names = [a for a in dir(node) if a.startswith("_saved_")] + ["saved_tensors"] * hasattr(node, "saved_tensors")
    for attr in names:
        try:
            v = getattr(node, attr)
        except Exception:  # a saved value torch cannot give back (freed, or none): nothing to show
            continue
        for t in v if isinstance(v, (tuple, list)) else (v,):
            if is_torch_tensor(t):
                out.append(t)
    return out


def _probe(node: Any, upstream: Any) -> tuple[float, ...]:
    """Each input's local gradient as the node's own backward gives it, asked with an upstream of 1."""
    torch = sys.modules["torch"]
    try:
        run = node if callable(node) else node.apply  # a torch.autograd.Function's node runs by apply
        with torch.no_grad():
            out = run(torch.ones_like(upstream).to(_dtype(node, upstream)))
    except Exception:  # a backward that cannot run again here: the local gradient stays unknown
        return (float("nan"),) * len(node.next_functions)
    out = out if isinstance(out, (tuple, list)) else (out,)
    return tuple(float("nan") if g is None else float(g.detach().reshape(-1)[0]) for g in out)


def _dtype(node: Any, upstream: Any) -> Any:
    meta = getattr(node, "_input_metadata", None)
    try:
        return meta[0].dtype
    except (AttributeError, IndexError, TypeError):
        return upstream.dtype
