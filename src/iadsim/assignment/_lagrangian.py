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

import numpy as np

from iadsim.assignment._common import Arrays
from iadsim.assignment._kernels import price_all

NODE_LIMIT = 200_000


def lagrangian(a: Arrays, lam: np.ndarray, relax_only: bool = False,
               ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(L(lambda), gmin (m,), glb (m,), xbest (m, n))`` for multipliers ``lam >= 0``.

    ``glb`` are proven lower bounds of the per-target minima (exact minima unless ``relax_only``,
    which uses the continuous relaxation: cheaper and weaker); ``gmin``/``xbest`` the best found.
    """
    n, m = a.p.shape
    w = a.k + lam
    xbest = np.zeros((m, n), np.int64)
    gmin, glb = price_all(a.V, a.p, a.logq, w, a.counts, a.allowed, NODE_LIMIT, xbest, relax_only)
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
                    relax_only: bool = False) -> tuple[float, np.ndarray]:
    """Lagrangian bound from the multipliers of :func:`multipliers_from_solution`, improved by
    ``iterations - 1`` projected subgradient steps with the Polyak step length
    ``t = (UB - L(lambda)) / ||s||^2``, ``s_i = sum_j x_ij(lambda) - c_i`` (Held, Wolfe & Crowder,
    Math. Prog. 6, 1974), ``UB`` the objective of ``x`` unless given. Returns (best bound, its
    multipliers)."""
    lam = multipliers_from_solution(a, x)
    if ub is None:
        ub = float(a.V @ np.prod((1.0 - a.p) ** x, axis=0) + a.k @ x.sum(axis=1))
    best, best_lam = -np.inf, lam
    for _ in range(max(iterations, 1)):
        L, _, _, xb = lagrangian(a, lam, relax_only)
        if L > best:
            best, best_lam = L, lam
        s = xb.sum(axis=0) - a.counts
        norm2 = float(s @ s)
        if norm2 == 0.0 or ub - L <= 0.0:
            break
        lam = np.maximum(lam + (ub - L) / norm2 * s, 0.0)
    return best, best_lam
