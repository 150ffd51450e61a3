"""check_gate: a student's backward against numerical derivatives of its forward; ready."""

from __future__ import annotations

import contextlib
import math
import weakref
from dataclasses import dataclass, field
from typing import Any

from ..base.lazy_numpy import lazy
from . import limits
from ._support.calls import Spec, domain_hint, grad_names, run_backward, run_forward, spec_of
from ._support.hints import Hint, describe_point, gradient_hint, tie_hint
from ._support.numerics import Trial, compare_gradients, fill_numerics, guess_kind
from ._support.picture import Picture, PictureOp, PictureVar
from ._support.points import make_trials, random_upstream
from ._support.result import CheckResult, StopCheck, make_result
from ._support.text import num, plural, shape_text, show

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats

_last: "weakref.WeakKeyDictionary[type, CheckResult]" = weakref.WeakKeyDictionary()
_failed_tries: dict[str, int] = {}  # a gate's name -> its failed checks so far (the formula shows from the 2nd)


def _gate_picture(spec: Spec, t: Trial | None, consts: dict[str, Any], wrong: set[int],
                  expected_text: dict[int, str] | None = None) -> Picture | None:
    if t is None or t.z is None:
        return None
    vars_ = []
    for p in spec.params:
        if p in consts:
            vars_.append(PictureVar(p, p, consts[p], None, grad_name="constant"))
            vars_[-1].leaf = False  # no gradient row
            continue
        i = spec.inputs.index(p)
        got = t.got[i] if i < len(t.got) else None
        expected = t.center[i] if i < len(t.center) else None
        if expected is not None and np.ndim(expected) == 0 and t.kink[i]:
            expected = None if i not in t.bad else f"{num(t.lo[i])}…{num(t.hi[i])}"
        if expected_text and i in expected_text:
            expected = expected_text[i]
        vars_.append(PictureVar(p, p, t.point[p], got, expected=expected, wrong=i in wrong))
    vars_.append(PictureVar("__out", spec.out, t.z, t.dz, grad_name=spec.upstream, leaf=False))
    return Picture(vars_, [PictureOp("__gate", spec.name, list(spec.params), "__out")])


def check_gate(
    gate: Any,
    *,
    shapes: list | tuple | dict | None = None,
    constants: dict[str, Any] | None = None,
    trials: int = 5,
    seed: int = 0,
    name: str | None = None,
    inputs: list | None = None,
    domain: tuple[float, float] = (-3.0, 3.0),
    edge_cases: bool = True,
    max_entries: int = 100,
    time_limit: float | None = None,
    show_answer: bool = False,
) -> CheckResult:
    """Check a gate's backward against numerical derivatives of its own forward.

    ``gate`` is your gate class (a class with ``forward(self, x, y, ...)`` and
    ``backward(self, dz)`` returning ``[dx, dy, ...]``, or ``dx`` for one input).

    Options: ``shapes`` of array inputs, in forward's order or by name
    (``shapes=[(3, 4), (4, 2)]``; ``()`` for a number; default: all numbers);
    ``constants`` for inputs that get no gradient (``constants={"y": labels}``:
    backward returns gradients for the other inputs only); ``trials`` random points
    (each with a random upstream gradient), plus ``inputs`` you choose (a list of
    tuples) and, with ``edge_cases``, ties (x == y) and zeros; random values are drawn
    from ``domain``; ``seed``; ``name`` shown in the messages; at most ``max_entries``
    entries of each array are checked.

    Your code runs under limits: each call of forward or backward may take
    ``time_limit`` seconds (default ``vizgrad.exercises.TIME_LIMIT``, 3) before it is
    stopped and the check ends; what it prints is shown after the check, its first few
    thousand characters.

    At a point where the gate has a kink (one-sided derivatives differ, e.g. max at
    x == y, ReLU at 0), any subgradient is accepted: each gradient must lie between
    the one-sided derivatives, and the gradients of inputs that move together must add
    up to the derivative along that direction (so a max gate may send dz to either
    input at a tie, but not to both).

    A failed check names the symptom and the rule it breaks, and draws the gate; the formula
    itself is shown only from the second failed check of the same gate on, or with
    ``show_answer=True``.
    """
    consts = dict(constants or {})
    budget = limits.Limits(time_limit, check="check_gate")
    try:
        spec = spec_of(gate, name, consts, shapes)
    except StopCheck as s:
        return make_result(name or getattr(gate, "__name__", "check_gate"), s.status, s.message)
    shapes_by_name = _shapes(spec, shapes)
    rng = np.random.default_rng(seed)
    trials_ = make_trials(spec, shapes_by_name, trials, rng, domain, edge_cases, list(inputs or []))
    answer = show_answer or _failed_tries.get(spec.name, 0) > 0
    with budget:
        result = _check_points(spec, trials_, consts, shapes_by_name, rng, max_entries, answer)
    _failed_tries[spec.name] = 0 if result.passed else _failed_tries.get(spec.name, 0) + 1
    with contextlib.suppress(TypeError):
        _last[spec.cls] = result
    return result


def _shapes(spec: Spec, shapes: Any) -> dict[str, tuple]:
    def norm(s: Any) -> tuple:
        if s is None:
            return ()
        if isinstance(s, int):
            return (s,)
        return tuple(int(n) for n in s)

    if shapes is None:
        return {p: () for p in spec.inputs}
    if isinstance(shapes, dict):
        unknown = [k for k in shapes if k not in spec.inputs]
        if unknown:
            raise ValueError(f"shapes {unknown} are not inputs of {spec.name}.forward: {spec.inputs}")
        return {p: norm(shapes.get(p)) for p in spec.inputs}
    shapes = list(shapes)
    if len(shapes) != len(spec.inputs):
        raise ValueError(f"{len(shapes)} shapes given, but {spec.name}.forward has "
                         f"{len(spec.inputs)} inputs: {spec.inputs}")
    return {p: norm(s) for p, s in zip(spec.inputs, shapes, strict=False)}


_EDGE_CASES = ("tie", "zeros", "zero")


@dataclass
class _Run:
    """How far a check got: the points done, those that failed, the point at hand, the gate's kind."""

    done: list[Trial] = field(default_factory=list)
    failed: list[Trial] = field(default_factory=list)
    current: Trial | None = None
    kind: str = ""


def _check_points(spec: Spec, trials: list[Trial], consts: dict[str, Any], shapes: dict[str, tuple],
                  rng: np.random.Generator, max_entries: int, show_answer: bool = False) -> CheckResult:
    """The check's result at ``trials``: where it stopped, the first wrong point, or a pass."""
    run = _Run()
    try:
        for t in trials:
            _check_point(spec, t, run, consts, shapes, rng, max_entries)
    except StopCheck as s:
        return _stopped(spec, s, run.current, consts, shapes)
    if not run.done:
        return make_result(spec.name, "error", f"{spec.name}: no point to check (give trials=... or inputs=...).")
    if not run.failed:
        return _passed(spec, run.done, consts)
    return _wrong(spec, run, consts, shapes, show_answer)


def _check_point(spec: Spec, t: Trial, run: _Run, consts: dict[str, Any], shapes: dict[str, tuple],
                 rng: np.random.Generator, max_entries: int) -> None:
    """Run the gate at ``t`` and compare its gradients; an edge case outside the gate's domain is skipped."""
    run.current = t
    try:
        gate, t.z = run_forward(spec, t.point, consts)
    except StopCheck as s:
        if t.kind in _EDGE_CASES and not isinstance(s, limits.TimedOut):  # outside the domain
            run.current = run.done[-1] if run.done else None
            return
        raise
    if not np.all(np.isfinite(t.z)):
        if t.kind in _EDGE_CASES:
            run.current = run.done[-1] if run.done else None
            return
        raise StopCheck("wrong", _not_finite(spec, t, shapes))
    t.dz = random_upstream(rng, t.z.shape)
    if not run.kind and t.kind in ("random", "given"):
        run.kind = guess_kind(spec, t)
    t.got = run_backward(spec, gate, t.dz, shapes, run.kind)
    with limits.quiet():  # a print() in forward: once per point is enough
        fill_numerics(spec, t, consts, shapes, max_entries, rng)
        compare_gradients(spec, t, consts, shapes)
    run.done.append(t)
    if t.bad or t.ties:
        run.failed.append(t)


def _stopped(spec: Spec, s: StopCheck, t: Trial | None, consts: dict[str, Any],
             shapes: dict[str, tuple]) -> CheckResult:
    """The result of a check that stopped at ``t``: its message, with the point it stopped at."""
    picture = None
    if t is not None and t.z is not None and t.dz is not None:
        bad = {spec.inputs.index(d[1:]) for d in s.wrong if d[1:] in spec.inputs}
        if s.grads is not None:
            t.got = s.grads
        picture = _gate_picture(spec, t, consts, bad, s.expected)
    message = s.message
    if s.status in ("error", "wrong") and t is not None and t.dz is not None:
        where = describe_point(spec, t, shapes) + "."
        if s.status == "wrong":  # right under the first line, before the hints
            first, _, rest = message.partition("\n")
            message = f"{first}\n{where}" + (f"\n{rest}" if rest else "")
        else:
            message = f"{message}\n{where}"
    elif s.status == "error" and t is not None:  # forward failed: where, before the hints
        body, hint, rest = message.partition("\nHint:")
        message = f"{body}\n{_at(spec, t, shapes)}." + (hint + rest if hint else "")
    return make_result(spec.name, s.status, message, wrong=s.wrong, _picture=picture,
                       inputs=dict(t.point) if t is not None else {}, upstream=t.dz if t is not None else None)


def _passed(spec: Spec, done: list[Trial], consts: dict[str, Any]) -> CheckResult:
    """The result of a check that passed at every point in ``done``."""
    dnames = grad_names(spec)
    counts: dict[str, int] = {}
    for t in done:
        counts[t.kind] = counts.get(t.kind, 0) + 1
    words = {"random": "random", "given": "given", "tie": "with a tie", "zeros": "with zeros",
             "zero": "with a zero"}
    detail = ", ".join(f"{n} {words[k]}" for k, n in counts.items())
    shown = next((t for t in done if t.kind in ("given", "random")), done[0])
    return make_result(spec.name, "passed",
                       f"{spec.name} passed: {plural(dnames)} {'matches' if len(dnames) == 1 else 'match'} "
                       f"the numerical gradient at {len(done)} points ({detail}), each with a random "
                       f"upstream {spec.upstream}.",
                       _picture=_gate_picture(spec, shown, consts, set()),
                       inputs=dict(shown.point), upstream=shown.dz,
                       got=dict(zip(dnames, shown.got, strict=False)),
                       expected=dict(zip(dnames, shown.center, strict=False)))


def _wrong(spec: Spec, run: _Run, consts: dict[str, Any], shapes: dict[str, tuple],
           show_answer: bool = False) -> CheckResult:
    """The result at the first failed point: each gradient expected and got, and hints (with the
    formula if ``show_answer``)."""
    dnames = grad_names(spec)
    t = run.failed[0]
    wrong_idx = sorted(set(t.bad) | {j for members, *_ in t.ties for j in members})
    wrong = [dnames[i] for i in wrong_idx]
    lines = [f"{spec.name}: {plural(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong.",
             describe_point(spec, t, shapes) + ":"]
    hints: list[Hint] = []
    for i, d in enumerate(dnames):
        lines += _gradient_lines(t, i, d, wrong_idx)
        h = gradient_hint(spec, t, i, run.kind, shapes) if i in t.bad else Hint("")
        if h and h not in hints:
            hints.append(h)
    for members, idx, total, lo, hi in t.ties:
        names = " + ".join(dnames[j] + ("" if idx == () else f"[{', '.join(map(str, idx))}]") for j in members)
        want = num(lo) if math.isclose(lo, hi, rel_tol=1e-4, abs_tol=1e-6) else f"between {num(lo)} and {num(hi)}"
        lines.append(f"  {names}: expected {want}, got {num(total)}")
        h = Hint(tie_hint(spec, t, members, total, lo, hi))
        if h not in hints:
            hints.append(h)
    if len(run.failed) > 1:
        lines.append(f"(wrong at {len(run.failed)} of the {len(run.done)} points checked; this is the first.)")
    lines += _hint_lines(spec, hints, show_answer)
    return make_result(spec.name, "wrong", "\n".join(lines), wrong=tuple(wrong), hints=tuple(h.rule for h in hints),
                       inputs=dict(t.point), upstream=t.dz,
                       got=dict(zip(dnames, t.got, strict=False)),
                       expected=dict(zip(dnames, t.center, strict=False)),
                       _picture=_gate_picture(spec, t, consts, set(wrong_idx)))


def _hint_lines(spec: Spec, hints: list[Hint], show_answer: bool) -> list[str]:
    """``Hint: rule`` for each hint, then its formula (``Answer: ...``) or how to ask for it."""
    lines = [f"Hint: {h.rule}" for h in hints]
    answers = [h.answer for h in hints if h.answer]
    if answers and show_answer:
        lines += [f"Answer: {a}" for a in answers]
    elif answers:
        lines.append(f"Still stuck? The formula is shown from your second failed try on, or with "
                     f"check_gate({spec.name}, show_answer=True).")
    return lines


def _gradient_lines(t: Trial, i: int, d: str, wrong_idx: list[int]) -> list[str]:
    """The lines about gradient ``d`` (input ``i``) at ``t``: right, or expected and got."""
    g = t.got[i]
    if i not in t.bad:
        if i in wrong_idx:
            return [f"  {d}: got {show(g)}"]
        return [f"  {d} is right ({show(g) if np.size(g) <= 4 else 'all entries match'})"]
    if np.ndim(g) and np.size(g) > 1:
        lines = [f"  {d} is wrong (shape {shape_text(np.shape(g))}):\n"
                 f"    expected {show(t.center[i], 13)}\n    got      {show(g, 13)}"]
        diff = np.abs(g - t.center[i])
        if np.any(np.isfinite(diff)):
            k = np.unravel_index(int(np.nanargmax(diff)), diff.shape)
            lines.append(f"    largest difference {num(diff[k])} at {d}[{', '.join(map(str, k))}]")
        return lines
    if np.any(t.kink[i]) and t.lo[i].ndim == 0:
        want = f"between {num(t.lo[i])} and {num(t.hi[i])} (a kink: any value in between is fine)"
    else:
        want = show(t.center[i])
    return [f"  {d}: expected {want}, got {show(g)}"]


def ready(*gates: Any, quiet: bool = False) -> bool:
    """True when the last :func:`check_gate` of each of ``gates`` (classes) passed.

    Otherwise prints which gates are not ready yet (unless ``quiet``) and returns False:
    ``if exercises.ready(MatMulGate, ReLUGate): train()`` runs only once they all pass.
    """
    missing = []
    for g in gates:
        cls = g if isinstance(g, type) else type(g)
        r = _last.get(cls)
        if r is None:
            missing.append(f"{cls.__name__}: run its check_gate(...) cell first")
        elif not r.passed:
            missing.append(f"{cls.__name__}: " + ("not implemented yet" if r.status == "todo"
                                                    else "its check does not pass yet"))
    if missing and not quiet:
        print("Not yet: this needs all of " + ", ".join(
            (g if isinstance(g, type) else type(g)).__name__ for g in gates) + " to pass their checks.\n  "
              + "\n  ".join(missing))
    return not missing


def _not_finite(spec: Spec, t: Trial, shapes: dict[str, tuple]) -> str:
    """Why a forward that gives nan or inf at a checked point fails, and how to check elsewhere."""
    z = np.asarray(t.z)
    what = "nan" if np.all(np.isnan(z)) else "inf" if np.all(np.isinf(z)) else "nan or inf"
    if z.ndim:
        what = f"an output with {int(np.sum(~np.isfinite(z)))} {what} entries"
    return (f"{spec.name}: forward returned {what} {_at(spec, t, shapes)}: a gate's output must be a finite "
            "number there, and its gradients cannot be checked without one." + domain_hint(spec))


def _at(spec: Spec, t: Trial, shapes: dict[str, tuple]) -> str:
    """``at x = 0.82, y = -1.38``: the inputs of a point."""
    return "at " + ", ".join(f"{p} = {num(t.point[p])}" if shapes[p] == () else f"{p} of shape {shape_text(shapes[p])}"
                             for p in spec.inputs)
