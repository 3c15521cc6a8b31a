"""Equipment and threat types of the catalog: generic, openly sourced parameters (SI after load).

A scenario references a type by name (``type: mr_interceptor``) and may override any field
(``override: {max_range: 80 km}``). Every catalog entry carries a ``source`` naming the open literature its
numbers come from; the numbers are generic (representative of a class of system, not of one product).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_serializer, model_validator

from iadsim.scenario._base import StrictModel
from iadsim.scenario.units import (
    Acceleration,
    Angle,
    Area,
    BallisticCoefficient,
    Decibel,
    Duration,
    Force,
    Frequency,
    Length,
    Mass,
    Pressure,
    Speed,
)

#: Threat classes known to the kill chain, in the order used by every class-indexed array.
THREAT_CLASSES: tuple[str, ...] = ("ballistic", "cruise", "drone", "aircraft")
ThreatClass = Literal["ballistic", "cruise", "drone", "aircraft"]
#: Defense layers, upper tier first.
LAYERS: tuple[str, ...] = ("upper", "middle", "lower")
Layer = Literal["upper", "middle", "lower"]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveLength = Annotated[Length, Field(gt=0.0)]
NonNegLength = Annotated[Length, Field(ge=0.0)]


class _Frozen(StrictModel):  # frozen, extra="forbid", finite numbers, no booleans for numbers
    pass


#: RadarType fields added for the radar stressors (issue 10); left out of the dump when not given, so radar
#: types without them dump (and hash) as before
RADAR_STRESS_FIELDS = ("frequency", "bandwidth", "aperture_width", "aperture_height", "beamwidth_azimuth",
                       "beamwidth_elevation", "doppler_filters", "antenna_gain", "noise_figure", "sidelobe_level",
                       "mti_notch", "clutter_attenuation", "scan", "scan_sectors", "budget")
Gain = Annotated[Decibel, Field(gt=0.0)]
PositiveDuration = Annotated[Duration, Field(gt=0.0)]


class RadarBudget(_Frozen):
    """The time budget of a multifunction radar (:mod:`iadsim.sensors.scheduler`; Billetter, *Multifunction
    Array Radar*, 1989): frames of the type's ``scan_period``; ``search_time`` of radar time searches the
    whole sector once; each interceptor in midcourse takes an ``uplink_dwell`` per frame and each track
    dwell ``track_dwell``; desired revisits of engaged, threatening and other tracks; at most
    ``track_capacity`` tracks maintained; ``search_reserve`` of every frame kept for search."""

    search_time: PositiveDuration
    track_dwell: PositiveDuration
    uplink_dwell: PositiveDuration
    revisit_engaged: PositiveDuration
    revisit_threat: PositiveDuration
    revisit_other: PositiveDuration
    track_capacity: Annotated[int, Field(ge=1, le=100_000)]
    search_reserve: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.1


class RadarType(_Frozen):
    """A radar class. Detection follows the radar equation referenced to ``detection_range``: the range at
    which a target of ``reference_rcs`` is detected with probability ``reference_pd`` at ``pfa``
    (Skolnik, *Introduction to Radar Systems*, 3rd ed., ch. 2).

    Optional waveform and antenna fields switch on the radar stressors (:mod:`iadsim.sensors`); a type
    without them behaves as before:

    * ``bandwidth`` with beamwidths (``beamwidth_azimuth`` / ``beamwidth_elevation``, or ``aperture_width`` /
      ``aperture_height`` with ``frequency``): resolution cells (:mod:`iadsim.sensors.resolution`),
      unresolved objects merged, surface clutter (:mod:`iadsim.sensors.clutter`) with ``sidelobe_level``,
      and, unless ``false_alarms_per_scan`` is given, ``Pfa x cells`` false alarms per scan
      (``doppler_filters`` Doppler cells per beam position and range cell).
    * ``mti_notch`` (radial speed half-width) and ``clutter_attenuation`` (the MTI/Doppler improvement
      factor): Doppler processing.
    * ``frequency``, ``antenna_gain``, ``noise_figure`` with the resolution fields: what noise jamming
      needs (:mod:`iadsim.sensors.jamming`).
    * ``scan: rotating``: the beam sweeps the azimuths in ``scan_sectors`` sectors, each at its own time
      (:mod:`iadsim.sensors.scan`); ``instant`` (the default) looks everywhere at the scan's time.
    * ``budget`` (:class:`RadarBudget`): the multifunction radar's time budget shared by search, track
      dwells and uplinks (:mod:`iadsim.sensors.scheduler`); it also limits the engagement channels of the
      fire units it serves.
    """

    description: str = ""
    source: str = ""
    role: Literal["surveillance", "fire_control"] = "surveillance"
    detection_range: PositiveLength
    reference_rcs: Annotated[Area, Field(gt=0.0)] = 1.0
    reference_pd: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.9
    pfa: Annotated[float, Field(gt=0.0, lt=0.1)] = 1e-6
    swerling: Literal[0, 1] = 1
    n_pulses: Annotated[int, Field(ge=1)] = 1
    min_range: NonNegLength = 0.0
    instrumented_range: PositiveLength
    scan_period: Annotated[Duration, Field(gt=0.0)]
    azimuth_width: Annotated[Angle, Field(gt=0.0, le=6.283185307179587)] = 6.283185307179586
    elevation_min: Angle = -0.03490658503988659
    elevation_max: Angle = 1.5707963267948966
    sigma_range: PositiveLength
    sigma_azimuth: Annotated[Angle, Field(gt=0.0)]
    sigma_elevation: Annotated[Angle, Field(gt=0.0)]
    sigma_range_rate: Annotated[Speed, Field(gt=0.0)] | None = None
    false_alarms_per_scan: Annotated[float, Field(ge=0.0)] = 0.0
    # --- radar stressors (optional) ---
    frequency: Annotated[Frequency, Field(gt=1e6, lt=1e12)] | None = None
    bandwidth: Annotated[Frequency, Field(gt=0.0, lt=1e11)] | None = None
    aperture_width: PositiveLength | None = None
    aperture_height: PositiveLength | None = None
    beamwidth_azimuth: Annotated[Angle, Field(gt=0.0, le=3.141592653589793)] | None = None
    beamwidth_elevation: Annotated[Angle, Field(gt=0.0, le=3.141592653589793)] | None = None
    doppler_filters: Annotated[int, Field(ge=1, le=4096)] = 1
    antenna_gain: Gain | None = None
    noise_figure: Annotated[Decibel, Field(ge=1.0)] | None = None
    sidelobe_level: Annotated[Decibel, Field(gt=0.0, le=1.0)] = 1e-3
    mti_notch: Annotated[Speed, Field(ge=0.0)] | None = None
    clutter_attenuation: Annotated[Decibel, Field(ge=1.0)] = 1.0
    scan: Literal["instant", "rotating"] = "instant"
    scan_sectors: Annotated[int, Field(ge=1, le=720)] = 8
    budget: RadarBudget | None = None

    @model_validator(mode="after")
    def _ranges(self):
        if self.min_range >= self.instrumented_range:
            raise ValueError("min_range must be below instrumented_range")
        if self.elevation_min >= self.elevation_max:
            raise ValueError("elevation_min must be below elevation_max")
        if (self.aperture_width is not None or self.aperture_height is not None) and self.frequency is None:
            raise ValueError("an aperture gives a beamwidth only with the radar's frequency")
        if self.scan == "rotating" and self.azimuth_width < 6.283185307179586 - 1e-9:
            raise ValueError("scan: rotating needs azimuth_width 360 deg (a sector radar scans electronically)")
        b = self.budget
        if b is not None:
            if self.scan != "instant" or None in self.beamwidths:
                raise ValueError("a budget needs an electronically steered radar (scan: instant) with its beamwidths")
            for name in ("revisit_engaged", "revisit_threat", "revisit_other"):
                if getattr(b, name) < self.scan_period - 1e-9:
                    raise ValueError(f"budget.{name} must be at least the frame (scan_period)")
            room = self.scan_period * (1.0 - b.search_reserve)
            if max(b.track_dwell, b.uplink_dwell) > room:
                raise ValueError("budget: a track or uplink dwell must fit in scan_period x (1 - search_reserve)")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        # the stressor fields are dumped only when given, so existing types dump (and hash) as before
        out = handler(self)
        for f in RADAR_STRESS_FIELDS:
            if f not in self.model_fields_set:
                out.pop(f, None)
        return out

    def _beamwidth(self, given, aperture):
        if given is not None:
            return given
        if aperture is not None and self.frequency is not None:
            from iadsim.sensors.resolution import beamwidth

            return float(beamwidth(aperture, self.frequency))
        return None

    @property
    def beamwidths(self) -> tuple[float | None, float | None]:
        """3-dB beamwidths (azimuth, elevation) in rad: as stated, else from the aperture and frequency."""
        return (self._beamwidth(self.beamwidth_azimuth, self.aperture_width),
                self._beamwidth(self.beamwidth_elevation, self.aperture_height))

    @property
    def resolved(self) -> bool:
        """Resolution cells are known (bandwidth and both beamwidths)."""
        return self.bandwidth is not None and None not in self.beamwidths

    @property
    def jammable(self) -> bool:
        """The fields the jamming equation needs are given (and the beamwidths of the antenna pattern)."""
        return self.resolved and None not in (self.frequency, self.antenna_gain, self.noise_figure)


class MotorPhase(_Frozen):
    """One phase of a solid rocket motor: constant ``thrust`` for ``burn_time``; mass flow
    ``thrust / (isp g0)`` (Sutton & Biblarz, *Rocket Propulsion Elements*, 9th ed., eq. 2-5)."""

    thrust: Annotated[Force, Field(ge=0.0)]
    burn_time: Annotated[Duration, Field(gt=0.0)]
    isp: Annotated[Duration, Field(gt=0.0)]


class DragTable(_Frozen):
    """Zero-lift drag coefficient (referred to ``reference_area``) against Mach number, linear between the
    points and constant beyond the ends."""

    mach: Annotated[list[Annotated[float, Field(ge=0.0)]], Field(min_length=2)]
    cd: Annotated[list[Annotated[float, Field(ge=0.0)]], Field(min_length=2)]

    @model_validator(mode="after")
    def _table(self):
        if len(self.mach) != len(self.cd):
            raise ValueError("mach and cd must have the same length")
        if any(b <= a for a, b in zip(self.mach, self.mach[1:], strict=False)):
            raise ValueError("mach must increase")
        return self


#: Zero-lift drag of a generic slender tactical missile (body + tail fins, power off): subsonic 0.25, the
#: transonic rise to ~0.75 at Mach 1.1, then falling toward 0.3 at Mach 6 (a slender body of fineness ~20);
#: the shape of the zero-lift drag curves in Fleeman, *Missile Design and System Engineering* (AIAA 2012),
#: sect. 2.6.
GENERIC_DRAG = {"mach": [0.0, 0.8, 1.0, 1.1, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0],
                "cd": [0.25, 0.27, 0.60, 0.75, 0.62, 0.52, 0.42, 0.36, 0.30, 0.27]}


class KillVehicle(_Frozen):
    """An exo-atmospheric kill vehicle released when the booster burns out: its own mass and reference
    area, and a divert budget (delta-v, at most ``divert_acceleration``) used where the air is too thin for
    aerodynamic lift."""

    mass: Annotated[Mass, Field(gt=0.0)]
    reference_area: Annotated[Area, Field(gt=0.0)]
    divert_delta_v: Annotated[Speed, Field(ge=0.0)]
    divert_acceleration: Annotated[Acceleration, Field(gt=0.0)]


class Lethality(_Frozen):
    """How the interceptor kills (:mod:`iadsim.engagement.lethality`), by ``kind``:

    * ``hit_to_kill`` (within ``radius`` of the target) or ``carleton`` (blast-fragmentation, lethal radius
      ``radius``): the kill draw at closest approach is ``Pk = reliability * vulnerability(class) * D(miss)``.
      ``reliability``: the interceptor functions, fuzes and its warhead works; ``vulnerability``: the
      probability that a hit in the lethal region kills a threat of that class; ``miss_sigma``: per-axis
      standard deviation of the miss the point-mass fly-out does not model (seeker noise, glint, autopilot
      and fuzing errors), drawn as a circular normal in the miss plane (Zarchan, *Tactical and Strategic
      Missile Guidance*, 6th ed., ch. 6 on noise-induced miss). ``radius`` and ``vulnerability`` are
      required; ``pk`` is refused.
    * ``fixed`` (a **validation mode**, docs/validation.md): a constant kill probability per shot,
      ``Pk = pk[class]`` (0 for a class not listed), for every round that reaches its closest approach to
      the target inside the fuze window, whatever the miss distance; it makes the whole engine comparable
      with the analytic models that assume a known single-shot Pk (e.g. Washburn & Kress, *Combat
      Modeling*, 2009, ch. 2). Only ``pk`` is accepted with it, and a scenario accepts it only with its
      top-level ``validation`` section (:class:`iadsim.scenario.model.Validation`), so nobody plans with a
      constant Pk by accident.
    """

    kind: Literal["hit_to_kill", "carleton", "fixed"]
    radius: PositiveLength | None = None
    reliability: Probability = 1.0
    miss_sigma: NonNegLength = 0.0
    vulnerability: dict[ThreatClass, Probability] = Field(default_factory=dict)
    pk: dict[ThreatClass, Probability] | None = None

    @model_validator(mode="after")
    def _per_kind(self):
        given = self.model_fields_set
        if self.kind == "fixed":
            extra = sorted(given & {"radius", "reliability", "miss_sigma", "vulnerability"})
            if extra:
                raise ValueError(f"lethality kind 'fixed' takes only pk (the kill probability per shot and "
                                 f"class); remove {', '.join(extra)}")
            if self.pk is None:
                raise ValueError("lethality kind 'fixed' needs pk: the kill probability per shot and class")
        else:
            if self.pk is not None:
                raise ValueError(f"pk is only for lethality kind 'fixed' (a validation mode), not {self.kind!r}")
            missing = [f for f in ("radius", "vulnerability") if f not in given]
            if missing:
                raise ValueError(f"lethality kind {self.kind!r} needs {' and '.join(missing)}")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        # the fields a kind does not use are left out, so existing types dump (and hash) as before
        out = handler(self)
        if self.kind == "fixed":
            for f in ("radius", "reliability", "miss_sigma", "vulnerability"):
                out.pop(f, None)
        else:
            out.pop("pk", None)
        return out


class InterceptorType(_Frozen):
    """An interceptor class flown as a 3-DOF point mass (:mod:`iadsim.engagement.airframe`): launch mass,
    motor phases, drag, lift-limited manoeuvre, guidance and seeker, engagement limits and lethality."""

    description: str = ""
    source: str = ""
    layer: Layer
    launch_mass: Annotated[Mass, Field(gt=0.0)]
    reference_area: Annotated[Area, Field(gt=0.0)]
    motor: Annotated[list[MotorPhase], Field(min_length=1, max_length=4)]
    drag: DragTable = DragTable(**GENERIC_DRAG)
    induced_drag_factor: Annotated[float, Field(ge=0.0)] = 0.07
    cl_max: Annotated[float, Field(gt=0.0)]
    g_limit: Annotated[float, Field(gt=0.0, le=200.0)]
    time_constant: Annotated[Duration, Field(ge=0.0)] = 0.2
    navigation_ratio: Annotated[float, Field(gt=0.0, le=10.0)] = 4.0
    guidance: Literal["pn", "apn"] = "apn"
    launch_speed: Annotated[Speed, Field(gt=0.0)] = 30.0
    guidance_delay: Annotated[Duration, Field(ge=0.0)] = 0.5
    loft: Annotated[float, Field(ge=0.0, le=3.0)] = 0.3
    seeker_range: PositiveLength
    seeker_half_angle: Annotated[Angle, Field(gt=0.0, le=1.5707963267948966)]
    seeker_basket: PositiveLength = 3000.0
    kill_vehicle: KillVehicle | None = None
    max_flight_time: Annotated[Duration, Field(gt=0.0)]
    min_speed: Annotated[Speed, Field(ge=0.0)] = 250.0
    min_closing_speed: Annotated[Speed, Field(ge=0.0)] = 150.0
    maneuver_ratio: Annotated[float, Field(ge=0.0)] = 3.0
    min_range: NonNegLength
    min_altitude: NonNegLength = 0.0
    max_altitude: PositiveLength
    reaction_time: Annotated[Duration, Field(ge=0.0)] = 5.0
    salvo_interval: Annotated[Duration, Field(ge=0.0)] = 1.0
    lethality: Lethality
    cost: Annotated[float, Field(ge=0.0)]

    @model_validator(mode="after")
    def _consistent(self):
        if self.min_altitude >= self.max_altitude:
            raise ValueError("min_altitude must be below max_altitude")
        propellant = sum(p.thrust * p.burn_time / (p.isp * 9.80665) for p in self.motor)
        dry = self.launch_mass - propellant
        if dry <= 0.05 * self.launch_mass:
            raise ValueError(f"the motor burns {propellant:.0f} kg of propellant: more than the launch mass "
                             f"allows ({self.launch_mass:.0f} kg)")
        if self.kill_vehicle is not None and self.kill_vehicle.mass >= dry:
            raise ValueError(f"kill_vehicle.mass must be below the burnt-out mass ({dry:.0f} kg)")
        return self

    @property
    def burnout_mass(self) -> float:
        return self.launch_mass - sum(p.thrust * p.burn_time / (p.isp * 9.80665) for p in self.motor)


class Warhead(_Frozen):
    """What an arriving warhead does to the assets around its impact point (:mod:`iadsim.threats.damage`):
    ``cookie_cutter`` destroys within ``lethal_radius``; ``carleton`` has the damage function
    ``D(r) = exp(-r^2 / lethal_radius^2)`` (Carleton's; Przemieniecki, *Mathematical Methods in Defense
    Analyses*, 3rd ed., AIAA 2000, sect. 4.3)."""

    lethal_radius: PositiveLength
    damage_function: Literal["cookie_cutter", "carleton"] = "carleton"


class Debris(_Frozen):
    """Debris of a threat intercepted low: with ``probability`` a damaging part (the warhead, a motor)
    survives the intercept and falls about the point the threat was flying to, scattered with a per-axis
    standard deviation of ``spread`` times the intercept altitude, and damages with a Carleton function of
    ``lethal_radius``; only intercepts below ``max_altitude`` make debris (:mod:`iadsim.threats.damage`)."""

    probability: Probability
    lethal_radius: PositiveLength
    max_altitude: PositiveLength = 20000.0
    spread: Annotated[float, Field(ge=0.0, le=10.0)] = 0.5


class _ThreatBase(_Frozen):
    description: str = ""
    source: str = ""
    rcs: Annotated[Area, Field(gt=0.0)]
    cost: Annotated[float, Field(ge=0.0)]
    p_damage: Probability
    max_range: PositiveLength
    #: circular error probable of the impact about the aim point (50 % of impacts fall within it)
    cep: NonNegLength = 0.0
    warhead: Warhead | None = None
    debris: Debris | None = None

    #: fields left out of the dump when not given, so older types dump (and hash) as before
    _OPTIONAL = ("cep", "warhead", "debris")

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        out = handler(self)
        for f in self._OPTIONAL:
            if f not in self.model_fields_set:
                out.pop(f, None)
        return out


class Stage(_Frozen):
    """One rocket stage: ``propellant_mass`` burnt at a constant rate over ``burn_time`` with specific
    impulse ``isp`` (thrust ``T = mdot isp g0``; Sutton & Biblarz, *Rocket Propulsion Elements*, 9th ed.,
    eq. 2-5); ``dry_mass`` is dropped when the stage burns out (a lower stage) or carried to cut-off."""

    propellant_mass: Annotated[Mass, Field(gt=0.0)]
    dry_mass: Annotated[Mass, Field(ge=0.0)]
    isp: Annotated[Duration, Field(gt=0.0)]
    burn_time: Annotated[Duration, Field(gt=0.0)]


class Separation(_Frozen):
    """The re-entry vehicle separates at cut-off; the spent stage falls as its own object, slowed by its
    own (low, tumbling) ballistic coefficient and seen with its own RCS."""

    ballistic_coefficient: Annotated[BallisticCoefficient, Field(gt=0.0)]
    rcs: Annotated[Area, Field(gt=0.0)]
    delta_v: Annotated[Speed, Field(ge=0.0)] = 1.0


class Decoys(_Frozen):
    """Exo-atmospheric decoys released ``release_delay`` after cut-off, each pushed off the re-entry vehicle
    with ``dispersion_speed`` in a random direction; light (low ``ballistic_coefficient``) and broken up
    when the dynamic pressure passes ``breakup_pressure``."""

    count: Annotated[int, Field(ge=1, le=20)]
    rcs: Annotated[Area, Field(gt=0.0)]
    ballistic_coefficient: Annotated[BallisticCoefficient, Field(gt=0.0)]
    release_delay: Annotated[Duration, Field(ge=0.0)] = 10.0
    dispersion_speed: Annotated[Speed, Field(ge=0.0)] = 3.0
    breakup_pressure: Annotated[Pressure, Field(gt=0.0)] = 20000.0


class Maneuver(_Frozen):
    """A manoeuvring re-entry vehicle's terminal manoeuvre below ``start_altitude`` (descending), bounded by
    ``g_limit`` (in g): ``weave`` (proportional navigation to the aim plus a sinusoidal lateral term of
    ``period``) or ``pull_up_dive`` (pull up to ``pull_up_angle`` below the horizontal, then dive with
    proportional navigation). :mod:`iadsim.threats.rocket`."""

    kind: Literal["weave", "pull_up_dive"]
    start_altitude: PositiveLength
    g_limit: Annotated[float, Field(gt=0.0, le=60.0)]
    period: Annotated[Duration, Field(gt=0.0)] = 6.0
    pull_up_angle: Annotated[Angle, Field(ge=0.0, lt=1.5)] = 0.0873


class BallisticThreatType(_ThreatBase):
    """A ballistic missile. With ``stages``: powered flight from the pad (vertical rise, gravity turn,
    cut-off solved so the coast lands on the aim point: minimum-energy or ``apogee``), then a coast through
    the atmosphere with ``ballistic_coefficient``, over the rotating earth (:mod:`iadsim.threats.rocket`),
    with optional stage ``separation``, ``decoys`` and a terminal ``maneuver``. Without ``stages``: the
    first-fidelity model, burnout at the launch point and a vacuum Keplerian arc
    (:mod:`iadsim.threats.ballistic`); a ``ballistic_coefficient`` then still adds drag to that arc."""

    kind: Literal["ballistic"] = "ballistic"
    apogee: PositiveLength | None = None
    stages: Annotated[list[Stage], Field(max_length=2)] = Field(default_factory=list)
    payload_mass: Annotated[Mass, Field(gt=0.0)] | None = None
    diameter: PositiveLength | None = None
    boost_cd: Annotated[float, Field(gt=0.0, le=2.0)] = 0.3
    vertical_rise: Annotated[Duration, Field(gt=0.0)] = 5.0
    pitch_over: Annotated[Duration, Field(gt=0.0)] = 4.0
    ballistic_coefficient: Annotated[BallisticCoefficient, Field(gt=0.0)] | None = None
    separation: Separation | None = None
    decoys: Decoys | None = None
    maneuver: Maneuver | None = None

    @model_validator(mode="after")
    def _powered(self):
        if self.stages:
            missing = [f for f in ("payload_mass", "diameter", "ballistic_coefficient") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"a missile with stages needs {', '.join(missing)}")
        else:
            extra = [f for f in ("separation", "decoys", "maneuver", "payload_mass", "diameter")
                     if getattr(self, f) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)} need powered flight: give the missile its stages")
        return self

    _OPTIONAL = ("cep", "warhead", "debris", "stages", "payload_mass", "diameter", "boost_cd", "vertical_rise",
                 "pitch_over", "ballistic_coefficient", "separation", "decoys", "maneuver")


class Terminal(_Frozen):
    """A cruise missile's terminal leg: from ``range`` before the aim at ``altitude`` (sea-skimming 5-15 m,
    terrain-following 30-50 m), optionally at ``speed`` (a sprint)."""

    range: PositiveLength
    altitude: PositiveLength
    speed: Annotated[Speed, Field(gt=0.0)] | None = None


class PopUp(_Frozen):
    """A pop-up at the end of the terminal leg: climb to ``altitude`` at ``range`` before the aim (at
    ``climb_angle``), then dive onto it."""

    range: PositiveLength
    altitude: PositiveLength
    climb_angle: Annotated[Angle, Field(gt=0.0, lt=1.5)] = 0.3490658503988659


class Weave(_Frozen):
    """A lateral weave of ``amplitude`` and ``wavelength`` over the terminal leg, refused at load if its
    lateral acceleration ``A (2 pi V / lambda)^2`` exceeds ``g_limit`` g."""

    amplitude: PositiveLength
    wavelength: PositiveLength
    g_limit: Annotated[float, Field(gt=0.0, le=60.0)] = 5.0


class DogLegs(_Frozen):
    """``count`` turn points displaced up to ``max_offset`` to either side of the great circle (seeded)."""

    count: Annotated[int, Field(ge=1, le=10)]
    max_offset: PositiveLength


class Loiter(_Frozen):
    """A loiter orbit of ``radius`` for ``duration``, centred ``distance_before_aim`` before the aim."""

    radius: PositiveLength
    duration: Annotated[Duration, Field(gt=0.0)]
    distance_before_aim: PositiveLength


class Payload(_Frozen):
    """Stand-off weapons an aircraft carries: ``count`` missiles of catalog type ``threat`` released at the
    release point ``interval`` apart."""

    threat: Annotated[str, Field(min_length=1)]
    count: Annotated[int, Field(ge=1, le=16)]
    interval: Annotated[Duration, Field(ge=0.0)] = 2.0


class TerrainFollowing(_Frozen):
    """Terrain following (:mod:`iadsim.threats.terrain_following`): the level legs of a cruise missile (the
    cruise and terminal legs, up to its final dive or pop-up) or of a drone (up to its final dive) fly the
    lowest profile at ``clearance`` above the ground (the scenario's ``terrain``; sea level without one, or
    over the sea) that never climbs steeper than ``max_climb`` nor dives steeper than ``max_dive``
    (default: ``max_climb``), in place of the type's ``altitude`` and ``terminal.altitude``."""

    clearance: Annotated[Length, Field(gt=0.0, le=10000.0)]
    max_climb: Angle = 0.2617993877991494  # 15 deg
    max_dive: Angle | None = None

    @field_validator("max_climb", "max_dive")
    @classmethod
    def _angle(cls, v: float | None, info) -> float | None:
        if v is not None and not 0.0 < v < 1.5707963267948966:
            raise ValueError(f"{info.field_name} must be within (0, 90) deg (a flight-path angle), not "
                             f"{math.degrees(v):g} deg")
        return v

    @property
    def dive(self) -> float:
        """The dive limit (rad): ``max_dive``, else ``max_climb``."""
        return self.max_climb if self.max_dive is None else self.max_dive


class AirThreatType(_ThreatBase):
    """A cruise missile, one-way attack drone or aircraft flying geodetic waypoints along great circles at
    ``altitude`` and ground ``speed`` (:mod:`iadsim.threats.airbreathing`), with the optional flight profile
    of its kind (:mod:`iadsim.threats.profiles`): a cruise missile's ``terminal`` leg, ``pop_up`` and
    ``weave``; a drone's ``dog_legs`` and ``loiter``; an aircraft's ``release_range`` and ``payload`` of
    stand-off weapons, after which it egresses along its route (an aircraft never damages by itself).
    A cruise missile or drone with ``terrain_following`` (:class:`TerrainFollowing`) flies its level legs
    over the terrain."""

    kind: Literal["cruise", "drone", "aircraft"]
    speed: Annotated[Speed, Field(gt=0.0)]
    altitude: PositiveLength
    terminal: Terminal | None = None
    pop_up: PopUp | None = None
    weave: Weave | None = None
    dog_legs: DogLegs | None = None
    loiter: Loiter | None = None
    release_range: PositiveLength | None = None
    payload: Payload | None = None
    #: an anti-radiation missile (a cruise type): it homes on the emission of the radar it is aimed at and
    #: hits it only if the radar emitted within ``seeker_memory`` before the impact (:mod:`iadsim.c2.nodes`)
    anti_radiation: bool = False
    seeker_memory: Annotated[Duration, Field(ge=0.0)] = 0.0
    terrain_following: TerrainFollowing | None = None

    _OPTIONAL = ("cep", "warhead", "debris", "terminal", "pop_up", "weave", "dog_legs", "loiter", "release_range",
                 "payload", "anti_radiation", "seeker_memory", "terrain_following")

    @model_validator(mode="after")
    def _profile(self):
        allowed = {"cruise": {"terminal", "pop_up", "weave"}, "drone": {"dog_legs", "loiter", "weave"},
                   "aircraft": {"release_range", "payload"}}[self.kind]
        given = {f for f in ("terminal", "pop_up", "weave", "dog_legs", "loiter", "release_range", "payload")
                 if getattr(self, f) is not None}
        if given - allowed:
            raise ValueError(f"{', '.join(sorted(given - allowed))} is not a profile of a {self.kind} "
                             f"(a {self.kind} takes {', '.join(sorted(allowed))})")
        if self.pop_up is not None and self.terminal is None:
            raise ValueError("a pop_up ends a terminal leg: give terminal as well")
        if (self.release_range is None) != (self.payload is None):
            raise ValueError("an aircraft with stand-off weapons needs both release_range and payload")
        if self.terrain_following is not None and self.kind == "aircraft":
            raise ValueError("terrain_following is flown by cruise missiles and drones, not by an aircraft")
        if self.anti_radiation and self.kind != "cruise":
            raise ValueError("anti_radiation is a property of a cruise missile, not of a " + self.kind)
        return self


ThreatType = Annotated[BallisticThreatType | AirThreatType, Field(discriminator="kind")]
