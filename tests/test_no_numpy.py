"""vizgrad without numpy (the browser site has none): the scalar engine, traces, drawings,
the scrubber and the scalar exercise checks run; the Tensor engine says in one line what to do.

Each test runs a child Python in which ``import numpy`` fails (a meta-path finder refuses it).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import vizgrad as vg
from vizgrad import examples
from vizgrad.engine import floats as _floats
from vizgrad.engine import ops
from vizgrad.exercises import limits

ROOT = Path(__file__).resolve().parents[1]

NO_NUMPY = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})

class _NoNumpy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError(f"No module named {{name!r}} (blocked by the test)")
        return None

sys.meta_path.insert(0, _NoNumpy())
"""


def run_without_numpy(code: str) -> dict:
    """Run ``code`` in a child Python without numpy; it sets ``out`` (a dict), returned here."""
    script = NO_NUMPY + "import json\nout = {}\n" + textwrap.dedent(code) + (
        "\nout['numpy loaded'] = 'numpy' in sys.modules\nprint(json.dumps(out))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out.pop("numpy loaded") is False
    return out


def test_the_scalar_api_runs_without_numpy(tmp_path):
    page = tmp_path / "lecture.html"
    out = run_without_numpy(f"""
        import vizgrad as vg
        out["file"] = vg.__file__
        x, y, z = vg.Value(-2.0, name="x"), vg.Value(5.0, name="y"), vg.Value(-4.0, name="z")
        f = (x + y) * z
        f.backward()
        out["grads"] = [x.grad, y.grad, z.grad, f.data]
        g = (x * y + z.exp() - x.tanh() / 2 + y ** 2).relu()
        g.backward()
        out["g"] = g.data
        from vizgrad import examples
        lecture = examples.lecture_circuit()
        t = vg.trace(lecture)
        out["steps"] = len(t)
        out["step text"] = str(t[-1])
        fr = vg.frames(lecture)
        out["frames"] = [fr.svg(k) for k in range(len(fr))]
        out["draw"] = vg.draw(f).pipe(format="svg").decode()
        out["captions"] = [str(c) for c in vg.captions(t)]
        w = vg.scrub(f)
        w.step = 3
        out["saved"] = str(w.save_html({str(page)!r}))
        try:
            vg.Tensor([1.0, 2.0])
        except Exception as e:
            out["tensor"] = f"{{type(e).__name__}}: {{e}}"
    """)
    assert Path(out["file"]).parent == ROOT / "vizgrad"
    assert out["grads"] == [-4.0, -4.0, 3.0, -12.0]
    x, y, z = (vg.Value(v) for v in (-2.0, 5.0, -4.0))
    assert out["g"] == (x * y + z.exp() - x.tanh() / 2 + y ** 2).relu().data
    f = examples.lecture_circuit()
    fr = vg.frames(f)
    assert out["steps"] == len(vg.trace(f)) and out["step text"] == str(vg.trace(f)[-1])
    assert out["frames"] == [fr.svg(k) for k in range(len(fr))]  # the same drawings as with numpy
    assert out["draw"].startswith("<svg") and ">-12<" in out["draw"]
    assert out["captions"] == [str(c) for c in vg.captions(vg.trace(f))]
    assert Path(out["saved"]) == page and "<svg" in page.read_text()
    message = out["tensor"]
    assert message.startswith("ModuleNotFoundError: ") and "pip install numpy" in message
    assert "\n" not in message


def test_check_gate_without_numpy_gives_the_same_verdicts():
    gates = """
    class Right:
        def forward(self, x, y):
            self.x, self.y = x, y
            return x * y
        def backward(self, dz):
            return [dz * self.y, dz * self.x]

    class Wrong(Right):
        def backward(self, dz):
            return [dz, dz]

    class MaxBoth:
        def forward(self, x, y):
            self.x, self.y = x, y
            return max(x, y)
        def backward(self, dz):
            return [dz * (self.x >= self.y), dz * (self.y >= self.x)]

    class Todo(Right):
        def backward(self, dz):
            raise NotImplementedError()

    class Loops(Right):
        def backward(self, dz):
            while True:
                pass

    from vizgrad import exercises
    results = {c.__name__: exercises.check_gate(c, time_limit=0.5) for c in (Right, Wrong, MaxBoth, Todo, Loops)}
    out = {name: [r.status, r.passed, r.message] for name, r in results.items()}
    out["html"] = results["Wrong"]._repr_html_()
    """
    without = run_without_numpy(gates)
    with_numpy: dict = {}
    exec(textwrap.dedent(gates), with_numpy)
    for name in ("Right", "Wrong", "MaxBoth", "Todo", "Loops"):
        r = with_numpy["results"][name]
        assert without[name][:2] == [r.status, r.passed], (name, without[name][2])
    assert without["Right"][2].startswith("✔ Right passed: dx and dy match the numerical gradient at 9 points")
    wrong = without["Wrong"][2]
    assert wrong.startswith("✘ Wrong: dx and dy are wrong.") and "expected" in wrong and "Hint:" in wrong
    assert "sends dz to both x and y" in without["MaxBoth"][2]
    assert "not implemented yet" in without["Todo"][2]
    assert "0.5 s" in without["Loops"][2]
    assert "<svg" in without["html"]


def test_gradcheck_of_values_without_numpy():
    out = run_without_numpy("""
        import vizgrad as vg
        out["right"] = vg.gradcheck(lambda x, y: (x * y + x.exp()).tanh(), 0.3, -1.2).passed
        def wrong(x):
            y = x * x
            y._local = (1.0, 1.0)  # a wrong local gradient: d(x*x)/dx taken as 2, not 2x
            return y
        r = vg.gradcheck(wrong, 3.0)
        out["wrong"] = [r.passed, r.message]
    """)
    assert out["right"] is True
    assert out["wrong"][0] is False and out["wrong"][1].startswith("gradcheck failed: the gradient of input 0")


def test_import_vizgrad_loads_neither_numpy_nor_the_widget_libraries():
    code = ("import sys; sys.path.insert(0, %r); import vizgrad as vg\n"
            "print(sorted(m for m in ('numpy', 'anywidget', 'ipywidgets') if m in sys.modules))\n"
            "import vizgrad.scrub\nprint(callable(vg.scrub), vg.Scrubber.__name__)\n") % str(ROOT)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[:2] == ["[]", "True Scrubber"], done.stderr[-2000:]


def test_a_tensor_after_a_lazy_import_uses_numpy_itself():
    code = ("import sys; sys.path.insert(0, %r); import vizgrad as vg\n"
            "t = (vg.Tensor([1.0, -2.0]) * 3).relu().sum(); t.backward()\n"
            "from vizgrad.engine import ops, tensor\nimport numpy\n"
            "print(tensor.np is numpy, t.data.item(), ops.OPS['exp'].array_forward(numpy.zeros(1))[0])\n") % str(ROOT)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "3.0", "1.0"], done.stderr[-2000:]


SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 1e308, -1e308, 1e-308, math.inf, -math.inf,
           math.nan, 2.5, -2.5, 1000.0, -1001.0, 1e-320]


def test_power_without_numpy_matches_numpy_at_the_special_values():
    for a, n in itertools.product(SPECIAL, SPECIAL):
        if a - a == 0 and n - n == 0 and not (a == 0 and n < 0):
            try:
                a**n  # noqa: B018  (finite, Python's own power: unchanged)
                continue
            except OverflowError:
                pass
        with np.errstate(all="ignore"):
            want = float(np.power(np.float64(a), n))
        got = ops.power(a, n)
        assert got == want and math.copysign(1, got) == math.copysign(1, want) or math.isnan(got) == math.isnan(
            want) is True, (a, n, got, want)


def test_the_float_stand_in_agrees_with_numpy():
    rows = [[1.0, math.nan, -3.0], [0.5, 2.0, -0.0]]
    for mod in (np, _floats):
        a = mod.array(rows, dtype=mod.float64)
        assert mod.shape(a) == (2, 3) and mod.ndim(a[1]) == 1 and float(a[1, 1]) == 2.0
    a, b = np.array(rows), _floats.array(rows)
    pairs = [
        (np.maximum(a, 0.7), _floats.maximum(b, 0.7)),
        (np.minimum(a, a * 2), _floats.minimum(b, b * 2)),
        (np.where(a > 0, a, -1.0), _floats.where(b > 0, b, -1.0)),
        (np.abs(a - 1) / 2, _floats.abs(b - 1) / 2),
        (a[..., 1], b[..., 1]),
        (a[np.isfinite(a)], b[_floats.isfinite(b)]),
        (np.round(a * 1.234567, 2), _floats.round(b * 1.234567, 2)),
    ]
    with np.errstate(divide="ignore"):
        pairs.append((1.0 / np.array([0.0, -0.0, 2.0]), 1.0 / _floats.array([0.0, -0.0, 2.0])))
    for want, got in pairs:
        assert got.shape == want.shape
        assert np.array_equal(np.array(got.tolist()), want, equal_nan=True), (got, want)
    assert _floats.nanargmax(b) == np.nanargmax(a) and _floats.nanmax(b) == np.nanmax(a)
    assert bool(_floats.any(_floats.isnan(b))) and not _floats.all(b > -5)
    c = _floats.array([1.0, 2.0, 3.0])
    c[c > 1.5] = _floats.array([7.0, 8.0])
    assert c.tolist() == [1.0, 7.0, 8.0]
    assert _floats.broadcast_shapes((3, 1), (4,)) == np.broadcast_shapes((3, 1), (4,))
    with pytest.raises(ValueError):
        _floats.broadcast_shapes((3,), (4,))


def test_a_time_limit_by_tracing_stops_a_loop_and_keeps_the_tracer_before_it():
    seen = []

    def outer(frame, event, arg):
        seen.append(event)

    def spin():
        while True:
            pass

    sys.settrace(outer)
    try:
        with pytest.raises(limits.TimedOut) as info:
            limits._by_tracing("Gate.backward", 0.2, spin, (), {})
        assert sys.gettrace() is outer
    finally:
        sys.settrace(None)
    assert "Gate.backward" in str(info.value) and "0.2 s" in str(info.value)
    assert limits._by_tracing("f", 1.0, lambda a: a + 1, (1,), {}) == 2


def test_frames_hash_alike_with_and_without_numpy():
    """The browser compares frames by hash: the numpy-free Python gives the same bytes."""
    expr = "examples.mlp((3, 4, 4, 1), 1)"
    out = run_without_numpy(f"""
        import hashlib, vizgrad as vg
        from vizgrad import examples
        fr = vg.frames({expr})
        out["hashes"] = [hashlib.sha256(fr.svg(k).encode()).hexdigest() for k in range(len(fr))]
    """)
    fr = vg.frames(eval(expr, {"examples": examples}))
    assert out["hashes"] == [hashlib.sha256(fr.svg(k).encode()).hexdigest() for k in range(len(fr))]
