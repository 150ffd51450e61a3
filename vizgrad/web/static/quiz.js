// Quiz: predict, then reveal. At each quizzed backward step the gradient being computed
// is hidden ("?" on its wire, the caption replaced by the question) and a box asks for
// it. The questions come with the player's data (data.quiz, made by vizgrad.quiz): per
// step the holes to hide, the right number and the likely wrong numbers with what to say
// about each; here answers are only compared with those numbers. Moving on past an
// unanswered question is refused (guard); "Show me" reveals it. In the notebook widget the
// answers go back to the kernel through the model's quiz_state (w.quiz_results).
// New data (the kernel's new trace, or a saved page's live inputs: live.js recomputes
// data.quiz) keeps the answers of every question whose answer is the same and asks the
// others again, going back to the first of them if the player is past it.
{
  const QUIZ_NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
  let quizIds = 0;

  // the number typed (a decimal, an exponent, a fraction a/b; − or – as a minus), or null
  const quizParse = (text) => {
    const s = String(text).trim().replace(/[\u2212\u2013]/g, "-").replace(/\s+/g, "");
    const parts = s.split("/");
    if (parts.length > 2 || !parts.every((t) => QUIZ_NUM.test(t))) return null;
    const v = parts.length === 2 ? +parts[0] / +parts[1] : +parts[0];
    return Number.isFinite(v) ? v : null;
  };

  const quizClose = (Q, a, b) => Math.abs(a - b) <= Math.max(Q.abs, Q.rel * Math.abs(b));
  const quizFmt = (v) => String(+v.toPrecision(4)).replace("-", "\u2212");

  // p.quiz: the questions of the data now shown (by step), each step's answers, the panel
  function quizSync(p) {
    const Q = p.quiz;
    if (!Q || Q.data === p.data) return Q;
    const given = (p.data && p.data.quiz) || null;
    const old = Q.data === null ? quizRestore(p, given) : Q.by;
    Q.data = p.data;
    Q.rel = given ? given.rel : 0.01;
    Q.abs = given ? given.abs : 1e-6;
    Q.by = new Map();
    Q.order = [];
    for (const q of (given ? given.steps : [])) {
      const before = old.get(q.step);
      // the same question again keeps its answers; new numbers make a new question
      const same = before && quizClose(Q, before.q.answer, q.answer);
      if (!same && Q.input.dataset.step === String(q.step)) delete Q.input.dataset.step; // a new question: empty box
      Q.by.set(q.step, { q, answers: same ? before.answers : [], right: same && before.right,
                         first: same && before.first, shown: same && before.shown, note: "" });
      Q.order.push(q.step);
    }
    Q.panel.hidden = Q.order.length === 0;
    p.root.classList.toggle("vgp-quizzing", Q.order.length > 0);
    return Q;
  }

  const quizDone = (s) => s.right || s.shown;

  // A widget shown again (a second view, a re-opened notebook) starts from the answers the
  // kernel holds (quiz_state), for the questions that are still the same.
  function quizRestore(p, given) {
    const by = new Map();
    const held = p.model && p.model.get("quiz_state");
    if (!given || !Array.isArray(held)) return by;
    const Q = { rel: given.rel, abs: given.abs };
    for (const q of given.steps) {
      const h = held.find((x) => x && x.step === q.step);
      if (!h || !Array.isArray(h.answers)) continue;
      const answers = h.answers.filter((a) => typeof a === "number");
      const i = answers.findIndex((a) => quizClose(Q, a, q.answer));
      by.set(q.step, { q, answers, right: i >= 0, first: i === 0, shown: !!h.shown && i < 0 });
    }
    return by;
  }

  // the first unanswered question before step k, or -1
  function quizBlock(Q, k) {
    for (const step of Q.order) {
      if (step >= k) break;
      if (!quizDone(Q.by.get(step))) return step;
    }
    return -1;
  }

  function quizSay(p, text) {
    if (p.spoken) p.spoken.textContent = text;
  }

  function quizSend(p) {
    const Q = p.quiz;
    Q.score.textContent = quizScore(Q);
    if (!p.model) return;
    const state = Q.order.map((k) => {
      const s = Q.by.get(k);
      return { step: k, answers: s.answers.slice(), shown: !!s.shown };
    });
    p.model.set("quiz_state", state);
    p.model.save_changes();
  }

  function quizScore(Q) {
    let first = 0;
    let done = 0;
    for (const s of Q.by.values()) {
      if (s.first) first++;
      if (quizDone(s)) done++;
    }
    return `${first} of ${Q.order.length} right first time` + (done < Q.order.length
      ? ` \u00B7 ${Q.order.length - done} to go` : "");
  }

  function quizButton(cls, text) {
    const b = el("button", "vgp-btn " + cls, text);
    b.type = "button";
    return b;
  }

  function quizBuild(p) {
    const id = "vgp-quiz-" + (++quizIds);
    const panel = el("div", "vgp-quiz");
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", "quiz");
    const ask = el("div", "vgp-quiz-ask");
    const label = el("label", "vgp-quiz-label");
    label.htmlFor = id;
    const input = el("input", "vgp-quiz-input");
    input.id = id;
    input.type = "text";
    input.inputMode = "decimal";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.size = 8;
    const check = quizButton("vgp-quiz-check", "Check");
    const again = quizButton("vgp-quiz-again", "Try again");
    const show = quizButton("vgp-quiz-show", "Show me");
    ask.append(label, input, check, again, show);
    const feedback = el("div", "vgp-quiz-feedback");
    feedback.id = id + "-feedback";
    input.setAttribute("aria-describedby", feedback.id);
    const foot = el("div", "vgp-quiz-foot");
    const score = el("span", "vgp-quiz-score");
    const all = quizButton("vgp-quiz-all", "Reveal all");
    all.title = "reveal every answer (for instructors)";
    foot.append(score, all);
    panel.append(ask, feedback, foot);
    panel.hidden = true;
    const bar = p.root.querySelector(":scope > .vgp-controls");
    p.root.insertBefore(panel, bar);

    const Q = { data: null, by: new Map(), order: [], panel, ask, label, input, check, again, show,
                feedback, score, all, rel: 0.01, abs: 1e-6 };
    p.quiz = Q;
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); quizCheck(p); }
    });
    check.addEventListener("click", () => quizCheck(p));
    again.addEventListener("click", () => { input.value = ""; again.hidden = true; input.focus(); });
    show.addEventListener("click", () => quizReveal(p, p.cur, "shown"));
    all.addEventListener("click", () => {
      for (const s of Q.by.values()) if (!quizDone(s)) s.shown = true;
      quizSend(p);
      quizShow(p, p.cur);
    });
  }

  function quizCheck(p) {
    const Q = quizSync(p);
    const s = Q.by.get(p.cur);
    if (!s || quizDone(s)) return;
    const v = quizParse(Q.input.value);
    if (v === null) {
      s.note = "Type a number, for example \u22124, 0.5 or 1/3.";
      quizShow(p, p.cur);
      quizSay(p, s.note);
      return;
    }
    s.answers.push(v);
    if (quizClose(Q, v, s.q.answer)) {
      s.first = s.answers.length === 1;
      quizReveal(p, p.cur, "right");
      return;
    }
    const hit = s.q.wrong.find(([w]) => quizClose(Q, v, w));
    const said = hit ? hit[2] : `Not ${quizFmt(v)}. ${s.q.hint}`;
    s.note = "\u2717 " + said;
    s.kind = hit ? hit[1] : "other";
    quizSend(p);
    quizShow(p, p.cur);
    quizSay(p, `${quizFmt(v)} is not right. ${said} Try again, or show me.`);
    Q.input.select();
  }

  function quizReveal(p, k, how) {
    const Q = quizSync(p);
    const s = Q.by.get(k);
    if (!s) return;
    if (how === "right") s.right = true;
    else if (!s.right) s.shown = true;
    s.note = "";
    quizSend(p);
    quizShow(p, k);
    const spoken = (p.data.spoken || [])[k] || "";
    quizSay(p, (how === "right" ? "Right. " : "") + spoken);
    p.root.focus({ preventScroll: true }); // the arrow keys move on from here
  }

  // what the panel, the hidden holes and the caption show at step k
  function quizShow(p, k) {
    const Q = quizSync(p);
    if (!Q || !Q.order.length) return;
    Q.score.textContent = quizScore(Q);
    const s = Q.by.get(k);
    p.root.dataset.quiz = !s ? "none" : quizDone(s) ? (s.right ? "right" : "shown") : "ask";
    Q.ask.hidden = !s;
    Q.feedback.hidden = !s;
    if (!s) return;
    const open = !quizDone(s);
    Q.label.textContent = s.q.ask + " =";
    Q.input.setAttribute("aria-label", s.q.question);
    Q.input.disabled = !open;
    Q.check.hidden = !open;
    Q.show.hidden = !open;
    Q.again.hidden = !open || !s.note || !s.answers.length;
    Q.feedback.className = "vgp-quiz-feedback" + (s.note ? " vgp-quiz-wrong" : open ? "" : " vgp-quiz-right");
    if (open) {
      for (const h of s.q.hide) p._put(h, "?");
      p.text.textContent = s.q.question;
      p.formula.textContent = "";
      p.formula.hidden = true;
      Q.feedback.textContent = s.note || "Type the gradient and press Enter.";
      if (Q.input.dataset.step !== String(k)) { Q.input.value = ""; Q.input.dataset.step = String(k); }
    } else {
      for (const h of s.q.hide) if (p.vals && p.shown[h] !== p.vals[h]) p._put(h, p.vals[h]);
      const c = p.captions[k] || ["", ""];
      p.text.textContent = c[0] || "";
      p.formula.textContent = c[1] || "";
      p.formula.hidden = !c[1];
      const last = s.answers.length ? s.answers[s.answers.length - 1] : null;
      Q.input.value = s.right && last !== null ? String(last) : s.q.shown;
      Q.feedback.textContent = s.right
        ? `\u2713 Right${s.first ? " first time" : ""}: ${s.q.ask} = ${s.q.shown}`
        : `Shown: ${s.q.ask} = ${s.q.shown}`;
    }
  }

  FEATURES.push({
    name: "quiz",
    init(p) { quizBuild(p); },
    data(p) {
      const Q = quizSync(p);
      if (!Q.order.length) { delete p.root.dataset.quiz; return; }
      const block = quizBlock(Q, p.cur);
      if (block >= 0) p.go(block, true);
      else quizShow(p, p.cur);
      quizSend(p);
    },
    guard(p, k) {
      const Q = quizSync(p);
      const block = Q.order.length ? quizBlock(Q, k) : -1;
      if (block < 0) return k;
      if (p.timer) p.stop();
      // a move asked from the kernel (w.step = ...) hears where the player stopped
      if (p.onStep && p.cur !== block) setTimeout(() => p.onStep(p.cur), 0);
      if (p.cur === block) {
        const s = Q.by.get(block);
        s.note = `Answer ${s.q.ask} first (or press Show me).`;
        quizShow(p, block);
        quizSay(p, s.note);
      }
      return block;
    },
    step(p, k) {
      const Q = quizSync(p);
      if (!Q.order.length) return;
      quizShow(p, k);
      const s = Q.by.get(k);
      if (s && !quizDone(s)) quizSay(p, `Backward, step ${k}: question. ${s.q.question} Type it in the answer box.`);
    },
    key(p, ev) {
      const Q = quizSync(p);
      const s = Q.by.get(p.cur);
      if (!s || quizDone(s) || ev.target === Q.input) return false;
      if (!/^[0-9.\-\u2212]$/.test(ev.key)) return false;
      Q.input.focus();
      Q.input.value += ev.key; // typing a number anywhere in the player starts the answer
      return true;
    },
  });
}
