"""The result of one replication: summary, tables, and the run directory they are written to.

A run directory holds ``manifest.json`` (iadsim version, run format, scenario hash, seed), ``summary.json``,
``layout.json`` (the scenario's static picture: :func:`layout`) and the Parquet tables ``events``, ``truth``
(sampled threat and interceptor states), ``tracks`` (sampled confirmed tracks) and ``engagements``.
Writing is deterministic: the same scenario and seed give the same bytes. Read a run back with
:func:`iadsim.rundir.read_run_dir`.

Summary only. The summary reads the sampled threat truth and tracks (time, id, ECEF position, and the
threats' detectability for GOSPA) and the components' counters; it never reads the tables.
``build_result(sim, wall, tables=False)`` computes exactly the same summary from those columns alone and
skips everything else (the pyarrow tables, the geodetic and ENU columns, the interceptor samples, the
track covariances, the event and engagement columns). Its :class:`RunResult` has an empty ``tables``.
Monte Carlo keeps one row per replication and asks for this with ``Simulation.run(tables=False)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.frames import ecef2enu, ecef2geodetic, enu_rotation, geodetic2ecef
from iadsim.metrics.engagement import summarize


@dataclass
class RunResult:
    """One replication's manifest, summary and tables (``pyarrow.Table`` by name)."""

    manifest: dict
    summary: dict
    tables: dict
    layout: dict | None = None

    def write(self, out_dir: str | Path) -> Path:
        """Write the run directory (module docstring); returns its path."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").write_text(json.dumps(self.manifest, indent=2, sort_keys=True) + "\n")
        (out / "summary.json").write_text(json.dumps(self.summary, indent=2, sort_keys=True) + "\n")
        if self.layout is not None:
            (out / "layout.json").write_text(json.dumps(self.layout, indent=2, sort_keys=True) + "\n")
        for name, table in self.tables.items():
            pq.write_table(table, out / f"{name}.parquet", compression="zstd")
        return out


def _stack(rows, k, width=None, dtype=float):
    if not rows:
        shape = (0,) if width is None else (0, width)
        return np.zeros(shape, dtype)
    return np.concatenate([r[k] for r in rows])


def _geo_columns(pos, c):
    """Geodetic and local east-north-up (about the scenario origin) columns of ECEF points."""
    lat, lon, alt = ecef2geodetic(pos) if len(pos) else (np.zeros(0), np.zeros(0), np.zeros(0))
    o = geodetic2ecef(c.origin_lat, c.origin_lon, c.origin_alt)
    enu = ecef2enu(np.asarray(pos, float).reshape(-1, 3), o, enu_rotation(c.origin_lat, c.origin_lon))
    return {"lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "alt_m": np.asarray(alt, float),
            "east": enu[:, 0], "north": enu[:, 1], "up": enu[:, 2]}


def _metric_columns(sim):
    """The columns the summary metrics read: threat truth samples in (time, id) order and track samples.

    The threat rows are in the order the ``truth`` table gives them (time, then object, then id), so the
    GOSPA frames are the same with or without the tables."""
    t_t = _stack(sim.truth_rows, 0)
    i_t = _stack(sim.truth_rows, 1, dtype=np.int64)
    p_t = _stack(sim.truth_rows, 2, 3)
    d_t = _stack(sim.truth_rows, 4, dtype=bool)
    order = np.lexsort((i_t, t_t))
    truth = {"time": t_t[order], "id": i_t[order], "x": p_t[order, 0], "y": p_t[order, 1],
             "z": p_t[order, 2], "detectable": d_t[order]}
    tk_x = _stack(sim.track_rows, 2, 6)
    tracks = {"time": _stack(sim.track_rows, 0), "track": _stack(sim.track_rows, 1, dtype=np.int64),
              "x": tk_x[:, 0], "y": tk_x[:, 1], "z": tk_x[:, 2]}
    return truth, tracks


def _manifest(sim) -> dict:
    from iadsim import __version__

    c = sim.c
    from iadsim.rundir import RUN_FORMAT

    return {"iadsim_version": __version__, "run_format": RUN_FORMAT, "scenario": c.scenario.name,
            "scenario_file": c.source,
            "scenario_hash": c.scenario_hash, "seed": sim.seed,
            "epoch_utc": c.scenario.start.isoformat(),
            "origin_deg": [float(np.degrees(c.origin_lat)), float(np.degrees(c.origin_lon)), c.origin_alt]}


def build_result(sim, wall_time: float, tables: bool = True) -> RunResult:
    """Assemble the :class:`RunResult` of a finished :class:`~iadsim.engine.simulation.Simulation`.

    ``tables=False``: the summary only (module docstring), the same numbers, no tables."""
    m_truth, m_tracks = _metric_columns(sim)
    summary = summarize(sim, wall_time, m_truth, m_tracks)
    if not tables:
        return RunResult(manifest=_manifest(sim), summary=summary, tables={})
    return RunResult(manifest=_manifest(sim), summary=summary, tables=_tables(sim), layout=layout(sim))


def layout(sim) -> dict:
    """The scenario's static picture for reports and replays (JSON-ready, degrees and metres): the origin;
    assets (position, value, hardness); sensors (type, role, position, facing and azimuth width, instrumented
    and reference detection range); fire units (interceptor type and layer, position, rounds, fire channels,
    linked sensors, the envelope's maximum ground range and altitude from the flown table); raids (threat
    type and class, launch-area centre and radius, launch window)."""
    c = sim.c
    deg = np.degrees
    a = c.assets
    assets = [{"name": a.names[i], "lat_deg": float(deg(a.lat[i])), "lon_deg": float(deg(a.lon[i])),
               "alt_m": float(a.alt[i]), "value": float(a.value[i]), "hardness": float(a.hardness[i])}
              for i in range(len(a.names))]
    sensors = [{"name": r.name, "type": r.type_name, "role": r.spec.role, "lat_deg": float(deg(r.lat)),
                "lon_deg": float(deg(r.lon)), "alt_m": float(r.alt), "facing_deg": float(deg(r.facing)),
                "azimuth_width_deg": float(deg(r.spec.azimuth_width)),
                "instrumented_range_m": float(r.spec.instrumented_range),
                "detection_range_m": float(r.spec.detection_range), "reference_rcs_m2": float(r.spec.reference_rcs)}
               for r in c.radars]
    fu = c.fire_units
    env = sim.kin.env
    fire_units = []
    for f in range(len(fu)):
        k = int(fu.type_index[f])
        tname, spec = c.interceptor_types[k]
        tab = env.tables[k]
        fire_units.append({
            "name": fu.names[f], "interceptor": tname, "layer": spec.layer, "lat_deg": float(deg(fu.lat[f])),
            "lon_deg": float(deg(fu.lon[f])), "alt_m": float(fu.alt[f]),
            "rounds": int(fu.launchers[f] * fu.missiles_per_launcher[f] + fu.reserve[f]),
            "launchers": int(fu.launchers[f]), "missiles_per_launcher": int(fu.missiles_per_launcher[f]),
            "reserve": int(fu.reserve[f]), "fire_channels": int(fu.fire_channels[f]),
            "sensors": [c.radars[j].name for j in fu.radars[f]],
            "max_range_m": float(tab.max_range),
            "max_alt_m": float(np.max(np.where(tab.feasible, tab.h[None, :], -np.inf), initial=0.0)),
            "cost": float(spec.cost)})
    raids = []
    for r in c.raids:
        tname, spec = c.threat_types[r.threat_type]
        raids.append({"name": r.name, "threat": tname, "class": spec.kind,
                      "count": int(r.count), "lat_deg": float(deg(r.center_lat)), "lon_deg": float(deg(r.center_lon)),
                      "radius_m": float(r.radius), "t_start_s": float(r.t_start), "t_end_s": float(r.t_end),
                      "targets": [a.names[int(i)] for i in r.targets]})
    return {"scenario": c.scenario.name, "duration_s": float(c.duration),
            "origin_deg": [float(deg(c.origin_lat)), float(deg(c.origin_lon)), float(c.origin_alt)],
            "assets": assets, "sensors": sensors, "fire_units": fire_units, "raids": raids}


def _tables(sim) -> dict:
    """The Parquet tables of a run (module docstring)."""
    from iadsim.scenario.catalog_models import THREAT_CLASSES

    c = sim.c
    th = sim.threats
    # truth: threats then interceptors, ordered by time then object
    t_t = _stack(sim.truth_rows, 0)
    i_t = _stack(sim.truth_rows, 1, dtype=np.int64)
    p_t = _stack(sim.truth_rows, 2, 3)
    v_t = _stack(sim.truth_rows, 3, 3)
    d_t = _stack(sim.truth_rows, 4, dtype=bool)
    t_i = _stack(sim.interceptor_rows, 0)
    i_i = _stack(sim.interceptor_rows, 1, dtype=np.int64)
    p_i = _stack(sim.interceptor_rows, 2, 3)
    truth_cols = {
        "time": np.concatenate([t_t, t_i]),
        "object": np.concatenate([np.full(t_t.size, "threat"), np.full(t_i.size, "interceptor")]),
        "id": np.concatenate([i_t, i_i]),
        "class": np.concatenate([_display_class(th, i_t), np.full(t_i.size, "interceptor", dtype=object)]),
        "x": np.concatenate([p_t[:, 0], p_i[:, 0]]), "y": np.concatenate([p_t[:, 1], p_i[:, 1]]),
        "z": np.concatenate([p_t[:, 2], p_i[:, 2]]),
        "vx": np.concatenate([v_t[:, 0], np.full(t_i.size, np.nan)]),
        "vy": np.concatenate([v_t[:, 1], np.full(t_i.size, np.nan)]),
        "vz": np.concatenate([v_t[:, 2], np.full(t_i.size, np.nan)]),
        "detectable": np.concatenate([d_t, np.zeros(t_i.size, bool)]),
    }
    order = np.lexsort((truth_cols["id"], truth_cols["object"], truth_cols["time"]))
    truth_cols = {k: np.asarray(v)[order] for k, v in truth_cols.items()}
    truth_cols.update(_geo_columns(np.stack([truth_cols["x"], truth_cols["y"], truth_cols["z"]], -1), c))

    tk_t = _stack(sim.track_rows, 0)
    tk_id = _stack(sim.track_rows, 1, dtype=np.int64)
    tk_x = _stack(sim.track_rows, 2, 6)
    tk_P = np.concatenate([r[3] for r in sim.track_rows]) if sim.track_rows else np.zeros((0, 6, 6))
    tk_cls = _stack(sim.track_rows, 4, dtype=np.int8)
    tracks_cols = {"time": tk_t, "track": tk_id, "x": tk_x[:, 0], "y": tk_x[:, 1], "z": tk_x[:, 2],
                   "vx": tk_x[:, 3], "vy": tk_x[:, 4], "vz": tk_x[:, 5],
                   "pos_std": np.sqrt(np.clip(np.trace(tk_P[:, :3, :3], axis1=1, axis2=2), 0, None)),
                   "class": np.array([THREAT_CLASSES[k] if k >= 0 else "unknown" for k in tk_cls.tolist()],
                                     dtype=object)}
    tracks_cols.update(_geo_columns(tk_x[:, :3], c))

    ev = sim.log.events
    order = np.argsort(np.asarray(ev["time"], float), kind="stable")
    events_cols = {k: np.asarray(v, dtype=object if k in ("kind", "detail") else None)[order]
                   for k, v in ev.items()}
    events_cols["threat_class"] = np.array(
        [THREAT_CLASSES[th.cls[i]] if i >= 0 else "" for i in events_cols["threat"].tolist()], dtype=object)
    names = c.fire_units.names
    events_cols["fire_unit_name"] = np.array([names[f] if f >= 0 else "" for f in events_cols["fire_unit"].tolist()],
                                             dtype=object)
    anames = c.assets.names
    events_cols["asset_name"] = np.array([anames[a] if a >= 0 else "" for a in events_cols["asset"].tolist()],
                                         dtype=object)
    strings = ("interceptor", "result", "guidance_phase", "end_reason")
    eng = {k: np.asarray(v, dtype=object if k in strings else None) for k, v in sim.engagements.cols.items()}
    eng["fire_unit_name"] = np.array([names[f] for f in eng["fire_unit"].tolist()], dtype=object)

    return {
        "events": _table(events_cols, {"threat": pa.int64(), "track": pa.int64(),
                                       "fire_unit": pa.int64(), "engagement": pa.int64(), "asset": pa.int64()}),
        "truth": _table(truth_cols, {"id": pa.int64()}),
        "tracks": _table(tracks_cols, {"track": pa.int64()}),
        "engagements": _table(eng, {"engagement": pa.int64(), "fire_unit": pa.int64(), "track": pa.int64(),
                                    "salvo": pa.int64(), "threat": pa.int64()}),
    }


def _display_class(th, idx) -> np.ndarray:
    """The truth table's ``class`` of objects ``idx``: the threat class, or the role of an object that is not
    a threat (``decoy``, ``stage``)."""
    from iadsim.scenario.catalog_models import THREAT_CLASSES
    from iadsim.threats.ballistic_raid import ROLE_NAMES

    if not idx.size:
        return np.zeros(0, object)
    out = np.array(THREAT_CLASSES, dtype=object)[th.cls[idx]]
    role = th.role[idx]
    out[role > 0] = np.array(ROLE_NAMES, dtype=object)[role[role > 0]]
    return out


def _table(cols: dict, ints: dict) -> pa.Table:
    arrays = {}
    for k, v in cols.items():
        v = np.asarray(v)
        if v.dtype == bool:
            arrays[k] = pa.array(v, type=pa.bool_())
        elif k in ints:
            arrays[k] = pa.array(v.astype(np.int64) if v.size else np.zeros(0, np.int64), type=ints[k])
        elif v.dtype == object or v.dtype.kind in "US":
            arrays[k] = pa.array([str(x) for x in v.tolist()], type=pa.string())
        else:
            arrays[k] = pa.array(v.astype(np.float64), type=pa.float64())
    return pa.table(arrays)
