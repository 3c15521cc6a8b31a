"""The replay document: everything the browser replay draws, built from a checked run directory.

:func:`replay_document` reads a run only through :func:`iadsim.rundir.read_run_dir` and returns one
JSON-ready dict (degrees, metres, seconds since the scenario epoch):

- ``scenario``, ``seed``, ``epoch_utc``, ``duration_s``, ``t0``/``t1`` (the time span of the slider),
  ``sample_s`` (the truth sampling step), ``bounds`` (south-west and north-east corners of everything drawn),
  ``decimation`` (rows read, points kept, stride);
- static units: ``assets``, ``sensors`` (with their coverage sector at the reference RCS as a polygon) and
  ``fire_units`` (with the envelope's maximum ground range as a circle), each with its MIL-STD-2525D SIDC
  (:mod:`iadsim.replay.symbols`);
- moving objects as columns per object (``t``, ``lat``, ``lon``, ``alt``): ``threats`` (truth, with class,
  SIDC, target asset, fate and end time), ``interceptors`` (truth, with their engagement and fire unit) and
  ``tracks`` (the tracker's confirmed tracks, with the class estimated at each sample);
- ``engagements`` (fire unit, engaged track, acquired threat, launch and end times, result), ``markers``
  (intercepts, misses and leaks where they happened; assets destroyed) and the ``events`` log.

End of flight. Truth is sampled (every ``sample_s``); a threat killed or leaking between two samples gets
one more point, its position at the event time, extrapolated from its last sample with its truth velocity
(a straight line over less than one sampling step). An interceptor's round ends at its engagement's
intercept or miss event; the rounds of a salvo are paired with their engagement's end events in order.
Interceptor ``id``\\ s in the truth table are the fly-out rows, numbered in launch order, so the i-th
``interceptor_launch`` event (in time order) names the engagement of interceptor ``i``.

Decimation. When the truth and track tables together hold more than ``max_points`` rows, every object
keeps the samples whose index ``round(t / sample_s)`` is a multiple of the stride ``ceil(rows /
max_points)``, plus its first and last sample, so kept times line up across objects and the page
interpolates linearly between them. Longitudes are unwrapped per object (no jump at the antimeridian).
"""

from __future__ import annotations

import math

import numpy as np

from iadsim.errors import InputError
from iadsim.replay import symbols

#: version of the replay document (``replay-data.js``); the page checks it
REPLAY_FORMAT = 1
#: default budget of moving-object points (truth and track samples together)
DEFAULT_MAX_POINTS = 250_000

#: columns each table must have for the replay
REQUIRED = {
    "truth": ("time", "object", "id", "class", "vx", "vy", "vz", "x", "y", "z", "lat_deg", "lon_deg", "alt_m"),
    "tracks": ("time", "track", "class", "lat_deg", "lon_deg", "alt_m", "pos_std"),
    "events": ("time", "kind", "threat", "track", "fire_unit", "engagement", "asset", "detail"),
    "engagements": ("engagement", "fire_unit", "interceptor", "track", "t_launch", "t_intercept", "t_complete",
                    "salvo", "threat", "result", "miss_distance", "pk_planned"),
}
#: points of a coverage sector or reach circle
RING_POINTS = 72


def columns(run, name: str, cols=None) -> dict:
    """The columns ``cols`` (default :data:`REQUIRED` ``[name]``) of table ``name`` of ``run`` as numpy arrays;
    a missing column is an :class:`InputError` naming the file and the columns."""
    table = run.table(name)
    cols = REQUIRED[name] if cols is None else cols
    missing = [c for c in cols if c not in table.column_names]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)} (not a table of this iadsim version)",
                         file=str(run.path / f"{name}.parquet"))
    out = {}
    for c in cols:
        col = table.column(c)
        out[c] = np.asarray(col.to_pylist(), dtype=object) if col.type == "string" else col.to_numpy()
    return out


def _field(d: dict, key: str, where: str, run):
    if not isinstance(d, dict) or key not in d:
        raise InputError(f"{where}: missing field '{key}'", file=str(run.path / "layout.json"))
    return d[key]


def _num(d: dict, key: str, where: str, run) -> float:
    v = _field(d, key, where, run)
    if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
        raise InputError(f"{where}.{key}: expected a finite number, got {v!r}", file=str(run.path / "layout.json"))
    return float(v)


def ring(lat: float, lon: float, radius_m: float, az_from_deg: float = 0.0, az_to_deg: float = 360.0,
         n: int = RING_POINTS) -> list[list[float]]:
    """``[[lat, lon], ...]`` of the geodesic circle (or sector, closed through the centre) of ``radius_m``
    about ``(lat, lon)`` on WGS-84, from azimuth ``az_from_deg`` to ``az_to_deg`` clockwise from north
    (Vincenty's direct problem, ``pymap3d.vincenty.vreckon``)."""
    from pymap3d.vincenty import vreckon

    full = az_to_deg - az_from_deg >= 360.0 - 1e-9
    az = np.linspace(az_from_deg, az_to_deg, n + 1)
    la, lo = vreckon(np.full(az.size, lat), np.full(az.size, lon), np.full(az.size, max(radius_m, 0.0)), az)
    la, lo = np.atleast_1d(la), np.atleast_1d(lo)
    lo = (lo - lon + 180.0) % 360.0 - 180.0 + lon  # vreckon answers in [0, 360): back next to the centre
    pts = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(la, lo, strict=True)]
    if not full:
        pts = [[lat, lon], *pts, [lat, lon]]
    return pts


def _series(t, lat, lon, alt) -> dict:
    return {"t": np.round(t, 3).tolist(), "lat": np.round(lat, 6).tolist(),
            "lon": np.round(np.degrees(np.unwrap(np.radians(lon))), 6).tolist(), "alt": np.round(alt, 1).tolist()}


def _groups(keys: np.ndarray):
    """Slices of runs of equal ``keys`` (already sorted)."""
    if keys.size == 0:
        return []
    cut = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut, [keys.size]])
    return [slice(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _keep(t: np.ndarray, step: float, stride: int) -> np.ndarray:
    keep = np.rint(t / step).astype(np.int64) % stride == 0 if stride > 1 else np.ones(t.size, bool)
    keep[0] = keep[-1] = True
    return keep


def _extrapolate(p, v, dt):
    """Geodetic ``(lat, lon, alt)`` of ECEF ``p + v dt`` (WGS-84, ``pymap3d.ecef2geodetic``)."""
    from pymap3d import ecef2geodetic

    q = np.asarray(p, float) + np.asarray(v, float) * dt
    la, lo, al = ecef2geodetic(q[0], q[1], q[2])
    return float(la), float(lo), float(al)


def replay_document(run, max_points: int = DEFAULT_MAX_POINTS) -> dict:
    """The replay document of the checked run directory ``run`` (module docstring)."""
    lay = run.layout
    man = run.manifest
    tr = columns(run, "truth")
    tk = columns(run, "tracks")
    ev = columns(run, "events")
    en = columns(run, "engagements")

    # --- static units ---
    assets, sensors, fire_units = [], [], []
    for i, a in enumerate(_field(lay, "assets", "assets", run)):
        w = f"assets[{i}]"
        assets.append({"name": str(_field(a, "name", w, run)), "lat": _num(a, "lat_deg", w, run),
                       "lon": _num(a, "lon_deg", w, run), "value": a.get("value"), "sidc": symbols.ASSET_SIDC})
    for i, s in enumerate(_field(lay, "sensors", "sensors", run)):
        w = f"sensors[{i}]"
        lat, lon = _num(s, "lat_deg", w, run), _num(s, "lon_deg", w, run)
        rng = _num(s, "detection_range_m", w, run)
        face, width = _num(s, "facing_deg", w, run), _num(s, "azimuth_width_deg", w, run)
        sector = ring(lat, lon, rng) if width >= 360.0 else ring(lat, lon, rng, face - width / 2, face + width / 2)
        sensors.append({"name": str(_field(s, "name", w, run)), "type": str(s.get("type", "")),
                        "role": str(s.get("role", "")), "lat": lat, "lon": lon, "detection_range_m": rng,
                        "facing_deg": face, "azimuth_width_deg": width, "coverage": sector,
                        "sidc": symbols.sensor_sidc(s.get("type", ""))})
    for i, f in enumerate(_field(lay, "fire_units", "fire_units", run)):
        w = f"fire_units[{i}]"
        lat, lon = _num(f, "lat_deg", w, run), _num(f, "lon_deg", w, run)
        reach = _num(f, "max_range_m", w, run)
        fire_units.append({"name": str(_field(f, "name", w, run)), "interceptor": str(f.get("interceptor", "")),
                           "layer": str(f.get("layer", "")), "lat": lat, "lon": lon, "max_range_m": reach,
                           "rounds": f.get("rounds"), "fire_channels": f.get("fire_channels"),
                           "reach": ring(lat, lon, reach), "sidc": symbols.FIRE_UNIT_SIDC})

    # --- events, as plain rows ---
    order = np.argsort(ev["time"].astype(float), kind="stable")
    ev = {k: v[order] for k, v in ev.items()}
    events = [{"t": round(float(ev["time"][i]), 3), "kind": str(ev["kind"][i]), "threat": int(ev["threat"][i]),
               "track": int(ev["track"][i]), "fire_unit": int(ev["fire_unit"][i]),
               "engagement": int(ev["engagement"][i]), "asset": int(ev["asset"][i]), "detail": str(ev["detail"][i])}
              for i in range(order.size)]
    kind = ev["kind"].astype(str)
    first_end: dict[int, tuple[float, str]] = {}
    for i in np.flatnonzero(np.isin(kind, ("intercept", "leak"))):
        j = int(ev["threat"][i])
        if j >= 0 and j not in first_end:
            first_end[j] = (float(ev["time"][i]), "intercepted" if kind[i] == "intercept" else "leaked")
    target = {int(ev["threat"][i]): int(ev["asset"][i]) for i in np.flatnonzero(kind == "threat_launch")}

    # --- truth and tracks: decimation ---
    t_all = tr["time"].astype(float)
    ut = np.unique(t_all)
    step = float(np.median(np.diff(ut))) if ut.size > 1 else 1.0
    step = step if step > 0 else 1.0
    rows = t_all.size + tk["time"].size
    stride = max(1, math.ceil(rows / max(int(max_points), 1)))

    obj = tr["object"].astype(str)
    ids = tr["id"].astype(np.int64)
    order = np.lexsort((t_all, ids, obj))
    tr = {k: v[order] for k, v in tr.items()}
    obj, ids, t_all = obj[order], ids[order], t_all[order]
    key = np.char.add(np.char.add(obj.astype("U16"), ":"), ids.astype("U20"))

    threats, interceptors, kept = [], [], 0
    last_state: dict[int, tuple] = {}
    for sl in _groups(key):
        o, j = str(obj[sl.start]), int(ids[sl.start])
        t = t_all[sl]
        m = _keep(t, step, stride)
        s = _series(t[m], tr["lat_deg"][sl][m].astype(float), tr["lon_deg"][sl][m].astype(float),
                    tr["alt_m"][sl][m].astype(float))
        kept += int(m.sum())
        if o == "threat":
            cls = str(tr["class"][sl.start])
            p = np.array([tr["x"][sl.stop - 1], tr["y"][sl.stop - 1], tr["z"][sl.stop - 1]], float)
            v = np.array([tr["vx"][sl.stop - 1], tr["vy"][sl.stop - 1], tr["vz"][sl.stop - 1]], float)
            last_state[j] = (float(t[-1]), p, v)
            t_end, fate = first_end.get(j, (float(t[-1]), "in flight"))
            if t_end > t[-1] + 1e-9 and np.all(np.isfinite(v)):
                la, lo, al = _extrapolate(p, v, t_end - t[-1])
                lo = float(np.degrees(np.unwrap(np.radians([s["lon"][-1], lo])))[-1])
                s["t"].append(round(t_end, 3))
                s["lat"].append(round(la, 6))
                s["lon"].append(round(lo, 6))
                s["alt"].append(round(max(al, 0.0), 1))
            threats.append({"id": j, "class": cls, "sidc": symbols.threat_sidc(cls), "fate": fate,
                            "t_end": round(t_end, 3),
                            "target": assets[target[j]]["name"] if 0 <= target.get(j, -1) < len(assets) else None,
                            **s})
        else:
            interceptors.append({"id": j, "class": str(tr["class"][sl.start]), "sidc": symbols.INTERCEPTOR_SIDC,
                                 **s})

    def threat_at(j: int, t: float):
        """Geodetic position of threat ``j`` at ``t`` (its truth samples; extrapolated past the last one)."""
        th = thr_by_id.get(j)
        if th is None:
            return None
        ts = th["t"]
        if t >= ts[-1]:
            if j in last_state and t > ts[-1] + 1e-9:
                t_last, p, v = last_state[j]
                if np.all(np.isfinite(v)):
                    la, lo, al = _extrapolate(p, v, t - t_last)
                    return la, lo, max(al, 0.0)
            return th["lat"][-1], th["lon"][-1], th["alt"][-1]
        k = int(np.searchsorted(ts, t))
        if k == 0:
            return th["lat"][0], th["lon"][0], th["alt"][0]
        a = (t - ts[k - 1]) / (ts[k] - ts[k - 1])
        return tuple(th[c][k - 1] + a * (th[c][k] - th[c][k - 1]) for c in ("lat", "lon", "alt"))

    thr_by_id = {th["id"]: th for th in threats}

    # --- engagements; interceptor i belongs to the engagement of the i-th interceptor_launch event ---
    eng_rows = []
    n_eng = en["engagement"].size
    for e in range(n_eng):
        eng_rows.append({
            "id": int(en["engagement"][e]), "fire_unit": int(en["fire_unit"][e]), "track": int(en["track"][e]),
            "threat": int(en["threat"][e]), "interceptor": str(en["interceptor"][e]), "salvo": int(en["salvo"][e]),
            "t_launch": round(float(en["t_launch"][e]), 3),
            "t_end": round(float(np.nan_to_num(en["t_complete"][e], nan=en["t_launch"][e])), 3),
            "result": str(en["result"][e]), "pk_planned": round(float(en["pk_planned"][e]), 4),
            "miss_m": None if not np.isfinite(en["miss_distance"][e]) else round(float(en["miss_distance"][e]), 2)})
    eng_by_id = {r["id"]: r for r in eng_rows}
    launches = [ev_ for ev_ in events if ev_["kind"] == "interceptor_launch"]
    ends: dict[int, list] = {}
    for ev_ in events:
        if ev_["kind"] in ("intercept", "miss") and ev_["engagement"] >= 0:
            ends.setdefault(ev_["engagement"], []).append(ev_)
    rounds: dict[int, list] = {}
    for it in sorted(interceptors, key=lambda x: x["id"]):
        i = it["id"]
        e = launches[i]["engagement"] if i < len(launches) else -1
        er = eng_by_id.get(e)
        it["engagement"] = e if er is not None else None
        it["fire_unit"] = er["fire_unit"] if er is not None else None
        it["type"] = er["interceptor"] if er is not None else None
        if er is not None:
            rounds.setdefault(e, []).append(it)
    for e, its in rounds.items():
        for it, end in zip(its, ends.get(e, []), strict=False):
            it["result"] = end["detail"]
            it["target"] = end["threat"] if end["threat"] >= 0 else None
            if end["t"] > it["t"][-1] + 1e-9 and end["threat"] >= 0:
                pos = threat_at(end["threat"], end["t"])
                if pos is not None:
                    lo = float(np.degrees(np.unwrap(np.radians([it["lon"][-1], pos[1]])))[-1])
                    it["t"].append(end["t"])
                    it["lat"].append(round(float(pos[0]), 6))
                    it["lon"].append(round(lo, 6))
                    it["alt"].append(round(float(pos[2]), 1))

    # --- markers: where intercepts, misses and leaks happened ---
    markers = []
    for ev_ in events:
        k = ev_["kind"]
        if k in ("intercept", "miss", "leak") and ev_["threat"] >= 0:
            pos = threat_at(ev_["threat"], ev_["t"])
            if pos is None:
                continue
            markers.append({"kind": k, "t": ev_["t"], "lat": round(float(pos[0]), 6), "lon": round(float(pos[1]), 6),
                            "alt": round(float(pos[2]), 1), "threat": ev_["threat"], "engagement": ev_["engagement"],
                            "detail": ev_["detail"]})
        elif k == "asset_destroyed" and 0 <= ev_["asset"] < len(assets):
            a = assets[ev_["asset"]]
            markers.append({"kind": k, "t": ev_["t"], "lat": a["lat"], "lon": a["lon"], "alt": 0.0,
                            "threat": ev_["threat"], "engagement": -1, "detail": ev_["detail"]})

    # --- tracks ---
    tt = tk["time"].astype(float)
    tid = tk["track"].astype(np.int64)
    order = np.lexsort((tt, tid))
    tk = {k: v[order] for k, v in tk.items()}
    tt, tid = tt[order], tid[order]
    classes: list[str] = []
    cls_ix: dict[str, int] = {}
    tracks = []
    for sl in _groups(tid):
        t = tt[sl]
        m = _keep(t, step, stride)
        kept += int(m.sum())
        s = _series(t[m], tk["lat_deg"][sl][m].astype(float), tk["lon_deg"][sl][m].astype(float),
                    tk["alt_m"][sl][m].astype(float))
        c = [cls_ix.setdefault(str(x), len(cls_ix)) for x in tk["class"][sl][m].tolist()]
        tracks.append({"id": int(tid[sl.start]), "cls": c, "pos_std": np.round(tk["pos_std"][sl][m].astype(float),
                                                                                1).tolist(), **s})
    classes = sorted(cls_ix, key=cls_ix.get)
    track_sidc = {c: symbols.threat_sidc(c) if c != "unknown" else symbols.GENERIC_AIR_SIDC for c in classes}

    # --- time span and bounds ---
    duration = float(lay.get("duration_s", man.get("duration_s", 0.0)) or 0.0)
    t_hi = [duration] + [o["t"][-1] for o in threats + interceptors + tracks if o["t"]]
    lats = [u["lat"] for u in assets + sensors + fire_units]
    lons = [u["lon"] for u in assets + sensors + fire_units]
    for u in sensors:
        lats += [p[0] for p in u["coverage"]]
        lons += [p[1] for p in u["coverage"]]
    for u in fire_units:
        lats += [p[0] for p in u["reach"]]
        lons += [p[1] for p in u["reach"]]
    for o in threats + interceptors:
        lats += [min(o["lat"]), max(o["lat"])]
        lons += [min(o["lon"]), max(o["lon"])]
    if not lats:
        org = lay.get("origin_deg") or [0.0, 0.0]
        lats, lons = [org[0] - 1, org[0] + 1], [org[1] - 1, org[1] + 1]

    return {
        "format": REPLAY_FORMAT, "scenario": str(lay.get("scenario", man.get("scenario", ""))),
        "seed": man.get("seed"), "iadsim_version": man.get("iadsim_version"), "epoch_utc": man.get("epoch_utc"),
        "duration_s": duration, "t0": 0.0, "t1": round(max(t_hi), 3), "sample_s": step,
        "bounds": [[min(lats), min(lons)], [max(lats), max(lons)]],
        "decimation": {"rows": int(rows), "kept": int(kept), "stride": int(stride), "max_points": int(max_points)},
        "assets": assets, "sensors": sensors, "fire_units": fire_units,
        "threats": threats, "interceptors": interceptors, "tracks": tracks,
        "track_classes": classes, "track_sidc": track_sidc,
        "engagements": eng_rows, "markers": markers, "events": events,
        "summary": {"threats": run.summary.get("threats"), "interceptors": run.summary.get("interceptors")},
    }
