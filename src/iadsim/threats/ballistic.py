"""Ballistic missile trajectories: burnout velocity, propagation and impact prediction.

Fidelity (first level, stated once for the module)
---------------------------------------------------
* **Instantaneous burnout at the launch point**: the missile leaves ``r0`` with the burnout velocity
  ``v0``; there is no boost phase yet (it may be added in front of this free flight later).
* **Vacuum Keplerian free flight** about a **non-rotating spherical earth**: the only force is central
  gravity ``a = -GM r / |r|^3`` with ``GM = iadsim.frames.GM_EARTH``.  Positions and velocities are ECEF
  metres and m/s, but the ECEF frame is treated as inertial (no Coriolis or centrifugal terms, no J2, no
  drag).
* **Ground** is the WGS-84 ellipsoid.  The altitude used to stop a trajectory is the *radial height*
  ``h = |r| - R_ell(phi_c)`` above the ellipsoid point on the same geocentric radius (``phi_c``:
  geocentric latitude).  It is exactly zero on the ellipsoid and differs from the geodetic altitude by
  less than ``h * (1 - cos 0.2 deg) ~ 6e-6 h``.

Equations
---------
Burnout speed for a range angle ``psi`` between ``r0`` and ``r1`` and a flight-path angle ``gamma``
(above the local horizontal), from the conic equation written in terms of the flight-path angle
(Zarchan, *Tactical and Strategic Missile Guidance*, chapter "Strategic Considerations", the burnout
speed for a given flight-path angle; Bate, Mueller & White (BMW), *Fundamentals of Astrodynamics*, 1971,
ch. 6, the free-flight range equation, here for unequal radii)::

    v^2 = GM (1 - cos psi) / ( r0 cos(gamma) [ r0 cos(gamma) / r1 - cos(psi + gamma) ] )

Minimum energy: ``d v^2 / d gamma = 0`` gives ``sin(psi + 2 gamma) = (r0 / r1) sin(2 gamma)``, i.e.::

    tan(2 gamma) = sin(psi) / (r0 / r1 - cos(psi))

which for equal radii is the BMW ch. 6 minimum-energy result ``gamma = (pi - psi) / 4``.

Time of flight from Kepler's equation between the true anomalies of ``r0`` and ``r1`` (BMW ch. 4;
ellipse ``M = E - e sin E``, hyperbola ``M = e sinh F - F``, ``t = sqrt(|a|^3 / GM) dM``).
"""

from __future__ import annotations

import numpy as np

from iadsim.frames import GM_EARTH, R_EARTH, WGS84

__all__ = [
    "ballistic_velocity",
    "ellipsoid_radius",
    "hermite",
    "min_energy_gamma",
    "predict_impact",
    "propagate_ballistic",
    "radial_altitude",
]

_A = WGS84.semimajor_axis
_B = WGS84.semiminor_axis


def ellipsoid_radius(r):
    """Geocentric radius (m) of the WGS-84 ellipsoid along the direction of ``r`` (``(..., 3)``).

    ``R = a b / sqrt(b^2 cos^2 phi_c + a^2 sin^2 phi_c)`` with ``sin phi_c = z / |r|`` (polar equation of an
    ellipse about its centre).
    """
    r = np.asarray(r, float)
    rn = np.linalg.norm(r, axis=-1)
    s2 = (r[..., 2] / rn) ** 2
    return _A * _B / np.sqrt(_B * _B * (1.0 - s2) + _A * _A * s2)


def radial_altitude(r):
    """Radial height (m) of ``r`` (``(..., 3)`` ECEF) above the WGS-84 ellipsoid: ``|r| - R_ell``."""
    r = np.asarray(r, float)
    return np.linalg.norm(r, axis=-1) - ellipsoid_radius(r)


def _cross(a, b):
    """Row-wise cross product of (M, 3) arrays (np.cross has a large fixed overhead)."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1]
    out[..., 1] = a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2]
    out[..., 2] = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return out


def _gravity(r, mu=GM_EARTH):
    r2 = np.einsum("ij,ij->i", r, r)
    return r * (-mu / (r2 * np.sqrt(r2)))[:, None]


def _plane(r0, r1):
    """Radius magnitudes, range angle psi in [0, pi] and in-plane unit vectors (radial, downrange)."""
    a0 = np.linalg.norm(r0, axis=-1)
    a1 = np.linalg.norm(r1, axis=-1)
    ur = r0 / a0[:, None]
    cross = np.linalg.norm(np.cross(r0, r1), axis=-1)
    psi = np.arctan2(cross, np.einsum("ij,ij->i", r0, r1))
    perp = r1 - np.einsum("ij,ij->i", r1, ur)[:, None] * ur
    pn = np.linalg.norm(perp, axis=-1)
    if np.any(pn <= 1e-9 * a1) or np.any(psi >= np.pi - 1e-9):
        raise ValueError("launch and target points must not coincide nor be antipodal")
    ut = perp / pn[:, None]
    return a0, a1, psi, ur, ut


def _speed_sq(gamma, a0, a1, psi, mu=GM_EARTH):
    """Burnout speed squared from the conic equation (module docstring)."""
    cg = np.cos(gamma)
    den = a0 * cg * (a0 * cg / a1 - np.cos(psi + gamma))
    return mu * (1.0 - np.cos(psi)) / den


def min_energy_gamma(r0, r1):
    """Minimum-energy flight-path angle (rad) from ``r0`` to ``r1`` (``(N, 3)`` each).

    ``tan(2 gamma) = sin(psi) / (|r0|/|r1| - cos(psi))``; ``(pi - psi)/4`` for equal radii (BMW ch. 6).
    """
    r0 = np.atleast_2d(np.asarray(r0, float))
    r1 = np.atleast_2d(np.asarray(r1, float))
    a0, a1, psi, _, _ = _plane(r0, r1)
    return 0.5 * np.arctan2(np.sin(psi), a0 / a1 - np.cos(psi))


def _anomaly_state(rn, vr, vt, mu=GM_EARTH):
    """Conic from radius, radial and transverse speed: (p, e, a, nu) with nu in (-pi, pi]."""
    h = rn * vt
    p = h * h / mu
    ecos = p / rn - 1.0
    esin = np.sqrt(p / mu) * vr
    e = np.hypot(ecos, esin)
    nu = np.arctan2(esin, ecos)
    energy = 0.5 * (vr * vr + vt * vt) - mu / rn
    with np.errstate(divide="ignore"):
        a = -mu / (2.0 * energy)
    return p, e, a, nu


def _mean_anomaly(nu, e):
    """Mean anomaly for an ellipse (e < 1) or hyperbola (e > 1), elementwise."""
    ell = e < 1.0
    es = np.where(ell, e, 0.5)
    E = 2.0 * np.arctan2(np.sqrt(1.0 - es) * np.sin(nu / 2), np.sqrt(1.0 + es) * np.cos(nu / 2))
    M_ell = E - es * np.sin(E)
    eh = np.where(ell, 2.0, e)
    arg = np.sqrt((eh - 1.0) / (eh + 1.0)) * np.tan(nu / 2)
    F = 2.0 * np.arctanh(np.clip(arg, -1 + 1e-16, 1 - 1e-16))
    M_hyp = eh * np.sinh(F) - F
    return np.where(ell, M_ell, M_hyp)


def _time_of_flight(nu0, nu1, e, a, mu=GM_EARTH):
    """Time (s) from true anomaly nu0 to nu1 > nu0 (less than one revolution) on the conic (a, e)."""
    M0 = _mean_anomaly(nu0, e)
    M1 = _mean_anomaly(nu1, e)
    dM = M1 - M0
    ell = e < 1.0
    dM = np.where(ell, np.mod(dM, 2 * np.pi), dM)
    return np.sqrt(np.abs(a) ** 3 / mu) * dM


def _arc_apogee(gamma, a0, a1, psi, mu=GM_EARTH):
    """Largest radius reached on the flown arc from r0 to r1 for flight-path angle gamma.

    Ellipse: the apoapsis ``p / (1 - e)`` if it is passed between the two true anomalies, else the larger
    end radius.  Hyperbola (flat, fast arcs to a higher target): the larger end radius when both points lie
    on the physical branch ``|nu| < acos(-1/e)``; otherwise the conic equation's solution is not a real
    flight and counts as infinitely high, which keeps the map monotonic in gamma for the bisection.
    """
    v = np.sqrt(_speed_sq(gamma, a0, a1, psi, mu))
    p, e, a, nu0 = _anomaly_state(a0, v * np.sin(gamma), v * np.cos(gamma), mu)
    ell = e < 1.0
    passes = ell & (nu0 < np.pi) & (nu0 + psi >= np.pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_apo = p / (1.0 - e)
        nu_inf = np.arccos(-1.0 / np.where(ell, 2.0, e))
    physical = ell | (nu0 + psi < nu_inf)
    return np.where(physical, np.where(passes, r_apo, np.maximum(a0, a1)), np.inf)


def ballistic_velocity(r0, r1, apogee_alt=None, *, mu=GM_EARTH):
    """Burnout velocity from ``r0`` that reaches ``r1`` in vacuum Keplerian flight (module docstring).

    Parameters
    ----------
    r0, r1 : (N, 3) ECEF m
        Burnout (launch) points and targets (targets on the ellipsoid: the trajectory reaches the sphere
        of radius ``|r1|`` exactly at ``r1``).
    apogee_alt : (N,) m or None
        ``None``: the **minimum-energy** trajectory.  Otherwise the trajectory whose highest point on the
        flown arc is ``R_EARTH + apogee_alt`` (altitude above the *mean* earth radius
        ``iadsim.frames.R_EARTH``).  For a given range angle there is exactly one such conic (for equal
        radii the apogee lies on the bisector of the range angle, which fixes ``p`` and ``e``): it is
        **lofted** (gamma above the minimum-energy angle) when ``apogee_alt`` is above the
        minimum-energy apogee and **depressed** (flatter) when it is below.  Solved by vectorised
        bisection on gamma (64 halvings; the arc apogee is non-decreasing in gamma).  Raises ValueError
        when ``apogee_alt`` is not above the higher end point.

    Returns
    -------
    v0 : (N, 3) m/s, tof : (N,) s
    """
    r0 = np.atleast_2d(np.asarray(r0, float))
    r1 = np.atleast_2d(np.asarray(r1, float))
    a0, a1, psi, ur, ut = _plane(r0, r1)
    if apogee_alt is None:
        gamma = 0.5 * np.arctan2(np.sin(psi), a0 / a1 - np.cos(psi))
    else:
        r_apo = R_EARTH + np.broadcast_to(np.asarray(apogee_alt, float), a0.shape)
        # lowest admissible gamma: the bracket of the conic equation must be positive
        g_lo = np.maximum(0.0, np.arctan2(np.cos(psi) - a0 / a1, np.sin(psi))) + 1e-9
        g_hi = np.full_like(g_lo, 0.5 * np.pi - 1e-9)
        lo_apo = _arc_apogee(g_lo, a0, a1, psi, mu)
        if np.any(r_apo <= lo_apo):
            raise ValueError("apogee_alt is too low to reach the target on a ballistic arc")
        for _ in range(64):
            mid = 0.5 * (g_lo + g_hi)
            high = _arc_apogee(mid, a0, a1, psi, mu) > r_apo
            g_hi = np.where(high, mid, g_hi)
            g_lo = np.where(high, g_lo, mid)
        gamma = 0.5 * (g_lo + g_hi)
    v = np.sqrt(_speed_sq(gamma, a0, a1, psi, mu))
    vr, vt = v * np.sin(gamma), v * np.cos(gamma)
    v0 = vr[:, None] * ur + vt[:, None] * ut
    _, e, a, nu0 = _anomaly_state(a0, vr, vt, mu)
    tof = _time_of_flight(nu0, nu0 + psi, e, a, mu)
    return v0, tof


def _rk4_step(r, v, dt, mu):
    k1v = _gravity(r, mu)
    k1r = v
    k2v = _gravity(r + 0.5 * dt * k1r, mu)
    k2r = v + 0.5 * dt * k1v
    k3v = _gravity(r + 0.5 * dt * k2r, mu)
    k3r = v + 0.5 * dt * k2v
    k4v = _gravity(r + dt * k3r, mu)
    k4r = v + dt * k3v
    r_new = r + dt / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r)
    v_new = v + dt / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
    return r_new, v_new


def hermite(p0, v0, p1, v1, h, s):
    """Cubic Hermite position and velocity at fraction ``s`` in [0, 1] of an interval of length ``h``."""
    s = np.asarray(s, float)[..., None]
    s2, s3 = s * s, s * s * s
    pos = ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * h * v0
           + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * h * v1)
    vel = ((6 * s2 - 6 * s) * p0 + (3 * s2 - 4 * s + 1) * h * v0
           + (-6 * s2 + 6 * s) * p1 + (3 * s2 - 2 * s) * h * v1) / h
    return pos, vel


def propagate_ballistic(r0, v0, dt, t_max, stop_alt=0.0, *, mu=GM_EARTH):
    """Integrate N free-flight missiles at once with fixed-step RK4 under central gravity.

    ``d r/dt = v``, ``d v/dt = -GM r / |r|^3`` (classical 4th-order Runge-Kutta; e.g. Press et al.,
    *Numerical Recipes*, 3rd ed., sect. 17.1).  Each missile is integrated until its radial height above the
    ellipsoid (module docstring) falls through ``stop_alt`` while descending; the crossing time is found by
    bisection on the cubic Hermite interpolant of the step (position and velocity at both ends), so
    ``t_impact`` is as accurate as the integration itself.  A missile that starts below ``stop_alt`` must
    first rise above it.

    Parameters
    ----------
    r0, v0 : (N, 3) ECEF m, m/s at t = 0
    dt : step (s); t_max : last time integrated (s)
    stop_alt : scalar or (N,) m

    Returns
    -------
    t : (T,) s, ``t[k] = k dt``, up to the step after the last crossing (or ``t_max``)
    pos, vel : (N, T, 3); sample ``k`` is the integrated state.  For each missile the first sample below
        ``stop_alt`` is the genuine integrated state (so a Hermite interpolant over the last interval is
        right); later samples repeat it.
    t_impact : (N,) s, NaN for missiles that have not come down by ``t_max`` (including any that never
        rose above ``stop_alt``; integration then runs to ``t_max`` for all).
    """
    r = np.atleast_2d(np.asarray(r0, float)).copy()
    v = np.atleast_2d(np.asarray(v0, float)).copy()
    n = r.shape[0]
    stop = np.broadcast_to(np.asarray(stop_alt, float), (n,))
    n_max = int(np.ceil(t_max / dt - 1e-9)) + 1
    pos = np.empty((n, n_max, 3))
    vel = np.empty((n, n_max, 3))
    pos[:, 0], vel[:, 0] = r, v
    t_impact = np.full(n, np.nan)
    active = np.ones(n, bool)
    alt = radial_altitude(r)
    k = 0
    while k + 1 < n_max and active.any():
        r_new, v_new = _rk4_step(r, v, dt, mu)
        alt_new = radial_altitude(r_new)
        crossed = active & (alt > stop) & (alt_new <= stop)
        if crossed.any():
            i = np.nonzero(crossed)[0]
            lo = np.zeros(i.size)
            hi = np.ones(i.size)
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                p_mid, _ = hermite(r[i], v[i], r_new[i], v_new[i], dt, mid)
                below = radial_altitude(p_mid) <= stop[i]
                hi = np.where(below, mid, hi)
                lo = np.where(below, lo, mid)
            t_impact[i] = (k + 0.5 * (lo + hi)) * dt
        r = np.where(active[:, None], r_new, r)
        v = np.where(active[:, None], v_new, v)
        alt = np.where(active, alt_new, alt)
        active &= ~crossed
        k += 1
        pos[:, k], vel[:, k] = r, v
    T = k + 1
    t = np.arange(T) * dt
    return t, pos[:, :T].copy(), vel[:, :T].copy(), t_impact


def predict_impact(r, v, *, mu=GM_EARTH, n_iter=6):
    """Analytic impact point and time for M free-flight states (no integration, exact in vacuum).

    The state ``(r, v)`` (ECEF, treated as inertial as in the rest of the module) defines a conic with
    ``h = r x v``, ``p = |h|^2 / GM``, eccentricity vector ``e = v x h / GM - r / |r|`` (BMW ch. 2) and
    perifocal axes ``P = e / |e|``, ``Q = W x P``.  The impact is the first descending crossing of the
    ellipsoid: the true anomaly ``nu_i`` solving

        f(nu) = p / (1 + e cos nu) - R_ell(u(nu)) = 0,    u(nu) = cos(nu) P + sin(nu) Q,

    started from the crossing of the sphere through the current ellipsoid radius
    (``cos nu = (p / R - 1) / e``, ``sin nu < 0``) and refined by ``n_iter`` Newton steps (quadratic
    convergence; a plain fixed point on ``R`` converges slowly for shallow re-entries).  Time to impact
    from Kepler's equation (ellipse or hyperbola).

    This is vacuum free fall: it means something only for tracks classified ballistic; an aircraft's
    state also "lands" within seconds.

    Returns
    -------
    impact_pos : (M, 3) ECEF m, t_to_impact : (M,) s, valid : (M,) bool.
    ``valid`` is False (and the other outputs NaN) when the conic does not come down to the ground
    (ascending hyperbola, perigee above ground), when the state is more than 1 m below ground or past its
    descending crossing, or when the motion is purely radial (degenerate conic).
    """
    r = np.atleast_2d(np.asarray(r, float))
    v = np.atleast_2d(np.asarray(v, float))
    rn = np.linalg.norm(r, axis=-1)
    hv = _cross(r, v)
    h = np.linalg.norm(hv, axis=-1)
    ok = h > 1e-6 * rn
    hs = np.where(ok, h, 1.0)
    p = h * h / mu
    e_vec = _cross(v, hv) / mu - r / rn[:, None]
    e = np.linalg.norm(e_vec, axis=-1)
    energy = 0.5 * np.einsum("ij,ij->i", v, v) - mu / rn
    with np.errstate(divide="ignore"):
        a = -mu / (2.0 * energy)
    # perifocal basis; for a circular orbit (e ~ 0) any in-plane axis will do (it never lands anyway)
    circ = e < 1e-12
    P = np.where(circ[:, None], r / rn[:, None], e_vec / np.where(circ, 1.0, e)[:, None])
    W = hv / hs[:, None]
    Q = _cross(W, P)
    nu0 = np.arctan2(np.einsum("ij,ij->i", r, Q), np.einsum("ij,ij->i", r, P))
    hyp = e >= 1.0
    nu0 = np.where(hyp, nu0, np.mod(nu0, 2 * np.pi))
    R0 = ellipsoid_radius(r)
    ok &= (rn > R0 - 1.0) & ~circ  # a launch state on the ground (ascending) is valid
    es = np.where(circ, 1.0, e)
    # start: sphere through the current ellipsoid radius, or the equatorial radius if that one is missed
    c = (p / R0 - 1.0) / es
    c = np.where(np.abs(c) <= 1.0, c, (p / _A - 1.0) / es)
    ok &= np.abs(c) <= 1.0
    ang = np.arccos(np.clip(c, -1.0, 1.0))
    nu = np.where(hyp, -ang, 2 * np.pi - ang)
    k_ell = (_A * _A - _B * _B) / (_A * _A * _B * _B)
    Pz, Qz = P[:, 2], Q[:, 2]
    for _ in range(n_iter):
        cn, sn = np.cos(nu), np.sin(nu)
        uz = cn * Pz + sn * Qz  # only the z component of u sets the ellipsoid radius
        R = _A * _B / np.sqrt(_B * _B + (_A * _A - _B * _B) * uz * uz)
        den = 1.0 + es * cn
        f = p / den - R
        dr = p * es * sn / (den * den)
        dR = -R**3 * k_ell * uz * (cn * Qz - sn * Pz)
        nu = nu - np.where(ok, f / np.where(ok, dr - dR, 1.0), 0.0)
    cn, sn = np.cos(nu), np.sin(nu)
    u = cn[:, None] * P + sn[:, None] * Q
    R = ellipsoid_radius(u)
    r_nu = p / (1.0 + es * cn)
    hit = ok & (np.abs(r_nu - R) < 1e-3) & (sn < 0.0) & (nu0 < nu)  # descending, still ahead
    impact = R[:, None] * u
    tti = _time_of_flight(nu0, nu, e, a, mu)
    impact[~hit] = np.nan
    tti = np.where(hit, tti, np.nan)
    return impact, tti, hit
