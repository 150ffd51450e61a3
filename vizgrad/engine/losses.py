"""Losses built on the tensor engine: the softmax cross-entropy of a classifier."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..base.lazy_numpy import lazy
from .local_gradient import LocalGradient, times
from .ops import OPS
from .tensor import Tensor, tensor_node
from .tensor_input import shape_text

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)


def cross_entropy(logits: Tensor, labels: Any) -> Tensor:
    """Softmax followed by the mean negative log-likelihood of the integer ``labels``.

    ``logits`` has shape ``(N, C)`` (or ``(C,)`` for one example); ``labels`` holds N
    class indices in ``0 … C-1``. Its local gradient is ``(softmax - onehot) / N``.
    """
    if not isinstance(logits, Tensor):
        raise TypeError(f"cross_entropy needs a Tensor of logits, got {type(logits).__name__}")
    if logits.ndim not in (1, 2):
        raise ValueError(f"cross_entropy needs logits of shape (N, C) or (C,), got {shape_text(logits.shape)}")
    z = logits.data if logits.ndim == 2 else logits.data[None, :]
    y = labels if type(labels) is np.ndarray and labels.ndim == 1 else np.atleast_1d(np.asarray(labels))
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise TypeError(f"cross_entropy labels must be integer class indices, got dtype {y.dtype}")
    n, c = z.shape
    if y.shape != (n,):
        raise ValueError(f"cross_entropy got {n} rows of logits but labels of shape {shape_text(y.shape)}")
    y = y.astype(np.intp, copy=False)
    # one pass checks 0 <= y < c: seen as unsigned numbers, negative labels are huge
    if y.size and y.view(np.uintp).max() >= c:
        lo, hi = int(y.min()), int(y.max())
        raise ValueError(f"cross_entropy labels must lie in 0..{c - 1} for {c} classes, got {lo}..{hi}")
    rows = np.arange(n)
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1)
    loss = (np.log(total) - shifted[rows, y]).sum() / n
    softmax = e / total[:, None]
    softmax[rows, y] -= 1.0
    softmax /= n
    d = softmax.reshape(logits.shape)
    local = LocalGradient("upstream · (softmax − onehot(labels)) / N", partial(times, d), logits.shape, ())
    return tensor_node(np.asarray(loss), "cross-entropy", (logits,), (local,), (OPS["cross_entropy"], None))
