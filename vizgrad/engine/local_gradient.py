"""The local gradient of a tensor op's edge, kept as a vector-Jacobian product.

A vector op's local gradient is a Jacobian matrix, but backprop never builds it: a
:class:`LocalGradient` knows how to multiply an upstream gradient by it (a VJP). For an
elementwise op the Jacobian is diagonal, so the local gradient is just an array the
shape of the output (``elementwise``). ``jacobian()`` builds the matrix on request, for
teaching, and refuses when it would be too big.

Every VJP made here is a module-level function with its values bound by
:func:`functools.partial`, so a Tensor graph pickles; a VJP that is a lambda or a
function made inside another cannot be pickled, and pickling says so (a ``TypeError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
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

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        local = made_inside(self.vjp)
        if local is not None:
            raise TypeError(f"cannot pickle the local gradient {self.rule!r}: its vjp {local} is a lambda or a "
                            "function made inside another, which pickle cannot save; make it a module-level "
                            "function (with functools.partial for the values it needs)")
        return None, {name: getattr(self, name) for name in self.__slots__}


def made_inside(fn: Any) -> str | None:
    """The name of ``fn`` (or of the function a ``partial`` wraps) if it is a lambda or a
    function defined inside another (which pickle cannot save), else None."""
    while isinstance(fn, partial):
        fn = fn.func
    name = getattr(fn, "__qualname__", "")
    return f"{getattr(fn, '__module__', '?')}.{name}" if "<lambda>" in name or "<locals>" in name else None


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
        vjp = _passed if passes else partial(times, d)
    else:
        vjp = partial(_summed_back, None if passes else d, _broadcast_axes(in_shape, out_shape), in_shape)
    return LocalGradient(rule, vjp, in_shape, out_shape, d)


def _passed(g: np.ndarray) -> np.ndarray:
    return g


def times(d: Any, g: np.ndarray) -> np.ndarray:
    """``g * d``: the VJP of a diagonal Jacobian ``d`` (``partial(times, d)``)."""
    return g * d


def _summed_back(d: Any, axes: tuple[int, ...], in_shape: tuple[int, ...], g: np.ndarray) -> np.ndarray:
    return (g if d is None else g * d).sum(axis=axes).reshape(in_shape)

def matmul_locals(A: np.ndarray, B: np.ndarray, out_shape: tuple[int, ...]) -> tuple[LocalGradient, LocalGradient]:
    """The local gradients of ``A @ B`` (values cached for backward): ``upstream @ Bᵀ`` for A,
    ``Aᵀ @ upstream`` for B; vectors count as 1×n and n×1 matrices, stacks broadcast."""
    a_shape, b_shape = A.shape, B.shape
    if A.ndim == 2 and B.ndim == 2:  # the usual case: dA = dOut · Bᵀ, dB = Aᵀ · dOut
        d_a, d_b = partial(_times_right, B.T), partial(_times_left, A.T)
    else:  # vectors as 1×n and n×1 matrices; stacks of matrices broadcast
        a_vector, b_vector = A.ndim == 1, B.ndim == 1
        A2 = A[None, :] if a_vector else A
        B2 = B[:, None] if b_vector else B
        Bt, At = B2.swapaxes(-1, -2), A2.swapaxes(-1, -2)
        d_a = partial(_matmul_vjp, None, Bt, a_vector, b_vector, A2.shape, a_shape)
        d_b = partial(_matmul_vjp, At, None, a_vector, b_vector, B2.shape, b_shape)
    return (LocalGradient("upstream @ bᵀ", d_a, a_shape, out_shape),
            LocalGradient("aᵀ @ upstream", d_b, b_shape, out_shape))


def _times_right(Bt: np.ndarray, g: np.ndarray) -> np.ndarray:
    return g @ Bt


def _times_left(At: np.ndarray, g: np.ndarray) -> np.ndarray:
    return At @ g


def _matmul_vjp(At: np.ndarray | None, Bt: np.ndarray | None, a_vector: bool, b_vector: bool,
                matrix_shape: tuple[int, ...], shape: tuple[int, ...], g: np.ndarray) -> np.ndarray:
    """``g @ Bt`` (given ``Bt``) or ``At @ g``, with vectors as 1×n and n×1 matrices."""
    if b_vector:  # first the column, so that a vector @ vector (shape ()) works too
        g = np.expand_dims(g, -1)
    if a_vector:
        g = np.expand_dims(g, -2)
    product = g @ Bt if At is None else At @ g
    return _unbroadcast(product, matrix_shape).reshape(shape)
