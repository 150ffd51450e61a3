"""Exercise 2: the student's computational-graph object (check_net, draw_net)."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..base.lazy_numpy import lazy
from ..engine.trace import Trace, trace
from ..engine.value import Value
from . import limits
from ._support.calls import not_a_number
from ._support.numerics import all_close
from ._support.picture import Picture, PictureOp, PictureVar, render_picture
from ._support.points import random_upstream
from ._support.reference import ReferenceGate, default_label, reference_label, reference_op
from ._support.result import CheckResult, StopCheck, make_result
from ._support.text import num, plural
from ._support.where import raised_message

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats

_NETS = [
    ("f = (x + y) · z, the lecture's circuit",
     [("q", "add", ["x", "y"]), ("f", "mul", ["q", "z"])], {"x": -2.0, "y": 5.0, "z": -4.0}),
    ("f = x · y + x, where x feeds two gates (a fork)",
     [("a", "mul", ["x", "y"]), ("f", "add", ["a", "x"])], {"x": 3.0, "y": -2.0}),
    ("f = q · q with q = x + y, where one gate uses q twice",
     [("q", "add", ["x", "y"]), ("f", "mul", ["q", "q"])], {"x": 1.5, "y": -0.5}),
    ("f = σ(w0·x0 + w1·x1 + w2), the lecture's neuron",
     [("a", "mul", ["w0", "x0"]), ("b", "mul", ["w1", "x1"]), ("c", "add", ["a", "b"]),
      ("s", "add", ["c", "w2"]), ("f", "sigmoid", ["s"])],
     {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}),
]


def _call(what: str, shown: str, fn: Any, args: tuple = (), kw: dict | None = None, *,
          todo: str, before: str, after: str = "") -> Any:
    """``limits.call(what, fn, *args, **kw)``, the student's errors as feedback: NotImplementedError stops
    with "todo" and ``todo``; another error with "error", ``before`` + what ``shown`` raised + ``after``."""
    try:
        return limits.call(what, fn, *args, **(kw or {}))
    except StopCheck:
        raise
    except NotImplementedError:
        raise StopCheck("todo", todo) from None
    except Exception as e:
        raise StopCheck("error", before + raised_message(e, shown) + after) from None


def _reference_values(nodes: list, inputs: dict[str, float]) -> tuple[dict[str, Value], Any]:
    vals: dict[str, Value] = {k: Value(v, name=k) for k, v in inputs.items()}
    for name, kind, ins in nodes:
        vals[name] = reference_op(kind, *[vals[i] for i in ins])
        vals[name].name = name
    return vals, vals[nodes[-1][0]]


def _net_picture(nodes: list, values: dict[str, Any], got: dict[str, Any], expected: dict[str, Any],
                 wrong: set[str], labels: dict[str, str] | None = None) -> Picture:
    produced = {n[0] for n in nodes}
    order: list[str] = []
    for _, _, ins in nodes:
        for i in ins:
            if i not in produced and i not in order:
                order.append(i)
    order += [n[0] for n in nodes]
    vars_ = [PictureVar(k, k, values.get(k), got.get(k), expected=expected.get(k), wrong=k in wrong,
                        leaf=k not in produced) for k in order]
    ops = [PictureOp(f"op:{name}", (labels or {}).get(name, reference_label(kind)), list(ins), name)
           for name, kind, ins in nodes]
    return Picture(vars_, ops)


def _picture_with(nodes: list, values: dict[str, Any], expected: dict[str, Any], got: dict[str, Any],
                  wrong: frozenset[str] | set[str] = frozenset()) -> Picture:
    return _net_picture(nodes, values, got, expected, set(wrong))


def check_net(net_class: Any, *, seed: int = 0, time_limit: float | None = None) -> CheckResult:
    """Check exercise 2's graph object on small graphs, forks included.

    ``net_class(nodes)`` takes ``(name, gate, [input names])`` triples (in any order);
    ``net.forward(**inputs)`` returns the output's value and ``net.backward(dout)``
    returns ``{name: gradient}`` for every input (and intermediate) variable. The gates
    used are correct reference gates, so only the graph object is being checked. Your
    code runs under limits, as in :func:`check_gate` (``time_limit``).
    """
    label = getattr(net_class, "__name__", "Net")
    if not isinstance(net_class, type):
        return make_result(label, "error", f"check_net needs your graph class, e.g. check_net(Net); "
                                           f"got {type(net_class).__name__}.")
    with limits.Limits(time_limit, check="check_net"):
        return _check_nets(net_class, label, np.random.default_rng(seed))


def _check_nets(net_class: type, label: str, rng: np.random.Generator) -> CheckResult:
    """Check ``net_class`` on every test graph: the first one it gets wrong, or a pass."""
    for desc, spec_nodes, inputs in _NETS:
        try:
            wrong = _check_graph(net_class, label, rng, desc, spec_nodes, inputs)
        except StopCheck as s:
            return make_result(label, s.status, s.message)
        if wrong is not None:
            return wrong
    desc, spec_nodes, inputs = _NETS[0]
    ref_vals, ref_out = _reference_values(spec_nodes, inputs)
    ref_out.backward()
    values = {k: v.data for k, v in ref_vals.items()}
    grads = {k: v.grad for k, v in ref_vals.items()}
    return make_result(label, "passed",
                       f"{label} passed: forward and backward are right on {len(_NETS)} graphs: "
                       + "; ".join(d for d, _, _ in _NETS) + ", each with a random dout.",
                       _picture=_net_picture(spec_nodes, values, grads, {}, set()))


def _check_graph(net_class: type, label: str, rng: np.random.Generator, desc: str, spec_nodes: list,
                 inputs: dict[str, float]) -> CheckResult | None:
    """Build ``net_class`` for one test graph and run it forward and backward: a wrong result, or None."""
    out_name = spec_nodes[-1][0]
    nodes = [(name, ReferenceGate(kind), list(ins)) for name, kind, ins in spec_nodes]
    shuffled = [nodes[k] for k in rng.permutation(len(nodes))]
    ref_vals, ref_out = _reference_values(spec_nodes, inputs)
    tr = trace(ref_out)
    dout = random_upstream(rng, ())
    expected = {k: tr.grad(v) * dout for k, v in ref_vals.items()}
    values = {k: v.data for k, v in ref_vals.items()}
    picture = partial(_picture_with, spec_nodes, values, expected)
    net = _call(f"{label}(nodes)", f"{label}(nodes)", net_class, (shuffled,), before=f"{label}: ",
                todo=f"{label}: not implemented yet — {label}(nodes) raised NotImplementedError.")
    got_out = _net_output(net, label, desc, inputs)
    if not all_close(float(np.asarray(got_out).reshape(())), ref_out.data):
        return make_result(label, "wrong",
                           f"{label}: forward is wrong on {desc}: at "
                           f"{', '.join(f'{k} = {num(v)}' for k, v in inputs.items())} the output "
                           f"{out_name} should be {num(ref_out.data)}, got {num(got_out)}.\n"
                           "Hint: run every gate in topological order (inputs before the gates that use "
                           "them), storing each gate's output under its name, and return the last one.",
                           wrong=(out_name,), inputs=dict(inputs), _picture=picture({}))
    grads = _net_gradients(net, label, desc, dout)
    checked = [k for k in inputs] + [k for k in values if k not in inputs and k in grads]
    missing = [k for k in inputs if k not in grads]
    if missing:
        return make_result(label, "wrong",
                           f"{label}: backward's result has no gradient for {plural(missing)} on {desc}. "
                           "It should hold the gradient of every input variable.",
                           wrong=tuple(missing), _picture=picture({k: grads.get(k) for k in values}))
    got = {}
    for k in checked:
        why = not_a_number(grads[k])
        if why or np.size(grads[k]) != 1:
            raise StopCheck("error", f"{label}: the gradient of {k} should be a number, got "
                                     f"{why or type(grads[k]).__name__}.")
        got[k] = float(np.asarray(grads[k], dtype=np.float64).reshape(()))
    wrong = [k for k in checked if not all_close(got[k], expected[k])]
    if not wrong:
        return None
    lines = [f"{label}: backward is wrong on {desc}, at "
             f"{', '.join(f'{k} = {num(v)}' for k, v in inputs.items())} with dout = {num(dout)}:"]
    lines += [f"  d{k}: expected {num(expected[k])}, got {num(got[k])}" for k in wrong]
    hints = _backward_hints(tr, ref_vals, wrong, got, expected, dout)
    lines += [f"Hint: {h}" for h in dict.fromkeys(hints)]
    return make_result(label, "wrong", "\n".join(lines), wrong=tuple("d" + k for k in wrong),
                       hints=tuple(hints), inputs=dict(inputs), upstream=dout,
                       expected={"d" + k: expected[k] for k in checked},
                       got={"d" + k: got[k] for k in checked}, _picture=picture(got, set(wrong)))


def _net_output(net: Any, label: str, desc: str, inputs: dict[str, float]) -> Any:
    """What ``net.forward(**inputs)`` returns, which must be one number (else StopCheck)."""
    got_out = _call(f"{label}.forward", "forward", net.forward, kw=dict(inputs), before=f"{label}: ",
                    after=f"\non {desc}.",
                    todo=f"{label}: not implemented yet — forward raised NotImplementedError.")
    if got_out is None:
        raise StopCheck("todo", f"{label}: not implemented yet — forward returned None.")
    why = not_a_number(got_out)
    if why or np.size(got_out) != 1:
        raise StopCheck("error", f"{label}: forward should return the output's value (a number), got "
                                 f"{why or type(got_out).__name__}.")
    return got_out


def _net_gradients(net: Any, label: str, desc: str, dout: float) -> dict:
    """What ``net.backward(dout)`` returns, which must be a dict (else StopCheck)."""
    grads = _call(f"{label}.backward", "backward", net.backward, (dout,),
                  before=f"{label}: forward works ✔, but ", after=f"\non {desc}, with dout = {num(dout)}.",
                  todo=f"{label}: forward works ✔; backward is not implemented yet "
                       "(it raised NotImplementedError).")
    if grads is None:
        raise StopCheck("todo", f"{label}: forward works ✔; backward is not implemented yet (it returned None).")
    if not isinstance(grads, dict):
        raise StopCheck("error", f"{label}: backward should return a dict {{name: gradient}}, "
                                 f"got {type(grads).__name__}.")
    return grads


def _backward_hints(tr: Trace, ref_vals: dict[str, Value], wrong: list[str], got: dict[str, float],
                    expected: dict[str, float], dout: float) -> list[str]:
    """Hints for wrong gradients: a fork's contributions overwritten, or backward started from 1."""
    hints = []
    for k in wrong:
        sources = tr.backward_step(ref_vals[k]).sources
        parts = [e.contribution * dout for e in sources]
        if len(parts) > 1 and any(all_close(got[k], c) for c in parts):
            hints.append(f"{k} is used {len(parts)} times (a fork), so its gradient is the sum of "
                         f"what comes back along each use ({' + '.join(num(c) for c in parts)}). "
                         "Add each contribution to what is already there instead of overwriting it.")
        elif all_close(got[k] * dout, expected[k]) and not all_close(got[k], expected[k]):
            hints.append(f"start backward from dout (here {num(dout)}), the upstream gradient "
                         "passed to backward, not from 1.")
    if not hints:
        hints.append("go through the gates in reverse topological order; each gate's backward "
                     "gets the gradient of its output and returns those of its inputs.")
    return hints


def draw_net(net: Any, dout: float = 1.0, **inputs: float) -> Any:
    """Run ``net.forward(**inputs)`` and ``net.backward(dout)`` and draw the graph.

    ``net`` is an object of exercise 2's graph class (with ``net.nodes``, the
    ``(name, gate, [input names])`` triples). Returns a :class:`graphviz.Digraph` with
    every variable's value (green) and gradient (red), or a "not implemented yet"
    message while forward or backward is still a TODO.
    """
    label = type(net).__name__
    nodes = list(getattr(net, "nodes", []) or [])
    if not nodes:
        return make_result(label, "error", f"draw_net needs a {label} whose .nodes holds its "
                                           "(name, gate, [input names]) triples.")
    try:
        with limits.Limits():
            out = _call(f"{label}.forward", "forward", net.forward, kw=inputs, before=f"{label}: ",
                        todo=f"{label}: not implemented yet — forward raised NotImplementedError.")
            if out is None:
                raise StopCheck("todo", f"{label}: not implemented yet — forward returned None.")
            values = dict(getattr(net, "values", {}) or {})
            values.setdefault(nodes[-1][0], out)
            values.update(inputs)
            grads = _call(f"{label}.backward", "backward", net.backward, (dout,), before=f"{label}: ",
                          todo=f"{label}: backward is not implemented yet (forward gives {num(out)}).")
            if not isinstance(grads, dict):
                raise StopCheck("todo" if grads is None else "error",
                                f"{label}: backward should return a dict {{name: gradient}}, "
                                f"got {type(grads).__name__}.")
    except StopCheck as s:
        return make_result(label, s.status, s.message)
    labels = {name: default_label(type(gate)) for name, gate, _ in nodes}
    spec = [(name, type(gate).__name__, list(ins)) for name, gate, ins in nodes]
    return render_picture(_net_picture(spec, values, grads, {}, set(), labels))
