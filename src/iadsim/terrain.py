"""Terrain: an elevation grid, its file format, a seeded synthetic generator, line-of-sight masking.

Shared by the sensors (masking, land or sea clutter), the terrain-following threats
(:mod:`iadsim.threats.terrain_following`) and the interceptors (the fly-out's ground,
:func:`iadsim.physics.grid.ground_below`): one grid per scenario, :class:`Terrain`. Units: radians, metres;
elevations are heights above the WGS-84 ellipsoid (the geoid is not modelled: a fictional geography has
none), 0 m is sea level, and everything outside the grid is sea at 0 m.

**File format** (``terrain: {kind: grid, file: ...}``): a NumPy ``.npz`` archive (the documented ``.npy``
format, NEP 1, read with ``allow_pickle=False``) holding ``elevation`` (ny, nx) metres, ``lat`` (ny,) and
``lon`` (nx,) degrees, both strictly increasing (row ``i`` is latitude ``lat[i]``). NumPy, already a
dependency, reads it; a GeoTIFF converts to it in a few lines with any raster tool, and reading GeoTIFF
directly (``rasterio``, which ships GDAL) would add a large binary dependency for one array.

**Interpolation**: bilinear on the grid, 0 m outside: fractional grid indices by ``numpy.interp`` on the
(possibly unequal) axes, then ``scipy.ndimage.map_coordinates(order=1)``.

**Synthetic islands** (:func:`synthetic`): spectral synthesis of a fractional Brownian surface (Saupe,
"Algorithms for random fractals", ch. 2 of Peitgen & Saupe (eds.), *The Science of Fractal Images*,
Springer 1988, sect. 2.4: white Gaussian noise filtered in the Fourier domain by ``|f|^-(H + 1)``, i.e. a
power spectrum ``|f|^-(2H + 2)``), shaped by a radial island mask and cut at the sea level that leaves the
requested land fraction. Seeded (``numpy.random.default_rng(seed)``): the same arguments give the same grid.

**Line of sight** (:meth:`Terrain.visible`) on the 4/3 effective earth (effective radius ``a_e = k a``,
Skolnik, *Introduction to Radar Systems*, 3rd ed., 2001, sect. 8.2): between a radar at height ``h_r`` and
a target at height ``h_t`` a ground distance ``D`` apart, the straight ray in the effective-earth frame is at
height ``h(s) = h_r + (h_t - h_r) s - D^2 s (1 - s) / (2 a_e)`` above the surface at fraction ``s`` of the
path (the earth-bulge term of ITU-R P.526-15, 2019, sect. 4, and of Doerry, SAND2012-10690, 2013). The
target is masked when the terrain rises above the ray at any of the samples along the path (evenly spaced,
at the grid spacing or, on paths longer than 512 grid steps, path / 512: a feature narrower than that can
fall between samples). All radar-target pairs of a scan are done in one array operation; pairs whose ray
stays above the highest point of the grid anywhere along the path (the minimum of the convex ``h(s)`` in
closed form) skip the sampling. The smooth-earth horizon is :func:`iadsim.sensors.radar.horizon_visible`.
The whole test runs in one compiled loop (:func:`_visible_kernel`: per pair, the samples in order until the
first one above the ray; the same feet, chord points, latitudes, bilinear heights and ray heights as the array
form, :meth:`Terrain.visible_reference`, which the tests hold it to).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from iadsim._numba import njit
from iadsim.errors import InputError
from iadsim.frames import E2 as _E2
from iadsim.frames import WGS84, geodetic2ecef
from iadsim.physics.grid import grid_height

__all__ = ["Terrain", "load_grid", "synthetic"]

_R_MEAN = 6_371_008.8
#: at most this many samples along one path (a 1000 km path on a 2 km grid)
MAX_SAMPLES = 512


@dataclass(frozen=True)
class Terrain:
    """An elevation grid: ``lat`` (ny,), ``lon`` (nx,) radians, strictly increasing; ``elevation`` (ny, nx) m
    (module docstring)."""

    lat: np.ndarray
    lon: np.ndarray
    elevation: np.ndarray
    _rows: np.ndarray = field(init=False, repr=False, compare=False)
    _cols: np.ndarray = field(init=False, repr=False, compare=False)
    _max: float = field(init=False, repr=False, compare=False)
    _spacing: float = field(init=False, repr=False, compare=False)
    _feet: dict = field(init=False, repr=False, compare=False)  # radar (lat, lon) -> its foot, ECEF

    def __post_init__(self):
        object.__setattr__(self, "lat", np.ascontiguousarray(self.lat, float))
        object.__setattr__(self, "lon", np.ascontiguousarray(self.lon, float))
        object.__setattr__(self, "elevation", np.ascontiguousarray(self.elevation, float))
        object.__setattr__(self, "_rows", np.arange(self.lat.size, dtype=float))
        object.__setattr__(self, "_cols", np.arange(self.lon.size, dtype=float))
        object.__setattr__(self, "_max", float(self.elevation.max()))
        dlat = float(np.min(np.diff(self.lat))) * _R_MEAN
        clat = np.cos(float(np.max(np.abs(self.lat))))
        dlon = float(np.min(np.diff(self.lon))) * _R_MEAN * max(clat, 1e-3)
        object.__setattr__(self, "_spacing", min(dlat, dlon))
        object.__setattr__(self, "_feet", {})

    @property
    def max_elevation(self) -> float:
        return self._max

    @property
    def spacing(self) -> float:
        """Smallest grid step on the ground (m)."""
        return self._spacing

    def digest(self) -> str:
        """SHA-256 of the grid (part of the scenario hash)."""
        h = hashlib.sha256()
        for a in (self.lat, self.lon, self.elevation):
            h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
        return h.hexdigest()

    def elevation_at(self, lat, lon) -> np.ndarray:
        """Terrain height (m) at geodetic ``lat, lon`` (rad, broadcast); 0 outside the grid."""
        lat, lon = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
        # fractional indices; outside the grid they land beyond the edge, where map_coordinates gives 0
        i = np.interp(lat.ravel(), self.lat, self._rows, left=-2.0, right=self.lat.size + 1.0)
        j = np.interp(lon.ravel(), self.lon, self._cols, left=-2.0, right=self.lon.size + 1.0)
        from scipy.ndimage import map_coordinates  # here: the grid's users pay the import, not every run

        out = map_coordinates(self.elevation, np.stack([i, j]), order=1, mode="constant", cval=0.0)
        return out.reshape(lat.shape)

    def is_land(self, lat, lon) -> np.ndarray:
        """Terrain above sea level at ``lat, lon`` (bool, broadcast)."""
        return self.elevation_at(lat, lon) > 0.0

    def visible(self, radar_lat, radar_lon, radar_alt, target_ecef, k=4.0 / 3.0) -> np.ndarray:
        """(N,) bool: the terrain does not mask the targets ``target_ecef`` (N, 3) from the radar at geodetic
        ``radar_lat, radar_lon`` (rad), ``radar_alt`` (m) (module docstring)."""
        return self._visible(radar_lat, radar_lon, radar_alt, target_ecef, k, compiled=True)

    def visible_reference(self, radar_lat, radar_lon, radar_alt, target_ecef, k=4.0 / 3.0) -> np.ndarray:
        """:meth:`visible` in array form (every sample of every pair, ``elevation_at``): the reference the
        compiled loop is tested against."""
        return self._visible(radar_lat, radar_lon, radar_alt, target_ecef, k, compiled=False)

    def _visible(self, radar_lat, radar_lon, radar_alt, target_ecef, k, compiled):
        pt = np.atleast_2d(np.asarray(target_ecef, float))
        out = np.ones(pt.shape[0], bool)
        if pt.shape[0] == 0:
            return out
        key = (float(radar_lat), float(radar_lon))
        g_r = self._feet.get(key)
        if g_r is None:
            g_r = self._feet[key] = np.asarray(geodetic2ecef(radar_lat, radar_lon, 0.0), float).reshape(3)
        if compiled:
            return _visible_kernel(self.lat, self.lon, self.elevation, g_r, np.ascontiguousarray(pt),
                                   float(radar_alt), k * _R_MEAN, self._max, self._spacing, MAX_SAMPLES, _E2,
                                   WGS84.semimajor_axis, WGS84.semiminor_axis)
        g_t, h_t = _foot(pt)
        D = np.linalg.norm(g_t - g_r, axis=-1)
        a_e = k * _R_MEAN
        c = D * D / (2.0 * a_e)
        dh = h_t - radar_alt
        # lowest point of the convex ray profile h(s) on [0, 1]
        s_star = np.clip(0.5 * (1.0 - dh / np.where(c > 0, c, 1.0)), 0.0, 1.0)
        h_min = radar_alt + dh * s_star - c * s_star * (1.0 - s_star)
        check = np.flatnonzero((h_min < self.max_elevation) & (D > 0))
        if check.size == 0:
            return out
        n = int(np.clip(np.ceil(D[check].max() / self.spacing), 8, MAX_SAMPLES))
        s = np.arange(1, n) / n  # interior samples
        p = g_r + s[None, :, None] * (g_t[check][:, None, :] - g_r)  # (C, S, 3) chord points
        lon_s = np.arctan2(p[..., 1], p[..., 0])
        lat_s = np.arctan2(p[..., 2], (1.0 - _E2) * np.hypot(p[..., 0], p[..., 1]))
        ground = self.elevation_at(lat_s, lon_s)
        ray = (radar_alt + dh[check, None] * s[None, :] - c[check, None] * s[None, :] * (1.0 - s[None, :]))
        out[check] = ~np.any(ground > ray, axis=1)
        return out


@njit
def _visible_kernel(lat, lon, elev, g_r, pt, h_r, a_e, max_elev, spacing, max_samples, e2, a, b):
    """:meth:`Terrain.visible` compiled: per target, its foot and radial height (:func:`_foot`), the ray's
    lowest point; for the pairs whose ray may meet the terrain, the interior samples ``m / n`` in order until
    the first where the ground (bilinear, 0 m off the grid, as :meth:`Terrain.elevation_at`) rises above
    the ray (:func:`iadsim.physics.grid.grid_height`). The same formulas, in the same order, as the array
    form."""
    N = pt.shape[0]
    out = np.ones(N, np.bool_)
    g_t = np.empty((N, 3))
    dh = np.empty(N)
    c = np.empty(N)
    check = np.zeros(N, np.bool_)
    d_max = 0.0
    for i in range(N):
        x, y, z = pt[i, 0], pt[i, 1], pt[i, 2]
        n2 = x * x + y * y + z * z
        nn = np.sqrt(n2)
        s2 = z * z / n2
        rad = a * b / np.sqrt(b * b * (1.0 - s2) + a * a * s2)
        f = rad / nn
        g_t[i, 0], g_t[i, 1], g_t[i, 2] = x * f, y * f, z * f
        ex, ey, ez = g_t[i, 0] - g_r[0], g_t[i, 1] - g_r[1], g_t[i, 2] - g_r[2]
        D = np.sqrt(ex * ex + ey * ey + ez * ez)
        c[i] = D * D / (2.0 * a_e)
        dh[i] = (nn - rad) - h_r
        s_star = min(max(0.5 * (1.0 - dh[i] / (c[i] if c[i] > 0 else 1.0)), 0.0), 1.0)
        h_min = h_r + dh[i] * s_star - c[i] * s_star * (1.0 - s_star)
        if h_min < max_elev and D > 0:
            check[i] = True
            d_max = max(d_max, D)
    n = int(min(max(np.ceil(d_max / spacing), 8.0), max_samples))
    for i in range(N):
        if not check[i]:
            continue
        for m in range(1, n):
            s = m / n
            px = g_r[0] + s * (g_t[i, 0] - g_r[0])
            py = g_r[1] + s * (g_t[i, 1] - g_r[1])
            pz = g_r[2] + s * (g_t[i, 2] - g_r[2])
            ground = grid_height(lat, lon, elev, np.arctan2(pz, (1.0 - e2) * np.hypot(px, py)), np.arctan2(py, px))
            if ground > h_r + dh[i] * s - c[i] * s * (1.0 - s):
                out[i] = False
                break
    return out


def _foot(p):
    """Points on the ellipsoid below ``p`` (N, 3) along the geocentric radius and the radial heights above
    it (the radial and normal heights differ by far less than a metre below 100 km, as in
    :func:`iadsim.sensors.radar.horizon_visible`)."""
    a, b = WGS84.semimajor_axis, WGS84.semiminor_axis
    n2 = np.einsum("ij,ij->i", p, p)
    n = np.sqrt(n2)
    s2 = p[:, 2] ** 2 / n2
    rad = a * b / np.sqrt(b * b * (1.0 - s2) + a * a * s2)
    return p * (rad / n)[:, None], n - rad


def _check_grid(lat, lon, elev, where: str):
    if lat.ndim != 1 or lon.ndim != 1 or elev.shape != (lat.size, lon.size):
        raise InputError(f"elevation must be (len(lat), len(lon)) = ({lat.size}, {lon.size}); got "
                         f"{elev.shape}", file=where)
    if lat.size < 2 or lon.size < 2:
        raise InputError("the grid needs at least 2 latitudes and 2 longitudes", file=where)
    if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon)) and np.all(np.isfinite(elev))):
        raise InputError("lat, lon and elevation must be finite numbers", file=where)
    if np.any(np.diff(lat) <= 0) or np.any(np.diff(lon) <= 0):
        raise InputError("lat and lon must be strictly increasing", file=where)
    if lat.min() < -90 or lat.max() > 90 or lon.min() < -180 or lon.max() > 180:
        raise InputError("lat must be within [-90, 90] deg and lon within [-180, 180] deg", file=where)
    if elev.min() < -11000 or elev.max() > 9000:
        raise InputError(f"elevation must be within [-11000, 9000] m (got {elev.min():.0f} to "
                         f"{elev.max():.0f} m)", file=where)


def load_grid(path: str | Path) -> Terrain:
    """Read an ``.npz`` elevation grid (module docstring); bad files raise one-line :class:`InputError`."""
    path = Path(path)
    where = str(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in ("elevation", "lat", "lon") if k not in f.files]
            if missing:
                raise InputError(f"the terrain grid lacks array(s) {', '.join(missing)} (needs elevation, lat, "
                                 f"lon)", file=where)
            lat, lon, elev = (np.asarray(f[k], float) for k in ("lat", "lon", "elevation"))
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError("terrain file not found", file=where) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the terrain grid as .npz ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else 'unreadable'})", file=where) from None
    _check_grid(lat, lon, elev, where)
    return Terrain(np.radians(lat), np.radians(lon), elev)


def synthetic(seed: int, center_lat: float, center_lon: float, size: float, spacing: float,
              max_elevation: float, land_fraction: float = 0.3, hurst: float = 0.8) -> Terrain:
    """Seeded fictional islands (module docstring) on a square grid ``size`` (m) across with ``spacing`` (m)
    about ``center_lat, center_lon`` (rad): the highest point is ``max_elevation`` (m) and about
    ``land_fraction`` of the cells are land."""
    n = int(np.clip(round(size / spacing) + 1, 8, 4097))
    rng = np.random.default_rng(int(seed))
    fy = np.fft.fftfreq(n)[:, None]
    fx = np.fft.rfftfreq(n)[None, :]
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    amp = f ** -(hurst + 1.0)
    amp[0, 0] = 0.0
    noise = rng.normal(size=(n, n // 2 + 1)) + 1j * rng.normal(size=(n, n // 2 + 1))
    z = np.fft.irfft2(noise * amp, s=(n, n))
    z = (z - z.min()) / (z.max() - z.min())
    # island mask: land gathers toward the middle, the edges sink into the sea
    u = np.linspace(-1.0, 1.0, n)
    rr = np.hypot(u[:, None], u[None, :])
    z = z * np.clip(1.0 - rr ** 2, 0.0, 1.0)
    sea = np.quantile(z, 1.0 - float(land_fraction))
    elev = np.clip((z - sea) / max(z.max() - sea, 1e-12), 0.0, 1.0) * max_elevation
    half = 0.5 * (n - 1) * spacing
    lat = center_lat + np.linspace(-half, half, n) / _R_MEAN
    lon = center_lon + np.linspace(-half, half, n) / (_R_MEAN * np.cos(center_lat))
    return Terrain(lat, lon, elev)
