"""Frame conversions on arrays (WGS-84). Units: metres, radians, seconds.

Conventions, stated once for the package:

* World state is ECEF (WGS-84) metres.
* Each sensor measures in its local East-North-Up (ENU) frame.
* Azimuth is measured clockwise from north, ``az = atan2(east, north)`` in ``[0, 2*pi)``;
  elevation is above the local horizontal plane, ``el = atan2(up, hypot(east, north))``.

Geodetic/ECEF conversions delegate to pymap3d (vectorized); the rotation matrix is written out so it can
be reused inside batched kernels (``einsum`` against ``(N, 3)`` arrays). Functions are named
``<from>2<to>`` after pymap3d.

Reference: Bowring/WGS-84 as in pymap3d; ENU rotation e.g. Groves, *Principles of GNSS, Inertial and
Multisensor Integrated Navigation Systems*, 2nd ed., eq. (2.150).
"""

from __future__ import annotations

import numpy as np
import pymap3d

WGS84 = pymap3d.Ellipsoid.from_name("wgs84")
#: first eccentricity squared of :data:`WGS84`, ``1 - (b / a)^2``: the one value every module uses
E2 = 1.0 - (WGS84.semiminor_axis / WGS84.semimajor_axis) ** 2
#: Mean earth radius (IUGG), metres: used where a spherical earth is stated.
R_EARTH = 6_371_008.8
#: Earth's gravitational parameter GM, m^3/s^2 (WGS-84).
GM_EARTH = 3.986004418e14


def geodetic2ecef(lat, lon, alt):
    """Geodetic (rad, rad, m) to ECEF metres; returns array ``(..., 3)``."""
    x, y, z = pymap3d.geodetic2ecef(np.asarray(lat, float), np.asarray(lon, float),
                                    np.asarray(alt, float), ell=WGS84, deg=False)
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef2geodetic(xyz):
    """ECEF ``(..., 3)`` metres to geodetic ``(lat, lon, alt)`` arrays (rad, rad, m)."""
    xyz = np.asarray(xyz, float)
    lat, lon, alt = pymap3d.ecef2geodetic(xyz[..., 0], xyz[..., 1], xyz[..., 2], ell=WGS84, deg=False)
    return np.asarray(lat), np.asarray(lon), np.asarray(alt)


def enu_rotation(lat, lon):
    """Rotation matrix ``C`` (``(..., 3, 3)``) with ``enu = C @ (ecef - ecef_origin)``."""
    lat = np.asarray(lat, float)
    lon = np.asarray(lon, float)
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl * so)
    rows = [
        [-so + zero, co + zero, zero],
        [-sl * co, -sl * so, cl + zero],
        [cl * co, cl * so, sl + zero],
    ]
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def ecef2enu(xyz, origin_ecef, C):
    """ECEF points ``(N, 3)`` to ENU ``(N, 3)`` about ``origin_ecef`` with rotation ``C`` (3, 3)."""
    return (np.asarray(xyz, float) - origin_ecef) @ C.T


def enu2ecef(enu, origin_ecef, C):
    """ENU ``(N, 3)`` to ECEF ``(N, 3)`` (inverse of :func:`ecef2enu`)."""
    return np.asarray(enu, float) @ C + origin_ecef


def enu2aer(enu):
    """ENU ``(N, 3)`` to (azimuth, elevation, slant range); azimuth clockwise from north in [0, 2pi)."""
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), 2 * np.pi)
    el = np.arctan2(u, horiz)
    rng = np.sqrt(horiz * horiz + u * u)
    return az, el, rng


def aer2enu(az, el, rng):
    """(azimuth, elevation, slant range) to ENU ``(..., 3)``."""
    ce = np.cos(el)
    return np.stack([rng * ce * np.sin(az), rng * ce * np.cos(az), rng * np.sin(el)], axis=-1)
