"""Tracker hooks used by the simulator: per-sensor tentative timeouts and counted scans."""

import numpy as np

from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig
from iadsim.tracking.motion import NCV

R = np.diag([25.0**2, 1e-3**2])


def _tracker(timeout, counted=None):
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0], [5e3, 0.0, 0.0]], [("r", "az"), ("r", "az")])
    cfg = TrackerConfig(v_max=400.0, tentative_timeout=timeout, confirm_m=3, confirm_n=5)
    return Tracker(geom, EKF(NCV(1.0, frame="enu")), cfg, counted=counted)


def test_tentative_timeout_follows_the_sensor_of_the_last_detection():
    # one false alarm from sensor 0 at t = 0; afterwards only empty scans of sensor 1, which never
    # counts against the track (as when the track lies outside its coverage)
    never = lambda sensor, pos: np.zeros(pos.shape[0], bool)
    per_sensor = _tracker((5.0, 25.0), counted=never)
    scalar = _tracker(25.0, counted=never)
    for tr in (per_sensor, scalar):
        tr.step(0.0, 0, np.array([[30e3, 0.5]]), R)
        for t in np.arange(2.0, 13.0, 2.0):
            tr.step(t, 1, np.zeros((0, 2)), R)
    assert len(per_sensor) == 0  # retired 5 s after sensor 0's detection
    assert len(scalar) == 1  # a 25 s timeout keeps it


def test_counted_scans_decide_misses_not_association():
    # a target seen by sensor 0 every 2 s; sensor 1 scans twice in between and never detects it
    target = lambda t: np.array([20e3 + 100.0 * t, 10e3, 0.0])

    def meas(t, s):
        d = target(t) - np.array([[0.0, 0, 0], [5e3, 0, 0]])[s]
        return np.array([[np.hypot(d[0], d[1]), np.mod(np.arctan2(d[0], d[1]), 2 * np.pi)]])

    results = {}
    for name, counted in (("all count", None), ("sensor 1 blind", lambda s, pos: np.full(pos.shape[0], s == 0))):
        tr = _tracker(None, counted=counted)
        for k in range(12):
            t = 2.0 * k
            tr.step(t, 0, meas(t, 0), R)
            tr.step(t + 0.7, 1, np.zeros((0, 2)), R)
            tr.step(t + 1.4, 1, np.zeros((0, 2)), R)
        results[name] = len(tr.confirmed())
    assert results["sensor 1 blind"] == 1  # confirmed and kept
    assert results["all count"] == 0  # two misses per hit: never 3 hits in 5 counted scans
