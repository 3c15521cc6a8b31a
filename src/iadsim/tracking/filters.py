r"""Batched extended Kalman filter (EKF) implementing the ``TrackFilter`` protocol.

Every array has the track index first: ``x (M, n)``, ``P (M, n, n)``. One call processes all tracks.

Prediction (BLK2001 eq. 10.3.2-1 .. 10.3.2-4)::

    x(k+1|k) = f(x(k|k), T)
    P(k+1|k) = F P(k|k) F^T + Q(T)

Update with a measurement ``z`` of covariance ``R`` (BLK2001 eqs. 10.3.3-1 .. 10.3.3-7)::

    zhat = h(x(k+1|k)),   H = dh/dx at x(k+1|k)
    y = z - zhat (azimuth wrapped),   S = H P H^T + R,   K = P H^T S^-1
    x(k+1|k+1) = x(k+1|k) + K y
    P(k+1|k+1) = (I - K H) P (I - K H)^T + K R K^T        (Joseph form, BLK2001 eq. 5.2.3-18)

The Joseph form keeps ``P`` symmetric positive semi-definite under round-off; the result is symmetrized.

Reference: Y. Bar-Shalom, X. R. Li, T. Kirubarajan, *Estimation with Applications to Tracking and
Navigation*, Wiley 2001 (BLK2001), sec. 5.2 and 10.3.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol, runtime_checkable

import numpy as np

from iadsim.tracking import measurements as _meas


def _sym(P: np.ndarray) -> np.ndarray:
    return 0.5 * (P + np.swapaxes(P, -1, -2))


@runtime_checkable
class TrackFilter(Protocol):
    """The filter role used by :class:`iadsim.tracking.tracker.Tracker` (EKF, UKF, IMM)."""

    n: int

    def initiate(self, x0, P0): ...

    def predict(self, s, dt): ...

    def predicted_measurement(self, s, geom, sensor, comps): ...

    def update(self, s, z, R, geom, sensor, comps): ...


@dataclass
class EKFState:
    """Batched Gaussian estimate: ``x (M, n)``, ``P (M, n, n)``."""

    x: np.ndarray
    P: np.ndarray

    def __len__(self) -> int:
        return self.x.shape[0]

    def take(self, idx) -> EKFState:
        return type(self)(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    def put(self, idx, other: EKFState) -> None:
        """Write the rows of ``other`` into rows ``idx`` of this state, in place."""
        for f in fields(self):
            getattr(self, f.name)[idx] = getattr(other, f.name)

    @classmethod
    def concat(cls, states) -> EKFState:
        states = list(states)
        return cls(**{f.name: np.concatenate([getattr(s, f.name) for s in states], axis=0)
                      for f in fields(cls)})


class EKF:
    """Extended Kalman filter over a motion model (``f``, ``F``, ``Q``) and radar measurements.

    Parameters
    ----------
    motion : a motion model of :mod:`iadsim.tracking.motion` (e.g. ``NCV(q, frame)``).
    extra_x0, extra_P0 : initial mean ``(n - 6,)`` and covariance ``(n - 6, n - 6)`` of the model's extra
        states (only for models with ``n > 6``).
    """

    def __init__(self, motion, extra_x0=None, extra_P0=None):
        self.motion = motion
        self.n = int(motion.n)
        ne = self.n - 6
        self.extra_x0 = np.zeros(ne) if extra_x0 is None else np.asarray(extra_x0, float).reshape(ne)
        self.extra_P0 = np.eye(ne) if extra_P0 is None else np.asarray(extra_P0, float).reshape(ne, ne)

    def initiate(self, x0, P0) -> EKFState:
        x0 = np.atleast_2d(np.asarray(x0, dtype=float))
        K = x0.shape[0]
        x = np.zeros((K, self.n))
        P = np.zeros((K, self.n, self.n))
        x[:, :6] = x0[:, :6]
        P[:, :6, :6] = np.asarray(P0, dtype=float)[:, :6, :6]
        if self.n > 6:
            x[:, 6:] = self.extra_x0
            P[:, 6:, 6:] = self.extra_P0
        return EKFState(x, P)

    def predict(self, s: EKFState, dt) -> EKFState:
        dt = np.broadcast_to(np.asarray(dt, dtype=float), (len(s),))
        F = self.motion.F(s.x, dt)
        x = self.motion.f(s.x, dt)
        P = F @ s.P @ np.swapaxes(F, 1, 2) + self.motion.Q(s.x, dt)
        return EKFState(x, _sym(P))

    def linearize(self, s: EKFState, geom, sensor, comps):
        """``zhat = h(x) (M, m)`` and the Jacobian ``H (M, m, n)`` at the states ``s``.

        The tracker computes them once per scan for the tracks in coverage and hands the rows of the
        assigned tracks to :meth:`update` (``lin=``), which would otherwise evaluate the same ``h`` and
        ``H`` at the same predicted states again; both are row-wise, so the values are the same."""
        return _meas.h(s.x, geom, sensor, comps), _meas.H(s.x, geom, sensor, comps)

    def predicted_measurement(self, s: EKFState, geom, sensor, comps, lin=None):
        """``zhat (M, m)`` and ``H P H^T (M, m, m)`` (innovation covariance without ``R``); ``lin``: the
        ``(zhat, H)`` of :meth:`linearize` at ``s`` when already computed."""
        zhat, Hm = self.linearize(s, geom, sensor, comps) if lin is None else lin
        return zhat, _sym(Hm @ s.P @ np.swapaxes(Hm, 1, 2))

    def update(self, s: EKFState, z, R, geom, sensor, comps, lin=None) -> EKFState:
        """EKF measurement update (Bar-Shalom, Li & Kirubarajan 2001, sec. 10.3; Joseph form of ``P``);
        ``lin``: ``(zhat, H)`` of :meth:`linearize` at ``s`` when already computed."""
        M = len(s)
        if M == 0:
            return s
        m = len(comps)
        z = np.asarray(z, dtype=float).reshape(M, m)
        R = np.broadcast_to(np.asarray(R, dtype=float), (M, m, m))
        zhat, Hm = self.linearize(s, geom, sensor, comps) if lin is None else lin
        y = _meas.residual(z, zhat, comps)
        PHt = s.P @ np.swapaxes(Hm, 1, 2)
        S = Hm @ PHt + R
        # K = P H^T S^-1, solved rather than inverted: K^T = S^-1 (H P)  (S symmetric)
        K = np.swapaxes(np.linalg.solve(S, np.swapaxes(PHt, 1, 2)), 1, 2)
        x = s.x + np.einsum("mij,mj->mi", K, y)
        IKH = np.eye(self.n) - K @ Hm
        P = IKH @ s.P @ np.swapaxes(IKH, 1, 2) + K @ R @ np.swapaxes(K, 1, 2)
        return EKFState(x, _sym(P))

    def update_pda(self, s: EKFState, pair_track, z, beta, R, geom, sensor, comps) -> EKFState:
        r"""Probabilistic data association update (PDAF / JPDAF track update), batched over tracks.

        Bar-Shalom & Li 1995, *Multitarget-Multisensor Tracking*, eqs. 6.4.1-6.4.6 (also BLK2001
        sec. 6.4 for the filter structure); for track ``i`` with gated detections ``j`` of probabilities
        ``beta_ij`` and ``beta_i0 = 1 - sum_j beta_ij``::

            y_ij = z_j - h(x),   y_i = sum_j beta_ij y_ij,   S = H P H^T + R,   K = P H^T S^-1
            x+ = x + K y_i
            P+ = beta_i0 P + (1 - beta_i0) (P - K S K^T) + K (sum_j beta_ij y_ij y_ij^T - y_i y_i^T) K^T

        ``pair_track (Q,)`` indexes the tracks of ``s`` for the pairs ``z (Q, m)``, ``beta (Q,)``,
        ``R (Q, m, m)`` (the beta-weighted mean ``R`` of a track's pairs is used in ``S``). Tracks without
        a pair are returned unchanged.
        """
        M = len(s)
        m = len(comps)
        pair_track = np.asarray(pair_track, np.intp)
        z = np.asarray(z, float).reshape(-1, m)
        beta = np.asarray(beta, float)
        R = np.broadcast_to(np.asarray(R, float), (z.shape[0], m, m))
        if M == 0 or pair_track.size == 0:
            return s
        sens = np.broadcast_to(np.asarray(sensor), (M,))
        zhat = _meas.h(s.x, geom, sens, comps)
        Hm = _meas.H(s.x, geom, sens, comps)
        y = _meas.residual(z, zhat[pair_track], comps)                      # (Q, m)
        bsum = np.bincount(pair_track, weights=beta, minlength=M)
        yb = np.zeros((M, m))
        np.add.at(yb, pair_track, beta[:, None] * y)
        spread = np.zeros((M, m, m))
        np.add.at(spread, pair_track, beta[:, None, None] * y[:, :, None] * y[:, None, :])
        spread -= yb[:, :, None] * yb[:, None, :]
        Rb = np.zeros((M, m, m))
        np.add.at(Rb, pair_track, beta[:, None, None] * R)
        cnt = np.bincount(pair_track, minlength=M)
        Rfirst = np.zeros((M, m, m))
        Rfirst[pair_track] = R
        Rb = np.where((bsum > 1e-12)[:, None, None], Rb / np.maximum(bsum, 1e-300)[:, None, None], Rfirst)
        PHt = s.P @ np.swapaxes(Hm, 1, 2)
        S = Hm @ PHt + Rb
        K = np.swapaxes(np.linalg.solve(S, np.swapaxes(PHt, 1, 2)), 1, 2)
        x = s.x + np.einsum("mij,mj->mi", K, yb)
        beta0 = np.clip(1.0 - bsum, 0.0, 1.0)
        Kt = np.swapaxes(K, 1, 2)
        Pc = s.P - K @ S @ Kt
        P = beta0[:, None, None] * s.P + (1.0 - beta0)[:, None, None] * Pc + K @ spread @ Kt
        has = cnt > 0
        x = np.where(has[:, None], x, s.x)
        P = np.where(has[:, None, None], _sym(P), s.P)
        return EKFState(x, P)
