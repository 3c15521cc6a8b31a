"""Kinematic classification on synthetic states of openly documented threat archetypes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.frames import enu2ecef, enu_rotation, geodetic2ecef
from iadsim.tracking.classify import CLASSES, classify, features

# (altitude m, velocity ENU m/s, expected class); speeds/altitudes from the sources in classify.py
ARCHETYPES = {
    "srbm_reentry": (30e3, [1500.0, 0.0, -1500.0], "ballistic"),     # ~2.1 km/s descending
    "srbm_ascent": (60e3, [1200.0, 300.0, 1000.0], "ballistic"),
    "subsonic_cruise_sea_skimming": (30.0, [0.0, -240.0, 0.0], "cruise"),  # Tomahawk-like, Mach 0.7
    "supersonic_cruise_low": (15.0, [700.0, 650.0, 0.0], "cruise"),  # ~950 m/s, BrahMos-like terminal
    "one_way_attack_drone": (1000.0, [35.0, 35.0, 0.0], "drone"),    # ~50 m/s, Shahed-136-like
    "quadcopter": (100.0, [10.0, -10.0, 2.0], "drone"),
    "airliner": (11e3, [-170.0, 170.0, 0.0], "aircraft"),            # 240 m/s at 11 km
    "fighter": (8e3, [400.0, 0.0, -50.0], "aircraft"),
    "transport_climbing": (3e3, [150.0, 0.0, 15.0], "aircraft"),
}


def _states_enu():
    names = list(ARCHETYPES)
    x = np.array([[1e3 * k, -2e3 * k, ARCHETYPES[n][0], *ARCHETYPES[n][1]] for k, n in enumerate(names)])
    expected = np.array([CLASSES.index(ARCHETYPES[n][2]) for n in names])
    return names, x, expected


def test_archetypes_enu():
    names, x, expected = _states_enu()
    cls, conf = classify(x, frame="enu")
    assert cls.dtype == np.int8
    for n, c, e, p in zip(names, cls, expected, conf, strict=True):
        assert c == e, (n, CLASSES[c], p)
        assert p > 0.55, (n, p)


def test_archetypes_ecef_match_enu():
    names, x, expected = _states_enu()
    lat, lon = np.deg2rad(48.0), np.deg2rad(11.0)
    origin = geodetic2ecef(lat, lon, 0.0)
    C = enu_rotation(lat, lon)
    xe = np.hstack([enu2ecef(x[:, :3], origin, C), x[:, 3:6] @ C])
    cls, conf = classify(xe, frame="ecef")
    np.testing.assert_array_equal(cls, expected)
    (speed, alt, climb), _ = features(xe, frame="ecef")
    # ellipsoid altitude = flat-earth altitude + earth's drop d^2 / (2 R) over the horizontal offset d
    drop = np.sum(x[:, :2] ** 2, axis=1) / (2 * 6.37e6)
    np.testing.assert_allclose(alt, x[:, 2] + drop, atol=1.0)
    # the ECEF up r/|r| (tracking contract) differs from the ENU up by the offset angle d / R plus the
    # geocentric-geodetic latitude difference (3.3e-3 rad at 48 deg): climb differs by <= |v_h| * angle
    angle = np.sqrt(np.sum(x[:, :2] ** 2, axis=1)) / 6.37e6 + 3.4e-3
    tilt = np.linalg.norm(x[:, 3:5], axis=1) * angle
    assert np.all(np.abs(climb - np.abs(x[:, 5])) <= tilt + 1e-3)
    np.testing.assert_allclose(conf, classify(x, frame="enu")[1], atol=0.02)


def test_ballistic_mode_probability_dominates():
    # 800 m/s level at 20 km: kinematically ambiguous (fast aircraft / slow ballistic)
    x = np.array([[0, 0, 20e3, 600.0, 0, -530.0]] * 3)
    mu = np.array([[0.02, 0.98], [0.5, 0.5], [0.98, 0.02]])   # modes (ncv, ballistic)
    cls, conf = classify(x, frame="enu", mu=mu, model_names=("ncv", "ballistic"))
    assert cls[0] == CLASSES.index("ballistic") and conf[0] > 0.9
    assert cls[2] != CLASSES.index("ballistic")
    # a slow, low target with a dominating ballistic mode is ballistic too (e.g. terminal phase with drag)
    cls2, _ = classify(np.array([[0, 0, 5e3, 300.0, 0, -400.0]]), frame="enu", mu=np.array([[0.01, 0.99]]),
                       model_names=("ncv", "ballistic"))
    assert cls2[0] == CLASSES.index("ballistic")
    # mode names without "ballistic": mu is ignored
    np.testing.assert_array_equal(classify(x, frame="enu", mu=mu, model_names=("ncv", "ct"))[1],
                                  classify(x, frame="enu")[1])
    with pytest.raises(ValueError):
        classify(x, frame="enu", mu=mu)


def test_uncertainty_lowers_confidence():
    x = np.array([[0, 0, 800.0, 60.0, 0, 0]] * 3)   # near the drone / aircraft speed edge
    P = np.stack([np.diag([s**2] * 3 + [v**2] * 3) for s, v in [(1.0, 0.1), (100.0, 20.0), (500.0, 80.0)]])
    cls, conf = classify(x, P, frame="enu")
    assert conf[0] > conf[1] > conf[2] >= 0.25


def test_empty_and_bad_frame():
    cls, conf = classify(np.zeros((0, 6)), frame="enu")
    assert cls.shape == (0,) and conf.shape == (0,)
    with pytest.raises(ValueError):
        classify(np.zeros((1, 6)), frame="ned")


@settings(max_examples=100, deadline=None)
@given(speed=st.floats(1200.0, 8000.0), alt=st.floats(0.0, 1.5e6), gamma=st.floats(-1.5, 1.5),
       head=st.floats(0, 2 * np.pi))
def test_faster_than_1200_is_ballistic(speed, alt, gamma, head):
    v = speed * np.array([np.cos(gamma) * np.sin(head), np.cos(gamma) * np.cos(head), np.sin(gamma)])
    cls, conf = classify(np.array([[0.0, 0.0, alt, *v]]), frame="enu")
    assert cls[0] == CLASSES.index("ballistic") and conf[0] > 0.9


@settings(max_examples=100, deadline=None)
@given(speed=st.floats(0.0, 45.0), alt=st.floats(0.0, 3000.0), head=st.floats(0, 2 * np.pi),
       climb=st.floats(-10.0, 10.0))
def test_slow_and_low_is_drone(speed, alt, head, climb):
    v = np.array([speed * np.sin(head), speed * np.cos(head), climb])
    cls, conf = classify(np.array([[0.0, 0.0, alt, *v]]), frame="enu")
    assert cls[0] == CLASSES.index("drone")
    assert 0.25 <= conf[0] <= 1.0


def test_minimum_energy_srbm_trajectory_is_ballistic_throughout():
    """A 300 km minimum-energy trajectory (burnout speed^2 = (2GM/R) s/(1+s), s = sin(theta/2), flight
    path angle pi/4 - theta/4) flown with the vacuum model: every state from burnout to impact is ballistic,
    including apogee where the speed (~1.18 km/s) is below the 1200 m/s rule."""
    from iadsim.frames import GM_EARTH, R_EARTH
    from iadsim.tracking.motion import Ballistic

    theta = 300e3 / R_EARTH
    s = np.sin(theta / 2)
    v0 = np.sqrt(2 * GM_EARTH / R_EARTH * s / (1 + s))
    np.testing.assert_allclose(v0, 1696.0, rtol=1e-3)
    gamma = np.pi / 4 - theta / 4
    lat, lon = np.deg2rad(35.0), np.deg2rad(40.0)
    r0 = geodetic2ecef(lat, lon, 0.0)
    C = enu_rotation(lat, lon)
    u = r0 / np.linalg.norm(r0)
    east = C[0]
    east = east - (east @ u) * u
    east /= np.linalg.norm(east)
    # start on the sphere of radius |r0| (the formula's spherical earth); stop when back below it
    x = np.r_[r0, v0 * (np.cos(gamma) * east + np.sin(gamma) * u)][None]
    model = Ballistic(0.0, "ecef")
    states = []
    while True:
        x = model.f(x, 5.0)
        if np.linalg.norm(x[0, :3]) < np.linalg.norm(r0):
            break
        states.append(x[0].copy())
    states = np.array(states)
    speeds = np.linalg.norm(states[:, 3:6], axis=1)
    assert 230 < 5.0 * len(states) < 330 and speeds.min() < 1200.0      # flight time ~ 4.5 min
    cls, conf = classify(states, frame="ecef")
    assert np.all(cls == CLASSES.index("ballistic")), (cls, speeds)
