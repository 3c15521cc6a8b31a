"""Load, validate and compile a scenario file.

``load_scenario(path)`` reads YAML, validates it against :class:`~iadsim.scenario.model.Scenario`, resolves
catalog types and cross-references (sensor, asset and type names), and returns a
:class:`~iadsim.scenario.compiled.CompiledScenario` of SI arrays. Any problem raises
:class:`~iadsim.errors.InputError` naming file, line and field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from iadsim.errors import InputError
from iadsim.frames import R_EARTH, geodetic2ecef
from iadsim.scenario._base import BOOL_GIVEN
from iadsim.scenario.catalog import resolve
from iadsim.scenario.compiled import (
    AssetTable,
    CompiledScenario,
    EmconRule,
    FireUnitTable,
    JammerSpec,
    NetworkSpec,
    RadarSite,
    RaidSpec,
)
from iadsim.scenario.model import THREAT_CLASSES, Scenario
from iadsim.scenario.units import flush_quantity_cache
from iadsim.scenario.work import check_work
from iadsim.scenario.yamlio import LineMap, dotted, line_of, load_yaml


def _message(err: dict) -> str:
    msg = err.get("msg", "invalid value")
    if err.get("type") == "extra_forbidden":
        return "unknown field"
    if err.get("type") == "missing":
        return "required field is missing"
    if err.get("input") is BOOL_GIVEN:
        return "expected a number or text, not true/false"
    if err.get("type") == "finite_number":
        return f"must be a finite number, got {err.get('input')!r} (NaN and infinity are not accepted)"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg


def _clean_loc(loc: tuple) -> tuple:
    # pydantic adds discriminator tags and validator names to locations; keep only keys and indices
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("radar",)))
                 and not (isinstance(p, str) and p.startswith("function-")))


def _raise_validation(exc: ValidationError, file: str, lines: LineMap, prefix: tuple = ()) -> None:
    err = exc.errors()[0]
    loc = prefix + _clean_loc(tuple(err["loc"]))
    raise InputError(_message(err), file=file, line=line_of(lines, loc), field=dotted(loc) or None) from None


def load_scenario(path: str | Path, *, allow_large: bool = False) -> CompiledScenario:
    """Read, validate and compile the scenario at ``path`` (see module docstring).

    The work the scenario asks for is estimated and checked against the limits of
    :mod:`iadsim.scenario.work` (``allow_large=True`` skips the check; the estimate is kept in ``work``)."""
    t0 = time.perf_counter()
    path = Path(path)
    data, lines = load_yaml(path)
    c = scenario_from_data(data, lines, file=str(path), allow_large=allow_large)
    return dataclasses.replace(c, load_s=time.perf_counter() - t0)


def scenario_from_data(data, lines: LineMap | None = None, file: str = "<scenario>", *,
                       allow_large: bool = False) -> CompiledScenario:
    """Validate and compile already-parsed scenario data (``lines`` maps locations to YAML lines); the work
    estimate is checked as in :func:`load_scenario`."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise InputError("a scenario must be a YAML mapping at the top level", file=file, line=1)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        _raise_validation(exc, file, lines)
    c = compile_scenario(scenario, lines=lines, file=file)
    work = check_work(c, lines=lines, file=file, allow_large=allow_large)
    flush_quantity_cache()  # the quantities pint parsed, for the next process (iadsim.scenario.units)
    return dataclasses.replace(c, work=work)


def _resolve(section, ref_name, override, where, file, lines):
    try:
        return resolve(section, ref_name, override)
    except LookupError as exc:
        loc = where + ("type",)
        raise InputError(str(exc.args[0]), file=file, line=line_of(lines, loc), field=dotted(loc)) from None
    except ValidationError as exc:
        _raise_validation(exc, file, lines, prefix=where + ("override",))


def _intern(section, ref, where, index: dict, types: list, file, lines) -> int:
    """Index of catalog type ``ref`` (with its overrides) in ``types``, resolving it on first use.

    Equal references share one entry; an overridden type is named ``<type>*<k>``.
    """
    key = (ref.type, json.dumps(ref.override, sort_keys=True, default=str))
    if key not in index:
        spec = _resolve(section, ref.type, ref.override, where, file, lines)
        name = ref.type if not ref.override else f"{ref.type}*{len(index)}"
        index[key] = len(types)
        types.append((name, spec))
    return index[key]


def _lookup(names, index: dict, verb: str, what: str, where: tuple, fail) -> list[int]:
    """Indices of declared ``names``; an undeclared one fails at its list position ``where + (k,)``."""
    out = []
    for k, name in enumerate(names):
        if name not in index:
            raise fail(f"{verb} {name!r}, which is not a declared {what} (declared: {', '.join(index)})",
                       where + (k,))
        out.append(index[name])
    return out


def _unique(items, what, section, file, lines):
    seen = {}
    for i, item in enumerate(items):
        if item.name in seen:
            loc = (section, i, "name")
            raise InputError(f"duplicate {what} name {item.name!r}", file=file, line=line_of(lines, loc),
                             field=dotted(loc))
        seen[item.name] = i
    return seen


def _ecef(p):
    return geodetic2ecef(p.lat, p.lon, p.alt)


def compile_scenario(scenario: Scenario, *, lines: LineMap | None = None,
                     file: str = "<scenario>") -> CompiledScenario:
    """Resolve catalog types and names, check cross-references, and convert to SI arrays."""
    lines = lines or {}
    fail = lambda msg, loc: InputError(msg, file=file, line=line_of(lines, loc), field=dotted(loc))

    if scenario.time_step > scenario.duration:
        raise fail("time_step is longer than the scenario duration", ("time_step",))

    asset_idx = _unique(scenario.assets, "asset", "assets", file, lines)
    sensor_idx = _unique(scenario.sensors, "sensor", "sensors", file, lines)
    _unique(scenario.fire_units, "fire unit", "fire_units", file, lines)
    _unique(scenario.raids, "raid", "raids", file, lines)

    assets = AssetTable(
        names=tuple(a.name for a in scenario.assets),
        lat=np.array([a.position.lat for a in scenario.assets]),
        lon=np.array([a.position.lon for a in scenario.assets]),
        alt=np.array([a.position.alt for a in scenario.assets]),
        ecef=np.array([_ecef(a.position) for a in scenario.assets]).reshape(-1, 3),
        value=np.array([a.value for a in scenario.assets]),
        hardness=np.array([a.hardness for a in scenario.assets]),
        damage_threshold=np.array([a.damage_threshold for a in scenario.assets]),
    )

    radars = []
    for i, s in enumerate(scenario.sensors):
        rtype = _resolve("radar", s.type, s.override, ("sensors", i), file, lines)
        radars.append(RadarSite(name=s.name, type_name=s.type, spec=rtype, lat=s.position.lat,
                                lon=s.position.lon, alt=s.position.alt, ecef=_ecef(s.position),
                                facing=s.facing))

    itypes: dict[tuple, int] = {}
    interceptor_types = []
    fu_type = []
    fu_radars = []
    for i, fu in enumerate(scenario.fire_units):
        fu_type.append(_intern("interceptor", fu.interceptor, ("fire_units", i, "interceptor"), itypes,
                               interceptor_types, file, lines))
        fu_radars.append(tuple(_lookup(fu.radars, sensor_idx, "fire unit links radar", "sensor",
                                       ("fire_units", i, "radars"), fail)))
    fus = scenario.fire_units
    fire_units = FireUnitTable(
        names=tuple(f.name for f in fus),
        lat=np.array([f.position.lat for f in fus]),
        lon=np.array([f.position.lon for f in fus]),
        alt=np.array([f.position.alt for f in fus]),
        ecef=np.array([_ecef(f.position) for f in fus]).reshape(-1, 3),
        type_index=np.array(fu_type, dtype=np.int64),
        launchers=np.array([f.launchers for f in fus], dtype=np.int64),
        missiles_per_launcher=np.array([f.missiles_per_launcher for f in fus], dtype=np.int64),
        reserve=np.array([f.reserve for f in fus], dtype=np.int64),
        reload_time=np.array([f.reload_time for f in fus]),
        fire_channels=np.array([f.fire_channels for f in fus], dtype=np.int64),
        radars=tuple(fu_radars),
    )

    aim_points, aim_nodes, target_idx = _aim_table(scenario, assets, radars, fire_units, asset_idx)
    ttypes: dict[tuple, int] = {}
    threat_types = []
    raids = []
    for i, raid in enumerate(scenario.raids):
        tindex = _intern("threat", raid.threat, ("raids", i, "threat"), ttypes, threat_types, file, lines)
        spec = threat_types[tindex][1]
        targets = _lookup(raid.targets, target_idx, "raid targets", "asset or defense node", ("raids", i, "targets"),
                          fail)
        center = raid.launch_area.center
        c_ecef = _ecef(center)
        for k, a in enumerate(targets):
            ground = _great_circle(center.lat, center.lon, aim_points.lat[a], aim_points.lon[a])
            if ground + raid.launch_area.radius > spec.max_range:
                if raid.launch_area.radius > 0 and ground <= spec.max_range:
                    raise fail(f"the launch area reaches {raid.launch_area.radius / 1e3:.0f} km from its centre, so "
                               f"its farthest point is {(ground + raid.launch_area.radius) / 1e3:.0f} km from asset "
                               f"{raid.targets[k]!r} ({ground / 1e3:.0f} km from the centre), beyond the "
                               f"{spec.max_range / 1e3:.0f} km range of threat type {raid.threat.type!r}",
                               ("raids", i, "launch_area", "radius"))
                raise fail(f"asset {raid.targets[k]!r} is {ground / 1e3:.0f} km from the launch area's centre, "
                           f"beyond the {spec.max_range / 1e3:.0f} km range of threat type {raid.threat.type!r}",
                           ("raids", i, "targets", k))
        if raid.route and spec.kind == "ballistic":
            raise fail("a ballistic raid cannot have a route", ("raids", i, "route"))
        if raid.launch_window is not None and raid.launch_window.end > scenario.duration:
            raise fail("launch window ends after the scenario duration", ("raids", i, "launch_window", "end"))
        tot = raid.time_on_target
        if tot is not None and tot.time + tot.spread > scenario.duration:
            raise fail("the time on target is after the scenario's end", ("raids", i, "time_on_target", "time"))
        payload = -1
        if getattr(spec, "payload", None) is not None:
            from iadsim.scenario.model import TypeRef

            payload = _intern("threat", TypeRef(type=spec.payload.threat), ("raids", i, "threat"), ttypes,
                              threat_types, file, lines)
            pspec = threat_types[payload][1]
            if pspec.kind not in ("cruise", "drone"):
                raise fail(f"the payload of an aircraft is a cruise missile or a drone, not {pspec.kind!r} "
                           f"({spec.payload.threat!r})", ("raids", i, "threat"))
            if spec.release_range > pspec.max_range:
                raise fail(f"release range {spec.release_range / 1e3:.0f} km is beyond the "
                           f"{pspec.max_range / 1e3:.0f} km range of its payload {spec.payload.threat!r}",
                           ("raids", i, "threat"))
        window = raid.launch_window
        raids.append(RaidSpec(
            name=raid.name, threat_type=tindex, count=raid.count, center_lat=center.lat, center_lon=center.lon,
            center_alt=center.alt, center_ecef=c_ecef, radius=raid.launch_area.radius,
            t_start=window.start if window else tot.time, t_end=window.end if window else tot.time,
            targets=np.array(targets),
            route_lat=np.array([p.lat for p in raid.route]), route_lon=np.array([p.lon for p in raid.route]),
            payload_type=payload, tot=None if tot is None else tot.time, tot_spread=0.0 if tot is None else tot.spread,
        ))

    terrain = _compile_terrain(scenario, file, lines, fail)
    raid_idx = {r.name: i for i, r in enumerate(scenario.raids)}
    jammers = []
    _unique(scenario.jammers, "jammer", "jammers", file, lines)
    for i, j in enumerate(scenario.jammers):
        raid = _lookup([j.raid], raid_idx, "jammer rides on raid", "raid", ("jammers", i, "raid"),
                       lambda msg, loc: fail(msg, loc[:-1]))[0] if j.raid is not None else -1
        orbit = None
        if j.orbit is not None:
            from iadsim.sensors.jamming import Racetrack

            o = j.orbit
            orbit = Racetrack(lat=o.center.lat, lon=o.center.lon, alt=o.altitude, heading=o.heading,
                              leg=o.leg_length, radius=o.radius, speed=o.speed, turn=1 if o.turn == "right" else -1,
                              start=o.start)
        escort = -1
        if j.escort is not None:
            escort = _lookup([j.escort.raid], raid_idx, "jammer escorts raid", "raid", ("jammers", i, "escort", "raid"),
                             lambda msg, loc: fail(msg, loc[:-1]))[0]
        jammers.append(JammerSpec(name=j.name, power=j.power, gain=j.gain, bandwidth=j.bandwidth, raid=raid,
                                  ecef=_ecef(j.position) if j.position is not None else np.zeros(3), orbit=orbit,
                                  escort=escort, behind=j.escort.behind if j.escort is not None else 0.0))
    if jammers:
        for i, r in enumerate(radars):
            if not r.spec.jammable:
                need = [f for f in ("frequency", "antenna_gain", "noise_figure", "bandwidth")
                        if getattr(r.spec, f) is None]
                if None in r.spec.beamwidths:
                    need.append("beamwidths (beamwidth_azimuth/elevation or aperture_width/height)")
                raise fail(f"the scenario has jammers, but radar type {r.type_name!r} cannot be jammed: it lacks "
                           f"{', '.join(need)}", ("sensors", i, "type"))
    if terrain is not None:
        for i, r in enumerate(radars):
            ground = float(terrain.elevation_at(r.lat, r.lon))
            if r.alt < ground:
                raise fail(f"sensor {r.name!r} at {r.alt:.0f} m is below the terrain there ({ground:.0f} m)",
                           ("sensors", i, "position", "alt"))

    network = _compile_network(scenario, fail)
    radar_idx = {r.name: i for i, r in enumerate(radars)}
    emcon = [[] for _ in radars]
    rules = [None for _ in radars]
    for i, e in enumerate(scenario.emcon):
        k = _lookup([e.radar], radar_idx, "emcon names radar", "sensor", ("emcon", i, "radar"),
                    lambda msg, loc: fail(msg, loc[:-1]))[0]
        emcon[k] += [(w.start, w.end) for w in e.silent]
        if e.when_threatened is not None:
            if rules[k] is not None:
                raise fail(f"radar {e.radar!r} already has an emcon rule (when_threatened): one per radar",
                           ("emcon", i, "when_threatened"))
            w = e.when_threatened
            rules[k] = EmconRule(classes=tuple(sorted({THREAT_CLASSES.index(x) for x in w.classes})),
                                 range=w.range, min_speed=w.min_speed, hold=w.hold)

    origin = scenario.origin or scenario.assets[0].position
    parts = {"scenario": scenario.model_dump(mode="json"),
             "radars": [r.spec.model_dump() for r in radars],
             "interceptors": [s.model_dump() for _, s in interceptor_types],
             "threats": [s.model_dump() for _, s in threat_types]}
    if terrain is not None:
        parts["terrain_grid"] = terrain.digest()
    canonical = json.dumps(parts, sort_keys=True, default=str)
    return CompiledScenario(
        scenario=scenario, source=file, scenario_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        duration=scenario.duration, time_step=scenario.time_step, truth_sample=scenario.truth_sample,
        assets=assets, radars=tuple(radars), fire_units=fire_units,
        interceptor_types=tuple(interceptor_types), threat_types=tuple(threat_types), raids=tuple(raids),
        doctrine=scenario.command_post.doctrine, c2_cycle=scenario.command_post.cycle,
        origin_lat=origin.lat, origin_lon=origin.lon, origin_alt=origin.alt,
        terrain=terrain, jammers=tuple(jammers), network=network,
        emcon=tuple(tuple(sorted(w)) for w in emcon) if scenario.emcon else (),
        emcon_rules=tuple(rules) if any(r is not None for r in rules) else (),
        # the defense nodes join the aim table only when some raid aims at one
        **({"aim_points": aim_points, "aim_nodes": tuple(aim_nodes)}
           if any(int(r.targets.max()) >= len(assets.names) for r in raids) else {}),
        **({} if scenario.terrain is None else {"gamma_land": scenario.terrain.land_gamma,
                                                "gamma_sea": scenario.terrain.sea_gamma}),
    )


def _node_names(scenario: Scenario) -> list[str]:
    """Network node names in :class:`~iadsim.scenario.compiled.NetworkSpec` order."""
    return [scenario.command_post.name] + [s.name for s in scenario.sensors] + [f.name for f in scenario.fire_units]


def _aim_table(scenario: Scenario, assets: AssetTable, radars, fire_units, asset_idx: dict):
    """What raids may aim at: the assets, then every defense node with a position (the sensors, the fire units,
    the command post if placed), as an :class:`AssetTable`; the node index of each added row; name -> row."""
    names = _node_names(scenario)
    rows = []  # (node index, lat, lon, alt, ecef)
    cp = scenario.command_post
    if cp.position is not None:
        rows.append((0, cp.position.lat, cp.position.lon, cp.position.alt, _ecef(cp.position)))
    rows += [(1 + i, r.lat, r.lon, r.alt, r.ecef) for i, r in enumerate(radars)]
    S = len(radars)
    rows += [(1 + S + f, fire_units.lat[f], fire_units.lon[f], fire_units.alt[f], fire_units.ecef[f])
             for f in range(len(fire_units))]
    target_idx = dict(asset_idx)
    nodes = []
    for n, *_ in rows:
        if names[n] not in target_idx:  # an asset of the same name wins
            target_idx[names[n]] = len(assets.names) + len(nodes)
            nodes.append(n)
    keep = [r for r in rows if r[0] in set(nodes)]
    cat = lambda a, k: np.concatenate([a, np.array([r[k] for r in keep])]) if keep else a
    table = AssetTable(names=assets.names + tuple(names[r[0]] for r in keep), lat=cat(assets.lat, 1),
                       lon=cat(assets.lon, 2), alt=cat(assets.alt, 3),
                       ecef=np.vstack([assets.ecef] + [r[4][None, :] for r in keep]),
                       value=np.concatenate([assets.value, np.zeros(len(keep))]),
                       hardness=np.concatenate([assets.hardness, np.zeros(len(keep))]),
                       damage_threshold=np.concatenate([assets.damage_threshold, np.full(len(keep), 0.5)]))
    return table, nodes, target_idx


def _compile_network(scenario: Scenario, fail) -> NetworkSpec | None:
    """The :class:`NetworkSpec` of the ``network`` section (None without one)."""
    net = scenario.network
    if net is None:
        return None
    names = _node_names(scenario)
    idx = {}
    for n, name in enumerate(names):
        if name in idx:
            raise fail(f"network node name {name!r} is used by two nodes (sensor, fire unit or command post): "
                       "give them different names", ("network",))
        idx[name] = n
    link_idx = {}
    ends = []
    for i, link in enumerate(net.links):
        if link.name in link_idx:
            raise fail(f"duplicate link name {link.name!r}", ("network", "links", i, "name"))
        link_idx[link.name] = i
        ends.append(_lookup(link.ends, idx, "link joins", "sensor, fire unit or command post",
                            ("network", "links", i, "ends"), fail))
    cuts = []
    for i, cut in enumerate(net.cuts):
        k = _lookup([cut.link], link_idx, "cut of link", "link", ("network", "cuts", i, "link"),
                    lambda msg, loc: fail(msg, loc[:-1]))[0]
        cuts.append((k, float(cut.start), float("inf") if cut.end is None else float(cut.end)))
    link_ends = np.array(ends, np.int64).reshape(-1, 2)
    wired = np.zeros(len(names), bool)
    wired[link_ends.ravel()] = True
    return NetworkSpec(nodes=tuple(names), link_ends=link_ends, links=tuple(net.links), cuts=tuple(cuts),
                       wired=wired, autonomous=net.autonomous, engage_on_remote=net.engage_on_remote,
                       picture_timeout=net.picture_timeout, order_timeout=net.order_timeout,
                       local_window=net.local_window)


def _compile_terrain(scenario: Scenario, file: str, lines, fail):
    """The :class:`~iadsim.terrain.Terrain` of the ``terrain`` section (None: flat sea)."""
    spec = scenario.terrain
    if spec is None or spec.kind == "flat":
        return None
    from iadsim import terrain as _terrain

    if spec.kind == "synthetic":
        return _terrain.synthetic(spec.seed, spec.center.lat, spec.center.lon, spec.size, spec.spacing,
                                  spec.max_elevation, spec.land_fraction)
    path = Path(spec.file)
    if not path.is_absolute() and file and not file.startswith("<"):
        path = Path(file).parent / path
    try:
        return _terrain.load_grid(path)
    except InputError as exc:
        raise fail(f"{exc.file}: {exc.message}", ("terrain", "file")) from None


def _great_circle(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance on the mean sphere (haversine), metres."""
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return float(2 * R_EARTH * np.arcsin(np.sqrt(min(1.0, a))))
