r"""The doctrine's intercept windows in one compiled pass: track prediction fused with the earliest-intercept
search, with a conservative skip over samples that cannot be in the envelope.

:meth:`iadsim.assignment.doctrine.Doctrine._windows_plain` predicts every distinct track on the whole grid
(:func:`iadsim.evaluation.predict.predict_positions`) and then searches each (fire unit, track) pair for its
earliest feasible sample (:func:`iadsim.engagement.envelope.earliest_intercepts_compiled`). This kernel gives
the same answer, bit for bit (tested against it), with less work:

* **Lazy prediction.** Each track's position at sample ``k`` is made when the search reaches ``k``, with the
  same operations as the plain prediction: ``r + v t_k`` for constant velocity, and for a ballistic track
  the compiled coast sampled in order (:func:`iadsim.threats.rocket.coast_sample`, as ``coast_grid``). A
  track's prediction stops as soon as each of its pairs has its window or has passed the track's ``t_end``.
* **Skipping samples that are provably out of the table.** When a sample fails the table's bounds, the
  kernel computes how long the threat needs at least to come back inside, and skips the samples before
  that, or drops the pair when it never can (a pair's tests are otherwise those of ``_earliest_kernel``, in
  the same order, so its result is unchanged). A point inside the table's box (ground range ``rho <=
  rho_top``, radial altitude ``h`` within the table's band) lies in the shell ``a_lo <= |q| <= a_hi`` and
  within the chord ``D_lim`` of the fire unit ``f``:
  ``|q - f|^2 = (a - b)^2 + 4 a b sin^2(theta / 2) <= max (a - b)^2 + a_hi b theta_top^2``, with ``a = |q| =
  R + h`` over the band, ``R`` the ellipsoid's radius within ``theta_top = rho_top / R_EARTH`` of the unit
  (``|dR/dpsi| <= 1.005 (a_e - b_e)`` per radian of geocentric latitude), ``b = |f|``. Then

  - *constant velocity*: ``|q(t) - f|^2`` and ``|q(t)|^2`` are quadratics in ``t``; the first time each can
    meet its bound is a root (none: the pair is dropped);
  - *coast*: for the distance ``d(t)`` to the unit (or ``|q(t)|``, the distance to the centre),
    ``d'' = (|v|^2 - d'^2) / d + a . u >= -G`` while ``d' <= 0`` (drag ``-k |v| v`` then pushes ``d`` up;
    gravity with J2, the centrifugal and the Coriolis terms stay under ``G = COAST_ACCEL`` while ``|v|``
    is under 10 km/s plus what G adds over 500 s), so ``d' >= min(d'_k, 0) - G tau`` and ``d(t_k + tau) >=
    d_k + min(d'_k, 0) tau - G tau^2 / 2``; below the shell, ``|q|`` grows at most at ``|v| <= |v_k| + G
    tau``. The skip is at most 500 s at a time;
  - *infeasible nodes*: inside the box but in a cell whose four nodes are not all feasible, the point must
    travel at least the gap (in ground range and altitude) to the nearest cell that is
    (:func:`cell_distances`), and ``(rho, h)`` moves at most ``CELL_RATE |v|`` (``|grad rho| = R_EARTH /
    |q|`` across the line of sight, ``|grad h|`` radial plus the ellipsoid's slope) while ``|q| >=
    CELL_MIN_RADIUS``, to which the skip is limited;
  - *outside the table, inside the box* (the box's bounds are loose near its edges: a threat just beyond
    the table's largest ground range): the same rate bound on the gap from ``(rho, h)`` to the table's
    rectangle, the largest of ``rho - rho_max``, ``rho0 - rho``, ``h0 - h`` and ``h - h_max`` (each at most
    the distance to it); the skip is the larger of this and the box's.

  A constant-velocity track jumps straight to the first sample one of its pairs waits for; a coast is
  still sampled in order through every sample (:func:`iadsim.threats.rocket.coast_sample`: its bits depend
  on the steps).

  Margins of a metre on every bound keep the arithmetic's rounding on the safe side. A sample the kernel
  skips is one the plain search rejects at its first test, so windows, launch times and PIPs are identical.

References: the window tests and the earliest-intercept rule of :mod:`iadsim.engagement.envelope`; the
prediction models of :mod:`iadsim.evaluation.predict`.
"""

from __future__ import annotations

import math

import numpy as np

from iadsim._numba import njit
from iadsim.engagement.envelope import _AE, _BE, NH, NR, InterceptWindow, _bilinear, _fcr_sees, _range_alt
from iadsim.frames import R_EARTH
from iadsim.threats import rocket as rk

#: bound (m/s^2) on the acceleration of a coasting state other than drag: gravity (<= 9.85 m/s^2 with J2),
#: the centrifugal (<= 0.034) and the Coriolis term (2 Omega |v| <= 2.5 m/s^2 for |v| <= 17 km/s), with margin
COAST_ACCEL = 14.0
#: speed (m/s) up to which the coast bounds are used, and the longest skip (s) they allow at once (then |v|
#: stays below 10 km/s + COAST_ACCEL * 500 s = 17 km/s)
COAST_MAX_SPEED = 10_000.0
MAX_SKIP = 500.0
#: bound on the rate of (ground range, radial altitude) per unit speed while |q| >= CELL_MIN_RADIUS:
#: sqrt((R_EARTH / |q|)^2 + eps + eps^2) = 1.007 with eps = 1.005 (a_e - b_e) / |q|, with margin
CELL_RATE = 1.02
CELL_MIN_RADIUS = 6.34e6
#: metres added to every skip bound for rounding
MARGIN = 1.0
#: bound on |dR/dpsi| / (a - b) of the ellipsoid's radius R against geocentric latitude psi: a (a + b) / (2 b^2)
#: = 1.005, with margin
ELLIPSOID_SLOPE = 1.01


def skip_bounds(env, typ, pos):
    """Per fire unit ``(F,)`` arrays the skip needs (module docstring): ``d_lim`` the chord (m) from the
    unit's position ``pos (F, 3)`` beyond which no point lies inside its table ``typ (F,)``, and the shell
    ``a_lo <= |q| <= a_hi`` (m from the earth's centre) that holds every point inside it."""
    typ = np.asarray(typ, np.int64)
    rho_top = env.rho0[typ] + env.drho[typ] * (NR - 1) + MARGIN
    h_lo = env.h0[typ] - MARGIN
    h_hi = env.h0[typ] + env.dh[typ] * (NH - 1) + MARGIN
    pos = np.asarray(pos, float)
    b = np.linalg.norm(pos, axis=1)
    theta = np.minimum(rho_top / R_EARTH, np.pi)
    # the ellipsoid's radius within angle theta of the unit: |dR/dpsi| <= 1.005 (a - b) per radian
    s2 = pos[:, 2] ** 2 / b ** 2
    r_f = _AE * _BE / np.sqrt(_BE * _BE * (1.0 - s2) + _AE * _AE * s2)
    spread = ELLIPSOID_SLOPE * (_AE - _BE) * theta + MARGIN
    a_lo = np.maximum(r_f - spread, _BE) + h_lo
    a_hi = np.minimum(r_f + spread, _AE) + h_hi
    d2 = np.maximum((a_lo - b) ** 2, (a_hi - b) ** 2) + np.maximum(a_hi, 0.0) * b * theta ** 2
    return np.sqrt(d2) * (1.0 + 1e-9) + MARGIN, a_lo - MARGIN, a_hi + MARGIN


@njit
def _travel_time(e, v, accel):
    """Shortest time for a distance that starts shrinking at rate ``v >= 0``, the rate growing at most at
    ``accel``, to shrink by ``e`` (``e = v tau + accel tau^2 / 2``); inf if it cannot shrink."""
    if e <= 0.0:
        return 0.0
    den = v + math.sqrt(v * v + 2.0 * accel * e)
    if den <= 0.0:
        return math.inf
    return 2.0 * e / den


@njit
def _entry_time(c0, c1, c2, lim2, inside_below):
    """First ``tau >= 0`` at which the quadratic ``c0 + c1 tau + c2 tau^2`` (``c2 >= 0``, a squared distance
    along a straight line) is ``<= lim2`` (``inside_below``) or ``>= lim2``; inf if never. Shortened by a
    relative 1e-9 and a microsecond for rounding."""
    g = c0 - lim2
    if inside_below:
        if g <= 0.0:
            return 0.0
        if c2 <= 0.0:
            return g / -c1 * (1.0 - 1e-9) - 1e-6 if c1 < 0.0 else math.inf
        disc = c1 * c1 - 4.0 * c2 * g
        if disc < 0.0 or c1 >= 0.0:
            return math.inf  # never reaches the bound, or only before now
        root = 2.0 * g / (-c1 + math.sqrt(disc))  # the smaller positive root, stable form
    else:
        if g >= 0.0:
            return 0.0
        if c2 <= 0.0:
            return g / -c1 * (1.0 - 1e-9) - 1e-6 if c1 > 0.0 else math.inf
        disc = c1 * c1 - 4.0 * c2 * g  # > 0: g < 0
        sq = math.sqrt(disc)  # the larger root, in the form without cancellation
        root = -2.0 * g / (c1 + sq) if c1 > 0.0 else (-c1 + sq) / (2.0 * c2)
    return max(root * (1.0 - 1e-9) - 1e-6, 0.0)


@njit
def _wait(q, v, f, d_lim, a_lo, a_hi, coast):
    """Time (s) during which the predicted path from ``q`` at velocity ``v`` cannot enter the table's box
    of the fire unit at ``f`` (module docstring); inf if never (constant velocity)."""
    dx, dy, dz = q[0] - f[0], q[1] - f[1], q[2] - f[2]
    d2 = dx * dx + dy * dy + dz * dz
    r2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2]
    vv = v[0] * v[0] + v[1] * v[1] + v[2] * v[2]
    if not coast:
        w = _entry_time(d2, 2.0 * (dx * v[0] + dy * v[1] + dz * v[2]), vv, d_lim * d_lim, True)
        b = 2.0 * (q[0] * v[0] + q[1] * v[1] + q[2] * v[2])
        if r2 > a_hi * a_hi:
            w = max(w, _entry_time(r2, b, vv, a_hi * a_hi, True))
        elif r2 < a_lo * a_lo:
            w = max(w, _entry_time(r2, b, vv, a_lo * a_lo, False))
        return w
    sp = math.sqrt(vv)
    if sp > COAST_MAX_SPEED:
        return 0.0
    w = 0.0
    d = math.sqrt(d2)
    if d > d_lim:
        rate = (dx * v[0] + dy * v[1] + dz * v[2]) / d
        w = _travel_time(d - d_lim, max(-rate, 0.0), COAST_ACCEL)
    r = math.sqrt(r2)
    if r > a_hi:
        rate = (q[0] * v[0] + q[1] * v[1] + q[2] * v[2]) / r
        w = max(w, _travel_time(r - a_hi, max(-rate, 0.0), COAST_ACCEL))
    elif r < a_lo:
        w = max(w, _travel_time(a_lo - r, sp, COAST_ACCEL))
    return min(w, MAX_SKIP)


@njit
def _cell_wait(dist, qn, speed, coast):
    """Time (s) a path at ``|q| = qn`` and speed ``speed`` needs at least to cover ``dist`` metres in
    (ground range, altitude), at most ``CELL_RATE`` times its speed while ``|q| >= CELL_MIN_RADIUS`` (the
    skip is limited to that); inf when ``dist`` is (no feasible cell at all) and the path is straight."""
    if dist <= MARGIN:
        return 0.0
    if dist == math.inf:
        return math.inf
    accel = COAST_ACCEL if coast else 0.0
    w = min(_travel_time(dist / CELL_RATE - MARGIN, speed, accel),
            _travel_time(qn - CELL_MIN_RADIUS, speed, accel))
    return min(w, MAX_SKIP) if coast else w


_CELLS: dict[int, tuple] = {}


def cell_distances(env) -> np.ndarray:
    """``(T, NR - 1, NH - 1)``: for each cell of each table, the distance (m, in ground range and radial
    altitude) from the cell to the nearest cell whose four nodes are feasible (the only cells where the
    window test can pass): the gap between the two rectangles; 0 for those cells and their neighbours,
    inf when a table has none. Kept per table (tables are shared, :func:`~iadsim.engagement.envelope.
    envelope_table`)."""
    out = np.zeros((len(env.tables), NR - 1, NH - 1))
    for t, table in enumerate(env.tables):
        hit = _CELLS.get(id(table))
        if hit is not None and hit[0] is table:
            out[t] = hit[1]
            continue
        ok = env.ok[t]
        cell_ok = ok[:-1, :-1] & ok[1:, :-1] & ok[:-1, 1:] & ok[1:, 1:]
        good_i, good_j = np.nonzero(cell_ok)
        if good_i.size == 0:
            out[t] = np.inf
        else:
            gap_j = np.maximum(np.abs(np.arange(NH - 1)[:, None] - good_j) - 1, 0) * env.dh[t]
            for i in range(NR - 1):
                gap_i = np.maximum(np.abs(i - good_i) - 1, 0) * env.drho[t]
                out[t, i] = np.sqrt(gap_i ** 2 + gap_j ** 2).min(axis=1)
        _CELLS[id(table)] = (table, out[t].copy())
    return out


@njit
def _defer(p, T, wait, next_off, done, counts) -> int:
    """Put pair ``p`` off to the offset ``T + wait`` (a skip bound's ``wait`` > 0); returns 1 when the pair is
    dropped for good (``wait`` infinite), else 0."""
    if wait > 0.0:
        counts[1] += 1
        next_off[p] = T + wait
        if wait == math.inf:
            done[p] = True
            return 1
    return 0


@njit
def _windows_kernel(pf, pm, x, ball, t_end, now, offsets, beta, dt_exo, grav, rot,
                    typ_f, pos_f, reaction_f, a_need_fc, cls, min_closing_f, d_lim_f, a_lo_f, a_hi_f,
                    rho0, drho, h0, dh, TOF, SPD, ACC, OK, CELL,
                    use_f, fcr_pos_f, fcr_C_f, fcr_rmax_f, fcr_azc_f, fcr_azh_f, fcr_elmin_f, fcr_elmax_f, fcr_k_f,
                    feasible, k_best, tof_best, spd_best, acc_best, pip, counts):
    NRk, NHk = TOF.shape[1], TOF.shape[2]
    n_pairs = pf.size
    M = x.shape[0]
    K = offsets.size
    # the pairs of each track (counting sort, pair order kept)
    start = np.zeros(M + 1, np.int64)
    for p in range(n_pairs):
        start[pm[p] + 1] += 1
    for m in range(M):
        start[m + 1] += start[m]
    fill = start[:M].copy()
    order = np.empty(n_pairs, np.int64)
    for p in range(n_pairs):
        order[fill[pm[p]]] = p
        fill[pm[p]] += 1
    done = np.zeros(n_pairs, np.bool_)
    next_off = np.full(n_pairs, -math.inf)
    # coast work arrays (as in rocket.coast_grid)
    P = np.zeros((1, rk.NP))
    P[0, rk.C_TC] = -1.0
    P[0, rk.C_QB] = math.inf
    S = np.zeros((1, rk.MAX_STAGES, 4))
    aL = np.zeros(3)
    y0 = np.empty(7)
    y1 = np.empty(7)
    tt = np.empty(3)
    imp = np.empty(3)
    qv = np.empty(6)  # the predicted position q and velocity vq, views of one array coast_sample writes
    q = qv[0:3]
    vq = qv[3:6]
    k1, k2, k3, k4, tmp = np.empty(7), np.empty(7), np.empty(7), np.empty(7), np.empty(7)
    for p in range(n_pairs):
        feasible[p] = False
        k_best[p] = 0
    for m in range(M):
        a0, a1 = start[m], start[m + 1]
        if a0 == a1:
            continue
        left = a1 - a0
        is_ball = ball[m]
        if is_ball:
            rk.coast_start(x[m, :3], x[m, 3:6], beta, P, y1, tt)
        vx, vy, vz = x[m, 3], x[m, 4], x[m, 5]
        vq[0], vq[1], vq[2] = vx, vy, vz
        k = -1
        while k < K - 1:
            k += 1
            T = offsets[k]
            tk = now + T
            if tk >= t_end[m]:
                break  # samples ascend: every later one is too late for every pair of the track
            counts[2] += 1
            if is_ball:
                counts[3] += 1
                rk.coast_sample(y0, y1, tt, imp, T, beta, dt_exo, grav, rot, P, S, aL, k1, k2, k3, k4, tmp, qv)
            else:
                q[0], q[1], q[2] = x[m, 0] + vx * T, x[m, 1] + vy * T, x[m, 2] + vz * T
            qn = math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2])
            speed = math.sqrt(vq[0] * vq[0] + vq[1] * vq[1] + vq[2] * vq[2])
            for jj in range(a0, a1):
                p = order[jj]
                if done[p] or T < next_off[p]:
                    continue
                counts[0] += 1
                fu = pf[p]
                ty = typ_f[fu]
                f = pos_f[fu]
                fn = math.sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2])
                _, rho, h = _range_alt(q, f, fn)
                fi = (rho - rho0[ty]) / drho[ty]
                fj = (h - h0[ty]) / dh[ty]
                if fi < 0.0 or fi > NRk - 1 or fj < -1e-9 or fj > NHk - 1 + 1e-9:
                    # the box's bound, or the gap in (ground range, altitude) to the table's rectangle
                    gap = max(rho - rho0[ty] - drho[ty] * (NRk - 1), rho0[ty] - rho, h0[ty] - h,
                              h - h0[ty] - dh[ty] * (NHk - 1))
                    wait = max(_wait(q, vq, f, d_lim_f[fu], a_lo_f[fu], a_hi_f[fu], is_ball),
                               _cell_wait(gap, qn, speed, is_ball))
                    left -= _defer(p, T, wait, next_off, done, counts)
                    continue
                i = min(int(math.floor(fi)), NRk - 2)
                j = min(max(int(math.floor(fj)), 0), NHk - 2)
                if not (OK[ty, i, j] and OK[ty, i + 1, j] and OK[ty, i, j + 1] and OK[ty, i + 1, j + 1]):
                    # no feasible cell within CELL (m in ground range and altitude) of this one
                    left -= _defer(p, T, _cell_wait(CELL[ty, i, j], qn, speed, is_ball), next_off, done, counts)
                    continue
                wi = min(max(fi - i, 0.0), 1.0)
                wj = min(max(fj - j, 0.0), 1.0)
                w00, w01, w10, w11 = (1 - wi) * (1 - wj), (1 - wi) * wj, wi * (1 - wj), wi * wj
                tof = _bilinear(TOF, ty, i, j, w00, w01, w10, w11)
                if now + reaction_f[fu] + tof > tk:
                    continue
                spd = _bilinear(SPD, ty, i, j, w00, w01, w10, w11)
                acc = _bilinear(ACC, ty, i, j, w00, w01, w10, w11)
                dx, dy, dz = q[0] - f[0], q[1] - f[1], q[2] - f[2]
                dn = max(math.sqrt(dx * dx + dy * dy + dz * dz), 1e-9)
                vc = spd - (dx * vx + dy * vy + dz * vz) / dn
                if vc < min_closing_f[fu] or acc < a_need_fc[fu, cls[m]]:
                    continue
                if use_f[fu] and not _fcr_sees(q, fcr_pos_f[fu], fcr_C_f[fu], fcr_rmax_f[fu], fcr_azc_f[fu],
                                                fcr_azh_f[fu], fcr_elmin_f[fu], fcr_elmax_f[fu], fcr_k_f[fu]):
                    continue
                feasible[p] = True
                k_best[p] = k
                tof_best[p] = tof
                spd_best[p] = spd
                acc_best[p] = acc
                pip[p, 0], pip[p, 1], pip[p, 2] = q[0], q[1], q[2]
                done[p] = True
                left -= 1
            if left == 0:
                break
            # every pair left waits past the grid or the deadline: nothing more to test for this track
            wake = math.inf
            for jj in range(a0, a1):
                p = order[jj]
                if not done[p]:
                    wake = min(wake, next_off[p])
            if wake > offsets[K - 1] or now + wake >= t_end[m]:
                break
            if not is_ball:  # a straight line needs no stepping: go to the first sample a pair waits for
                while k + 1 < K and offsets[k + 1] < wake:
                    k += 1


@njit
def _candidate_kernel(x, cls, eligible, value, shots, later, pos, r_max, P_salvo, horizon, pf, pm):
    F, M = pos.shape[0], x.shape[0]
    n = 0
    for f in range(F):
        if not (shots[f] > 0 or later[f] > 0):
            continue
        for m in range(M):
            if not (eligible[m] and value[m] > 0):
                continue
            dx, dy, dz = x[m, 0] - pos[f, 0], x[m, 1] - pos[f, 1], x[m, 2] - pos[f, 2]
            dist = math.sqrt(dx * dx + dy * dy + dz * dz)
            speed = math.sqrt(x[m, 3] * x[m, 3] + x[m, 4] * x[m, 4] + x[m, 5] * x[m, 5])
            if dist <= r_max[f] + speed * horizon and P_salvo[f, cls[m]] > 0:
                pf[n] = f
                pm[n] = m
                n += 1
    return n


def candidate_pairs(x, cls, eligible, value, shots, later, pos, r_max, P_salvo, horizon):
    """The doctrine's pre-gate in one compiled pass: the (fire unit, track) pairs ``pf, pm`` (unit-major) of
    units with a shot now or later (``shots, later (F,)``) and eligible tracks of positive ``value`` whose
    threat could come within the unit's largest range ``r_max (F,)`` within ``horizon`` seconds at its
    speed, ``|r - pos| <= r_max + |v| horizon``, with a positive planned kill probability ``P_salvo (F,
    n_classes)`` against its class; the operations (and so the pairs) of the numpy form it replaced."""
    n_max = pos.shape[0] * x.shape[0]
    pf = np.empty(n_max, np.int64)
    pm = np.empty(n_max, np.int64)
    n = _candidate_kernel(np.ascontiguousarray(x, float), cls, eligible, value, shots, later, pos, r_max,
                          np.ascontiguousarray(P_salvo, float), float(horizon), pf, pm)
    return pf[:n], pm[:n]


def window_arrays(fu) -> tuple:
    """The kernel's per-fire-unit arguments of the doctrine's
    :class:`~iadsim.assignment.doctrine.FireUnitKinematics` ``fu`` (made once per doctrine): kinematics,
    skip bounds (:func:`skip_bounds`), envelope tables and fire-control coverage."""
    env = fu.env
    F = fu.pos.shape[0]
    f64 = lambda a: np.ascontiguousarray(a, float)  # noqa: E731
    typ = np.ascontiguousarray(fu.typ, np.int64)
    d_lim, a_lo, a_hi = skip_bounds(env, typ, fu.pos)
    k = np.full(F, 4.0 / 3.0) if fu.fcr_k is None else f64(fu.fcr_k)
    return (typ, f64(fu.pos), f64(fu.reaction), f64(fu.a_need), f64(fu.min_closing), d_lim, a_lo, a_hi,
            env.rho0, env.drho, env.h0, env.dh, env.tof, env.speed, env.accel, env.ok, cell_distances(env),
            np.ascontiguousarray(fu.has_fcr, np.bool_), f64(fu.fcr_pos), f64(fu.fcr_C), f64(fu.fcr_rmax),
            f64(fu.fcr_az_center), f64(fu.fcr_az_half), f64(fu.fcr_el_min), f64(fu.fcr_el_max), k)


def fused_windows(arrays, now, x, cls, t_end, pf, pm, offsets, beta, counts=None) -> InterceptWindow:
    """Earliest feasible intercepts of the pairs ``pf, pm (P,)`` (fire unit, track row) on the grid ``now +
    offsets (K,)``, for the tracks ``x (M, >=6)`` of class ``cls (M,)`` (0 ballistic, predicted with the
    ballistic coefficient ``beta``) and their deadlines ``t_end (M,)`` (module docstring). ``arrays``: the
    doctrine's :func:`window_arrays`; ``counts (4,)`` int64, if given, gets the pair-samples tested, the
    skips taken, the track-samples predicted and of them the ballistic ones added (diagnostics). The same windows as
    :meth:`~iadsim.assignment.doctrine.Doctrine._windows_plain`."""
    n = pf.size
    feasible = np.zeros(n, bool)
    k_best = np.zeros(n, np.int64)
    tof = np.zeros(n)
    spd = np.zeros(n)
    acc = np.zeros(n)
    pip = np.zeros((n, 3))
    counts = np.zeros(4, np.int64) if counts is None else counts
    cls = np.asarray(cls, np.int64)
    (typ, pos, reaction, a_need, min_closing, d_lim, a_lo, a_hi, rho0, drho, h0, dh, TOF, SPD, ACC, OK, CELL,
     use, fcr_pos, fcr_C, fcr_rmax, fcr_azc, fcr_azh, fcr_elmin, fcr_elmax, fcr_k) = arrays
    _windows_kernel(np.asarray(pf, np.int64), np.asarray(pm, np.int64), np.ascontiguousarray(x[:, :6], float),
                    cls == 0, np.asarray(t_end, float), float(now), np.asarray(offsets, float), float(beta),
                    rk.DT_EXO_PREDICT, rk.J2, True, typ, pos, reaction, a_need, cls, min_closing, d_lim, a_lo, a_hi,
                    rho0, drho, h0, dh, TOF, SPD, ACC, OK, CELL, use, fcr_pos, fcr_C, fcr_rmax, fcr_azc, fcr_azh,
                    fcr_elmin, fcr_elmax, fcr_k, feasible, k_best, tof, spd, acc, pip, counts)
    t_int = now + np.asarray(offsets, float)[k_best]
    return InterceptWindow(feasible=feasible, t_intercept=t_int, t_launch=t_int - tof, pip=pip, speed=spd,
                           accel=acc)
