"""gradcheck and jacobian: checking gradients against numbers."""

from __future__ import annotations

import numpy as np
import pytest

import vizgrad as vg
from vizgrad import GradcheckResult, LocalGradient, Tensor, Value
from vizgrad.engine.local_gradient import JACOBIAN_LIMIT

from conftest import numeric_jacobian


# -- custom ops with a deliberately wrong local gradient ----------------------------------


def bad_square(x: Value) -> Value:
    """x² whose local gradient claims 3x instead of 2x."""
    return Value(x.data**2, _op="bad", _inputs=(x,), _local=(3 * x.data,))


def bad_tensor_square(x: Tensor) -> Tensor:
    """Elementwise x² whose VJP multiplies by x instead of 2x."""
    wrong = x.data.copy()
    return x._gate(x.data**2, "bad", (x, LocalGradient("x (should be 2x)", lambda g: g * wrong,
                                                          x.shape, x.shape, wrong)))


def good_tensor_square(x: Tensor) -> Tensor:
    right = 2 * x.data
    return x._gate(x.data**2, "square", (x, LocalGradient("2x", lambda g: g * right,
                                                          x.shape, x.shape, right)))


# -- gradcheck ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, inputs",
    [
        (lambda x, y, z: (x + y) * z, (-2.0, 5.0, -4.0)),
        (lambda w0, x0, w1, x1, w2: 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp()),
         (2.0, -1.0, -3.0, -2.0, -3.0)),
        (lambda a, b: (a * b).tanh() + a.log() - b.sigmoid() + a ** 2.5 / b, (1.3, -0.7)),
        (lambda a, b: a.max(b) * b.relu(), (0.5, 2.0)),
        (lambda a: good_tensor_square(a).sum(), (np.array([1.0, -2.0, 3.0]),)),
        (lambda W, x: (W @ x).tanh().sum(), (np.arange(6.0).reshape(2, 3) / 6, np.array([1.0, -1.0, 0.5]))),
        (lambda W, b: vg.cross_entropy(Tensor(np.ones((4, 3))) @ W + b, [0, 1, 2, 1]),
         (np.array([[0.1, -0.2, 0.3], [0.5, 0.1, -0.4], [0.0, 0.2, 0.1]]), np.array([0.1, 0.0, -0.1]))),
        (lambda x: (x.exp() / x.exp().sum()).log().mean(), (np.array([0.2, -1.0, 0.7]),)),
    ],
)
def test_gradcheck_passes_for_correct_functions(fn, inputs):
    result = vg.gradcheck(fn, *inputs)
    assert isinstance(result, GradcheckResult)
    assert result
    assert result.passed is True
    assert result.max_rel_error < 1e-5
    assert len(result.errors) == len(inputs)
    assert "passed" in result.message and str(result) == result.message


def test_gradcheck_accepts_named_nodes():
    x, y = Value(0.3, name="x"), Value(2.0, name="y")
    result = vg.gradcheck(lambda a, b: a * b.exp(), x, y)
    assert result.passed
    W = Tensor(np.ones((2, 2)), name="W")
    assert vg.gradcheck(lambda w: (w * w).sum(), W).passed


def test_gradcheck_fails_for_a_wrong_value_gradient():
    a, b = Value(1.5, name="a"), Value(-2.0, name="b")
    result = vg.gradcheck(lambda p, q: p * p + bad_square(q), a, b)
    assert not result
    assert result.passed is False
    assert result.worst_input == 1
    assert result.worst_name == "b"
    assert "b" in result.message.replace("gradcheck", "")
    assert result.max_rel_error > 0.3  # 3x vs 2x: off by a third or more
    assert result.errors[0] < 1e-6 and result.errors[1] == result.max_rel_error


def test_gradcheck_names_unnamed_inputs_by_position():
    result = vg.gradcheck(lambda p, q, r: p * q + bad_square(r), 1.0, 2.0, 3.0)
    assert not result.passed
    assert result.worst_input == 2
    assert "2" in result.worst_name
    assert result.worst_name in result.message


def test_gradcheck_fails_for_a_wrong_tensor_gradient():
    W = Tensor(np.array([[1.0, -1.0], [0.5, 2.0]]), name="W")
    x = Tensor(np.array([0.5, -1.5]), name="x")
    result = vg.gradcheck(lambda w, v: (w @ bad_tensor_square(v)).sum(), W, x)
    assert not result.passed and not result
    assert result.worst_input == 1
    assert result.worst_name == "x"
    assert "x" in result.message
    result = vg.gradcheck(lambda w, v: (bad_tensor_square(w) @ v).sum(), W, x)
    assert not result.passed
    assert (result.worst_input, result.worst_name) == (0, "W")
    assert "W" in result.message


def test_gradcheck_detects_a_small_error():
    def slightly_off(x: Value) -> Value:
        return Value(x.data**2, _op="off", _inputs=(x,), _local=(2 * x.data * 1.001,))

    result = vg.gradcheck(slightly_off, 1.7)
    assert not result.passed
    assert result.max_rel_error == pytest.approx(0.001 / 1.001, rel=1e-2)


def test_gradcheck_needs_a_scalar_output():
    with pytest.raises(ValueError) as e:
        vg.gradcheck(lambda t: t * 2, np.ones(3))
    assert ".sum()" in str(e.value)
    with pytest.raises(TypeError):
        vg.gradcheck(lambda: Value(1.0))


def test_gradcheck_input_that_does_not_matter():
    result = vg.gradcheck(lambda a, b: a * 3, 1.0, 2.0)
    assert result.passed
    assert result.errors[1] == 0.0


def test_gradcheck_does_not_change_the_inputs():
    x = Tensor([1.0, 2.0], name="x")
    before = x.data.copy()
    vg.gradcheck(lambda t: (t * t).sum(), x)
    np.testing.assert_array_equal(x.data, before)


# -- jacobian ------------------------------------------------------------------------------------


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize(
    "fn, reference, x",
    [
        (lambda t: t * t, lambda a: a * a, np.array([1.0, -2.0, 0.5])),
        (lambda t: np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0]]) @ t,
         lambda a: np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0]]) @ a, np.array([0.3, -0.1, 2.0])),
        (lambda t: t.tanh(), np.tanh, np.array([0.2, -1.0, 1.5, 0.0])),
        (lambda t: t.exp() / t.exp().sum(), softmax, np.array([0.5, -1.0, 2.0])),
        (lambda t: (t.exp() / t.exp().sum()).log(), lambda a: np.log(softmax(a)), np.array([0.5, -1.0, 2.0])),
        (lambda t: t.sum(axis=0), lambda a: a.sum(axis=0), np.arange(6.0).reshape(2, 3)),
        (lambda t: (t @ t.T).reshape(-1), lambda a: (a @ a.T).ravel(), np.arange(6.0).reshape(2, 3) / 5),
        (lambda t: (t * t).sum(), lambda a: (a * a).sum(), np.array([1.0, 2.0])),
    ],
)
def test_jacobian_equals_numerical_jacobian(fn, reference, x):
    J = vg.jacobian(fn, x)
    out_size = np.asarray(reference(x)).size
    assert J.shape == (out_size, x.size)
    np.testing.assert_allclose(J, numeric_jacobian(reference, x), rtol=1e-6, atol=1e-8)


def test_jacobian_of_x_times_x_and_matmul_exactly():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(vg.jacobian(lambda t: t * t, x), np.diag(2 * x))
    W = np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0]])
    np.testing.assert_allclose(vg.jacobian(lambda t: W @ t, x), W)
    np.testing.assert_allclose(vg.jacobian(lambda t: Tensor(W) @ t, Tensor(x)), W)


def test_jacobian_of_relu_is_diagonal():
    x = np.array([-1.0, 2.0, 0.5])
    J = vg.jacobian(lambda t: t.relu(), x)
    np.testing.assert_array_equal(J, np.diag([0.0, 1.0, 1.0]))


def test_jacobian_refuses_a_4096_vector_relu():
    x = np.linspace(-1, 1, 4096)
    with pytest.raises(ValueError) as e:
        vg.jacobian(lambda t: t.relu(), x)
    assert "4096" in str(e.value)
    assert JACOBIAN_LIMIT < 4096 * 4096
    # the gradient itself is cheap: backprop multiplies through the op instead
    t = Tensor(x)
    t.relu().sum().backward()
    np.testing.assert_array_equal(t.grad, (x > 0).astype(float))


def test_jacobian_limit_is_adjustable():
    x = np.ones(20)
    with pytest.raises(ValueError):
        vg.jacobian(lambda t: t * 2, x, limit=100)
    np.testing.assert_array_equal(vg.jacobian(lambda t: t * 2, x, limit=400), 2 * np.eye(20))


def test_jacobian_needs_a_tensor_function():
    with pytest.raises(TypeError):
        vg.jacobian(lambda t: 3.0, np.ones(2))


def test_jacobian_does_not_touch_grads():
    x = Tensor([1.0, 2.0])
    vg.jacobian(lambda t: t * t, x)
    assert not x.grad.any()


# -- numerical_gradient: the one implementation of central differences -------------------


def test_numerical_gradient_of_numbers_and_arrays():
    from vizgrad.engine.check import numerical_gradient

    d = numerical_gradient(lambda x: x ** 3, 2.0)
    assert d.central.shape == () and abs(float(d.central) - 12.0) < 1e-6
    assert d.right is None and d.left is None
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    d = numerical_gradient(lambda x: np.array([np.sum(x ** 2), np.sum(x)]), a)
    assert d.central.shape == (2, 2, 2)
    np.testing.assert_allclose(d.central[..., 0], 2 * a, atol=1e-6)
    np.testing.assert_allclose(d.central[..., 1], np.ones_like(a), atol=1e-6)


def test_numerical_gradient_entries_relative_steps_and_kinks():
    from vizgrad.engine.check import numerical_gradient

    a = np.array([0.0, 1e6, -4.0])
    calls = []

    def f(x):
        calls.append(x.copy())
        return np.sum(np.abs(x))

    d = numerical_gradient(f, a, 1e-6, relative=True, entries=[(0,), (1,)], one_sided=True)
    assert len(calls) == 1 + 2 * 2  # f(x) once, then two evaluations per entry asked for
    assert abs(calls[3][1] - a[1]) == pytest.approx(1e-6 * 1e6)  # the step scales with |x|
    assert np.isnan(d.central[2]) and np.isnan(d.right[2])  # not evaluated
    assert d.central[0] == pytest.approx(0.0, abs=1e-9)  # |x| at 0: the central difference is 0 ...
    assert d.right[0] == pytest.approx(1.0, rel=1e-4) and d.left[0] == pytest.approx(-1.0, rel=1e-4)  # ... ±1
    assert d.central[1] == pytest.approx(1.0, rel=1e-4)
