"""The WGS-84 ellipsoid's radial height, compiled, for the fly-out and threat-flight kernels.

``h = |r| - R_ell(phi_c)``: the height above the ellipsoid point on the same geocentric radius, with
``R_ell = a b / sqrt(b^2 cos^2 phi_c + a^2 sin^2 phi_c)`` (polar equation of the ellipse about its centre,
``sin phi_c = z / |r|``). It is exactly zero on the ellipsoid and differs from the geodetic altitude by less
than ``h (1 - cos 0.2 deg)``; the array version is :func:`iadsim.threats.ballistic.radial_altitude`, which the
tests compare with.
"""

from __future__ import annotations

import math

from iadsim._numba import njit

A_WGS84, B_WGS84 = 6378137.0, 6356752.314245


@njit
def radial_altitude_scalar(x, y, z):
    """``|r| - R_ell`` (m) of the ECEF point ``(x, y, z)`` (module docstring)."""
    r2 = x * x + y * y + z * z
    s2 = z * z / r2
    return math.sqrt(r2) - A_WGS84 * B_WGS84 / math.sqrt(B_WGS84 * B_WGS84 * (1.0 - s2) + A_WGS84 * A_WGS84 * s2)
