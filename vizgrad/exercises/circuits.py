"""check_circuit and scrub: circuits wired from the student's ops."""

from __future__ import annotations

import re
import types
import warnings
from typing import Any, Callable

from ..base.lazy_numpy import lazy
from ..engine.graph import topological_order
from ..engine.tensor import Tensor
from ..engine.trace import trace
from ..engine.value import Value
from . import limits
from ._support.numerics import all_close
from ._support.picture import Picture, PictureOp, PictureVar
from ._support.reference import reference_for
from ._support.result import CheckResult, GateError, NotImplementedYet, StopCheck, make_result
from ._support.text import num, plural
from ._support.where import raised_message, student_line

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats


def _call_circuit(fn: Callable, label: str, values: dict[str, Any]) -> Any:
    """Run the student's function on fresh Values; StopCheck for TODOs and errors."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NotImplementedYet)
        try:
            out = limits.call(label, fn, **values)
        except StopCheck:
            raise
        except NotImplementedError:
            raise StopCheck("todo", f"{label}: not implemented yet — it raised NotImplementedError. "
                                    "Replace the raise NotImplementedError() with your code, then run the cell again."
                            ) from None
        except GateError as e:
            raise StopCheck("error", f"{label}: {e}") from None
        except TypeError as e:
            if re.search(r"unexpected keyword argument|missing \d+ required", str(e)) and not student_line(e):
                raise StopCheck("error", f"{label} is called with the inputs {', '.join(values)} by name: "
                                         f"{e}") from None
            raise StopCheck("error", f"{label}: " + raised_message(e, "function")) from None
        except Exception as e:
            raise StopCheck("error", f"{label}: " + raised_message(e, "function")) from None
    todo = sorted({str(w.message).split(" is not")[0] for w in caught if issubclass(w.category, NotImplementedYet)})
    for w in caught:  # the other warnings still reach the notebook
        if not issubclass(w.category, NotImplementedYet):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    if todo:
        raise StopCheck("todo", f"{label}: not implemented yet — it uses {plural(todo)}, which "
                                f"{'is' if len(todo) == 1 else 'are'} not implemented yet (finish "
                                f"{'it' if len(todo) == 1 else 'them'} above first).")
    if out is None:
        raise StopCheck("todo", f"{label}: not implemented yet — it returned None "
                                "(did you forget to return the output?).")
    if out is Ellipsis:
        raise StopCheck("todo", f"{label}: not implemented yet — it returned ... (Ellipsis).")
    if not isinstance(out, (Value, Tensor)):
        raise StopCheck("error", f"{label} should return the output node (a vizgrad Value made by your ops), "
                                 f"got {type(out).__name__}.")
    return out


def _graph_picture(out: Any, grads: dict[int, Any], leaves: dict[str, Any], expected: dict[str, Any],
                   wrong: set[str]) -> Picture:
    order = topological_order(out)
    by_id = {id(v): k for k, v in leaves.items()}
    vars_, ops = [], []
    for i, node in enumerate(order):
        key = f"n{i}"
        leaf_name = by_id.get(id(node))
        name = leaf_name or node.name or ""
        v = PictureVar(key, name, node.data, grads.get(id(node)), leaf=not node.op)
        if leaf_name is not None:
            v.expected = expected.get(leaf_name)
            v.wrong = leaf_name in wrong
        vars_.append(v)
    keys = {id(node): f"n{i}" for i, node in enumerate(order)}
    for i, node in enumerate(order):
        if node.op:
            ops.append(PictureOp(f"op{i}", node.op, [keys[id(c)] for c in node.inputs], keys[id(node)]))
    return Picture(vars_, ops)


def _code_names(code: types.CodeType) -> set[str]:
    """The global names ``code`` and the functions inside it use."""
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _code_names(c)
    return names


def with_reference_gates(fn: Callable[..., Any]) -> tuple[Callable[..., Any], list[str]]:
    """``fn`` with each op it names that :func:`as_op` made from a gate class replaced by vizgrad's
    own op for that gate (``mul`` from a ``MultiplyGate`` by ``*``); and the names replaced."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return fn, []
    def reference(value: Any) -> Any:
        gate = getattr(value, "gate", None)
        return reference_for(gate, str(getattr(value, "label", ""))) if isinstance(gate, type) else None

    scope = dict(fn.__globals__)
    swapped = []
    for name in sorted(_code_names(code)):
        ref = reference(scope.get(name))
        if ref is not None:
            scope[name] = ref
            swapped.append(name)
    closure = []
    for name, cell in zip(code.co_freevars, fn.__closure__ or (), strict=True):  # ops the function closes over
        try:
            ref = reference(cell.cell_contents)
        except ValueError:  # a name not bound yet
            ref = None
        closure.append(cell if ref is None else types.CellType(ref))
        if ref is not None:
            swapped.append(name)
    swapped.sort()
    new = types.FunctionType(code, scope, fn.__name__, fn.__defaults__, tuple(closure) or None)
    new.__kwdefaults__ = fn.__kwdefaults__
    return new, swapped


def check_circuit(fn: Callable[..., Any], reference: Callable[..., Any], *, trials: int = 2, seed: int = 0,
                  name: str | None = None, time_limit: float | None = None, reference_gates: bool = False,
                  **inputs: float) -> CheckResult:
    """Check a circuit wired from your ops against a reference formula.

    ``fn(**values)`` builds the circuit from :class:`~vizgrad.Value` inputs named as in
    ``inputs`` (e.g. with ops from :func:`as_op`) and returns its output;
    ``reference(**values)`` computes the same function with vizgrad's own ops. The
    output and the gradient of every input are compared (vizgrad.trace of your circuit
    vs. backprop through the reference) at ``inputs`` and at ``trials`` random points
    near them. Your code runs under limits, as in :func:`check_gate` (``time_limit``).

    With ``reference_gates=True`` the ops of your gates that ``fn`` uses (made by :func:`as_op`)
    are replaced by vizgrad's own, so only the wiring is checked: a mistake in a gate is then
    not counted again here.
    """
    label = name or getattr(fn, "__name__", "your circuit")
    if reference_gates:
        fn, swapped = with_reference_gates(fn)
        if swapped:
            label += f" (with vizgrad's own {plural(swapped)})"
    if not inputs:
        raise TypeError("check_circuit(fn, reference, x=..., y=...) needs the inputs as keywords")
    rng = np.random.default_rng(seed)
    points = [dict(inputs)] + [{k: round(float(v) + rng.uniform(-1, 1), 2) for k, v in inputs.items()}
                               for _ in range(trials)]
    with limits.Limits(time_limit, check="check_circuit"):
        return _check_circuit_at(fn, reference, label, inputs, points)


def _check_circuit_at(fn: Callable[..., Any], reference: Callable[..., Any], label: str, inputs: dict[str, float],
                      points: list[dict[str, float]]) -> CheckResult:
    shown: tuple | None = None
    try:
        for point in points:
            leaves = {k: Value(float(v), name=k) for k, v in point.items()}
            out = _call_circuit(fn, label, leaves)
            tr = limits.call(f"{label} (the backward pass through your ops)", trace, out)
            grads = {id(n): tr.grad(n) for n in tr.nodes}
            if shown is None:
                shown = (out, grads, leaves)
            ref_leaves = {k: Value(float(v), name=k) for k, v in point.items()}
            ref = reference(**ref_leaves)
            ref.backward()
            expected = {k: v.grad for k, v in ref_leaves.items()}
            got = {k: grads.get(id(v), 0.0) for k, v in leaves.items()}
            at = ", ".join(f"{k} = {num(v)}" for k, v in point.items())
            if not all_close(out.data, ref.data):
                return make_result(label, "wrong",
                                   f"{label}: the output is wrong: at {at} it is {num(out.data)}, but it should be "
                                   f"{num(ref.data)}. Check how the gates are wired (which inputs go into which gate).",
                                   inputs=point, _picture=_graph_picture(out, grads, leaves, {}, set()))
            wrong = [k for k in point if not all_close(got[k], expected[k])]
            if wrong:
                lines = [f"{label}: {plural(['d' + k for k in wrong])} {'is' if len(wrong) == 1 else 'are'} "
                         f"wrong at {at}:"]
                lines += [f"  d{k}: expected {num(expected[k])}, got {num(got[k])}" for k in wrong]
                unused = [k for k in wrong if id(leaves[k]) not in grads]
                if unused:
                    lines.append(f"Hint: {plural(unused)} {'is' if len(unused) == 1 else 'are'} not used by "
                                 "your circuit.")
                else:
                    lines.append("Hint: the output is right, so a gate's backward is wrong: run its "
                                 "check_gate again, or scrub through the circuit to see where the gradient "
                                 "goes astray.")
                return make_result(label, "wrong", "\n".join(lines), wrong=tuple("d" + k for k in wrong),
                                   inputs=point, expected={"d" + k: expected[k] for k in point},
                                   got={"d" + k: got[k] for k in point},
                                   _picture=_graph_picture(out, grads, leaves, expected, set(wrong)))
    except StopCheck as s:
        return make_result(label, s.status, s.message)
    out, grads, first = shown
    text = ", ".join(f"d{k} = {num(grads.get(id(v), 0.0))}" for k, v in first.items())
    return make_result(label, "passed",
                       f"{label} passed: its output and gradients match at {len(points)} points; at "
                       f"{', '.join(f'{k} = {num(v)}' for k, v in inputs.items())}: {text}.",
                       inputs=dict(inputs), got={"d" + k: grads.get(id(v), 0.0) for k, v in first.items()},
                       _picture=_graph_picture(out, grads, first, {}, set()))


def scrub(fn: Callable[..., Any], **inputs: Any) -> Any:
    """:func:`vizgrad.scrub` of ``fn`` with sliders for ``inputs``, or a note if it is not done yet.

    Like ``vizgrad.scrub(fn, x=..., ...)``, but a function that is still a TODO (it raises
    NotImplementedError or returns None) gives a "not implemented yet" message instead
    of an error. Falls back to a static drawing where the scrubber is not available.
    """
    label = getattr(fn, "__name__", "your circuit")
    values = {k: Value(float(v[0] if isinstance(v, (tuple, list)) else v), name=k) for k, v in inputs.items()}
    try:
        with warnings.catch_warnings(), limits.Limits():
            warnings.simplefilter("ignore", NotImplementedYet)  # shown again by the real call
            try:
                limits.call(label, fn, **values)
            except StopCheck:
                raise
            except NotImplementedError:
                raise StopCheck("todo", f"{label}: not implemented yet — it raised NotImplementedError.") from None
            except GateError as e:
                raise StopCheck("error", f"{label}: {e}") from None
            except Exception as e:
                raise StopCheck("error", f"{label}: " + raised_message(e, "function")) from None
    except StopCheck as s:
        return make_result(label, s.status, s.message)
    try:
        from ..scrub import scrub as _scrub
    except Exception:  # the scrubber's widget library is missing: draw the finished pass
        from ..draw import draw

        return draw(fn(**{k: Value(v.data, name=k) for k, v in values.items()}))
    return _scrub(fn, **inputs)

