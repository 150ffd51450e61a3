"""Shared helpers for the tests: central differences, numerical Jacobians, a few
hypothesis settings, the lecture's circuit, and headless Chromium (the ``browser`` and
``offline`` fixtures, pages opened with every non-local request blocked).

The numerical side never touches vizgrad's backward pass: it only evaluates the
forward value of a freshly built graph at perturbed inputs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `pytest` run without installing the package
    sys.path.insert(0, str(ROOT))

from vizgrad import Tensor, Value  # noqa: E402
from vizgrad.examples import lecture_circuit  # noqa: E402

EPS = 1e-6

# Modest example counts: the whole core suite should run in a few seconds.
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FASTER = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lecture() -> tuple[Value, Value, Value, Value, Value]:
    """The lecture's circuit f = (x + y) z at x=-2, y=5, z=-4, as its nodes (x, y, z, q, f)."""
    f = lecture_circuit()
    q, z = f.inputs
    x, y = q.inputs
    return x, y, z, q, f


# The same circuit as a notebook cell that opens a scrubber on it (w = scrub(f))
LECTURE_CELL = (
    "import vizgrad as vg\n"
    "from vizgrad.scrub import scrub\n"
    "x, y, z = vg.Value(-2.0, name='x'), vg.Value(5.0, name='y'), vg.Value(-4.0, name='z')\n"
    "q = x + y; q.name = 'q'\n"
    "f = q * z; f.name = 'f'\n"
    "w = scrub(f)\n"
)


class Mul:
    """A student's multiply gate, done right (for check_gate)."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        return [dz * self.y, dz * self.x]


# -- headless Chromium ------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL = ("file:", "data:", "about:", "blob:")
NO_CHROMIUM = f"Chromium not found at {CHROMIUM} (Debian package 'chromium')"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM)


def browser_test(test: Callable) -> Callable:
    """A test that drives headless Chromium: marked ``browser``, skipped without Chromium."""
    return pytest.mark.browser(needs_chromium(test))


@pytest.fixture(scope="module")
def browser():
    """Chromium through playwright, one per test module (skips when either is missing)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the 'test' extra)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Offline:
    """A file opened in a new page, every non-local request blocked and recorded (``remote``);
    page errors (with ``console``, console errors too) and dialogs recorded, dialogs dismissed.

    ``ready`` is a selector, ``ready_js`` a JavaScript condition, to wait for after loading.
    """

    def __init__(self, browser, path: Path, width: int = 1100, height: int = 800, *,
                 reduced_motion: str | None = None, ready: str | None = None, ready_js: str | None = None,
                 console: bool = False):
        self.page = browser.new_page(viewport={"width": width, "height": height}, reduced_motion=reduced_motion)
        self.remote: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        if console:
            self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        if ready:
            self.page.wait_for_selector(ready, timeout=30000)
        if ready_js:
            self.page.wait_for_function(ready_js)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()

    def close(self) -> None:
        """Close the page; it must have asked for nothing outside its file and raised no error."""
        assert self.remote == [], "the page must make no request outside its file"
        assert self.errors == []
        self.page.close()


@pytest.fixture
def offline(browser):
    """``offline(path, **options) -> Offline``; every page it opened is checked and closed after the test."""
    pages: list[Offline] = []

    def opener(path: Path, *args, **kw) -> Offline:
        pages.append(Offline(browser, path, *args, **kw))
        return pages[-1]

    yield opener
    for o in pages:
        o.close()


def central_differences(f: Callable[..., float], *xs: Any, eps: float = EPS) -> list[np.ndarray]:
    """d f / d x_k for every input, by central differences.

    ``f`` takes plain floats / float64 arrays (same shapes as ``xs``) and returns
    one float. Returns one array per input, shaped like that input.
    """
    base = [np.array(x, dtype=np.float64) for x in xs]

    def call(args: list[np.ndarray]) -> float:
        return float(f(*[a.item() if a.shape == () and np.ndim(x) == 0 else a
                         for a, x in zip(args, xs, strict=True)]))

    grads = []
    for k, x in enumerate(base):
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            plus = [a.copy() for a in base]
            minus = [a.copy() for a in base]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            g[idx] = (call(plus) - call(minus)) / (2 * eps)
        grads.append(g)
    return grads


def value_numeric_grads(fn: Callable[..., Value], *floats: float, eps: float = EPS) -> list[float]:
    """Numerical gradients of a Value expression ``fn(*values)`` at ``floats``."""
    grads = central_differences(lambda *a: fn(*[Value(float(v)) for v in a]).data, *floats, eps=eps)
    return [float(g) for g in grads]


def tensor_numeric_grads(fn: Callable[..., Tensor], *arrays: Any, eps: float = EPS) -> list[np.ndarray]:
    """Numerical gradients of a one-element Tensor expression ``fn(*tensors)``."""
    return central_differences(
        lambda *a: np.asarray(fn(*[Tensor(v) for v in a]).data).item(), *arrays, eps=eps
    )


def numeric_jacobian(fn: Callable[[np.ndarray], np.ndarray], x: Any, eps: float = EPS) -> np.ndarray:
    """``J[i, j] = d out_i / d x_j`` of a plain numpy function, by central differences."""
    x = np.array(x, dtype=np.float64)
    n_out = np.asarray(fn(x)).size
    J = np.zeros((n_out, x.size))
    for j in range(x.size):
        plus, minus = x.copy().ravel(), x.copy().ravel()
        plus[j] += eps
        minus[j] -= eps
        J[:, j] = (np.asarray(fn(plus.reshape(x.shape))).ravel()
                   - np.asarray(fn(minus.reshape(x.shape))).ravel()) / (2 * eps)
    return J


def weights_like(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """A fixed, non-symmetric array to contract an output with (a generic upstream)."""
    rng = np.random.default_rng(seed + 7919 * len(shape) + sum(shape))
    return rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
