r"""Compiled (numba) kernels of one tracker scan for ``EKF(NCV(q))`` with GNN association and M-of-N logic.

These are the loops of :meth:`iadsim.tracking.tracker.Tracker.step` written per track and per pair instead of
as batched numpy calls, for the configuration every shipped scenario uses; the batched code
(:mod:`~iadsim.tracking.filters`, :mod:`~iadsim.tracking.measurements`, :mod:`~iadsim.tracking.association`,
:mod:`~iadsim.tracking.management`) stays the reference and the path of every other configuration. The
equations are those of the modules they replace:

* prediction, NCV / continuous white-noise acceleration (BLK2001 sec. 6.2.2): ``x = F x``,
  ``P = F P F^T + Q(|T|)`` with ``F = [[I, T I], [0, I]]``, ``Q = q [[T^3/3 I, T^2/2 I], [T^2/2 I, T I]]``,
  written out by blocks (the zero and unit entries of ``F`` drop out of the products exactly);
* ``h`` and ``H`` of range, azimuth, elevation and range rate (:mod:`iadsim.tracking.measurements`),
  ``S0 = H P H^T``, azimuth residuals wrapped to (-pi, pi];
* chi-square gate ``d2 = y^T (S0 + R)^-1 y < G`` over every track/detection pair, with the exact pre-cut
  ``d2 >= y_c^2 / S_cc`` (any component ``c`` of a symmetric positive definite ``S``) before the solve, ``d2``
  by Cholesky and forward substitution (``S`` factored once per track when the scan's detections share one
  ``R``);
* GNN (Blackman & Popoli 1999 sec. 6.5): per connected component of the gating graph, a component with one
  track or one detection takes its smallest ``d2``, a larger one is solved exactly on ``[D | G I]`` by the
  shortest augmenting path algorithm (:func:`lsa`, Jonker & Volgenant 1987 in the form of Crouse 2016,
  the algorithm of ``scipy.optimize.linear_sum_assignment``); confirmed tracks first, then tentative ones
  on the detections left;
* EKF update in Joseph form (BLK2001 eq. 5.2.3-18), symmetrized;
* M-of-N bookkeeping, deletion, tentative timeouts and single-detection initiation
  (:mod:`iadsim.tracking.management`, :func:`iadsim.tracking.measurements.cart_from_polar`).

Floating point is reordered with respect to numpy (results agree to round-off, not to the bit); divisions
follow numpy's error model (``inf`` / ``nan``, no exception), as the batched code does;
``tests/tracking/test_tracker_kernels.py`` compares each kernel with the code it replaces.

References: Y. Bar-Shalom, X. R. Li, T. Kirubarajan, *Estimation with Applications to Tracking and
Navigation*, Wiley 2001 (BLK2001); S. Blackman, R. Popoli, *Design and Analysis of Modern Tracking
Systems*, Artech 1999; R. Jonker, A. Volgenant, "A shortest augmenting path algorithm for dense and sparse
linear assignment problems", Computing 38, 1987; D. F. Crouse, "On implementing 2D rectangular assignment
algorithms", IEEE Trans. AES 52(4), 2016.
"""

from __future__ import annotations

import math

import numpy as np

from iadsim._numba import njit
from iadsim.sensors.radar import _near_cover_kernel

#: measurement component codes (order of :data:`iadsim.tracking.measurements.COMPONENTS`)
R_, AZ, EL, RDOT = 0, 1, 2, 3
TWO_PI = 2.0 * np.pi


@njit(error_model="numpy")
def _row_less(z, a, b):
    for c in range(z.shape[1]):
        if z[a, c] < z[b, c]:
            return True
        if z[a, c] > z[b, c]:
            return False
    return False


@njit(error_model="numpy")
def lexsort_rows(z):
    """Stable lexicographic order of the rows of ``z (K, m)`` (first column first), ``np.lexsort(z.T[::-1])``:
    a stable sort on the first column, then runs of equal first values ordered by the other columns."""
    K = z.shape[0]
    order = np.argsort(z[:, 0], kind="mergesort") if K else np.arange(K)
    a = 0
    while a < K:
        b = a + 1
        while b < K and z[order[b], 0] == z[order[a], 0]:
            b += 1
        for u in range(a + 1, b):  # insertion sort of the run (stable)
            cur = order[u]
            v = u - 1
            while v >= a and _row_less(z, cur, order[v]):
                order[v + 1] = order[v]
                v -= 1
            order[v + 1] = cur
        a = b
    return order


@njit(error_model="numpy")
def predict_ncv(x, P, dt, q):
    """NCV prediction of ``x (M, 6)``, ``P (M, 6, 6)`` over ``dt (M,)``: new arrays (module docstring)."""
    M = x.shape[0]
    xn = np.empty((M, 6))
    Pn = np.empty((M, 6, 6))
    A = np.empty((6, 6))  # F P
    B = np.empty((6, 6))  # (F P) F^T + Q
    for i in range(M):
        T = dt[i]
        Ta = abs(T)
        q11, q12, q22 = q * Ta ** 3 / 3.0, q * Ta ** 2 / 2.0, q * Ta
        for a in range(3):
            xn[i, a] = x[i, a] + T * x[i, a + 3]
            xn[i, a + 3] = x[i, a + 3]
        for a in range(3):
            for b in range(6):
                A[a, b] = P[i, a, b] + T * P[i, a + 3, b]
                A[a + 3, b] = P[i, a + 3, b]
        for a in range(6):
            for b in range(3):
                B[a, b] = A[a, b] + T * A[a, b + 3]
                B[a, b + 3] = A[a, b + 3]
        for a in range(3):
            B[a, a] += q11
            B[a, a + 3] += q12
            B[a + 3, a] += q12
            B[a + 3, a + 3] += q22
        for a in range(6):
            for b in range(6):
                Pn[i, a, b] = 0.5 * (B[a, b] + B[b, a])
    return xn, Pn


@njit(error_model="numpy")
def linearize(xi, ps, C, codes, zhat, H):
    """``zhat = h(x)`` (m,) and ``H`` (m, 6) of one state ``xi`` seen from ``ps`` with rotation ``C`` (written
    into ``zhat``, ``H``); the formulas of :func:`iadsim.tracking.measurements.h` and ``H``."""
    p0, p1, p2 = xi[0] - ps[0], xi[1] - ps[1], xi[2] - ps[2]
    e = C[0, 0] * p0 + C[0, 1] * p1 + C[0, 2] * p2
    n = C[1, 0] * p0 + C[1, 1] * p1 + C[1, 2] * p2
    u = C[2, 0] * p0 + C[2, 1] * p1 + C[2, 2] * p2
    w0 = C[0, 0] * xi[3] + C[0, 1] * xi[4] + C[0, 2] * xi[5]
    w1 = C[1, 0] * xi[3] + C[1, 1] * xi[4] + C[1, 2] * xi[5]
    w2 = C[2, 0] * xi[3] + C[2, 1] * xi[4] + C[2, 2] * xi[5]
    dw = e * w0 + n * w1 + u * w2
    rho_h = math.hypot(e, n)
    r_h = math.sqrt(rho_h * rho_h + u * u)
    rho2 = max(e * e + n * n, 1e-18)
    rho = math.sqrt(rho2)
    r2 = rho2 + u * u
    r = math.sqrt(r2)
    for j in range(codes.size):
        c = codes[j]
        jw0 = jw1 = jw2 = 0.0
        if c == R_:
            zhat[j] = r_h
            jd0, jd1, jd2 = e / r, n / r, u / r
        elif c == AZ:
            zhat[j] = math.atan2(e, n) % TWO_PI
            jd0, jd1, jd2 = n / rho2, -e / rho2, 0.0
        elif c == EL:
            zhat[j] = math.atan2(u, rho_h)
            jd0, jd1, jd2 = -e * u / (r2 * rho), -n * u / (r2 * rho), rho / r2
        else:
            zhat[j] = dw / max(r_h, 1e-9)
            rdot = dw / r
            f = rdot / r
            jd0, jd1, jd2 = (w0 - f * e) / r, (w1 - f * n) / r, (w2 - f * u) / r
            jw0, jw1, jw2 = e / r, n / r, u / r
        for b in range(3):
            H[j, b] = jd0 * C[0, b] + jd1 * C[1, b] + jd2 * C[2, b]
            H[j, b + 3] = jw0 * C[0, b] + jw1 * C[1, b] + jw2 * C[2, b]


@njit(error_model="numpy")
def _pht(Pi, Hi, PHt):
    """``PHt = P H^T`` (6, m) of one track."""
    for a in range(6):
        for c in range(Hi.shape[0]):
            s = 0.0
            for b in range(6):
                s += Pi[a, b] * Hi[c, b]
            PHt[a, c] = s


@njit(error_model="numpy")
def _hpht(Hi, PHt, out):
    """``out = H (P H^T)`` (m, m) of one track, from ``PHt`` of :func:`_pht`."""
    m = Hi.shape[0]
    for c in range(m):
        for e in range(m):
            s = 0.0
            for a in range(6):
                s += Hi[c, a] * PHt[a, e]
            out[c, e] = s


@njit(error_model="numpy")
def innovation_cov(Pi, Hi, S0, PHt):
    """``S0 = sym(H P H^T)`` (m, m) of one track (``PHt`` (6, m) scratch, left holding ``P H^T``)."""
    m = Hi.shape[0]
    _pht(Pi, Hi, PHt)
    _hpht(Hi, PHt, S0)
    for c in range(m):
        for e in range(c + 1, m):
            v = 0.5 * (S0[c, e] + S0[e, c])
            S0[c, e] = v
            S0[e, c] = v


@njit(error_model="numpy")
def wrap(a):
    """Angle difference to (-pi, pi], as :func:`iadsim.tracking.measurements.residual`."""
    return a - TWO_PI * np.ceil((a - np.pi) / TWO_PI)


@njit(error_model="numpy")
def solve(S, B):
    """``S^-1 B`` for ``S (m, m)``, ``B (m, k)`` by Gaussian elimination with partial pivoting (as LAPACK's
    ``gesv``, which ``numpy.linalg.solve`` calls); inputs are not modified."""
    X = np.empty((B.shape[0], B.shape[1]))
    solve_into(S, B, np.empty((S.shape[0], S.shape[0])), X)
    return X


@njit(error_model="numpy")
def solve_into(S, B, A, X):
    """:func:`solve` into ``X (m, k)``, with ``A (m, m)`` its scratch (the elimination's copy of ``S``)."""
    m = S.shape[0]
    k = B.shape[1]
    for r in range(m):
        for j in range(m):
            A[r, j] = S[r, j]
        for j in range(k):
            X[r, j] = B[r, j]
    for c in range(m):
        p = c
        big = abs(A[c, c])
        for r in range(c + 1, m):
            if abs(A[r, c]) > big:
                big = abs(A[r, c])
                p = r
        if p != c:
            for j in range(m):
                A[c, j], A[p, j] = A[p, j], A[c, j]
            for j in range(k):
                X[c, j], X[p, j] = X[p, j], X[c, j]
        for r in range(c + 1, m):
            f = A[r, c] / A[c, c]
            if f != 0.0:
                for j in range(c + 1, m):
                    A[r, j] -= f * A[c, j]
                for j in range(k):
                    X[r, j] -= f * X[c, j]
    for c in range(m - 1, -1, -1):
        for j in range(k):
            s = X[c, j]
            for r in range(c + 1, m):
                s -= A[c, r] * X[r, j]
            X[c, j] = s / A[c, c]


@njit(error_model="numpy")
def mahalanobis2(S, y, L, w):
    """``y^T S^-1 y`` for a symmetric positive definite ``S (m, m)`` by Cholesky ``S = L L^T``: ``|w|^2`` with
    ``L w = y`` (``L`` (m, m), ``w`` (m,) scratch); ``inf`` when ``S`` is not positive definite."""
    if not cholesky(S, L):
        return np.inf
    return whitened2(L, y, w)


@njit(error_model="numpy")
def cholesky(S, L):
    """The lower Cholesky factor of ``S (m, m)`` into ``L``; False when ``S`` is not positive definite."""
    m = S.shape[0]
    for c in range(m):
        for e in range(c + 1):
            v = S[c, e]
            for k in range(e):
                v -= L[c, k] * L[e, k]
            if c == e:
                if not v > 0.0:
                    return False
                L[c, c] = math.sqrt(v)
            else:
                L[c, e] = v / L[e, e]
    return True


@njit(error_model="numpy")
def whitened2(L, y, w):
    """``|w|^2`` with ``L w = y`` (forward substitution into ``w``): ``y^T S^-1 y`` for ``S = L L^T``."""
    d2 = 0.0
    for c in range(L.shape[0]):
        v = y[c]
        for k in range(c):
            v -= L[c, k] * w[k]
        w[c] = v / L[c, c]
        d2 += w[c] * w[c]
    return d2


@njit(error_model="numpy")
def lsa(cost):
    """Minimum-cost assignment of every row of ``cost (nr, nc)``, ``nr <= nc``, to a distinct column
    (``inf``: forbidden); returns the column of each row (``-1`` if infeasible). Shortest augmenting paths
    with dual variables (Jonker & Volgenant 1987; the rectangular form of Crouse 2016)."""
    nr, nc = cost.shape
    u = np.zeros(nr)
    v = np.zeros(nc)
    col4row = np.full(nr, -1)
    row4col = np.full(nc, -1)
    spc = np.empty(nc)
    path = np.empty(nc, np.int64)
    remaining = np.empty(nc, np.int64)
    in_sr = np.zeros(nr, np.bool_)
    in_sc = np.zeros(nc, np.bool_)
    for cur in range(nr):
        spc[:] = np.inf
        path[:] = -1
        in_sr[:] = False
        in_sc[:] = False
        nrem = nc
        for j in range(nc):
            remaining[j] = nc - 1 - j
        min_val = 0.0
        i = cur
        sink = -1
        while sink == -1:
            in_sr[i] = True
            lowest = np.inf
            index = -1
            for it in range(nrem):
                j = remaining[it]
                r = min_val + cost[i, j] - u[i] - v[j]
                if r < spc[j]:
                    path[j] = i
                    spc[j] = r
                if spc[j] < lowest or (spc[j] == lowest and row4col[j] == -1):
                    lowest = spc[j]
                    index = it
            min_val = lowest
            if index == -1 or min_val == np.inf:
                return np.full(nr, -1)
            j = remaining[index]
            if row4col[j] == -1:
                sink = j
            else:
                i = row4col[j]
            in_sc[j] = True
            nrem -= 1
            remaining[index] = remaining[nrem]
        u[cur] += min_val
        for i2 in range(nr):
            if in_sr[i2] and i2 != cur:
                u[i2] += min_val - spc[col4row[i2]]
        for j in range(nc):
            if in_sc[j]:
                v[j] -= min_val - spc[j]
        j = sink
        while True:
            i2 = path[j]
            row4col[j] = i2
            nxt = col4row[i2]
            col4row[i2] = j
            j = nxt
            if i2 == cur:
                break
    return col4row


@njit(error_model="numpy")
def _find(parent, a):
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@njit(error_model="numpy")
def gnn(sel, pr, pc, d2, Mc, K, gate):
    """GNN over the gated pairs ``sel`` (indices into ``pr`` track, ``pc`` detection, ``d2``) of ``Mc`` tracks
    and ``K`` detections: minimizes ``sum d2 + gate * unassigned tracks``; returns the chosen pair indices.

    Per connected component (union-find): one track or one detection, the smallest ``d2``; otherwise
    :func:`lsa` on the component's ``[D | G I]`` (as :func:`iadsim.tracking.association.gnn`)."""
    n = sel.size
    out = np.empty(n, np.int64)
    nout = 0
    if n == 0:
        return out
    parent = np.arange(Mc + K)
    for p in sel:
        ra = _find(parent, pr[p])
        rb = _find(parent, Mc + pc[p])
        if ra != rb:
            parent[rb] = ra
    lab = np.empty(n, np.int64)
    for a in range(n):
        lab[a] = _find(parent, pr[sel[a]])
    order = np.argsort(lab, kind="mergesort")
    tloc = np.full(Mc, -1)
    dloc = np.full(K, -1)
    a = 0
    while a < n:
        b = a
        while b < n and lab[order[b]] == lab[order[a]]:
            b += 1
        nt = 0
        nd = 0
        for g in range(a, b):
            p = sel[order[g]]
            if tloc[pr[p]] == -1:
                tloc[pr[p]] = nt
                nt += 1
            if dloc[pc[p]] == -1:
                dloc[pc[p]] = nd
                nd += 1
        if nt == 1 or nd == 1:
            best = sel[order[a]]
            for g in range(a + 1, b):
                p = sel[order[g]]
                if d2[p] < d2[best]:
                    best = p
            out[nout] = best
            nout += 1
        else:
            cost = np.full((nt, nd + nt), np.inf)
            owner = np.full((nt, nd), -1)
            for g in range(a, b):
                p = sel[order[g]]
                cost[tloc[pr[p]], dloc[pc[p]]] = d2[p]
                owner[tloc[pr[p]], dloc[pc[p]]] = p
            for i in range(nt):
                cost[i, nd + i] = gate
            col = lsa(cost)
            for i in range(nt):
                if 0 <= col[i] < nd:
                    out[nout] = owner[i, col[i]]
                    nout += 1
        for g in range(a, b):
            p = sel[order[g]]
            tloc[pr[p]] = -1
            dloc[pc[p]] = -1
        a = b
    return out[:nout]


@njit(error_model="numpy")
def az_column(codes):
    """The column of the azimuth among the measured components ``codes`` (-1: none)."""
    for c in range(codes.size):
        if codes[c] == AZ:
            return c
    return -1


@njit(error_model="numpy")
def range_order(z, R, order, codes):
    """What the gating needs of one scan's detections: the azimuth column (-1: none), whether the range is
    column 0, the ranges in the canonical order ``order`` and the largest range variance of ``R``."""
    az_col = az_column(codes)
    K = order.size
    rs = np.empty(K)
    for j in range(K):
        rs[j] = z[order[j], 0]
    rmax = 0.0
    for k in range(R.shape[0]):
        rmax = max(rmax, R[k, 0, 0])
    return az_col, codes[0] == R_, rs, rmax


@njit(error_model="numpy")
def los_range(xi, Pi, ps):
    """Range ``r = |p - p_s|`` of one state from the sensor and its variance along the line of sight
    ``l^T P_pp l`` (``l`` the unit line of sight, ``dr/dp``; a rotation keeps lengths)."""
    l0, l1, l2 = xi[0] - ps[0], xi[1] - ps[1], xi[2] - ps[2]
    r = math.sqrt(l0 * l0 + l1 * l1 + l2 * l2)
    if r > 0.0:
        l0, l1, l2 = l0 / r, l1 / r, l2 / r
    return r, (l0 * (Pi[0, 0] * l0 + Pi[0, 1] * l1 + Pi[0, 2] * l2)
               + l1 * (Pi[1, 0] * l0 + Pi[1, 1] * l1 + Pi[1, 2] * l2)
               + l2 * (Pi[2, 0] * l0 + Pi[2, 1] * l1 + Pi[2, 2] * l2))


@njit(error_model="numpy")
def range_window(r, srr, cut, rmax, rs):
    """The sorted detections ``lo:hi`` of ``rs`` within ``sqrt(G (S_rr + max R_rr))`` of a track's range ``r``
    (``srr`` its widened range variance), widened by more than the round-off of ``r`` and ``srr``."""
    w = math.sqrt(cut * (srr + rmax)) * (1.0 + 1e-6) + 1e-6 * r + 1e-3
    return np.searchsorted(rs, r - w), np.searchsorted(rs, r + w, side="right")


@njit(error_model="numpy")
def gate_track(a, zhat_i, S0, z, R, order, lo, hi, az_col, cut, gate, pr, pc, pd, npair, y, S, L, wv):
    """Track ``a`` (its ``zhat_i (m,)``, ``S0 = H P H^T``) against the sorted detections ``lo:hi``: the exact
    pre-cut ``y_c^2 <= G (S0_cc + R_cc)`` on every component, then ``d2 < gate``; passing pairs appended to
    ``pr, pc, pd`` from ``npair`` (``y, S, L, wv`` scratch). With one ``R`` for every detection (``R (1, m,
    m)``), ``S = S0 + R`` is the track's for all of them and is factored once, at the first pair past the
    pre-cut: the same factor, so the same ``d2``. Returns the new pair count."""
    m = z.shape[1]
    shared = R.shape[0] == 1
    factored = 0  # shared R: S = S0 + R is the track's for every detection, factored once (1) or not PD (-1)
    for j in range(lo, hi):
        k = order[j]
        kr = 0 if shared else k
        out = False
        for c in range(m):
            yc = z[k, c] - zhat_i[c]
            if c == az_col:
                yc = wrap(yc)
            y[c] = yc
            if yc * yc > cut * (S0[c, c] + R[kr, c, c]):
                out = True
                break
        if out:
            continue
        if factored == 0:
            for c in range(m):
                for e in range(m):
                    S[c, e] = S0[c, e] + R[kr, c, e]
            pd_ok = cholesky(S, L)
            if shared:
                factored = 1 if pd_ok else -1
        else:
            pd_ok = factored == 1
        dd = whitened2(L, y, wv) if pd_ok else np.inf
        if dd < gate:
            pr[npair] = a
            pc[npair] = j
            pd[npair] = dd
            npair += 1
    return npair


@njit(error_model="numpy")
def gated_pairs(xn, Pn, ci, ps, C, codes, z, R, order, gate):
    """Every pair (covered track ``a``, sorted detection ``j``) with ``d2 < gate``: ``pr, pc, d2`` arrays, and
    ``zhat (M, m)``, ``H (M, m, 6)`` of the tracks that had a candidate (``lin (M,)`` True).

    ``xn``, ``Pn`` predicted tracks, rows ``ci`` in coverage; ``z``, ``R`` unsorted with ``order`` the
    canonical order (``R`` of one row: shared). With the range in column 0 the sorted detections are in
    increasing range, and each track looks only at the range window ``|y_r| <= sqrt(G (S0_rr + max R_rr))``
    (binary search, :func:`range_window`) that contains every pair passing the pre-cut ``y_r^2 <= G S_rr``;
    the window is bounded before ``h`` and ``H`` are evaluated, from ``r`` and ``S0_rr = l^T P_pp l``
    (:func:`los_range`), both widened by more than their round-off, so only tracks with a detection in range
    get linearized. The exact pre-cut on every component (``d2 >= y_c^2 / S_cc``), then the exact ``d2``,
    decide (:func:`gate_track`)."""
    M = xn.shape[0]
    Mc = ci.size
    K = order.size
    m = z.shape[1]
    cut = gate * (1.0 + 1e-9)
    az_col, r_first, rs, rmax = range_order(z, R, order, codes)
    lo = np.zeros(Mc, np.int64)
    hi = np.full(Mc, K)
    cap = 0
    for a in range(Mc):
        if r_first:
            i = ci[a]
            r, srr = los_range(xn[i], Pn[i], ps)
            srr = max(srr, 0.0) + 1e-6 * (Pn[i, 0, 0] + Pn[i, 1, 1] + Pn[i, 2, 2])
            lo[a], hi[a] = range_window(r, srr, cut, rmax, rs)
        cap += hi[a] - lo[a]
    pr = np.empty(cap, np.int64)
    pc = np.empty(cap, np.int64)
    pd = np.empty(cap)
    zhat = np.empty((M, m))
    H = np.empty((M, m, 6))  # rows written by linearize for the tracks with lin True
    lin = np.zeros(M, np.bool_)
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
        linearize(xn[i], ps, C, codes, zhat[i], H[i])
        innovation_cov(Pn[i], H[i], S0, PHt)
        lin[i] = True
        npair = gate_track(a, zhat[i], S0, z, R, order, lo[a], hi[a], az_col, cut, gate, pr, pc, pd, npair, y, S,
                           L, wv)
    return pr[:npair], pc[:npair], pd[:npair], zhat, H, lin


@njit(error_model="numpy")
def assign(pr, pc, pd, ci, status, nc, K, gate, confirmed_first, used):
    """GNN (:func:`gnn`) over the gated pairs ``pr`` (index into ``ci``, the ``nc`` tracks in coverage), ``pc``
    (sorted detection of ``K``), ``pd`` (``d2``); with ``confirmed_first`` the confirmed tracks (``status``
    1) first, then the others on the detections the first pass left. Returns the chosen pair indices; the
    detections of the first pass are marked in ``used``."""
    n = pr.size
    chosen = np.empty(0, np.int64)
    if n:
        if confirmed_first:
            first = np.empty(n, np.int64)
            nf = 0
            for p in range(n):
                if status[ci[pr[p]]] == 1:
                    first[nf] = p
                    nf += 1
            chosen1 = gnn(first[:nf], pr, pc, pd, nc, K, gate)
            for p in chosen1:
                used[pc[p]] = True
            second = np.empty(n, np.int64)
            ns = 0
            for p in range(n):
                if status[ci[pr[p]]] != 1 and not used[pc[p]]:
                    second[ns] = p
                    ns += 1
            chosen2 = gnn(second[:ns], pr, pc, pd, nc, K, gate)
            chosen = np.concatenate((chosen1, chosen2))
        else:
            chosen = gnn(np.arange(n), pr, pc, pd, nc, K, gate)
    return chosen


@njit(error_model="numpy")
def joseph_update(xi, Pi, Hi, y, Rk):
    """EKF update in Joseph form of one track, in place: ``xi (6,)``, ``Pi (6, 6)`` with ``H (m, 6)``, the
    innovation ``y (m,)`` and ``R (m, m)`` (module docstring; :meth:`iadsim.tracking.filters.EKF.update`)."""
    joseph_update_into(xi, Pi, Hi, y, Rk, update_scratch(y.size))


@njit(error_model="numpy")
def update_scratch(m):
    """The work arrays of :func:`joseph_update_into` for ``m`` measured components (one set per scan)."""
    return (np.empty((6, m)), np.empty((m, m)), np.empty((6, m)), np.empty((6, m)), np.empty((6, 6)),
            np.empty((6, 6)), np.empty((6, 6)), np.empty(6), np.empty((m, m)), np.empty((m, 6)))


@njit(error_model="numpy")
def joseph_update_into(xi, Pi, Hi, y, Rk, work):
    """:func:`joseph_update` with its work arrays ``work`` (:func:`update_scratch`): the same operations."""
    PHt, S, Kg, KR, IKH, A, B, x0, SA, Kt = work
    m = y.size
    _pht(Pi, Hi, PHt)
    _hpht(Hi, PHt, S)
    for c in range(m):
        for e in range(m):
            S[c, e] += Rk[c, e]
    solve_into(S, PHt.T, SA, Kt)  # K^T = S^-1 (P H^T)^T
    for a in range(6):
        for c in range(m):
            Kg[a, c] = Kt[c, a]
    for a in range(6):
        x0[a] = xi[a]
    for a in range(6):
        s = 0.0
        for c in range(m):
            s += Kg[a, c] * y[c]
        xi[a] = x0[a] + s
    for a in range(6):
        for b in range(6):
            s = 0.0
            for c in range(m):
                s += Kg[a, c] * Hi[c, b]
            IKH[a, b] = (1.0 if a == b else 0.0) - s
        for c in range(m):
            s = 0.0
            for e in range(m):
                s += Kg[a, e] * Rk[e, c]
            KR[a, c] = s
    for a in range(6):  # A = IKH P
        for b in range(6):
            s = 0.0
            for c in range(6):
                s += IKH[a, c] * Pi[c, b]
            A[a, b] = s
    for a in range(6):  # B = A IKH^T + (K R) K^T
        for b in range(6):
            s = 0.0
            for c in range(6):
                s += A[a, c] * IKH[b, c]
            s2 = 0.0
            for c in range(m):
                s2 += KR[a, c] * Kg[b, c]
            B[a, b] = s + s2
    for a in range(6):
        for b in range(6):
            Pi[a, b] = 0.5 * (B[a, b] + B[b, a])


@njit(error_model="numpy")
def in_coverage(x, ps, max_r2):
    """Tracks ``x (M, >=3)`` whose position is within ``sqrt(max_r2)`` of the sensor at ``ps``: mask, count."""
    M = x.shape[0]
    cov = np.zeros(M, np.bool_)
    nc = 0
    for i in range(M):
        s = 0.0
        for a in range(3):
            da = x[i, a] - ps[a]
            s += da * da
        if s <= max_r2:
            cov[i] = True
            nc += 1
    return cov, nc


@njit(error_model="numpy")
def scan(x, P, tt, status, t, ps, C, codes, max_r2, q, z, R, gate, confirmed_first):
    """Steps 1-4 of :meth:`iadsim.tracking.tracker.Tracker.step` for one scan of one sensor (position
    ``ps``, rotation ``C``, components ``codes``, coverage radius squared ``max_r2``): predict every track to
    ``t``, gate the tracks in coverage against the detections ``z (K, m)`` (``R (K, m, m)`` or ``(1, m, m)``
    shared), GNN (``confirmed_first``: confirmed tracks, then tentative tracks on the detections left) and
    the EKF update of the assigned tracks. Returns new ``x, P``, ``cov (M,)`` (in coverage), ``hit (M,)``,
    ``used (K,)`` (sorted detections assigned) and ``order`` (the canonical order of the detections)."""
    M = x.shape[0]
    K, m = z.shape
    order = lexsort_rows(z)
    dt = np.empty(M)
    for i in range(M):
        dt[i] = t - tt[i]
    xn, Pn = predict_ncv(x, P, dt, q)
    cov, nc = in_coverage(xn, ps, max_r2)
    hit = np.zeros(M, np.bool_)
    used = np.zeros(K, np.bool_)
    if nc == 0 or K == 0:
        return xn, Pn, cov, hit, used, order
    ci = np.flatnonzero(cov)
    az_col = az_column(codes)
    pr, pc, pd, zhat, H, _ = gated_pairs(xn, Pn, ci, ps, C, codes, z, R, order, gate)
    chosen = assign(pr, pc, pd, ci, status, nc, K, gate, confirmed_first, used)
    shared = R.shape[0] == 1
    y = np.empty(m)
    work = update_scratch(m)
    for p in chosen:
        i = ci[pr[p]]
        j = pc[p]
        k = order[j]
        kr = 0 if shared else k
        used[j] = True
        hit[i] = True
        for c in range(m):
            yc = z[k, c] - zhat[i, c]
            if c == az_col:
                yc = wrap(yc)
            y[c] = yc
        joseph_update_into(xn[i], Pn[i], H[i], y, R[kr], work)
    return xn, Pn, cov, hit, used, order


@njit(error_model="numpy")
def popcount(v):
    c = 0
    while v:
        c += v & 1
        v >>= 1
    return c


@njit(error_model="numpy")
def finish(ids, x, P, status, hist, scans, misses, n_updates, last_update, last_sensor, score, cov, hit,
           z, R, order, used, t, sensor, ps, C, codes, iparams, fparams, timeout, next_id):
    """Steps 5-6 of :meth:`iadsim.tracking.tracker.Tracker.step` (M-of-N, :mod:`iadsim.tracking.management`)
    into new arrays: hit counters, the scan recorded in the bit histories of the counted tracks ``cov``, the
    miss score, confirmation, deletion (tentative: M-of-N impossible or ``timeout[last_sensor]`` exceeded;
    confirmed: ``max_misses`` misses or horizontal position sigma above ``pos_std_max``), the kept tracks in
    their order, then the unassigned sorted detections initiated (:func:`initiate`) with ids from ``next_id``.

    ``iparams`` = ``(confirm_m, confirm_n, max_misses, ecef)``, ``fparams`` = ``(pos_std_max, ln(1 - P_D),
    up, up_sigma, v_max / kappa, initial score)``. Returns ``(ids, x, P, status, hist, scans, misses,
    n_updates, last_update, last_sensor, score, t)`` and the number of new tracks."""
    confirm_m, confirm_n, max_misses, ecef = iparams[0], iparams[1], iparams[2], iparams[3] != 0
    pos_std_max, log_miss = fparams[0], fparams[1]
    x0, P0 = initiate(z, R, order, used, ps, C, codes, fparams[2], fparams[3], fparams[4])
    M = ids.size
    N = x0.shape[0]
    cap = M + N
    o_id = np.empty(cap, np.int64)
    o_x = np.empty((cap, 6))
    o_P = np.empty((cap, 6, 6))
    o_st = np.empty(cap, np.int8)
    o_hist = np.empty(cap, np.int64)
    o_scans = np.empty(cap, np.int64)
    o_miss = np.empty(cap, np.int64)
    o_nup = np.empty(cap, np.int64)
    o_lu = np.empty(cap)
    o_ls = np.empty(cap, np.int64)
    o_sc = np.empty(cap)
    mask = (1 << confirm_n) - 1
    n = 0
    for i in range(M):
        nup, lu, ls, sc = n_updates[i], last_update[i], last_sensor[i], score[i]
        hs, ns, ms = hist[i], scans[i], misses[i]
        if hit[i]:
            nup += 1
            lu = t
            ls = sensor
        if cov[i]:
            hs = ((hs << 1) | (1 if hit[i] else 0)) & mask
            ns += 1
            ms = 0 if hit[i] else ms + 1
            if not hit[i]:
                sc += log_miss
        if ecef:  # horizontal position sigma (management.horizontal_pos_std)
            nrm = math.sqrt(x[i, 0] * x[i, 0] + x[i, 1] * x[i, 1] + x[i, 2] * x[i, 2])
            vert = 0.0
            for a in range(3):
                s = 0.0
                for b in range(3):
                    s += P[i, a, b] * (x[i, b] / nrm)
                vert += (x[i, a] / nrm) * s
            pos_std = math.sqrt(max(P[i, 0, 0] + P[i, 1, 1] + P[i, 2, 2] - vert, 0.0))
        else:
            pos_std = math.sqrt(max(P[i, 0, 0] + P[i, 1, 1], 0.0))
        hits = popcount(hs)
        st = status[i]
        if st == 0 and hits >= confirm_m and ns <= confirm_n:
            st = 1
        if st == 0 and hits + (confirm_n - ns) < confirm_m:
            continue
        if st == 1 and (ms >= max_misses or pos_std > pos_std_max):
            continue
        if st == 0 and t - lu > timeout[ls]:
            continue
        o_id[n], o_st[n], o_hist[n], o_scans[n], o_miss[n] = ids[i], st, hs, ns, ms
        o_nup[n], o_lu[n], o_ls[n], o_sc[n] = nup, lu, ls, sc
        o_x[n] = x[i]
        o_P[n] = P[i]
        n += 1
    new_status = 1 if confirm_m == 1 else 0
    for k in range(N):
        o_id[n], o_st[n], o_hist[n], o_scans[n], o_miss[n] = next_id + k, new_status, 1, 1, 0
        o_nup[n], o_lu[n], o_ls[n], o_sc[n] = 1, t, sensor, fparams[5]
        o_x[n] = x0[k]
        o_P[n] = P0[k]
        n += 1
    return (o_id[:n], o_x[:n], o_P[:n], o_st[:n], o_hist[:n], o_scans[:n], o_miss[:n], o_nup[:n], o_lu[:n],
            o_ls[:n], o_sc[:n], np.full(n, t), N)


@njit(error_model="numpy")
def initiate(z, R, order, used, ps, C, codes, up, up_sigma, v_sigma):
    """Single-detection initial states of the unassigned sorted detections (``used`` False), in order:
    ``x0 (N, 6)``, ``P0 (N, 6, 6)``; the formulas of :func:`iadsim.tracking.management.initiate_from_detections`
    and :func:`iadsim.tracking.measurements.cart_from_polar` (covariance by first-order propagation)."""
    K, m = z.shape
    N = 0
    for j in range(K):
        if not used[j]:
            N += 1
    x0 = np.zeros((N, 6))
    P0 = np.zeros((N, 6, 6))
    shared = R.shape[0] == 1
    ir = iaz = iel = -1
    for c in range(m):
        if codes[c] == R_:
            ir = c
        elif codes[c] == AZ:
            iaz = c
        elif codes[c] == EL:
            iel = c
    idx = np.array([ir, iaz, iel])
    Rp = np.empty((3, 3))
    J = np.empty((3, 3))
    G = np.empty((3, 3))
    GR = np.empty((3, 3))
    Rc = np.empty((3, 3))
    n = 0
    for j in range(K):
        if used[j]:
            continue
        k = order[j]
        kr = 0 if shared else k
        r = z[k, ir]
        az = z[k, iaz] if iaz >= 0 else 0.0
        if iel >= 0:
            el = z[k, iel]
        else:
            el = math.asin(min(max(up / max(r, 1e-9), -1.0), 1.0))
        ca, sa, ce, se = math.cos(az), math.sin(az), math.cos(el), math.sin(el)
        rce, rse = r * ce, r * se
        d0, d1, d2 = rce * sa, rce * ca, rse
        for a in range(3):
            x0[n, a] = ps[a] + C[0, a] * d0 + C[1, a] * d1 + C[2, a] * d2
        for a in range(3):
            for b in range(3):
                Rp[a, b] = R[kr, idx[a], idx[b]] if idx[a] >= 0 and idx[b] >= 0 else 0.0
        if iel < 0:
            Rp[2, 2] = (up_sigma / max(r, 1e-9)) ** 2
        if iaz < 0:
            Rp[1, 1] = np.pi ** 2
        J[0, 0], J[1, 0], J[2, 0] = ce * sa, ce * ca, se
        J[0, 1], J[1, 1], J[2, 1] = d1, -rce * sa, 0.0
        J[0, 2], J[1, 2], J[2, 2] = -rse * sa, -rse * ca, rce
        for a in range(3):  # G = C^T J
            for b in range(3):
                G[a, b] = C[0, a] * J[0, b] + C[1, a] * J[1, b] + C[2, a] * J[2, b]
        for a in range(3):  # GR = G Rp
            for b in range(3):
                GR[a, b] = G[a, 0] * Rp[0, b] + G[a, 1] * Rp[1, b] + G[a, 2] * Rp[2, b]
        for a in range(3):  # Rc = GR G^T
            for b in range(3):
                Rc[a, b] = GR[a, 0] * G[b, 0] + GR[a, 1] * G[b, 1] + GR[a, 2] * G[b, 2]
        for a in range(3):
            for b in range(3):
                P0[n, a, b] = 0.5 * (Rc[a, b] + Rc[b, a])
            P0[n, a + 3, a + 3] = v_sigma * v_sigma
        n += 1
    return x0, P0


@njit(error_model="numpy")
def _logistic(t):
    return 0.5 * (1.0 + math.tanh(0.5 * t))


@njit(error_model="numpy")
def memberships(xa, Pa, ecef, alt0, lo, hi, w, used, mem):
    """The class memberships ``mem (4,)`` of one track ``xa (>=6,)``, ``Pa (>=6, >=6)`` (no IMM evidence):
    :func:`iadsim.tracking.classify.memberships`, see :func:`track_table`."""
    feat = np.empty(3)
    sig = np.empty(3)
    eps = 0.01
    p0, p1, p2, v0, v1, v2 = xa[0], xa[1], xa[2], xa[3], xa[4], xa[5]
    if ecef:  # motion.up and motion.altitude
        r2 = p0 * p0 + p1 * p1 + p2 * p2
        nr = math.sqrt(r2)
        u0, u1, u2 = p0 / nr, p1 / nr, p2 / nr
        s2 = p2 * p2 / r2
        A, B = 6378137.0, 6356752.314245
        alt = math.sqrt(r2) - A * B / math.sqrt(B ** 2 * (1.0 - s2) + A ** 2 * s2)
    else:
        u0, u1, u2 = 0.0, 0.0, 1.0
        alt = alt0 + p2
    speed = math.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
    climb = v0 * u0 + v1 * u1 + v2 * u2
    sp = max(speed, 1e-9)
    e0, e1, e2 = v0 / sp, v1 / sp, v2 / sp
    s_speed = s_alt = s_climb = 0.0
    for i in range(3):
        ei = e0 if i == 0 else (e1 if i == 1 else e2)
        ui = u0 if i == 0 else (u1 if i == 1 else u2)
        for j in range(3):
            ej = e0 if j == 0 else (e1 if j == 1 else e2)
            uj = u0 if j == 0 else (u1 if j == 1 else u2)
            s_speed += ei * Pa[3 + i, 3 + j] * ej
            s_alt += ui * Pa[i, j] * uj
            s_climb += ui * Pa[3 + i, 3 + j] * uj
    feat[0], feat[1], feat[2] = speed, alt, abs(climb)
    sig[0], sig[1], sig[2] = math.sqrt(max(s_speed, 0.0)), math.sqrt(max(s_alt, 0.0)), math.sqrt(max(s_climb, 0.0))
    for k in range(4):
        mk = 1.0
        for f in range(3):
            if used[f, k]:
                wp = math.sqrt(w[f, k] * w[f, k] + (sig[f] / 1.7) ** 2)
                b = 1.0
                if np.isfinite(lo[f, k]):
                    b = b * _logistic((feat[f] - lo[f, k]) / wp)
                if np.isfinite(hi[f, k]):
                    b = b * (1.0 - _logistic((feat[f] - hi[f, k]) / wp))
                mk *= eps + (1.0 - eps) * b
        mem[k] = mk


@njit(error_model="numpy")
def best_class(mem):
    """Class index (first largest membership) and its normalized membership ``mem[k] / sum(mem)``."""
    tot = mem[0] + mem[1] + mem[2] + mem[3]
    best = 0
    for k in range(1, 4):
        if mem[k] / tot > mem[best] / tot:
            best = k
    return best, mem[best] / tot


@njit(error_model="numpy")
def track_table(x, P, tt, rows, t, q, predict, ecef, alt0, lo, hi, w, used):
    """Rows ``rows`` of the track file as output tables: ``x (N, 6)``, ``P (N, 6, 6)`` (predicted to ``t`` by
    :func:`predict_ncv` when ``predict``) and the kinematic class and confidence of
    :func:`iadsim.tracking.classify.classify` (no IMM evidence): per feature ``f`` (speed, altitude, |climb|)
    and class ``k`` with a box (``used[f, k]``: ``lo``, ``hi``, ``w`` edges), the membership factor
    ``eps + (1 - eps) s((f - lo)/w') (1 - s((f - hi)/w'))``, ``w' = sqrt(w^2 + (sigma_f / 1.7)^2)``."""
    N = rows.size
    xs = np.empty((N, 6))
    Ps = np.empty((N, 6, 6))
    for a in range(N):
        xs[a] = x[rows[a], 0:6]
        Ps[a] = P[rows[a], 0:6, 0:6]
    if predict:
        dt = np.empty(N)
        for a in range(N):
            dt[a] = t - tt[rows[a]]
        xs, Ps = predict_ncv(xs, Ps, dt, q)
    cls = np.empty(N, np.int8)
    conf = np.empty(N)
    mem = np.empty(4)
    for a in range(N):
        memberships(xs[a], Ps[a], ecef, alt0, lo, hi, w, used, mem)
        cls[a], conf[a] = best_class(mem)
    return xs, Ps, cls, conf


@njit(error_model="numpy")
def scan_counted_finish(x, P, tt, status, t, ps, C, codes, max_r2, q, z, R, gate, confirmed_first,
                        ids, hist, scans, misses, n_updates, last_update, last_sensor, score, sensor, iparams,
                        fparams, timeout, next_id, c_ecef, c_C, r_cut, r_min, r_max, el_min, el_max, az_center,
                        az_width, sectors, sector, k_earth):
    """:func:`scan`, the counting of a plain radar (no terrain, time budget or strobes: the coverage of
    :func:`iadsim.sensors.radar._near_cover_kernel` within ``r_cut`` of the site, ``c_ecef``, ``c_C`` and the
    window after it; ``sector < 0`` the whole coverage) and :func:`finish` in one call: the operations of
    :meth:`iadsim.tracking.tracker.Tracker._step_fast` with the counting callable on the same values, so
    the same track file bit for bit (tested). Returns :func:`finish`'s tuple."""
    xn, Pn, cov, hit, used, order = scan(x, P, tt, status, t, ps, C, codes, max_r2, q, z, R, gate,
                                         confirmed_first)
    if xn.shape[0]:
        seen, _ = _near_cover_kernel(xn[:, 0:3], c_ecef, c_C, r_cut, r_min, r_max, el_min, el_max, az_center,
                                     az_width, sectors, sector, k_earth, 1e-6)
        for i in range(cov.size):
            cov[i] = cov[i] and seen[i]
    return finish(ids, xn, Pn, status, hist, scans, misses, n_updates, last_update, last_sensor, score, cov, hit,
                  z, R, order, used, t, sensor, ps, C, codes, iparams, fparams, timeout, next_id)
