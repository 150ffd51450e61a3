"""micrograd graphs traced: its own topological order and ``_backward`` closures, recorded."""

from __future__ import annotations

import math
import random

import pytest

import vizgrad as vg
from vizgrad.engine.micrograd_trace import BackwardFailed

micrograd = pytest.importorskip("micrograd", reason="micrograd is not installed (pip install 'vizgrad-edu[torch]')")
from micrograd.engine import Value  # noqa: E402
from micrograd.nn import MLP  # noqa: E402


def net_and_loss(seed=1):
    random.seed(seed)
    net = MLP(3, [4, 4, 1])
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    loss = sum(((net(x) - y) ** 2 for x, y in zip(xs, ys, strict=True)), Value(0.0))
    return net, loss


def build_topo(out):
    """micrograd's own ordering, as written in micrograd/engine.py (recursive)."""
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(out)
    return topo


def test_mlp_leaf_gradients_are_exactly_micrograd_s():
    net, loss = net_and_loss()
    t = vg.trace(loss)
    assert t.engine == "micrograd"
    assert all(p.grad == 0 for p in net.parameters())  # untouched by the trace
    loss.backward()
    assert [t.grad(p) for p in net.parameters()] == [p.grad for p in net.parameters()]
    assert any(p.grad != 0 for p in net.parameters())
    assert t.forward[-1].value == loss.data


def test_steps_follow_micrograd_s_reversed_topological_order():
    _, loss = net_and_loss(2)
    t = vg.trace(loss)
    want = list(reversed(build_topo(loss)))
    assert [s.node for s in t.backward] == [t.node(v) for v in want]
    assert [s.upstream for s in t.backward][:1] == [1.0]


class Video:
    """The Value class typed along the videos (label, tanh, exp, a list for _prev)."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self._backward = data, 0.0, lambda: None
        self._prev, self._op, self.label = set(_children), _op, label

    def __add__(self, other):
        out = Video(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Video(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Video(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out


def neuron():
    x1, x2 = Video(2.0, label="x1"), Video(0.0, label="x2")
    w1, w2 = Video(-3.0, label="w1"), Video(1.0, label="w2")
    b = Video(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return (x1, x2, w1, w2, b, n), o


def test_the_class_typed_in_the_videos():
    (x1, x2, w1, w2, b, n), o = neuron()
    t = vg.trace(o)  # it has no backward(): micrograd's loop over the same order
    assert t.grad(x1) == pytest.approx(-1.5) and t.grad(w1) == pytest.approx(1.0) and t.grad(x2) == pytest.approx(0.5)
    assert t.grad(w2) == 0.0 and t.grad(n) == pytest.approx(0.5)
    assert t.backward_step(o).node.op == "tanh" and t.backward_step(n).node.op == "add"
    assert {s.node.name for s in t.forward} >= {"x1", "x2", "w1", "w2", "b", "n", "o"}
    assert all(v.grad == 0.0 for v in (x1, x2, w1, w2, b, n, o))
    assert len(vg.frames(o)) == len(t) == 2 * 10


def test_a_replaced_wrong_backward_shows_its_wrong_numbers():
    (x1, x2, w1, w2, b, n), o = neuron()
    right = vg.trace(o)
    mul = next(iter(p for p in n._prev if p._op == "+" and len(p._prev) == 2 and x1 in
                    {q for c in p._prev for q in c._prev}))
    x1w1 = next(c for c in mul._prev if x1 in c._prev)

    def wrong():  # forgets to swap: d(x1 w1)/d x1 taken as x1, not w1
        x1.grad += x1.data * x1w1.grad
        w1.grad += w1.data * x1w1.grad
    x1w1._backward = wrong
    t = vg.trace(o)
    assert t.grad(x1) == pytest.approx(2.0 * 0.5) != pytest.approx(right.grad(x1))
    assert t.grad(w1) == pytest.approx(-3.0 * 0.5)
    assert x1w1._backward is wrong  # put back as it was
    step = t.backward_step(x1w1)
    assert {e.input.name: e.local for e in step.edges} == {"x1": 2.0, "w1": -3.0}


def test_the_equals_bug_of_the_video_shows():
    """``self.grad = ...`` instead of ``+=``: a Value used twice loses one of its gradients."""
    a = Video(3.0, label="a")

    class Bug(Video):
        def __add__(self, other):
            out = Bug(self.data + other.data, (self, other), "+")

            def _backward():
                self.grad = 1.0 * out.grad
                other.grad = 1.0 * out.grad
            out._backward = _backward
            return out

    a = Bug(3.0, label="a")
    b = a + a
    t = vg.trace(b)
    assert t.grad(a) == 1.0  # the bug's answer; d(a + a)/da is 2


def test_an_input_used_twice_by_one_op_is_one_edge():
    class Pair(Video):  # _prev kept as a tuple, with the input twice
        def __mul__(self, other):
            out = Pair(self.data * other.data, (), "*")
            out._prev = (self, other)

            def _backward():
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad
            out._backward = _backward
            return out

    a = Pair(3.0, label="a")
    sq = a * a
    t = vg.trace(sq)
    assert t.grad(a) == 6.0 and len(t.backward_step(sq).edges) == 1
    assert t.backward_step(sq).edges[0].local == 6.0


def test_fields_are_restored():
    net, loss = net_and_loss(3)
    params = net.parameters()
    for k, p in enumerate(params):
        p.grad = float(k)
    nodes = build_topo(loss)
    before = {id(v): (v.data, v.grad, v._prev, v._backward, v._op) for v in nodes}
    vg.trace(loss)
    assert {id(v): (v.data, v.grad, v._prev, v._backward, v._op) for v in nodes} == before
    assert all("_backward" in vars(v) for v in nodes)


def test_a_backward_that_raises_says_so_in_one_line():
    (x1, *_), o = neuron()

    def broken():
        raise ZeroDivisionError("oops")
    o._backward = broken
    with pytest.raises(BackwardFailed, match="raised ZeroDivisionError: oops") as e:
        vg.trace(o)
    assert "\n" not in str(e.value)
    assert o._backward is broken and x1.grad == 0.0


def test_drawn_and_quizzed_like_vizgrad_s_own():
    _, o = neuron()
    fr = vg.frames(o)
    assert "tanh" in fr.svg(0)
    assert vg.player_html(o, quiz=True)
