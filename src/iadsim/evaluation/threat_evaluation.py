"""Threat evaluation: which asset each track threatens, when, and how much engaging it is worth.

For every confirmed track (never truth):

* **Class.** The tracker's kinematic class when it has one; otherwise the fallback rule of
  :func:`kinematic_class`.
* **Predicted impact / closest approach.** Ballistic tracks: the impact point of their coast with drag
  (the doctrine's assumed ballistic coefficient), J2 gravity and the earth's rotation, the model the
  threats fly (:func:`iadsim.evaluation.predict.predict_impact_drag`); air-breathing tracks: the closest point of
  approach (CPA) of the constant-velocity extrapolation to each asset,
  ``t_cpa = max(0, (a - r).v / |v|^2)``, ``miss = |r + v t_cpa - a|``.
* **Threatened asset.** The asset nearest the impact point / with the smallest CPA miss distance, if that
  distance is within the doctrine's ``threat_radius``; otherwise none.
* **Value (priority).** ``V = w_class * V_asset`` for a threatening track and ``w_class * V_min`` for a
  track that threatens no declared asset yet, with ``V_min = 0.25 * max_a V_asset`` (it may still turn
  towards one: cruise missiles and drones fly dog-legs). ``w_class`` are the doctrine's engagement
  priorities. This is the classical value-weighted priority of threat-evaluation and weapon-assignment
  (TEWA) practice (Roux & van Vuuren, "Threat evaluation and weapon assignment decision support: a review
  of the state of the art", ORiON 23(2), 2007, sect. 3), in its simplest documented form; ties are broken
  by time to go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from iadsim._numba import njit
from iadsim.evaluation.predict import ASSUMED_BETA, predict_impact_drag
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.threats import rocket as rk
from iadsim.threats.ballistic import _A as _AE
from iadsim.threats.ballistic import _B as _BE
from iadsim.threats.ballistic import radial_altitude

BALLISTIC = THREAT_CLASSES.index("ballistic")
CRUISE = THREAT_CLASSES.index("cruise")
DRONE = THREAT_CLASSES.index("drone")
AIRCRAFT = THREAT_CLASSES.index("aircraft")


def kinematic_class(x) -> np.ndarray:
    """Fallback class of track states ``x (M, >=6)`` ECEF from speed and altitude.

    Ballistic if speed > 1000 m/s or altitude > 30 km (no air-breathing threat of the catalog flies
    there); drone if speed < 90 m/s; cruise missile if below 2 km at under 400 m/s; aircraft otherwise.
    Thresholds sit between the catalog classes' speeds and altitudes (catalog ``threats.yaml``).
    """
    x = np.asarray(x, float)
    speed = np.linalg.norm(x[:, 3:6], axis=1)
    alt = radial_altitude(x[:, :3])
    cls = np.full(x.shape[0], AIRCRAFT, dtype=np.int8)
    cls[(alt < 2000.0) & (speed < 400.0)] = CRUISE
    cls[speed < 90.0] = DRONE
    cls[(speed > 1000.0) | (alt > 30_000.0)] = BALLISTIC
    return cls


@dataclass(frozen=True)
class ThreatAssessment:
    """Per-track evaluation, arrays of length M aligned with the input tracks."""

    cls: np.ndarray  # int8 class index into THREAT_CLASSES
    asset: np.ndarray  # threatened asset index or -1
    miss: np.ndarray  # predicted miss distance to the nearest asset (m)
    t_go: np.ndarray  # time to impact / closest approach (s)
    value: np.ndarray  # engagement value V_j
    impact: np.ndarray  # (M, 3) predicted impact / CPA point ECEF


class ThreatEvaluator:
    """Evaluates confirmed tracks against the defended assets under a doctrine (module docstring)."""

    def __init__(self, asset_ecef, asset_value, priorities: dict[str, float], threat_radius: float,
                 beta: float = ASSUMED_BETA):
        self.beta = float(beta)
        self.asset_ecef = np.asarray(asset_ecef, float)
        self.asset_value = np.asarray(asset_value, float)
        self.w = np.array([priorities.get(c, 1.0) for c in THREAT_CLASSES])
        self.threat_radius = float(threat_radius)
        self.v_min = 0.25 * float(self.asset_value.max())

    def evaluate(self, x, cls=None, rows=None) -> ThreatAssessment:
        """Evaluate track states ``x (M, >=6)`` ECEF; ``cls (M,)`` from the tracker (-1 = unknown).

        ``rows (M,)`` bool, optional: evaluate only those tracks (the others get their class, no asset, an
        infinite miss, a NaN time to go and impact point and value 0); each evaluated row is what evaluating
        all of them gives. One compiled pass (:func:`_evaluate_kernel`, the ballistic impacts by the same
        compiled flight as :func:`~iadsim.evaluation.predict.predict_impact_drag`): the same bits as
        :meth:`evaluate_plain`, the numpy reference it is tested against.
        """
        x = np.ascontiguousarray(np.asarray(x, float)[:, :6])
        M = x.shape[0]
        cls_in = np.full(M, -1, np.int64) if cls is None else np.asarray(cls, np.int64)
        use = np.ones(M, bool) if rows is None else np.asarray(rows, bool)
        cls_out = np.empty(M, np.int8)
        asset = np.full(M, -1, np.int64)
        miss = np.full(M, np.inf)
        t_go = np.full(M, np.nan)
        value = np.zeros(M)
        impact = np.full((M, 3), np.nan)
        _evaluate_kernel(x, cls_in, use, self.asset_ecef, self.asset_value, self.w, self.threat_radius, self.v_min,
                         self.beta, cls_out, asset, miss, t_go, value, impact)
        return ThreatAssessment(cls=cls_out, asset=asset, miss=miss, t_go=t_go, value=value, impact=impact)

    def evaluate_plain(self, x, cls=None) -> ThreatAssessment:
        """:meth:`evaluate` in numpy over all rows (the reference the compiled path is tested against)."""
        x = np.asarray(x, float)
        M = x.shape[0]
        fallback = kinematic_class(x)
        cls = fallback if cls is None else np.where(np.asarray(cls) >= 0, cls, fallback).astype(np.int8)
        r, v = x[:, :3], x[:, 3:6]
        d = self.asset_ecef[None, :, :] - r[:, None, :]  # (M, A, 3)
        vv = np.maximum(np.einsum("ij,ij->i", v, v), 1e-9)
        t_cpa = np.maximum(np.einsum("mak,mk->ma", d, v) / vv[:, None], 0.0)
        miss_all = np.linalg.norm(d - v[:, None, :] * t_cpa[..., None], axis=2)
        t_go = np.empty(M)
        impact = np.empty((M, 3))
        ball = cls == BALLISTIC
        if ball.any():
            ip, tti, valid = predict_impact_drag(r[ball], v[ball], self.beta)
            idx = np.flatnonzero(ball)
            good = idx[valid]
            miss_all[good] = np.linalg.norm(ip[valid][:, None, :] - self.asset_ecef[None], axis=2)
            t_go[good] = tti[valid]
            impact[good] = ip[valid]
            ball = np.zeros(M, bool)
            ball[good] = True
        asset = np.argmin(miss_all, axis=1) if M else np.zeros(0, np.int64)
        miss = miss_all[np.arange(M), asset]
        air = ~ball
        t_go[air] = t_cpa[np.flatnonzero(air), asset[air]]
        impact[air] = r[air] + v[air] * t_go[air, None]
        threatening = miss <= self.threat_radius
        value = self.w[cls] * np.where(threatening, self.asset_value[asset], self.v_min)
        return ThreatAssessment(cls=cls, asset=np.where(threatening, asset, -1), miss=miss, t_go=t_go,
                                value=value, impact=impact)


@njit
def _cpa_kernel(x, cls_in, use, assets, cls_out, miss_all, t_cpa):
    """The class of every row (the tracker's, else :func:`kinematic_class`) and, for the rows in ``use``,
    the CPA time and miss to every asset, with the operations of :meth:`ThreatEvaluator.evaluate_plain`."""
    M, A = x.shape[0], assets.shape[0]
    for m in range(M):
        vx, vy, vz = x[m, 3], x[m, 4], x[m, 5]
        c = cls_in[m]
        if c < 0:
            rn = math.sqrt(x[m, 0] * x[m, 0] + x[m, 1] * x[m, 1] + x[m, 2] * x[m, 2])
            s = x[m, 2] / rn
            s2 = s * s
            alt = rn - _AE * _BE / math.sqrt(_BE * _BE * (1.0 - s2) + _AE * _AE * s2)
            speed = math.sqrt(vx * vx + vy * vy + vz * vz)
            c = AIRCRAFT
            if alt < 2000.0 and speed < 400.0:
                c = CRUISE
            if speed < 90.0:
                c = DRONE
            if speed > 1000.0 or alt > 30_000.0:
                c = BALLISTIC
        cls_out[m] = c
        if not use[m]:
            continue
        # the dot products in the order numpy's einsum sums a 3-term contraction, (x0 + x2) + x1 (the plain
        # reference's bits; checked by the tests)
        vv = max((vx * vx + vz * vz) + vy * vy, 1e-9)
        for a in range(A):
            dx, dy, dz = assets[a, 0] - x[m, 0], assets[a, 1] - x[m, 1], assets[a, 2] - x[m, 2]
            tc = max(((dx * vx + dz * vz) + dy * vy) / vv, 0.0)
            ex, ey, ez = dx - vx * tc, dy - vy * tc, dz - vz * tc
            t_cpa[m, a] = tc
            miss_all[m, a] = math.sqrt(ex * ex + ey * ey + ez * ez)


@njit
def _choose_kernel(x, use, ball, assets, asset_value, w, threat_radius, v_min, cls, miss_all, t_cpa, t_go, impact,
                   asset, miss, value):
    """For the rows in ``use``: the threatened asset, miss, time to go, impact / CPA point and value
    (:meth:`ThreatEvaluator.evaluate_plain`); ``ball`` rows have their ballistic impact in ``impact``."""
    M, A = x.shape[0], assets.shape[0]
    for m in range(M):
        if not use[m]:
            continue
        if ball[m]:
            for a in range(A):
                ex, ey, ez = impact[m, 0] - assets[a, 0], impact[m, 1] - assets[a, 1], impact[m, 2] - assets[a, 2]
                miss_all[m, a] = math.sqrt(ex * ex + ey * ey + ez * ez)
        best = 0
        for a in range(1, A):
            if miss_all[m, a] < miss_all[m, best]:
                best = a
        asset[m] = best
        miss[m] = miss_all[m, best]
        if not ball[m]:
            t_go[m] = t_cpa[m, best]
            for k in range(3):
                impact[m, k] = x[m, k] + x[m, 3 + k] * t_go[m]
        threatening = miss[m] <= threat_radius
        value[m] = w[cls[m]] * (asset_value[best] if threatening else v_min)
        if not threatening:
            asset[m] = -1


@njit
def _impact_kernel(r, v, beta, t_max, ip, tti, valid):
    """:func:`iadsim.evaluation.predict.predict_impact_drag` compiled (the same parameter rows and call of
    :func:`iadsim.threats.rocket.fly` as its ``ObjectParams`` and ``_run``)."""
    n = r.shape[0]
    air = np.zeros(n, np.bool_)
    na = 0
    for i in range(n):
        rn = math.sqrt(r[i, 0] * r[i, 0] + r[i, 1] * r[i, 1] + r[i, 2] * r[i, 2])
        s = r[i, 2] / rn
        s2 = s * s
        if rn - _AE * _BE / math.sqrt(_BE * _BE * (1.0 - s2) + _AE * _AE * s2) > 0.0:
            air[i] = True
            na += 1
    if na == 0:
        return
    P = np.zeros((na, rk.NP))
    S = np.zeros((na, rk.MAX_STAGES, 4))
    y0 = np.zeros((na, 7))
    j = 0
    for i in range(n):
        if not air[i]:
            continue
        S[j, :, 1] = -1.0
        P[j, rk.C_BETA] = beta
        P[j, rk.C_QB] = math.inf
        P[j, rk.C_TC] = -1.0
        P[j, rk.C_NAV] = 3.0
        P[j, rk.C_MP] = 1.0
        for a in range(3):
            y0[j, a] = r[i, a]
            y0[j, 3 + a] = v[i, a]
        y0[j, 6] = 1.0
        j += 1
    samples = np.zeros((na, 1, 6))
    n_s = np.zeros(na, np.int64)
    end = np.zeros((na, 8))
    bo = np.zeros((na, 7))
    apo = np.zeros(na)
    rk.fly(y0, P, S, t_max, rk.DT_ATM, rk.DT_EXO_PREDICT, 1.0, rk.J2, True, samples, n_s, end, bo, apo, False)
    j = 0
    for i in range(n):
        if not air[i]:
            continue
        if end[j, 7] == rk.END_GROUND:
            valid[i] = True
            tti[i] = end[j, 0]
            for a in range(3):
                ip[i, a] = end[j, 1 + a]
        j += 1


@njit
def _evaluate_kernel(x, cls_in, use, assets, asset_value, w, threat_radius, v_min, beta, cls, asset, miss, t_go,
                     value, impact):
    """:meth:`ThreatEvaluator.evaluate` in one pass: class, CPA to every asset, ballistic impacts (of the rows
    in ``use``), then the threatened asset, miss, time to go, impact / CPA point and value."""
    M, A = x.shape[0], assets.shape[0]
    miss_all = np.empty((M, A))
    t_cpa = np.empty((M, A))
    _cpa_kernel(x, cls_in, use, assets, cls, miss_all, t_cpa)
    nb = 0
    for m in range(M):
        if use[m] and cls[m] == BALLISTIC:
            nb += 1
    ball = np.zeros(M, np.bool_)
    if nb:
        idx = np.empty(nb, np.int64)
        j = 0
        for m in range(M):
            if use[m] and cls[m] == BALLISTIC:
                idx[j] = m
                j += 1
        ip = np.empty((nb, 3))
        tti = np.empty(nb)
        valid = np.zeros(nb, np.bool_)
        _impact_kernel(x[idx, :3], x[idx, 3:6], beta, 2000.0, ip, tti, valid)
        for j in range(nb):
            if valid[j]:
                m = idx[j]
                ball[m] = True
                t_go[m] = tti[j]
                for a in range(3):
                    impact[m, a] = ip[j, a]
    _choose_kernel(x, use, ball, assets, asset_value, w, threat_radius, v_min, cls, miss_all, t_cpa, t_go, impact,
                   asset, miss, value)
