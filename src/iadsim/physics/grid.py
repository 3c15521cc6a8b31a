"""Bilinear height on a latitude-longitude grid, compiled: the terrain under a point, for kernels.

The grid is ``elev (ny, nx)`` metres at the strictly increasing axes ``lat (ny,)``, ``lon (nx,)`` radians
(:class:`iadsim.terrain.Terrain`). A point's fractional indices are those ``numpy.interp(x, axis,
arange(n))`` gives (the slope form ``(x - axis[j]) * (1 / (axis[j + 1] - axis[j])) + j``, ``j`` the last node
at or below ``x``), and its height the bilinear blend of the four surrounding nodes,
``(1 - t) ((1 - u) e00 + u e01) + t ((1 - u) e10 + u e11)`` (Press et al., *Numerical Recipes*, 3rd ed.,
2007, sect. 3.6.1); off the grid the height is 0 m (sea), as in :meth:`iadsim.terrain.Terrain.elevation_at`,
which is ``scipy.ndimage.map_coordinates(order=1)`` on the same indices and which the tests compare with.
Shared by the terrain's line of sight and the fly-out's ground test.
"""

from __future__ import annotations

import math

import numpy as np

from iadsim._numba import njit
from iadsim.frames import E2 as E2_WGS84


@njit
def grid_index(axis, x):
    """The fractional index of ``x`` on the increasing ``axis`` (module docstring); -1.0 outside
    ``[axis[0], axis[-1]]``."""
    m = axis.size
    if not (axis[0] <= x <= axis[m - 1]):
        return -1.0
    if x == axis[m - 1]:
        return float(m - 1)
    j = np.searchsorted(axis, x, side="right") - 1
    return (x - axis[j]) * (1.0 / (axis[j + 1] - axis[j])) + j


@njit
def grid_height(lat, lon, elev, phi, lam):
    """Bilinear height (m) of the grid at geodetic ``phi, lam`` (rad); 0 off the grid (module docstring)."""
    fi = grid_index(lat, phi)
    fj = grid_index(lon, lam)
    if fi < 0.0 or fj < 0.0:
        return 0.0
    ny, nx = elev.shape
    i0 = min(int(math.floor(fi)), ny - 2)
    j0 = min(int(math.floor(fj)), nx - 2)
    t = fi - i0
    u = fj - j0
    return ((1.0 - t) * ((1.0 - u) * elev[i0, j0] + u * elev[i0, j0 + 1])
            + t * ((1.0 - u) * elev[i0 + 1, j0] + u * elev[i0 + 1, j0 + 1]))


@njit
def ground_below(lat, lon, elev, x, y, z):
    """The grid's height (m) under the ECEF point ``(x, y, z)`` near the ground: at its geodetic longitude
    and at the latitude ``atan2(z, (1 - e^2) sqrt(x^2 + y^2))``, exact on the ellipsoid and off by about
    ``e^2 h / R`` (3e-6 rad, 20 m, at 300 m) above it."""
    return grid_height(lat, lon, elev, math.atan2(z, (1.0 - E2_WGS84) * math.hypot(x, y)), math.atan2(y, x))
