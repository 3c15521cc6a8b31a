r"""Gravity of the WGS-84 earth and the apparent forces of the rotating ECEF frame.

Point mass plus the J2 zonal term (e.g. Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed.,
2013, eq. 8-30), in ECEF metres::

    g = -GM r / |r|^3 * [1 + 1.5 J2 (a/|r|)^2 (1 - 5 z^2/|r|^2)]            (x, y components)
    g_z = -GM z / |r|^3 * [1 + 1.5 J2 (a/|r|)^2 (3 - 5 z^2/|r|^2)]

with ``GM = 3.986004418e14 m^3/s^2``, ``a = 6378137 m``, ``J2 = 1.08262982e-3`` (WGS-84, NIMA TR8350.2).
An object moving with velocity ``v`` relative to the rotating ECEF frame (angular rate
``Omega = 7.292115e-5 rad/s`` about z) feels in that frame the Coriolis and centrifugal accelerations
``-2 Omega x v - Omega x (Omega x r)``; the still air moves with the frame, so drag acts on the ECEF
velocity itself. ``J2`` changes gravity by ~0.1 % and the rotation terms are ~0.3 m/s^2 at 2 km/s: small,
but they bend a 100 km fly-out by hundreds of metres, which guidance must absorb.
"""

from __future__ import annotations

import numpy as np

from iadsim._numba import njit
from iadsim.frames import GM_EARTH

#: standard gravity (m/s^2), the unit of "g" in load factors and of specific impulse
G0 = 9.80665
#: WGS-84 second zonal harmonic and equatorial radius
J2_WGS84 = 1.08262982e-3
A_WGS84 = 6378137.0
#: earth rotation rate (rad/s), WGS-84
OMEGA_EARTH = 7.292115e-5

#: gravity model codes of the compiled kernels
NO_GRAVITY, POINT_MASS, J2 = 0, 1, 2


def gravity_ecef(r, model: int = J2, rotating: bool = True, v=None):
    """Acceleration (m/s^2) ``(N, 3)`` of objects at ECEF ``r (N, 3)`` (module docstring).

    ``model``: ``NO_GRAVITY``, ``POINT_MASS`` or ``J2``; ``rotating`` adds the centrifugal term and, when
    ``v`` is given, the Coriolis term of the ECEF frame.
    """
    r = np.atleast_2d(np.asarray(r, float))
    out = np.zeros_like(r)
    if model != NO_GRAVITY:
        r2 = np.einsum("ij,ij->i", r, r)
        rn = np.sqrt(r2)
        k = -GM_EARTH / (r2 * rn)
        if model == J2:
            c = 1.5 * J2_WGS84 * A_WGS84 * A_WGS84 / r2
            s = r[:, 2] * r[:, 2] / r2
            out[:, 0] = k * r[:, 0] * (1.0 + c * (1.0 - 5.0 * s))
            out[:, 1] = k * r[:, 1] * (1.0 + c * (1.0 - 5.0 * s))
            out[:, 2] = k * r[:, 2] * (1.0 + c * (3.0 - 5.0 * s))
        else:
            out = k[:, None] * r
    if rotating:
        w2 = OMEGA_EARTH * OMEGA_EARTH
        out[:, 0] += w2 * r[:, 0]
        out[:, 1] += w2 * r[:, 1]
        if v is not None:
            v = np.atleast_2d(np.asarray(v, float))
            out[:, 0] += 2.0 * OMEGA_EARTH * v[:, 1]
            out[:, 1] -= 2.0 * OMEGA_EARTH * v[:, 0]
    return out


@njit
def gravity_scalar(x, y, z, vx, vy, vz, model, rotating):
    """Compiled :func:`gravity_ecef` of one object: returns ``(gx, gy, gz)``."""
    gx = gy = gz = 0.0
    if model != NO_GRAVITY:
        r2 = x * x + y * y + z * z
        k = -GM_EARTH / (r2 * np.sqrt(r2))
        if model == J2:
            c = 1.5 * J2_WGS84 * A_WGS84 * A_WGS84 / r2
            s = z * z / r2
            gx = k * x * (1.0 + c * (1.0 - 5.0 * s))
            gy = k * y * (1.0 + c * (1.0 - 5.0 * s))
            gz = k * z * (1.0 + c * (3.0 - 5.0 * s))
        else:
            gx, gy, gz = k * x, k * y, k * z
    if rotating:
        w2 = OMEGA_EARTH * OMEGA_EARTH
        gx += w2 * x + 2.0 * OMEGA_EARTH * vy
        gy += w2 * y - 2.0 * OMEGA_EARTH * vx
    return gx, gy, gz
