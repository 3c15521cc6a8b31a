"""Interceptor fly-out: predicted intercept points (PIP) and engagement windows.

First fidelity: an interceptor flies from its launcher to the PIP at a constant average speed ``s``, so the
time of flight to a point at distance ``d`` is ``d / s``. For a threat whose predicted position at time
``t_k`` is ``p_k``, an intercept at ``t_k`` is feasible from fire unit ``f`` when

* the interceptor can get there in time: ``t_ready + |p_k - f| / s <= t_k`` (``t_ready`` = now + reaction
  time), launching at ``t_launch = t_k - |p_k - f| / s``;
* the PIP is inside the kinematic envelope: ``r_min <= |p_k - f| <= r_max``,
  ``h_min <= alt(p_k) <= h_max``;
* the intercept happens before the threat's predicted impact / arrival: ``t_k < t_end``;
* a linked fire-control radar covers the PIP (when the unit has one).

The earliest feasible sample is the PIP (the classic "earliest intercept" rule that leaves the most time
for a second shot; e.g. Wilkening 2000, "A simple model for calculating ballistic missile defense
effectiveness", sect. 2 on shoot-look-shoot timelines). All quantities are arrays over candidate
(fire unit, track) pairs ``P`` and time samples ``K``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class InterceptWindow:
    """Earliest feasible intercept per pair; entries are meaningful only where ``feasible``."""

    feasible: np.ndarray  # (P,) bool
    t_intercept: np.ndarray  # (P,) s
    t_launch: np.ndarray  # (P,) s
    pip: np.ndarray  # (P, 3) ECEF


def earliest_intercepts(fu_pos, speed, t_ready, r_min, r_max, h_min, h_max, t_samples, pred_pos, pred_alt,
                        t_end, covered=None) -> InterceptWindow:
    """Earliest feasible intercept of each pair (module docstring).

    ``fu_pos (P, 3)``; ``speed, t_ready, r_min, r_max, h_min, h_max, t_end (P,)``; ``t_samples (K,)``
    absolute times; ``pred_pos (P, K, 3)`` and ``pred_alt (P, K)`` predicted threat positions/altitudes;
    ``covered`` optional fire-control coverage of the predicted points: a ``(P, K)`` bool array, or a
    function ``covered(p, k) -> bool`` evaluated only at the points that pass every other condition.
    """
    d = np.linalg.norm(pred_pos - fu_pos[:, None, :], axis=2)  # (P, K)
    ok = (d >= r_min[:, None]) & (d <= r_max[:, None])
    ok &= (pred_alt >= h_min[:, None]) & (pred_alt <= h_max[:, None])
    ok &= t_samples[None, :] < t_end[:, None]
    ok &= t_ready[:, None] + d / speed[:, None] <= t_samples[None, :]
    if callable(covered):
        p, k = np.nonzero(ok)
        if p.size:
            ok[p, k] = covered(p, k)
    elif covered is not None:
        ok &= covered
    feasible = ok.any(axis=1)
    k = np.argmax(ok, axis=1)
    rows = np.arange(d.shape[0])
    dk = d[rows, k]
    t_int = t_samples[k]
    return InterceptWindow(feasible=feasible, t_intercept=t_int, t_launch=t_int - dk / speed,
                           pip=pred_pos[rows, k])


def resolve_intercept(pip, truth_pos, alive, basket: float):
    """The threat an interceptor's seeker acquires at the PIP: the nearest live threat within ``basket``.

    Returns ``(index or -1, distance)``. The interceptor homes on what is actually there (truth): a PIP
    computed from a poor track misses the threat when the threat is outside the acquisition basket.
    """
    if not alive.any():
        return -1, np.inf
    idx = np.flatnonzero(alive)
    dist = np.linalg.norm(truth_pos[idx] - pip, axis=1)
    j = int(np.argmin(dist))
    if dist[j] > basket:
        return -1, float(dist[j])
    return int(idx[j]), float(dist[j])


def salvo_pk(pk, salvo):
    """Kill probability of a salvo of ``salvo`` independent shots: ``1 - (1 - pk)^salvo``."""
    return 1.0 - (1.0 - np.asarray(pk, float)) ** np.asarray(salvo)
