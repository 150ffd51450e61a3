// Zoom and pan (a feature of the player; see FEATURES in player.js).
//
// The drawing is either fitted (the whole graph in the figure: CSS does it, as before)
// or zoomed: the SVG gets an explicit size, `scale` times its own (Graphviz's points at
// 96 dpi), and the figure scrolls over it. Resizing the SVG keeps its text crisp and
// leaves stepping as it was (only the holes change, never the size).
//   * ctrl + wheel (a trackpad's pinch) zooms around the pointer; so does the plain wheel
//     while the player has the focus (otherwise the wheel scrolls the page);
//   * two fingers pinch; one finger or the mouse drags to pan;
//   * keys in the player: + (or =) zooms in, - zooms out, 0 fits the whole graph;
//   * zoomed in, each step scrolls (smoothly, in the next frame) to keep the active wire
//     and gate (.vg-active) in view;
//   * an overview (.vgp-minimap: a scaled copy of the drawing without its text, made once
//     per layout) shows the visible part while the graph does not fit; a click or a drag
//     in it moves there (minimap.js: buildMap, zoomChrome);
//   * a graph too big to read when fitted starts zoomed to a readable size, at its active
//     step (at the top left where nothing is active: a view, vizgrad.player.zoomable_html).
// Speed: a number (a <text> hole) far outside the visible area is not displayed
// (display: none) while zoomed in, nor is any text when too small to read: its value
// still changes at each step, but the browser has no text to lay out for it.

const ZOOM = {
  max: 6,          // at most 6 times the drawing's own size
  factor: 1.25,    // one key press or button click
  readable: 0.5,   // fitted below this scale, a drawing starts zoomed ...
  start: 0.9,      // ... at this scale
  margin: 28,      // px kept around the active elements when following them
  map: [220, 130], // the overview's largest width and height, px
  tiny: 0.2,       // below this scale no text is drawn (it would be under 4 px high)
  big: 4e6,        // a drawing of more px² than this lays out only the numbers near the view
  large: 2e6,      // a drawing of more px² than this, too small to read fitted, starts zoomed in
};

const zoomState = (p) => p._zoom || (p._zoom = {
  scale: null, touched: false, pointers: new Map(), drag: null, pinch: null,
  map: null, frame: 0, natural: null,
});

// the drawing's own size in CSS px (Graphviz writes points)
function naturalSize(svg) {
  const size = (name) => {
    const v = svg.getAttribute(name) || "";
    const x = parseFloat(v);
    return /pt$/.test(v) ? x * 4 / 3 : x;
  };
  let w = size("width");
  let h = size("height");
  if (!(w > 0 && h > 0) && svg.viewBox && svg.viewBox.baseVal) {
    w = svg.viewBox.baseVal.width;
    h = svg.viewBox.baseVal.height;
  }
  return w > 0 && h > 0 ? { w, h } : null;
}

// how much the page scales the player (a reveal.js slide is scaled to the screen)
function cssScale(p) {
  const w = p.figure.offsetWidth;
  return w > 0 ? p.figure.getBoundingClientRect().width / w : 1;
}

// the scale at which the whole drawing fits the figure
function fitScale(p) {
  const z = zoomState(p);
  const fig = p.figure;
  if (!z.natural || !fig.clientWidth) return null;
  const maxH = getComputedStyle(fig).maxHeight;
  const h = maxH && maxH !== "none" && !/%$/.test(maxH) ? parseFloat(maxH) : fig.clientHeight;
  let s = fig.clientWidth / z.natural.w;
  if (h > 0) s = Math.min(s, h / z.natural.h);
  if (maxH !== "none") s = Math.min(s, p.zoom);  // a figure of its own height (a slide's) has no cap
  return s;
}

// the scale the drawing is shown at now
function shownScale(p) {
  const z = zoomState(p);
  if (z.scale) return z.scale;
  const r = p.svgEl.getBoundingClientRect();
  const k = cssScale(p);
  return Math.min(r.width / z.natural.w, r.height / z.natural.h) / k;
}

function fitView(p) {
  const z = zoomState(p);
  const svg = p.svgEl;
  z.scale = null;
  p.root.classList.remove("vgp-zoomed");
  if (svg) {
    svg.style.height = "";
    svg.style.maxHeight = "";
    p._size();
  }
  p.figure.scrollLeft = 0;
  p.figure.scrollTop = 0;
  cull(p);
  zoomChrome(p);
}

// Zoom to scale s, keeping the drawing's point under (cx, cy) (client px; default: the
// middle of the figure) where it is.
function zoomTo(p, s, cx, cy) {
  const z = zoomState(p);
  const svg = p.svgEl;
  if (!svg || !z.natural) return;
  const fit = fitScale(p);
  if (fit == null) return;
  s = Math.min(Math.max(s, fit), Math.max(ZOOM.max, fit));
  if (s <= fit * 1.001) { fitView(p); return; }
  const k = cssScale(p);
  const f = p.figure.getBoundingClientRect();
  if (cx == null) {
    cx = f.left + f.width / 2;
    cy = f.top + f.height / 2;
  }
  // the drawing point under (cx, cy), in the drawing's own px (letterboxed when fitted)
  const r0 = svg.getBoundingClientRect();
  const s0 = shownScale(p);
  const ox = (r0.width - z.natural.w * s0 * k) / 2;
  const oy = (r0.height - z.natural.h * s0 * k) / 2;
  const ux = (cx - r0.left - ox) / (s0 * k);
  const uy = (cy - r0.top - oy) / (s0 * k);
  z.scale = s;
  p.root.classList.add("vgp-zoomed");
  svg.style.width = Math.round(z.natural.w * s) + "px";
  svg.style.height = Math.round(z.natural.h * s) + "px";
  svg.style.maxWidth = "none";
  svg.style.maxHeight = "none";
  const r1 = svg.getBoundingClientRect();
  p.figure.scrollLeft += (r1.left + ux * s * k - cx) / k;
  p.figure.scrollTop += (r1.top + uy * s * k - cy) / k;
  cull(p);
  zoomChrome(p);
}

function zoomBy(p, factor, cx, cy) {
  const z = zoomState(p);
  if (!z.natural) return;
  z.touched = true;
  zoomTo(p, shownScale(p) * factor, cx, cy);
}

function later(p) {
  const z = zoomState(p);
  if (z.frame) return;
  z.frame = requestAnimationFrame(() => { z.frame = 0; cull(p); zoomChrome(p); });
}

// Display the numbers near the visible area only (zoomed in), or no text at all (tiny).
function cull(p) {
  const z = zoomState(p);
  const t = z.texts;
  if (!t || !p.svgEl) return;
  const fig = p.figure;
  let box = null;  // the area to display, in the SVG's user units; null: everywhere
  const fit = z.scale ? null : fitScale(p);
  if (!z.scale && fit == null) return;  // not laid out (hidden): nothing known yet
  p.root.classList.toggle("vgp-tiny", (z.scale || shownScale(p)) < ZOOM.tiny);
  if (z.scale) {
    const k = cssScale(p);
    const r = p.svgEl.getBoundingClientRect();
    const f = fig.getBoundingClientRect();
    const u = z.unit * z.scale;  // px per user unit
    const w = fig.clientWidth / u;
    const h = fig.clientHeight / u;
    const x0 = (f.left + fig.clientLeft * k - r.left) / (k * u);
    const y0 = (f.top + fig.clientTop * k - r.top) / (k * u);
    // a number's x is its middle (a long one reaches some 100 units either side)
    const mx = w * 0.05 + 120;
    const my = h * 0.05 + 20;
    box = [x0 - mx, y0 - my, x0 + w + mx, y0 + h + my];
  }
  for (let i = 0; i < t.el.length; i++) {
    const off = box !== null && (t.x[i] < box[0] || t.x[i] > box[2] || t.y[i] < box[1] || t.y[i] > box[3]) ? 1 : 0;
    if (off !== t.off[i]) {
      t.off[i] = off;
      t.el[i].style.display = off ? "none" : "";
    }
  }
}

// the text holes and where they are (their x, y attributes: the SVG has no transforms)
function scanTexts(p) {
  const z = zoomState(p);
  z.texts = null;
  const svg = p.svgEl;
  if (!svg || !z.natural) return;
  const vb = svg.viewBox && svg.viewBox.baseVal;
  z.unit = vb && vb.width ? z.natural.w / vb.width : 1;
  if (z.natural.w * z.natural.h < ZOOM.big) return;
  const el = [];
  for (let h = 0; h < p.els.length; h++) if (p.isText[h] && p.els[h]) el.push(p.els[h]);
  const x = new Float64Array(el.length);
  const y = new Float64Array(el.length);
  for (let i = 0; i < el.length; i++) {
    x[i] = parseFloat(el[i].getAttribute("x")) || 0;
    y[i] = parseFloat(el[i].getAttribute("y")) || 0;
    el[i].style.display = "none";  // until the view is known
  }
  z.texts = { el, x, y, off: new Uint8Array(el.length).fill(1) };
}

// -- the new drawing, and the figure's size ------------------------------------------------

function newDrawing(p) {
  const z = zoomState(p);
  if (z.map) { z.map.el.remove(); z.map = null; }
  if (z.mapSoon) { clearTimeout(z.mapSoon); z.mapSoon = 0; }
  z.natural = p.svgEl ? naturalSize(p.svgEl) : null;
  scanTexts(p);
  const s = z.scale;
  z.scale = null;
  p.root.classList.remove("vgp-zoomed");
  if (s && z.natural) zoomTo(p, s);  // a new layout keeps the zoom
}

// once the figure has a size (and whenever it changes): start a big graph zoomed in,
// keep a zoom that the figure now fits, redraw the overview
function resized(p) {
  const z = zoomState(p);
  const fit = fitScale(p);
  if (fit == null) return;
  // (a big drawing: not a small one in a small figure, as on a crowded slide; a deck marks
  // the drawings too big for their slide with the scale they are read at, data-vg-readable)
  const big = z.natural.w * z.natural.h >= ZOOM.large;
  const marked = p.root.closest("[data-vg-readable]");
  const readable = marked ? parseFloat(marked.dataset.vgReadable) || 0 : 0;
  if (!z.touched && !z.scale && ((big && fit < ZOOM.readable) || fit < readable)) {
    z.touched = true;
    zoomTo(p, Math.max(readable || ZOOM.start, fit));
    if (p.figure.querySelector(".vg-active")) follow(p, false, true);
    else p.figure.scrollTo(0, 0);  // nothing active (a view): where reading starts
  } else if (z.scale && z.scale <= fit) {
    fitView(p);
  }
  cull(p);
  zoomChrome(p);
}

// -- events ---------------------------------------------------------------------------------

function wheel(p, ev) {
  const z = zoomState(p);
  const focused = p.root.contains(document.activeElement);
  if (!z.natural || !(ev.ctrlKey || ev.metaKey || focused)) return;
  ev.preventDefault();
  const dy = ev.deltaY * (ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? 400 : 1);
  // a pinch sends many small steps; a mouse's notch is some 100 px: at most 1.5x a notch
  const f = Math.exp(-dy * (ev.ctrlKey ? 0.01 : 0.002));
  zoomBy(p, Math.min(1.5, Math.max(1 / 1.5, f)), ev.clientX, ev.clientY);
}

function pointerDown(p, ev) {
  const z = zoomState(p);
  if (ev.pointerType === "mouse" && ev.button !== 0) return;
  z.pointers.set(ev.pointerId, [ev.clientX, ev.clientY]);
  if (z.pointers.size === 1) {
    z.drag = { id: ev.pointerId, x: ev.clientX, y: ev.clientY,
               left: p.figure.scrollLeft, top: p.figure.scrollTop, moved: false };
  } else if (z.pointers.size === 2) {
    const [a, b] = [...z.pointers.values()];
    z.pinch = { d: Math.hypot(a[0] - b[0], a[1] - b[1]) || 1, s: shownScale(p) };
    z.drag = null;
  }
}

function pointerMove(p, ev) {
  const z = zoomState(p);
  if (!z.pointers.has(ev.pointerId)) return;
  z.pointers.set(ev.pointerId, [ev.clientX, ev.clientY]);
  if (z.pinch && z.pointers.size >= 2) {
    const [a, b] = [...z.pointers.values()];
    const d = Math.hypot(a[0] - b[0], a[1] - b[1]) || 1;
    z.touched = true;
    zoomTo(p, z.pinch.s * d / z.pinch.d, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
    return;
  }
  const g = z.drag;
  if (!g || g.id !== ev.pointerId || !z.scale) return;
  const k = cssScale(p);
  const dx = (ev.clientX - g.x) / k;
  const dy = (ev.clientY - g.y) / k;
  if (!g.moved) {
    if (Math.abs(dx) + Math.abs(dy) < 4) return;
    g.moved = true;
    p.figure.setPointerCapture(ev.pointerId);
    p.root.classList.add("vgp-panning");
  }
  p.figure.scrollLeft = g.left - dx;
  p.figure.scrollTop = g.top - dy;
}

function pointerUp(p, ev) {
  const z = zoomState(p);
  z.pointers.delete(ev.pointerId);
  if (z.pointers.size < 2) z.pinch = null;
  if (z.drag && z.drag.id === ev.pointerId) z.drag = null;
  if (!z.pointers.size) p.root.classList.remove("vgp-panning");
}

function zoomButton(cls, text, label) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "vgp-btn vgp-zoom " + cls;
  b.textContent = text;
  b.title = label;
  b.setAttribute("aria-label", label);
  return b;
}

FEATURES.push({
  name: "zoom",

  init(p) {
    const z = zoomState(p);
    const fig = p.figure;
    // reveal.js: no slide change on a swipe that starts here
    p.root.setAttribute("data-prevent-swipe", "");
    const out = zoomButton("vgp-zoom-out", "\u2212", "zoom out (-)");
    const inn = zoomButton("vgp-zoom-in", "+", "zoom in (+)");
    z.bFit = zoomButton("vgp-fit", "fit", "fit the whole graph (0)");
    p.bZoom = z.bFit;
    out.addEventListener("click", () => zoomBy(p, 1 / ZOOM.factor));
    inn.addEventListener("click", () => { zoomBy(p, ZOOM.factor); follow(p, true); });
    z.bFit.addEventListener("click", () => { z.touched = true; fitView(p); });
    p.bar.append(out, inn, z.bFit);
    z.on = {
      wheel: (ev) => wheel(p, ev),
      down: (ev) => pointerDown(p, ev),
      move: (ev) => pointerMove(p, ev),
      up: (ev) => pointerUp(p, ev),
      scroll: () => later(p),
    };
    fig.addEventListener("wheel", z.on.wheel, { passive: false });
    fig.addEventListener("pointerdown", z.on.down);
    fig.addEventListener("pointermove", z.on.move);
    fig.addEventListener("pointerup", z.on.up);
    fig.addEventListener("pointercancel", z.on.up);
    fig.addEventListener("scroll", z.on.scroll, { passive: true });
    newDrawing(p);
    if (typeof ResizeObserver !== "undefined") {
      z.observer = new ResizeObserver(() => resized(p));
      z.observer.observe(fig);
    }
  },

  svg(p) {
    if (p._zoom && p._zoom.on) newDrawing(p);
  },

  step(p) {
    // once per frame, before it is drawn (a slider dragged or Play at 8x moves faster)
    const z = p._zoom;
    if (z && z.scale && !z.following) {
      z.following = requestAnimationFrame(() => { z.following = 0; follow(p, true); });
    }
  },

  key(p, ev) {
    if (ev.key === "+" || ev.key === "=") zoomBy(p, ZOOM.factor);
    else if (ev.key === "-" || ev.key === "_") zoomBy(p, 1 / ZOOM.factor);
    else if (ev.key === "0") { zoomState(p).touched = true; fitView(p); return true; }
    else return false;
    follow(p, false);
    return true;
  },

  destroy(p) {
    const z = p._zoom;
    if (!z) return;
    if (z.observer) z.observer.disconnect();
    if (z.frame) cancelAnimationFrame(z.frame);
    if (z.mapSoon) clearTimeout(z.mapSoon);
    if (z.following) cancelAnimationFrame(z.following);
    if (z.map) z.map.el.remove();
  },
});
