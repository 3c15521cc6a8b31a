r"""Compiled (numba) kernels of one tracker scan for a two-mode IMM of EKFs (modes ``NCV`` or vacuum ECEF
``Ballistic``, n = 6 each) with GNN association and M-of-N logic.

These are the loops of :meth:`iadsim.tracking.tracker.Tracker.step` and of its track tables for
``IMM([EKF(m0), EKF(m1)], Pi, mu0, dt_ref)`` written per track, as :mod:`iadsim.tracking._kernels` does for
``EKF(NCV)``; :mod:`iadsim.tracking.imm`, :mod:`~iadsim.tracking.filters` and :mod:`~iadsim.tracking.motion`
stay the reference and the path of every other filter. The equations are those of :mod:`iadsim.tracking.imm`
(Blom & Bar-Shalom 1988; BLK2001 sec. 11.6), for two modes of the same state (position, velocity), so the
"mapping into mode ``j``" is the identity:

* transition over ``dt`` of the continuous-time chain with rates ``a = G[0, 1]``, ``b = G[1, 0]``
  (``G = (Pi - I) / dt_ref``), ``s = a + b``: ``Pi(dt) = [[b + a e, a (1 - e)], [b (1 - e), a + b e]] / s``,
  ``e = exp(-s dt)``, ``(1 - e) / s = -expm1(-s dt) / s``; ``Pi = I`` if ``s = 0`` (:func:`transition`);
* mixing (:func:`mix`): ``cbar_j = sum_i Pi[i, j] mu_i``, ``w_ij = mu_i Pi[i, j] / max(cbar_j, 1e-300)``,
  ``x0_j = sum_i w_ij x_i``, ``P0_j = sym(sum_i w_ij [P_i + (x_i - x0_j)(x_i - x0_j)^T])``;
* per-mode EKF prediction ``x = f(x0)``, ``P = sym(F P0 F^T + Q(|T|))`` with the white-noise-acceleration
  ``Q`` (BLK2001 sec. 6.2.2): NCV by blocks (:func:`iadsim.tracking._kernels.predict_ncv`); the vacuum
  ballistic mode (Li & Jilkov 2010; ``dv/dt = g(p) = -GM p / |p|^3``) by classical RK4 in ``nsub`` equal
  sub-steps, ``nsub = ceil(max_i |T_i| / max_step)`` (at least 1, at most ``max_substeps``) over the whole
  batch predicted, as :meth:`iadsim.tracking.motion.Ballistic.f` does, and ``F`` its tangent-linear map: the
  same RK4 stages differentiated forward (stage Jacobian ``[[0, I], [dg/dp, 0]]``,
  ``dg/dp = -GM / r^3 (I - 3 p p^T / r^2)``), which is the exact derivative of the discrete map, so it equals
  the complex-step Jacobian of :class:`~iadsim.tracking.motion.Ballistic` to round-off
  (:func:`ballistic_step`); predicted ``mu_j = cbar_j / sum_l cbar_l``;
* combined output (:func:`combine`): ``x = sum_j mu_j x_j``, ``P = sym(sum_j mu_j [P_j + d_j d_j^T])``,
  ``d_j = x_j - x``;
* gating on :meth:`iadsim.tracking.imm.IMM.predicted_measurement` (:func:`mixture_measurement`):
  ``zhat = zhat_0 + sum_j mu_j (zhat_j - zhat_0)`` (residuals and the azimuth wrapped),
  ``S0 = sym(sum_j mu_j [H_j P_j H_j^T + d_j d_j^T])``, ``d_j = zhat_j - zhat`` (without ``R``), then the
  chi-square gate with the exact pre-cut and the range window of :func:`iadsim.tracking._kernels.gated_pairs`
  (the window from the mixture range and its variance, computed from positions and ``P_pp`` before any
  ``h`` or ``H``) and GNN, confirmed tracks first (:func:`iadsim.tracking._kernels.assign`);
* update of an assigned track: mode log-likelihoods ``log N(y_j; 0, S_j + R)`` by Cholesky, mode
  probabilities by log-sum-exp ``mu_j <- exp(l_j + log mu_j - max) / sum``, per-mode Joseph updates
  (:func:`iadsim.tracking._kernels.joseph_update`), then the combined output;
* M-of-N, deletion on the horizontal position sigma of the combined ``P``, tentative timeouts and
  single-detection initiation by :func:`iadsim.tracking._kernels.finish`, every mode of a new track from the
  same initial state with ``mu = mu0``;
* track tables: the rows (predicted to ``t`` by the full IMM prediction, mixing included, when asked) with
  the class of :func:`iadsim.tracking.classify.classify` including the IMM evidence of a mode named
  ``"ballistic"`` (memberships times ``eps + (1 - eps) mu_b`` and ``eps + (1 - eps)(1 - mu_b)``).

The track file keeps the per-mode states ``xm (M, 2, 6)``, ``Pm (M, 2, 6, 6)``, the mode probabilities
``mu (M, 2)`` and the combined ``x (M, 6)``, ``P (M, 6, 6)``. Floating point is reordered with respect to
numpy (results agree to round-off, not to the bit); ``tests/tracking/test_imm_kernels.py`` compares each
kernel with the code it replaces and the whole scan with the numpy tracker.

References: H. A. P. Blom, Y. Bar-Shalom, "The interacting multiple model algorithm for systems with
Markovian switching coefficients", IEEE TAC 33(8), 1988; Y. Bar-Shalom, X. R. Li, T. Kirubarajan,
*Estimation with Applications to Tracking and Navigation*, Wiley 2001 (BLK2001); X. R. Li, V. P. Jilkov,
"Survey of maneuvering target tracking. Part II: motion models of ballistic and space targets", IEEE TAES
46(1), 2010; J. C. Butcher, *Numerical Methods for Ordinary Differential Equations*, Wiley 2016 (RK4).
"""

from __future__ import annotations

import math

import numpy as np

from iadsim._numba import njit
from iadsim.frames import GM_EARTH
from iadsim.tracking._kernels import (
    assign,
    az_column,
    best_class,
    gate_track,
    in_coverage,
    innovation_cov,
    joseph_update,
    lexsort_rows,
    linearize,
    los_range,
    mahalanobis2,
    memberships,
    predict_ncv,
    range_order,
    range_window,
    wrap,
)
from iadsim.tracking._kernels import finish as _finish

#: mode kinds
NCV, BALLISTIC = 0, 1
#: the membership floor of :mod:`iadsim.tracking.classify` (``EPS``)
EPS = 0.01
LOG_2PI = math.log(2.0 * math.pi)


@njit(error_model="numpy")
def transition(dt, a, b):
    """``Pi(dt) (M, 2, 2)`` of the two-mode continuous-time chain with rates ``a`` (1 -> 2), ``b`` (2 -> 1)
    (:meth:`iadsim.tracking.imm.IMM.transition_matrix`)."""
    M = dt.size
    out = np.empty((M, 2, 2))
    s = a + b
    for i in range(M):
        if not s > 0:
            out[i, 0, 0], out[i, 0, 1], out[i, 1, 0], out[i, 1, 1] = 1.0, 0.0, 0.0, 1.0
            continue
        e = math.exp(-s * dt[i])
        f = -math.expm1(-s * dt[i]) / s
        out[i, 0, 0] = (b + a * e) / s
        out[i, 0, 1] = a * f
        out[i, 1, 0] = b * f
        out[i, 1, 1] = (a + b * e) / s
    return out


@njit(error_model="numpy")
def _sym_into(B, out):
    for a in range(6):
        for c in range(6):
            out[a, c] = 0.5 * (B[a, c] + B[c, a])


@njit(error_model="numpy")
def mix(xm, Pm, mu, Pi):
    """Mixed initial conditions ``X0 (2, M, 6)``, ``P0 (2, M, 6, 6)`` (mode first) and ``cbar (M, 2)``."""
    M = xm.shape[0]
    X0 = np.empty((2, M, 6))
    P0 = np.empty((2, M, 6, 6))
    cbar = np.empty((M, 2))
    d0 = np.empty(6)
    d1 = np.empty(6)
    B = np.empty((6, 6))
    for i in range(M):
        for j in range(2):
            cbar[i, j] = mu[i, 0] * Pi[i, 0, j] + mu[i, 1] * Pi[i, 1, j]
        for j in range(2):
            c = max(cbar[i, j], 1e-300)
            w0 = mu[i, 0] * Pi[i, 0, j] / c
            w1 = mu[i, 1] * Pi[i, 1, j] / c
            for a in range(6):
                X0[j, i, a] = w0 * xm[i, 0, a] + w1 * xm[i, 1, a]
                d0[a] = xm[i, 0, a] - X0[j, i, a]
                d1[a] = xm[i, 1, a] - X0[j, i, a]
            for a in range(6):
                for e in range(6):
                    B[a, e] = w0 * (Pm[i, 0, a, e] + d0[a] * d0[e]) + w1 * (Pm[i, 1, a, e] + d1[a] * d1[e])
            _sym_into(B, P0[j, i])
    return X0, P0, cbar


@njit(error_model="numpy")
def combine(xm_i, Pm_i, mu_i, x_i, P_i):
    """Moment-matched ``x_i (6,)``, ``P_i (6, 6)`` of one track's modes ``xm_i (2, 6)``, ``Pm_i (2, 6, 6)``."""
    d0 = np.empty(6)
    d1 = np.empty(6)
    B = np.empty((6, 6))
    m0, m1 = mu_i[0], mu_i[1]
    for a in range(6):
        x_i[a] = m0 * xm_i[0, a] + m1 * xm_i[1, a]
    for a in range(6):
        d0[a] = xm_i[0, a] - x_i[a]
        d1[a] = xm_i[1, a] - x_i[a]
    for a in range(6):
        for e in range(6):
            B[a, e] = m0 * (Pm_i[0, a, e] + d0[a] * d0[e]) + m1 * (Pm_i[1, a, e] + d1[a] * d1[e])
    _sym_into(B, P_i)


@njit(error_model="numpy")
def ballistic_nsub(dt, max_step, max_substeps):
    """The RK4 sub-step count of one batch: ``ceil(max |dt| / max_step)`` within ``[1, max_substeps]``."""
    mx = 0.0
    for i in range(dt.size):
        v = abs(dt[i]) / max_step
        if v > mx:
            mx = v
    return int(min(max_substeps, max(1.0, np.ceil(mx))))


@njit(error_model="numpy")
def _gravity(y, g, Gm):
    """``g = -GM p / |p|^3`` and ``Gm = dg/dp = -GM / r^3 (I - 3 p p^T / r^2)`` at ``p = y[0:3]``."""
    p0, p1, p2 = y[0], y[1], y[2]
    r2 = p0 * p0 + p1 * p1 + p2 * p2
    r3 = r2 * math.sqrt(r2)
    g[0] = -GM_EARTH * p0 / r3
    g[1] = -GM_EARTH * p1 / r3
    g[2] = -GM_EARTH * p2 / r3
    c = -GM_EARTH / r3
    for a in range(3):
        for e in range(3):
            Gm[a, e] = c * ((1.0 if a == e else 0.0) - 3.0 * y[a] * y[e] / r2)


@njit(error_model="numpy")
def ballistic_step(x, T, nsub, xo, F):
    """Vacuum ballistic flight of one state ``x (6,)`` over ``T`` in ``nsub`` RK4 sub-steps into ``xo (6,)``,
    and ``F (6, 6) = d xo / d x``, the same stages differentiated (module docstring)."""
    h = T / nsub
    h2 = 0.5 * h
    h6 = h / 6.0
    y = np.empty(6)
    Y = np.zeros((6, 6))
    ys = np.empty(6)
    Ys = np.empty((6, 6))
    k = np.empty(6)
    Kd = np.empty((6, 6))
    acc = np.empty(6)
    Acc = np.empty((6, 6))
    g = np.empty(3)
    Gm = np.empty((3, 3))
    for a in range(6):
        y[a] = x[a]
        Y[a, a] = 1.0
    for _ in range(nsub):
        for a in range(6):
            ys[a] = y[a]
            for c in range(6):
                Ys[a, c] = Y[a, c]
        for st in range(4):
            _gravity(ys, g, Gm)
            for a in range(3):
                k[a] = ys[3 + a]
                k[3 + a] = g[a]
                for c in range(6):
                    Kd[a, c] = Ys[3 + a, c]
                    Kd[3 + a, c] = Gm[a, 0] * Ys[0, c] + Gm[a, 1] * Ys[1, c] + Gm[a, 2] * Ys[2, c]
            wgt = 1.0 if st == 0 or st == 3 else 2.0
            if st == 0:
                for a in range(6):
                    acc[a] = k[a]
                    for c in range(6):
                        Acc[a, c] = Kd[a, c]
            else:
                for a in range(6):
                    acc[a] = acc[a] + wgt * k[a]
                    for c in range(6):
                        Acc[a, c] = Acc[a, c] + wgt * Kd[a, c]
            if st < 3:  # the next stage's point: y + h/2 k1, y + h/2 k2, y + h k3
                hs = h2 if st < 2 else h
                for a in range(6):
                    ys[a] = y[a] + hs * k[a]
                    for c in range(6):
                        Ys[a, c] = Y[a, c] + hs * Kd[a, c]
        for a in range(6):
            y[a] = y[a] + h6 * acc[a]
            for c in range(6):
                Y[a, c] = Y[a, c] + h6 * Acc[a, c]
    for a in range(6):
        xo[a] = y[a]
        for c in range(6):
            F[a, c] = Y[a, c]


@njit(error_model="numpy")
def predict_ballistic(x, P, dt, q, max_step, max_substeps):
    """EKF prediction of ``x (M, 6)``, ``P (M, 6, 6)`` over ``dt (M,)`` with the vacuum ballistic model
    (batch-wide sub-step count, :func:`ballistic_nsub`) and the white-noise-acceleration ``Q(|T|)``."""
    M = x.shape[0]
    nsub = ballistic_nsub(dt, max_step, max_substeps)
    xn = np.empty((M, 6))
    Pn = np.empty((M, 6, 6))
    F = np.empty((6, 6))
    A = np.empty((6, 6))
    B = np.empty((6, 6))
    for i in range(M):
        T = dt[i]
        ballistic_step(x[i], T, nsub, xn[i], F)
        Ta = abs(T)
        q11, q12, q22 = q * Ta ** 3 / 3.0, q * Ta ** 2 / 2.0, q * Ta
        for a in range(6):  # A = F P
            for c in range(6):
                s = 0.0
                for e in range(6):
                    s += F[a, e] * P[i, e, c]
                A[a, c] = s
        for a in range(6):  # B = A F^T + Q
            for c in range(6):
                s = 0.0
                for e in range(6):
                    s += A[a, e] * F[c, e]
                B[a, c] = s
        for a in range(3):
            B[a, a] += q11
            B[a, a + 3] += q12
            B[a + 3, a] += q12
            B[a + 3, a + 3] += q22
        _sym_into(B, Pn[i])
    return xn, Pn


@njit(error_model="numpy")
def predict(xm, Pm, mu, dt, kinds, qs, max_step, max_substeps, a, b):
    """IMM prediction of every track over ``dt (M,)``: mixing, per-mode prediction (``kinds[j]``: NCV or
    BALLISTIC, PSD ``qs[j]``), predicted ``mu`` and the combined output. Returns new ``xm, Pm, mu, x, P``."""
    M = xm.shape[0]
    Pi = transition(dt, a, b)
    X0, P0, cbar = mix(xm, Pm, mu, Pi)
    xo = np.empty((M, 2, 6))
    Po = np.empty((M, 2, 6, 6))
    for j in range(2):
        if kinds[j] == NCV:
            xn, Pn = predict_ncv(X0[j], P0[j], dt, qs[j])
        else:
            xn, Pn = predict_ballistic(X0[j], P0[j], dt, qs[j], max_step, max_substeps)
        for i in range(M):
            for e in range(6):
                xo[i, j, e] = xn[i, e]
                for c in range(6):
                    Po[i, j, e, c] = Pn[i, e, c]
    muo = np.empty((M, 2))
    x = np.empty((M, 6))
    P = np.empty((M, 6, 6))
    for i in range(M):
        tot = cbar[i, 0] + cbar[i, 1]
        muo[i, 0] = cbar[i, 0] / tot
        muo[i, 1] = cbar[i, 1] / tot
        combine(xo[i], Po[i], muo[i], x[i], P[i])
    return xo, Po, muo, x, P


@njit(error_model="numpy")
def mixture_measurement(zm_i, Sm_i, mu_i, az_col, zhat, S):
    """Mixture ``zhat (m,)`` and ``S (m, m)`` (without ``R``) of one track's mode predictions ``zm_i (2, m)``,
    ``Sm_i (2, m, m)`` (:meth:`iadsim.tracking.imm.IMM.predicted_measurement`)."""
    m = zhat.size
    d0 = np.empty(m)
    d1 = np.empty(m)
    for c in range(m):
        dz0 = zm_i[0, c] - zm_i[0, c]
        dz1 = zm_i[1, c] - zm_i[0, c]
        if c == az_col:
            dz0 = wrap(dz0)
            dz1 = wrap(dz1)
        zhat[c] = zm_i[0, c] + (mu_i[0] * dz0 + mu_i[1] * dz1)
        if c == az_col:
            zhat[c] = zhat[c] % (2.0 * np.pi)
    for c in range(m):
        d0[c] = zm_i[0, c] - zhat[c]
        d1[c] = zm_i[1, c] - zhat[c]
        if c == az_col:
            d0[c] = wrap(d0[c])
            d1[c] = wrap(d1[c])
    for c in range(m):
        for e in range(m):
            S[c, e] = mu_i[0] * (Sm_i[0, c, e] + d0[c] * d0[e]) + mu_i[1] * (Sm_i[1, c, e] + d1[c] * d1[e])
    for c in range(m):
        for e in range(c + 1, m):
            v = 0.5 * (S[c, e] + S[e, c])
            S[c, e] = v
            S[e, c] = v


@njit(error_model="numpy")
def gated_pairs(xm, Pm, mu, ci, ps, C, codes, z, R, order, gate):
    """Every pair (covered track ``a``, sorted detection ``j``) with ``d2 < gate`` on the mixture ``zhat``,
    ``S0 + R``: ``pr, pc, d2`` and, for the tracks that had a candidate (``lin (M,)``), each mode's ``zhat``
    ``zm (M, 2, m)``, ``H`` ``Hm (M, 2, m, 6)`` and ``H P H^T`` ``Sm (M, 2, m, m)``.

    As :func:`iadsim.tracking._kernels.gated_pairs`: with the range in column 0 each track looks only at the
    range window ``|y_r| <= sqrt(G (S0_rr + max R_rr))`` (the same :func:`~iadsim.tracking._kernels.range_order`,
    :func:`~iadsim.tracking._kernels.los_range`, :func:`~iadsim.tracking._kernels.range_window` and
    :func:`~iadsim.tracking._kernels.gate_track`), here from the mixture range
    ``r_0 + sum_j mu_j (r_j - r_0)`` and variance ``sum_j mu_j (l_j^T P_j,pp l_j + (r_j - r)^2)`` (``r_j``,
    ``l_j`` each mode's range and line of sight), widened by more than their round-off; then the exact
    pre-cut ``y_c^2 <= G S_cc`` per component and the exact ``d2``."""
    M = xm.shape[0]
    Mc = ci.size
    K = order.size
    m = z.shape[1]
    cut = gate * (1.0 + 1e-9)
    az_col, r_first, rs, rmax = range_order(z, R, order, codes)
    lo = np.zeros(Mc, np.int64)
    hi = np.full(Mc, K)
    rj = np.empty(2)
    sj = np.empty(2)
    cap = 0
    for a in range(Mc):
        if r_first:
            i = ci[a]
            tr = 0.0
            for j in range(2):
                P = Pm[i, j]
                rj[j], sj[j] = los_range(xm[i, j], P, ps)
                tr += mu[i, j] * (P[0, 0] + P[1, 1] + P[2, 2])
            r = rj[0] + (mu[i, 0] * 0.0 + mu[i, 1] * (rj[1] - rj[0]))
            srr = mu[i, 0] * (sj[0] + (rj[0] - r) ** 2) + mu[i, 1] * (sj[1] + (rj[1] - r) ** 2)
            srr = max(srr, 0.0) + 1e-6 * tr
            lo[a], hi[a] = range_window(r, srr, cut, rmax, rs)
        cap += hi[a] - lo[a]
    pr = np.empty(cap, np.int64)
    pc = np.empty(cap, np.int64)
    pd = np.empty(cap)
    zm = np.empty((M, 2, m))
    Hm = np.empty((M, 2, m, 6))
    Sm = np.empty((M, 2, m, m))
    lin = np.zeros(M, np.bool_)
    zhat = np.empty(m)
    S0 = np.empty((m, m))
    PHt = np.empty((6, m))
    npair = 0
    y = np.empty(m)
    S = np.empty((m, m))
    L = np.empty((m, m))
    wv = np.empty(m)
    for a in range(Mc):
        if hi[a] <= lo[a]:
            continue
        i = ci[a]
        for j in range(2):
            linearize(xm[i, j], ps, C, codes, zm[i, j], Hm[i, j])
            innovation_cov(Pm[i, j], Hm[i, j], Sm[i, j], PHt)
        mixture_measurement(zm[i], Sm[i], mu[i], az_col, zhat, S0)
        lin[i] = True
        npair = gate_track(a, zhat, S0, z, R, order, lo[a], hi[a], az_col, cut, gate, pr, pc, pd, npair, y, S, L,
                           wv)
    return pr[:npair], pc[:npair], pd[:npair], zm, Hm, Sm, lin


@njit(error_model="numpy")
def log_likelihood(Sm_ij, Rk, y, L, w):
    """``log N(y; 0, S + R)`` by Cholesky (``L`` (m, m), ``w`` (m,) scratch); ``-inf`` if not positive
    definite."""
    m = y.size
    S = np.empty((m, m))
    for c in range(m):
        for e in range(m):
            S[c, e] = Sm_ij[c, e] + Rk[c, e]
    d2 = mahalanobis2(S, y, L, w)
    if d2 == np.inf:
        return -np.inf
    logdet = 0.0
    for c in range(m):
        logdet += math.log(L[c, c])
    return -0.5 * (d2 + 2.0 * logdet + m * LOG_2PI)


@njit(error_model="numpy")
def update(xm_i, Pm_i, mu_i, zm_i, Hm_i, Sm_i, zk, Rk, az_col, x_i, P_i):
    """IMM update of one track with detection ``zk (m,)``, ``Rk (m, m)``, in place: mode probabilities from
    the log-likelihoods (log-sum-exp), per-mode Joseph updates, the combined ``x_i``, ``P_i``."""
    m = zk.size
    y = np.empty((2, m))
    ll = np.empty(2)
    L = np.empty((m, m))
    w = np.empty(m)
    for j in range(2):
        for c in range(m):
            yc = zk[c] - zm_i[j, c]
            if c == az_col:
                yc = wrap(yc)
            y[j, c] = yc
        ll[j] = log_likelihood(Sm_i[j], Rk, y[j], L, w) + math.log(max(mu_i[j], 1e-300))
    top = max(ll[0], ll[1])
    e0, e1 = math.exp(ll[0] - top), math.exp(ll[1] - top)
    mu_i[0] = e0 / (e0 + e1)
    mu_i[1] = e1 / (e0 + e1)
    for j in range(2):
        joseph_update(xm_i[j], Pm_i[j], Hm_i[j], y[j], Rk)
    combine(xm_i, Pm_i, mu_i, x_i, P_i)


@njit(error_model="numpy")
def scan(xm, Pm, mu, tt, status, t, ps, C, codes, max_r2, kinds, qs, max_step, max_substeps, a, b, z, R, gate,
         confirmed_first):
    """Steps 1-4 of :meth:`iadsim.tracking.tracker.Tracker.step` for the IMM (as
    :func:`iadsim.tracking._kernels.scan`): predict every track to ``t``, gate the tracks in coverage (combined
    position within ``sqrt(max_r2)``) on the mixture prediction, GNN and the IMM update of the assigned
    tracks. Returns new ``xm, Pm, mu, x, P``, ``cov``, ``hit``, ``used`` (sorted detections) and ``order``."""
    M = xm.shape[0]
    K, m = z.shape
    order = lexsort_rows(z)
    dt = np.empty(M)
    for i in range(M):
        dt[i] = t - tt[i]
    xm, Pm, mu, x, P = predict(xm, Pm, mu, dt, kinds, qs, max_step, max_substeps, a, b)
    cov, nc = in_coverage(x, ps, max_r2)
    hit = np.zeros(M, np.bool_)
    used = np.zeros(K, np.bool_)
    if nc == 0 or K == 0:
        return xm, Pm, mu, x, P, cov, hit, used, order
    ci = np.flatnonzero(cov)
    az_col = az_column(codes)
    pr, pc, pd, zm, Hm, Sm, _ = gated_pairs(xm, Pm, mu, ci, ps, C, codes, z, R, order, gate)
    chosen = assign(pr, pc, pd, ci, status, nc, K, gate, confirmed_first, used)
    shared = R.shape[0] == 1
    for p in chosen:
        i = ci[pr[p]]
        j = pc[p]
        k = order[j]
        used[j] = True
        hit[i] = True
        update(xm[i], Pm[i], mu[i], zm[i], Hm[i], Sm[i], z[k], R[0 if shared else k], az_col, x[i], P[i])
    return xm, Pm, mu, x, P, cov, hit, used, order


@njit(error_model="numpy")
def finish(ids, x, P, xm, Pm, mu, status, hist, scans, misses, n_updates, last_update, last_sensor, score, cov, hit,
           z, R, order, used, t, sensor, ps, C, codes, iparams, fparams, timeout, next_id, mu0):
    """Steps 5-6 (:func:`iadsim.tracking._kernels.finish` on the combined ``x``, ``P``) with the per-mode
    states and ``mu`` of the kept tracks carried along (the kept ids are an ordered subsequence of ``ids``)
    and every new track's modes started from its initial state with ``mu = mu0``. Returns the tuple of
    :func:`~iadsim.tracking._kernels.finish` and the new ``xm, Pm, mu``."""
    out = _finish(ids, x, P, status, hist, scans, misses, n_updates, last_update, last_sensor, score, cov, hit,
                  z, R, order, used, t, sensor, ps, C, codes, iparams, fparams, timeout, next_id)
    o_id, o_x, o_P, N = out[0], out[1], out[2], out[12]
    n = o_id.size
    nk = n - N
    oxm = np.empty((n, 2, 6))
    oPm = np.empty((n, 2, 6, 6))
    omu = np.empty((n, 2))
    k = 0
    for i in range(ids.size):
        if k < nk and ids[i] == o_id[k]:
            oxm[k] = xm[i]
            oPm[k] = Pm[i]
            omu[k] = mu[i]
            k += 1
    for r in range(nk, n):
        for j in range(2):
            oxm[r, j] = o_x[r]
            oPm[r, j] = o_P[r]
            omu[r, j] = mu0[j]
        combine(oxm[r], oPm[r], omu[r], o_x[r], o_P[r])
    return out, oxm, oPm, omu


@njit(error_model="numpy")
def track_table(xm, Pm, mu, x, P, tt, rows, t, predict_to, kinds, qs, max_step, max_substeps, a, b, ecef, alt0,
                lo, hi, w, used, ib):
    """Rows ``rows`` of the track file as output tables: combined ``x (N, 6)``, ``P (N, 6, 6)`` (predicted to
    ``t`` by :func:`predict` of those rows when ``predict_to``) and the class and confidence of
    :func:`iadsim.tracking.classify.classify` with the IMM evidence of mode ``ib`` (the ``"ballistic"``
    mode; ``-1``: none); boxes as :func:`iadsim.tracking._kernels.track_table`."""
    N = rows.size
    if predict_to:
        xs_m = np.empty((N, 2, 6))
        Ps_m = np.empty((N, 2, 6, 6))
        mus = np.empty((N, 2))
        dt = np.empty(N)
        for r in range(N):
            xs_m[r] = xm[rows[r]]
            Ps_m[r] = Pm[rows[r]]
            mus[r] = mu[rows[r]]
            dt[r] = t - tt[rows[r]]
        _, _, mus, xs, Ps = predict(xs_m, Ps_m, mus, dt, kinds, qs, max_step, max_substeps, a, b)
    else:
        xs = np.empty((N, 6))
        Ps = np.empty((N, 6, 6))
        mus = np.empty((N, 2))
        for r in range(N):
            xs[r] = x[rows[r]]
            Ps[r] = P[rows[r]]
            mus[r] = mu[rows[r]]
    cls = np.empty(N, np.int8)
    conf = np.empty(N)
    mem = np.empty(4)
    for r in range(N):
        memberships(xs[r], Ps[r], ecef, alt0, lo, hi, w, used, mem)
        if ib >= 0:
            mb = mus[r, ib]
            mem[0] *= EPS + (1.0 - EPS) * mb
            f = EPS + (1.0 - EPS) * (1.0 - mb)
            for k in range(1, 4):
                mem[k] *= f
        cls[r], conf[r] = best_class(mem)
    return xs, Ps, cls, conf
