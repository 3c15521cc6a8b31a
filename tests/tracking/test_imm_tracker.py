"""IMM and UKF plugged into the pipeline's Tracker (TrackFilter contract), with classification."""

import numpy as np
import pytest

from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig, h
from iadsim.tracking.classify import CLASSES, classify
from iadsim.tracking.imm import IMM
from iadsim.tracking.motion import CT, NCV
from iadsim.tracking.ukf import UKF

COMPS = ("r", "az", "el")
SIG = np.array([20.0, 1.5e-3, 1.5e-3])


def truth(steps, T):
    """Three targets (ENU): an aircraft turning at 3 deg/s between 20 s and 50 s, a straight cruise
    missile at 40 m altitude, a slow drone."""
    ct = CT(0.0, 0.0, "enu")
    x = np.array([[-8e3, 30e3, 6e3, 220.0, 0.0, 0.0, 0.0],
                  [25e3, 10e3, 40.0, -230.0, 40.0, 0.0, 0.0],
                  [5e3, -12e3, 800.0, 20.0, 35.0, 0.0, 0.0]])
    out = []
    for k in range(steps):
        x[0, 6] = np.deg2rad(3.0) if 20 <= k * T < 50 else 0.0
        x = ct.f(x, T)
        out.append(x[:, :6].copy())
    return np.array(out)


FILTERS = {
    "ukf_ncv": lambda: UKF(NCV(60.0, "enu")),   # q ~ a^2 T for the 11.5 m/s^2 turn
    "imm_ncv_ct": lambda: IMM([EKF(NCV(0.5, "enu")), UKF(CT(2.0, 1e-3, "enu"))],
                              [[0.97, 0.03], [0.03, 0.97]], [0.9, 0.1], dt_ref=1.0),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_tracker_runs_with_estimation_filters(name):
    T, steps = 1.0, 80
    X = truth(steps, T)
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
    trk = Tracker(geom, FILTERS[name](), TrackerConfig(v_max=400.0, confirm_m=3, confirm_n=4), frame="enu")
    rng = np.random.default_rng(99)
    R = np.diag(SIG**2)
    errs = []
    for k in range(steps):
        z = h(X[k], geom, np.zeros(3, int), COMPS) + rng.normal(size=(3, 3)) * SIG
        z = z[rng.permutation(3)]                       # detection order must not matter
        trk.step(k * T, 0, z, R)
        tab = trk.confirmed()
        if k >= 10:
            assert len(tab) == 3 and set(tab.id) == {1, 2, 3}, (k, tab.id)
            d = np.linalg.norm(tab.x[:, None, :3] - X[k][None, :, :3], axis=2)
            errs.append(d.min(axis=1))
    errs = np.array(errs)
    # the turning target stays tracked; cross-range noise is ~1.5e-3 * 30 km = 45 m
    assert np.sqrt(np.mean(errs**2)) < 150.0
    tab = trk.confirmed()
    # predictions for display do not alter the tracker
    before = trk.all_tracks().x.copy()
    trk.predict_confirmed(steps * T + 5.0)
    np.testing.assert_array_equal(trk.all_tracks().x, before)
    # kinematic classification of the final confirmed tracks
    cls, conf = classify(tab.x, tab.P, frame="enu")
    order = np.argmin(np.linalg.norm(tab.x[:, None, :3] - X[-1][None, :, :3], axis=2), axis=1)
    expected = {0: "aircraft", 1: "cruise", 2: "drone"}
    for c, o in zip(cls, order, strict=True):
        assert CLASSES[c] == expected[o]
