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
(:mod:`iadsim.threats.airbreathing`); a type with ``terrain_following`` flies its level legs over the
scenario's terrain instead (:mod:`iadsim.threats.terrain_following`).

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
from iadsim.threats import profiles
from iadsim.threats.airbreathing import waypoint_tracks
from iadsim.threats.ballistic import ballistic_velocity, propagate_ballistic
from iadsim.threats.ballistic_raid import WARHEAD, aim_points, fly_missiles
from iadsim.threats.profiles import time_on_target
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
    a = c.assets if c.aim_points is None else c.aim_points  # assets, then defense nodes

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

    air_groups, air_order, payload_rows = _air_paths(c, types, air, raid_ix, type_ix, lat, lon, target, aim, rng)

    # extra objects after the N threats: spent stages and decoys, then the aircraft's stand-off weapons
    c_parent = np.concatenate([rows[o.child_parent] for o, rows in kids]) if kids else np.zeros(0, np.int64)
    c_offset = np.concatenate([o.child_offset for o, _ in kids]) if kids else np.zeros(0)
    c_role = np.concatenate([o.child_role for o, _ in kids]) if kids else np.zeros(0, np.int8)
    c_rcs = np.concatenate([o.child_rcs for o, _ in kids]) if kids else np.zeros(0)
    M = c_parent.size
    p_parent, p_offset, p_type, p_aim = payload_rows
    Q = p_parent.size
    n_ball = ball_order.size
    # ThreatTruth.build takes every ballistic group (threats, then released objects), then every waypoint
    # group (threats, then payloads)
    order = np.empty(N + M + Q, dtype=np.int64)
    order[ball_order] = np.arange(n_ball)
    order[N:N + M] = n_ball + np.arange(M)
    order[air_order] = n_ball + M + np.arange(air_order.size)
    order[N + M:] = n_ball + M + air_order.size + np.arange(Q)
    groups += [o.children for o, _ in kids]
    truth_groups = groups or None
    wp = air_groups or None
    # time on target: raids timed to arrive together are launched their own flight time before it
    t_own = t_launch.copy()
    dur_pre = ThreatTruth.build(ballistic=truth_groups, waypoint=wp, t_launch=np.zeros(N + M + Q),
                                order=order).duration
    for ri, raid in enumerate(c.raids):
        if raid.tot is None:
            continue
        rows = np.flatnonzero(raid_ix == ri)
        t_own[rows] = time_on_target(dur_pre[rows], raid.tot, raid.tot_spread, rng)
    P = np.concatenate([np.arange(N), c_parent, p_parent]).astype(np.int64)
    t_all = np.concatenate([t_own, t_own[c_parent] + c_offset, t_own[p_parent] + p_offset])
    truth = ThreatTruth.build(ballistic=truth_groups, waypoint=wp, t_launch=t_all, order=order)
    type_all = np.concatenate([type_ix, type_ix[c_parent], p_type]).astype(np.int64)
    cls_all = np.concatenate([cls, cls[c_parent],
                              np.array([THREAT_CLASSES.index(types[k].kind) for k in p_type], np.int8)])
    rcs = np.concatenate([np.array([types[k].rcs for k in type_ix]), c_rcs, np.array([types[k].rcs for k in p_type])])
    cost = np.concatenate([np.array([types[k].cost for k in type_ix]), np.zeros(M),
                           np.array([types[k].cost for k in p_type])])
    p_dmg = np.concatenate([np.array([types[k].p_damage for k in type_ix]), np.zeros(M),
                            np.array([types[k].p_damage for k in p_type])])
    return RaidRealization(
        truth=truth, raid=raid_ix[P], type_index=type_all, cls=cls_all.astype(np.int8), target=target[P],
        t_launch=t_all, t_end=t_all + truth.duration, rcs=rcs, cost=cost, p_damage=p_dmg,
        launch_lat=lat[P], launch_lon=lon[P],
        role=np.concatenate([np.full(N, WARHEAD, np.int8), c_role, np.full(Q, WARHEAD, np.int8)]),
        parent=np.concatenate([np.full(N, -1, np.int64), c_parent, p_parent]),
        aim=np.concatenate([aim, aim[c_parent], p_aim]), n_threats=N)


def _geodetic(p):
    from iadsim.frames import ecef2geodetic

    la, lo, al = ecef2geodetic(np.atleast_2d(p))
    return np.atleast_1d(la), np.atleast_1d(lo), np.atleast_1d(al)


def _following(c, spec, n, end):
    """The :class:`~iadsim.threats.terrain_following.Following` of ``n`` threats of type ``spec`` over the
    scenario's terrain up to waypoint columns ``end`` (None: the type does not follow the terrain)."""
    tf = getattr(spec, "terrain_following", None)
    if tf is None:
        return None
    from iadsim.threats.terrain_following import Following

    return Following(terrain=c.terrain, clearance=np.full(n, tf.clearance), tan_climb=np.full(n, np.tan(tf.max_climb)),
                     tan_dive=np.full(n, np.tan(tf.dive)), end=np.maximum(np.asarray(end, np.int64), 0))


def _profile_follow(c, spec, R):
    """Terrain following of profile routes ``R``: from launch to the final dive (or the pop-up)."""
    if getattr(spec, "terrain_following", None) is None:
        return None
    mark = "pop_up" if spec.kind == "cruise" and spec.pop_up is not None else "final"
    return _following(c, spec, len(R), R.marks[mark])


def _plain_rows(c, types, rows, raid_ix, type_ix, lat, lon, aim_lat, aim_lon, aim_alt):
    """The first-fidelity route of air-breathing threats without a flight profile: launch point -> route
    waypoints -> a point ``TERMINAL_DIVE`` short of the aim at cruise altitude -> the aim (terrain
    following, when the type does, up to that point)."""
    W = 3 + max((c.raids[k].route_lat.size for k in set(raid_ix[rows].tolist())), default=0)
    wl, wo, wa = (np.full((rows.size, W), np.nan) for _ in range(3))
    speed = np.empty(rows.size)
    for row, i in enumerate(rows):
        spec, raid = types[type_ix[i]], c.raids[raid_ix[i]]
        la = [lat[i], *raid.route_lat.tolist()]
        lo = [lon[i], *raid.route_lon.tolist()]
        dl, do = _toward(la[-1], lo[-1], aim_lat[row], aim_lon[row], TERMINAL_DIVE)
        la += [float(dl), aim_lat[row]]
        lo += [float(do), aim_lon[row]]
        k = len(la)
        wl[row, :k], wo[row, :k] = la, lo
        wa[row, :k] = spec.altitude
        wa[row, k - 1] = aim_alt[row]
        speed[row] = spec.speed
    spec = types[type_ix[rows[0]]] if rows.size else None
    follow = _following(c, spec, rows.size, np.sum(~np.isnan(wl), axis=1) - 2) if rows.size else None
    return waypoint_tracks(wl, wo, wa, speed, follow=follow)


def _routes(spec, launch, route, aim, rng):
    """The profile routes (:mod:`iadsim.threats.profiles`) of threats of one type, or None without one."""
    if spec.kind == "cruise" and spec.terminal is not None:
        t = spec.terminal
        return profiles.cruise_route(
            launch, route, aim, cruise_alt=spec.altitude, cruise_speed=spec.speed, terminal_range=t.range,
            terminal_alt=t.altitude, terminal_speed=t.speed,
            pop_up=None if spec.pop_up is None else (spec.pop_up.range, spec.pop_up.altitude, spec.pop_up.climb_angle),
            weave=None if spec.weave is None else (spec.weave.amplitude, spec.weave.wavelength))
    if spec.kind == "drone" and (spec.dog_legs is not None or spec.loiter is not None):
        return profiles.drone_route(
            launch, route, aim, alt=spec.altitude, speed=spec.speed,
            dog_legs=None if spec.dog_legs is None else (spec.dog_legs.count, spec.dog_legs.max_offset),
            loiter=None if spec.loiter is None else (spec.loiter.radius, spec.loiter.duration,
                                                     spec.loiter.distance_before_aim), rng=rng)
    if spec.kind == "aircraft" and spec.release_range is not None:
        return profiles.aircraft_route(launch, route, aim, alt=spec.altitude, speed=spec.speed,
                                       release_range_m=spec.release_range)
    return None


def _air_paths(c, types, air, raid_ix, type_ix, lat, lon, target, aim, rng):
    """Waypoint paths of the air-breathing threats, grouped by type and raid, and of the stand-off weapons
    their aircraft release; ``aim`` (rows of the air threats) is updated with the CEP-displaced aim points.

    Draws (from the raid generator, after the ballistic ones, in raid then row order): the aim error (two
    normals per threat whose type has a CEP), the dog-legs of a drone profile, the payloads' aim errors."""
    a = c.assets if c.aim_points is None else c.aim_points  # assets, then defense nodes
    groups, order, payload_groups = [], [], []
    p_parent, p_offset, p_type, p_aim = [], [], [], []
    for ri in sorted(set(raid_ix[air].tolist())):
        rows = air[raid_ix[air] == ri]
        spec = types[int(type_ix[rows[0]])]
        raid = c.raids[ri]
        tg = target[rows]
        pts = aim_points(a.lat[tg], a.lon[tg], a.alt[tg], np.full(rows.size, spec.cep), rng) if spec.cep > 0 \
            else a.ecef[tg]
        aim[rows] = pts
        al, ao, _ = _geodetic(pts) if spec.cep > 0 else (a.lat[tg], a.lon[tg], a.alt[tg])
        route = (raid.route_lat, raid.route_lon) if raid.route_lat.size else None
        R = _routes(spec, (lat[rows], lon[rows]), route, (al, ao, a.alt[tg]), rng)
        if R is None:
            paths = _plain_rows(c, types, rows, raid_ix, type_ix, lat, lon, al, ao, a.alt[tg])
        else:
            try:
                paths = R.tracks(g_limit=None if spec.weave is None else spec.weave.g_limit,
                                 follow=_profile_follow(c, spec, R))
            except ValueError as exc:
                raise ValueError(f"raid {raid.name!r}: {exc}") from None
        groups.append(paths)
        order.append(rows)
        if raid.payload_type >= 0 and R is not None:
            pspec = types[raid.payload_type]
            k = spec.payload.count
            col = R.marks["release"]
            t_rel = paths.t_waypoint[np.arange(rows.size), col]
            rl, ro, _ = R.point("release")
            rel_lat, rel_lon = np.repeat(rl, k), np.repeat(ro, k)
            ptg = np.repeat(tg, k)
            ppts = aim_points(a.lat[ptg], a.lon[ptg], a.alt[ptg], np.full(ptg.size, pspec.cep), rng) \
                if pspec.cep > 0 else a.ecef[ptg]
            pl, po, _ = _geodetic(ppts) if pspec.cep > 0 else (a.lat[ptg], a.lon[ptg], a.alt[ptg])
            PR = _routes(pspec, (rel_lat, rel_lon), None, (pl, po, a.alt[ptg]), rng)
            if PR is None:
                dummy = np.zeros(ptg.size, np.int64)
                pp = _plain_rows(c, [pspec], np.arange(ptg.size), np.full(ptg.size, ri), dummy,
                                 rel_lat, rel_lon, pl, po, a.alt[ptg])
            else:
                pp = PR.tracks(g_limit=None if pspec.weave is None else pspec.weave.g_limit,
                               follow=_profile_follow(c, pspec, PR))
            # the k weapons of an aircraft leave the release point `interval` apart
            payload_groups.append(pp)
            p_parent.append(np.repeat(rows, k))
            p_offset.append(np.repeat(t_rel, k) + np.tile(np.arange(k), rows.size) * spec.payload.interval)
            p_type.append(np.full(ptg.size, raid.payload_type))
            p_aim.append(ppts)
    cat = (lambda x, dt, w=None: np.concatenate(x) if x else np.zeros((0,) if w is None else (0, w), dt))
    return (groups + payload_groups, np.concatenate(order) if order else np.zeros(0, np.int64),
            (cat(p_parent, np.int64), cat(p_offset, float), cat(p_type, np.int64), cat(p_aim, float, 3)))
