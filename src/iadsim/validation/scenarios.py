"""Small scenarios for the validation oracles, built as data (validated by the ordinary loader).

Every engagement scenario here runs in the idealised **validation modes** (docs/validation.md): perfect
tracking (``validation: {perfect_tracking: true}``) and a constant kill probability per shot
(``lethality: {kind: fixed, pk: ...}``), on open ocean at 20 deg S, with the catalog's interceptor and radar
types otherwise unchanged, and the threats flying without their flight profiles or aim error (``_PLAIN``:
straight at the asset at cruise altitude). Two geometries make the conditions of the closed forms hold by construction:

* :func:`ring` - one battery (with its fire-control radar opened to 360 deg) at the centre of a ring of
  single-threat raids evenly spaced in bearing, all flying at the defended asset next to the battery. The
  threats stay farther apart than the seeker's hand-over basket (3 km for ``mr_interceptor``), so every
  round acquires the threat it was fired at; the battery has a channel for every threat.
* :func:`cells` - independent defence cells, ``CELL_SPACING_DEG`` of longitude apart (about 260 km,
  beyond every unit's envelope and fire-control radar of the neighbours): each cell has its own asset,
  fire-control radar, one single-threat raid and one battery per layer, with the rounds it is given. A
  cell's threat can only be engaged by its own batteries, so their magazines bound the number of shots at
  that threat exactly.

Threats start ``DISTANCE`` from the asset (inside ``mr_interceptor``'s envelope against a low drone) and
take minutes to arrive, far longer than the engagements the oracles need.
"""

from __future__ import annotations

import numpy as np

from iadsim.frames import R_EARTH
from iadsim.scenario import scenario_from_data

LAT, LON = -20.0, -15.0
#: distance (m) from the asset at which the threats start
DISTANCE = 24_000.0
#: longitude step between independent cells (deg; ~260 km at 20 deg S)
CELL_SPACING_DEG = 2.5


def _offset(lat, lon, north, east):
    """Geodetic point ``north``, ``east`` metres from ``(lat, lon)`` (deg; small offsets on the sphere)."""
    return (lat + np.degrees(north / R_EARTH), lon + np.degrees(east / (R_EARTH * np.cos(np.radians(lat)))))


def fixed(pk: dict[str, float], layer: str | None = None) -> dict:
    """An ``mr``/``sr`` interceptor override: the constant-Pk validation lethality (and an optional layer)."""
    out = {"lethality": {"kind": "fixed", "pk": dict(pk)}}
    if layer is not None:
        out["layer"] = layer
    return out


#: the first-fidelity flight of each kind: no flight profile (terminal leg, pop-up, weave, dog-legs, loiter)
#: and no aim error, so a threat flies straight at its asset at its cruise altitude, as the closed forms assume
_PLAIN = {"cruise": {"terminal": None, "pop_up": None, "weave": None, "cep": "0 m"},
          "drone": {"dog_legs": None, "loiter": None, "weave": None, "cep": "0 m"},
          "aircraft": {"release_range": None, "payload": None, "cep": "0 m"},
          "ballistic": {"cep": "0 m"}}


def _plain(threat: str) -> dict:
    from iadsim.scenario.catalog import raw_catalog

    kind = raw_catalog("threat")[threat].get("kind", "ballistic")
    given = raw_catalog("threat")[threat]
    over = {k: v for k, v in _PLAIN[kind].items() if k in given}
    return {"type": threat, "override": over} if over else threat


def _raid(name, threat, lat, lon, target, window, radius="0 km"):
    return {"name": name, "threat": _plain(threat), "count": 1,
            "launch_area": {"center": {"lat": float(lat), "lon": float(lon)}, "radius": radius},
            "launch_window": {"start": "0 s", "end": window}, "targets": [target]}


def ring(threats: list[str], pk: dict[str, float], *, salvo: int = 1, rounds: int | None = None,
         kill_assessment_delay: str = "4 s", duration: str = "60 s", window: str = "0 s",
         distance: float = DISTANCE, perfect_tracking: bool = True):
    """One battery (``mr_interceptor`` with the fixed ``pk``) at the centre of a ring of ``len(threats)``
    single-threat raids (catalog threat types, evenly spaced in bearing, launched over ``window``).

    ``rounds``: magazine (default ``salvo * len(threats)``); channels: one per threat.
    """
    n = len(threats)
    raids = []
    for i, typ in enumerate(threats):
        b = 2 * np.pi * i / n
        lat, lon = _offset(LAT, LON, distance * np.cos(b), distance * np.sin(b))
        raids.append(_raid(f"R{i}", typ, lat, lon, "Asset", window))
    rounds = salvo * n if rounds is None else rounds
    pos = {"lat": LAT, "lon": LON}
    return scenario_from_data({
        "name": "validation ring", "duration": duration,
        "validation": {"perfect_tracking": perfect_tracking},
        "assets": [{"name": "Asset", "position": {**pos, "alt": "10 m"}, "value": 100}],
        "sensors": [{"name": "FCR", "type": "fire_control_radar", "position": {**pos, "alt": "30 m"},
                     "override": {"azimuth_width": "360 deg"}}],
        "fire_units": [{"name": "Battery", "position": {**pos, "alt": "20 m"},
                        "interceptor": {"type": "mr_interceptor", "override": fixed(pk)},
                        "launchers": 1, "missiles_per_launcher": rounds, "fire_channels": min(n, 64),
                        "radars": ["FCR"]}],
        "command_post": {"cycle": "2 s", "doctrine": {"mode": "shoot-look-shoot", "salvo": {"middle": salvo},
                                                      "kill_assessment_delay": kill_assessment_delay}},
        "raids": raids,
    })


def cells(layers: list[list[tuple[str, dict, int]]], *, threat: str = "owa_drone", duration: str = "120 s",
          window: str = "10 s", radius: str = "1 km"):
    """Independent cells (module docstring). ``layers[c]``: cell ``c``'s batteries as
    ``(interceptor type, override, rounds)``, one fire channel each; one ``threat`` per cell from the west,
    launched in a disc of ``radius`` over ``window``."""
    assets, sensors, fus, raids = [], [], [], []
    for c, batteries in enumerate(layers):
        lon = LON + CELL_SPACING_DEG * c
        pos = {"lat": LAT, "lon": lon}
        assets.append({"name": f"Asset-{c}", "position": {**pos, "alt": "10 m"}, "value": 100})
        sensors.append({"name": f"FCR-{c}", "type": "fire_control_radar", "position": {**pos, "alt": "30 m"},
                        "facing": "270 deg"})
        for k, (typ, override, rounds) in enumerate(batteries):
            fus.append({"name": f"Battery-{c}.{k}", "position": {**pos, "alt": "20 m"},
                        "interceptor": {"type": typ, "override": override}, "launchers": 1,
                        "missiles_per_launcher": rounds, "fire_channels": 1, "radars": [f"FCR-{c}"]})
        lat0, lon0 = _offset(LAT, lon, 0.0, -DISTANCE)
        raids.append(_raid(f"R{c}", threat, lat0, lon0, f"Asset-{c}", window, radius))
    return scenario_from_data({
        "name": "validation cells", "duration": duration, "validation": {"perfect_tracking": True},
        "assets": assets, "sensors": sensors, "fire_units": fus,
        "command_post": {"cycle": "2 s", "doctrine": {"mode": "shoot-look-shoot"}}, "raids": raids,
    })


def radar_site(override: dict | None = None, *, duration: str = "10 min"):
    """One fire-control radar (catalog type, optional override) watching one distant drone; for the
    detection oracles (perfect tracking, so false alarms cost nothing downstream)."""
    pos = {"lat": LAT, "lon": LON}
    lat0, lon0 = _offset(LAT, LON, 150_000.0, 0.0)
    return scenario_from_data({
        "name": "validation radar", "duration": duration, "validation": {"perfect_tracking": True},
        "assets": [{"name": "Asset", "position": {**pos, "alt": "10 m"}, "value": 100}],
        "sensors": [{"name": "FCR", "type": "fire_control_radar", "position": {**pos, "alt": "30 m"},
                     "override": dict(override or {})}],
        "raids": [_raid("R", "owa_drone", lat0, lon0, "Asset", "0 s")],
    })


def undefended(n_cells: int, *, threat: str = "owa_drone", override: dict, hardness: float,
               threshold: float, duration: str = "10 min"):
    """Independent undefended cells for the damage oracle: each has one asset (``hardness``, destroyed at
    ``threshold``) and one ``threat`` (catalog type with ``override``: its CEP and warhead) flying straight
    at it without its flight profile from ``DISTANCE`` west; no fire units (one radar far away)."""
    assets, raids = [], []
    plain = _plain(threat)
    base = dict(plain["override"]) if isinstance(plain, dict) else {}
    for c in range(n_cells):
        lon = LON + CELL_SPACING_DEG * c
        assets.append({"name": f"Asset-{c}", "position": {"lat": LAT, "lon": lon, "alt": "10 m"}, "value": 100,
                       "hardness": hardness, "damage_threshold": threshold})
        lat0, lon0 = _offset(LAT, lon, 0.0, -DISTANCE)
        r = _raid(f"R{c}", threat, lat0, lon0, f"Asset-{c}", "0 s")
        r["threat"] = {"type": threat, "override": {**base, **override}}
        raids.append(r)
    # one radar far away, looking away (the scenario language asks for sensors): nothing is engaged
    far = {"lat": LAT, "lon": LON - 10.0, "alt": "10 m"}
    return scenario_from_data({"name": "validation damage", "duration": duration, "assets": assets,
                               "sensors": [{"name": "Far", "type": "fire_control_radar", "position": far,
                                            "facing": "270 deg"}], "raids": raids})
