"""Short-horizon prediction of track states for threat evaluation and intercept planning.

Ballistic tracks follow two-body motion, evaluated with the Lagrange f and g series to fourth order in
time (Bate, Mueller & White, *Fundamentals of Astrodynamics*, 1971, sect. 4.6, eq. 4.6-7 with the series
coefficients of Battin, *An Introduction to the Mathematics and Methods of Astrodynamics*, 1999, sect. 4.8)::

    r(t) = f r0 + g v0,   v(t) = fdot r0 + gdot v0
    u = GM / r^3,  p = (r.v) / r^2,  q = |v|^2 / r^2 - u
    f = 1 - u t^2/2 + u p t^3/2 + u (u - 15 p^2 + 3 q) t^4/24
    g = t - u t^3/6 + u p t^4/4

The truncation error grows as ``t^5``; over the 2-minute horizons of intercept planning it is metres
(checked against RK4 integration in the tests). This vacuum model over an inertial-treated ECEF is kept
for the first-fidelity threats and the tests of it.

The command post predicts ballistic tracks with the model the threats fly (:func:`coast_positions`,
:func:`coast_at`, :func:`predict_impact_drag`): J2 gravity, the Coriolis and centrifugal terms of the
rotating ECEF frame and drag through the US-1976 atmosphere with an **assumed ballistic coefficient**
(the doctrine's ``assumed_ballistic_coefficient``: the defense does not know each object's), integrated
by the compiled coast of :mod:`iadsim.threats.rocket`. Over a 300 s prediction the Coriolis term alone
moves the impact point by kilometres (``2 Omega v t^2 / 2``), so a vacuum, non-rotating prediction would
call a missile aimed at an asset harmless. A light decoy (low beta) is predicted as if it were heavy, so
it looks threatening until the atmosphere slows it: that is what makes decoys work. Air-breathing tracks
are extrapolated at constant velocity (the nearly-constant-velocity model the tracker itself assumes).
"""

from __future__ import annotations

import numpy as np

from iadsim.frames import GM_EARTH

#: ballistic coefficient (kg/m^2) the command post assumes for a ballistic track unless its doctrine says
ASSUMED_BETA = 6000.0


def fg_series(r, v, t, mu: float = GM_EARTH):
    """Two-body positions and velocities of ``M`` states at ``K`` times.

    ``r, v``: ``(M, 3)`` ECEF (treated as inertial, as the truth model does); ``t``: ``(K,)`` or ``(M, K)``
    seconds from the state time. Returns ``pos, vel`` of shape ``(M, K, 3)``.
    """
    r = np.asarray(r, float)
    v = np.asarray(v, float)
    t = np.asarray(t, float)
    if t.ndim == 1:
        t = np.broadcast_to(t, (r.shape[0], t.size))
    rn2 = np.einsum("ij,ij->i", r, r)
    rn = np.sqrt(rn2)
    u = (mu / (rn2 * rn))[:, None]
    p = (np.einsum("ij,ij->i", r, v) / rn2)[:, None]
    q = (np.einsum("ij,ij->i", v, v) / rn2)[:, None] - u
    t2 = t * t
    t3 = t2 * t
    c4 = u * (u - 15.0 * p * p + 3.0 * q) / 24.0
    f = 1.0 - 0.5 * u * t2 + 0.5 * u * p * t3 + c4 * t3 * t
    g = t - u * t3 / 6.0 + 0.25 * u * p * t3 * t
    fd = -u * t + 1.5 * u * p * t2 + 4.0 * c4 * t3
    gd = 1.0 - 0.5 * u * t2 + u * p * t3
    pos = f[..., None] * r[:, None, :] + g[..., None] * v[:, None, :]
    vel = fd[..., None] * r[:, None, :] + gd[..., None] * v[:, None, :]
    return pos, vel


def coast_positions(r, v, t, beta=ASSUMED_BETA):
    """Positions ``(M, K, 3)`` of coasting states ``r, v (M, 3)`` at non-decreasing offsets ``t (K,)`` from now
    (module docstring; the coast is sampled in order, :func:`iadsim.threats.rocket.coast_sample`); after
    reaching the ground a state stays at its impact point."""
    from iadsim.threats import rocket as rk

    r = np.asarray(r, float)
    t = np.asarray(t, float)
    if t.size > 1 and np.any(np.diff(t) < 0):
        raise ValueError("coast_positions: the offsets must not decrease")
    M, K = r.shape[0], t.size
    pv = np.empty((M, K, 6))
    if M and K:
        b = np.broadcast_to(np.asarray(beta, float), (M,)).copy()
        rk.coast_grid(r, np.asarray(v, float), b, np.ascontiguousarray(t), rk.DT_EXO_PREDICT, rk.J2, True, pv)
    return pv[:, :, :3]


def coast_at(r, v, dt, beta=ASSUMED_BETA):
    """Positions ``(n, 3)`` of coasting states each ``dt (n,)`` ahead (its own interval)."""
    from iadsim.threats import rocket as rk

    r = np.asarray(r, float)
    out = np.empty((r.shape[0], 6))
    if r.shape[0]:
        rk.coast_each(r, np.asarray(v, float), np.broadcast_to(np.asarray(beta, float), (r.shape[0],)).copy(),
                      np.asarray(dt, float), rk.DT_EXO_PREDICT, rk.J2, True, out)
    return out[:, :3]


def predict_impact_drag(r, v, beta=ASSUMED_BETA, t_max=2000.0):
    """Impact points ``(M, 3)``, times to impact ``(M,)`` and validity of coasting states (module docstring):
    the first descending crossing of the ellipsoid within ``t_max``; a state already on the ground, or that
    does not come down within ``t_max``, is not valid. The coast steps up to
    :data:`iadsim.threats.rocket.DT_EXO_PREDICT` in vacuum (the threats' own flights: ``DT_EXO``)."""
    from iadsim.threats import rocket as rk
    from iadsim.threats.ballistic import radial_altitude

    r = np.asarray(r, float)
    M = r.shape[0]
    ip = np.full((M, 3), np.nan)
    tti = np.full(M, np.nan)
    valid = np.zeros(M, bool)
    air = np.flatnonzero(radial_altitude(r) > 0.0) if M else np.zeros(0, np.int64)
    if air.size:
        prm = rk.ObjectParams(air.size)
        prm.P[:, rk.C_BETA] = beta
        y0 = np.zeros((air.size, 7))
        y0[:, :3] = r[air]
        y0[:, 3:6] = np.asarray(v, float)[air]
        y0[:, 6] = 1.0
        _, _, end, _, _ = rk._run(y0, prm, t_max, dt_exo=rk.DT_EXO_PREDICT)
        ok = end[:, 7] == rk.END_GROUND
        valid[air] = ok
        ip[air[ok]] = end[ok, 1:4]
        tti[air[ok]] = end[ok, 0]
    return ip, tti, valid


def predict_positions(x, ballistic, t, beta=ASSUMED_BETA):
    """Predicted positions ``(M, K, 3)`` of track states ``x (M, >=6)`` at offsets ``t (K,)``.

    Rows with ``ballistic`` True coast with drag over the rotating earth (:func:`coast_positions`); the
    others keep a constant velocity.
    """
    x = np.asarray(x, float)
    r, v = x[:, :3], x[:, 3:6]
    t = np.asarray(t, float)
    out = r[:, None, :] + v[:, None, :] * t[None, :, None]
    b = np.asarray(ballistic, bool)
    if b.any():
        out[b] = coast_positions(r[b], v[b], t, beta)
    return out
