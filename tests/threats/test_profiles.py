"""Flight profiles (``iadsim.threats.profiles``) flown by ``waypoint_tracks`` and ``ThreatTruth``.

Evidence by kind:

* **geometric, computed independently in the test**: altitude against range from the aim (haversine on the
  mean sphere, as the module documents) for the descent, the sea-skimming leg, the final descent and the
  pop-up, using the closed-form profile of each phase; the release point at ``release_range`` (haversine);
  dog-leg offsets from the great circle (the spherical cross-track formula, Williams' *Aviation
  Formulary*); the loiter centre by the spherical destination formula and distances to it in pymap3d's
  ENU frame.
* **replayed draws**: the dog-leg offsets are the documented ``rng.uniform(-max, max, (N, count))``.
* **timing**: the time spent within ``1.05 radius`` of the loiter centre, sampled every 0.25 s; arrival
  times under a time-on-target plan.
"""

import numpy as np
import pymap3d
import pytest

from iadsim.frames import R_EARTH, ecef2geodetic, geodetic2ecef
from iadsim.threats import ThreatTruth
from iadsim.threats.profiles import aircraft_route, cruise_route, drone_route, time_on_target

D = np.radians


def _hav(lat1, lon1, lat2, lon2):
    """Great-circle distance on the mean sphere (m), haversine formula."""
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * R_EARTH * np.arcsin(np.sqrt(a))


def _bearing(lat1, lon1, lat2, lon2):
    y = np.sin(lon2 - lon1) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    return np.arctan2(y, x)


def _destination(lat, lon, brg, dist):
    d = dist / R_EARTH
    lat2 = np.arcsin(np.sin(lat) * np.cos(d) + np.cos(lat) * np.sin(d) * np.cos(brg))
    lon2 = lon + np.arctan2(np.sin(brg) * np.sin(d) * np.cos(lat), np.cos(d) - np.sin(lat) * np.sin(lat2))
    return lat2, lon2


def _cross_track(lat1, lon1, lat2, lon2, lat3, lon3):
    """Signed distance of 3 from the great circle 1 -> 2, positive to the right (Aviation Formulary)."""
    d13 = _hav(lat1, lon1, lat3, lon3) / R_EARTH
    dbrg = _bearing(lat1, lon1, lat3, lon3) - _bearing(lat1, lon1, lat2, lon2)
    return R_EARTH * np.arcsin(np.sin(d13) * np.sin(dbrg))


def _fly(paths, i, dt=0.5):
    """Geodetic samples of threat ``i`` every ``dt`` seconds (and at its end)."""
    t = np.append(np.arange(0.0, paths.duration[i], dt), paths.duration[i])
    p, _ = paths.state(t, idx=np.full(t.size, i))
    la, lo, h = ecef2geodetic(p)
    return t, la, lo, h


ROUTE = (D(np.array([-19.5])), D(np.array([-15.8])))
AIM_LAT, AIM_LON, AIM_ALT = D(-19.9), D(-15.1), 200.0


def _aim(n):
    return np.full(n, AIM_LAT), np.full(n, AIM_LON), np.full(n, AIM_ALT)


def _launch(n):
    return D(np.linspace(-20.3, -20.1, n)), D(np.linspace(-17.6, -17.4, n))


def test_cruise_descent_sea_skim_and_final_descent():
    n = 3
    h_c, h_t, r_t, v_c, v_t = 1000.0, 10.0, 20e3, 240.0, 290.0
    gam = D(3.0)
    routes = cruise_route(_launch(n), ROUTE, _aim(n), cruise_alt=h_c, cruise_speed=v_c, terminal_range=r_t,
                          terminal_alt=h_t, terminal_speed=v_t)
    paths = routes.tracks()
    r_tod = r_t + (h_c - h_t) / np.tan(gam)

    def expected(r):
        return np.select([r > r_tod, r > r_t, r > 2000.0],
                         [h_c, h_t + (r - r_t) * np.tan(gam), h_t],
                         h_t + (AIM_ALT - h_t) * (1 - r / 2000.0))

    for i in range(n):
        t, la, lo, h = _fly(paths, i)
        r = _hav(la, lo, AIM_LAT, AIM_LON)
        after_route = t >= paths.t_waypoint[i, 1]
        np.testing.assert_allclose(h[after_route], expected(r[after_route]), atol=0.2)
        np.testing.assert_allclose(h[~after_route], h_c, atol=0.2)
        # sampled check at chosen ranges of the terminal leg (sea skimming at 10 m)
        for rq in (15e3, 8e3, 3e3):
            k = np.argmin(np.abs(r - rq))
            assert abs(r[k] - rq) < 200 and h[k] == pytest.approx(h_t, abs=0.2)
        # ends on the aim
        end = geodetic2ecef(AIM_LAT, AIM_LON, AIM_ALT)
        np.testing.assert_allclose(paths.state(paths.duration[i:i + 1], idx=[i])[0][0], end, atol=1e-6)
    # the terminal leg is flown at the terminal speed, the cruise at the cruise speed
    m = routes.marks
    rows = np.arange(n)
    dt_term = paths.t_waypoint[rows, m["final"]] - paths.t_waypoint[rows, m["terminal"]]
    np.testing.assert_allclose(dt_term, (r_t - 2000.0) / v_t, rtol=5e-3)
    dt_desc = paths.t_waypoint[rows, m["terminal"]] - paths.t_waypoint[rows, m["descent"]]
    np.testing.assert_allclose(dt_desc, (r_tod - r_t) / v_c, rtol=5e-3)


def test_cruise_pop_up_and_dive():
    n = 2
    h_t, r_t, r_a, h_a = 8.0, 25e3, 3000.0, 800.0
    gam = D(30.0)
    routes = cruise_route(_launch(n), ROUTE, _aim(n), cruise_alt=50.0, cruise_speed=240.0, terminal_range=r_t,
                          terminal_alt=h_t, pop_up=(r_a, h_a, gam))
    paths = routes.tracks()
    r_pu = r_a + (h_a - h_t) / np.tan(gam)
    for i in range(n):
        t, la, lo, h = _fly(paths, i, dt=0.25)
        r = _hav(la, lo, AIM_LAT, AIM_LON)
        want = np.select([r > r_pu, r > r_a], [h_t, h_t + (r_pu - r) * np.tan(gam)],
                         AIM_ALT + (h_a - AIM_ALT) * r / r_a)
        sel = r < r_t
        np.testing.assert_allclose(h[sel], want[sel], atol=0.3)
        # the apex is flown through: altitude and range at its waypoint time
        pa, _ = paths.state(paths.t_waypoint[i, routes.marks["apex"][i]], idx=[i])
        la_a, lo_a, h_apex = ecef2geodetic(pa[0])
        assert h_apex == pytest.approx(h_a, abs=1e-3)
        assert _hav(la_a, lo_a, AIM_LAT, AIM_LON) == pytest.approx(r_a, rel=1e-9)
        assert h[sel].max() <= h_a + 0.3
    assert "final" not in routes.marks


def test_cruise_drops_points_behind_the_last_leg_start_and_weaves_from_the_terminal_point():
    # the second threat's route point is 12 km from the aim: inside the top of descent (and terminal range)
    lat_r, lon_r = _destination(AIM_LAT, AIM_LON, D(-60.0), 12e3)
    route = (np.array([[ROUTE[0][0]], [lat_r]]), np.array([[ROUTE[1][0]], [lon_r]]))
    routes = cruise_route(_launch(2), route, _aim(2), cruise_alt=500.0, cruise_speed=240.0, terminal_range=15e3,
                          terminal_alt=10.0, weave=(50.0, 2000.0))
    assert routes.marks["descent"][1] == -1 and routes.marks["terminal"][1] == -1
    assert routes.marks["descent"][0] > 0 and routes.marks["terminal"][0] > routes.marks["descent"][0]
    # the weave starts at the terminal point, or at the next waypoint (F) where that was dropped
    np.testing.assert_array_equal(routes.weave[2], [routes.marks["terminal"][0], routes.marks["final"][1]])
    paths = routes.tracks()
    assert np.all(paths.lateral_accel > 50.0 * (2 * np.pi * 240.0 / 2000.0) ** 2)
    end = geodetic2ecef(AIM_LAT, AIM_LON, AIM_ALT)
    for i in range(2):
        np.testing.assert_allclose(paths.pos[i, paths.n_samples[i] - 1], end, atol=1e-6)


def test_drone_loiter_time_and_circle():
    n = 3
    rad, dist, v = 1500.0, 8000.0, 50.0
    dur = np.array([300.0, 600.0, 457.0])
    routes = drone_route(_launch(n), ROUTE, _aim(n), alt=300.0, speed=v, loiter=(rad, dur, dist))
    paths = routes.tracks()
    # centre: on the great circle from the route point to the aim, `dist` before the aim
    c_lat, c_lon = _destination(AIM_LAT, AIM_LON, _bearing(AIM_LAT, AIM_LON, ROUTE[0][0], ROUTE[1][0]), dist)
    dt = 0.25
    for i in range(n):
        t, la, lo, _ = _fly(paths, i, dt)
        e, nn, _ = pymap3d.geodetic2enu(np.degrees(la), np.degrees(lo), 0.0, np.degrees(c_lat),
                                        np.degrees(c_lon), 0.0)
        inside = np.hypot(e, nn) < 1.05 * rad
        # radial entry and exit add 0.05 radius each at the drone's speed
        assert inside.sum() * dt == pytest.approx(dur[i] + 0.1 * rad / v, abs=2 * dt)
        # one stay only: it never comes back inside once it left
        k = np.flatnonzero(inside)
        assert k[-1] - k[0] + 1 == k.size
        # the polygon's vertices lie on the circle (pymap3d ENU distance)
        c0, c1 = routes.marks["loiter_start"][i], routes.marks["loiter_end"][i]
        ve, vn, _ = pymap3d.geodetic2enu(np.degrees(routes.lat[i, c0:c1 + 1]), np.degrees(routes.lon[i, c0:c1 + 1]),
                                         0.0, np.degrees(c_lat), np.degrees(c_lon), 0.0)
        np.testing.assert_allclose(np.hypot(ve, vn), rad, rtol=1e-3)
        # flown time between the loiter marks is the duration
        assert paths.t_waypoint[i, c1] - paths.t_waypoint[i, c0] == pytest.approx(dur[i], rel=1e-3)
        assert routes.alt[i, c0] == 300.0


def test_drone_dog_legs_are_seeded_and_bounded():
    n, count, max_off = 4, 3, 20e3
    launch = _launch(n)
    kw = dict(alt=300.0, speed=50.0, dog_legs=(count, max_off))
    a = drone_route(launch, None, _aim(n), rng=np.random.default_rng(7), **kw)
    b = drone_route(launch, None, _aim(n), rng=np.random.default_rng(7), **kw)
    c = drone_route(launch, None, _aim(n), rng=np.random.default_rng(8), **kw)
    np.testing.assert_array_equal(a.lat, b.lat)
    np.testing.assert_array_equal(a.lon, b.lon)
    assert not np.allclose(a.lat, c.lat)
    y = np.random.default_rng(7).uniform(-max_off, max_off, (n, count))
    total = _hav(launch[0], launch[1], AIM_LAT, AIM_LON)
    for j in range(count):
        col = a.marks[f"dog_leg_{j}"]
        la, lo = a.lat[np.arange(n), col], a.lon[np.arange(n), col]
        xt = _cross_track(launch[0], launch[1], AIM_LAT, AIM_LON, la, lo)
        np.testing.assert_allclose(-xt, y[:, j], atol=1e-3)  # positive to the left
        assert np.all(np.abs(xt) <= max_off)
        # along-track at j / (count + 1) of the way
        at = R_EARTH * np.arccos(np.cos(_hav(launch[0], launch[1], la, lo) / R_EARTH) / np.cos(xt / R_EARTH))
        np.testing.assert_allclose(at, total * (j + 1) / (count + 1), atol=1e-3)
    paths = a.tracks()
    end = geodetic2ecef(AIM_LAT, AIM_LON, AIM_ALT)
    np.testing.assert_allclose(paths.pos[np.arange(n), paths.n_samples - 1], np.tile(end, (n, 1)), atol=1e-6)


def test_drone_dog_legs_then_loiter():
    routes = drone_route(_launch(2), ROUTE, _aim(2), alt=500.0, speed=45.0, dog_legs=(2, 5e3),
                         loiter=(1000.0, 120.0, 5000.0), rng=np.random.default_rng(1))
    m = routes.marks
    assert np.all(m["dog_leg_1"] < m["loiter_start"]) and np.all(m["loiter_start"] < m["loiter_end"])
    paths = routes.tracks()
    rows = np.arange(2)
    np.testing.assert_allclose(paths.t_waypoint[rows, m["loiter_end"]] - paths.t_waypoint[rows, m["loiter_start"]],
                               120.0, rtol=1e-3)


def test_aircraft_release_point_and_egress():
    n = 3
    launch = _launch(n)
    rel = np.array([150e3, 60e3, 100e3])
    # threat 1's route point is 80 km from the aim: inside its 100 km release range -> release behind it
    routes = aircraft_route(launch, ROUTE, _aim(n), alt=8000.0, speed=250.0, release_range_m=np.array([150e3, 60e3,
                                                                                                       100e3]))
    r_la, r_lo, r_h = routes.point("release")
    np.testing.assert_allclose(_hav(r_la, r_lo, AIM_LAT, AIM_LON), rel, rtol=1e-9)
    np.testing.assert_allclose(_cross_track(ROUTE[0][0], ROUTE[1][0], AIM_LAT, AIM_LON, r_la, r_lo), 0.0, atol=1e-3)
    assert np.all(r_h == 8000.0)
    d_route = _hav(ROUTE[0][0], ROUTE[1][0], AIM_LAT, AIM_LON)
    assert d_route < rel[2] and _hav(r_la[2], r_lo[2], AIM_LAT, AIM_LON) > d_route
    # egress: the route reversed, then back at the launch point
    col = routes.marks["release"]
    np.testing.assert_allclose(routes.lat[:, col[0] + 1], ROUTE[0][0])
    last = (~np.isnan(routes.lat)).sum(axis=1) - 1
    np.testing.assert_allclose(routes.lat[np.arange(n), last], launch[0])
    np.testing.assert_allclose(routes.lon[np.arange(n), last], launch[1])
    paths = routes.tracks()
    t_rel = paths.t_waypoint[np.arange(n), col]
    p, _ = paths.state(t_rel)
    np.testing.assert_allclose(p, geodetic2ecef(r_la, r_lo, r_h), atol=1e-6)
    p_end, _ = paths.state(paths.duration)
    np.testing.assert_allclose(p_end, geodetic2ecef(launch[0], launch[1], 8000.0), atol=1e-6)
    # egress over given points
    eg = (D(np.array([-19.0, -19.2])), D(np.array([-16.0, -17.0])))
    r2 = aircraft_route(launch, ROUTE, _aim(n), alt=8000.0, speed=250.0, release_range_m=rel, egress=eg)
    last = (~np.isnan(r2.lat)).sum(axis=1) - 1
    np.testing.assert_allclose(r2.lat[np.arange(n), last], eg[0][-1])


def test_time_on_target_coordinates_arrivals():
    n = 20
    rng = np.random.default_rng(11)
    launch = D(rng.uniform(-20.5, -20.0, n)), D(rng.uniform(-18.0, -17.0, n))
    routes = cruise_route(launch, ROUTE, _aim(n), cruise_alt=60.0, cruise_speed=rng.uniform(200, 260, n),
                          terminal_range=15e3, terminal_alt=10.0)
    paths = routes.tracks()
    assert np.ptp(paths.duration) > 60.0  # the durations differ: a common launch time would not coordinate
    tot, spread = 3600.0, 30.0
    t0 = time_on_target(paths.duration, tot, spread, np.random.default_rng(3))
    np.testing.assert_array_equal(t0, time_on_target(paths.duration, tot, spread, np.random.default_rng(3)))
    truth = ThreatTruth.build(waypoint=paths, t_launch=t0)
    assert np.all((truth.t_end >= tot) & (truth.t_end < tot + spread))
    u = np.random.default_rng(3).random(n)
    np.testing.assert_allclose(truth.t_end, tot + spread * u, atol=1e-9)
    exact = ThreatTruth.build(waypoint=paths, t_launch=time_on_target(paths.duration, tot))
    np.testing.assert_allclose(exact.t_end, tot, atol=1e-9)
    with pytest.raises(ValueError, match="before"):
        time_on_target(paths.duration, 100.0, earliest=0.0)
    with pytest.raises(ValueError, match="rng"):
        time_on_target(paths.duration, tot, 10.0)


def test_bad_profile_parameters():
    L, A = _launch(2), _aim(2)
    cm = dict(cruise_alt=60.0, cruise_speed=240.0, terminal_alt=10.0)
    with pytest.raises(ValueError, match="final_range"):
        cruise_route(L, None, A, terminal_range=1500.0, **cm)
    with pytest.raises(ValueError, match="inside terminal_range"):
        cruise_route(L, None, A, terminal_range=5e3, pop_up=(4e3, 2000.0), **cm)
    with pytest.raises(ValueError, match="pop_up altitude"):
        cruise_route(L, None, A, terminal_range=5e3, pop_up=(2e3, 5.0), **cm)
    with pytest.raises(ValueError, match="loiter radii"):
        drone_route(L, None, A, alt=300.0, speed=50.0, loiter=(1000.0, 60.0, 1200.0))
    with pytest.raises(ValueError, match="rng"):
        drone_route(L, None, A, alt=300.0, speed=50.0, dog_legs=(2, 1e3))
    with pytest.raises(ValueError, match="egress"):
        aircraft_route(L, None, A, alt=8e3, speed=250.0, release_range_m=1e5, egress="home")
    with pytest.raises(ValueError, match="shape"):
        cruise_route(L, None, A, terminal_range=5e3, cruise_alt=np.ones(3), cruise_speed=240.0, terminal_alt=10.0)
