"""Compiled inner loops of the WTA solvers (numba if installed, plain Python otherwise).

All kernels work on the clipped survival matrix ``q = max(1 - p, Q_FLOOR)`` so that a shot with
``p = 1`` can be taken off a target by division; the error this introduces is below
``V * Q_FLOOR`` and the reported objective is always recomputed exactly from ``x``.
"""

from __future__ import annotations

import math

import numpy as np

from iadsim._numba import njit  # numba, cached on disk: ~100x faster; without numba plain Python, identical

Q_FLOOR = 1e-150


@njit
def _best_in_column(j, E, p, k, rem, allowed):
    """Best (gain, type) for one more shot at target ``j``: gain = E_j p_ij - k_i."""
    best = -1.0
    bi = -1
    for i in range(p.shape[0]):
        if rem[i] > 0 and allowed[i, j]:
            g = E[j] * p[i, j] - k[i]
            if g > best:
                best = g
                bi = i
    return best, bi


@njit
def max_marginal_return(E, p, q, k, rem, allowed, x):
    """Greedy maximum marginal return, in place on ``x``, ``E`` (surviving value) and ``rem``.

    Repeatedly fire the shot (i, j) with the largest decrease of F, ``E_j p_ij - k_i``, while it is
    positive (den Broeder, Ellison & Emerling 1959; Ahuja et al. 2007, sec. 3). Per target the best
    type is cached, so a step costs O(m) for the argmax plus O(n) per refreshed column.
    """
    n, m = p.shape
    colval = np.empty(m)
    coli = np.empty(m, np.int64)
    for j in range(m):
        colval[j], coli[j] = _best_in_column(j, E, p, k, rem, allowed)
    while True:
        j = -1
        best = 0.0
        for jj in range(m):
            if coli[jj] >= 0 and colval[jj] > best:
                best = colval[jj]
                j = jj
        if j < 0:
            break
        i = coli[j]
        x[i, j] += 1
        rem[i] -= 1
        E[j] *= q[i, j]
        colval[j], coli[j] = _best_in_column(j, E, p, k, rem, allowed)
        if rem[i] == 0:
            for jj in range(m):
                if coli[jj] == i:
                    colval[jj], coli[jj] = _best_in_column(jj, E, p, k, rem, allowed)


@njit
def _surviving(V, q, x, E):
    n, m = q.shape
    for j in range(m):
        s = V[j]
        for i in range(n):
            if x[i, j] > 0:
                s *= q[i, j] ** x[i, j]
        E[j] = s


@njit
def improve(V, p, q, k, rem, allowed, x, E, tol, max_rounds):
    """Local search on ``x`` in place: add/drop, reassign one shot, swap two shots (2-exchange).

    Moves (Ahuja et al. 2007, sec. 4; the two-exchange neighbourhood): (a) move one shot of type i
    from target j1 to the best other target j2 or drop it (saves k_i); (b) exchange a shot of type
    i1 on j1 with a shot of type i2 on j2; (c) greedy additions of unused weapons. First-improvement,
    repeated until no move decreases F by more than ``tol``. Returns the number of rounds.
    """
    n, m = p.shape
    rounds = 0
    ui = np.empty(n * m, np.int64)
    uj = np.empty(n * m, np.int64)
    while rounds < max_rounds:
        rounds += 1
        improved = False
        _surviving(V, q, x, E)
        # (c) greedy additions (also makes a from-scratch start valid)
        max_marginal_return(E, p, q, k, rem, allowed, x)
        # (a) reassign or drop one shot
        for i in range(n):
            for j1 in range(m):
                if x[i, j1] == 0:
                    continue
                d_rem = E[j1] / q[i, j1] - E[j1]
                bestd = d_rem - k[i]  # drop the shot
                bj = -1
                for j2 in range(m):
                    if j2 != j1 and allowed[i, j2]:
                        d = d_rem + E[j2] * (q[i, j2] - 1.0)
                        if d < bestd:
                            bestd = d
                            bj = j2
                if bestd < -tol:
                    x[i, j1] -= 1
                    E[j1] = E[j1] / q[i, j1]
                    if bj >= 0:
                        x[i, bj] += 1
                        E[bj] *= q[i, bj]
                    else:
                        rem[i] += 1
                    improved = True
                    if x[i, j1] == 0:
                        break
        # (b) swap two shots of different types on different targets
        nu = 0
        for i in range(n):
            for j in range(m):
                if x[i, j] > 0:
                    ui[nu] = i
                    uj[nu] = j
                    nu += 1
        for a in range(nu):
            for b in range(a + 1, nu):
                ia = ui[a]
                ja = uj[a]
                ib = ui[b]
                jb = uj[b]
                if ia == ib or ja == jb or x[ia, ja] == 0 or x[ib, jb] == 0:
                    continue
                if not (allowed[ib, ja] and allowed[ia, jb]):
                    continue
                ea = E[ja] / q[ia, ja] * q[ib, ja]
                eb = E[jb] / q[ib, jb] * q[ia, jb]
                d = ea - E[ja] + eb - E[jb]
                if d < -tol:
                    x[ia, ja] -= 1
                    x[ib, ja] += 1
                    x[ib, jb] -= 1
                    x[ia, jb] += 1
                    E[ja] = ea
                    E[jb] = eb
                    improved = True
        if not improved:
            break
    _surviving(V, q, x, E)
    return rounds


# ---------------------------------------------------------------------------------------------
# Per-target subproblem (Lagrangian relaxation / column-generation pricing)
#
#   g(x) = V exp(-sum_r b_r x_r) + sum_r w_r x_r,   x_r in {0..cap_r},
#
# with b_r = -log(1 - p_rj) >= 0 and w_r = lambda_r + k_r >= 0. Items are sorted by efficiency
# b_r / w_r (descending). The continuous relaxation over a suffix of items is solved exactly by
# walking the items in that order and stopping where V exp(-B) = w_r / b_r (the objective is a
# convex function of B plus the convex piecewise-linear fractional-knapsack cost of reaching B).
# ---------------------------------------------------------------------------------------------


@njit
def _relaxation(d, B, W, V, b, w, cap):
    """Exact minimum of the continuous relaxation of g over items d.. given fixed (B, W)."""
    s = V * math.exp(-B)
    extra = 0.0
    for r in range(d, b.shape[0]):
        if w[r] <= 0.0:
            s *= math.exp(-b[r] * cap[r])
            continue
        rho = w[r] / b[r]
        if s <= rho:
            break
        t = math.log(s / rho) / b[r]
        if t > cap[r]:
            t = cap[r]
        extra += w[r] * t
        s *= math.exp(-b[r] * t)
    return s + W + extra


@njit
def subproblem_dfs(V, b, w, cap, best, out, node_limit):
    """Depth-first branch and bound for ``min g`` over the items (sorted by efficiency).

    Only columns strictly better than ``best`` are sought; the best one found is written to
    ``out[0]``. Returns (best value, status): status 0 = proven minimum, 1 = node limit hit (the
    value is then only an upper bound).
    """
    K = b.shape[0]
    x = np.full(K, -1, np.int64)
    Bs = np.zeros(K + 1)
    Ws = np.zeros(K + 1)
    nodes = 0
    d = 0
    while d >= 0:
        if d == K:
            val = V * math.exp(-Bs[K]) + Ws[K]
            if val < best:
                best = val
                for r in range(K):
                    out[0, r] = x[r]
            d -= 1
            continue
        if x[d] == -1:
            nodes += 1
            if nodes > node_limit:
                return best, 1
            if _relaxation(d, Bs[d], Ws[d], V, b, w, cap) >= best:
                d -= 1
                continue
            x[d] = cap[d] + 1
        x[d] -= 1
        if x[d] < 0:
            x[d] = -1
            d -= 1
            continue
        Bs[d + 1] = Bs[d] + b[d] * x[d]
        Ws[d + 1] = Ws[d] + w[d] * x[d]
        d += 1
    return best, 0


@njit
def _sort_by_efficiency(idx, b, ws, cap):
    eff = np.empty(b.shape[0])
    for r in range(b.shape[0]):
        eff[r] = b[r] / ws[r] if ws[r] > 0.0 else np.inf
    o = np.argsort(-eff)
    return idx[o], b[o], ws[o], cap[o]


@njit
def _target_items(j, V, p, logq, w, counts, allowed, slack, sort=True):
    """Candidate items of target j (sorted by efficiency b/w): types that can ever be worth firing."""
    n = p.shape[0]
    idx = np.empty(n, np.int64)
    K = 0
    for i in range(n):
        if allowed[i, j] and counts[i] > 0 and p[i, j] > 0.0 and w[i] < V[j] * p[i, j] + slack:
            idx[K] = i
            K += 1
    idx = idx[:K]
    b = np.empty(K)
    ws = np.empty(K)
    cap = np.empty(K, np.int64)
    for r in range(K):
        i = idx[r]
        b[r] = -logq[i, j]
        ws[r] = w[i]
        cap[r] = counts[i]
    if sort:
        return _sort_by_efficiency(idx, b, ws, cap)
    return idx, b, ws, cap


@njit
def _greedy_subproblem(V, b, w, cap, xg):
    """Greedy start for the per-target minimum: add the unit with the largest decrease of g."""
    s = V
    W = 0.0
    while True:
        best = 0.0
        r_best = -1
        for r in range(b.shape[0]):
            if xg[r] < cap[r]:
                d = s * (1.0 - math.exp(-b[r])) - w[r]
                if d > best:
                    best = d
                    r_best = r
        if r_best < 0:
            return s + W
        xg[r_best] += 1
        s *= math.exp(-b[r_best])
        W += w[r_best]


@njit
def _useful_items(b, w, cap, best):
    """Items that can appear in a column strictly better than ``best`` (pricing only).

    Cardinality: a column with t shots costs more than the sum of its t cheapest unit prices, so
    better columns have fewer than T shots, T the first t where that sum reaches ``best``.
    Dominance: if unit r' has b_r' >= b_r and w_r' <= w_r (ties broken by index), swapping a unit
    of r for an unused unit of r' never increases g, so some minimiser uses r only together with
    all D_r units dominating it; r is dropped when D_r + 1 >= T. (Valid for minimisation only, not
    for enumerating near-optimal columns.)
    """
    K = b.shape[0]
    keep = np.ones(K, np.bool_)
    total = 0
    for r in range(K):
        total += cap[r]
    order = np.argsort(w)
    T = total + 1
    acc = 0.0
    t = 0
    for r in order:
        for _ in range(cap[r]):
            acc += w[r]
            t += 1
            if acc >= best:
                T = t
                break
        if T <= total:
            break
    if T > total:
        return keep
    # Scan by decreasing b: the units before r with w <= w_r dominate r (the scan order breaks
    # ties, which keeps the swap argument valid: every swap moves a unit earlier in the scan).
    # Keep the T - 1 smallest unit prices seen so far; r is dropped when the largest of them is
    # <= w_r (then at least T - 1 units dominate r). O(K (log K + T)).
    need = T - 1
    small = np.full(max(need, 1), np.inf)  # ascending
    for r in np.argsort(-b):
        if need == 0 or small[need - 1] <= w[r]:
            keep[r] = False
        for _ in range(min(cap[r], need)):
            if w[r] >= small[need - 1]:
                break
            q_ = need - 1
            while q_ > 0 and small[q_ - 1] > w[r]:
                small[q_] = small[q_ - 1]
                q_ -= 1
            small[q_] = w[r]
    return keep


@njit
def price_all(V, p, logq, w, counts, allowed, node_limit, xbest, relax_only=False):
    """Minimise the per-target subproblem for every target.

    Returns ``(gmin (m,), glb (m,))``: the best value found and a proven lower bound on the minimum
    (equal unless the node limit was hit, then the continuous relaxation). Writes argmins to
    ``xbest`` (m, n), which must be zero on entry. A greedy start, a cardinality bound and unit
    dominance (see :func:`_useful_items`) shrink the branch and bound. ``relax_only``: skip the
    branch and bound; ``glb`` is then the continuous relaxation (a cheaper, weaker bound).
    """
    n, m = p.shape
    gmin = np.empty(m)
    glb = np.empty(m)
    for j in range(m):
        idx, b, ws, cap = _target_items(j, V, p, logq, w, counts, allowed, 0.0, False)
        K = idx.shape[0]
        xg = np.zeros(K, np.int64)
        best = _greedy_subproblem(V[j], b, ws, cap, xg)
        for r in range(K):
            xbest[j, idx[r]] = xg[r]
        if relax_only:
            gmin[j] = best
            si, sb, sw, sc = _sort_by_efficiency(idx, b, ws, cap)
            glb[j] = _relaxation(0, 0.0, 0.0, V[j], sb, sw, sc)
            continue
        sel = np.nonzero(_useful_items(b, ws, cap, best))[0]
        si, sb, sw, sc = _sort_by_efficiency(idx[sel], b[sel], ws[sel], cap[sel])
        out = np.zeros((1, sel.shape[0]), np.int64)
        val, status = subproblem_dfs(V[j], sb, sw, sc, best, out, node_limit)
        gmin[j] = val
        if status == 0:
            glb[j] = val
        else:
            # (own names: si must stay the order of `out`'s columns, written below)
            _, rb, rw, rc = _sort_by_efficiency(idx, b, ws, cap)
            glb[j] = _relaxation(0, 0.0, 0.0, V[j], rb, rw, rc)
        if val < best:
            for r in range(K):
                xbest[j, idx[r]] = 0
            for r in range(si.shape[0]):
                xbest[j, si[r]] = out[0, r]
    return gmin, glb


@njit
def _enumerate_dfs(V, b, w, cap, thr, node_limit, max_cols, write, ptr, items, cnts):
    """Depth-first enumeration of every x with g(x) <= thr (same bounding as subproblem_dfs).

    With ``write`` False only counts columns and non-zeros; otherwise stores column s as
    ``items[ptr[s]:ptr[s+1]]`` (positions in the item arrays) and ``cnts[...]`` (shots).
    Returns (columns, non-zeros, status): status 0 complete, 1 node limit, 2 more than max_cols.
    """
    K = b.shape[0]
    x = np.full(K, -1, np.int64)
    Bs = np.zeros(K + 1)
    Ws = np.zeros(K + 1)
    ncol = 0
    nnz = 0
    nodes = 0
    d = 0
    if write:
        ptr[0] = 0
    while d >= 0:
        if d == K:
            if V * math.exp(-Bs[K]) + Ws[K] <= thr:
                if ncol >= max_cols:
                    return ncol, nnz, 2
                for r in range(K):
                    if x[r] > 0:
                        if write:
                            items[nnz] = r
                            cnts[nnz] = x[r]
                        nnz += 1
                ncol += 1
                if write:
                    ptr[ncol] = nnz
            d -= 1
            continue
        if x[d] == -1:
            nodes += 1
            if nodes > node_limit:
                return ncol, nnz, 1
            if _relaxation(d, Bs[d], Ws[d], V, b, w, cap) > thr:
                d -= 1
                continue
            x[d] = cap[d] + 1
        x[d] -= 1
        if x[d] < 0:
            x[d] = -1
            d -= 1
            continue
        Bs[d + 1] = Bs[d] + b[d] * x[d]
        Ws[d + 1] = Ws[d] + w[d] * x[d]
        d += 1
    return ncol, nnz, 0


@njit
def enumerate_target(j, V, p, logq, w, counts, allowed, thr, slack, max_cols, node_limit):
    """All columns x of target j with g_j(x) <= thr, in sparse form.

    Returns ``(ptr, types, shots, status)``: column s fires ``shots[ptr[s]:ptr[s+1]]`` weapons of
    types ``types[ptr[s]:ptr[s+1]]``; status 0 = complete, 1 = node limit, 2 = too many columns.
    """
    idx, b, ws, cap = _target_items(j, V, p, logq, w, counts, allowed, slack)
    dummy_i = np.zeros(1, np.int64)
    ncol, nnz, status = _enumerate_dfs(V[j], b, ws, cap, thr, node_limit, max_cols, False,
                                       dummy_i, dummy_i, dummy_i)
    ptr = np.zeros(ncol + 1, np.int64)
    items = np.zeros(nnz, np.int64)
    shots = np.zeros(nnz, np.int64)
    if status != 0:
        return ptr, items, shots, status
    _enumerate_dfs(V[j], b, ws, cap, thr, node_limit, max_cols, True, ptr, items, shots)
    return ptr, idx[items], shots, status


@njit
def _on_path(level, v_end, t, ut, pred):
    """True if target t is the target of a unit on the path ending at unit v_end on ``level``."""
    v = v_end
    for lev in range(level, -1, -1):
        if ut[v] == t:
            return True
        if lev > 0:
            v = pred[lev, v]
    return False


@njit
def _units(x):
    """Type and target of every fired shot ("unit") of assignment ``x``, in row-major order."""
    n, m = x.shape
    U = 0
    for i in range(n):
        for j in range(m):
            U += x[i, j]
    ui = np.empty(U, np.int64)
    ut = np.empty(U, np.int64)
    u = 0
    for i in range(n):
        for j in range(m):
            for _ in range(x[i, j]):
                ui[u] = i
                ut[u] = j
                u += 1
    return ui, ut


@njit
def cyclic_exchange(q, allowed, x, E, max_len, tol):
    """Apply the most negative cyclic multi-exchange found (Ahuja et al. 2007, sec. 4.2).

    Improvement graph: a node per fired shot (unit a of type i(a) on target t(a)); the arc a -> b
    means "a moves to t(b), and b leaves t(b)", changing the surviving value of t(b) by
    ``c_ab = E_t(b) (q_i(a)t(b) / q_i(b)t(b) - 1)``. A cycle whose units sit on distinct targets
    changes F by the sum of its arc costs. Negative subset-disjoint cycles are searched with the
    label-correcting heuristic of Ahuja, Orlin & Sharma (one label per node and length, only
    negative partial paths extended, by the Lin-Kernighan rotation lemma). Length-2 cycles are
    the swaps. All negative cycles found are applied greedily (most negative first) as long as
    they touch disjoint targets. Returns the total change of F (<= 0; 0 if none below ``-tol``).
    """
    n, m = q.shape
    ui, ut = _units(x)
    U = ui.size
    K = max_len
    dist = np.full((K, U), np.inf)
    pred = np.full((K, U), -1, np.int64)
    start = np.empty((K, U), np.int64)
    for s in range(U):
        dist[0, s] = 0.0
        start[0, s] = s
    cand_val = np.empty(K * U)
    cand_k = np.empty(K * U, np.int64)
    cand_v = np.empty(K * U, np.int64)
    nc = 0
    for k in range(1, K):
        for a in range(U):
            da = dist[k - 1, a]
            if da == np.inf or (k > 1 and not da < 0.0):
                continue
            ia = ui[a]
            for b in range(U):
                tb = ut[b]
                if not allowed[ia, tb] or ui[b] == ia:
                    continue
                d = da + E[tb] * (q[ia, tb] / q[ui[b], tb] - 1.0)
                if d >= 0.0 or d >= dist[k, b]:
                    continue
                if _on_path(k - 1, a, tb, ut, pred):
                    continue
                dist[k, b] = d
                pred[k, b] = a
                start[k, b] = start[k - 1, a]
        # close the cycles: b moves into the target of the start unit
        for b in range(U):
            if dist[k, b] == np.inf:
                continue
            s = start[k, b]
            ts = ut[s]
            ib = ui[b]
            if not allowed[ib, ts]:
                continue
            tot = dist[k, b] + E[ts] * (q[ib, ts] / q[ui[s], ts] - 1.0)
            if tot < -tol:
                cand_val[nc] = tot
                cand_k[nc] = k
                cand_v[nc] = b
                nc += 1
    # apply the negative cycles, most negative first, as long as they touch disjoint targets
    # (their surviving-value changes are then independent and add up)
    order = np.argsort(cand_val[:nc])
    used = np.zeros(m, np.bool_)
    total = 0.0
    nodes = np.empty(K, np.int64)
    for c in order:
        k = cand_k[c]
        v = cand_v[c]
        ok = True
        for lev in range(k, -1, -1):
            nodes[lev] = v
            if used[ut[v]]:
                ok = False
            if lev > 0:
                v = pred[lev, v]
        if not ok:
            continue
        L = k + 1
        for r in range(L):
            used[ut[nodes[r]]] = True
        for r in range(L):
            a = nodes[r]
            b = nodes[(r + 1) % L]
            x[ui[a], ut[a]] -= 1
            x[ui[a], ut[b]] += 1
        total += cand_val[c]
    return total


@njit
def path_exchange(q, allowed, x, E, max_len, tol):
    """Apply the most negative path (ejection-chain) exchanges found (Ahuja et al. 2007, sec. 4.2).

    A path moves unit u_0 to a target T where nobody leaves, unit u_1 into the place u_0 left,
    ..., and leaves the target of the last unit u_k one shot short. Built backwards from T so that
    partial sums start negative: ``d_0(u) = min_T E_T (q_i(u)T - 1)``, arc u -> w (w moves into
    t(u), which u left) costs ``E_t(u) (q_i(w)t(u) / q_i(u)t(u) - 1)``, and closing at w adds
    ``E_t(w) (1 / q_i(w)t(w) - 1)``. Targets on a path are distinct. Same label-correcting search
    and disjoint application as :func:`cyclic_exchange`. Returns the total change of F.
    """
    n, m = q.shape
    ui, ut = _units(x)
    U = ui.size
    K = max_len
    dist = np.full((K, U), np.inf)
    pred = np.full((K, U), -1, np.int64)
    tgt = np.full((K, U), -1, np.int64)  # the free target T the path starts with
    for a in range(U):
        ia = ui[a]
        bestT = -1
        bestd = 0.0
        for T in range(m):
            if T != ut[a] and allowed[ia, T]:
                dd = E[T] * (q[ia, T] - 1.0)
                if dd < bestd:
                    bestd = dd
                    bestT = T
        if bestT >= 0:
            dist[0, a] = bestd
            tgt[0, a] = bestT
    cand_val = np.empty(K * U)
    cand_k = np.empty(K * U, np.int64)
    cand_v = np.empty(K * U, np.int64)
    nc = 0
    for k in range(K):
        if k > 0:
            for a in range(U):
                da = dist[k - 1, a]
                if not da < 0.0:
                    continue
                ta = ut[a]
                ia = ui[a]
                T0 = tgt[k - 1, a]
                for w in range(U):
                    iw = ui[w]
                    if iw == ia or not allowed[iw, ta]:
                        continue
                    dd = da + E[ta] * (q[iw, ta] / q[ia, ta] - 1.0)
                    if dd >= 0.0 or dd >= dist[k, w]:
                        continue
                    tw = ut[w]
                    if tw == T0 or _on_path(k - 1, a, tw, ut, pred):
                        continue
                    dist[k, w] = dd
                    pred[k, w] = a
                    tgt[k, w] = T0
        for w in range(U):
            if dist[k, w] == np.inf:
                continue
            tot = dist[k, w] + E[ut[w]] * (1.0 / q[ui[w], ut[w]] - 1.0)
            if tot < -tol:
                cand_val[nc] = tot
                cand_k[nc] = k
                cand_v[nc] = w
                nc += 1
    order = np.argsort(cand_val[:nc])
    used = np.zeros(m, np.bool_)
    total = 0.0
    nodes = np.empty(K, np.int64)
    for c in order:
        k = cand_k[c]
        v = cand_v[c]
        T0 = tgt[k, v]
        ok = not used[T0]
        for lev in range(k, -1, -1):
            nodes[lev] = v
            if used[ut[v]]:
                ok = False
            if lev > 0:
                v = pred[lev, v]
        if not ok:
            continue
        used[T0] = True
        for r in range(k + 1):
            used[ut[nodes[r]]] = True
        # nodes[0] moves to T0; nodes[r] moves into the target of nodes[r - 1]
        x[ui[nodes[0]], ut[nodes[0]]] -= 1
        x[ui[nodes[0]], T0] += 1
        for r in range(1, k + 1):
            x[ui[nodes[r]], ut[nodes[r]]] -= 1
            x[ui[nodes[r]], ut[nodes[r - 1]]] += 1
        total += cand_val[c]
    return total
