"""Keeping every op's output of a PyTorch forward pass, for a trace to show.

torch's autograd keeps only what each node needs for its backward, so most op outputs of a
forward pass are gone by the time it is traced (drawn as "not kept by autograd"). Run the
forward pass inside :func:`record_forward` and each op's output is kept with the node of
torch's graph that made it (in the node's ``metadata``), where :func:`vizgrad.trace` finds
it. The recording sits below autograd (a ``TorchDispatchMode``): it sees every op torch runs,
those inside ``nn.Linear`` or ``F.cross_entropy`` included, and changes none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .torch_trace import FORWARD_KEY


def torch_module() -> Any:
    """torch itself, or an ImportError in one line saying how to get it."""
    try:
        return importlib.import_module("torch")
    except ImportError:
        raise ImportError("this needs PyTorch: pip install 'vizgrad-edu[torch]' (or see pytorch.org)") from None


@contextmanager
def record_forward() -> Iterator[None]:
    """Keep the output of every op run inside the ``with`` block, for :func:`vizgrad.trace`::

        with vg.record_forward():
            loss = F.cross_entropy(model(x), y)
        vg.scrub(loss)        # every forward value shown, the logits too
    """
    torch = torch_module()
    dispatch = importlib.import_module("torch.utils._python_dispatch")
    leaves = importlib.import_module("torch.utils._pytree").tree_leaves
    pending: list[tuple[Any, Any]] = []

    def settle() -> None:
        # autograd gives an op's output its node only after the op returns: read it at the next op
        for out, value in pending:
            node = out.grad_fn
            if node is not None and out.output_nr == 0:
                node.metadata.setdefault(FORWARD_KEY, value)
        pending.clear()

    class Recorder(dispatch.TorchDispatchMode):
        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            settle()
            out = func(*args, **(kwargs or {}))
            for t in leaves(out):
                if isinstance(t, torch.Tensor) and t.is_floating_point():
                    pending.append((t, t.detach().clone()))
            return out

    try:
        with Recorder():
            yield
    finally:
        settle()
