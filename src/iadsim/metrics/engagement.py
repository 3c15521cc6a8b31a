"""Run metrics: threats launched / intercepted / leaked per class, interceptor expenditure, asset survival,
cost exchange, tracking quality, timing.

Definitions:

* **leaked**: reached the end of its flight (impact or arrival at its target) alive; **in flight**: neither
  intercepted nor leaked when the scenario ended.
* **cost exchange ratio** = cost of interceptors fired / cost of the threats they destroyed (the defender's
  cost per unit of attacker cost removed; below 1 favours the defender). Reported with both sums, and
  ``null`` when nothing was destroyed.
* **GOSPA** (alpha = 2, p = 2, cut-off ``GOSPA_C``): mean over the sample times of the GOSPA distance
  between the *detectable* flying threats (inside some radar's coverage with a single-scan Pd of at least
  0.5: a threat no radar can see is not a tracking error) and the confirmed tracks, positions in ECEF
  (Rahmathullah et al., FUSION 2017;
  :func:`iadsim.metrics.tracking.gospa`); with track breaks and identity switches from
  :func:`iadsim.metrics.tracking.track_continuity` on the same pairing (the GOSPA assignment of each
  frame, solved once and shared).
"""

from __future__ import annotations

import numpy as np

from iadsim.metrics.tracking import gospa, track_continuity
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.status import CANCELLED, FLYING, INTERCEPTED, LEAKED

#: GOSPA cut-off (m): larger than the cross-range error of a long-range surveillance track
GOSPA_C = 5000.0


def _frames(truth_cols, tracks_cols):
    """Per sample time: detectable threat ids and positions, track ids and positions.

    ``truth_cols`` in time order: the ``truth`` table's columns (threats and interceptors, told apart by
    ``object``) or threat rows only (no ``object`` column, as built for a summary without tables)."""
    ts = truth_cols["time"]
    is_threat = np.asarray(truth_cols["detectable"], bool)
    if "object" in truth_cols:
        is_threat = is_threat & (truth_cols["object"] == "threat")
    tt = ts[is_threat]
    tid = truth_cols["id"][is_threat]
    tpos = np.stack([truth_cols["x"], truth_cols["y"], truth_cols["z"]], -1)[is_threat]
    kt = tracks_cols["time"]
    kid = tracks_cols["track"]
    kpos = np.stack([tracks_cols["x"], tracks_cols["y"], tracks_cols["z"]], -1)
    times = np.union1d(tt, kt)
    a0 = np.searchsorted(tt, times, "left")
    a1 = np.searchsorted(tt, times, "right")
    b0 = np.searchsorted(kt, times, "left")
    b1 = np.searchsorted(kt, times, "right")
    for k in range(times.size):
        yield tid[a0[k]:a1[k]], tpos[a0[k]:a1[k]], kid[b0[k]:b1[k]], kpos[b0[k]:b1[k]]


def tracking_quality(truth_cols, tracks_cols, c: float = GOSPA_C) -> dict:
    """Mean GOSPA and its parts, track breaks and identity switches over the sampled frames."""
    frames = list(_frames(truth_cols, tracks_cols))
    if not frames:
        return {"gospa_mean_m": None, "frames": 0}
    g = [gospa(tp, kp, c) for _, tp, _, kp in frames]
    cont = track_continuity(frames, c, pairs=[x.pairs for x in g])  # the same assignment, not solved again
    n = len(g)
    return {
        "gospa_cutoff_m": c,
        "frames": n,
        "gospa_mean_m": float(np.mean([x.total for x in g])),
        "gospa_localisation_rms_m": float(np.sqrt(sum(x.localisation for x in g) /
                                                  max(1, sum(len(x.pairs) for x in g)))),
        "missed_target_frames_mean": float(np.mean([x.n_missed for x in g])),
        "false_track_frames_mean": float(np.mean([x.n_false for x in g])),
        "track_breaks": int(cont.total_breaks),
        "id_switches": int(cont.total_id_switches),
    }


def _median(values):
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else None


def _objects(sim, role, status, eng) -> dict:
    """Objects that are not threats (decoys, spent stages): how many flew, ended, were intercepted, and the
    interceptors the defense spent on them (engagements whose seeker acquired one)."""
    from iadsim.status import CANCELLED, ENDED
    from iadsim.threats.ballistic_raid import ROLE_NAMES

    out = {}
    acquired = np.asarray(eng.get("threat", []), dtype=np.int64) if len(eng.get("threat", [])) else np.zeros(0, int)
    salvo = np.asarray(eng.get("salvo", []), dtype=np.int64) if len(eng.get("salvo", [])) else np.zeros(0, int)
    for k, name in enumerate(ROLE_NAMES):
        if k == 0:
            continue
        m = role == k
        if not m.any():
            continue
        on = (acquired >= 0) & m[np.clip(acquired, 0, None)] if acquired.size else np.zeros(0, bool)
        out[name] = {"released": int((m & (status != CANCELLED)).sum()),
                     "cancelled": int((m & (status == CANCELLED)).sum()),
                     "intercepted": int((m & (status == INTERCEPTED)).sum()),
                     "ended": int((m & (status == ENDED)).sum()),
                     "engagements_on": int(on.sum()), "interceptors_on": int(salvo[on].sum()) if on.any() else 0}
    return out


def summarize(sim, wall_time: float, truth_cols, tracks_cols) -> dict:
    """The ``summary.json`` of a finished simulation."""
    c = sim.c
    th = sim.threats
    status = sim.threat_state.status
    role = getattr(th, "role", np.zeros(len(status), np.int8))
    is_threat = role == 0
    threats = {}
    for k, name in enumerate(THREAT_CLASSES):
        m = (th.cls == k) & is_threat
        if not m.any():
            continue
        m &= status != CANCELLED  # a stand-off weapon never released (its aircraft was shot down first)
        threats[name] = {"launched": int(m.sum()), "intercepted": int((m & (status == INTERCEPTED)).sum()),
                         "leaked": int((m & (status == LEAKED)).sum()),
                         "in_flight": int((m & (status == FLYING)).sum())}
    total = {key: sum(v[key] for v in threats.values()) for key in ("launched", "intercepted", "leaked",
                                                                       "in_flight")}
    itypes = c.interceptor_types
    fired = {}
    for f in range(sim.F):
        name, spec = itypes[c.fire_units.type_index[f]]
        d = fired.setdefault(name, {"fired": 0, "cost": 0.0})
        d["fired"] += int(sim.fire_units.fired[f])
        d["cost"] += float(sim.fire_units.fired[f] * spec.cost)
    interceptor_cost = sum(d["cost"] for d in fired.values())
    killed_cost = float(th.cost[status == INTERCEPTED].sum())
    eng = sim.engagements.cols
    results = eng["result"]
    objects = _objects(sim, role, status, eng)
    a = c.assets
    surviving = ~sim.threat_state.asset_destroyed
    sim_t = float(c.duration)
    out = {
        "scenario": c.scenario.name,
        "seed": sim.seed,
        "threats": {"by_class": threats, "total": total},
        "interceptors": {"by_type": fired, "total_fired": int(sim.fire_units.fired.sum()),
                         "rounds_left": dict(zip(c.fire_units.names, sim.fire_units.rounds().tolist(), strict=True))},
        "engagements": {"total": len(results), **{k: results.count(k) for k in sorted(set(results))},
                        "miss_distance_median_m": _median(eng["miss_distance"])},
        "objects": objects,
        "assets": {"total": len(a.names), "surviving": int(surviving.sum()),
                   "destroyed": [a.names[i] for i in np.flatnonzero(~surviving)],
                   "leakers_reaching": {a.names[i]: int(sim.threat_state.asset_hits[i]) for i in range(len(a.names))},
                   "value_surviving": float(a.value[surviving].sum()), "value_total": float(a.value.sum()),
                   "value_undamaged": float((a.value * (1.0 - sim.threat_state.asset_damage)).sum()),
                   "damage": {a.names[i]: round(float(sim.threat_state.asset_damage[i]), 6)
                              for i in range(len(a.names))},
                   "debris_falls": int(sim.threat_state.debris_falls),
                   "impact_miss_median_m": _median(sim.threat_state.impact_miss)},
        "cost": {"interceptors_fired": interceptor_cost, "threats_launched": float(th.cost.sum()),
                 "threats_destroyed": killed_cost,
                 "exchange_ratio": interceptor_cost / killed_cost if killed_cost > 0 else None},
        "tracking": {"scans": sim.n_scans, "detections": sim.n_detections, "false_alarms": sim.n_false,
                     "tracks_confirmed": int(len(np.unique(tracks_cols["track"]))),
                     **tracking_quality(truth_cols, tracks_cols)},
        "time": {"simulated_s": sim_t, "wall_s": wall_time,
                 "speedup": sim_t / wall_time if wall_time > 0 else None},
    }
    if c.emcon_rules:  # radars silent by an EMCON rule: how often and for how long (only then: bytes kept)
        out["emcon"] = sim.c2.emcon_summary(sim_t)
    return out
