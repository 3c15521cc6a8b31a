"""The gated, per-component GOSPA equals the dense reference; continuity counts are unchanged.

:func:`iadsim.metrics.tracking.gospa` drops the pairs at ``d >= c`` (they cost ``c^p``, the same as one
miss plus one false) and solves each connected component of the remaining bipartite graph on its own;
:func:`iadsim.metrics.tracking.gospa_dense` is the plain dense assignment. Random instances of every kind
(empty frames, all pairs beyond the cut-off, sparse scenes, one dense cluster, the k-d tree path for
large frames, pairs at the cut-off itself) must give the same distance and parts to 1e-9.
"""

import numpy as np
import pytest

import iadsim.metrics.tracking as tm
from iadsim.metrics.engagement import tracking_quality
from iadsim.metrics.tracking import gospa, gospa_dense, gospa_reference, track_continuity


def _same(X, Y, c, p=2.0):
    a, b = gospa(X, Y, c, p), gospa_dense(X, Y, c, p)
    # the compiled candidates and components (gospa) and their array form (gospa_reference, k-d tree above
    # _DENSE_PAIRS) decompose the same problem: the same pairs and the same floats
    r = gospa_reference(X, Y, c, p)
    assert a.pairs == r.pairs
    assert (a.total, a.localisation, a.missed, a.false) == (r.total, r.localisation, r.missed, r.false)
    for k in ("total", "localisation", "missed", "false"):
        assert getattr(a, k) == pytest.approx(getattr(b, k), rel=1e-12, abs=1e-9), k
    assert abs(a.total - b.total) <= 1e-9 * max(1.0, b.total)
    assert (a.n_missed, a.n_false) == (b.n_missed, b.n_false)
    assert len(a.pairs) == len(b.pairs)
    # the pairs are a partial assignment at d < c whose cost is the reported localisation
    r = np.array([i for i, _ in a.pairs], int)
    q = np.array([j for _, j in a.pairs], int)
    assert len(set(r.tolist())) == r.size and len(set(q.tolist())) == q.size
    if r.size:
        d = np.linalg.norm(np.asarray(X, float).reshape(len(X), -1)[r] - np.asarray(Y, float).reshape(len(Y), -1)[q],
                           axis=1)
        assert np.all(d < c) and (d**p).sum() == pytest.approx(a.localisation, rel=1e-12, abs=1e-9)
    return a, b


def _instance(rng):
    kind = rng.integers(0, 6)
    m, n = int(rng.integers(0, 30)), int(rng.integers(0, 30))
    dim = int(rng.choice([1, 2, 3]))
    c = float(rng.choice([1.0, 10.0, 100.0]))
    if kind == 0:  # empty frames
        m, n = (0, n) if rng.random() < 0.5 else (m, 0)
        if rng.random() < 0.3:
            m = n = 0
    X = rng.uniform(0, c * rng.choice([1.0, 5.0, 50.0]), (m, dim))
    if kind == 1:  # every pair beyond the cut-off
        Y = X[:0] if n == 0 else rng.uniform(0, c, (n, dim)) + X.max(initial=0.0) + 2 * c
    elif kind == 2 and m:  # estimates near the truths, some missing, some false
        k = min(m, n)
        Y = np.r_[X[rng.permutation(m)[:k]] + rng.normal(0, c / 3, (k, dim)), rng.uniform(0, 50 * c, (n - k, dim))]
    elif kind == 3:  # one dense cluster: a single large component
        X = rng.uniform(0, 2 * c, (m, dim))
        Y = rng.uniform(0, 2 * c, (n, dim))
    else:
        Y = rng.uniform(0, c * rng.choice([1.0, 5.0, 50.0]), (n, dim))
    return X, Y, c, float(rng.choice([1.0, 2.0, 3.0]))


def test_sparse_gospa_equals_dense_on_random_instances():
    rng = np.random.default_rng(20261201)
    for _ in range(600):
        _same(*_instance(rng))


def test_sparse_gospa_equals_dense_through_the_kd_tree(monkeypatch):
    rng = np.random.default_rng(7)
    monkeypatch.setattr(tm, "_DENSE_PAIRS", 0)  # every reference frame through the k-d tree candidates
    for _ in range(200):
        _same(*_instance(rng))


def test_large_frames_sparse_and_clustered():
    rng = np.random.default_rng(3)
    c = 5000.0
    # a large spread-out raid (k-d tree path, many small components)
    X = rng.uniform(0, 4e5, (600, 3))
    Y = np.r_[X[:500] + rng.normal(0, 1500.0, (500, 3)), rng.uniform(0, 4e5, (80, 3))]
    assert len(X) * len(Y) > tm._DENSE_PAIRS
    a, b = _same(X, Y, c)
    assert a.n_missed < 150
    # a tight formation: components of many truths and tracks each
    X = np.repeat(rng.uniform(0, 2e5, (20, 3)), 12, axis=0) + rng.normal(0, 800.0, (240, 3))
    Y = X[rng.permutation(240)[:200]] + rng.normal(0, 900.0, (200, 3))
    _same(X, Y, c)
    # all far
    _same(X, Y + 1e6, c)


def test_pairs_at_the_cutoff():
    c = 10.0
    X = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0]])
    Y = np.array([[10.0, 0.0], [100.0, np.nextafter(10.0, 0.0)], [200.0, 10.0 + 1e-12]])
    a, _ = _same(X, Y, c)
    assert a.pairs == ((1, 1),)  # d = c is not a pair; just below c is


def _moving_scene(rng, T=40, m=25, c=300.0):
    """Truths moving through time, noisy tracks that drop out, swap ids, and false tracks."""
    pos = rng.uniform(0, 3000.0, (m, 3))
    vel = rng.normal(0, 30.0, (m, 3))
    ids = np.arange(m) + 100
    track_of = np.arange(m)
    frames = []
    for t in range(T):
        alive = np.flatnonzero((np.arange(m) * 7 + t) % 53 < 45)
        p = pos[alive] + t * vel[alive]
        seen = alive[rng.random(alive.size) < 0.85]
        if rng.random() < 0.3:  # an identity swap between two tracks
            i, j = rng.choice(m, 2, replace=False)
            track_of[[i, j]] = track_of[[j, i]]
        if rng.random() < 0.2:  # a track re-initiated under a new id
            track_of[rng.integers(m)] += 1000
        est = pos[seen] + t * vel[seen] + rng.normal(0, c / 4, (seen.size, 3))
        nf = int(rng.integers(0, 4))
        est = np.r_[est, rng.uniform(0, 3000.0, (nf, 3))]
        kid = np.r_[track_of[seen], 5000 + t * 10 + np.arange(nf)]
        frames.append((ids[alive], p, kid, est))
    return frames, c


def test_identity_switches_and_breaks_unchanged():
    rng = np.random.default_rng(11)
    for _ in range(10):
        frames, c = _moving_scene(rng)
        ref = track_continuity(frames, c, pairs=[gospa_dense(tp, kp, c).pairs for _, tp, _, kp in frames])
        new = track_continuity(frames, c)
        shared = track_continuity(frames, c, pairs=[gospa(tp, kp, c).pairs for _, tp, _, kp in frames])
        assert ref.total_id_switches > 0 and ref.total_breaks > 0
        for cont in (new, shared):
            assert cont.id_switches == ref.id_switches and cont.breaks == ref.breaks
            assert cont.total_id_switches == ref.total_id_switches and cont.total_breaks == ref.total_breaks


def test_tracking_quality_equals_dense_reference():
    rng = np.random.default_rng(5)
    frames, c = _moving_scene(rng, T=30)
    truth = {"time": np.concatenate([np.full(len(f[0]), float(t)) for t, f in enumerate(frames)]),
             "id": np.concatenate([f[0] for f in frames]), "detectable": np.ones(sum(len(f[0]) for f in frames), bool)}
    tp = np.concatenate([f[1] for f in frames])
    truth.update(x=tp[:, 0], y=tp[:, 1], z=tp[:, 2])
    kp = np.concatenate([f[3] for f in frames])
    tracks = {"time": np.concatenate([np.full(len(f[2]), float(t)) for t, f in enumerate(frames)]),
              "track": np.concatenate([f[2] for f in frames]), "x": kp[:, 0], "y": kp[:, 1], "z": kp[:, 2]}
    q = tracking_quality(truth, tracks, c)
    g = [gospa_dense(f[1], f[3], c) for f in frames]
    cont = track_continuity(frames, c, pairs=[x.pairs for x in g])
    assert q["frames"] == len(frames)
    assert q["gospa_mean_m"] == pytest.approx(np.mean([x.total for x in g]), rel=1e-12)
    assert q["track_breaks"] == cont.total_breaks and q["id_switches"] == cont.total_id_switches
    # the table form (with an ``object`` column and non-detectable rows) gives the same numbers
    full = {k: np.r_[v, v[:5]] for k, v in truth.items()}
    full["object"] = np.r_[np.full(len(truth["id"]), "threat"), np.full(5, "interceptor")]
    full["detectable"][-5:] = False
    order = np.argsort(full["time"], kind="stable")
    assert tracking_quality({k: v[order] for k, v in full.items()}, tracks, c) == q
