// Mounting the player (the end of the module vizgrad.web.assets.player_script): on a saved
// page or in a notebook's HTML output (mountStatic), and as the notebook widget (an
// anywidget: the default export's render).

// The saved page: a div (id ID, class vgp) holding div.vgp-figure with the SVG drawn
// at the start step, followed by a JSON script element with id ID-data. Every copy
// mounts (a notebook may show one output twice: JupyterLab's new view of an output);
// returns the first one's player.
export function mountStatic(id) {
  let first = null;
  for (const root of document.querySelectorAll('div.vgp[id="' + id + '"]')) {
    const next = root.nextElementSibling;
    const source = next && next.id === id + "-data" ? next : document.getElementById(id + "-data");
    if (!source) continue;
    if (!root.__vgp) {
      const t0 = performance.now();
      const player = new Player(root, { data: JSON.parse(source.textContent) });
      player.timing.parse = player.timing.start - t0;
    }
    first = first || root.__vgp;
  }
  return first;
}

// The notebook widget (anywidget): traitlets svg_template, data (JSON text), step, interval.
function render({ model, el: host }) {
  const root = el("div", "vgp");
  host.append(root);
  // Steps change here, in the browser. The kernel is told the step at most every
  // 80 ms, and only then is the model's step set: so a late echo of an older value
  // can never pull the player back.
  let timer = null;
  let pending = null;
  const flush = () => {
    timer = null;
    if (pending === null) return;
    const k = pending;
    pending = null;
    if (model.get("step") !== k) {
      model.set("step", k);
      model.save_changes();
    }
  };
  const player = new Player(root, {
    svg: model.get("svg_template"),
    data: JSON.parse(model.get("data")),
    step: model.get("step"),
    interval: model.get("interval"),
    model, // features may sync through the widget's model (the quiz: quiz_state)
    onStep(k) {
      pending = k;
      if (timer === null) timer = setTimeout(flush, 80);
    },
  });
  const onStep = () => { if (pending === null) player.go(model.get("step")); };
  const onData = () => player.setData(JSON.parse(model.get("data")), player.cur);
  const onSvg = () => player.setSvg(model.get("svg_template"));
  const onInterval = () => { player.baseInterval = model.get("interval") || 700; };
  model.on("change:step", onStep);
  model.on("change:data", onData);
  model.on("change:svg_template", onSvg);
  model.on("change:interval", onInterval);
  return () => {
    if (timer !== null) { clearTimeout(timer); flush(); }
    model.off("change:step", onStep);
    model.off("change:data", onData);
    model.off("change:svg_template", onSvg);
    model.off("change:interval", onInterval);
    player.destroy();
  };
}

export default { render };
