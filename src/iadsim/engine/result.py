"""The result of one replication: summary, tables, and the run directory they are written to.

A run directory holds ``manifest.json`` (iadsim version, run format, scenario hash, seed), ``summary.json``,
``layout.json`` (the scenario's static picture: :func:`layout`) and the Parquet tables ``events``, ``truth``
(sampled threat and interceptor states), ``tracks`` (sampled confirmed tracks) and ``engagements``. Every
Parquet field carries its ``unit`` and ``description`` in its field metadata (:data:`COLUMN_DOCS`).
Writing is deterministic: the same scenario and seed give the same bytes in every file, except the wall-clock
times in ``summary.json`` (``time.wall_s``, ``time.speedup``, ``time.phases``). Read a run back with
:func:`iadsim.rundir.read_run_dir`.

Summary only. The summary reads the sampled threat truth and tracks (time, id, ECEF position, and the
threats' detectability for GOSPA) and the components' counters; it never reads the tables.
``build_result(sim, wall, tables=False)`` computes exactly the same summary from those columns alone and
skips everything else (the pyarrow tables, the geodetic and ENU columns, the interceptor samples, the
tracks' position uncertainty, the event and engagement columns). The samples keep a track's position
uncertainty (``pos_std``, the root of the trace of its position covariance), not the covariance. Its
:class:`RunResult` has an empty ``tables``.
Monte Carlo keeps one row per replication and asks for this with ``Simulation.run(tables=False)``.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.frames import ecef2geodetic, enu_rotation, geodetic2ecef
from iadsim.metrics.engagement import summarize


@dataclass
class RunResult:
    """One replication's manifest, summary and tables (``pyarrow.Table`` by name)."""

    manifest: dict
    summary: dict
    tables: dict
    layout: dict | None = None

    def write(self, out_dir: str | Path, *, overwrite: bool = True) -> Path:
        """Write the run directory (module docstring); returns its path.

        The files are written into a temporary directory beside ``out_dir``, which then replaces it whole
        (:func:`iadsim.outputs.replace_dir`): no file of an older run survives. ``overwrite=False`` refuses an
        existing non-empty ``out_dir``. ``summary.json`` is written last, its ``time`` completed with the
        write phase (``time.wall_s`` is then load to written outputs)."""
        from iadsim.fileio import dumps_json
        from iadsim.outputs import replace_dir, temp_dir_beside

        t0 = time.perf_counter()
        out = Path(out_dir)
        if not overwrite:
            from iadsim.outputs import check_output_dir

            check_output_dir(out, overwrite=False)
        tmp = temp_dir_beside(out)
        try:
            (tmp / "manifest.json").write_text(dumps_json(self.manifest, indent=2, sort_keys=True) + "\n")
            if self.layout is not None:
                (tmp / "layout.json").write_text(dumps_json(self.layout, indent=2, sort_keys=True) + "\n")
            for name, table in self.tables.items():
                # dictionary encoding only where values repeat (the string columns: kinds, classes, names); on
                # the float columns it is tried, given up and costs 2-3x the write time (and larger files)
                strings = [f.name for f in table.schema if pa.types.is_string(f.type)]
                pq.write_table(table, tmp / f"{name}.parquet", compression="zstd", use_dictionary=strings)
            set_time(self.summary, {"write_s": time.perf_counter() - t0})
            (tmp / "summary.json").write_text(dumps_json(self.summary, indent=2, sort_keys=True) + "\n")
            replace_dir(tmp, out, overwrite=overwrite)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return out


#: the wall-clock phases of ``summary["time"]["phases"]``, in order
PHASES = ("load_s", "precompute_s", "loop_s", "metrics_s", "write_s")


def set_time(summary: dict, phases: dict) -> None:
    """Merge ``phases`` into ``summary["time"]["phases"]`` and recompute ``wall_s`` (their sum: the command
    from reading the scenario to the written outputs) and ``speedup``."""
    tm = summary["time"]
    ph = tm.setdefault("phases", {})
    ph.update({k: float(v) for k, v in phases.items()})
    tm["phases"] = {k: ph.get(k, 0.0) for k in PHASES}
    wall = sum(tm["phases"].values())
    tm["wall_s"] = wall
    tm["speedup"] = tm["simulated_s"] / wall if wall > 0 else None


def _stack(rows, k, width=None, dtype=float):
    if not rows:
        shape = (0,) if width is None else (0, width)
        return np.zeros(shape, dtype)
    return np.concatenate([r[k] for r in rows])


#: the sample columns of a run: name -> (list of sample rows on the simulation, field, width, dtype)
_SAMPLE_COLUMNS = {
    "truth_t": ("truth_rows", 0, None, float), "truth_id": ("truth_rows", 1, None, np.int64),
    "truth_pos": ("truth_rows", 2, 3, float), "truth_vel": ("truth_rows", 3, 3, float),
    "truth_det": ("truth_rows", 4, None, bool),
    "icpt_t": ("interceptor_rows", 0, None, float), "icpt_id": ("interceptor_rows", 1, None, np.int64),
    "icpt_pos": ("interceptor_rows", 2, 3, float),
    "track_t": ("track_rows", 0, None, float), "track_id": ("track_rows", 1, None, np.int64),
    "track_x": ("track_rows", 2, 6, float), "track_pos_std": ("track_rows", 3, None, float),
    "track_cls": ("track_rows", 4, None, np.int8),
}


class _Samples:
    """The simulation's sample rows stacked into columns, each once and only when asked for (the summary
    metrics and the tables read the same ones; a summary-only build never stacks the rest)."""

    def __init__(self, sim):
        self.sim = sim
        self._cols: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cols:
            rows, k, width, dtype = _SAMPLE_COLUMNS[name]
            self._cols[name] = _stack(getattr(self.sim, rows), k, width, dtype)
        return self._cols[name]


def _geo_columns(pos, c):
    """Geodetic and local east-north-up (about the scenario origin) columns of ECEF points."""
    lat, lon, alt = ecef2geodetic(pos) if len(pos) else (np.zeros(0), np.zeros(0), np.zeros(0))
    o = geodetic2ecef(c.origin_lat, c.origin_lon, c.origin_alt)
    C = enu_rotation(c.origin_lat, c.origin_lon)
    d = np.asarray(pos, float).reshape(-1, 3) - o
    # the rotation of frames.ecef2enu written out per component (equal to round-off, tested): OpenBLAS's
    # (N, 3) @ (3, 3) product was the slowest step of the geodetic columns on the truth table
    east, north, up = (d[:, 0] * C[k, 0] + d[:, 1] * C[k, 1] + d[:, 2] * C[k, 2] for k in range(3))
    return {"lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "alt_m": np.asarray(alt, float),
            "east": east, "north": north, "up": up}


def _metric_columns(smp: _Samples):
    """The columns the summary metrics read: threat truth samples in (time, id) order and track samples.

    The threat rows are in the order the ``truth`` table gives them (time, then object, then id), so the
    GOSPA frames are the same with or without the tables."""
    t_t, i_t, p_t, d_t = smp["truth_t"], smp["truth_id"], smp["truth_pos"], smp["truth_det"]
    order = np.lexsort((i_t, t_t))
    truth = {"time": t_t[order], "id": i_t[order], "x": p_t[order, 0], "y": p_t[order, 1],
             "z": p_t[order, 2], "detectable": d_t[order]}
    tk_x = smp["track_x"]
    tracks = {"time": smp["track_t"], "track": smp["track_id"], "x": tk_x[:, 0], "y": tk_x[:, 1], "z": tk_x[:, 2]}
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


def build_result(sim, wall_time: float | None = None, tables: bool = True) -> RunResult:
    """Assemble the :class:`RunResult` of a finished :class:`~iadsim.engine.simulation.Simulation`.

    ``tables=False``: the summary only (module docstring), the same numbers, no tables. The summary's
    ``time.phases`` are the simulation's (``sim.phases``; ``wall_time``, if given, replaces the loop's) plus
    this build (``metrics_s``: summary metrics and tables); :meth:`RunResult.write` adds ``write_s``."""
    t0 = time.perf_counter()
    smp = _Samples(sim)
    m_truth, m_tracks = _metric_columns(smp)
    summary = summarize(sim, 0.0, m_truth, m_tracks)
    del m_truth, m_tracks  # ordered copies: the tables gather their own, batch by batch
    phases = dict(getattr(sim, "phases", {}))
    if wall_time is not None:
        phases["loop_s"] = wall_time
    if not tables:
        res = RunResult(manifest=_manifest(sim), summary=summary, tables={})
    else:
        res = RunResult(manifest=_manifest(sim), summary=summary, tables=_tables(sim, smp),
                        layout=layout(sim))
    phases["metrics_s"] = time.perf_counter() - t0
    set_time(summary, phases)
    return res


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
                      "targets": [(c.aim_points or a).names[int(i)] for i in r.targets]})
    return {"scenario": c.scenario.name, "duration_s": float(c.duration),
            "origin_deg": [float(deg(c.origin_lat)), float(deg(c.origin_lon)), float(c.origin_alt)],
            "assets": assets, "sensors": sensors, "fire_units": fire_units, "raids": raids}


#: rows per record batch of the large tables: their columns are gathered, converted and appended one batch at
#: a time, so the build holds the stacked samples, the finished Arrow columns and one batch, not every column
#: twice over (issue 9: peak memory at sixteen times the layered raid)
BATCH_ROWS = 1 << 18


def _strings(codes: np.ndarray, vocabulary) -> pa.Array:
    """A string column from integer ``codes`` into ``vocabulary``, its buffers built in numpy (no Python string
    per row, and no Arrow compute kernel: importing ``pyarrow.compute`` alone costs ~30 ms per process): the
    offsets are the running sum of the rows' byte lengths and the data the rows' bytes gathered from the
    vocabulary's."""
    enc = [str(v).encode() for v in vocabulary]
    lens = np.array([len(b) for b in enc], np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
    codes = np.asarray(codes, np.int64)
    n = codes.size
    if n and (codes.min() < 0 or codes.max() >= len(enc)):
        raise ValueError(f"string codes outside 0..{len(enc) - 1}")
    row_len = lens[codes]
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(row_len, out=offsets[1:])
    blob = np.frombuffer(b"".join(enc), np.uint8)
    data = blob[np.repeat(starts[codes] - offsets[:-1], row_len) + np.arange(offsets[-1])]
    if offsets[-1] >= 2 ** 31:  # a string column holds under 2 GiB (its rows are batched: BATCH_ROWS)
        raise ValueError(f"string column of {offsets[-1]} bytes: more than a string array holds")
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data))


def _batched_table(n: int, rows_of, docs: dict) -> pa.Table:
    """A table of ``n`` rows from ``rows_of(sel)``, which gives the columns (numpy or Arrow) of the rows at
    positions ``sel`` (a slice) in table order, one :data:`BATCH_ROWS` batch at a time."""
    batches = []
    for lo in range(0, max(n, 1), BATCH_ROWS):
        cols = rows_of(slice(lo, min(lo + BATCH_ROWS, n)))
        batches.append(_table(cols, {k: pa.int64() for k, v in cols.items() if isinstance(v, np.ndarray)
                                     and v.dtype.kind in "iu"}, docs))
    return pa.concat_tables(batches) if len(batches) > 1 else batches[0]


def _truth_table(sim, smp: _Samples) -> pa.Table:
    """Threat then interceptor samples, ordered by time, then object (``interceptor`` before ``threat``, as the
    strings sort), then id."""
    from iadsim.scenario.catalog_models import THREAT_CLASSES
    from iadsim.threats.ballistic_raid import ROLE_NAMES

    c = sim.c
    th = sim.threats
    t_t, i_t, t_i, i_i = smp["truth_t"], smp["truth_id"], smp["icpt_t"], smp["icpt_id"]
    n_t, n_i = t_t.size, t_i.size
    time_ = np.concatenate([t_t, t_i])
    ident = np.concatenate([i_t, i_i])
    is_threat = np.concatenate([np.ones(n_t, np.int8), np.zeros(n_i, np.int8)])
    order = np.lexsort((ident, is_threat, time_))
    # class codes into THREAT_CLASSES + ROLE_NAMES + ("interceptor",): the role of a released object that is
    # no threat (decoy, stage) replaces its class
    vocabulary = THREAT_CLASSES + ROLE_NAMES + ("interceptor",)
    cls = np.full(n_t + n_i, len(vocabulary) - 1, np.int32)
    if n_t:
        role = th.role[i_t]
        cls[:n_t] = np.where(role > 0, len(THREAT_CLASSES) + role, th.cls[i_t])
    pos = np.concatenate([smp["truth_pos"], smp["icpt_pos"]])
    vel = np.concatenate([smp["truth_vel"], np.full((n_i, 3), np.nan)])
    det = np.concatenate([smp["truth_det"], np.zeros(n_i, bool)])

    def rows_of(sel):
        o = order[sel]
        p = pos[o]
        cols = {"time": time_[o], "object": _strings(is_threat[o], ("interceptor", "threat")), "id": ident[o],
                "class": _strings(cls[o], vocabulary), "x": p[:, 0], "y": p[:, 1], "z": p[:, 2]}
        v = vel[o]
        cols.update({"vx": v[:, 0], "vy": v[:, 1], "vz": v[:, 2], "detectable": det[o]})
        cols.update(_geo_columns(p, c))
        return cols

    return _batched_table(order.size, rows_of, COLUMN_DOCS["truth"])


def _tracks_table(sim, smp: _Samples) -> pa.Table:
    """Confirmed-track samples in the order they were taken."""
    from iadsim.scenario.catalog_models import THREAT_CLASSES

    c = sim.c
    tk_t, tk_id, tk_x, tk_pos_std = smp["track_t"], smp["track_id"], smp["track_x"], smp["track_pos_std"]
    tk_cls = smp["track_cls"].astype(np.int32)
    vocabulary = THREAT_CLASSES + ("unknown",)
    tk_cls[tk_cls < 0] = len(vocabulary) - 1

    def rows_of(sel):
        x = tk_x[sel]
        cols = {"time": tk_t[sel], "track": tk_id[sel], "x": x[:, 0], "y": x[:, 1], "z": x[:, 2],
                "vx": x[:, 3], "vy": x[:, 4], "vz": x[:, 5], "pos_std": tk_pos_std[sel],
                "class": _strings(tk_cls[sel], vocabulary)}
        cols.update(_geo_columns(x[:, :3], c))
        return cols

    return _batched_table(tk_t.size, rows_of, COLUMN_DOCS["tracks"])


def _tables(sim, smp: _Samples) -> dict:
    """The Parquet tables of a run (module docstring)."""
    from iadsim.scenario.catalog_models import THREAT_CLASSES

    c = sim.c
    th = sim.threats
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
                                       "fire_unit": pa.int64(), "engagement": pa.int64(), "asset": pa.int64()},
                         COLUMN_DOCS["events"]),
        "truth": _truth_table(sim, smp),
        "tracks": _tracks_table(sim, smp),
        "engagements": _table(eng, {"engagement": pa.int64(), "fire_unit": pa.int64(), "track": pa.int64(),
                                    "salvo": pa.int64(), "threat": pa.int64()}, COLUMN_DOCS["engagements"]),
    }


_POS = "ECEF (WGS-84) {} coordinate"
_VEL = "ECEF (WGS-84) {} velocity"
_GEO = {"lat_deg": ("deg", "geodetic latitude (WGS-84)"), "lon_deg": ("deg", "geodetic longitude (WGS-84)"),
        "alt_m": ("m", "height above the WGS-84 ellipsoid"),
        "east": ("m", "east of the scenario origin (local ENU)"),
        "north": ("m", "north of the scenario origin (local ENU)"),
        "up": ("m", "up from the scenario origin (local ENU)")}
_ECEF = {"x": ("m", _POS.format("x")), "y": ("m", _POS.format("y")), "z": ("m", _POS.format("z")),
         "vx": ("m/s", _VEL.format("x")), "vy": ("m/s", _VEL.format("y")), "vz": ("m/s", _VEL.format("z"))}
#: table -> column -> (unit, description): written as each Parquet field's metadata (``unit``, ``description``)
COLUMN_DOCS: dict[str, dict[str, tuple[str, str]]] = {
    "events": {
        "time": ("s", "time since the scenario epoch"), "kind": ("", "what happened (launch, interceptor_launch, "
                                                                    "intercept, miss, kill_assessment, leak, ...)"),
        "threat": ("", "threat id (-1: none)"), "track": ("", "track id (-1: none)"),
        "fire_unit": ("", "fire unit index in the scenario (-1: none)"), "engagement": ("", "engagement id (-1: none)"),
        "asset": ("", "asset index in the scenario (-1: none)"), "detail": ("", "free text"),
        "threat_class": ("", "class of the threat (ballistic, cruise, drone, aircraft)"),
        "fire_unit_name": ("", "fire unit name"), "asset_name": ("", "asset name")},
    "truth": {
        "time": ("s", "sample time since the scenario epoch"), "object": ("", "threat or interceptor"),
        "id": ("", "threat id, or engagement row of the interceptor"),
        "class": ("", "threat class, the role of a released object that is no threat (decoy, stage), or 'interceptor'"),
        **_ECEF, "detectable": ("", "some radar covers it with a single-scan Pd of at least 0.5"), **_GEO},
    "tracks": {
        "time": ("s", "sample time since the scenario epoch"), "track": ("", "track id"), **_ECEF,
        "pos_std": ("m", "sqrt of the trace of the position covariance"),
        "class": ("", "classified threat class or 'unknown'"), **_GEO},
    "engagements": {
        "engagement": ("", "engagement id"), "fire_unit": ("", "fire unit index"),
        "interceptor": ("", "interceptor type"), "track": ("", "engaged track id"),
        "t_decision": ("s", "time of the command post's decision"), "t_launch": ("s", "time of the first launch"),
        "t_intercept_planned": ("s", "planned intercept time"), "t_intercept": ("s", "time of closest approach"),
        "salvo": ("", "interceptors in the salvo"), "pk_planned": ("", "kill probability the lethality model predicts"),
        "value": ("", "value of the engagement in the doctrine's objective"),
        "pip_x": ("m", "predicted intercept point, ECEF x"), "pip_y": ("m", "predicted intercept point, ECEF y"),
        "pip_z": ("m", "predicted intercept point, ECEF z"), "threat": ("", "threat the seeker acquired (-1: none)"),
        "result": ("", "kill, miss, ..."), "miss_distance": ("m", "miss distance at closest approach"),
        "closing_speed": ("m/s", "closing speed at closest approach"),
        "interceptor_speed": ("m/s", "interceptor speed at closest approach"),
        "intercept_alt": ("m", "altitude of the closest approach"), "guidance_phase": ("", "guidance phase reached"),
        "end_reason": ("", "why the round ended"), "t_complete": ("s", "time the engagement ended"),
        "fire_unit_name": ("", "fire unit name")},
}


def _table(cols: dict, ints: dict, docs: dict | None = None) -> pa.Table:
    arrays = {}
    for k, v in cols.items():
        if isinstance(v, pa.Array):
            arrays[k] = v
            continue
        v = np.asarray(v)
        if v.dtype == bool:
            arrays[k] = pa.array(v, type=pa.bool_())
        elif k in ints:
            arrays[k] = pa.array(v.astype(np.int64) if v.size else np.zeros(0, np.int64), type=ints[k])
        elif v.dtype == object or v.dtype.kind in "US":
            arrays[k] = pa.array([str(x) for x in v.tolist()], type=pa.string())
        else:
            arrays[k] = pa.array(v.astype(np.float64), type=pa.float64())
    docs = docs or {}
    fields = []
    for k, arr in arrays.items():
        unit, text = docs.get(k, ("", ""))
        meta = {"unit": unit, "description": text} if text else None
        fields.append(pa.field(k, arr.type, metadata=meta))
    return pa.Table.from_arrays(list(arrays.values()), schema=pa.schema(fields))
