// The state of every hole at any step (a part of player.js, in its own file for size):
// a jump starts from a kept state and replays a few diffs.

// every KEY-th step's whole state (at least: keySpacing) is kept once computed
const KEY = 32;

// steps between kept states: KEY, or a quarter of the holes if more (a diff is a few holes,
// a state all of them: replaying that many diffs costs about as much as copying a state, and
// the kept states of a big graph stay few)
function keySpacing(p) {
  return Math.max(KEY, p.els.length >> 2);
}

// every hole's value after step k: the state kept at the last multiple of keySpacing at or
// before k (kept states are computed once, when first needed), then the diffs up to k, written
// into one array the player keeps for this (a jump allocates nothing)
function stateAt(p, k) {
  const keys = p.keys || (p.keys = []);
  const steps = p.steps;
  const apply = (vals, a, b) => {
    for (let s = a; s <= b; s++) {
      const diff = steps[s];
      for (let j = 0; j < diff.length; j++) vals[diff[j][0]] = diff[j][1];
    }
    return vals;
  };
  const every = keySpacing(p);
  const i = Math.floor(k / every);
  while (keys.length <= i) {
    const m = keys.length;
    if (m === 0) {
      const nh = p.els.length;
      const vals = new Array(nh);
      for (let h = 0; h < nh; h++) vals[h] = h < p.initial.length ? p.initial[h] : p.shown[h];
      keys.push(apply(vals, 0, 0));
    } else {
      keys.push(apply(keys[m - 1].slice(), (m - 1) * every + 1, m * every));
    }
  }
  const key = keys[i];
  if (!p.scratch || p.scratch.length !== key.length) p.scratch = new Array(key.length);
  const out = p.scratch;
  for (let h = 0; h < key.length; h++) out[h] = key[h];
  return apply(out, i * every + 1, k);
}
