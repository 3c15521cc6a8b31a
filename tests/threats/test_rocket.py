"""Ballistic missiles as they fly (:mod:`iadsim.threats.rocket`, :mod:`iadsim.threats.ballistic_raid`).

Evidence, each against something the kernel does not compute itself:

* vacuum: with no thrust, no drag, no rotation and point-mass gravity the kernel flies the Kepler arc of
  :func:`iadsim.threats.ballistic.ballistic_velocity` (analytic time of flight, exact aim point);
* powered flight: burnout speed and altitude of a vertical shot against an independent scipy ``solve_ivp``
  integration of the same 1-D equations, and that speed against the rocket equation minus the gravity and
  drag losses accumulated by that integration; a two-stage shot drops its first-stage dry mass;
* re-entry: impact speed and the time of the last 20 km against ``solve_ivp`` of the 3-D equations with
  drag for two ballistic coefficients; a light decoy is slower than the RV at the same altitude;
* earth rotation: the in-flight displacement of a shot flown with and without rotation against the
  first-order closed form ``-Omega x v0 t^2 - Omega x g t^3 / 3 - (Omega x (Omega x r0)) t^2 / 2``; the
  shot solved with rotation lands on its aim point;
* CEP: over many draws half the aim points lie within the CEP (binomial interval).
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.stats import binomtest

from iadsim.frames import geodetic2ecef
from iadsim.physics.atmosphere import us1976_density
from iadsim.physics.gravity import J2, OMEGA_EARTH, POINT_MASS, gravity_ecef
from iadsim.scenario.catalog import raw_catalog
from iadsim.scenario.catalog_models import BallisticThreatType
from iadsim.threats import ballistic_raid as br
from iadsim.threats import rocket as rk
from iadsim.threats.ballistic import ballistic_velocity, radial_altitude

G0 = 9.80665
A_WGS = 6378137.0


def _coast(y0, beta=np.inf, grav=J2, rot=True, t_max=2000.0, store=False, h=1.0, qb=np.inf, stop=0.0):
    n = y0.shape[0]
    p = rk.ObjectParams(n)
    p.P[:, rk.C_BETA] = beta
    p.P[:, rk.C_QB] = qb
    p.P[:, rk.C_STOP] = stop
    return rk._run(y0, p, t_max, grav=grav, rot=rot, store=store, h_sample=h)


def test_vacuum_kepler_arc_is_unchanged():
    lat0, lon0 = np.radians([-20.5, 10.0]), np.radians([-18.0, 30.0])
    r0 = geodetic2ecef(lat0, lon0, np.zeros(2))
    r1 = geodetic2ecef(np.radians([-20.0, 14.0]), np.radians([-15.0, 33.0]), np.zeros(2))
    v0, tof = ballistic_velocity(r0, r1)
    y0 = np.zeros((2, 7))
    y0[:, :3], y0[:, 3:6], y0[:, 6] = r0, v0, 1.0
    # the target lies on the sphere |r1|: stop there (radial height of r1 above the ellipsoid)
    _, _, end, _, _ = _coast(y0, grav=POINT_MASS, rot=False, stop=radial_altitude(r1))
    assert np.allclose(end[:, 0], tof, atol=0.01)
    assert np.linalg.norm(end[:, 1:4] - r1, axis=1).max() < 2.0


def _vertical(stages, payload, cda, t_end):
    """Vertical shot from the equator, by the kernel (kick 0: the thrust stays radial)."""
    p = rk.ObjectParams(1)
    t_burn = p.set_stages(np.arange(1), stages, payload, cda, 5.0, 4.0)
    p.P[:, rk.C_KICK] = 0.0
    p.P[:, rk.C_AZX:rk.C_AZZ + 1] = [0.0, 1.0, 0.0]
    p.P[:, rk.C_TC] = t_burn
    y0 = np.zeros((1, 7))
    y0[0, :3] = [A_WGS, 0.0, 0.0]
    y0[0, 6] = p.P[0, rk.C_M0]
    _, _, _, bo, _ = rk._run(y0, p, t_end, grav=POINT_MASS, rot=False)
    return bo[0], t_burn


def _vertical_reference(stages, payload, cda):
    """The same shot by solve_ivp: h, v, m and the accumulated gravity and drag losses."""
    GM = 3.986004418e14
    m0 = payload + sum(s[2] + s[3] for s in stages)
    y = np.array([0.0, 0.0, m0, 0.0, 0.0])
    t0 = 0.0
    for burn, isp, prop, dry in stages:
        mdot = prop / burn
        thrust = mdot * isp * G0

        def rhs(t, s, thrust=thrust, mdot=mdot):
            h, v, m = s[0], s[1], s[2]
            g = GM / (A_WGS + h) ** 2
            drag = 0.5 * us1976_density(h) * v * v * cda / m
            return [v, thrust / m - g - drag, -mdot, g, drag]

        sol = solve_ivp(rhs, (t0, t0 + burn), y, rtol=1e-11, atol=1e-9, method="DOP853")
        y = sol.y[:, -1].copy()
        y[2] -= dry
        t0 += burn
    return y


@pytest.mark.parametrize("stages,payload", [
    ([(50.0, 250.0, 3000.0, 650.0)], 500.0),
    ([(50.0, 260.0, 9000.0, 1300.0), (45.0, 275.0, 4000.0, 600.0)], 750.0),
])
def test_powered_vertical_flight_against_solve_ivp_and_rocket_equation(stages, payload):
    cda = 0.3 * np.pi * 0.44 ** 2
    bo, t_burn = _vertical(stages, payload, cda, sum(s[0] for s in stages) + 1.0)
    ref = _vertical_reference(stages, payload, cda)
    v_kernel = np.linalg.norm(bo[4:7])
    h_kernel = np.linalg.norm(bo[1:4]) - A_WGS
    assert bo[0] == pytest.approx(t_burn)
    assert v_kernel == pytest.approx(ref[1], rel=2e-4)
    assert h_kernel == pytest.approx(ref[0], rel=2e-4)
    # the rocket equation (Tsiolkovsky per stage, dry mass dropped between) less the losses
    m = payload + sum(s[2] + s[3] for s in stages)
    dv_ideal = 0.0
    for _burn, isp, prop, dry in stages:
        dv_ideal += isp * G0 * np.log(m / (m - prop))
        m -= prop + dry
    assert v_kernel == pytest.approx(dv_ideal - ref[3] - ref[4], rel=2e-4)
    assert ref[3] > 0.1 * dv_ideal and ref[4] > 0.0  # the losses are real, not a rounding


def _reference_reentry(r0, v0, beta):
    """solve_ivp of the 3-D coast with J2, rotation and drag: the impact speed and the time from 20 km."""

    def rhs(t, s):
        r, v = s[:3], s[3:]
        h = float(radial_altitude(r[None])[0])
        a = gravity_ecef(r[None], J2, True, v[None])[0]
        a = a - 0.5 * us1976_density(h) * np.linalg.norm(v) * v / beta
        return np.concatenate([v, a])

    def ground(t, s):
        return float(radial_altitude(s[None, :3])[0])

    def at20(t, s):
        return float(radial_altitude(s[None, :3])[0]) - 20e3

    ground.terminal, ground.direction = True, -1
    at20.direction = -1
    sol = solve_ivp(rhs, (0, 2000), np.concatenate([r0, v0]), events=[ground, at20], rtol=1e-10, atol=1e-6,
                    method="DOP853")
    t_imp = sol.t_events[0][0]
    v_imp = np.linalg.norm(sol.y_events[0][0][3:])
    return v_imp, t_imp - sol.t_events[1][0], t_imp


@pytest.mark.parametrize("beta", [6000.0, 1500.0])
def test_reentry_against_solve_ivp(beta):
    lat, lon = np.radians(-20.0), np.radians(-15.0)
    r0 = geodetic2ecef(lat, lon, 100e3)
    e = np.array([-np.sin(lon), np.cos(lon), 0.0])
    up = r0 / np.linalg.norm(r0)
    gam = np.radians(-35.0)
    v0 = 2500.0 * (np.cos(gam) * e + np.sin(gam) * up)
    y0 = np.concatenate([r0, v0, [1.0]])[None]
    smp, n_s, end, _, _ = _coast(y0, beta=beta, store=True, h=0.5)
    v_ref, last20_ref, t_ref = _reference_reentry(r0, v0, beta)
    assert np.linalg.norm(end[0, 4:7]) == pytest.approx(v_ref, rel=2e-3)
    assert end[0, 0] == pytest.approx(t_ref, abs=0.05)
    alt = radial_altitude(smp[0, : n_s[0], :3])
    k = np.flatnonzero(alt < 20e3)[0]
    # 20 km crossing by linear interpolation of the 0.5 s samples (its error is well below 0.05 s)
    t20 = 0.5 * (k - 1) + 0.5 * (alt[k - 1] - 20e3) / (alt[k - 1] - alt[k])
    assert end[0, 0] - t20 == pytest.approx(last20_ref, abs=0.05)
    assert v_ref < 0.9 * 2500.0  # the atmosphere slowed it: this is no vacuum arc


def test_light_decoy_slows_more_than_the_rv():
    lat, lon = np.radians(-20.0), np.radians(-15.0)
    r0 = geodetic2ecef(lat, lon, 120e3)
    e = np.array([-np.sin(lon), np.cos(lon), 0.0])
    up = r0 / np.linalg.norm(r0)
    v0 = 3000.0 * (np.cos(np.radians(-30)) * e + np.sin(np.radians(-30)) * up)
    y0 = np.tile(np.concatenate([r0, v0, [1.0]]), (2, 1))
    smp, n_s, end, _, _ = _coast(y0, beta=np.array([8000.0, 150.0]), store=True, h=0.5)
    speed_at = []
    for i in range(2):
        alt = radial_altitude(smp[i, : n_s[i], :3])
        k = np.flatnonzero(alt < 25e3)[0]
        speed_at.append(np.linalg.norm(smp[i, k, 3:]))
    assert speed_at[1] < 0.5 * speed_at[0]
    # with a break-up pressure the decoy ends high up
    _, _, end_q, _, _ = _coast(y0[1:], beta=150.0, qb=10e3)
    assert end_q[0, 7] == rk.END_BREAKUP
    assert radial_altitude(end_q[:, 1:4])[0] > 15e3


def test_coriolis_deflection_against_closed_form():
    lat, lon = np.radians(35.0), np.radians(20.0)
    r0 = geodetic2ecef(lat, lon, 0.0)
    e = np.array([-np.sin(lon), np.cos(lon), 0.0])
    n = np.array([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)])
    up = np.cross(e, n)
    v0 = 2000.0 * (np.cos(np.radians(20)) * n + np.sin(np.radians(20)) * up)  # a flat northward shot
    y0 = np.concatenate([r0, v0, [1.0]])[None]
    T = 130.0  # still in the air (about 6 km up), 240 km downrange
    s_rot, _, _, _, _ = _coast(y0, grav=POINT_MASS, rot=True, t_max=T, store=True, h=T)
    s_in, _, _, _, _ = _coast(y0, grav=POINT_MASS, rot=False, t_max=T, store=True, h=T)
    d = s_rot[0, 1, :3] - s_in[0, 1, :3]
    W = np.array([0.0, 0.0, OMEGA_EARTH])
    g = gravity_ecef(r0[None], POINT_MASS, False)[0]
    closed = -np.cross(W, v0) * T**2 - np.cross(W, g) * T**3 / 3.0 - 0.5 * np.cross(W, np.cross(W, r0)) * T**2
    east = float(d @ e)
    assert abs(east) > 500.0  # a deflection of kilometres scale, not a rounding
    assert east == pytest.approx(float(closed @ e), rel=0.05)
    assert np.linalg.norm(d - closed) < 0.05 * np.linalg.norm(closed)


def _spec(name):
    return BallisticThreatType(**raw_catalog("threat")[name])


@pytest.mark.parametrize("name,lon0", [("srbm", -18.8), ("mrbm", -24.5)])
def test_solved_shots_land_on_their_aim_points_over_the_rotating_earth(name, lon0):
    spec = _spec(name)
    n = 3
    lat0 = np.radians(np.array([-20.5, -20.6, -20.4]))
    lon = np.radians(np.full(n, lon0) + np.array([0.0, 0.1, -0.1]))
    alat, alon, aalt = np.radians(np.full(n, -20.0)), np.radians(np.full(n, -15.0)), np.full(n, 10.0)
    obj = br.fly_missiles(spec.model_copy(update={"cep": 0.0}), lat0, lon, np.zeros(n), alat, alon, aalt,
                          np.random.default_rng(0), 1.0, 3000.0)
    t, pos, vel, t_end = obj.missiles
    k = np.floor(t_end).astype(int)
    from iadsim.threats.ballistic import hermite

    p_end, _ = hermite(pos[np.arange(n), k], vel[np.arange(n), k], pos[np.arange(n), k + 1],
                       vel[np.arange(n), k + 1], 1.0, t_end - k)
    target = geodetic2ecef(alat, alon, aalt)
    assert np.linalg.norm(p_end - target, axis=1).max() < 10.0
    # the shot flies from the pad: at launch it is on the ground and slow
    assert np.linalg.norm(vel[:, 0], axis=1).max() == 0.0
    assert radial_altitude(pos[:, 0]).max() < 1.0
    # the uncorrected shot (solved without rotation, flown with it) misses by kilometres
    prm, t_burn = br._params(spec, n, aalt)
    az, kick, tc, _, _ = rk.solve_shots(lat0, lon, np.zeros(n), target, prm, np.full(n, t_burn), rotating=False)
    e0, n0, _ = rk.enu_basis(lat0, lon)
    prm.P[:, rk.C_AZX:rk.C_AZZ + 1] = np.sin(az)[:, None] * e0 + np.cos(az)[:, None] * n0
    prm.P[:, rk.C_KICK], prm.P[:, rk.C_TC] = kick, tc
    y0 = np.zeros((n, 7))
    y0[:, :3] = geodetic2ecef(lat0, lon, np.zeros(n))
    y0[:, 6] = prm.P[:, rk.C_M0]
    _, _, end, _, _ = rk._run(y0, prm, 3000.0)
    assert np.linalg.norm(end[:, 1:4] - target, axis=1).min() > 1000.0


def test_cep_is_the_median_miss():
    n = 4000
    rng = np.random.default_rng(7)
    lat, lon, alt = np.full(n, np.radians(-20.0)), np.full(n, np.radians(-15.0)), np.zeros(n)
    aim = br.aim_points(lat, lon, alt, np.full(n, 250.0), rng)
    miss = np.linalg.norm(aim - geodetic2ecef(lat, lon, alt), axis=1)
    inside = int(np.count_nonzero(miss <= 250.0))
    assert binomtest(inside, n, 0.5).pvalue > 1e-3
    # and the wrong scalings (CEP as sigma, CEP as 2 sigma) are rejected
    assert binomtest(int(np.count_nonzero(miss <= 250.0 / 1.1774)), n, 0.5).pvalue < 1e-6


def test_marv_weaves_within_its_g_limit_and_still_lands_on_its_aim():
    spec = _spec("marv_srbm").model_copy(update={"cep": 0.0})
    n = 2
    lat0 = np.radians(np.array([-20.5, -20.3]))
    lon = np.radians(np.array([-18.6, -18.4]))
    alat, alon, aalt = np.radians(np.full(n, -20.0)), np.radians(np.full(n, -15.0)), np.full(n, 10.0)
    obj = br.fly_missiles(spec, lat0, lon, np.zeros(n), alat, alon, aalt, np.random.default_rng(0), 0.5, 3000.0)
    t, pos, vel, t_end = obj.missiles
    plain = br.fly_missiles(_spec("srbm").model_copy(update={"cep": 0.0}), lat0, lon, np.zeros(n), alat, alon,
                            aalt, np.random.default_rng(0), 0.5, 3000.0)
    target = geodetic2ecef(alat, alon, aalt)
    for i in range(n):
        k = int(np.floor(t_end[i] / 0.5))
        # acceleration from the velocity samples, less gravity and drag along the velocity: the lateral part
        a = np.diff(vel[i, : k + 1], axis=0) / 0.5
        vm = 0.5 * (vel[i, 1 : k + 1] + vel[i, :k])
        u = vm / np.linalg.norm(vm, axis=1)[:, None]
        g = gravity_ecef(0.5 * (pos[i, 1 : k + 1] + pos[i, :k]), J2, True, vm)
        lat_acc = a - g
        lat_acc -= np.einsum("ij,ij->i", lat_acc, u)[:, None] * u
        down = np.einsum("ij,ij->i", pos[i, 1 : k + 1], vel[i, 1 : k + 1]) < 0  # the descent only
        low = (radial_altitude(pos[i, 1 : k + 1]) < spec.maneuver.start_altitude - 2e3) & down
        mag = np.linalg.norm(lat_acc[low], axis=1) / G0
        assert mag.max() < 1.1 * spec.maneuver.g_limit  # the limit holds (sampling smooths peaks a little)
        assert mag.max() > 0.3 * spec.maneuver.g_limit  # and it really manoeuvres
        # the ballistic (non-manoeuvring) twin shows nothing of the kind at those altitudes
        tp, pp, vp, te = plain.missiles
        kp = int(np.floor(te[i] / 0.5))
        ap = np.diff(vp[i, : kp + 1], axis=0) / 0.5 - gravity_ecef(
            0.5 * (pp[i, 1 : kp + 1] + pp[i, :kp]), J2, True, 0.5 * (vp[i, 1 : kp + 1] + vp[i, :kp]))
        up_ = 0.5 * (vp[i, 1 : kp + 1] + vp[i, :kp])
        up_ /= np.linalg.norm(up_, axis=1)[:, None]
        ap -= np.einsum("ij,ij->i", ap, up_)[:, None] * up_
        lowp = (radial_altitude(pp[i, 1 : kp + 1]) < spec.maneuver.start_altitude - 2e3) & (
            np.einsum("ij,ij->i", pp[i, 1 : kp + 1], vp[i, 1 : kp + 1]) < 0)
        assert (np.linalg.norm(ap[lowp], axis=1) / G0).max() < 0.5
    # proportional navigation brings it down on its aim point despite the weave
    from iadsim.threats.ballistic import hermite

    k = np.floor(t_end / 0.5).astype(int)
    end, _ = hermite(pos[np.arange(n), k], vel[np.arange(n), k], pos[np.arange(n), k + 1], vel[np.arange(n), k + 1],
                     0.5, t_end / 0.5 - k)
    miss = np.linalg.norm(end - target, axis=1)
    assert miss.max() < 50.0, miss


def test_separation_and_decoys_are_released_objects():
    spec = _spec("mrbm_penaid")
    n = 2
    lat0 = np.radians(np.array([-21.0, -21.1]))
    lon = np.radians(np.array([-24.5, -24.4]))
    alat, alon, aalt = np.radians(np.full(n, -20.0)), np.radians(np.full(n, -15.0)), np.full(n, 10.0)
    obj = br.fly_missiles(spec, lat0, lon, np.zeros(n), alat, alon, aalt, np.random.default_rng(1), 1.0, 3000.0)
    roles = obj.child_role
    assert (roles == br.STAGE).sum() == n and (roles == br.DECOY).sum() == n * spec.decoys.count
    assert np.array_equal(np.sort(obj.child_parent[roles == br.DECOY]), np.repeat(np.arange(n), 3))
    # stages leave at cut-off, decoys the release delay later
    assert obj.child_offset[roles == br.STAGE] == pytest.approx(obj.t_cutoff)
    assert obj.child_offset[roles == br.DECOY] == pytest.approx(np.repeat(obj.t_cutoff + spec.decoys.release_delay, 3))
    t, pos, vel, t_end = obj.children
    # decoys break up high; the stage falls short of the RV, to the ground
    dec = np.flatnonzero(roles == br.DECOY)
    stg = np.flatnonzero(roles == br.STAGE)
    for i in dec:
        k = int(np.floor(t_end[i]))
        assert radial_altitude(pos[i, k][None])[0] > 15e3
    assert np.isfinite(t_end[stg]).all()
    stage_end = np.array([pos[i, int(np.floor(t_end[i]))] for i in stg])
    rv_end = np.array([obj.missiles[1][i, int(np.floor(obj.missiles[3][i]))] for i in range(n)])
    assert (np.linalg.norm(stage_end - rv_end, axis=1) > 5e3).all()
    # a decoy leaves the RV at the dispersion speed
    k0 = 0
    v_dec = vel[dec, k0]
    rv_t = obj.t_cutoff + spec.decoys.release_delay
    from iadsim.threats.ballistic import hermite

    for row, i in enumerate(dec):
        p = obj.child_parent[i]
        k = int(np.floor(rv_t[p]))
        _, v_rv = hermite(obj.missiles[1][p, k], obj.missiles[2][p, k], obj.missiles[1][p, k + 1],
                          obj.missiles[2][p, k + 1], 1.0, rv_t[p] - k)
        assert np.linalg.norm(v_dec[row] - v_rv) == pytest.approx(spec.decoys.dispersion_speed, rel=1e-6)


def test_pull_up_and_dive_flattens_then_dives_onto_the_aim():
    base = _spec("srbm").model_copy(update={"cep": 0.0})
    from iadsim.scenario.catalog_models import Maneuver

    spec = base.model_copy(update={"maneuver": Maneuver(kind="pull_up_dive", start_altitude="25 km", g_limit=20.0,
                                                        pull_up_angle="10 deg")})
    lat0, lon = np.radians([-20.5]), np.radians([-18.6])
    alat, alon, aalt = np.radians([-20.0]), np.radians([-15.0]), np.array([10.0])
    man = br.fly_missiles(spec, lat0, lon, np.zeros(1), alat, alon, aalt, np.random.default_rng(0), 0.5, 3000.0)
    plain = br.fly_missiles(base, lat0, lon, np.zeros(1), alat, alon, aalt, np.random.default_rng(0), 0.5, 3000.0)

    def path_angle(obj):
        t, pos, vel, t_end = obj.missiles
        k = int(np.floor(t_end[0] / 0.5))
        r, v = pos[0, : k + 1], vel[0, : k + 1]
        with np.errstate(invalid="ignore", divide="ignore"):  # at rest on the pad the angle is undefined
            gam = np.degrees(np.arcsin(np.einsum("ij,ij->i", r, v) / (np.linalg.norm(r, axis=1) *
                                                                       np.linalg.norm(v, axis=1))))
        return radial_altitude(r), gam, r, v, t_end[0]

    alt_m, gam_m, r_m, v_m, te_m = path_angle(man)
    alt_p, gam_p, _, _, te_p = path_angle(plain)
    down = np.flatnonzero(np.diff(alt_m) < 0)
    below = down[alt_m[down] < 25e3]
    # the pull-up: the flight path rises from the ballistic dive (about -40 deg) to about -10 deg
    after_apogee = np.arange(alt_p.size) > np.argmax(alt_p)
    assert gam_p[np.flatnonzero(after_apogee & (alt_p < 20e3))[0]] < -25.0
    assert gam_m[below].max() > -12.0
    # (its ballistic twin never flattens below 25 km), and proportional navigation still brings it onto the aim
    assert gam_p[after_apogee & (alt_p < 25e3)].max() < -25.0
    from iadsim.threats.ballistic import hermite

    t, pos, vel, t_end = man.missiles
    k = int(np.floor(t_end[0] / 0.5))
    end, _ = hermite(pos[0, k], vel[0, k], pos[0, k + 1], vel[0, k + 1], 0.5, t_end[0] / 0.5 - k)
    assert np.linalg.norm(end - geodetic2ecef(alat, alon, aalt)[0]) < 50.0


def _mixed_rows(n=40):
    """A raid-like batch for the flight kernels: boosting missiles of three types (a MaRV among them, solved
    shots), stored and not, plus coasting re-entry bodies."""
    rng = np.random.default_rng(17)
    rows = []
    for name in ("srbm", "mrbm", "marv_srbm"):
        spec = _spec(name).model_copy(update={"cep": 0.0})
        k = n // 3
        lat0 = np.radians(-20.5 + rng.uniform(-0.3, 0.3, k))
        lon0 = np.radians(-18.8 + rng.uniform(-0.3, 0.3, k))
        prm, t_burn = br._params(spec, k, np.full(k, 10.0))
        e0, n0, _ = rk.enu_basis(lat0, lon0)
        az = np.radians(rng.uniform(60, 120, k))
        prm.P[:, rk.C_AZX:rk.C_AZZ + 1] = np.sin(az)[:, None] * e0 + np.cos(az)[:, None] * n0
        prm.P[:, rk.C_KICK] = np.radians(rng.uniform(5, 30, k))
        prm.P[:, rk.C_TC] = t_burn * rng.uniform(0.7, 1.0, k)
        if spec.maneuver is not None:
            prm.P[:, rk.C_MAN] = rk.MAN_WEAVE if spec.maneuver.kind == "weave" else rk.MAN_PULLUP
            prm.P[:, rk.C_MH], prm.P[:, rk.C_MG] = spec.maneuver.start_altitude, spec.maneuver.g_limit * 9.80665
            prm.P[:, rk.C_MP] = spec.maneuver.period if spec.maneuver.kind == "weave" else spec.maneuver.pull_up_angle
            prm.P[:, rk.C_AIMX:rk.C_AIMZ + 1] = geodetic2ecef(np.radians(-20.0), np.radians(-15.0), 0.0)
        y0 = np.zeros((k, 7))
        y0[:, :3] = geodetic2ecef(lat0, lon0, np.zeros(k))
        y0[:, 6] = prm.P[:, rk.C_M0]
        rows.append((y0, prm))
    return rows


@pytest.mark.parametrize("store", [False, True])
def test_parallel_flights_are_the_serial_flights_bit_for_bit(store):
    """rk.fly_parallel (the objects on numba's threads) against rk.fly: every output array identical."""
    for y0, prm in _mixed_rows():
        outs = []
        for kernel in (rk.fly, rk.fly_parallel):
            n = y0.shape[0]
            K = 2400 if store else 1
            o = (np.zeros((n, K, 6)), np.zeros(n, np.int64), np.zeros((n, 8)), np.zeros((n, 7)), np.zeros(n))
            kernel(y0, prm.P, prm.S, 1200.0, rk.DT_ATM, rk.DT_EXO, 0.5, J2, True, *o, store)
            outs.append(o)
        for a, b in zip(*outs, strict=True):
            assert np.array_equal(a, b, equal_nan=True)
        assert np.isfinite(outs[0][2][:, 0]).all()  # every object came down within the time


def _run_in_child(rows):
    y0, P, S = rows
    prm = rk.ObjectParams(y0.shape[0])
    prm.P, prm.S = P, S
    return rk._run(y0, prm, 1200.0)[2]


def test_flights_after_a_parallel_run_in_forked_workers_and_threads():
    """The parallel kernel's threads survive a fork (a Monte Carlo pool after an in-process run: the
    fork-safe threading layer) and a call from another thread takes the serial kernel (the fork-safe layer
    is not thread-safe); all give the serial results."""
    import concurrent.futures as cf
    import multiprocessing as mp
    import threading

    y0, prm = _mixed_rows(60)[0]
    assert y0.shape[0] >= rk.PARALLEL_ROWS
    ref = rk._run(y0, prm, 1200.0)[2]  # in this process, on the threads
    with cf.ProcessPoolExecutor(2, mp_context=mp.get_context("fork")) as pool:
        got = list(pool.map(_run_in_child, [(y0, prm.P, prm.S)] * 2, timeout=120))
    for g in got:
        assert np.array_equal(g, ref, equal_nan=True)
    box = {}
    th = [threading.Thread(target=lambda k=k: box.__setitem__(k, rk._run(y0, prm, 1200.0)[2])) for k in range(2)]
    for t in th:
        t.start()
    for t in th:
        t.join(120)
    assert all(np.array_equal(box[k], ref, equal_nan=True) for k in range(2))


def test_coast_step_density_reuse_is_the_full_derivative_bit_for_bit():
    """A coast step's first RK4 stage from the density the step rule already has (``_deriv_coast``) against
    the full ``_deriv`` (which evaluates the atmosphere again), bit for bit: unpowered objects of finite and
    infinite ballistic coefficient, and a powered one past its cut-off, from the ground to 300 km, climbing
    and falling, with and without a lateral acceleration."""
    rng = np.random.default_rng(23)
    n = 400
    lat, lon = rng.uniform(-1.2, 1.2, n), rng.uniform(-np.pi, np.pi, n)
    alt = np.concatenate([rng.uniform(0.0, 90e3, n // 2), rng.uniform(90e3, 300e3, n - n // 2)])
    r = geodetic2ecef(lat, lon, alt)
    v = rng.normal(size=(n, 3)) * rng.uniform(50.0, 4000.0, (n, 1))
    p = rk.ObjectParams(n)
    p.P[:, rk.C_BETA] = rng.choice([800.0, 5e4, np.inf], n)
    p.P[n // 4:n // 2, rk.C_POWERED] = 1.0  # a burnt-out missile: thrust 0 after its cut-off
    p.P[n // 4:n // 2, rk.C_TC] = 30.0
    work = [np.empty(7) for _ in range(5)]
    same = 0
    for i in range(n):
        y = np.concatenate([r[i], v[i], [700.0]])
        aL = rng.normal(size=3) * (i % 3 == 0)
        t = 40.0 if p.P[i, rk.C_POWERED] > 0 else 0.0
        h, _, rho = rk._coast_step(y, p.P[i, rk.C_BETA], rk.DT_ATM, rk.DT_EXO_PREDICT)
        assert (rho >= 0.0) == np.isfinite(p.P[i, rk.C_BETA])
        a, b = y.copy(), y.copy()
        rk._rk4(a, t, h, i, p.P, p.S, aL, J2, True, *work)
        rk._rk4(b, t, h, i, p.P, p.S, aL, J2, True, *work, rho)
        assert np.array_equal(a, b), i
        same += int(rho > 0.0)
    assert same > 100  # the density was reused on most finite-beta steps
