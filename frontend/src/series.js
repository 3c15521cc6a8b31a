// Sampled trajectories: linear interpolation in time between the samples of the replay document.

/** Index of the last sample at or before t (t inside the series). */
export function sampleIndex(ts, t) {
  let lo = 0;
  let hi = ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ts[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Position of object `o` (columns t, lat, lon, alt) at time t, or null outside its samples or inside a gap
 * longer than maxGap (a track that was lost and confirmed again).
 */
export function positionAt(o, t, maxGap = Infinity) {
  const ts = o.t;
  const n = ts.length;
  if (!n || t < ts[0] || t > ts[n - 1]) return null;
  const k = sampleIndex(ts, t);
  if (ts[k] === t || k === n - 1) return { lat: o.lat[k], lon: o.lon[k], alt: o.alt[k], k };
  const dt = ts[k + 1] - ts[k];
  if (dt > maxGap) return null;
  const a = (t - ts[k]) / dt;
  return {
    lat: o.lat[k] + a * (o.lat[k + 1] - o.lat[k]),
    lon: o.lon[k] + a * (o.lon[k + 1] - o.lon[k]),
    alt: o.alt[k] + a * (o.alt[k + 1] - o.alt[k]),
    k,
  };
}

/** [[lat, lon], ...] of the samples of o in [t - span, t], ending at the current position p. */
export function trail(o, t, span, p) {
  const out = [];
  if (!p) return out;
  let k = p.k;
  while (k >= 0 && o.t[k] >= t - span) k -= 1;
  for (let i = Math.max(k, 0); i <= p.k; i += 1) out.push([o.lat[i], o.lon[i]]);
  out.push([p.lat, p.lon]);
  return out;
}

/** "T+mm:ss" (or h:mm:ss) of t seconds. */
export function clockText(t) {
  const s = Math.max(0, Math.round(t));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `T+${h}:${String(m).padStart(2, "0")}:${ss}` : `T+${String(m).padStart(2, "0")}:${ss}`;
}
