// Following the active step when zoomed in (a part of the zoom feature, in its own file
// for size): zoom.js calls follow(p) after each step and zoom; like minimap.js, this file
// registers no hooks and is listed with zoom.js in vizgrad.web.assets.FEATURE_SCRIPTS.
// Scroll so that the elements with class vg-active are inside the figure (with a margin;
// centre: in its middle); if they do not fit, the gates and inputs; if these do not fit
// either, the numbers the step writes (or the one it works out).
function follow(p, smooth, centre = false) {
  const z = zoomState(p);
  if (!z.scale) return;
  const act = [...p.figure.querySelectorAll(".vg-active")];
  if (!act.length) return;
  const union = (els) => {
    let l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
    for (const e of els) {
      const q = e.getBoundingClientRect();
      if (!q.width && !q.height) continue;
      l = Math.min(l, q.left); t = Math.min(t, q.top);
      r = Math.max(r, q.right); b = Math.max(b, q.bottom);
    }
    return r > l ? [l, t, r, b] : null;
  };
  const fig = p.figure;
  const k = cssScale(p);
  const f = fig.getBoundingClientRect();
  const vl = f.left + fig.clientLeft * k;
  const vt = f.top + fig.clientTop * k;
  const vw = fig.clientWidth * k;
  const vh = fig.clientHeight * k;
  const tooBig = (q) => q && (q[2] - q[0] > vw || q[3] - q[1] > vh);
  let u = union(act);
  if (tooBig(u)) {
    // wires fanning out too far to show at once: keep the gates (and inputs) in view
    u = union(act.filter((e) => !/\bvg-(wire|junction)\b/.test(e.getAttribute("class")))) || u;
  }
  if (tooBig(u)) {
    // gates too far apart (a long wire across a wide layout): keep the step's own numbers
    const mine = stepTexts(p);
    u = union(mine) || u;
    if (tooBig(u) && mine.length > 1) {
      // still too far apart: the one it works out ("a × b = c", the longest)
      const main = mine.reduce((a, e) => (e.textContent.length > a.textContent.length ? e : a));
      u = union([main]) || u;
    }
  }
  if (!u) return;
  const [l, t, r, b] = u;
  const delta = (lo, hi, start, size) => {
    const m = Math.min(ZOOM.margin * k, Math.max(0, (size - (hi - lo)) / 2));
    if (centre || hi - lo > size - 2 * m) return (lo + hi) / 2 - (start + size / 2);  // too big: centre it
    if (lo < start + m) return lo - start - m;
    if (hi > start + size - m) return hi - (start + size - m);
    return 0;
  };
  const dx = delta(l, r, vl, vw) / k;
  const dy = delta(t, b, vt, vh) / k;
  if (Math.abs(dx) < 1 && Math.abs(dy) < 1) return;
  // smoothly when near (a far jump would only pass over what is between)
  const near = Math.abs(dx) <= fig.clientWidth && Math.abs(dy) <= fig.clientHeight;
  const calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  fig.scrollTo({ left: fig.scrollLeft + dx, top: fig.scrollTop + dy,
                 behavior: smooth && near && !calm ? "smooth" : "auto" });
}

// the numbers that step p.cur writes (its diff's text holes), shown even if culled
function stepTexts(p) {
  const diff = (p.steps && p.steps[p.cur]) || [];
  const els = [];
  for (const [h] of diff) {
    const e = p.isText[h] && p.els[h];
    if (!e) continue;
    if (e.style.display === "none") {  // culled: no box; shown, and cull() hides it again once off view
      e.style.display = "";
      const t = p._zoom && p._zoom.texts;
      const i = t ? t.el.indexOf(e) : -1;
      if (i >= 0) t.off[i] = 0;
    }
    els.push(e);
  }
  return els;
}
