"""Waypoint paths: altitude held along great circles, lengths vs Vincenty (pymap3d), timing; per-leg speeds
and ramps against leg lengths computed with Vincenty; the weave against its sine measured from a meridian
(pymap3d ENU offsets) and its lateral acceleration from second differences of the flown positions."""

import numpy as np
import pymap3d
import pymap3d.vincenty as vincenty
import pytest

from iadsim.frames import ecef2geodetic, geodetic2ecef
from iadsim.threats import ThreatTruth
from iadsim.threats.airbreathing import G0, waypoint_tracks


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


# --- per-leg speeds, ramps, weave (issue 8) ---------------------------------------------------------------

def _meridian_route():
    """Legs along the equator and a meridian, where the path is the WGS-84 geodesic (Vincenty exact)."""
    lat = np.radians([[0.0, 0.0, 3.0, 6.0], [0.0, 0.0, 2.0, np.nan]])
    lon = np.radians([[10.0, 13.0, 13.0, 13.0], [20.0, 22.0, 22.0, np.nan]])
    alt = np.array([[500.0, 500.0, 500.0, 500.0], [1000.0, 1000.0, 3000.0, np.nan]])
    speed = np.array([[200.0, 300.0, 150.0, np.nan], [250.0, 100.0, np.nan, np.nan]])
    return lat, lon, alt, speed


def test_per_leg_speeds_flight_time_is_sum_of_leg_times():
    lat, lon, alt, speed = _meridian_route()
    paths = waypoint_tracks(lat, lon, alt, speed)
    for i in range(2):
        w = int(np.sum(~np.isnan(lat[i])))
        leg, _ = vincenty.vdist(np.degrees(lat[i, : w - 1]), np.degrees(lon[i, : w - 1]),
                                np.degrees(lat[i, 1:w]), np.degrees(lon[i, 1:w]))
        t_ref = np.concatenate([[0.0], np.cumsum(leg / speed[i, : w - 1])])
        np.testing.assert_allclose(paths.t_waypoint[i, :w], t_ref, rtol=1e-6)
        assert paths.duration[i] == pytest.approx(t_ref[-1], rel=1e-6)
        assert np.all(np.isnan(paths.t_waypoint[i, w:]))
        # each leg is flown at its own ground speed: distance covered in 1 s mid-leg
        for j in range(w - 1):
            tm = 0.5 * (t_ref[j] + t_ref[j + 1])
            pa, _ = paths.state(np.array([tm]), idx=[i])
            pb, _ = paths.state(np.array([tm + 1.0]), idx=[i])
            la, lo, _ = ecef2geodetic(np.vstack([pa, pb]))
            d, _ = vincenty.vdist(*np.degrees([la[0], lo[0], la[1], lo[1]]))
            assert d == pytest.approx(speed[i, j], rel=1e-5)
    # the speed step at a waypoint: the velocity on either side of waypoint 1 of route 0
    t1 = paths.t_waypoint[0, 1]
    _, v = paths.state(np.array([t1 - 1.0, t1 + 1.0]), idx=[0, 0])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), [200.0, 300.0], rtol=1e-4)


def test_constant_speed_matches_the_arc_length_model():
    """(N,) speeds and equal per-leg speeds give the same tables, and the position at ``tau`` is the
    arc-length interpolation at ``s = V tau`` (the constant-speed model of the original module)."""
    lat, lon, alt = _route()
    v = np.array([250.0, 200.0])
    a = waypoint_tracks(lat, lon, alt, v)
    b = waypoint_tracks(lat, lon, alt, np.where(np.isnan(lat), np.nan, v[:, None]))
    np.testing.assert_array_equal(a.pos, b.pos)
    np.testing.assert_allclose(a.t, b.t, rtol=1e-12)
    rng = np.random.default_rng(3)
    for i in range(2):
        m = a.n_samples[i]
        tau = rng.uniform(0, a.duration[i], 50)
        p, vel = a.state(tau, idx=np.full(50, i))
        s_q = v[i] * tau
        ref = np.stack([np.interp(s_q, a.s[i, :m], a.pos[i, :m, c]) for c in range(3)], axis=1)
        np.testing.assert_allclose(p, ref, rtol=1e-9, atol=1e-6)
        k = np.searchsorted(a.s[i, :m], s_q, side="right") - 1
        ref_v = (a.pos[i, k + 1] - a.pos[i, k]) / (a.s[i, k + 1] - a.s[i, k])[:, None] * v[i]
        np.testing.assert_allclose(vel, ref_v, rtol=1e-6, atol=1e-9)


def test_ramp_is_constant_ground_acceleration():
    lat = np.radians([[0.0, 1.0, 2.0]])
    lon = np.radians([[5.0, 5.0, 5.0]])
    alt = np.full((1, 3), 100.0)
    speed = np.array([[100.0, 300.0, np.nan]])
    paths = waypoint_tracks(lat, lon, alt, speed, ramp=True)
    L, _ = vincenty.vdist(np.degrees(lat[0, :2]), np.degrees(lon[0, :2]), np.degrees(lat[0, 1:]),
                          np.degrees(lon[0, 1:]))
    # leg 0 has no previous leg: 100 m/s; leg 1 ramps 100 -> 300 m/s: t = 2 L / (v0 + v1)
    t_ref = [0.0, L[0] / 100.0, L[0] / 100.0 + 2 * L[1] / 400.0]
    np.testing.assert_allclose(paths.t_waypoint[0], t_ref, rtol=1e-6)
    acc = (300.0 ** 2 - 100.0 ** 2) / (2 * L[1])
    for dt in (10.0, 200.0, 400.0):
        p, _ = paths.state(np.array([t_ref[1] + dt]), idx=[0])
        la, lo, _ = ecef2geodetic(p[0])
        s, _ = vincenty.vdist(0.0, 5.0, float(np.degrees(la)), float(np.degrees(lo)))
        assert s - L[0] == pytest.approx(100.0 * dt + 0.5 * acc * dt ** 2, rel=1e-5)


A_W, LAM_W, V_W = 200.0, 4000.0, 250.0


def _weave_paths(**kw):
    """Northward along the 10 E meridian; weave from waypoint 1 (0.5 N) to the end (1.5 N)."""
    lat = np.radians([[0.0, 0.5, 1.5]])
    lon = np.radians([[10.0, 10.0, 10.0]])
    alt = np.full((1, 3), 50.0)
    return waypoint_tracks(lat, lon, alt, V_W, weave=(A_W, LAM_W, 1), **kw)


def test_weave_lateral_offset_is_the_sine_from_its_start():
    paths = _weave_paths()
    m = paths.n_samples[0]
    la, lo, h = ecef2geodetic(paths.pos[0, :m])
    np.testing.assert_allclose(h, 50.0, atol=1e-3)
    # along-track distance from the weave start and to the end: meridian arcs (Vincenty)
    s1, _ = vincenty.vdist(0.5, 10.0, np.degrees(la), 10.0)
    s_end, _ = vincenty.vdist(np.degrees(la), 10.0, 1.5, 10.0)
    s1 = np.where(np.degrees(la) >= 0.5, s1, -s1)
    # offset: east component from the meridian point of the same latitude (positive to the left = west)
    e, _, _ = pymap3d.geodetic2enu(np.degrees(la), np.degrees(lo), 0.0, np.degrees(la), 10.0, 0.0)
    y = -np.asarray(e)
    before = s1 <= 0
    assert np.abs(y[before]).max() < 1e-6
    mid = (s1 > 0) & (s_end > LAM_W)
    np.testing.assert_allclose(y[mid], A_W * np.sin(2 * np.pi * s1[mid] / LAM_W), atol=0.05)
    taper = (s1 > 0) & (s_end <= LAM_W)
    w = 0.5 * (1 - np.cos(np.pi * s_end[taper] / LAM_W))
    np.testing.assert_allclose(y[taper], A_W * w * np.sin(2 * np.pi * s1[taper] / LAM_W), atol=0.05)
    assert np.abs(y[mid]).max() > 0.99 * A_W
    # sampled at <= lambda / 16 of the base track where it weaves (the flown step is longer by at most
    # sqrt(1 + (2 pi A / lambda)^2)); it still arrives at the last waypoint
    step = np.diff(paths.s[0, :m])[mid[1:] & mid[:-1]]
    assert step.max() <= LAM_W / 16 * np.hypot(1.0, 2 * np.pi * A_W / LAM_W)
    end = geodetic2ecef(np.radians(1.5), np.radians(10.0), 50.0)
    np.testing.assert_allclose(paths.pos[0, m - 1], end, atol=1e-6)


def test_weave_lateral_acceleration_and_g_limit():
    paths = _weave_paths()
    m = paths.n_samples[0]
    t = paths.t[0, :m]
    p, _ = paths.state(t, idx=np.zeros(m, int))
    acc = 2 * ((p[2:] - p[1:-1]) / (t[2:] - t[1:-1])[:, None] - (p[1:-1] - p[:-2]) / (t[1:-1] - t[:-2])[:, None])
    acc = np.linalg.norm(acc / (t[2:] - t[:-2])[:, None], axis=1)
    nominal = A_W * (2 * np.pi * V_W / LAM_W) ** 2  # 30.8 m/s^2
    la, _, _ = ecef2geodetic(p[1:-1])
    s_end, _ = vincenty.vdist(np.degrees(la), 10.0, 1.5, 10.0)
    mid = (np.degrees(la) > 0.5) & (s_end > LAM_W)
    assert acc[mid].max() == pytest.approx(nominal, rel=0.05)
    assert nominal <= paths.lateral_accel[0] <= 1.13 * nominal
    assert acc.max() <= paths.lateral_accel[0] * 1.05
    with pytest.raises(ValueError, match="exceeds"):
        _weave_paths(g_limit=0.9 * nominal / G0)
    _weave_paths(g_limit=1.2 * nominal / G0)


def test_truth_follows_per_leg_speed_paths():
    lat, lon, alt, speed = _meridian_route()
    paths = waypoint_tracks(lat, lon, alt, speed, ramp=np.array([False, True]))
    t_launch = np.array([100.0, 250.0])
    truth = ThreatTruth.build(waypoint=paths, t_launch=t_launch)
    np.testing.assert_allclose(truth.t_end, t_launch + paths.duration)
    rng = np.random.default_rng(5)
    for t in rng.uniform(0, 1.1 * paths.duration.max() + 250, 30):
        p, v = truth.state(t)
        pw, vw = paths.state(t - t_launch)
        np.testing.assert_allclose(p, pw, atol=1e-6)
        np.testing.assert_allclose(v, vw, atol=1e-6)


def test_bad_speeds_and_weaves():
    lat, lon, alt, speed = _meridian_route()
    bad = speed.copy()
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match="threat 0: leg 1"):
        waypoint_tracks(lat, lon, alt, bad)
    with pytest.raises(ValueError, match="shape"):
        waypoint_tracks(lat, lon, alt, np.ones((2, 2)))
    with pytest.raises(ValueError, match="start_index"):
        waypoint_tracks(lat, lon, alt, 100.0, weave=(100.0, 2000.0, 3))
    with pytest.raises(ValueError, match="wavelength"):
        waypoint_tracks(lat, lon, alt, 100.0, weave=(100.0, 0.0, 0))
