r"""Interacting multiple model (IMM) estimator over filters of unequal state dimension, batched over tracks.

IMM cycle (Blom & Bar-Shalom, IEEE TAC 33(8), 1988; BLK2001 sec. 11.6), ``r`` modes, Markov
transition matrix ``Pi[i, j] = P(mode j at k+1 | mode i at k)`` applied once per :meth:`IMM.predict`.
With irregular revisit times (several radars, coasting) pass ``dt_ref``, the interval ``Pi`` refers to:
the chain is then the continuous-time Markov chain with generator ``G = (Pi - I) / dt_ref`` (switching
rates = per-interval switching probabilities / ``dt_ref``), and a prediction over ``dt`` uses
``Pi(dt) = expm(G dt)`` per track - a stochastic matrix with ``Pi(0) = I`` (a zero-length prediction does
not mix) and ``Pi(dt_ref) ~ Pi`` for small switching probabilities. (This is the standard
continuous-time Markov chain construction, our choice for irregular sampling; it keeps the expected mode
sojourn time ``dt_ref / (1 - Pi[j, j])`` of the discrete chain.)

The matrix exponential is not evaluated per track (``scipy.linalg.expm`` on 2 x 2 matrices was 91 % of the
IMM's cost). ``G`` is constant, so :meth:`IMM.transition_matrix` uses, vectorised over the intervals:

* two modes, with rates ``a = G[0, 1]`` (1 -> 2) and ``b = G[1, 0]`` (2 -> 1), ``s = a + b > 0``, the
  closed form ``Pi(dt) = [[b + a e, a (1 - e)], [b (1 - e), a + b e]] / s`` with ``e = exp(-s dt)``
  (``(1 - e) / s`` evaluated as ``-expm1(-s dt) / s``, accurate for small ``s dt``; ``Pi = I`` if
  ``s = 0``);
* more modes, the eigen-decomposition ``G = V diag(lambda) V^-1`` computed once in ``__init__``:
  ``Pi(dt) = I + V diag(expm1(lambda dt)) V^-1`` (``Pi(0) = I`` exactly), with a fall-back to ``expm``
  when ``G`` is not (well) diagonalisable.

1. mixing probabilities::

       cbar_j = sum_i Pi[i, j] mu_i,        mu_{i|j} = Pi[i, j] mu_i / cbar_j

2. mixed initial condition of mode ``j`` (``x~_i^j, P~_i^j`` = mode ``i``'s estimate mapped into mode
   ``j``'s state space, see below)::

       x0_j = sum_i mu_{i|j} x~_i^j
       P0_j = sum_i mu_{i|j} [P~_i^j + (x~_i^j - x0_j)(x~_i^j - x0_j)^T]

3. mode-matched prediction ``(x0_j, P0_j) -> (x_j, P_j)`` by each mode's filter (EKF or UKF), and
   predicted mode probabilities ``mu_j = cbar_j``;
4. on a measurement, mode-matched updates and mode probabilities from the Gaussian likelihoods of each
   mode's innovation ``y_j`` (azimuth wrapped), ``S_j = S_j^{no R} + R``::

       Lambda_j = N(y_j; 0, S_j),    mu_j <- Lambda_j mu_j / sum_l Lambda_l mu_l

   (computed with log-likelihoods and log-sum-exp, so a far-off mode cannot underflow to 0/0);
5. combined output: the moment-matched first 6 components (position, velocity)::

       x = sum_j mu_j x_j[:6],    P = sum_j mu_j [P_j[:6,:6] + (x_j[:6] - x)(x_j[:6] - x)^T]

Unequal dimensions ("unbiased mixing"): every mode shares position and velocity (components 0..5); the
extra components are identified by name (``motion.extra_names``, e.g. ``("omega",)`` for CT,
``("ax", "ay", "az")`` for NCA). Mapping mode ``i`` into mode ``j``: components of ``j`` that ``i`` also
has are taken from ``i`` (mean, covariance and cross-covariance); components ``i`` lacks are taken from
mode ``j``'s own current estimate (mean and variance), uncorrelated with the rest. Components of ``i``
that ``j`` lacks are dropped. Filling the missing components with ``j``'s own estimate instead of zeros
avoids biasing the mixed extra states towards zero (e.g. pulling a CT turn rate towards 0 with weight
``mu_{NCV|CT}``); this follows the augmentation idea of Granstrom, Willett & Bar-Shalom, "Systematic
approach to IMM mixing for unequal dimension states", IEEE TAES 51(4), 2015, in its simplest form (no
cross-covariance is invented for the filled components).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from iadsim.tracking import measurements as _meas


def _sym(P):
    return 0.5 * (P + np.swapaxes(P, -1, -2))


@dataclass
class IMMState:
    """Batched IMM estimate.

    ``x (M, 6)``, ``P (M, 6, 6)``: combined (moment-matched) position/velocity estimate; ``mu (M, r)`` mode
    probabilities; ``modes``: tuple of ``r`` per-mode filter states (each with ``.x (M, n_j)``, ``.P``).
    """

    x: np.ndarray
    P: np.ndarray
    mu: np.ndarray
    modes: tuple

    def __len__(self) -> int:
        return self.x.shape[0]

    def take(self, idx) -> IMMState:
        return IMMState(self.x[idx], self.P[idx], self.mu[idx], tuple(s.take(idx) for s in self.modes))

    def put(self, idx, other: IMMState) -> None:
        """Write the rows of ``other`` into rows ``idx`` of this state (and of every mode's), in place."""
        self.x[idx], self.P[idx], self.mu[idx] = other.x, other.P, other.mu
        for s, o in zip(self.modes, other.modes, strict=True):
            s.put(idx, o)

    @classmethod
    def concat(cls, states) -> IMMState:
        states = list(states)
        r = len(states[0].modes)
        return cls(np.concatenate([s.x for s in states]), np.concatenate([s.P for s in states]),
                   np.concatenate([s.mu for s in states]),
                   tuple(type(states[0].modes[j]).concat([s.modes[j] for s in states]) for j in range(r)))


def _names(filt) -> tuple:
    m = filt.motion
    ne = int(m.n) - 6
    names = tuple(getattr(m, "extra_names", ()))
    if len(names) != ne:
        names = tuple(f"{getattr(m, 'name', type(m).__name__)}_{k}" for k in range(ne))
    return names


class IMM:
    """IMM over a list of mode filters (EKF of :mod:`iadsim.tracking.filters`, UKF of :mod:`.ukf`).

    Parameters
    ----------
    filters : list of ``r`` filters, each with a ``motion`` model (``n_j >= 6``) and the TrackFilter verbs.
    transition : ``(r, r)`` Markov matrix, rows sum to 1, ``transition[i, j] = P(j | i)`` per predict.
    mu0 : ``(r,)`` initial mode probabilities.
    dt_ref : optional interval (s) ``transition`` refers to; if given, ``Pi(dt) = expm((Pi - I) dt / dt_ref)``
        per track (see the module docstring), else ``transition`` is applied once per :meth:`predict`.

    The output state dimension is ``n = 6`` (combined position/velocity); see the module docstring.
    """

    n = 6

    def __init__(self, filters, transition, mu0, dt_ref: float | None = None):
        self.filters = list(filters)
        r = len(self.filters)
        Pi = np.asarray(transition, dtype=float)
        mu0 = np.asarray(mu0, dtype=float).reshape(-1)
        if r < 1 or Pi.shape != (r, r) or mu0.shape != (r,):
            raise ValueError(f"IMM: need r filters, transition (r, r) and mu0 (r,), got {r}, {Pi.shape}, "
                             f"{mu0.shape}")
        if np.any(Pi < 0) or not np.allclose(Pi.sum(axis=1), 1.0) or np.any(mu0 < 0) \
                or not np.isclose(mu0.sum(), 1.0):
            raise ValueError("IMM: transition rows and mu0 must be probability vectors")
        if dt_ref is not None and not dt_ref > 0:
            raise ValueError(f"IMM: dt_ref must be > 0, got {dt_ref}")
        self.r = r
        self.transition = Pi
        self.dt_ref = None if dt_ref is None else float(dt_ref)
        self.mu0 = mu0
        self._generator_setup()
        self.model_names = tuple(getattr(f.motion, "name", type(f.motion).__name__) for f in self.filters)
        # index maps for mixing mode i into mode j: dst components of j available in i, their source index
        names = [_names(f) for f in self.filters]
        self._map = {}
        for i in range(r):
            for j in range(r):
                dst = list(range(6))
                src = list(range(6))
                for k, nm in enumerate(names[j]):
                    if nm in names[i]:
                        dst.append(6 + k)
                        src.append(6 + names[i].index(nm))
                miss = [6 + k for k, nm in enumerate(names[j]) if nm not in names[i]]
                self._map[i, j] = (np.array(dst), np.array(src), np.array(miss, dtype=int))

    # -- helpers ---------------------------------------------------------------------------------------
    def _combine(self, modes, mu):
        xs = np.stack([s.x[:, :6] for s in modes], axis=1)            # (M, r, 6)
        x = np.einsum("mj,mji->mi", mu, xs)
        d = xs - x[:, None, :]
        Ps = np.stack([s.P[:, :6, :6] for s in modes], axis=1)
        P = np.einsum("mj,mjab->mab", mu, Ps + d[..., :, None] * d[..., None, :])
        return x, _sym(P)

    def _to_mode(self, i, j, si, sj):
        """Mode ``i``'s estimate expressed in mode ``j``'s state space (``x~_i^j``, ``P~_i^j``)."""
        if i == j:
            return si.x, si.P
        dst, src, miss = self._map[i, j]
        M, nj = sj.x.shape
        x = np.empty((M, nj))
        P = np.zeros((M, nj, nj))
        x[:, dst] = si.x[:, src]
        P[:, dst[:, None], dst[None, :]] = si.P[:, src[:, None], src[None, :]]
        if miss.size:
            x[:, miss] = sj.x[:, miss]
            P[:, miss[:, None], miss[None, :]] = sj.P[:, miss[:, None], miss[None, :]]
        return x, P

    # -- TrackFilter -----------------------------------------------------------------------------------
    def initiate(self, x0, P0) -> IMMState:
        """All modes from the same 6-D initiation (extras from each mode's prior), ``mu = mu0``."""
        modes = tuple(f.initiate(x0, P0) for f in self.filters)
        mu = np.broadcast_to(self.mu0, (len(modes[0]), self.r)).copy()
        x, P = self._combine(modes, mu)
        return IMMState(x, P, mu, modes)

    def _generator_setup(self) -> None:
        """Precompute what :meth:`transition_matrix` needs from the constant generator ``G``."""
        self._G = self._eig = None
        if self.dt_ref is None:
            return
        r = self.r
        G = (self.transition - np.eye(r)) / self.dt_ref
        self._G = G
        if r <= 2:
            return
        lam, V = np.linalg.eig(G)
        if np.linalg.cond(V) < 1e6:
            W = np.linalg.inv(V)
            scale = max(float(np.abs(G).max()), 1e-300)
            if np.abs((V * lam) @ W - G).max() <= 1e-12 * scale:
                self._eig = (lam, V, W)    # else: defective or nearly so, use expm

    def transition_matrix(self, dt, M: int) -> np.ndarray:
        """Per-track transition matrices ``(M, r, r)`` for a prediction over ``dt`` (scalar or ``(M,)``)."""
        if self.dt_ref is None or self.r == 1:     # (one mode: Pi = [[1]] = expm(0))
            return np.broadcast_to(self.transition, (M, self.r, self.r))
        dt = np.broadcast_to(np.asarray(dt, dtype=float), (M,))
        G = self._G
        if self.r == 2:
            a, b = G[0, 1], G[1, 0]
            s = a + b
            out = np.empty((M, 2, 2))
            if not s > 0:                            # no switching
                out[:] = np.eye(2)
                return out
            e = np.exp(-s * dt)
            f = -np.expm1(-s * dt) / s               # (1 - e) / s, accurate for small s dt
            out[:, 0, 0] = (b + a * e) / s           # sums of non-negative terms: relative accuracy even
            out[:, 0, 1] = a * f                     # for entries that decay towards 0 (absorbing mode)
            out[:, 1, 0] = b * f
            out[:, 1, 1] = (a + b * e) / s
            return out
        if self._eig is not None:
            lam, V, W = self._eig
            e = np.expm1(dt[:, None] * lam[None, :])                          # (M, r)
            out = np.einsum("ik,mk,kj->mij", V, e, W)
            out = (out.real if np.iscomplexobj(out) else out) + np.eye(self.r)
            return out
        from scipy.linalg import expm  # defective (or nearly) generator: rare, see _generator_setup

        return expm(dt[:, None, None] * G)

    def mix(self, s: IMMState, dt=None):
        """Steps 1-2: mixed per-mode states and ``cbar (M, r)`` (the predicted mode probabilities).

        ``dt`` only matters with ``dt_ref`` (time-dependent transition matrix; ``None`` means ``dt_ref``).
        """
        mu = s.mu
        Pi = self.transition_matrix(self.dt_ref if dt is None else dt, len(s))
        cbar = np.einsum("mi,mij->mj", mu, Pi)                               # (M, r)
        w = mu[:, :, None] * Pi / np.maximum(cbar, 1e-300)[:, None, :]       # (M, i, j)
        mixed = []
        for j in range(self.r):
            mapped = [self._to_mode(i, j, s.modes[i], s.modes[j]) for i in range(self.r)]
            x0 = sum(w[:, i, j, None] * mapped[i][0] for i in range(self.r))
            P0 = 0.0
            for i in range(self.r):
                d = mapped[i][0] - x0
                P0 = P0 + w[:, i, j, None, None] * (mapped[i][1] + d[:, :, None] * d[:, None, :])
            mixed.append(dataclasses.replace(s.modes[j], x=x0, P=_sym(P0)))
        return mixed, cbar

    def predict(self, s: IMMState, dt) -> IMMState:
        if len(s) == 0:
            return s
        mixed, cbar = self.mix(s, dt)
        modes = tuple(f.predict(m, dt) for f, m in zip(self.filters, mixed, strict=True))
        mu = cbar / cbar.sum(axis=1, keepdims=True)
        x, P = self._combine(modes, mu)
        return IMMState(x, P, mu, modes)

    def predicted_measurement(self, s: IMMState, geom, sensor, comps):
        """Mode-probability-weighted ``zhat`` and its spread-of-means covariance (without ``R``)."""
        m = len(comps)
        if len(s) == 0:
            return np.zeros((0, m)), np.zeros((0, m, m))
        pm = [f.predicted_measurement(sj, geom, sensor, comps) for f, sj in zip(self.filters, s.modes,
                                                                              strict=True)]
        z0 = pm[0][0]
        dz = np.stack([_meas.residual(z, z0, comps) for z, _ in pm], axis=1)  # (M, r, m) about mode 0
        zhat = z0 + np.einsum("mj,mjk->mk", s.mu, dz)
        if "az" in comps:
            a = comps.index("az")
            zhat[:, a] = np.mod(zhat[:, a], 2.0 * np.pi)
        d = np.stack([_meas.residual(z, zhat, comps) for z, _ in pm], axis=1)
        Ss = np.stack([S for _, S in pm], axis=1)
        S = np.einsum("mj,mjab->mab", s.mu, Ss + d[..., :, None] * d[..., None, :])
        return zhat, _sym(S)

    def log_likelihoods(self, s: IMMState, z, R, geom, sensor, comps) -> np.ndarray:
        """``log N(y_j; 0, S_j)`` for each mode, ``(M, r)``."""
        M, m = len(s), len(comps)
        z = np.asarray(z, dtype=float).reshape(M, m)
        R = np.broadcast_to(np.asarray(R, dtype=float), (M, m, m))
        out = np.empty((M, self.r))
        for j, (f, sj) in enumerate(zip(self.filters, s.modes, strict=True)):
            zhat, S0 = f.predicted_measurement(sj, geom, sensor, comps)
            y = _meas.residual(z, zhat, comps)
            S = S0 + R
            L = np.linalg.cholesky(S)
            u = np.linalg.solve(L, y[..., None])[..., 0]
            logdet = 2.0 * np.sum(np.log(np.diagonal(L, axis1=1, axis2=2)), axis=1)
            out[:, j] = -0.5 * (np.sum(u * u, axis=1) + logdet + m * np.log(2.0 * np.pi))
        return out

    def update(self, s: IMMState, z, R, geom, sensor, comps) -> IMMState:
        if len(s) == 0:
            return s
        ll = self.log_likelihoods(s, z, R, geom, sensor, comps)
        logw = ll + np.log(np.maximum(s.mu, 1e-300))
        logw -= logw.max(axis=1, keepdims=True)
        mu = np.exp(logw)
        mu /= mu.sum(axis=1, keepdims=True)
        modes = tuple(f.update(sj, z, R, geom, sensor, comps)
                      for f, sj in zip(self.filters, s.modes, strict=True))
        x, P = self._combine(modes, mu)
        return IMMState(x, P, mu, modes)
