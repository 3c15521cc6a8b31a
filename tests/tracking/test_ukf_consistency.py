"""NEES consistency of the UKF (and the pipeline EKF) for every motion model, 100 Monte Carlo runs.

Each Monte Carlo run is one track of a batch (M = 100). Truth follows the filter's own discrete model
``x_{k+1} = f(x_k, T) + w_k, w_k ~ N(0, Q)``; a radar measures ``(r, az, el)`` through
``measurements.h`` with Gaussian noise; the initial estimate is drawn from ``N(truth, P0)``. For a
consistent filter the normalized estimation error squared averaged over the N runs,
``NEES_k = 1/N sum (x - xhat)^T P^-1 (x - xhat)``, is ``chi2(N n) / N`` distributed (BLK2001 sec. 5.4.2):
its two-sided interval at level ``a`` is ``[chi2.ppf(a/2, N n), chi2.ppf(1 - a/2, N n)] / N``. We test every
one of the K = 40 steps at ``a = 0.05 / K`` (Bonferroni), i.e. the filter passes when all K run-averaged
NEES lie in their intervals, a test that rejects a consistent filter with probability at most 5 %
(family-wise). Its power is checked on deliberately wrong filters: covariance stated 4x too large or
too small, and a CT filter with 100x too little process noise.
"""

import numpy as np
import pytest
from scipy.stats import chi2

from iadsim.frames import enu_rotation, geodetic2ecef
from iadsim.tracking.filters import EKF, EKFState
from iadsim.tracking.measurements import SensorGeometry, h
from iadsim.tracking.motion import CT, NCA, NCV, Ballistic
from iadsim.tracking.ukf import UKF

N_RUNS = 100
COMPS = ("r", "az", "el")
R = np.diag([15.0**2, 1.5e-3**2, 1.5e-3**2])


def scenario(name):
    """(motion, geometry, initial truth (6+,), P0, T, steps)."""
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
    if name == "ncv":
        m = NCV(1.0, "enu")
        x0 = np.array([20e3, 30e3, 3e3, -150.0, 60.0, 0.0])
        return m, geom, x0, np.diag([100.0**2] * 3 + [20.0**2] * 3), 2.0, 40
    if name == "nca":
        m = NCA(0.05, "enu")
        x0 = np.array([15e3, -25e3, 2e3, 100.0, 150.0, 10.0, 2.0, -3.0, 0.0])
        return m, geom, x0, np.diag([100.0**2] * 3 + [20.0**2] * 3 + [5.0**2] * 3), 1.0, 40
    if name == "ct":
        m = CT(0.5, 1e-6, "enu")
        x0 = np.array([-10e3, 20e3, 4e3, 200.0, 0.0, 0.0, 0.04])
        return m, geom, x0, np.diag([100.0**2] * 3 + [20.0**2] * 3 + [0.02**2]), 1.0, 40
    if name == "ct_ecef":
        lat, lon = -0.4, 2.5
        site = geodetic2ecef(lat, lon, 0.0)
        C = enu_rotation(lat, lon)
        geom = SensorGeometry(site[None], C[None], [COMPS])
        m = CT(0.5, 1e-6, "ecef")
        x0 = np.concatenate([site + C.T @ [-10e3, 20e3, 4e3], C.T @ [200.0, 0.0, 5.0], [-0.04]])
        return m, geom, x0, np.diag([100.0**2] * 3 + [20.0**2] * 3 + [0.02**2]), 1.0, 40
    if name == "ballistic_ecef_drag":
        lat, lon = 0.6, 0.2
        site = geodetic2ecef(lat, lon, 0.0)
        C = enu_rotation(lat, lon)
        geom = SensorGeometry(site[None], C[None], [COMPS])
        m = Ballistic(1.0, "ecef", drag=True, q_beta=10.0, max_step=0.5)
        p0 = site + C.T @ np.array([30e3, 20e3, 60e3])
        v0 = C.T @ np.array([-800.0, -300.0, -1500.0])
        x0 = np.concatenate([p0, v0, [5000.0]])
        P0 = np.diag([100.0**2] * 3 + [20.0**2] * 3 + [1000.0**2])
        return m, geom, x0, P0, 0.5, 40
    raise KeyError(name)


def chi2_nees_test(nees_avg, n, runs=N_RUNS, alpha=0.05):
    """Bonferroni two-sided test of the run-averaged NEES ``nees_avg (K,)`` (module docstring).

    Returns ``(accepted, lo, hi)``: accepted when every step lies in ``[lo, hi]``, the two-sided
    ``1 - alpha / K`` interval of ``chi2(runs n) / runs``."""
    a = alpha / nees_avg.size
    lo, hi = chi2.ppf([a / 2, 1 - a / 2], runs * n) / runs
    return bool(np.all((nees_avg >= lo) & (nees_avg <= hi))), lo, hi


def run_nees(name, filter_cls, seed, p_scale=1.0):
    """Run-averaged NEES at every step, computed with the filter's covariance times ``p_scale``."""
    m, geom, x0, P0, T, steps = scenario(name)
    rng = np.random.default_rng(seed)
    n = m.n
    truth = np.broadcast_to(x0, (N_RUNS, n)).copy()
    L0 = np.linalg.cholesky(P0)
    est = EKFState(truth + rng.normal(size=(N_RUNS, n)) @ L0.T, np.broadcast_to(P0, (N_RUNS, n, n)).copy())
    filt = filter_cls(m)
    sensor = np.zeros(N_RUNS, dtype=int)
    Lr = np.linalg.cholesky(R)
    nees = []
    for _ in range(steps):
        Q = m.Q(truth, T)
        truth = m.f(truth, T) + np.einsum("mij,mj->mi", np.linalg.cholesky(Q + 1e-12 * np.eye(n)),
                                          rng.normal(size=(N_RUNS, n)))
        z = h(truth, geom, sensor, COMPS) + rng.normal(size=(N_RUNS, 3)) @ Lr.T
        est = filt.predict(est, T)
        est = filt.update(est, z, R, geom, sensor, COMPS)
        e = truth - est.x
        nees.append(np.mean(np.einsum("mi,mi->m", e,
                                      np.linalg.solve(p_scale * est.P, e[..., None])[..., 0])))
    return np.array(nees), n


@pytest.mark.parametrize("filter_cls", [UKF, EKF], ids=["ukf", "ekf"])
@pytest.mark.parametrize("name", ["ncv", "nca", "ct", "ct_ecef", "ballistic_ecef_drag"])
def test_average_nees_inside_chi2_interval(name, filter_cls):
    nees, n = run_nees(name, filter_cls, seed=4242)
    ok, lo, hi = chi2_nees_test(nees, n)
    assert ok, (nees, lo, hi)


@pytest.mark.parametrize("p_scale", [4.0, 0.25])
@pytest.mark.parametrize("name", ["ncv", "ballistic_ecef_drag"])
def test_nees_test_rejects_a_wrongly_scaled_covariance(name, p_scale):
    """The same runs with the UKF's covariance stated 4x too large (NEES ~n/4) or too small (~4n)."""
    nees, n = run_nees(name, UKF, seed=4242, p_scale=p_scale)
    ok, lo, hi = chi2_nees_test(nees, n)
    assert not ok
    assert np.all(nees < lo) if p_scale > 1 else np.all(nees > hi), (nees, lo, hi)


def test_nees_detects_a_mismatched_filter():
    """The check has power: a CT filter with 100x too little process noise on the CT target fails it."""

    class Tight(UKF):
        def __init__(self, motion):
            super().__init__(CT(motion.q / 100.0, motion.q_omega / 100.0, "enu"))

    nees, n = run_nees("ct", Tight, seed=4242)
    ok, lo, hi = chi2_nees_test(nees, n)
    assert not ok
    assert nees.mean() > hi  # optimistic: too little process noise
