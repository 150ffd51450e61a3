"""Predict, then reveal: the questions of a quiz player and the likely mistakes behind a wrong answer.

At a quizzed backward step the player hides the gradient being computed and asks for it.
Everything the page needs to judge an answer is computed here, from the trace: the right
number, and for each likely mistake the number it would give and what to say about it
(only the local gradient, only the upstream one, the other input's local gradient at a
multiply gate, the smaller input of a max, a sign, one path of a fork). The page then only
compares numbers (:data:`REL_TOL`, :data:`ABS_TOL`).

``quiz`` (of ``scrub``, ``player_html``, ``player_fragment``, ``save_html``) is ``False``,
``True`` or ``"backward"`` (every backward step but the output's own, whose gradient is 1),
or a list of step numbers (0-based, each a backward step).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .captions import labels
from .ops import by_label, spec_of
from .scene import fmt
from .tensor import Tensor
from .trace import Edge, Step, Trace

REL_TOL = 0.01  # an answer within 1% of the gradient ...
ABS_TOL = 1e-6  # ... or this close to it is right

Quiz = bool | str | Iterable[int] | None


def quiz_steps(trace: Trace, quiz: Quiz) -> list[int]:
    """The steps ``quiz`` asks about in ``trace`` (sorted), or a ValueError in one line."""
    if quiz is None or quiz is False:
        return []
    n = len(trace.nodes)
    if any(isinstance(node, Tensor) for node in trace.nodes):
        raise ValueError("quiz needs a scalar graph (made of vizgrad.Value): a Tensor's gradient is an array, "
                         "too much to type in; draw it without quiz=")
    if quiz is True or quiz == "backward":
        return [s.index for s in trace.backward if s.sources]
    if isinstance(quiz, str) or not isinstance(quiz, Iterable):
        raise ValueError(f"quiz is True, 'backward' or a list of backward step numbers, got {quiz!r}")
    steps = sorted({_step_number(k) for k in quiz})
    bad = [k for k in steps if not n <= k < len(trace)]
    if bad:
        raise ValueError(f"quiz step {bad[0]} is not a backward step: the backward steps of this trace "
                         f"are {n} to {len(trace) - 1} (0-based)")
    return steps


def _step_number(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise ValueError(f"quiz steps are whole numbers (0-based step indexes), got {k!r}")
    return k


def _op_name(node: Any) -> str:
    spec = spec_of(node)
    row = spec[0] if spec is not None else by_label(getattr(node, "op", "") or "")
    return row.name if row is not None else ""


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(ABS_TOL, REL_TOL * abs(b))


def candidates(step: Step, names: list[str], pos: dict[int, int], digits: int = 3) -> list[tuple[float, str, str]]:
    """The likely wrong answers at a backward step: ``(number, kind, what to say)``, most
    telling first, each number distinct from the right one and from those before it."""
    num = lambda x: fmt(float(x), digits)  # noqa: E731
    right = float(step.upstream)
    me = names[pos[id(step.node)]]
    out: list[tuple[float, str, str]] = []

    def add(value: float, kind: str, say: str) -> None:
        if not math.isfinite(value) or _close(value, right) or any(_close(value, v) for v, _, _ in out):
            return
        out.append((value, kind, say))

    if len(step.sources) > 1:
        for e in step.sources:
            add(float(e.contribution), "one path",
                f"{num(e.contribution)} is what comes back along one path only (through "
                f"{names[pos[id(e.output)]]}): {me} is used {len(step.sources)} times, and gradients add at a fork.")
    elif len(step.sources) == 1:
        _single_edge(step.sources[0], names, pos, num, add)
    add(-right, "sign", f"Check the sign: the gradient is {num(right)}, not {num(-right)}.")
    return out


def _single_edge(e: Edge, names: list[str], pos: dict[int, int], num: Any, add: Any) -> None:
    gate = e.output
    up, local = float(e.upstream), float(e.local)
    label = gate.op
    op = _op_name(gate)
    if op in ("max", "max_const", "relu"):
        if local == 0.0:
            add(up, "max", f"The {label} gate routes the gradient to its larger input only, and this one "
                           f"was the smaller: it gets 0, not the upstream {num(up)}.")
        else:
            add(0.0, "max", f"The {label} gate routes the whole upstream gradient to its larger input, "
                            f"and this one was the larger: it gets {num(up)}, not 0.")
    if op == "mul" and len(gate.inputs) == 2:
        other = gate._local_gradient(1 - e.index)
        add(up * float(other), "swap",
            f"At a multiply gate, the local gradient for an input is the OTHER input's value "
            f"({num(local)} here), not {num(other)}.")
    add(local, "local only", f"{num(local)} is only the local gradient of the {label} gate: multiply it by the "
                             f"upstream gradient {num(up)} that arrives at the gate (chain rule).")
    add(up, "upstream only", f"{num(up)} is only the upstream gradient: multiply it by the {label} gate's "
                             f"local gradient {num(local)} (chain rule).")


def quiz_data(frames: Any, quiz: Quiz) -> dict[str, Any] | None:
    """The quiz part of the player's data: per quizzed step the hidden holes, the
    question, the right number and the likely mistakes; None without a quiz."""
    trace = frames.trace
    steps = quiz_steps(trace, quiz)
    if not steps:
        return None
    names = labels(trace)
    pos = {id(n): i for i, n in enumerate(trace.nodes)}
    f = names[-1]
    digits = frames.options.digits
    holes = frames.template.holes
    out = []
    for k in steps:
        step = trace[k]
        i = pos[id(step.node)]
        mine = f"g{i}"
        hide = [h for h, _ in frames.changes[k]
                if holes[h].kind == "text" and (holes[h].key == mine or holes[h].key.startswith(mine + "."))]
        right = float(step.upstream)
        if not math.isfinite(right):
            continue  # a nan or inf is nothing to guess
        me = names[i]
        out.append({
            "step": k,
            "node": me,
            "answer": right,
            "shown": fmt(right, digits),
            "hide": hide,
            "ask": f"∂{f}/∂{me}",
            "question": f"What is the gradient of {f} with respect to {me}?",
            "hint": _hint(step, names, pos),
            "wrong": [[v, kind, say] for v, kind, say in candidates(step, names, pos, digits)],
        })
    return {"steps": out, "rel": REL_TOL, "abs": ABS_TOL} if out else None


def _hint(step: Step, names: list[str], pos: dict[int, int]) -> str:
    if not step.sources:
        return "The gradient of the output with respect to itself."
    if len(step.sources) > 1:
        return "Add up what comes back along each path: upstream × local for each use."
    gate = names[pos[id(step.sources[0].output)]]
    return f"Chain rule: the upstream gradient arriving at {gate}, times the local gradient of its gate."


def results(data: dict[str, Any] | None, state: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each quizzed step with the answers given (``state``: what the page sent back)."""
    if not data:
        return []
    given = {int(s.get("step", -1)): s for s in state if isinstance(s, dict)}
    out = []
    for q in data["steps"]:
        s = given.get(q["step"], {})
        answers = [float(a) for a in s.get("answers", []) if isinstance(a, (int, float))]
        right = [_close(a, q["answer"]) for a in answers]
        out.append({
            "step": q["step"], "node": q["node"], "answer": q["answer"], "answers": answers,
            "right": any(right), "right_first_time": bool(right) and right[0],
            "shown": bool(s.get("shown", False)),
        })
    return out
