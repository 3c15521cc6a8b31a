"""Array views of a :class:`WTAProblem` shared by the solver modules."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.assignment._kernels import Q_FLOOR
from iadsim.assignment.problem import WTAProblem


@dataclass(frozen=True)
class Arrays:
    V: np.ndarray        # (m,) values
    p: np.ndarray        # (n, m) kill probabilities
    q: np.ndarray        # (n, m) survival probabilities, clipped below at Q_FLOOR
    logq: np.ndarray     # (n, m) log q
    k: np.ndarray        # (n,) cost per shot
    counts: np.ndarray   # (n,) int64
    allowed: np.ndarray  # (n, m) bool (mask and counts > 0)


def arrays(problem: WTAProblem) -> Arrays:
    p = np.ascontiguousarray(problem.pk, dtype=float)
    q = np.maximum(1.0 - p, Q_FLOOR)
    return Arrays(V=np.ascontiguousarray(problem.values, dtype=float), p=p, q=q, logq=np.log(q),
                  k=np.ascontiguousarray(problem.k, dtype=float),
                  counts=np.ascontiguousarray(problem.counts, dtype=np.int64),
                  allowed=np.ascontiguousarray(problem.allowed))
