"""The compiled IMM scan (``tracking/_imm_kernels.py``) against the numpy IMM (``tracking/imm.py``) and tracker.

Kernel by kernel on seeded random states: the transition matrix, mixing, the NCV and vacuum-ballistic mode
predictions (the ballistic ``x`` against ``Ballistic.f`` with its batch-wide sub-step count, ``F`` against the
complex-step Jacobian), the whole IMM prediction, the mixture predicted measurement, the update with its mode
probabilities, and the track tables' classes with the ballistic-mode evidence. Then the whole scan against
``Tracker(fast=False)`` on seeded multi-target, three-radar ECEF scans (aircraft, a formation, targets through
north of a radar, ballistic targets in vacuum flight; clutter, misses, shuffled detections, coverage limits, a
``counted`` callback, tentative timeouts): after every scan the same ids, status and counters (so the same
assignments), ``x``, ``P``, ``mu`` and the per-mode states to 1e-9 relative, and the same track tables.

The kernels' source with textual mutations (a wrong sign in the mixing spread, the mixture ``S`` without
``d d^T``, the combination without its spread, swapped switching rates, the likelihood without ``log det``,
a wrong gravity gradient, no ballistic-mode evidence in the classes, new tracks not at ``mu0``), run as plain
Python, must fail the comparison, while the unmutated source run as plain Python passes it.
"""

import types
from pathlib import Path

import numpy as np
import pytest

from iadsim.frames import enu_rotation, geodetic2ecef
from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig, _imm_kernels, _kernels
from iadsim.tracking.classify import classify
from iadsim.tracking.filters import EKFState
from iadsim.tracking.imm import IMM, IMMState
from iadsim.tracking.measurements import COMPONENTS, h
from iadsim.tracking.motion import NCV, Ballistic, complex_step_jacobian
from iadsim.tracking.tracker import _imm_params, fast_eligible

SIG = {"r": 30.0, "az": 2e-3, "el": 2e-3, "rdot": 3.0}
DIMS = (("r", "az", "el", "rdot"), ("r", "az", "rdot"), ("r", "az", "el"))
LAT, LON = np.deg2rad(-20.0), np.deg2rad(-15.0)
O = np.asarray(geodetic2ecef(LAT, LON, 0.0), float)
C0 = np.asarray(enu_rotation(LAT, LON), float)


def _imm(kind, transition=((0.97, 0.03), (0.06, 0.94)), mu0=(0.7, 0.3)):
    """The scenario's IMM options (``engine.simulation.tracking_filter``) with a chosen Markov matrix and
    ``mu0``: asymmetric by default, so that swapped rates or a wrong ``mu0`` show."""
    second = EKF(NCV(60.0, frame="ecef")) if kind == "ncv" else EKF(Ballistic(60.0, frame="ecef", max_step=5.0))
    return IMM([EKF(NCV(1.0, frame="ecef")), second], [list(r) for r in transition], list(mu0), dt_ref=5.0)


SCENARIO = {"ncv": lambda: _imm("ncv", ((0.95, 0.05), (0.05, 0.95)), (0.5, 0.5)),
            "ballistic": lambda: _imm("ballistic", ((0.98, 0.02), (0.02, 0.98)), (0.5, 0.5))}


def _rel(a, b):
    """Largest difference per row relative to that row's largest magnitude."""
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 0:
        return 0.0
    d = np.abs(a - b).reshape(a.shape[0], -1).max(axis=1)
    s = np.abs(b).reshape(b.shape[0], -1).max(axis=1)
    return float(np.max(d / np.maximum(s, 1e-300)))


def _spd(rng, n, scale):
    A = rng.normal(size=(n, n)) * scale
    return A @ A.T + np.eye(n) * scale * scale


def _random_state(rng, M, f, high=False, speeds=None):
    """A seeded IMM state in ECEF: positions over the origin (up to 150 km altitude with ``high``), mode means
    apart by up to ~300 m and ~30 m/s, SPD covariances, mode probabilities including 1e-12 and 1 - 1e-12;
    ``speeds (M,)``: horizontal speeds in random directions (climb ~5 m/s) instead of normal components."""
    enu = np.column_stack([rng.uniform(-9e4, 9e4, (M, 2)), rng.uniform(1e3, 1.5e5 if high else 1e4, M)])
    v = rng.normal(0, 1500.0 if high else 250.0, (M, 3))
    if speeds is not None:
        v[:, :2] *= (speeds / np.linalg.norm(v[:, :2], axis=1))[:, None]
        v[:, 2] = rng.normal(0, 5.0, M)
    x = np.hstack([O + enu @ C0, v @ C0])
    modes = []
    for _ in range(2):
        xj = x + np.hstack([rng.normal(0, 100.0, (M, 3)), rng.normal(0, 10.0, (M, 3))])
        Pj = np.array([_spd(rng, 6, 40.0) for _ in range(M)])
        modes.append(EKFState(xj, Pj))
    u = rng.uniform(0, 1, M)
    u[:3] = (1e-12, 1.0 - 1e-12, 0.5)
    mu = np.column_stack([u, 1.0 - u])
    xc, Pc = f._combine(modes, mu)
    return IMMState(xc, Pc, mu, tuple(modes))


def _arrays(s):
    xm = np.ascontiguousarray(np.stack([m.x for m in s.modes], axis=1))
    Pm = np.ascontiguousarray(np.stack([m.P for m in s.modes], axis=1))
    return xm, Pm, np.ascontiguousarray(s.mu)


# -- kernels against their references ------------------------------------------------------------------------


@pytest.mark.parametrize("transition", [((0.95, 0.05), (0.05, 0.95)), ((0.98, 0.02), (0.02, 0.98)),
                                        ((0.9, 0.1), (0.3, 0.7)), ((1.0, 0.0), (0.0, 1.0)), ((1.0, 0.0), (0.2, 0.8))])
def test_transition_equals_imm(transition):
    rng = np.random.default_rng(0)
    f = _imm("ncv", transition)
    dt = np.concatenate([[0.0, 1e-12, 5.0, 1e4], rng.uniform(0.0, 30.0, 40)])
    a, b = f._G[0, 1], f._G[1, 0]
    got = _imm_kernels.transition(dt, a, b)
    np.testing.assert_allclose(got, f.transition_matrix(dt, dt.size), rtol=1e-14, atol=0.0)
    np.testing.assert_array_equal(got[0], np.eye(2))  # Pi(0) = I: a zero-length prediction does not mix


@pytest.mark.parametrize("seed", [0, 1])
def test_mix_equals_imm_mix(seed):
    rng = np.random.default_rng(seed)
    f = _imm("ncv")
    s = _random_state(rng, 40, f)
    dt = rng.uniform(0.0, 12.0, 40)
    mixed, cbar = f.mix(s, dt)
    xm, Pm, mu = _arrays(s)
    X0, P0, cb = _imm_kernels.mix(xm, Pm, mu, _imm_kernels.transition(dt, f._G[0, 1], f._G[1, 0]))
    assert _rel(cb, cbar) < 1e-14
    for j in range(2):
        assert _rel(X0[j], mixed[j].x) < 1e-14 and _rel(P0[j], mixed[j].P) < 1e-12
        assert np.array_equal(P0[j], np.swapaxes(P0[j], 1, 2))


def test_ballistic_step_equals_motion_f_and_complex_step_jacobian():
    """``x`` as ``Ballistic.f`` with one sub-step count for the batch, ``F`` as its complex-step Jacobian."""
    rng = np.random.default_rng(2)
    M = 30
    mot = Ballistic(0.0, frame="ecef", max_step=5.0)
    s = _random_state(rng, M, _imm("ballistic"), high=True)
    x = s.x
    dt = rng.uniform(-3.0, 4.0, M)
    dt[0] = 23.0  # one long prediction: nsub = 5 for the whole batch
    nsub = _imm_kernels.ballistic_nsub(dt, mot.max_step, mot.max_substeps)
    assert nsub == 5
    xo, F = np.empty((M, 6)), np.empty((M, 6, 6))
    for i in range(M):
        _imm_kernels.ballistic_step(x[i], dt[i], nsub, xo[i], F[i])
    ref = mot.f(x, dt)
    assert np.abs(xo - ref).max() <= 1e-9  # ~1 ulp of ECEF metres (the same operations: equal bits here)
    Fcs = complex_step_jacobian(mot.f, x, dt)
    np.testing.assert_allclose(F, Fcs, rtol=1e-9, atol=1e-14)
    # the test can tell the batch-wide count from a per-track one: the rows flown alone differ by more
    alone = np.array([mot.f(x[i:i + 1], dt[i:i + 1])[0] for i in range(1, M)])
    assert np.abs(alone - ref[1:]).max() > 1e-8


def test_ballistic_nsub_equals_the_motion_rule():
    rng = np.random.default_rng(3)
    for max_step, max_sub in ((5.0, 2000), (1.0, 2000), (5.0, 3)):
        for dt in (rng.uniform(-30, 30, 10), np.zeros(4), np.zeros(0), np.array([100.0, -2.0])):
            step = np.full(dt.size, max_step)
            ref = int(min(max_sub, max(1, np.ceil(np.max(np.abs(dt) / step, initial=0.0)))))
            assert _imm_kernels.ballistic_nsub(dt, max_step, max_sub) == ref


@pytest.mark.parametrize("kind", ["ncv", "ballistic"])
@pytest.mark.parametrize("seed", [0, 1])
def test_predict_equals_imm_predict(kind, seed):
    rng = np.random.default_rng(10 + seed)
    f = _imm(kind)
    M = 50
    s = _random_state(rng, M, f, high=kind == "ballistic")
    dt = rng.uniform(0.0, 8.0, M)
    dt[:2] = 0.0
    dt[2] = 16.0
    ref = f.predict(s, dt)
    xm, Pm, mu = _arrays(s)
    kinds, qs, max_step, max_sub, a, b, _, _ = _imm_params(f)
    xo, Po, muo, x, P = _imm_kernels.predict(xm, Pm, mu, dt, kinds, qs, max_step, max_sub, a, b)
    for j in range(2):
        assert _rel(xo[:, j], ref.modes[j].x) < 1e-14 and _rel(Po[:, j], ref.modes[j].P) < 1e-11
    assert _rel(muo, ref.mu) < 1e-14
    assert _rel(x, ref.x) < 1e-14 and _rel(P, ref.P) < 1e-11
    assert np.array_equal(P, np.swapaxes(P, 1, 2))


@pytest.mark.parametrize("comps", DIMS)
def test_mixture_measurement_equals_imm_predicted_measurement(comps):
    rng = np.random.default_rng(len(comps))
    f = _imm("ncv")
    ps, C = O + np.array([1e3, -2e3, 30.0]) @ C0, C0
    geom = SensorGeometry(ps[None], C[None], (comps,))
    M, m = 40, len(comps)
    s = _random_state(rng, M, f)
    # a third of the tracks straddle the radar's north: one mode's azimuth just below 2 pi, the other's above 0
    for i in range(0, M, 3):
        for j, east in enumerate((-40.0, 40.0)):
            d = (s.modes[j].x[i, :3] - ps) @ C.T
            d[0] = east
            s.modes[j].x[i, :3] = ps + d @ C
    zref, Sref = f.predicted_measurement(s, geom, np.zeros(M, int), comps)
    codes = np.array([COMPONENTS.index(c) for c in comps], np.int64)
    az = comps.index("az")
    xm, Pm, mu = _arrays(s)
    for i in range(M):
        zm, Hm, Sm = np.empty((2, m)), np.empty((2, m, 6)), np.empty((2, m, m))
        for j in range(2):
            _kernels.linearize(xm[i, j], ps, C, codes, zm[j], Hm[j])
            _kernels.innovation_cov(Pm[i, j], Hm[j], Sm[j], np.empty((6, m)))
        zhat, S = np.empty(m), np.empty((m, m))
        _imm_kernels.mixture_measurement(zm, Sm, mu[i], az, zhat, S)
        np.testing.assert_allclose(zhat, zref[i], rtol=1e-13, atol=1e-12)
        assert _rel(S[None], Sref[i][None]) < 1e-10


@pytest.mark.parametrize("comps", DIMS[:2])
def test_update_equals_imm_update(comps):
    rng = np.random.default_rng(7)
    f = _imm("ballistic")
    ps, C = O + np.array([-5e3, 3e3, 50.0]) @ C0, C0
    geom = SensorGeometry(ps[None], C[None], (comps,))
    M, m = 40, len(comps)
    s = _random_state(rng, M, f)
    sig = np.array([SIG[c] for c in comps])
    for j in range(2):  # rows 3..8: the modes 1.5 km apart, the detection on mode 1's prediction (decisive)
        s.modes[j].x[3:9, :3] += (-750.0, 750.0)[j] * C[1]
    s = IMMState(*f._combine(s.modes, s.mu), s.mu, s.modes)
    z = h(s.x, geom, 0, comps) + rng.normal(size=(M, m)) * sig * 2
    z[3:9] = h(s.modes[1].x[3:9], geom, 0, comps)
    az = comps.index("az")
    z[:, az] = np.mod(z[:, az], 2 * np.pi)
    R = np.array([np.diag((sig * rng.uniform(0.7, 1.5, m)) ** 2) for _ in range(M)])
    ref = f.update(s, z, R, geom, np.zeros(M, int), comps)
    codes = np.array([COMPONENTS.index(c) for c in comps], np.int64)
    xm, Pm, mu = _arrays(s)
    x, P = s.x.copy(), s.P.copy()
    for i in range(M):
        zm, Hm, Sm = np.empty((2, m)), np.empty((2, m, 6)), np.empty((2, m, m))
        for j in range(2):
            _kernels.linearize(xm[i, j], ps, C, codes, zm[j], Hm[j])
            _kernels.innovation_cov(Pm[i, j], Hm[j], Sm[j], np.empty((6, m)))
        _imm_kernels.update(xm[i], Pm[i], mu[i], zm, Hm, Sm, z[i], R[i], az, x[i], P[i])
    assert _rel(mu, ref.mu) < 1e-10
    assert (ref.mu[3:9, 0] < 1e-6).all()  # decisive updates included
    for j in range(2):
        assert _rel(xm[:, j], ref.modes[j].x) < 1e-13 and _rel(Pm[:, j], ref.modes[j].P) < 1e-9
    assert _rel(x, ref.x) < 1e-13 and _rel(P, ref.P) < 1e-9


@pytest.mark.parametrize("kind", ["ncv", "ballistic"])
def test_track_table_equals_predict_and_classify(kind):
    """Classes with the ballistic-mode evidence (``mu``, ``model_names``) at the last scan and predicted."""
    from iadsim.tracking.tracker import _class_boxes

    rng = np.random.default_rng(21)
    f = _imm(kind)
    M = 150
    # altitudes up to 10 km, speeds of drones to missiles: every class, and mu_b decides some
    s = _random_state(rng, M, f, speeds=rng.uniform(20.0, 1400.0, M))
    tt = -rng.uniform(0.0, 6.0, M)
    rows = np.flatnonzero(rng.random(M) < 0.7)
    lo, hi, w, used = _class_boxes()
    kinds, qs, max_step, max_sub, a, b, _, ib = _imm_params(f)
    assert ib == (1 if kind == "ballistic" else -1)
    xm, Pm, mu = _arrays(s)
    for t in (None, 0.0):
        x, P, cls, conf = _imm_kernels.track_table(xm, Pm, mu, s.x, s.P, tt, rows, 0.0 if t is None else t,
                                                   t is not None, kinds, qs, max_step, max_sub, a, b, True, 0.0,
                                                   lo, hi, w, used, ib)
        st = s.take(rows) if t is None else f.predict(s.take(rows), t - tt[rows])
        rcls, rconf = classify(st.x, st.P, frame="ecef", mu=st.mu, model_names=f.model_names)
        assert _rel(x, st.x) < 1e-14 and _rel(P, st.P) < 1e-11
        np.testing.assert_array_equal(cls, rcls)
        np.testing.assert_allclose(conf, rconf, rtol=1e-12)
        assert len(set(cls.tolist())) >= 3
    if kind == "ballistic":  # the evidence decides: without it some classes differ
        plain, _ = classify(s.x[rows], s.P[rows], frame="ecef")
        assert (plain != rcls).sum() >= 5


def test_fast_is_chosen_for_the_scenario_imms_only():
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [("r", "az")])
    cfg = TrackerConfig()
    for name in SCENARIO:
        assert fast_eligible(SCENARIO[name](), cfg) and Tracker(geom, SCENARIO[name]()).fast
        assert not fast_eligible(SCENARIO[name](), TrackerConfig(association="jpda"))
        assert not fast_eligible(SCENARIO[name](), TrackerConfig(confirmation="sprt"))
    others = [IMM([EKF(NCV(1.0)), EKF(NCV(9.0))], [[0.9, 0.1], [0.1, 0.9]], [0.5, 0.5]),  # no dt_ref
              IMM([EKF(NCV(1.0)), EKF(Ballistic(9.0, drag=True))], [[0.9, 0.1], [0.1, 0.9]], [0.5, 0.5], dt_ref=5.0),
              IMM([EKF(NCV(1.0)), EKF(Ballistic(9.0, frame="enu"))], [[0.9, 0.1], [0.1, 0.9]], [0.5, 0.5], dt_ref=5.0),
              IMM([EKF(NCV(1.0))] * 3, np.full((3, 3), 1 / 3), np.full(3, 1 / 3), dt_ref=5.0)]
    for f in others:
        assert not fast_eligible(f, cfg) and not Tracker(geom, f).fast
        with pytest.raises(ValueError, match="fast=True"):
            Tracker(geom, f, fast=True)


# -- the whole scan against the numpy tracker -------------------------------------------------------------


def _world(seed, n_aircraft=24, n_ballistic=8, n_scans=40):
    """Three radars in ECEF (different components); aircraft (crossing, a tight formation, some through north
    of radar 0) and ballistic targets in vacuum flight (40-120 km up, 1.5-2.5 km/s, descending); scans with
    misses, clutter and shuffled detections; ``R`` shared or per detection."""
    rng = np.random.default_rng(seed)
    enu_s = np.array([[0.0, 0.0, 0.0], [30e3, -10e3, 200.0], [-15e3, 25e3, 50.0]])
    pos = O + enu_s @ C0
    Cs = np.array([np.asarray(enu_rotation(LAT + 1e-3 * k, LON - 2e-3 * k), float) for k in range(3)])
    geom = SensorGeometry(pos, Cs, DIMS)
    p = np.column_stack([rng.uniform(-6e4, 6e4, n_aircraft), rng.uniform(5e3, 8e4, n_aircraft),
                         rng.uniform(1e3, 9e3, n_aircraft)])
    v = np.column_stack([rng.normal(0, 200, (n_aircraft, 2)), rng.normal(0, 5, n_aircraft)])
    p[:6] = p[0] + rng.normal(0, 150, (6, 3))  # a formation: contested gates, assignment clusters
    v[:6] = v[0] + rng.normal(0, 3, (6, 3))
    p[6:10, 0] = rng.uniform(-2e3, 2e3, 4)  # near radar 0's north: azimuth wrapping
    pb = np.column_stack([rng.uniform(-8e4, -3e4, n_ballistic), rng.uniform(2e4, 9e4, n_ballistic),
                          rng.uniform(4e4, 1.2e5, n_ballistic)])
    speed = rng.uniform(1500.0, 2500.0, n_ballistic)
    gamma = rng.uniform(-0.6, -0.2, n_ballistic)  # flight-path angle: descending
    vb = np.column_stack([speed * np.cos(gamma), np.zeros(n_ballistic), speed * np.sin(gamma)])
    xb = np.hstack([O + pb @ C0, vb @ C0])
    fly = Ballistic(0.0, frame="ecef", max_step=0.5)
    scans, t = [], 0.0
    for k in range(n_scans):
        s = k % 3
        dtk = (0.7, 1.1, 1.5)[s]
        t += dtk
        xb = fly.f(xb, dtk)
        comps = DIMS[s]
        sig = np.array([SIG[c] for c in comps])
        x = np.vstack([np.hstack([O + (p + v * t) @ C0, v @ C0]), xb])
        keep = rng.random(x.shape[0]) < 0.85
        zt = h(x[keep], geom, s, comps)
        z = zt + rng.normal(size=zt.shape) * sig
        n_fa = rng.poisson(6)
        fa = {"r": rng.uniform(5e3, 1.5e5, n_fa), "az": rng.uniform(0, 2 * np.pi, n_fa),
              "el": rng.uniform(0, 0.5, n_fa), "rdot": rng.uniform(-300, 300, n_fa)}
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
    """A deterministic sensor model: a scan counts within 140 km, outside a blind 60-degree sector."""
    def counted(sensor, pos):
        d = np.einsum("ij,mj->mi", geom.C[sensor], pos - geom.position[sensor])
        az = np.mod(np.arctan2(d[:, 0], d[:, 1]), 2 * np.pi)
        return (np.einsum("mi,mi->m", d, d) < 1.4e5**2) & ~((az > 2.0) & (az < 2.0 + np.pi / 3))
    return counted


def _config(variant):
    base = dict(v_max=2500.0, confirm_m=2, confirm_n=3, max_misses=3, pos_std_max=5000.0, init_up=3000.0,
                init_up_sigma=2000.0)
    if variant == "limits":
        base.update(max_range=(1.5e5, None, 9e4), tentative_timeout=(2.0, 4.0, 3.0), confirm_m=3, confirm_n=5)
    if variant == "global":
        base.update(confirmed_first=False, tentative_timeout=3.0)
    return TrackerConfig(**base)


_FIELDS = ("id", "status", "hist", "scans", "misses", "n_updates", "last_update", "last_sensor", "t", "score")


def _mismatches(geom, scans, cfg, make_filter, counted, kernels=None, toggle=None):
    """Run the fast and the numpy tracker side by side; the differences found after each scan. ``toggle``:
    switch the fast tracker to the numpy path on every scan ``k`` with ``k % toggle == 1`` (and back)."""
    fast = Tracker(geom, make_filter(), cfg, counted=counted, fast=True)
    ref = Tracker(geom, make_filter(), cfg, counted=counted, fast=False)
    if kernels is not None:  # the kernels' module swapped for a (plain Python, maybe mutated) copy
        fast._consts = (kernels,) + fast._fast_consts()[1:]
    out = []
    for k, (t, s, z, R) in enumerate(scans):
        if toggle:
            fast.fast = k % toggle != 1
        fast.step(t, s, z, R)
        ref.step(t, s, z, R)
        if len(fast) != len(ref):
            out.append((k, "tracks", len(fast), len(ref)))
            break
        for f in _FIELDS:
            if not np.array_equal(getattr(fast, f), getattr(ref, f)):
                out.append((k, f))
        if len(ref):
            a, b = fast.state, ref.state
            err = max(_rel(a.x, b.x), _rel(a.P, b.P), _rel(a.mu, b.mu),
                      *(_rel(a.modes[j].x, b.modes[j].x) for j in range(2)),
                      *(_rel(a.modes[j].P, b.modes[j].P) for j in range(2)))
            if err > 1e-9:
                out.append((k, "x/P/mu", err))
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


@pytest.mark.parametrize("kind", ["ncv", "ballistic"])
@pytest.mark.parametrize("variant", ["default", "limits", "global"])
@pytest.mark.parametrize("seed", [0, 1])
def test_fast_imm_scan_equals_numpy_tracker(kind, variant, seed):
    geom, scans = _world(seed)
    counted = _counted(geom) if variant != "default" else None
    out, fast = _mismatches(geom, scans, _config(variant), lambda: _imm(kind), counted)
    assert out == []
    assert (fast.status == 1).sum() >= 15 and fast.next_id > 80  # tracks confirmed, false alarms initiated
    conf = fast.status == 1
    assert (fast.state.mu[conf, 1] > 0.9).any() and (fast.state.mu[conf, 0] > 0.9).any()  # both modes win
    if kind == "ballistic":
        from iadsim.tracking.classify import CLASSES

        assert (fast.confirmed().cls == CLASSES.index("ballistic")).sum() >= 4


@pytest.mark.parametrize("kind", ["ncv", "ballistic"])
def test_scenario_imms_and_switching_paths_equal_numpy_tracker(kind):
    """The scenario options themselves, and a tracker switched to the numpy path every third scan (the
    kernels then start from the IMMState the numpy path left); two scans without detections included."""
    geom, scans = _world(4)
    for k in (12, 25):  # a scan that saw nothing: every track predicted and missed
        t, s, z, R = scans[k]
        scans[k] = (t, s, z[:0], R if R.ndim == 2 else R[:0])
    for toggle in (None, 3):
        out, _ = _mismatches(geom, scans, _config("limits"), SCENARIO[kind], _counted(geom), toggle=toggle)
        assert out == []


def _python_kernels(mutation=None):
    """The IMM kernels' source run as plain Python (``njit`` the identity), with one textual mutation."""
    src = Path(_imm_kernels.__file__).read_text()
    if mutation is not None:
        old, new = mutation
        assert src.count(old) == 1, old
        src = src.replace(old, new)
    src = src.replace("from iadsim._numba import njit", "def njit(*args, **kwargs):\n    return lambda f: f")
    mod = types.ModuleType("iadsim_tracking_imm_kernels_plain")
    exec(compile(src, "_imm_kernels_plain.py", "exec"), mod.__dict__)
    return mod


MUTANTS = {
    "mixing spread sign": ("w0 * (Pm[i, 0, a, e] + d0[a] * d0[e])", "w0 * (Pm[i, 0, a, e] - d0[a] * d0[e])"),
    "mixture S without d d^T": (
        "S[c, e] = mu_i[0] * (Sm_i[0, c, e] + d0[c] * d0[e]) + mu_i[1] * (Sm_i[1, c, e] + d1[c] * d1[e])",
        "S[c, e] = mu_i[0] * Sm_i[0, c, e] + mu_i[1] * Sm_i[1, c, e]"),
    "combination without spread": (
        "B[a, e] = m0 * (Pm_i[0, a, e] + d0[a] * d0[e]) + m1 * (Pm_i[1, a, e] + d1[a] * d1[e])",
        "B[a, e] = m0 * Pm_i[0, a, e] + m1 * Pm_i[1, a, e]"),
    "switching rates swapped": ("out[i, 0, 1] = a * f", "out[i, 0, 1] = b * f"),
    "likelihood without log det": ("-0.5 * (d2 + 2.0 * logdet + m * LOG_2PI)", "-0.5 * (d2 + m * LOG_2PI)"),
    "new tracks not at mu0": ("omu[r, j] = mu0[j]", "omu[r, j] = 0.5"),
    "gravity gradient": ("3.0 * y[a] * y[e] / r2", "2.0 * y[a] * y[e] / r2"),
    "no ballistic evidence in classes": ("mem[0] *= EPS + (1.0 - EPS) * mb\n", "mem[0] *= 1.0\n"),
}


def test_kernels_as_plain_python_pass_and_mutants_fail():
    geom, scans = _world(5, n_aircraft=10, n_ballistic=5, n_scans=18)
    cfg = _config("limits")
    counted = _counted(geom)
    for kind in ("ncv", "ballistic"):
        out, _ = _mismatches(geom, scans, cfg, lambda k=kind: _imm(k), counted, kernels=_python_kernels())
        assert out == []
    for name, mutation in MUTANTS.items():
        kind = "ballistic" if name in ("gravity gradient", "no ballistic evidence in classes") else "ncv"
        out, _ = _mismatches(geom, scans, cfg, lambda k=kind: _imm(k), counted, kernels=_python_kernels(mutation))
        assert out, f"mutant '{name}' passed the comparison"
