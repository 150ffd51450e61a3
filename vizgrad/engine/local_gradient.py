"""The local gradient of a tensor op's edge, kept as a vector-Jacobian product.

A vector op's local gradient is a Jacobian matrix, but backprop never builds it: a
:class:`LocalGradient` knows how to multiply an upstream gradient by it (a VJP). For an
elementwise op the Jacobian is diagonal, so the local gradient is just an array the
shape of the output (``elementwise``). ``jacobian()`` builds the matrix on request, for
teaching, and refuses when it would be too big.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..base.lazy_numpy import lazy

np = lazy(globals())  # numpy, imported when first used (see vizgrad.base.lazy_numpy)

JACOBIAN_LIMIT = 1_000_000  # entries; a 4096-vector's ReLU would need 16.8 million


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` back down to ``shape``: broadcasting copied the input, so gradients add."""
    if g.shape == shape:
        return g
    return g.sum(axis=_broadcast_axes(shape, g.shape)).reshape(shape)


def _broadcast_axes(in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of ``out_shape`` along which broadcasting copied an ``in_shape`` input."""
    lead = len(out_shape) - len(in_shape)
    return tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(in_shape) if n == 1 and out_shape[lead + i] != 1)


@dataclass(eq=False, slots=True)
class LocalGradient:
    """The local gradient of one edge (output ← input) of a tensor op.

    ``vjp(upstream)`` gives the contribution to the input's gradient;
    ``elementwise`` is the diagonal of the Jacobian for elementwise ops (else None);
    ``rule`` says in words what the VJP does.
    """

    rule: str
    vjp: Callable[[np.ndarray], np.ndarray]
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    diagonal: Any = None  # what ``elementwise`` is made from: a number or an array

    @property
    def elementwise(self) -> np.ndarray | None:
        if self.diagonal is None:
            return None
        return np.broadcast_to(np.asarray(self.diagonal, dtype=np.float64), self.out_shape)

    def __call__(self, upstream: np.ndarray) -> np.ndarray:
        return self.vjp(upstream)

    def jacobian(self, limit: int = JACOBIAN_LIMIT) -> np.ndarray:
        """The explicit Jacobian d out / d in, shape ``(out.size, in.size)``.

        Built one row at a time from the VJP; refused above ``limit`` entries.
        """
        n_out, n_in = int(np.prod(self.out_shape)), int(np.prod(self.in_shape))
        check_jacobian_size(n_out, n_in, limit)
        rows = np.zeros((n_out, n_in))
        for k in range(n_out):
            e = np.zeros(n_out)
            e[k] = 1.0
            rows[k] = np.broadcast_to(self.vjp(e.reshape(self.out_shape)), self.in_shape).ravel()
        return rows

    def __repr__(self) -> str:
        return f"LocalGradient({self.rule!r}, {self.in_shape} -> {self.out_shape})"


def check_jacobian_size(n_out: int, n_in: int, limit: int) -> None:
    if n_out * n_in > limit:
        raise ValueError(
            f"the Jacobian would be {n_out} × {n_in} = {n_out * n_in:,} numbers "
            f"(limit {limit:,}): that is why backprop never builds it and multiplies "
            "the upstream gradient through the op instead (a vector-Jacobian product)"
        )


def elementwise(d: Any, in_shape: tuple, out_shape: tuple, rule: str) -> LocalGradient:
    """The local gradient of an elementwise op: multiply the upstream gradient by ``d``
    (then sum it back to the input's shape if broadcasting made copies of the input)."""
    passes = isinstance(d, float) and d == 1.0  # + passes the gradient through
    if in_shape == out_shape:
        vjp = _passed if passes else (lambda g: g * d)
    else:
        axes = _broadcast_axes(in_shape, out_shape)
        if passes:
            vjp = lambda g: g.sum(axis=axes).reshape(in_shape)  # noqa: E731
        else:
            vjp = lambda g: (g * d).sum(axis=axes).reshape(in_shape)  # noqa: E731
    return LocalGradient(rule, vjp, in_shape, out_shape, d)


def _passed(g: np.ndarray) -> np.ndarray:
    return g


def matmul_locals(A: np.ndarray, B: np.ndarray, out_shape: tuple[int, ...]) -> tuple[LocalGradient, LocalGradient]:
    """The local gradients of ``A @ B`` (values cached for backward): ``upstream @ Bᵀ`` for A,
    ``Aᵀ @ upstream`` for B; vectors count as 1×n and n×1 matrices, stacks broadcast."""
    a_shape, b_shape = A.shape, B.shape
    if A.ndim == 2 and B.ndim == 2:  # the usual case: dA = dOut · Bᵀ, dB = Aᵀ · dOut
        Bt, At = B.T, A.T
        d_a = lambda g: g @ Bt  # noqa: E731
        d_b = lambda g: At @ g  # noqa: E731
    else:  # vectors as 1×n and n×1 matrices; stacks of matrices broadcast
        a_vector, b_vector = A.ndim == 1, B.ndim == 1
        A2 = A[None, :] if a_vector else A
        B2 = B[:, None] if b_vector else B
        Bt, At = B2.swapaxes(-1, -2), A2.swapaxes(-1, -2)

        def as_matrix(g: np.ndarray) -> np.ndarray:
            if b_vector:  # first the column, so that a vector @ vector (shape ()) works too
                g = np.expand_dims(g, -1)
            if a_vector:
                g = np.expand_dims(g, -2)
            return g

        def d_a(g: np.ndarray) -> np.ndarray:
            return _unbroadcast(as_matrix(g) @ Bt, A2.shape).reshape(a_shape)

        def d_b(g: np.ndarray) -> np.ndarray:
            return _unbroadcast(At @ as_matrix(g), B2.shape).reshape(b_shape)

    return (LocalGradient("upstream @ bᵀ", d_a, a_shape, out_shape),
            LocalGradient("aᵀ @ upstream", d_b, b_shape, out_shape))
