"""Multi-target tracking: measurement geometry, filters, association, track management, the tracker.

Shared contract: states ``x (M, n)`` with position ``x[:, 0:3]`` (m) and velocity ``x[:, 3:6]`` (m/s) in
one Cartesian tracker frame (``"ecef"`` or flat ``"enu"``), covariances ``P (M, n, n)``, batched over
tracks. See :mod:`iadsim.tracking.measurements` for the radar geometry and
:mod:`iadsim.tracking.tracker` for the multi-sensor tracker.
"""

from iadsim.tracking.filters import EKF, EKFState, TrackFilter
from iadsim.tracking.management import TrackerConfig
from iadsim.tracking.measurements import SensorGeometry, cart_from_polar, h, residual
from iadsim.tracking.tracker import Tracker, TrackTable

__all__ = ["EKF", "EKFState", "TrackFilter", "SensorGeometry", "cart_from_polar", "h", "residual",
           "Tracker", "TrackTable", "TrackerConfig"]
