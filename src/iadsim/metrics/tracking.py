r"""Tracking-quality metrics: GOSPA, OSPA, NEES, track breaks and identity switches.

GOSPA (alpha = 2), Rahmathullah, Garcia-Fernandez, Svensson, "Generalized optimal sub-pattern
assignment metric", FUSION 2017, Proposition 1: for truths ``X`` (``|X| = m``) and estimates ``Y``
(``|Y| = n``), cut-off ``c`` and order ``p``::

    d_GOSPA = ( min_gamma  sum_{(i,j) in gamma} d(x_i, y_j)^p  +  c^p / 2 (m + n - 2 |gamma|) )^(1/p)

over partial assignments ``gamma`` with ``d(x_i, y_j) < c``. It splits into a localisation part
``sum d^p``, a missed-target part ``c^p/2 * #missed`` and a false-track part ``c^p/2 * #false``
(returned in those p-th power units, so that ``total^p = loc + missed + false``). Solved exactly with
``linear_sum_assignment`` on ``min(d, c)^p`` (a pair at ``d >= c`` costs ``c^p`` = one miss + one false).

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
from scipy.stats import chi2


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


def gospa(X, Y, c: float, p: float = 2.0) -> GOSPA:
    """GOSPA (alpha = 2) between truths ``X (m, d)`` and estimates ``Y (n, d)``; see module docstring."""
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
    lo, hi = chi2.ppf([a, 1.0 - a], n * runs) / runs
    return float(lo), float(hi)


@dataclass(frozen=True)
class Continuity:
    """Per-truth identity switches and track breaks, and their totals."""

    id_switches: dict
    breaks: dict
    total_id_switches: int
    total_breaks: int


def track_continuity(frames, c: float, p: float = 2.0) -> Continuity:
    """Identity switches and breaks over a sequence of frames.

    ``frames``: iterable of ``(truth_ids (m,), truth_pos (m, d), track_ids (n,), track_pos (n, d))``
    in time order. Pairing at each frame by the GOSPA assignment with cut-off ``c``.
    """
    last_track: dict = {}
    paired_prev: dict = {}
    switches: dict = {}
    breaks: dict = {}
    for tid, tpos, kid, kpos in frames:
        tid = np.asarray(tid).tolist()
        kid = np.asarray(kid).tolist()
        g = gospa(np.asarray(tpos, float), np.asarray(kpos, float), c, p)
        now = {tid[i]: kid[j] for i, j in g.pairs}
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
