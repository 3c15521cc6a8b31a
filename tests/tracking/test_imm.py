"""IMM: manoeuvre detection on straight-turn-straight, reduction to one filter, likelihoods, mixing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from iadsim.tracking.filters import EKF, EKFState
from iadsim.tracking.imm import IMM, IMMState
from iadsim.tracking.measurements import SensorGeometry, h
from iadsim.tracking.motion import CT, NCA, NCV
from iadsim.tracking.ukf import UKF

COMPS = ("r", "az", "el")
R = np.diag([15.0**2, 1.5e-3**2, 1.5e-3**2])
GEOM = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS])


def straight_turn_straight(T=1.0, steps=100, turn=(30, 60), omega_deg=4.0):
    """Truth (steps, 6): 250 m/s level flight, a 4 deg/s left turn (17 m/s^2) from 30 s to 60 s."""
    ct = CT(0.0, 0.0, "enu")
    x = np.array([[-5e3, 25e3, 3e3, 250.0, 0.0, 0.0, 0.0]])
    out = []
    for k in range(steps):
        x[0, 6] = np.deg2rad(omega_deg) if turn[0] <= k < turn[1] else 0.0
        x = ct.f(x, T)
        out.append(x[0, :6].copy())
    return np.array(out)


def run_turn_scenario(seed=2024, N=50):
    """NCV alone vs IMM(NCV, CT) on :func:`straight_turn_straight`, N noise realizations (one batch).

    Returns position RMSE per scan of NCV and IMM (steps,) and the mean CT mode probability (steps,)."""
    truth = straight_turn_straight()
    rng = np.random.default_rng(seed)
    ncv = EKF(NCV(0.5, "enu"))
    p = 0.03
    imm = IMM([EKF(NCV(0.5, "enu")), UKF(CT(2.0, 1e-3, "enu"))], [[1 - p, p], [p, 1 - p]], [0.9, 0.1])
    P0 = np.broadcast_to(np.diag([50.0**2] * 3 + [10.0**2] * 3), (N, 6, 6)).copy()
    x0 = np.r_[-5e3, 25e3, 3e3, 250.0, 0, 0] + rng.normal(size=(N, 6)) * np.sqrt(np.diag(P0[0]))
    s1, s2 = ncv.initiate(x0, P0), imm.initiate(x0, P0)
    sensor = np.zeros(N, dtype=int)
    err1, err2, mu_ct = [], [], []
    for k in range(len(truth)):
        z = h(np.broadcast_to(truth[k], (N, 6)), GEOM, sensor, COMPS) + rng.normal(size=(N, 3)) * np.sqrt(
            np.diag(R))
        s1 = ncv.update(ncv.predict(s1, 1.0), z, R, GEOM, sensor, COMPS)
        s2 = imm.update(imm.predict(s2, 1.0), z, R, GEOM, sensor, COMPS)
        err1.append(np.sqrt(np.mean(np.sum((s1.x[:, :3] - truth[k, :3]) ** 2, axis=1))))
        err2.append(np.sqrt(np.mean(np.sum((s2.x[:, :3] - truth[k, :3]) ** 2, axis=1))))
        mu_ct.append(s2.mu[:, 1].mean())
        np.testing.assert_allclose(s2.mu.sum(axis=1), 1.0)
    return np.array(err1), np.array(err2), np.array(mu_ct)


def test_imm_ncv_ct_detects_turn_and_beats_ncv():
    err1, err2, mu_ct = run_turn_scenario()
    # CT probability low before the turn, high during it (after a few scans' lag), low again after
    assert mu_ct[10:30].max() < 0.3
    assert mu_ct[38:60].min() > 0.7
    assert mu_ct[70:].max() < 0.3
    # position RMSE during the turn: IMM much better than NCV alone; on the straight legs no worse than 25 %
    assert err2[30:60].mean() < 0.2 * err1[30:60].mean()
    assert err2[10:30].mean() < 1.25 * err1[10:30].mean()
    assert err2[70:].mean() < err1[70:].mean()


def test_imm_of_identical_modes_is_the_single_filter():
    rng = np.random.default_rng(5)
    N = 8
    ekf = EKF(NCV(3.0, "enu"))
    imm = IMM([EKF(NCV(3.0, "enu")), EKF(NCV(3.0, "enu"))], [[0.9, 0.1], [0.2, 0.8]], [0.3, 0.7])
    x0 = np.hstack([rng.uniform(5e3, 3e4, (N, 3)), rng.normal(0, 100, (N, 3))])
    P0 = np.broadcast_to(np.diag([100.0**2] * 3 + [30.0**2] * 3), (N, 6, 6)).copy()
    s1, s2 = ekf.initiate(x0, P0), imm.initiate(x0, P0)
    sensor = np.zeros(N, dtype=int)
    for _ in range(5):
        z = h(s1.x, GEOM, sensor, COMPS) + rng.normal(size=(N, 3)) * 30 * np.sqrt(np.diag(R))
        s1 = ekf.update(ekf.predict(s1, 2.0), z, R, GEOM, sensor, COMPS)
        s2 = imm.update(imm.predict(s2, 2.0), z, R, GEOM, sensor, COMPS)
        np.testing.assert_allclose(s2.x, s1.x, rtol=1e-10, atol=1e-8)
        np.testing.assert_allclose(s2.P, s1.P, rtol=1e-8, atol=1e-8)
    # equal likelihoods: mode probabilities follow the Markov chain alone, mu' = mu Pi
    mu = np.array([0.3, 0.7])
    for _ in range(5):
        mu = mu @ imm.transition
    np.testing.assert_allclose(s2.mu, np.broadcast_to(mu, (N, 2)), rtol=1e-10)


def test_log_likelihoods_and_mode_update_match_scipy():
    rng = np.random.default_rng(11)
    N = 4
    imm = IMM([EKF(NCV(1.0, "enu")), UKF(CT(10.0, 1e-3, "enu"))], [[0.95, 0.05], [0.1, 0.9]], [0.6, 0.4])
    x0 = np.hstack([rng.uniform(5e3, 3e4, (N, 3)), rng.normal(0, 100, (N, 3))])
    P0 = np.broadcast_to(np.diag([100.0**2] * 3 + [30.0**2] * 3), (N, 6, 6)).copy()
    s = imm.predict(imm.initiate(x0, P0), 3.0)
    sensor = np.zeros(N, dtype=int)
    z = h(s.x, GEOM, sensor, COMPS) + rng.normal(size=(N, 3)) * np.sqrt(np.diag(R))
    ll = imm.log_likelihoods(s, z, R, GEOM, sensor, COMPS)
    for j, f in enumerate(imm.filters):
        zhat, S0 = f.predicted_measurement(s.modes[j], GEOM, sensor, COMPS)
        for m in range(N):
            y = z[m] - zhat[m]
            ref = multivariate_normal(mean=np.zeros(3), cov=S0[m] + R).logpdf(y)
            np.testing.assert_allclose(ll[m, j], ref, rtol=1e-10)
    s2 = imm.update(s, z, R, GEOM, sensor, COMPS)
    w = np.exp(ll) * s.mu
    np.testing.assert_allclose(s2.mu, w / w.sum(axis=1, keepdims=True), rtol=1e-9)


def test_unequal_dimension_mixing_keeps_extras_of_the_receiving_mode():
    imm = IMM([EKF(NCV(1.0, "enu")), EKF(CT(1.0, 1e-4, "enu")), EKF(NCA(0.1, "enu"))],
              np.full((3, 3), 1 / 3), [1 / 3] * 3)
    x6 = np.array([[1e4, 2e4, 3e3, 100.0, 50.0, 0.0]])
    P6 = np.diag([100.0**2] * 3 + [10.0**2] * 3)[None]
    s = imm.initiate(x6, P6)
    modes = list(s.modes)
    modes[1] = EKFState(np.r_[x6[0] + 10.0, 0.05][None], s.modes[1].P)   # CT with a turn rate
    modes[2] = EKFState(np.r_[x6[0] - 10.0, 1.0, 2.0, 3.0][None], s.modes[2].P)
    s = IMMState(s.x, s.P, s.mu, tuple(modes))
    mixed, cbar = imm.mix(s)
    np.testing.assert_allclose(cbar, [[1 / 3] * 3])
    assert [m.x.shape[1] for m in mixed] == [6, 7, 9]
    # NCV and NCA lack omega: filled with CT's own value, so the mixed turn rate is not pulled to 0
    np.testing.assert_allclose(mixed[1].x[0, 6], 0.05)
    np.testing.assert_allclose(mixed[2].x[0, 6:], [1.0, 2.0, 3.0])
    np.testing.assert_allclose(mixed[0].x[0], x6[0])   # (x+10 + x-10 + x) / 3
    # spread of the means enters the mixed covariance: 2/3 * 100 m^2 on every position/velocity axis
    np.testing.assert_allclose(mixed[0].P[0, 0, 0], 100.0**2 + 200.0 / 3)
    for m in mixed:
        assert np.all(np.linalg.eigvalsh(m.P) > 0)


def test_take_concat_and_validation():
    imm = IMM([EKF(NCV(1.0, "enu")), UKF(CT(1.0, 1e-4, "enu"))], [[0.9, 0.1], [0.1, 0.9]], [0.5, 0.5])
    x = np.arange(18.0).reshape(3, 6) * 100
    s = imm.initiate(x, np.broadcast_to(np.eye(6) * 100.0, (3, 6, 6)).copy())
    t = IMMState.concat([s.take(np.array([2])), s.take(np.array([0, 1]))])
    np.testing.assert_array_equal(t.x, s.x[[2, 0, 1]])
    np.testing.assert_array_equal(t.modes[1].x, s.modes[1].x[[2, 0, 1]])
    assert imm.model_names == ("ncv", "ct")
    with pytest.raises(ValueError):
        IMM([EKF(NCV(1.0))], [[0.5]], [1.0])
    with pytest.raises(ValueError):
        IMM([EKF(NCV(1.0)), EKF(NCV(1.0))], [[0.9, 0.1], [0.1, 0.9]], [0.5])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), dt=st.floats(0.1, 15.0))
def test_imm_covariances_stay_spd(seed, dt):
    rng = np.random.default_rng(seed)
    N = 5
    imm = IMM([EKF(NCV(1.0, "enu")), UKF(CT(5.0, 1e-3, "enu")), EKF(NCA(0.5, "enu"))],
              [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]], [0.8, 0.1, 0.1])
    x0 = np.hstack([rng.uniform(5e3, 5e4, (N, 3)), rng.normal(0, 300, (N, 3))])
    P0 = np.broadcast_to(np.diag([200.0**2] * 3 + [50.0**2] * 3), (N, 6, 6)).copy()
    s = imm.initiate(x0, P0)
    sensor = np.zeros(N, dtype=int)
    for _ in range(4):
        s = imm.predict(s, dt)
        zhat, S0 = imm.predicted_measurement(s, GEOM, sensor, COMPS)
        assert np.all(np.linalg.eigvalsh(S0) > 0)
        z = zhat + rng.normal(size=(N, 3)) * np.sqrt(np.diag(R)) * rng.uniform(0.1, 5.0)
        s = imm.update(s, z, R, GEOM, sensor, COMPS)
        for P in [s.P] + [m.P for m in s.modes]:
            np.testing.assert_allclose(P, np.swapaxes(P, 1, 2), rtol=1e-12, atol=1e-9)
            assert np.all(np.linalg.eigvalsh(P) > 0)
        assert np.all(s.mu >= 0) and np.allclose(s.mu.sum(axis=1), 1.0)


def test_time_dependent_transition_matrix():
    P = np.array([[0.95, 0.05], [0.1, 0.9]])
    imm = IMM([EKF(NCV(1.0, "enu")), EKF(NCV(1.0, "enu"))], P, [0.5, 0.5], dt_ref=2.0)
    Pis = imm.transition_matrix(np.array([0.0, 2.0, 20.0, 1e4]), 4)
    np.testing.assert_allclose(Pis[0], np.eye(2), atol=1e-15)
    np.testing.assert_allclose(Pis.sum(axis=2), 1.0)
    assert np.all(Pis >= 0)
    # over dt_ref it is close to Pi (first order in the switching probabilities)
    np.testing.assert_allclose(Pis[1], P, atol=0.01)
    # the chain semigroup property Pi(a + b) = Pi(a) Pi(b)
    Pa, Pb = imm.transition_matrix(2.0, 1)[0], imm.transition_matrix(3.0, 1)[0]
    np.testing.assert_allclose(imm.transition_matrix(5.0, 1)[0], Pa @ Pb, rtol=1e-12)
    # long horizon: the stationary distribution of the generator, pi G = 0 -> pi = (2/3, 1/3)
    np.testing.assert_allclose(Pis[3], [[2 / 3, 1 / 3]] * 2, rtol=1e-9)
    # a zero-length prediction leaves the mode probabilities unchanged
    s = imm.initiate(np.ones((1, 6)), np.eye(6)[None])
    s.mu[:] = [[0.8, 0.2]]
    np.testing.assert_allclose(imm.predict(s, 0.0).mu, [[0.8, 0.2]])
    np.testing.assert_allclose(imm.predict(s, 2.0).mu, [[0.8, 0.2]] @ Pis[1])
    with pytest.raises(ValueError):
        IMM([EKF(NCV(1.0))] * 2, P, [0.5, 0.5], dt_ref=0.0)


def test_imm_ncv_ballistic_ecef_mode_probability_separates_ballistic_from_aircraft():
    """Gravity-only motion is recognized by the ballistic mode; lift-supported level flight by NCV."""
    from iadsim.frames import enu_rotation, geodetic2ecef
    from iadsim.tracking.classify import CLASSES, classify
    from iadsim.tracking.motion import Ballistic

    sig = np.array([20.0, 1e-3, 1e-3])
    Rm = np.diag(sig**2)
    lat, lon = 0.6, 0.2
    site, C = geodetic2ecef(lat, lon, 0.0), enu_rotation(lat, lon)
    geom = SensorGeometry(site[None], C[None], [COMPS])
    N, T, rng = 30, 2.0, np.random.default_rng(3)
    vacuum = Ballistic(0.0, "ecef")
    imm = IMM([EKF(NCV(1.0, "ecef")), EKF(Ballistic(1.0, "ecef"))], [[0.98, 0.02], [0.02, 0.98]],
              [0.5, 0.5], dt_ref=T)
    # 700 m/s at 60 km: below the 900 m/s ballistic speed edge
    targets = {"ballistic": (np.r_[site + C.T @ [60e3, 40e3, 60e3], C.T @ [-600.0, -300.0, -200.0]],
                             lambda x: vacuum.f(x, T)),
               "aircraft": (np.r_[site + C.T @ [-40e3, 30e3, 9e3], C.T @ [250.0, 0.0, 0.0]],
                            lambda x: NCV(0.0, "ecef").f(x, T))}
    for name, (x0, propagate) in targets.items():
        x = np.broadcast_to(x0, (N, 6)).copy()
        P0 = np.broadcast_to(np.diag([200.0**2] * 3 + [50.0**2] * 3), (N, 6, 6)).copy()
        s = imm.initiate(x + rng.normal(size=(N, 6)) * np.sqrt(np.diag(P0[0])), P0)
        sensor = np.zeros(N, dtype=int)
        mu_b = []
        for _ in range(30):
            x = propagate(x)
            z = h(x, geom, sensor, COMPS) + rng.normal(size=(N, 3)) * sig
            s = imm.update(imm.predict(s, T), z, Rm, geom, sensor, COMPS)
            mu_b.append(s.mu[:, 1].mean())
        cls, conf = classify(s.x, s.P, "ecef", s.mu, imm.model_names)
        if name == "ballistic":
            assert min(mu_b[10:]) > 0.9
        else:
            assert max(mu_b[10:]) < 0.1
        assert np.all(cls == CLASSES.index(name)), (name, cls, conf)
        # the IMM evidence raises the confidence over kinematics alone
        assert conf.mean() > classify(s.x, s.P, "ecef")[1].mean()
