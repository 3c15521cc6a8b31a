"""The shot solver's continuation in range (``rocket.solve_shots``): a raid's missiles at the quantiles of
their ground range are solved from the kick scan, the others from the references' solutions and Jacobians
interpolated at their range.

Checked: every missile of a spread batch is feasible and its solved shot, flown again by ``fly`` (the
flight model, independent of the solver's own residual code), lands within the solver's tolerance of its aim
point; the reference missiles get the bits of the plain solve; the other missiles' shots agree with the plain
solve's to the tolerance's order; and the continuation costs a fraction of the plain solve's missile-flights.
"""

import numpy as np
import pytest

from iadsim.frames import geodetic2ecef
from iadsim.scenario.catalog import raw_catalog
from iadsim.scenario.catalog_models import BallisticThreatType
from iadsim.threats import ballistic_raid as br
from iadsim.threats import rocket as rk


def _batch(name, n, seed):
    spec = BallisticThreatType(**raw_catalog("threat")[name])
    rng = np.random.default_rng(seed)
    lat0 = np.radians(-20.5 + rng.uniform(-0.3, 0.3, n))
    lon0 = np.radians(-18.8 + rng.uniform(-0.3, 0.3, n)) if name == "srbm" else \
        np.radians(-24.5 + rng.uniform(-0.4, 0.4, n))
    alat = np.radians(-20.0 + rng.uniform(-0.4, 0.4, n))
    alon = np.radians(-15.0 + rng.uniform(-0.4, 0.4, n))
    aalt = np.full(n, 10.0)
    aim = geodetic2ecef(alat, alon, aalt)
    prm, t_burn = br._params(spec, n, aalt)
    apo = None if spec.apogee is None else np.full(n, spec.apogee)
    return spec, lat0, lon0, aim, prm, np.full(n, t_burn), apo


def _solve(batch, continuation, monkeypatch=None, count=None):
    spec, lat0, lon0, aim, prm, t_burn, apo = batch
    if monkeypatch is not None:
        run = rk._run

        def counted(y0, p, t_max, **kw):
            count.append(y0.shape[0])
            return run(y0, p, t_max, **kw)

        monkeypatch.setattr(rk, "_run", counted)
    out = rk.solve_shots(lat0, lon0, np.zeros(lat0.size), aim, prm, t_burn, apogee=apo, continuation=continuation)
    if monkeypatch is not None:
        monkeypatch.setattr(rk, "_run", run)
    return out


def _impact(batch, az, kick, tc):
    _, lat0, lon0, _, prm, _, _ = batch
    n = lat0.size
    P = prm.P.copy()
    e0, n0, _ = rk.enu_basis(lat0, lon0)
    P[:, rk.C_AZX:rk.C_AZZ + 1] = np.sin(az)[:, None] * e0 + np.cos(az)[:, None] * n0
    P[:, rk.C_KICK], P[:, rk.C_TC] = kick, tc
    y0 = np.zeros((n, 7))
    y0[:, :3] = geodetic2ecef(lat0, lon0, np.zeros(n))
    y0[:, 6] = P[:, rk.C_M0]
    samples, n_s, end, bo, apo = (np.zeros((n, 1, 6)), np.zeros(n, np.int64), np.zeros((n, 8)), np.zeros((n, 7)),
                                  np.zeros(n))
    rk.fly(y0, P, prm.S, 4000.0, rk.DT_ATM, rk.DT_EXO, 1.0, rk.J2, True, samples, n_s, end, bo, apo, False)
    return end[:, 1:4]


@pytest.mark.parametrize("name", ["srbm", "mrbm"])
def test_continuation_lands_every_missile_and_keeps_the_references(name, monkeypatch):
    batch = _batch(name, 20, seed=3)
    n_cont, n_plain = [], []
    az, kick, tc, miss, feasible = _solve(batch, True, monkeypatch, n_cont)
    az_p, kick_p, tc_p, miss_p, feasible_p = _solve(batch, False, monkeypatch, n_plain)
    assert feasible.all() and feasible_p.all()
    assert miss.max() <= 1.0 and miss_p.max() <= 1.0  # the solver's tolerance (m)
    # flown again by the flight kernel, each shot lands on its aim point within the tolerance (+ a margin
    # for the solver's residual being the same flight)
    land = _impact(batch, az, kick, tc)
    assert np.linalg.norm(land - batch[3], axis=1).max() < 1.5
    # the reference missiles (ground-range quantiles) are solved from the scan: the plain solve's bits
    rng_ground, refs = rk.continuation_references(geodetic2ecef(batch[1], batch[2], np.zeros(20)), batch[3])
    assert refs.size == rk.N_REFERENCE
    assert {int(np.argmin(rng_ground)), int(np.argmax(rng_ground))} <= set(refs.tolist())
    for a, b in ((az, az_p), (kick, kick_p), (tc, tc_p)):
        np.testing.assert_array_equal(a[refs], b[refs])
    # the others converge to the plain solve's shot within what the 1 m tolerance allows
    others = np.setdiff1d(np.arange(20), refs)
    assert np.any(az[others] != az_p[others])  # they did start elsewhere
    assert np.abs(az - az_p).max() < 1e-5 and np.abs(tc - tc_p).max() < 0.01
    # and at a fraction of the work
    assert sum(n_cont) < 0.5 * sum(n_plain)


def test_small_batches_and_continuation_off_are_the_plain_solve():
    batch = _batch("srbm", rk.CONTINUATION_MIN - 1, seed=5)
    a = _solve(batch, True)
    b = _solve(batch, False)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


def test_a_reference_out_of_reach_leaves_the_others_to_the_plain_solve():
    """When a reference missile does not converge (its aim beyond reach) it is no anchor: the other missiles
    are solved from the scan, the plain solve's bits, and the unreachable one is reported infeasible."""
    batch = list(_batch("srbm", 10, seed=2))
    lat0, lon0, aim = batch[1], batch[2], batch[3].copy()
    _, refs = rk.continuation_references(geodetic2ecef(lat0, lon0, np.zeros(10)), aim)
    far = refs[1]  # an inner reference: interpolation would lean on it
    aim[far] = geodetic2ecef(np.radians(-20.0), np.radians(25.0), 10.0)  # 40 degrees away: out of reach
    batch[3] = aim
    cont = _solve(batch, True)
    plain = _solve(batch, False)
    assert not cont[4][far] and cont[4].sum() == 9
    for u, v in zip(cont, plain, strict=True):
        np.testing.assert_array_equal(u, v)
