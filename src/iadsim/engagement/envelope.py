r"""Engagement envelopes from the kinematics: tables made by flying the interceptor model, and intercept windows.

Tables. For each interceptor type the 3-DOF model (:mod:`iadsim.engagement.airframe`) is flown from a
reference site (equator, heading north, over the rotating earth) to a grid of fixed points at ground range
``rho`` (great-circle distance on the mean earth, ``R_EARTH x`` central angle) and radial altitude ``h``, with
the midcourse guidance it uses in flight. Each node records the time of flight to the closest approach, the
speed there, and the lateral acceleration still available there (``a_max`` of the airframe:
lift-limited, or the kill vehicle's divert). A node is feasible when the point is reached (miss below
``REACH_TOLERANCE``), within ``max_flight_time``, above ``min_speed``, never below ground on the way, at a
slant range of at least ``min_range`` and inside ``[min_altitude, max_altitude]``. A first coarse pass finds
the reach; the final grid (``NR x NH`` nodes) spans it. Lookups interpolate bilinearly and are feasible only
where all four surrounding nodes are (conservative at the edges, by at most one cell). Tables are cached in
memory and on disk, keyed by a hash of the type's parameters and the table version.

Intercept windows (what the doctrine asks each cycle). For a (fire unit, track) pair and candidate
intercept times ``t_k`` with predicted threat positions ``p_k``, an intercept at ``t_k`` is feasible when

* the table is feasible at ``(rho(p_k), h(p_k))`` and the interceptor gets there in time:
  ``t_ready + tof(p_k) <= t_k`` (``t_ready`` = now + reaction time), launching at ``t_k - tof(p_k)``;
* the intercept comes before the threat's predicted impact / arrival, ``t_k < t_end``;
* no-escape test (the kinematic margin of Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed.,
  ch. 2-4: miss grows fast once the interceptor's acceleration advantage over the target falls below about
  3): the closing speed ``V_c ~ v_arrival - v_threat . u`` (``u`` the unit vector from the fire unit to
  ``p_k``) is at least ``min_closing_speed``, and the lateral acceleration left at arrival is at least
  ``maneuver_ratio * max(a_threat, 1 g)``, with ``a_threat`` the manoeuvre capability assumed for the
  track's class (:data:`THREAT_MANEUVER_G`; 1 g covers gravity and hand-over heading errors);
* a linked fire-control radar covers ``p_k`` (range, sector, elevation and the 4/3-earth horizon).

The earliest feasible ``t_k`` is the PIP (the classic "earliest intercept" rule that leaves the most time
for a second shot; Wilkening 2000, "A simple model for calculating ballistic missile defense
effectiveness", Science & Global Security 8, sect. 2).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from iadsim._numba import njit
from iadsim.engagement import airframe as af
from iadsim.frames import R_EARTH
from iadsim.physics.gravity import G0, J2
from iadsim.threats.ballistic import ellipsoid_radius, radial_altitude

#: manoeuvre capability (g) assumed for each threat class when testing the no-escape margin: a
#: non-manoeuvring ballistic re-entry vehicle, a cruise missile's terminal weave (~2 g), a drone's turns
#: (~1 g), a fighter's sustained 7 g (open reporting on fourth-generation fighters)
THREAT_MANEUVER_G = {"ballistic": 0.0, "cruise": 2.0, "drone": 1.0, "aircraft": 7.0}
#: a grid node counts as reached when the fly-out passes within this distance of it (m)
REACH_TOLERANCE = 30.0
#: table grid (ground range x altitude nodes) and integration step
NR, NH = 49, 41
TABLE_DT = 0.05
TABLE_VERSION = 5  # bump when the table's layout changes; a change of the kernels' sources rebuilds by itself
_AE, _BE = 6378137.0, 6356752.314245


@dataclass(frozen=True)
class EnvelopeTable:
    """One interceptor type's table: nodes ``rho (NR,)``, ``h (NH,)`` (m); ``tof, speed, accel (NR, NH)``,
    ``feasible (NR, NH)``."""

    rho: np.ndarray
    h: np.ndarray
    tof: np.ndarray
    speed: np.ndarray
    accel: np.ndarray
    feasible: np.ndarray

    @property
    def max_range(self) -> float:
        rows = np.flatnonzero(self.feasible.any(axis=1))
        return float(self.rho[rows[-1]]) if rows.size else 0.0

    @property
    def max_tof(self) -> float:
        return float(np.max(self.tof[self.feasible], initial=0.0))


def constant_speed_envelope(speed, r_min, r_max, h_min, h_max, accel=1e6) -> EnvelopeTable:
    """An idealised table: straight flight at constant ``speed`` over the slant distance from the reference
    site, feasible for slant ranges in ``[r_min, r_max]`` and altitudes in ``[h_min, h_max]``, with a
    constant lateral ``accel``. This is the first-fidelity fly-out (``tof = d / s``), kept for validation
    modes and tests where the kinematics must be a known closed form."""
    rho = np.linspace(0.0, r_max, NR)
    h = np.linspace(h_min, h_max, NH)
    R, H = np.meshgrid(rho, h, indexing="ij")
    site = reference_site()
    d = np.linalg.norm(point_at(site, R, H) - site, axis=-1)
    ok = (d >= r_min) & (d <= r_max)
    nan = np.where(ok, 0.0, np.nan)
    return EnvelopeTable(rho=rho, h=h, tof=d / speed + nan, speed=np.full(d.shape, float(speed)) + nan,
                         accel=np.full(d.shape, float(accel)) + nan, feasible=ok)


def reference_site():
    """The table's launch site: the equator at 0 E, on the ellipsoid; launch azimuth north."""
    return np.array([6378137.0, 0.0, 0.0])


def point_at(site, rho, h, azimuth_ref=None):
    """ECEF points at ground range ``rho`` and radial altitude ``h`` from ``site`` (toward ``azimuth_ref``,
    a unit tangent vector; default north at the reference site)."""
    site = np.asarray(site, float)
    s_hat = site / np.linalg.norm(site)
    north = np.array([0.0, 0.0, 1.0]) if azimuth_ref is None else np.asarray(azimuth_ref, float)
    ang = np.asarray(rho, float) / R_EARTH
    d = np.cos(ang)[..., None] * s_hat + np.sin(ang)[..., None] * north
    return d * (ellipsoid_radius(d) + np.asarray(h, float))[..., None]


def ground_range_altitude(site, pts):
    """Ground range ``R_EARTH * angle(site, p)`` and radial altitude of ECEF points ``pts (..., 3)``."""
    site = np.asarray(site, float)
    pts = np.asarray(pts, float)
    a = site / np.linalg.norm(site, axis=-1, keepdims=True)
    if pts.ndim == 3 and a.ndim == 2:
        a = a[:, None, :]
    pn = np.linalg.norm(pts, axis=-1)
    cosang = np.clip(np.sum(pts * a, axis=-1) / pn, -1.0, 1.0)
    return R_EARTH * np.arccos(cosang), pn - ellipsoid_radius(pts)


def fly_points(table: af.AirframeTable, typ, r0, aim, *, dt=TABLE_DT, grav=J2, rot=True, t_guess=None,
               v_guess=None):
    """Fly interceptors of types ``typ (n,)`` from ``r0`` to fixed points ``aim (n, 3)`` (point mode).

    Returns a dict of arrays: ``reason``, ``tof`` (time of the closest approach), ``miss`` (m), ``speed``,
    ``alt`` and ``accel`` (lateral capacity) at the end, and ``phase`` reached.
    """
    typ = np.asarray(typ, np.int64)
    r0 = np.atleast_2d(np.asarray(r0, float))
    aim = np.atleast_2d(np.asarray(aim, float))
    n = typ.size
    r0 = np.broadcast_to(r0, (n, 3))
    if t_guess is None:
        vg = np.asarray(v_guess if v_guess is not None else 1000.0, float)
        t_guess = np.linalg.norm(aim - r0, axis=1) / np.broadcast_to(vg, (n,))
    u = af.launch_direction(r0, aim, t_guess, table.P[typ, af.C_LOFT], table.P[typ, af.C_SEEK_R])
    st = new_state(n)
    st["y"][:, :3] = r0
    st["y"][:, 3:6] = u * table.P[typ, af.C_V0][:, None]
    st["y"][:, 6] = table.P[typ, af.C_MASS0]
    st["dv_left"][:] = table.P[typ, af.C_DIVERT_DV]
    st["typ"][:] = typ
    st["aim"][:] = aim
    t_max = float(table.P[typ, af.C_TMAX].max()) + dt
    run(st, t_max, dt, True, grav, rot, table, np.ones(n, bool), np.zeros(0, np.int64), None)
    t_rel = st["t_end"] - st["t_launch"]
    accel = af.lateral_capacity_many(st["y"], st["typ"], t_rel, st["dv_left"], table.P)
    return {"reason": st["reason"].copy(), "tof": t_rel, "miss": np.linalg.norm(st["miss_vec"], axis=1),
            "speed": st["end_speed"].copy(), "alt": st["end_alt"].copy(), "accel": accel,
            "phase": st["max_phase"].copy(), "state": st}


_FIELDS = {"y": (7,), "aL": (3,), "dv_left": (), "t_now": (), "t_launch": (), "age": (), "typ": ("i",),
           "phase": ("i",), "target": ("i",), "aim": (3,), "cue": (6,), "cue_t": (), "cue_ball": ("b",),
           "reason": ("i",), "t_end": (), "miss_vec": (3,), "rel_vel": (3,), "end_speed": (), "end_alt": (),
           "max_phase": ("i",), "y_prev": (7,), "t_prev": ()}


def new_state(n: int) -> dict:
    """Zeroed kernel state of ``n`` interceptors (see :func:`iadsim.engagement.airframe.advance`)."""
    out = {}
    for k, shape in _FIELDS.items():
        if shape == ("i",):
            out[k] = np.zeros(n, np.int64)
        elif shape == ("b",):
            out[k] = np.zeros(n, bool)
        else:
            out[k] = np.zeros((n, *shape))
    out["target"][:] = -1
    return out


#: the kernel's terrain arguments without terrain: a dummy grid below every altitude (``ter_top = -inf``)
_NO_TERRAIN = (np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.zeros((2, 2)), -np.inf)


def terrain_arrays(terrain) -> tuple:
    """The kernel's ``ter_lat, ter_lon, ter_elev, ter_top`` of a :class:`iadsim.terrain.Terrain` (or None)."""
    if terrain is None:
        return _NO_TERRAIN
    return terrain.lat, terrain.lon, terrain.elevation, float(terrain.max_elevation)


#: the state arrays of :func:`iadsim.engagement.airframe.advance`, in its argument order
STATE_ARGS = ("y", "aL", "dv_left", "t_now", "age", "typ", "phase", "target", "aim", "cue", "cue_t", "cue_ball",
              "reason", "t_end", "miss_vec", "rel_vel", "end_speed", "end_alt", "max_phase", "y_prev", "t_prev")


def kernel_args(st, table, truth, terrain=None) -> tuple:
    """The kernel's arrays that do not change from call to call: the state dict's (:data:`STATE_ARGS`), the
    type table's, the threat truth's (table and :meth:`~iadsim.threats.truth.ThreatTruth.motion_bounds`;
    placeholders without truth) and the terrain's; for :func:`call`."""
    if truth is None:
        z = np.zeros(1)
        tr = (z, z, np.zeros(1, np.int64), np.zeros(1, np.int64), z, np.zeros((1, 4, 3)), z, z)
    else:
        tr = (*truth.kernel_arrays(), *truth.motion_bounds())
    return (tuple(st[k] for k in STATE_ARGS), (table.P, table.motor, table.cd_mach, table.cd), tr,
            terrain_arrays(terrain))


def call(args, t1, dt, point_mode, grav, rot, land, active, cand, alive) -> int:
    """One call of :func:`iadsim.engagement.airframe.advance` with the arrays of :func:`kernel_args`; the number
    of interceptors that ended in it."""
    state, table, truth, terrain = args
    return af.advance(float(t1), float(dt), bool(point_mode), int(grav), bool(rot), bool(land), active, *state, *table,
               cand, alive, *truth, *terrain)


def run(st, t1, dt, point_mode, grav, rot, table, active, cand, truth, alive=None, terrain=None, land=True) -> int:
    """One call of the compiled kernel on the state dict ``st``, returning how many interceptors ended in it
    (``terrain``: the ground under the
    interceptors, :class:`iadsim.terrain.Terrain`; None: the ellipsoid; ``land``: the last step ends on
    ``t1``, else the flight keeps its own steps and may stop up to one step past ``t1``,
    :func:`iadsim.engagement.airframe.advance`)."""
    if truth is None:
        alive = np.zeros(1, bool)
    return call(kernel_args(st, table, truth, terrain), t1, dt, point_mode, grav, rot, land, active,
                np.asarray(cand, np.int64), alive)


def states_at(st, rows, t):
    """ECEF positions and velocities ``(k, 3)`` at time ``t`` of the interceptors ``rows`` of the state dict
    ``st``, advanced without landing on ``t`` (``run(..., land=False)``): a state ahead of ``t`` (``t_now >
    t``, at most one step) is taken back on the cubic Hermite interpolant of its last step, from the
    positions and velocities at the step's start (``y_prev``, ``t_prev``) and end. The interpolant's
    position error is ``h^4 max|p^(4)| / 384`` (Burden & Faires, *Numerical Analysis*, sect. 3.4), under a
    millimetre for a 50 ms step of a manoeuvring interceptor. A state at or behind ``t`` is returned as it
    is."""
    from iadsim.threats.ballistic import hermite

    rows = np.asarray(rows, np.int64)
    y, t1 = st["y"][rows], st["t_now"][rows]
    pos, vel = y[:, :3].copy(), y[:, 3:6].copy()
    back = np.flatnonzero(t1 > t)
    if back.size:
        y0, t0 = st["y_prev"][rows[back]], st["t_prev"][rows[back]]
        h = t1[back] - t0
        pos[back], vel[back] = hermite(y0[:, :3], y0[:, 3:6], y[back, :3], y[back, 3:6], h[:, None],
                                       (t - t0) / h)
    return pos, vel


def positions_at(st, rows, t):
    """The positions of :func:`states_at`."""
    return states_at(st, rows, t)[0]


def _feasible(res, spec, rho, h, site, aim):
    slant = np.linalg.norm(aim - site, axis=1)
    ok = (res["reason"] == af.POINT_REACHED) & (res["miss"] <= REACH_TOLERANCE)
    ok &= (res["tof"] <= spec.max_flight_time) & (res["speed"] >= spec.min_speed)
    ok &= (slant >= spec.min_range) & (h >= spec.min_altitude - 1e-6) & (h <= spec.max_altitude + 1e-6)
    return ok


def _fly_grid(spec, rho, h):
    table = af.AirframeTable.from_types([spec])
    R, H = np.meshgrid(rho, h, indexing="ij")
    site = reference_site()
    aim = point_at(site, R.ravel(), H.ravel())
    res = fly_points(table, np.zeros(aim.shape[0], np.int64), site[None, :], aim,
                     v_guess=0.6 * af.ideal_delta_v(spec))
    ok = _feasible(res, spec, R.ravel(), H.ravel(), site, aim)
    shape = R.shape
    return (res["tof"].reshape(shape), res["speed"].reshape(shape), res["accel"].reshape(shape),
            ok.reshape(shape))


def build_envelope(spec) -> EnvelopeTable:
    """Fly the table of one interceptor type (module docstring). Cost: ~1,200 fly-outs, about a second."""
    h = np.linspace(spec.min_altitude, spec.max_altitude, NH)
    reach = min(af.ideal_delta_v(spec), 6000.0) * spec.max_flight_time
    rho_c = np.linspace(0.0, reach, 21)
    _, _, _, ok_c = _fly_grid(spec, rho_c, h[:: max(1, NH // 8)])
    rows = np.flatnonzero(ok_c.any(axis=1))
    top = rho_c[min(rows[-1] + 1, rho_c.size - 1)] if rows.size else reach
    rho = np.linspace(0.0, top, NR)
    tof, speed, accel, ok = _fly_grid(spec, rho, h)
    return EnvelopeTable(rho=rho, h=h, tof=np.where(ok, tof, np.nan), speed=np.where(ok, speed, np.nan),
                         accel=np.where(ok, accel, np.nan), feasible=ok)


_MEMORY: dict[str, EnvelopeTable] = {}


def _key(spec) -> str:
    from iadsim._numba import source_fingerprint

    # the kernels' digest: a change of the flight model (or of anything it inlines) rebuilds the tables
    blob = json.dumps({"v": TABLE_VERSION, "kernels": source_fingerprint(), "nr": NR, "nh": NH, "dt": TABLE_DT,
                       "tol": REACH_TOLERANCE,
                       "spec": spec.model_dump(mode="json", exclude={"description", "source", "cost"})},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def cache_dir() -> Path:
    """Where tables are kept on disk: ``$IADSIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/iadsim`` or
    ``~/.cache/iadsim``, subfolder ``envelopes``."""
    from iadsim._cache import cache_root

    return cache_root() / "envelopes"


def envelope_table(spec) -> EnvelopeTable:
    """The (cached) envelope table of an interceptor type; identical whether built or read back."""
    key = _key(spec)
    if key in _MEMORY:
        return _MEMORY[key]
    path = cache_dir() / f"{key}.npz"
    table = None
    try:
        with np.load(path) as z:
            table = EnvelopeTable(**{k: z[k] for k in ("rho", "h", "tof", "speed", "accel", "feasible")})
    except (OSError, ValueError, KeyError):
        table = None
    if table is None:
        table = build_envelope(spec)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, **{k: getattr(table, k) for k in ("rho", "h", "tof", "speed", "accel", "feasible")})
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs the rebuild
    _MEMORY[key] = table
    return table


class EnvelopeSet:
    """The tables of several types stacked for vectorised lookups by type index."""

    def __init__(self, tables):
        self.tables = list(tables)
        self.rho0 = np.array([t.rho[0] for t in self.tables])
        self.drho = np.array([t.rho[1] - t.rho[0] for t in self.tables])
        self.h0 = np.array([t.h[0] for t in self.tables])
        self.dh = np.array([t.h[1] - t.h[0] for t in self.tables])
        self.tof = np.stack([np.nan_to_num(t.tof) for t in self.tables]) if self.tables else np.zeros((0, NR, NH))
        self.speed = np.stack([np.nan_to_num(t.speed) for t in self.tables]) if self.tables else self.tof
        self.accel = np.stack([np.nan_to_num(t.accel) for t in self.tables]) if self.tables else self.tof
        self.ok = np.stack([t.feasible for t in self.tables]) if self.tables else np.zeros((0, NR, NH), bool)
        self.max_range = np.array([t.max_range for t in self.tables])
        self.max_tof = np.array([t.max_tof for t in self.tables])

    def lookup(self, typ, rho, h):
        """Bilinear ``tof, speed, accel`` and ``feasible`` at ``rho, h`` (same shape) for types ``typ``
        (broadcasting against them)."""
        typ = np.broadcast_to(np.asarray(typ, np.int64), np.shape(rho))
        fi = (rho - self.rho0[typ]) / self.drho[typ]
        fj = (h - self.h0[typ]) / self.dh[typ]
        inside = (fi >= 0) & (fi <= NR - 1) & (fj >= -1e-9) & (fj <= NH - 1 + 1e-9)
        i = np.clip(np.floor(fi).astype(np.int64), 0, NR - 2)
        j = np.clip(np.floor(fj).astype(np.int64), 0, NH - 2)
        wi = np.clip(fi - i, 0.0, 1.0)
        wj = np.clip(fj - j, 0.0, 1.0)
        ok = inside & self.ok[typ, i, j] & self.ok[typ, i + 1, j] & self.ok[typ, i, j + 1] & self.ok[typ, i + 1, j + 1]
        out = []
        for arr in (self.tof, self.speed, self.accel):
            a00, a10 = arr[typ, i, j], arr[typ, i + 1, j]
            a01, a11 = arr[typ, i, j + 1], arr[typ, i + 1, j + 1]
            out.append((1 - wi) * ((1 - wj) * a00 + wj * a01) + wi * ((1 - wj) * a10 + wj * a11))
        return out[0], out[1], out[2], ok


@dataclass(frozen=True)
class InterceptWindow:
    """Earliest feasible intercept per pair; entries are meaningful only where ``feasible``."""

    feasible: np.ndarray  # (P,) bool
    t_intercept: np.ndarray  # (P,) s
    t_launch: np.ndarray  # (P,) s
    pip: np.ndarray  # (P, 3) ECEF
    speed: np.ndarray  # (P,) interceptor speed at the PIP (table)
    accel: np.ndarray  # (P,) lateral acceleration left at the PIP (table)


def earliest_intercepts(env: EnvelopeSet, typ, fu_pos, t_ready, t_samples, pred_pos, v_threat, a_need,
                        min_closing, t_end, covered=None) -> InterceptWindow:
    """Earliest feasible intercept of each pair (module docstring).

    ``typ (P,)`` envelope index, ``fu_pos (P, 3)``, ``t_ready, a_need, min_closing, t_end (P,)``,
    ``t_samples (K,)`` absolute times, ``pred_pos (P, K, 3)`` predicted threat positions, ``v_threat (P, 3)``
    its velocity; ``covered`` optional ``(P, K)`` bool or a function ``covered(p, k)`` evaluated only where
    every other condition holds.
    """
    rho, h = ground_range_altitude(fu_pos, pred_pos)
    tof, spd, acc, ok = env.lookup(typ[:, None], rho, h)
    ok &= t_samples[None, :] < t_end[:, None]
    ok &= t_ready[:, None] + tof <= t_samples[None, :]
    d = pred_pos - fu_pos[:, None, :]
    u = d / np.maximum(np.linalg.norm(d, axis=2, keepdims=True), 1e-9)
    vc = spd - np.einsum("pki,pi->pk", u, v_threat)
    ok &= (vc >= min_closing[:, None]) & (acc >= a_need[:, None])
    if callable(covered):
        p, k = np.nonzero(ok)
        if p.size:
            ok[p, k] = covered(p, k)
    elif covered is not None:
        ok &= covered
    feasible = ok.any(axis=1)
    k = np.argmax(ok, axis=1)
    rows = np.arange(ok.shape[0])
    t_int = t_samples[k]
    return InterceptWindow(feasible=feasible, t_intercept=t_int, t_launch=t_int - tof[rows, k],
                           pip=pred_pos[rows, k], speed=spd[rows, k], accel=acc[rows, k])


@njit
def _horizon_ok(p0, q, k, tol=1e-6):
    """Compiled :func:`iadsim.sensors.radar.horizon_visible` of one radar ``p0`` and one point ``q``."""
    n02 = p0[0] * p0[0] + p0[1] * p0[1] + p0[2] * p0[2]
    nt2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2]
    s0 = p0[2] * p0[2] / n02
    R = _AE * _BE / math.sqrt(_BE * _BE * (1.0 - s0) + _AE * _AE * s0)
    st = q[2] * q[2] / nt2
    Rt = _AE * _BE / math.sqrt(_BE * _BE * (1.0 - st) + _AE * _AE * st)
    n0, nt = math.sqrt(n02), math.sqrt(nt2)
    h_r, h_t = n0 - R, nt - Rt
    dot = p0[0] * q[0] + p0[1] * q[1] + p0[2] * q[2]
    theta = math.atan2(math.sqrt(max(n02 * nt2 - dot * dot, 0.0)), dot)
    kR = k * R
    te = theta / k
    ax = kR + h_r
    bx, by = (kR + h_t) * math.cos(te), (kR + h_t) * math.sin(te)
    dx, dy = bx - ax, by
    dd = dx * dx + dy * dy
    s = -(ax * dx) / dd if dd > 0 else 0.0
    if 0.0 < s < 1.0:
        dmin = abs(ax * dy) / math.sqrt(dd)
    else:
        dmin = min(ax, math.hypot(bx, by))
    return dmin >= kR - tol and h_t >= -tol


@njit
def _range_alt(q, f, fn):
    """``(|q|, rho, h)``: the norm of the ECEF point ``q``, its ground range from the fire unit ``f`` (``fn =
    |f|``) and its radial altitude above the ellipsoid, as the table is indexed."""
    qn = math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2])
    c = (q[0] * f[0] + q[1] * f[1] + q[2] * f[2]) / (qn * fn)
    rho = R_EARTH * math.acos(min(max(c, -1.0), 1.0))
    sq = q[2] * q[2] / (qn * qn)
    h = qn - _AE * _BE / math.sqrt(_BE * _BE * (1.0 - sq) + _AE * _AE * sq)
    return qn, rho, h


@njit
def _bilinear(A, ty, i, j, w00, w01, w10, w11):
    """The table ``A``'s bilinear value in cell ``(i, j)`` of type ``ty`` with the corner weights ``w``."""
    return w00 * A[ty, i, j] + w01 * A[ty, i, j + 1] + w10 * A[ty, i + 1, j] + w11 * A[ty, i + 1, j + 1]


@njit
def _fcr_sees(q, r, C, rmax, azc, azh, elmin, elmax, k):
    """Whether the fire-control radar at ``r`` (ENU rotation ``C``) covers the point ``q``: range, azimuth
    sector, elevation limits and the 4/3-earth horizon (:func:`_horizon_ok`)."""
    e = C[0, 0] * (q[0] - r[0]) + C[0, 1] * (q[1] - r[1]) + C[0, 2] * (q[2] - r[2])
    n = C[1, 0] * (q[0] - r[0]) + C[1, 1] * (q[1] - r[1]) + C[1, 2] * (q[2] - r[2])
    u = C[2, 0] * (q[0] - r[0]) + C[2, 1] * (q[1] - r[1]) + C[2, 2] * (q[2] - r[2])
    hz = math.hypot(e, n)
    rng = math.sqrt(hz * hz + u * u)
    az = math.atan2(e, n) % (2 * math.pi)
    el = math.atan2(u, hz)
    daz = abs((az - azc + math.pi) % (2 * math.pi) - math.pi)
    if rng > rmax or daz > azh or el < elmin or el > elmax:
        return False
    return _horizon_ok(r, q, k)


@njit
def _earliest_kernel(typ, fu_pos, t_ready, t_samples, pred, inv, v_threat, a_need, min_closing, t_end,
                     rho0, drho, h0, dh, TOF, SPD, ACC, OK, use_fcr, fcr_pos, fcr_C, fcr_rmax, fcr_azc,
                     fcr_azh, fcr_elmin, fcr_elmax, fcr_k, feasible, k_best, tof_best, spd_best, acc_best):
    NRk, NHk = TOF.shape[1], TOF.shape[2]
    for p in range(typ.size):
        feasible[p] = False
        k_best[p] = 0
        ty = typ[p]
        f = fu_pos[p]
        fn = math.sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2])
        for k in range(t_samples.size):
            tk = t_samples[k]
            if tk >= t_end[p]:
                break  # samples ascend: every later one is too late as well
            q = pred[inv[p], k]
            _, rho, h = _range_alt(q, f, fn)
            fi = (rho - rho0[ty]) / drho[ty]
            fj = (h - h0[ty]) / dh[ty]
            if fi < 0.0 or fi > NRk - 1 or fj < -1e-9 or fj > NHk - 1 + 1e-9:
                continue
            i = min(int(math.floor(fi)), NRk - 2)
            j = min(max(int(math.floor(fj)), 0), NHk - 2)
            if not (OK[ty, i, j] and OK[ty, i + 1, j] and OK[ty, i, j + 1] and OK[ty, i + 1, j + 1]):
                continue
            wi = min(max(fi - i, 0.0), 1.0)
            wj = min(max(fj - j, 0.0), 1.0)
            w00, w01, w10, w11 = (1 - wi) * (1 - wj), (1 - wi) * wj, wi * (1 - wj), wi * wj
            tof = _bilinear(TOF, ty, i, j, w00, w01, w10, w11)
            if t_ready[p] + tof > tk:
                continue
            spd = _bilinear(SPD, ty, i, j, w00, w01, w10, w11)
            acc = _bilinear(ACC, ty, i, j, w00, w01, w10, w11)
            dx, dy, dz = q[0] - f[0], q[1] - f[1], q[2] - f[2]
            dn = max(math.sqrt(dx * dx + dy * dy + dz * dz), 1e-9)
            vc = spd - (dx * v_threat[p, 0] + dy * v_threat[p, 1] + dz * v_threat[p, 2]) / dn
            if vc < min_closing[p] or acc < a_need[p]:
                continue
            if use_fcr[p] and not _fcr_sees(q, fcr_pos[p], fcr_C[p], fcr_rmax[p], fcr_azc[p], fcr_azh[p],
                                            fcr_elmin[p], fcr_elmax[p], fcr_k[p]):
                continue
            feasible[p] = True
            k_best[p] = k
            tof_best[p] = tof
            spd_best[p] = spd
            acc_best[p] = acc
            break


def earliest_intercepts_compiled(env: EnvelopeSet, typ, fu_pos, t_ready, t_samples, pred, inv, v_threat, a_need,
                                 min_closing, t_end, fcr) -> InterceptWindow:
    """:func:`earliest_intercepts` in one compiled pass that stops at each pair's first feasible sample
    (the same answer: tested against it). ``pred (U, K, 3)`` holds the predictions of the distinct tracks,
    ``inv (P,)`` the row of each pair; ``fcr``: a dict of per-pair coverage arrays ``use, pos, C, rmax,
    az_center, az_half, el_min, el_max, k`` (``use`` False: no coverage test)."""
    P = typ.size
    feasible = np.zeros(P, bool)
    k_best = np.zeros(P, np.int64)
    tof = np.zeros(P)
    spd = np.zeros(P)
    acc = np.zeros(P)
    _earliest_kernel(np.asarray(typ, np.int64), np.ascontiguousarray(fu_pos, float), np.asarray(t_ready, float),
                     np.asarray(t_samples, float), np.ascontiguousarray(pred, float), np.asarray(inv, np.int64),
                     np.ascontiguousarray(v_threat, float), np.asarray(a_need, float),
                     np.asarray(min_closing, float), np.asarray(t_end, float), env.rho0, env.drho, env.h0, env.dh,
                     env.tof, env.speed, env.accel, env.ok, fcr["use"], fcr["pos"], fcr["C"], fcr["rmax"],
                     fcr["az_center"], fcr["az_half"], fcr["el_min"], fcr["el_max"], fcr["k"],
                     feasible, k_best, tof, spd, acc)
    t_int = np.asarray(t_samples, float)[k_best]
    pip = pred[np.asarray(inv, np.int64), k_best] if P else np.zeros((0, 3))
    return InterceptWindow(feasible=feasible, t_intercept=t_int, t_launch=t_int - tof, pip=pip, speed=spd,
                           accel=acc)


def required_accel(cls_names, maneuver_ratio):
    """``maneuver_ratio * max(a_threat, 1 g)`` (m/s^2) for threat class names (module docstring)."""
    a = np.array([max(THREAT_MANEUVER_G[c], 1.0) * G0 for c in cls_names])
    return np.asarray(maneuver_ratio, float)[..., None] * a


__all__ = ["EnvelopeSet", "EnvelopeTable", "InterceptWindow", "build_envelope", "constant_speed_envelope",
           "earliest_intercepts", "earliest_intercepts_compiled", "envelope_table",
           "fly_points", "ground_range_altitude", "point_at", "radial_altitude", "required_accel"]
