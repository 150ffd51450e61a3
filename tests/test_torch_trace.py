"""PyTorch graphs traced: torch's own backward pass, recorded from its hooks, as a vizgrad Trace."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import numpy as np
import pytest

import vizgrad as vg
from vizgrad.drawing.texts import fmt
from vizgrad.engine import torch_trace
from vizgrad.engine.recorded import NOT_KEPT, NotKept
from vizgrad.engine.torch_trace import GraphFreed
from vizgrad.web.player import save_html
from vizgrad.web.quiz import quiz_data, quiz_steps

from conftest import browser_test

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'vizgrad-edu[torch]')")
F = torch.nn.functional


def circuit():
    """The lecture's f = (x + y) z at x = -2, y = 5, z = -4, in torch scalars."""
    x, y, z = (torch.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    q = x + y
    return x, y, z, q, q * z


def mlp(dtype=torch.float64, inplace=False):
    """A Linear-ReLU-Linear net with cross-entropy on five points, and its loss."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(inplace=inplace), torch.nn.Linear(4, 3)).to(dtype)
    x = torch.randn(5, 3, dtype=dtype)
    y = torch.tensor([0, 1, 2, 1, 0])
    return net, x, y


def leaf_grads_by_backward(loss, leaves):
    """What loss.backward() puts in .grad (on copies of the graph's state: the grads set afresh)."""
    saved = [p.grad for p in leaves]
    for p in leaves:
        p.grad = None
    loss.backward(retain_graph=True)
    out = [p.grad.detach().numpy().copy() for p in leaves]
    for p, g in zip(leaves, saved, strict=True):
        p.grad = g
    return out


# -- gradients -----------------------------------------------------------------------------


def test_lecture_circuit_in_torch_scalars():
    x, y, z, q, f = circuit()
    t = vg.trace(f, names=dict(x=x, y=y, z=z, q=q, f=f))
    assert (t.grad(x), t.grad(y), t.grad(z), t.grad(q)) == (-4.0, -4.0, 3.0, -4.0)
    assert t.engine == "torch" and isinstance(t.output, vg.Value)  # a scalar graph: drawn with numbers
    assert {s.node.name for s in t.forward if not s.node.op} == {"x", "y", "z"}
    assert t.forward_step(q).value == 3.0 and t.forward_step(f).value == -12.0  # q: saved by mul
    mul = t.backward_step(f)
    assert [(e.input.name, e.local, e.contribution) for e in mul.edges] == [("q", -4.0, -4.0), ("z", 3.0, 3.0)]
    assert [g.item() for g in leaf_grads_by_backward(f, [x, y, z])] == [-4.0, -4.0, 3.0]
    assert {s.node.op for s in t.forward if s.node.op} == {"add", "mul"}


def test_float64_mlp_with_cross_entropy_matches_backward():
    net, x, y = mlp()
    loss = F.cross_entropy(net(x), y)
    t = vg.trace(loss, names=net)
    params = list(net.parameters())
    for p, want in zip(params, leaf_grads_by_backward(loss, params), strict=True):
        got = t.grad(p)
        assert got.shape == want.shape
        assert np.allclose(got, want, rtol=1e-12, atol=0)
    assert t.forward[-1].value == pytest.approx(loss.item(), rel=1e-15)
    assert {s.node.name for s in t.forward if not s.node.op} == {"0.weight", "0.bias", "2.weight", "2.bias"}


def test_steps_and_numbers_match_an_independent_hook_recording():
    """A branched graph where torch's order is not the depth-first one: the trace follows torch."""
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    u = x * 2.0
    v = x.exp()
    w = u.sin()
    out = (w + v).sum()
    seen, passed = [], {}
    nodes, stack = [], [out.grad_fn]
    while stack:
        n = stack.pop()
        if n is not None and n not in nodes:
            nodes.append(n)
            stack += [c for c, _ in n.next_functions]
    handles = []
    for n in nodes:
        if type(n).__name__ == "AccumulateGrad":
            handles.append(n.variable.register_hook(lambda g, n=n: seen.append((n.variable, g.clone()))))
        else:
            handles.append(n.register_prehook(lambda go, n=n: seen.append((n, go[0].clone()))))
            handles.append(n.register_hook(lambda gi, go, n=n: passed.__setitem__(n, [g for g in gi if g is not None])))
    torch.autograd.grad(out, [x], retain_graph=True)
    for h in handles:
        h.remove()
    t = vg.trace(out)
    assert [t.backward_step(k) for k, _ in seen] == list(t.backward)
    for k, g in seen:
        assert np.array_equal(t.backward_step(k).upstream, g.numpy())
    for n, grads in passed.items():
        assert [e.contribution.tolist() for e in t.backward_step(n).edges] == [g.tolist() for g in grads]
    depth_first = [t.node(n) for n in (out.grad_fn, w.grad_fn, u.grad_fn, v.grad_fn)]
    assert [s.node for s in t.backward[:4]] != depth_first  # torch's order differs from depth-first
    assert [s.node.op for s in t.backward[:5]] == ["sum", "add", "sin", "exp", "mul"]


def test_a_fork_shows_the_sum_torch_formed():
    x = torch.tensor(3.0, requires_grad=True)
    out = x * x.exp() + x.tanh()
    t = vg.trace(out)
    leaf = t.backward_step(x)
    assert len(leaf.sources) == 3
    assert leaf.upstream == leaf.sources[-1].grad_after == pytest.approx(sum(e.contribution for e in leaf.sources))
    assert leaf.upstream == leaf_grads_by_backward(out, [x])[0].item()


# -- the proof: what the engine did, not what it should have done --------------------------


class WrongSquare(torch.autograd.Function):
    """x² whose backward forgets the 2: it passes on upstream × x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x


def test_a_wrong_backward_shows_its_wrong_numbers():
    x = torch.tensor(3.0, requires_grad=True)
    out = WrongSquare.apply(x) * 2.0
    t = vg.trace(out, names={"x": x})
    assert t.grad(x) == 6.0  # 2 × 3, the wrong backward's; the right one is 2 × 2 × 3 = 12
    assert t.grad(x) == leaf_grads_by_backward(out, [x])[0].item()
    step = t.backward_step(out.grad_fn.next_functions[0][0])
    assert step.node.op == "wrong_square"
    assert [(e.local, e.contribution) for e in step.edges] == [(3.0, 6.0)]  # its own backward, at upstream 1: 3


# -- the user's graph is left as it was ----------------------------------------------------


def test_the_graph_is_left_as_it_was(monkeypatch):
    net, x, y = mlp()
    w1, b1, w2, b2 = net.parameters()
    w1.grad = torch.full_like(w1, 7.0)
    before = w1.grad
    loss = F.cross_entropy(net(x), y)
    vg.trace(loss)
    assert w1.grad is before and bool((w1.grad == 7.0).all())
    assert b1.grad is None and w2.grad is None and b2.grad is None
    assert loss.grad_fn.metadata == {}
    calls = []
    real = torch_trace._copy
    monkeypatch.setattr(torch_trace, "_copy", lambda g: calls.append(1) or real(g))
    w1.grad = None
    loss.backward()  # still works, and no hook of the trace runs
    assert calls == []
    want = leaf_grads_by_backward(F.cross_entropy(net(x), y), [w1])[0]
    assert np.allclose(w1.grad.numpy(), want)


def test_retained_grads_of_named_tensors_are_put_back():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    loss = (h ** 2).sum()
    loss.retain_grad()
    vg.trace(loss, names={"h": h})
    assert h.grad is None and loss.grad is None and x.grad is None
    loss.backward()
    assert h.grad.tolist() == [6.0, 12.0] and loss.grad.item() == 1.0


def test_a_freed_graph_says_so_in_one_line():
    *_, f = circuit()
    f.backward()
    for call in (vg.trace, vg.draw, vg.frames):
        with pytest.raises(GraphFreed) as e:
            call(f)
        text = str(e.value)
        assert "\n" not in text and "freed" in text and "retain_graph=True" in text
        assert e.value.__cause__ is None and e.value.__suppress_context__


def test_bad_torch_input_gets_one_line():
    with pytest.raises(TypeError, match="no grad_fn"):
        vg.trace(torch.tensor(1.0, requires_grad=True))
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="scalar loss"):
        vg.trace(x * 2)
    with pytest.raises(ValueError, match="outputs"):
        vg.trace(sum(x.unbind(0)))
    t = vg.trace((x * 2).sum())
    with pytest.raises(KeyError, match="not part of this trace"):
        t.grad(torch.ones(3))


def test_import_vizgrad_imports_neither_torch_nor_micrograd():
    code = "import sys, vizgrad; print('torch' in sys.modules, 'micrograd' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# -- forward values: what autograd saved ---------------------------------------------------


def test_values_autograd_did_not_keep_are_marked():
    net, x, y = mlp()
    logits = net(x)
    loss = F.cross_entropy(logits, y)
    t = vg.trace(loss)
    ops = [s for s in t.forward if s.node.op]
    assert [s.node.op for s in ops] == ["transpose", "addmm", "relu", "transpose", "addmm", "log_softmax",
                                        "nll_loss"]
    lost = [s for s in ops if isinstance(s.value, NotKept)]
    assert len(lost) == 3 and t.forward_step(logits) in lost
    relu = t.forward_step(ops[2].node)
    assert np.array_equal(relu.value, torch.relu(net[0](x)).detach().numpy())
    fr = vg.frames(t)
    assert NOT_KEPT in fr.svg(t.position(logits)) and fmt(loss.item()) in fr.svg(len(t) - 1)
    assert not any(el.flagged for el in fr.scene.elements)


def test_record_forward_keeps_every_value():
    net, x, y = mlp(inplace=True)
    with vg.record_forward():
        logits = net(x)
        loss = F.cross_entropy(logits, y)
    t = vg.trace(loss)
    assert not any(isinstance(s.value, NotKept) for s in t.forward)
    assert np.array_equal(t.forward_step(logits).value, logits.detach().numpy())
    (relu,) = [s.node for s in t.forward if s.node.op == "relu"]
    pre = relu.inputs[0]  # the addmm that relu changed in place: its value before relu
    assert np.array_equal(t.forward_step(pre).value, net[0](x).detach().numpy())


# -- everything downstream ------------------------------------------------------------------


def test_one_frame_per_step_and_the_user_s_tensors_as_keys():
    net, x, y = mlp()
    h = net[1](net[0](x))
    loss = F.cross_entropy(net[2](h), y)
    t = vg.trace(loss)
    fr = vg.frames(loss)
    assert len(fr) == len(t) == len(vg.captions(t))
    assert np.array_equal(t.grad(h), t.backward_step(h).upstream)
    assert t.backward_step(h).node.op == "relu"
    step = vg.draw(t, step=h)
    assert step is not None
    assert all(s.node.op in ("", "transpose", "addmm", "relu", "log_softmax", "nll_loss") for s in t)


def test_matmul_and_sum_by_name():
    a = torch.randn(2, 3, requires_grad=True)
    b = torch.randn(3, 4, requires_grad=True)
    t = vg.trace((a @ b).tanh().sum())
    assert [s.node.op for s in t.forward if s.node.op] == ["mm", "tanh", "sum"]


def test_the_net_collapsed_into_its_layers():
    net, x, y = mlp()
    h = net[1](net[0](x))
    loss = F.cross_entropy(net[2](h), y)
    t = vg.trace(loss, names=net)
    layers = [t.group(h, (), "layer 1"), t.group(loss, h, "layer 2 + loss")]
    c = t.collapsed(*layers)
    assert [s.node.op for s in c.forward if s.node.op] == ["layer 1", "layer 2 + loss"]
    for p in net.parameters():
        assert np.array_equal(c.grad(p), t.grad(p))
    top = c.backward_step(loss)
    (to_h,) = [e for e in top.edges if e.input is c.node(h)]
    assert np.array_equal(to_h.contribution, t.grad(h))  # what the layer passed on to h
    fr = vg.frames(t, groups=layers, collapse=True)
    assert len(fr) == len(c)


def test_the_scrubber_and_the_exports_take_a_torch_loss(tmp_path):
    pytest.importorskip("anywidget", reason="the scrubber's widget library is not installed")
    net, x, y = mlp()
    loss = F.cross_entropy(net(x), y)
    w = vg.scrub(loss)
    n = len(vg.trace(loss))
    assert len(w.frames) == n
    files = vg.frames(loss).save(tmp_path / "frames", "svg")
    assert len(files) == n and NOT_KEPT in files[n // 2 - 3].read_text(encoding="utf-8")


def test_a_scalar_torch_graph_can_be_quizzed():
    *_, f = circuit()
    fr = vg.frames(f)
    steps = quiz_steps(fr.trace, True)
    assert steps == [6, 7, 8, 9] and quiz_data(fr, steps)


@browser_test
def test_a_saved_page_of_the_torch_mlp_opens_offline_and_shows_the_loss(offline, tmp_path):
    net, x, y = mlp()
    loss = F.cross_entropy(net(x), y)
    fr = vg.frames(loss)
    o = offline(save_html(tmp_path / "torch_mlp.html", fr), ready=".vgp[data-ready='1']")
    o.page.evaluate("k => document.querySelector('.vgp').__vgp.go(k, true)", len(fr) - 1)
    shown = [html.unescape(s) for s in re.findall(r">([^<]+)<", o.page.inner_html(".vgp svg"))]
    assert fmt(loss.item()) in shown
