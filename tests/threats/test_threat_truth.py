"""ThreatTruth: Hermite/linear tables reproduce the generating trajectories; clamping; ordering."""

import numpy as np
import pytest

from iadsim.frames import geodetic2ecef
from iadsim.threats import ThreatTruth, ballistic_velocity, propagate_ballistic, waypoint_tracks
from iadsim.threats.ballistic import _rk4_step


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(21)
    nb = 6
    lat0 = np.radians(rng.uniform(20, 40, nb))
    lon0 = np.radians(rng.uniform(30, 50, nb))
    r0 = geodetic2ecef(lat0, lon0, 0.0)
    r1 = geodetic2ecef(lat0 + np.radians(rng.uniform(1, 20, nb)), lon0 + np.radians(rng.uniform(1, 20, nb)),
                       0.0)
    v0, tof = ballistic_velocity(r0, r1)
    bal = propagate_ballistic(r0, v0, 2.0, 5000.0)
    lat = np.radians(rng.uniform(20, 25, (4, 5)))
    lon = np.radians(rng.uniform(30, 35, (4, 5)))
    alt = rng.uniform(30, 10000, (4, 5))
    wp = waypoint_tracks(lat, lon, alt, rng.uniform(50, 300, 4))
    order = rng.permutation(10)
    t_launch = rng.uniform(0, 300, 10)
    truth = ThreatTruth.build(ballistic=bal, waypoint=wp, t_launch=t_launch, order=order)
    return dict(r0=r0, r1=r1, v0=v0, tof=tof, bal=bal, wp=wp, order=order, t_launch=t_launch, truth=truth)


def _reference_ballistic(r0, v0, tau, h=0.05):
    """Independent fine RK4 integration (h = 0.05 s, 40x finer than the table) to time tau (scalar)."""
    r, v = r0[None].copy(), v0[None].copy()
    n = int(np.floor(tau / h))
    for _ in range(n):
        r, v = _rk4_step(r, v, h, 3.986004418e14)
    r, v = _rk4_step(r, v, tau - n * h, 3.986004418e14)
    return r[0], v[0]


def test_ballistic_state_matches_fine_integration(mixed):
    truth, order = mixed["truth"], mixed["order"]
    for j in np.nonzero(order < 6)[0][:3]:
        i = order[j]
        for tau in (1.0, 77.3, 0.5 * mixed["tof"][i]):
            p, v = truth.state(mixed["t_launch"][j] + tau, idx=[j])
            pr, vr = _reference_ballistic(mixed["r0"][i], mixed["v0"][i], tau)
            assert np.linalg.norm(p[0] - pr) < 0.01  # Hermite on 2 s steps: O(h^4) error, ~mm
            assert np.linalg.norm(v[0] - vr) < 1e-3


def test_end_states_and_clamping(mixed):
    truth, order = mixed["truth"], mixed["order"]
    isb = order < 6
    assert truth.is_ballistic.tolist() == isb.tolist()
    bi = order[isb]
    np.testing.assert_allclose(truth.t_end[isb], mixed["t_launch"][isb] + mixed["tof"][bi], atol=2e-3)
    assert np.linalg.norm(truth.end_pos[isb] - mixed["r1"][bi], axis=1).max() < 5.0
    wi = order[~isb] - 6
    np.testing.assert_allclose(truth.t_end[~isb], mixed["t_launch"][~isb] + mixed["wp"].duration[wi])
    # before launch: launch state; after end: end state
    p, v = truth.state(-1e4)
    np.testing.assert_allclose(p[isb], mixed["r0"][bi], atol=1e-6)
    np.testing.assert_allclose(v[isb], mixed["v0"][bi], atol=1e-9)
    np.testing.assert_allclose(p[~isb], mixed["wp"].pos[wi, 0], atol=1e-6)
    p, v = truth.state(1e6)
    np.testing.assert_allclose(p, truth.end_pos, atol=1e-6)
    np.testing.assert_allclose(v, truth.end_vel, atol=1e-9)


def test_waypoint_state_matches_paths_and_sample_knots(mixed):
    truth, order, wp = mixed["truth"], mixed["order"], mixed["wp"]
    for j in np.nonzero(order >= 6)[0]:
        for tau in (0.0, 10.0, 333.3, 1000.0, 5000.0):
            p, v = truth.state(mixed["t_launch"][j] + tau, idx=[j])
            pw, vw = wp.state(np.array([tau]), idx=[order[j] - 6])
            np.testing.assert_allclose(p, pw, atol=1e-6)
            np.testing.assert_allclose(v, vw, atol=1e-9)
    # ballistic knots reproduce the samples exactly
    _, pos, vel, _ = mixed["bal"]
    j = int(np.nonzero(order == 0)[0][0])
    for k in (0, 10, 50):
        p, v = truth.state(mixed["t_launch"][j] + 2.0 * k, idx=[j])
        np.testing.assert_allclose(p[0], pos[0, k], atol=1e-6)
        np.testing.assert_allclose(v[0], vel[0, k], atol=1e-9)


def test_idx_subset_equals_full(mixed):
    truth = mixed["truth"]
    rng = np.random.default_rng(2)
    for t in rng.uniform(0, 3000, 10):
        p, v = truth.state(t)
        idx = rng.choice(10, 4, replace=False)
        ps, vs = truth.state(t, idx)
        np.testing.assert_array_equal(ps, p[idx])
        np.testing.assert_array_equal(vs, v[idx])


def test_build_validation():
    wp = waypoint_tracks(np.radians([[0.0, 1.0]]), np.radians([[0.0, 1.0]]), np.full((1, 2), 100.0), 200.0)
    with pytest.raises(ValueError):
        ThreatTruth.build(waypoint=wp, t_launch=np.zeros(2))
    with pytest.raises(ValueError):
        ThreatTruth.build(waypoint=wp, t_launch=np.zeros(1), order=[1])


def test_active_mask(mixed):
    truth = mixed["truth"]
    t = 500.0
    expected = (mixed["t_launch"] <= t) & (t < truth.t_end)
    assert truth.active(t).tolist() == expected.tolist()
    assert not truth.active(-1.0).any() and not truth.active(1e7).any()


def test_empty_and_grouped_ballistic(mixed):
    empty = ThreatTruth.build(t_launch=np.empty(0))
    p, v = empty.state(10.0)
    assert p.shape == (0, 3) and len(empty) == 0
    # two ballistic groups with different steps behave like their separate integrations
    r0, v0 = mixed["r0"], mixed["v0"]
    g1 = propagate_ballistic(r0[:2], v0[:2], 1.0, 5000.0)
    g2 = propagate_ballistic(r0[2:4], v0[2:4], 3.0, 5000.0)
    truth = ThreatTruth.build(ballistic=[g1, g2], t_launch=np.zeros(4))
    np.testing.assert_allclose(truth.t_end, mixed["tof"][:4], atol=2e-3)
    ref = ThreatTruth.build(ballistic=mixed["bal"], t_launch=np.zeros(6))
    p, _ = truth.state(200.0)
    p_ref, _ = ref.state(200.0, idx=np.arange(4))
    np.testing.assert_allclose(p, p_ref, atol=0.05)


def test_compiled_state_equals_the_array_form(mixed):
    """ThreatTruth.state (one compiled pass) against state_reference (searchsorted + batched product): at
    random times, at every knot, before launch and after the end, for one time or one time per threat."""
    truth = mixed["truth"]
    rng = np.random.default_rng(5)
    n = len(truth)
    times = np.concatenate([rng.uniform(-50, truth.t_end.max() + 50, 300), truth.t_end, truth.t_launch])
    for t in times:
        p, v = truth.state(float(t))
        p0, v0 = truth.state_reference(float(t))
        np.testing.assert_allclose(p, p0, rtol=1e-13, atol=1e-6)
        np.testing.assert_allclose(v, v0, rtol=1e-12, atol=1e-9)
    # on a knot the piece that starts there is used (a waypoint corner's velocity is the new leg's); the
    # array form's shifted search keys (tau + i * stride) may round onto the piece before
    from iadsim.threats.truth import _state_kernel

    _, duration, off, last, tau_k, coef = truth.kernel_arrays()
    for i in range(n):
        for j in range(truth._off[i], truth._last[i] + 1):  # times since launch exactly on the knots
            p, v = _state_kernel(np.array([i]), np.array([tau_k[j]]), True, np.zeros(n), duration, off, last,
                                 tau_k, coef)
            if truth._tau[j] < truth.duration[i] and (j == truth._last[i] or truth._tau[j + 1] > truth._tau[j]):
                np.testing.assert_allclose(p[0], truth._coef[j, 0], rtol=1e-15, atol=1e-6)
                np.testing.assert_allclose(v[0], truth._coef[j, 1], rtol=1e-15, atol=1e-9)
    idx = rng.integers(0, n, 500)
    tt = rng.uniform(-10, truth.t_end.max() + 10, 500)
    p, v = truth.state(tt, idx)
    p0, v0 = truth.state_reference(tt, idx)
    np.testing.assert_allclose(p, p0, rtol=1e-13, atol=1e-6)
    np.testing.assert_allclose(v, v0, rtol=1e-12, atol=1e-9)
    assert truth.state(1.0, np.zeros(0, int))[0].shape == (0, 3)
