"""Feedback for the exercises: check the gates you write, and see where they are wrong.

The lecture ends with the forward/backward API of a gate::

    class MultiplyGate:
        def forward(self, x, y):
            self.x, self.y = x, y          # keep what backward will need
            return x * y
        def backward(self, dz):            # dz: the upstream gradient dL/dz
            dx = ...                       # your code
            dy = ...
            return [dx, dy]

* :func:`check_gate` tests ``backward`` against numerical derivatives of your own
  ``forward`` (central differences, a fresh gate for every evaluation), at random
  inputs *and* a random upstream gradient ``dz`` (never just 1), plus ties and zeros.
  It says in plain words which gradient is wrong, by how much, at which inputs, with
  a hint for the usual mistakes, and draws the gate with the wrong wire highlighted.
* :func:`as_op` turns your gate class into an op on :class:`~vizgrad.Value` and
  :class:`~vizgrad.Tensor`, so that circuits built from *your* gates can be traced,
  drawn and scrubbed with vizgrad.
* :func:`check_circuit` checks the gradients of a whole circuit wired from your ops,
  :func:`check_net` the computational-graph object of exercise 2, :func:`draw_net`
  draws one, :func:`scrub` scrubs a circuit that may still be a TODO, and
  :func:`ready` tells whether the last checks of some gates passed.

Every check returns a :class:`CheckResult`: ``.passed``, ``.status`` (``"passed"``,
``"wrong"``, ``"todo"`` or ``"error"``), ``.message`` in words, and ``.draw()``. A
notebook shows it as the message and the drawing. A TODO that is not done yet
(``raise NotImplementedError()``, ``None``, ``...``, an undefined ``dx``) is reported
as *not implemented yet*; an exception raised by your code is reported in one line,
with the line of your cell it came from.
"""

from __future__ import annotations

import contextlib
import html
import inspect
import io
import math
import os
import re
import sys
import traceback
import warnings
import weakref
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, Callable

import numpy as np

from .scene import _num as number_text
from .tensor import LocalGradient, Tensor
from .value import Value

__all__ = [
    "CheckResult",
    "GateError",
    "NotImplementedYet",
    "as_op",
    "check_circuit",
    "check_gate",
    "check_net",
    "draw_net",
    "ready",
    "scrub",
]

GREEN = "#2a9d3a"  # forward values, as in vizgrad's drawings
RED = "#d62728"  # gradients
INK = "#222222"
PASS = "#1a7f37"
TODO = "#9a6700"

STATUS_MARK = {"passed": "✔", "wrong": "✘", "todo": "…", "error": "✘"}


class GateError(RuntimeError):
    """Your gate raised an exception (or returned something unusable) inside an op."""


class NotImplementedYet(UserWarning):
    """An op made by :func:`as_op` used a gate whose forward or backward is still a TODO."""


class _Stop(Exception):
    """Ends a check early with this status and message."""

    def __init__(self, status: str, message: str, wrong: tuple[str, ...] = (), grads: list | None = None,
                 expected: dict[int, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.wrong = status, message, wrong
        self.grads, self.expected = grads, expected or {}


# -- numbers as text ------------------------------------------------------------------


def _num(v: float) -> str:
    return number_text(float(v), 4)


def _show(x: Any, indent: int = 0) -> str:
    """A number or an array for a message (an array's later lines indented by ``indent``)."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return _num(float(a))
    if a.size > 24:
        return f"an array of shape {_shape(a.shape)}"
    with np.printoptions(precision=4, suppress=True, floatmode="maxprec"):
        text = np.array2string(a, separator=", ", max_line_width=78 - indent)
    return text.replace("\n", "\n" + " " * indent)


def _short(x: Any) -> str:
    """A number or an array as a short label for a drawing."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return _num(float(a))
    if a.size <= 4:
        return "[" + ", ".join(_num(v) for v in a.ravel()) + "]" + ("" if a.ndim == 1 else f" {_shape(a.shape)}")
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return f"{'×'.join(map(str, a.shape))}, all nan/inf"
    return f"{'×'.join(map(str, a.shape))} in [{_num(finite.min())}, {_num(finite.max())}]"


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _plural(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# -- where in the student's code ------------------------------------------------------

_HERE = os.path.dirname(os.path.abspath(__file__))
_LIBS = tuple({os.path.dirname(os.__file__), os.path.dirname(np.__file__)})


def _internal(filename: str) -> bool:
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return path.startswith(_HERE) or path.startswith(_LIBS) or "site-packages" in path


def _is_cell(filename: str) -> bool:
    return bool(re.search(r"ipykernel_\d+[/\\]\d+\.py$", filename)) or filename.startswith(
        ("<ipython-input-", "<cell", "<string>"))


def _where(exc: BaseException) -> str:
    """``line N of your cell: <code>`` for the deepest line of the student's code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _internal(f.filename)]
    if not frames:
        return ""
    f = frames[-1]
    place = "your cell" if _is_cell(f.filename) else os.path.basename(f.filename)
    code = (f.line or "").strip()
    return f"line {f.lineno} of {place}" + (f": {code}" if code else "")


def _raised(exc: BaseException, what: str) -> str:
    """``your backward raised ZeroDivisionError: division by zero (line 7 of your cell: ...)``."""
    text = str(exc)
    if len(text) > 200:
        text = text[:197] + "..."
    where = _where(exc)
    return f"your {what} raised {type(exc).__name__}" + (f": {text}" if text else "") + (
        f"\n    ({where})" if where else "")


# -- the result -----------------------------------------------------------------------


@dataclass
class _Var:
    key: str
    name: str  # "" for an unnamed intermediate value
    value: Any = None
    grad: Any = None  # None: not known
    grad_name: str = ""
    expected: Any = None
    wrong: bool = False
    leaf: bool = True


@dataclass
class _Op:
    key: str
    label: str
    inputs: list[str]
    output: str


@dataclass
class _Picture:
    vars: list[_Var]
    ops: list[_Op]


@dataclass(eq=False)
class CheckResult:
    """What a check found. True when it passed; shown in a notebook as words and a drawing.

    ``status`` is ``"passed"``, ``"wrong"`` (a gradient or value is wrong), ``"todo"``
    (not implemented yet) or ``"error"`` (your code raised, or returned something that
    is not a number or an array). ``wrong`` names the wrong gradients (``("dx",)``);
    ``inputs``, ``upstream``, ``expected`` and ``got`` describe the point reported.
    """

    name: str
    status: str
    message: str
    wrong: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)
    upstream: Any = None
    expected: dict[str, Any] = field(default_factory=dict)
    got: dict[str, Any] = field(default_factory=dict)
    _picture: _Picture | None = field(default=None, repr=False)
    _svg: str | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def draw(self) -> Any:
        """The gate (or circuit) with your gradients: a :class:`graphviz.Digraph`, or None.

        Forward values are green, your gradients red; a wrong gradient's wire is drawn
        thick and red, labelled with what you got and what was expected.
        """
        if self._picture is None:
            return None
        return _render(self._picture)

    def svg(self) -> str | None:
        """The drawing as SVG text, or None (no drawing, or Graphviz's ``dot`` is missing)."""
        if self._svg is None and self._picture is not None:
            try:
                raw = self.draw().pipe(format="svg").decode("utf-8")
            except Exception:  # dot missing or failing: the words still say it all
                return None
            self._svg = raw[raw.find("<svg"):] if "<svg" in raw else raw
        return self._svg

    def _repr_html_(self) -> str:
        color = {"passed": PASS, "todo": TODO}.get(self.status, RED)
        svg = self.svg()
        picture = f'<div style="margin-top:4px">{svg}</div>' if svg else ""
        return (
            f'<div class="vizgrad-check" data-status="{self.status}" '
            f'style="border-left:4px solid {color};padding:2px 10px;margin:4px 0">'
            f'<pre style="white-space:pre-wrap;margin:0;color:{color};background:none">'
            f"{html.escape(self.message)}</pre>{picture}</div>"
        )


def _result(name: str, status: str, message: str, **kw: Any) -> CheckResult:
    mark = STATUS_MARK[status]
    return CheckResult(name, status, f"{mark} {message}", **kw)


# -- drawing --------------------------------------------------------------------------


def _esc(text: Any) -> str:
    """A user's text made printable (control characters shown as ``\\xNN``)."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(text))


def _wire_rows(v: _Var) -> list[tuple[str, str, float, bool]]:
    rows = []
    if v.value is not None:
        rows.append((f"{v.name} = {_short(v.value)}" if v.name else _short(v.value), GREEN, 12.0, False))
    gname = v.grad_name or (f"d{v.name}" if v.name else "")
    grad = "?" if v.grad is None else _short(v.grad)
    if v.wrong:
        rows.append((f"✘ {gname}: got {grad}", RED, 12.0, True))
        if v.expected is not None:
            rows.append((f"expected {v.expected if isinstance(v.expected, str) else _short(v.expected)}",
                         INK, 12.0, False))
    elif v.grad is not None or v.leaf:
        rows.append((f"{gname} = {grad}" if gname else grad, RED, 12.0, False))
    return rows


def _render(p: _Picture) -> Any:
    """The picture drawn like every vizgrad graph: one layout, SVG by :mod:`vizgrad.svg`."""
    from .draw import Drawing
    from .frames import Frames
    from .layout import dot_lines
    from .scene import Element, Row, Scene

    ids = {v.key: f"v{i}" for i, v in enumerate(p.vars)}
    op_ids = {o.key: f"g{i}" for i, o in enumerate(p.ops)}
    producer = {o.output: op_ids[o.key] for o in p.ops}
    consumers: dict[str, list[str]] = {v.key: [] for v in p.vars}
    for o in p.ops:
        for k in o.inputs:
            consumers[k].append(op_ids[o.key])
    elements = [Element(op_ids[o.key], "gate", (Row(_esc(o.label)),)) for o in p.ops]
    for v in p.vars:
        rows = tuple(Row(_esc(text), color, size) for text, color, size, _ in _wire_rows(v))
        tail = producer.get(v.key)
        if tail is None:  # an input: its name at the start of its wire
            elements.append(Element(ids[v.key], "input", (Row(_esc(v.name or "input")),), flagged=v.wrong))
            tail = ids[v.key]
        heads = consumers[v.key]
        if not heads:  # the output: its name at the end of its wire
            elements.append(Element(ids[v.key], "output", (Row(_esc(v.name or "out")),)))
            heads = [ids[v.key]]
        for h in heads:
            elements.append(Element(f"e{len(elements)}", "wire", rows, tail=tail, head=h, flagged=v.wrong))
    scene = Scene(trace=None, elements=elements)  # type: ignore[arg-type]  (a picture, not a trace)
    drawing = Drawing("check")
    drawing.body.extend(f"\t{line}\n" for line in dot_lines(scene))

    drawing._picture = lambda: Frames.of_scene(scene).final_svg()
    return drawing


# -- looking at a gate class ------------------------------------------------------------


@dataclass
class _Spec:
    cls: type
    name: str
    params: list[str]  # forward's parameters after self, in order
    inputs: list[str]  # those that get a gradient (all but the constants)
    upstream: str  # backward's parameter, e.g. "dz"
    out: str  # the output's name, e.g. "z"


def _method_problem(cls: type, which: str) -> tuple[str | None, list[str]]:
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


def _spec(gate: Any, name: str | None, constants: dict[str, Any], shapes: Any = None) -> _Spec:
    if not isinstance(gate, type):
        if gate is None or isinstance(gate, (Real, str, list, tuple, dict)) or callable(gate) and not hasattr(gate, "forward"):
            raise _Stop("error", f"check_gate needs your gate class, e.g. check_gate(MultiplyGate); "
                                 f"got {type(gate).__name__}.")
        gate = type(gate)  # an instance: check its class
    label = name or gate.__name__
    problem, params = _method_problem(gate, "forward")
    if problem:
        raise _Stop("error", problem)
    # a parameter with a default (eps=1e-5) is an input only when given a shape or a value
    params = [p.rstrip("=") for p in params if not p.endswith("=") or p.rstrip("=") in constants
              or isinstance(shapes, dict) and p.rstrip("=") in shapes]
    problem, bparams = _method_problem(gate, "backward")
    if problem:
        raise _Stop("error", problem)
    bparams = [p.rstrip("=") for p in bparams]
    if not bparams:
        raise _Stop("error", f"{label}.backward(self) takes no upstream gradient: write def backward(self, dz): "
                             "the gradient of the loss with respect to the gate's output comes in as dz.")
    unknown = [c for c in constants if c not in params]
    if unknown:
        raise ValueError(f"constants {unknown} are not parameters of {label}.forward{tuple(params)}")
    inputs = [p for p in params if p not in constants]
    if not inputs:
        raise _Stop("error", f"{label}.forward(self) takes no inputs: write def forward(self, x, y):")
    up = bparams[0]
    out = up[1:] if len(up) > 1 and up.startswith("d") else "out"
    return _Spec(gate, label, params, inputs, up, out)


def _new(spec: _Spec) -> Any:
    try:
        return spec.cls()
    except TypeError as e:
        raise _Stop("error", f"check_gate makes a fresh {spec.cls.__name__}() for every test, so "
                             f"{spec.cls.__name__}() must work without arguments; it raised TypeError: {e}") from None
    except Exception as e:
        raise _Stop("error", _raised(e, f"{spec.cls.__name__}()")) from None


def _dnames(spec: _Spec) -> list[str]:
    return [f"d{p}" for p in spec.inputs]


# -- calling the student's code ---------------------------------------------------------


def _copy(a: Any) -> Any:
    return a.copy() if isinstance(a, np.ndarray) else a


def _not_a_number(x: Any) -> str | None:
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


def _run_forward(spec: _Spec, values: dict[str, Any], consts: dict[str, Any]) -> tuple[Any, np.ndarray]:
    """(the gate, its output as a float array) for one forward call on a fresh gate."""
    gate = _new(spec)
    args = [_copy(values[p]) if p in values else _copy(consts[p]) for p in spec.params]
    try:
        out = gate.forward(*args)
    except NotImplementedError:
        raise _Stop("todo", f"{spec.name}: not implemented yet — forward raised NotImplementedError. "
                            "Replace the raise NotImplementedError() with your code, then run the cell again.") from None
    except Exception as e:
        raise _Stop("error", f"{spec.name}: " + _raised(e, "forward")) from None
    if out is None:
        raise _Stop("todo", f"{spec.name}: not implemented yet — forward returned None "
                            f"(did you forget to return {spec.out}?).")
    if out is Ellipsis:
        raise _Stop("todo", f"{spec.name}: not implemented yet — forward returned ... (Ellipsis).")
    why = _not_a_number(out)
    if why:
        raise _Stop("error", f"{spec.name}: forward should return a number (or a numpy array), got {why}.")
    return gate, np.array(out, dtype=np.float64)


def _run_backward(spec: _Spec, gate: Any, dz: Any, shapes: dict[str, tuple], kind: str = "") -> list[np.ndarray]:
    """The student's gradients, one float array per input, of the right shape (else _Stop)."""
    names, dnames = spec.inputs, _dnames(spec)
    todo = f"{spec.name}: not implemented yet — "
    try:
        res = gate.backward(_copy(dz))
    except NotImplementedError:
        raise _Stop("todo", todo + "backward raised NotImplementedError. Replace the "
                                   f"raise NotImplementedError() with your code ({_plural(dnames)}), "
                                   "then run the cell again.") from None
    except NameError as e:
        missing = _todo_name(e, dnames)
        if missing:
            raise _Stop("todo", todo + f"{missing} is not defined yet: write {missing} = … in backward.") from None
        hint = ("\nHint: a value from forward is not visible in backward unless forward keeps it "
                "on the gate (self.x = x) and backward reads it back (self.x).")
        raise _Stop("error", f"{spec.name}: " + _raised(e, "backward") + hint) from None
    except Exception as e:
        raise _Stop("error", f"{spec.name}: " + _raised(e, "backward")) from None
    want = f"[{', '.join(dnames)}]"
    if res is None:
        raise _Stop("todo", todo + f"backward returned None (not written yet, or a missing return {want}?).")
    if res is Ellipsis:
        raise _Stop("todo", todo + "backward returned ... (Ellipsis).")
    n = len(names)
    if n == 1:
        if isinstance(res, (list, tuple)):
            if len(res) == 1:
                res = res[0]
            elif len(res) == len(spec.params):
                res = res[spec.params.index(names[0])]
            else:
                raise _Stop("error", f"{spec.name}: backward returned {len(res)} gradients, but forward has "
                                     f"one input ({names[0]}): return [{dnames[0]}] (or {dnames[0]}).")
        grads = [res]
    else:
        if isinstance(res, np.ndarray) and res.dtype != object and res.ndim >= 1 and res.shape[0] == n and \
                all(shapes[p] == () for p in names):
            res = list(res)
        if not isinstance(res, (list, tuple)):
            what = _not_a_number(res) or ("one number" if np.ndim(res) == 0 else f"a {type(res).__name__}")
            raise _Stop("error", f"{spec.name}: backward should return a list {want}, one gradient per "
                                 f"input of forward, got {what}.")
        if len(res) == len(spec.params) and len(res) != n:
            res = [res[spec.params.index(p)] for p in names]
        if len(res) != n:
            raise _Stop("error", f"{spec.name}: backward returned {len(res)} gradient{'s' * (len(res) != 1)}, "
                                 f"but forward has {n} inputs ({', '.join(names)}): return {want}.")
        grads = list(res)
    for g, d in zip(grads, dnames):
        if g is None:
            raise _Stop("todo", todo + f"{d} is None (return {want} once you have computed {d}).")
        if g is Ellipsis:
            raise _Stop("todo", todo + f"{d} is still ... (Ellipsis).")
    out = []
    for g, p, d in zip(grads, names, dnames):
        why = _not_a_number(g)
        if why:
            raise _Stop("error", f"{spec.name}: {d} should be {'a number' if shapes[p] == () else 'an array'} "
                                 f"(the gradient of {p}), got {why}.", wrong=(d,))
        a = np.array(g, dtype=np.float64)
        out.append(a.reshape(()) if shapes[p] == () and a.size == 1 else a)
    for k, (a, p, d) in enumerate(zip(out, names, dnames)):
        want_shape = shapes[p]
        if a.shape == want_shape:
            continue
        expected = {k: f"shape {_shape(want_shape)}"}
        if want_shape == ():
            raise _Stop("wrong", f"{spec.name}: {d} should be one number, like {p}, but it is an array "
                                 f"of shape {_shape(a.shape)}.", wrong=(d,), grads=out, expected=expected)
        raise _Stop("wrong", _shape_message(spec, p, d, a.shape, want_shape, kind, shapes, np.shape(dz)),
                    wrong=(d,), grads=out,
                    expected=expected)
    return out


def _shape_message(spec: _Spec, p: str, d: str, got: tuple, want: tuple, kind: str,
                   shapes: dict[str, tuple], dz_shape: tuple) -> str:
    text = (f"{spec.name}: {d} has shape {_shape(got)}, but {p} has shape {_shape(want)}. "
            f"The gradient of an input always has that input's shape (so {d} has {p}'s shape).")
    if len(got) == len(want) == 2 and got == want[::-1]:
        text += f"\nHint: {_shape(got)} is {_shape(want)} reversed: {d} looks transposed."
        if kind == "matmul":
            other = [q for q in spec.inputs if q != p][0]
            text += (f" Dimension analysis: {d} combines {spec.upstream} {_shape(dz_shape)} with "
                     f"{other} {_shape(shapes[other])}; which order of the product, and which transpose, "
                     f"gives {_shape(want)}?")
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


# -- numerical derivatives ------------------------------------------------------------

RTOL, ATOL = 1e-4, 1e-5


def _close(a: Any, b: Any, rtol: float = RTOL, atol: float = ATOL) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b))


def _allclose(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    return bool(np.all(_close(a, b)))


@dataclass
class _Trial:
    kind: str  # "random", "tie", "zeros", "zero", "given"
    point: dict[str, Any]
    dz: Any = None
    z: np.ndarray | None = None
    got: list[np.ndarray] = field(default_factory=list)
    center: list[np.ndarray] = field(default_factory=list)  # numerical gradient, upstream dz
    center1: list[np.ndarray] = field(default_factory=list)  # the same with upstream 1
    lo: list[np.ndarray] = field(default_factory=list)
    hi: list[np.ndarray] = field(default_factory=list)
    kink: list[np.ndarray] = field(default_factory=list)
    bad: list[int] = field(default_factory=list)
    ties: list[tuple] = field(default_factory=list)  # failing joint directions


def _numerics(spec: _Spec, t: _Trial, consts: dict[str, Any], shapes: dict[str, tuple],
              max_entries: int, rng: np.random.Generator) -> None:
    z0, dz = t.z, np.asarray(t.dz, dtype=np.float64)

    def at(shift: dict[str, tuple[Any, float]]) -> np.ndarray:
        values = dict(t.point)
        for name, (idx, h) in shift.items():
            a = np.array(values[name], dtype=np.float64)
            for i in idx:
                a[i] += h
            values[name] = a.item() if shapes[name] == () else a
        _, z = _run_forward(spec, values, consts)
        if z.shape != z0.shape:
            raise _Stop("error", f"{spec.name}: forward returned shape {_shape(z.shape)} at one input and "
                                 f"{_shape(z0.shape)} at another: the output's shape must depend only on "
                                 "the inputs' shapes.")
        return z

    def step(name: str, idx: tuple) -> float:
        return 1e-6 * max(1.0, abs(float(np.asarray(t.point[name], dtype=np.float64)[idx])))

    with np.errstate(all="ignore"):
        for p in spec.inputs:
            base = np.asarray(t.point[p], dtype=np.float64)
            c, c1 = np.full(base.shape, np.nan), np.full(base.shape, np.nan)
            lo, hi = np.full(base.shape, np.nan), np.full(base.shape, np.nan)
            kink = np.zeros(base.shape, dtype=bool)
            entries = list(np.ndindex(base.shape))
            if len(entries) > max_entries:
                entries = [entries[k] for k in sorted(rng.choice(len(entries), max_entries, replace=False))]
            for idx in entries:
                h = step(p, idx)
                zp, zm = at({p: ([idx], h)}), at({p: ([idx], -h)})
                dp = float(np.sum(dz * (zp - z0))) / h
                dm = float(np.sum(dz * (z0 - zm))) / h
                c[idx] = float(np.sum(dz * (zp - zm))) / (2 * h)
                c1[idx] = float(np.sum(zp - zm)) / (2 * h)
                lo[idx], hi[idx] = c[idx], c[idx]
                if abs(dp - dm) > 1e-3 * (1.0 + abs(dp) + abs(dm)):
                    kink[idx] = True
                    lo[idx], hi[idx] = min(dp, dm), max(dp, dm)
            t.center.append(c)
            t.center1.append(c1)
            t.lo.append(lo)
            t.hi.append(hi)
            t.kink.append(kink)


def _compare(spec: _Spec, t: _Trial, consts: dict[str, Any], shapes: dict[str, tuple]) -> None:
    """Fill ``t.bad`` (inputs whose gradient is out of bounds) and ``t.ties`` (joint directions)."""
    for i in range(len(spec.inputs)):
        g, lo, hi = t.got[i], t.lo[i], t.hi[i]
        known = ~np.isnan(lo)
        tol = ATOL + RTOL * np.maximum(np.abs(g), np.maximum(np.abs(lo), np.abs(hi)))
        with np.errstate(invalid="ignore"):
            ok = (g >= lo - tol) & (g <= hi + tol)
        if not np.all(ok[known]) or not np.all(np.isfinite(g)):
            t.bad.append(i)
    # at a kink, the directions that move all same-shaped inputs together must match too
    # (a max gate at a tie may send dz to either input, but not to both)
    seen: set[tuple] = set()
    z0, dz = t.z, np.asarray(t.dz, dtype=np.float64)
    for i, p in enumerate(spec.inputs):
        for idx in zip(*np.nonzero(t.kink[i])) if t.kink[i].ndim else ([()] if t.kink[i] else []):
            idx = tuple(int(k) for k in idx)
            key = (shapes[p], idx)
            if key in seen:
                continue
            seen.add(key)
            members = [j for j, q in enumerate(spec.inputs) if shapes[q] == shapes[p]]
            if len(members) < 2:
                continue
            h = 1e-6

            def at(sign: float) -> np.ndarray:
                values = dict(t.point)
                for j in members:
                    q = spec.inputs[j]
                    a = np.array(values[q], dtype=np.float64)
                    a[idx] += sign * h
                    values[q] = a.item() if shapes[q] == () else a
                return _run_forward(spec, values, consts)[1]

            with np.errstate(all="ignore"):
                dp = float(np.sum(dz * (at(1.0) - z0))) / h
                dm = float(np.sum(dz * (z0 - at(-1.0)))) / h
            total = float(sum(t.got[j][idx] for j in members))
            lo, hi = min(dp, dm), max(dp, dm)
            tol = ATOL + RTOL * max(abs(total), abs(lo), abs(hi))
            if not lo - tol <= total <= hi + tol:
                t.ties.append((members, idx, total, lo, hi))


# -- what the forward looks like (for hints) -------------------------------------------


def _kind(spec: _Spec, t: _Trial) -> str:
    vals = [np.asarray(t.point[p], dtype=np.float64) for p in spec.inputs]
    z = t.z
    if len(vals) == 2:
        a, b = vals
        candidates = {"multiply": lambda: a * b, "add": lambda: a + b, "max": lambda: np.maximum(a, b),
                      "matmul": lambda: a @ b}
        for kind, f in candidates.items():
            try:
                with np.errstate(all="ignore"):
                    v = f()
            except (ValueError, TypeError):
                continue
            if v.shape == z.shape and _allclose(v, z):
                return kind
    return ""


# -- check_gate -----------------------------------------------------------------------

_last: "weakref.WeakKeyDictionary[type, CheckResult]" = weakref.WeakKeyDictionary()


def _sample(rng: np.random.Generator, shape: tuple, low: float, high: float) -> Any:
    size = int(np.prod(shape)) if shape else 1
    v = rng.uniform(low, high, size=size)
    if low < 0 < high:  # keep random points away from 0, where gates have kinks
        small = np.abs(v) < 0.1
        v[small] = np.where(v[small] < 0, -0.1, 0.1) - v[small]
    v = np.round(v, 2)
    return float(v[0]) if shape == () else v.reshape(shape)


def _upstream(rng: np.random.Generator, shape: tuple) -> Any:
    size = int(np.prod(shape)) if shape else 1
    v = rng.uniform(0.5, 2.5, size=size)
    v = np.where(np.abs(v - 1.0) < 0.15, v + 0.4, v)  # never (close to) 1: a missing dz must show
    v = np.round(v * rng.choice([-1.0, 1.0], size=size), 2)
    return float(v[0]) if shape == () else v.reshape(shape)


def _points(spec: _Spec, shapes: dict[str, tuple], trials: int, rng: np.random.Generator,
            domain: tuple[float, float], edge_cases: bool, given: list) -> list[_Trial]:
    names = spec.inputs
    out: list[_Trial] = []
    for g in given:
        g = dict(zip(names, g)) if not isinstance(g, dict) else dict(g)
        out.append(_Trial("given", {p: (float(g[p]) if shapes[p] == () else np.array(g[p], dtype=np.float64))
                                    for p in names}))
    for _ in range(trials):
        for _attempt in range(20):  # random points: no ties between scalar inputs
            point = {p: _sample(rng, shapes[p], *domain) for p in names}
            scalars = [point[p] for p in names if shapes[p] == ()]
            if all(abs(a - b) >= 0.2 for k, a in enumerate(scalars) for b in scalars[k + 1:]):
                break
        out.append(_Trial("random", point))
    if not edge_cases:
        return out
    base = {p: _sample(rng, shapes[p], *domain) for p in names}
    groups: dict[tuple, list[str]] = {}
    for p in names:
        groups.setdefault(shapes[p], []).append(p)
    if any(len(g) > 1 for g in groups.values()):  # ties: equal inputs (x == y)
        tie = dict(base)
        for g in groups.values():
            for p in g[1:]:
                tie[p] = _copy(tie[g[0]])
        out.append(_Trial("tie", tie))
    if all(shapes[p] == () for p in names):  # zeros
        lo, hi = domain
        if lo <= 0 <= hi:
            out.append(_Trial("zeros", {p: 0.0 for p in names}))
            if len(names) > 1:
                for p in names:
                    out.append(_Trial("zero", {**base, p: 0.0}))
    else:
        zeros = {}
        for p in names:
            a = np.array(base[p], dtype=np.float64)
            if a.ndim:
                mask = rng.random(a.shape) < 1 / 3
                mask.flat[rng.integers(a.size)] = True
                a[mask] = 0.0
            zeros[p] = a.item() if shapes[p] == () else a
        if domain[0] <= 0 <= domain[1]:
            out.append(_Trial("zeros", zeros))
    return out


def _describe(spec: _Spec, t: _Trial, shapes: dict[str, tuple]) -> str:
    parts = []
    for p in spec.inputs:
        v = t.point[p]
        parts.append(f"{p} = {_num(v)}" if shapes[p] == () else f"{p} of shape {_shape(shapes[p])}")
    dz = (f"{spec.upstream} = {_num(t.dz)}" if np.ndim(t.dz) == 0
          else f"a random {spec.upstream} of shape {_shape(np.shape(t.dz))}")
    where = {"tie": " (a tie)", "zeros": " (zeros)", "zero": " (a zero)"}.get(t.kind, "")
    return f"at {', '.join(parts)}{where}, with upstream gradient {dz}"


def _hint(spec: _Spec, t: _Trial, i: int, kind: str, shapes: dict[str, tuple]) -> str:
    p, d = spec.inputs[i], f"d{spec.inputs[i]}"
    up, out = spec.upstream, spec.out
    g, e, e1 = t.got[i], t.center[i], t.center1[i]
    if np.any(np.isnan(e)) or np.any(t.kink[i]):
        return ""
    others = [j for j, q in enumerate(spec.inputs) if j != i and shapes[q] == shapes[p]]
    if kind == "max" and all(shapes[q] == () for q in spec.inputs):
        winner = max(spec.inputs, key=lambda q: t.point[q])
        rest = [q for q in spec.inputs if q != winner]
        both = all(_allclose(t.got[j], t.dz) for j in range(len(spec.inputs)))
        return ((f"your backward sends {up} to both inputs. " if both else "")
                + f"The max gate routes the whole {up} to the larger input, here {winner} = "
                f"{_num(t.point[winner])} (d{winner} = {up}), and 0 to {_plural(rest)} "
                f"(d{rest[0]} = 0{'' if len(rest) == 1 else ', …'}).")
    for j in others:
        q = spec.inputs[j]
        if _allclose(g, t.center[j]) and not _allclose(e, t.center[j]):
            both = j in t.bad and _allclose(t.got[j], e)
            if kind == "multiply":
                a, b = spec.inputs
                if both:
                    return (f"d{a} should use {b} and d{b} should use {a}: for {out} = {a}·{b} the local "
                            f"gradients are ∂{out}/∂{a} = {b} and ∂{out}/∂{b} = {a}, so d{a} = {b} · {up} "
                            f"and d{b} = {a} · {up}. Yours are swapped.")
                return (f"{d} should use {q}: for {out} = {a}·{b} the local gradient ∂{out}/∂{p} is {q}, "
                        f"so {d} = {q} · {up}. Your {d} is what d{q} should be.")
            if both:
                pair = sorted([d, f"d{q}"])
                return f"your {pair[0]} and {pair[1]} are swapped: each is what the other should be."
            return f"your {d} is what d{q} should be: are the two swapped?"
    if not _allclose(e1, e) and _allclose(g, e1):
        same = [k for k in t.bad if not np.any(np.isnan(t.center[k])) and not np.any(t.kink[k])
                and not _allclose(t.center1[k], t.center[k]) and _allclose(t.got[k], t.center1[k])]
        rules = " and ".join(f"d{spec.inputs[k]} = (∂{out}/∂{spec.inputs[k]}) · {up}" for k in same)
        if np.ndim(t.dz) == 0:
            return (f"multiply the local gradient by {up}: the chain rule gives {rules}, "
                    f"and the upstream gradient {up} is {_num(t.dz)} here, not 1.")
        names = _plural([f"d{spec.inputs[k]}" for k in same])
        return (f"{names} {'is' if len(same) == 1 else 'are'} what {'it' if len(same) == 1 else 'they'} "
                f"would be if {up} were all ones: backward must use the upstream gradient {up} "
                "(the chain rule), which is a random array here.")
    for j in others:
        q = spec.inputs[j]
        if _allclose(g, t.center1[j]) and not _allclose(e, t.center1[j]):
            return (f"your {d} is the local gradient of {q}, without {up}: use the other input "
                    f"({d} should use {q} if {out} = {p}·{q}) and multiply by {up}.")
    if np.any(np.abs(e) > ATOL) and _allclose(g, -e):
        return f"the sign of {d} is flipped."
    scale = float(np.sum(g * e) / np.sum(e * e)) if np.sum(e * e) > 0 else 0.0
    if np.any(np.abs(e) > ATOL) and abs(scale - 1) > 1e-3 and abs(scale) > 1e-3 and _allclose(g, scale * e):
        if np.ndim(t.dz) == 0 and math.isclose(scale, float(t.dz), rel_tol=1e-3):
            return f"{d} is multiplied by {up} twice: once is enough."
        return f"{d} is {_num(scale)} times what it should be: a factor too many or too few?"
    if g.ndim == 2 and g.shape[0] == g.shape[1] and _allclose(g, e.T) and not _allclose(e, e.T):
        return f"{d} looks transposed: it equals the expected gradient's transpose."
    if np.all(np.abs(g) <= ATOL) and np.any(np.abs(e) > ATOL):
        return f"{d} is 0, but {out} does change when {p} changes."
    if kind == "max":
        return f"the max gate routes {up} to the larger input only (the other gets 0)."
    if kind == "add":
        return f"the add gate passes {up} unchanged to each input (its local gradients are 1)."
    if kind == "matmul" and len(shapes[spec.inputs[0]]) == len(shapes[spec.inputs[1]]) == 2:
        a, b = spec.inputs
        return (f"check one entry: {out}[n, j] = Σ_i {a}[n, i] · {b}[i, j], so d{b}[i, j] = "
                f"Σ_n {a}[n, i] · {up}[n, j] and d{a}[n, i] = Σ_j {up}[n, j] · {b}[i, j].")
    return f"work out the local gradient ∂{out}/∂{p}, then multiply it by the upstream {up} (chain rule)."


def _tie_hint(spec: _Spec, t: _Trial, members: list[int], total: float, lo: float, hi: float) -> str:
    names = [spec.inputs[j] for j in members]
    up = spec.upstream
    same = math.isclose(lo, hi, rel_tol=1e-4, abs_tol=1e-6)
    if same and abs(lo) > ATOL and math.isclose(total, len(members) * lo, rel_tol=1e-4, abs_tol=1e-6):
        return (f"at a tie ({' = '.join(names)}) your backward sends {up} to {'both' if len(names) == 2 else 'all of'} "
                f"{_plural(names)}, so the gradient is counted {'twice' if len(names) == 2 else f'{len(names)} times'}. "
                f"The max gate routes the whole {up} to one input and 0 to the other; at a tie either choice is right.")
    if abs(total) <= ATOL and abs(lo) > ATOL:
        return (f"at a tie ({' = '.join(names)}) your backward sends {up} to none of the inputs: "
                "route it to one of them (either one is right).")
    want = _num(lo) if same else f"between {_num(lo)} and {_num(hi)}"
    return (f"at this point ({' = '.join(names)}, where the gate has a kink) "
            f"{' + '.join('d' + n for n in names)} must be {want}: moving all of them together "
            f"changes {spec.out} smoothly.")


def _gate_picture(spec: _Spec, t: _Trial | None, consts: dict[str, Any], wrong: set[int],
                  expected_text: dict[int, str] | None = None) -> _Picture | None:
    if t is None or t.z is None:
        return None
    vars_ = []
    for p in spec.params:
        if p in consts:
            vars_.append(_Var(p, p, consts[p], None, grad_name="constant"))
            vars_[-1].leaf = False  # no gradient row
            continue
        i = spec.inputs.index(p)
        got = t.got[i] if i < len(t.got) else None
        expected = t.center[i] if i < len(t.center) else None
        if expected is not None and np.ndim(expected) == 0 and t.kink[i]:
            expected = None if i not in t.bad else f"{_num(t.lo[i])}…{_num(t.hi[i])}"
        if expected_text and i in expected_text:
            expected = expected_text[i]
        vars_.append(_Var(p, p, t.point[p], got, expected=expected, wrong=i in wrong))
    vars_.append(_Var("__out", spec.out, t.z, t.dz, grad_name=spec.upstream, leaf=False))
    return _Picture(vars_, [_Op("__gate", spec.name, list(spec.params), "__out")])


def check_gate(
    gate: Any,
    *,
    shapes: list | tuple | dict | None = None,
    constants: dict[str, Any] | None = None,
    trials: int = 5,
    seed: int = 0,
    name: str | None = None,
    inputs: list | None = None,
    domain: tuple[float, float] = (-3.0, 3.0),
    edge_cases: bool = True,
    max_entries: int = 100,
) -> CheckResult:
    """Check a gate's backward against numerical derivatives of its own forward.

    ``gate`` is your gate class (a class with ``forward(self, x, y, ...)`` and
    ``backward(self, dz)`` returning ``[dx, dy, ...]``, or ``dx`` for one input).

    Options: ``shapes`` of array inputs, in forward's order or by name
    (``shapes=[(3, 4), (4, 2)]``; ``()`` for a number; default: all numbers);
    ``constants`` for inputs that get no gradient (``constants={"y": labels}``:
    backward returns gradients for the other inputs only); ``trials`` random points
    (each with a random upstream gradient), plus ``inputs`` you choose (a list of
    tuples) and, with ``edge_cases``, ties (x == y) and zeros; random values are drawn
    from ``domain``; ``seed``; ``name`` shown in the messages; at most ``max_entries``
    entries of each array are checked.

    At a point where the gate has a kink (one-sided derivatives differ, e.g. max at
    x == y, ReLU at 0), any subgradient is accepted: each gradient must lie between
    the one-sided derivatives, and the gradients of inputs that move together must add
    up to the derivative along that direction (so a max gate may send dz to either
    input at a tie, but not to both).
    """
    consts = dict(constants or {})
    try:
        spec = _spec(gate, name, consts, shapes)
    except _Stop as s:
        return _result(name or getattr(gate, "__name__", "check_gate"), s.status, s.message)
    shapes_by_name = _shapes(spec, shapes)
    rng = np.random.default_rng(seed)
    trials_ = _points(spec, shapes_by_name, trials, rng, domain, edge_cases, list(inputs or []))
    result = _check_points(spec, trials_, consts, shapes_by_name, rng, max_entries)
    try:
        _last[spec.cls] = result
    except TypeError:
        pass
    return result


def _shapes(spec: _Spec, shapes: Any) -> dict[str, tuple]:
    def norm(s: Any) -> tuple:
        if s is None:
            return ()
        if isinstance(s, int):
            return (s,)
        return tuple(int(n) for n in s)

    if shapes is None:
        return {p: () for p in spec.inputs}
    if isinstance(shapes, dict):
        unknown = [k for k in shapes if k not in spec.inputs]
        if unknown:
            raise ValueError(f"shapes {unknown} are not inputs of {spec.name}.forward: {spec.inputs}")
        return {p: norm(shapes.get(p)) for p in spec.inputs}
    shapes = list(shapes)
    if len(shapes) != len(spec.inputs):
        raise ValueError(f"{len(shapes)} shapes given, but {spec.name}.forward has "
                         f"{len(spec.inputs)} inputs: {spec.inputs}")
    return {p: norm(s) for p, s in zip(spec.inputs, shapes)}


def _check_points(spec: _Spec, trials: list[_Trial], consts: dict[str, Any], shapes: dict[str, tuple],
                  rng: np.random.Generator, max_entries: int) -> CheckResult:
    dnames = _dnames(spec)
    kind = ""
    done: list[_Trial] = []
    failed: list[_Trial] = []
    current: _Trial | None = None
    try:
        for t in trials:
            current = t
            try:
                gate, t.z = _run_forward(spec, t.point, consts)
            except _Stop:
                if t.kind in ("tie", "zeros", "zero"):  # outside the gate's domain: skip it
                    current = done[-1] if done else None
                    continue
                raise
            if t.kind in ("tie", "zeros", "zero") and not np.all(np.isfinite(t.z)):
                current = done[-1] if done else None
                continue
            t.dz = _upstream(rng, t.z.shape)
            if not kind and t.kind in ("random", "given"):
                kind = _kind(spec, t)
            t.got = _run_backward(spec, gate, t.dz, shapes, kind)
            with contextlib.redirect_stdout(io.StringIO()):  # a print() in forward: once per point is enough
                _numerics(spec, t, consts, shapes, max_entries, rng)
                _compare(spec, t, consts, shapes)
            done.append(t)
            if t.bad or t.ties:
                failed.append(t)
    except _Stop as s:
        t = current
        picture = None
        if t is not None and t.z is not None and t.dz is not None:
            bad = {spec.inputs.index(d[1:]) for d in s.wrong if d[1:] in spec.inputs}
            if s.grads is not None:
                t.got = s.grads
            picture = _gate_picture(spec, t, consts, bad, s.expected)
        message = s.message
        if s.status in ("error", "wrong") and t is not None and t.dz is not None:
            where = _describe(spec, t, shapes) + "."
            if s.status == "wrong":  # right under the first line, before the hints
                first, _, rest = message.partition("\n")
                message = f"{first}\n{where}" + (f"\n{rest}" if rest else "")
            else:
                message = f"{message}\n{where}"
        return _result(spec.name, s.status, message, wrong=s.wrong, _picture=picture,
                       inputs=dict(t.point) if t is not None else {}, upstream=t.dz if t is not None else None)

    if not done:
        return _result(spec.name, "error", f"{spec.name}: no point to check (give trials=... or inputs=...).")
    if not failed:
        counts: dict[str, int] = {}
        for t in done:
            counts[t.kind] = counts.get(t.kind, 0) + 1
        words = {"random": "random", "given": "given", "tie": "with a tie", "zeros": "with zeros",
                 "zero": "with a zero"}
        detail = ", ".join(f"{n} {words[k]}" for k, n in counts.items())
        shown = next((t for t in done if t.kind in ("given", "random")), done[0] if done else None)
        return _result(spec.name, "passed",
                       f"{spec.name} passed: {_plural(dnames)} {'matches' if len(dnames) == 1 else 'match'} "
                       f"the numerical gradient at {len(done)} points ({detail}), each with a random "
                       f"upstream {spec.upstream}.",
                       _picture=_gate_picture(spec, shown, consts, set()),
                       inputs=dict(shown.point) if shown else {}, upstream=shown.dz if shown else None,
                       got={d: g for d, g in zip(dnames, shown.got)} if shown else {},
                       expected={d: e for d, e in zip(dnames, shown.center)} if shown else {})

    t = failed[0]
    wrong_idx = sorted(set(t.bad) | {j for members, *_ in t.ties for j in members})
    wrong = [dnames[i] for i in wrong_idx]
    lines = [f"{spec.name}: {_plural(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong.",
             _describe(spec, t, shapes) + ":"]
    hints: list[str] = []
    for i, d in enumerate(dnames):
        g = t.got[i]
        if i in t.bad:
            if np.any(t.kink[i]) and t.lo[i].ndim == 0:
                want = f"between {_num(t.lo[i])} and {_num(t.hi[i])} (a kink: any value in between is fine)"
            else:
                want = _show(t.center[i])
            if np.ndim(g) and np.size(g) > 1:
                lines.append(f"  {d} is wrong (shape {_shape(np.shape(g))}):\n"
                             f"    expected {_show(t.center[i], 13)}\n    got      {_show(g, 13)}")
                diff = np.abs(g - t.center[i])
                if np.any(np.isfinite(diff)):
                    k = np.unravel_index(int(np.nanargmax(diff)), diff.shape)
                    lines.append(f"    largest difference {_num(diff[k])} at {d}[{', '.join(map(str, k))}]")
            else:
                lines.append(f"  {d}: expected {want}, got {_show(g)}")
            h = _hint(spec, t, i, kind, shapes)
            if h and h not in hints:
                hints.append(h)
        elif i in wrong_idx:
            lines.append(f"  {d}: got {_show(g)}")
        else:
            lines.append(f"  {d} is right ({_show(g) if np.size(g) <= 4 else 'all entries match'})")
    for members, idx, total, lo, hi in t.ties:
        names = " + ".join(dnames[j] + ("" if idx == () else f"[{', '.join(map(str, idx))}]") for j in members)
        want = _num(lo) if math.isclose(lo, hi, rel_tol=1e-4, abs_tol=1e-6) else f"between {_num(lo)} and {_num(hi)}"
        lines.append(f"  {names}: expected {want}, got {_num(total)}")
        h = _tie_hint(spec, t, members, total, lo, hi)
        if h not in hints:
            hints.append(h)
    if len(failed) > 1:
        lines.append(f"(wrong at {len(failed)} of the {len(done)} points checked; this is the first.)")
    lines += [f"Hint: {h}" for h in hints]
    return _result(spec.name, "wrong", "\n".join(lines), wrong=tuple(wrong), hints=tuple(hints),
                   inputs=dict(t.point), upstream=t.dz,
                   got={d: g for d, g in zip(dnames, t.got)},
                   expected={d: e for d, e in zip(dnames, t.center)},
                   _picture=_gate_picture(spec, t, consts, set(wrong_idx)))


def ready(*gates: Any, quiet: bool = False) -> bool:
    """True when the last :func:`check_gate` of each of ``gates`` (classes) passed.

    Otherwise prints which gates are not ready yet (unless ``quiet``) and returns False:
    ``if exercises.ready(MatMulGate, ReLUGate): train()`` runs only once they all pass.
    """
    missing = []
    for g in gates:
        cls = g if isinstance(g, type) else type(g)
        r = _last.get(cls)
        if r is None:
            missing.append(f"{cls.__name__}: run its check_gate(...) cell first")
        elif not r.passed:
            missing.append(f"{cls.__name__}: " + ("not implemented yet" if r.status == "todo"
                                                    else "its check does not pass yet"))
    if missing and not quiet:
        print("Not yet: this needs all of " + ", ".join(
            (g if isinstance(g, type) else type(g)).__name__ for g in gates) + " to pass their checks.\n  "
              + "\n  ".join(missing))
    return not missing


# -- as_op: the student's gate as a vizgrad op ------------------------------------------

_LABELS = {"multiply": "*", "mul": "*", "mult": "*", "add": "+", "plus": "+", "max": "max",
           "sigmoid": "σ", "relu": "relu", "matmul": "@", "matmult": "@", "exp": "exp",
           "addbias": "+b", "softmaxcrossentropy": "softmax-CE", "softmaxce": "softmax-CE"}


def _default_label(cls: type) -> str:
    key = cls.__name__.lower()
    key = key[:-4] if key.endswith("gate") and len(key) > 4 else key
    return _LABELS.get(key.replace("_", ""), cls.__name__)


def _op_call(cls: type, which: str, fn: Callable, *args: Any) -> Any:
    """Call the student's method; TODOs return None (after a warning), errors raise GateError."""
    try:
        res = fn(*args)
    except NotImplementedError:
        res = None
    except NameError as e:
        if (getattr(e, "name", "") or "").startswith("d") and which == "backward":
            res = None
        else:
            raise GateError(f"your {cls.__name__}.{which} " + _raised(e, which)[len(f"your {which} "):]) from None
    except Exception as e:
        raise GateError(f"your {cls.__name__}.{which} " + _raised(e, which)[len(f"your {which} "):]) from None
    if res is Ellipsis or isinstance(res, (list, tuple)) and any(r is None or r is Ellipsis for r in res):
        res = None
    if res is None:
        _warn_todo(f"{cls.__name__}.{which} is not implemented yet: its "
                   f"{'values' if which == 'forward' else 'gradients'} show as nan")
    return res


def _warn_todo(message: str) -> None:
    """Warn, pointing at the student's line that led here (not at vizgrad's internals)."""
    frame = sys._getframe(1)
    while frame is not None and _internal(frame.f_code.co_filename):
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
        problem, _ = _method_problem(cls, which)
        if problem:
            raise GateError(problem)
    text = label if label is not None else _default_label(cls)
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
    return op


def _new_for_op(cls: type) -> Any:
    try:
        return cls()
    except Exception as e:
        raise GateError(f"could not make a {cls.__name__}(): {type(e).__name__}: {e}") from None


def _value_node(cls: type, g: Any, out: Any, nodes: list, positions: list[int], n: int, text: str,
                name: str | None) -> Value:
    if out is None:
        data = math.nan
    else:
        why = _not_a_number(out)
        if why or np.size(out) != 1:
            raise GateError(f"your {cls.__name__}.forward should return one number for Values, got "
                            f"{why or 'an array of shape ' + _shape(np.shape(out))} (use Tensors for arrays)")
        data = float(np.asarray(out, dtype=np.float64).reshape(()))
    local: list[float]
    res = None if out is None else _op_call(cls, "backward", g.backward, 1.0)
    if res is None:
        local = [math.nan] * len(nodes)
    else:
        picked = _pick(res, n, positions, cls)
        local = []
        for r in picked:
            why = _not_a_number(r)
            if why or np.size(r) != 1:
                raise GateError(f"your {cls.__name__}.backward should return numbers for Values, got "
                                f"{why or 'an array of shape ' + _shape(np.shape(r))}")
            local.append(float(np.asarray(r, dtype=np.float64).reshape(())))
    return Value(data, name, _op=text, _inputs=tuple(nodes), _local=tuple(local))


def _tensor_node(cls: type, g: Any, out: Any, nodes: list, positions: list[int], n: int, text: str,
                 name: str | None) -> Tensor:
    if out is None:
        data = np.full(nodes[0].shape, np.nan)
    else:
        why = _not_a_number(out)
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
            why = _not_a_number(got[k])
            if why:
                raise GateError(f"your {cls.__name__}.backward returned {why} for input {k + 1}")
            a = np.array(got[k], dtype=np.float64)
            if a.shape != node.shape:
                raise GateError(f"your {cls.__name__}.backward returned shape {_shape(a.shape)} for an input "
                                f"of shape {_shape(node.shape)}: a gradient has its input's shape")
            return a

        return LocalGradient(f"your {cls.__name__}.backward", vjp, node.shape, out_shape)

    t = nodes[0]._gate(data, text, *((node, local_for(k, node)) for k, node in enumerate(nodes)))
    t.name = name
    return t


# -- a whole circuit ------------------------------------------------------------------


def _call_circuit(fn: Callable, label: str, values: dict[str, Any]) -> Any:
    """Run the student's function on fresh Values; _Stop for TODOs and errors."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NotImplementedYet)
        try:
            out = fn(**values)
        except NotImplementedError:
            raise _Stop("todo", f"{label}: not implemented yet — it raised NotImplementedError. "
                                "Replace the raise NotImplementedError() with your code, then run the cell again.") from None
        except GateError as e:
            raise _Stop("error", f"{label}: {e}") from None
        except TypeError as e:
            if re.search(r"unexpected keyword argument|missing \d+ required", str(e)) and not _where(e):
                raise _Stop("error", f"{label} is called with the inputs {', '.join(values)} by name: "
                                     f"{e}") from None
            raise _Stop("error", f"{label}: " + _raised(e, "function")) from None
        except Exception as e:
            raise _Stop("error", f"{label}: " + _raised(e, "function")) from None
    todo = sorted({str(w.message).split(" is not")[0] for w in caught if issubclass(w.category, NotImplementedYet)})
    for w in caught:  # the other warnings still reach the notebook
        if not issubclass(w.category, NotImplementedYet):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    if todo:
        raise _Stop("todo", f"{label}: not implemented yet — it uses {_plural(todo)}, which "
                            f"{'is' if len(todo) == 1 else 'are'} not implemented yet (finish "
                            f"{'it' if len(todo) == 1 else 'them'} above first).")
    if out is None:
        raise _Stop("todo", f"{label}: not implemented yet — it returned None "
                            "(did you forget to return the output?).")
    if out is Ellipsis:
        raise _Stop("todo", f"{label}: not implemented yet — it returned ... (Ellipsis).")
    if not isinstance(out, (Value, Tensor)):
        raise _Stop("error", f"{label} should return the output node (a vizgrad Value made by your ops), "
                             f"got {type(out).__name__}.")
    return out


def _graph_picture(out: Any, grads: dict[int, Any], leaves: dict[str, Any], expected: dict[str, Any],
                   wrong: set[str]) -> _Picture:
    from .graph import topological_order

    order = topological_order(out)
    by_id = {id(v): k for k, v in leaves.items()}
    vars_, ops = [], []
    for i, node in enumerate(order):
        key = f"n{i}"
        leaf_name = by_id.get(id(node))
        name = leaf_name or node.name or ""
        v = _Var(key, name, node.data, grads.get(id(node)), leaf=not node.op)
        if leaf_name is not None:
            v.expected = expected.get(leaf_name)
            v.wrong = leaf_name in wrong
        vars_.append(v)
    keys = {id(node): f"n{i}" for i, node in enumerate(order)}
    for i, node in enumerate(order):
        if node.op:
            ops.append(_Op(f"op{i}", node.op, [keys[id(c)] for c in node.inputs], keys[id(node)]))
    return _Picture(vars_, ops)


def check_circuit(fn: Callable[..., Any], reference: Callable[..., Any], *, trials: int = 2, seed: int = 0,
                  name: str | None = None, **inputs: float) -> CheckResult:
    """Check a circuit wired from your ops against a reference formula.

    ``fn(**values)`` builds the circuit from :class:`~vizgrad.Value` inputs named as in
    ``inputs`` (e.g. with ops from :func:`as_op`) and returns its output;
    ``reference(**values)`` computes the same function with vizgrad's own ops. The
    output and the gradient of every input are compared (vizgrad.trace of your circuit
    vs. backprop through the reference) at ``inputs`` and at ``trials`` random points
    near them.
    """
    from .trace import trace

    label = name or getattr(fn, "__name__", "your circuit")
    if not inputs:
        raise TypeError("check_circuit(fn, reference, x=..., y=...) needs the inputs as keywords")
    rng = np.random.default_rng(seed)
    points = [dict(inputs)] + [{k: round(float(v) + rng.uniform(-1, 1), 2) for k, v in inputs.items()}
                               for _ in range(trials)]
    shown: tuple | None = None
    try:
        for point in points:
            leaves = {k: Value(float(v), name=k) for k, v in point.items()}
            out = _call_circuit(fn, label, leaves)
            tr = trace(out)
            grads = {id(n): tr.grad(n) for n in tr.nodes}
            if shown is None:
                shown = (out, grads, leaves)
            ref_leaves = {k: Value(float(v), name=k) for k, v in point.items()}
            ref = reference(**ref_leaves)
            ref.backward()
            expected = {k: v.grad for k, v in ref_leaves.items()}
            got = {k: grads.get(id(v), 0.0) for k, v in leaves.items()}
            at = ", ".join(f"{k} = {_num(v)}" for k, v in point.items())
            if not _allclose(out.data, ref.data):
                return _result(label, "wrong",
                               f"{label}: the output is wrong: at {at} it is {_num(out.data)}, but it should be "
                               f"{_num(ref.data)}. Check how the gates are wired (which inputs go into which gate).",
                               inputs=point, _picture=_graph_picture(out, grads, leaves, {}, set()))
            wrong = [k for k in point if not _allclose(got[k], expected[k])]
            if wrong:
                lines = [f"{label}: {_plural(['d' + k for k in wrong])} {'is' if len(wrong) == 1 else 'are'} "
                         f"wrong at {at}:"]
                lines += [f"  d{k}: expected {_num(expected[k])}, got {_num(got[k])}" for k in wrong]
                unused = [k for k in wrong if id(leaves[k]) not in grads]
                if unused:
                    lines.append(f"Hint: {_plural(unused)} {'is' if len(unused) == 1 else 'are'} not used by "
                                 "your circuit.")
                else:
                    lines.append("Hint: the output is right, so a gate's backward is wrong: run its "
                                 "check_gate again, or scrub through the circuit to see where the gradient goes astray.")
                return _result(label, "wrong", "\n".join(lines), wrong=tuple("d" + k for k in wrong),
                               inputs=point, expected={"d" + k: expected[k] for k in point},
                               got={"d" + k: got[k] for k in point},
                               _picture=_graph_picture(out, grads, leaves, expected, set(wrong)))
    except _Stop as s:
        return _result(label, s.status, s.message)
    out, grads, first = shown
    text = ", ".join(f"d{k} = {_num(grads.get(id(v), 0.0))}" for k, v in first.items())
    return _result(label, "passed",
                   f"{label} passed: its output and gradients match at {len(points)} points; at "
                   f"{', '.join(f'{k} = {_num(v)}' for k, v in inputs.items())}: {text}.",
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotImplementedYet)  # shown again by the real call
            try:
                fn(**values)
            except NotImplementedError:
                raise _Stop("todo", f"{label}: not implemented yet — it raised NotImplementedError.") from None
            except GateError as e:
                raise _Stop("error", f"{label}: {e}") from None
            except Exception as e:
                raise _Stop("error", f"{label}: " + _raised(e, "function")) from None
    except _Stop as s:
        return _result(label, s.status, s.message)
    try:
        from .scrub import scrub as _scrub
    except Exception:  # the scrubber's widget library is missing: draw the finished pass
        from .draw import draw

        return draw(fn(**{k: Value(v.data, name=k) for k, v in values.items()}))
    return _scrub(fn, **inputs)


# -- exercise 2: the computational graph object ------------------------------------------


class _Ref:
    """A reference gate for :func:`check_net` (lists in, list out)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def forward(self, *xs: float) -> float:
        self.xs = [float(x) for x in xs]
        a = self.xs
        if self.kind == "add":
            return a[0] + a[1]
        if self.kind == "mul":
            return a[0] * a[1]
        self.s = 1.0 / (1.0 + math.exp(-a[0]))
        return self.s

    def backward(self, d: float) -> list[float]:
        a = self.xs
        if self.kind == "add":
            return [d, d]
        if self.kind == "mul":
            return [a[1] * d, a[0] * d]
        return [self.s * (1.0 - self.s) * d]


_REF_OPS = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "sigmoid": lambda a: a.sigmoid()}
_REF_LABEL = {"add": "+", "mul": "*", "sigmoid": "σ"}

# (description, nodes as (name, kind, inputs), inputs)
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


def _reference_values(nodes: list, inputs: dict[str, float]) -> tuple[dict[str, Value], Any]:
    vals: dict[str, Value] = {k: Value(v, name=k) for k, v in inputs.items()}
    for name, kind, ins in nodes:
        vals[name] = _REF_OPS[kind](*[vals[i] for i in ins])
        vals[name].name = name
    return vals, vals[nodes[-1][0]]


def _net_picture(nodes: list, values: dict[str, Any], got: dict[str, Any], expected: dict[str, Any],
                 wrong: set[str], labels: dict[str, str] | None = None) -> _Picture:
    produced = {n[0] for n in nodes}
    order: list[str] = []
    for name, _, ins in nodes:
        for i in ins:
            if i not in produced and i not in order:
                order.append(i)
    order += [n[0] for n in nodes]
    vars_ = [_Var(k, k, values.get(k), got.get(k), expected=expected.get(k), wrong=k in wrong,
                  leaf=k not in produced) for k in order]
    ops = [_Op(f"op:{name}", (labels or {}).get(name, _REF_LABEL.get(kind, str(kind))), list(ins), name)
           for name, kind, ins in nodes]
    return _Picture(vars_, ops)


def check_net(net_class: Any, *, seed: int = 0) -> CheckResult:
    """Check exercise 2's graph object on small graphs, forks included.

    ``net_class(nodes)`` takes ``(name, gate, [input names])`` triples (in any order);
    ``net.forward(**inputs)`` returns the output's value and ``net.backward(dout)``
    returns ``{name: gradient}`` for every input (and intermediate) variable. The gates
    used are correct reference gates, so only the graph object is being checked.
    """
    label = getattr(net_class, "__name__", "Net")
    if not isinstance(net_class, type):
        return _result(label, "error", f"check_net needs your graph class, e.g. check_net(Net); "
                                       f"got {type(net_class).__name__}.")
    rng = np.random.default_rng(seed)
    forward_ok = []
    for desc, spec_nodes, inputs in _NETS:
        out_name = spec_nodes[-1][0]
        nodes = [(name, _Ref(kind), list(ins)) for name, kind, ins in spec_nodes]
        shuffled = [nodes[k] for k in rng.permutation(len(nodes))]
        ref_vals, ref_out = _reference_values(spec_nodes, inputs)
        from .trace import trace

        tr = trace(ref_out)
        dout = _upstream(rng, ())
        expected = {k: tr.grad(v) * dout for k, v in ref_vals.items()}
        values = {k: v.data for k, v in ref_vals.items()}
        picture = lambda got, wrong=set(): _net_picture(spec_nodes, values, got, expected, wrong)  # noqa: E731
        try:
            try:
                net = net_class(shuffled)
            except NotImplementedError:
                raise _Stop("todo", f"{label}: not implemented yet — {label}(nodes) raised NotImplementedError.") from None
            except Exception as e:
                raise _Stop("error", f"{label}: " + _raised(e, f"{label}(nodes)")) from None
            try:
                got_out = net.forward(**dict(inputs))
            except NotImplementedError:
                raise _Stop("todo", f"{label}: not implemented yet — forward raised NotImplementedError.") from None
            except Exception as e:
                raise _Stop("error", f"{label}: " + _raised(e, "forward") + f"\non {desc}.") from None
            if got_out is None:
                raise _Stop("todo", f"{label}: not implemented yet — forward returned None.")
            why = _not_a_number(got_out)
            if why or np.size(got_out) != 1:
                raise _Stop("error", f"{label}: forward should return the output's value (a number), got "
                                     f"{why or type(got_out).__name__}.")
            if not _allclose(float(np.asarray(got_out).reshape(())), ref_out.data):
                return _result(label, "wrong",
                               f"{label}: forward is wrong on {desc}: at "
                               f"{', '.join(f'{k} = {_num(v)}' for k, v in inputs.items())} the output "
                               f"{out_name} should be {_num(ref_out.data)}, got {_num(got_out)}.\n"
                               "Hint: run every gate in topological order (inputs before the gates that use "
                               "them), storing each gate's output under its name, and return the last one.",
                               wrong=(out_name,), inputs=dict(inputs), _picture=picture({}))
            forward_ok.append(desc)
            try:
                grads = net.backward(dout)
            except NotImplementedError:
                raise _Stop("todo", f"{label}: forward works ✔; backward is not implemented yet "
                                    "(it raised NotImplementedError).") from None
            except Exception as e:
                raise _Stop("error", f"{label}: forward works ✔, but " + _raised(e, "backward")
                            + f"\non {desc}, with dout = {_num(dout)}.") from None
            if grads is None:
                raise _Stop("todo", f"{label}: forward works ✔; backward is not implemented yet (it returned None).")
            if not isinstance(grads, dict):
                raise _Stop("error", f"{label}: backward should return a dict {{name: gradient}}, "
                                     f"got {type(grads).__name__}.")
            checked = [k for k in inputs] + [k for k in values if k not in inputs and k in grads]
            missing = [k for k in inputs if k not in grads]
            if missing:
                return _result(label, "wrong",
                               f"{label}: backward's result has no gradient for {_plural(missing)} on {desc}. "
                               "It should hold the gradient of every input variable.",
                               wrong=tuple(missing), _picture=picture({k: grads.get(k) for k in values}))
            got = {}
            for k in checked:
                why = _not_a_number(grads[k])
                if why or np.size(grads[k]) != 1:
                    raise _Stop("error", f"{label}: the gradient of {k} should be a number, got "
                                         f"{why or type(grads[k]).__name__}.")
                got[k] = float(np.asarray(grads[k], dtype=np.float64).reshape(()))
            wrong = [k for k in checked if not _allclose(got[k], expected[k])]
            if wrong:
                lines = [f"{label}: backward is wrong on {desc}, at "
                         f"{', '.join(f'{k} = {_num(v)}' for k, v in inputs.items())} with dout = {_num(dout)}:"]
                lines += [f"  d{k}: expected {_num(expected[k])}, got {_num(got[k])}" for k in wrong]
                hints = []
                for k in wrong:
                    sources = tr.backward_step(ref_vals[k]).sources
                    parts = [e.contribution * dout for e in sources]
                    if len(parts) > 1 and any(_allclose(got[k], c) for c in parts):
                        hints.append(f"{k} is used {len(parts)} times (a fork), so its gradient is the sum of "
                                     f"what comes back along each use ({' + '.join(_num(c) for c in parts)}). "
                                     "Add each contribution to what is already there instead of overwriting it.")
                    elif _allclose(got[k] * dout, expected[k]) and not _allclose(got[k], expected[k]):
                        hints.append(f"start backward from dout (here {_num(dout)}), the upstream gradient "
                                     "passed to backward, not from 1.")
                if not hints:
                    hints.append("go through the gates in reverse topological order; each gate's backward "
                                 "gets the gradient of its output and returns those of its inputs.")
                lines += [f"Hint: {h}" for h in dict.fromkeys(hints)]
                return _result(label, "wrong", "\n".join(lines), wrong=tuple("d" + k for k in wrong),
                               hints=tuple(hints), inputs=dict(inputs), upstream=dout,
                               expected={"d" + k: expected[k] for k in checked},
                               got={"d" + k: got[k] for k in checked}, _picture=picture(got, set(wrong)))
        except _Stop as s:
            return _result(label, s.status, s.message)
    desc, spec_nodes, inputs = _NETS[0]
    ref_vals, ref_out = _reference_values(spec_nodes, inputs)
    ref_out.backward()
    values = {k: v.data for k, v in ref_vals.items()}
    return _result(label, "passed",
                   f"{label} passed: forward and backward are right on {len(_NETS)} graphs: "
                   + "; ".join(d for d, _, _ in _NETS) + ", each with a random dout.",
                   _picture=_net_picture(spec_nodes, values, {k: v.grad for k, v in ref_vals.items()}, {}, set()))


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
        return _result(label, "error", f"draw_net needs a {label} whose .nodes holds its "
                                       "(name, gate, [input names]) triples.")
    try:
        try:
            out = net.forward(**inputs)
        except NotImplementedError:
            raise _Stop("todo", f"{label}: not implemented yet — forward raised NotImplementedError.") from None
        except Exception as e:
            raise _Stop("error", f"{label}: " + _raised(e, "forward")) from None
        if out is None:
            raise _Stop("todo", f"{label}: not implemented yet — forward returned None.")
        values = dict(getattr(net, "values", {}) or {})
        values.setdefault(nodes[-1][0], out)
        values.update(inputs)
        try:
            grads = net.backward(dout)
        except NotImplementedError:
            raise _Stop("todo", f"{label}: backward is not implemented yet (forward gives {_num(out)}).") from None
        except Exception as e:
            raise _Stop("error", f"{label}: " + _raised(e, "backward")) from None
        if not isinstance(grads, dict):
            raise _Stop("todo" if grads is None else "error",
                        f"{label}: backward should return a dict {{name: gradient}}, got {type(grads).__name__}.")
    except _Stop as s:
        return _result(label, s.status, s.message)
    labels = {name: _default_label(type(gate)) for name, gate, _ in nodes}
    spec = [(name, type(gate).__name__, list(ins)) for name, gate, ins in nodes]
    return _render(_net_picture(spec, values, grads, {}, set(), labels))
