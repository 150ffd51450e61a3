"""The op table: every row against central differences in both engines, against numpy's
semantics at nan / ±inf / ±0, and its JavaScript expressions against its Python forward."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vizgrad as vg
from vizgrad import Tensor, Value
from vizgrad.engine import ops
from vizgrad.engine.ops import OPS, SCALAR_OPS

from conftest import FAST

# How each row is reached through the public API: (its inputs, its constant) -> node.
# A one-input row with a ``method`` needs no entry: it is x.<method>().
CALLS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "max": lambda a, b: a.max(b),
    "add_const": lambda x, c: x + c, "rsub": lambda x, c: c - x, "mul_const": lambda x, c: x * c,
    "div_const": lambda x, c: x / c, "rdiv": lambda x, c: c / x, "pow": lambda x, c: x**c,
    "max_const": lambda x, c: x.max(c), "neg": lambda x: -x,
}


def call(row: ops.Op, *args):
    if row.name in CALLS:
        return CALLS[row.name](*args)
    return getattr(args[0], row.method)()


# Where each row is smooth, for central differences: (inputs, constants)
SMOOTH = {"log": "positive", "pow": "positive", "div": "b away from 0", "rdiv": "away from 0",
          "max": "apart", "max_const": "apart", "relu": "away from 0"}
CONSTANTS = {"pow": [2.0, 3.0, 0.5, -1.5, 0.0, 1.0], "div_const": [4.0, -0.5]}


def smooth_point(row: ops.Op, rng: np.random.Generator, size: int | None) -> list:
    kind = SMOOTH.get(row.name)
    n = len(row.wrt)
    xs = [rng.uniform(-2, 2, size) for _ in range(n)]
    if kind in ("positive",):
        xs = [rng.uniform(0.2, 3, size) for _ in range(n)]
    elif kind in ("away from 0", "b away from 0"):
        xs[-1] = rng.uniform(0.3, 2, size) * rng.choice([-1, 1], size)
    elif kind == "apart":
        xs[-1] = xs[0] + rng.uniform(0.2, 1, size) * rng.choice([-1, 1], size)
    return xs


@pytest.mark.parametrize("row", SCALAR_OPS, ids=lambda r: r.name)
@pytest.mark.parametrize("engine", ["Value", "Tensor"])
def test_every_row_matches_central_differences(row, engine):
    rng = np.random.default_rng(7)
    for c in CONSTANTS.get(row.name, [1.5, -0.5]) if row.has_constant else [None]:
        for _ in range(5):
            xs = smooth_point(row, rng, None if engine == "Value" else (3,))
            if row.name == "max_const":  # apart from the constant
                xs = [c + rng.choice([-1, 1], np.shape(xs[0])) * rng.uniform(0.2, 1, np.shape(xs[0]))]
            extra = () if c is None else (c,)

            def fn(*nodes, extra=extra):
                out = call(row, *nodes, *extra)
                return out if engine == "Value" else out.sum()

            result = vg.gradcheck(fn, *xs)
            assert result.passed, (row.name, c, xs, result.message)


@pytest.mark.parametrize("row", SCALAR_OPS, ids=lambda r: r.name)
def test_every_row_is_wired_to_both_engines_and_tells_its_spec(row):
    c = 0.1234567890123 if row.name != "pow" else 2.000000000001
    for make in (Value, lambda v: Tensor([v])):
        args = [make(0.7), make(-0.3)][: len(row.wrt)] + ([c] if row.has_constant else [])
        out = call(row, *args)
        assert ops.spec_of(out) == (row, c if row.has_constant else None)
        assert out.op == row.label_for(c if row.has_constant else None)
        assert ops.by_label(out.op) is row
    if row.has_constant:  # the label rounds the constant, the spec keeps it exactly
        assert ops.num(c) in row.label_for(c) and repr(c) not in row.label_for(c)


@pytest.mark.parametrize("name, make", [("add", lambda a, b: a + b), ("mul", lambda a, b: a * b),
                                        ("exp", lambda a, b: a.exp())])
def test_ops_written_out_in_value_py_are_their_rows(name, make):
    row = OPS[name]
    same = lambda p, q: p == q or (math.isnan(p) and math.isnan(q))  # noqa: E731
    for a in SPECIAL:
        for b in SPECIAL:
            out = make(Value(a), Value(b))
            args = (a, b)[: len(row.inputs)]
            y = row.forward(*args)
            assert same(out.data, y) and all(map(same, out._local, row.local(*args, y))), (name, a, b)


def test_leaves_and_hand_made_nodes_have_no_spec():
    assert ops.spec_of(Value(1.0)) is None
    assert ops.spec_of(Tensor([1.0])) is None
    assert ops.spec_of(Value(1.0, _op="mystery", _inputs=(Value(2.0),), _local=(1.0,))) is None


def test_table_rows_are_complete_and_found_by_name_alias_and_label():
    assert len({row.label for row in OPS.values()}) == len(OPS)
    for row in SCALAR_OPS:
        assert row.js_forward and len(row.js_local) == len(row.wrt) == len(row.derivatives)
        assert row.verb and row.verb != "computes"
        assert all(callable(f) for f in (row.forward, row.local, row.array_forward, row.array_local))
        assert ops.find(row.name) is row
    assert ops.find("multiply") is ops.find("Mul") is OPS["mul"]
    assert ops.find("Sigmoid") is OPS["sigmoid"] and ops.find("no such op") is None
    assert ops.by_label("*") is OPS["mul"] and ops.by_label("σ") is OPS["sigmoid"]
    assert ops.by_label("+1") is ops.by_label("-2.5") is OPS["add_const"]
    assert ops.by_label("max(0)") is OPS["max_const"] and ops.by_label("3/x") is OPS["rdiv"]
    assert ops.by_label("**2") is OPS["pow"] and ops.by_label("*-1") is OPS["mul_const"]
    assert ops.by_label("sum") is OPS["sum"] and ops.by_label("a group") is None
    assert OPS["exp"].rule == "∂/∂x = exp(x)"
    assert OPS["pow"].rules(3.0) == ("∂/∂x = 3·x^2",)


def test_apply_makes_the_node_of_a_row_and_checks_what_it_gets():
    x, y = Value(2.0), Value(-3.0)
    assert ops.apply("mul", x, y).data == -6.0 and ops.apply(OPS["pow"], x, 3).op == "**3"
    assert ops.spec_of(ops.apply("sin", x)) == (OPS["sin"], None)
    t = ops.apply("add", Tensor([1.0, 2.0]), np.array([10.0, 20.0]))
    assert t.data.tolist() == [11.0, 22.0]
    with pytest.raises(TypeError, match="two inputs"):
        ops.apply("mul", x)
    with pytest.raises(TypeError, match="one input"):
        ops.apply("exp", x, y)
    with pytest.raises(TypeError, match="an input and a number"):
        ops.apply("pow", x, y)
    with pytest.raises(TypeError, match="Tensor method"):
        ops.apply("sum", Tensor([1.0]))


# -- edge values: both engines against numpy --------------------------------------------------

SPECIAL = [math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, -1.0, 2.5, -0.5, 1e-300, -1e300, 710.0]
numbers = st.one_of(st.sampled_from(SPECIAL), st.floats(-50, 50), st.floats())
exponents = st.one_of(st.sampled_from([0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, -1.5, 2.5]), st.floats(-4, 4))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# numpy's forward and d y / d input for each row, written independently of vizgrad
NUMPY = {
    "add": (np.add, lambda a, b: (1.0, 1.0)),
    "sub": (np.subtract, lambda a, b: (1.0, -1.0)),
    "mul": (np.multiply, lambda a, b: (b, a)),
    "div": (np.divide, lambda a, b: (1.0 / b, -(a / b) / b)),
    "max": (np.maximum, lambda a, b: (np.where(np.isnan(a) | np.isnan(b), np.nan, a >= b),
                                      np.where(np.isnan(a) | np.isnan(b), np.nan, a < b))),
    "add_const": (np.add, lambda x, c: (1.0,)),
    "rsub": (lambda x, c: c - x, lambda x, c: (-1.0,)),
    "mul_const": (np.multiply, lambda x, c: (c,)),
    "div_const": (np.divide, lambda x, c: (1.0 / c,)),
    "rdiv": (lambda x, c: c / x, lambda x, c: (-(c / x) / x,)),
    "pow": (np.power, lambda x, c: (0.0 if c == 0 else c * np.power(x, c - 1),)),
    "max_const": (np.maximum, lambda x, c: (np.where(np.isnan(x) | np.isnan(c), np.nan, x >= c),)),
    "neg": (np.negative, lambda x: (-1.0,)),
    "exp": (np.exp, lambda x: (np.exp(x),)),
    "log": (np.log, lambda x: (1.0 / x,)),
    "tanh": (np.tanh, lambda x: (1.0 / np.cosh(x) ** 2,)),  # 1 - tanh², without its cancellation
    "sigmoid": (_sigmoid, lambda x: (_sigmoid(x) * _sigmoid(-x),)),  # σ(1 - σ), likewise
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (np.heaviside(x, 0.0),)),
    "sin": (np.sin, lambda x: (np.cos(x),)),
    "cos": (np.cos, lambda x: (-np.sin(x),)),
}


def test_every_scalar_row_has_a_numpy_reference():
    assert set(NUMPY) == {row.name for row in SCALAR_OPS}


def assert_same(got, expected, what):
    got, expected = float(got), float(np.float64(expected))
    if math.isnan(expected):
        assert math.isnan(got), what
    elif math.isinf(expected):
        assert got == expected, what  # the same signed infinity
    else:
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-300), what


def check_against_numpy(row, args):
    forward, local = NUMPY[row.name]
    with np.errstate(all="ignore"):
        y = forward(*map(np.float64, args))
        ds = local(*map(np.float64, args))
    n = len(row.wrt)
    v = call(row, *[Value(a) for a in args[:n]], *args[n:])
    t = call(row, *[Tensor([a]) for a in args[:n]], *args[n:])
    what = (row.name, args)
    assert_same(v.data, y, what)
    assert_same(t.data[0], y, what)
    for i, d in enumerate(ds):
        assert_same(v._local_gradient(i), d, (*what, "local", i))
        assert_same(t._local_gradient(i).elementwise[0], d, (*what, "Tensor local", i))


@pytest.mark.parametrize("row", SCALAR_OPS, ids=lambda r: r.name)
@FAST
@given(data=st.data())
def test_both_engines_follow_numpy_at_nan_inf_and_signed_zero(row, data):
    args = [data.draw(numbers) for _ in row.wrt]
    if row.has_constant:
        args.append(data.draw(exponents if row.name == "pow" else numbers))
    check_against_numpy(row, args)


@pytest.mark.parametrize("row", SCALAR_OPS, ids=lambda r: r.name)
def test_every_row_at_every_special_value(row):
    consts = [0.0, 1.0, 2.0, -1.0, 0.5, -1.5] if row.name == "pow" else SPECIAL
    for x in SPECIAL:
        for other in (consts if row.has_constant or len(row.wrt) == 2 else [None]):
            check_against_numpy(row, [x] if other is None else [x, other])


# -- the JavaScript expressions ---------------------------------------------------------------

NODE = shutil.which("node")

JS = """
const rows = JSON.parse(process.argv[1]), cases = JSON.parse(process.argv[2]);
const num = (s) => (s === "nan" ? NaN : s === "inf" ? Infinity : s === "-inf" ? -Infinity : s);
const show = (v) => (Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : v);
const out = cases.map(([name, env]) => {
  const r = rows[name], f = (e) => new Function("x", "a", "b", "c", "y", "return " + e);
  const e = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, num(v)]));
  const y = f(r.forward)(e.x, e.a, e.b, e.c);
  return [show(y), r.local.map((l) => show(f(l)(e.x, e.a, e.b, e.c, y)))];
});
console.log(JSON.stringify(out));
"""


def _js_number(v: float):
    return "nan" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else v)


def _from_js(v) -> float:
    return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(v, v) if isinstance(v, str) else float(v)


@pytest.mark.skipif(NODE is None, reason="node (JavaScript) is not installed")
def test_js_expressions_give_pythons_numbers():
    rng = np.random.default_rng(3)
    cases, expected = [], []
    for row in SCALAR_OPS:
        points = [rng.uniform(-3, 3, len(row.inputs)).tolist() for _ in range(20)]
        points += [[s] * len(row.inputs) for s in SPECIAL]
        points += [[s, 2.0] if len(row.inputs) == 2 else [s] for s in SPECIAL]
        if row.name == "pow":  # every exponent at every special base (JavaScript's ** differs at some)
            points = [[x, c] for x in SPECIAL + [2.0, 0.3] for c in [2.0, 3.0, 0.0, 1.0, -1.0, 0.5, -1.5, 2.5]]
        for p in points:
            env = dict(zip(row.inputs, p, strict=True))
            y = row.forward(*p)
            cases.append([row.name, {k: _js_number(v) for k, v in env.items()}])
            expected.append((row.name, p, y, row.local(*p, y)))
    result = subprocess.run([NODE, "-e", JS, json.dumps(ops.js_table()), json.dumps(cases)],
                            capture_output=True, text=True, timeout=60, check=True)
    for (name, p, y, local), (js_y, js_local) in zip(expected, json.loads(result.stdout), strict=True):
        assert_same(_from_js(js_y), y, (name, p, "forward"))
        for d, js_d in zip(local, js_local, strict=True):
            assert_same(_from_js(js_d), d, (name, p, "local"))
