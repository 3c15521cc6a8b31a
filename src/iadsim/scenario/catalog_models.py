"""Equipment and threat types of the catalog: generic, openly sourced parameters (SI after load).

A scenario references a type by name (``type: mr_interceptor``) and may override any field
(``override: {max_range: 80 km}``). Every catalog entry carries a ``source`` naming the open literature its
numbers come from; the numbers are generic (representative of a class of system, not of one product).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

from iadsim.scenario.units import (
    Acceleration,
    Angle,
    Area,
    Decibel,
    Duration,
    Force,
    Frequency,
    Length,
    Mass,
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


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: RadarType fields added for the radar stressors (issue 10); left out of the dump when not given, so radar
#: types without them dump (and hash) as before
RADAR_STRESS_FIELDS = ("frequency", "bandwidth", "aperture_width", "aperture_height", "beamwidth_azimuth",
                       "beamwidth_elevation", "doppler_filters", "antenna_gain", "noise_figure", "sidelobe_level",
                       "mti_notch", "clutter_attenuation", "scan", "scan_sectors")
Gain = Annotated[Decibel, Field(gt=0.0)]


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


class _ThreatBase(_Frozen):
    description: str = ""
    source: str = ""
    rcs: Annotated[Area, Field(gt=0.0)]
    cost: Annotated[float, Field(ge=0.0)]
    p_damage: Probability
    max_range: PositiveLength


class BallisticThreatType(_ThreatBase):
    """A ballistic missile: burnout at the launch point, then a vacuum Keplerian arc to the aim point
    (minimum-energy unless ``apogee`` is given)."""

    kind: Literal["ballistic"] = "ballistic"
    apogee: PositiveLength | None = None


class AirThreatType(_ThreatBase):
    """A cruise missile, one-way attack drone or aircraft: flies geodetic waypoints at ``altitude`` and
    constant ground ``speed`` along great circles."""

    kind: Literal["cruise", "drone", "aircraft"]
    speed: Annotated[Speed, Field(gt=0.0)]
    altitude: PositiveLength


ThreatType = Annotated[BallisticThreatType | AirThreatType, Field(discriminator="kind")]
