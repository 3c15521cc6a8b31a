"""The ballistic missiles of a raid as flying objects: solved shots, spent stages and decoys.

For every missile of a type with ``stages`` (:class:`iadsim.scenario.catalog_models.BallisticThreatType`):

1. **Aim point**: the target asset displaced by a circular-normal error of the type's ``cep``: each axis of
   the local east-north plane ``N(0, sigma^2)`` with ``sigma = CEP / sqrt(2 ln 2) = CEP / 1.1774``, so half of
   the impacts fall within ``CEP`` of the asset (the Rayleigh median; Przemieniecki, *Mathematical Methods
   in Defense Analyses*, 3rd ed., sect. 4.2). The error is the missile's own (guidance, navigation,
   re-entry dispersion): its trajectory is solved to the displaced point.
2. **Shot**: :func:`iadsim.threats.rocket.solve_shots` (azimuth, kick, cut-off; minimum-energy or the
   type's apogee) with the re-entering body's ballistic coefficient, over the rotating J2 earth.
3. **Flight**: :func:`iadsim.threats.rocket.fly` from the pad to the ground (with the terminal manoeuvre of
   a MaRV), sampled on the scenario's time step.
4. **Objects**: with ``separation`` the spent stage leaves at cut-off, pushed back by ``delta_v`` along the
   velocity, and falls with its own ballistic coefficient; ``decoys`` leave the re-entry vehicle
   ``release_delay`` after cut-off with ``dispersion_speed`` in a uniformly random direction (Marsaglia's
   method of normalised Gaussians) and fly with their own ballistic coefficient until they break up.

Draws come from the replication's ``raid`` generator after the raid draws, in missile order: the aim
error (2 normals per missile), then the decoys' directions (3 normals per decoy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.threats import rocket as rk

#: object roles (what an object is, beyond how it looks to a radar)
WARHEAD, DECOY, STAGE = 0, 1, 2
ROLE_NAMES = ("warhead", "decoy", "stage")
CEP_SIGMA = 1.0 / np.sqrt(2.0 * np.log(2.0))


@dataclass
class BallisticObjects:
    """The output for ``n`` missiles (in input order) and ``m`` extra objects.

    ``missiles``: the sampled flight group ``(t, pos, vel, t_end)`` of the missiles;
    ``children``: the same for the extra objects (or None); ``child_parent (m,)``: index of the missile
    that released each; ``child_offset (m,)``: release time after the missile's launch; ``child_role``,
    ``child_rcs``; ``aim (n, 3)`` the aim points; ``t_cutoff (n,)``; ``miss (n,)`` solver miss (m).
    """

    missiles: tuple
    children: tuple | None
    child_parent: np.ndarray
    child_offset: np.ndarray
    child_role: np.ndarray
    child_rcs: np.ndarray
    aim: np.ndarray
    t_cutoff: np.ndarray
    miss: np.ndarray


def aim_points(asset_lat, asset_lon, asset_alt, cep, rng):
    """Aim points ``(n, 3)`` ECEF: the assets displaced by the circular-normal CEP error (module docstring)."""
    from iadsim.frames import geodetic2ecef

    e, nn, _ = rk.enu_basis(asset_lat, asset_lon)
    d = rng.standard_normal((asset_lat.size, 2)) * (np.asarray(cep, float) * CEP_SIGMA)[:, None]
    return geodetic2ecef(asset_lat, asset_lon, asset_alt) + d[:, :1] * e + d[:, 1:] * nn


def _params(spec, n, stop_alt):
    prm = rk.ObjectParams(n)
    stages = [(s.burn_time, s.isp, s.propellant_mass, s.dry_mass) for s in spec.stages]
    t_burn = prm.set_stages(np.arange(n), stages, spec.payload_mass,
                            spec.boost_cd * np.pi * (0.5 * spec.diameter) ** 2, spec.vertical_rise, spec.pitch_over)
    # the last stage is carried to cut-off and re-enters with the payload unless it separates
    prm.P[:, rk.C_BETA] = spec.ballistic_coefficient
    prm.P[:, rk.C_STOP] = stop_alt
    return prm, t_burn


def _sampled(y0, prm, t_max, h):
    samples, n_s, end, bo, apo = rk._run(y0, prm, t_max, store=True, h_sample=h)
    K = int(n_s.max(initial=1))
    samples = samples[:, :K]
    for i in range(samples.shape[0]):  # padding repeats the last genuine sample
        samples[i, n_s[i]:] = samples[i, n_s[i] - 1]
    t = np.arange(K) * h
    t_end = end[:, 0].copy()
    return (t, samples[:, :, :3].copy(), samples[:, :, 3:].copy(), t_end), end, bo


def fly_missiles(spec, lat0, lon0, alt0, asset_lat, asset_lon, asset_alt, rng, h, t_max) -> BallisticObjects:
    """Solve and fly ``n`` missiles of the powered type ``spec`` (module docstring)."""
    n = lat0.size
    aim = aim_points(asset_lat, asset_lon, asset_alt, np.full(n, spec.cep), rng)
    prm, t_burn = _params(spec, n, asset_alt)
    apo = None if spec.apogee is None else np.full(n, spec.apogee)
    az, kick, tc, miss, feasible = rk.solve_shots(lat0, lon0, alt0, aim, prm, np.full(n, t_burn), apogee=apo)
    if not feasible.all():
        i = int(np.flatnonzero(~feasible)[0])
        raise ValueError(f"the aim point is beyond the missile's reach (best shot misses by {miss[i] / 1e3:.0f} km)")
    from iadsim.frames import geodetic2ecef

    e0, n0, _ = rk.enu_basis(lat0, lon0)
    P = prm.P
    P[:, rk.C_AZX:rk.C_AZZ + 1] = np.sin(az)[:, None] * e0 + np.cos(az)[:, None] * n0
    P[:, rk.C_KICK] = kick
    P[:, rk.C_TC] = tc
    P[:, rk.C_AIMX:rk.C_AIMZ + 1] = aim
    if spec.maneuver is not None:
        m = spec.maneuver
        P[:, rk.C_MAN] = rk.MAN_WEAVE if m.kind == "weave" else rk.MAN_PULLUP
        P[:, rk.C_MH] = m.start_altitude
        P[:, rk.C_MG] = m.g_limit * 9.80665
        P[:, rk.C_MP] = m.period if m.kind == "weave" else m.pull_up_angle
    y0 = np.zeros((n, 7))
    y0[:, :3] = geodetic2ecef(lat0, lon0, alt0)
    y0[:, 6] = P[:, rk.C_M0]
    group, end, bo = _sampled(y0, prm, t_max, h)

    # extra objects: spent stages at cut-off, decoys after the release delay
    cy, cp, co, cr, crcs, cprm = [], [], [], [], [], []
    if spec.separation is not None:
        s = spec.separation
        v = bo[:, 4:7]
        u = v / np.linalg.norm(v, axis=1)[:, None]
        y = np.zeros((n, 7))
        y[:, :3] = bo[:, 1:4]
        y[:, 3:6] = v - s.delta_v * u
        y[:, 6] = 1.0
        cy.append(y)
        cp.append(np.arange(n))
        co.append(tc.copy())
        cr.append(np.full(n, STAGE))
        crcs.append(np.full(n, s.rcs))
        p = rk.ObjectParams(n)
        p.P[:, rk.C_BETA] = s.ballistic_coefficient
        p.P[:, rk.C_STOP] = 0.0
        cprm.append(p)
    if spec.decoys is not None:
        d = spec.decoys
        t_rel = tc + d.release_delay
        t, pos, vel, _ = group
        # the re-entry vehicle's state at release, on its sampled Hermite interpolant
        from iadsim.threats.ballistic import hermite

        k = np.clip(np.floor(t_rel / h).astype(int), 0, t.size - 2)
        s_ = (t_rel - t[k]) / h
        r_rel, v_rel = hermite(pos[np.arange(n), k], vel[np.arange(n), k], pos[np.arange(n), k + 1],
                               vel[np.arange(n), k + 1], h, s_)
        dirs = rng.standard_normal((n, d.count, 3))
        dirs /= np.linalg.norm(dirs, axis=2)[:, :, None]
        y = np.zeros((n * d.count, 7))
        y[:, :3] = np.repeat(r_rel, d.count, axis=0)
        y[:, 3:6] = np.repeat(v_rel, d.count, axis=0) + d.dispersion_speed * dirs.reshape(-1, 3)
        y[:, 6] = 1.0
        cy.append(y)
        cp.append(np.repeat(np.arange(n), d.count))
        co.append(np.repeat(t_rel, d.count))
        cr.append(np.full(n * d.count, DECOY))
        crcs.append(np.full(n * d.count, d.rcs))
        p = rk.ObjectParams(n * d.count)
        p.P[:, rk.C_BETA] = d.ballistic_coefficient
        p.P[:, rk.C_QB] = d.breakup_pressure
        p.P[:, rk.C_STOP] = 0.0
        cprm.append(p)
    children = None
    if cy:
        p = rk.ObjectParams(0)
        p.P = np.concatenate([q.P for q in cprm])
        p.S = np.concatenate([q.S for q in cprm])
        children, _, _ = _sampled(np.concatenate(cy), p, t_max, h)
    return BallisticObjects(
        missiles=group, children=children,
        child_parent=np.concatenate(cp) if cp else np.zeros(0, np.int64),
        child_offset=np.concatenate(co) if co else np.zeros(0),
        child_role=np.concatenate(cr).astype(np.int8) if cr else np.zeros(0, np.int8),
        child_rcs=np.concatenate(crcs) if crcs else np.zeros(0),
        aim=aim, t_cutoff=tc, miss=miss)
