"""Air-breathing threats (cruise missiles, drones, aircraft) flying geodetic waypoints.

Model
-----
Each threat flies its waypoints ``(lat_j, lon_j, alt_j)`` (rad, rad, m) in order, leg ``j`` (from
waypoint ``j`` to ``j + 1``) at the **ground speed** ``V_j`` (m/s).  Between two waypoints the horizontal
path is the great circle through them, taken on the sphere whose spherical coordinates are the geodetic
latitude and longitude (spherical linear interpolation, *slerp*, of the unit vectors
``n_j = (cos lat cos lon, cos lat sin lon, sin lat)``; Shoemake, "Animating rotation with quaternion
curves", SIGGRAPH 1985)::

    n(f) = [sin((1 - f) d) n_j + sin(f d) n_{j+1}] / sin d,    cos d = n_j . n_{j+1},  f in [0, 1]

and the altitude is interpolated linearly in ``f`` between the waypoint altitudes.  (This differs from the
ellipsoidal geodesic by well under 1 % in length; it matters only that the path stays at the commanded
altitude, which a straight ECEF chord between distant waypoints would not: the sagitta of a 200 km chord
is ``L^2 / (8 R) ~ 785 m``.)  ``n(f)`` is also the ellipsoid's surface normal at the sample, so the
horizontal plane there is the plane normal to ``n(f)``.

Each leg is cut into ``ceil(d a^2 / (b spacing))`` equal steps of ``f``; the ECEF sample points are joined by
straight segments (sagitta of a 2 km step: 8 cm).  The **ground arc length** ``s`` is the cumulative chord
length of the same points projected to the ellipsoid surface (altitude 0).

Timing.  The time since launch of sample ``k`` on leg ``j`` (which starts at ``S_j``, time ``T_j``) is::

    t_k = T_j + (s_k - S_j) / V_j                                   (speed step, the default)
    t_k = T_j + 2 (s_k - S_j) / (v0 + sqrt(v0^2 + 2 a (s_k - S_j)))  (ramp: constant ground acceleration)

with, for the ramp, ``v0 = V_{j-1}`` (the previous leg's speed; ``V_0`` on the first leg) and
``a = (V_j^2 - v0^2) / (2 L_j)``, so the ground speed grows linearly in time from ``v0`` to ``V_j`` over the
leg of ground length ``L_j`` (``s = v0 t + a t^2 / 2`` solved for ``t`` in the cancellation-free form).
Without the ramp a speed change is a step at the waypoint.  Between two samples the threat moves along
the straight segment with the leg's ground kinematics, ``u = t - t_k``::

    pos = p_k + (v_k u + a u^2 / 2) (p_{k+1} - p_k) / (s_{k+1} - s_k),   vel = (v_k + a u) (...)

(``v_k`` the ground speed at sample ``k``, ``a`` the leg's ground acceleration, 0 without a ramp, where this
is the linear interpolation in time of the original model); the velocity includes the climb rate, and on
a level leg its horizontal part is the ground speed up to the altitude scale factor ``(R + h) / R``.  A
leg of zero ground length (a vertical step) takes no time.

Weave.  ``weave = (A, lambda, start)`` displaces the path from waypoint ``start`` to the last waypoint
laterally (in the horizontal plane, perpendicular to the great circle of the leg, positive to the left of
the track) by::

    y(s') = A w(s') sin(2 pi s' / lambda),       s' = s_base - s_base(start)

where ``s_base`` is the ground arc length of the unweaved path and ``w`` is a Hann taper over the last
wavelength, ``w = (1 - cos(pi u)) / 2`` with ``u = min(1, (s_base_end - s_base) / lambda)``, so the threat
still arrives at its last waypoint.  The weaving legs are sampled at ``min(spacing, lambda / 16)`` so the
linear pieces follow the sine (the second difference over ``lambda / 16`` is 98.7 % of the true curvature).
Waypoints inside the weave are passed at their offset.  The path lengthens by about ``(pi A / lambda)^2``
and the flight time with it (``V`` is the ground speed along the flown path).  The lateral acceleration is
``y''(s) V^2``, i.e. ``A (2 pi V / lambda)^2`` at the crests of the untapered part (the weave of a constant
amplitude is a sine at ground speed ``V``; e.g. Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed.,
ch. on weaving targets, models it as ``n_T sin(omega t)`` with ``n_T = A omega^2``); the taper adds up to
12 %.  ``WaypointPaths.lateral_accel`` reports the peak of ``|y''| V^2`` over the samples, and
``g_limit`` (in g) rejects a weave above it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.frames import E2 as _E2
from iadsim.frames import WGS84, geodetic2ecef

__all__ = ["G0", "WaypointPaths", "waypoint_tracks"]

_R_CURV_MAX = WGS84.semimajor_axis ** 2 / WGS84.semiminor_axis
#: standard gravity (m/s^2), the unit of ``g_limit``
G0 = 9.80665
#: weaving legs are sampled at least this many times per wavelength
WEAVE_SAMPLES_PER_WAVELENGTH = 16


@dataclass(frozen=True)
class WaypointPaths:
    """Time and arc-length tables of N waypoint paths (padded to a common number of samples K).

    Attributes
    ----------
    s : (N, K) cumulative ground arc length (m) of each sample; padding repeats the last value.
    t : (N, K) time since launch (s) of each sample; padding repeats the last value.
    pos : (N, K, 3) ECEF sample points (m); padding repeats the last point.
    n_samples : (N,) number of genuine samples per path (>= 2).
    leg_speed : (N, W) ground speed of the leg from waypoint j to j + 1 (m/s), NaN where there is no leg
        (padding and the last waypoint).
    length : (N,) total ground length (m).
    s_waypoint, t_waypoint : (N, W) ground arc length (m) and time since launch (s) at each waypoint
        (NaN padding); inside a weave they refer to the waypoint's displaced position.
    lateral_accel : (N,) peak lateral acceleration of the weave (m/s^2), 0 without one.
    v, a : (N, K) ground speed (m/s) at the start of the segment from sample k to k + 1 and its constant
        ground acceleration (m/s^2; non-zero only on ramped legs); 0 on padding.
    """

    s: np.ndarray
    t: np.ndarray
    pos: np.ndarray
    n_samples: np.ndarray
    leg_speed: np.ndarray
    length: np.ndarray
    s_waypoint: np.ndarray
    t_waypoint: np.ndarray
    lateral_accel: np.ndarray
    v: np.ndarray
    a: np.ndarray

    @property
    def duration(self) -> np.ndarray:
        """(N,) flight time from the first to the last waypoint (s): the last sample's time."""
        return self.t[:, -1].copy()

    def __len__(self) -> int:
        return self.s.shape[0]

    def state(self, tau, idx=None):
        """Position and velocity (ECEF) ``tau`` seconds after launch; ``tau`` scalar or (n,).

        ``tau`` is clipped to ``[0, duration]`` (launch or final-waypoint state).  One flattened
        ``searchsorted`` over all paths (rows offset by a stride larger than any duration).
        """
        idx = np.arange(len(self)) if idx is None else np.asarray(idx)
        dur = self.t[idx, -1]
        t_q = np.clip(np.broadcast_to(np.asarray(tau, float), idx.shape), 0.0, dur)
        K = self.t.shape[1]
        stride = float(self.t[:, -1].max()) * 2.0 + 1.0
        off = np.arange(idx.size) * stride
        key = self.t[idx] + off[:, None]
        j = np.searchsorted(key.ravel(), t_q + off, side="right") - 1
        j = j - np.arange(idx.size) * K
        j = np.clip(j, 0, self.n_samples[idx] - 2)
        u = t_q - self.t[idx, j]
        p0 = self.pos[idx, j]
        ds = self.s[idx, j + 1] - self.s[idx, j]
        chord = (self.pos[idx, j + 1] - p0) / np.where(ds > 0, ds, 1.0)[:, None]
        v0, acc = self.v[idx, j], self.a[idx, j]
        pos = p0 + (v0 * u + 0.5 * acc * u * u)[:, None] * chord
        vel = (v0 + acc * u)[:, None] * chord
        return pos, vel


def _unit(lat, lon):
    cl = np.cos(lat)
    return np.stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)], axis=-1)


def _per_threat(x, n, name, dtype=float):
    a = np.asarray(x, dtype)
    if a.ndim > 1 or (a.ndim == 1 and a.size != n):
        raise ValueError(f"{name} must be a scalar or have shape ({n},)")
    return np.broadcast_to(a, (n,)).copy()


def _leg_speeds(speed, N, W):
    v = np.asarray(speed, float)
    if v.ndim <= 1:
        return np.broadcast_to(_per_threat(v, N, "speed")[:, None], (N, W)).copy()
    if v.shape == (N, W):
        return v.copy()
    if v.shape == (N, W - 1):
        return np.hstack([v, np.full((N, 1), np.nan)])
    raise ValueError(f"speed must have shape ({N},), ({N}, {W}) or ({N}, {W - 1}), not {v.shape}")


def _hann_taper(u):
    """Taper ``w(u)`` and its derivatives ``dw/du``, ``d2w/du2`` (``u`` = distance to the end / lambda)."""
    inside = u < 1.0
    w = np.where(inside, 0.5 * (1.0 - np.cos(np.pi * u)), 1.0)
    dw = np.where(inside, 0.5 * np.pi * np.sin(np.pi * u), 0.0)
    d2w = np.where(inside, 0.5 * np.pi ** 2 * np.cos(np.pi * u), 0.0)
    return w, dw, d2w


def waypoint_tracks(lat, lon, alt, speed, spacing=2000.0, *, ramp=False, weave=None,
                    g_limit=None, follow=None) -> WaypointPaths:
    """Densify N waypoint routes along great circles into time and arc-length tables (module docstring).

    Parameters
    ----------
    lat, lon, alt : (N, W) rad, rad, m.  Routes with fewer waypoints are padded with trailing NaN.
    speed : ground speed, m/s (> 0): (N,) one per threat, or (N, W) (or (N, W - 1)) per leg, column j being
        the leg from waypoint j to the next genuine waypoint (NaN where there is no leg).
    spacing : maximum distance between samples along the ground (m).
    ramp : bool or (N,) bool.  True: the ground speed changes linearly in time over each leg from the
        previous leg's speed to its own (constant ground acceleration); False: a step at the waypoint.
    weave : None or ``(amplitude_m, wavelength_m, start_index)``, each a scalar or (N,); a threat with a
        zero (or NaN) amplitude does not weave.  ``start_index`` is the column of the waypoint where the
        weave starts.
    g_limit : None or scalar / (N,) lateral acceleration limit in g (``G0``); a weave whose peak lateral
        acceleration exceeds it raises ValueError.
    follow : None or :class:`iadsim.threats.terrain_following.Following`: from the first waypoint to
        waypoint ``follow.end`` the altitudes are replaced by the terrain-following envelope over the
        samples (sampled at ``follow.sample`` at most), and the leg after it runs linearly from the
        envelope's last altitude to the next waypoint's (module docstring of
        :mod:`iadsim.threats.terrain_following`).

    Returns
    -------
    WaypointPaths

    Raises
    ------
    ValueError
        A route with fewer than two waypoints, antipodal consecutive waypoints, a leg without a positive
        speed, a weave with a non-positive wavelength or a start outside the route, or a weave above
        ``g_limit``; the message names the threat (row) and the leg.
    """
    lat = np.atleast_2d(np.asarray(lat, float))
    lon = np.atleast_2d(np.asarray(lon, float))
    alt = np.atleast_2d(np.asarray(alt, float))
    if lat.shape != lon.shape or lat.shape != alt.shape:
        raise ValueError("lat, lon and alt must have the same (N, W) shape")
    N, W = lat.shape
    V = _leg_speeds(speed, N, W)
    ramp = _per_threat(ramp, N, "ramp", bool)
    keep = ~(np.isnan(lat) | np.isnan(lon) | np.isnan(alt))
    count = keep.sum(axis=1)
    if np.any(count < 2):
        raise ValueError(f"threat {int(np.argmax(count < 2))}: a route needs at least two waypoints")

    # genuine waypoints, flattened row by row; a leg joins two consecutive ones of the same row
    rows, cols = np.nonzero(keep)
    la, lo, al = lat[keep], lon[keep], alt[keep]
    n = _unit(la, lo)
    a = np.flatnonzero(rows[1:] == rows[:-1])
    b = a + 1
    leg_row, leg_col = rows[a], cols[a]
    v_leg = V[leg_row, leg_col]
    bad = ~(v_leg > 0)
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(f"threat {leg_row[k]}: leg {leg_col[k]} needs a positive speed (got {v_leg[k]})")
    cosd = np.clip(np.einsum("ij,ij->i", n[a], n[b]), -1.0, 1.0)
    d = np.arccos(cosd)
    if np.any(d > np.pi - 1e-6):
        k = int(np.argmax(d > np.pi - 1e-6))
        raise ValueError(f"threat {leg_row[k]}: consecutive waypoints are antipodal (great circle undefined)")

    # weave parameters per threat, and which legs weave
    wv_A = np.zeros(N)
    wv_lam = np.ones(N)
    wv_start = np.zeros(N, int)
    if weave is not None:
        if len(weave) != 3:
            raise ValueError("weave must be (amplitude_m, wavelength_m, start_index)")
        wv_A = np.nan_to_num(_per_threat(weave[0], N, "weave amplitude"))
        wv_lam = _per_threat(weave[1], N, "weave wavelength")
        wv_start = _per_threat(weave[2], N, "weave start_index", int)
        on = wv_A != 0
        if np.any(on & ~(wv_lam > 0)):
            raise ValueError(f"threat {int(np.argmax(on & ~(wv_lam > 0)))}: weave wavelength must be positive")
        last_col = np.zeros(N, int)
        np.maximum.at(last_col, rows, cols)
        out = on & ((wv_start < 0) | (wv_start >= last_col) | ~keep[np.arange(N), np.clip(wv_start, 0, W - 1)])
        if out.any():
            i = int(np.argmax(out))
            raise ValueError(f"threat {i}: weave start_index {wv_start[i]} is not a waypoint before the last")
    weaving = (wv_A[leg_row] != 0) & (leg_col >= wv_start[leg_row])
    sp = np.where(weaving, np.minimum(spacing, wv_lam[leg_row] / WEAVE_SAMPLES_PER_WAVELENGTH), spacing)
    if follow is not None and follow.sample is not None:
        from iadsim.threats.terrain_following import MAX_LEG_SAMPLES

        fine = np.maximum(np.minimum(sp, follow.sample), _R_CURV_MAX * d / MAX_LEG_SAMPLES)
        sp = np.where(leg_col < follow.end[leg_row], np.minimum(sp, fine), sp)
    # a^2 / b bounds the ellipsoid's radius of curvature, so steps never exceed the spacing
    m = np.maximum(1, np.ceil(_R_CURV_MAX * d / sp).astype(int))

    # flat sample layout: per row its first waypoint, then m samples per leg
    n_legs = a.size
    m_cum = np.concatenate([[0], np.cumsum(m)])
    leg_pos = m_cum[:-1] + leg_row + 1  # flat index of each leg's first sample (one first point per row)
    n_smp = np.bincount(leg_row, weights=m, minlength=N).astype(int) + 1
    row_first = np.concatenate([[0], np.cumsum(n_smp)[:-1]])
    M = int(n_smp.sum())
    smp_leg = np.empty(M, int)
    f = np.zeros(M)
    first_leg = np.searchsorted(leg_row, np.arange(N))  # legs are sorted by row
    smp_leg[row_first] = first_leg
    within = np.arange(m_cum[-1]) - np.repeat(m_cum[:-1], m)
    dst = np.repeat(leg_pos, m) + within
    smp_leg[dst] = np.repeat(np.arange(n_legs), m)
    f[dst] = (within + 1) / np.repeat(m, m)
    smp_row = np.repeat(np.arange(N), n_smp)

    dl = d[smp_leg]
    sd = np.sin(dl)
    small = sd < 1e-12
    w0 = np.where(small, 1.0 - f, np.sin((1.0 - f) * dl) / np.where(small, 1.0, sd))
    w1 = np.where(small, f, np.sin(f * dl) / np.where(small, 1.0, sd))
    ia, ib = a[smp_leg], b[smp_leg]
    u = w0[:, None] * n[ia] + w1[:, None] * n[ib]
    h = al[ia] + f * (al[ib] - al[ia])
    plat = np.arcsin(np.clip(u[:, 2] / np.linalg.norm(u, axis=1), -1.0, 1.0))
    plon = np.arctan2(u[:, 1], u[:, 0])
    g = geodetic2ecef(plat, plon, 0.0)

    K = int(n_smp.max())
    kk = np.arange(K)
    pad = row_first[:, None] + np.minimum(kk[None, :], n_smp[:, None] - 1)  # (N, K) -> flat index
    smp_k = np.arange(M) - row_first[smp_row]

    def arc_length(ground):
        gp = ground[pad]
        return np.concatenate([np.zeros((N, 1)), np.cumsum(np.linalg.norm(np.diff(gp, axis=1), axis=2), axis=1)],
                              axis=1)

    lateral_accel = np.zeros(N)
    wsmp = weaving[smp_leg] & (smp_k > 0)
    if wsmp.any():
        S0 = arc_length(g)
        s_base = S0[smp_row, smp_k]
        # the weave starts at waypoint `start`: the first sample of the first weaving leg is f > 0 of that
        # leg, so the waypoint itself is the sample before it
        leg_key = leg_row * (W + 1) + leg_col
        start_leg = np.searchsorted(leg_key, np.arange(N) * (W + 1) + np.where(wv_A != 0, wv_start, 0))
        s_start = S0[np.arange(N), leg_pos[start_leg] - 1 - row_first]
        s_end = S0[:, -1]
        r = smp_row[wsmp]
        lam = wv_lam[r]
        k_w = 2.0 * np.pi / lam
        sp_ = s_base[wsmp] - s_start[r]
        wt, dwt, d2wt = _hann_taper(np.clip((s_end[r] - s_base[wsmp]) / lam, 0.0, None))
        y = wv_A[r] * wt * np.sin(k_w * sp_)
        # y'' = A [w'' sin + 2 w' k cos - w k^2 sin], with dw/ds = -dw/du / lambda
        ypp = wv_A[r] * (d2wt / lam ** 2 * np.sin(k_w * sp_) - 2.0 * dwt / lam * k_w * np.cos(k_w * sp_)
                         - wt * k_w ** 2 * np.sin(k_w * sp_))
        acc = np.abs(ypp) * v_leg[smp_leg[wsmp]] ** 2
        np.maximum.at(lateral_accel, r, acc)
        pole = np.cross(n[ia[wsmp]], n[ib[wsmp]])
        pn = np.linalg.norm(pole, axis=1, keepdims=True)
        pole = np.where(pn > 1e-12, pole / np.where(pn > 0, pn, 1.0), 0.0)
        # move the ground point y along the horizontal `pole`: the surface normal turns by the shape operator,
        # dn = (dy_east / N) e + (dy_north / M) n (prime-vertical and meridian radii; error ~ y^2 / R)
        la_w, lo_w = plat[wsmp], plon[wsmp]
        sl, cl, so, co = np.sin(la_w), np.cos(la_w), np.sin(lo_w), np.cos(lo_w)
        east = np.stack([-so, co, np.zeros_like(so)], axis=1)
        north = np.stack([-sl * co, -sl * so, cl], axis=1)
        wr = 1.0 - _E2 * sl ** 2
        Nr = WGS84.semimajor_axis / np.sqrt(wr)
        Mr = WGS84.semimajor_axis * (1.0 - _E2) / wr ** 1.5
        y_e = y * np.einsum("ij,ij->i", pole, east)
        y_n = y * np.einsum("ij,ij->i", pole, north)
        nw = _unit(la_w, lo_w) + (y_e / Nr)[:, None] * east + (y_n / Mr)[:, None] * north
        plat, plon = plat.copy(), plon.copy()
        plat[wsmp] = np.arcsin(np.clip(nw[:, 2] / np.linalg.norm(nw, axis=1), -1.0, 1.0))
        plon[wsmp] = np.arctan2(nw[:, 1], nw[:, 0])
        g = geodetic2ecef(plat, plon, 0.0)
        if g_limit is not None:
            lim = _per_threat(g_limit, N, "g_limit") * G0
            over = lateral_accel > lim
            if over.any():
                i = int(np.argmax(over))
                raise ValueError(f"threat {i}: weave lateral acceleration {lateral_accel[i] / G0:.2f} g exceeds "
                                 f"the limit of {lim[i] / G0:.2f} g")
    p = geodetic2ecef(plat, plon, h)

    S = arc_length(g)
    if follow is not None:
        p = _follow(follow, S, plat, plon, h, f, leg_col[smp_leg], smp_row, smp_k, row_first, al[ib], N)
    s_flat = S[smp_row, smp_k]
    # leg start arc length and duration; per-row cumulative leg start times
    S_leg0 = s_flat[leg_pos - 1]
    L_leg = s_flat[leg_pos + m - 1] - S_leg0
    prev_ok = np.concatenate([[False], leg_row[1:] == leg_row[:-1]])
    v0 = np.where(ramp[leg_row] & prev_ok, np.concatenate([[np.nan], v_leg[:-1]]), v_leg)
    dur_leg = 2.0 * L_leg / (v0 + v_leg)
    acc_leg = np.where(L_leg > 0, (v_leg ** 2 - v0 ** 2) / (2.0 * np.where(L_leg > 0, L_leg, 1.0)), 0.0)
    T_cum = np.zeros((N, W))
    T_cum[leg_row, leg_col] = dur_leg
    T_cum = np.cumsum(T_cum, axis=1) - T_cum  # start time of the leg starting at column j
    T_leg0 = T_cum[leg_row, leg_col]
    ds = s_flat - S_leg0[smp_leg]
    v0s, acs = v0[smp_leg], acc_leg[smp_leg]
    t_flat = np.where(acs == 0.0, T_leg0[smp_leg] + ds / v0s,
                      T_leg0[smp_leg] + 2.0 * ds / (v0s + np.sqrt(np.maximum(v0s ** 2 + 2.0 * acs * ds, 0.0))))
    t_flat[row_first] = 0.0
    # segment q - 1 -> q belongs to the leg of sample q: its initial speed and acceleration
    v_seg = np.zeros(M)
    a_seg = np.zeros(M)
    q = np.flatnonzero(smp_k > 0)
    Lq = smp_leg[q]
    a_seg[q - 1] = acc_leg[Lq]
    v_seg[q - 1] = np.where(acc_leg[Lq] == 0.0, v0[Lq],
                            np.sqrt(np.maximum(v0[Lq] ** 2 + 2.0 * acc_leg[Lq] * (s_flat[q - 1] - S_leg0[Lq]), 0.0)))
    v_pad, a_pad = v_seg[pad], a_seg[pad]
    v_pad[kk[None, :] >= n_smp[:, None] - 1] = 0.0
    a_pad[kk[None, :] >= n_smp[:, None] - 1] = 0.0

    # waypoint tables: the first waypoint is the row's first sample, the others end a leg
    wp_flat = np.empty(rows.size, int)
    wp_flat[np.concatenate([[0], np.flatnonzero(rows[1:] != rows[:-1]) + 1])] = row_first
    wp_flat[b] = leg_pos + m - 1
    s_wp = np.full((N, W), np.nan)
    t_wp = np.full((N, W), np.nan)
    s_wp[rows, cols] = s_flat[wp_flat]
    t_wp[rows, cols] = t_flat[wp_flat]
    leg_speed = np.full((N, W), np.nan)
    leg_speed[leg_row, leg_col] = v_leg
    return WaypointPaths(s=S, t=t_flat[pad], pos=p[pad], n_samples=n_smp, leg_speed=leg_speed,
                         length=S[:, -1].copy(), s_waypoint=s_wp, t_waypoint=t_wp, lateral_accel=lateral_accel,
                         v=v_pad, a=a_pad)


def _follow(fol, S, plat, plon, h, f, col, smp_row, smp_k, row_first, alt_next, N):
    """ECEF sample points with the terrain-following altitudes (``waypoint_tracks``' ``follow``).

    ``col + f`` is each sample's position in waypoint columns; the followed span is a prefix of each row."""
    from iadsim.threats.terrain_following import follow_envelope

    end = np.asarray(fol.end)
    where = col + f
    span = where <= end[smp_row]
    floor = np.full(S.shape, -np.inf)
    ground = np.full(plat.shape, -np.inf)
    ground[span] = fol.ground(plat[span], plon[span])
    # a sample's floor is also the ground halfway to its neighbours in the span: the straight chords
    # between samples then cut a crest between two samples by at most half as much (module docstring)
    q = np.flatnonzero(span[1:] & (smp_k[1:] > 0)) + 1  # segments q - 1 -> q inside the span
    if q.size:
        um = _unit(plat[q - 1], plon[q - 1]) + _unit(plat[q], plon[q])
        g_mid = fol.ground(np.arctan2(um[:, 2], np.hypot(um[:, 0], um[:, 1])), np.arctan2(um[:, 1], um[:, 0]))
        np.maximum.at(ground, q, g_mid)
        np.maximum.at(ground, q - 1, g_mid)
    floor[smp_row[span], smp_k[span]] = ground[span] + np.asarray(fol.clearance, float)[smp_row[span]]
    env = follow_envelope(S, floor, fol.tan_climb, fol.tan_dive)
    h = h.copy()
    h[span] = env[smp_row[span], smp_k[span]]
    # the leg after the span: linear from the envelope's last altitude to the next waypoint's
    n_span = np.bincount(smp_row[span], minlength=N)
    has = n_span > 0
    h_end = np.full(N, np.nan)
    h_end[has] = h[row_first[has] + n_span[has] - 1]
    nxt = (~span) & (col == end[smp_row]) & has[smp_row]
    r = smp_row[nxt]
    h[nxt] = h_end[r] + f[nxt] * (alt_next[nxt] - h_end[r])
    return geodetic2ecef(plat, plon, h)
