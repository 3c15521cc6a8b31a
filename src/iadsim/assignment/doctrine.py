"""Doctrine: turn evaluated tracks and fire-unit readiness into launch orders, every command-post cycle.

``Doctrine.plan`` builds the candidate (fire unit, track) pairs, computes each pair's earliest feasible
intercept (:func:`iadsim.engagement.flyout.earliest_intercepts`), keeps the pairs that must launch within
this cycle, applies layering (upper tier first; lower tiers take a track only when no upper-tier unit can
this cycle), and assigns by **maximum marginal return** (den Broeder, Ellison & Emerling, "On optimum
target assignments", Operations Research 7(3), 1959; Ahuja et al., Operations Research 55(6), 2007,
sect. 3): the pair with the largest ``V_j * P_salvo(i, j)`` first, honouring each unit's available fire
channels and rounds. Under shoot-look-shoot and shoot-shoot-look alike a track receives at most one salvo
per look (the salvo size carries the doctrine), so the marginal return of a pair does not change as others
are chosen and the greedy is one sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.engagement.flyout import earliest_intercepts, salvo_pk
from iadsim.evaluation.predict import predict_positions
from iadsim.frames import enu2aer
from iadsim.threats.ballistic import radial_altitude


@dataclass(frozen=True)
class FireUnitKinematics:
    """Static per-fire-unit arrays (F,) the planner needs (SI, ECEF)."""

    pos: np.ndarray  # (F, 3)
    speed: np.ndarray
    reaction: np.ndarray
    r_min: np.ndarray
    r_max: np.ndarray
    h_min: np.ndarray
    h_max: np.ndarray
    layer: np.ndarray  # 0 upper, 1 middle, 2 lower
    pk: np.ndarray  # (F, n_classes) single-shot
    salvo: np.ndarray  # interceptors per engagement
    # linked fire-control radar coverage (first linked radar), has_fcr False -> no coverage check
    has_fcr: np.ndarray
    fcr_pos: np.ndarray  # (F, 3)
    fcr_C: np.ndarray  # (F, 3, 3) ECEF -> radar ENU
    fcr_rmax: np.ndarray
    fcr_az_center: np.ndarray
    fcr_az_half: np.ndarray
    fcr_el_min: np.ndarray
    fcr_el_max: np.ndarray


@dataclass(frozen=True)
class FireOrders:
    """Launch orders of one cycle, arrays of length L."""

    fire_unit: np.ndarray
    track_row: np.ndarray  # row into the tracks given to plan()
    t_launch: np.ndarray
    t_intercept: np.ndarray
    pip: np.ndarray  # (L, 3)
    salvo: np.ndarray
    pk: np.ndarray  # salvo kill probability used for the decision
    value: np.ndarray

    def __len__(self) -> int:
        return self.fire_unit.size


def _covered(fu: FireUnitKinematics, f_idx, pts):
    """Fire-control coverage of points ``pts (P, K, 3)`` for pairs with fire unit ``f_idx (P,)``."""
    enu = np.einsum("pij,pkj->pki", fu.fcr_C[f_idx], pts - fu.fcr_pos[f_idx][:, None, :])
    az, el, rng = enu2aer(enu)
    daz = np.abs((az - fu.fcr_az_center[f_idx][:, None] + np.pi) % (2 * np.pi) - np.pi)
    ok = (rng <= fu.fcr_rmax[f_idx][:, None]) & (daz <= fu.fcr_az_half[f_idx][:, None])
    ok &= (el >= fu.fcr_el_min[f_idx][:, None]) & (el <= fu.fcr_el_max[f_idx][:, None])
    return ok | ~fu.has_fcr[f_idx][:, None]


class Doctrine:
    """The command post's engagement logic (module docstring)."""

    def __init__(self, fire_units: FireUnitKinematics, cycle: float, layering: bool = True,
                 sample_step: float = 1.0):
        self.fu = fire_units
        self.cycle = float(cycle)
        self.layering = layering
        self.dt = float(sample_step)
        tof = self.fu.r_max / self.fu.speed
        self.horizon = float(np.max(self.fu.reaction + tof, initial=0.0)) + self.cycle + 2 * self.dt
        self.offsets = np.arange(0.0, self.horizon + self.dt, self.dt)
        self.P_salvo = salvo_pk(self.fu.pk, self.fu.salvo[:, None])  # (F, n_classes)

    def plan(self, now: float, x, cls, value, t_end, eligible, shots) -> FireOrders:
        """Launch orders for this cycle.

        ``x (M, >=6)`` confirmed track states at ``now`` (ECEF), ``cls (M,)`` class index, ``value (M,)``,
        ``t_end (M,)`` predicted impact / arrival time, ``eligible (M,)`` tracks the doctrine may engage
        now, ``shots (F,)`` engagements each unit can start (free channels and rounds for a salvo).
        """
        fu = self.fu
        x = np.asarray(x, float)
        m_idx = np.flatnonzero(eligible & (value > 0))
        f_idx = np.flatnonzero(shots > 0)
        if m_idx.size == 0 or f_idx.size == 0:
            return _empty()
        # cheap pre-gate: could the threat come within reach of the unit within the planning horizon?
        r, v = x[m_idx, :3], x[m_idx, 3:6]
        dist = np.linalg.norm(r[None, :, :] - fu.pos[f_idx][:, None, :], axis=2)  # (F', M')
        reach = fu.r_max[f_idx][:, None] + np.linalg.norm(v, axis=1)[None, :] * self.horizon
        pk_pair = self.P_salvo[f_idx][:, cls[m_idx]]
        fi, mi = np.nonzero((dist <= reach) & (pk_pair > 0))
        if fi.size == 0:
            return _empty()
        pf, pm = f_idx[fi], m_idx[mi]
        # predict only the tracks that appear in a candidate pair
        used, inv = np.unique(pm, return_inverse=True)
        t_samples = now + self.offsets
        pred = predict_positions(x[used], cls[used] == 0, self.offsets)  # (U, K, 3)
        alt = radial_altitude(pred)
        win = earliest_intercepts(
            fu.pos[pf], fu.speed[pf], now + fu.reaction[pf], fu.r_min[pf], fu.r_max[pf], fu.h_min[pf],
            fu.h_max[pf], t_samples, pred[inv], alt[inv], t_end[pm],
            covered=_covered(fu, pf, pred[inv]) if fu.has_fcr[pf].any() else None)
        now_ok = win.feasible & (win.t_launch <= now + fu.reaction[pf] + self.cycle)
        if not now_ok.any():
            return _empty()
        sel = np.flatnonzero(now_ok)
        pf, pm = pf[sel], pm[sel]
        if self.layering:
            best_layer = np.full(x.shape[0], 99)
            np.minimum.at(best_layer, pm, fu.layer[pf])
            keep = fu.layer[pf] == best_layer[pm]
            sel, pf, pm = sel[keep], pf[keep], pm[keep]
        score = value[pm] * self.P_salvo[pf, cls[pm]]
        c = max_marginal_return(pf, pm, score, win.t_intercept[sel], shots, x.shape[0])
        s = sel[c]
        return FireOrders(fire_unit=pf[c], track_row=pm[c], t_launch=win.t_launch[s],
                          t_intercept=win.t_intercept[s], pip=win.pip[s], salvo=fu.salvo[pf[c]],
                          pk=self.P_salvo[pf[c], cls[pm[c]]], value=value[pm[c]])


def max_marginal_return(pair_f, pair_m, score, tiebreak, shots, n_targets) -> np.ndarray:
    """Greedy maximum-marginal-return selection of candidate pairs, at most one per target.

    ``pair_f, pair_m (P,)`` fire unit and target of each candidate pair, ``score (P,)`` its marginal return
    ``V_j * P_salvo``, ``tiebreak (P,)`` smaller first at equal score (earlier intercept), ``shots (F,)``
    capacity of each unit. Returns the indices of the chosen pairs. With one salvo per target per look, a
    pair's marginal return does not depend on the others chosen, so MMR is one pass over the pairs sorted
    by score; it is a 1/2-approximation of the best selection (greedy on a bipartite b-matching) and optimal
    when kill probabilities do not depend on the unit (den Broeder et al. 1959).
    """
    order = np.lexsort((tiebreak, -score))
    left = np.array(shots, dtype=np.int64, copy=True)
    taken = np.zeros(n_targets, bool)
    chosen = []
    for o in order:  # one pass over sorted candidate pairs (<= F * M, typically tens)
        f, m = pair_f[o], pair_m[o]
        if left[f] > 0 and not taken[m]:
            left[f] -= 1
            taken[m] = True
            chosen.append(o)
    return np.array(chosen, dtype=np.int64)


def _empty() -> FireOrders:
    z = np.zeros(0)
    zi = np.zeros(0, dtype=np.int64)
    return FireOrders(fire_unit=zi, track_row=zi, t_launch=z, t_intercept=z, pip=np.zeros((0, 3)), salvo=zi,
                      pk=z, value=z)
