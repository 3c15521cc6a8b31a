"""Realize the raids of a scenario for one replication: launch times, launch points, aim points, truth.

Per raid of ``n`` threats (draws from the replication's ``raid`` generator, in this order):
launch times uniform over the launch window (sorted), launch points uniform over the launch disc
(``rho = R sqrt(u1)``, ``theta = 2 pi u2``: uniform by area), targets assigned in turn from the raid's
list. Ballistic threats fly a minimum-energy (or the type's apogee) Keplerian arc to the asset
(:mod:`iadsim.threats.ballistic`); air-breathing threats fly launch point -> route waypoints -> a point
``TERMINAL_DIVE`` short of the asset at cruise altitude -> the asset
(:mod:`iadsim.threats.airbreathing`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.frames import R_EARTH, geodetic2ecef
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.scenario.compiled import CompiledScenario
from iadsim.threats.airbreathing import waypoint_tracks
from iadsim.threats.ballistic import ballistic_velocity, propagate_ballistic
from iadsim.threats.truth import ThreatTruth

#: ground distance before the asset at which an air-breathing threat leaves cruise altitude (m)
TERMINAL_DIVE = 2000.0


@dataclass(frozen=True)
class RaidRealization:
    """All threats of one replication, arrays over N threats in launch-raid order."""

    truth: ThreatTruth
    raid: np.ndarray  # raid index
    type_index: np.ndarray
    cls: np.ndarray  # class index into THREAT_CLASSES
    target: np.ndarray  # asset index
    t_launch: np.ndarray
    t_end: np.ndarray
    rcs: np.ndarray
    cost: np.ndarray
    p_damage: np.ndarray
    launch_lat: np.ndarray
    launch_lon: np.ndarray

    def __len__(self) -> int:
        return self.t_launch.size


def _offset(lat0, lon0, north, east):
    """Small-offset geodetic displacement on the mean sphere (launch-disc scatter of tens of km)."""
    lat = lat0 + north / R_EARTH
    lon = lon0 + east / (R_EARTH * np.cos(lat0))
    return lat, lon


def _toward(lat1, lon1, lat2, lon2, short: float):
    """Point on the great circle from 1 to 2, ``short`` metres before 2 (spherical interpolation)."""
    a = np.stack([np.cos(lat1) * np.cos(lon1), np.cos(lat1) * np.sin(lon1), np.sin(lat1)], -1)
    b = np.stack([np.cos(lat2) * np.cos(lon2), np.cos(lat2) * np.sin(lon2), np.sin(lat2)], -1)
    omega = np.arccos(np.clip(np.einsum("...i,...i", a, b), -1.0, 1.0))
    f = np.clip(1.0 - short / np.maximum(omega * R_EARTH, 1e-9), 0.0, 1.0)
    s = np.sin(np.maximum(omega, 1e-12))
    p = (np.sin((1 - f) * omega) / s)[..., None] * a + (np.sin(f * omega) / s)[..., None] * b
    return np.arcsin(np.clip(p[..., 2], -1, 1)), np.arctan2(p[..., 1], p[..., 0])


def realize_raids(c: CompiledScenario, rng: np.random.Generator) -> RaidRealization:
    """Draw one replication's threats and build their truth (module docstring)."""
    rows = []
    for ri, raid in enumerate(c.raids):
        n = raid.count
        t = np.sort(rng.uniform(raid.t_start, raid.t_end, n)) if raid.t_end > raid.t_start else \
            np.full(n, raid.t_start)
        rho = raid.radius * np.sqrt(rng.random(n))
        th = 2 * np.pi * rng.random(n)
        lat, lon = _offset(raid.center_lat, raid.center_lon, rho * np.cos(th), rho * np.sin(th))
        tgt = raid.targets[np.arange(n) % raid.targets.size]
        rows.append((ri, raid, t, lat, lon, tgt))

    types = [spec for _, spec in c.threat_types]
    N = sum(r[1].count for r in rows)
    raid_ix = np.concatenate([np.full(r[1].count, r[0]) for r in rows])
    type_ix = np.concatenate([np.full(r[1].count, r[1].threat_type) for r in rows])
    t_launch = np.concatenate([r[2] for r in rows])
    lat = np.concatenate([r[3] for r in rows])
    lon = np.concatenate([r[4] for r in rows])
    target = np.concatenate([r[5] for r in rows])
    kind = np.array([types[k].kind for k in type_ix])
    cls = np.array([THREAT_CLASSES.index(k) for k in kind], dtype=np.int8)
    ball = np.flatnonzero(kind == "ballistic")
    air = np.flatnonzero(kind != "ballistic")
    a = c.assets

    ballistic = None
    if ball.size:
        r0 = geodetic2ecef(lat[ball], lon[ball], np.array([c.raids[k].center_alt for k in raid_ix[ball]]))
        r1 = a.ecef[target[ball]]
        apo = np.array([types[k].apogee if types[k].apogee is not None else np.nan for k in type_ix[ball]])
        v0 = np.empty_like(r0)
        tof = np.empty(ball.size)
        me = np.isnan(apo)
        if me.any():
            v0[me], tof[me] = ballistic_velocity(r0[me], r1[me])
        if (~me).any():
            v0[~me], tof[~me] = ballistic_velocity(r0[~me], r1[~me], apo[~me])
        stop = a.alt[target[ball]]
        ballistic = propagate_ballistic(r0, v0, c.time_step, float(tof.max()) * 1.02 + 2 * c.time_step,
                                        stop_alt=stop)

    waypoint = None
    if air.size:
        W = 3 + max((c.raids[k].route_lat.size for k in set(raid_ix[air].tolist())), default=0)
        wl = np.full((air.size, W), np.nan)
        wo = np.full((air.size, W), np.nan)
        wa = np.full((air.size, W), np.nan)
        speed = np.empty(air.size)
        for row, i in enumerate(air):
            spec, raid = types[type_ix[i]], c.raids[raid_ix[i]]
            la = [lat[i], *raid.route_lat.tolist()]
            lo = [lon[i], *raid.route_lon.tolist()]
            dl, do = _toward(la[-1], lo[-1], a.lat[target[i]], a.lon[target[i]], TERMINAL_DIVE)
            la += [float(dl), a.lat[target[i]]]
            lo += [float(do), a.lon[target[i]]]
            k = len(la)
            wl[row, :k], wo[row, :k] = la, lo
            wa[row, :k] = spec.altitude
            wa[row, k - 1] = a.alt[target[i]]
            speed[row] = spec.speed
        waypoint = waypoint_tracks(wl, wo, wa, speed)

    order = np.empty(N, dtype=np.int64)
    order[ball] = np.arange(ball.size)
    order[air] = ball.size + np.arange(air.size)
    truth = ThreatTruth.build(ballistic=ballistic, waypoint=waypoint, t_launch=t_launch, order=order)
    return RaidRealization(
        truth=truth, raid=raid_ix, type_index=type_ix, cls=cls, target=target, t_launch=t_launch,
        t_end=t_launch + truth.duration, rcs=np.array([types[k].rcs for k in type_ix]),
        cost=np.array([types[k].cost for k in type_ix]), p_damage=np.array([types[k].p_damage for k in type_ix]),
        launch_lat=lat, launch_lon=lon)
