"""Threat prediction, fly-out and the doctrine's maximum-marginal-return greedy, against independent
references: RK4 integration, the closed-form head-on intercept, and brute force."""

import itertools

import numpy as np
import pytest

from iadsim.assignment.doctrine import max_marginal_return
from iadsim.engagement.envelope import (
    EnvelopeSet,
    constant_speed_envelope,
    earliest_intercepts,
    earliest_intercepts_compiled,
    point_at,
    reference_site,
)
from iadsim.engagement.lethality import salvo_kill_probability
from iadsim.evaluation.predict import fg_series
from iadsim.evaluation.threat_evaluation import BALLISTIC, CRUISE, DRONE, ThreatEvaluator, kinematic_class
from iadsim.frames import geodetic2ecef
from iadsim.threats.ballistic import ballistic_velocity, propagate_ballistic


def test_fg_series_matches_rk4_over_planning_horizon():
    r0 = geodetic2ecef(np.radians([10.0, -20.0]), np.radians([20.0, -15.0]), np.array([0.0, 0.0]))
    r1 = geodetic2ecef(np.radians([13.0, -20.5]), np.radians([25.0, -10.0]), np.array([0.0, 0.0]))
    v0, tof = ballistic_velocity(r0, r1)
    t, pos, vel, _ = propagate_ballistic(r0, v0, 0.5, float(tof.max()))
    k0 = int(60 / 0.5)  # start from a mid-course state, predict 120 s ahead
    horizon = np.arange(0, 121, 10.0)
    p, v = fg_series(pos[:, k0], vel[:, k0], horizon)
    ref_p = pos[:, k0 + (horizon / 0.5).astype(int)]
    ref_v = vel[:, k0 + (horizon / 0.5).astype(int)]
    err = np.abs(p - ref_p).max(axis=(0, 2))
    # truncation error grows as t^5: sub-metre over the ~70 s planning horizon, ~10 m at two minutes
    assert err[horizon <= 70].max() < 1.0
    assert err.max() < 15.0
    assert np.abs(v - ref_v)[:, horizon <= 70].max() < 0.1  # m/s


def _head_on(d0=50e3, v=300.0, alt=1000.0, dt=0.01):
    """A threat at ground range ``d0`` flying at constant altitude straight at the site at ``v``."""
    site = reference_site()
    ts = np.arange(0, 80, dt)
    pred = point_at(site, np.maximum(d0 - v * ts, 0.0), np.full(ts.size, alt))[None]
    return site, ts, pred


def test_head_on_intercept_closed_form():
    # constant-speed interceptor s, ready at t_r: the earliest t with t_r + |p(t) - site| / s <= t
    s, v, tr, dt = 1000.0, 300.0, 5.0, 0.01
    site, ts, pred = _head_on(v=v, dt=dt)
    env = EnvelopeSet([constant_speed_envelope(s, 1e3, 70e3, 0.0, 20e3)])
    args = (env, np.array([0]), site[None], np.array([tr]), ts, pred, np.zeros((1, 3)), np.zeros(1), np.zeros(1))
    win = earliest_intercepts(*args, np.array([np.inf]))
    # independent: bisection on g(t) = t - t_r - slant(t) / s with the exact geometry (g increases with t)
    slant = lambda t: np.linalg.norm(point_at(site, np.array([50e3 - v * t]), np.array([1000.0]))[0] - site)
    lo, hi = tr, 80.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mid - tr - slant(mid) / s < 0 else (lo, mid)
    assert win.feasible[0]
    # the table interpolates tof bilinearly: a few ms of error on top of the 10 ms sampling
    assert abs(win.t_intercept[0] - hi) <= dt + 0.02
    assert win.t_launch[0] >= tr - 1e-9 and win.t_launch[0] - tr < 3 * dt
    # an altitude band that excludes the threat, a threat that lands first, a too-demanding no-escape test
    high = EnvelopeSet([constant_speed_envelope(s, 1e3, 70e3, 2000.0, 20e3)])
    assert not earliest_intercepts(high, *args[1:], np.array([np.inf])).feasible[0]
    assert not earliest_intercepts(*args, np.array([hi - 1.0])).feasible[0]
    slow = earliest_intercepts(env, np.array([0]), site[None], np.array([tr]), ts, pred, np.zeros((1, 3)),
                               np.zeros(1), np.array([s + 1.0]), np.array([np.inf]))
    assert not slow.feasible[0]
    weak = earliest_intercepts(env, np.array([0]), site[None], np.array([tr]), ts, pred, np.zeros((1, 3)),
                               np.array([2e6]), np.zeros(1), np.array([np.inf]))
    assert not weak.feasible[0]


@pytest.mark.parametrize("seed", range(8))
def test_compiled_windows_equal_the_plain_implementation(seed):
    """The doctrine's compiled early-exit search gives exactly the numpy reference's earliest intercepts,
    with fire-control coverage (range, sector, elevation, radar horizon) and the no-escape test."""
    from iadsim.assignment.doctrine import FireUnitKinematics, _covered
    from iadsim.sensors.radar import Radar, RadarParams

    rng = np.random.default_rng(seed)
    site = reference_site()
    env = EnvelopeSet([constant_speed_envelope(1200.0, 2e3, 60e3, 30.0, 20e3, accel=200.0),
                       constant_speed_envelope(700.0, 1e3, 30e3, 20.0, 10e3, accel=100.0)])
    U, P, K = 5, 12, 60
    ts = np.arange(K) * 2.0
    start = rng.uniform(20e3, 90e3, U)
    alt = rng.uniform(10.0, 15e3, U)
    speed = rng.uniform(50.0, 900.0, U)
    north = np.array([0.0, 0.0, 1.0])
    east = np.array([0.0, 1.0, 0.0])
    pred = np.stack([point_at(site, np.abs(start[u] - speed[u] * ts), np.full(K, alt[u]),
                              azimuth_ref=north if u % 2 else (north + east) / np.sqrt(2)) for u in range(U)])
    inv = rng.integers(0, U, P)
    typ = rng.integers(0, 2, P)
    fu_pos = np.repeat(site[None], P, 0)
    v_threat = (pred[inv, 1] - pred[inv, 0]) / 2.0
    a_need = rng.uniform(0.0, 150.0, P)
    min_closing = rng.uniform(0.0, 800.0, P)
    t_end = rng.uniform(20.0, 150.0, P)
    t_ready = rng.uniform(0.0, 10.0, P)
    radar = Radar(RadarParams(name="fcr", lat=0.0, lon=0.0, alt=5.0, r_max=50e3, r_ref=50e3, rcs_ref=1.0,
                              pd_ref=0.9, pfa=1e-6, az_center=0.3, az_width=2.0, el_min=0.0, el_max=1.4,
                              scan_period=2.0, sigma_r=10.0, sigma_az=1e-3, sigma_el=1e-3), sensor=0)
    use = rng.random(P) < 0.7
    kin = FireUnitKinematics(
        pos=fu_pos, typ=typ, env=env, reaction=np.zeros(P), layer=np.zeros(P, int), pk=np.zeros((P, 4)),
        salvo=np.ones(P, int), a_need=np.zeros((P, 4)), min_closing=np.zeros(P), has_fcr=use,
        fcr_pos=np.repeat(radar.ecef[None], P, 0), fcr_C=np.repeat(radar.C[None], P, 0),
        fcr_rmax=np.full(P, 50e3), fcr_az_center=np.full(P, 0.3), fcr_az_half=np.full(P, 1.0),
        fcr_el_min=np.zeros(P), fcr_el_max=np.full(P, 1.4), cost=np.zeros(P), channels=np.ones(P, int))
    pts = pred[inv]
    ref = earliest_intercepts(env, typ, fu_pos, t_ready, ts, pts, v_threat, a_need, min_closing, t_end,
                              covered=lambda p, k: _covered(kin, np.arange(P)[p], pts[p, k]))
    fcr = {"use": use, "pos": kin.fcr_pos, "C": kin.fcr_C, "rmax": kin.fcr_rmax, "az_center": kin.fcr_az_center,
           "az_half": kin.fcr_az_half, "el_min": kin.fcr_el_min, "el_max": kin.fcr_el_max, "k": np.full(P, 4 / 3)}
    got = earliest_intercepts_compiled(env, typ, fu_pos, t_ready, ts, pred, inv, v_threat, a_need, min_closing,
                                       t_end, fcr)
    assert 0 < ref.feasible.sum() < P  # the instance exercises both outcomes
    np.testing.assert_array_equal(got.feasible, ref.feasible)
    f = ref.feasible
    np.testing.assert_array_equal(got.t_intercept[f], ref.t_intercept[f])
    np.testing.assert_allclose(got.t_launch[f], ref.t_launch[f], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.pip[f], ref.pip[f], rtol=0, atol=1e-6)


def _brute_force(pf, pm, score, shots, n_targets):
    best = 0.0
    P = len(pf)
    for r in range(P + 1):
        for combo in itertools.combinations(range(P), r):
            f = np.bincount(pf[list(combo)], minlength=len(shots))
            m = np.bincount(pm[list(combo)], minlength=n_targets)
            if (f <= shots).all() and (m <= 1).all():
                best = max(best, float(score[list(combo)].sum()))
    return best


@pytest.mark.parametrize("seed", range(60))
def test_mmr_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    F, M = rng.integers(1, 4), rng.integers(1, 5)
    shots = rng.integers(0, 3, F)
    mask = rng.random((F, M)) < 0.7
    pf, pm = np.nonzero(mask)
    values = rng.integers(1, 100, M).astype(float)
    pk = rng.uniform(0.3, 0.95, (F, M))
    score = values[pm] * pk[pf, pm]
    chosen = max_marginal_return(pf, pm, score, np.zeros(pf.size), shots, M)
    got = float(score[chosen].sum())
    opt = _brute_force(pf, pm, score, shots, M)
    assert (np.bincount(pf[chosen], minlength=F) <= shots).all()
    assert (np.bincount(pm[chosen], minlength=M) <= 1).all()
    assert got <= opt + 1e-9
    assert got >= 0.5 * opt - 1e-9  # greedy on a b-matching is a 1/2-approximation
    # identical units (pk depends on the target only) and no mask: MMR is optimal (den Broeder et al.)
    pf2, pm2 = np.nonzero(np.ones((F, M), bool))
    score2 = values[pm2] * pk[0, pm2]
    c2 = max_marginal_return(pf2, pm2, score2, np.zeros(pf2.size), shots, M)
    assert float(score2[c2].sum()) == pytest.approx(_brute_force(pf2, pm2, score2, shots, M))


def test_salvo_kill_probability_of_identical_shots():
    assert float(salvo_kill_probability([0.7, 0.7])) == pytest.approx(0.91)
    assert salvo_kill_probability(np.array([[0.0] * 3, [1.0] * 3])).tolist() == [0.0, 1.0]


def test_kinematic_class_and_evaluation():
    """Class, threatened asset, value and time to go of four tracks against one asset (value 100,
    threat radius 5 km, priorities drone 1 / cruise 2 / ballistic 4, so ``V_min = 0.25 * 100``).

    The two ballistic tracks are checked against an independent integration (scipy DOP853) of the model the
    command post predicts with: J2 gravity with the Coriolis and centrifugal terms of ECEF and drag with the
    assumed ballistic coefficient through the US-1976 atmosphere, to the ground. Both fly in the equatorial
    plane (rotation and J2 keep them there), where the WGS-84 ground is the sphere ``|r| = a`` (semi-major
    axis), so the ground event needs no ellipsoid formula.
    """
    from scipy.integrate import solve_ivp

    from iadsim.evaluation.predict import ASSUMED_BETA
    from iadsim.physics.atmosphere import us1976_density
    from iadsim.physics.gravity import J2, gravity_ecef

    a_wgs84 = 6378137.0

    def two_body(t, y):  # the coast: gravity, rotation, drag
        r, v = y[:3], y[3:]
        g = gravity_ecef(r[None], J2, True, v[None])[0]
        rho = us1976_density(np.linalg.norm(r) - a_wgs84)
        return np.concatenate([v, g - 0.5 * rho * np.linalg.norm(v) * v / ASSUMED_BETA])

    def ground(t, y):
        return np.linalg.norm(y[:3]) - a_wgs84

    ground.terminal, ground.direction = True, -1.0

    site = geodetic2ecef(0.0, 0.0, 0.0)
    up = site / np.linalg.norm(site)
    east = np.array([0.0, 1.0, 0.0])
    assert np.allclose(site, [a_wgs84, 0.0, 0.0])  # on the equator: ground = sphere of radius a
    # a ballistic track that hits the site 45 s later: integrate back from an impact on the site
    back = solve_ivp(two_body, (0.0, -45.0), np.r_[site, -1200.0 * up + 1500.0 * east], method="DOP853",
                     rtol=1e-12, atol=1e-6)
    hitting = back.y[:, -1]  # ~44 km up, 1680 m/s: ballistic
    x = np.array([
        np.r_[site + up * 300.0 - east * 20e3, east * 50.0],  # drone at 300 m heading at the asset
        np.r_[site + up * 50.0 - east * 60e3, east * 240.0],  # cruise missile at 50 m
        np.r_[site + up * 80e3 - east * 100e3, east * 1500.0 - up * 1500.0],  # ballistic re-entry, falls short
        hitting,
    ])
    assert kinematic_class(x).tolist() == [DRONE, CRUISE, BALLISTIC, BALLISTIC]
    ev = ThreatEvaluator(site[None, :], np.array([100.0]), {"drone": 1.0, "cruise": 2.0, "ballistic": 4.0},
                         5000.0)
    a = ev.evaluate(x)
    assert a.asset[0] == 0 and a.t_go[0] == pytest.approx(20e3 / 50.0, rel=1e-3)
    assert a.asset[1] == 0 and a.t_go[1] == pytest.approx(60e3 / 240.0, rel=1e-3)

    # independent reference for the short ballistic track: integrate it down to the ground
    sol = solve_ivp(two_body, (0.0, 600.0), x[2], method="DOP853", rtol=1e-12, atol=1e-6, events=ground)
    t_imp = float(sol.t_events[0][0])
    p_imp = sol.y_events[0][0][:3]
    miss = float(np.linalg.norm(p_imp - site))
    # by hand (flat earth, g = 9.8, no air): t = (sqrt(1500^2 + 2 g 80e3) - 1500) / g = 46.0 s, landing
    # 100 km - 1500 * 46 m = 31 km short of the site; drag makes it a little later and shorter
    assert 46.0 < t_imp < 56.0 and 20e3 < miss < 31.5e3
    assert miss > 5000.0  # outside the threat radius: it threatens no asset
    assert a.asset[2] == -1
    assert a.t_go[2] == pytest.approx(t_imp, abs=0.01)  # s; the compiled coast vs the integration
    assert a.miss[2] == pytest.approx(miss, abs=2.0)  # m
    np.testing.assert_allclose(a.impact[2], p_imp, rtol=0, atol=2.0)
    # the hitting track: its impact is the site itself, 45 s ahead
    assert a.asset[3] == 0
    assert a.t_go[3] == pytest.approx(45.0, abs=0.01)
    assert a.miss[3] < 2.0
    np.testing.assert_allclose(a.impact[3], site, rtol=0, atol=2.0)
    # V = w_class * V_asset when threatening, w_class * 0.25 * max V_asset otherwise
    assert a.value.tolist() == pytest.approx([1.0 * 100.0, 2.0 * 100.0, 4.0 * 25.0, 4.0 * 100.0],
                                             rel=1e-12)


def _evaluation_case(seed, M=60):
    """Tracks of every class around three assets (ballistic ones falling on or near them, air-breathing ones
    heading at them or passing, a few at rest), with tracker classes, unknown classes (-1) or none."""
    rng = np.random.default_rng(seed)
    assets = geodetic2ecef(np.radians(rng.uniform(9.5, 10.5, 3)), np.radians(rng.uniform(19.5, 20.5, 3)),
                           np.zeros(3))
    up = assets[0] / np.linalg.norm(assets[0])
    x = np.zeros((M, 6))
    for m in range(M):
        target = assets[rng.integers(0, 3)] + rng.normal(size=3) * rng.choice([100.0, 20e3])
        kind = rng.integers(0, 4)
        if kind == 0:  # ballistic: 40-120 km up, falling towards the target at 1-3 km/s
            start = target + up * rng.uniform(40e3, 120e3) + rng.normal(size=3) * 60e3
            x[m, :3] = start
            x[m, 3:] = (target - start) / np.linalg.norm(target - start) * rng.uniform(1000.0, 3000.0)
        else:
            start = target + up * rng.uniform(30.0, 8000.0) + rng.normal(size=3) * 80e3
            x[m, :3] = start
            x[m, 3:] = (target - start) / np.linalg.norm(target - start) * rng.uniform(0.0, 700.0)
    cls = np.where(rng.random(M) < 0.5, rng.integers(-1, 4, M), -1).astype(np.int8)
    ev = ThreatEvaluator(assets, rng.uniform(10.0, 100.0, 3), {"drone": 1.0, "cruise": 2.0, "ballistic": 4.0,
                                                                "aircraft": 0.5}, 5000.0)
    return ev, x, cls, rng


@pytest.mark.parametrize("seed", range(6))
def test_compiled_evaluation_equals_the_numpy_reference(seed):
    """ThreatEvaluator.evaluate (compiled) gives the bits of evaluate_plain (numpy), with and without tracker
    classes; and evaluating a subset of rows gives those rows of the full evaluation, the others no asset and
    value 0."""
    ev, x, cls, rng = _evaluation_case(seed)
    for c in (cls, None):
        ref = ev.evaluate_plain(x, c)
        got = ev.evaluate(x, c)
        assert (ref.asset >= 0).any() and (ref.asset < 0).any() and (ref.cls == BALLISTIC).any()
        for name in ("cls", "asset", "miss", "t_go", "value", "impact"):
            np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
        rows = rng.random(x.shape[0]) < 0.6
        sub = ev.evaluate(x, c, rows=rows)
        np.testing.assert_array_equal(sub.cls, ref.cls)
        for name in ("asset", "miss", "t_go", "value", "impact"):
            np.testing.assert_array_equal(getattr(sub, name)[rows], getattr(ref, name)[rows], err_msg=name)
        assert (sub.asset[~rows] == -1).all() and (sub.value[~rows] == 0).all()
    empty = ev.evaluate(np.zeros((0, 6)))
    assert empty.value.shape == (0,) and empty.impact.shape == (0, 3)
