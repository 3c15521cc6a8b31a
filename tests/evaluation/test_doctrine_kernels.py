"""Threat prediction, fly-out and the doctrine's maximum-marginal-return greedy, against independent
references: RK4 integration, the closed-form head-on intercept, and brute force."""

import itertools

import numpy as np
import pytest

from iadsim.assignment.doctrine import max_marginal_return
from iadsim.engagement.flyout import earliest_intercepts, salvo_pk
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


def test_head_on_intercept_closed_form():
    # threat at 50 km flying straight at the launcher at 300 m/s, interceptor 1000 m/s, ready at 5 s:
    # d0 - v t = s (t - t_ready)  ->  t = (d0 + s t_ready) / (v + s)
    d0, v, s, tr = 50e3, 300.0, 1000.0, 5.0
    dt = 0.01
    ts = np.arange(0, 80, dt)
    pred = np.zeros((1, ts.size, 3))
    pred[0, :, 0] = d0 - v * ts
    alt = np.full((1, ts.size), 1000.0)
    win = earliest_intercepts(np.zeros((1, 3)), np.array([s]), np.array([tr]), np.array([1e3]),
                              np.array([70e3]), np.array([0.0]), np.array([20e3]), ts, pred, alt,
                              np.array([np.inf]))
    t_exact = (d0 + s * tr) / (v + s)
    assert win.feasible[0]
    assert abs(win.t_intercept[0] - t_exact) <= dt
    assert win.t_launch[0] >= tr - 1e-9 and win.t_launch[0] - tr < 2 * dt
    # an envelope that excludes every predicted point, or a threat that lands first, is infeasible
    low = earliest_intercepts(np.zeros((1, 3)), np.array([s]), np.array([tr]), np.array([1e3]),
                              np.array([70e3]), np.array([2000.0]), np.array([20e3]), ts, pred, alt,
                              np.array([np.inf]))
    early = earliest_intercepts(np.zeros((1, 3)), np.array([s]), np.array([tr]), np.array([1e3]),
                                np.array([70e3]), np.array([0.0]), np.array([20e3]), ts, pred, alt,
                                np.array([t_exact - 1.0]))
    assert not low.feasible[0] and not early.feasible[0]


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


def test_salvo_pk():
    assert salvo_pk(0.7, 2) == pytest.approx(0.91)
    assert salvo_pk(np.array([0.0, 1.0]), 3).tolist() == [0.0, 1.0]


def test_kinematic_class_and_evaluation():
    site = geodetic2ecef(0.0, 0.0, 0.0)
    up = site / np.linalg.norm(site)
    east = np.array([0.0, 1.0, 0.0])
    x = np.array([
        np.r_[site + up * 300.0 - east * 20e3, east * 50.0],  # drone at 300 m heading at the asset
        np.r_[site + up * 50.0 - east * 60e3, east * 240.0],  # cruise missile at 50 m
        np.r_[site + up * 80e3 - east * 100e3, east * 1500.0 - up * 1500.0],  # ballistic re-entry
    ])
    assert kinematic_class(x).tolist() == [DRONE, CRUISE, BALLISTIC]
    ev = ThreatEvaluator(site[None, :], np.array([100.0]), {"drone": 1.0, "cruise": 2.0, "ballistic": 4.0},
                         5000.0)
    a = ev.evaluate(x)
    assert a.asset[0] == 0 and a.t_go[0] == pytest.approx(20e3 / 50.0, rel=1e-3)
    assert a.asset[1] == 0 and a.t_go[1] == pytest.approx(60e3 / 240.0, rel=1e-3)
    assert a.value.tolist() == [100.0, 200.0, a.value[2]]
