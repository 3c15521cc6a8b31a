"""The scenario language: frozen pydantic models, ``extra="forbid"``, quantities with units.

A scenario file declares a time span, defended assets, sensors, fire units, one command post with its
doctrine, and raids. Equipment and threats are catalog types referenced by name, optionally overridden
field by field::

    fire_units:
      - name: Bravo-2
        interceptor: {type: mr_interceptor, override: {max_range: 80 km}}

Geodetic positions are ``{lat, lon, alt}`` with lat/lon in degrees (bare numbers) or angle strings and
``alt`` a length. All quantities become SI floats at validation (see :mod:`iadsim.scenario.units`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_serializer, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from iadsim.scenario._base import StrictModel
from iadsim.scenario.catalog_models import THREAT_CLASSES, Layer, ThreatClass
from iadsim.scenario.units import Angle, BallisticCoefficient, Decibel, Duration, Frequency, Length, Power, Speed

PositiveDuration = Annotated[Duration, Field(gt=0.0)]
Name = Annotated[str, Field(min_length=1, max_length=80)]


class _Frozen(StrictModel):  # frozen, extra="forbid", finite numbers, no booleans for numbers
    pass


class Position(_Frozen):
    """Geodetic position on WGS-84: latitude and longitude (degrees if bare numbers), altitude above the
    ellipsoid."""

    lat: Angle
    lon: Angle
    alt: Length = 0.0

    @field_validator("lat")
    @classmethod
    def _lat(cls, v: float) -> float:
        if not -1.5707963267948966 <= v <= 1.5707963267948966:
            raise ValueError("latitude must be within [-90, 90] deg")
        return v

    @field_validator("lon")
    @classmethod
    def _lon(cls, v: float) -> float:
        if not -3.141592653589793 <= v <= 3.141592653589793:
            raise ValueError("longitude must be within [-180, 180] deg")
        return v

    @field_validator("alt")
    @classmethod
    def _alt(cls, v: float) -> float:
        if not -500.0 <= v <= 1.0e6:
            raise ValueError("altitude must be within [-500 m, 1000 km]")
        return v


class TypeRef(_Frozen):
    """A catalog type by name, with optional field-by-field overrides (validated against the type)."""

    type: Name
    override: dict[str, Any] = Field(default_factory=dict)


def _as_ref(v):
    return {"type": v} if isinstance(v, str) else v


class Asset(_Frozen):
    """A defended asset, damaged by the warheads that land near it (:mod:`iadsim.threats.damage`): each
    arriving warhead adds the damage fraction ``D(r) (1 - hardness)`` of its damage function at its miss
    distance ``r``, fractions combining as independent ``1 - prod(1 - f)``; the asset is destroyed when its
    damage reaches ``damage_threshold``."""

    name: Name
    position: Position
    value: Annotated[float, Field(gt=0.0)]
    hardness: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    damage_threshold: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5


class Radar(_Frozen):
    """A radar site: a catalog radar type placed and pointed (``facing`` is the azimuth of the sector
    centre, clockwise from north)."""

    kind: Literal["radar"] = "radar"
    name: Name
    type: Name
    position: Position
    facing: Angle = 0.0
    override: dict[str, Any] = Field(default_factory=dict)


# One sensor variant today; ``kind`` is already in the language so that passive sensors can join as a
# discriminated union without changing existing files.
Sensor = Radar


class FireUnit(_Frozen):
    """A battery: launchers loaded with one interceptor type, fire channels (simultaneous engagements it can
    guide), linked fire-control radars, a reserve of reloads."""

    name: Name
    position: Position
    interceptor: TypeRef
    launchers: Annotated[int, Field(ge=1, le=64)]
    missiles_per_launcher: Annotated[int, Field(ge=1, le=64)]
    reserve: Annotated[int, Field(ge=0)] = 0
    reload_time: Annotated[Duration, Field(ge=0.0)] = 900.0
    fire_channels: Annotated[int, Field(ge=1, le=64)]
    radars: list[Name] = Field(default_factory=list)

    _ref = field_validator("interceptor", mode="before")(lambda cls, v: _as_ref(v))


class Doctrine(_Frozen):
    """Engagement doctrine of the command post.

    * ``mode``: ``shoot-look-shoot`` (one salvo, wait for kill assessment, re-engage on a miss) or
      ``shoot-shoot-look`` (also written ``shoot-shoot``: two-round salvos, then look).
    * ``salvo``: interceptors per engagement per layer (shoot-shoot doubles the shoot-look-shoot salvo when
      not given).
    * ``priorities``: weight of each threat class in the value of engaging it.
    * ``layering``: lower tiers engage a track only when no upper-tier unit can take it this cycle.
    * ``threat_radius``: a predicted impact / closest approach within this distance of an asset threatens it.
    * ``assignment``: the weapon-target assignment method of every cycle (``greedy`` maximum marginal
      return, ``local_search``, ``exact``; see :func:`iadsim.assignment.solve_wta`), with
      ``wta_time_limit`` for ``exact``.
    * ``objective``: ``value`` (expected surviving value) or ``cost_aware`` (plus ``cost_weight`` value
      units per million USD of interceptors fired).
    * ``look_ahead``: how far ahead later engagement windows are planned (0 s: fire-now only).
    * ``assumed_ballistic_coefficient``: the ballistic coefficient the command post assumes when it predicts
      a ballistic track's path and impact (:mod:`iadsim.evaluation.predict`).
    """

    mode: Literal["shoot-look-shoot", "shoot-shoot-look", "shoot-shoot"] = "shoot-look-shoot"
    salvo: dict[Layer, Annotated[int, Field(ge=1, le=8)]] = Field(default_factory=dict)
    priorities: dict[ThreatClass, Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=lambda: {"ballistic": 4.0, "cruise": 2.0, "aircraft": 1.5, "drone": 1.0})
    kill_assessment_delay: Annotated[Duration, Field(ge=0.0)] = 4.0
    layering: bool = True
    threat_radius: Annotated[Length, Field(gt=0.0)] = 5000.0
    assignment: Literal["greedy", "local_search", "exact"] = "greedy"
    wta_time_limit: Annotated[Duration, Field(gt=0.0)] = 0.05
    objective: Literal["value", "cost_aware"] = "value"
    cost_weight: Annotated[float, Field(ge=0.0)] = 10.0
    look_ahead: Annotated[Duration, Field(ge=0.0)] = 300.0
    assumed_ballistic_coefficient: Annotated[BallisticCoefficient, Field(gt=0.0)] = 6000.0

    def salvo_size(self, layer: str) -> int:
        """Interceptors per engagement for ``layer`` under this doctrine."""
        if layer in self.salvo:
            return self.salvo[layer]
        return 1 if self.mode == "shoot-look-shoot" else 2

    @property
    def cost_per_usd(self) -> float:
        """Objective weight of one USD of interceptors (0 for the value-only objective)."""
        return self.cost_weight / 1e6 if self.objective == "cost_aware" else 0.0


class CommandPost(_Frozen):
    """The command post: evaluates threats and assigns weapons every ``cycle``."""

    name: Name = "command post"
    position: Position | None = None
    cycle: PositiveDuration = 2.0
    doctrine: Doctrine = Field(default_factory=Doctrine)


class TrackerSpec(_Frozen):
    """The central tracker of the command post.

    * ``filter``: ``ekf_ncv`` (one nearly-constant-velocity EKF; fastest), ``imm_ncv`` (IMM of a quiet and
      a manoeuvring NCV model: better accuracy and fewer identity switches on mixed raids, about 6x the
      tracker time) or ``imm_ballistic`` (IMM of a quiet NCV and a vacuum ballistic model).
    * ``q``: acceleration noise PSD (m^2/s^3) of the single NCV filter; the default 150 lets one NCV model
      follow gravity-driven ballistic arcs as well as drones (``q ~ g^2 T`` for scan periods of a few
      seconds; Bar-Shalom, Li & Kirubarajan 2001, sect. 6.3.2). ``q_low`` / ``q_high``: the IMM's quiet and
      manoeuvring models (the ballistic model takes ``q_low``).
    * M-of-N confirmation (``confirm_m`` of ``confirm_n`` counted scans), ``max_misses`` consecutive counted
      misses delete a confirmed track, ``gate_probability`` sets the chi-square gate.
    """

    filter: Literal["ekf_ncv", "imm_ncv", "imm_ballistic"] = "ekf_ncv"
    q: Annotated[float, Field(gt=0.0)] = 150.0
    q_low: Annotated[float, Field(gt=0.0)] = 2.0
    q_high: Annotated[float, Field(gt=0.0)] = 150.0
    gate_probability: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.999
    confirm_m: Annotated[int, Field(ge=1, le=20)] = 3
    confirm_n: Annotated[int, Field(ge=1, le=20)] = 5
    max_misses: Annotated[int, Field(ge=1, le=50)] = 3

    @model_validator(mode="after")
    def _m_of_n(self):
        if self.confirm_m > self.confirm_n:
            raise ValueError("confirm_m must not exceed confirm_n")
        return self


class LaunchArea(_Frozen):
    """Threats launch at points drawn uniformly in a disc of ``radius`` (at most 2000 km) about ``center``."""

    center: Position
    radius: Annotated[Length, Field(ge=0.0)] = 0.0

    @field_validator("radius")
    @classmethod
    def _radius(cls, v: float) -> float:
        if v > 2.0e6:
            raise ValueError(f"a launch area of {v / 1e3:,.0f} km radius is larger than the 2000 km allowed "
                             "(a launch region, not a hemisphere)")
        return v


class Window(_Frozen):
    start: Annotated[Duration, Field(ge=0.0)]
    end: Annotated[Duration, Field(ge=0.0)]

    @model_validator(mode="after")
    def _order(self):
        if self.end < self.start:
            raise ValueError("window end is before its start")
        return self


class TimeOnTarget(_Frozen):
    """Coordinated arrival: each threat of the wave is launched so that it arrives at ``time`` plus a uniform
    draw over ``spread`` (its own flight time subtracted)."""

    time: Annotated[Duration, Field(ge=0.0)]
    spread: Annotated[Duration, Field(ge=0.0)] = 0.0


class Raid(_Frozen):
    """A wave of ``count`` threats of one type from ``launch_area`` at the listed target assets (assigned in
    turn), launched uniformly over ``launch_window`` or timed to arrive together (``time_on_target``; one
    of the two). Air-breathing threats fly the optional ``route`` waypoints (at their cruise altitude)
    before turning to their target."""

    name: Name
    threat: TypeRef
    count: Annotated[int, Field(ge=1, le=100_000)]
    launch_area: LaunchArea
    launch_window: Window | None = None
    time_on_target: TimeOnTarget | None = None
    targets: Annotated[list[Name], Field(min_length=1)]
    route: list[Position] = Field(default_factory=list)

    _ref = field_validator("threat", mode="before")(lambda cls, v: _as_ref(v))

    @model_validator(mode="after")
    def _timing(self):
        if (self.launch_window is None) == (self.time_on_target is None):
            raise ValueError("give a raid either a launch_window or a time_on_target")
        return self


class _TerrainBase(_Frozen):
    """Clutter reflectivity of the surface, constant-gamma (:mod:`iadsim.sensors.clutter`): ``land_gamma``
    where the terrain is above sea level, ``sea_gamma`` elsewhere."""

    land_gamma: Annotated[Decibel, Field(gt=0.0, le=1.0)] = 10.0 ** (-15.0 / 10.0)
    sea_gamma: Annotated[Decibel, Field(gt=0.0, le=1.0)] = 10.0 ** (-30.0 / 10.0)


class FlatTerrain(_TerrainBase):
    """No relief: sea everywhere (the default when there is no ``terrain`` section); sets the gammas."""

    kind: Literal["flat"]


class GridTerrain(_TerrainBase):
    """An elevation grid read from ``file`` (a ``.npz`` archive, :mod:`iadsim.terrain`; a relative path is
    relative to the scenario file)."""

    kind: Literal["grid"]
    file: Annotated[str, Field(min_length=1)]


class SyntheticTerrain(_TerrainBase):
    """Seeded fictional islands (:func:`iadsim.terrain.synthetic`): a square ``size`` across about ``center``
    with grid ``spacing``, highest point ``max_elevation``, ``land_fraction`` of the cells above the sea."""

    kind: Literal["synthetic"]
    seed: Annotated[int, Field(ge=0)]
    center: Position
    size: Annotated[Length, Field(gt=0.0, le=4.0e6)]
    spacing: Annotated[Length, Field(ge=10.0)]
    max_elevation: Annotated[Length, Field(gt=0.0, le=9000.0)]
    land_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.3

    @model_validator(mode="after")
    def _cells(self):
        if self.size / self.spacing > 4096:
            raise ValueError(f"size / spacing = {self.size / self.spacing:.0f} cells across; at most 4096")
        return self


TerrainSpec = Annotated[FlatTerrain | GridTerrain | SyntheticTerrain, Field(discriminator="kind")]


class Orbit(_Frozen):
    """The racetrack a stand-off jammer flies (:class:`iadsim.sensors.jamming.Racetrack`): two straight legs
    of ``leg_length`` parallel to ``heading`` (the first leg's direction, clockwise from north), joined by
    half-turns of ``radius`` (``turn``: ``right``, clockwise seen from above, or ``left``), around ``center``
    (its latitude and longitude; the height is ``altitude``), flown at the constant ``speed``. At ``start``
    the jammer begins its first leg; the orbit is periodic, so before ``start`` it is flown backwards in time
    (the jammer is on station for the whole run). ``leg_length: 0`` is a circle of ``radius`` around the
    center."""

    center: Position
    altitude: Annotated[Length, Field(ge=0.0, le=30.0e3)]
    heading: Angle = 0.0
    leg_length: Annotated[Length, Field(ge=0.0, le=2.0e6)] = 0.0
    radius: Annotated[Length, Field(gt=0.0, le=5.0e5)]
    speed: Annotated[Speed, Field(gt=0.0, le=2000.0)]
    turn: Literal["right", "left"] = "right"
    start: Duration = 0.0

    @model_validator(mode="after")
    def _height(self):
        if "alt" in self.center.model_fields_set:
            raise ValueError("an orbit's height is its altitude: give the center as {lat, lon} only")
        return self


class Escort(_Frozen):
    """An escort jammer flying with ``raid``'s lead aircraft (its first launched threat), ``behind`` it along
    its track (:class:`iadsim.sensors.jamming.JammerTable`); it jams while the lead flies."""

    raid: Name
    behind: Annotated[Length, Field(ge=0.0, le=5.0e5)]


class Jammer(_Frozen):
    """A barrage noise jammer (:mod:`iadsim.sensors.jamming`): ``power`` (W), antenna ``gain`` toward the
    radars, noise ``bandwidth``. Either carried by every threat of ``raid`` while it flies (on an escort
    aircraft raid standing off: stand-off jamming; on the attackers themselves: self-screening), fixed at
    ``position``, flying an ``orbit`` (a stand-off jammer on its racetrack, :class:`Orbit`), or escorting a
    raid's lead aircraft (``escort``, :class:`Escort`)."""

    name: Name
    power: Annotated[Power, Field(gt=0.0, le=1.0e7)]
    gain: Annotated[Decibel, Field(gt=0.0)]
    bandwidth: Annotated[Frequency, Field(gt=0.0)]
    raid: Name | None = None
    position: Position | None = None
    orbit: Orbit | None = None
    escort: Escort | None = None

    @model_validator(mode="after")
    def _where(self):
        if sum(x is not None for x in (self.raid, self.position, self.orbit, self.escort)) != 1:
            raise ValueError("a jammer is carried by a raid (raid: NAME), fixed (position: ...), flies an orbit "
                             "(orbit: ...) or escorts a raid (escort: {raid, behind}), exactly one")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        # no orbit or escort, no key: jammers without them dump (and hash) as before
        out = handler(self)
        for f in ("orbit", "escort"):
            if getattr(self, f) is None:
                out.pop(f, None)
        return out


class Validation(_Frozen):
    """Idealised **validation modes** (docs/validation.md): switches that make the engine comparable with
    closed-form models. They are idealisations, not models of any system; a scenario with this section
    states that its results are for validation only.

    * ``perfect_tracking``: perfect sensing and tracking. Every threat in flight is a confirmed track with
      its exact truth state (no noise, the class right) from its launch, and the command post gets these
      tracks (:class:`iadsim.tracking.truth_tracker.TruthTracker`). Radars still scan (their scans time the
      midcourse uplinks) but their detections are not used. The ``tracker`` section is then refused.

    The section is also what admits the constant-Pk lethality ``kind: fixed``
    (:class:`iadsim.scenario.catalog_models.Lethality`): without it, a fixed Pk is refused.
    """

    perfect_tracking: bool = False


class ConstantLatency(_Frozen):
    """A fixed one-way delay per hop."""

    kind: Literal["constant"] = "constant"
    value: Annotated[Duration, Field(ge=0.0, le=3600.0)]


class UniformLatency(_Frozen):
    """A delay drawn uniformly in ``[low, high]`` per message and hop."""

    kind: Literal["uniform"]
    low: Annotated[Duration, Field(ge=0.0, le=3600.0)]
    high: Annotated[Duration, Field(ge=0.0, le=3600.0)]

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError("latency high is below its low")
        return self


class LognormalLatency(_Frozen):
    """A delay ``median * exp(sigma N(0, 1))`` per message and hop (the heavy right tail of packet delays)."""

    kind: Literal["lognormal"]
    median: Annotated[Duration, Field(gt=0.0, le=3600.0)]
    sigma: Annotated[float, Field(ge=0.0, le=3.0)]


class ExponentialLatency(_Frozen):
    """A delay ``min + Exp(mean)`` per message and hop (an M/M/1-like queueing delay above a floor)."""

    kind: Literal["exponential"]
    mean: Annotated[Duration, Field(gt=0.0, le=3600.0)]
    min: Annotated[Duration, Field(ge=0.0, le=3600.0)] = 0.0


Latency = Annotated[ConstantLatency | UniformLatency | LognormalLatency | ExponentialLatency,
                    Field(discriminator="kind")]


def _as_latency(v):
    # "2 s" or a bare number: a constant latency
    return {"kind": "constant", "value": v} if isinstance(v, (str, int, float)) and not isinstance(v, bool) else v


class Link(_Frozen):
    """A two-way data link between two network nodes (sensor, fire unit or command post names): each message
    of each hop waits for the link (``capacity`` messages per second, first come first served), then takes a
    ``latency`` draw plus a normal ``jitter`` (the total clipped at zero) and is lost with probability
    ``loss`` (:mod:`iadsim.c2.network`)."""

    name: Name
    ends: Annotated[list[Name], Field(min_length=2, max_length=2)]
    latency: Latency = Field(default_factory=lambda: ConstantLatency(value=0.0))
    jitter: Annotated[Duration, Field(ge=0.0, le=600.0)] = 0.0
    loss: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    capacity: Annotated[float, Field(gt=0.0)] | None = None

    _lat = field_validator("latency", mode="before")(lambda cls, v: _as_latency(v))

    @model_validator(mode="after")
    def _two(self):
        if self.ends[0] == self.ends[1]:
            raise ValueError("a link joins two different nodes")
        return self


class Cut(_Frozen):
    """Link ``link`` is down from ``start`` to ``end`` (default: to the end of the run)."""

    link: Name
    start: Annotated[Duration, Field(ge=0.0)]
    end: Annotated[Duration, Field(ge=0.0)] | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.end is not None and self.end < self.start:
            raise ValueError("cut end is before its start")
        return self


class Network(_Frozen):
    """The C2 network (:mod:`iadsim.c2`): ``links`` between nodes, scheduled ``cuts``; track reports go from
    the sensors to the command post, orders from the command post to the fire units, kill assessments back,
    as messages over the links. A node named in no link sits with the command post (no delay, never cut).

    * ``autonomous``: what a fire unit cut off from its command post does: ``engage`` (its own doctrine
      cycle on the tracks its own radars hold) or ``hold`` (it does not fire).
    * ``engage_on_remote``: a unit may fire on another radar's track (true) or only on tracks its own radars
      hold (false).
    * ``picture_timeout``: a track the command post has had no report of for this long leaves its picture.
    * ``order_timeout``: how long the command post waits for an order's delivery before it may re-plan.
    * ``local_window``: a track counts as held by a radar that updated it within this time.
    """

    links: list[Link] = Field(default_factory=list)
    cuts: list[Cut] = Field(default_factory=list)
    autonomous: Literal["engage", "hold"] = "engage"
    engage_on_remote: bool = True
    picture_timeout: Annotated[Duration, Field(gt=0.0)] = 30.0
    order_timeout: Annotated[Duration, Field(gt=0.0)] = 20.0
    local_window: Annotated[Duration, Field(gt=0.0)] = 20.0


class WhenThreatened(_Frozen):
    """EMCON when threatened (:mod:`iadsim.c2.stage`): at each command-post cycle, a confirmed track of the
    command post's picture (predicted to the cycle) whose kinematic class is one of ``classes``, whose speed
    is at least ``min_speed``, which is inside ``range`` of the radar and closing on it (negative range rate)
    silences the radar; it emits again at the first cycle ``hold`` after the last cycle with such a track.

    The tracker has no anti-radiation class: its kinematic classes (:mod:`iadsim.tracking.classify`) see an
    ARM as ``aircraft`` at altitude and ``cruise`` low down, hence the default classes; the default
    ``min_speed`` of 400 m/s (Mach 1.2 at altitude) makes them the anti-radiation class in kinematic terms:
    ARMs fly at Mach 2-4 (AGM-88 HARM about Mach 2, Kh-31P Mach 3; FAS Military Analysis Network, CSIS
    Missile Threat), subsonic cruise missiles at 200-300 m/s and aircraft cruise at 150-300 m/s (an early,
    uncertain drone track can score ``aircraft``: the speed keeps it out)."""

    classes: Annotated[list[ThreatClass], Field(min_length=1)] = Field(default_factory=lambda: ["cruise", "aircraft"])
    range: Annotated[Length, Field(gt=0.0, le=1.0e6)]
    min_speed: Annotated[Speed, Field(ge=0.0)] = 400.0
    hold: Annotated[Duration, Field(gt=0.0, le=86400.0)] = 60.0


class Emcon(_Frozen):
    """Emission control of one radar: it is silent (no scans, no emission for anti-radiation seekers) over
    each of the ``silent`` windows and, with ``when_threatened``, while a threat to it is in the picture
    (:class:`WhenThreatened`)."""

    radar: Name
    silent: list[Window] = Field(default_factory=list)
    when_threatened: WhenThreatened | None = None

    @model_validator(mode="after")
    def _some(self):
        if not self.silent and self.when_threatened is None:
            raise ValueError("an emcon entry needs silent windows (silent: [...]) or a rule (when_threatened: ...)")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        # no rule, no key: scheduled EMCON dumps (and hashes) as before
        out = handler(self)
        if self.when_threatened is None:
            out.pop("when_threatened", None)
        return out


def _lethality_kind(fu: FireUnit) -> str | None:
    """The lethality kind of a fire unit's interceptor after its override (None: unknown type, reported by
    the compiler)."""
    from iadsim.scenario.catalog import raw_catalog

    leth = fu.interceptor.override.get("lethality")
    if leth is None:
        leth = raw_catalog("interceptor").get(fu.interceptor.type, {}).get("lethality")
    return leth.get("kind") if isinstance(leth, dict) else None


class Scenario(_Frozen):
    """A complete scenario (see the module docstring).

    ``origin`` is the reference point of the local east-north-up columns of the outputs (default: the
    first asset); ``start`` the UTC date-time of the scenario epoch (t = 0), for outputs that need a clock;
    ``duration`` the time span simulated; ``terrain`` the relief and surface (:mod:`iadsim.terrain`; default:
    sea everywhere), ``jammers`` the noise jammers (:mod:`iadsim.sensors.jamming`).
    """

    name: Name
    description: str = ""
    origin: Position | None = None
    start: datetime = datetime(2030, 1, 1, tzinfo=UTC)
    duration: PositiveDuration
    time_step: PositiveDuration = 1.0
    truth_sample: PositiveDuration = 5.0
    assets: Annotated[list[Asset], Field(min_length=1)]
    sensors: Annotated[list[Sensor], Field(min_length=1)]
    fire_units: list[FireUnit] = Field(default_factory=list)
    command_post: CommandPost = Field(default_factory=CommandPost)
    tracker: TrackerSpec = Field(default_factory=TrackerSpec)
    raids: Annotated[list[Raid], Field(min_length=1)]
    validation: Validation | None = None
    terrain: TerrainSpec | None = None
    jammers: list[Jammer] = Field(default_factory=list)
    network: Network | None = None
    emcon: list[Emcon] = Field(default_factory=list)

    @model_validator(mode="after")
    def _validation_modes(self):
        # refuse the combinations a validation mode would silently bias (docs/validation.md); the error is
        # located at the offending field so that the loader names its line
        def refuse(msg, loc, value):
            raise ValidationError.from_exception_data("Scenario", [InitErrorDetails(
                type=PydanticCustomError("validation_mode", msg), loc=loc, input=value)])

        if self.validation is None:
            for i, fu in enumerate(self.fire_units):
                if _lethality_kind(fu) == "fixed":
                    loc = ("fire_units", i, "interceptor") + (("override", "lethality", "kind")
                                                               if "lethality" in fu.interceptor.override else ())
                    refuse("lethality kind 'fixed' (a constant Pk, a validation mode) is only accepted with a "
                           "top-level validation section", loc, "fixed")
        elif self.validation.perfect_tracking and "tracker" in self.model_fields_set:
            refuse("validation.perfect_tracking replaces the tracker: remove the tracker section", ("tracker",),
                   self.tracker.model_dump())
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        # no validation, terrain or jammers section, no key: scenarios without them dump (and hash) as before
        out = handler(self)
        if self.validation is None:
            out.pop("validation", None)
        if self.terrain is None:
            out.pop("terrain", None)
        if not self.jammers:
            out.pop("jammers", None)
        if self.network is None:
            out.pop("network", None)
        if not self.emcon:
            out.pop("emcon", None)
        return out


__all__ = ["Scenario", "Asset", "Radar", "FireUnit", "Doctrine", "CommandPost", "Raid", "Position",
           "TypeRef", "LaunchArea", "Window", "Validation", "Jammer", "FlatTerrain", "GridTerrain",
           "SyntheticTerrain", "Network", "Link", "Cut", "Emcon", "WhenThreatened", "Orbit", "Escort",
           "THREAT_CLASSES"]
