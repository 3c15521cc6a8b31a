"""Threat trajectories: ballistic free flight, waypoint paths, and one truth object for all threats.

Units: SI, radians; positions and velocities in ECEF metres (see :mod:`iadsim.frames`).
"""

from iadsim.threats.airbreathing import WaypointPaths, waypoint_tracks
from iadsim.threats.ballistic import (
    ballistic_velocity,
    min_energy_gamma,
    predict_impact,
    propagate_ballistic,
)
from iadsim.threats.truth import ThreatTruth

__all__ = [
    "ThreatTruth",
    "WaypointPaths",
    "ballistic_velocity",
    "min_energy_gamma",
    "predict_impact",
    "propagate_ballistic",
    "waypoint_tracks",
]
