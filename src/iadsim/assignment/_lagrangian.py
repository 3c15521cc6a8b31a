"""Lagrangian lower bound of the static WTA (relaxing the weapon-count rows).

For multipliers ``lambda_i >= 0`` on ``sum_j x_ij <= c_i`` the relaxation separates by target:

    L(lambda) = sum_j min_{x_.j} [ V_j exp(sum_i x_ij log q_ij) + sum_i (k_i + lambda_i) x_ij ]
                - sum_i lambda_i c_i  <=  F(x*)

(weak duality; the maximum over lambda equals the LP bound of the Dantzig-Wolfe/column master,
cf. Ahuja et al. 2007 sec. 5 and Andersen, Pavlikov & Toffolo, Ann. Oper. Res. 2022). Each
per-target minimum is an integer nonlinear knapsack solved exactly by branch and bound
(:func:`iadsim.assignment._kernels.subproblem_dfs`).
"""

from __future__ import annotations

import time

import numpy as np

from iadsim.assignment._common import Arrays
from iadsim.assignment._kernels import price_all
from iadsim.assignment.problem import survival

NODE_LIMIT = 200_000
CHUNK_SECONDS = 0.05  # pricing time between two reads of the clock when a deadline is set


def lagrangian(a: Arrays, lam: np.ndarray, relax_only: bool = False, deadline: float = np.inf,
               ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(L(lambda), gmin (m,), glb (m,), xbest (m, n))`` for multipliers ``lam >= 0``.

    ``glb`` are proven lower bounds of the per-target minima (exact minima unless ``relax_only``,
    which uses the continuous relaxation: cheaper and weaker); ``gmin``/``xbest`` the best found.

    ``deadline`` (a ``time.perf_counter()`` value): the targets are priced in chunks and the clock is read
    between chunks (a compiled kernel cannot read it); targets left when it passes keep the trivial bound
    ``glb_j = 0`` (``g_j >= 0`` since ``V_j >= 0`` and ``k + lambda >= 0``) and the empty column
    (``gmin_j = V_j``), so ``L`` stays a valid, weaker bound.
    """
    n, m = a.p.shape
    w = a.k + lam
    xbest = np.zeros((m, n), np.int64)
    if not np.isfinite(deadline):
        gmin, glb = price_all(a.V, a.p, a.logq, w, a.counts, a.allowed, NODE_LIMIT, xbest, relax_only)
        return float(glb.sum() - lam @ a.counts), gmin, glb, xbest
    gmin = a.V.astype(float).copy()
    glb = np.zeros(m)
    j0, chunk = 0, 4
    while j0 < m and time.perf_counter() < deadline:
        j1 = min(m, j0 + chunk)
        t0 = time.perf_counter()
        sl = slice(j0, j1)
        xb = np.zeros((j1 - j0, n), np.int64)
        g, lb = price_all(np.ascontiguousarray(a.V[sl]), np.ascontiguousarray(a.p[:, sl]),
                          np.ascontiguousarray(a.logq[:, sl]), w, a.counts, np.ascontiguousarray(a.allowed[:, sl]),
                          NODE_LIMIT, xb, relax_only)
        gmin[sl], glb[sl], xbest[sl] = g, lb, xb
        per_target = (time.perf_counter() - t0) / (j1 - j0)
        j0 = j1
        chunk = int(min(max(CHUNK_SECONDS / max(per_target, 1e-9), 1), 4096))
    return float(glb.sum() - lam @ a.counts), gmin, glb, xbest


def multipliers_from_solution(a: Arrays, x: np.ndarray) -> np.ndarray:
    """Cheap multipliers from a feasible ``x``: the marginal worth of one more weapon.

    For a fully used type, ``lambda_i`` = value of its best further shot ``max_j E_j p_ij - k_i``
    (clipped at 0); types with spare weapons get 0 (their count row is not binding).
    """
    E = a.V * np.exp((x * a.logq).sum(axis=0))
    full = x.sum(axis=1) >= a.counts
    gain = np.where(a.allowed, E[None, :] * a.p, 0.0).max(axis=1, initial=0.0) - a.k
    return np.where(full, np.maximum(gain, 0.0), 0.0)


def heuristic_bound(a: Arrays, x: np.ndarray, iterations: int = 1, ub: float | None = None,
                    relax_only: bool = False, deadline: float = np.inf) -> tuple[float, np.ndarray]:
    """Lagrangian bound from the multipliers of :func:`multipliers_from_solution`, improved by
    ``iterations - 1`` projected subgradient steps with the Polyak step length
    ``t = (UB - L(lambda)) / ||s||^2``, ``s_i = sum_j x_ij(lambda) - c_i`` (Held, Wolfe & Crowder,
    Math. Prog. 6, 1974), ``UB`` the objective of ``x`` unless given. Returns (best bound, its
    multipliers). ``deadline``: as in :func:`lagrangian`; no further step starts after it."""
    lam = multipliers_from_solution(a, x)
    if ub is None:
        ub = float(a.V @ survival(a.p, x) + a.k @ x.sum(axis=1))
    best, best_lam = -np.inf, lam
    for _ in range(max(iterations, 1)):
        L, _, _, xb = lagrangian(a, lam, relax_only, deadline)
        if L > best:
            best, best_lam = L, lam
        if time.perf_counter() > deadline:
            break
        s = xb.sum(axis=0) - a.counts
        norm2 = float(s @ s)
        if norm2 == 0.0 or ub - L <= 0.0:
            break
        lam = np.maximum(lam + (ub - L) / norm2 * s, 0.0)
    return best, best_lam
