"""Short-horizon prediction of track states for threat evaluation and intercept planning.

Ballistic tracks follow two-body motion, evaluated with the Lagrange f and g series to fourth order in
time (Bate, Mueller & White, *Fundamentals of Astrodynamics*, 1971, sect. 4.6, eq. 4.6-7 with the series
coefficients of Battin, *An Introduction to the Mathematics and Methods of Astrodynamics*, 1999, sect. 4.8)::

    r(t) = f r0 + g v0,   v(t) = fdot r0 + gdot v0
    u = GM / r^3,  p = (r.v) / r^2,  q = |v|^2 / r^2 - u
    f = 1 - u t^2/2 + u p t^3/2 + u (u - 15 p^2 + 3 q) t^4/24
    g = t - u t^3/6 + u p t^4/4

The truncation error grows as ``t^5``; over the 2-minute horizons of intercept planning it is metres
(checked against RK4 integration in the tests). Air-breathing tracks are extrapolated at constant
velocity (the nearly-constant-velocity model the tracker itself assumes).
"""

from __future__ import annotations

import numpy as np

from iadsim.frames import GM_EARTH


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


def predict_positions(x, ballistic, t):
    """Predicted positions ``(M, K, 3)`` of track states ``x (M, >=6)`` at offsets ``t (K,)``.

    Rows with ``ballistic`` True use :func:`fg_series`; the others constant velocity.
    """
    x = np.asarray(x, float)
    r, v = x[:, :3], x[:, 3:6]
    t = np.asarray(t, float)
    out = r[:, None, :] + v[:, None, :] * t[None, :, None]
    b = np.asarray(ballistic, bool)
    if b.any():
        out[b] = fg_series(r[b], v[b], t)[0]
    return out
