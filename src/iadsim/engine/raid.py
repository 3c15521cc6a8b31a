"""Realize the raids of a scenario for one replication: launch times, launch points, aim points, truth.

Per raid of ``n`` threats (draws from the replication's ``raid`` generator, in this order):
launch times uniform over the launch window (sorted), launch points uniform over the launch disc
(``rho = R sqrt(u1)``, ``theta = 2 pi u2``: uniform by area), targets assigned in turn from the raid's
list. Ballistic threats of a type with ``stages`` fly from the pad through boost, coast and re-entry over
the rotating earth to an aim point drawn about the asset with the type's CEP, and may drop a spent stage
and release decoys (:mod:`iadsim.threats.ballistic_raid`; their draws follow the raid draws); ballistic
types without stages fly the first-fidelity minimum-energy (or apogee) Keplerian arc from burnout at the
launch point (:mod:`iadsim.threats.ballistic`); air-breathing threats fly launch point -> route waypoints
-> a point ``TERMINAL_DIVE`` short of the asset at cruise altitude -> the asset
(:mod:`iadsim.threats.airbreathing`).

Objects. The realization's arrays run over every object the radars can see: the ``N`` threats of the
raids first (in raid order), then the extra objects their missiles release (spent stages, decoys), with
``role`` saying what each is (:data:`iadsim.threats.ballistic_raid.ROLE_NAMES`) and ``parent`` which
threat released it (-1 for the threats themselves). An extra object is launched only if its parent was
not intercepted before the release (:class:`iadsim.threats.state.ThreatState`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.frames import R_EARTH, geodetic2ecef
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.scenario.compiled import CompiledScenario
from iadsim.threats.airbreathing import waypoint_tracks
from iadsim.threats.ballistic import ballistic_velocity, propagate_ballistic
from iadsim.threats.ballistic_raid import WARHEAD, aim_points, fly_missiles
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
    role: np.ndarray  # WARHEAD, DECOY, STAGE (iadsim.threats.ballistic_raid)
    parent: np.ndarray  # releasing threat, -1 for the raids' own threats
    aim: np.ndarray  # (N, 3) ECEF aim point (the asset displaced by the CEP error)
    n_threats: int  # the raids' own threats come first

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

    groups = []  # ballistic flight groups, rows in `ball_rows` order
    ball_rows = []
    aim = a.ecef[target].copy()
    kids = []  # (objects, rows of their parents)
    if ball.size:
        alt0 = np.array([c.raids[k].center_alt for k in raid_ix])
        t_max = min(4000.0, float(c.duration) + 60.0)
        powered = np.array([bool(types[type_ix[i]].stages) for i in ball], bool)
        for k in sorted(set(type_ix[ball[powered]].tolist())):
            rows = ball[powered & (type_ix[ball] == k)]
            tgt = target[rows]
            try:
                obj = fly_missiles(types[k], lat[rows], lon[rows], alt0[rows], a.lat[tgt], a.lon[tgt], a.alt[tgt],
                                   rng, c.time_step, t_max)
            except ValueError as exc:
                raise ValueError(f"threat type {c.threat_types[k][0]!r}: {exc}") from None
            groups.append(obj.missiles)
            ball_rows.append(rows)
            aim[rows] = obj.aim
            if obj.children is not None:
                kids.append((obj, rows))
        old = ball[~powered]
        if old.size:
            r0 = geodetic2ecef(lat[old], lon[old], alt0[old])
            cep = np.array([types[k].cep for k in type_ix[old]])
            tg = target[old]
            r1 = aim_points(a.lat[tg], a.lon[tg], a.alt[tg], cep, rng) if np.any(cep > 0) else a.ecef[tg]
            aim[old] = r1
            apo = np.array([types[k].apogee if types[k].apogee is not None else np.nan for k in type_ix[old]])
            v0 = np.empty_like(r0)
            tof = np.empty(old.size)
            me = np.isnan(apo)
            if me.any():
                v0[me], tof[me] = ballistic_velocity(r0[me], r1[me])
            if (~me).any():
                v0[~me], tof[~me] = ballistic_velocity(r0[~me], r1[~me], apo[~me])
            stop = a.alt[tg]
            groups.append(propagate_ballistic(r0, v0, c.time_step, float(tof.max()) * 1.02 + 2 * c.time_step,
                                              stop_alt=stop))
            ball_rows.append(old)
    ball_order = np.concatenate(ball_rows) if ball_rows else np.zeros(0, np.int64)

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

    # extra objects (spent stages, decoys) after the N threats
    c_parent = np.concatenate([rows[o.child_parent] for o, rows in kids]) if kids else np.zeros(0, np.int64)
    c_offset = np.concatenate([o.child_offset for o, _ in kids]) if kids else np.zeros(0)
    c_role = np.concatenate([o.child_role for o, _ in kids]) if kids else np.zeros(0, np.int8)
    c_rcs = np.concatenate([o.child_rcs for o, _ in kids]) if kids else np.zeros(0)
    M = c_parent.size
    n_ball = ball_order.size
    order = np.empty(N + M, dtype=np.int64)
    order[ball_order] = np.arange(n_ball)
    order[N:] = n_ball + np.arange(M)  # ThreatTruth.build: every ballistic group, then the waypoint paths
    order[air] = n_ball + M + np.arange(air.size)
    groups += [o.children for o, _ in kids]
    t_all = np.concatenate([t_launch, t_launch[c_parent] + c_offset])
    truth = ThreatTruth.build(ballistic=groups or None, waypoint=waypoint, t_launch=t_all, order=order)
    P = np.concatenate([np.arange(N), c_parent]).astype(np.int64)
    rcs = np.concatenate([np.array([types[k].rcs for k in type_ix]), c_rcs])
    return RaidRealization(
        truth=truth, raid=raid_ix[P], type_index=type_ix[P], cls=cls[P], target=target[P], t_launch=t_all,
        t_end=t_all + truth.duration, rcs=rcs,
        cost=np.concatenate([np.array([types[k].cost for k in type_ix]), np.zeros(M)]),
        p_damage=np.concatenate([np.array([types[k].p_damage for k in type_ix]), np.zeros(M)]),
        launch_lat=lat[P], launch_lon=lon[P],
        role=np.concatenate([np.full(N, WARHEAD, np.int8), c_role]),
        parent=np.concatenate([np.full(N, -1, np.int64), c_parent]), aim=aim[P], n_threats=N)
