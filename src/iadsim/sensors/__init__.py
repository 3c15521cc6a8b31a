"""Sensors: radar detection theory and the radar measurement model.

Units: SI, radians; SNRs are linear power ratios.  Each radar measures in its local frame
(range, azimuth clockwise from north, elevation, range rate); see :mod:`iadsim.frames`.
"""

from iadsim.sensors.detection import (
    db2lin,
    lin2db,
    pd_albersheim,
    pd_marcum_exact,
    pd_swerling1,
    snr_albersheim,
    snr_from_reference,
    snr_marcum_exact,
    snr_swerling1,
)
from iadsim.sensors.radar import Detections, Radar, RadarParams, horizon_visible

__all__ = [
    "Detections",
    "Radar",
    "RadarParams",
    "db2lin",
    "horizon_visible",
    "lin2db",
    "pd_albersheim",
    "pd_marcum_exact",
    "pd_swerling1",
    "snr_albersheim",
    "snr_from_reference",
    "snr_marcum_exact",
    "snr_swerling1",
]
