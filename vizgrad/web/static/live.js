// ---- live inputs with no kernel (vizgrad/recipes.py writes the data) ------------------------
//
// A saved scrubber of a function (vg.scrub(fn, x=..., ...)) carries data.live: its input
// sliders, the recorded graph (one row per node: op name, inputs, constant, leaf value), the
// op table's JavaScript forward and local gradients for the ops it uses, and per step a
// recipe for each changed hole. Moving a slider recomputes every number of the recorded
// graph here (forward, then backward as vizgrad.trace records it: each node's gradient,
// each edge's local gradient, contribution and the input's gradient after it) into one
// array Q, fills the recipes and hands the player new data on the same layout.
//
// The page never decides which hole shows what: a recipe is [hole, template] for a text
// (literal strings and [q, digits, how] numbers: Q[q] formatted as Python's
// vizgrad.texts.fmt, in parentheses if how is 1 and it is negative, with − for - if how is 2:
// the captions read aloud) or [hole, node, active] for
// an element's class (node: whose value flags it when nan or inf, -1 for none). The page
// replays the recorded graph: a function whose graph depends on its inputs (an `if` on
// x.data) keeps, here, the graph recorded at the starting values; where the calls that
// sized the layout built another graph (data.live.tried), the page says so (liveNotes).
// A quiz (data.live.quiz) is recomputed too: new inputs, new questions (see liveQuiz).
//
// data.live.kernel instead: the graph cannot be recomputed here (Tensors, gates made
// outside the op table); the sliders are replaced by a line that says so.

const LIVE_FLAG = " vg-flagged";
const LIVE_ACTIVE = " vg-active";

// x.toPrecision(p) as [digits without leading zeros, exponent of the first digit]
function liveDecimal(s) {
  let e = 0;
  const i = s.indexOf("e");
  if (i >= 0) { e = +s.slice(i + 1); s = s.slice(0, i); }
  const dot = s.indexOf(".");
  const intLen = dot < 0 ? s.length : dot;
  const digits = s.replace(".", "");
  let lead = 0;
  while (lead < digits.length - 1 && digits[lead] === "0") lead++;
  return [digits.slice(lead), e + intLen - 1 - lead];
}

// A number as Python writes f"{v:.{d}g}" (with "-0" as "0", nan, inf, -inf): vizgrad.texts.fmt.
function fmtNumber(v, d) {
  if (v !== v) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (v === 0) return "0";
  const p = Math.max(1, Math.min(100, d | 0));
  const a = Math.abs(v);
  let [digits, e] = liveDecimal(a.toPrecision(p));
  // toPrecision rounds an exact tie up, Python to the even digit
  if (p < 100) {
    const more = a.toPrecision(p + 1);
    const m = more.indexOf("e");
    if ((m < 0 ? more : more.slice(0, m)).endsWith("5")) {
      const [full, ef] = liveDecimal(a.toPrecision(100));
      if (/^50*$/.test(full.slice(p)) && (+full[p - 1]) % 2 === 0) { digits = full.slice(0, p); e = ef; }
    }
  }
  let s;
  if (e >= -4 && e < p) {
    const int = e >= 0 ? digits.slice(0, e + 1) : "0";
    const frac = (e >= 0 ? digits.slice(e + 1) : "0".repeat(-e - 1) + digits).replace(/0+$/, "");
    s = frac ? int + "." + frac : int;
  } else {
    const rest = digits.slice(1).replace(/0+$/, "");
    s = digits[0] + (rest ? "." + rest : "") + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }
  return v < 0 ? "-" + s : s;
}

const liveNumber = (x) => (typeof x === "number" ? x
  : x === "nan" ? NaN : x === "inf" ? Infinity : x === "-inf" ? -Infinity : NaN);

// The recorded graph, compiled once: compute(values of the leaves) -> Q
function liveGraph(rec) {
  const rows = {};
  for (const [name, r] of Object.entries(rec.ops)) {
    const fn = (expr) => new Function("x", "a", "b", "c", "y", "return (" + expr + ");");
    rows[name] = { two: r.inputs[0] === "a", f: fn(r.forward), l: r.local.map(fn) };
  }
  const nodes = rec.nodes.map(([op, ins, c, leaf]) => ({
    row: op == null ? null : rows[op], ins, c: c == null ? undefined : liveNumber(c), leaf: liveNumber(leaf),
  }));
  const N = nodes.length;
  let E = 0;
  const e0 = nodes.map((n) => { const e = E; E += n.ins.length; return e; });
  const L = 2 * N, C = 2 * N + E, A = 2 * N + 2 * E;
  const Q = new Float64Array(rec.size);
  const seen = new Uint8Array(N);
  return function compute(leaves) {
    for (let i = 0; i < N; i++) {
      const n = nodes[i];
      if (!n.row) { Q[i] = leaves[i] !== undefined ? leaves[i] : n.leaf; continue; }
      const r = n.row;
      let x, a, b;
      if (r.two) { a = Q[n.ins[0]]; b = Q[n.ins[1]]; } else x = Q[n.ins[0]];
      const y = r.f(x, a, b, n.c);
      Q[i] = y;
      for (let k = 0; k < r.l.length; k++) Q[L + e0[i] + k] = r.l[k](x, a, b, n.c, y);
    }
    // backward, output first, as vizgrad.graph.backprop: gradients add at forks
    seen.fill(0);
    Q[N + N - 1] = 1;
    seen[N - 1] = 1;
    for (let j = N - 1; j >= 0; j--) {
      const up = Q[N + j];
      const ins = nodes[j].ins;
      for (let k = 0; k < ins.length; k++) {
        const e = e0[j] + k, child = ins[k];
        const con = up * Q[L + e];
        const after = seen[child] ? Q[N + child] + con : con;
        Q[N + child] = after;
        seen[child] = 1;
        Q[C + e] = con;
        Q[A + e] = after;
      }
    }
    return Q;
  };
}

function liveFill(tmpl, Q, memo) {
  let s = "";
  for (const piece of tmpl) {
    if (typeof piece === "string") { s += piece; continue; }
    const [q, d, factor] = piece;
    const key = q * 32 + d;
    let t = memo.get(key);
    if (t === undefined) { t = fmtNumber(Q[q], d); memo.set(key, t); }
    s += factor === 1 && t.charCodeAt(0) === 45 ? "(" + t + ")" : factor === 2 ? t.replace(/-/g, "\u2212") : t;
  }
  return s;
}

// The quiz at these numbers (data.live.quiz, made by vizgrad.quiz.live_quiz; Python's
// vizgrad.quiz.fill_quiz does the same): per quizzed step the right answer Q[answer], and
// which likely mistakes apply, with their numbers and messages. A mistake is
// [when, number, kind, say]: number = sign × Q[i] × Q[j] × ... ([sign, i, j, ...]); say is
// strings and [number, digits]; when is null, [i, 0] (only if Q[i] is 0) or [i, 1] (only if
// not). Which apply is decided by the one rule vizgrad.quiz.choose applies: drop a number
// that is not finite, close to the answer or close to one kept before it.
function liveQuiz(rec, Q) {
  const num = (n) => {
    let v = 1;
    for (let i = 1; i < n.length; i++) v *= Q[n[i]];
    return n[0] * v;
  };
  const close = (a, b) => Math.abs(a - b) <= Math.max(rec.abs, rec.rel * Math.abs(b));
  const steps = [];
  for (const r of rec.steps) {
    const right = Q[r.answer];
    if (!Number.isFinite(right)) continue; // a nan or inf is nothing to guess
    const wrong = [];
    for (const [when, n, kind, say] of r.wrong) {
      if (when && (Q[when[0]] === 0) !== (when[1] === 0)) continue;
      const v = num(n);
      if (!Number.isFinite(v) || close(v, right) || wrong.some(([w]) => close(v, w))) continue;
      wrong.push([v, kind, say.map((s) => (typeof s === "string" ? s : fmtNumber(num(s[0]), s[1]))).join("")]);
    }
    steps.push({ step: r.step, node: r.node, answer: right, shown: fmtNumber(right, rec.digits), hide: r.hide,
                 ask: r.ask, question: r.question, hint: r.hint, wrong });
  }
  return steps.length ? { steps, rel: rec.rel, abs: rec.abs } : null;
}

// the player's data at these inputs: every hole's start, each step's changes, the captions
// and the quiz (none if the page cannot recompute it: better no question than a stale one)
function liveData(p, live) {
  const rec = live.rec;
  const leaves = [];
  for (const input of live.inputs) for (const i of input.spec.nodes) leaves[i] = input.value;
  const Q = live.compute(leaves);
  const memo = new Map();
  const flag = (i) => i >= 0 && !Number.isFinite(Q[i]);
  const initial = new Array(live.holes).fill("");
  for (const [h, i] of rec.initial) initial[h] = flag(i) ? LIVE_FLAG : "";
  const steps = rec.steps.map((diff) => diff.map((r) => (Array.isArray(r[1])
    ? [r[0], liveFill(r[1], Q, memo)]
    : [r[0], (flag(r[1]) ? LIVE_FLAG : "") + (r[2] ? LIVE_ACTIVE : "")])));
  const captions = rec.captions.map(([t, f]) => [liveFill(t, Q, memo), liveFill(f, Q, memo)]);
  const spoken = rec.spoken.map((t) => liveFill(t, Q, memo));
  const quiz = rec.quiz ? liveQuiz(rec.quiz, Q) : null;
  return { data: { ...p.data, initial, steps, captions, spoken, quiz }, Q };
}

const liveValueText = (v) => String(v);

// A typed number as Python's float() reads it (and with − for -): decimal digits of any script,
// "_" between digits, an exponent, inf/infinity/nan, whitespace around; else null.
const LIVE_SPACE = String.raw`[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+`;
const LIVE_TRIM = new RegExp(`^${LIVE_SPACE}|${LIVE_SPACE}$`, "g");
const LIVE_FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?|inf|infinity|nan)$/i;
function liveParse(text) {
  const s = text.replace(LIVE_TRIM, "").replace(/\u2212/g, "-").replace(/\p{Nd}/gu, (d) => {
    // digits come in runs of ten from zero: the place in its run is the digit
    let c = d.codePointAt(0), start = c;
    while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
    return String((c - start) % 10);
  });
  if (!LIVE_FLOAT.test(s)) return null;
  const word = s.replace(/^[+-]/, "").toLowerCase();
  const sign = s[0] === "-" ? -1 : 1;
  if (word[0] === "n") return NaN;
  if (word[0] === "i") return sign * Infinity;
  return Number(s.replace(/_/g, ""));
}

// Where the recorded graph holds (data.live.tried, vizgrad/drawing/room.py): the inputs the function
// was called at to size the layout, each [kind, values] (kind 0: it built the recorded graph, 1:
// another graph, 2: it raised). Inputs are taken to be like the nearest of these calls (each input
// scaled by its slider's range; the recorded inputs are one more call of kind 0).
function liveCalls(live, recorded) {
  const span = live.inputs.map((i) => (+i.spec.max - +i.spec.min) || 1);
  const far = (a, b) => a.reduce((d, v, k) => d + ((v - b[k]) / span[k]) ** 2, 0);
  const calls = [[0, recorded], ...(live.rec.tried || []).map(([kind, values]) => [kind, values.map(liveNumber)])];
  return {
    nearest: (at) => calls.reduce((best, c) => (far(at, c[1]) < far(at, best[1]) ? c : best)),
    // the calls that built no recorded graph, nearest to the recorded inputs first
    other: calls.filter((c) => c[0]).sort((a, b) => far(a[1], recorded) - far(b[1], recorded)),
  };
}

// "x = −0.6, y = 5"
const liveAt = (live, values) => live.inputs.map((input, k) => input.spec.name + " = "
  + liveValueText(values[k]).replace(/-/g, "\u2212")).join(", ");

// The note under the sliders (hidden on a slide) and, where the inputs are nearest a call that built
// another graph or raised, a warning (shown on a slide too). Returns what updates the warning.
function liveNotes(live, bar) {
  const start = live.inputs.map((i) => liveNumber(i.spec.value));
  const { nearest, other } = liveCalls(live, start);
  const recorded = liveAt(live, start);
  const where = [[1, "builds another graph"], [2, "raises an error"]].map(([kind, does]) => {
    const calls = other.filter((c) => c[0] === kind);
    const more = calls.length > 1 ? " (and " + (calls.length - 1) + " more of the inputs tried)" : "";
    return calls.length ? "at " + liveAt(live, calls[0][1]) + more + " the function " + does : "";
  }).filter(Boolean);
  const note = el("span", "vgp-live-note", other.length ? "recomputed in this page, on the graph recorded at "
    + recorded + "; " + where.join("; ") + ": run the notebook to see it there"
    : "recomputed in this page, on the recorded graph");
  note.title = "The page computes the graph recorded at the starting values with new inputs "
    + "(the op table's forward and local gradients). A function whose graph depends on its inputs needs the kernel.";
  const warn = el("span", "vgp-live-warn");
  warn.setAttribute("role", "status");
  warn.style.cssText = "flex: 1 0 100%; font-size: 14px; font-weight: 600; color: var(--vgp-red, #b42318);";
  warn.hidden = true;
  bar.append(note, warn);
  return () => {
    const [kind, values] = nearest(live.inputs.map((i) => i.value));
    const text = !kind ? "" : (kind === 1
      ? "The graph is different here: at " + liveAt(live, values) + " the function builds another graph. "
      : "The function may fail here: at " + liveAt(live, values) + " it raises an error. ")
      + "These numbers replay the graph recorded at " + recorded + ": run the notebook to see the function's own.";
    if (warn.textContent !== text) warn.textContent = text;
    warn.hidden = !text;
  };
}

function liveInput(live, spec, onChange) {
  const box = el("div", "vgp-live-input");
  const name = el("span", "vgp-live-name", spec.name);
  name.setAttribute("aria-hidden", "true");
  const range = el("input", "vgp-live-range");
  range.type = "range";
  range.min = String(spec.min);
  range.max = String(spec.max);
  range.step = String(spec.step);
  range.value = String(spec.value);
  range.setAttribute("aria-label", spec.name);
  const text = el("input", "vgp-live-text");
  text.type = "text";
  text.inputMode = "decimal";
  text.spellcheck = false;
  text.value = liveValueText(spec.value);
  text.setAttribute("aria-label", spec.name + ", exact value");
  box.append(name, range, text);
  const input = { spec, value: spec.value, range, text, box };
  range.addEventListener("input", () => {
    input.value = +range.value;
    text.value = liveValueText(input.value);
    text.removeAttribute("aria-invalid");
    onChange();
  });
  const typed = (final) => {
    const v = liveParse(text.value);
    if (v === null) { // not a number to Python's float(): nothing changes
      if (final) text.setAttribute("aria-invalid", "true");
      return;
    }
    text.removeAttribute("aria-invalid");
    if (Number.isFinite(v)) {
      if (v < +range.min) range.min = String(v); // a typed value widens the range
      if (v > +range.max) range.max = String(v);
      range.value = String(v);
    } else if (v === v) range.value = v > 0 ? range.max : range.min; // ±inf: the slider at its end
    if (Object.is(v, input.value)) return;
    input.value = v;
    onChange();
  };
  text.addEventListener("input", () => typed(false));
  text.addEventListener("change", () => typed(true));
  return input;
}

function liveBuild(p, rec) {
  const bar = el("div", "vgp-live");
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "inputs");
  const live = { rec, bar, inputs: [], holes: (p.data.initial || []).length };
  if (rec.kernel) {
    bar.classList.add("vgp-live-kernel");
    const at = rec.inputs.map((s) => s.name + " = " + liveValueText(s.value)).join(", ");
    bar.append(el("span", "vgp-live-note",
      "This saved page shows the pass at " + at + ". Changing the inputs needs the notebook's kernel."));
    bar.title = rec.kernel;
  } else {
    live.compute = liveGraph(rec);
    let warn = null;
    const update = () => {
      const t0 = performance.now();
      const { data, Q } = liveData(p, live);
      live.Q = Q;
      live.moved = true;
      p.setData(data, p.cur);
      warn();
      live.ms = performance.now() - t0;
    };
    for (const spec of rec.inputs) {
      const input = liveInput(live, spec, update);
      live.inputs.push(input);
      bar.append(input.box);
    }
    warn = liveNotes(live, bar);
    // for tests and scripts: set inputs by name, the formatter
    live.set = (values) => {
      for (const input of live.inputs) {
        if (Object.prototype.hasOwnProperty.call(values, input.spec.name)) {
          input.value = +values[input.spec.name];
          input.range.value = String(input.value);
          input.text.value = liveValueText(input.value);
        }
      }
      update();
      return Array.from(live.Q);
    };
  }
  live.fmt = fmtNumber;
  p.root.insertBefore(bar, p.figure);
  return live;
}

// The layout keeps, for each number, the room of the widest text it showed across the sliders'
// ranges (vizgrad/room.py). A text that is wider here (an input typed past the range, 1/x near
// 0) is squeezed into its room (data.live.rooms: [hole, width]) so that it never runs into its
// neighbours; it takes its own width again as soon as it fits. Nothing is measured until an
// input moves (the recorded numbers fit: the layout was made for them; measuring forces a
// layout of the whole page, slow in a deck), then only texts that changed since they were
// last fitted: all reads first, then all writes.
function liveFit(p) {
  const live = p.live;
  if (!live || !live.moved || !live.rec.rooms || !p.els) return;
  const todo = [];
  for (const [h, room] of live.rec.rooms) {
    const e = p.els[h];
    if (!e || e.__vgFit === p.shown[h]) continue;
    if (e.hasAttribute("textLength")) { e.removeAttribute("textLength"); e.removeAttribute("lengthAdjust"); }
    todo.push([e, room, p.shown[h]]);
  }
  const wide = todo.map(([e, room, text]) => {
    const w = text ? e.getComputedTextLength() : 0;
    if (!(w > 0) && text) return false; // not rendered (a hidden slide): measure when shown
    e.__vgFit = text;
    return w > room;
  });
  todo.forEach(([e, room], i) => {
    if (!wide[i]) return;
    e.setAttribute("textLength", String(room));
    e.setAttribute("lengthAdjust", "spacingAndGlyphs");
  });
}

FEATURES.push({
  name: "live",
  data(p) {
    const rec = p.data && p.data.live;
    if (p.live && p.live.rec === rec) { liveFit(p); return; } // new numbers from live inputs: same sliders
    if (p.live) { p.live.bar.remove(); p.live = null; }
    if (rec) p.live = liveBuild(p, rec);
    liveFit(p);
  },
  step(p) {
    liveFit(p);
  },
  destroy(p) {
    if (p.live) { p.live.bar.remove(); p.live = null; }
  },
});
