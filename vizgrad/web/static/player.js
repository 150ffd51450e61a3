// vizgrad's step player: one laid-out SVG with numbered holes, and per step the few
// holes that change. Shared by the notebook widget (an anywidget: the default export's
// render) and the saved, self-contained HTML page (mountStatic), both in mount.js; its
// keys are in keys.js (vizgrad.web.assets.PLAYER_SCRIPTS lists the module's files).
//
// A hole is an element marked data-h="<index>":
//   * a <text>: its text is the hole's value (values arrive XML-escaped: &amp; &lt;
//     &gt; are decoded here; text only ever goes in as a Text node's data, never as
//     markup, so a user's name that looks like an HTML tag shows as written);
//   * a <g data-c="vg-wire ...">: its class attribute is data-c + value
//     (value: " vg-flagged" if the element shows a nan or inf in this trace, then
//     " vg-active" if it is active at this step; or ""). The flags of each trace
//     arrive with its data ("initial" and the steps), so a new trace re-flags.
//
// Moving to a step never redraws: the target state is computed from the step diffs
// (incrementally when moving forward) and only holes whose value differs touch the DOM.

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };
const decode = (s) => (typeof s === "string" && s.indexOf("&") >= 0
  ? s.replace(/&(?:amp|lt|gt);/g, (m) => ENTITIES[m]) : String(s));

// button icons, drawn (no icon font needed): ⏮ ◀ ▶ ⏸ ▶ ⏭
const ICONS = {
  first: "M3 2.5h2.2v11H3zM13 2.5v11L5.6 8z",
  prev: "M12.5 2.5v11L3.5 8z",
  play: "M4.5 2.5v11L13.5 8z",
  pause: "M4 2.5h3v11H4zM9 2.5h3v11H9z",
  next: "M3.5 2.5v11L12.5 8z",
  last: "M10.8 2.5H13v11h-2.2zM3 2.5v11L10.4 8z",
};
const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
// prefers-reduced-motion: Play shows each step for 2 s at least (and player.css drops transitions)
const REDUCED_MOTION = () => !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);

// Features (zoom, live inputs, quiz, ...) live in their own files, concatenated after
// this one into the same module (vizgrad.web.assets.player_script). Each pushes an object
// here with any of these hooks, called in this order of the list:
//   init(p)        once the player is built and its SVG scanned (before the first step)
//   svg(p)         after a new SVG (a new layout) has been scanned
//   data(p)        after new data (a new trace) has been set
//   guard(p, k)    before moving to step k: returns the step to move to instead (or k)
//   step(p, k)     after moving to step k (counter and caption already updated)
//   key(p, ev)     a keydown inside the player, before the built-in keys: true = handled
//   destroy(p)     when the player is taken down
const FEATURES = [];
const hook = (name, p, ...args) => {
  for (const f of FEATURES) if (f[name]) f[name](p, ...args);
};

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function button(cls, d, label) {
  const b = el("button", "vgp-btn " + cls);
  b.type = "button";
  b.title = label;
  b.setAttribute("aria-label", label);
  // a constant icon: parsed as HTML so that the SVG namespace needs no URL here
  b.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">'
    + '<path fill="currentColor" d="' + d + '"/></svg>';
  return b;
}

export class Player {
  // root: an element (gets class "vgp"); may already hold <div class="vgp-figure"><svg…>.
  // options: { svg?: string, data: {...}, step?: number, interval?: ms, onStep?: (k) => void }
  constructor(root, options) {
    this.root = root;
    this.onStep = options.onStep || null;
    this.model = options.model || null; // the widget's model (anywidget), or null on a saved page
    this.baseInterval = options.interval || (options.data && options.data.interval) || 700;
    this.speed = 1;
    this.zoom = options.zoom || (options.data && options.data.zoom) || 1.6;
    this.timer = null;
    this.cur = -2; // the step the DOM shows; -2: not known yet
    root.classList.add("vgp");
    root.setAttribute("role", "group");
    // JupyterLab and Notebook 7 (Lumino) leave the keys pressed in here to the player
    root.setAttribute("data-lm-suppress-shortcuts", "true");
    // a view (vizgrad.player.zoomable_html): one drawing to zoom and pan, no steps
    this.view = !!(options.data && options.data.view);
    root.classList.toggle("vgp-view", this.view);
    root.setAttribute("aria-label", this.view ? "computational graph: + and - zoom, 0 fits, the arrows scroll"
      : "computational graph, step by step");
    this.figure = root.querySelector(":scope > .vgp-figure");
    if (!this.figure) {
      this.figure = el("div", "vgp-figure");
      root.insertBefore(this.figure, root.firstChild);
    }
    // the focus: on the player (its keys step), or in a view on the drawing (the arrow keys scroll it)
    const focus = this.view ? this.figure : root;
    if (!focus.hasAttribute("tabindex")) focus.tabIndex = 0;
    this._buildControls();
    const t0 = performance.now();
    if (options.svg != null) this.setSvg(options.svg, false);
    else this._scan();
    const t1 = performance.now();
    hook("init", this);
    this.setData(options.data, options.step != null ? options.step : (options.data.start || 0));
    this.timing = { scan: t1 - t0, data: performance.now() - t1, start: t0 };
    root.__vgp = this;
    this.readyAt = performance.now(); // ms since the page started loading
    root.dataset.ready = "1";
    // and once the first frame with the drawing has been produced
    requestAnimationFrame(() => setTimeout(() => { this.shownAt = performance.now(); }, 0));
  }

  // -- building -------------------------------------------------------------------

  _buildControls() {
    const root = this.root;
    const cap = this.cap = el("div", "vgp-caption");
    const head = el("div", "vgp-head");
    this.phase = el("span", "vgp-phase");
    this.counter = el("span", "vgp-count");
    head.append(this.phase, this.counter);
    this.text = el("div", "vgp-text");
    this.formula = el("div", "vgp-formula");
    // screen readers hear each step in words (data.spoken), from this region alone
    this.spoken = el("div", "vgp-sr");
    this.spoken.setAttribute("aria-live", "polite");
    this.spoken.setAttribute("aria-atomic", "true");
    cap.append(head, this.text, this.formula, this.spoken);

    const bar = el("div", "vgp-controls");
    this.bFirst = button("vgp-first", ICONS.first, "first step (Home)");
    this.bPrev = button("vgp-prev", ICONS.prev, "previous step (\u2190)");
    this.bPlay = button("vgp-play", ICONS.play, "play / pause (space)");
    this.bNext = button("vgp-next", ICONS.next, "next step (\u2192)");
    this.bLast = button("vgp-last", ICONS.last, "last step (End)");
    const track = el("div", "vgp-track");
    this.range = el("input", "vgp-range");
    this.range.type = "range";
    this.range.min = "0";
    this.range.step = "1";
    this.range.setAttribute("aria-label", "step");
    this.marker = el("div", "vgp-marker");
    this.marker.title = "the backward pass begins here";
    const labels = el("div", "vgp-labels");
    this.fwdLabel = el("span", "vgp-label-forward", "forward");
    this.bwdLabel = el("span", "vgp-label-backward", "backward");
    labels.append(this.fwdLabel, this.bwdLabel);
    track.append(this.range, this.marker, labels);
    this.speedSel = el("select", "vgp-speed");
    this.speedSel.title = "playback speed";
    this.speedSel.setAttribute("aria-label", "playback speed");
    for (const s of SPEEDS) {
      const o = el("option", null, s + "\u00D7");
      o.value = String(s);
      if (s === 1) o.selected = true;
      this.speedSel.append(o);
    }
    bar.append(this.bFirst, this.bPrev, this.bPlay, this.bNext, this.bLast, track, this.speedSel);
    this.bar = bar;
    root.append(cap, bar);

    this.bFirst.addEventListener("click", () => { this.stop(); this.go(0, true); });
    this.bPrev.addEventListener("click", () => { this.stop(); this.go(this.cur - 1, true); });
    this.bNext.addEventListener("click", () => { this.stop(); this.go(this.cur + 1, true); });
    this.bLast.addEventListener("click", () => { this.stop(); this.go(this.n - 1, true); });
    this.bPlay.addEventListener("click", () => this.toggle());
    this.range.addEventListener("input", () => { this.stop(); this.go(+this.range.value, true); });
    this.speedSel.addEventListener("change", () => {
      this.speed = +this.speedSel.value || 1;
      if (this.timer) { this.stop(); this.play(); }
    });
    this._onKey = listenToKeys(this);  // keys.js
  }

  // the holes of the SVG now in the figure; what they show right now
  _scan() {
    const svg = this.figure.querySelector("svg");
    this.svgEl = svg;
    const palette = svg && /\bvg-p-([\w-]+)/.exec(svg.getAttribute("class") || "");  // colours the controls too
    if (palette) this.root.dataset.palette = palette[1]; else delete this.root.dataset.palette;
    this._size();
    const marked = this.figure.querySelectorAll("[data-h]");
    let nh = 0;
    for (const e of marked) nh = Math.max(nh, +e.getAttribute("data-h") + 1);
    this.els = new Array(nh).fill(null);
    this.nodes = new Array(nh).fill(null);
    this.isText = new Uint8Array(nh);
    this.base = new Array(nh).fill("");
    this.shown = new Array(nh).fill("");
    for (const e of marked) {
      const i = +e.getAttribute("data-h");
      this.els[i] = e;
      if (e.tagName.toLowerCase() === "text") {
        // one Text node per hole, changed in place (cheaper than replacing textContent)
        const value = e.textContent;
        if (!(e.childNodes.length === 1 && e.firstChild.nodeType === 3)) {
          e.textContent = "";
          e.append(document.createTextNode(value));
        }
        this.isText[i] = 1;
        this.nodes[i] = e.firstChild;
        this.shown[i] = value;
      } else {
        const b = e.getAttribute("data-c") || "";
        const c = e.getAttribute("class") || "";
        this.base[i] = b;
        this.shown[i] = c.startsWith(b) ? c.slice(b.length) : c;
      }
    }
    this.vals = null;
    this.keys = null;
    this.cur = -2;
  }

  // Fit: as wide as the container, up to `zoom` times the drawing's own size
  // (zoom.js sizes it otherwise once zoomed in).
  _size() {
    const svg = this.svgEl;
    if (!svg) return;
    const w = parseFloat(svg.getAttribute("width") || "0");
    const px = /pt$/.test(svg.getAttribute("width") || "") ? w * 4 / 3 : w;
    if (!(px > 0)) return;
    svg.style.width = "100%";
    svg.style.maxWidth = Math.round(px * this.zoom) + "px";
  }

  setSvg(svg, redraw = true) {
    // the SVG is written by vizgrad (every user text escaped); parsed once per layout
    this.figure.innerHTML = svg;
    this._scan();
    hook("svg", this);
    if (redraw && this.steps) this.go(Math.max(0, this.target), false, true);
  }

  setData(data, step) {
    this.data = data;
    if (data.alt) { // the drawing in words
      this.figure.setAttribute("role", "img");
      this.figure.setAttribute("aria-label", data.alt);
    }
    this.steps = data.steps.map((diff) => diff.map(([h, v]) => [h, decode(v)]));
    this.initial = (data.initial || []).map(decode);
    this.captions = data.captions || [];
    this.n = this.steps.length;
    this.backward = data.backward != null ? data.backward : this.n;
    this.range.max = String(Math.max(0, this.n - 1));
    const frac = this.n > 1 ? Math.min(1, this.backward / (this.n - 1)) : 0;
    this.root.style.setProperty("--vgp-frac", String(frac));
    const hasBackward = this.backward < this.n;
    this.marker.hidden = !hasBackward;
    this.bwdLabel.hidden = !hasBackward;
    const want = step != null ? step : (this.cur >= 0 ? this.cur : 0);
    this.vals = null; // recompute from step 0
    this.keys = null;
    this.go(want, false, true);
    hook("data", this);
  }

  // -- moving ------------------------------------------------------------------------

  // Show step k (clamped). fromUser: report it through onStep. Returns the step shown.
  go(k, fromUser = false, force = false) {
    if (!this.n) return -1;
    k = Math.max(0, Math.min(this.n - 1, Math.round(+k || 0)));
    for (const f of FEATURES) if (f.guard && this.cur >= 0) k = f.guard(this, k);
    this.target = k;
    if (k === this.cur && !force) {
      // kept here (a guard: a quiz question ahead): the slider, dragged on, shows this step again
      if (+this.range.value !== k) this.range.value = String(k);
      return k;
    }
    const steps = this.steps;
    const shown = this.shown;
    if (this.vals && this.cur >= 0 && k > this.cur && k - this.cur <= keySpacing(this)) {
      // forward from the current step: only the holes these diffs touch can change
      const vals = this.vals;
      const touched = [];
      const seen = this._seen || (this._seen = new Uint8Array(vals.length));
      for (let s = this.cur + 1; s <= k; s++) {
        const diff = steps[s];
        for (let j = 0; j < diff.length; j++) {
          const h = diff[j][0];
          vals[h] = diff[j][1];
          if (!seen[h]) { seen[h] = 1; touched.push(h); }
        }
      }
      for (const h of touched) {
        seen[h] = 0;
        if (vals[h] !== shown[h]) this._put(h, vals[h]);
      }
    } else {
      // from the nearest kept state at or before k, then compare every hole with what is shown
      const vals = stateAt(this, k);  // states.js
      for (let h = 0; h < vals.length; h++) if (vals[h] !== shown[h]) this._put(h, vals[h]);
      this.vals = vals;
    }
    this.cur = k;
    this._chrome(k);
    if (fromUser && this.onStep) this.onStep(k);
    return k;
  }

  _put(h, v) {
    const e = this.els[h];
    this.shown[h] = v;
    if (!e) return;
    if (this.isText[h]) this.nodes[h].data = v;
    else e.setAttribute("class", this.base[h] + v);
  }

  _chrome(k) {
    const back = k >= this.backward;
    const phase = back ? "backward" : "forward";
    if (this.phase.textContent !== phase) {
      this.phase.textContent = phase;
      this.phase.dataset.phase = phase;
      this.cap.dataset.phase = phase;  // not on the root: that would restyle the whole drawing
    }
    // steps count from 0, as in vg.trace(out)[k] and vg.draw(step=k); then the last one
    const last = Math.max(0, this.n - 1);
    this.counter.textContent = "step " + k + " of 0\u2013" + last;
    if (+this.range.value !== k) this.range.value = String(k);
    this.range.style.setProperty("--vgp-pos", this.n > 1 ? String(k / (this.n - 1)) : "0");
    this.range.setAttribute("aria-valuetext", "step " + k + " of 0 to " + last + ", " + phase);
    const c = this.captions[k] || ["", ""];
    this.text.textContent = c[0] || "";
    this.formula.textContent = c[1] || "";
    this.formula.hidden = !c[1];
    this.spoken.textContent = (this.data.spoken && this.data.spoken[k]) || c[0] || "";
    this.bPrev.disabled = k <= 0;
    this.bFirst.disabled = k <= 0;
    this.bNext.disabled = k >= this.n - 1;
    this.bLast.disabled = k >= this.n - 1;
    this.root.dataset.step = String(k);
    hook("step", this, k);
  }

  // -- playing -------------------------------------------------------------------------

  play() {
    if (this.timer || this.n < 2) return;
    if (this.cur >= this.n - 1) this.go(0, true);
    this.bPlay.querySelector("path").setAttribute("d", ICONS.pause);
    this.bPlay.classList.add("vgp-playing");
    this.root.dataset.playing = "1";
    this.timer = setInterval(() => {
      this.go(this.cur + 1, true);
      if (this.cur >= this.n - 1) this.stop();
    }, Math.max(REDUCED_MOTION() ? 2000 : 16, this.baseInterval / this.speed));
  }

  stop() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.bPlay.querySelector("path").setAttribute("d", ICONS.play);
    this.bPlay.classList.remove("vgp-playing");
    delete this.root.dataset.playing;
  }

  toggle() {
    if (this.timer) this.stop();
    else this.play();
  }

  destroy() {
    hook("destroy", this);
    this.stop();
    window.removeEventListener("keydown", this._onKey, true);
    delete this.root.__vgp;
  }
}
