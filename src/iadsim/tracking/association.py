r"""Data association: global nearest neighbour (GNN) with chi-square gating and sparse pre-gating, and
joint probabilistic data association (JPDA) marginals (:func:`jpda_probabilities`) as an option.

Problem (Blackman & Popoli 1999, sec. 6.5; BLK2001 sec. 6.4 "2-D assignment")
--------------------------------------------------------------------------------
For ``M`` tracks with predicted measurements ``zhat_i`` and innovation covariances ``S_ij = S0_i + R_j``
and ``K`` detections ``z_j``, the normalized distance is the Mahalanobis distance

    d2_ij = y_ij^T S_ij^-1 y_ij,     y_ij = z_j - zhat_i  (azimuth wrapped)

A pair is *gated* when ``d2_ij < G`` with ``G = chi2.ppf(P_G, m)`` (``m`` measured components). GNN picks
the one-to-one assignment ``A`` of tracks to gated detections minimizing

    sum_{(i,j) in A} d2_ij  +  G * (number of tracks left unassigned)

i.e. the augmented cost matrix ``[D | G I]`` of Blackman & Popoli (eq. 6.36) with a dummy "no
detection" column per track; a gated pair is always preferred to leaving its track empty. It is solved
with ``scipy.optimize.linear_sum_assignment`` (Jonker-Volgenant / Crouse 2016) *per connected component*
of the bipartite gating graph: isolated pairs are assigned directly, components with one track or one
detection (the vast majority when targets are separated) are solved in one vectorized pass by taking
their smallest ``d2``; only the few larger clusters reach the assignment solver. When few tracks are
contested (``SMALL_LSA``) they go to one assignment directly, which is cheaper than finding components;
the problem separates by component, so both give the optimum.

Pre-gating (so the cost grows about linearly with the number of tracks)
-----------------------------------------------------------------------
Measurements and predicted measurements are embedded as points ``q = r * u(az, el)`` (``u`` the unit
line-of-sight; ``q = (r sin az, r cos az)`` without elevation, ``q = r`` for range only). For two points
``|q1 - q2| <= |r1 - r2| + min(r1, r2) * (|daz| + |del|)``, so every detection inside track ``i``'s gate
lies within the radius ``sqrt(G) (sigma_r + (zhat_r + sqrt(G) sigma_r)(sigma_az + sigma_el))`` of
``q_i`` (``sigma`` from the diagonal of ``S0_i + R_max``). A ``scipy.spatial.cKDTree`` on the
detections returns those candidates; the exact Mahalanobis gate is applied to the candidates only.
The range-rate component (if measured) enters the exact gate but not the pre-gate, which is therefore
conservative.
"""

from __future__ import annotations

import itertools

import numpy as np

from iadsim.tracking.measurements import residual

# scipy's solvers are imported where they are used: the compiled scan (iadsim.tracking._kernels) of every
# shipped scenario does not need them, so a run does not pay their import

_BIG = 1e12
#: below this many track-detection pairs the full cost matrix is cheaper than the KD-tree pre-gate
DENSE_PAIRS = 400
#: up to this many contested tracks one assignment problem is cheaper than splitting into components
SMALL_LSA = 48


def embed(z, comps: tuple) -> np.ndarray:
    """Polar measurements ``(K, m)`` to points ``(K, d)`` used by the KD-tree pre-gate."""
    z = np.asarray(z, dtype=float)
    r = z[:, comps.index("r")]
    if "az" not in comps:
        return r[:, None]
    az = z[:, comps.index("az")]
    if "el" in comps:
        el = z[:, comps.index("el")]
        ce = np.cos(el)
        return np.stack([r * ce * np.sin(az), r * ce * np.cos(az), r * np.sin(el)], axis=-1)
    return np.stack([r * np.sin(az), r * np.cos(az)], axis=-1)


def candidate_pairs(zhat, S, z, comps: tuple, gate: float):
    """Track/detection index pairs that may pass the gate (KD-tree on the embedded detections).

    ``zhat (M, m)``, ``S (M, m, m)`` innovation covariances (an upper bound: include the largest ``R``),
    ``z (K, m)``. Returns ``rows, cols`` (int arrays); a superset of the gated pairs.
    """
    M, K = zhat.shape[0], z.shape[0]
    if M == 0 or K == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    sd = np.sqrt(np.maximum(np.einsum("mii->mi", S), 0.0))
    g = np.sqrt(gate)
    sr = sd[:, comps.index("r")]
    sang = np.zeros(M)
    for c in ("az", "el"):
        if c in comps:
            sang = sang + sd[:, comps.index(c)]
    radius = g * (sr + (zhat[:, comps.index("r")] + g * sr) * np.minimum(sang, np.pi)) * (1 + 1e-9) + 1e-6
    from scipy.spatial import cKDTree

    tree = cKDTree(embed(z, comps))
    hits = tree.query_ball_point(embed(zhat, comps), radius, return_sorted=False)
    lengths = np.fromiter(map(len, hits), dtype=np.intp, count=M)
    rows = np.repeat(np.arange(M), lengths)
    cols = np.fromiter(itertools.chain.from_iterable(hits), dtype=np.intp, count=int(lengths.sum()))
    return rows, cols


def gated_costs(zhat, S0, z, R, comps: tuple, gate: float, rows=None, cols=None):
    """Mahalanobis ``d2`` for candidate pairs (all pairs when ``rows`` is None); keeps ``d2 < gate``.

    ``S0 (M, m, m)`` innovation covariance without ``R``; ``R (K, m, m)``. Returns ``rows, cols, d2``.
    """
    M, K = zhat.shape[0], z.shape[0]
    if rows is None:
        rows, cols = np.divmod(np.arange(M * K), K)
    if rows.size == 0:
        return rows, cols, np.zeros(0)
    y = residual(z[cols], zhat[rows], comps)
    S = S0[rows] + R[cols]
    d2 = np.einsum("pi,pi->p", y, np.linalg.solve(S, y[..., None])[..., 0])
    keep = d2 < gate
    return rows[keep], cols[keep], d2[keep]


def gnn(rows, cols, d2, M: int, K: int, gate: float):
    """Global nearest neighbour on a sparse gated cost list; returns assigned ``(track_idx, det_idx)``.

    Minimizes ``sum d2 + gate * unassigned tracks`` exactly, component by component (module docstring).
    """
    rows = np.asarray(rows, np.intp)
    cols = np.asarray(cols, np.intp)
    d2 = np.asarray(d2, float)
    if rows.size == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    # isolated pairs (track and detection each with a single gated candidate) need no graph search
    deg_t = np.bincount(rows, minlength=M)
    deg_d = np.bincount(cols, minlength=K)
    iso = (deg_t[rows] == 1) & (deg_d[cols] == 1)
    out_r, out_c = [rows[iso]], [cols[iso]]
    if iso.all():
        return rows, cols
    rows, cols, d2 = rows[~iso], cols[~iso], d2[~iso]
    tr, ti = np.unique(rows, return_inverse=True)
    if tr.size <= SMALL_LSA:  # one small assignment is cheaper than finding the components first
        de, di = np.unique(cols, return_inverse=True)
        a, b = _lsa_with_miss(ti, di, d2, tr.size, de.size, gate)
        out_r.append(tr[a])
        out_c.append(de[b])
        return np.concatenate(out_r), np.concatenate(out_c)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(rows.size), (rows, M + cols)), shape=(M + K, M + K))
    _, label = connected_components(graph, directed=False)
    comp = label[rows]
    ncomp = label.max() + 1
    tr_per = np.bincount(label[np.unique(rows)], minlength=ncomp)   # distinct tracks per component
    de_per = np.bincount(label[M + np.unique(cols)], minlength=ncomp)
    simple = (tr_per[comp] == 1) | (de_per[comp] == 1)
    if simple.any():
        idx = np.flatnonzero(simple)
        order = idx[np.lexsort((d2[idx], comp[idx]))]
        first = np.ones(order.size, bool)
        first[1:] = comp[order][1:] != comp[order][:-1]
        best = order[first]
        out_r.append(rows[best])
        out_c.append(cols[best])
    hard = np.flatnonzero(~simple)
    if hard.size:
        order = hard[np.argsort(comp[hard], kind="stable")]
        splits = np.flatnonzero(np.diff(comp[order])) + 1
        for grp in np.split(order, splits):
            tr, ti = np.unique(rows[grp], return_inverse=True)
            de, di = np.unique(cols[grp], return_inverse=True)
            a, b = _lsa_with_miss(ti, di, d2[grp], tr.size, de.size, gate)
            out_r.append(tr[a])
            out_c.append(de[b])
    return np.concatenate(out_r), np.concatenate(out_c)


def _lsa_with_miss(ti, di, d2, nt: int, nd: int, gate: float):
    """Optimal assignment of ``nt`` tracks to ``nd`` detections with gated costs ``d2`` at ``(ti, di)``
    and a miss (cost ``gate``) per unassigned track; returns the assigned (track, detection) local indices."""
    cost = np.full((nt, nd + nt), _BIG)
    cost[ti, di] = d2
    cost[np.arange(nt), nd + np.arange(nt)] = gate
    from scipy.optimize import linear_sum_assignment

    a, b = linear_sum_assignment(cost)
    real = b < nd
    return a[real], b[real]


def associate(zhat, S0, z, R, comps: tuple, gate: float, pregate: bool = True):
    """Gate and assign: returns ``(track_idx, det_idx)`` of the GNN assignment.

    ``pregate=False`` evaluates the full ``M x K`` cost matrix (reference path for tests); so do small
    problems (``M K <= DENSE_PAIRS``), where building a KD-tree costs more than gating every pair. The
    pre-gate returns a superset of the gated pairs, so both paths give the same assignment.
    """
    zhat = np.asarray(zhat, float)
    z = np.asarray(z, float)
    M, K = zhat.shape[0], z.shape[0]
    m = len(comps)
    R = np.broadcast_to(np.asarray(R, float), (K, m, m))
    if M == 0 or K == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    if pregate and M * K > DENSE_PAIRS:
        Rmax = np.diag(np.max(np.einsum("kii->ki", R), axis=0))
        rows, cols = candidate_pairs(zhat, S0 + Rmax, z, comps, gate)
    else:
        rows = cols = None
    rows, cols, d2 = gated_costs(zhat, S0, z, R, comps, gate, rows, cols)
    return gnn(rows, cols, d2, M, K, gate)


def jpda_probabilities(rows, cols, L, M: int, K: int, pd_pg: float, max_events: int = 200_000):
    r"""Joint probabilistic data association (JPDA) marginal association probabilities.

    Parametric JPDA (Bar-Shalom, Daum, Huang, "The probabilistic data association filter", IEEE Control
    Systems Magazine 29(6), 2009, eqs. 33-36; Bar-Shalom & Li 1995, sec. 6.4): a joint event ``theta``
    gives each track at most one gated detection and each detection at most one track; with the
    likelihood ratio of pair ``(i, j)``

        L_ij = P_D N(y_ij; 0, S_ij) / lambda        (lambda: clutter density per unit measurement volume)

    ``P(theta) ~ prod_{(i,j) in theta} L_ij  prod_{i undetected in theta} (1 - P_D P_G)``. The marginals
    are ``beta_ij = sum_{theta ∋ (i,j)} P(theta)`` and ``beta_i0 = 1 - sum_j beta_ij``.

    Events are enumerated exactly per connected component of the gating graph (single-track components
    in closed form, the PDA of Bar-Shalom & Tse 1975); a component with more than ``max_events`` joint
    events falls back to its single-track PDA marginals renormalized per detection (documented
    approximation, reported by the third return value).

    Parameters: gated pairs ``rows, cols`` with ``L (P,)``; ``pd_pg`` = ``P_D P_G``.
    Returns ``beta (P,)`` per pair, ``beta0 (M,)`` per track, and the number of approximated components.
    """
    rows = np.asarray(rows, np.intp)
    cols = np.asarray(cols, np.intp)
    L = np.asarray(L, float)
    beta = np.zeros(rows.size)
    if rows.size == 0:
        return beta, np.ones(M), 0
    q = 1.0 - pd_pg
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(rows.size), (rows, M + cols)), shape=(M + K, M + K))
    _, label = connected_components(graph, directed=False)
    comp = label[rows]
    ncomp = label.max() + 1
    tr_per = np.bincount(label[np.unique(rows)], minlength=ncomp)
    single = tr_per[comp] == 1
    # single-track components: beta_ij = L_ij / (q + sum_j L_ij)
    if single.any():
        tot = np.bincount(rows[single], weights=L[single], minlength=M)
        beta[single] = L[single] / (q + tot[rows[single]])
    approx = 0
    multi = np.flatnonzero(~single)
    if multi.size:
        order = multi[np.argsort(comp[multi], kind="stable")]
        splits = np.flatnonzero(np.diff(comp[order])) + 1
        for grp in np.split(order, splits):
            b, ok = _jpda_component(rows[grp], cols[grp], L[grp], q, max_events)
            if not ok:
                approx += 1
                tr, ti = np.unique(rows[grp], return_inverse=True)
                tot = np.bincount(ti, weights=L[grp])
                b = L[grp] / (q + tot[ti])
            beta[grp] = b
    beta0 = 1.0 - np.bincount(rows, weights=beta, minlength=M)
    return beta, np.clip(beta0, 0.0, 1.0), approx


def _jpda_component(rows, cols, L, q, max_events):
    """Exact JPDA marginals of one cluster by depth-first enumeration of the feasible joint events."""
    tr, ti = np.unique(rows, return_inverse=True)
    nt = tr.size
    edges = [[] for _ in range(nt)]          # per track: (pair index, detection id)
    for p in range(rows.size):
        edges[ti[p]].append((p, int(cols[p])))
    acc = np.zeros(rows.size)
    total = 0.0
    count = 0
    chosen: list = []
    # scale the weights to keep the products in range: divide every event by q^nt
    Lq = L / q

    def dfs(i, used, w):
        nonlocal total, count
        if count > max_events:
            return
        if i == nt:
            count += 1
            total += w
            for p in chosen:
                acc[p] += w
            return
        dfs(i + 1, used, w)                   # track i undetected (weight 1 after the q^nt scaling)
        for p, j in edges[i]:
            if j not in used:
                used.add(j)
                chosen.append(p)
                dfs(i + 1, used, w * Lq[p])
                chosen.pop()
                used.discard(j)

    dfs(0, set(), 1.0)
    if count > max_events:
        return None, False
    return acc / total, True
