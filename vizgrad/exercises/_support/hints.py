"""Where a gradient was checked, and hints for the usual mistakes."""

from __future__ import annotations

import math
from typing import NamedTuple

from ...base.lazy_numpy import lazy
from .calls import Spec
from .numerics import ATOL, Trial, all_close
from .text import num, plural, shape_text

np = lazy(globals(), fallback="vizgrad.engine.floats")  # numpy when first used, else Python floats


class Hint(NamedTuple):
    """A hint in two parts: the symptom and the rule (shown at once), and the formula itself
    (``answer``, shown only on request: a second failed try, or ``show_answer=True``)."""

    rule: str
    answer: str = ""

    def __bool__(self) -> bool:
        return bool(self.rule)


def describe_point(spec: Spec, t: Trial, shapes: dict[str, tuple]) -> str:
    """``at x = 0.82, y = -1.38, with upstream gradient dz = 1.7``: a checked point in words."""
    parts = []
    for p in spec.inputs:
        v = t.point[p]
        parts.append(f"{p} = {num(v)}" if shapes[p] == () else f"{p} of shape {shape_text(shapes[p])}")
    dz = (f"{spec.upstream} = {num(t.dz)}" if np.ndim(t.dz) == 0
          else f"a random {spec.upstream} of shape {shape_text(np.shape(t.dz))}")
    where = {"tie": " (a tie)", "zeros": " (zeros)", "zero": " (a zero)"}.get(t.kind, "")
    return f"at {', '.join(parts)}{where}, with upstream gradient {dz}"


def gradient_hint(spec: Spec, t: Trial, i: int, kind: str, shapes: dict[str, tuple]) -> Hint:
    """A hint for the usual mistake that explains input ``i``'s wrong gradient at ``t`` (empty at a kink)."""
    if np.any(np.isnan(t.center[i])) or np.any(t.kink[i]):
        return Hint("")
    if kind == "max" and all(shapes[q] == () for q in spec.inputs):
        return _max_hint(spec, t)
    p = spec.inputs[i]
    others = [j for j, q in enumerate(spec.inputs) if j != i and shapes[q] == shapes[p]]
    return (_swapped_hint(spec, t, i, kind, others) or Hint(_upstream_hint(spec, t, i))
            or _local_only_hint(spec, t, i, others) or Hint(_factor_hint(spec, t, i))
            or _gate_hint(spec, i, kind, shapes))


def _max_hint(spec: Spec, t: Trial) -> Hint:
    """Where a max gate of numbers should send the upstream gradient."""
    up = spec.upstream
    winner = max(spec.inputs, key=lambda q: t.point[q])
    rest = [q for q in spec.inputs if q != winner]
    both = all(all_close(t.got[j], t.dz) for j in range(len(spec.inputs)))
    return Hint((f"your backward sends {up} to both inputs. " if both else "")
                + f"The max gate routes the whole {up} to the larger input, and 0 to the other"
                f"{'' if len(rest) == 1 else 's'}.",
                f"here {winner} = {num(t.point[winner])} is the larger, so d{winner} = {up} and "
                f"d{rest[0]} = 0{'' if len(rest) == 1 else ', …'}.")


def _swapped_hint(spec: Spec, t: Trial, i: int, kind: str, others: list[int]) -> Hint:
    """A hint when gradient ``i`` is what another input's should be (empty otherwise)."""
    d, up = f"d{spec.inputs[i]}", spec.upstream
    g, e = t.got[i], t.center[i]
    for j in others:
        q = spec.inputs[j]
        if all_close(g, t.center[j]) and not all_close(e, t.center[j]):
            both = j in t.bad and all_close(t.got[j], e)
            if kind == "multiply":
                a, b = spec.inputs
                rule = "each input's local gradient of a multiply is the other input."
                if both:
                    return Hint(f"the gradients of {a} and {b} are swapped: {rule}",
                                f"d{a} = {b} · {up} and d{b} = {a} · {up}.")
                return Hint(f"your {d} is what d{q} should be: {rule}", f"{d} = {q} · {up}.")
            if both:
                pair = sorted([d, f"d{q}"])
                return Hint(f"your {pair[0]} and {pair[1]} are swapped: each is what the other should be.")
            return Hint(f"your {d} is what d{q} should be: are the two swapped?")
    return Hint("")


def _upstream_hint(spec: Spec, t: Trial, i: int) -> str:
    """A hint when gradient ``i`` is right for an upstream of 1: the upstream gradient is left out."""
    up, out = spec.upstream, spec.out
    g, e, e1 = t.got[i], t.center[i], t.center1[i]
    if all_close(e1, e) or not all_close(g, e1):
        return ""
    same = [k for k in t.bad if not np.any(np.isnan(t.center[k])) and not np.any(t.kink[k])
            and not all_close(t.center1[k], t.center[k]) and all_close(t.got[k], t.center1[k])]
    rules = " and ".join(f"d{spec.inputs[k]} = (∂{out}/∂{spec.inputs[k]}) · {up}" for k in same)
    if np.ndim(t.dz) == 0:
        return (f"multiply the local gradient by {up}: the chain rule gives {rules}, "
                f"and the upstream gradient {up} is {num(t.dz)} here, not 1.")
    names = plural([f"d{spec.inputs[k]}" for k in same])
    return (f"{names} {'is' if len(same) == 1 else 'are'} what {'it' if len(same) == 1 else 'they'} "
            f"would be if {up} were all ones: backward must use the upstream gradient {up} "
            "(the chain rule), which is a random array here.")


def _local_only_hint(spec: Spec, t: Trial, i: int, others: list[int]) -> Hint:
    """A hint when gradient ``i`` is another input's local gradient, without the upstream gradient."""
    p, d = spec.inputs[i], f"d{spec.inputs[i]}"
    up, out = spec.upstream, spec.out
    g, e = t.got[i], t.center[i]
    for j in others:
        q = spec.inputs[j]
        if all_close(g, t.center1[j]) and not all_close(e, t.center1[j]):
            return Hint(f"your {d} is the local gradient of {q}, and the upstream gradient {up} is missing: "
                        "each input's local gradient of a multiply is the other input, times the upstream "
                        "gradient (the chain rule).", f"{d} = {q} · {up} (if {out} = {p}·{q}).")
    return Hint("")


def _factor_hint(spec: Spec, t: Trial, i: int) -> str:
    """A hint when gradient ``i`` is off by a sign or a factor, transposed, or 0 ("" otherwise)."""
    p, d = spec.inputs[i], f"d{spec.inputs[i]}"
    up, out = spec.upstream, spec.out
    g, e = t.got[i], t.center[i]
    if np.any(np.abs(e) > ATOL) and all_close(g, -e):
        return f"the sign of {d} is flipped."
    scale = float(np.sum(g * e) / np.sum(e * e)) if np.sum(e * e) > 0 else 0.0
    if np.any(np.abs(e) > ATOL) and abs(scale - 1) > 1e-3 and abs(scale) > 1e-3 and all_close(g, scale * e):
        if np.ndim(t.dz) == 0 and math.isclose(scale, float(t.dz), rel_tol=1e-3):
            return f"{d} is multiplied by {up} twice: once is enough."
        return f"{d} is {num(scale)} times what it should be: a factor too many or too few?"
    if g.ndim == 2 and g.shape[0] == g.shape[1] and all_close(g, e.T) and not all_close(e, e.T):
        return f"{d} looks transposed: it equals the expected gradient's transpose."
    if np.all(np.abs(g) <= ATOL) and np.any(np.abs(e) > ATOL):
        return f"{d} is 0, but {out} does change when {p} changes."
    return ""


def _gate_hint(spec: Spec, i: int, kind: str, shapes: dict[str, tuple]) -> Hint:
    """What the gate's backward does, for the kinds of gate the check recognises; else the chain rule."""
    p = spec.inputs[i]
    up, out = spec.upstream, spec.out
    if kind == "max":
        return Hint(f"the max gate routes {up} to the larger input only (the other gets 0).")
    if kind == "add":
        return Hint(f"the add gate passes {up} unchanged to each input (its local gradients are 1).")
    if kind == "matmul" and len(shapes[spec.inputs[0]]) == len(shapes[spec.inputs[1]]) == 2:
        a, b = spec.inputs
        return Hint(f"check one entry: {out}[n, j] = Σ_i {a}[n, i] · {b}[i, j], and each gradient has its "
                    "input's shape.",
                    f"d{b}[i, j] = Σ_n {a}[n, i] · {up}[n, j] and d{a}[n, i] = Σ_j {up}[n, j] · {b}[i, j].")
    return Hint(f"work out the local gradient ∂{out}/∂{p}, then multiply it by the upstream {up} (chain rule).")


def tie_hint(spec: Spec, t: Trial, members: list[int], total: float, lo: float, hi: float) -> str:
    """A hint when the gradients of inputs tied at a kink do not add up to the derivative along the tie."""
    names = [spec.inputs[j] for j in members]
    up = spec.upstream
    same = math.isclose(lo, hi, rel_tol=1e-4, abs_tol=1e-6)
    if same and abs(lo) > ATOL and math.isclose(total, len(members) * lo, rel_tol=1e-4, abs_tol=1e-6):
        return (f"at a tie ({' = '.join(names)}) your backward sends {up} to {'both' if len(names) == 2 else 'all of'} "
                f"{plural(names)}, so the gradient is counted "
                f"{'twice' if len(names) == 2 else f'{len(names)} times'}. "
                f"The max gate routes the whole {up} to one input and 0 to the other; at a tie either choice is right.")
    if abs(total) <= ATOL and abs(lo) > ATOL:
        return (f"at a tie ({' = '.join(names)}) your backward sends {up} to none of the inputs: "
                "route it to one of them (either one is right).")
    want = num(lo) if same else f"between {num(lo)} and {num(hi)}"
    return (f"at this point ({' = '.join(names)}, where the gate has a kink) "
            f"{' + '.join('d' + n for n in names)} must be {want}: moving all of them together "
            f"changes {spec.out} smoothly.")

