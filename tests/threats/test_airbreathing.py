"""Waypoint paths: altitude held along great circles, lengths vs Vincenty (pymap3d), timing."""

import numpy as np
import pymap3d.vincenty as vincenty
import pytest

from iadsim.frames import ecef2geodetic, geodetic2ecef
from iadsim.threats.airbreathing import waypoint_tracks


def _route():
    lat = np.radians([[30.0, 32.0, 35.0, 35.0], [10.0, 10.0, 12.0, np.nan]])
    lon = np.radians([[40.0, 45.0, 44.0, 50.0], [0.0, 8.0, 9.0, np.nan]])
    alt = np.array([[30.0, 30.0, 30.0, 30.0], [5000.0, 8000.0, 100.0, np.nan]])
    return lat, lon, alt


def test_altitude_held_and_chords_stay_up():
    lat, lon, alt = _route()
    paths = waypoint_tracks(lat, lon, alt, np.array([250.0, 200.0]))
    n0 = paths.n_samples[0]
    _, _, h = ecef2geodetic(paths.pos[0, :n0])
    np.testing.assert_allclose(h, 30.0, atol=1e-6)
    # midpoint of each straight segment sags below 30 m by at most spacing^2 / (8 R) ~ 8 cm
    mid = 0.5 * (paths.pos[0, : n0 - 1] + paths.pos[0, 1:n0])
    _, _, hm = ecef2geodetic(mid)
    assert hm.min() > 29.8
    # a straight ECEF chord between the first two waypoints would be far underground
    p = geodetic2ecef(lat[0, :2], lon[0, :2], alt[0, :2])
    _, _, hc = ecef2geodetic(0.5 * (p[0] + p[1]))
    assert hc < -100.0
    # second route: altitude linear in the leg fraction, waypoints reached exactly
    n1 = paths.n_samples[1]
    la, lo, h1 = ecef2geodetic(paths.pos[1, :n1])
    assert h1.min() >= 100.0 - 1e-6 and h1.max() <= 8000.0 + 1e-6
    for j in range(3):
        d = np.hypot(la - lat[1, j], lo - lon[1, j])
        assert d.min() < 1e-12


def test_lengths_match_vincenty():
    """Each leg's ground length vs the WGS-84 geodesic (Vincenty, pymap3d): exact along a meridian,
    within 0.5 % otherwise (the path is a great circle in geodetic coordinates, not the geodesic)."""
    lat = np.radians([[0.0, 20.0], [30.0, 35.0], [50.0, 52.0]])
    lon = np.radians([[10.0, 10.0], [40.0, 50.0], [-5.0, 20.0]])
    alt = np.full((3, 2), 1000.0)
    paths = waypoint_tracks(lat, lon, alt, np.full(3, 300.0), spacing=1000.0)
    d_ref, _ = vincenty.vdist(np.degrees(lat[:, 0]), np.degrees(lon[:, 0]),
                              np.degrees(lat[:, 1]), np.degrees(lon[:, 1]))
    assert paths.length[0] == pytest.approx(d_ref[0], rel=1e-7)
    np.testing.assert_allclose(paths.length, d_ref, rtol=5e-3)
    assert np.all(np.diff(paths.s, axis=1) <= 1000.0 + 1e-6)


def test_state_timing_and_speed():
    lat, lon, alt = _route()
    speed = np.array([250.0, 200.0])
    paths = waypoint_tracks(lat, lon, alt, speed)
    np.testing.assert_allclose(paths.duration, paths.length / speed)
    p0, v0 = paths.state(0.0)
    np.testing.assert_allclose(p0, geodetic2ecef(lat[:, 0], lon[:, 0], alt[:, 0]), atol=1e-6)
    pe, _ = paths.state(paths.duration + 100.0)
    last = geodetic2ecef(np.array([lat[0, 3], lat[1, 2]]), np.array([lon[0, 3], lon[1, 2]]),
                         np.array([alt[0, 3], alt[1, 2]]))
    np.testing.assert_allclose(pe, last, atol=1e-6)
    # ground speed: horizontal speed = V (R + h)/R at cruise altitude (route 0 is level at 30 m)
    rng = np.random.default_rng(0)
    for tau in rng.uniform(0, paths.duration[0], 20):
        p, v = paths.state(np.array([tau]), idx=[0])
        la, lo, _ = ecef2geodetic(p[0])
        up = geodetic2ecef(la, lo, 1.0) - geodetic2ecef(la, lo, 0.0)
        vh = v[0] - np.dot(v[0], up) * up
        assert np.linalg.norm(vh) == pytest.approx(250.0, rel=2e-5)
    # position moves by V dt along the ground between two nearby times
    pa, _ = paths.state(1000.0)
    pb, _ = paths.state(1001.0)
    assert np.linalg.norm(pb[0] - pa[0]) == pytest.approx(250.0, rel=1e-4)


def test_bad_routes():
    with pytest.raises(ValueError):
        waypoint_tracks(np.array([[0.1, np.nan]]), np.array([[0.1, np.nan]]), np.zeros((1, 2)), 100.0)
    with pytest.raises(ValueError):
        waypoint_tracks(np.array([[0.0, 0.0]]), np.array([[0.0, np.pi]]), np.zeros((1, 2)), 100.0)
    with pytest.raises(ValueError):
        waypoint_tracks(np.array([[0.0, 0.1]]), np.array([[0.0, 0.1]]), np.zeros((1, 2)), 0.0)
