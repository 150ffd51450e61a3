// The player's keys (a part of player.js, in its own file for size). They are taken at
// the window, in the capture phase, while the focus is in the player: a notebook page
// (JupyterLab, Notebook 7) has its own key handlers on the way down that would otherwise
// take or swallow the arrow keys. Returns the listener (Player.destroy removes it).
function listenToKeys(p) {
  const root = p.root;
  const onKey = (ev) => {
    const t = ev.target;
    if (!(t instanceof Node) || !root.contains(t)) return;
    if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const onRange = t === p.range;
    const tag = t && t.tagName;
    if (tag === "SELECT" || (tag === "INPUT" && !onRange) || tag === "TEXTAREA") return;
    const taken = () => { ev.preventDefault(); ev.stopPropagation(); };
    // a feature's key (zoom); a view has no steps: its other keys scroll the drawing
    const feature = () => { if (FEATURES.some((f) => f.key && f.key(p, ev))) taken(); };
    if (p.view) { feature(); return; }
    let k = null;
    if (ev.key === "ArrowLeft" || ev.key === "ArrowDown") k = p.cur - 1;
    else if (ev.key === "ArrowRight" || ev.key === "ArrowUp") k = p.cur + 1;
    else if (ev.key === "Home") k = 0;
    else if (ev.key === "End") k = p.n - 1;
    else if ((ev.key === " " || ev.key === "Spacebar") && tag !== "BUTTON") {
      taken();
      p.toggle();
      return;
    }
    if (k === null) { feature(); return; }
    taken(); // the range input would step too
    p.stop();
    p.go(k, true);
  };
  window.addEventListener("keydown", onKey, true);
  return onKey;
}
