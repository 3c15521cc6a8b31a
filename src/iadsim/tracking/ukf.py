r"""Batched unscented Kalman filter (UKF) implementing the ``TrackFilter`` protocol.

Scaled unscented transform (Julier, "The scaled unscented transformation", ACC 2002; Wan & van der Merwe,
"The unscented Kalman filter for nonlinear estimation", IEEE AS-SPCC 2000) with ``2n + 1`` sigma points::

    lambda = alpha^2 (n + kappa) - n,      L = chol((n + lambda) P)   (lower, L L^T = (n + lambda) P)
    X_0 = x,   X_i = x + L[:, i],   X_{n+i} = x - L[:, i]                       i = 1..n
    Wm_0 = lambda / (n + lambda),   Wc_0 = Wm_0 + 1 - alpha^2 + beta,   Wm_i = Wc_i = 1 / (2 (n + lambda))

Prediction with additive process noise (Wan & van der Merwe 2000, Algorithm 3.1)::

    X' = f(X, T),   x' = sum Wm_i X'_i,   P' = sum Wc_i (X'_i - x')(X'_i - x')^T + Q(x, T)

Update with a radar measurement ``z`` (noise ``R``), sigma points redrawn from the predicted ``(x', P')``::

    Z_i = h(X_i),  zhat = Z_0 + sum Wm_i (Z_i - Z_0)_wrapped,   dZ_i = (Z_i - zhat)_wrapped
    S = sum Wc_i dZ_i dZ_i^T + R,   Pxz = sum Wc_i (X_i - x') dZ_i^T
    K = Pxz S^-1,   x = x' + K (z - zhat)_wrapped,   P = P' - K S K^T

Azimuth is an angle: the measurement mean is taken on residuals about the central sigma point and every
residual is wrapped to (-pi, pi] with :func:`iadsim.tracking.measurements.residual`, so sigma points that
straddle north (az near 0 / 2 pi) average correctly.

Defaults ``alpha = 1, beta = 2, kappa = 0``: points at ``sqrt(n)`` standard deviations, ``Wm_0 = 0``,
``Wc_0 = 2``, all weights non-negative; ``beta = 2`` is optimal for Gaussian priors (Wan & van der Merwe
2000). A negative central
weight (small ``alpha``) is allowed but can make ``P`` indefinite; the update re-symmetrizes ``P`` and
the square root falls back to a clipped eigen-decomposition if the Cholesky factorization fails.
"""

from __future__ import annotations

import numpy as np

from iadsim.tracking import measurements as _meas
from iadsim.tracking.filters import EKFState

#: The UKF carries the same Gaussian state as the EKF (``x (M, n)``, ``P (M, n, n)``).
UKFState = EKFState


def _sym(P):
    return 0.5 * (P + np.swapaxes(P, -1, -2))


def _sqrtm_batch(A: np.ndarray) -> np.ndarray:
    """Lower Cholesky factors ``(M, n, n)``; rows that are not positive definite use ``V sqrt(max(w,0))``."""
    try:
        return np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        w, V = np.linalg.eigh(_sym(A))
        return V * np.sqrt(np.clip(w, 0.0, None))[:, None, :]


def sigma_weights(n: int, alpha: float = 1.0, beta: float = 2.0, kappa: float = 0.0):
    """Scaled unscented weights ``(Wm (2n+1,), Wc (2n+1,), c = n + lambda)`` (Julier 2002)."""
    lam = alpha**2 * (n + kappa) - n
    c = n + lam
    Wm = np.full(2 * n + 1, 1.0 / (2.0 * c))
    Wc = Wm.copy()
    Wm[0] = lam / c
    Wc[0] = lam / c + 1.0 - alpha**2 + beta
    return Wm, Wc, c


def sigma_points(x: np.ndarray, P: np.ndarray, c: float) -> np.ndarray:
    """Sigma points ``(M, 2n+1, n)``: ``x``, ``x + cols(L)``, ``x - cols(L)`` with ``L L^T = c P``."""
    L = _sqrtm_batch(c * _sym(P))
    D = np.swapaxes(L, 1, 2)  # rows = columns of L
    return np.concatenate([x[:, None, :], x[:, None, :] + D, x[:, None, :] - D], axis=1)


class UKF:
    """Unscented Kalman filter over a motion model of :mod:`iadsim.tracking.motion`.

    Parameters
    ----------
    motion : model with ``n``, ``f(x, dt)``, ``Q(x, dt)`` (and optionally ``augment``/``extra_mean``).
    alpha, beta, kappa : scaled unscented transform parameters (see module docstring).
    extra_x0, extra_P0 : prior of the model's extra states for :meth:`initiate`; default the model's
        ``extra_mean``/``extra_cov`` (identity/zeros if the model has none).
    """

    def __init__(self, motion, alpha: float = 1.0, beta: float = 2.0, kappa: float = 0.0,
                 extra_x0=None, extra_P0=None):
        self.motion = motion
        self.n = int(motion.n)
        ne = self.n - 6
        self.Wm, self.Wc, self.c = sigma_weights(self.n, alpha, beta, kappa)
        if extra_x0 is None:
            extra_x0 = getattr(motion, "extra_mean", np.zeros(ne))
        if extra_P0 is None:
            extra_P0 = getattr(motion, "extra_cov", np.eye(ne))
        self.extra_x0 = np.asarray(extra_x0, dtype=float).reshape(ne)
        self.extra_P0 = np.asarray(extra_P0, dtype=float).reshape(ne, ne)

    # -- TrackFilter ------------------------------------------------------------------------------------
    def initiate(self, x0, P0) -> UKFState:
        """State from a 6-D initiation ``x0 (K, 6)``, ``P0 (K, 6, 6)``, extras from their prior."""
        x0 = np.atleast_2d(np.asarray(x0, dtype=float))
        K = x0.shape[0]
        x = np.zeros((K, self.n))
        P = np.zeros((K, self.n, self.n))
        x[:, :6] = x0[:, :6]
        P0 = np.asarray(P0, dtype=float)
        P[:, :6, :6] = np.broadcast_to(P0[..., :6, :6], (K, 6, 6))
        if self.n > 6:
            x[:, 6:] = self.extra_x0
            P[:, 6:, 6:] = self.extra_P0
        return UKFState(x, P)

    def predict(self, s: UKFState, dt) -> UKFState:
        M = len(s)
        if M == 0:
            return s
        dt = np.broadcast_to(np.asarray(dt, dtype=float), (M,))
        n, k = self.n, 2 * self.n + 1
        X = sigma_points(s.x, s.P, self.c)
        Xp = self.motion.f(X.reshape(M * k, n), np.repeat(dt, k)).reshape(M, k, n)
        x = np.einsum("k,mki->mi", self.Wm, Xp)
        D = Xp - x[:, None, :]
        P = np.einsum("k,mki,mkj->mij", self.Wc, D, D) + self.motion.Q(s.x, dt)
        return UKFState(x, _sym(P))

    def _measurement_moments(self, s: UKFState, hx, comps):
        """Sigma points, measurement mean, wrapped deviations and ``S`` without ``R``."""
        M, n = s.x.shape
        k = 2 * n + 1
        X = sigma_points(s.x, s.P, self.c)
        Z = hx(X.reshape(M * k, n)).reshape(M, k, -1)
        dz0 = _meas.residual(Z, Z[:, :1, :], comps)
        zhat = Z[:, 0, :] + np.einsum("k,mkj->mj", self.Wm, dz0)
        if "az" in comps:
            j = comps.index("az")
            zhat[:, j] = np.mod(zhat[:, j], 2.0 * np.pi)
        dZ = _meas.residual(Z, zhat[:, None, :], comps)
        S = np.einsum("k,mki,mkj->mij", self.Wc, dZ, dZ)
        return X, zhat, dZ, _sym(S)

    def _hx(self, geom, sensor, M):
        sensor = np.broadcast_to(np.asarray(sensor, dtype=np.intp), (M,))
        k = 2 * self.n + 1
        return lambda Xf, comps: _meas.h(Xf, geom, np.repeat(sensor, k), comps)

    def predicted_measurement(self, s: UKFState, geom, sensor, comps):
        """``zhat (M, m)`` and the innovation covariance without ``R``, ``(M, m, m)``."""
        M = len(s)
        if M == 0:
            m = len(comps)
            return np.zeros((0, m)), np.zeros((0, m, m))
        hx = self._hx(geom, sensor, M)
        _, zhat, _, S = self._measurement_moments(s, lambda Xf: hx(Xf, comps), comps)
        return zhat, S

    def update(self, s: UKFState, z, R, geom, sensor, comps) -> UKFState:
        M = len(s)
        if M == 0:
            return s
        hx = self._hx(geom, sensor, M)
        return self.update_with(s, z, R, lambda Xf: hx(Xf, comps), comps)

    # -- generic measurement function ---------------------------------------------------------------------
    def update_with(self, s: UKFState, z, R, hx, comps=()) -> UKFState:
        """Unscented update with any measurement function ``hx(X (K, n)) -> (K, m)``.

        ``comps`` names the columns only so that an ``"az"`` column is wrapped; pass ``()`` for a
        measurement without angles (e.g. linear position ``hx = lambda X: X[:, :3]``).
        """
        M, n = s.x.shape
        m = np.asarray(z).shape[-1]
        z = np.asarray(z, dtype=float).reshape(M, m)
        R = np.broadcast_to(np.asarray(R, dtype=float), (M, m, m))
        X, zhat, dZ, S0 = self._measurement_moments(s, hx, comps)
        S = S0 + R
        Pxz = np.einsum("k,mki,mkj->mij", self.Wc, X - s.x[:, None, :], dZ)
        # K = Pxz S^-1  <=>  K^T = S^-1 Pxz^T  (S symmetric)
        K = np.swapaxes(np.linalg.solve(S, np.swapaxes(Pxz, 1, 2)), 1, 2)
        y = _meas.residual(z, zhat, comps)
        x = s.x + np.einsum("mij,mj->mi", K, y)
        P = s.P - K @ S @ np.swapaxes(K, 1, 2)
        return UKFState(x, _sym(P))
