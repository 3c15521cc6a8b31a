"""Equipment and threat types of the catalog: generic, openly sourced parameters (SI after load).

A scenario references a type by name (``type: mr_interceptor``) and may override any field
(``override: {max_range: 80 km}``). Every catalog entry carries a ``source`` naming the open literature its
numbers come from; the numbers are generic (representative of a class of system, not of one product).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from iadsim.scenario.units import Angle, Area, Duration, Length, Speed

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


class RadarType(_Frozen):
    """A radar class. Detection follows the radar equation referenced to ``detection_range``: the range at
    which a target of ``reference_rcs`` is detected with probability ``reference_pd`` at ``pfa``
    (Skolnik, *Introduction to Radar Systems*, 3rd ed., ch. 2)."""

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

    @model_validator(mode="after")
    def _ranges(self):
        if self.min_range >= self.instrumented_range:
            raise ValueError("min_range must be below instrumented_range")
        if self.elevation_min >= self.elevation_max:
            raise ValueError("elevation_min must be below elevation_max")
        return self


class InterceptorType(_Frozen):
    """An interceptor class: kinematic envelope, constant average fly-out speed, single-shot kill
    probability per threat class, unit cost."""

    description: str = ""
    source: str = ""
    layer: Layer
    min_range: NonNegLength
    max_range: PositiveLength
    min_altitude: NonNegLength = 0.0
    max_altitude: PositiveLength
    average_speed: Annotated[Speed, Field(gt=0.0)]
    reaction_time: Annotated[Duration, Field(ge=0.0)] = 5.0
    seeker_basket: PositiveLength = 3000.0
    pk: dict[ThreatClass, Probability]
    cost: Annotated[float, Field(ge=0.0)]

    @model_validator(mode="after")
    def _envelope(self):
        if self.min_range >= self.max_range:
            raise ValueError("min_range must be below max_range")
        if self.min_altitude >= self.max_altitude:
            raise ValueError("min_altitude must be below max_altitude")
        return self


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
