"""The result of one replication: summary, tables, and the run directory they are written to.

A run directory holds ``manifest.json`` (iadsim version, scenario hash, seed), ``summary.json`` and the
Parquet tables ``events``, ``truth`` (sampled threat and interceptor states), ``tracks`` (sampled confirmed
tracks) and ``engagements``. Writing is deterministic: the same scenario and seed give the same bytes.

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

    def write(self, out_dir: str | Path) -> Path:
        """Write the run directory (module docstring); returns its path."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").write_text(json.dumps(self.manifest, indent=2, sort_keys=True) + "\n")
        (out / "summary.json").write_text(json.dumps(self.summary, indent=2, sort_keys=True) + "\n")
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
    return {"iadsim_version": __version__, "scenario": c.scenario.name, "scenario_file": c.source,
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
    return RunResult(manifest=_manifest(sim), summary=summary, tables=_tables(sim))


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
        "class": np.concatenate([np.array(THREAT_CLASSES, dtype=object)[th.cls[i_t]] if i_t.size else
                                 np.zeros(0, object), np.full(t_i.size, "interceptor", dtype=object)]),
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
