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
import io
import math
from dataclasses import dataclass, field

import numpy as np

from iadsim.errors import InputError
from iadsim.fileio import CsvFile, write_text_atomic
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
    line: int | None = None  # line of the tracker options in the YAML

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
    """Read the sensors YAML (format in the module docstring); errors name the file, line and field."""
    from iadsim.scenario.yamlio import dotted, line_of, load_yaml  # the guarded YAML reader (bounded)

    path = str(path)
    doc, lines = load_yaml(path, kind="sensors")

    def fail(msg, loc):
        return InputError(msg, file=path, line=line_of(lines, loc), field=dotted(loc) or None)

    def num(value, loc):
        if isinstance(value, bool):
            raise fail(f"expected a number, got {value!r}", loc)
        return _num(value, path, line_of(lines, loc), dotted(loc))

    if not isinstance(doc, dict) or not isinstance(doc.get("sensors"), list) or not doc["sensors"]:
        raise fail("expected a mapping with a non-empty list `sensors`", ("sensors",))
    unknown = set(doc) - {"origin", "sensors", "tracker"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise fail("unknown key (expected origin, sensors, tracker)", (key,))
    origin = doc.get("origin")
    o_ecef = C0 = None
    alt0 = 0.0
    if origin is not None:
        if not isinstance(origin, dict) or set(origin) - {"lat", "lon", "alt"} \
                or not {"lat", "lon"} <= set(origin):
            raise fail("origin needs lat, lon (degrees) and optional alt (m)", ("origin",))
        lat0 = math.radians(num(origin["lat"], ("origin", "lat")))
        lon0 = math.radians(num(origin["lon"], ("origin", "lon")))
        alt0 = num(origin.get("alt", 0.0), ("origin", "alt"))
        if not (abs(lat0) <= math.pi / 2 and abs(lon0) <= math.pi):
            raise fail("origin lat must be within [-90, 90] and lon within [-180, 180] degrees", ("origin",))
        o_ecef = geodetic2ecef(lat0, lon0, alt0)
        C0 = enu_rotation(lat0, lon0)
    ids, pos, dims, Rs, mr = [], [], [], [], []
    for k, s in enumerate(doc["sensors"]):
        where = ("sensors", k)
        if not isinstance(s, dict):
            raise fail("expected a mapping", where)
        unknown = set(s) - {"id", "position", "measures", "sigma", "scan_period", "max_range"}
        if unknown:
            raise fail(f"unknown keys {sorted(map(str, unknown))}", where + (sorted(map(str, unknown))[0],))
        if "id" not in s or not isinstance(s["id"], (str, int)) or isinstance(s["id"], bool):
            raise fail("missing `id` (a name or a number)", where + ("id",))
        sid = str(s["id"])
        if sid in ids:
            raise fail(f"duplicate sensor id {sid!r}", where + ("id",))
        p = s.get("position")
        ploc = where + ("position",)
        if isinstance(p, dict) and set(p) == {"east", "north", "up"}:
            enu = [num(p[c], ploc + (c,)) for c in ("east", "north", "up")]
        elif isinstance(p, dict) and set(p) - {"alt"} == {"lat", "lon"}:
            if o_ecef is None:
                raise fail("a geodetic sensor position needs a top-level `origin`", ploc)
            lat, lon = num(p["lat"], ploc + ("lat",)), num(p["lon"], ploc + ("lon",))
            if not (abs(lat) <= 90 and abs(lon) <= 180):
                raise fail("lat must be within [-90, 90] and lon within [-180, 180] degrees", ploc)
            e = geodetic2ecef(math.radians(lat), math.radians(lon), num(p.get("alt", 0.0), ploc + ("alt",)))
            enu = ecef2enu(e[None], o_ecef, C0)[0].tolist()
        else:
            raise fail("position needs {east, north, up} (m) or {lat, lon[, alt]} (deg, m)", ploc)
        meas = s.get("measures")
        if not isinstance(meas, list) or not meas or any(not isinstance(m, str) or m not in COMP_OF for m in meas) \
                or "range" not in meas or len(set(meas)) != len(meas):
            raise fail(f"measures must list distinct names from {sorted(COMP_OF)} including range",
                       where + ("measures",))
        comps = tuple(COMP_OF[m] for m in ("range", "azimuth", "elevation", "range_rate") if m in meas)
        sig = s.get("sigma")
        if not isinstance(sig, dict) or set(sig) != {COLUMN_OF[c] for c in comps}:
            raise fail(f"sigma must give exactly {[COLUMN_OF[c] for c in comps]}", where + ("sigma",))
        sd = np.array([num(sig[COLUMN_OF[c]], where + ("sigma", COLUMN_OF[c])) for c in comps])
        if np.any(sd <= 0):
            raise fail("sigmas must be > 0", where + ("sigma",))
        if "scan_period" in s and not num(s["scan_period"], where + ("scan_period",)) > 0:
            raise fail("scan_period must be > 0", where + ("scan_period",))
        r_max = None if s.get("max_range") is None else num(s["max_range"], where + ("max_range",))
        if r_max is not None and not r_max > 0:
            raise fail("max_range must be > 0", where + ("max_range",))
        mr.append(r_max)
        ids.append(sid)
        pos.append(enu)
        dims.append(comps)
        Rs.append(np.diag(sd**2))
    trk = doc.get("tracker") or {}
    if not isinstance(trk, dict) or set(trk) - _TRACKER_KEYS:
        raise fail(f"tracker options must be a mapping with keys from {sorted(_TRACKER_KEYS)}", ("tracker",))
    trk = {k: (v if k == "confirmation" else num(v, ("tracker", k))) for k, v in trk.items()}
    return SensorSetup(ids, SensorGeometry.flat(np.array(pos), dims), Rs, tuple(mr), trk, alt0,
                       line=line_of(lines, ("tracker",)))


def _rows(csvfile, col):
    """``(line number, fields)`` of the non-blank data rows; a row whose field count is not the header's is an
    error naming its line."""
    for lineno, row in csvfile.rows():
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(col):
            raise InputError(f"expected {len(col)} fields (as in the header), got {len(row)}", file=csvfile.path,
                             line=lineno)
        yield lineno, row


def _open_csv(path, required, kind):
    f = CsvFile(path, kind)
    header = f.header
    missing = [c for c in required if c not in header]
    if missing:
        f.close()
        raise InputError(f"missing column(s) {missing}; header is {header}", file=f.path, line=1)
    if len(set(header)) != len(header):
        f.close()
        raise InputError(f"duplicate column names in the header {header}", file=f.path, line=1)
    return f, {c: i for i, c in enumerate(header)}


def read_detections(path, setup: SensorSetup) -> list:
    """Read the detections CSV into scans ``[(time, sensor_index, z (K, m)), ...]`` in file order."""
    path = str(path)
    fh, col = _open_csv(path, ["time", "sensor", "range", "azimuth"], "detections")
    for s, d in enumerate(setup.geom.dims):
        for c in d:
            if COLUMN_OF[c] not in col:
                fh.close()
                raise InputError(f"missing column {COLUMN_OF[c]!r} measured by sensor {setup.ids[s]!r}",
                                 file=path, line=1)
    scans, cur, rows = [], None, []
    last_t = -math.inf
    with fh:
        for lineno, row in _rows(fh, col):
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
    if not scans:
        raise InputError("no detection rows after the header (nothing to track)", file=path, line=2)
    return scans


def _scan(key, rows, setup):
    return key[0], key[1], np.array(rows, float).reshape(-1, len(setup.geom.dims[key[1]]))


def read_truth(path):
    """Read the truth CSV: returns ``{id: (times (T,), enu (T, 3))}`` sorted by time per id."""
    path = str(path)
    fh, col = _open_csv(path, ["time", "id", "east", "north", "up"], "truth")
    data: dict = {}
    with fh:
        for lineno, row in _rows(fh, col):
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
    def mean_gospa(self) -> float | None:
        """Mean GOSPA over the scans (None without truth)."""
        return float(np.mean(self.gospa)) if self.gospa.size else None


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
    except (ValueError, TypeError) as exc:
        raise InputError(str(exc), file=str(sensors), line=setup.line, field="tracker") from None
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
    """Write ``time, track_id, east, north, up, v_east, v_north, v_up`` rows to CSV (to a temporary name,
    then renamed over ``path``)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(["time", "track_id", "east", "north", "up", "v_east", "v_north", "v_up"])
    for r in rows:
        w.writerow([repr(float(r[0])), int(r[1]), *(f"{v:.3f}" for v in r[2:])])
    try:
        write_text_atomic(path, buf.getvalue())
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path), field="--out") from None
