// The overview of zoom.js (a part of the zoom feature, in its own file for size): a small
// copy of the drawing with a frame on the visible area, shown while the graph does not
// fit the figure. zoom.js calls zoomChrome(p) after each zoom, scroll and resize; this
// file registers no hooks of its own and must be listed with zoom.js in
// vizgrad.web.assets.FEATURE_SCRIPTS (both are parts of one module).

function buildMap(p) {
  const z = zoomState(p);
  const map = document.createElement("div");
  map.className = "vgp-minimap";
  map.setAttribute("aria-hidden", "true");  // the keys and the scroll bars do the same
  map.title = "overview: click or drag to move there";
  const copy = p.svgEl.cloneNode(true);
  for (const e of copy.querySelectorAll("text")) e.remove();  // unreadable at this size
  // a picture only: no ids, holes or slots that a script could take for the drawing's
  for (const e of copy.querySelectorAll("[data-c]")) {
    e.setAttribute("class", e.getAttribute("data-c"));
    e.removeAttribute("data-c");
  }
  for (const e of copy.querySelectorAll("[id],[data-h],[data-slot]")) {
    for (const a of ["id", "data-h", "data-slot"]) e.removeAttribute(a);
  }
  copy.removeAttribute("style");
  copy.setAttribute("width", "100%");
  copy.setAttribute("height", "100%");
  const view = document.createElement("div");
  view.className = "vgp-minimap-view";
  map.append(copy, view);
  const goTo = (ev) => {
    if (!z.scale) return;
    const m = map.getBoundingClientRect();
    const ux = (ev.clientX - m.left) / m.width * z.natural.w;
    const uy = (ev.clientY - m.top) / m.height * z.natural.h;
    const k = cssScale(p);
    const fig = p.figure;
    const r = p.svgEl.getBoundingClientRect();
    const f = fig.getBoundingClientRect();
    fig.scrollLeft += (r.left + ux * z.scale * k - (f.left + fig.clientLeft * k + fig.clientWidth * k / 2)) / k;
    fig.scrollTop += (r.top + uy * z.scale * k - (f.top + fig.clientTop * k + fig.clientHeight * k / 2)) / k;
  };
  map.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    ev.preventDefault();
    ev.stopPropagation();
    map.setPointerCapture(ev.pointerId);
    map.dataset.dragging = "1";
    goTo(ev);
  });
  map.addEventListener("pointermove", (ev) => { if (map.dataset.dragging) goTo(ev); });
  const end = () => { delete map.dataset.dragging; };
  map.addEventListener("pointerup", end);
  map.addEventListener("pointercancel", end);
  p.root.append(map);
  z.map = { el: map, view };
  return z.map;
}

// show or hide the overview, and draw the visible area on it
function zoomChrome(p) {
  const z = zoomState(p);
  if (z.bFit) {
    z.bFit.setAttribute("aria-pressed", z.scale ? "false" : "true");
    z.bFit.title = (z.scale ? "zoomed to " + Math.round(z.scale * 100) + "%; " : "") + "fit the whole graph (0)";
  }
  const fig = p.figure;
  const over = z.scale && (fig.scrollWidth > fig.clientWidth + 1 || fig.scrollHeight > fig.clientHeight + 1);
  if (!over) {
    if (z.map) z.map.el.hidden = true;
    return;
  }
  if (!z.map) {
    // made once per layout, after the drawing has been shown (a copy of a big drawing
    // is a second layout of it: not worth delaying the first view for)
    if (!z.mapSoon) {
      z.mapSoon = setTimeout(() => { z.mapSoon = 0; if (p.svgEl && z.natural) { buildMap(p); zoomChrome(p); } }, 50);
    }
    return;
  }
  const map = z.map;
  // at most a third of the figure's width and half its height; none in a figure too small
  const a = z.natural.w / z.natural.h;
  const mw = Math.round(Math.min(ZOOM.map[0], fig.clientWidth / 3, Math.min(ZOOM.map[1], fig.clientHeight / 2) * a));
  const mh = Math.round(Math.max(12, mw / a));
  map.el.hidden = mw < 48 || mh > fig.clientHeight - 16;
  if (map.el.hidden) return;
  map.el.style.width = mw + "px";
  map.el.style.height = mh + "px";
  map.el.style.left = (fig.offsetLeft + fig.clientLeft + fig.clientWidth - mw - 8) + "px";
  map.el.style.top = (fig.offsetTop + fig.clientTop + fig.clientHeight - mh - 8) + "px";
  // the visible area, in the drawing's own px
  const k = cssScale(p);
  const r = p.svgEl.getBoundingClientRect();
  const f = fig.getBoundingClientRect();
  const x0 = Math.max(0, (f.left + fig.clientLeft * k - r.left) / (z.scale * k));
  const y0 = Math.max(0, (f.top + fig.clientTop * k - r.top) / (z.scale * k));
  const x1 = Math.min(z.natural.w, x0 + fig.clientWidth / z.scale);
  const y1 = Math.min(z.natural.h, y0 + fig.clientHeight / z.scale);
  const st = map.view.style;
  st.left = (100 * x0 / z.natural.w) + "%";
  st.top = (100 * y0 / z.natural.h) + "%";
  st.width = (100 * (x1 - x0) / z.natural.w) + "%";
  st.height = (100 * (y1 - y0) / z.natural.h) + "%";
}
