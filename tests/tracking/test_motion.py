"""Motion models: textbook matrices, Van Loan discretization, ODE references, finite-difference Jacobians."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from iadsim.frames import GM_EARTH, ecef2geodetic, geodetic2ecef
from iadsim.tracking.motion import (
    CT,
    NCA,
    NCV,
    Ballistic,
    altitude,
    exponential_density,
    gravity,
    up,
    us1976_density,
)

RNG_SEED = 20260511


def van_loan_Q(A, L, Qc, T):
    """Exact discrete Q = int_0^T e^{A s} L Qc L^T e^{A^T s} ds (Van Loan, IEEE TAC 23(3), 1978)."""
    n = A.shape[0]
    Mx = np.zeros((2 * n, 2 * n))
    Mx[:n, :n] = -A
    Mx[:n, n:] = L @ Qc @ L.T
    Mx[n:, n:] = A.T
    E = expm(Mx * T)
    Phi = E[n:, n:].T
    return Phi @ E[:n, n:], Phi


def fd_jacobian(model, x, dt, eps):
    n = x.shape[1]
    J = np.zeros((x.shape[0], n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = eps[j]
        J[:, :, j] = (model.f(x + e, dt) - model.f(x - e, dt)) / (2 * eps[j])
    return J


def test_ncv_matches_textbook_and_van_loan():
    m = NCV(q=2.5, frame="enu")
    x = np.random.default_rng(RNG_SEED).normal(size=(3, 6))
    T = np.array([0.5, 1.0, 7.0])
    F, Q = m.F(x, T), m.Q(x, T)
    A = np.zeros((6, 6))
    A[0:3, 3:6] = np.eye(3)
    L = np.zeros((6, 3))
    L[3:6] = np.eye(3)
    for k in range(3):
        Qref, Phi = van_loan_Q(A, L, 2.5 * np.eye(3), T[k])
        np.testing.assert_allclose(F[k], Phi, atol=1e-12)
        np.testing.assert_allclose(Q[k], Qref, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(m.f(x, T)[k], F[k] @ x[k], atol=1e-12)
    # BLK2001 eq. 6.2.2-12, one axis, T = 7: [[T^3/3, T^2/2], [T^2/2, T]] q
    np.testing.assert_allclose(Q[2][np.ix_([0, 3], [0, 3])], 2.5 * np.array([[343 / 3, 24.5], [24.5, 7]]))


def test_nca_matches_van_loan():
    m = NCA(q=0.3, frame="ecef")
    x = np.random.default_rng(RNG_SEED).normal(size=(2, 9))
    T = np.array([0.25, 4.0])
    A = np.zeros((9, 9))
    A[0:3, 3:6] = np.eye(3)
    A[3:6, 6:9] = np.eye(3)
    L = np.zeros((9, 3))
    L[6:9] = np.eye(3)
    F, Q = m.F(x, T), m.Q(x, T)
    for k in range(2):
        Qref, Phi = van_loan_Q(A, L, 0.3 * np.eye(3), T[k])
        np.testing.assert_allclose(F[k], Phi, atol=1e-12)
        np.testing.assert_allclose(Q[k], Qref, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(m.f(x, T)[k], F[k] @ x[k], atol=1e-12)


def test_ct_matches_ode_enu_and_ecef():
    rng = np.random.default_rng(RNG_SEED)
    for frame in ("enu", "ecef"):
        m = CT(q=1.0, q_omega=1e-4, frame=frame)
        origin = geodetic2ecef(0.6, -1.2, 8000.0) if frame == "ecef" else np.zeros(3)
        x = np.hstack([origin + rng.normal(0, 1e4, (3, 3)), rng.normal(0, 200, (3, 3)),
                       np.array([[0.05], [-0.2], [1e-9]])])
        T = np.array([3.0, 10.0, 2.0])
        xp = m.f(x, T)
        for k in range(3):
            u = up(x[k:k + 1, :3], frame)[0]
            w = x[k, 6]

            def rhs(t, y, u=u, w=w):
                return np.concatenate([y[3:6], w * np.cross(u, y[3:6])])

            sol = solve_ivp(rhs, (0, T[k]), x[k, :6], method="DOP853", rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(xp[k, :6], sol.y[:, -1], rtol=0, atol=1e-6)
            # speed and vertical speed preserved, turn rate unchanged
            np.testing.assert_allclose(np.linalg.norm(xp[k, 3:6]), np.linalg.norm(x[k, 3:6]), rtol=1e-12)
            np.testing.assert_allclose(xp[k, 3:6] @ u, x[k, 3:6] @ u, atol=1e-9)
            assert xp[k, 6] == x[k, 6]


def test_ct_full_circle_and_ncv_limit():
    m = CT(q=1.0, q_omega=0.0, frame="enu")
    w = np.deg2rad(3.0)
    x = np.array([[1000.0, 2000.0, 500.0, 0.0, 150.0, 2.0, w], [0, 0, 0, 100.0, 0, 0, 0.0]])
    T = np.array([2 * np.pi / w, 5.0])
    xp = m.f(x, T)
    # one full period: horizontal position returns, vertical advances by v_u T (left turn: +omega)
    np.testing.assert_allclose(xp[0, :2], x[0, :2], atol=1e-8)
    np.testing.assert_allclose(xp[0, 2], 500.0 + 2.0 * T[0])
    np.testing.assert_allclose(xp[1, :6], NCV(1.0).f(x[1:, :6], 5.0)[0], atol=1e-12)
    # quarter turn from heading north with omega > 0 ends heading west (counter-clockwise from above)
    xq = m.f(x[:1], np.pi / 2 / w)
    np.testing.assert_allclose(xq[0, 3:5], [-150.0, 0.0], atol=1e-9)


@pytest.mark.parametrize("frame", ["enu", "ecef"])
def test_ct_jacobian_finite_difference(frame):
    rng = np.random.default_rng(RNG_SEED)
    m = CT(q=1.0, q_omega=1e-4, frame=frame)
    origin = geodetic2ecef(0.3, 0.4, 2000.0) if frame == "ecef" else np.zeros(3)
    x = np.hstack([origin + rng.normal(0, 2e4, (5, 3)), rng.normal(0, 200, (5, 3)),
                   np.array([[0.0], [1e-7], [0.03], [-0.1], [0.4]])])
    T = np.array([1.0, 2.0, 3.0, 4.0, 0.5])
    J = m.F(x, T)
    # ECEF coordinates are ~6.4e6 m: larger steps keep the round-off of the central difference small
    eps = [1e-1] * 3 + [1e-3] * 3 + [1e-6] if frame == "enu" else [10.0] * 3 + [0.5] * 3 + [1e-4]
    Jfd = fd_jacobian(m, x, T, eps)
    scale = np.abs(Jfd) + np.abs(J) + 1.0
    assert np.max(np.abs(J - Jfd) / scale) < 1e-6


def test_ballistic_vacuum_enu_is_parabola():
    m = Ballistic(q=0.1, frame="enu")
    x = np.array([[0.0, 0.0, 1000.0, 300.0, -100.0, 500.0]])
    T = 37.0
    xp = m.f(x, T)
    g = np.array([0, 0, -9.80665])
    np.testing.assert_allclose(xp[0, :3], x[0, :3] + x[0, 3:6] * T + 0.5 * g * T**2, atol=1e-8)
    np.testing.assert_allclose(xp[0, 3:6], x[0, 3:6] + g * T, atol=1e-10)
    np.testing.assert_allclose(m.F(x, T)[0], NCV(1.0).F(x, T)[0], atol=1e-12)


def test_ballistic_vacuum_ecef_conserves_energy_and_momentum_and_matches_ode():
    m = Ballistic(q=0.1, frame="ecef")
    r0 = geodetic2ecef(0.5, 0.9, 150e3)
    east_up = np.cross([0, 0, 1.0], r0)
    v0 = 4000.0 * r0 / np.linalg.norm(r0) + 3000.0 * east_up / np.linalg.norm(east_up)
    x = np.hstack([r0, v0])[None, :]
    T = 300.0
    xp = m.f(x, T)[0]

    def energy(s):
        return 0.5 * s[3:6] @ s[3:6] - GM_EARTH / np.linalg.norm(s[:3])

    np.testing.assert_allclose(energy(xp), energy(x[0]), rtol=1e-9)
    np.testing.assert_allclose(np.cross(xp[:3], xp[3:6]), np.cross(x[0, :3], x[0, 3:6]), rtol=1e-9)

    def rhs(t, y):
        r = y[:3]
        return np.concatenate([y[3:], -GM_EARTH * r / np.linalg.norm(r) ** 3])

    sol = solve_ivp(rhs, (0, T), x[0], method="DOP853", rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(xp, sol.y[:, -1], atol=1e-2)


def test_ballistic_drag_matches_ode_and_hand_value():
    m = Ballistic(q=1.0, frame="ecef", drag=True, beta0=5000.0)
    r0 = geodetic2ecef(0.2, 0.1, 40e3)
    u = r0 / np.linalg.norm(r0)
    e = np.cross([0, 0, 1.0], u)
    e /= np.linalg.norm(e)
    v0 = -2500.0 * u + 1500.0 * e
    beta = 8000.0
    x = np.hstack([r0, v0, beta])[None, :]
    # hand value of the drag deceleration: rho(40 km) |v|^2 / (2 beta)
    a = m.acceleration(x[:, :3], x[:, 3:6], x[:, 6]) - gravity(x[:, :3], "ecef")
    rho = 1.225 * np.exp(-40e3 / 7000.0)
    np.testing.assert_allclose(np.linalg.norm(a), rho * (2500.0**2 + 1500.0**2) / (2 * beta), rtol=1e-5)
    T = 10.0
    xp = m.f(x, T)[0]

    def rhs(t, y):
        r, v = y[:3], y[3:]
        h = altitude(r[None], "ecef")[0]
        drag = exponential_density(h) * np.linalg.norm(v) * v / (2 * beta)
        return np.concatenate([v, -GM_EARTH * r / np.linalg.norm(r) ** 3 - drag])

    sol = solve_ivp(rhs, (0, T), x[0, :6], method="DOP853", rtol=1e-12, atol=1e-8)
    np.testing.assert_allclose(xp[:6], sol.y[:, -1], atol=1e-3)
    assert xp[6] == beta
    # drag slows the target: speed lower than in vacuum
    vac = Ballistic(q=1.0, frame="ecef").f(x[:, :6], T)[0]
    assert np.linalg.norm(xp[3:6]) < np.linalg.norm(vac[3:6]) - 100.0


def test_altitude_matches_geodetic():
    lat = np.deg2rad(np.array([0.0, 30.0, 45.0, 60.0, 89.0, -45.0]))
    lon = np.deg2rad(np.array([0.0, 20.0, -100.0, 170.0, 5.0, 60.0]))
    for h in (0.0, 20e3, 100e3):
        p = geodetic2ecef(lat, lon, np.full(6, h))
        np.testing.assert_allclose(altitude(p, "ecef"), ecef2geodetic(p)[2], atol=15.0)
    assert altitude(np.array([[0, 0, 123.0]]), "enu", alt0=50.0)[0] == 173.0


@pytest.mark.parametrize("frame", ["enu", "ecef"])
def test_ballistic_jacobian_finite_difference(frame):
    rng = np.random.default_rng(RNG_SEED)
    m = Ballistic(q=1.0, frame=frame, drag=True)
    origin = geodetic2ecef(0.5, 0.2, 0.0) if frame == "ecef" else np.zeros(3)
    upv = up(origin[None], "ecef")[0] if frame == "ecef" else np.array([0, 0, 1.0])
    pos = origin + np.outer([60e3, 30e3, 10e3, 5e3], upv) + rng.normal(0, 1e4, (4, 3))
    x = np.hstack([pos, rng.normal(0, 2000, (4, 3)), rng.uniform(2000, 20000, (4, 1))])
    T = np.array([5.0, 1.0, 2.5, 0.3])
    J = m.F(x, T)
    eps = [1e-1] * 3 + [1e-3] * 3 + [1e-1] if frame == "enu" else [10.0] * 3 + [0.5] * 3 + [10.0]
    Jfd = fd_jacobian(m, x, T, eps)
    scale = np.abs(Jfd) + np.abs(J) + 1e-3
    assert np.max(np.abs(J - Jfd) / scale) < 1e-5


def test_augment_appends_prior():
    x0 = np.arange(12.0).reshape(2, 6)
    P0 = np.broadcast_to(np.eye(6), (2, 6, 6))
    for m, mean, var in [(NCV(1.0), [], []), (NCA(1.0, sigma_a0=5.0), [0, 0, 0], [25] * 3),
                         (CT(1.0, 1e-3, sigma_omega0=0.1), [0], [0.01]),
                         (Ballistic(1.0, drag=True, beta0=3000.0, sigma_beta0=1000.0), [3000.0], [1e6])]:
        x, P = m.augment(x0, P0)
        assert x.shape == (2, m.n) and P.shape == (2, m.n, m.n)
        np.testing.assert_array_equal(x[:, :6], x0)
        np.testing.assert_array_equal(x[:, 6:], np.broadcast_to(mean, (2, m.n - 6)))
        var_extra = np.diagonal(P, axis1=1, axis2=2)[:, 6:]
        np.testing.assert_allclose(var_extra, np.broadcast_to(var, (2, m.n - 6)))
        assert len(m.extra_names) == m.n - 6


def test_bad_arguments():
    with pytest.raises(ValueError):
        NCV(1.0, frame="eci")
    with pytest.raises(ValueError):
        NCV(-1.0)
    with pytest.raises(ValueError):
        CT(1.0, -1.0)


MODELS = [NCV(3.0), NCA(0.5), CT(2.0, 1e-3), Ballistic(1.0, drag=True, q_beta=100.0)]


@settings(max_examples=60, deadline=None)
@given(dt=st.floats(0.0, 60.0), k=st.integers(0, len(MODELS) - 1), seed=st.integers(0, 2**31 - 1))
def test_Q_and_predicted_P_symmetric_psd(dt, k, seed):
    m = MODELS[k]
    rng = np.random.default_rng(seed)
    pos = geodetic2ecef(0.5, 0.2, rng.uniform(1e3, 80e3))[None] if m.frame == "ecef" else np.zeros((1, 3))
    x = np.hstack([pos, rng.normal(0, 300, (1, 3))])
    x, _ = m.augment(x, np.eye(6)[None])
    if m.name == "ballistic":
        x[:, 6] = 5000.0
    Q = m.Q(x, dt)[0]
    np.testing.assert_array_equal(Q, Q.T)
    assert np.linalg.eigvalsh(Q).min() >= -1e-9 * max(1.0, np.abs(Q).max())
    A = rng.normal(size=(m.n, m.n))
    P = A @ A.T + 1e-3 * np.eye(m.n)
    F = m.F(x, dt)[0]
    Pp = F @ P @ F.T + Q
    assert np.linalg.eigvalsh(0.5 * (Pp + Pp.T)).min() > 0


def test_us1976_density_matches_standard_tables():
    """Table values of NOAA-S/T 76-1562 (US Standard Atmosphere 1976), geometric altitude."""
    h = np.array([0.0, 5e3, 10e3, 20e3, 30e3, 40e3, 50e3, 60e3, 70e3, 80e3])
    rho_table = np.array([1.2250, 7.3643e-1, 4.1351e-1, 8.8910e-2, 1.8410e-2, 3.9957e-3, 1.0269e-3,
                          3.0968e-4, 8.2829e-5, 1.8458e-5])
    np.testing.assert_allclose(us1976_density(h), rho_table, rtol=2e-4)
    # continuous across the layer bases (geopotential 11, 20, 32, 47, 51, 71 km)
    Hb = np.array([11e3, 20e3, 32e3, 47e3, 51e3, 71e3])
    hb = 6356766.0 * Hb / (6356766.0 - Hb)
    np.testing.assert_allclose(us1976_density(hb - 1e-6), us1976_density(hb + 1e-6), rtol=1e-9)
    # the 7 km exponential model stays within a factor 1.5 of the standard up to 80 km
    ratio = exponential_density(h) / us1976_density(h)
    assert np.all((ratio > 1 / 1.5) & (ratio < 1.5))


def test_ballistic_us1976_jacobian_and_drag():
    m = Ballistic(q=1.0, frame="enu", drag=True, atmosphere="us1976")
    x = np.array([[1e3, 2e3, 25e3, 800.0, -300.0, -1500.0, 3000.0],
                  [0.0, 0.0, 8e3, 300.0, 0.0, -600.0, 20.0]])   # beta below beta_min: held at 50
    a = m.acceleration(x[:, :3], x[:, 3:6], x[:, 6]) - gravity(x[:, :3], "enu")
    speed2 = np.sum(x[:, 3:6] ** 2, axis=1)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1),
                               us1976_density(x[:, 2]) * speed2 / (2 * np.array([3000.0, 50.0])), rtol=1e-12)
    J = m.F(x, 2.0)
    Jfd = fd_jacobian(m, x, 2.0, [1e-1] * 3 + [1e-3] * 3 + [1e-1])
    assert np.max(np.abs(J - Jfd) / (np.abs(J) + np.abs(Jfd) + 1e-3)) < 1e-5
    assert J[1, 3, 6] == 0.0            # clamped beta: no sensitivity
    with pytest.raises(ValueError):
        Ballistic(1.0, atmosphere="mars")
