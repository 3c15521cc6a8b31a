"""The tracker's fast paths give the same bits as the plain code they replace (issue 9, speed).

* ``EKF.linearize`` once per scan, its rows reused by ``EKF.update(lin=...)``, against ``update``
  evaluating ``h`` and ``H`` again;
* the in-place write-back of updated tracks (``state.put``) against rebuilding the track file
  (``concat`` of the others and the updated, then the inverse permutation), as before.

Many crossing targets, two radars (one without elevation), clutter, misses, EKF (GNN and JPDA) and IMM
filters, seeded;
the final track files must be equal bit for bit (ids, status, x, P, counters). Both trackers run the batched
numpy scan (``fast=False``): the compiled scan of ``tracking/_kernels.py`` agrees with it to round-off only and
has its own comparison, ``test_tracker_kernels.py``."""

import numpy as np
import pytest

from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig, h
from iadsim.tracking.imm import IMM
from iadsim.tracking.motion import NCV

COMPS = (("r", "az", "el", "rdot"), ("r", "az", "rdot"))
SIG = (np.array([30.0, 2e-3, 2e-3, 3.0]), np.array([50.0, 3e-3, 3.0]))


class PlainEKF:
    """The EKF without ``linearize``: the tracker falls back to the plain path (``h``, ``H`` again)."""

    def __init__(self, ekf):
        self._f = ekf
        self.n, self.motion = ekf.n, ekf.motion

    def initiate(self, x0, P0):
        return self._f.initiate(x0, P0)

    def predict(self, s, dt):
        return self._f.predict(s, dt)

    def predicted_measurement(self, s, geom, sensor, comps):
        return self._f.predicted_measurement(s, geom, sensor, comps)

    def update(self, s, z, R, geom, sensor, comps):
        return self._f.update(s, z, R, geom, sensor, comps)

    def update_pda(self, *args):
        return self._f.update_pda(*args)


class PlainTracker(Tracker):
    """The tracker with the former write-back: rebuild the track file and undo the permutation."""

    def _merge(self, rows, upd) -> None:
        others = np.ones(len(self), bool)
        others[rows] = False
        rest = np.flatnonzero(others)
        perm = np.concatenate([rest, rows])
        merged = type(self.state).concat([self.state.take(rest), upd])
        self.state = merged.take(np.argsort(perm))


def _scans(seed, n_targets=40, n_scans=30):
    rng = np.random.default_rng(seed)
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0], [30e3, -10e3, 0.0]], list(COMPS))
    p = np.column_stack([rng.uniform(20e3, 80e3, n_targets), rng.uniform(20e3, 80e3, n_targets),
                         rng.uniform(1e3, 9e3, n_targets)])
    v = np.column_stack([rng.normal(0, 150, (n_targets, 2)), np.zeros(n_targets)])
    out, t = [], 0.0
    for k in range(n_scans):
        s = k % 2
        t += 1.0 + 0.5 * s
        x = np.hstack([p + v * t, v])
        zt = h(x, geom, s, COMPS[s])
        keep = rng.random(n_targets) < 0.85
        z = zt[keep] + rng.normal(size=(int(keep.sum()), len(COMPS[s]))) * SIG[s]
        n_fa = rng.poisson(5)
        fa = np.column_stack([rng.uniform(10e3, 120e3, n_fa), rng.uniform(0, 2 * np.pi, n_fa)]
                             + ([rng.uniform(0, 0.2, n_fa)] if s == 0 else []) + [rng.uniform(-300, 300, n_fa)])
        z = np.vstack([z, fa])
        z[:, 1] = np.mod(z[:, 1], 2 * np.pi)
        out.append((t, s, z, np.diag(SIG[s] ** 2)))
    return geom, out


def _filters(kind):
    if kind == "ekf":
        return EKF(NCV(5.0, frame="enu")), PlainEKF(EKF(NCV(5.0, frame="enu")))
    fast = IMM([EKF(NCV(1.0, frame="enu")), EKF(NCV(50.0, frame="enu"))], [[0.95, 0.05], [0.05, 0.95]],
               [0.5, 0.5], dt_ref=5.0)
    plain = IMM([EKF(NCV(1.0, frame="enu")), EKF(NCV(50.0, frame="enu"))], [[0.95, 0.05], [0.05, 0.95]],
                [0.5, 0.5], dt_ref=5.0)
    return fast, plain


@pytest.mark.parametrize("kind", ["ekf", "imm", "ekf-jpda"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_paths_bit_identical(kind, seed):
    geom, scans = _scans(seed)
    cfg = TrackerConfig(v_max=600.0, confirm_m=2, confirm_n=3, max_misses=3,
                        association="jpda" if kind.endswith("jpda") else "gnn")
    kind = kind.split("-")[0]
    f_fast, f_plain = _filters(kind)
    fast, plain = Tracker(geom, f_fast, cfg, fast=False), PlainTracker(geom, f_plain, cfg, fast=False)
    n_updates = 0
    for t, s, z, R in scans:
        fast.step(t, s, z, R)
        plain.step(t, s, z, R)
        n_updates += int(fast.n_updates.sum())
    assert len(fast) > 20 and (fast.status == 1).sum() > 20 and n_updates > 0
    for name in ("id", "status", "hist", "misses", "n_updates", "last_update", "score"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(plain, name), err_msg=name)
    assert fast.state.x.tobytes() == plain.state.x.tobytes()
    assert fast.state.P.tobytes() == plain.state.P.tobytes()
    if kind == "imm":
        assert fast.state.mu.tobytes() == plain.state.mu.tobytes()


def test_linearize_rows_equal_fresh_evaluation():
    """``linearize`` on a batch, rows taken, equals ``linearize`` on those rows alone (bit for bit)."""
    rng = np.random.default_rng(3)
    geom = SensorGeometry.flat([[0.0, 0.0, 0.0]], [COMPS[0]])
    f = EKF(NCV(5.0, frame="enu"))
    x = np.hstack([rng.uniform(1e3, 9e4, (50, 3)), rng.normal(0, 200, (50, 3))])
    s = f.initiate(x, np.broadcast_to(np.eye(6) * 100.0, (50, 6, 6)).copy())
    zh, Hm = f.linearize(s, geom, np.zeros(50, int), COMPS[0])
    rows = np.array([3, 7, 8, 20, 49])
    zh2, H2 = f.linearize(s.take(rows), geom, np.zeros(rows.size, int), COMPS[0])
    assert zh[rows].tobytes() == zh2.tobytes() and Hm[rows].tobytes() == H2.tobytes()


def test_popcount_equals_shift_and_mask():
    """``popcount`` (``numpy.bitwise_count``) against the bit-by-bit loop and Python's ``int.bit_count``."""
    from iadsim.tracking.management import _popcount_shift, popcount

    rng = np.random.default_rng(4)
    a = np.concatenate([rng.integers(0, 2**62, 2000), np.arange(64), [0, 1, 2**62 - 1, 2**61]]).astype(np.int64)
    got = popcount(a)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, _popcount_shift(a))
    np.testing.assert_array_equal(got, [int(v).bit_count() for v in a])
    assert popcount(np.zeros((0,), np.int64)).shape == (0,)


def _cart_from_polar_plain(z, geom, sensor, comps, R, up=None, up_sigma=None):
    """The former :func:`cart_from_polar` (stacked columns), kept as the reference."""
    z = np.atleast_2d(np.asarray(z, dtype=float))
    K = z.shape[0]
    s = np.broadcast_to(np.asarray(sensor, dtype=np.intp), (K,))
    r = z[:, comps.index("r")]
    az = z[:, comps.index("az")] if "az" in comps else np.zeros(K)
    if "el" in comps:
        el = z[:, comps.index("el")]
    else:
        upv = np.broadcast_to(np.asarray(0.0 if up is None else up, dtype=float), (K,))
        el = np.arcsin(np.clip(upv / np.maximum(r, 1e-9), -1.0, 1.0))
    ca, sa, ce, se = np.cos(az), np.sin(az), np.cos(el), np.sin(el)
    d = np.stack([r * ce * sa, r * ce * ca, r * se], axis=-1)
    C = geom.C[s]
    pos = geom.position[s] + np.einsum("mji,mj->mi", C, d)
    R = np.broadcast_to(np.asarray(R, dtype=float), (K, len(comps), len(comps)))
    Rp = np.zeros((K, 3, 3))
    idx = [comps.index(c) if c in comps else -1 for c in ("r", "az", "el")]
    for a, ia in enumerate(idx):
        for b, ib in enumerate(idx):
            if ia >= 0 and ib >= 0:
                Rp[:, a, b] = R[:, ia, ib]
    if "el" not in comps:
        sig = 0.0 if up_sigma is None else up_sigma
        Rp[:, 2, 2] = (np.broadcast_to(np.asarray(sig, dtype=float), (K,)) / np.maximum(r, 1e-9)) ** 2
    if "az" not in comps:
        Rp[:, 1, 1] = np.pi ** 2
    J = np.empty((K, 3, 3))
    J[:, :, 0] = np.stack([ce * sa, ce * ca, se], axis=-1)
    J[:, :, 1] = np.stack([r * ce * ca, -r * ce * sa, np.zeros(K)], axis=-1)
    J[:, :, 2] = np.stack([-r * se * sa, -r * se * ca, r * ce], axis=-1)
    G = np.einsum("mji,mjk->mik", C, J)
    Rcart = G @ Rp @ np.swapaxes(G, 1, 2)
    return pos, 0.5 * (Rcart + np.swapaxes(Rcart, 1, 2))


@pytest.mark.parametrize("comps", [("r", "az", "el", "rdot"), ("r", "az", "el"), ("r", "az", "rdot"), ("r",)])
def test_cart_from_polar_equals_plain(comps):
    """Initiation's polar-to-Cartesian conversion, columns written in place, against the stacked original."""
    from iadsim.frames import enu_rotation, geodetic2ecef
    from iadsim.tracking.measurements import cart_from_polar

    rng = np.random.default_rng(5)
    C = np.stack([enu_rotation(0.3, -0.2), enu_rotation(-0.35, 0.1)])
    geom = SensorGeometry(np.stack([geodetic2ecef(0.3, -0.2, 50.0), geodetic2ecef(-0.35, 0.1, 10.0)]), C,
                          [comps, comps])
    K = 300
    cols = {"r": rng.uniform(1e3, 4e5, K), "az": rng.uniform(0, 2 * np.pi, K), "el": rng.uniform(-0.05, 1.4, K),
            "rdot": rng.normal(0, 300, K)}
    z = np.column_stack([cols[c] for c in comps])
    A = rng.normal(size=(K, len(comps), len(comps)))
    R = A @ np.swapaxes(A, 1, 2) + np.eye(len(comps))
    for sensor in (0, 1):
        got = cart_from_polar(z, geom, sensor, comps, R=R, up=3000.0, up_sigma=1500.0)
        ref = _cart_from_polar_plain(z, geom, sensor, comps, R, up=3000.0, up_sigma=1500.0)
        assert got[0].tobytes() == ref[0].tobytes() and got[1].tobytes() == ref[1].tobytes()
