"""One front door for the static weapon-target assignment: :func:`solve_wta`."""

from __future__ import annotations

import time

import numpy as np

from iadsim.assignment._common import arrays
from iadsim.assignment._exact import solve_exact
from iadsim.assignment._greedy import greedy_assign
from iadsim.assignment._lagrangian import heuristic_bound, lagrangian
from iadsim.assignment._local_search import lagrangian_restart, local_search
from iadsim.assignment.problem import WTAProblem, WTAResult, evaluate

METHODS = ("exact", "greedy", "local_search")
BOUND_ITERATIONS = 5  # subgradient steps for the local-search bound (greedy: one evaluation)
RESTART_GAP = 0.01    # local search restarts from the Lagrangian solution above this certified gap
LOCAL_SEARCH_SHARE = {"local_search": 0.6, "exact": 0.25}  # of a time limit, for the first local search


def solve_wta(problem: WTAProblem, method: str = "exact", time_limit: float | None = None,
              bound: bool = True) -> WTAResult:
    """Solve a static WTA instance (see :mod:`iadsim.assignment.problem` for the model).

    Parameters
    ----------
    problem : the validated instance.
    method : ``"greedy"`` (maximum marginal return, den Broeder et al. 1959), ``"local_search"``
        (greedy then reassign/drop/swap, cyclic and path exchanges, Ahuja et al. 2007 sec. 4; when
        its certified gap exceeds 1 %, a second run from the repaired Lagrangian solution) or
        ``"exact"`` (column
        generation + reduced-cost column enumeration + set-partitioning MILP on HiGHS, certified).
    time_limit : wall-clock seconds (None: no limit), counted from the call. ``"exact"`` returns status
        ``"time_limit"`` with its best solution and proven bound when it runs out; ``"local_search"``
        stops improving (the clock is read between move rounds) and also says ``"time_limit"``; the
        Lagrangian bound of both heuristics is cut short (a valid, weaker bound, ``info["reason"] ==
        "time"``); the greedy itself is one pass, ``O(sum_i c_i (n + m))``.
    bound : for the heuristics, also compute a Lagrangian lower bound: multipliers read off the
        solution (greedy: that one evaluation, ~4 ms at 200 x 200) improved by a few subgradient
        steps (local search); False gives ``bound = -inf`` and saves that time.

    Returns
    -------
    WTAResult with ``x``, ``objective``, ``bound`` (proven lower bound), ``gap``, ``status``
    (``"optimal"``, ``"time_limit"`` or ``"heuristic"``), ``time`` and ``method``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    if not isinstance(problem, WTAProblem):
        raise TypeError("problem must be a WTAProblem")
    t0 = time.perf_counter()
    a = arrays(problem)
    x = greedy_assign(a)
    info: dict = {}
    deadline = np.inf if time_limit is None else t0 + time_limit
    if method != "greedy":
        # the local search gets a share of the limit, so that the bound (and the exact stages) get the rest
        share = LOCAL_SEARCH_SHARE[method] * (time_limit if time_limit is not None else np.inf)
        x, rounds = local_search(a, x, deadline=min(deadline, t0 + share))
        info["local_search_rounds"] = rounds
    stopped = time.perf_counter() > min(deadline, t0 + share) if method != "greedy" else False
    if method == "exact":
        ub = sum(evaluate(problem, x))
        x_ex, lb, status, info_ex = solve_exact(a, x, ub, t0, time_limit)
        info.update(info_ex)
        try:
            problem.check_feasible(x_ex)  # guard against solver tolerances; never expected to fail
        except ValueError as exc:
            info["rejected_solution"] = str(exc)
            status = "time_limit" if status == "optimal" else status
        else:
            if sum(evaluate(problem, x_ex)) <= ub:
                x = x_ex
        return WTAResult.build(problem, x, lb, status, time.perf_counter() - t0, method, info)
    lb = -np.inf
    if bound:
        lb, lam = heuristic_bound(a, x, iterations=1 if method == "greedy" else BOUND_ITERATIONS,
                                  deadline=deadline)
        ub = sum(evaluate(problem, x))
        if (method == "local_search" and ub - lb > RESTART_GAP * abs(ub)
                and time.perf_counter() < deadline):
            # weak certificate: also try local search from the Lagrangian solution, keep the best
            x2, _ = local_search(a, lagrangian_restart(a, lagrangian(a, lam, deadline=deadline)[3]),
                                 deadline=deadline)
            info["lagrangian_restart"] = True
            if sum(evaluate(problem, x2)) < ub:
                x = x2
    stopped = stopped or time.perf_counter() > deadline
    if stopped:
        info["reason"] = "time"
    return WTAResult.build(problem, x, lb, "time_limit" if stopped and method != "greedy" else "heuristic",
                           time.perf_counter() - t0, method, info)
