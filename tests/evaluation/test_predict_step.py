"""The command post's impact prediction on its coarse vacuum step (``rocket.DT_EXO_PREDICT``) against an
independent integration: scipy's ``solve_ivp`` (DOP853, tight tolerances) of the same coast, J2 gravity, the
rotating frame's Coriolis and centrifugal terms and US-1976 drag with the assumed ballistic coefficient, with
the descending crossing of the ellipsoid as a terminal event.

States: a short-range missile near apogee (about 4 minutes to go, most of it in vacuum), a medium-range one
climbing after burnout (about 8 minutes), a re-entry at 100 km, and a light object that the air stops high
up. The compiled form the threat evaluation runs (``_impact_kernel``) must give the same bits as
``predict_impact_drag``, and both must agree with the 2 s step they replaced within a millimetre.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from iadsim.evaluation.predict import predict_impact_drag
from iadsim.evaluation.threat_evaluation import _impact_kernel
from iadsim.frames import geodetic2ecef
from iadsim.physics.atmosphere import us1976_density
from iadsim.physics.gravity import J2, gravity_ecef
from iadsim.threats import rocket as rk
from iadsim.threats.ballistic import radial_altitude


def _state(alt, speed, gamma_deg, az_deg, lat=-20.0, lon=-15.0):
    la, lo = np.radians(lat), np.radians(lon)
    r = geodetic2ecef(la, lo, alt)
    e = np.array([-np.sin(lo), np.cos(lo), 0.0])
    n = np.array([-np.sin(la) * np.cos(lo), -np.sin(la) * np.sin(lo), np.cos(la)])
    up = r / np.linalg.norm(r)
    az, g = np.radians(az_deg), np.radians(gamma_deg)
    h = np.sin(az) * e + np.cos(az) * n
    return r, speed * (np.cos(g) * h + np.sin(g) * up)


STATES = {
    "srbm near apogee": (_state(150e3, 1600.0, 2.0, 70.0), 6000.0),
    "mrbm climbing": (_state(250e3, 3300.0, 25.0, 120.0), 6000.0),
    "re-entry at 100 km": (_state(100e3, 2500.0, -35.0, 250.0), 6000.0),
    "light object": (_state(90e3, 2000.0, -30.0, 10.0), 300.0),
}


def _solve(r0, v0, beta):
    """``solve_ivp`` of the coast to the ground (terminal event), with its dense output."""

    def rhs(t, s):
        r, v = s[:3], s[3:]
        a = gravity_ecef(r[None], J2, True, v[None])[0]
        a = a - 0.5 * us1976_density(float(radial_altitude(r[None])[0])) * np.linalg.norm(v) * v / beta
        return np.concatenate([v, a])

    def ground(t, s):
        return float(radial_altitude(s[None, :3])[0])

    ground.terminal, ground.direction = True, -1
    return solve_ivp(rhs, (0.0, 2000.0), np.concatenate([r0, v0]), events=ground, rtol=1e-12, atol=1e-7,
                     method="DOP853", dense_output=True)


def _reference(r0, v0, beta):
    sol = _solve(r0, v0, beta)
    return sol.y_events[0][0][:3], sol.t_events[0][0]


@pytest.mark.parametrize("name", list(STATES))
def test_impact_on_the_coarse_step_against_solve_ivp(name):
    (r0, v0), beta = STATES[name]
    p_ref, t_ref = _reference(r0, v0, beta)
    ip, tti, valid = predict_impact_drag(r0[None], v0[None], beta)
    assert valid[0]
    assert t_ref > 60.0  # a prediction of some length, not a step or two
    assert np.linalg.norm(ip[0] - p_ref) < 0.2  # metres
    assert tti[0] == pytest.approx(t_ref, abs=2e-3)


def test_coarse_step_agrees_with_the_fine_one_and_takes_fewer_steps():
    r = np.array([s[0][0] for s in STATES.values()])
    v = np.array([s[0][1] for s in STATES.values()])
    assert rk.DT_EXO_PREDICT > rk.DT_EXO
    prm = rk.ObjectParams(r.shape[0])
    prm.P[:, rk.C_BETA] = 6000.0
    y0 = np.concatenate([r, v, np.ones((r.shape[0], 1))], axis=1)
    ends = {}
    for dt in (rk.DT_EXO, rk.DT_EXO_PREDICT):
        _, _, end, _, _ = rk._run(y0, prm, 2000.0, dt_exo=dt)
        ends[dt] = end
    assert np.all(ends[rk.DT_EXO][:, 7] == rk.END_GROUND)
    assert np.max(np.linalg.norm(ends[rk.DT_EXO][:, 1:4] - ends[rk.DT_EXO_PREDICT][:, 1:4], axis=1)) < 1e-3
    # the coarse step is what the prediction runs: the two differ in the last bits, so it is not the fine one
    ip, _, _ = predict_impact_drag(r, v, 6000.0)
    np.testing.assert_array_equal(ip, ends[rk.DT_EXO_PREDICT][:, 1:4])
    assert np.any(ip != ends[rk.DT_EXO][:, 1:4])


def test_compiled_impact_is_predict_impact_drag_bit_for_bit():
    r = np.array([s[0][0] for s in STATES.values()])
    v = np.array([s[0][1] for s in STATES.values()])
    n = r.shape[0]
    ip, tti, valid = np.full((n, 3), np.nan), np.full(n, np.nan), np.zeros(n, bool)
    _impact_kernel(r, v, 6000.0, 2000.0, ip, tti, valid)
    ip_ref, tti_ref, valid_ref = predict_impact_drag(r, v, 6000.0)
    np.testing.assert_array_equal(valid, valid_ref)
    np.testing.assert_array_equal(ip, ip_ref)
    np.testing.assert_array_equal(tti, tti_ref)


@pytest.mark.parametrize("name", list(STATES))
def test_sampled_coast_on_long_steps_against_solve_ivp_and_the_plain_stepping(name):
    """The intercept windows' coast (``coast_grid`` / ``coast_sample`` on ``DT_EXO_PREDICT``: long vacuum steps
    and thin-air steps read on their Hermite cubic) on a 1 s grid to the ground: within 0.5 m and 0.1 m/s of
    ``solve_ivp`` (the RK4 steps in the dense air dominate that), and within 5 cm and 5 mm/s of the plain
    stepping that lands on every sample (``DT_EXO``)."""
    (r0, v0), beta = STATES[name]
    res = _solve(r0, v0, beta)
    sol, t_imp = res.sol, res.t_events[0][0]
    T = np.arange(0.0, np.floor(t_imp) - 1.0, 1.0)
    ref = sol(T).T
    out = {}
    for dt in (rk.DT_EXO, rk.DT_EXO_PREDICT):
        o = np.empty((1, T.size, 6))
        rk.coast_grid(r0[None], v0[None], np.array([beta]), T, dt, rk.J2, True, o)
        out[dt] = o[0]
    fine, coarse = out[rk.DT_EXO], out[rk.DT_EXO_PREDICT]
    assert np.linalg.norm(coarse[:, :3] - ref[:, :3], axis=1).max() < 0.5
    assert np.linalg.norm(coarse[:, 3:] - ref[:, 3:], axis=1).max() < 0.1
    assert np.linalg.norm(coarse[:, :3] - fine[:, :3], axis=1).max() < 0.05
    assert np.linalg.norm(coarse[:, 3:] - fine[:, 3:], axis=1).max() < 5e-3
    # after the ground: the impact point, at rest
    o = np.empty((1, 2, 6))
    rk.coast_grid(r0[None], v0[None], np.array([beta]), np.array([t_imp + 5.0, t_imp + 50.0]), rk.DT_EXO_PREDICT,
                  rk.J2, True, o)
    assert np.all(o[0, :, 3:] == 0.0) and np.all(o[0, 0, :3] == o[0, 1, :3])
    assert abs(float(radial_altitude(o[0, :1, :3])[0])) < 1.0


def test_dense_air_lands_on_the_samples_and_the_rest_does_not():
    """Where the drag is above ``A_LAND`` the sampled coast lands on every sample (the plain stepping's bits);
    in vacuum and thin air it steps past them (its bits differ from the plain stepping's)."""
    dense = (_state(30e3, 1500.0, -40.0, 30.0), 6000.0)
    cases = ((STATES["mrbm climbing"], np.arange(0.0, 60.0, 1.0), False),
             (STATES["light object"], np.arange(0.0, 30.0, 1.0), False),
             (dense, np.arange(0.0, 20.0, 1.0), True))
    (r_d, v_d), b_d = dense
    a_drag = 0.5 * us1976_density(float(radial_altitude(r_d[None])[0])) * np.linalg.norm(v_d) ** 2 / b_d
    assert a_drag > 2.0 * rk.A_LAND
    for ((r0, v0), beta), T, same in cases:
        o = {dt: np.empty((1, T.size, 6)) for dt in (rk.DT_EXO, rk.DT_EXO_PREDICT)}
        for dt in o:
            rk.coast_grid(r0[None], v0[None], np.array([beta]), T, dt, rk.J2, True, o[dt])
        assert np.array_equal(o[rk.DT_EXO], o[rk.DT_EXO_PREDICT]) == same


def test_ground_crossing_of_a_long_step_on_its_cubic():
    """Without drag (``beta`` infinite) the 10 s steps reach the ground: the crossing is found on the step's
    Hermite cubic, within centimetres of a 0.05 s stepping (the chord of a 10 s step would be off by
    ``g h^2 / 8``, about 120 m)."""
    r0 = geodetic2ecef(np.radians(10.0), np.radians(20.0), 20e3)
    up = r0 / np.linalg.norm(r0)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    t = np.arange(0.0, 200.0, 1.0)
    for vh, vz in ((300.0, -50.0), (250.0, -10.0), (2000.0, -500.0)):
        v = vh * east + vz * up
        ends = {}
        for dt in (0.05, rk.DT_EXO_PREDICT):
            o = np.empty((1, t.size, 6))
            rk.coast_grid(r0[None], v[None], np.array([np.inf]), t, dt, rk.J2, True, o)
            ends[dt] = o[0, -1]
        assert np.all(ends[rk.DT_EXO_PREDICT][3:] == 0.0)  # on the ground, at rest
        assert np.linalg.norm(ends[rk.DT_EXO_PREDICT][:3] - ends[0.05][:3]) < 0.05


def test_a_coast_that_starts_under_the_ground_stays_where_it_is():
    """A track state under the ellipsoid and descending (a noisy estimate near impact) is on the ground at
    offset 0: every sample is its start point at rest, not a point extrapolated back along the chord."""
    (r0, v0), _ = STATES["re-entry at 100 km"]
    up = r0 / np.linalg.norm(r0)
    r_low = r0 - (100e3 + 3000.0) * up  # 3 km under the ground
    o = np.empty((1, 5, 6))
    rk.coast_grid(r_low[None], v0[None], np.array([6000.0]), np.arange(5.0), rk.DT_EXO_PREDICT, rk.J2, True, o)
    np.testing.assert_array_equal(o[0, 1:, :3], np.broadcast_to(r_low, (4, 3)))
    assert np.all(o[0, 1:, 3:] == 0.0)


def test_coast_positions_refuses_offsets_out_of_order():
    from iadsim.evaluation.predict import coast_positions

    (r0, v0), _ = STATES["mrbm climbing"]
    with pytest.raises(ValueError, match="must not decrease"):
        coast_positions(r0[None], v0[None], np.array([0.0, 20.0, 10.0]))
    assert coast_positions(r0[None], v0[None], np.array([0.0, 10.0, 10.0, 20.0])).shape == (1, 4, 3)
