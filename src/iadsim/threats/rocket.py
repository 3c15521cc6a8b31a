r"""Ballistic missiles as they fly: boost, gravity turn, cut-off, coast through the atmosphere, re-entry.

One compiled kernel (:func:`fly`) integrates every object of a raid at once: the missiles themselves
from the launch pad, the spent stages they drop, the decoys they release. It is a 3-DOF point mass in
the rotating WGS-84 (ECEF) frame on the project's shared physics (:mod:`iadsim.physics`):

    dr/dt = v
    dv/dt = g_J2(r) - 2 Omega x v - Omega x (Omega x r) + (T / m) u_T - D / m u_v + a_L
    dm/dt = -T / (Isp g0)

* **Gravity and rotation**: WGS-84 J2 gravity with the Coriolis and centrifugal terms
  (:func:`iadsim.physics.gravity.gravity_scalar`); integrating in ECEF with these terms is the same
  motion as integrating in the inertial frame (Vallado, *Fundamentals of Astrodynamics and Applications*,
  4th ed., sect. 3.7 and 8.6). The air rotates with the earth, so drag acts on the ECEF velocity.
* **Thrust**: one or two stages of constant thrust ``T_k = mdot_k Isp_k g0`` for ``burn_time_k`` (Sutton
  & Biblarz, *Rocket Propulsion Elements*, 9th ed., eq. 2-5); a stage's dry mass is dropped when it burns
  out. Guidance may cut the thrust off early (thrust termination at ``t_c``), which is how a missile with
  fixed propellant flies to a shorter range (the Scud's guidance cuts its engine at the computed speed;
  Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed., ch. 13).
* **Pitch programme: vertical rise and gravity turn.** The thrust points along the local vertical until
  ``t_v``, then for the pitch-over ``t_po`` it is tilted by the kick angle ``delta`` toward the launch
  azimuth; after that it points along the velocity (a zero-lift gravity turn: gravity alone turns the
  trajectory; Wiesel, *Spaceflight Dynamics*, 3rd ed., sect. 6.4; Zarchan ch. 13).
* **Drag**: during boost ``D / m = rho |v|^2 (C_D A) / (2 m)``; after cut-off each object has its own
  ballistic coefficient ``beta = m / (C_D A)`` (kg/m^2), ``D / m = rho |v|^2 / (2 beta)`` (Regan &
  Anandakrishnan, *Dynamics of Atmospheric Re-Entry*, AIAA 1993, ch. 5; Zarchan ch. 14), with the US
  Standard Atmosphere 1976 density (:mod:`iadsim.physics.atmosphere`). A light decoy decelerates high up
  and far more than the heavy re-entry vehicle: the atmosphere discriminates them.
* **Break-up**: an object with a finite ``breakup_pressure`` ends when the dynamic pressure
  ``q = rho |v|^2 / 2`` exceeds it (a balloon or light replica decoy is stripped away on re-entry).
* **Manoeuvring re-entry vehicle (MaRV)**: below ``start_altitude`` on the way down the vehicle flies a
  lateral acceleration ``a_L`` perpendicular to its velocity and bounded by ``g_limit``: proportional
  navigation toward its aim point, ``a = N V_c (omega x u_LOS)`` with ``omega = r x v / |r|^2`` of the
  aim relative to the vehicle (Zarchan ch. 2; N = 3), plus, for ``weave``, a sinusoidal lateral term of
  period ``period`` and amplitude ``0.6 g_limit`` that fades out over the last ``period`` before impact;
  for ``pull_up_dive``, a pull-up at ``g_limit`` in the vertical plane until the flight-path angle has
  risen to ``-pull_up_angle``, then the proportional-navigation dive.

Integration: classical RK4 on steps that end on every event (vertical-rise end, pitch-over end, stage
burn-outs, cut-off) and on the output sample times, the phase held over each step; 0.1 s while powered or
manoeuvring, otherwise a tenth of the drag time constant ``tau = 2 beta / (rho |v|)`` kept between
``dt_atm`` (0.05 s) and ``dt_exo`` (2 s): 2 s in vacuum and for a heavy re-entry vehicle down to low
altitude, shorter for a light decoy deep in the air (RK4's error per step grows as ``(dt / tau)^5``). A
``dt_exo`` above ``DT_EXO`` (the command post's predictions, ``DT_EXO_PREDICT``) is taken only where the drag
is below ``A_VACUUM`` at the step's start and at the altitude the current descent rate would reach by its end
(a check, not a bound: gravity's extra descent over the step is not counted).
The ground crossing (radial height through the aim point's altitude while descending)
is found by bisection on the cubic Hermite interpolant of the last step, as in
:func:`iadsim.threats.ballistic.propagate_ballistic`. With no thrust phase, no drag, no rotation and
point-mass gravity the kernel integrates the same vacuum Kepler arc as that function (tested).

The shot that lands on the aim point is solved by :func:`solve_shots` (shooting on the azimuth, the kick
angle and the cut-off time).
"""

from __future__ import annotations

import math
import threading

import numpy as np

from iadsim._numba import njit, prange_or_range
from iadsim.frames import enu_rotation, geodetic2ecef
from iadsim.physics.atmosphere import us1976_scalar
from iadsim.physics.ellipsoid import radial_altitude_scalar
from iadsim.physics.gravity import G0, J2, gravity_scalar

__all__ = ["ObjectParams", "fly", "solve_shots", "END_GROUND", "END_BREAKUP", "END_TIMEOUT"]

END_TIMEOUT, END_GROUND, END_BREAKUP = 0, 1, 2

# columns of the per-object parameter matrix P (n, NP)
(C_POWERED, C_M0, C_TV, C_TPO, C_KICK, C_AZX, C_AZY, C_AZZ, C_TC, C_CDA, C_BETA, C_MAN, C_MH, C_MG,
 C_MP, C_AIMX, C_AIMY, C_AIMZ, C_QB, C_STOP, C_NAV) = range(21)
NP = 21
#: stage table per object (n, 2, 4): thrust (N), cumulative end time (s), mass flow (kg/s), mass dropped at end
MAX_STAGES = 2
MAN_NONE, MAN_WEAVE, MAN_PULLUP = 0, 1, 2
DT_BOOST, DT_MAN = 0.1, 0.1
DT_ATM, DT_EXO = 0.05, 2.0
#: the longest coast step (s) of the command post's predictions from track states (the impact points of
#: :func:`iadsim.evaluation.predict.predict_impact_drag`, the intercept windows' and the PIPs' coasts through
#: :func:`coast_sample`, their compiled forms), taken where the drag is
#: below ``A_VACUUM`` at the step's start and at the altitude a descent would reach by its end (elsewhere
#: ``DT_EXO`` and the drag rule hold as for every flight). In vacuum RK4's local error is of order
#: ``r (omega h)^5``, ``omega = sqrt(GM / r^3)`` ~ 1.2e-3 rad/s near the earth: about 2 mm per 10 s step. The
#: impact points move by under 1 mm from the 2 s step's (6e-5 m at most in the tests' states) and agree with
#: an independent ``solve_ivp`` within 0.2 m (``tests/evaluation/test_predict_step.py``), against track errors
#: of tens of metres; the
#: threats' own flights keep ``DT_EXO`` (and their steps end on the samples)
DT_EXO_PREDICT = 10.0
#: drag acceleration (m/s^2, about 1e-5 g) below which a coast step may be longer than ``DT_EXO``
A_VACUUM = 1e-4
#: drag acceleration (m/s^2, about 0.1 g) above which :func:`coast_sample` shortens its steps to land on the
#: samples (below it, a sample is read on its step's Hermite cubic)
A_LAND = 1.0
#: from this many objects on, :func:`_run` integrates them on numba's threads (:func:`fly_parallel`)
PARALLEL_ROWS = 16
#: :func:`solve_shots`: from this many missiles on, only ``N_REFERENCE`` of them (at the quantiles of their
#: ground range) start from the kick scan, the others from the references' solutions (continuation in range)
CONTINUATION_MIN, N_REFERENCE = 8, 4

prange = prange_or_range()


@njit
def _thrust(S, i, t, tc):
    """Thrust and mass flow of object ``i`` at time ``t`` since its launch (0 after cut-off ``tc``)."""
    if t >= tc:
        return 0.0, 0.0
    for k in range(S.shape[1]):
        if t < S[i, k, 1]:
            return S[i, k, 0], S[i, k, 2]
    return 0.0, 0.0


@njit
def _lateral(y, t, i, P, man_state, out):
    """MaRV lateral acceleration (module docstring) into ``out (3,)``; ``man_state[i]``: 0 off,
    1 pull-up, 2 homing; ``man_state[i, 1]``: time the manoeuvre began."""
    out[0] = out[1] = out[2] = 0.0
    ph = man_state[i, 0]
    if ph == 0.0:
        return
    x, yy, z, vx, vy, vz = y[0], y[1], y[2], y[3], y[4], y[5]
    sp = math.sqrt(vx * vx + vy * vy + vz * vz)
    if sp < 1.0:
        return
    glim = P[i, C_MG]
    rn = math.sqrt(x * x + yy * yy + z * z)
    ux, uy, uz = x / rn, yy / rn, z / rn
    if ph == 1.0:
        # pull-up: the unit vector perpendicular to v in the vertical plane, pointing up
        vu = (vx * ux + vy * uy + vz * uz) / sp
        px, py, pz = ux - vu * vx / sp, uy - vu * vy / sp, uz - vu * vz / sp
        pn = math.sqrt(px * px + py * py + pz * pz)
        if pn > 1e-9:
            out[0], out[1], out[2] = glim * px / pn, glim * py / pn, glim * pz / pn
        return
    # proportional navigation toward the aim point (fixed in ECEF)
    rx, ry, rz = P[i, C_AIMX] - x, P[i, C_AIMY] - yy, P[i, C_AIMZ] - z
    wx, wy, wz = -vx, -vy, -vz
    r2 = rx * rx + ry * ry + rz * rz
    r = math.sqrt(r2)
    if r < 1.0:
        return
    ox, oy, oz = (ry * wz - rz * wy) / r2, (rz * wx - rx * wz) / r2, (rx * wy - ry * wx) / r2
    vc = -(rx * wx + ry * wy + rz * wz) / r
    lx, ly, lz = rx / r, ry / r, rz / r
    nav = P[i, C_NAV]
    ax = nav * vc * (oy * lz - oz * ly)
    ay = nav * vc * (oz * lx - ox * lz)
    az = nav * vc * (ox * ly - oy * lx)
    if P[i, C_MAN] == MAN_WEAVE:
        tgo = r / max(vc, 1.0)
        fade = min(1.0, tgo / P[i, C_MP])
        amp = 0.6 * glim * fade * math.sin(2.0 * math.pi * (t - man_state[i, 1]) / P[i, C_MP])
        # lateral unit vector: v x up
        ex, ey, ez = vy * uz - vz * uy, vz * ux - vx * uz, vx * uy - vy * ux
        en = math.sqrt(ex * ex + ey * ey + ez * ez)
        if en > 1e-9:
            ax += amp * ex / en
            ay += amp * ey / en
            az += amp * ez / en
    # perpendicular to v, limited to g_limit
    av = (ax * vx + ay * vy + az * vz) / (sp * sp)
    ax, ay, az = ax - av * vx, ay - av * vy, az - av * vz
    an = math.sqrt(ax * ax + ay * ay + az * az)
    if an > glim:
        ax, ay, az = ax * glim / an, ay * glim / an, az * glim / an
    out[0], out[1], out[2] = ax, ay, az


@njit
def _deriv(y, t, i, P, S, aL, grav, rot, dy):
    # ``t`` is the step's mid-time: steps end on every event, so one phase (thrust, pitch programme) holds
    # over the whole step
    x, yy, z, vx, vy, vz, m = y[0], y[1], y[2], y[3], y[4], y[5], y[6]
    sp = math.sqrt(vx * vx + vy * vy + vz * vz)
    h = radial_altitude_scalar(x, yy, z)
    rho, _ = us1976_scalar(h)
    thrust, mdot = 0.0, 0.0
    if P[i, C_POWERED] > 0.0:
        thrust, mdot = _thrust(S, i, t, P[i, C_TC])
    if thrust > 0.0:
        kd = 0.5 * rho * sp * P[i, C_CDA] / m
        if t < P[i, C_TPO]:
            rn = math.sqrt(x * x + yy * yy + z * z)
            ux, uy, uz = x / rn, yy / rn, z / rn
            if t >= P[i, C_TV]:
                c, s = math.cos(P[i, C_KICK]), math.sin(P[i, C_KICK])
                ux, uy, uz = c * ux + s * P[i, C_AZX], c * uy + s * P[i, C_AZY], c * uz + s * P[i, C_AZZ]
        else:
            ux, uy, uz = vx / sp, vy / sp, vz / sp
        at = thrust / m
        ax, ay, az = at * ux - kd * vx, at * uy - kd * vy, at * uz - kd * vz
    else:  # coasting (mdot is 0): drag on the ballistic coefficient and the commanded lateral acceleration
        _deriv_coast(y, rho, i, P, aL, grav, rot, dy)
        return
    gx, gy, gz = gravity_scalar(x, yy, z, vx, vy, vz, grav, rot)
    dy[0], dy[1], dy[2] = vx, vy, vz
    dy[3], dy[4], dy[5] = ax + gx, ay + gy, az + gz
    dy[6] = -mdot


@njit
def _deriv_coast(y, rho, i, P, aL, grav, rot, dy):
    """The derivative of a coasting object (no thrust: unpowered, or past its cut-off) whose air density
    ``rho`` at ``y`` is known: :func:`_deriv`'s coast branch, and the first RK4 stage of a coast step, which
    takes the density the step rule has just computed (:func:`_coast_step`) instead of evaluating the
    atmosphere again."""
    x, yy, z, vx, vy, vz = y[0], y[1], y[2], y[3], y[4], y[5]
    sp = math.sqrt(vx * vx + vy * vy + vz * vz)
    kd = 0.5 * rho * sp / P[i, C_BETA]
    ax, ay, az = -kd * vx + aL[0], -kd * vy + aL[1], -kd * vz + aL[2]
    gx, gy, gz = gravity_scalar(x, yy, z, vx, vy, vz, grav, rot)
    dy[0], dy[1], dy[2] = vx, vy, vz
    dy[3], dy[4], dy[5] = ax + gx, ay + gy, az + gz
    dy[6] = -0.0


@njit
def _rk4(y, t, h, i, P, S, aL, grav, rot, k1, k2, k3, k4, tmp, rho=-1.0):
    """One classical Runge-Kutta step of :func:`_deriv` (Butcher 2016, sect. 23); ``rho >= 0``: the air
    density at ``y`` of a coasting object (its first stage by :func:`_deriv_coast`)."""
    tm = t + 0.5 * h
    if rho >= 0.0:
        _deriv_coast(y, rho, i, P, aL, grav, rot, k1)
    else:
        _deriv(y, tm, i, P, S, aL, grav, rot, k1)
    for a in range(7):
        tmp[a] = y[a] + 0.5 * h * k1[a]
    _deriv(tmp, tm, i, P, S, aL, grav, rot, k2)
    for a in range(7):
        tmp[a] = y[a] + 0.5 * h * k2[a]
    _deriv(tmp, tm, i, P, S, aL, grav, rot, k3)
    for a in range(7):
        tmp[a] = y[a] + h * k3[a]
    _deriv(tmp, tm, i, P, S, aL, grav, rot, k4)
    for a in range(7):
        y[a] += h / 6.0 * (k1[a] + 2.0 * k2[a] + 2.0 * k3[a] + k4[a])


@njit
def _hermite_pos(y0, y1, h, s):
    """Position ``(x, y, z)`` at the fraction ``s`` of a step of length ``h`` between the states ``y0, y1``
    (position 0:3, velocity 3:6) on the step's cubic Hermite interpolant (Burden & Faires, *Numerical
    Analysis*, 9th ed., sect. 3.4)."""
    s2, s3 = s * s, s * s * s
    c0, c1, c2, c3 = 2 * s3 - 3 * s2 + 1, (s3 - 2 * s2 + s) * h, -2 * s3 + 3 * s2, (s3 - s2) * h
    return (c0 * y0[0] + c1 * y0[3] + c2 * y1[0] + c3 * y1[3], c0 * y0[1] + c1 * y0[4] + c2 * y1[1] + c3 * y1[4],
            c0 * y0[2] + c1 * y0[5] + c2 * y1[2] + c3 * y1[5])


@njit
def _hermite_vel(y0, y1, h, s):
    """The velocity on the interpolant of :func:`_hermite_pos` (its time derivative)."""
    s2 = s * s
    d0, d1 = (6 * s2 - 6 * s) / h, 3 * s2 - 4 * s + 1
    d2, d3 = (-6 * s2 + 6 * s) / h, 3 * s2 - 2 * s
    return (d0 * y0[0] + d1 * y0[3] + d2 * y1[0] + d3 * y1[3], d0 * y0[1] + d1 * y0[4] + d2 * y1[1] + d3 * y1[4],
            d0 * y0[2] + d1 * y0[5] + d2 * y1[2] + d3 * y1[5])


@njit
def _hermite_alt(y0, y1, h, s):
    """The radial altitude of :func:`_hermite_pos`."""
    x, y, z = _hermite_pos(y0, y1, h, s)
    return radial_altitude_scalar(x, y, z)


@njit
def _hermite_crossing(y0, y1, h, level):
    """The fraction of the step where :func:`_hermite_alt` comes down through ``level`` (bisection, 40
    halvings; the step's start above it, its end at or below)."""
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _hermite_alt(y0, y1, h, mid) <= level:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


@njit
def fly(y0, P, S, t_max, dt_atm, dt_exo, h_sample, grav, rot, samples, n_samples, end, burnout, apogee,
        store):
    """Integrate objects ``i`` from their state ``y0[i] = (r, v, m)`` at their own time 0 (module docstring).

    ``P (n, NP)`` and ``S (n, MAX_STAGES, 4)``: parameters (column constants of this module). Outputs:
    ``samples (n, K, 6)`` (when ``store``) the state at ``k h_sample`` for ``k < n_samples[i]``, the first
    sample after the end included (a genuine integrated state, so the last Hermite interval is right);
    ``end (n, 8)``: end time (NaN at ``t_max``), position, velocity, reason (``END_*``); ``burnout (n, 7)``:
    time of cut-off and the state then (NaN for unpowered objects); ``apogee (n,)``: highest radial height.
    """
    for i in range(y0.shape[0]):
        _fly_one(i, y0, P, S, t_max, dt_atm, dt_exo, h_sample, grav, rot, samples, n_samples, end, burnout,
                 apogee, store)


@njit(parallel=True)
def fly_parallel(y0, P, S, t_max, dt_atm, dt_exo, h_sample, grav, rot, samples, n_samples, end, burnout,
                 apogee, store):
    """:func:`fly` with the objects shared among numba's threads (``prange``): every object is integrated
    by :func:`_fly_one` into its own rows of the outputs, so the results are :func:`fly`'s, bit for bit
    (tested), whatever the number of threads."""
    for i in prange(y0.shape[0]):
        _fly_one(i, y0, P, S, t_max, dt_atm, dt_exo, h_sample, grav, rot, samples, n_samples, end, burnout,
                 apogee, store)


@njit
def _fly_one(i, y0, P, S, t_max, dt_atm, dt_exo, h_sample, grav, rot, samples, n_samples, end, burnout,
             apogee, store):
    """Object ``i`` of :func:`fly`, with its own work arrays."""
    K = samples.shape[1]
    y = np.empty(7)
    yp = np.empty(7)
    k1, k2, k3, k4, tmp = np.empty(7), np.empty(7), np.empty(7), np.empty(7), np.empty(7)
    aL = np.zeros(3)
    man = np.zeros((i + 1, 2))  # the manoeuvre state of row i (indexed by i, as _lateral reads it)
    for a in range(7):
        y[a] = y0[i, a]
    t = 0.0
    powered = P[i, C_POWERED] > 0.0
    tc = P[i, C_TC] if powered else -1.0
    burnout[i, 0] = np.nan
    end[i, 0] = np.nan
    end[i, 7] = END_TIMEOUT
    apo = radial_altitude_scalar(y[0], y[1], y[2])
    alt = apo
    ks = 0
    if store:
        for a in range(6):
            samples[i, 0, a] = y[a]
        ks = 1
    next_sample = h_sample
    ended = False
    after_end = False
    stop = P[i, C_STOP]
    while t < t_max - 1e-9:
        # step size: events, samples
        rho_y = -1.0  # the density at y when the coast step has it (no thrust on this step)
        if powered and t < tc:
            dt = DT_BOOST
        elif man[i, 0] != 0.0:
            dt = DT_MAN
        else:
            dt, _, rho_y = _coast_step(y, P[i, C_BETA], dt_atm, dt_exo)
        t_next = t + dt
        if store and next_sample < t_next:
            t_next = next_sample
        if powered and t < tc:
            for ev in (P[i, C_TV], P[i, C_TPO], tc):
                if t + 1e-12 < ev < t_next:
                    t_next = ev
            for k in range(S.shape[1]):
                ev = S[i, k, 1]
                if t + 1e-12 < ev < t_next:
                    t_next = ev
        if t_next > t_max:
            t_next = t_max
        h = t_next - t
        # manoeuvre state (decided at the start of the step, held over it)
        if P[i, C_MAN] != MAN_NONE and t >= tc and not after_end:
            vr = (y[0] * y[3] + y[1] * y[4] + y[2] * y[5])
            if man[i, 0] == 0.0 and vr < 0.0 and alt < P[i, C_MH]:
                man[i, 0] = 1.0 if P[i, C_MAN] == MAN_PULLUP else 2.0
                man[i, 1] = t
            if man[i, 0] == 1.0:
                sp = math.sqrt(y[3] ** 2 + y[4] ** 2 + y[5] ** 2)
                rn = math.sqrt(y[0] ** 2 + y[1] ** 2 + y[2] ** 2)
                if vr / (rn * sp) > -math.sin(P[i, C_MP]):
                    man[i, 0] = 2.0
            _lateral(y, t, i, P, man, aL)
        else:
            aL[0] = aL[1] = aL[2] = 0.0
        for a in range(7):
            yp[a] = y[a]
        _rk4(y, t, h, i, P, S, aL, grav, rot, k1, k2, k3, k4, tmp, rho_y)
        t = t_next
        # stage burn-out drops the stage's dry mass
        if powered:
            for k in range(S.shape[1]):
                if abs(t - S[i, k, 1]) < 1e-9 and t <= tc + 1e-9:
                    y[6] -= S[i, k, 3]
            if abs(t - tc) < 1e-9:
                burnout[i, 0] = t
                for a in range(6):
                    burnout[i, 1 + a] = y[a]
        alt_new = radial_altitude_scalar(y[0], y[1], y[2])
        if not after_end:
            if alt_new > apo:
                apo = alt_new
            descending = y[0] * y[3] + y[1] * y[4] + y[2] * y[5] < 0.0
            if alt > stop and alt_new <= stop and descending:
                s = _hermite_crossing(yp, y, h, stop)
                end[i, 0] = t - h + s * h
                end[i, 7] = END_GROUND
                ended = True
            elif P[i, C_QB] < math.inf:
                rho, _ = us1976_scalar(alt_new)
                if 0.5 * rho * (y[3] ** 2 + y[4] ** 2 + y[5] ** 2) > P[i, C_QB]:
                    end[i, 0] = t
                    end[i, 7] = END_BREAKUP
                    ended = True
            if ended:
                # the end state on the step's Hermite interpolant
                s = (end[i, 0] - (t - h)) / h
                end[i, 1], end[i, 2], end[i, 3] = _hermite_pos(yp, y, h, s)
                end[i, 4], end[i, 5], end[i, 6] = _hermite_vel(yp, y, h, s)
                after_end = True
                if not store:
                    break
        alt = alt_new
        if store and abs(t - next_sample) < 1e-9:
            if ks < K:
                for a in range(6):
                    samples[i, ks, a] = y[a]
                ks += 1
            next_sample += h_sample
            if after_end:
                break
    if not ended:
        for a in range(6):
            end[i, 1 + a] = y[a]
    n_samples[i] = ks
    apogee[i] = apo


@njit
def _coast_step(y, beta, dt_atm, dt_exo):
    """The coast step of every flight (:func:`fly`, :func:`coast_sample`) for a state ``y`` with ballistic
    coefficient ``beta``, and its drag acceleration (m/s^2) now: a tenth of the drag time constant ``tau =
    2 beta / (rho |v|)`` between ``dt_atm`` and ``dt_exo``; a step longer than ``DT_EXO`` only where the drag
    is below ``A_VACUUM`` now and at the altitude the current descent rate would reach by the step's end.
    Third: the air density at ``y`` (-1 without drag), for the step's first stage (:func:`_deriv_coast`)."""
    if beta == math.inf:
        return dt_exo, 0.0, -1.0
    alt = radial_altitude_scalar(y[0], y[1], y[2])
    sp = math.sqrt(y[3] ** 2 + y[4] ** 2 + y[5] ** 2)
    rho, _ = us1976_scalar(alt)
    dt = dt_exo
    if rho * sp > 0.0:
        dt = min(dt_exo, max(dt_atm, 0.2 * beta / (rho * sp)))
    if dt > DT_EXO:
        vr = min((y[0] * y[3] + y[1] * y[4] + y[2] * y[5]) / math.sqrt(y[0] ** 2 + y[1] ** 2 + y[2] ** 2), 0.0)
        rho_end, _ = us1976_scalar(max(alt + vr * dt, 0.0))
        if 0.5 * max(rho, rho_end) * sp * sp / beta > A_VACUUM:
            dt = DT_EXO
    return dt, 0.5 * rho * sp * sp / beta, rho


@njit
def coast_grid(r, v, beta, t_grid, dt_exo, grav, rot, out):
    """Coast each state ``(r[i], v[i])`` (ECEF, at offset 0) through the increasing offsets ``t_grid (K,)``
    with ballistic coefficient ``beta[i]`` (drag, gravity and rotation as :func:`fly`, its coast steps up to
    ``dt_exo``); ``out (n, K, 6)`` the position and velocity at each offset, by :func:`coast_sample`. A state
    that reaches the ground stays at its impact point with zero velocity. :func:`coast_each` is the same for
    one offset per state."""
    n = r.shape[0]
    K = t_grid.size
    P = np.zeros((1, NP))
    P[0, C_TC] = -1.0
    P[0, C_QB] = math.inf
    S = np.zeros((1, MAX_STAGES, 4))
    aL = np.zeros(3)
    y0 = np.empty(7)
    y1 = np.empty(7)
    tt = np.empty(3)
    imp = np.empty(3)
    k1, k2, k3, k4, tmp = np.empty(7), np.empty(7), np.empty(7), np.empty(7), np.empty(7)
    q = np.empty(6)
    for i in range(n):
        coast_start(r[i], v[i], beta[i], P, y1, tt)
        for k in range(K):
            coast_sample(y0, y1, tt, imp, t_grid[k], beta[i], dt_exo, grav, rot, P, S, aL, k1, k2, k3, k4, tmp, q)
            for a in range(6):
                out[i, k, a] = q[a]


@njit
def coast_start(r, v, beta, P, y1, tt):
    """Start :func:`coast_sample` at the state ``r, v (3,)`` at offset 0: ``P (1, NP)`` the coast's parameter
    row (``P[0, C_BETA]`` set to ``beta``), ``y1 (7,)`` the state, ``tt (3,)`` its times."""
    P[0, C_BETA] = beta
    for a in range(3):
        y1[a] = r[a]
        y1[3 + a] = v[a]
    y1[6] = 1.0
    tt[0] = 0.0
    tt[1] = 0.0
    tt[2] = math.inf


@njit
def coast_sample(y0, y1, tt, imp, T, beta, dt_exo, grav, rot, P, S, aL, k1, k2, k3, k4, tmp, out):
    """The coasting state at the offset ``T`` into ``out (6,)``, position and velocity: the coast steps
    (:func:`_coast_step`, RK4 as :func:`fly`) until a step ends at or after ``T``. In dense air (drag above
    ``A_LAND``), or with ``dt_exo <= DT_EXO`` (the plain stepping of every sample), the step is shortened to
    end on ``T``, so the state there is the integration's own. Elsewhere the coast keeps its own steps (up to
    ``dt_exo`` in vacuum, ``DT_EXO`` in thin air) and the state is read on the step's cubic Hermite
    interpolant (Burden & Faires, *Numerical Analysis*, 9th ed., sect. 3.4): its error, of order
    ``h^4 |d4r/dt4| / 384``, is ~1e-4 m for a 10 s step of a free fall and stays at centimetres under 1 m/s^2
    of drag (``tests/evaluation/test_predict_step.py``), below the integration's own in the dense air.

    Offsets must not decrease from call to call (a grid is sampled in order); one at or before 0 is the start
    state. State (modified): ``y0, y1 (7,)`` the states at the start and end of the last step, ``tt = (t0,
    t1, t_ground)`` their offsets and the ground crossing's (``inf`` until then; start with
    :func:`coast_start`); after the crossing (radial height through zero while descending: on the chord of a
    step that lands, on the Hermite cubic of one that does not, at the step's start if that is already on or
    under the ground) the state is the impact point ``imp (3,)`` with zero velocity. ``P, S, aL, k1..k4,
    tmp`` work arrays."""
    while tt[1] < T - 1e-12 and tt[2] == math.inf:
        h, a_drag, rho_y = _coast_step(y1, beta, DT_ATM, dt_exo)
        land = dt_exo <= DT_EXO or a_drag > A_LAND
        if land:  # in dense air the step lands on T, as a flight's steps do
            h = min(h, T - tt[1])
        for a in range(7):
            y0[a] = y1[a]
        tt[0] = tt[1]
        _rk4(y1, tt[0], h, 0, P, S, aL, grav, rot, k1, k2, k3, k4, tmp, rho_y)
        tt[1] = tt[0] + h
        if radial_altitude_scalar(y1[0], y1[1], y1[2]) <= 0.0 and y1[0] * y1[3] + y1[1] * y1[4] + y1[2] * y1[5] < 0.0:
            a0 = radial_altitude_scalar(y0[0], y0[1], y0[2])
            a1 = radial_altitude_scalar(y1[0], y1[1], y1[2])
            if a0 <= 0.0:  # already on or under the ground at the step's start: the impact is there
                w = 0.0
            elif land:  # a short step: the chord's crossing
                w = a0 / (a0 - a1)
            else:  # a long one: the crossing on the step's Hermite cubic, as fly's
                w = _hermite_crossing(y0, y1, h, 0.0)
            if land or w == 0.0:
                for a in range(3):
                    imp[a] = y0[a] + w * (y1[a] - y0[a])
            else:
                imp[0], imp[1], imp[2] = _hermite_pos(y0, y1, h, w)
            tt[2] = tt[0] + w * h
    if T >= tt[2]:
        for a in range(3):
            out[a] = imp[a]
            out[3 + a] = 0.0
    elif T >= tt[1] - 1e-12 or tt[1] == tt[0]:  # at a step's end, or before any step (an offset <= 0)
        for a in range(6):
            out[a] = y1[a]
    else:
        h = tt[1] - tt[0]
        s = (T - tt[0]) / h
        out[0], out[1], out[2] = _hermite_pos(y0, y1, h, s)
        out[3], out[4], out[5] = _hermite_vel(y0, y1, h, s)


@njit
def coast_each(r, v, beta, dt_each, dt_exo, grav, rot, out):
    """:func:`coast_grid` with one offset ``dt_each[i]`` per state; ``out (n, 6)``."""
    n = r.shape[0]
    one = np.empty((1, 1, 6))
    tg = np.empty(1)
    for i in range(n):
        tg[0] = dt_each[i]
        coast_grid(r[i:i + 1], v[i:i + 1], beta[i:i + 1], tg, dt_exo, grav, rot, one)
        for a in range(6):
            out[i, a] = one[0, 0, a]


# ---------------------------------------------------------------------------------------------------------
# Python side: parameters, shooting
# ---------------------------------------------------------------------------------------------------------

class ObjectParams:
    """Parameter rows (``P``, ``S``) of ``n`` objects, filled column by column (module constants)."""

    def __init__(self, n: int):
        self.P = np.zeros((n, NP))
        self.S = np.zeros((n, MAX_STAGES, 4))
        self.S[:, :, 1] = -1.0
        self.P[:, C_BETA] = np.inf
        self.P[:, C_QB] = np.inf
        self.P[:, C_TC] = -1.0
        self.P[:, C_NAV] = 3.0
        self.P[:, C_MP] = 1.0

    def set_stages(self, rows, stages, payload_mass, cda, t_vertical, t_pitch_over):
        """Powered flight for ``rows``: ``stages`` a list of ``(burn_time, isp, propellant, dry)`` (first stage
        first; thrust ``T = (propellant / burn_time) isp g0``), the payload carried, the boost ``C_D A`` (m^2)
        and the pitch programme. Returns the total burn time."""
        rows = np.asarray(rows)
        P, S = self.P, self.S
        m0 = payload_mass + sum(prop + dry for _, _, prop, dry in stages)
        P[rows, C_POWERED] = 1.0
        P[rows, C_M0] = m0
        t_end = 0.0
        for k, (burn, isp, prop, dry) in enumerate(stages):
            t_end += burn
            S[rows, k, 0] = prop / burn * isp * G0
            S[rows, k, 1] = t_end
            S[rows, k, 2] = prop / burn
            S[rows, k, 3] = dry
        P[rows, C_CDA] = cda
        P[rows, C_TV] = t_vertical
        P[rows, C_TPO] = t_vertical + t_pitch_over
        return t_end


def _run(y0, prm: ObjectParams, t_max, *, store=False, h_sample=1.0, dt_atm=DT_ATM, dt_exo=DT_EXO, grav=J2,
         rot=True):
    n = y0.shape[0]
    K = int(math.ceil(t_max / h_sample)) + 3 if store else 1
    samples = np.zeros((n, K, 6)) if store else np.zeros((n, 1, 6))
    n_s = np.zeros(n, np.int64)
    end = np.zeros((n, 8))
    bo = np.zeros((n, 7))
    apo = np.zeros(n)
    # many objects (a raid's missiles in the shot solver): numba's threads share them, same results; only
    # from the main thread (the fork-safe layer is not thread-safe: e.g. a Dask worker's task threads)
    parallel = n >= PARALLEL_ROWS and threading.current_thread() is threading.main_thread()
    kernel = fly_parallel if parallel else fly
    kernel(np.ascontiguousarray(y0, float), prm.P, prm.S, float(t_max), float(dt_atm), float(dt_exo),
        float(h_sample), int(grav), bool(rot), samples, n_s, end, bo, apo, bool(store))
    return samples, n_s, end, bo, apo


def enu_basis(lat, lon):
    """East, north, up unit vectors (ECEF) at geodetic ``lat, lon`` (rad), each ``(..., 3)``: the rows of
    :func:`iadsim.frames.enu_rotation`."""
    C = enu_rotation(lat, lon)
    return C[..., 0, :], C[..., 1, :], C[..., 2, :]


def _initial_azimuth(lat0, lon0, lat1, lon1):
    """Great-circle initial azimuth (rad, clockwise from north) from point 0 to point 1 (spherical)."""
    d = lon1 - lon0
    return np.arctan2(np.sin(d) * np.cos(lat1), np.cos(lat0) * np.sin(lat1) - np.sin(lat0) * np.cos(lat1) * np.cos(d))


def _gamma(rb, vb):
    return np.arcsin(np.einsum("ij,ij->i", rb, vb) / (np.linalg.norm(rb, axis=1) * np.linalg.norm(vb, axis=1)))


def continuation_references(r0, aim_ecef):
    """The ground range (rad, the angle at the earth's centre) from each launch point ``r0 (n, 3)`` to its aim
    point (ECEF), and the rows of the :data:`N_REFERENCE` missiles at its quantiles, the nearest and the
    farthest among them (fewer when rows coincide): the references of :func:`solve_shots`' continuation."""
    u0 = r0 / np.linalg.norm(r0, axis=1)[:, None]
    ua = aim_ecef / np.linalg.norm(aim_ecef, axis=1)[:, None]
    rng_ground = np.arccos(np.clip(np.einsum("ij,ij->i", u0, ua), -1.0, 1.0))
    at = np.round(np.linspace(0, rng_ground.size - 1, N_REFERENCE)).astype(int)
    return rng_ground, np.unique(np.argsort(rng_ground, kind="stable")[at])


def solve_shots(lat0, lon0, alt0, aim_ecef, prm: ObjectParams, t_burn, *, apogee=None, rotating=True, grav=J2,
                tol=1.0, max_iter=30, dt_atm=DT_ATM, dt_exo=DT_EXO, continuation=True):
    """Solve the azimuth, kick angle and cut-off time of powered missiles so they land on their aim points.

    For each missile (rows of ``prm``, already given their stages, coast ``beta`` and ``stop`` altitude),
    a quasi-Newton iteration on the three unknowns ``x = (azimuth, kick, t_c)`` drives three residuals to
    zero: the impact's downrange and crossrange errors about the aim point (along and across the launch-to-
    aim azimuth) and the trajectory condition: the burnout flight-path angle minus the vacuum minimum-energy
    angle from the burnout point to the aim point (:func:`iadsim.threats.ballistic.min_energy_gamma`; Bate,
    Mueller & White ch. 6), in units of 1e-5 rad, or, when ``apogee (n,)`` is given, the highest altitude
    minus it (m). Each flight includes everything the final flight has (drag, rotation, J2) except a MaRV's
    manoeuvre, which homes on the aim point anyway. Initial guess: the great-circle azimuth, full burn, and
    the kick and cut-off interpolated from a scan of sampled boost-only flights (comments in the code). The Jacobian is
    taken by forward differences once and then updated by Broyden's rank-one formula (Dennis & Schnabel,
    *Numerical Methods for Unconstrained Optimization and Nonlinear Equations*, 1983, ch. 8), re-taken when
    a step fails to reduce the residual; steps are damped (3 deg, 10 s) and keep ``t_c`` in
    ``(t_v, t_burn]``; only unconverged missiles fly again.

    Continuation in range (``continuation``, from :data:`CONTINUATION_MIN` missiles on): only the
    :data:`N_REFERENCE` missiles at the quantiles of the batch's ground range go through the scan and the
    forward differences; every other missile starts from the references' kick, cut-off and (Broyden-updated)
    Jacobian interpolated linearly at its own ground range, a solved neighbour as the start (natural-parameter
    continuation; Allgower & Georg, *Introduction to Numerical Continuation Methods*, 1990, ch. 1), and
    iterates to the same tolerance, its Jacobian re-taken by differences when a step fails as above. The
    references' shots are the plain solve's, bit for bit; the others differ from it within the tolerance,
    and the raid's missiles cost about a quarter of the flights (``tests/threats/test_shot_continuation.py``,
    ``benchmarks/RESULTS.md`` section 21).

    Returns ``(azimuth (n,), kick (n,), t_c (n,), miss (n,) m, feasible (n,) bool)``; a missile that cannot
    reach its aim (cut-off pinned at full burn and still short) is not feasible.
    """
    from iadsim.threats.ballistic import min_energy_gamma

    n = lat0.size
    P0 = prm.P
    lat1 = np.arcsin(aim_ecef[:, 2] / np.linalg.norm(aim_ecef, axis=1))  # geocentric is enough for an azimuth
    lon1 = np.arctan2(aim_ecef[:, 1], aim_ecef[:, 0])
    r0 = geodetic2ecef(lat0, lon0, alt0)
    e0, n0, _ = enu_basis(lat0, lon0)
    y0 = np.zeros((n, 7))
    y0[:, :3] = r0
    y0[:, 6] = P0[:, C_M0]
    az0 = _initial_azimuth(lat0, lon0, lat1, lon1)
    ea, na, _ = enu_basis(lat1, lon1)
    dr_ax = np.sin(az0)[:, None] * ea + np.cos(az0)[:, None] * na
    cr_ax = np.cos(az0)[:, None] * ea - np.sin(az0)[:, None] * na
    t_burn = np.broadcast_to(np.asarray(t_burn, float), (n,))
    tv = P0[:, C_TV]

    def flights(rows, x, t_max, store=False, h_sample=1.0):
        p = ObjectParams(0)
        p.P, p.S = P0[rows].copy(), prm.S[rows]
        p.P[:, C_AZX:C_AZZ + 1] = np.sin(x[:, 0])[:, None] * e0[rows] + np.cos(x[:, 0])[:, None] * n0[rows]
        p.P[:, C_KICK] = x[:, 1]
        p.P[:, C_TC] = x[:, 2]
        return _run(y0[rows], p, t_max, grav=grav, rot=rotating, dt_atm=dt_atm, dt_exo=dt_exo, store=store,
                    h_sample=h_sample)

    def residual(rows, x):
        _, _, end, bo, apo = flights(rows, x, 4000.0)
        d = end[:, 1:4] - aim_ecef[rows]
        res = np.empty((rows.size, 3))
        res[:, 0] = np.einsum("ij,ij->i", d, dr_ax[rows])
        res[:, 1] = np.einsum("ij,ij->i", d, cr_ax[rows])
        if apogee is None:
            res[:, 2] = (_gamma(bo[:, 1:4], bo[:, 4:7]) - min_energy_gamma(bo[:, 1:4], aim_ecef[rows])) * 1e5
        else:
            res[:, 2] = apo - apogee[rows]
        res[np.isnan(end[:, 0])] = 1e7
        return res

    # initial guess: boost-only flights at full burn for a scan of kicks, sampled every 0.5 s; along each,
    # the first time the speed reaches the vacuum minimum-energy speed to the aim from where the missile is
    # (plus 3 % for the losses to come), and the burnout-angle error there; the kick where that error
    # changes sign, and its cut-off time, interpolated.
    from iadsim.threats.ballistic import ballistic_velocity

    kicks = np.radians(np.array([0.5, 2.0, 4.0, 7.0, 10.0, 14.0, 19.0, 25.0, 32.0, 40.0, 50.0, 60.0]))

    def scan_guess(rows):
        m = rows.size
        err = np.empty((kicks.size, m))
        t_star = np.empty((kicks.size, m))
        hs = 0.5
        tb = t_burn[rows]
        for k, kk in enumerate(kicks):
            xs = np.stack([az0[rows], np.full(m, kk), tb], 1)
            smp, n_s, _, _, _ = flights(rows, xs, float(tb.max()) + hs, store=True, h_sample=hs)
            K = smp.shape[1]
            r, v = smp[:, :, :3].reshape(-1, 3), smp[:, :, 3:].reshape(-1, 3)
            aim_k = np.repeat(aim_ecef[rows], K, axis=0)
            up = np.einsum("ij,ij->i", r, v) > 0
            need = np.full(r.shape[0], np.inf)
            g_me = np.zeros(r.shape[0])
            ok = up & (np.linalg.norm(v, axis=1) > 50.0)
            if ok.any():
                v_req, _ = ballistic_velocity(r[ok], aim_k[ok]) if apogee is None else \
                    ballistic_velocity(r[ok], aim_k[ok], np.repeat(apogee[rows], K)[ok])
                need[ok] = 1.03 * np.linalg.norm(v_req, axis=1)
                g_me[ok] = _gamma(r[ok], v_req)
            sp = np.linalg.norm(v, axis=1).reshape(m, K)
            reach = sp >= need.reshape(m, K)
            valid = (np.arange(K)[None, :] < n_s[:, None]) & (np.arange(K)[None, :] * hs <= tb[:, None])
            reach &= valid
            kf = np.where(reach.any(axis=1), np.argmax(reach, axis=1), np.maximum(n_s - 1, 0))
            kf = np.minimum(kf, (tb / hs).astype(int))
            t_star[k] = kf * hs
            ri = np.arange(m) * K + kf
            gam = _gamma(r[ri], v[ri])
            err[k] = gam - np.where(reach.any(axis=1), g_me[ri], gam)
        kick = np.empty(m)
        tc0 = np.empty(m)
        for i in range(m):
            e = err[:, i]
            sign = np.flatnonzero((e[:-1] > 0) & (e[1:] <= 0))
            if sign.size:
                k = sign[0]
                w = e[k] / (e[k] - e[k + 1])
                kick[i] = kicks[k] + (kicks[k + 1] - kicks[k]) * w
                tc0[i] = t_star[k, i] + (t_star[k + 1, i] - t_star[k, i]) * w
            else:
                k = int(np.argmin(np.abs(e)))
                kick[i], tc0[i] = kicks[k], t_star[k, i]
        return kick, np.clip(tc0, tv[rows] + 1.0, t_burn[rows])

    x = np.empty((n, 3))
    x[:, 0] = az0
    f = np.zeros((n, 3))
    h = np.array([1e-5, 1e-5, 1e-3])
    lim = np.array([np.radians(3.0), np.radians(3.0), 10.0])
    J = np.zeros((n, 3, 3))
    fresh = np.zeros(n, bool)
    feasible = np.ones(n, bool)

    def jacobian(rows):
        for c in range(3):
            xp = x[rows].copy()
            xp[:, c] += h[c]
            J[rows, :, c] = (residual(rows, xp) - f[rows]) / h[c]
        fresh[rows] = True

    def newton(rows):
        """The damped Broyden iteration of the missiles ``rows`` from their ``x``, ``f`` and ``J``."""
        mine = np.zeros(n, bool)
        mine[rows] = True
        for _ in range(max_iter):
            todo = mine & feasible & ((np.hypot(f[:, 0], f[:, 1]) > tol) | (np.abs(f[:, 2]) > tol))
            rows = np.flatnonzero(todo)
            if rows.size == 0:
                break
            Jr = J[rows]
            bad = np.abs(np.linalg.det(Jr)) < 1e-300
            Jr[bad] = np.eye(3)
            dx = -np.linalg.solve(Jr, f[rows][:, :, None])[:, :, 0]
            dx /= np.maximum(np.max(np.abs(dx) / lim, axis=1), 1.0)[:, None]
            xn = x[rows] + dx
            xn[:, 2] = np.clip(xn[:, 2], tv[rows] + 1.0, t_burn[rows])
            xn[:, 1] = np.clip(xn[:, 1], 1e-4, np.radians(80.0))
            fn = residual(rows, xn)
            better = np.linalg.norm(fn, axis=1) < np.linalg.norm(f[rows], axis=1)
            # Broyden update on the step actually taken
            s = xn - x[rows]
            yv = fn - f[rows]
            ss = np.einsum("ij,ij->i", s, s)
            ok = ss > 0
            upd = (yv - np.einsum("ijk,ik->ij", J[rows], s)) / np.where(ok, ss, 1.0)[:, None]
            J[rows] += np.where(ok[:, None, None], upd[:, :, None] * s[:, None, :], 0.0)
            acc = rows[better]
            x[acc], f[acc] = xn[better], fn[better]
            fresh[acc] = False
            stuck = rows[~better]
            # a missile pinned at full burn and still short of its aim cannot reach it
            pinned = stuck[(x[stuck, 2] >= t_burn[stuck] - 1e-9) & (f[stuck, 0] < -tol) & fresh[stuck]]
            feasible[pinned] = False
            retake = stuck[~fresh[stuck]]
            if retake.size:
                jacobian(retake)
            # a stuck missile whose Jacobian is already fresh takes a shorter step next time
            tiny = stuck[fresh[stuck] & feasible[stuck]]
            J[tiny] *= 2.0

    def solve_scanned(rows):
        x[rows, 1], x[rows, 2] = scan_guess(rows)
        f[rows] = residual(rows, x[rows])
        jacobian(rows)
        newton(rows)

    # continuation in range: the missiles at the ground-range quantiles are solved from the scan, the others
    # start from the reference solutions and Jacobians interpolated at their range (Allgower & Georg,
    # *Introduction to Numerical Continuation Methods*, 1990, ch. 1: a solved neighbour is the start)
    rng_ground, refs = continuation_references(r0, aim_ecef)
    if not (continuation and n >= CONTINUATION_MIN):
        refs = np.arange(n)
    solve_scanned(refs)
    others = np.setdiff1d(np.arange(n), refs)
    converged = feasible[refs] & (np.hypot(f[refs, 0], f[refs, 1]) <= tol) & (np.abs(f[refs, 2]) <= tol)
    if others.size and converged.all():
        o = np.argsort(rng_ground[refs], kind="stable")
        rr, ro = rng_ground[refs][o], rng_ground[others]
        x[others, 1] = np.interp(ro, rr, x[refs[o], 1])
        x[others, 2] = np.clip(np.interp(ro, rr, x[refs[o], 2]), tv[others] + 1.0, t_burn[others])
        for a_ in range(3):
            for c in range(3):
                J[others, a_, c] = np.interp(ro, rr, J[refs[o], a_, c])
        f[others] = residual(others, x[others])
        newton(others)
    elif others.size:  # a reference did not converge: no anchor to trust, the others are scanned as well
        solve_scanned(others)
    miss = np.hypot(f[:, 0], f[:, 1])
    return x[:, 0], x[:, 1], x[:, 2], miss, feasible & (miss <= max(tol, 1.0) * 10)

