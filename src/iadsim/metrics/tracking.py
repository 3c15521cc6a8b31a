r"""Tracking-quality metrics: GOSPA, OSPA, NEES, track breaks and identity switches.

GOSPA (alpha = 2), Rahmathullah, Garcia-Fernandez, Svensson, "Generalized optimal sub-pattern
assignment metric", FUSION 2017, Proposition 1: for truths ``X`` (``|X| = m``) and estimates ``Y``
(``|Y| = n``), cut-off ``c`` and order ``p``::

    d_GOSPA = ( min_gamma  sum_{(i,j) in gamma} d(x_i, y_j)^p  +  c^p / 2 (m + n - 2 |gamma|) )^(1/p)

over partial assignments ``gamma`` with ``d(x_i, y_j) < c``. It splits into a localisation part
``sum d^p``, a missed-target part ``c^p/2 * #missed`` and a false-track part ``c^p/2 * #false``
(returned in those p-th power units, so that ``total^p = loc + missed + false``).

Solution. :func:`gospa_dense` (the reference) solves ``linear_sum_assignment`` on the full ``m x n``
matrix ``min(d, c)^p``: a pair at ``d >= c`` costs ``c^p``, exactly one miss plus one false, so it never
does better than leaving both unassigned. :func:`gospa` uses that to solve the same problem sparsely:
only the pairs with ``d < c`` are candidates (found with a k-d tree for large frames), and the bipartite
graph of the candidates splits into connected components that are independent assignment problems
(a truth and an estimate in different components are never paired at ``d < c``). A component with one
truth or one estimate is solved by its nearest pair; a larger one by ``linear_sum_assignment`` on its own
block of ``min(d, c)^p``. The optimum is the dense one (equal up to the summation order of the floats);
only between equally good assignments (exact ties) may the chosen pairs differ.

OSPA, Schuhmacher, Vo, Vo, "A consistent metric for performance evaluation of multi-object filters",
IEEE TSP 56(8), 2008, eq. (3): for ``m <= n``::

    d_OSPA = ( (1/n) ( min_pi sum_{i<=m} min(d, c)(x_i, y_pi(i))^p + c^p (n - m) ) )^(1/p)

0 when both sets are empty, ``c`` when exactly one is.

NEES (normalized estimation error squared), BLK2001 sec. 5.4.2: ``eps = (x - xhat)^T P^-1 (x - xhat)``;
over ``N`` Monte Carlo runs the average NEES times ``N`` is chi-square with ``N n`` degrees of freedom.

Track continuity: at each time truths and tracks are paired by the GOSPA assignment (pairs with
``d < c``); per truth, an *identity switch* is counted when the track paired with it differs from the last
track it was paired with, and a *track break* each time a paired truth becomes unpaired while it still
exists (Ristic et al., "A metric for performance evaluation of multi-target tracking algorithms",
IEEE TSP 59(7), 2011, discuss both notions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim._numba import njit
from iadsim.tracking._kernels import _find, lsa
from iadsim.tracking.management import chi2_ppf

#: above this many truth-estimate pairs, candidate pairs come from a k-d tree instead of the full matrix
_DENSE_PAIRS = 16384


@dataclass(frozen=True)
class GOSPA:
    """GOSPA result: ``total`` (m) and its parts in p-th power units; assignment pairs (truth, est)."""

    total: float
    localisation: float
    missed: float
    false: float
    n_missed: int
    n_false: int
    pairs: tuple


def _dist(X, Y) -> np.ndarray:
    X = np.asarray(X, float).reshape(len(X), -1)
    Y = np.asarray(Y, float).reshape(len(Y), -1)
    return np.sqrt(((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1))


def gospa_dense(X, Y, c: float, p: float = 2.0) -> GOSPA:
    """Reference GOSPA: one dense assignment over all ``m x n`` pairs (module docstring)."""
    m, n = len(X), len(Y)
    half = c**p / 2.0
    if m == 0 or n == 0:
        cost = half * (m + n)
        return GOSPA(cost ** (1 / p), 0.0, half * m, half * n, m, n, ())
    from scipy.optimize import linear_sum_assignment

    D = _dist(X, Y)
    C = np.minimum(D, c) ** p
    ri, ci = linear_sum_assignment(C)
    ok = D[ri, ci] < c
    ri, ci = ri[ok], ci[ok]
    loc = float((D[ri, ci] ** p).sum())
    k = ri.size
    missed, false = half * (m - k), half * (n - k)
    total = (loc + missed + false) ** (1 / p)
    return GOSPA(total, loc, missed, false, m - k, n - k, tuple(zip(ri.tolist(), ci.tolist(), strict=True)))


def _candidates(X, Y, c: float):
    """All pairs ``(i, j, d)`` with ``d(x_i, y_j) < c``, ``d`` computed as in :func:`_dist`."""
    m, n = len(X), len(Y)
    if m * n <= _DENSE_PAIRS:
        D = _dist(X, Y)
        ri, ci = np.nonzero(D < c)
        return ri, ci, D[ri, ci]
    # the tree's radius is widened a little so that its own rounding never loses a pair; the exact test is below
    # (zero distances included: the "ndarray" output keeps every pair, unlike the sparse-matrix outputs)
    from scipy.spatial import cKDTree

    hits = cKDTree(X).sparse_distance_matrix(cKDTree(Y), c * (1.0 + 1e-9) + 1e-9, output_type="ndarray")
    ri, ci = hits["i"].astype(np.intp), hits["j"].astype(np.intp)
    d = np.sqrt(((X[ri] - Y[ci]) ** 2).sum(-1))
    ok = d < c
    return ri[ok], ci[ok], d[ok]


def _assign(ri, ci, d, m: int, n: int, c: float, p: float):
    """Optimal pairs among the candidate edges ``(ri, ci, d)``, one connected component at a time."""
    if ri.size == 0:
        return ri, ci
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ncomp, label = connected_components(
        coo_matrix((np.ones(ri.size), (ri, m + ci)), shape=(m + n, m + n)), directed=False)
    comp = label[ri]
    rows_per = np.bincount(label[:m], minlength=ncomp)
    cols_per = np.bincount(label[m:], minlength=ncomp)
    star = (rows_per[comp] == 1) | (cols_per[comp] == 1)
    # one truth or one estimate in the component: its nearest pair is the optimum
    e = np.flatnonzero(star)
    e = e[np.lexsort((ci[e], ri[e], d[e], comp[e]))]
    first = e[np.r_[True, comp[e][1:] != comp[e][:-1]]] if e.size else e
    # larger components: an assignment on the component's own block of min(d, c)^p
    big = np.flatnonzero(~star)
    big_r, big_c = _solve_blocks(ri[big], ci[big], d[big], comp[big], c, p)
    pr, pc = np.concatenate([ri[first], *big_r]), np.concatenate([ci[first], *big_c])
    order = np.argsort(pr, kind="stable")
    return pr[order], pc[order]


@njit
def _gospa_kernel(X, Y, c, p):
    """The whole sparse GOSPA assignment in one pass: the candidate pairs (``d < c``, ``d`` summed as
    :func:`_dist` sums it; searched in a window of the estimates sorted on their first coordinate), their
    connected components (union-find over truths ``0..m-1`` and estimates
    ``m..m+n-1``), the nearest pair of every component with one truth or one estimate (ties: the lower truth,
    then the lower estimate index) and, for every other component, the assignment on its own block of
    ``min(d, c)^p`` (:func:`iadsim.tracking._kernels.lsa`, the algorithm of ``scipy.optimize.
    linear_sum_assignment``, on the block or its transpose as scipy takes it). Returns the pairs ``(pr, pc)``
    in increasing truth index."""
    m, n, dim = X.shape[0], Y.shape[0], X.shape[1]
    cap = 64
    ri = np.empty(cap, np.int64)
    ci = np.empty(cap, np.int64)
    dd = np.empty(cap)
    k = 0
    # the estimates in order of their first coordinate: each truth looks only at the window within c of
    # its own (a pair outside it has d >= c), so the search grows with the candidates, not with m n
    by_x = np.argsort(Y[:, 0], kind="mergesort")
    ys = Y[by_x, 0]
    for i in range(m):
        lo = np.searchsorted(ys, X[i, 0] - c, side="left")
        hi = np.searchsorted(ys, X[i, 0] + c, side="right")
        for w in range(lo, hi):
            j = by_x[w]
            s = 0.0
            near = True
            for a in range(dim):
                diff = X[i, a] - Y[j, a]
                if abs(diff) >= c:  # then d >= c
                    near = False
                    break
                s += diff * diff
            if not near:
                continue
            dist = np.sqrt(s)
            if dist < c:
                if k == cap:
                    cap *= 2
                    ri2, ci2, dd2 = np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap)
                    ri2[:k], ci2[:k], dd2[:k] = ri[:k], ci[:k], dd[:k]
                    ri, ci, dd = ri2, ci2, dd2
                ri[k], ci[k], dd[k] = i, j, dist
                k += 1
    parent = np.arange(m + n)
    for e in range(k):
        a, b = _find(parent, ri[e]), _find(parent, m + ci[e])
        if a != b:
            parent[max(a, b)] = min(a, b)
    root = np.empty(k, np.int64)
    n_rows = np.zeros(m + n, np.int64)
    n_cols = np.zeros(m + n, np.int64)
    seen_r = np.zeros(m, np.bool_)
    seen_c = np.zeros(n, np.bool_)
    for e in range(k):
        root[e] = _find(parent, ri[e])
        if not seen_r[ri[e]]:
            seen_r[ri[e]] = True
            n_rows[root[e]] += 1
        if not seen_c[ci[e]]:
            seen_c[ci[e]] = True
            n_cols[root[e]] += 1
    col_of = np.full(m, -1, np.int64)  # the pair of each truth
    best = np.full(m + n, -1, np.int64)
    n_big = 0
    for e in range(k):
        g = root[e]
        if n_rows[g] == 1 or n_cols[g] == 1:
            b = best[g]
            if b < 0 or dd[e] < dd[b] or (dd[e] == dd[b] and (ri[e] < ri[b] or (ri[e] == ri[b] and ci[e] < ci[b]))):
                best[g] = e
        else:
            n_big += 1
    for g in range(m + n):
        if best[g] >= 0:
            col_of[ri[best[g]]] = ci[best[g]]
    if n_big:
        # the edges of the larger components, grouped by component (stable in edge order)
        big = np.empty(n_big, np.int64)
        q = 0
        for e in range(k):
            g = root[e]
            if not (n_rows[g] == 1 or n_cols[g] == 1):
                big[q] = e
                q += 1
        big = big[np.argsort(root[big], kind="mergesort")]
        cp = c ** p
        r_loc = np.full(m, -1, np.int64)
        c_loc = np.full(n, -1, np.int64)
        a0 = 0
        while a0 < n_big:
            a1 = a0
            while a1 < n_big and root[big[a1]] == root[big[a0]]:
                a1 += 1
            ed = big[a0:a1]
            ur = np.unique(ri[ed])
            uc = np.unique(ci[ed])
            for q in range(ur.size):
                r_loc[ur[q]] = q
            for q in range(uc.size):
                c_loc[uc[q]] = q
            block = np.full((ur.size, uc.size), cp)
            has = np.zeros((ur.size, uc.size), np.bool_)
            for e in ed:
                block[r_loc[ri[e]], c_loc[ci[e]]] = dd[e] ** p
                has[r_loc[ri[e]], c_loc[ci[e]]] = True
            if ur.size <= uc.size:
                col4row = lsa(block)
                for q in range(ur.size):
                    if col4row[q] >= 0 and has[q, col4row[q]]:
                        col_of[ur[q]] = uc[col4row[q]]
            else:
                row4col = lsa(block.T.copy())
                for q in range(uc.size):
                    if row4col[q] >= 0 and has[row4col[q], q]:
                        col_of[ur[row4col[q]]] = uc[q]
            a0 = a1
    n_pairs = 0
    for i in range(m):
        if col_of[i] >= 0:
            n_pairs += 1
    pr = np.empty(n_pairs, np.int64)
    pc = np.empty(n_pairs, np.int64)
    q = 0
    for i in range(m):
        if col_of[i] >= 0:
            pr[q], pc[q] = i, col_of[i]
            q += 1
    return pr, pc


def _solve_blocks(ri, ci, d, comp, c: float, p: float):
    """Optimal pairs of the components with several truths and estimates: ``linear_sum_assignment`` on each
    component's own block of ``min(d, c)^p`` (a non-candidate pair costs ``c^p``, like leaving both out)."""
    out_r, out_c = [], []
    if ri.size == 0:
        return out_r, out_c
    from scipy.optimize import linear_sum_assignment

    big = np.argsort(comp, kind="stable")
    bounds = np.flatnonzero(np.r_[True, comp[big][1:] != comp[big][:-1], True])
    cp = c**p
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        ed = big[a:b]
        ur, r_loc = np.unique(ri[ed], return_inverse=True)
        uc, c_loc = np.unique(ci[ed], return_inverse=True)
        block = np.full((ur.size, uc.size), cp)
        block[r_loc, c_loc] = d[ed] ** p
        has = np.zeros(block.shape, bool)
        has[r_loc, c_loc] = True
        sr, sc = linear_sum_assignment(block)
        keep = has[sr, sc]
        out_r.append(ur[sr[keep]])
        out_c.append(uc[sc[keep]])
    return out_r, out_c


def gospa(X, Y, c: float, p: float = 2.0) -> GOSPA:
    """GOSPA (alpha = 2) between truths ``X (m, d)`` and estimates ``Y (n, d)``; see module docstring.

    Gated at ``c`` and solved per connected component of the candidate pairs in one compiled pass
    (:func:`_gospa_kernel`); equal to :func:`gospa_dense`, and pair for pair to :func:`gospa_reference`
    (the same decomposition in array form, with a k-d tree for large frames)."""
    m, n = len(X), len(Y)
    half = c**p / 2.0
    if m == 0 or n == 0:
        cost = half * (m + n)
        return GOSPA(cost ** (1 / p), 0.0, half * m, half * n, m, n, ())
    X = np.ascontiguousarray(np.asarray(X, float).reshape(m, -1))
    Y = np.ascontiguousarray(np.asarray(Y, float).reshape(n, -1))
    pr, pc = _gospa_kernel(X, Y, float(c), float(p))
    return _gospa_result(X, Y, pr, pc, c, p)


def gospa_reference(X, Y, c: float, p: float = 2.0) -> GOSPA:
    """:func:`gospa` with the candidates and components in array form (scipy's k-d tree and
    ``connected_components``): the reference the compiled pass is tested against."""
    m, n = len(X), len(Y)
    half = c**p / 2.0
    if m == 0 or n == 0:
        cost = half * (m + n)
        return GOSPA(cost ** (1 / p), 0.0, half * m, half * n, m, n, ())
    X = np.asarray(X, float).reshape(m, -1)
    Y = np.asarray(Y, float).reshape(n, -1)
    ri, ci, d = _candidates(X, Y, c)
    pr, pc = _assign(ri, ci, d, m, n, c, p)
    return _gospa_result(X, Y, pr, pc, c, p)


def _gospa_result(X, Y, pr, pc, c, p) -> GOSPA:
    m, n = len(X), len(Y)
    half = c**p / 2.0
    if pr.size:
        D = np.sqrt(((X[pr] - Y[pc]) ** 2).sum(-1))
        loc = float((D**p).sum())
    else:
        loc = 0.0
    k = pr.size
    missed, false = half * (m - k), half * (n - k)
    total = (loc + missed + false) ** (1 / p)
    return GOSPA(total, loc, missed, false, m - k, n - k, tuple(zip(pr.tolist(), pc.tolist(), strict=True)))


def ospa(X, Y, c: float, p: float = 2.0) -> float:
    """OSPA distance (Schuhmacher et al. 2008) between ``X (m, d)`` and ``Y (n, d)``."""
    m, n = len(X), len(Y)
    if m == 0 and n == 0:
        return 0.0
    if m == 0 or n == 0:
        return float(c)
    if m > n:
        X, Y, m, n = Y, X, n, m
    from scipy.optimize import linear_sum_assignment

    C = np.minimum(_dist(X, Y), c) ** p
    ri, ci = linear_sum_assignment(C)
    return float(((C[ri, ci].sum() + c**p * (n - m)) / n) ** (1 / p))


def nees(x_true, x_est, P) -> np.ndarray:
    """NEES ``(x - xhat)^T P^-1 (x - xhat)`` for ``(..., n)`` errors and ``(..., n, n)`` covariances."""
    e = np.asarray(x_true, float) - np.asarray(x_est, float)
    return np.einsum("...i,...i->...", e, np.linalg.solve(P, e[..., None])[..., 0])


def nees_interval(n: int, runs: int, prob: float = 0.95) -> tuple[float, float]:
    """Two-sided ``prob`` interval of the average NEES over ``runs`` runs of an ``n``-dim state."""
    a = (1.0 - prob) / 2.0
    lo, hi = chi2_ppf(np.array([a, 1.0 - a]), n * runs) / runs
    return float(lo), float(hi)


@dataclass(frozen=True)
class Continuity:
    """Per-truth identity switches and track breaks, and their totals."""

    id_switches: dict
    breaks: dict
    total_id_switches: int
    total_breaks: int


def track_continuity(frames, c: float, p: float = 2.0, pairs=None) -> Continuity:
    """Identity switches and breaks over a sequence of frames.

    ``frames``: iterable of ``(truth_ids (m,), truth_pos (m, d), track_ids (n,), track_pos (n, d))``
    in time order. Pairing at each frame by the GOSPA assignment with cut-off ``c`` (:func:`gospa`), or,
    when given, by ``pairs``: one sequence of ``(truth index, track index)`` per frame, e.g. the
    ``GOSPA.pairs`` already computed for the same frames, ``c`` and ``p`` (the pairing is the same).
    """
    last_track: dict = {}
    paired_prev: dict = {}
    switches: dict = {}
    breaks: dict = {}
    pairs_iter = iter(pairs) if pairs is not None else None
    for tid, tpos, kid, kpos in frames:
        tid = np.asarray(tid).tolist()
        kid = np.asarray(kid).tolist()
        fp = next(pairs_iter) if pairs_iter is not None else \
            gospa(np.asarray(tpos, float), np.asarray(kpos, float), c, p).pairs
        now = {tid[i]: kid[j] for i, j in fp}
        for truth in tid:
            switches.setdefault(truth, 0)
            breaks.setdefault(truth, 0)
            if truth in now:
                if truth in last_track and last_track[truth] != now[truth]:
                    switches[truth] += 1
                last_track[truth] = now[truth]
            elif paired_prev.get(truth, False):
                breaks[truth] += 1
            paired_prev[truth] = truth in now
    return Continuity(switches, breaks, int(sum(switches.values())), int(sum(breaks.values())))
