"""Maximum marginal return greedy for the static WTA (den Broeder, Ellison & Emerling 1959).

Start from ``x = 0`` with surviving values ``E_j = V_j``; repeatedly fire the shot (i, j) with the
largest decrease of the objective, ``Delta_ij = E_j p_ij - k_i`` (Ahuja et al., Oper. Res. 55(6),
2007, sec. 3 "maximum marginal return"), honouring counts and mask, while ``Delta_ij > 0``; after a
shot ``E_j <- E_j (1 - p_ij)``. Cost O(sum_i c_i * (m + n)) with a per-target cache of the best type.
"""

from __future__ import annotations

import numpy as np

from iadsim.assignment._common import Arrays
from iadsim.assignment._kernels import max_marginal_return


def greedy_assign(a: Arrays) -> np.ndarray:
    """Return the maximum-marginal-return assignment ``x`` (n, m) int64."""
    n, m = a.p.shape
    x = np.zeros((n, m), np.int64)
    E = a.V.copy()
    rem = a.counts.copy()
    max_marginal_return(E, a.p, a.q, a.k, rem, a.allowed, x)
    return x
