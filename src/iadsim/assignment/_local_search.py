"""Local search for the static WTA, started from the maximum-marginal-return greedy.

Neighbourhoods (Ahuja, Kumar, Jha & Orlin, Oper. Res. 55(6), 2007, sec. 4, the "two-exchange"
neighbourhood and its one-shot special cases), evaluated in O(1) per move from the surviving values
``E_j = V_j prod_i q_ij^x_ij``:

* reassign one shot of type i from j1 to j2:  ``dF = E_j1 (1/q_ij1 - 1) + E_j2 (q_ij2 - 1)``;
* drop one shot:                               ``dF = E_j1 (1/q_ij1 - 1) - k_i``;
* swap shots (i1, j1), (i2, j2):               ``dF = E_j1 (q_i2j1/q_i1j1 - 1) + E_j2 (q_i1j2/q_i2j2 - 1)``;
* greedy additions of spare weapons (``dF = -E_j p_ij + k_i``).

First-improvement until no move decreases F by more than a relative 1e-12.
"""

from __future__ import annotations

import time

import numpy as np

from iadsim.assignment._common import Arrays
from iadsim.assignment._kernels import cyclic_exchange, improve, max_marginal_return, path_exchange


def local_search(a: Arrays, x0: np.ndarray, max_rounds: int = 1000, cycle_len: int = 8,
                 deadline: float = np.inf) -> tuple[np.ndarray, int]:
    """Improve ``x0`` (not modified) by local search; returns ``(x, rounds)``.

    Alternates the one- and two-shot moves of :func:`._kernels.improve` with cyclic and path
    multi-exchanges of up to ``cycle_len`` shots (:func:`._kernels.cyclic_exchange`,
    :func:`._kernels.path_exchange`) until none improves, or until ``time.perf_counter()``
    passes ``deadline``: with a deadline, the one- and two-shot moves run one round per kernel call and the
    clock is read between rounds (a round at 5000 x 5000 takes a fraction of a second, the kernel's own
    loop to convergence minutes).
    """
    x = np.array(x0, dtype=np.int64, copy=True)
    rem = a.counts - x.sum(axis=1)
    E = np.empty(a.V.shape[0])
    tol = 1e-12 * max(1.0, float(a.V.sum()))
    rounds = 0
    timed = np.isfinite(deadline)
    last = 0.0  # duration of the last exchange pass: the next one starts only if it fits before the deadline
    while rounds < max_rounds:
        if timed:
            rounds += _improve_until(a, x, rem, E, tol, max_rounds - rounds, deadline)
        else:
            rounds += int(improve(a.V, a.p, a.q, a.k, rem, a.allowed, x, E, tol, max_rounds))
        if cycle_len < 2 or time.perf_counter() + last > deadline:
            break
        t0 = time.perf_counter()
        gain = cyclic_exchange(a.q, a.allowed, x, E, cycle_len, tol)
        if gain == 0.0 and time.perf_counter() + (time.perf_counter() - t0) <= deadline:
            gain = path_exchange(a.q, a.allowed, x, E, cycle_len, tol)
        last = time.perf_counter() - t0
        if gain == 0.0:
            break
    return x, rounds


def _improve_until(a: Arrays, x, rem, E, tol: float, max_rounds: int, deadline: float) -> int:
    """:func:`._kernels.improve` one round at a time until a round no longer lowers the objective by more
    than ``tol`` (the kernel's own stopping rule), ``max_rounds`` or ``deadline``; returns the rounds."""
    rounds = 0
    f_prev = np.inf
    last = 0.0  # a round starts only if one as long as the last fits before the deadline
    while rounds < max_rounds and time.perf_counter() + last < deadline:
        t0 = time.perf_counter()
        rounds += int(improve(a.V, a.p, a.q, a.k, rem, a.allowed, x, E, tol, 1))
        last = time.perf_counter() - t0
        f = float(E.sum() + a.k @ x.sum(axis=1))
        if not f < f_prev - tol:
            break
        f_prev = f
    return rounds


def lagrangian_restart(a: Arrays, xb: np.ndarray) -> np.ndarray:
    """Feasible start from the Lagrangian per-target argmins ``xb`` (m, n) (a "Lagrangian
    heuristic", Fisher, Manage. Sci. 27, 1981): drop the least valuable shots of over-used types
    (smallest loss ``E_j (1/q_ij - 1)``), then fill spare weapons greedily."""
    x = np.ascontiguousarray(xb.T, dtype=np.int64).copy()
    x[~a.allowed] = 0
    E = a.V * np.exp((x * a.logq).sum(axis=0))
    for i in np.nonzero(x.sum(axis=1) > a.counts)[0]:
        for _ in range(int(x[i].sum() - a.counts[i])):
            js = np.nonzero(x[i])[0]
            j = js[np.argmin(E[js] * (1.0 / a.q[i, js] - 1.0))]
            x[i, j] -= 1
            E[j] /= a.q[i, j]
    rem = a.counts - x.sum(axis=1)
    max_marginal_return(E, a.p, a.q, a.k, rem, a.allowed, x)
    return x
