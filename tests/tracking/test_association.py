"""GNN association: exact against brute-force enumeration; KD-tree pre-gate equals the full matrix."""

import itertools

import numpy as np
import pytest

from iadsim.tracking.association import associate, candidate_pairs, gated_costs, gnn
from iadsim.tracking.measurements import residual

COMPS = ("r", "az")


def _brute(zhat, S0, z, R, gate):
    """Enumerate every partial one-to-one assignment; cost = sum d2 + gate * unassigned tracks."""
    M, K = len(zhat), len(z)
    d2 = np.full((M, K), np.inf)
    for i in range(M):
        for j in range(K):
            y = residual(z[j], zhat[i], COMPS)
            d2[i, j] = y @ np.linalg.solve(S0[i] + R[j], y)
    best, best_pairs = np.inf, None
    options = [None, *range(K)]
    for choice in itertools.product(options, repeat=M):
        used = [c for c in choice if c is not None]
        if len(used) != len(set(used)):
            continue
        if any(c is not None and d2[i, c] >= gate for i, c in enumerate(choice)):
            continue
        cost = sum(d2[i, c] if c is not None else gate for i, c in enumerate(choice))
        if cost < best:
            best, best_pairs = cost, sorted((i, c) for i, c in enumerate(choice) if c is not None)
    return best_pairs


def _case(rng, M, K, spread):
    zhat = np.stack([rng.uniform(9000, 9000 + spread, M), rng.uniform(0.5, 0.5 + spread / 9000, M)], 1)
    z = np.stack([rng.uniform(9000, 9000 + spread, K), rng.uniform(0.5, 0.5 + spread / 9000, K)], 1)
    A = rng.normal(size=(M, 2, 2)) * np.array([30.0, 3e-3])[None, :, None]
    S0 = A @ np.swapaxes(A, 1, 2) + np.diag([10.0, 1e-6])
    R = np.broadcast_to(np.diag([20.0, 1e-3]) ** 2, (K, 2, 2)).copy()
    return zhat, S0, z, R


@pytest.mark.parametrize("seed", range(40))
def test_gnn_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    M, K = rng.integers(1, 5), rng.integers(1, 5)
    zhat, S0, z, R = _case(rng, M, K, spread=150.0)
    gate = 9.21
    ti, di = associate(zhat, S0, z, R, COMPS, gate, pregate=False)
    assert sorted(zip(ti.tolist(), di.tolist(), strict=True)) == _brute(zhat, S0, z, R, gate)


def test_cluster_needs_global_solution():
    # track 0 is nearest to det 0, but the optimum gives det 0 to track 1 (which sees nothing else)
    zhat = np.array([[1000.0, 1.0], [1010.0, 1.0]])
    z = np.array([[1004.0, 1.0], [994.0, 1.0]])
    S0 = np.broadcast_to(np.diag([10.0, 1e-8]), (2, 2, 2)).copy()
    R = np.broadcast_to(np.diag([10.0, 1e-8]), (2, 2, 2)).copy()
    rows, cols, d2 = gated_costs(zhat, S0, z, R, COMPS, 9.21)
    assert len(rows) == 3   # track 1 does not gate detection 1
    ti, di = gnn(rows, cols, d2, 2, 2, 9.21)
    assert dict(zip(ti.tolist(), di.tolist(), strict=True)) == {0: 1, 1: 0}


@pytest.mark.parametrize("comps", [("r", "az"), ("r", "az", "el"), ("r", "az", "el", "rdot"), ("r",)])
def test_pregate_same_as_full_matrix(comps):
    rng = np.random.default_rng(7)
    M, K = 300, 360
    m = len(comps)
    base = {"r": (5e3, 8e4), "az": (0.0, 2 * np.pi), "el": (0.0, 0.3), "rdot": (-300, 300)}
    zhat = np.stack([rng.uniform(*base[c], M) for c in comps], 1)
    idx = rng.integers(0, M, K)
    z = zhat[idx] + rng.normal(size=(K, m)) * np.array([{"r": 60, "az": 4e-3, "el": 4e-3, "rdot": 9}[c]
                                                         for c in comps])
    z[:, comps.index("r")] = np.abs(z[:, comps.index("r")])
    if "az" in comps:
        z[:, comps.index("az")] %= 2 * np.pi
    sig = np.array([{"r": 40.0, "az": 3e-3, "el": 3e-3, "rdot": 6.0}[c] for c in comps])
    A = rng.normal(size=(M, m, m)) * sig[None, :, None] / np.sqrt(m)
    S0 = A @ np.swapaxes(A, 1, 2)
    R = np.broadcast_to(np.diag(sig**2), (K, m, m)).copy()
    R[::3] *= 0.5   # per-detection R
    gate = 16.0
    full = associate(zhat, S0, z, R, comps, gate, pregate=False)
    fast = associate(zhat, S0, z, R, comps, gate, pregate=True)
    assert len(full[0]) > 100
    assert sorted(zip(*map(np.ndarray.tolist, full), strict=True)) == \
        sorted(zip(*map(np.ndarray.tolist, fast), strict=True))
    # the pre-gate keeps every gated pair
    r_all, c_all, _ = gated_costs(zhat, S0, z, R, comps, gate)
    Rmax = np.diag(np.max(np.einsum("kii->ki", R), axis=0))
    rc, cc = candidate_pairs(zhat, S0 + Rmax, z, comps, gate)
    assert set(zip(r_all.tolist(), c_all.tolist(), strict=True)) <= set(zip(rc.tolist(), cc.tolist(),
                                                                            strict=True))
    assert len(rc) < M * K / 20   # and it actually prunes


def test_empty_inputs():
    e = associate(np.zeros((0, 2)), np.zeros((0, 2, 2)), np.ones((3, 2)), np.eye(2), COMPS, 9.0)
    assert e[0].size == 0 and e[1].size == 0
    e = associate(np.ones((3, 2)), np.broadcast_to(np.eye(2), (3, 2, 2)), np.zeros((0, 2)), np.eye(2),
                  COMPS, 9.0)
    assert e[0].size == 0


def _jpda_brute(rows, cols, L, M, q):
    """Enumerate every joint event over all tracks (independent of the component decomposition)."""
    Lm = {(int(r), int(c)): float(v) for r, c, v in zip(rows, cols, L, strict=True)}
    opts = [[None] + [c for (r, c) in Lm if r == i] for i in range(M)]
    beta = dict.fromkeys(Lm, 0.0)
    Z = 0.0
    for ev in itertools.product(*opts):
        used = [c for c in ev if c is not None]
        if len(used) != len(set(used)):
            continue
        w = 1.0
        for i, c in enumerate(ev):
            w *= q if c is None else Lm[(i, c)]
        Z += w
        for i, c in enumerate(ev):
            if c is not None:
                beta[(i, c)] += w
    return np.array([beta[(int(r), int(c))] / Z for r, c in zip(rows, cols, strict=True)])


@pytest.mark.parametrize("seed", range(15))
def test_jpda_marginals_equal_brute_force(seed):
    from iadsim.tracking.association import jpda_probabilities
    rng = np.random.default_rng(100 + seed)
    M, K = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    mask = rng.random((M, K)) < 0.45
    rows, cols = np.nonzero(mask)
    L = rng.uniform(0.05, 20.0, rows.size)
    beta, beta0, approx = jpda_probabilities(rows, cols, L, M, K, pd_pg=0.9)
    np.testing.assert_allclose(beta, _jpda_brute(rows, cols, L, M, 0.1), rtol=1e-10)
    np.testing.assert_allclose(beta0 + np.bincount(rows, beta, minlength=M), 1.0)
    # no detection is shared by more than probability one
    assert np.all(np.bincount(cols, beta, minlength=K) <= 1 + 1e-12) and approx == 0


def test_pda_single_track_closed_form():
    from iadsim.tracking.association import jpda_probabilities
    L = np.array([2.0, 0.5, 7.0])
    beta, beta0, _ = jpda_probabilities(np.zeros(3, int), np.arange(3), L, 1, 3, pd_pg=0.8)
    # Bar-Shalom & Tse 1975: beta_j = L_j / (1 - P_D P_G + sum L), beta_0 = (1 - P_D P_G) / (...)
    np.testing.assert_allclose(beta, L / (0.2 + L.sum()))
    assert beta0[0] == pytest.approx(0.2 / (0.2 + L.sum()))


def test_jpda_large_cluster_falls_back_and_reports():
    from iadsim.tracking.association import jpda_probabilities
    M = K = 9
    rows, cols = np.divmod(np.arange(M * K), K)
    beta, beta0, approx = jpda_probabilities(rows, cols, np.ones(M * K), M, K, 0.9, max_events=1000)
    assert approx == 1 and np.all(beta0 >= 0) and np.allclose(beta0 + np.bincount(rows, beta), 1.0)
