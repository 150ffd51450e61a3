"""Predict, then reveal: the questions of a quiz player and the likely mistakes behind a wrong answer.

At a quizzed backward step the player hides the gradient being computed and asks for it.
Everything the page needs to judge an answer is computed here, from the trace: the right
number, and for each likely mistake the number it would give and what to say about it
(only the local gradient, only the upstream one, the other input's local gradient at a
multiply gate, the smaller input of a max, a sign, one path of a fork). The page then only
compares numbers (:data:`REL_TOL`, :data:`ABS_TOL`).

The likely mistakes are written once, as data (:func:`proposals`: a number made of the
step's quantities, a message template, a condition on the numbers), then chosen by one
rule (:func:`choose`). Python evaluates them on the trace's numbers (:func:`quiz_data`);
a saved page with live inputs evaluates the same data on the numbers it recomputes
(:func:`live_quiz` gives it the recipes, ``static/live.js`` fills them), so new inputs
bring new questions with no kernel.

``quiz`` (of ``scrub``, ``player_html``, ``player_fragment``, ``save_html``) is ``False``,
``True`` or ``"backward"`` (every backward step but the output's own, whose gradient is 1),
or a list of step numbers (0-based, each a backward step).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..drawing.captions import labels
from ..drawing.texts import fmt
from ..engine.ops import by_label, spec_of
from ..engine.tensor import Tensor
from ..engine.trace import Edge, Step, Trace
from .live_data import Quantities

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


# A likely mistake, as data both Python and the page evaluate (``static/live.js``), over a
# list ``q`` of numbers: ``[when, number, kind, say]``. ``number`` is ``[sign, i, j, ...]``,
# sign × q[i] × q[j] × ... (``[0]`` is zero, ``[-1, i]`` a negation, ``[1, i, j]`` a product);
# ``say`` is literal strings and ``[number, digits]``; ``when`` is None, ``[i, 0]`` (only if
# q[i] is 0) or ``[i, 1]`` (only if it is not). A proposal is then dropped if its number is
# not finite, close to the right answer or close to a number kept before it (:func:`choose`).
Proposal = list[Any]


class _Numbers:
    """The numbers a step's proposals are made of, taken from the step itself (``q``)."""

    def __init__(self) -> None:
        self.q: list[float] = []

    def _at(self, x: Any) -> int:
        self.q.append(float(x))
        return len(self.q) - 1

    def grad(self, step: Step) -> int:
        return self._at(step.upstream)

    def up(self, e: Edge) -> int:
        return self._at(e.upstream)

    def local(self, e: Edge) -> int:
        return self._at(e.local)

    def contribution(self, e: Edge) -> int:
        return self._at(e.contribution)

    def local_at(self, gate: Any, k: int) -> int:
        return self._at(gate._local_gradient(k))


def evaluate(number: list[Any], q: list[float]) -> float:
    """A proposal's number: its sign times the product of its quantities."""
    v = 1.0
    for i in number[1:]:
        v *= q[i]
    return number[0] * v


def fill(say: list[Any], q: list[float]) -> str:
    """A proposal's message with its numbers written as :func:`vizgrad.drawing.texts.fmt` writes them."""
    return "".join(p if isinstance(p, str) else fmt(evaluate(p[0], q), p[1]) for p in say)


def choose(right: float, proposals: list[Proposal], q: list[float]) -> list[tuple[float, str, str]]:
    """The proposals that apply at these numbers, as ``(number, kind, what to say)``."""
    out: list[tuple[float, str, str]] = []
    for when, number, kind, say in proposals:
        if when is not None and (q[when[0]] == 0.0) != (when[1] == 0):
            continue
        value = evaluate(number, q)
        if not math.isfinite(value) or _close(value, right) or any(_close(value, v) for v, _, _ in out):
            continue
        out.append((value, kind, fill(say, q)))
    return out


def candidates(step: Step, names: list[str], pos: dict[int, int], digits: int = 3) -> list[tuple[float, str, str]]:
    """The likely wrong answers at a backward step: ``(number, kind, what to say)``, most
    telling first, each number distinct from the right one and from those before it."""
    at = _Numbers()
    made = proposals(step, names, pos, digits, at)
    return choose(float(step.upstream), made, at.q)


def proposals(step: Step, names: list[str], pos: dict[int, int], digits: int, at: Any) -> list[Proposal]:
    """Every likely mistake at a backward step, most telling first, before the numbers
    decide which apply; ``at`` tells where each quantity sits in ``q`` (``grad(step)``,
    ``up(edge)``, ``local(edge)``, ``contribution(edge)``, ``local_at(gate, k)``)."""
    out: list[Proposal] = []

    def add(number: list[Any], kind: str, *say: Any, when: list[int] | None = None) -> None:
        out.append([when, number, kind, [p if isinstance(p, str) else [p, digits] for p in say]])

    me = names[pos[id(step.node)]]
    if len(step.sources) > 1:
        for e in step.sources:
            c = [1, at.contribution(e)]
            add(c, "one path", c, f" is what comes back along one path only (through {names[pos[id(e.output)]]}): "
                                  f"{me} is used {len(step.sources)} times, and gradients add at a fork.")
    elif len(step.sources) == 1:
        _single_edge(step.sources[0], at, add)
    right = at.grad(step)
    add([-1, right], "sign", "Check the sign: the gradient is ", [1, right], ", not ", [-1, right], ".")
    return out


def _single_edge(e: Edge, at: Any, add: Any) -> None:
    gate = e.output
    up, local = [1, at.up(e)], [1, at.local(e)]
    label = gate.op
    op = _op_name(gate)
    if op in ("max", "max_const", "relu"):
        add(up, "max", f"The {label} gate routes the gradient to its larger input only, and this one "
                       "was the smaller: it gets 0, not the upstream ", up, ".", when=[local[1], 0])
        add([0], "max", f"The {label} gate routes the whole upstream gradient to its larger input, "
                        "and this one was the larger: it gets ", up, ", not 0.", when=[local[1], 1])
    if op == "mul" and len(gate.inputs) == 2:
        other = at.local_at(gate, 1 - e.index)
        add([1, up[1], other], "swap", "At a multiply gate, the local gradient for an input is the OTHER input's "
                                       "value (", local, " here), not ", [1, other], ".")
    add(local, "local only", local, f" is only the local gradient of the {label} gate: multiply it by the "
                                    "upstream gradient ", up, " that arrives at the gate (chain rule).")
    add(up, "upstream only", up, f" is only the upstream gradient: multiply it by the {label} gate's "
                                 "local gradient ", local, " (chain rule).")


def _asked(frames: Any, k: int, names: list[str], pos: dict[int, int]) -> dict[str, Any]:
    """What a question at step ``k`` says and hides, whatever the numbers."""
    step = frames.trace[k]
    i = pos[id(step.node)]
    holes = frames.template.holes
    hide = [h for h, _ in frames.changes[k]  # node i's gradient, and what each of its uses sent back
            if holes[h].kind == "text" and holes[h].key.kind == "grad" and holes[h].key.node == i
            and holes[h].key.copy is None]
    f, me = names[-1], names[i]
    return {"node": me, "hide": hide, "ask": f"∂{f}/∂{me}",
            "question": f"What is the gradient of {f} with respect to {me}?", "hint": _hint(step, names, pos)}


def _question(asked: dict[str, Any], k: int, right: float, digits: int,
              wrong: list[tuple[float, str, str]]) -> dict[str, Any]:
    return {"step": k, "node": asked["node"], "answer": right, "shown": fmt(right, digits), "hide": asked["hide"],
            "ask": asked["ask"], "question": asked["question"], "hint": asked["hint"],
            "wrong": [[v, kind, say] for v, kind, say in wrong]}


def quiz_data(frames: Any, quiz: Quiz) -> dict[str, Any] | None:
    """The quiz part of the player's data: per quizzed step the hidden holes, the
    question, the right number and the likely mistakes; None without a quiz."""
    trace = frames.trace
    steps = quiz_steps(trace, quiz)
    if not steps:
        return None
    names = labels(trace)
    pos = {id(n): i for i, n in enumerate(trace.nodes)}
    digits = frames.options.digits
    out = []
    for k in steps:
        step = trace[k]
        right = float(step.upstream)
        if not math.isfinite(right):
            continue  # a nan or inf is nothing to guess
        out.append(_question(_asked(frames, k, names, pos), k, right, digits, candidates(step, names, pos, digits)))
    return {"steps": out, "rel": REL_TOL, "abs": ABS_TOL} if out else None


class _Tokens:
    """Where the quantities sit in a live page's numbers ``Q`` (:class:`vizgrad.web.live_data.Quantities`)."""

    def __init__(self, qs: Quantities) -> None:
        self.qs = qs

    def grad(self, step: Step) -> int:
        return self.qs.g(self.qs.pos[id(step.node)])

    def up(self, e: Edge) -> int:
        return self.qs.g(self.qs.pos[id(e.output)])

    def local(self, e: Edge) -> int:
        return self.qs.edge(e, 0)

    def contribution(self, e: Edge) -> int:
        return self.qs.edge(e, 1)

    def local_at(self, gate: Any, k: int) -> int:
        return self.qs.local_at(self.qs.pos[id(gate)], k)


def live_quiz(frames: Any, quiz: Quiz) -> dict[str, Any] | None:
    """The quiz of a saved page whose live inputs it recomputes (``static/live.js``): per
    quizzed step what it asks and hides, where its answer sits in the page's numbers and
    its proposals (see :data:`Proposal`). None without a quiz, or if filled with this
    trace's numbers it would not give :func:`quiz_data` (then the page drops its quiz when
    an input moves rather than ask with stale numbers)."""
    trace = frames.trace
    steps = quiz_steps(trace, quiz)
    if not steps:
        return None
    qs = Quantities(trace)
    at = _Tokens(qs)
    names = labels(trace)
    pos = {id(n): i for i, n in enumerate(trace.nodes)}
    digits = frames.options.digits
    recipe = {"steps": [{"step": k, **_asked(frames, k, names, pos), "answer": at.grad(trace[k]),
                         "wrong": proposals(trace[k], names, pos, digits, at)} for k in steps],
              "digits": digits, "rel": REL_TOL, "abs": ABS_TOL}
    return recipe if fill_quiz(recipe, qs.of(trace)) == quiz_data(frames, quiz) else None


def fill_quiz(recipe: dict[str, Any], q: list[float]) -> dict[str, Any] | None:
    """The quiz data at the numbers ``q`` of a live page, from :func:`live_quiz`'s recipe:
    what ``static/live.js`` computes (the same rules, written once more in JavaScript)."""
    out = []
    for r in recipe["steps"]:
        right = float(q[r["answer"]])
        if math.isfinite(right):
            out.append(_question(r, r["step"], right, recipe["digits"], choose(right, r["wrong"], q)))
    return {"steps": out, "rel": recipe["rel"], "abs": recipe["abs"]} if out else None


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
