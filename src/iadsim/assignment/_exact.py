"""Exact static WTA: column generation for the Lagrangian/LP bound, then reduced-cost column
enumeration and a set-partitioning MILP on HiGHS.

Master problem (the Dantzig-Wolfe / "column" formulation used in branch-and-price for the WTA,
Lu & Chen, Omega 2021; Andersen, Pavlikov & Toffolo, Ann. Oper. Res. 2022): a column ``s`` is a
target ``j(s)`` with a vector of shots ``x^s`` (a multiset of weapons), costing
``f_s = V_j prod_i q_ij^{x_i^s} + sum_i k_i x_i^s``; choose one column per target::

    min sum_s f_s y_s   s.t.  sum_{s: j(s)=j} y_s = 1       (dual mu_j)
                              sum_s x_i^s y_s   <= c_i      (dual -lambda_i, lambda_i >= 0)
                              y_s in {0, 1}.

1. Incumbent ``UB`` from greedy + local search.
2. Column generation on the LP relaxation (HiGHS dual simplex, warm started). Pricing for target j
   minimises ``g_j(x) = V_j prod_i q_ij^x_i + sum_i (k_i + lambda_i) x_i`` exactly (branch and bound
   over a nonlinear knapsack, :mod:`._kernels`); every pricing round also gives the Lagrangian
   bound ``LB = sum_j min g_j - lambda . c`` (valid for any lambda >= 0). Duals are stabilised
   by Wentges smoothing (Wentges, Int. Trans. Oper. Res. 4, 1997): price at
   ``0.8 lambda_best + 0.2 lambda_LP``, falling back to the LP duals on a mispricing.
   The incumbent is then improved by the restricted-master MILP (generated columns only) and
   local search; the run stops as soon as ``UB - LB <= 1e-10 UB``.
3. Completeness by reduced costs: for any feasible solution of cost <= UB and its columns ``x_j``,
   ``sum_j (g_j(x_j) - min g_j) <= UB - LB``; so enumerating, per target, every column with
   ``g_j(x) <= min g_j + (UB - LB)`` (only types with ``k_i + lambda_i < V_j p_ij + UB - LB``
   can occur) yields a set-partitioning MILP whose optimum is the global optimum
   (the "enumerate within the gap" idea of Baldacci, Christofides & Mingozzi, Math. Prog. 2008).
4. That MILP is solved by HiGHS to a relative gap of 1e-12; its dual bound is a proven bound.

When enumerating the whole gap would exceed ``max_columns`` columns, step 3-4 run on a smaller
gap d (columns with ``g_j <= min g_j + d``): the MILP then either finds a solution of cost
``<= LB + d`` (optimal) or proves ``LB + d`` a lower bound, and d grows again. If the time limit
hits (or even a tiny d gives too many columns), the incumbent is returned with the best proven
bound and status ``"time_limit"`` (``info["reason"]`` says which).

Time limit. The clock is read between pricing chunks inside every Lagrangian evaluation
(:func:`._lagrangian.lagrangian` with a deadline), between column-generation iterations, between the
targets of the enumeration, and HiGHS gets the time left as its ``time_limit`` in every LP and MILP, so
the solver stops within a fraction of a second of its limit even at 5000 x 5000.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from iadsim.assignment._common import Arrays
from iadsim.assignment._kernels import enumerate_target
from iadsim.assignment._lagrangian import NODE_LIMIT, heuristic_bound, lagrangian
from iadsim.assignment._local_search import local_search
from iadsim.assignment.problem import survival

OPT_TOL = 1e-10  # relative gap at which the incumbent is accepted as optimal
RM_TIME = 5.0  # seconds allowed for the restricted-master MILP heuristic
SMOOTHING = 0.8  # Wentges dual smoothing factor in column generation


_BANNER_SHOWN = False


def _new_highs():
    """A silent single-threaded HiGHS instance (``highspy.Highs``).

    HiGHS writes a copyright banner straight to file descriptor 1 the first time an instance is
    created in a process; it would corrupt the CLI output, so that first construction runs with
    fd 1 pointed at /dev/null.
    """
    global _BANNER_SHOWN
    import highspy  # imported where used (here and below): a run that never solves exactly does not load it
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        _BANNER_SHOWN = True
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


class _Master:
    """Column master in HiGHS: rows 0..m-1 convexity (= 1), rows m..m+n-1 weapon counts (<= c)."""

    def __init__(self, a: Arrays):
        import highspy
        self.a = a
        n, m = a.p.shape
        self.n, self.m = n, m
        self.h = _new_highs()
        inf = highspy.kHighsInf
        lower = np.concatenate([np.ones(m), np.full(n, -inf)])
        upper = np.concatenate([np.ones(m), a.counts.astype(float)])
        self.h.addRows(n + m, lower, upper, 0, np.zeros(n + m, np.int32), np.zeros(0, np.int32),
                       np.zeros(0))
        self.h.setOptionValue("simplex_strategy", 1)  # dual simplex: warm start after adding columns
        self.cols_j: list[int] = []
        self.cols_x: list[tuple[np.ndarray, np.ndarray]] = []
        self.keys: set = set()

    def cost(self, j: int, types: np.ndarray, cnt: np.ndarray) -> float:
        a = self.a
        surv = a.V[j] * np.prod((1.0 - a.p[types, j]) ** cnt)
        return float(surv + (a.k[types] * cnt).sum())

    def add(self, cols: list[tuple[int, np.ndarray, np.ndarray]]) -> int:
        """Add columns ``(j, types, counts)`` not yet present; return how many were added."""
        import highspy
        costs, starts, idx, vals = [], [], [], []
        nnz = 0
        for j, types, cnt in cols:
            key = (j, tuple(types.tolist()), tuple(cnt.tolist()))
            if key in self.keys:
                continue
            self.keys.add(key)
            self.cols_j.append(j)
            self.cols_x.append((types, cnt))
            costs.append(self.cost(j, types, cnt))
            starts.append(nnz)
            idx.append(np.concatenate([[j], self.m + types]).astype(np.int32))
            vals.append(np.concatenate([[1.0], cnt.astype(float)]))
            nnz += 1 + types.shape[0]
        if not costs:
            return 0
        num = len(costs)
        self.h.addCols(num, np.asarray(costs), np.zeros(num), np.full(num, highspy.kHighsInf), nnz,
                       np.asarray(starts, np.int32), np.concatenate(idx), np.concatenate(vals))
        return num

    def solve_lp(self, deadline: float = np.inf) -> tuple[float, np.ndarray, np.ndarray] | None:
        """Solve the LP master; None when ``deadline`` passes first (HiGHS ``time_limit``, which counts
        the instance's whole run time, so the limit is set to that plus the time left)."""
        import highspy
        if np.isfinite(deadline):
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            self.h.setOptionValue("time_limit", float(self.h.getRunTime()) + left)
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = self.h.getSolution()
        dual = np.asarray(sol.row_dual)
        mu = dual[: self.m]
        lam = np.maximum(-dual[self.m:], 0.0)
        return float(self.h.getInfo().objective_function_value), mu, lam


def _objective(a: Arrays, x: np.ndarray) -> float:
    return float(a.V @ survival(a.p, x) + a.k @ x.sum(axis=1))


def _columns_of(x: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Columns (j, types, counts) of an (n, m) assignment."""
    out = []
    for j in range(x.shape[1]):
        types = np.nonzero(x[:, j])[0]
        out.append((j, types.astype(np.int64), x[types, j].astype(np.int64)))
    return out


def _columns_from_pricing(xbest: np.ndarray, targets) -> list[tuple[int, np.ndarray, np.ndarray]]:
    out = []
    for j in targets:
        types = np.nonzero(xbest[j])[0]
        out.append((int(j), types.astype(np.int64), xbest[j, types].astype(np.int64)))
    return out


def _solve_set_partitioning(a: Arrays, cols: list[tuple[int, np.ndarray, np.ndarray]],
                            x_start: np.ndarray, time_left: float):
    """Solve the set-partitioning MILP over ``cols`` with HiGHS.

    Returns ``(x, dual bound, outcome, columns)`` with outcome "optimal", "infeasible" or "time";
    ``x`` is the MILP solution or ``x_start`` when that is better or no solution was found.
    """
    import highspy
    n, m = a.p.shape
    master = _Master(a)
    master.add(cols)
    h = master.h
    num = len(master.cols_j)
    h.changeColsIntegrality(num, np.arange(num, dtype=np.int32),
                            np.full(num, highspy.HighsVarType.kInteger, dtype=np.uint8))
    h.setOptionValue("mip_rel_gap", 1e-12)
    h.setOptionValue("mip_abs_gap", 0.0)
    h.setOptionValue("simplex_strategy", 0)
    if np.isfinite(time_left):
        h.setOptionValue("time_limit", max(float(time_left), 0.01))
    # (no MIP start: HiGHS 1.16 setSolution without row values gave inconsistent objective values)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kOptimal:
        outcome = "optimal"
    elif status == highspy.HighsModelStatus.kInfeasible:
        outcome = "infeasible"
    else:
        outcome = "time"
    bound = float(info.mip_dual_bound)
    x = np.zeros((n, m), np.int64)
    if int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible):
        y = np.asarray(h.getSolution().col_value)
        for s in np.nonzero(y > 0.5)[0]:
            t, c = master.cols_x[s]
            x[t, master.cols_j[s]] = c
    else:
        x = x_start.copy()
    if _objective(a, x) > _objective(a, x_start):
        x = x_start.copy()
    return x, bound, outcome, num


def solve_exact(a: Arrays, x_inc: np.ndarray, ub: float, t0: float, time_limit: float | None,
                max_columns: int = 500_000, max_cg_iter: int = 10_000, heuristics: bool = True):
    """Return ``(x, bound, status, info)``; ``x_inc`` is a feasible incumbent of objective ``ub``.

    ``heuristics=False`` skips the early exits (heuristic bound) and the restricted-master
    incumbent, so that the enumeration + MILP stage always runs (used by the tests).
    """
    deadline = np.inf if time_limit is None else t0 + time_limit
    n, m = a.p.shape
    scale = max(1.0, abs(ub))
    info: dict = {"cg_iterations": 0, "columns": 0}

    def closed(lb):
        return ub - lb <= OPT_TOL * scale

    lb, lam_best = heuristic_bound(a, x_inc, deadline=deadline)
    info["heuristic_bound"] = lb
    if heuristics and closed(lb):
        return x_inc, lb, "optimal", info
    if time.perf_counter() > deadline:
        info["reason"] = "time"
        return x_inc, lb, "time_limit", info

    # --- column generation ------------------------------------------------------------------
    master = _Master(a)
    master.add([(j, np.zeros(0, np.int64), np.zeros(0, np.int64)) for j in range(m)])
    master.add(_columns_of(x_inc))
    _, _, _, xb = lagrangian(a, lam_best, deadline=deadline)
    master.add(_columns_from_pricing(xb, range(m)))
    lp_value = -np.inf
    it = 0
    rc_tol = 1e-7 * scale
    center = lam_best
    while it < max_cg_iter and time.perf_counter() < deadline:
        it += 1
        lp = master.solve_lp(deadline)
        if lp is None:
            break  # time limit inside the LP
        lp_value, mu, lam_lp = lp
        if lp_value - lb <= OPT_TOL * scale:
            break  # LP solved: the Lagrangian bound meets the master LP value
        # Wentges smoothing: price at a convex combination of the stability centre (best
        # Lagrangian multipliers) and the LP duals; on a mispricing fall back to the LP duals.
        for alpha in (SMOOTHING, 0.0):
            lam = alpha * center + (1.0 - alpha) * lam_lp
            L, gmin, glb, xb = lagrangian(a, lam, deadline=deadline)
            if L > lb:
                lb, center = L, lam
            rc = gmin + xb @ (lam_lp - lam) - mu
            neg = np.nonzero(rc < -rc_tol)[0]
            if neg.size:
                break
        if neg.size == 0 or (heuristics and closed(lb)):
            break
        if master.add(_columns_from_pricing(xb, neg)) == 0:
            break
    lam_best = center
    info.update(cg_iterations=it, lp_value=lp_value, lagrangian_bound=lb,
                lp_columns=len(master.cols_j))
    if heuristics and closed(lb):
        return x_inc, lb, "optimal", info

    # --- better incumbent: restricted master MILP over the generated columns + local search ---
    if heuristics:
        rm_cols = [(j, t, c) for j, (t, c) in zip(master.cols_j, master.cols_x, strict=True)]
        x_rm, _, _, _ = _solve_set_partitioning(a, rm_cols, x_inc,
                                                min(deadline - time.perf_counter(), RM_TIME))
        x_rm, _ = local_search(a, x_rm, deadline=deadline)
        ub_rm = _objective(a, x_rm)
        if ub_rm < ub:
            x_inc, ub = x_rm, ub_rm
        info["restricted_master_ub"] = ub_rm
    if heuristics and closed(lb):
        return x_inc, lb, "optimal", info
    if time.perf_counter() > deadline:
        info["reason"] = "time"
        return x_inc, lb, "time_limit", info

    # --- enumerate every column that can be part of a solution of cost <= L + d, solve the MILP --
    # Any solution of cost <= L + d uses, on each target j, a column with g_j <= glb_j + d. So the
    # MILP over those columns either finds a solution of cost <= L + d (then it is optimal) or
    # proves that none exists (then L + d is a lower bound). d starts at the whole gap UB - L and
    # shrinks when the column set would be too large, then grows again.
    L, gmin, glb, _ = lagrangian(a, lam_best, deadline=deadline)
    if time.perf_counter() > deadline:
        info["reason"] = "time"
        return x_inc, lb, "time_limit", info
    eps = 1e-9 * scale
    w = a.k + lam_best
    d_lo = max(lb - L, 0.0)  # proven: no solution costs less than L + d_lo
    d_fail = np.inf          # smallest gap known to need more than max_columns columns
    d = ub - L
    while True:
        cols: list[tuple[int, np.ndarray, np.ndarray]] = []
        complete = True
        for j in range(m):
            ptr, types, shots, status = enumerate_target(
                j, a.V, a.p, a.logq, w, a.counts, a.allowed, glb[j] + d + eps, d + eps,
                max_columns - len(cols), NODE_LIMIT * 10)
            if status != 0:
                complete = False
                break
            for s in range(ptr.shape[0] - 1):
                cols.append((j, types[ptr[s]:ptr[s + 1]], shots[ptr[s]:ptr[s + 1]]))
            if time.perf_counter() > deadline:
                info.update(reason="time", columns=len(cols))
                return x_inc, lb, "time_limit", info
        if complete:
            info["columns"] = info.get("columns", 0) + len(cols)
            info["milps"] = info.get("milps", 0) + 1
            x, mip_bound, outcome, _ = _solve_set_partitioning(a, cols, x_inc,
                                                               deadline - time.perf_counter())
            val = _objective(a, x)
            if val < ub:
                x_inc, ub = x, val
            if outcome == "time":
                info["reason"] = "time"
                return x_inc, max(lb, min(mip_bound, L + d)), "time_limit", info
            if outcome == "optimal" and val <= L + d + eps:
                return x_inc, max(lb, min(mip_bound, val)), "optimal", info
            d_lo = d  # no solution of cost <= L + d exists
            lb = max(lb, L + d)
            info["bound_raises"] = info.get("bound_raises", 0) + 1
            if closed(lb):
                return x_inc, lb, "optimal", info
        else:
            info["gap_shrinks"] = info.get("gap_shrinks", 0) + 1
            d_fail = d
        if time.perf_counter() > deadline:
            info["reason"] = "time"
            return x_inc, lb, "time_limit", info
        # next gap: grow geometrically from the proven one, stay below the failing one
        d = min(ub - L, 4.0 * d_lo if d_lo > 0 else np.inf,
                d_lo + 0.25 * (d_fail - d_lo) if np.isfinite(d_fail) else np.inf)
        if d - d_lo <= eps:
            info["reason"] = "column_limit"
            return x_inc, lb, "time_limit", info
