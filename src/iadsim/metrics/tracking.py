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
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

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
    hits = cKDTree(X).sparse_distance_matrix(cKDTree(Y), c * (1.0 + 1e-9) + 1e-9, output_type="ndarray")
    ri, ci = hits["i"].astype(np.intp), hits["j"].astype(np.intp)
    d = np.sqrt(((X[ri] - Y[ci]) ** 2).sum(-1))
    ok = d < c
    return ri[ok], ci[ok], d[ok]


def _assign(ri, ci, d, m: int, n: int, c: float, p: float):
    """Optimal pairs among the candidate edges ``(ri, ci, d)``, one connected component at a time."""
    if ri.size == 0:
        return ri, ci
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
    out_r, out_c = [ri[first]], [ci[first]]
    # larger components: an assignment on the component's own block of min(d, c)^p
    big = np.flatnonzero(~star)
    if big.size:
        big = big[np.argsort(comp[big], kind="stable")]
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
            keep = has[sr, sc]  # a non-candidate pair costs c^p, the same as leaving both unassigned
            out_r.append(ur[sr[keep]])
            out_c.append(uc[sc[keep]])
    pr, pc = np.concatenate(out_r), np.concatenate(out_c)
    order = np.argsort(pr, kind="stable")
    return pr[order], pc[order]


def gospa(X, Y, c: float, p: float = 2.0) -> GOSPA:
    """GOSPA (alpha = 2) between truths ``X (m, d)`` and estimates ``Y (n, d)``; see module docstring.

    Gated at ``c`` and solved per connected component of the candidate pairs; equal to
    :func:`gospa_dense`."""
    m, n = len(X), len(Y)
    half = c**p / 2.0
    if m == 0 or n == 0:
        cost = half * (m + n)
        return GOSPA(cost ** (1 / p), 0.0, half * m, half * n, m, n, ())
    X = np.asarray(X, float).reshape(m, -1)
    Y = np.asarray(Y, float).reshape(n, -1)
    ri, ci, d = _candidates(X, Y, c)
    pr, pc = _assign(ri, ci, d, m, n, c, p)
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
