"""EKF + NCV inside the tracker: NEES consistency over Monte Carlo runs, Joseph-form properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

from iadsim.frames import enu_rotation, geodetic2ecef
from iadsim.metrics.tracking import nees
from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig, h
from iadsim.tracking.motion import NCV

COMPS = ("r", "az", "el", "rdot")
SIG = np.array([25.0, 2e-3, 2e-3, 2.0])


RUNS = 60
#: scans after the one-point initiation left out of the consistency test. The first update linearizes
#: the range rate at the initiation's zero velocity; the neglected term (v . dp) / r (150 m/s x 300 m /
#: 40 km ~ 1 m/s) is of the order of sigma_rdot = 2 m/s, so the run-averaged NEES of that update is
#: ~9.3 (ENU) / ~9.0 (ECEF) instead of 6 and ~7 one scan later. Without range rate it is 6.5.
BURN_IN = 3


def chi2_nees_test(eps, n, alpha=0.05):
    """Two-sided chi-square test of filter consistency on the NEES of ``N`` Monte Carlo runs.

    ``eps (N, K)``: NEES of each run at each of ``K`` steps. Under consistency the N-run average at step
    ``k`` satisfies ``N avg_k ~ chi2(N n)`` (BLK2001 sect. 5.4.2). Every step is tested two-sided at level
    ``alpha / K`` (Bonferroni), so the whole test rejects a consistent filter with probability at most
    ``alpha`` (here 5 %). Returns ``(accepted, avg (K,), lo, hi)``.
    """
    N, K = eps.shape
    a = alpha / K
    lo, hi = chi2.ppf([a / 2, 1 - a / 2], N * n) / N
    avg = eps.mean(axis=0)
    return bool(np.all((avg >= lo) & (avg <= hi))), avg, lo, hi


def _run(seed, frame, steps=25, T=2.0, q=4.0, sig_v=150.0, p_scale=1.0):
    """One target following the NCV model exactly (truth process noise = filter's), Pd = 1, no clutter.

    Returns the NEES of each scan with the track covariance multiplied by ``p_scale`` (1: the filter as
    it is; otherwise a deliberately mis-stated covariance)."""
    rng = np.random.default_rng(seed)
    model = NCV(q, frame)
    if frame == "enu":
        geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
        p = np.array([20e3, 35e3, 6e3])
        lift = np.zeros(3)
    else:
        C = enu_rotation(0.6, 0.2)
        p0 = geodetic2ecef(0.6, 0.2, 0.0)
        geom = SensorGeometry(p0[None], C[None], [COMPS])
        p = p0 + C.T @ np.array([20e3, 35e3, 6e3])
        lift = np.zeros(3)
    x = np.concatenate([p, rng.normal(0, sig_v, 3) + lift])[None]
    trk = Tracker(geom, EKF(model), TrackerConfig(v_max=2 * sig_v, confirm_m=2, confirm_n=3,
                                                  gate_probability=1 - 1e-7))
    R = np.diag(SIG**2)
    out = []
    for k in range(steps):
        if k:
            x = model.f(x, T) + rng.multivariate_normal(np.zeros(6), model.Q(x, T)[0])[None]
        z = h(x, geom, 0, COMPS) + rng.normal(size=(1, 4)) * SIG
        trk.step(k * T, 0, z, R)
        tab = trk.all_tracks()
        assert tab.id[0] == 1 and tab.last_update[0] == k * T   # never loses its detection
        out.append(nees(x[0], tab.x[0], p_scale * tab.P[0]))
    assert len(trk.confirmed()) == 1
    return np.array(out)


@pytest.mark.parametrize("frame,base", [("enu", 0), ("ecef", 100)])
def test_average_nees_inside_chi2_interval(frame, base):
    """60 seeded runs, 25 scans: the run-averaged NEES of every scan after the initiation transient
    (``BURN_IN``) lies in its two-sided chi-square interval at a family-wise 95 % level."""
    eps = np.array([_run(base + s, frame) for s in range(RUNS)])   # (runs, steps)
    ok, avg, lo, hi = chi2_nees_test(eps[:, BURN_IN:], 6)
    assert ok, (avg, lo, hi)
    assert 0.9 * 6 < avg.mean() < 1.1 * 6  # time average 5.90 (ENU), 5.97 (ECEF) measured


@pytest.mark.parametrize("p_scale", [4.0, 0.25])
@pytest.mark.parametrize("frame,base", [("enu", 0), ("ecef", 100)])
def test_nees_test_rejects_a_wrong_covariance(frame, base, p_scale):
    """The same runs with the track covariance stated 4x too large (NEES ~1.5) or 4x too small
    (NEES ~24): the test rejects both."""
    eps = np.array([_run(base + s, frame, p_scale=p_scale) for s in range(RUNS)])
    ok, avg, lo, hi = chi2_nees_test(eps[:, BURN_IN:], 6)
    assert not ok
    # and not by one stray step: every step is outside on the expected side
    assert np.all(avg < lo) if p_scale > 1 else np.all(avg > hi), (avg, lo, hi)


def test_ekf_update_reduces_to_kalman_gain_formula():
    """One update against the textbook gain form P+ = P - K S K^T (equal to Joseph at the optimal K)."""
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
    ekf = EKF(NCV(1.0, "enu"))
    rng = np.random.default_rng(5)
    A = rng.normal(size=(6, 6))
    P = A @ A.T * 100 + np.eye(6)
    s = ekf.initiate(np.array([[5e3, 7e3, 1e3, 50, -20, 3]]), P[None])
    from iadsim.tracking.measurements import H as Hfun
    from iadsim.tracking.measurements import residual
    Hm = Hfun(s.x, geom, 0, COMPS)[0]
    R = np.diag(SIG**2)
    z = h(s.x, geom, 0, COMPS) + SIG * 0.5
    S = Hm @ P @ Hm.T + R
    K = P @ Hm.T @ np.linalg.inv(S)
    x_ref = s.x[0] + K @ residual(z, h(s.x, geom, 0, COMPS), COMPS)[0]
    P_ref = P - K @ S @ K.T
    u = ekf.update(s, z, R, geom, np.zeros(1, int), COMPS)
    np.testing.assert_allclose(u.x[0], x_ref, rtol=1e-10)
    np.testing.assert_allclose(u.P[0], P_ref, rtol=1e-7, atol=1e-9)
    zhat, S0 = ekf.predicted_measurement(s, geom, np.zeros(1, int), COMPS)
    np.testing.assert_allclose(S0[0] + R, S, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(1e-2, 1e6))
def test_covariance_stays_symmetric_psd(seed, scale):
    rng = np.random.default_rng(seed)
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
    ekf = EKF(NCV(3.0, "enu"))
    A = rng.normal(size=(4, 6, 6))
    P = A @ np.swapaxes(A, 1, 2) * scale
    x = np.concatenate([rng.uniform(2e3, 9e4, (4, 3)), rng.normal(0, 200, (4, 3))], 1)
    s = ekf.initiate(x, P)
    for _ in range(5):
        s = ekf.predict(s, np.full(4, 1.5))
        z = h(s.x, geom, 0, COMPS) + rng.normal(size=(4, 4)) * SIG
        s = ekf.update(s, z, np.diag(SIG**2), geom, np.zeros(4, int), COMPS)
        np.testing.assert_allclose(s.P, np.swapaxes(s.P, 1, 2), rtol=0, atol=0)
        assert np.all(np.linalg.eigvalsh(s.P) > -1e-9 * np.abs(s.P).max())


def test_pda_update_reference():
    """PDA update against the textbook formula for one track; beta = 1 reduces to the EKF update."""
    from iadsim.tracking.measurements import H as Hfun
    from iadsim.tracking.measurements import residual
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])
    ekf = EKF(NCV(1.0, "enu"))
    rng = np.random.default_rng(8)
    A = rng.normal(size=(6, 6))
    P = A @ A.T * 50 + np.eye(6)
    s = ekf.initiate(np.array([[5e3, 7e3, 1e3, 50, -20, 3]]), P[None])
    R = np.diag(SIG**2)
    zs = h(s.x, geom, 0, COMPS) + rng.normal(size=(3, 4)) * SIG * 2
    beta = np.array([0.5, 0.2, 0.1])
    u = ekf.update_pda(s, np.zeros(3, int), zs, beta, R, geom, np.zeros(1, int), COMPS)
    Hm = Hfun(s.x, geom, 0, COMPS)[0]
    S = Hm @ P @ Hm.T + R
    K = P @ Hm.T @ np.linalg.inv(S)
    ys = residual(zs, h(s.x, geom, 0, COMPS), COMPS)
    y = beta @ ys
    spread = sum(b * np.outer(v, v) for b, v in zip(beta, ys, strict=True)) - np.outer(y, y)
    b0 = 1 - beta.sum()
    P_ref = b0 * P + (1 - b0) * (P - K @ S @ K.T) + K @ spread @ K.T
    np.testing.assert_allclose(u.x[0], s.x[0] + K @ y, rtol=1e-10)
    np.testing.assert_allclose(u.P[0], P_ref, rtol=1e-7, atol=1e-8)
    one = ekf.update_pda(s, np.zeros(1, int), zs[:1], np.ones(1), R, geom, np.zeros(1, int), COMPS)
    ref = ekf.update(s, zs[:1], R, geom, np.zeros(1, int), COMPS)
    np.testing.assert_allclose(one.x, ref.x, rtol=1e-10)
    np.testing.assert_allclose(one.P, ref.P, rtol=1e-6, atol=1e-8)
