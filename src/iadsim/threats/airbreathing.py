"""Air-breathing threats (cruise missiles, drones, aircraft) flying geodetic waypoints.

Model
-----
Each threat flies its waypoints ``(lat_j, lon_j, alt_j)`` (rad, rad, m) in order at a constant **ground
speed** ``V`` (m/s).  Between two waypoints the horizontal path is the great circle through them, taken on
the sphere whose spherical coordinates are the geodetic latitude and longitude (spherical linear
interpolation, *slerp*, of the unit vectors ``n_j = (cos lat cos lon, cos lat sin lon, sin lat)``;
Shoemake, "Animating rotation with quaternion curves", SIGGRAPH 1985)::

    n(f) = [sin((1 - f) d) n_j + sin(f d) n_{j+1}] / sin d,    cos d = n_j . n_{j+1},  f in [0, 1]

and the altitude is interpolated linearly in ``f`` between the waypoint altitudes.  (This differs from the
ellipsoidal geodesic by well under 1 % in length; it matters only that the path stays at the commanded
altitude, which a straight ECEF chord between distant waypoints would not: the sagitta of a 200 km chord
is ``L^2 / (8 R) ~ 785 m``.)

Each leg is cut into ``ceil(d a^2 / (b spacing))`` equal steps of ``f``; the ECEF sample points are joined by
straight segments (sagitta of a 2 km step: 8 cm).  The **ground arc length** ``s`` is the cumulative chord
length of the same points projected to the ellipsoid surface (altitude 0), so ``s / V`` is the flight time
and ``pos(t)`` is a linear interpolation of the samples in ``s = V t``; the velocity is constant on each
segment, ``(p_{k+1} - p_k) V / (s_{k+1} - s_k)`` (it includes the climb rate; its horizontal part is the
commanded ground speed up to the altitude scale factor ``(R + h) / R``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.frames import WGS84, geodetic2ecef

__all__ = ["WaypointPaths", "waypoint_tracks"]

_R_CURV_MAX = WGS84.semimajor_axis ** 2 / WGS84.semiminor_axis


@dataclass(frozen=True)
class WaypointPaths:
    """Arc-length tables of N waypoint paths (padded to a common number of samples K).

    Attributes
    ----------
    s : (N, K) cumulative ground arc length (m) of each sample; padding repeats the last value.
    pos : (N, K, 3) ECEF sample points (m); padding repeats the last point.
    n_samples : (N,) number of genuine samples per path (>= 2).
    speed : (N,) ground speed (m/s).
    length : (N,) total ground length (m).
    """

    s: np.ndarray
    pos: np.ndarray
    n_samples: np.ndarray
    speed: np.ndarray
    length: np.ndarray

    @property
    def duration(self) -> np.ndarray:
        """(N,) flight time from the first to the last waypoint (s)."""
        return self.length / self.speed

    def __len__(self) -> int:
        return self.s.shape[0]

    def state(self, tau, idx=None):
        """Position and velocity (ECEF) ``tau`` seconds after launch; ``tau`` scalar or (n,).

        ``tau`` is clipped to ``[0, duration]`` (launch or final-waypoint state).  One flattened
        ``searchsorted`` over all paths (rows offset by a stride larger than any path length).
        """
        idx = np.arange(len(self)) if idx is None else np.asarray(idx)
        s_q = np.clip(np.broadcast_to(np.asarray(tau, float), idx.shape) * self.speed[idx], 0.0,
                      self.length[idx])
        K = self.s.shape[1]
        stride = float(self.length.max()) * 2.0 + 1.0
        key = self.s[idx] + (np.arange(idx.size) * stride)[:, None]
        j = np.searchsorted(key.ravel(), s_q + np.arange(idx.size) * stride, side="right") - 1
        j = j - np.arange(idx.size) * K
        j = np.clip(j, 0, self.n_samples[idx] - 2)
        s0 = self.s[idx, j]
        s1 = self.s[idx, j + 1]
        p0 = self.pos[idx, j]
        p1 = self.pos[idx, j + 1]
        ds = s1 - s0
        slope = (p1 - p0) / np.where(ds > 0, ds, 1.0)[:, None]
        pos = p0 + (s_q - s0)[:, None] * slope
        vel = slope * self.speed[idx, None]
        return pos, vel


def _unit(lat, lon):
    cl = np.cos(lat)
    return np.stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)], axis=-1)


def waypoint_tracks(lat, lon, alt, speed, spacing=2000.0) -> WaypointPaths:
    """Densify N waypoint routes along great circles into arc-length tables (module docstring).

    Parameters
    ----------
    lat, lon, alt : (N, W) rad, rad, m.  Routes with fewer waypoints are padded with trailing NaN.
    speed : (N,) ground speed, m/s (> 0).
    spacing : maximum distance between samples along the ground (m).

    Returns
    -------
    WaypointPaths
    """
    lat = np.atleast_2d(np.asarray(lat, float))
    lon = np.atleast_2d(np.asarray(lon, float))
    alt = np.atleast_2d(np.asarray(alt, float))
    speed = np.broadcast_to(np.asarray(speed, float), (lat.shape[0],)).copy()
    if lat.shape != lon.shape or lat.shape != alt.shape:
        raise ValueError("lat, lon and alt must have the same (N, W) shape")
    if np.any(speed <= 0):
        raise ValueError("speed must be positive")
    paths_s, paths_p = [], []
    for i in range(lat.shape[0]):
        keep = ~(np.isnan(lat[i]) | np.isnan(lon[i]) | np.isnan(alt[i]))
        la, lo, al = lat[i, keep], lon[i, keep], alt[i, keep]
        if la.size < 2:
            raise ValueError(f"threat {i}: a route needs at least two waypoints")
        n = _unit(la, lo)
        cosd = np.clip(np.einsum("ij,ij->i", n[:-1], n[1:]), -1.0, 1.0)
        d = np.arccos(cosd)
        if np.any(d > np.pi - 1e-6):
            raise ValueError(f"threat {i}: consecutive waypoints are antipodal (great circle undefined)")
        # a^2 / b bounds the ellipsoid's radius of curvature, so steps never exceed `spacing`
        m = np.maximum(1, np.ceil(_R_CURV_MAX * d / spacing).astype(int))
        # leg index and fraction for every sample (first point, then m_j points per leg)
        leg = np.repeat(np.arange(d.size), m)
        f = np.concatenate([np.arange(1, mj + 1) / mj for mj in m])
        dl = d[leg]
        sd = np.sin(dl)
        small = sd < 1e-12
        w0 = np.where(small, 1.0 - f, np.sin((1.0 - f) * dl) / np.where(small, 1.0, sd))
        w1 = np.where(small, f, np.sin(f * dl) / np.where(small, 1.0, sd))
        u = w0[:, None] * n[leg] + w1[:, None] * n[leg + 1]
        u = np.vstack([n[:1], u])
        h = np.concatenate([al[:1], al[leg] + f * (al[leg + 1] - al[leg])])
        plat = np.arcsin(np.clip(u[:, 2] / np.linalg.norm(u, axis=1), -1.0, 1.0))
        plon = np.arctan2(u[:, 1], u[:, 0])
        p = geodetic2ecef(plat, plon, h)
        g = geodetic2ecef(plat, plon, 0.0)
        s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(g, axis=0), axis=1))])
        paths_s.append(s)
        paths_p.append(p)
    K = max(s.size for s in paths_s)
    N = len(paths_s)
    S = np.empty((N, K))
    P = np.empty((N, K, 3))
    n_samples = np.empty(N, int)
    for i, (s, p) in enumerate(zip(paths_s, paths_p, strict=True)):
        S[i, : s.size], S[i, s.size:] = s, s[-1]
        P[i, : s.size], P[i, s.size:] = p, p[-1]
        n_samples[i] = s.size
    return WaypointPaths(s=S, pos=P, n_samples=n_samples, speed=speed, length=S[:, -1].copy())
