"""vizgrad.trace: the recorded forward and backward pass, step by step."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vizgrad as vg
from vizgrad import Edge, LocalGradient, Step, Tensor, Trace, Value
from vizgrad.engine.graph import topological_order

from conftest import FAST, lecture, numeric_jacobian


# -- the sequence ---------------------------------------------------------------------


def test_trace_is_a_sequence_of_steps():
    *_, f = lecture()
    tr = vg.trace(f)
    assert isinstance(tr, Trace)
    assert len(tr) == 2 * 5
    assert all(isinstance(s, Step) for s in tr)
    assert tr[0] is list(tr)[0] and tr[-1] is list(tr)[-1]
    assert tuple(tr[2:5]) == tuple(list(tr)[2:5])
    assert tuple(tr[::-1]) == tuple(reversed(list(tr)))
    assert [s.index for s in tr] == list(range(10))
    with pytest.raises(IndexError):
        tr[10]


def test_trace_cannot_be_changed():
    x, *_, f = lecture()
    tr = vg.trace(f)
    step = tr[7]
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.upstream = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr[0].value = 99.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr[5].edges[0].contribution = 0.0
    with pytest.raises(TypeError):
        tr[0] = tr[1]
    with pytest.raises(TypeError):
        del tr[0]
    assert isinstance(tr[5].edges, tuple) and isinstance(tr[5].sources, tuple)
    assert isinstance(tr[2:4], tuple)
    assert tr[7].upstream == step.upstream


def test_forward_steps_first_then_backward_in_reverse():
    x, y, z, q, f = lecture()
    tr = vg.trace(f)
    n = len(tr) // 2
    assert [s.phase for s in tr] == ["forward"] * n + ["backward"] * n
    assert [s.node.name for s in tr[:n]] == ["x", "y", "q", "z", "f"]
    assert [s.node.name for s in tr[n:]] == ["f", "z", "q", "y", "x"]
    assert [s.value for s in tr[:n]] == [-2.0, 5.0, 3.0, -4.0, -12.0]
    assert [s.value for s in tr[n:]] == [-12.0, -4.0, 3.0, 5.0, -2.0]
    assert tr.forward == tuple(tr[:n]) and tr.backward == tuple(tr[n:])
    assert tr.nodes == (x, y, q, z, f)
    assert all(s.upstream is None and s.edges == () for s in tr.forward)


def test_lecture_backward_steps():
    x, y, z, q, f = lecture()
    tr = vg.trace(f)
    back = tr.backward
    assert [(s.node.name, s.upstream) for s in back] == [
        ("f", 1.0), ("z", 3.0), ("q", -4.0), ("y", -4.0), ("x", -4.0)]
    # f = q * z sends upstream × the other input to each input
    e_q, e_z = back[0].edges
    assert isinstance(e_q, Edge) and isinstance(e_z, Edge)
    assert (e_q.output, e_q.input, e_q.index) == (f, q, 0)
    assert (e_q.upstream, e_q.local, e_q.contribution, e_q.grad_after) == (1.0, -4.0, -4.0, -4.0)
    assert (e_z.output, e_z.input, e_z.index) == (f, z, 1)
    assert (e_z.upstream, e_z.local, e_z.contribution, e_z.grad_after) == (1.0, 3.0, 3.0, 3.0)
    assert back[0].sources == ()
    # q = x + y: the add gate distributes
    assert [(e.input.name, e.upstream, e.local, e.contribution) for e in back[2].edges] == [
        ("x", -4.0, 1.0, -4.0), ("y", -4.0, 1.0, -4.0)]
    # the y step: its gradient came from q, upstream -4 × local 1
    (src,) = back[3].sources
    assert src.output is q and src.input is y
    assert (src.upstream, src.local, src.contribution) == (-4.0, 1.0, -4.0)
    assert back[3].edges == () and back[4].edges == ()
    assert back[1].sources == (e_z,)
    assert tr.backward_step(q) is back[2] and tr.forward_step(q) is tr[2]
    assert tr.position(z) == 3
    assert [tr.grad(n) for n in (x, y, z, q, f)] == [-4.0, -4.0, 3.0, -4.0, 1.0]


def test_lecture_sigmoid_circuit_upstreams():
    w0, x0, w1, x1, w2 = (Value(v, name=n) for v, n in
                          zip([2.0, -1.0, -3.0, -2.0, -3.0], ["w0", "x0", "w1", "x1", "w2"], strict=True))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    tr = vg.trace(f)
    gates = [(s.node.op, round(s.upstream, 2)) for s in tr.backward if s.node.op]
    assert gates == [("1/x", 1.0), ("+1", -0.53), ("exp", -0.53), ("-x", -0.2),
                     ("+", 0.2), ("+", 0.2), ("*", 0.2), ("*", 0.2)]
    leaves = {s.node.name: round(s.upstream, 2) for s in tr.backward if not s.node.op}
    assert leaves == {"w0": -0.2, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.2}


def test_inputs_come_before_their_users():
    a, b = Value(1.0, name="a"), Value(2.0, name="b")
    c = (a * b).tanh() + a
    d = c * c + b.exp() - (c / b)
    tr = vg.trace(d)
    pos = {id(s.node): s.index for s in tr.forward}
    for s in tr.forward:
        for inp in s.node.inputs:
            assert pos[id(inp)] < s.index
    assert len({id(s.node) for s in tr.forward}) == len(tr.forward)
    assert tr.forward[-1].node is d


# -- gradients in the trace ------------------------------------------------------------------


def check_bookkeeping(tr: Trace):
    """Every backward step: upstream = sum of its sources' contributions; the last source's
    grad_after is that sum; each edge's contribution = upstream × local."""
    for s in tr.backward:
        if s.node is tr.output:
            assert s.sources == ()
            continue
        assert s.sources, s.node
        total = s.sources[0].contribution
        assert s.sources[0].grad_after == pytest.approx(total)
        for e in s.sources[1:]:
            total = total + e.contribution
            assert np.allclose(e.grad_after, total)
        assert np.allclose(s.upstream, total)
        assert np.allclose(s.sources[-1].grad_after, s.upstream)
        for e in s.edges:
            assert e.output is s.node and s.node.inputs[e.index] is e.input
            assert np.allclose(e.upstream, s.upstream)


def test_fan_out_accumulates():
    a = Value(1.5, name="a")
    b = a + a
    b.name = "b"
    c = b + b
    tr = vg.trace(c)
    assert len(tr) == 6
    step_b = tr.backward_step(b)
    assert [(e.index, e.contribution, e.grad_after) for e in step_b.sources] == [(0, 1.0, 1.0), (1, 1.0, 2.0)]
    step_a = tr.backward_step(a)
    assert [(e.index, e.upstream, e.contribution, e.grad_after) for e in step_a.sources] == [
        (0, 2.0, 2.0, 2.0), (1, 2.0, 2.0, 4.0)]
    assert step_a.upstream == 4.0 == sum(e.contribution for e in step_a.sources)
    assert step_b.edges == step_a.sources
    check_bookkeeping(tr)


def test_fan_out_from_different_gates():
    x = Value(3.0, name="x")
    f = x * 2 + x.tanh() + x * x
    tr = vg.trace(f)
    s = tr.backward_step(x)
    assert len(s.sources) == 4  # *2, tanh, and both inputs of x*x
    assert [e.grad_after for e in s.sources][-1] == pytest.approx(2 + (1 - np.tanh(3) ** 2) + 6)
    check_bookkeeping(tr)


def test_trace_does_not_modify_grads():
    x, y, z, q, f = lecture()
    tr = vg.trace(f)
    assert [n.grad for n in (x, y, z, q, f)] == [0.0] * 5
    f.backward()
    before = [n.grad for n in (x, y, z, q, f)]
    g = x * 10
    vg.trace(g)
    assert [n.grad for n in (x, y, z, q, f)] == before
    assert tr.grad(x) == -4.0
    T = Tensor([1.0, 2.0])
    vg.trace((T * T).sum())
    assert not T.grad.any()


def test_trace_grad_equals_backward():
    a, b = Value(0.3), Value(-1.2)
    out = (a * b).sigmoid() * a + b.exp() / (a + 2)
    tr = vg.trace(out)
    out.backward()
    for node in topological_order(out):
        assert tr.grad(node) == node.grad
    with pytest.raises(KeyError):
        tr.grad(Value(1.0))


def test_trace_errors():
    with pytest.raises(TypeError):
        vg.trace(3.0)
    with pytest.raises(TypeError):
        vg.trace(Value(1.0), seed=2.0)
    t = Tensor([1.0, 2.0]) * 3
    with pytest.raises(ValueError) as e:
        vg.trace(t)
    assert ".sum()" in str(e.value) or "grad=" in str(e.value)
    tr = vg.trace(t, seed=np.array([1.0, -1.0]))
    np.testing.assert_array_equal(tr.grad(t.inputs[0]), [3.0, -3.0])
    with pytest.raises(ValueError):
        vg.trace(t, seed=np.ones(3))


def test_single_leaf_trace():
    x = Value(2.0, name="x")
    tr = vg.trace(x)
    assert len(tr) == 2
    assert (tr[0].phase, tr[0].value) == ("forward", 2.0)
    assert (tr[1].phase, tr[1].upstream, tr[1].edges, tr[1].sources) == ("backward", 1.0, (), ())


def test_str_and_repr_do_not_fail():
    *_, f = lecture()
    tr = vg.trace(f)
    text = str(tr)
    assert len(text.splitlines()) >= len(tr)
    assert "f" in repr(tr)
    ttr = vg.trace((Tensor([1.0, 2.0], name="a") * 2).sum())
    assert "a" in str(ttr)


# -- replay never recomputes ---------------------------------------------------------------------


def test_replay_does_not_rerun_the_computation(monkeypatch):
    calls = {"value": 0, "tensor": 0}
    original_v, original_t = Value._contributions, Tensor._contributions

    def counting_v(self, upstream):
        calls["value"] += 1
        return original_v(self, upstream)

    def counting_t(self, upstream):
        calls["tensor"] += 1
        return original_t(self, upstream)

    monkeypatch.setattr(Value, "_contributions", counting_v)
    monkeypatch.setattr(Tensor, "_contributions", counting_t)
    x, y, z, q, f = lecture()
    tr = vg.trace(f)
    assert calls["value"] == 2  # one backward pass: q and f are the gates
    first = [(s.index, s.phase, s.node, s.value, s.upstream, s.edges, s.sources) for s in tr]
    second = [(s.index, s.phase, s.node, s.value, s.upstream, s.edges, s.sources) for s in tr]
    assert first == second
    str(tr)
    [tr.grad(n) for n in tr.nodes]
    assert calls["value"] == 2

    W = Tensor(np.ones((2, 3)))
    out = (W @ np.ones(3)).tanh().sum()
    ttr = vg.trace(out)
    assert calls["tensor"] == 3
    for _ in range(2):
        for s in ttr:
            for e in s.edges:
                assert (e.contribution, e.grad_after) is not None
    assert calls["tensor"] == 3


def test_replay_does_not_call_ops(monkeypatch):
    x = Value(0.5)
    f = x.exp() * x
    tr = vg.trace(f)

    def boom(*args, **kwargs):
        raise AssertionError("the trace re-ran an op")

    monkeypatch.setattr(Value, "exp", boom)
    monkeypatch.setattr(Value, "__mul__", boom)
    assert [s.value for s in tr][:3] == [0.5, np.exp(0.5), 0.5 * np.exp(0.5)]
    assert tr.grad(x) == pytest.approx(np.exp(0.5) * 1.5)


# -- tensor traces ----------------------------------------------------------------------------------


def tensor_net():
    W = Tensor(np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]]), name="W")
    x = Tensor(np.array([1.0, -2.0, 0.5]), name="x")
    b = Tensor(np.array([0.1, -0.2]), name="b")
    h = (W @ x + b).tanh()
    h.name = "h"
    loss = (h * h).sum() + (W.relu() * 2).mean()
    return W, x, b, h, loss


def test_tensor_trace_edges():
    W, x, b, h, loss = tensor_net()
    tr = vg.trace(loss)
    assert len(tr) == 2 * len(topological_order(loss))
    loss.backward()
    for node in tr.nodes:
        np.testing.assert_allclose(tr.grad(node), node.grad)
    for s in tr.backward:
        for e in s.edges:
            assert isinstance(e.local, LocalGradient)
            np.testing.assert_allclose(e.local.vjp(e.upstream), e.contribution)
            np.testing.assert_allclose(e.local(e.upstream), e.contribution)
            assert np.shape(e.contribution) == e.input.shape
            assert np.shape(e.grad_after) == e.input.shape
            assert e.local.in_shape == e.input.shape and e.local.out_shape == e.output.shape
        if s.sources:
            total = sum(np.asarray(e.contribution) for e in s.sources)
            assert total.shape == s.node.shape
            np.testing.assert_allclose(s.upstream, total)
    check_bookkeeping(tr)
    assert tr.backward_step(h).upstream.shape == (2,)


def test_tensor_trace_values_are_snapshots():
    a = Tensor([1.0, 2.0], name="a")
    b = Tensor([3.0, 4.0], name="b")
    W = Tensor(np.eye(2), name="W")
    out = ((a * b) @ W).sum()
    tr = vg.trace(out)
    values = [np.array(s.value) for s in tr]
    edges = [(e.local.elementwise, e.local.jacobian(), e.upstream, e.contribution, e.grad_after)
             for s in tr.backward for e in s.edges]
    edges = [tuple(None if v is None else np.array(v) for v in e) for e in edges]
    # in-place updates afterwards (an SGD step) change neither values nor local gradients
    for t in (a, b, W):
        t.data += 10.0
        t.data *= -3.0
    (out.inputs[0]).data[...] = 0.0
    for s, v in zip(tr, values, strict=True):
        np.testing.assert_array_equal(s.value, v)
    for (s_e, before) in zip([e for s in tr.backward for e in s.edges], edges, strict=True):
        el, jac, up, contribution, after = before
        if el is not None:
            np.testing.assert_array_equal(s_e.local.elementwise, el)
        np.testing.assert_array_equal(s_e.local.jacobian(), jac)
        np.testing.assert_array_equal(s_e.upstream, up)
        np.testing.assert_array_equal(s_e.contribution, contribution)
        np.testing.assert_array_equal(s_e.grad_after, after)
        # and the recorded contribution is still upstream through the recorded local gradient
        np.testing.assert_allclose(s_e.local.vjp(s_e.upstream), s_e.contribution)
    np.testing.assert_array_equal(tr.grad(a), [3.0, 4.0])


def test_tensor_trace_holds_no_needless_copies():
    """Gradients are kept once: a single-use input's grad_after is its contribution, a
    node's upstream is the array its last source left, and the trace holds about one
    array per forward value plus one per gradient (not one per field of every edge)."""
    rng = np.random.default_rng(1)
    h = Tensor(rng.standard_normal((4, 30)), name="x")
    for k in range(3):
        h = h @ Tensor(rng.standard_normal((30, 30)), name=f"W{k}")
    h = h.tanh() + h  # a fork: h feeds tanh and +
    out = h.sum()
    tr = vg.trace(out)
    uses = {id(n): 0 for n in tr.nodes}
    for n in tr.nodes:
        for child in n.inputs:
            uses[id(child)] += 1
    for s in tr.backward:
        for e in s.edges:
            assert e.upstream is s.upstream
            if uses[id(e.input)] == 1:
                assert e.grad_after is e.contribution
        if s.sources:
            assert s.sources[-1].grad_after is s.upstream is tr.grad(s.node)
    assert any(uses[id(n)] > 1 for n in tr.nodes)
    held = {}
    for s in tr:
        arrays = [s.value, s.upstream] + [a for e in s.edges for a in (e.upstream, e.contribution, e.grad_after)]
        held.update((id(a), a) for a in arrays if isinstance(a, np.ndarray) and a.base is None)
    values = sum(n.data.nbytes for n in tr.nodes)
    assert sum(a.nbytes for a in held.values()) <= 2 * values + 2 * h.data.nbytes
    # what the trace shares, nobody may change in place
    with pytest.raises(ValueError):
        tr.grad(tr.nodes[0])[...] = 0.0


def test_local_gradient_jacobian_equals_numerical_jacobian_of_the_op():
    rng = np.random.default_rng(0)
    A = rng.uniform(-2, 2, (2, 3))
    B = rng.uniform(-2, 2, (3, 4))
    v = rng.uniform(0.5, 2, (3,))
    cases = [
        # (build from leaves, numpy op on the leaf values)
        (lambda a, b: a @ b, lambda a, b: a @ b, [A, B]),
        (lambda a, b: a * b, lambda a, b: a * b, [A, v]),
        (lambda a, b: a / b, lambda a, b: a / b, [A, v]),
        (lambda a, b: a - b, lambda a, b: a - b, [v, A]),
        (lambda a: a.tanh(), np.tanh, [A]),
        (lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), [A]),
        (lambda a: a.sum(axis=0), lambda a: a.sum(axis=0), [A]),
        (lambda a: a.mean(axis=1, keepdims=True), lambda a: a.mean(axis=1, keepdims=True), [A]),
        (lambda a: a.T, lambda a: a.T, [A]),
        (lambda a: a.reshape(3, 2), lambda a: a.reshape(3, 2), [A]),
        (lambda a: a**3, lambda a: a**3, [v]),
        (lambda a: 1 / a, lambda a: 1 / a, [v]),
        (lambda a: vg.cross_entropy(a, [0, 2]), None, [A]),
    ]
    for build, reference, arrays in cases:
        leaves = [Tensor(a) for a in arrays]
        out = build(*leaves)
        seed = np.ones(out.shape)
        tr = vg.trace(out, seed=None if out.data.size == 1 else seed)
        (step,) = [s for s in tr.backward if s.node is out]
        for e in step.edges:
            k = e.index

            def op_of_input(xk, k=k, arrays=arrays, build=build, reference=reference):
                args = [a.copy() for a in arrays]
                args[k] = xk
                if reference is None:
                    return build(*[Tensor(a) for a in args]).data
                return reference(*args)

            J = e.local.jacobian()
            assert J.shape == (out.data.size, arrays[k].size)
            np.testing.assert_allclose(J, numeric_jacobian(op_of_input, arrays[k]), rtol=1e-5, atol=1e-7)
            # elementwise: the Jacobian's diagonal (when no broadcasting)
            if e.local.elementwise is not None and arrays[k].shape == out.shape:
                np.testing.assert_allclose(np.diag(J), np.ravel(e.local.elementwise))
                np.testing.assert_allclose(J, np.diag(np.diag(J)))


def test_elementwise_local_gradient_is_the_diagonal():
    x = Tensor([-1.0, 0.5, 2.0])
    for make, d in [(lambda t: t.tanh(), 1 - np.tanh(x.data) ** 2), (lambda t: t.exp(), np.exp(x.data)),
                    (lambda t: t.relu(), np.array([0.0, 1.0, 1.0])), (lambda t: t * 3, np.full(3, 3.0)),
                    (lambda t: t**2, 2 * x.data)]:
        out = make(x)
        tr = vg.trace(out.sum())
        (e,) = tr.backward_step(out).edges
        np.testing.assert_allclose(e.local.elementwise, d)
        np.testing.assert_allclose(e.local.jacobian(), np.diag(d))
    m = x @ np.ones((3, 2))
    tr = vg.trace(m.sum())
    assert all(e.local.elementwise is None for e in tr.backward_step(m).edges)


def test_local_gradient_refuses_a_big_jacobian():
    x = Tensor(np.linspace(-1, 1, 4096))
    out = x.relu()
    tr = vg.trace(out.sum())
    (e,) = tr.backward_step(out).edges
    with pytest.raises(ValueError) as err:
        e.local.jacobian()
    assert "4096" in str(err.value)
    assert e.local.elementwise.shape == (4096,)


# -- random graphs: bookkeeping holds and the trace agrees with backward() -------------------------


@FAST
@given(st.lists(st.floats(-2, 2), min_size=1, max_size=3),
       st.lists(st.tuples(st.sampled_from(["+", "*", "-", "tanh", "sigmoid", "neg", "2*x"]),
                          st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=10))
def test_random_graphs_trace_agrees_with_backward(leaves, steps):
    nodes = [Value(v) for v in leaves]
    for op, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append({"+": lambda a=a, b=b: a + b, "*": lambda a=a, b=b: a * b, "-": lambda a=a, b=b: a - b,
                      "tanh": lambda a=a: a.tanh(), "sigmoid": lambda a=a: a.sigmoid(),
                      "neg": lambda a=a: -a, "2*x": lambda a=a: 2 * a}[op]())
    out = nodes[-1]
    tr = vg.trace(out)
    order = topological_order(out)
    assert len(tr) == 2 * len(order)
    assert [s.node for s in tr.forward] == order
    assert [s.node for s in tr.backward] == order[::-1]
    out.backward()
    for node in order:
        assert tr.grad(node) == node.grad
        assert tr.backward_step(node).upstream == node.grad
    for s in tr.backward:
        for e in s.edges:
            assert e.contribution == e.upstream * e.local
    check_bookkeeping(tr)
