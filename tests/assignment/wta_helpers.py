"""Shared helpers for the WTA tests: seeded random instances and a brute-force optimum."""

from __future__ import annotations

import itertools

import numpy as np

from iadsim.assignment import WTAProblem


def random_problem(rng: np.random.Generator, n: int, m: int, max_count: int = 2,
                   with_cost: bool = False, with_mask: bool = False, p_one: bool = False) -> WTAProblem:
    V = rng.integers(0, 100, m).astype(float)
    p = rng.uniform(0.0, 1.0, (n, m))
    if p_one:  # a few certain kills and impossible shots
        p[rng.uniform(size=(n, m)) < 0.15] = 1.0
        p[rng.uniform(size=(n, m)) < 0.15] = 0.0
    c = rng.integers(0, max_count + 1, n)
    cost = rng.uniform(0.0, 30.0, n) if with_cost else None
    mask = rng.uniform(size=(n, m)) < 0.7 if with_mask else None
    return WTAProblem(values=V, pk=p, counts=c, mask=mask, cost=cost)


def _rows(count: int, allowed: np.ndarray):
    """All non-negative integer rows over allowed targets with sum <= count."""
    m = allowed.shape[0]
    idx = np.nonzero(allowed)[0]
    out = []
    for total in range(count + 1):
        for combo in itertools.combinations_with_replacement(idx, total):
            r = np.zeros(m, np.int64)
            for j in combo:
                r[j] += 1
            out.append(r)
    return out


def brute_force(problem: WTAProblem) -> float:
    """Optimal objective by enumerating every feasible assignment (independent of the solvers)."""
    n, m = problem.n, problem.m
    allowed = np.ones((n, m), bool) if problem.mask is None else problem.mask
    per_type = [np.array(_rows(int(problem.counts[i]), allowed[i])) for i in range(n)]
    q = 1.0 - problem.pk
    k = problem.k
    best = np.inf
    for combo in itertools.product(*[range(len(r)) for r in per_type]):
        x = np.stack([per_type[i][combo[i]] for i in range(n)]) if n else np.zeros((0, m))
        val = float(problem.values @ np.prod(q ** x, axis=0) + k @ x.sum(axis=1))
        best = min(best, val)
    return best
