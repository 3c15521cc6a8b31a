"""Flight profiles of air-breathing threats: a threat's profile parameters and geometry -> waypoint rows.

Pure functions over a raid of N threats (arrays of shape (N,), radians and metres); each returns
:class:`Routes`, the NaN-padded waypoint rows ``lat, lon, alt (N, W)`` and the per-leg ground speed
``speed (N, W)`` (column j: the leg from waypoint j to the next) that
:func:`iadsim.threats.airbreathing.waypoint_tracks` flies, plus named waypoint columns (``marks``) and the
weave to apply.  ``Routes.tracks()`` calls ``waypoint_tracks``.

Geometry.  Points along a route are placed on the sphere of radius ``R_EARTH`` (mean Earth radius) in the
geodetic latitude and longitude, by spherical linear interpolation (Shoemake, SIGGRAPH 1985) of the unit
vectors ``n = (cos lat cos lon, cos lat sin lon, sin lat)``: the point at great-circle distance ``r``
before ``b`` on the great circle from ``a`` is ``slerp(a, b, 1 - r / (R_EARTH omega))`` with
``cos omega = a . b``; a lateral offset ``y`` (positive to the left of the track) rotates a point by
``y / R_EARTH`` about the track's great circle toward its pole ``a x b / |a x b|``.  Ranges and offsets
are therefore great-circle distances on that sphere (haversine; they differ from the WGS-84 geodesic by
< 0.5 %).  The loiter circle, whose flight time must be exact, is drawn in the local east-north plane of
its centre on the ellipsoid (offsets by the meridian and prime-vertical radii of curvature), where
``waypoint_tracks`` measures lengths.

Profiles
--------
``cruise_route`` (cruise missile)::

    launch -> route points -> TOD -> T -> [F -> aim | PU -> APEX -> aim]

all at ``cruise_alt`` up to TOD (top of descent) at range ``terminal_range + |cruise_alt - terminal_alt| /
tan(descent_angle)`` from the aim, descending to ``terminal_alt`` at T (range ``terminal_range``), the
terminal leg (sea-skimming or terrain-following) at ``terminal_speed``; without a pop-up it holds
``terminal_alt`` to F (``final_range``, 2 km, before the aim) and descends onto the aim; with
``pop_up = (range, altitude[, climb_angle])`` it climbs from PU (range
``range + (altitude - terminal_alt) / tan(climb_angle)``) to APEX (``altitude`` at ``range``) and dives
straight onto the aim (dive angle ``atan((altitude - aim_alt) / range)``).  Ranges are measured along the
last great circle (last route point, or launch, -> aim); a point that would lie behind its start is
dropped and the altitude is interpolated across it.  ``weave = (amplitude, wavelength)`` weaves from T to
the aim.

``drone_route`` (one-way attack drone)::

    launch -> route points -> dog-legs -> [E -> loiter polygon -> X -> Q1 (-> Q2)] -> F -> aim

``dog_legs = (count, max_offset)`` inserts ``count`` turn points at fractions ``j / (count + 1)`` of the
great circle from the last route point (or launch) to the loiter centre (or the aim), each displaced
laterally by ``rng.uniform(-max_offset, max_offset, (N, count))`` (one draw, in that shape).
``loiter = (radius, duration, distance_before_aim)``: the centre C is on the great circle to the aim at
``distance_before_aim`` from it (extrapolated behind the last route point if that is closer to the aim);
the drone arrives radially at E (the circle point toward its previous
waypoint), flies clockwise (seen from above) a regular polygon inscribed in the circle with steps of at
most 10 deg (perimeter 0.13 % short of the circle's) whose length is exactly ``speed * duration``, and
leaves at X radially to Q1 at ``1.6 radius`` and, if the aim is more than 90 deg from there, round the
circle to Q2 (also at ``1.6 radius``), from where the straight dive stays outside ``1.13 radius``: so
the time within ``1.05 radius`` of C is the loiter duration plus ``2 * 0.05 radius / speed``.

``aircraft_route`` (strike aircraft with stand-off weapons)::

    launch -> route points -> REL -> egress (reversed route -> launch, or the given points)

REL is on the great circle from the last route point (or launch) toward the aim at ``release_range`` from
it (extrapolated behind the last route point when that is already closer); ``marks["release"]`` is its
column, so ``paths.t_waypoint[i, marks["release"][i]]`` is the release time and ``Routes.point("release")``
the launch point of the payload missiles.  (Engageability and "a leaking aircraft does no damage" are the
engine's concern.)

``time_on_target(duration, tot, spread, rng)``: launch times such that threat i arrives at
``tot + spread * U_i`` (``U_i`` uniform on [0, 1), one draw of shape (N,)): ``t_launch = tot + spread U -
duration``.

Catalog parameters (per threat type; units; typical open values)
-----------------------------------------------------------------
Cruise missile (CSIS Missile Defense Project, *Missile Threat* pages for Tomahawk, Kh-101, Kalibr,
Harpoon, Exocet, BrahMos; the catalog's ``cruise_missile`` entry):

* ``cruise_alt`` m: 30-100 m overland terrain following, ~ hundreds of m to km over sea before the
  terminal phase;  ``cruise_speed`` m/s: 240 (subsonic, Mach ~0.7), 700-900 for supersonic ramjets;
* ``terminal_range`` m: 10-40 km (the seeker phase);  ``terminal_alt`` m: 5-15 (sea skimming),
  30-50 (terrain following);  ``terminal_speed`` m/s (optional, e.g. a supersonic sprint);
* ``descent_angle`` rad (default 3 deg);  ``pop_up`` = (range m: 2-10 km, altitude m: 300-2000,
  climb angle rad, default 20 deg);  ``weave`` = (amplitude m: 20-200, wavelength m: 1-5 km) and
  ``g_limit`` g (airframe manoeuvre limit, a few g to ~10 g; Zarchan, *Tactical and Strategic Missile
  Guidance*, weaving-target chapters).

Drone (open reporting on the Shahed-136 / Geran-2 class; the catalog's ``owa_drone`` entry):

* ``alt`` m: a few hundred to 2-4 km;  ``speed`` m/s: 40-55 (150-190 km/h);
* ``dog_legs`` = (count: 1-5, max_offset m: 10-50 km, routes bent round defended areas);
* ``loiter`` = (radius m: 1-5 km, duration s: minutes, distance_before_aim m: >= 1.6 radius).

Aircraft (IISS, *The Military Balance*; CSIS pages for JASSM, Storm Shadow / SCALP, Kh-555 ranges):

* ``alt`` m: 6-10 km;  ``speed`` m/s: 230-280;  ``release_range`` m: the payload's range less a margin
  (250-900 km stand-off, tens of km for glide bombs);  ``egress``: "reverse" or a list of points;
* ``payload``: the cruise missile type and count per aircraft (the engine launches them from
  ``Routes.point("release")`` at ``t_waypoint[release]``).

Raid: ``time_on_target`` = (tot s since the epoch, spread s) to coordinate a wave's arrival.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from iadsim.frames import R_EARTH, WGS84, enu_rotation, geodetic2ecef
from iadsim.threats.airbreathing import waypoint_tracks

__all__ = ["Routes", "aircraft_route", "cruise_route", "drone_route", "time_on_target"]

#: default final leg: the ground distance before the aim where the descent onto it starts (m)
FINAL_RANGE = 2000.0
#: default flight-path angle of the descent from cruise to terminal altitude (rad): 3 deg
DESCENT_ANGLE = np.radians(3.0)
#: default climb angle of a pop-up (rad): 20 deg
POP_UP_CLIMB = np.radians(20.0)
#: largest angular step of the loiter polygon (rad): 10 deg, perimeter 0.13 % below the circle
LOITER_STEP = np.radians(10.0)
#: radius of the loiter exit points, in loiter radii
LOITER_EXIT = 1.6


@dataclass(frozen=True)
class Routes:
    """Waypoint rows of N threats (NaN-padded to W columns) and what ``waypoint_tracks`` needs to fly them.

    Attributes
    ----------
    lat, lon, alt : (N, W) rad, rad, m.
    speed : (N, W) m/s, ground speed of the leg from waypoint j to j + 1 (NaN on the last waypoint).
    marks : name -> (N,) int column of a named waypoint (-1 where a threat has none, e.g. a dropped point).
    weave : None or ``(amplitude (N,), wavelength (N,), start column (N,))`` for ``waypoint_tracks``.
    """

    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray
    speed: np.ndarray
    marks: dict = field(default_factory=dict)
    weave: tuple | None = None

    def __len__(self) -> int:
        return self.lat.shape[0]

    def tracks(self, spacing=2000.0, *, ramp=False, g_limit=None, follow=None):
        """:func:`~iadsim.threats.airbreathing.waypoint_tracks` of these rows (with their weave and, with
        ``follow``, terrain following)."""
        return waypoint_tracks(self.lat, self.lon, self.alt, self.speed, spacing, ramp=ramp,
                               weave=self.weave, g_limit=g_limit, follow=follow)

    def point(self, mark: str):
        """``(lat, lon, alt)`` (N,) of the named waypoint (NaN where absent)."""
        col = self.marks[mark]
        ok = col >= 0
        rows = np.arange(len(self))
        c = np.where(ok, col, 0)
        return tuple(np.where(ok, x[rows, c], np.nan) for x in (self.lat, self.lon, self.alt))


# --- geometry on the sphere -------------------------------------------------------------------------------

def _unit(lat, lon):
    cl = np.cos(lat)
    return np.stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)], axis=-1)


def _latlon(u):
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    return np.arcsin(np.clip(u[..., 2], -1.0, 1.0)), np.arctan2(u[..., 1], u[..., 0])


def _angle(a, b):
    """Central angle between unit vectors (rad), accurate at small and large angles."""
    return np.arctan2(np.linalg.norm(np.cross(a, b), axis=-1), np.einsum("...i,...i", a, b))


def _slerp(a, b, f):
    """Point at fraction ``f`` (any real: < 0 or > 1 extrapolate) of the great circle from ``a`` to ``b``."""
    om = _angle(a, b)
    s = np.sin(om)
    small = s < 1e-12
    s = np.where(small, 1.0, s)
    w0 = np.where(small, 1.0 - f, np.sin((1.0 - f) * om) / s)
    w1 = np.where(small, f, np.sin(f * om) / s)
    u = w0[..., None] * a + w1[..., None] * b
    return u / np.linalg.norm(u, axis=-1, keepdims=True)


def _short_of(a, b, r):
    """Point ``r`` metres (great circle) before ``b`` on the circle from ``a``; and whether it lies after ``a``."""
    om = _angle(a, b)
    f = 1.0 - r / np.maximum(om * R_EARTH, 1e-9)
    return _slerp(a, b, f), f > 0.0


def _lateral(p, a, b, y):
    """``p`` on the great circle ``a -> b`` moved ``y`` metres to the left (toward the pole ``a x b``)."""
    pole = np.cross(a, b)
    pole = pole / np.maximum(np.linalg.norm(pole, axis=-1, keepdims=True), 1e-300)
    ang = (y / R_EARTH)[..., None]
    u = np.cos(ang) * p + np.sin(ang) * pole
    return u / np.linalg.norm(u, axis=-1, keepdims=True)


# --- building rows ----------------------------------------------------------------------------------------

class _Rows:
    """Columns of waypoints (N,) appended in order; a NaN latitude drops a point for that threat."""

    def __init__(self, n):
        self.n = n
        self.cols = []  # (u (N, 3) or NaN rows, alt (N,), speed of the leg starting here (N,))
        self.marks = {}

    def add(self, u, alt, speed, keep=None, mark=None):
        u = np.array(np.broadcast_to(u, (self.n, 3)), float)
        if keep is not None:
            u[~np.asarray(keep, bool)] = np.nan
        if mark is not None:
            self.marks[mark] = len(self.cols)
        self.cols.append((u, np.broadcast_to(alt, (self.n,)).astype(float),
                          np.broadcast_to(speed, (self.n,)).astype(float)))

    def build(self, weave=None, weave_mark=None):
        U = np.stack([c[0] for c in self.cols], axis=1)
        A = np.stack([c[1] for c in self.cols], axis=1)
        V = np.stack([c[2] for c in self.cols], axis=1)
        keep = ~np.isnan(U[..., 0])
        lat, lon = _latlon(np.where(keep[..., None], U, 1.0))
        # compact each row to the left (stable), NaN-pad on the right
        W = int(keep.sum(axis=1).max())
        order = np.argsort(~keep, axis=1, kind="stable")[:, :W]
        rows = np.arange(self.n)[:, None]
        ok = np.take_along_axis(keep, order, 1)

        def pack(x):
            return np.where(ok, x[rows, order], np.nan)

        lat, lon, A, V = pack(lat), pack(lon), pack(A), pack(V)
        last = ok.sum(axis=1) - 1
        V[np.arange(self.n), last] = np.nan
        before = np.cumsum(keep, axis=1) - keep  # new column of the first kept point at or after each column
        marks = {k: np.where(keep[:, c], before[:, c], -1) for k, c in self.marks.items()}
        wv = None
        if weave is not None:
            amp = np.broadcast_to(np.asarray(weave[0], float), (self.n,)).copy()
            lam = np.broadcast_to(np.asarray(weave[1], float), (self.n,)).copy()
            start = before[:, self.marks[weave_mark]]  # a dropped start point: the next waypoint
            amp[(start < 0) | (start >= last)] = 0.0
            wv = (amp, lam, np.maximum(start, 0))
        return Routes(lat=lat, lon=lon, alt=A, speed=V, marks=marks, weave=wv)


def _as_n(x, n, name):
    a = np.asarray(x, float)
    if a.ndim > 1 or (a.ndim == 1 and a.size != n):
        raise ValueError(f"{name} must be a scalar or have shape ({n},)")
    return np.broadcast_to(a, (n,)).copy()


def _points(launch, route):
    """Launch (N,) and route (R,) common or (N, R) per threat (NaN padded) as unit vectors."""
    la, lo = (np.atleast_1d(np.asarray(x, float)) for x in launch[:2])
    if la.shape != lo.shape or la.ndim != 1:
        raise ValueError("launch must be (lat, lon) arrays of shape (N,)")
    n = la.size
    pts = []
    if route is not None:
        rla, rlo = (np.asarray(x, float) for x in route[:2])
        if rla.shape != rlo.shape or rla.ndim not in (1, 2) or (rla.ndim == 2 and rla.shape[0] != n):
            raise ValueError("route must be (lat, lon) arrays of shape (R,) or (N, R)")
        rla = np.broadcast_to(rla, (n, rla.shape[-1]))
        rlo = np.broadcast_to(rlo, (n, rlo.shape[-1]))
        for j in range(rla.shape[1]):
            u = _unit(rla[:, j], rlo[:, j])
            u[np.isnan(rla[:, j]) | np.isnan(rlo[:, j])] = np.nan
            pts.append(u)
    return _unit(la, lo), pts


def _last(start, pts):
    """The last defined point of each threat among ``start`` and the route points."""
    p = start.copy()
    for u in pts:
        ok = ~np.isnan(u[:, 0])
        p[ok] = u[ok]
    return p


def _aim(aim, n):
    la, lo, al = (_as_n(x, n, "aim") for x in aim)
    return _unit(la, lo), al


def cruise_route(launch, route, aim, *, cruise_alt, cruise_speed, terminal_range, terminal_alt,
                 terminal_speed=None, pop_up=None, weave=None, descent_angle=DESCENT_ANGLE,
                 final_range=FINAL_RANGE) -> Routes:
    """Cruise-missile waypoints (module docstring): cruise, descent, sea-skim / terrain-following, pop-up.

    Parameters
    ----------
    launch : (lat, lon) (N,) rad.  route : None, or (lat, lon) (R,) common or (N, R) NaN-padded, rad.
    aim : (lat, lon, alt) (N,) rad, rad, m.
    cruise_alt, cruise_speed, terminal_range, terminal_alt, terminal_speed : m, m/s (scalars or (N,)).
    pop_up : None or (range_m, altitude_m[, climb_angle_rad = 20 deg]).
    weave : None or (amplitude_m, wavelength_m), flown from the terminal point T to the aim.
    descent_angle : rad, flight-path angle of the descent from cruise to terminal altitude.
    final_range : m, where the final descent onto the aim starts (without pop-up).

    Marks: ``descent`` (TOD), ``terminal`` (T), ``pop_up`` (PU), ``apex``, ``final`` (F), ``aim``.
    """
    start, pts = _points(launch, route)
    n = start.shape[0]
    a_u, a_alt = _aim(aim, n)
    h_c = _as_n(cruise_alt, n, "cruise_alt")
    v_c = _as_n(cruise_speed, n, "cruise_speed")
    r_t = _as_n(terminal_range, n, "terminal_range")
    h_t = _as_n(terminal_alt, n, "terminal_alt")
    v_t = v_c if terminal_speed is None else _as_n(terminal_speed, n, "terminal_speed")
    if not 0.0 < descent_angle < np.pi / 2:
        raise ValueError("descent_angle must be in (0, 90) deg")
    rows = _Rows(n)
    rows.add(start, h_c, v_c, mark="launch")
    for u in pts:
        rows.add(u, h_c, v_c)
    p = _last(start, pts)
    r_tod = r_t + np.abs(h_c - h_t) / np.tan(descent_angle)
    u, ok = _short_of(p, a_u, r_tod)
    rows.add(u, h_c, v_c, keep=ok & (r_tod > r_t), mark="descent")
    u, ok = _short_of(p, a_u, r_t)
    rows.add(u, h_t, v_t, keep=ok, mark="terminal")
    if pop_up is None:
        if np.any(r_t <= final_range):
            raise ValueError(f"terminal_range must exceed final_range ({final_range} m)")
        u, ok = _short_of(p, a_u, np.full(n, float(final_range)))
        rows.add(u, h_t, v_t, keep=ok, mark="final")
    else:
        if len(pop_up) not in (2, 3):
            raise ValueError("pop_up must be (range_m, altitude_m[, climb_angle_rad])")
        r_a = _as_n(pop_up[0], n, "pop_up range")
        h_a = _as_n(pop_up[1], n, "pop_up altitude")
        gam = float(pop_up[2]) if len(pop_up) == 3 else POP_UP_CLIMB
        if not 0.0 < gam < np.pi / 2:
            raise ValueError("pop_up climb angle must be in (0, 90) deg")
        if np.any(h_a <= h_t) or np.any(r_a <= 0):
            raise ValueError("pop_up altitude must exceed terminal_alt and its range be positive")
        r_pu = r_a + (h_a - h_t) / np.tan(gam)
        if np.any(r_pu >= r_t):
            raise ValueError("the pop-up climb must start inside terminal_range")
        u, ok = _short_of(p, a_u, r_pu)
        rows.add(u, h_t, v_t, keep=ok, mark="pop_up")
        u, ok = _short_of(p, a_u, r_a)
        rows.add(u, h_a, v_t, keep=ok, mark="apex")
    rows.add(a_u, a_alt, np.nan, mark="aim")
    return rows.build(weave=weave, weave_mark="terminal")


def _loiter_points(c_u, prev_u, aim_u, radius, length):
    """Loiter polygon on the ellipsoid (local east-north offsets at the centre): E, the vertices to X, Q1, Q2.

    Returns ``(ring (N, P, 3) unit normals with NaN padding, q (N, 2, 3) with NaN for an unused Q2)``."""
    n = c_u.shape[0]
    la, lo = _latlon(c_u)
    o = geodetic2ecef(la, lo, 0.0)
    C = enu_rotation(la, lo)  # (N, 3, 3)

    def bearing(u):
        en = np.einsum("nij,nj->ni", C, geodetic2ecef(*_latlon(u), 0.0) - o)
        return np.arctan2(en[:, 1], en[:, 0])  # math angle, from east counter-clockwise

    phi_e, phi_a = bearing(prev_u), bearing(aim_u)
    # regular polygon inscribed in the circle, clockwise from E, whose perimeter is exactly `length`
    k_steps = np.maximum(1, np.ceil(length / radius / LOITER_STEP)).astype(int)
    x = np.clip(length / (2.0 * k_steps * radius), 0.0, 1.0)
    step = 2.0 * np.arcsin(x)
    P = int(k_steps.max()) + 1
    j = np.arange(P)[None, :]
    ang = phi_e[:, None] - j * step[:, None]
    ring_en = radius[:, None, None] * np.stack([np.cos(ang), np.sin(ang)], axis=-1)
    phi_x = phi_e - k_steps * step
    dlt = np.angle(np.exp(1j * (phi_a - phi_x)))  # wrapped to (-pi, pi]
    q_ang = np.stack([phi_x, phi_x + np.sign(dlt) * (np.abs(dlt) - np.pi / 2)], axis=1)
    q_en = (LOITER_EXIT * radius)[:, None, None] * np.stack([np.cos(q_ang), np.sin(q_ang)], axis=-1)

    # east-north offsets to geodetic by the ellipsoid's radii of curvature at the centre (meridian M,
    # prime vertical N); second-order error ~ e^2 r / R (1e-5 relative for a 1.5 km radius)
    e2 = 1.0 - (WGS84.semiminor_axis / WGS84.semimajor_axis) ** 2
    w = 1.0 - e2 * np.sin(la) ** 2
    Mr = WGS84.semimajor_axis * (1.0 - e2) / w ** 1.5
    Nr = WGS84.semimajor_axis / np.sqrt(w)

    def to_unit(en):
        return _unit(la[:, None] + en[..., 1] / Mr[:, None], lo[:, None] + en[..., 0] / (Nr * np.cos(la))[:, None])

    ring = to_unit(ring_en)
    ring[j.repeat(n, 0) > k_steps[:, None]] = np.nan
    q = to_unit(q_en)
    q[np.abs(dlt) <= np.pi / 2, 1] = np.nan
    return ring, q


def drone_route(launch, route, aim, *, alt, speed, dog_legs=None, loiter=None, rng=None,
                final_range=FINAL_RANGE) -> Routes:
    """One-way attack drone waypoints (module docstring): dog-legs, loiter, dive on the aim.

    Parameters
    ----------
    launch, route, aim : as :func:`cruise_route`.
    alt, speed : m, m/s (scalars or (N,)).
    dog_legs : None or (count, max_offset_m); needs ``rng`` (a ``numpy.random.Generator``).
    loiter : None or (radius_m, duration_s, distance_before_aim_m) (scalars or (N,)).
    final_range : m, where the dive onto the aim starts.

    Marks: ``dog_leg_<j>``, ``loiter_start`` (E), ``loiter_end`` (X), ``final`` (F), ``aim``.
    """
    start, pts = _points(launch, route)
    n = start.shape[0]
    a_u, a_alt = _aim(aim, n)
    h = _as_n(alt, n, "alt")
    v = _as_n(speed, n, "speed")
    rows = _Rows(n)
    rows.add(start, h, v, mark="launch")
    for u in pts:
        rows.add(u, h, v)
    p = _last(start, pts)
    goal = a_u
    if loiter is not None:
        if len(loiter) != 3:
            raise ValueError("loiter must be (radius_m, duration_s, distance_before_aim_m)")
        rad = _as_n(loiter[0], n, "loiter radius")
        dur = _as_n(loiter[1], n, "loiter duration")
        dist = _as_n(loiter[2], n, "loiter distance_before_aim")
        if np.any(rad <= 0) or np.any(dur < 0):
            raise ValueError("loiter radius must be positive and duration non-negative")
        if np.any(dist < LOITER_EXIT * rad):
            raise ValueError(f"loiter distance_before_aim must be at least {LOITER_EXIT} loiter radii")
        goal, _ = _short_of(p, a_u, dist)
    if dog_legs is not None:
        count, max_off = int(dog_legs[0]), float(dog_legs[1])
        if count < 0 or max_off < 0:
            raise ValueError("dog_legs must be (count >= 0, max_offset_m >= 0)")
        if rng is None:
            raise ValueError("dog_legs need a random generator (rng)")
        y = rng.uniform(-max_off, max_off, (n, count))
        for j in range(count):
            u = _slerp(p, goal, np.full(n, (j + 1) / (count + 1)))
            rows.add(_lateral(u, p, goal, y[:, j]), h, v, mark=f"dog_leg_{j}")
        if count:
            p = _lateral(_slerp(p, goal, np.full(n, count / (count + 1))), p, goal, y[:, -1])
    if loiter is not None:
        ring, q = _loiter_points(goal, p, a_u, rad, v * dur)
        for k in range(ring.shape[1]):
            mark = "loiter_start" if k == 0 else None
            rows.add(ring[:, k], h, v, keep=~np.isnan(ring[:, k, 0]), mark=mark)
        # X is the last defined vertex of each ring: mark it by its column after packing (below)
        rows.add(q[:, 0], h, v, mark="loiter_exit")
        rows.add(q[:, 1], h, v, keep=~np.isnan(q[:, 1, 0]))
        p = np.where(np.isnan(q[:, 1, :1]), q[:, 0], q[:, 1])
    u, ok = _short_of(p, a_u, np.full(n, float(final_range)))
    rows.add(u, h, v, keep=ok, mark="final")
    rows.add(a_u, a_alt, np.nan, mark="aim")
    r = rows.build()
    if loiter is not None:
        r.marks["loiter_end"] = r.marks.pop("loiter_exit") - 1
    return r


def aircraft_route(launch, route, aim, *, alt, speed, release_range_m, egress="reverse") -> Routes:
    """Strike aircraft waypoints (module docstring): ingress to the release point, release, egress.

    Parameters
    ----------
    launch, route, aim : as :func:`cruise_route` (the aim's altitude is not used).
    alt, speed, release_range_m : m, m/s, m (scalars or (N,)).
    egress : "reverse" (the route reversed, then the launch point) or (lat, lon) (M,) or (N, M) points.

    Marks: ``release`` (REL; its column in ``t_waypoint`` is the release time), ``launch``.
    Use ``Routes.point("release")`` for the payload's launch point.
    """
    start, pts = _points(launch, route)
    n = start.shape[0]
    a_u, _ = _aim(aim, n)
    h = _as_n(alt, n, "alt")
    v = _as_n(speed, n, "speed")
    r_rel = _as_n(release_range_m, n, "release_range_m")
    if np.any(r_rel <= 0):
        raise ValueError("release_range_m must be positive")
    rows = _Rows(n)
    rows.add(start, h, v, mark="launch")
    for u in pts:
        rows.add(u, h, v)
    p = _last(start, pts)
    u, _ = _short_of(p, a_u, r_rel)  # extrapolated behind p when p is already inside the release range
    rows.add(u, h, v, mark="release")
    if isinstance(egress, str):
        if egress != "reverse":
            raise ValueError(f"egress must be 'reverse' or a list of points, not {egress!r}")
        for u in pts[::-1]:
            rows.add(u, h, v)
        rows.add(start, h, np.nan)
    else:
        _, back = _points(launch, egress)
        if not back:
            raise ValueError("egress needs at least one point")
        for u in back[:-1]:
            rows.add(u, h, v)
        rows.add(back[-1], h, np.nan)
    return rows.build()


def time_on_target(duration, tot, spread=0.0, rng=None, *, earliest=None):
    """Launch times (N,) so that each threat arrives at ``tot + spread * U`` (``U ~ U[0, 1)``, one draw (N,)).

    Parameters
    ----------
    duration : (N,) flight time of each path (s), e.g. ``WaypointPaths.duration``.
    tot : time on target, s since the scenario epoch (scalar or (N,)).
    spread : s >= 0, width of the arrival window; needs ``rng`` when positive.
    earliest : None or s; a launch time before it raises ValueError (naming the threat).
    """
    dur = np.atleast_1d(np.asarray(duration, float))
    if spread < 0:
        raise ValueError("spread must be non-negative")
    arrive = np.broadcast_to(np.asarray(tot, float), dur.shape).astype(float)
    if spread > 0:
        if rng is None:
            raise ValueError("a time-on-target spread needs a random generator (rng)")
        arrive = arrive + spread * rng.random(dur.size)
    t = arrive - dur
    if earliest is not None and np.any(t < earliest):
        i = int(np.argmax(t < earliest))
        raise ValueError(f"threat {i}: launch at {t[i]:.1f} s (flight {dur[i]:.1f} s) is before {earliest} s")
    return t
