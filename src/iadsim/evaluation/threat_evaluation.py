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

from dataclasses import dataclass

import numpy as np

from iadsim.evaluation.predict import ASSUMED_BETA, predict_impact_drag
from iadsim.scenario.catalog_models import THREAT_CLASSES
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

    def evaluate(self, x, cls=None) -> ThreatAssessment:
        """Evaluate track states ``x (M, >=6)`` ECEF; ``cls (M,)`` from the tracker (-1 = unknown)."""
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
