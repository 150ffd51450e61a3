"""Looking at a student's gate class and calling its forward and backward."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from numbers import Real
from typing import Any

from ...base.lazy_numpy import lazy
from ...engine.tensor import Tensor
from ...engine.value import Value
from .. import limits
from .result import StopCheck
from .text import plural, shape_text
from .where import raised_message

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats


@dataclass
class Spec:
    """What check_gate knows of a gate class: its name, forward's parameters and inputs, backward's upstream."""

    cls: type
    name: str
    params: list[str]  # forward's parameters after self, in order
    inputs: list[str]  # those that get a gradient (all but the constants)
    upstream: str  # backward's parameter, e.g. "dz"
    out: str  # the output's name, e.g. "z"


def method_problem(cls: type, which: str) -> tuple[str | None, list[str]]:
    """(problem, parameter names after self) of ``cls.forward`` or ``cls.backward``.

    Parameters with a default value are listed last, marked with a trailing ``=``.
    """
    name = cls.__name__
    raw = inspect.getattr_static(cls, which, None)
    if raw is None:
        return f"{name} has no {which} method: define def {which}(self, ...): inside the class.", []
    if isinstance(raw, (staticmethod, classmethod)) or not inspect.isfunction(raw):
        return (f"{name}.{which} must be a normal method, written def {which}(self, ...): "
                f"inside the class (not a {type(raw).__name__})."), []
    params = list(inspect.signature(raw).parameters.values())
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if not params or params[0].name != "self" or params[0].kind not in positional:
        shown = ", ".join(p.name for p in params)
        fixed = ", ".join(["self"] + [p.name for p in params if p.name != "self"])
        return (f"{name}.{which}({shown}) has no self. In Python a method's first parameter is the gate "
                f"itself (the slide leaves it out): write def {which}({fixed}): and keep what backward "
                f"needs on it (self.x = x)."), []
    rest = params[1:]
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in rest):
        return (f"{name}.{which} takes *args: name its inputs instead, "
                f"e.g. def {which}(self, x, y):"), []
    return None, [p.name + ("=" if p.default is not inspect.Parameter.empty else "")
                  for p in rest if p.kind in positional]


def spec_of(gate: Any, name: str | None, constants: dict[str, Any], shapes: Any = None) -> Spec:
    """The :class:`Spec` of a gate class (or of an instance's class); StopCheck where it cannot be checked."""
    if not isinstance(gate, type):
        if gate is None or isinstance(gate, (Real, str, list, tuple, dict)) or (
                callable(gate) and not hasattr(gate, "forward")):
            raise StopCheck("error", f"check_gate needs your gate class, e.g. check_gate(MultiplyGate); "
                                     f"got {type(gate).__name__}.")
        gate = type(gate)  # an instance: check its class
    label = name or gate.__name__
    problem, params = method_problem(gate, "forward")
    if problem:
        raise StopCheck("error", problem)
    # a parameter with a default (eps=1e-5) is an input only when given a shape or a value
    params = [p.rstrip("=") for p in params if not p.endswith("=") or p.rstrip("=") in constants
              or isinstance(shapes, dict) and p.rstrip("=") in shapes]
    problem, bparams = method_problem(gate, "backward")
    if problem:
        raise StopCheck("error", problem)
    bparams = [p.rstrip("=") for p in bparams]
    if not bparams:
        raise StopCheck("error", f"{label}.backward(self) takes no upstream gradient: write def backward(self, dz): "
                                 "the gradient of the loss with respect to the gate's output comes in as dz.")
    unknown = [c for c in constants if c not in params]
    if unknown:
        raise ValueError(f"constants {unknown} are not parameters of {label}.forward{tuple(params)}")
    inputs = [p for p in params if p not in constants]
    if not inputs:
        raise StopCheck("error", f"{label}.forward(self) takes no inputs: write def forward(self, x, y):")
    up = bparams[0]
    out = up[1:] if len(up) > 1 and up.startswith("d") else "out"
    return Spec(gate, label, params, inputs, up, out)


def _new(spec: Spec) -> Any:
    try:
        return limits.call(f"{spec.cls.__name__}()", spec.cls)
    except StopCheck:
        raise
    except TypeError as e:
        raise StopCheck("error", f"check_gate makes a fresh {spec.cls.__name__}() for every test, so "
                                 f"{spec.cls.__name__}() must work without arguments; "
                                 f"it raised TypeError: {e}") from None
    except Exception as e:
        raise StopCheck("error", raised_message(e, f"{spec.cls.__name__}()")) from None


def grad_names(spec: Spec) -> list[str]:
    """The gradients' names, one per input: ``["dx", "dy"]``."""
    return [f"d{p}" for p in spec.inputs]


# -- calling the student's code ---------------------------------------------------------


def copy_if_array(a: Any) -> Any:
    """A copy of a numpy array (the student's code may change it in place); anything else as it is."""
    return a.copy() if isinstance(a, np.ndarray) else a


def not_a_number(x: Any) -> str | None:
    """Why ``x`` is not a number or an array of numbers (None when it is)."""
    if isinstance(x, (Value, Tensor)):
        return (f"a vizgrad {type(x).__name__}: a gate works on plain numbers "
                "(and numpy arrays), not on vizgrad nodes")
    if isinstance(x, (str, bytes)):
        return f"a string ({x!r:.40})"
    if isinstance(x, (complex, np.complexfloating)) or isinstance(x, np.ndarray) and x.dtype.kind == "c":
        return "a complex number"
    if isinstance(x, (dict, set)) or callable(x):
        return f"a {type(x).__name__}"
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return f"a {type(x).__name__} that is not made of numbers"
    if a.dtype == object:
        return f"a {type(x).__name__} that is not made of numbers"
    return None


def _todo_name(e: NameError, names: list[str]) -> str | None:
    missing = getattr(e, "name", None)
    if missing is None:
        m = re.search(r"'([^']+)'", str(e))
        missing = m.group(1) if m else None
    return missing if missing in names else None


def run_forward(spec: Spec, values: dict[str, Any], consts: dict[str, Any]) -> tuple[Any, np.ndarray]:
    """(the gate, its output as a float array) for one forward call on a fresh gate."""
    gate = _new(spec)
    args = [copy_if_array(values[p]) if p in values else copy_if_array(consts[p]) for p in spec.params]
    try:
        out = limits.call(f"{spec.name}.forward", gate.forward, *args)
    except StopCheck:
        raise
    except NotImplementedError:
        raise StopCheck("todo", f"{spec.name}: not implemented yet — forward raised NotImplementedError. "
                                "Replace the raise NotImplementedError() with your code, then run the cell again."
                            ) from None
    except Exception as e:
        raise StopCheck("error", f"{spec.name}: " + raised_message(e, "forward") + _domain_hint(spec, e)) from None
    if out is None:
        raise StopCheck("todo", f"{spec.name}: not implemented yet — forward returned None "
                                f"(did you forget to return {spec.out}?).")
    if out is Ellipsis:
        raise StopCheck("todo", f"{spec.name}: not implemented yet — forward returned ... (Ellipsis).")
    why = not_a_number(out)
    if why:
        raise StopCheck("error", f"{spec.name}: forward should return a number (or a numpy array), got {why}.")
    return gate, np.array(out, dtype=np.float64)


def run_backward(spec: Spec, gate: Any, dz: Any, shapes: dict[str, tuple], kind: str = "") -> list[np.ndarray]:
    """The student's gradients, one float array per input, of the right shape (else StopCheck)."""
    res = _call_backward(spec, gate, dz)
    grads = [_one_gradient(spec, res)] if len(spec.inputs) == 1 else _gradients(spec, res, shapes)
    out = _gradient_arrays(spec, grads, shapes)
    _check_shapes(spec, out, dz, shapes, kind)
    return out


def _todo(spec: Spec, what: str) -> StopCheck:
    """A "not implemented yet" stop for ``spec``'s gate."""
    return StopCheck("todo", f"{spec.name}: not implemented yet — {what}")


def _wanted(spec: Spec) -> str:
    """What backward should return, e.g. ``[dx, dy]``."""
    return f"[{', '.join(grad_names(spec))}]"


def _call_backward(spec: Spec, gate: Any, dz: Any) -> Any:
    """What the student's backward returns for upstream ``dz``; TODOs and errors stop the check."""
    dnames = grad_names(spec)
    try:
        res = limits.call(f"{spec.name}.backward", gate.backward, copy_if_array(dz))
    except StopCheck:
        raise
    except NotImplementedError:
        raise _todo(spec, "backward raised NotImplementedError. Replace the "
                          f"raise NotImplementedError() with your code ({plural(dnames)}), "
                          "then run the cell again.") from None
    except NameError as e:
        missing = _todo_name(e, dnames)
        if missing:
            raise _todo(spec, f"{missing} is not defined yet: write {missing} = … in backward.") from None
        hint = ("\nHint: a value from forward is not visible in backward unless forward keeps it "
                "on the gate (self.x = x) and backward reads it back (self.x).")
        raise StopCheck("error", f"{spec.name}: " + raised_message(e, "backward") + hint) from None
    except Exception as e:
        raise StopCheck("error", f"{spec.name}: " + raised_message(e, "backward")) from None
    if res is None:
        raise _todo(spec, f"backward returned None (not written yet, or a missing return {_wanted(spec)}?).")
    if res is Ellipsis:
        raise _todo(spec, "backward returned ... (Ellipsis).")
    return res


def _one_gradient(spec: Spec, res: Any) -> Any:
    """The gradient of a gate with one input: ``dx``, ``[dx]``, or one per parameter of forward."""
    if not isinstance(res, (list, tuple)):
        return res
    if len(res) == 1:
        return res[0]
    if len(res) == len(spec.params):
        return res[spec.params.index(spec.inputs[0])]
    d = grad_names(spec)[0]
    raise StopCheck("error", f"{spec.name}: backward returned {len(res)} gradients, but forward has "
                             f"one input ({spec.inputs[0]}): return [{d}] (or {d}).")


def _gradients(spec: Spec, res: Any, shapes: dict[str, tuple]) -> list:
    """The gradients of a gate with several inputs, one per input (else StopCheck)."""
    names, n, want = spec.inputs, len(spec.inputs), _wanted(spec)
    if isinstance(res, np.ndarray) and res.dtype != object and res.ndim >= 1 and res.shape[0] == n and \
            all(shapes[p] == () for p in names):
        res = list(res)
    if not isinstance(res, (list, tuple)):
        what = not_a_number(res) or ("one number" if np.ndim(res) == 0 else f"a {type(res).__name__}")
        raise StopCheck("error", f"{spec.name}: backward should return a list {want}, one gradient per "
                                 f"input of forward, got {what}.")
    if len(res) == len(spec.params) and len(res) != n:
        res = [res[spec.params.index(p)] for p in names]
    if len(res) != n:
        raise StopCheck("error", f"{spec.name}: backward returned {len(res)} gradient{'s' * (len(res) != 1)}, "
                                 f"but forward has {n} inputs ({', '.join(names)}): return {want}.")
    return list(res)


def _gradient_arrays(spec: Spec, grads: list, shapes: dict[str, tuple]) -> list[np.ndarray]:
    """The gradients as float arrays (a number's as a 0-d array); TODOs and non-numbers stop the check."""
    names, dnames, want = spec.inputs, grad_names(spec), _wanted(spec)
    for g, d in zip(grads, dnames, strict=False):
        if g is None:
            raise _todo(spec, f"{d} is None (return {want} once you have computed {d}).")
        if g is Ellipsis:
            raise _todo(spec, f"{d} is still ... (Ellipsis).")
    out = []
    for g, p, d in zip(grads, names, dnames, strict=False):
        why = not_a_number(g)
        if why:
            raise StopCheck("error", f"{spec.name}: {d} should be {'a number' if shapes[p] == () else 'an array'} "
                                     f"(the gradient of {p}), got {why}.", wrong=(d,))
        a = np.array(g, dtype=np.float64)
        out.append(a.reshape(()) if shapes[p] == () and a.size == 1 else a)
    return out


def _check_shapes(spec: Spec, out: list[np.ndarray], dz: Any, shapes: dict[str, tuple], kind: str) -> None:
    """Stop with "wrong" at the first gradient whose shape is not its input's."""
    for k, (a, p, d) in enumerate(zip(out, spec.inputs, grad_names(spec), strict=False)):
        want_shape = shapes[p]
        if a.shape == want_shape:
            continue
        expected = {k: f"shape {shape_text(want_shape)}"}
        if want_shape == ():
            raise StopCheck("wrong", f"{spec.name}: {d} should be one number, like {p}, but it is an array "
                                     f"of shape {shape_text(a.shape)}.", wrong=(d,), grads=out, expected=expected)
        raise StopCheck("wrong", _shape_message(spec, p, d, a.shape, want_shape, kind, shapes, np.shape(dz)),
                        wrong=(d,), grads=out, expected=expected)


def _shape_message(spec: Spec, p: str, d: str, got: tuple, want: tuple, kind: str,
                   shapes: dict[str, tuple], dz_shape: tuple) -> str:
    text = (f"{spec.name}: {d} has shape {shape_text(got)}, but {p} has shape {shape_text(want)}. "
            f"The gradient of an input always has that input's shape (so {d} has {p}'s shape).")
    if len(got) == len(want) == 2 and got == want[::-1]:
        text += f"\nHint: {shape_text(got)} is {shape_text(want)} reversed: {d} looks transposed."
        if kind == "matmul":
            other = [q for q in spec.inputs if q != p][0]
            text += (f" Dimension analysis: {d} combines {spec.upstream} {shape_text(dz_shape)} with "
                     f"{other} {shape_text(shapes[other])}; which order of the product, and which transpose, "
                     f"gives {shape_text(want)}?")
    else:
        try:
            broadcast = np.broadcast_shapes(got, want) == got and len(got) > len(want)
        except ValueError:
            broadcast = False
        if broadcast:
            axes = tuple(range(len(got) - len(want)))
            axis = axes[0] if len(axes) == 1 else axes
            text += (f"\nHint: {p} was broadcast in forward (reused for every row), so its gradient "
                     f"adds up what comes back from every row: sum over axis {axis} (.sum(axis={axis})).")
    return text


def domain_hint(spec: Spec) -> str:
    """How to check a gate only where it is defined (the ``domain`` option of check_gate)."""
    return (f"\nHint: if {spec.cls.__name__} is only defined for some inputs (log needs x > 0, sqrt x >= 0), "
            f"check it there: check_gate({spec.cls.__name__}, domain=(0.1, 3.0)) draws the random inputs "
            "from that range.")


def _domain_hint(spec: Spec, e: BaseException) -> str:
    text = str(e).lower()
    if isinstance(e, (ValueError, OverflowError, ZeroDivisionError)) and ("domain" in text or "range" in text
                                                                          or "zero" in text):
        return domain_hint(spec)
    return ""
