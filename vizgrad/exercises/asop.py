"""as_op: a student's gate class as an op on vizgrad Values and Tensors."""

from __future__ import annotations

import math
import sys
import warnings
from typing import Any, Callable

from ..base.lazy_numpy import lazy
from ..engine.tensor import LocalGradient, Tensor
from ..engine.value import Value
from . import limits
from ._support.calls import method_problem, not_a_number
from ._support.reference import default_label
from ._support.result import GateError, NotImplementedYet
from ._support.text import shape_text
from ._support.where import is_internal, raised_message

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats


def _op_call(cls: type, which: str, fn: Callable, *args: Any) -> Any:
    """Call the student's method; TODOs return None (after a warning), errors raise GateError.

    No time limit of its own (ops run in training loops); inside a check, the check's limit holds.
    """
    try:
        res = fn(*args)
    except NotImplementedError:
        res = None
    except NameError as e:
        if (getattr(e, "name", "") or "").startswith("d") and which == "backward":
            res = None
        else:
            raise _gate_error(cls, which, e) from None
    except BaseException as e:  # SystemExit too; not an interrupt or a check's time limit
        if limits.is_control(e):
            raise
        raise _gate_error(cls, which, e) from None
    if res is Ellipsis or isinstance(res, (list, tuple)) and any(r is None or r is Ellipsis for r in res):
        res = None
    if res is None:
        _warn_todo(f"{cls.__name__}.{which} is not implemented yet: its "
                   f"{'values' if which == 'forward' else 'gradients'} show as nan")
    return res


def _gate_error(cls: type, which: str, e: BaseException) -> GateError:
    """``your MultiplyGate.backward raised ...``: what the student's method raised, as a GateError."""
    return GateError(f"your {cls.__name__}.{which} " + raised_message(e, which)[len(f"your {which} "):])


def _warn_todo(message: str) -> None:
    """Warn, pointing at the student's line that led here (not at vizgrad's internals)."""
    frame = sys._getframe(1)
    while frame is not None and is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        warnings.warn(message, NotImplementedYet, stacklevel=3)
        return
    registry = frame.f_globals.setdefault("__warningregistry__", {})
    warnings.warn_explicit(message, NotImplementedYet, frame.f_code.co_filename, frame.f_lineno,
                           module=frame.f_globals.get("__name__"), registry=registry,
                           module_globals=frame.f_globals)


def _pick(res: Any, n_params: int, positions: list[int], cls: type) -> list[Any]:
    """The gradients of the graph inputs (at ``positions`` among forward's arguments)."""
    if isinstance(res, np.ndarray) and res.dtype != object and res.ndim >= 1 and len(positions) > 1 \
            and res.shape[0] in (n_params, len(positions)):
        res = list(res)
    if not isinstance(res, (list, tuple)):
        res = [res]
    res = list(res)
    if len(res) == n_params:
        return [res[k] for k in positions]
    if len(res) == len(positions):
        return res
    raise GateError(f"your {cls.__name__}.backward returned {len(res)} gradients for "
                    f"{n_params} inputs of forward")


def as_op(gate: Any, label: str | None = None) -> Callable[..., Any]:
    """Your gate class as an op on :class:`~vizgrad.Value` and :class:`~vizgrad.Tensor`.

    ``mul = as_op(MultiplyGate, "*")`` gives a function: ``f = mul(q, z, name="f")``
    runs your ``forward`` on the nodes' numbers (a fresh gate per call) and makes a
    vizgrad node whose local gradients come from your ``backward``: for Values,
    ``backward(1.0)`` (the local gradients, multiplied by the upstream gradient during
    backprop); for Tensors, ``backward(upstream)`` itself (a vector-Jacobian product).
    So ``vizgrad.trace``, ``vizgrad.draw`` and ``vizgrad.scrub`` work on circuits built
    from your gates.

    Arguments that are not Values or Tensors (numbers, label arrays) are passed to
    forward unchanged as constants: they get no gradient. ``label`` is the gate's text
    in drawings (default: ``*`` for a MultiplyGate, ``+``, ``max``, ``σ``, ``relu``,
    ``@``, … else the class name). A gate whose forward or backward is still a TODO
    gives nan values or gradients, with a :class:`NotImplementedYet` warning; an
    exception raised by your gate becomes a :class:`GateError` naming your line.
    """
    cls = gate if isinstance(gate, type) else type(gate)
    for which in ("forward", "backward"):
        problem, _ = method_problem(cls, which)
        if problem:
            raise GateError(problem)
    text = label if label is not None else default_label(cls)
    if not isinstance(text, str):
        raise TypeError(f"label must be a string, got {type(text).__name__}")

    def op(*args: Any, name: str | None = None) -> Value | Tensor:
        values = [a for a in args if isinstance(a, Value)]
        tensors = [a for a in args if isinstance(a, Tensor)]
        if values and tensors:
            raise TypeError(f"{text}: cannot mix Values and Tensors in one op")
        if not values and not tensors:
            raise TypeError(f"{text}: give it at least one vizgrad Value or Tensor (got "
                            f"{', '.join(type(a).__name__ for a in args) or 'nothing'})")
        positions = [k for k, a in enumerate(args) if isinstance(a, (Value, Tensor))]
        nodes = [args[k] for k in positions]
        raw = [a.data.copy() if isinstance(a, Tensor) else a.data if isinstance(a, Value) else a for a in args]
        g = _new_for_op(cls)
        out = _op_call(cls, "forward", g.forward, *raw)
        if values:
            return _value_node(cls, g, out, nodes, positions, len(args), text, name)
        return _tensor_node(cls, g, out, nodes, positions, len(args), text, name)

    op.__name__ = f"{cls.__name__}_op"
    op.__qualname__ = op.__name__
    op.__doc__ = f"Your {cls.__name__} as the vizgrad op {text!r}: op(*inputs, name=None)."
    op.gate, op.label = cls, text  # type: ignore[attr-defined]  # for check_circuit(..., reference_gates=True)
    return op


def _new_for_op(cls: type) -> Any:
    try:
        return cls()
    except BaseException as e:
        if limits.is_control(e):
            raise
        raise GateError(f"could not make a {cls.__name__}(): {type(e).__name__}: {e}") from None


def _value_node(cls: type, g: Any, out: Any, nodes: list, positions: list[int], n: int, text: str,
                name: str | None) -> Value:
    if out is None:
        data = math.nan
    else:
        why = not_a_number(out)
        if why or np.size(out) != 1:
            raise GateError(f"your {cls.__name__}.forward should return one number for Values, got "
                            f"{why or 'an array of shape ' + shape_text(np.shape(out))} (use Tensors for arrays)")
        data = float(np.asarray(out, dtype=np.float64).reshape(()))
    local: list[float]
    res = None if out is None else _op_call(cls, "backward", g.backward, 1.0)
    if res is None:
        local = [math.nan] * len(nodes)
    else:
        picked = _pick(res, n, positions, cls)
        local = []
        for r in picked:
            why = not_a_number(r)
            if why or np.size(r) != 1:
                raise GateError(f"your {cls.__name__}.backward should return numbers for Values, got "
                                f"{why or 'an array of shape ' + shape_text(np.shape(r))}")
            local.append(float(np.asarray(r, dtype=np.float64).reshape(())))
    return Value(data, name, _op=text, _inputs=tuple(nodes), _local=tuple(local))


def _tensor_node(cls: type, g: Any, out: Any, nodes: list, positions: list[int], n: int, text: str,
                 name: str | None) -> Tensor:
    if out is None:
        data = np.full(nodes[0].shape, np.nan)
    else:
        why = not_a_number(out)
        if why:
            raise GateError(f"your {cls.__name__}.forward should return a number or an array, got {why}")
        data = np.array(out, dtype=np.float64)
    out_shape = data.shape
    cache: dict[str, Any] = {}

    def grads(upstream: np.ndarray) -> list | None:
        if cache.get("upstream") is not upstream:
            res = None if out is None else _op_call(cls, "backward", g.backward, np.array(upstream, dtype=np.float64))
            cache["upstream"], cache["grads"] = upstream, None if res is None else _pick(res, n, positions, cls)
        return cache["grads"]

    def local_for(k: int, node: Tensor) -> LocalGradient:
        def vjp(upstream: np.ndarray) -> np.ndarray:
            got = grads(upstream)
            if got is None:
                return np.full(node.shape, np.nan)
            why = not_a_number(got[k])
            if why:
                raise GateError(f"your {cls.__name__}.backward returned {why} for input {k + 1}")
            a = np.array(got[k], dtype=np.float64)
            if a.shape != node.shape:
                raise GateError(f"your {cls.__name__}.backward returned shape {shape_text(a.shape)} for an input "
                                f"of shape {shape_text(node.shape)}: a gradient has its input's shape")
            return a

        return LocalGradient(f"your {cls.__name__}.backward", vjp, node.shape, out_shape)

    t = nodes[0]._gate(data, text, *((node, local_for(k, node)) for k, node in enumerate(nodes)))
    t.name = name
    return t

