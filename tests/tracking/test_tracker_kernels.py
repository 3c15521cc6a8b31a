"""The compiled tracker scan (``tracking/_kernels.py``) against the batched numpy code it replaces.

Each kernel is compared with its reference on seeded random inputs, and the whole scan with the numpy
``Tracker`` (``fast=False``) on seeded multi-target, multi-radar scans (crossing and formation targets, clutter,
misses, ENU and ECEF frames, radars with and without elevation and range rate, coverage limits, a ``counted``
callback, tentative timeouts, detections shuffled): after every scan the same ids, status and counters, ``x``
and ``P`` equal to 1e-9 relative, and the same output tables (``predict_confirmed``, ``confirmed``,
``all_tracks``: ids, times, counters and classes exactly, states, covariances and class confidences to 1e-9).

The kernels' source with textual mutations (a wrong ``Q`` term, a narrower gate, the Joseph form without
``K R K^T``, misses not counted, the azimuth residual not wrapped in the gate, a wrong class membership floor),
run as plain Python, must fail the same comparison, while the unmutated source run as plain Python passes it.
"""

import types
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from iadsim.frames import enu_rotation, geodetic2ecef
from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig, _kernels
from iadsim.tracking.association import gated_costs, gnn
from iadsim.tracking.imm import IMM
from iadsim.tracking.management import initiate_from_detections
from iadsim.tracking.measurements import COMPONENTS, H, h
from iadsim.tracking.motion import NCV
from iadsim.tracking.ukf import UKF

SIG = {"r": 30.0, "az": 2e-3, "el": 2e-3, "rdot": 3.0}
DIMS = (("r", "az", "el", "rdot"), ("r", "az", "rdot"), ("r", "az", "el"))


def _codes(comps):
    return np.array([COMPONENTS.index(c) for c in comps], np.int64)


def _spd(rng, n, scale):
    A = rng.normal(size=(n, n)) * scale
    return A @ A.T + np.eye(n) * scale * scale


def _rel(a, b):
    """Largest difference per row relative to that row's largest magnitude."""
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 0:
        return 0.0
    d = np.abs(a - b).reshape(a.shape[0], -1).max(axis=1)
    s = np.abs(b).reshape(b.shape[0], -1).max(axis=1)
    return float(np.max(d / np.maximum(s, 1e-300)))


# -- kernels against their references ------------------------------------------------------------------------


def test_lexsort_rows_equals_numpy_lexsort():
    rng = np.random.default_rng(0)
    for K in (0, 1, 2, 7, 40):
        z = np.round(rng.normal(size=(K, 3)), 1)  # rounded: many ties in the first columns
        z[: K // 2, 0] = 1.0
        assert np.array_equal(_kernels.lexsort_rows(z), np.lexsort(z.T[::-1]))


@pytest.mark.parametrize("seed", [0, 1])
def test_predict_ncv_equals_ekf_predict(seed):
    rng = np.random.default_rng(seed)
    M = 30
    x = np.hstack([rng.uniform(-1e5, 1e5, (M, 3)), rng.normal(0, 300, (M, 3))])
    P = np.array([_spd(rng, 6, 30.0) for _ in range(M)])
    dt = rng.uniform(-2.0, 12.0, M)
    dt[:3] = 0.0
    f = EKF(NCV(7.5, frame="ecef"))
    ref = f.predict(f.initiate(x, P), dt)
    xk, Pk = _kernels.predict_ncv(x, P, dt, 7.5)
    assert _rel(xk, ref.x) < 1e-14 and _rel(Pk, ref.P) < 1e-13
    assert np.array_equal(Pk, np.swapaxes(Pk, 1, 2))


@pytest.mark.parametrize("comps", [("r", "az", "el", "rdot"), ("r", "az", "rdot"), ("r", "el"), ("rdot", "az", "r")])
def test_linearize_and_innovation_cov_equal_measurements(comps):
    rng = np.random.default_rng(len(comps))
    lat, lon = np.deg2rad(48.0), np.deg2rad(11.0)
    ps = np.asarray(geodetic2ecef(lat, lon, 500.0), float)
    C = np.asarray(enu_rotation(lat, lon), float)
    geom = SensorGeometry(ps[None], C[None], (comps,))
    M = 40
    enu = np.column_stack([rng.uniform(-9e4, 9e4, (M, 2)), rng.uniform(100.0, 2e4, M)])
    x = np.hstack([ps + enu @ C, rng.normal(0, 300, (M, 3))])
    P = np.array([_spd(rng, 6, 40.0) for _ in range(M)])
    zref, Href = h(x, geom, 0, comps), H(x, geom, 0, comps)
    S0ref = EKF(NCV(1.0)).predicted_measurement(EKF(NCV(1.0)).initiate(x, P), geom, np.zeros(M, int), comps)[1]
    m = len(comps)
    for i in range(M):
        zh, Hi, S0, PHt = np.empty(m), np.empty((m, 6)), np.empty((m, m)), np.empty((6, m))
        _kernels.linearize(x[i], ps, C, _codes(comps), zh, Hi)
        _kernels.innovation_cov(P[i], Hi, S0, PHt)
        np.testing.assert_allclose(zh, zref[i], rtol=1e-12, atol=1e-12)
        assert _rel(Hi[None], Href[i][None]) < 1e-10
        assert _rel(S0[None], S0ref[i][None]) < 1e-10


def test_mahalanobis2_and_solve_equal_numpy():
    rng = np.random.default_rng(5)
    for m in (1, 2, 3, 4):
        S = _spd(rng, m, 3.0)
        y = rng.normal(size=m)
        ref = y @ np.linalg.solve(S, y)
        assert abs(_kernels.mahalanobis2(S, y, np.empty((m, m)), np.empty(m)) - ref) < 1e-12 * ref
        B = rng.normal(size=(m, 6))
        np.testing.assert_allclose(_kernels.solve(S, B), np.linalg.solve(S, B), rtol=1e-11, atol=1e-12)
    assert _kernels.mahalanobis2(-np.eye(2), np.ones(2), np.empty((2, 2)), np.empty(2)) == np.inf


@pytest.mark.parametrize("seed", range(6))
def test_lsa_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        nr = int(rng.integers(1, 9))
        nd = int(rng.integers(1, 9))
        cost = np.full((nr, nd + nr), np.inf)
        sparse = rng.random((nr, nd)) < 0.6
        cost[:, :nd] = np.where(sparse, rng.uniform(0, 10, (nr, nd)), np.inf)
        cost[np.arange(nr), nd + np.arange(nr)] = 9.0  # the "no detection" column of each row
        col = _kernels.lsa(cost)
        a, b = linear_sum_assignment(np.where(np.isinf(cost), 1e12, cost))
        assert np.array_equal(col[a], b)
        assert cost[np.arange(nr), col].sum() == pytest.approx(cost[a, b].sum(), rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_gnn_equals_association_gnn(seed):
    rng = np.random.default_rng(seed)
    M, K, gate = 60, 50, 16.0
    for _ in range(20):
        # tracks and detections on a line, pairs where they are close: chains and clusters of every size
        pt, pd = np.sort(rng.uniform(0, 100, M)), np.sort(rng.uniform(0, 100, K))
        d = np.abs(pt[:, None] - pd[None, :])
        rows, cols = np.nonzero(d < rng.uniform(1.0, 6.0))
        d2 = rng.uniform(0, gate, rows.size)
        got = _kernels.gnn(np.arange(rows.size), rows, cols, d2, M, K, gate)
        ref_r, ref_c = gnn(rows, cols, d2, M, K, gate)
        assert sorted(zip(rows[got].tolist(), cols[got].tolist(), strict=True)) == \
            sorted(zip(ref_r.tolist(), ref_c.tolist(), strict=True))


@pytest.mark.parametrize("comps", [("r", "az", "el", "rdot"), ("r", "az"), ("az", "r", "el")])
@pytest.mark.parametrize("shared", [True, False])
def test_gated_pairs_equal_gated_costs(comps, shared):
    rng = np.random.default_rng(11)
    geom = SensorGeometry.flat([[1e3, -2e3, 10.0]], [comps])
    ps, C = geom.position[0], geom.C[0]
    M, K, m = 80, 40, len(comps)
    x = np.hstack([rng.uniform(5e3, 6e4, (M, 3)) * [1, 1, 0.1], rng.normal(0, 200, (M, 3))])
    x[:, 1] = np.where(rng.random(M) < 0.3, rng.uniform(-3e3, 3e3, M), x[:, 1])  # azimuths either side of north
    P = np.array([_spd(rng, 6, 60.0) for _ in range(M)])
    truth = rng.choice(M, K - 10, replace=False)
    sig = np.array([SIG[c] for c in comps])
    z = np.vstack([h(x[truth], geom, 0, comps) + rng.normal(size=(K - 10, m)) * sig * 3,
                   h(x[rng.choice(M, 10)] + rng.normal(0, 400, (10, 6)), geom, 0, comps)])
    ia = comps.index("az")
    z[:, ia] = np.mod(z[:, ia], 2 * np.pi)
    R = np.diag(sig**2)[None] if shared else np.array([np.diag((sig * rng.uniform(0.5, 2, m)) ** 2)
                                                        for _ in range(K)])
    ci = np.flatnonzero(rng.random(M) < 0.8)
    order = _kernels.lexsort_rows(z)
    gate = 16.0
    pr, pc, pd, _, _, lin = _kernels.gated_pairs(x, P, ci, ps, C, _codes(comps), z, R, order, gate)
    S0 = EKF(NCV(1.0)).predicted_measurement(EKF(NCV(1.0)).initiate(x[ci], P[ci]), geom,
                                             np.zeros(ci.size, int), comps)[1]
    rr, cc, dd = gated_costs(h(x[ci], geom, 0, comps), S0, z, np.broadcast_to(R, (K, m, m)), comps, gate)
    assert rr.size > 20
    got = {(int(a), int(order[j])): v for a, j, v in zip(pr, pc, pd, strict=True)}
    ref = {(int(a), int(j)): v for a, j, v in zip(rr, cc, dd, strict=True)}
    assert got.keys() == ref.keys()
    assert max(abs(got[k] - ref[k]) / max(ref[k], 1e-3) for k in ref) < 1e-9
    assert lin[ci[rr]].all()


@pytest.mark.parametrize("comps", [("r", "az", "el", "rdot"), ("r", "az")])
def test_gating_factors_a_shared_R_once_per_track_with_the_same_bits(comps):
    """With one ``R`` for every detection, ``gate_track`` factors ``S0 + R`` once per track; the pairs and
    their ``d2`` are those of the same ``R`` given per detection (factored per pair), bit for bit."""
    rng = np.random.default_rng(23)
    geom = SensorGeometry.flat([[1e3, -2e3, 10.0]], [comps])
    ps, C = geom.position[0], geom.C[0]
    M, K, m = 60, 30, len(comps)
    x = np.hstack([rng.uniform(5e3, 4e4, (M, 3)) * [1, 1, 0.1], rng.normal(0, 200, (M, 3))])
    P = np.array([_spd(rng, 6, 300.0) for _ in range(M)])
    sig = np.array([SIG[c] for c in comps])
    z = h(x[rng.choice(M, K)], geom, 0, comps) + rng.normal(size=(K, m)) * sig * 20
    z[:, comps.index("az")] = np.mod(z[:, comps.index("az")], 2 * np.pi)
    R1 = np.diag(sig**2)[None]
    ci = np.arange(M)
    order = _kernels.lexsort_rows(z)
    one = _kernels.gated_pairs(x, P, ci, ps, C, _codes(comps), z, R1, order, 16.0)
    each = _kernels.gated_pairs(x, P, ci, ps, C, _codes(comps), z, np.repeat(R1, K, axis=0), order, 16.0)
    assert one[0].size > 30 and np.unique(one[0]).size < one[0].size  # tracks with several pairs
    for a, b in zip(one[:3], each[:3], strict=True):
        assert a.tobytes() == b.tobytes()
    # R differing from detection to detection: each pair's d2 is its own S0 + R_k's, factored for that pair
    Rk = np.array([np.diag((sig * rng.uniform(0.5, 3.0, m)) ** 2) for _ in range(K)])
    pr, pc, pd, zhat, H, _ = _kernels.gated_pairs(x, P, ci, ps, C, _codes(comps), z, Rk, order, 16.0)
    assert pr.size > 30 and np.unique(pr).size < pr.size
    S0, PHt, L, w = np.empty((m, m)), np.empty((6, m)), np.empty((m, m)), np.empty(m)
    ia = comps.index("az")
    for a, j, d2 in zip(pr, pc, pd, strict=True):
        i, k = ci[a], order[j]
        _kernels.innovation_cov(P[i], H[i], S0, PHt)
        y = z[k] - zhat[i]
        y[ia] = _kernels.wrap(y[ia])
        assert _kernels.mahalanobis2(S0 + Rk[k], y, L, w) == d2


def test_gating_a_track_whose_innovation_covariance_is_not_positive_definite_pairs_nothing():
    """``S0 + R`` indefinite with a positive diagonal (every detection passes the per-component pre-cut):
    no pair, whether ``R`` is shared (one factorization for the track) or given per detection."""
    S0 = np.array([[1e6, 3e6], [3e6, 1e6]])
    zhat = np.array([1e4, 0.5])
    z = zhat + np.array([[1.0, 1e-3], [-2.0, 2e-3], [3.0, -1e-3]])
    order = _kernels.lexsort_rows(z)
    R1 = np.diag([30.0**2, 2e-3**2])[None]
    for R in (R1, np.repeat(R1, 3, axis=0)):
        pr, pc, pd = np.empty(3, np.int64), np.empty(3, np.int64), np.empty(3)
        # the factor's scratch holds a previous track's factor (as in gated_pairs): not to be reused
        scratch = np.empty(2), np.empty((2, 2)), np.full((2, 2), 10.0), np.empty(2)
        n = _kernels.gate_track(0, zhat, S0, z, R, order, 0, 3, 1, 16.0, 16.0, pr, pc, pd, 0, *scratch)
        assert n == 0
        n = _kernels.gate_track(0, zhat, np.diag([1e6, 1.0]), z, R, order, 0, 3, 1, 16.0, 16.0, pr, pc, pd, 0,
                                *scratch)
        assert n == 3  # the same detections gate against a positive definite S0


def test_the_update_into_work_arrays_is_the_allocating_update():
    rng = np.random.default_rng(29)
    for m in (2, 3, 4):
        work = _kernels.update_scratch(m)
        for _ in range(20):
            x, P = rng.normal(size=6) * 1e4, _spd(rng, 6, 50.0)
            Hm, y, R = rng.normal(size=(m, 6)), rng.normal(size=m), np.diag(rng.uniform(1.0, 9.0, m))
            x1, P1, x2, P2 = x.copy(), P.copy(), x.copy(), P.copy()
            _kernels.joseph_update(x1, P1, Hm, y, R)
            _kernels.joseph_update_into(x2, P2, Hm, y, R, work)  # work arrays reused from the last update
            assert x1.tobytes() == x2.tobytes() and P1.tobytes() == P2.tobytes()


@pytest.mark.parametrize("comps", [("r", "az", "el"), ("r", "az", "rdot"), ("r", "el")])
def test_initiate_equals_initiate_from_detections(comps):
    rng = np.random.default_rng(2)
    lat, lon = np.deg2rad(-30.0), np.deg2rad(140.0)
    ps = np.asarray(geodetic2ecef(lat, lon, 50.0), float)
    C = np.asarray(enu_rotation(lat, lon), float)
    geom = SensorGeometry(ps[None], C[None], (comps,))
    cfg = TrackerConfig(v_max=2500.0, v_max_sigmas=3.0, init_up=4000.0, init_up_sigma=1500.0)
    K, m = 12, len(comps)
    base = {"r": rng.uniform(1e4, 2e5, K), "az": rng.uniform(0, 2 * np.pi, K), "el": rng.uniform(0, 0.5, K),
            "rdot": rng.normal(0, 200, K)}
    z = np.column_stack([base[c] for c in comps])
    R = np.array([_spd(rng, m, 1.0) * np.outer([SIG[c] for c in comps], [SIG[c] for c in comps]) / 4
                  for _ in range(K)])
    used = rng.random(K) < 0.4
    order = np.arange(K)[::-1].copy()
    x0, P0 = _kernels.initiate(z, R, order, used, ps, C, _codes(comps), cfg.init_up, cfg.init_up_sigma,
                               cfg.v_max / cfg.v_max_sigmas)
    sel = order[~used]
    xr, Pr = initiate_from_detections(z[sel], R[sel], geom, 0, comps, cfg)
    assert _rel(x0, xr) < 1e-13 and _rel(P0, Pr) < 1e-10


def test_fast_is_chosen_only_where_the_kernels_apply():
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [("r", "az")])
    assert Tracker(geom, EKF(NCV(1.0, frame="enu"))).fast
    assert not Tracker(geom, EKF(NCV(1.0, frame="enu")), fast=False).fast
    imm = IMM([EKF(NCV(1.0)), EKF(NCV(9.0))], [[0.9, 0.1], [0.1, 0.9]], [0.5, 0.5])
    for f, cfg in ((imm, None), (UKF(NCV(1.0)), None), (EKF(NCV(1.0)), TrackerConfig(association="jpda")),
                   (EKF(NCV(1.0)), TrackerConfig(confirmation="sprt"))):
        assert not Tracker(geom, f, cfg).fast
        with pytest.raises(ValueError, match="fast=True"):
            Tracker(geom, f, cfg, fast=True)


# -- the whole scan against the numpy tracker -------------------------------------------------------------


def _world(seed, frame, n_targets=36, n_scans=40):
    """Radars (three, different components), targets (crossing, a tight formation, some through north of
    radar 0), and their scans with misses, clutter and shuffled detections; ``R`` shared or per detection."""
    rng = np.random.default_rng(seed)
    enu_s = np.array([[0.0, 0.0, 0.0], [30e3, -10e3, 200.0], [-15e3, 25e3, 50.0]])
    if frame == "ecef":
        lat, lon = np.deg2rad(52.0), np.deg2rad(5.0)
        o = np.asarray(geodetic2ecef(lat, lon, 0.0), float)
        C0 = np.asarray(enu_rotation(lat, lon), float)
        pos = o + enu_s @ C0
        Cs = np.array([np.asarray(enu_rotation(lat + 1e-3 * k, lon - 2e-3 * k), float) for k in range(3)])
        to_frame = lambda e: o + e @ C0  # noqa: E731
        vel_frame = lambda v: v @ C0  # noqa: E731
    else:
        pos, Cs = enu_s, np.broadcast_to(np.eye(3), (3, 3, 3)).copy()
        to_frame = vel_frame = lambda e: e  # noqa: E731
    geom = SensorGeometry(pos, Cs, DIMS)
    p = np.column_stack([rng.uniform(-6e4, 6e4, n_targets), rng.uniform(5e3, 8e4, n_targets),
                         rng.uniform(1e3, 9e3, n_targets)])
    v = np.column_stack([rng.normal(0, 200, (n_targets, 2)), rng.normal(0, 5, n_targets)])
    p[:8] = p[0] + rng.normal(0, 150, (8, 3))  # a formation: contested gates, assignment clusters
    v[:8] = v[0] + rng.normal(0, 3, (8, 3))
    p[8:12, 0] = rng.uniform(-2e3, 2e3, 4)  # near radar 0's north: azimuth wrapping
    scans, t = [], 0.0
    for k in range(n_scans):
        s = k % 3
        t += (0.7, 1.1, 1.5)[s]
        comps = DIMS[s]
        sig = np.array([SIG[c] for c in comps])
        x = np.hstack([to_frame(p + v * t), vel_frame(v)])
        keep = rng.random(n_targets) < 0.85
        zt = h(x[keep], geom, s, comps)
        z = zt + rng.normal(size=zt.shape) * sig
        n_fa = rng.poisson(6)
        fa = {"r": rng.uniform(5e3, 1.2e5, n_fa), "az": rng.uniform(0, 2 * np.pi, n_fa),
              "el": rng.uniform(0, 0.2, n_fa), "rdot": rng.uniform(-300, 300, n_fa)}
        z = np.vstack([z, np.column_stack([fa[c] for c in comps])])
        ia = comps.index("az")
        z[:, ia] = np.mod(z[:, ia], 2 * np.pi)
        z = z[rng.permutation(z.shape[0])]
        if rng.random() < 0.5:
            R = np.diag(sig**2)
        else:
            R = np.array([np.diag((sig * rng.uniform(0.7, 1.5, sig.size)) ** 2) for _ in range(z.shape[0])])
        scans.append((t, s, z, R))
    return geom, scans


def _counted(geom):
    """A deterministic sensor model: a scan counts within 70 km, outside a blind 60-degree sector."""
    def counted(sensor, pos):
        d = np.einsum("ij,mj->mi", geom.C[sensor], pos - geom.position[sensor])
        az = np.mod(np.arctan2(d[:, 0], d[:, 1]), 2 * np.pi)
        return (np.einsum("mi,mi->m", d, d) < 7e4**2) & ~((az > 2.0) & (az < 2.0 + np.pi / 3))
    return counted


def _config(variant):
    base = dict(v_max=700.0, confirm_m=2, confirm_n=3, max_misses=3, pos_std_max=3000.0, init_up=3000.0,
                init_up_sigma=2000.0)
    if variant == "limits":
        base.update(max_range=(9e4, None, 6e4), tentative_timeout=(2.0, 4.0, 3.0), confirm_m=3, confirm_n=5)
    if variant == "global":
        base.update(confirmed_first=False, tentative_timeout=3.0)
    return TrackerConfig(**base)


_FIELDS = ("id", "status", "hist", "scans", "misses", "n_updates", "last_update", "last_sensor", "t", "score")


def _mismatches(geom, scans, cfg, frame, counted, kernels=None):
    """Run the fast and the numpy tracker side by side; the differences found after each scan."""
    fast = Tracker(geom, EKF(NCV(4.0, frame=frame)), cfg, counted=counted, fast=True)
    ref = Tracker(geom, EKF(NCV(4.0, frame=frame)), cfg, counted=counted, fast=False)
    if kernels is not None:  # the kernels' module swapped for a (plain Python, maybe mutated) copy
        fast._consts = (kernels,) + fast._fast_consts()[1:]
    out = []
    for k, (t, s, z, R) in enumerate(scans):
        fast.step(t, s, z, R)
        ref.step(t, s, z, R)
        if len(fast) != len(ref):
            out.append((k, "tracks", len(fast), len(ref)))
            break
        for f in _FIELDS:
            if not np.array_equal(getattr(fast, f), getattr(ref, f)):
                out.append((k, f))
        if len(ref) and (_rel(fast.state.x, ref.state.x) > 1e-9 or _rel(fast.state.P, ref.state.P) > 1e-9):
            out.append((k, "x/P", _rel(fast.state.x, ref.state.x), _rel(fast.state.P, ref.state.P)))
        tables = ((fast.predict_confirmed(t + 0.8), ref.predict_confirmed(t + 0.8)),
                  (fast.confirmed(), ref.confirmed()), (fast.all_tracks(), ref.all_tracks()))
        for name, (a, b) in zip(("predict_confirmed", "confirmed", "all_tracks"), tables, strict=True):
            for f in ("id", "t", "n_updates", "last_update", "status", "cls"):
                if not np.array_equal(getattr(a, f), getattr(b, f)):
                    out.append((k, name, f))
            if len(b) and max(_rel(a.x, b.x), _rel(a.P, b.P), _rel(a.cls_conf[:, None], b.cls_conf[:, None])) > 1e-9:
                out.append((k, name, "x/P/cls_conf"))
        if out:
            break
    return out, fast


@pytest.mark.parametrize("frame", ["enu", "ecef"])
@pytest.mark.parametrize("variant", ["default", "limits", "global"])
@pytest.mark.parametrize("seed", [0, 1])
def test_fast_scan_equals_numpy_tracker(frame, variant, seed):
    geom, scans = _world(seed, frame)
    counted = _counted(geom) if variant != "default" else None
    out, fast = _mismatches(geom, scans, _config(variant), frame, counted)
    assert out == []
    assert (fast.status == 1).sum() >= 15 and fast.next_id > 60  # tracks confirmed, false alarms initiated


def _python_kernels(mutation=None):
    """The kernels' source run as plain Python (``njit`` the identity), with one textual mutation."""
    src = Path(_kernels.__file__).read_text()
    if mutation is not None:
        old, new = mutation
        assert src.count(old) == 1, old
        src = src.replace(old, new)
    src = src.replace("from iadsim._numba import njit", "def njit(*args, **kwargs):\n    return lambda f: f")
    mod = types.ModuleType("iadsim_tracking_kernels_plain")
    exec(compile(src, "_kernels_plain.py", "exec"), mod.__dict__)
    return mod


MUTANTS = {
    "Q position-velocity term": ("q * Ta ** 2 / 2.0", "q * Ta ** 2 / 2.5"),
    "gate": ("        if dd < gate:", "        if dd < 0.7 * gate:"),
    "Joseph form without K R K^T": ("B[a, b] = s + s2", "B[a, b] = s"),
    "miss count": ("ms = 0 if hit[i] else ms + 1", "ms = 0 if hit[i] else ms"),
    "class membership floor": ("    eps = 0.01\n", "    eps = 0.012\n"),
    "azimuth wrap in the gate": ("yc = wrap(yc)\n            y[c] = yc\n            if yc * yc > cut",
                                 "y[c] = yc\n            if yc * yc > cut"),
}


def test_kernels_as_plain_python_pass_and_mutants_fail():
    geom, scans = _world(3, "enu", n_targets=20, n_scans=24)
    cfg = _config("limits")
    counted = _counted(geom)
    out, _ = _mismatches(geom, scans, cfg, "enu", counted, kernels=_python_kernels())
    assert out == []
    for name, mutation in MUTANTS.items():
        out, _ = _mismatches(geom, scans, cfg, "enu", counted, kernels=_python_kernels(mutation))
        assert out, f"mutant '{name}' passed the comparison"


def test_fused_radar_counting_is_the_callable_counting_bit_for_bit():
    """The compiled scan with a plain radar's counting inside the kernel (``scan_counted_finish``, through
    the counting's ``plain_args``) against the same counting called from Python between ``scan`` and
    ``finish``: after every scan the same track file bit for bit. Three radars (a rotating one, whose
    counting follows the sector it just scanned; a sector radar; one measuring three components) measure
    the targets themselves, false alarms included; the counting must miss tracks (misses counted) and
    leave others uncounted for the test to bite."""
    from iadsim.engine.simulation import small_target_counting
    from iadsim.sensors import Radar, RadarParams

    comps = (("r", "az", "el", "rdot"), ("r", "az", "el", "rdot"), ("r", "az", "el"))
    radars = [Radar(RadarParams(name=f"R{k}", lat=np.radians(52.0 + 0.2 * k), lon=np.radians(5.0 - 0.3 * k), alt=30.0,
                                r_max=160e3, r_ref=70e3, fa_per_scan=5.0, measured=comps[k],
                                sectors=4 if k == 0 else 1,
                                az_width=np.radians(150.0) if k == 1 else 2 * np.pi, az_center=np.radians(20.0)),
                    sensor=k) for k in range(3)]
    geom = SensorGeometry(np.array([r.ecef for r in radars]), np.array([r.C for r in radars]), comps)
    counted = small_target_counting(radars)
    assert all(counted.plain_args(k) is not None for k in range(3))
    cfg = _config("limits")
    fused = Tracker(geom, EKF(NCV(4.0, frame="ecef")), cfg, counted=counted, fast=True)
    called = Tracker(geom, EKF(NCV(4.0, frame="ecef")), cfg, counted=lambda s, p: counted(s, p), fast=True)
    rng = np.random.default_rng(31)
    n = 40
    enu = np.column_stack([rng.uniform(-9e4, 9e4, n), rng.uniform(-9e4, 9e4, n), rng.uniform(500.0, 2e4, n)])
    v_enu = rng.normal(0.0, 250.0, (n, 3)) * [1.0, 1.0, 0.02]
    o, C0 = radars[0].ecef, radars[0].C
    t, misses = 0.0, 0
    for k in range(60):
        s = k % 3
        t += (0.6, 0.9, 1.3)[s]
        pos, vel = o + (enu + v_enu * t) @ C0, v_enu @ C0
        det = radars[s].measure(t, pos, vel, np.full(n, 2.0), np.arange(n), rng, sector=k % 4 if s == 0 else None)
        fused.step(t, s, det.z, det.R)
        called.step(t, s, det.z, det.R)
        for f in _FIELDS:
            assert np.array_equal(getattr(fused, f), getattr(called, f)), (k, f)
        assert np.array_equal(fused.state.x, called.state.x) and np.array_equal(fused.state.P, called.state.P)
        misses += int(fused.misses.sum())
    assert (fused.status == 1).sum() >= 5 and misses > 0
    x = fused.state.x[:, :3]
    assert 0 < np.count_nonzero(counted(0, x)) < x.shape[0] or 0 < np.count_nonzero(counted(1, x)) < x.shape[0]
