"""Engine benchmarks: vizgrad's two autograd engines against reference implementations.

a. ``scalar_engine``: vizgrad.Value vs micrograd (micrograd==0.1.0) training the same
   ReLU MLP 3→16→16→1 (same initial weights, same data, same SGD) on 50 points.
b. ``tensor_engine``: vizgrad.Tensor vs a hand-written numpy forward/backward
   (the CS231n spiral case study) for one training step of a 2-layer network.

Both benchmarks first check that the two implementations compute the same numbers,
and raise if they do not. Timing is interleaved (A, B, A, B, ...) in one process,
so that drift in machine load affects both sides alike; figures are medians. Each
benchmark runs in a fresh interpreter (see ``_in_fresh_process``).

Run from the repository root:  python benchmarks/run.py engines
                          or:  python benchmarks/engines.py
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # vizgrad is used from the checkout, installed or not
    sys.path.insert(0, str(ROOT))

import vizgrad as vg  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "engines.json"

SCALAR_TARGET = 1.0  # vizgrad / micrograd, seconds per iteration
TENSOR_TARGET = 1.5  # vizgrad / numpy, seconds per step


# -- a. scalar engine vs micrograd ---------------------------------------------------------

SIZES = [3, 16, 16, 1]  # ReLU, ReLU, linear (micrograd.nn.MLP's convention)


def _scalar_problem(seed: int = 0, n_points: int = 50):
    """Shared initial weights (per layer: W of shape (nout, nin), b of shape (nout,)) and data."""
    rng = np.random.default_rng(seed)
    weights = []
    for nin, nout in zip(SIZES[:-1], SIZES[1:], strict=True):
        W = rng.uniform(-1.0, 1.0, size=(nout, nin)) / np.sqrt(nin)
        b = rng.uniform(-0.1, 0.1, size=nout)
        weights.append((W, b))
    X = rng.uniform(-1.0, 1.0, size=(n_points, SIZES[0]))
    y = np.sin(2.0 * X[:, 0]) + X[:, 1] * X[:, 2]
    return weights, X.tolist(), y.tolist()


def _micrograd_mlp(weights):
    from micrograd.nn import MLP

    model = MLP(SIZES[0], SIZES[1:])
    for layer, (W, b) in zip(model.layers, weights, strict=True):
        for neuron, w_row, b_i in zip(layer.neurons, W, b, strict=True):
            for p, w in zip(neuron.w, w_row, strict=True):
                p.data = float(w)
            neuron.b.data = float(b_i)
    return model


def _train(model, zero, X, y, iters: int, lr: float):
    """The one training loop both engines run: MSE over the points, backward, SGD.

    ``zero`` is the engine's 0 to start the sum from; a model with ``zero_grad``
    (micrograd, whose gradients accumulate) has it called before each backward.
    """
    params = model.parameters()
    zero_grad = getattr(model, "zero_grad", None)
    inv_n = 1.0 / len(X)
    losses = []
    t0 = time.perf_counter()
    for _ in range(iters):
        preds = [model(x) for x in X]
        loss = sum(((p - t) ** 2 for p, t in zip(preds, y, strict=False)), zero) * inv_n
        if zero_grad is not None:
            zero_grad()
        loss.backward()  # vizgrad sets .grad afresh
        for p in params:
            p.data -= lr * p.grad
        losses.append(loss.data)
    return time.perf_counter() - t0, losses


def _micrograd_train(weights, X, y, iters: int, lr: float):
    from micrograd.engine import Value

    return _train(_micrograd_mlp(weights), Value(0.0), X, y, iters, lr)


class _VizgradMLP:
    """A plain MLP on vizgrad.Value, computing exactly what micrograd.nn.MLP computes.

    A neuron is ``b + w0*x0 + w1*x1 + ...`` summed left to right (as micrograd's
    ``sum(..., self.b)``), then ReLU except in the last layer.
    """

    def __init__(self, weights):
        self.layers = [
            [([vg.Value(float(w)) for w in w_row], vg.Value(float(b_i))) for w_row, b_i in zip(W, b, strict=True)]
            for W, b in weights
        ]

    def __call__(self, x):
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            out = []
            for w, b in layer:
                act = b
                for wi, xi in zip(w, x, strict=False):
                    act = act + wi * xi
                out.append(act.relu() if k != last else act)
            x = out
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def _vizgrad_train(weights, X, y, iters: int, lr: float):
    return _train(_VizgradMLP(weights), vg.Value(0.0), X, y, iters, lr)


def _timed(train, *args, gc_enabled: bool):
    """Run ``train(*args)`` after a full collection, with the cyclic GC on or off."""
    gc.collect()  # garbage of the previous run is not charged to this one
    was_enabled = gc.isenabled()
    if not gc_enabled:
        gc.disable()
    try:
        return train(*args)
    finally:
        if was_enabled:
            gc.enable()


def _losses_diff(a, b) -> float:
    return max(abs(x - y) for x, y in zip(a, b, strict=True))


def scalar_engine(iters: int = 4, repeats: int = 5, lr: float = 0.05, tol: float = 1e-9) -> dict:
    """Median seconds per training iteration, vizgrad.Value vs micrograd (interleaved).

    Timed twice: with Python's cyclic garbage collector on (the interpreter's default,
    what a user experiences) and off (the ``timeit`` convention, pure interpreter cost).
    The difference matters here: every micrograd node is in a reference cycle (its
    ``_backward`` closure refers to the node), so its graphs can only be freed by the
    collector, while vizgrad's graphs are acyclic and freed by reference counting.
    """
    weights, X, y = _scalar_problem()
    n_params = sum(W.size + b.size for W, b in weights)

    # correctness: the same loss trajectory
    check_iters = 10
    _, loss_mg = _timed(_micrograd_train, weights, X, y, check_iters, lr, gc_enabled=False)
    _, loss_vg = _timed(_vizgrad_train, weights, X, y, check_iters, lr, gc_enabled=False)
    max_diff = _losses_diff(loss_mg, loss_vg)
    if not max_diff <= tol or not all(np.isfinite(loss_mg)) or not loss_mg[-1] < loss_mg[0]:
        raise AssertionError(
            f"scalar engine: vizgrad and micrograd loss trajectories differ by {max_diff:.3g} "
            f"(tolerance {tol:g}), or the loss did not decrease\n"
            f"  micrograd: {loss_mg}\n  vizgrad:   {loss_vg}"
        )

    out = {
        "network": "MLP 3-16-16-1 (ReLU, ReLU, linear)",
        "parameters": n_params,
        "points": len(X),
        "iterations_per_repeat": iters,
        "repeats": repeats,
        "learning_rate": lr,
        "check_iterations": check_iters,
        "loss_trajectory": loss_vg,
        "loss_max_abs_diff": max_diff,
        "loss_tolerance": tol,
        "target_ratio": SCALAR_TARGET,
    }
    for mode, gc_enabled in (("gc_on", True), ("gc_off", False)):
        times_mg, times_vg = [], []
        for _ in range(repeats):  # interleaved; every repeat restarts from the shared weights
            t, l_mg = _timed(_micrograd_train, weights, X, y, iters, lr, gc_enabled=gc_enabled)
            times_mg.append(t / iters)
            t, l_vg = _timed(_vizgrad_train, weights, X, y, iters, lr, gc_enabled=gc_enabled)
            times_vg.append(t / iters)
            if _losses_diff(l_mg, l_vg) > tol or _losses_diff(l_vg, loss_vg[:iters]) > tol:
                raise AssertionError(f"scalar engine: loss trajectories differ in a timed repeat ({mode})")
        mg, vz = statistics.median(times_mg), statistics.median(times_vg)
        out[mode] = {
            "micrograd_s_per_iter": mg,
            "vizgrad_s_per_iter": vz,
            "micrograd_s_per_iter_all": times_mg,
            "vizgrad_s_per_iter_all": times_vg,
            "ratio_vizgrad_over_micrograd": vz / mg,
            "meets_target": vz / mg <= SCALAR_TARGET,
        }
    # the headline figure: the interpreter as users run it (garbage collector on)
    out["ratio_vizgrad_over_micrograd"] = out["gc_on"]["ratio_vizgrad_over_micrograd"]
    out["meets_target"] = out["gc_on"]["meets_target"]
    return out


# -- b. tensor engine vs hand-written numpy ------------------------------------------------


def _spiral(n_per_class: int = 100, n_classes: int = 3, seed: int = 0):
    """The CS231n spiral data set: X (N·K, 2), integer labels y (N·K,)."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for j in range(n_classes):
        ix = range(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rng.standard_normal(n_per_class) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def _tensor_init(seed: int = 1, d: int = 2, h: int = 100, k: int = 3):
    rng = np.random.default_rng(seed)
    return {
        "W1": 0.01 * rng.standard_normal((d, h)), "b1": np.zeros((1, h)),
        "W2": 0.01 * rng.standard_normal((h, k)), "b2": np.zeros((1, k)),
    }


def _numpy_step(X, y, P, lr):
    """One step by hand: forward, softmax cross-entropy, backward, SGD. Returns (loss, grads)."""
    W1, b1, W2, b2 = P["W1"], P["b1"], P["W2"], P["b2"]
    n = X.shape[0]
    hidden = np.maximum(0.0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp_scores = np.exp(shifted)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).mean()
    dscores = probs
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    dW2 = hidden.T @ dscores
    db2 = dscores.sum(axis=0, keepdims=True)
    dhidden = dscores @ W2.T
    dhidden[hidden <= 0] = 0.0
    dW1 = X.T @ dhidden
    db1 = dhidden.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def _vizgrad_step(X, y, T, lr):
    """The same step with vizgrad.Tensor; ``T`` maps names to leaf Tensors, updated in place."""
    W1, b1, W2, b2 = T["W1"], T["b1"], T["W2"], T["b2"]
    loss = vg.cross_entropy((vg.Tensor(X) @ W1 + b1).relu() @ W2 + b2, y)
    loss.backward()
    for p in (W1, b1, W2, b2):
        p.data -= lr * p.grad
    return float(loss.data)


def tensor_engine(steps: int = 200, repeats: int = 15, lr: float = 1.0) -> dict:
    """Median seconds per training step, vizgrad.Tensor vs hand-written numpy (interleaved)."""
    X, y = _spiral()
    init = _tensor_init()

    # correctness: same loss and gradients at the first step, same weights after `steps`
    P = {k: v.copy() for k, v in init.items()}
    T = {k: vg.Tensor(v) for k, v in init.items()}
    loss_np, grads_np = _numpy_step(X, y, P, lr)
    loss_vg = _vizgrad_step(X, y, T, lr)
    problems = [] if np.isclose(loss_np, loss_vg, rtol=1e-12, atol=0) else [f"loss {loss_np} vs {loss_vg}"]
    grad_diff = {}
    for k, g in grads_np.items():
        grad_diff[k] = float(np.max(np.abs(g - T[k].grad)))
        if T[k].grad.shape != g.shape or not np.allclose(g, T[k].grad, rtol=1e-10, atol=1e-14):
            problems.append(f"d{k} differs by {grad_diff[k]:.3g}")
    for _ in range(steps - 1):
        last_np, _ = _numpy_step(X, y, P, lr)
        last_vg = _vizgrad_step(X, y, T, lr)
    for k in P:
        if not np.allclose(P[k], T[k].data, rtol=1e-8, atol=1e-12):
            problems.append(f"{k} after {steps} steps differs by {np.max(np.abs(P[k] - T[k].data)):.3g}")
    if problems:
        raise AssertionError("tensor engine: vizgrad and numpy disagree: " + "; ".join(problems))
    accuracy = float(np.mean(np.argmax(np.maximum(0, X @ P["W1"] + P["b1"]) @ P["W2"] + P["b2"], 1) == y))

    def arrays():
        return {k: v.copy() for k, v in init.items()}

    def tensors():
        return {k: vg.Tensor(v) for k, v in init.items()}

    def timed(step, params):  # seconds and minor page faults per step
        gc.collect()
        f0, t0 = _page_faults(), time.perf_counter()
        for _ in range(steps):
            step(X, y, params, lr)
        return (time.perf_counter() - t0) / steps, (_page_faults() - f0) / steps

    times_np, times_vg, faults_np, faults_vg = [], [], [], []
    for _ in range(repeats):  # interleaved; every repeat restarts from the initial weights
        t, f = timed(_numpy_step, arrays())
        times_np.append(t)
        faults_np.append(f)
        t, f = timed(_vizgrad_step, tensors())
        times_vg.append(t)
        faults_vg.append(f)
    npy, vz = statistics.median(times_np), statistics.median(times_vg)
    return {
        "network": "2-layer: 2-100 ReLU-3, softmax cross-entropy (no regularization)",
        "data": "spiral, 3 classes x 100 points",
        "steps_per_repeat": steps,
        "repeats": repeats,
        "learning_rate": lr,
        "loss_first": float(loss_np),
        "loss_first_abs_diff": abs(float(loss_np) - loss_vg),
        "grad_max_abs_diff": grad_diff,
        "loss_after_steps": float(last_vg),
        "train_accuracy_after_steps": accuracy,
        "numpy_s_per_step": npy,
        "vizgrad_s_per_step": vz,
        "numpy_s_per_step_all": times_np,
        "vizgrad_s_per_step_all": times_vg,
        "ratio_vizgrad_over_numpy": vz / npy,
        # minor page faults per step: fresh memory from the OS for large temporaries
        # (a 300x100 float64 array is 59 pages); allocation volume is a main cost here
        "numpy_page_faults_per_step": statistics.median(faults_np),
        "vizgrad_page_faults_per_step": statistics.median(faults_vg),
        "target_ratio": TENSOR_TARGET,
        "meets_target": vz / npy <= TENSOR_TARGET,
    }


# -- report --------------------------------------------------------------------------------


def _page_faults() -> int:
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


# glibc's malloc settings (ignored elsewhere): never trim the heap below 256 MB free,
# serve arrays under 32 MB from the heap rather than from fresh mappings
STEADY_ALLOCATOR = {"MALLOC_TRIM_THRESHOLD_": str(256 << 20), "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}


def _in_fresh_process(name: str) -> dict:
    """Run the benchmark function ``name`` in a new interpreter and return its figures.

    Each benchmark gets a fresh process, so its figures do not depend on what ran
    before. The process's C allocator is also told to keep freed memory
    (:data:`STEADY_ALLOCATOR`): by default glibc hands the top of the heap back to
    the system once more than a threshold is free, a threshold that moves with the
    process's history, and then every fresh 300x100 array costs 59 page faults. The
    same tensor step was seen at 1 and at 200 faults per step depending only on
    what the process had allocated before; with the setting both sides take none,
    and the figures compare the engines rather than the allocator's state. Run with
    ``VIZGRAD_BENCH_DEFAULT_ALLOCATOR=1`` to measure without it.
    """
    env = dict(os.environ)
    if not os.environ.get("VIZGRAD_BENCH_DEFAULT_ALLOCATOR"):
        env.update(STEADY_ALLOCATOR)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--run", name],
                          capture_output=True, text=True, env=env)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith(_MARK):
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        raise RuntimeError(f"benchmark {name} failed (exit status {proc.returncode}): "
                           f"{(proc.stderr.strip().splitlines() or ['no output'])[-1]}")
    return json.loads(lines[-1][len(_MARK):])


_MARK = "RESULT "


def _environment() -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = None
    from importlib.metadata import PackageNotFoundError, version

    try:
        micrograd_version = version("micrograd")
    except PackageNotFoundError:
        micrograd_version = "unknown"
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "micrograd": micrograd_version,
        "vizgrad": vg.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "load_average_1min": _load(),
    }


def _load() -> float | None:
    """The 1-minute load average: other processes on a busy machine slow both sides."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _us(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} µs"


def main() -> dict:
    env = _environment()
    print(f"Python {env['python']} ({env['implementation']}), numpy {env['numpy']}, "
          f"micrograd {env['micrograd']}, vizgrad {env['vizgrad']}")
    print(f"{env['platform']}, {env['cpu_count']} CPUs ({env['cpus_usable']} usable), "
          f"load average {env['load_average_1min']}")
    env["allocator"] = ("default" if os.environ.get("VIZGRAD_BENCH_DEFAULT_ALLOCATOR")
                        else " ".join(f"{k}={v}" for k, v in STEADY_ALLOCATOR.items()))
    print(f"C allocator: {env['allocator']} (see _in_fresh_process)\n")

    t0 = time.perf_counter()
    a = _in_fresh_process("scalar_engine")
    b = _in_fresh_process("tensor_engine")
    wall = time.perf_counter() - t0

    print(f"a. scalar engine: {a['network']}, {a['points']} points, MSE, SGD lr={a['learning_rate']}")
    traj = a["loss_trajectory"]
    print(f"   check: loss trajectories over {a['check_iterations']} iterations agree "
          f"(max |diff| {a['loss_max_abs_diff']:.1e} <= {a['loss_tolerance']:g}); "
          f"loss {traj[0]:.4f} -> {traj[-1]:.4f}")
    print(f"b. tensor engine: {b['network']}, {b['data']}, SGD lr={b['learning_rate']}")
    print(f"   check: first-step loss |diff| {b['loss_first_abs_diff']:.1e}, "
          f"max grad |diff| {max(b['grad_max_abs_diff'].values()):.1e}; weights agree after "
          f"{b['steps_per_repeat']} steps (loss {b['loss_after_steps']:.3f}, "
          f"train acc {b['train_accuracy_after_steps']:.0%})\n")

    runs_a = f"{a['repeats']}x{a['iterations_per_repeat']} it"
    rows = [
        (f"a. Value, 1 iteration, {label}", "micrograd", a[mode]["micrograd_s_per_iter"],
         a[mode]["vizgrad_s_per_iter"], a[mode]["ratio_vizgrad_over_micrograd"], a["target_ratio"], runs_a)
        for mode, label in (("gc_on", "GC on"), ("gc_off", "GC off"))
    ] + [
        ("b. Tensor, 1 step", "numpy", b["numpy_s_per_step"], b["vizgrad_s_per_step"],
         b["ratio_vizgrad_over_numpy"], b["target_ratio"], f"{b['repeats']}x{b['steps_per_repeat']} st"),
    ]
    head = (f"{'benchmark':31} {'reference':>9} {'reference':>10} {'vizgrad':>10} "
            f"{'ratio':>6} {'target':>7} {'':4} {'runs':>10}")
    print(head)
    print("-" * len(head))
    for name, ref, t_ref, t_vg, ratio, target, runs in rows:
        verdict = "ok" if ratio <= target else "SLOW"
        print(f"{name:31} {ref:>9} {_us(t_ref):>10} {_us(t_vg):>10} {ratio:>6.2f} "
              f"{'<= ' + format(target, 'g'):>7} {verdict:4} {runs:>10}")
    print("medians of interleaved repeats, time per iteration/step; ratio = vizgrad / reference.")
    print("GC on: Python's default; GC off: the timeit convention. micrograd's graphs are reference")
    print(f"cycles, freed only by the cyclic GC; vizgrad's are not. Tensor step: minor page faults "
          f"{b['numpy_page_faults_per_step']:.0f} (numpy) vs {b['vizgrad_page_faults_per_step']:.0f} "
          f"(vizgrad)\nper step, a 300x100 array being 59 pages. Each benchmark ran in a fresh process; "
          f"they took {wall:.0f} s.")

    env["load_average_1min_end"] = _load()
    if max(env["load_average_1min"] or 0, env["load_average_1min_end"] or 0) > (env["cpus_usable"] or 1):
        print(f"warning: the machine was busy (load average {env['load_average_1min']} -> "
              f"{env['load_average_1min_end']} on {env['cpus_usable']} CPUs): figures are noisy")
    results = {"environment": env, "scalar_engine": a, "tensor_engine": b, "wall_seconds": wall}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:  # one benchmark, in the fresh process main() started
        print(_MARK + json.dumps({"scalar_engine": scalar_engine, "tensor_engine": tensor_engine}[sys.argv[2]]()))
    else:
        main()
