"""What the report plots, derived from a checked run directory (:func:`iadsim.rundir.read_run_dir`).

Everything here is read from the run's own files; nothing is simulated again.

* **Frames.** Positions on the map are in the scenario's east-north-up frame about ``layout.origin_deg``
  (the frame of the ``east``/``north``/``up`` columns of the tables); layout objects are converted with
  :mod:`iadsim.frames` (WGS-84).
* **Intercept and leak points.** The truth table samples a threat every ``truth_sample`` seconds while it
  flies, so the point where it was killed or arrived lies after its last sample. It is dead-reckoned from
  the last sample at or before that time with the sampled ECEF velocity, ``p(t) = p_k + v_k (t - t_k)``,
  over less than one sample interval (the gravity term left out is ``g dt^2 / 2``, about 120 m for 5 s).
  The ground range of an intercept is measured in its fire unit's own ENU frame (horizontal part).
* **Track quality.** The GOSPA frames are the summary's own (:func:`iadsim.metrics.engagement._frames` on the
  truth and tracks tables, cut-off :data:`iadsim.metrics.engagement.GOSPA_C`) and each frame is solved by
  :func:`iadsim.metrics.tracking.gospa`, so the mean of the plotted totals is the ``gospa_mean_m`` of
  ``summary.json``. The tracker's error against truth is the 3-D position error of each truth-track pair of
  that assignment, shown with the track's own ``pos_std = sqrt(tr P_pos)``, which is the expected RMS of that
  error for a consistent filter (Bar-Shalom, Li, Kirubarajan, *Estimation with Applications to Tracking
  and Navigation*, 2001, sect. 5.4).
* **Magazines.** Ready rounds start at ``launchers * missiles_per_launcher``; each ``interceptor_launch``
  event takes one; each ``reload`` event (detail ``launcher i: +n``) moves ``n`` from the reserve to the
  launchers. **Fire channels** are held from the launch order (``t_decision``, when the fire unit commits
  the channel and the rounds) to the engagement's end (``t_complete``; still held at the end of the run when
  it never completed), as in :mod:`iadsim.engagement.fire_units`.

Bad or foreign content (a missing column, a layout entry without a field, an unreadable reload detail)
raises :class:`~iadsim.errors.InputError` naming the file and what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from iadsim.errors import InputError
from iadsim.frames import ecef2enu, enu_rotation, geodetic2ecef

TRUTH_COLUMNS = ("time", "object", "id", "class", "x", "y", "z", "vx", "vy", "vz", "detectable", "east", "north",
                 "up")
TRACK_COLUMNS = ("time", "track", "x", "y", "z", "pos_std")
EVENT_COLUMNS = ("time", "kind", "threat", "fire_unit", "engagement", "detail", "threat_class")
ENGAGEMENT_COLUMNS = ("engagement", "fire_unit", "t_decision", "t_launch", "t_intercept", "t_complete", "threat",
                      "result", "intercept_alt")
LAYOUT_FIELDS = {
    "assets": ("name", "lat_deg", "lon_deg", "alt_m", "value"),
    "sensors": ("name", "role", "lat_deg", "lon_deg", "alt_m", "facing_deg", "azimuth_width_deg",
                "detection_range_m"),
    "fire_units": ("name", "interceptor", "layer", "lat_deg", "lon_deg", "alt_m", "rounds", "launchers",
                   "missiles_per_launcher", "reserve", "fire_channels", "max_range_m", "max_alt_m"),
    "raids": ("name", "class"),
}
_RELOAD = re.compile(r"\+(\d+)\s*$")


def columns(run, name: str, needed: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The columns ``needed`` of table ``name`` as numpy arrays; a missing column is one InputError."""
    table = run.table(name)
    missing = [c for c in needed if c not in table.column_names]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=str(run.path / f"{name}.parquet"))
    return {c: table.column(c).to_numpy(zero_copy_only=False) for c in needed}


def check_layout(run) -> dict:
    """``run.layout`` after checking the fields the report reads (one InputError naming the first gap)."""
    lay = run.layout
    where = str(run.path / "layout.json")
    o = lay.get("origin_deg")
    if not (isinstance(o, list) and len(o) == 3):
        raise InputError("expected [lat, lon, alt]", file=where, field="origin_deg")
    if not isinstance(lay.get("duration_s"), int | float):
        raise InputError("missing or not a number", file=where, field="duration_s")
    for group, fields in LAYOUT_FIELDS.items():
        items = lay.get(group)
        if not isinstance(items, list):
            raise InputError("missing or not a list", file=where, field=group)
        for i, item in enumerate(items):
            gone = [f for f in fields if not isinstance(item, dict) or f not in item]
            if gone:
                raise InputError(f"missing {', '.join(gone)}", file=where, field=f"{group}[{i}]")
    return lay


@dataclass(frozen=True)
class Frame:
    """The scenario's ENU frame about the layout origin: ``enu(xyz)`` for ECEF points, ``geo`` for layout points."""

    origin: np.ndarray
    C: np.ndarray

    @classmethod
    def of(cls, layout: dict) -> Frame:
        lat, lon, alt = layout["origin_deg"]
        return cls(geodetic2ecef(np.radians(lat), np.radians(lon), alt), enu_rotation(np.radians(lat),
                                                                                        np.radians(lon)))

    def enu(self, xyz) -> np.ndarray:
        return ecef2enu(np.asarray(xyz, float).reshape(-1, 3), self.origin, self.C)

    def geo(self, items: list[dict]) -> np.ndarray:
        """ENU ``(n, 3)`` of layout entries with ``lat_deg``, ``lon_deg``, ``alt_m``."""
        if not items:
            return np.zeros((0, 3))
        lat = np.radians([it["lat_deg"] for it in items])
        lon = np.radians([it["lon_deg"] for it in items])
        alt = np.array([it["alt_m"] for it in items], float)
        return self.enu(geodetic2ecef(lat, lon, alt))


def threat_positions_at(truth: dict, ids, times) -> np.ndarray:
    """ECEF ``(n, 3)`` of threats ``ids`` at ``times``, dead-reckoned from their last sample (module docstring).

    A threat with no sample before the time uses its first sample; one never sampled gives NaN."""
    is_t = truth["object"] == "threat"
    tid, tt = truth["id"][is_t], truth["time"][is_t]
    p = np.stack([truth["x"], truth["y"], truth["z"]], -1)[is_t]
    v = np.stack([truth["vx"], truth["vy"], truth["vz"]], -1)[is_t]
    order = np.lexsort((tt, tid))
    tid, tt, p, v = tid[order], tt[order], p[order], v[order]
    ids = np.asarray(ids, np.int64)
    times = np.asarray(times, float)
    out = np.full((ids.size, 3), np.nan)
    lo = np.searchsorted(tid, ids, "left")
    hi = np.searchsorted(tid, ids, "right")
    for q in range(ids.size):  # one query per intercept or leak: few
        if hi[q] == lo[q]:
            continue
        k = lo[q] + max(int(np.searchsorted(tt[lo[q]:hi[q]], times[q], "right")) - 1, 0)
        out[q] = p[k] + v[k] * (times[q] - tt[k])
    return out


def paths(truth: dict, obj: str):
    """``{id: (class, (k, 2) east/north metres)}`` of the sampled paths of ``obj`` (``threat``/``interceptor``)."""
    m = truth["object"] == obj
    ids, t = truth["id"][m], truth["time"][m]
    en = np.stack([truth["east"], truth["north"]], -1)[m]
    cls = truth["class"][m]
    if not ids.size:
        return {}
    order = np.lexsort((t, ids))
    ids, en, cls = ids[order], en[order], cls[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], ids.size]
    return {int(ids[a]): (str(cls[a]), en[a:b]) for a, b in zip(starts, ends, strict=True)}


@dataclass(frozen=True)
class TrackingSeries:
    """Per GOSPA frame: ``time``, ``total`` (m), ``localisation_rms`` (m, NaN without pairs), ``n_missed``,
    ``n_false``; per truth-track pair: ``pair_time``, ``pair_error`` (m), ``pair_sigma`` (the track's
    ``pos_std``, m), ``pair_class``."""

    time: np.ndarray
    total: np.ndarray
    localisation: np.ndarray
    localisation_rms: np.ndarray
    n_missed: np.ndarray
    n_false: np.ndarray
    pair_time: np.ndarray
    pair_error: np.ndarray
    pair_sigma: np.ndarray
    pair_class: np.ndarray
    cutoff: float


def tracking_series(truth: dict, tracks: dict) -> TrackingSeries:
    """GOSPA parts over time and the tracker's error against truth (module docstring)."""
    from iadsim.metrics.engagement import GOSPA_C, _frames
    from iadsim.metrics.tracking import gospa

    # the summary's frames, labelled by row number so that every pair maps back to its truth and track rows
    truth_rows = dict(truth, id=np.arange(truth["time"].size))
    track_rows = dict(tracks, track=np.arange(tracks["time"].size))
    ft, tot, loc, nm, nf, npairs = [], [], [], [], [], []
    pt, pe, ps, pc = [], [], [], []
    for ti, tp, ki, kp in _frames(truth_rows, track_rows):
        g = gospa(tp, kp, GOSPA_C)
        ft.append(truth["time"][ti[0]] if len(ti) else tracks["time"][ki[0]])
        tot.append(g.total)
        loc.append(g.localisation)
        nm.append(g.n_missed)
        nf.append(g.n_false)
        npairs.append(len(g.pairs))
        if g.pairs:
            i, j = np.array(g.pairs).T
            pt.append(np.full(i.size, ft[-1]))
            pe.append(np.linalg.norm(tp[i] - kp[j], axis=-1))
            ps.append(tracks["pos_std"][ki[j]])
            pc.append(truth["class"][ti[i]])
    loc = np.asarray(loc, float)
    npairs = np.asarray(npairs, int)
    rms = np.where(npairs > 0, np.sqrt(loc / np.maximum(npairs, 1)), np.nan)

    def cat(parts, dtype=float):
        return np.concatenate(parts) if parts else np.zeros(0, dtype)

    return TrackingSeries(np.asarray(ft, float), np.asarray(tot, float), loc, rms, np.asarray(nm, int),
                          np.asarray(nf, int), cat(pt), cat(pe), cat(ps), cat(pc, object), float(GOSPA_C))


@dataclass(frozen=True)
class UnitSeries:
    """One fire unit over time: step functions (value holds from ``t[k]`` to ``t[k+1]``)."""

    name: str
    t_rounds: np.ndarray
    ready: np.ndarray
    total: np.ndarray
    t_channels: np.ndarray
    channels: np.ndarray
    fire_channels: int


def unit_series(run, layout: dict, events: dict, eng: dict) -> list[UnitSeries]:
    """Magazine and fire-channel use of every fire unit over the run (module docstring)."""
    end = float(layout["duration_s"])
    out = []
    kinds = events["kind"]
    for f, fu in enumerate(layout["fire_units"]):
        ready = int(fu["launchers"]) * int(fu["missiles_per_launcher"])
        reserve = int(fu["reserve"])
        t, r, tot = [0.0], [ready], [ready + reserve]
        for k in np.flatnonzero((events["fire_unit"] == f) & np.isin(kinds, ("interceptor_launch", "reload"))):
            if kinds[k] == "interceptor_launch":
                ready -= 1
            else:
                m = _RELOAD.search(str(events["detail"][k]))
                if m is None:
                    raise InputError(f"reload event at t = {events['time'][k]:.1f} s: detail "
                                     f"{events['detail'][k]!r} does not end in '+<rounds>'",
                                     file=str(run.path / "events.parquet"))
                ready += int(m.group(1))
                reserve -= int(m.group(1))
            t.append(float(events["time"][k]))
            r.append(ready)
            tot.append(ready + reserve)
        t.append(end)
        r.append(ready)
        tot.append(ready + reserve)
        mine = eng["fire_unit"] == f
        t0 = eng["t_decision"][mine]
        t1 = np.where(np.isfinite(eng["t_complete"][mine]), eng["t_complete"][mine], end)
        # releases before takes at equal times: a channel freed and taken again in the same instant
        times = np.r_[t1, t0]
        steps = np.r_[-np.ones(t1.size, int), np.ones(t0.size, int)]
        order = np.lexsort((steps, times))
        tc = np.r_[0.0, times[order], end]
        busy = np.r_[0, np.cumsum(steps[order]), 0]
        busy[-1] = busy[-2]
        out.append(UnitSeries(fu["name"], np.asarray(t), np.asarray(r), np.asarray(tot), tc, busy,
                              int(fu["fire_channels"])))
    return out


@dataclass(frozen=True)
class Intercepts:
    """Per engagement that reached a closest approach on a threat: layer, result, ground range from its fire
    unit (m), altitude of the interceptor at the closest approach (m), and the point on the map (east, north m)."""

    layer: np.ndarray
    result: np.ndarray
    ground_range: np.ndarray
    altitude: np.ndarray
    east_north: np.ndarray


def intercepts(layout: dict, frame: Frame, truth: dict, eng: dict) -> Intercepts:
    """Intercept geometry of the engagements (module docstring)."""
    ok = np.isfinite(eng["t_intercept"]) & (eng["threat"] >= 0)
    f = eng["fire_unit"][ok].astype(int)
    xyz = threat_positions_at(truth, eng["threat"][ok], eng["t_intercept"][ok])
    fus = layout["fire_units"]
    rng = np.full(f.size, np.nan)
    if f.size:
        fu_xyz = geodetic2ecef(np.radians([u["lat_deg"] for u in fus]), np.radians([u["lon_deg"] for u in fus]),
                               np.array([u["alt_m"] for u in fus], float)).reshape(-1, 3)
        for k in range(f.size):
            u = fus[f[k]]
            enu = ecef2enu(xyz[k:k + 1], fu_xyz[f[k]], enu_rotation(np.radians(u["lat_deg"]),
                                                                    np.radians(u["lon_deg"])))
            rng[k] = float(np.hypot(enu[0, 0], enu[0, 1]))
    layers = np.array([fus[k]["layer"] for k in f], dtype=object)
    en = frame.enu(xyz)[:, :2] if f.size else np.zeros((0, 2))
    return Intercepts(layers, eng["result"][ok].astype(object), rng, eng["intercept_alt"][ok].astype(float), en)


def palette(names) -> dict[str, str]:
    """A colour per name (threat class, layer, ...): the names sorted, given matplotlib's ``tab10`` colours in
    turn (cycling after ten), so any new class gets a colour and the same names always get the same ones."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    colors = [to_hex(c) for c in colormaps["tab10"].colors]
    return {n: colors[i % len(colors)] for i, n in enumerate(sorted(set(map(str, names))))}
