"""The quiz player: predict each backward gradient, then see it.

The questions and the likely mistakes are computed in Python (vizgrad.web.quiz) from the
trace; a saved quiz page is then driven in headless Chromium (tests marked ``browser``):
the hidden gradient is not on the page's wire, a right answer reveals it, a wrong one is
diagnosed, moving on past an unanswered question is refused and the score counts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import vizgrad as vg
from vizgrad import examples
from vizgrad.web.player import player_data, player_fragment, player_script, save_html
from vizgrad.web.quiz import fill_quiz, live_quiz, quiz_data, quiz_steps
from vizgrad.web.live_data import Quantities
from vizgrad.scrub import scrub

lecture = examples.lecture_circuit  # f = (x + y) z at x=-2, y=5, z=-4: backward steps 5 (f) .. 9 (x)


def questions(out, quiz=True) -> dict[int, dict]:
    return {q["step"]: q for q in player_data(vg.frames(out), quiz=quiz)["quiz"]["steps"]}


def kinds(q: dict) -> dict[float, str]:
    return {v: kind for v, kind, _ in q["wrong"]}


# -- the questions, in Python -----------------------------------------------------------------


def test_every_backward_step_but_the_output_is_asked_with_its_gradient():
    t = vg.trace(lecture())
    qs = questions(lecture())
    assert sorted(qs) == [s.index for s in t.backward if s.sources] == [6, 7, 8, 9]
    for k, q in qs.items():
        assert q["answer"] == float(t[k].upstream)
        assert q["node"] == t[k].node.name
    assert qs[8]["ask"] == "∂f/∂y" and "with respect to y" in qs[8]["question"]


def test_the_hidden_holes_are_the_steps_own_gradient_texts():
    fr = vg.frames(lecture())
    q = {q["step"]: q for q in player_data(fr, quiz=True)["quiz"]["steps"]}[8]
    holes = fr.template.holes
    assert [holes[h].key for h in q["hide"]] == ["g1"]  # y's gradient slot, nothing else
    assert dict(fr.changes[8])[q["hide"][0]] == "-4"


def test_a_fork_hides_every_branch_and_is_diagnosed_as_one_path():
    a = vg.Value(2.0, name="a")
    b = a * a + a
    b.name = "b"
    t = vg.trace(b)
    fr = vg.frames(b)
    q = {q["step"]: q for q in player_data(fr, quiz=True)["quiz"]["steps"]}[5]  # a: used 3 times
    assert q["answer"] == 5.0
    keys = sorted(fr.template.holes[h].key for h in q["hide"])
    assert keys[0] == "g0" and len(keys) == 1 + len(t[5].sources)
    assert all(k.startswith("g0.") for k in keys[1:])
    paths = [v for v, kind, _ in q["wrong"] if kind == "one path"]
    assert sorted(paths) == [1.0, 2.0]  # one path each (the two of a*a give 2 alike; the + gives 1)
    assert kinds(q)[-5.0] == "sign"


def test_the_mistakes_at_a_plus_gate_and_a_multiply_gate():
    qs = questions(lecture())
    y = qs[8]  # ∂f/∂y = upstream -4 × local 1
    assert kinds(y)[1.0] == "local only"
    assert -4.0 not in kinds(y)  # the upstream alone is the right answer here: not a mistake
    z = qs[6]  # ∂f/∂z = upstream 1 × local q=3
    assert kinds(z)[-4.0] == "swap"  # z's own value, not the other input's
    assert "OTHER input" in dict((v, say) for v, _, say in z["wrong"])[-4.0]
    q = qs[7]  # ∂f/∂q = 1 × z = -4
    assert kinds(q)[3.0] == "swap" and kinds(q)[4.0] == "sign" and kinds(q)[1.0] == "upstream only"
    for qq in qs.values():  # no wrong answer is (close to) the right one, none twice
        values = [v for v, _, _ in qq["wrong"]]
        assert len(set(values)) == len(values)
        assert all(abs(v - qq["answer"]) > 0.01 * abs(qq["answer"]) for v in values)


def test_a_max_gate_routes_to_the_larger_input():
    a, b = vg.Value(3.0, name="a"), vg.Value(1.0, name="b")
    m = a.max(b)
    m.name = "m"
    out = m * 2.0
    out.name = "o"
    t = vg.trace(out)
    qs = questions(out)
    qa, qb = qs[t.backward_step(a).index], qs[t.backward_step(b).index]
    assert qa["answer"] == 2.0 and kinds(qa)[0.0] == "max"  # routed to the smaller instead
    assert qb["answer"] == 0.0 and kinds(qb)[2.0] == "max"  # the smaller gets nothing


def test_quiz_takes_step_numbers_and_refuses_bad_ones_in_one_line():
    t = vg.trace(lecture())
    assert quiz_steps(t, [8, 6]) == [6, 8]
    assert quiz_steps(t, "backward") == quiz_steps(t, True) == [6, 7, 8, 9]
    assert quiz_steps(t, [5]) == [5]  # the output's own step, if asked for
    assert quiz_steps(t, False) == []
    with pytest.raises(ValueError, match=r"quiz step 2 is not a backward step.*5 to 9") as e:
        quiz_steps(t, [2, 8])
    assert "\n" not in str(e.value)
    with pytest.raises(ValueError, match="whole numbers"):
        quiz_steps(t, [8.5])
    with pytest.raises(ValueError, match="True, 'backward' or a list"):
        quiz_steps(t, "forward")


def test_a_tensor_graph_cannot_be_quizzed():
    W = vg.Tensor(np.ones((2, 2)), name="W")
    loss = (W * 2.0).sum()
    with pytest.raises(ValueError, match="quiz needs a scalar graph") as e:
        player_fragment(loss, quiz=True)
    assert "\n" not in str(e.value)
    with pytest.raises(ValueError, match="quiz needs a scalar graph"):
        scrub(loss, quiz=True)
    assert "quiz" not in player_data(vg.frames(loss))  # no quiz asked: drawn as ever


def test_every_entry_point_takes_quiz_and_starts_no_later_than_the_first_question(tmp_path):
    page = save_html(tmp_path / "q.html", lecture(), quiz=[8], step=9).read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert [q["step"] for q in data["quiz"]["steps"]] == [8]
    assert data["start"] == 8  # the page must not open past its question, showing the answer
    assert not re.search(r'data-slot="g1"[^>]*>-4<', page)  # the drawing as served holds no answer yet
    assert '"quiz"' in player_fragment(lecture(), quiz=True)
    w = scrub(lecture(), quiz=True, step=9)
    assert w.step == 6 and json.loads(w.data)["quiz"]["steps"][0]["step"] == 6
    assert 'name: "quiz"' in player_script()


# -- a saved page with live inputs: the quiz as recipes ------------------------------------------


def routed(a0: float, b0: float):
    """max and relu gates whose routing depends on the numbers, and forks on a and b."""
    a, b = vg.Value(a0, name="a"), vg.Value(b0, name="b")
    p, r, s, c = a * 2.0, b + 1.0, a * b, b * 3.0
    for node, name in ((p, "p"), (r, "r"), (s, "s"), (c, "c")):
        node.name = name
    out = p.max(r) * s.relu() + c.max(0.5)
    out.name = "o"
    return out


PASSES = [
    (examples.lecture_circuit, [(-2.0, 5.0, -4.0), (-2.0, 5.0, 2.0), (1.0, 0.0, 2.0), (3.0, -3.0, 0.5),
                                (0.0, 0.0, 0.0)]),
    (examples.sigmoid_circuit, [(2.0, -1.0, -3.0, -2.0, -3.0), (0.5, 4.0, 1.0, -1.0, 2.0), (0.0, 0.0, 0.0, 0.0, 0.0),
                                (-3.0, 1.5, 2.0, 2.0, 800.0)]),
    (routed, [(3.0, 1.0), (1.0, 3.0), (2.0, 3.0), (-1.0, -2.0), (0.25, 0.0), (-2.0, 1.0)]),
]


@pytest.mark.parametrize("make, passes", PASSES, ids=["lecture", "sigmoid", "max-relu"])
def test_the_quiz_recipes_of_one_pass_give_the_quiz_of_every_other(make, passes):
    """Recorded at the first inputs and filled with another pass's numbers (as the page fills
    them), the quiz's recipes give exactly the questions Python asks at that pass: the answer,
    which mistakes apply (routing, drops) and their messages."""
    first = vg.frames(make(*passes[0]))
    recipe = live_quiz(first, True)
    assert recipe is not None
    json.dumps(recipe, allow_nan=False)  # it goes to the page as strict JSON
    kinds_seen = set()
    for inputs in passes:
        fr = first.with_trace(vg.trace(make(*inputs)))
        want = quiz_data(fr, True)
        assert fill_quiz(recipe, Quantities(fr.trace).of(fr.trace)) == want, inputs
        kinds_seen |= {kind for q in (want or {"steps": []})["steps"] for _, kind, _ in q["wrong"]}
    assert {"upstream only", "sign", "swap"} <= kinds_seen
    if make is routed:  # the routing flips with the numbers, and the recipes follow
        assert {"max", "one path"} <= kinds_seen
    else:
        assert "local only" in kinds_seen


def test_a_live_page_carries_the_quiz_recipes_only_when_asked():
    fn = lambda x, y, z: (x + y) * z  # noqa: E731
    asked = vg.scrub(fn, x=-2.0, y=5.0, z=-4.0, quiz=True).html()
    live = json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', asked, re.S).group(1))["live"]
    assert [q["step"] for q in live["quiz"]["steps"]] == [6, 7, 8, 9]
    y = live["quiz"]["steps"][2]
    assert y["ask"] == "∂[*]/∂y" and y["answer"] == Quantities(vg.trace(examples.lecture_circuit())).g(1)
    plain = vg.scrub(fn, x=-2.0, y=5.0, z=-4.0).html()
    assert "quiz" not in json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>', plain,
                                              re.S).group(1))["live"]


# -- the widget: answers come back through quiz_state -------------------------------------------


def test_quiz_results_from_the_answers_the_browser_sends():
    w = scrub(lecture(), quiz=True)
    assert "quiz_state" in w.get_state()  # a synced trait: the page writes it
    assert [r["answers"] for r in w.quiz_results] == [[], [], [], []]
    w.quiz_state = [{"step": 6, "answers": [3.0], "shown": False},
                    {"step": 8, "answers": [1.0, -4.0], "shown": False},
                    {"step": 9, "answers": [4.0], "shown": True}]
    r = {x["step"]: x for x in w.quiz_results}
    assert r[6]["right_first_time"] and r[6]["right"] and r[6]["node"] == "z"
    assert r[8]["right"] and not r[8]["right_first_time"] and r[8]["answers"] == [1.0, -4.0]
    assert r[9]["shown"] and not r[9]["right"]
    assert r[7]["answers"] == [] and not r[7]["right"]


def test_live_inputs_bring_new_questions():
    w = scrub(lambda x, y, z: (x + y) * z, x=-2.0, y=5.0, z=-4.0, quiz=True)
    before = {q["step"]: q["answer"] for q in json.loads(w.data)["quiz"]["steps"]}
    w.set_inputs(z=2.0)
    after = {q["step"]: q for q in json.loads(w.data)["quiz"]["steps"]}
    assert before != {k: q["answer"] for k, q in after.items()}
    t = w.trace
    for k, q in after.items():
        assert q["answer"] == float(t[k].upstream)
    assert any(kind == "local only" for _, kind, _ in after[max(after)]["wrong"])


# -- the saved page in a browser ----------------------------------------------------------------

from conftest import Offline, browser_test  # noqa: E402


SEE = """
(root) => ({
  step: +root.dataset.step, quiz: root.dataset.quiz || '',
  g1: root.querySelector('svg text[data-slot="g1"]').textContent,
  text: root.querySelector('.vgp-text').textContent,
  formula: root.querySelector('.vgp-formula').hidden ? '' : root.querySelector('.vgp-formula').textContent,
  feedback: root.querySelector('.vgp-quiz-feedback').textContent,
  score: root.querySelector('.vgp-quiz-score').textContent,
  spoken: root.querySelector('.vgp-sr').textContent,
  focus: document.activeElement && document.activeElement.className,
})
"""


@pytest.fixture
def quiz_page(offline, tmp_path):
    path = save_html(tmp_path / "quiz.html", lecture(), quiz=True)
    return offline(path, 1000, 800, ready=".vgp[data-ready='1']").page


def see(page) -> dict:
    return page.locator(".vgp").evaluate(SEE)


def answer(page, text: str) -> dict:
    page.locator(".vgp-quiz-input").fill(text)
    page.locator(".vgp-quiz-input").press("Enter")
    return see(page)


@browser_test
def test_predict_then_reveal_in_the_saved_page(quiz_page):
    page = quiz_page
    page.locator(".vgp-figure").click()
    page.keyboard.press("End")  # refused: the first question (∂f/∂z, step 6) comes first
    s = see(page)
    assert s["step"] == 6 and s["quiz"] == "ask" and "with respect to z" in s["text"]
    assert s["score"].startswith("0 of 4 right first time")
    assert answer(page, "3")["quiz"] == "right"
    page.locator(".vgp-next").click()
    assert answer(page, "−4")["quiz"] == "right"  # a typographic minus is a minus
    page.locator(".vgp-next").click()
    s = see(page)  # y's step: its gradient is hidden, on the wire and in the caption
    assert s["step"] == 8 and s["quiz"] == "ask"
    assert s["g1"] == "?" and "-4" not in s["g1"]
    assert s["formula"] == "" and "-4" not in s["text"] and "−4" not in s["spoken"]
    page.locator(".vgp-next").click()  # moving on is refused
    page.keyboard.press("ArrowRight")
    s = see(page)
    assert s["step"] == 8 and s["g1"] == "?" and "first" in s["feedback"]
    s = answer(page, "1")  # the local gradient alone
    assert s["quiz"] == "ask" and s["g1"] == "?"
    assert "only the local gradient" in s["feedback"] and "upstream gradient -4" in s["feedback"]
    assert "not right" in s["spoken"]
    assert page.locator(".vgp-quiz-again").is_visible()
    s = answer(page, "-4")
    assert s["quiz"] == "right" and s["g1"] == "-4"
    assert s["formula"] == "∂f/∂y = ∂f/∂q · ∂q/∂y = (-4)(1) = -4" and "✓" in s["feedback"]
    assert s["spoken"].startswith("Right. Backward, step 8: the gradient of f with respect to y is upstream −4 times")
    assert s["score"].startswith("2 of 4 right first time")
    page.keyboard.press("ArrowRight")  # the focus is back on the player: the arrows move on
    s = see(page)
    assert s["step"] == 9 and s["quiz"] == "ask"
    page.locator(".vgp-quiz-show").click()
    s = see(page)
    assert s["quiz"] == "shown" and s["score"] == "2 of 4 right first time"
    page.keyboard.press("ArrowLeft")
    assert see(page)["g1"] == "-4"  # answered stays answered


@browser_test
def test_reveal_all_and_play_stops_at_a_question(quiz_page):
    page = quiz_page
    page.locator(".vgp-play").click()
    page.wait_for_function("() => !document.querySelector('.vgp').dataset.playing", timeout=10000)
    assert see(page)["step"] == 6  # Play stopped at the first question
    page.locator(".vgp-quiz-all").click()
    page.keyboard.press("End")
    s = see(page)
    assert s["step"] == 9 and s["quiz"] == "shown" and s["g1"] == "-4"
    assert s["score"] == "0 of 4 right first time"


SLIDER = """
(root) => {
  const r = root.querySelector('.vgp-range');
  return { shown: root.__vgp.cur, step: +root.dataset.step, slider: +r.value, said: r.getAttribute('aria-valuetext'),
           count: root.querySelector('.vgp-count').textContent };
}
"""


def slider(page) -> dict:
    return page.locator(".vgp").evaluate(SLIDER)


def drag_to(page, k: int) -> dict:
    """The step slider set to ``k`` as a drag sets it (its value, then input and change), and what shows."""
    page.locator(".vgp-range").evaluate("""(r, k) => {
      r.value = String(k);
      r.dispatchEvent(new Event('input', { bubbles: true }));
      r.dispatchEvent(new Event('change', { bubbles: true }));
    }""", k)
    return slider(page)


def kept_at(k: int) -> dict:
    return {"shown": k, "step": k, "slider": k, "said": f"step {k} of 0 to 9, backward", "count": f"step {k} of 0–9"}


def drag_past_the_question(page) -> None:
    """From step 0, drag the slider to the end, then on again from the question: the thumb stays
    on the question's step (by events, by the keyboard on the slider, by the mouse)."""
    assert drag_to(page, 9) == kept_at(6)  # stopped at the first question
    assert drag_to(page, 9) == kept_at(6)  # dragged on from the question: the thumb comes back
    assert "first" in see(page)["feedback"]
    page.locator(".vgp-range").focus()
    page.keyboard.press("PageUp")  # the slider's own keys
    assert slider(page) == kept_at(6)
    box = page.locator(".vgp-range").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 6 / 9, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 1, y, steps=5)
    page.mouse.up()
    assert slider(page) == kept_at(6)
    assert answer(page, "3")["quiz"] == "right"  # answered: the slider moves on, up to the next question
    assert drag_to(page, 9) == kept_at(7)


@browser_test
def test_the_step_slider_shows_the_step_a_question_keeps_the_player_at(quiz_page):
    drag_past_the_question(quiz_page)


WIDGET_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>widget</title>
<style>%(css)s</style></head><body><main><div id="host"></div></main>
<script type="module">
%(js)s
const state = %(state)s;
const saved = [];
const model = {
  get: (k) => state[k], set: (k, v) => { state[k] = v; },
  save_changes: () => saved.push(JSON.stringify(state.quiz_state)),
  on() {}, off() {},
};
window.__saved = saved;
render({ model, el: document.getElementById("host") });
</script></body></html>
"""


def widget_page(browser, path: Path, state: dict):
    """The widget's script alone on a page (WIDGET_PAGE, its model holding ``state``), written to ``path``,
    opened and ready."""
    from vizgrad.web.player import static_text

    path.write_text(WIDGET_PAGE % {"css": static_text("player.css"), "js": player_script(),
                                   "state": json.dumps(state)}, encoding="utf-8")
    page = browser.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector(".vgp[data-ready='1']")
    return page


@browser_test
def test_the_widget_sends_the_answers_to_its_model(browser, tmp_path):
    w = scrub(lecture(), quiz=[8])
    state = {"svg_template": w.svg_template, "data": w.data, "step": w.step, "interval": 700}
    path = tmp_path / "widget.html"
    page = widget_page(browser, path, state)
    assert see(page)["step"] == 0
    page.locator(".vgp-last").click()  # stops at the question
    assert see(page)["step"] == 8
    answer(page, "1")
    answer(page, "-4")
    sent = json.loads(page.evaluate("() => window.__saved[window.__saved.length - 1]"))
    page.close()
    assert sent == [{"step": 8, "answers": [1, -4], "shown": False}]
    # the widget shown again starts from the answers its model holds: step 8 is answered
    page = widget_page(browser, path, {**state, "quiz_state": sent})
    page.locator(".vgp-last").click()
    assert see(page)["step"] == 9
    page.locator(".vgp-prev").click()
    s = see(page)
    assert s["quiz"] == "right" and s["g1"] == "-4" and s["score"].startswith("0 of 1 right first time")
    page.close()
    w.quiz_state = sent  # what the kernel then holds
    (r,) = w.quiz_results
    assert r["answers"] == [1.0, -4.0] and r["right"] and not r["right_first_time"]



@browser_test
def test_new_numbers_from_live_inputs_ask_again(browser, tmp_path):
    w = scrub(lambda x, y, z: (x + y) * z, x=-2.0, y=5.0, z=-4.0, quiz=True)
    state = {"svg_template": w.svg_template, "data": w.data, "step": 0, "interval": 700}
    page = widget_page(browser, tmp_path / "live.html", state)
    page.locator(".vgp-last").click()
    assert answer(page, "3")["quiz"] == "right"  # ∂f/∂z = x + y = 3
    page.locator(".vgp-next").click()
    assert see(page)["step"] == 7
    w.set_inputs(x=1.0)  # ∂f/∂z is now 6: a new question; the kernel sends new data
    page.evaluate("(d) => document.querySelector('.vgp').__vgp.setData(JSON.parse(d), 7)", w.data)
    s = see(page)
    assert s["step"] == 6 and s["quiz"] == "ask" and s["score"].startswith("0 of 4")
    assert page.locator('svg text[data-slot="g3"]').text_content() == "?"
    assert "upstream gradient" in answer(page, "1")["feedback"]  # the new numbers' mistakes
    assert answer(page, "6")["quiz"] == "right"
    page.close()


@browser_test
def test_a_saved_live_page_asks_with_the_new_numbers(browser, tmp_path):
    """A saved page of a function with live inputs and a quiz: moving an input in the page (no
    kernel, network blocked) recomputes the questions, the mistakes and their messages."""
    fn = lambda x, y, z: (x + y) * z  # noqa: E731
    w = scrub(fn, x=-2.0, y=5.0, z=-4.0, quiz=True)
    path = w.save_html(tmp_path / "live-quiz.html")
    o = Offline(browser, path, 1000, 800, ready=".vgp[data-ready='1']")
    page, remote, errors = o.page, o.remote, o.errors
    page_quiz = "() => document.querySelector('.vgp').__vgp.data.quiz"
    page.get_by_role("textbox", name="z, exact value").fill("2")  # ∂f/∂y = z is now 2
    w.set_inputs(z=2.0)  # what the kernel would ask at these inputs
    assert page.evaluate(page_quiz) == json.loads(w.data)["quiz"]
    page.locator(".vgp-last").click()  # stops at the first question
    s = see(page)
    assert s["step"] == 6 and s["quiz"] == "ask" and s["score"].startswith("0 of 4")
    assert answer(page, "3")["quiz"] == "right"  # ∂f/∂z = x + y = 3
    page.evaluate("() => document.querySelector('.vgp').__vgp.live.set({y: 6})")  # answered, then changed
    s = see(page)
    assert s["step"] == 6 and s["quiz"] == "ask" and s["score"].startswith("0 of 4")
    assert page.locator(".vgp-quiz-input").input_value() == ""  # the old answer is not left in the box
    assert answer(page, "4")["quiz"] == "right"  # ∂f/∂z = x + y = 4 now
    w.set_inputs(y=6.0)
    page.locator(".vgp-next").click()
    assert answer(page, "2")["quiz"] == "right"  # ∂f/∂q = z = 2, no longer -4
    page.locator(".vgp-next").click()
    s = see(page)
    assert s["step"] == 8 and s["quiz"] == "ask" and s["g1"] == "?"
    s = answer(page, "1")  # the local gradient alone, diagnosed with the new upstream number
    assert s["quiz"] == "ask" and "only the local gradient" in s["feedback"]
    assert "upstream gradient 2 " in s["feedback"] and "-4" not in s["feedback"]
    s = answer(page, "2")
    assert s["quiz"] == "right" and s["g1"] == "2"
    assert "is upstream 2 times local 1, which is 2." in s["spoken"]  # read aloud with the new numbers too
    assert s["score"] == "2 of 4 right first time · 1 to go"
    # mid-quiz: x moves, ∂f/∂z = x + y changes (asked again), ∂f/∂q and ∂f/∂y do not (kept)
    page.evaluate("() => document.querySelector('.vgp').__vgp.live.set({x: 1})")
    w.set_inputs(x=1.0)
    assert page.evaluate(page_quiz) == json.loads(w.data)["quiz"]
    s = see(page)
    assert s["step"] == 6 and s["quiz"] == "ask" and s["score"] == "1 of 4 right first time · 2 to go"
    assert "Not 4" in answer(page, "4")["feedback"]  # the old answer is wrong now
    assert "OTHER input" in answer(page, "2")["feedback"]  # up × z: the multiply swap
    assert answer(page, "7")["quiz"] == "right"
    page.locator(".vgp-next").click()
    assert see(page)["quiz"] == "right"  # ∂f/∂q = 2 stayed answered
    page.locator(".vgp-next").click()
    s = see(page)
    assert s["quiz"] == "right" and s["g1"] == "2" and s["score"] == "1 of 4 right first time · 1 to go"
    page.close()
    assert remote == [] and errors == []


@browser_test
def test_the_widget_slider_shows_the_step_a_question_keeps_the_player_at(browser, tmp_path):
    w = scrub(lecture(), quiz=True)
    page = widget_page(browser, tmp_path / "widget.html",
                       {"svg_template": w.svg_template, "data": w.data, "step": 0, "interval": 700})
    drag_past_the_question(page)
    page.close()
