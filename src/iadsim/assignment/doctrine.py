"""Doctrine: turn evaluated tracks and fire-unit readiness into launch orders, every command-post cycle.

``Doctrine.plan`` solves a **rolling-horizon weapon-target assignment** each cycle:

1. Candidate (fire unit, track) pairs whose threat can come within reach of the unit within the look-ahead.
2. For each pair the earliest feasible intercept (:func:`iadsim.engagement.envelope.earliest_intercepts`:
   time of flight, arrival speed and manoeuvre margin from the interceptor's kinematic envelope table, the
   no-escape test, fire-control coverage with the radar horizon): on a fine grid over the next fly-out
   horizon ("fire now": launch within this cycle), and on a coarse grid over the look-ahead ("later": the
   unit's window opens before the threat arrives).
3. Layering (upper tier first): a lower-tier unit may fire now at a track only when no upper-tier unit can
   fire at it now; lower tiers stay in the plan as later backup shots.
4. A static WTA (:func:`iadsim.assignment.solve_wta`) whose weapon types are each unit *now* (count: the
   engagements it can start this cycle, limited by free fire channels and ready rounds) and each unit
   *later* (count: its future engagements, ``min(rounds // salvo, channels * ceil(look_ahead / 60 s))``),
   kill probabilities ``P_salvo = 1 - (1 - p)^salvo`` with ``p`` the lethality model's prediction for the
   type against the class (:func:`planned_pk`; later shots discounted by ``LATER_DISCOUNT`` for
   the risk that the window closes first), target values from threat evaluation, and, with the
   cost-aware objective, a cost per salvo ``k_i = cost_weight * salvo * unit cost``. The objective
   ``sum_j V_j prod_i (1 - P_ij)^x_ij + sum_ij k_i x_ij`` is the classic static WTA (Manne 1958; Ahuja et
   al., Operations Research 55(6), 2007) with the shot cost of cost-aware battle management; planning later
   shots as weapons is the receding-horizon treatment of dynamic WTA (Hosein & Athans, "Some analytical
   results for the dynamic weapon-target allocation problem", MIT LIDS-P-1944, 1990; Davis et al.,
   "Approximate dynamic programming for missile defense interceptor fire control", EJOR 259(3), 2017).
   A cheap drone is thus left to a cheap layer whenever a later shot is still possible.
5. Only the *now* assignments become launch orders; a track receives at most one salvo per look
   (shoot-look-shoot: salvo 1; shoot-shoot-look: salvo 2 by default), the best by ``V_j P_salvo`` when the
   WTA gave it more (:func:`max_marginal_return`). Everything is re-planned next cycle, and a kill
   assessment that reports a miss makes the track eligible again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.assignment._windows import candidate_pairs, fused_windows, window_arrays
from iadsim.engagement.envelope import EnvelopeSet, earliest_intercepts_compiled
from iadsim.engagement.lethality import expected_pk_circular_normal, kind_code_of
from iadsim.evaluation.predict import ASSUMED_BETA, predict_positions
from iadsim.frames import enu2aer
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.sensors.radar import horizon_visible


@dataclass(frozen=True)
class FireUnitKinematics:
    """Static per-fire-unit arrays (F,) the planner needs (SI, ECEF)."""

    pos: np.ndarray  # (F, 3)
    typ: np.ndarray  # index into env (the unit's interceptor type)
    env: EnvelopeSet
    reaction: np.ndarray
    layer: np.ndarray  # 0 upper, 1 middle, 2 lower
    pk: np.ndarray  # (F, n_classes) planned single-shot kill probability
    salvo: np.ndarray  # interceptors per engagement
    a_need: np.ndarray  # (F, n_classes) lateral acceleration the no-escape test asks at arrival (m/s^2)
    min_closing: np.ndarray  # (F,) closing speed the no-escape test asks at arrival (m/s)
    # linked fire-control radar coverage (first linked radar), has_fcr False -> no coverage check
    has_fcr: np.ndarray
    fcr_pos: np.ndarray  # (F, 3)
    fcr_C: np.ndarray  # (F, 3, 3) ECEF -> radar ENU
    fcr_rmax: np.ndarray
    fcr_az_center: np.ndarray
    fcr_az_half: np.ndarray
    fcr_el_min: np.ndarray
    fcr_el_max: np.ndarray
    cost: np.ndarray  # unit cost of one interceptor (USD)
    channels: np.ndarray  # fire channels
    fcr_k: np.ndarray | None = None  # effective earth-radius factor of the radar horizon (4/3 default)

    @property
    def r_max(self) -> np.ndarray:
        """Largest ground range of each unit's envelope (m)."""
        return self.env.max_range[self.typ]

    @property
    def max_tof(self) -> np.ndarray:
        return self.env.max_tof[self.typ]


def planned_pk(spec) -> np.ndarray:
    """Single-shot kill probability the doctrine plans with, per threat class: the lethality model's
    expectation for the type's guidance accuracy, ``reliability * vulnerability * E[D]`` with the miss a
    circular normal of ``miss_sigma`` (:func:`iadsim.engagement.lethality.expected_pk_circular_normal`); for the
    constant-Pk validation mode (``kind: fixed``), ``pk[class]``."""
    lt = spec.lethality
    if lt.kind == "fixed":  # validation mode: the constant Pk per shot is known exactly
        return np.array([lt.pk.get(k, 0.0) for k in THREAT_CLASSES])
    e = float(expected_pk_circular_normal(kind_code_of(lt.kind), lt.radius, lt.miss_sigma))
    return np.array([lt.reliability * lt.vulnerability.get(k, 0.0) * e for k in THREAT_CLASSES])


#: kill-probability discount of a shot planned for later (its window may close or the unit saturate first)
LATER_DISCOUNT = 0.9
#: grid step (s) of the look-ahead windows
LATER_STEP = 4.0


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


def _covered(fu: FireUnitKinematics, f, pts):
    """Fire-control coverage of points ``pts (Q, 3)`` for fire units ``f (Q,)`` (True without a radar):
    range, sector, elevation limits and the 4/3-earth radar horizon
    (:func:`iadsim.sensors.radar.horizon_visible`)."""
    enu = np.einsum("qij,qj->qi", fu.fcr_C[f], pts - fu.fcr_pos[f])
    az, el, rng = enu2aer(enu)
    daz = np.abs((az - fu.fcr_az_center[f] + np.pi) % (2 * np.pi) - np.pi)
    ok = (rng <= fu.fcr_rmax[f]) & (daz <= fu.fcr_az_half[f])
    ok &= (el >= fu.fcr_el_min[f]) & (el <= fu.fcr_el_max[f])
    ok &= fu.has_fcr[f]
    for u in np.unique(f[ok]):
        q = np.flatnonzero(ok & (f == u))
        k = 4.0 / 3.0 if fu.fcr_k is None else float(fu.fcr_k[u])
        ok[q] = horizon_visible(fu.fcr_pos[u], pts[q], k)
    return ok | ~fu.has_fcr[f]


class Doctrine:
    """The command post's engagement logic (module docstring).

    ``method``: the WTA method (``"greedy"``, ``"local_search"``, ``"exact"``); ``cost_weight``: value
    units per USD of interceptors (0: value-only objective); ``look_ahead``: seconds over which later
    windows are planned (0: fire-now only); ``time_limit``: seconds for the exact method per cycle.
    """

    def __init__(self, fire_units: FireUnitKinematics, cycle: float, layering: bool = True,
                 sample_step: float = 1.0, method: str = "greedy", cost_weight: float = 0.0,
                 look_ahead: float = 300.0, time_limit: float | None = 0.05, beta: float = ASSUMED_BETA):
        self.beta = float(beta)
        self.fu = fire_units
        self.cycle = float(cycle)
        self.layering = layering
        self.dt = float(sample_step)
        self.method = method
        self.cost_weight = float(cost_weight)
        self.look_ahead = float(look_ahead)
        self.time_limit = time_limit
        self.horizon = float(np.max(self.fu.reaction + self.fu.max_tof, initial=0.0)) + self.cycle + 2 * self.dt
        self.offsets = np.arange(0.0, self.horizon + self.dt, self.dt)
        self.later_offsets = np.arange(self.horizon, self.horizon + self.look_ahead, LATER_STEP) \
            if self.look_ahead > 0 else np.zeros(0)
        self.P_salvo = 1.0 - (1.0 - self.fu.pk) ** self.fu.salvo[:, None]  # (F, n_classes) independent shots
        self.salvo_cost = self.fu.salvo * self.fu.cost
        self.last_result = None  # the WTAResult of the last cycle that solved one (diagnostics)
        self._window_arrays = window_arrays(self.fu)
        self._pos = np.ascontiguousarray(self.fu.pos, float)
        self._r_max = np.ascontiguousarray(self.fu.r_max, float)

    def _windows(self, now, x, cls, t_end, pf, pm, offsets):
        """Earliest feasible intercepts of the pairs ``pf, pm`` on the grid ``now + offsets``: the fused
        compiled pass of :mod:`iadsim.assignment._windows` (the same windows as :meth:`_windows_plain`)."""
        return fused_windows(self._window_arrays, now, x, cls, t_end, pf, pm, offsets, self.beta)

    def _windows_plain(self, now, x, cls, t_end, pf, pm, offsets):
        """:meth:`_windows` as prediction on the whole grid then the earliest-intercept search (the
        reference the fused pass is tested against)."""
        t_ready = now + self.fu.reaction[pf]
        used, inv = np.unique(pm, return_inverse=True)
        pred = predict_positions(x[used], cls[used] == 0, offsets, self.beta)  # (U, K, 3)
        fu = self.fu
        fcr = {"use": fu.has_fcr[pf], "pos": fu.fcr_pos[pf], "C": fu.fcr_C[pf], "rmax": fu.fcr_rmax[pf],
               "az_center": fu.fcr_az_center[pf], "az_half": fu.fcr_az_half[pf], "el_min": fu.fcr_el_min[pf],
               "el_max": fu.fcr_el_max[pf],
               "k": np.full(pf.size, 4.0 / 3.0) if fu.fcr_k is None else fu.fcr_k[pf]}
        return earliest_intercepts_compiled(
            fu.env, fu.typ[pf], fu.pos[pf], t_ready, now + offsets, pred, inv, x[pm, 3:6], fu.a_need[pf, cls[pm]],
            fu.min_closing[pf], t_end[pm], fcr)

    def plan(self, now: float, x, cls, value, t_end, eligible, shots, later_shots=None) -> FireOrders:
        """Launch orders for this cycle.

        ``x (M, >=6)`` confirmed track states at ``now`` (ECEF), ``cls (M,)`` class index, ``value (M,)``,
        ``t_end (M,)`` predicted impact / arrival time, ``eligible (M,)`` tracks the doctrine may engage
        now, ``shots (F,)`` engagements each unit can start now (free channels and rounds for a salvo),
        ``later_shots (F,)`` engagements each unit can offer later (default: none planned).
        """
        from iadsim.assignment.problem import WTAProblem
        from iadsim.assignment.solve import solve_wta

        fu = self.fu
        x = np.asarray(x, float)
        shots = np.asarray(shots, np.int64)
        later = np.zeros_like(shots) if later_shots is None or self.look_ahead <= 0 else \
            np.asarray(later_shots, np.int64)
        # cheap pre-gate: could the threat come within reach of the unit within the planning horizon?
        horizon = self.horizon + (self.look_ahead if later.any() else 0.0)
        pf, pm = candidate_pairs(x, np.asarray(cls, np.int64), np.asarray(eligible, bool), np.asarray(value, float),
                                 shots, later, self._pos, self._r_max, self.P_salvo, horizon)
        if pf.size == 0:
            return _empty()

        # fire now: earliest intercept on the fine grid, launch within this cycle
        sel_now = np.flatnonzero(shots[pf] > 0)
        win = self._windows(now, x, cls, t_end, pf[sel_now], pm[sel_now], self.offsets)
        ok = win.feasible & (win.t_launch <= now + fu.reaction[pf[sel_now]] + self.cycle)
        now_pairs = sel_now[ok]
        now_t_int, now_t_launch, now_pip = win.t_intercept[ok], win.t_launch[ok], win.pip[ok]
        if self.layering and now_pairs.size:
            best_layer = np.full(x.shape[0], 99)
            np.minimum.at(best_layer, pm[now_pairs], fu.layer[pf[now_pairs]])
            keep = fu.layer[pf[now_pairs]] == best_layer[pm[now_pairs]]
            now_pairs, now_t_int, now_t_launch, now_pip = (now_pairs[keep], now_t_int[keep],
                                                           now_t_launch[keep], now_pip[keep])
        if now_pairs.size == 0:
            return _empty()  # no launch this cycle whatever the later windows (they are not searched)
        # later: the unit's window opens before the threat arrives (coarse grid over the look-ahead)
        later_pairs = np.zeros(0, np.int64)
        if later.any() and self.later_offsets.size:
            is_now = np.zeros(pf.size, bool)
            is_now[now_pairs] = True
            cand = np.flatnonzero((later[pf] > 0) & ~is_now)
            if cand.size:
                wl = self._windows(now, x, cls, t_end, pf[cand], pm[cand], self.later_offsets)
                later_pairs = cand[wl.feasible]

        # the static WTA over now and later weapons
        now_units = np.unique(pf[now_pairs])
        later_units = np.unique(pf[later_pairs])
        targets = np.unique(np.concatenate([pm[now_pairs], pm[later_pairs]]))
        n_now = now_units.size
        n = n_now + later_units.size
        pk = np.zeros((n, targets.size))
        ti_now = np.searchsorted(now_units, pf[now_pairs])
        tj_now = np.searchsorted(targets, pm[now_pairs])
        pk[ti_now, tj_now] = self.P_salvo[pf[now_pairs], cls[pm[now_pairs]]]
        if later_pairs.size:
            ti_l = n_now + np.searchsorted(later_units, pf[later_pairs])
            tj_l = np.searchsorted(targets, pm[later_pairs])
            pk[ti_l, tj_l] = LATER_DISCOUNT * self.P_salvo[pf[later_pairs], cls[pm[later_pairs]]]
        units = np.concatenate([now_units, later_units])
        counts = np.concatenate([shots[now_units], later[later_units]])
        cost = self.cost_weight * self.salvo_cost[units] if self.cost_weight > 0 else None
        problem = WTAProblem(values=value[targets], pk=pk, counts=counts, mask=pk > 0, cost=cost)
        res = solve_wta(problem, method=self.method, time_limit=self.time_limit, bound=False)
        self.last_result = res

        # launch orders: the now assignments, at most one salvo per track per look
        chosen_now = res.x[ti_now, tj_now] > 0
        cand = np.flatnonzero(chosen_now)
        if cand.size == 0:
            return _empty()
        c_pairs = now_pairs[cand]
        score = value[pm[c_pairs]] * self.P_salvo[pf[c_pairs], cls[pm[c_pairs]]]
        pick = max_marginal_return(pf[c_pairs], pm[c_pairs], score, now_t_int[cand], shots, x.shape[0])
        k = cand[pick]
        pairs = now_pairs[k]
        f, m = pf[pairs], pm[pairs]
        return FireOrders(fire_unit=f, track_row=m, t_launch=now_t_launch[k], t_intercept=now_t_int[k],
                          pip=now_pip[k], salvo=fu.salvo[f], pk=self.P_salvo[f, cls[m]], value=value[m])


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
