"""Standalone tracking from files: detections CSV + sensors YAML (+ truth CSV) -> tracks CSV.

This is the engine behind ``iadsim track``. The tracker works in a flat local East-North-Up frame
(tracker frame ``"enu"``, every sensor's local axes taken parallel to it: earth curvature ignored, which
is adequate over a few hundred kilometres for this offline use).

Detections CSV (one header line, comma-separated, SI units)
-----------------------------------------------------------
``time, sensor, range, azimuth[, elevation][, range_rate]``

* ``time``: seconds (any epoch), non-decreasing down the file. Rows with the same ``time`` and ``sensor``
  that follow each other form one scan (all detections of a scan share its time stamp).
* ``sensor``: a sensor id declared in the sensors YAML.
* ``range`` (m), ``azimuth`` (rad, **clockwise from north**, i.e. ``atan2(east, north)``), ``elevation``
  (rad above the sensor's horizontal plane), ``range_rate`` (m/s, positive when the range opens).
  A sensor's declared components must be present and numeric on its rows; other columns are ignored.
* A sensor that scans and detects nothing may be written as a row with its ``time``, ``sensor`` and
  empty measurement fields (it then counts as a scan, so tracks in it can be missed).

Sensors YAML
------------
::

    origin: {lat: 52.0, lon: 4.5, alt: 0.0}     # degrees, degrees, metres; needed for geodetic sensors
    sensors:
      - id: R1
        position: {east: 0.0, north: 0.0, up: 10.0}     # metres in the local frame, or
        # position: {lat: 52.01, lon: 4.52, alt: 15.0}  # degrees/metres, converted about `origin`
        measures: [range, azimuth, elevation]            # any of range, azimuth, elevation, range_rate
        sigma: {range: 25.0, azimuth: 0.002, elevation: 0.002}   # metres, radians, m/s
        scan_period: 2.0                                  # seconds (informative)
        max_range: 150000.0                               # optional coverage radius (m)
    tracker: {q: 5.0, v_max: 600.0, confirm_m: 3, confirm_n: 5, max_misses: 3, gate_probability: 0.999}
    # optional keys: pos_std_max, init_up, init_up_sigma, and for score-based confirmation
    # confirmation: sprt, pd, clutter_density, new_target_density, sprt_alpha, sprt_beta
    # (see iadsim.tracking.management.TrackerConfig)

Truth CSV: ``time, id, east, north, up`` (metres in the same local frame); truth is linearly
interpolated per id to each scan time inside that id's time span.

Tracks CSV written: ``time, track_id, east, north, up, v_east, v_north, v_up``, the confirmed tracks after
each scan. Bad input raises :class:`iadsim.errors.InputError` naming the file, line and field.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from iadsim.errors import InputError
from iadsim.frames import ecef2enu, enu_rotation, geodetic2ecef
from iadsim.metrics.tracking import gospa
from iadsim.tracking.filters import EKF
from iadsim.tracking.management import TrackerConfig
from iadsim.tracking.measurements import SensorGeometry
from iadsim.tracking.motion import NCV
from iadsim.tracking.tracker import Tracker

#: file column name -> measurement component of :mod:`iadsim.tracking.measurements`
COLUMN_OF = {"r": "range", "az": "azimuth", "el": "elevation", "rdot": "range_rate"}
COMP_OF = {v: k for k, v in COLUMN_OF.items()}
_TRACKER_KEYS = {"q", "v_max", "confirm_m", "confirm_n", "max_misses", "gate_probability", "pos_std_max",
                 "init_up", "init_up_sigma", "confirmation", "pd", "clutter_density", "new_target_density",
                 "sprt_alpha", "sprt_beta"}


@dataclass
class SensorSetup:
    """Sensors read from YAML: ids (str), geometry in the flat ENU frame, noise, tracker options."""

    ids: list
    geom: SensorGeometry
    R: list
    max_range: tuple
    tracker: dict = field(default_factory=dict)
    alt0: float = 0.0

    def index(self, sensor_id: str) -> int | None:
        try:
            return self.ids.index(sensor_id)
        except ValueError:
            return None


def _num(value, file, line, fld) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"expected a number, got {value!r}", file=file, line=line, field=fld) from None
    if not math.isfinite(v):
        raise InputError(f"expected a finite number, got {value!r}", file=file, line=line, field=fld)
    return v


def read_sensors(path) -> SensorSetup:
    """Read the sensors YAML (format in the module docstring)."""
    path = str(path)
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=path) from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", file=path,
                         line=None if mark is None else mark.line + 1) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("sensors"), list) or not doc["sensors"]:
        raise InputError("expected a mapping with a non-empty list `sensors`", file=path, field="sensors")
    origin = doc.get("origin")
    o_ecef = C0 = None
    alt0 = 0.0
    if origin is not None:
        if not isinstance(origin, dict) or set(origin) - {"lat", "lon", "alt"} \
                or not {"lat", "lon"} <= set(origin):
            raise InputError("origin needs lat, lon (degrees) and optional alt (m)", file=path,
                             field="origin")
        lat0 = math.radians(_num(origin["lat"], path, None, "origin.lat"))
        lon0 = math.radians(_num(origin["lon"], path, None, "origin.lon"))
        alt0 = _num(origin.get("alt", 0.0), path, None, "origin.alt")
        o_ecef = geodetic2ecef(lat0, lon0, alt0)
        C0 = enu_rotation(lat0, lon0)
    ids, pos, dims, Rs, mr = [], [], [], [], []
    for k, s in enumerate(doc["sensors"]):
        where = f"sensors[{k}]"
        if not isinstance(s, dict):
            raise InputError("expected a mapping", file=path, field=where)
        unknown = set(s) - {"id", "position", "measures", "sigma", "scan_period", "max_range"}
        if unknown:
            raise InputError(f"unknown keys {sorted(unknown)}", file=path, field=where)
        if "id" not in s:
            raise InputError("missing `id`", file=path, field=where)
        sid = str(s["id"])
        if sid in ids:
            raise InputError(f"duplicate sensor id {sid!r}", file=path, field=f"{where}.id")
        p = s.get("position")
        if isinstance(p, dict) and set(p) == {"east", "north", "up"}:
            enu = [_num(p[c], path, None, f"{where}.position.{c}") for c in ("east", "north", "up")]
        elif isinstance(p, dict) and set(p) - {"alt"} == {"lat", "lon"}:
            if o_ecef is None:
                raise InputError("a geodetic sensor position needs a top-level `origin`", file=path,
                                 field=f"{where}.position")
            e = geodetic2ecef(math.radians(_num(p["lat"], path, None, f"{where}.position.lat")),
                              math.radians(_num(p["lon"], path, None, f"{where}.position.lon")),
                              _num(p.get("alt", 0.0), path, None, f"{where}.position.alt"))
            enu = ecef2enu(e[None], o_ecef, C0)[0].tolist()
        else:
            raise InputError("position needs {east, north, up} (m) or {lat, lon[, alt]} (deg, m)", file=path,
                             field=f"{where}.position")
        meas = s.get("measures")
        if not isinstance(meas, list) or not meas or any(m not in COMP_OF for m in meas) \
                or "range" not in meas or len(set(meas)) != len(meas):
            raise InputError(f"measures must list distinct names from {sorted(COMP_OF)} including range",
                             file=path, field=f"{where}.measures")
        comps = tuple(COMP_OF[m] for m in ("range", "azimuth", "elevation", "range_rate") if m in meas)
        sig = s.get("sigma")
        if not isinstance(sig, dict) or set(sig) != {COLUMN_OF[c] for c in comps}:
            raise InputError(f"sigma must give exactly {[COLUMN_OF[c] for c in comps]}", file=path,
                             field=f"{where}.sigma")
        sd = np.array([_num(sig[COLUMN_OF[c]], path, None, f"{where}.sigma.{COLUMN_OF[c]}") for c in comps])
        if np.any(sd <= 0):
            raise InputError("sigmas must be > 0", file=path, field=f"{where}.sigma")
        if "scan_period" in s and not _num(s["scan_period"], path, None, f"{where}.scan_period") > 0:
            raise InputError("scan_period must be > 0", file=path, field=f"{where}.scan_period")
        mr.append(None if s.get("max_range") is None
                  else _num(s["max_range"], path, None, f"{where}.max_range"))
        ids.append(sid)
        pos.append(enu)
        dims.append(comps)
        Rs.append(np.diag(sd**2))
    trk = doc.get("tracker") or {}
    if not isinstance(trk, dict) or set(trk) - _TRACKER_KEYS:
        raise InputError(f"tracker options must be a mapping with keys from {sorted(_TRACKER_KEYS)}",
                         file=path, field="tracker")
    trk = {k: (v if k == "confirmation" else _num(v, path, None, f"tracker.{k}")) for k, v in trk.items()}
    return SensorSetup(ids, SensorGeometry.flat(np.array(pos), dims), Rs, tuple(mr), trk, alt0)


def _open_csv(path, required):
    path = str(path)
    try:
        fh = open(path, newline="")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=path) from None
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None:
        fh.close()
        raise InputError("empty file (expected a header line)", file=path, line=1)
    header = [c.strip() for c in header]
    missing = [c for c in required if c not in header]
    if missing:
        fh.close()
        raise InputError(f"missing column(s) {missing}; header is {header}", file=path, line=1)
    return fh, reader, {c: i for i, c in enumerate(header)}


def _rows(reader, col, path):
    """``(line number, fields)`` of the non-blank data rows; a short row is an error naming its line."""
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < len(col):
            raise InputError(f"expected {len(col)} fields, got {len(row)}", file=path, line=lineno)
        yield lineno, row


def read_detections(path, setup: SensorSetup) -> list:
    """Read the detections CSV into scans ``[(time, sensor_index, z (K, m)), ...]`` in file order."""
    path = str(path)
    fh, reader, col = _open_csv(path, ["time", "sensor", "range", "azimuth"])
    for s, d in enumerate(setup.geom.dims):
        for c in d:
            if COLUMN_OF[c] not in col:
                fh.close()
                raise InputError(f"missing column {COLUMN_OF[c]!r} measured by sensor {setup.ids[s]!r}",
                                 file=path, line=1)
    scans, cur, rows = [], None, []
    last_t = -math.inf
    with fh:
        for lineno, row in _rows(reader, col, path):
            t = _num(row[col["time"]], path, lineno, "time")
            if t < last_t:
                raise InputError(f"time goes backwards ({t} after {last_t})", file=path, line=lineno,
                                 field="time")
            last_t = t
            sid = row[col["sensor"]].strip()
            s = setup.index(sid)
            if s is None:
                raise InputError(f"unknown sensor {sid!r} (declared: {setup.ids})", file=path, line=lineno,
                                 field="sensor")
            comps = setup.geom.dims[s]
            cells = [row[col[COLUMN_OF[c]]].strip() for c in comps]
            key = (t, s)
            if key != cur:
                if cur is not None:
                    scans.append(_scan(cur, rows, setup))
                cur, rows = key, []
            if all(c == "" for c in cells):
                continue   # an empty scan marker
            z = [_num(v, path, lineno, COLUMN_OF[c]) for v, c in zip(cells, comps, strict=True)]
            if z[0] < 0:
                raise InputError("range must be >= 0", file=path, line=lineno, field="range")
            rows.append(z)
    if cur is not None:
        scans.append(_scan(cur, rows, setup))
    return scans


def _scan(key, rows, setup):
    return key[0], key[1], np.array(rows, float).reshape(-1, len(setup.geom.dims[key[1]]))


def read_truth(path):
    """Read the truth CSV: returns ``{id: (times (T,), enu (T, 3))}`` sorted by time per id."""
    path = str(path)
    fh, reader, col = _open_csv(path, ["time", "id", "east", "north", "up"])
    data: dict = {}
    with fh:
        for lineno, row in _rows(reader, col, path):
            vals = [_num(row[col[c]], path, lineno, c) for c in ("time", "east", "north", "up")]
            data.setdefault(row[col["id"]].strip(), []).append(vals)
    out = {}
    for k, v in data.items():
        a = np.array(v)
        a = a[np.argsort(a[:, 0], kind="stable")]
        out[k] = (a[:, 0], a[:, 1:4])
    return out


def truth_at(truth: dict, t: float) -> np.ndarray:
    """Truth positions ``(N, 3)`` at time ``t`` (linear interpolation inside each id's time span)."""
    pts = []
    for times, enu in truth.values():
        if times[0] - 1e-9 <= t <= times[-1] + 1e-9:
            pts.append([np.interp(t, times, enu[:, j]) for j in range(3)])
    return np.array(pts, float).reshape(-1, 3)


@dataclass
class TrackRunResult:
    """Output of :func:`track_files`: track rows ``(n, 8)`` and GOSPA per scan (empty without truth)."""

    rows: np.ndarray
    n_scans: int
    n_tracks: int
    gospa: np.ndarray
    gospa_dims: int

    @property
    def mean_gospa(self) -> float:
        return float(np.mean(self.gospa)) if self.gospa.size else float("nan")


def track_files(detections, sensors, truth=None, out=None, gospa_c: float = 1000.0,
                gospa_p: float = 2.0) -> TrackRunResult:
    """Run the tracker over a detections CSV; optionally write tracks CSV and score against truth.

    GOSPA (alpha = 2, cut-off ``gospa_c`` m, order ``gospa_p``) is computed after every scan on 3-D
    positions when every sensor measures elevation, otherwise on horizontal (east, north) positions.
    """
    setup = read_sensors(sensors)
    opt = dict(setup.tracker)
    q = float(opt.pop("q", 5.0))
    for k in ("confirm_m", "confirm_n", "max_misses"):
        if k in opt:
            opt[k] = int(opt[k])
    try:
        cfg = TrackerConfig(max_range=setup.max_range, **opt)
        model = NCV(q, "enu")
    except ValueError as exc:
        raise InputError(str(exc), file=str(sensors), field="tracker") from None
    scans = read_detections(detections, setup)
    tr = read_truth(truth) if truth is not None else None
    tracker = Tracker(setup.geom, EKF(model), cfg, frame="enu", alt0=setup.alt0)
    dims3 = all("el" in d for d in setup.geom.dims)
    nd = 3 if dims3 else 2
    out_rows, g = [], []
    for t, s, z in scans:
        tracker.step(t, s, z, setup.R[s])
        c = tracker.confirmed()
        if len(c):
            out_rows.append(np.column_stack([c.t, c.id.astype(float), c.x]))
        if tr is not None:
            g.append(gospa(truth_at(tr, t)[:, :nd], c.x[:, :nd], gospa_c, gospa_p).total)
    rows = np.concatenate(out_rows) if out_rows else np.zeros((0, 8))
    if out is not None:
        write_tracks(out, rows)
    n_tracks = int(np.unique(rows[:, 1]).size) if rows.size else 0
    return TrackRunResult(rows, len(scans), n_tracks, np.array(g), nd)


def write_tracks(path, rows: np.ndarray) -> None:
    """Write ``time, track_id, east, north, up, v_east, v_north, v_up`` rows to CSV."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["time", "track_id", "east", "north", "up", "v_east", "v_north", "v_up"])
        for r in rows:
            w.writerow([repr(float(r[0])), int(r[1]), *(f"{v:.3f}" for v in r[2:])])
