"""The compiled scenario: everything the simulation needs, in SI units and arrays (ECEF metres)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.scenario.catalog_models import InterceptorType, RadarType
from iadsim.scenario.model import Doctrine, Scenario


@dataclass(frozen=True)
class AssetTable:
    names: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray
    ecef: np.ndarray  # (A, 3)
    value: np.ndarray
    hardness: np.ndarray
    damage_threshold: np.ndarray


@dataclass(frozen=True)
class RadarSite:
    name: str
    type_name: str
    spec: RadarType
    lat: float
    lon: float
    alt: float
    ecef: np.ndarray
    facing: float


@dataclass(frozen=True)
class FireUnitTable:
    names: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray
    ecef: np.ndarray  # (F, 3)
    type_index: np.ndarray  # index into CompiledScenario.interceptor_types
    launchers: np.ndarray
    missiles_per_launcher: np.ndarray
    reserve: np.ndarray
    reload_time: np.ndarray
    fire_channels: np.ndarray
    radars: tuple[tuple[int, ...], ...]  # linked radar indices per fire unit

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class RaidSpec:
    name: str
    threat_type: int
    count: int
    center_lat: float
    center_lon: float
    center_alt: float
    center_ecef: np.ndarray
    radius: float
    t_start: float
    t_end: float
    targets: np.ndarray  # asset indices, assigned in turn
    route_lat: np.ndarray
    route_lon: np.ndarray
    payload_type: int = -1  # index into threat_types of an aircraft's stand-off weapon
    tot: float | None = None  # time on target (s since the epoch) and its spread
    tot_spread: float = 0.0


@dataclass(frozen=True)
class JammerSpec:
    """One declared jammer in SI: ``power`` W, ``gain`` linear, ``bandwidth`` Hz; ``raid`` index whose
    threats carry it (-1: fixed at ``ecef``, on ``orbit``, a :class:`iadsim.sensors.jamming.Racetrack`, or
    escorting raid ``escort``'s lead aircraft ``behind`` m back along its track)."""

    name: str
    power: float
    gain: float
    bandwidth: float
    raid: int
    ecef: np.ndarray
    orbit: object | None = None
    escort: int = -1
    behind: float = 0.0


@dataclass(frozen=True)
class EmconRule:
    """EMCON when threatened (:class:`iadsim.scenario.model.WhenThreatened`) in SI: ``classes`` the track
    classes (indices into :data:`iadsim.tracking.classify.CLASSES`), ``range`` m, ``min_speed`` m/s, ``hold`` s."""

    classes: tuple[int, ...]
    range: float
    min_speed: float
    hold: float


@dataclass(frozen=True)
class NetworkSpec:
    """The compiled C2 network (:mod:`iadsim.c2.network`). Nodes: 0 the command post, ``1..S`` the sensors,
    ``S+1..S+F`` the fire units; ``link_ends (L, 2)`` node indices; ``links`` the declared links (latency
    distributions); ``cuts`` ``(link, start, end)`` in seconds; ``wired (N,)`` nodes named in some link."""

    nodes: tuple[str, ...]
    link_ends: np.ndarray
    links: tuple
    cuts: tuple[tuple[int, float, float], ...]
    wired: np.ndarray
    autonomous: str = "engage"
    engage_on_remote: bool = True
    picture_timeout: float = 30.0
    order_timeout: float = 20.0
    local_window: float = 20.0


@dataclass(frozen=True)
class CompiledScenario:
    scenario: Scenario
    source: str
    scenario_hash: str
    duration: float
    time_step: float
    truth_sample: float
    assets: AssetTable
    radars: tuple[RadarSite, ...]
    fire_units: FireUnitTable
    interceptor_types: tuple[tuple[str, InterceptorType], ...]
    threat_types: tuple[tuple[str, object], ...]
    raids: tuple[RaidSpec, ...]
    doctrine: Doctrine
    c2_cycle: float
    origin_lat: float = 0.0
    origin_lon: float = 0.0
    origin_alt: float = 0.0
    #: wall seconds spent reading, validating and compiling the file (0 when built in memory)
    load_s: float = 0.0
    #: the work estimate of :func:`iadsim.scenario.work.estimate_work`
    work: dict | None = None
    terrain: object | None = None  # iadsim.terrain.Terrain
    gamma_land: float = 10.0 ** (-15.0 / 10.0)
    gamma_sea: float = 10.0 ** (-30.0 / 10.0)
    jammers: tuple[JammerSpec, ...] = ()
    #: the C2 network (None: every node with the command post, no delay)
    network: NetworkSpec | None = None
    #: per radar, its EMCON silent windows ``((start, end), ...)`` (empty: always emitting)
    emcon: tuple[tuple[tuple[float, float], ...], ...] = ()
    #: per radar, its EMCON-when-threatened rule or None (empty: no radar has one)
    emcon_rules: tuple[EmconRule | None, ...] = ()
    #: what threats can aim at: the assets, then the defense nodes (None: the assets only)
    aim_points: AssetTable | None = None
    #: network node index (NetworkSpec numbering) of each aim row after the assets
    aim_nodes: tuple[int, ...] = ()

    @property
    def n_threats(self) -> int:
        return sum(r.count for r in self.raids)
