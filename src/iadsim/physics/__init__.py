"""Flight physics shared by every object that flies: atmosphere, gravity, and the point-mass integrator.

Threat trajectories, interceptor fly-outs and the tracker's ballistic model all take their air density,
speed of sound and gravity from here, so one change of model reaches them all (docs/architecture.md).
"""

from iadsim.physics.atmosphere import (
    exponential_density,
    speed_of_sound,
    us1976_density,
    us1976_temperature,
)
from iadsim.physics.gravity import G0, J2_WGS84, OMEGA_EARTH, gravity_ecef

__all__ = [
    "G0",
    "J2_WGS84",
    "OMEGA_EARTH",
    "exponential_density",
    "gravity_ecef",
    "speed_of_sound",
    "us1976_density",
    "us1976_temperature",
]
