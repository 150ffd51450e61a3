"""Captions: each gate's verb comes from the op table, constants written in."""

from __future__ import annotations

import numpy as np
import pytest

import vizgrad as vg
from vizgrad import Tensor, Value
from vizgrad.engine import ops

from conftest import lecture


def forward_text(out, node) -> str:
    trace = vg.trace(out)
    caps = vg.captions(trace)
    (k,) = [i for i, s in enumerate(trace) if s.phase == "forward" and s.node is node]
    return caps[k].text


def test_the_lecture_reads_as_before():
    x, y, z, q, f = lecture()
    assert forward_text(f, q) == "Forward: the + gate adds its inputs."
    assert forward_text(f, f) == "Forward: the * gate multiplies its inputs."


@pytest.mark.parametrize("row", ops.SCALAR_OPS, ids=lambda r: r.name)
def test_every_gate_says_what_its_row_says(row):
    c = 2.5 if row.name != "pow" else 3.0
    x, y = Value(0.7, name="x"), Value(-0.4, name="y")
    args = [x, y][: len(row.wrt)] + ([c] if row.has_constant else [])
    out = {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y, "div": lambda: x / y,
           "max": lambda: x.max(y), "add_const": lambda: x + c, "rsub": lambda: c - x,
           "mul_const": lambda: x * c, "div_const": lambda: x / c, "rdiv": lambda: c / x,
           "pow": lambda: x**c, "max_const": lambda: x.max(c), "neg": lambda: -x,
           }.get(row.name, lambda: getattr(args[0], row.method or "")())()
    text = forward_text(out, out)
    assert text == f"Forward: the {out.op} gate {row.verb_for(c if row.has_constant else None)}."
    assert "computes" not in text and "{c}" not in text


def test_constants_are_written_into_the_verb():
    x = Value(1.0, name="x")
    g = x + 1
    assert forward_text(g, g) == "Forward: the +1 gate adds 1."
    g = 1 / x
    assert forward_text(g, g) == "Forward: the 1/x gate divides 1 by its input."
    g = x * -1
    assert forward_text(g, g) == "Forward: the *-1 gate multiplies by -1."
    h = x**2
    assert forward_text(h, h) == "Forward: the **2 gate raises its input to the power 2."
    m = x.max(0)
    assert forward_text(m, m) == "Forward: the max(0) gate passes on the larger of its input and 0."


def test_tensor_ops_and_unknown_gates():
    W, v = Tensor(np.eye(2), name="W"), Tensor([1.0, 2.0], name="v")
    h = W @ v
    s = h.sin().sum()
    assert forward_text(s, h) == "Forward: the @ gate multiplies matrices."
    assert forward_text(s, s) == "Forward: the sum gate sums."
    assert forward_text(s, s.inputs[0]) == "Forward: the sin gate takes the sine."
    odd = Value(3.0, _op="mystery", _inputs=(Value(1.0),), _local=(1.0,))
    assert forward_text(odd, odd) == "Forward: the mystery gate computes."
