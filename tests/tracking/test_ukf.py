"""UKF: exactness on linear models, Riccati steady state, azimuth wrap, SPD covariances."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import solve_discrete_are

from iadsim.tracking.filters import EKF, EKFState
from iadsim.tracking.measurements import SensorGeometry, h
from iadsim.tracking.motion import CT, NCA, NCV
from iadsim.tracking.ukf import UKF, UKFState, sigma_points, sigma_weights

SEED = 7331


def random_spd(rng, n, scale=1.0):
    A = rng.normal(size=(n, n))
    return scale * (A @ A.T + n * np.eye(n))


def test_sigma_points_reproduce_mean_and_covariance():
    rng = np.random.default_rng(SEED)
    for n, (alpha, beta, kappa) in [(6, (1.0, 2.0, 0.0)), (7, (0.5, 2.0, 0.0)), (9, (1.0, 0.0, 3.0 - 9))]:
        Wm, Wc, c = sigma_weights(n, alpha, beta, kappa)
        np.testing.assert_allclose(Wm.sum(), 1.0)
        x = rng.normal(size=(3, n))
        P = np.stack([random_spd(rng, n) for _ in range(3)])
        X = sigma_points(x, P, c)
        assert X.shape == (3, 2 * n + 1, n)
        xm = np.einsum("k,mki->mi", Wm, X)
        D = X - x[:, None]
        # the unscented covariance with Wm equals P exactly (Wc differs only in the central weight, D_0 = 0)
        Pm = np.einsum("k,mki,mkj->mij", Wm, D, D)
        np.testing.assert_allclose(xm, x, atol=1e-12)
        np.testing.assert_allclose(Pm, P, rtol=1e-10)


def test_ukf_predict_equals_kalman_on_linear_models():
    rng = np.random.default_rng(SEED)
    for motion in (NCV(2.0, "enu"), NCA(0.3, "enu")):
        n = motion.n
        x = rng.normal(0, 100, size=(4, n))
        P = np.stack([random_spd(rng, n) for _ in range(4)])
        dt = np.array([0.1, 1.0, 2.5, 10.0])
        s = UKF(motion).predict(UKFState(x, P), dt)
        F = motion.F(x, dt)
        np.testing.assert_allclose(s.x, np.einsum("mij,mj->mi", F, x), rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(s.P, F @ P @ np.swapaxes(F, 1, 2) + motion.Q(x, dt), rtol=1e-10)


def test_ukf_linear_position_measurements_reach_riccati_steady_state():
    """NCV + linear position measurements: the UKF is the KF, its gain converges to the DARE gain."""
    T, q, sigma = 1.0, 4.0, 25.0
    motion = NCV(q, "enu")
    ukf = UKF(motion)
    rng = np.random.default_rng(SEED)
    Hm = np.hstack([np.eye(3), np.zeros((3, 3))])
    R = sigma**2 * np.eye(3)
    s = UKFState(rng.normal(0, 10, (1, 6)), np.eye(6)[None] * 1e6)
    for _ in range(300):
        s = ukf.predict(s, T)
        Ppred = s.P[0].copy()
        s = ukf.update_with(s, rng.normal(0, 10, (1, 3)), R, lambda X: X[:, :3])
    F, Q = motion.F(s.x, T)[0], motion.Q(s.x, T)[0]
    Pinf = solve_discrete_are(F.T, Hm.T, Q, R)  # steady-state *predicted* covariance
    np.testing.assert_allclose(Ppred, Pinf, rtol=1e-8, atol=1e-9)
    K_ukf = Ppred @ Hm.T @ np.linalg.inv(Hm @ Ppred @ Hm.T + R)
    K_are = Pinf @ Hm.T @ np.linalg.inv(Hm @ Pinf @ Hm.T + R)
    np.testing.assert_allclose(K_ukf, K_are, rtol=1e-8, atol=1e-12)
    # the axes decouple: the per-axis alpha-beta gains (BLK2001 sec. 6.5) are a fixed point of the
    # two-state Riccati recursion of one axis
    alpha, beta = K_are[0, 0], K_are[3, 0] * T
    P1 = Pinf[np.ix_([0, 3], [0, 3])]
    F1 = np.array([[1, T], [0, 1]])
    Q1 = q * np.array([[T**3 / 3, T**2 / 2], [T**2 / 2, T]])
    K1 = np.array([alpha, beta / T])
    Pu = (np.eye(2) - np.outer(K1, [1, 0])) @ P1
    np.testing.assert_allclose(F1 @ Pu @ F1.T + Q1, P1, rtol=1e-8)
    assert 0 < alpha < 1 and 0 < beta < 2


def test_azimuth_mean_wraps_across_north():
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [("r", "az", "el")])
    comps = ("r", "az", "el")
    # target due north, 20 km, 1 km cross-range uncertainty: sigma points on both sides of az = 0
    x = np.array([[0.0, 20e3, 1e3, 0.0, 0.0, 0.0]])
    P = np.diag([1e3**2, 10.0**2, 10.0**2, 1.0, 1.0, 1.0])[None]
    zhat, S = UKF(NCV(1.0, "enu")).predicted_measurement(UKFState(x, P), geom, np.array([0]), comps)
    az = zhat[0, 1]
    assert min(az, 2 * np.pi - az) < 1e-3
    # sigma_az ~ 1 km / 20 km = 0.05 rad (a wrap bug would give ~pi)
    assert 0.04 < np.sqrt(S[0, 1, 1]) < 0.06
    # the EKF agrees to first order
    zh_e, S_e = EKF(NCV(1.0, "enu")).predicted_measurement(EKFState(x, P), geom, np.array([0]), comps)
    np.testing.assert_allclose(np.sqrt(S[0, 1, 1]), np.sqrt(S_e[0, 1, 1]), rtol=0.05)


def test_update_across_north_moves_estimate_the_short_way():
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [("r", "az")])
    comps = ("r", "az")
    x = np.array([[-100.0, 10e3, 0.0, 0.0, 0.0, 0.0]])  # az just below 2 pi
    P = np.diag([200.0**2, 200.0**2, 1.0, 10.0, 10.0, 1.0])[None]
    z = np.array([[10e3, 0.005]])                       # just east of north
    ukf = UKF(NCV(1.0, "enu"))
    s = ukf.update(UKFState(x, P), z, np.diag([10.0**2, 0.002**2]), geom, np.array([0]), comps)
    # the east coordinate moves from -100 m to about +50 m, not around the circle
    assert 0.0 < s.x[0, 0] < 100.0
    assert abs(s.x[0, 1] - 10e3) < 50.0


def test_initiate_uses_model_prior():
    ukf = UKF(CT(1.0, 1e-4, "enu", sigma_omega0=0.2))
    s = ukf.initiate(np.ones((2, 6)), np.broadcast_to(np.eye(6), (2, 6, 6)))
    assert s.x.shape == (2, 7) and s.P[0, 6, 6] == 0.2**2 and s.x[1, 6] == 0.0
    both = UKFState.concat([s, s.take(np.array([1]))])
    assert len(both) == 3


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), dt=st.floats(0.05, 20.0))
def test_predict_update_keep_covariance_spd(seed, dt):
    rng = np.random.default_rng(seed)
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [("r", "az", "el", "rdot")])
    comps = ("r", "az", "el", "rdot")
    motion = CT(1.0, 1e-4, "enu")
    x = np.hstack([rng.uniform(-5e4, 5e4, (3, 2)), rng.uniform(100, 1e4, (3, 1)),
                   rng.normal(0, 200, (3, 3)), rng.normal(0, 0.05, (3, 1))])
    P = np.stack([random_spd(rng, 7, scale=rng.uniform(1e-2, 1e3)) for _ in range(3)])
    for filt in (UKF(motion), EKF(motion)):
        s = filt.predict(EKFState(x, P), dt)
        zhat = h(s.x, geom, np.zeros(3, int), comps)
        R = np.diag([20.0**2, 1e-3**2, 1e-3**2, 2.0**2])
        s = filt.update(s, zhat + rng.normal(0, 1, zhat.shape) * np.sqrt(np.diag(R)), R, geom,
                        np.zeros(3, int), comps)
        np.testing.assert_allclose(s.P, np.swapaxes(s.P, 1, 2))
        assert np.all(np.linalg.eigvalsh(s.P) > 0)


def test_ukf_steady_state_gains_match_kalata_alpha_beta():
    """Kalata (1984) / BLK2001 sec. 6.5: for the discrete white-noise acceleration model (acceleration
    variance sigma_v^2 constant over each interval, Q = sigma_v^2 [[T^4/4, T^3/2], [T^3/2, T^2]] per axis)
    and position measurements of standard deviation sigma_w, the steady-state gains are, with the
    tracking index lambda = sigma_v T^2 / sigma_w,
        alpha = -(lambda^2 + 8 lambda - (lambda + 4) sqrt(lambda^2 + 8 lambda)) / 8
        beta  =  (lambda^2 + 4 lambda - lambda sqrt(lambda^2 + 8 lambda)) / 4."""

    class DWNA(NCV):
        def __init__(self, sigma_v):
            super().__init__(0.0, "enu")
            self.sigma_v = sigma_v

        def Q(self, x, dt):
            T = np.broadcast_to(np.asarray(dt, float), (np.asarray(x).shape[0],))
            g = np.stack([T**2 / 2, T], axis=-1)                       # (M, 2)
            Q1 = self.sigma_v**2 * g[:, :, None] * g[:, None, :]      # (M, 2, 2)
            Q = np.zeros((T.shape[0], 6, 6))
            for i in range(3):
                Q[:, i, i], Q[:, i, i + 3] = Q1[:, 0, 0], Q1[:, 0, 1]
                Q[:, i + 3, i], Q[:, i + 3, i + 3] = Q1[:, 1, 0], Q1[:, 1, 1]
            return Q

    for T, sigma_v, sigma_w in [(1.0, 2.0, 30.0), (4.0, 5.0, 10.0), (0.5, 20.0, 5.0)]:
        ukf = UKF(DWNA(sigma_v))
        s = UKFState(np.zeros((1, 6)), np.eye(6)[None] * 1e8)
        R = sigma_w**2 * np.eye(3)
        for _ in range(400):
            s = ukf.predict(s, T)
            Ppred = s.P[0]
            s = ukf.update_with(s, np.zeros((1, 3)), R, lambda X: X[:, :3])
        K = Ppred[:, :3] @ np.linalg.inv(Ppred[:3, :3] + R)
        lam = sigma_v * T**2 / sigma_w
        r = np.sqrt(lam**2 + 8 * lam)
        alpha = -(lam**2 + 8 * lam - (lam + 4) * r) / 8
        beta = (lam**2 + 4 * lam - lam * r) / 4
        np.testing.assert_allclose(np.diag(K[:3]), alpha, rtol=1e-7)
        np.testing.assert_allclose(np.diag(K[3:6]) * T, beta, rtol=1e-7)
