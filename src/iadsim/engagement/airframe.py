r"""Interceptors as 3-DOF point masses over the rotating WGS-84 earth, with guidance, batched and compiled.

Equations of motion (ECEF, metres, seconds), for each interceptor with mass ``m``, position ``r`` and
velocity ``v`` relative to the earth (the air is at rest in ECEF)::

    dr/dt = v
    dv/dt = (T(t) - D) / m * v/|v| + a_L + g(r) - 2 Omega x v - Omega x (Omega x r)
    dm/dt = -T(t) / (Isp g0)

* ``T(t)``: thrust of the motor phase burning at time since launch ``t`` (piecewise constant; Sutton &
  Biblarz, *Rocket Propulsion Elements*, 9th ed., eq. 2-5 for the mass flow).
* Drag ``D = q S (C_D0(M) + k C_L^2)``, ``q = rho |v|^2 / 2`` with ``rho`` and the speed of sound of the US
  Standard Atmosphere 1976 (:mod:`iadsim.physics.atmosphere`), ``M = |v| / a``; the lift coefficient the
  manoeuvre needs ``C_L = m |a_L| / (q S)`` (at most ``C_L,max``) costs induced drag ``k C_L^2`` with
  ``k = 1 / C_N,alpha`` for a slender body (Fleeman, *Missile Design and System Engineering*, AIAA 2012,
  sect. 2.6-2.7: drag from the normal force ``C_N sin(alpha) ~ C_N^2 / C_N,alpha``).
* Gravity with J2 and the rotating-frame terms (:mod:`iadsim.physics.gravity`).
* Lateral (manoeuvre) acceleration ``a_L``, perpendicular to ``v``, is the guidance command through a
  first-order lag ``tau`` (the single-lag flight-control system of Zarchan, *Tactical and Strategic Missile
  Guidance*, 6th ed., ch. 3-4) and limited to

      a_max = min(g_limit g0, q S C_L,max / m)

  so manoeuvrability falls with altitude and speed. An upper-tier kill vehicle (released at booster
  burnout with its own mass and area) adds divert thrusters where lift is short:
  ``a_max = max(aero limit, divert acceleration)`` while its delta-v budget lasts, the budget spent at the
  rate ``max(|a_L| - aero limit, 0)``; midcourse corrections may spend half the budget, the other half is
  kept for the endgame (the split of exo-atmospheric kill-vehicle divert between midcourse and terminal
  corrections, e.g. Zarchan, ch. on strategic intercepts), and the kill vehicle flies no loft.

Guidance (Zarchan, ch. 2 and 8), with ``R`` the vector to the target, ``V`` the relative velocity,
``u = R / |R|``, closing speed ``V_c = -R.V / |R|`` and line-of-sight rate ``Omega_los = R x V / |R|^2``:

* launch: for ``guidance_delay`` seconds the interceptor flies out along its launch direction (no command);
* midcourse: toward the predicted intercept point (a fixed point, re-predicted by the fire unit at each
  uplink), augmented PN with the interceptor's own gravity as the relative acceleration:
  ``a_c = N V_c (Omega_los x u) + (N / 2) (-g)_perp(u)``, aimed with trajectory shaping at a pseudo-target
  ``loft * max(R_go - seeker_range, 0)`` above the intercept point, so long shots climb into thin air and
  dive onto the target as the range closes (the lofted midcourse of Fleeman, sect. 1.5 and 7.x on flight
  trajectory shaping; Zarchan, ch. 8 on shaping the trajectory with guidance);
* terminal homing once the seeker acquires an object: the search starts when the uplinked track's
  predicted position (the cue) comes inside the seeker's range, and takes the object nearest the cue among
  those inside the seeker's range, its gimbal cone about the velocity and the hand-over basket about the
  cue: true PN ``a_c = N V_c (Omega_los x u)`` on the object's
  true position and velocity, or augmented PN adding ``(N / 2) (a_T - g)_perp(u)`` with the target's true
  acceleration. What the seeker homes on is truth: a poor track costs an acquisition, not a free re-point.

The command is made perpendicular to ``v`` (a point mass cannot lift along its velocity), passed through
the lag, and limited to ``a_max``.

Integration: classical RK4 at a fixed step ``dt`` with the command held over each step (a digital
autopilot's zero-order hold), steps cut to end on each motor phase end (so thrust and mass flow are
constant over every step and the propellant burnt is exact), and nowhere else: an advance to time ``t``
stops each state at the end of the first step that reaches ``t`` instead of cutting that step, so a
flight is the same however its advances fall (``land`` of :func:`advance` cuts it, for tables and tests
that want states on given times); when the time to go ``|R| / V_c`` falls below
two steps the step drops to ``dt / 50``, and the closest approach inside the last step is found from the
relative state at its start (``s* = -R.V / |V|^2``: the relative motion over 1 ms is linear to
``a s^2 / 2 < 0.1 mm``), not by the step.
Each interceptor ends at its closest approach (``CPA``), on the ground (the ellipsoid, or the scenario's
terrain where it has one), at ``max_flight_time``, below
``min_speed`` after burnout, when it passes its aim point with nothing acquired, or when its target is gone.

All interceptors in flight advance together in one compiled call (:func:`advance`) over arrays; state is
modified in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from iadsim._numba import njit
from iadsim.physics.atmosphere import us1976_scalar
from iadsim.physics.ellipsoid import radial_altitude_scalar  # noqa: F401 (also airframe's public name)
from iadsim.physics.gravity import G0, gravity_scalar
from iadsim.physics.grid import ground_below
from iadsim.threats.truth import piece_index

# type-parameter columns of AirframeTable.P
(C_MASS0, C_S, C_CLMAX, C_KIND, C_GLIM, C_TAU, C_NAV, C_APN, C_SEEK_R, C_SEEK_HALF, C_BASKET, C_TMAX, C_VMIN,
 C_GDELAY, C_V0, C_KV_MASS, C_KV_S, C_DIVERT_DV, C_DIVERT_ACC, C_TBURN, C_LOFT, N_COLS) = range(22)

# phases
LAUNCH, MIDCOURSE, TERMINAL, DONE = 0, 1, 2, 3
PHASE_NAMES = ("launch", "midcourse", "terminal", "done")
# end reasons
FLYING, CPA, GROUND, TIMEOUT, SLOW, NO_ACQUISITION, TARGET_LOST, POINT_REACHED = range(8)
REASON_NAMES = ("flying", "closest_approach", "ground", "timeout", "too_slow", "no_acquisition",
                "target_lost", "point_reached")

#: ratio of the coarse to the fine step near the closest approach
FINE = 50
#: a time since launch within this of a motor phase end, the guidance delay or the flight time limit has
#: reached it (s): times are absolute, so a step that ends there lands on it only to rounding (about 1e-13 s
#: at t ~ 1000 s), and a strict test would move the event one step later for some launch times only
PHASE_TOL = 1e-9


@dataclass(frozen=True)
class AirframeTable:
    """Per-type parameter arrays for the kernel (SI): ``P (T, N_COLS)``, ``motor (T, 4, 3)`` with columns
    (thrust N, cumulative end of burn s, mass flow kg/s), drag tables ``cd_mach, cd (T, K)``."""

    P: np.ndarray
    motor: np.ndarray
    cd_mach: np.ndarray
    cd: np.ndarray

    @classmethod
    def from_types(cls, specs) -> AirframeTable:
        T = len(specs)
        P = np.zeros((T, N_COLS))
        motor = np.zeros((T, 4, 3))
        K = max(len(s.drag.mach) for s in specs) if T else 2
        cd_mach = np.zeros((T, K))
        cd = np.zeros((T, K))
        for i, s in enumerate(specs):
            P[i, C_MASS0] = s.launch_mass
            P[i, C_S] = s.reference_area
            P[i, C_CLMAX] = s.cl_max
            P[i, C_KIND] = s.induced_drag_factor
            P[i, C_GLIM] = s.g_limit * G0
            P[i, C_TAU] = s.time_constant
            P[i, C_NAV] = s.navigation_ratio
            P[i, C_APN] = 1.0 if s.guidance == "apn" else 0.0
            P[i, C_SEEK_R] = s.seeker_range
            P[i, C_SEEK_HALF] = s.seeker_half_angle
            P[i, C_BASKET] = s.seeker_basket
            P[i, C_TMAX] = s.max_flight_time
            P[i, C_VMIN] = s.min_speed
            P[i, C_GDELAY] = s.guidance_delay
            P[i, C_V0] = s.launch_speed
            P[i, C_LOFT] = s.loft
            kv = s.kill_vehicle
            if kv is not None:
                P[i, C_KV_MASS] = kv.mass
                P[i, C_KV_S] = kv.reference_area
                P[i, C_DIVERT_DV] = kv.divert_delta_v
                P[i, C_DIVERT_ACC] = kv.divert_acceleration
            t_end = 0.0
            for k, ph in enumerate(s.motor):
                t_end += ph.burn_time
                motor[i, k] = (ph.thrust, t_end, ph.thrust / (ph.isp * G0))
            motor[i, len(s.motor):, 1] = -1.0  # unused phases never burn
            P[i, C_TBURN] = t_end
            m = np.asarray(s.drag.mach, float)
            c = np.asarray(s.drag.cd, float)
            cd_mach[i, :m.size], cd[i, :m.size] = m, c
            cd_mach[i, m.size:] = m[-1] + np.arange(1, K - m.size + 1)
            cd[i, m.size:] = c[-1]
        return cls(P=P, motor=motor, cd_mach=cd_mach, cd=cd)


# ---------------------------------------------------------------------------------------------------------
# compiled helpers
# ---------------------------------------------------------------------------------------------------------

@njit
def _truth_piece(j, t, t_launch, duration, off, last, tau):
    """The piece of threat ``j``'s truth table at time ``t`` and the time into it, ``(lo, s)``; ``lo = -1`` if
    the threat is not in flight."""
    u = t - t_launch[j]
    if u < 0.0 or u > duration[j]:
        return -1, 0.0
    lo = piece_index(off[j], last[j], tau, u)
    return lo, u - tau[lo]


@njit
def truth_state(j, t, t_launch, duration, off, last, tau, coef, out):
    """Position, velocity and acceleration of threat ``j`` at time ``t`` from the piecewise-cubic truth
    table of :class:`iadsim.threats.truth.ThreatTruth`, into ``out (9,)``; False if not in flight."""
    lo, s = _truth_piece(j, t, t_launch, duration, off, last, tau)
    if lo < 0:
        return False
    for a in range(3):
        c0, c1, c2, c3 = coef[lo, 0, a], coef[lo, 1, a], coef[lo, 2, a], coef[lo, 3, a]
        out[a] = c0 + s * (c1 + s * (c2 + s * c3))
        out[3 + a] = c1 + s * (2.0 * c2 + 3.0 * s * c3)
        out[6 + a] = 2.0 * c2 + 6.0 * s * c3
    return True


@njit
def truth_position(j, t, t_launch, duration, off, last, tau, coef, out):
    """The position part of :func:`truth_state` (the same operations, so the same bits) into ``out[0:3]``:
    what the seeker's search needs of every candidate; False if not in flight."""
    lo, s = _truth_piece(j, t, t_launch, duration, off, last, tau)
    if lo < 0:
        return False
    for a in range(3):
        out[a] = coef[lo, 0, a] + s * (coef[lo, 1, a] + s * (coef[lo, 2, a] + s * coef[lo, 3, a]))
    return True


@njit
def _cd0(cd_mach, cd, typ, mach):
    K = cd_mach.shape[1]
    if mach <= cd_mach[typ, 0]:
        return cd[typ, 0]
    for k in range(1, K):
        if mach <= cd_mach[typ, k]:
            w = (mach - cd_mach[typ, k - 1]) / (cd_mach[typ, k] - cd_mach[typ, k - 1])
            return cd[typ, k - 1] + w * (cd[typ, k] - cd[typ, k - 1])
    return cd[typ, K - 1]


@njit
def _thrust(motor, typ, t_rel):
    for k in range(motor.shape[1]):
        if t_rel < motor[typ, k, 1]:
            return motor[typ, k, 0], motor[typ, k, 2]
    return 0.0, 0.0


@njit
def _next_phase_end(motor, typ, t_rel):
    """The end of the motor phase burning at ``t_rel`` (inf after burnout): steps end there."""
    for k in range(motor.shape[1]):
        if t_rel < motor[typ, k, 1]:
            return motor[typ, k, 1]
    return math.inf


@njit
def _deriv(y, thrust, mdot, aL, typ, S, P, cd_mach, cd, grav, rot, dy):
    """Right-hand side of the equations of motion (module docstring) for ``y = (r, v, m)``: the air and the
    gravity at ``y``, then :func:`_deriv_at_start`."""
    rho, a_snd = us1976_scalar(radial_altitude_scalar(y[0], y[1], y[2]))
    gx, gy, gz = gravity_scalar(y[0], y[1], y[2], y[3], y[4], y[5], grav, rot)
    _deriv_at_start(y, thrust, mdot, aL, typ, S, P, cd_mach, cd, rho, a_snd, gx, gy, gz, dy)


@njit
def _deriv_at_start(y, thrust, mdot, aL, typ, S, P, cd_mach, cd, rho, a_snd, gx, gy, gz, dy):
    """:func:`_deriv` with the air density ``rho``, the speed of sound ``a_snd`` and the gravity at ``y``
    given: the drag (profile and induced), thrust and gravity; the step's first stage takes them from the
    step's start, where :func:`advance` has evaluated them for the guidance."""
    vx, vy, vz = y[3], y[4], y[5]
    m = y[6]
    speed = math.sqrt(vx * vx + vy * vy + vz * vz)
    q = 0.5 * rho * speed * speed
    drag = 0.0
    if q > 0.0:
        cl = m * math.sqrt(aL[0] ** 2 + aL[1] ** 2 + aL[2] ** 2) / (q * S)
        cl = min(cl, P[typ, C_CLMAX])
        drag = q * S * (_cd0(cd_mach, cd, typ, speed / a_snd) + P[typ, C_KIND] * cl * cl)
    along = (thrust - drag) / m / max(speed, 1e-9)
    dy[0], dy[1], dy[2] = vx, vy, vz
    dy[3] = along * vx + aL[0] + gx
    dy[4] = along * vy + aL[1] + gy
    dy[5] = along * vz + aL[2] + gz
    dy[6] = -mdot


@njit
def _rk4(y, t_rel, h, aL, typ, S, P, motor, cd_mach, cd, grav, rot, k1, k2, k3, k4, tmp, rho=-1.0, a_snd=0.0,
         gx=0.0, gy=0.0, gz=0.0):
    """One classical Runge-Kutta step of :func:`_deriv`; ``rho >= 0``: the density, speed of sound and
    gravity at ``y`` are given for the first stage (:func:`_deriv_at_start`)."""
    # steps end on motor phase ends (advance), so one phase burns over the whole step: take it at the middle
    thrust, mdot = _thrust(motor, typ, t_rel + 0.5 * h)
    if rho >= 0.0:
        _deriv_at_start(y, thrust, mdot, aL, typ, S, P, cd_mach, cd, rho, a_snd, gx, gy, gz, k1)
    else:
        _deriv(y, thrust, mdot, aL, typ, S, P, cd_mach, cd, grav, rot, k1)
    for i in range(7):
        tmp[i] = y[i] + 0.5 * h * k1[i]
    _deriv(tmp, thrust, mdot, aL, typ, S, P, cd_mach, cd, grav, rot, k2)
    for i in range(7):
        tmp[i] = y[i] + 0.5 * h * k2[i]
    _deriv(tmp, thrust, mdot, aL, typ, S, P, cd_mach, cd, grav, rot, k3)
    for i in range(7):
        tmp[i] = y[i] + h * k3[i]
    _deriv(tmp, thrust, mdot, aL, typ, S, P, cd_mach, cd, grav, rot, k4)
    for i in range(7):
        y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


@njit
def _aero_limit(y, typ, S, P, rho=-1.0):
    """``min(g_limit g0, q S C_L,max / m)`` at the state ``y`` (``rho >= 0``: the air density there, known)."""
    speed2 = y[3] * y[3] + y[4] * y[4] + y[5] * y[5]
    if rho < 0.0:
        rho, _ = us1976_scalar(radial_altitude_scalar(y[0], y[1], y[2]))
    return min(P[typ, C_GLIM], 0.5 * rho * speed2 * S * P[typ, C_CLMAX] / y[6])


@njit
def lateral_capacity(y, typ, t_rel, dv_left, P, rho=-1.0):
    """Largest lateral acceleration (m/s^2) available at state ``y`` (module docstring); ``rho >= 0``: the air
    density at ``y``, known."""
    kv = P[typ, C_KV_MASS] > 0.0 and t_rel >= P[typ, C_TBURN] - PHASE_TOL
    S = P[typ, C_KV_S] if kv else P[typ, C_S]
    aero = _aero_limit(y, typ, S, P, rho)
    if kv and dv_left > 0.0:
        return max(aero, min(P[typ, C_DIVERT_ACC], P[typ, C_GLIM]))
    return aero


@njit
def _pn(rel, vrel, at, g, nav, apn, out):
    """PN / APN command into ``out``; returns the closing speed."""
    R2 = rel[0] * rel[0] + rel[1] * rel[1] + rel[2] * rel[2]
    R = math.sqrt(R2)
    ux, uy, uz = rel[0] / R, rel[1] / R, rel[2] / R
    vc = -(rel[0] * vrel[0] + rel[1] * vrel[1] + rel[2] * vrel[2]) / R
    wx = (rel[1] * vrel[2] - rel[2] * vrel[1]) / R2
    wy = (rel[2] * vrel[0] - rel[0] * vrel[2]) / R2
    wz = (rel[0] * vrel[1] - rel[1] * vrel[0]) / R2
    k = nav * vc
    out[0] = k * (wy * uz - wz * uy)
    out[1] = k * (wz * ux - wx * uz)
    out[2] = k * (wx * uy - wy * ux)
    if apn:
        nx, ny, nz = at[0] - g[0], at[1] - g[1], at[2] - g[2]
        d = nx * ux + ny * uy + nz * uz
        out[0] += 0.5 * nav * (nx - d * ux)
        out[1] += 0.5 * nav * (ny - d * uy)
        out[2] += 0.5 * nav * (nz - d * uz)
    return vc


@njit
def advance(t1, dt, point_mode, grav, rot, land, active,
            y, aL, dv_left, t_now, age, typ, phase, target, aim, cue, cue_t, cue_ball,
            reason, t_end, miss_vec, rel_vel, end_speed, end_alt, max_phase, y_prev, t_prev,
            P, motor, cd_mach, cd,
            cand, alive, th_tl, th_dur, th_off, th_last, th_tau, th_coef, th_vmax, th_jump,
            ter_lat, ter_lon, ter_elev, ter_top):
    """Advance every ``active`` interceptor from its own ``t_now`` to ``t1`` (module docstring).

    State (modified in place), arrays over ``n`` interceptors: ``y (n, 7)`` ECEF position, velocity, mass;
    ``aL (n, 3)`` achieved lateral acceleration; ``dv_left (n,)`` divert budget; ``t_now (n,)``; ``age (n,)``
    the time since launch, the sum of the steps taken (not ``t_now - t_launch``: the flight's events at given
    times since launch then fall on the same steps whatever the launch time's rounding);
    ``typ (n,)`` row of the type tables; ``phase (n,)``; ``target (n,)`` the acquired threat (-1 none);
    ``aim (n, 3)`` the midcourse aim point; ``cue (n, 6), cue_t (n,), cue_ball (n,)`` the uplinked track
    state (position, velocity), its time and whether it is predicted ballistically (gravity) or at
    constant velocity. Outputs when an interceptor ends: ``reason``, ``t_end``, ``miss_vec`` (the relative
    position at closest approach, target minus interceptor), ``rel_vel`` (relative velocity there),
    ``end_speed``, ``end_alt``; ``max_phase`` is the furthest guidance phase reached; ``y_prev (n, 7)``,
    ``t_prev (n,)`` the state at the start of the last step taken (to interpolate within it).

    ``land``: the last step is shortened to end on ``t1`` (every state is then at ``t1``). Without it the
    steps are the interceptor's own, ``min(dt, motor phase end)`` and the fine steps near the closest
    approach, as if the flight were one call, and each state stops at the end of the first step that
    reaches ``t1`` (at most one step past it): the flight then does not depend on when it is advanced, only
    on what it is told (uplinks, and which threats are alive) at the start of each step.

    ``point_mode``: the aim points are the targets (envelope tables): passing the aim point ends the flight
    with ``POINT_REACHED`` and its closest approach. Threat truth: candidate ids ``cand`` for the seeker,
    ``alive (N,)`` and the truth table arrays of :class:`iadsim.threats.truth.ThreatTruth`. The ground is the
    ``th_vmax``, ``th_jump``: each threat's speed bound and the sum of its path's gaps
    (:meth:`iadsim.threats.truth.ThreatTruth.motion_bounds`; zeros with no candidates). The seeker's search
    places every candidate once per call, at the time ``t_ref`` of the first search, and skips one whose
    distance then, less ``v_max |t - t_ref| + jump`` (and a metre), exceeds the seeker's range: it could not
    pass the range test, so the search takes what it would take without the skip. The ground is the
    ellipsoid, or the scenario's terrain grid ``ter_lat, ter_lon, ter_elev`` under the interceptor wherever it
    is lower than ``ter_top`` (the grid's highest point; ``-inf``: no terrain, the ellipsoid alone), by
    :func:`iadsim.physics.grid.ground_below`. Returns the number of interceptors that ended in this call.
    """
    k1 = np.empty(7)
    k2 = np.empty(7)
    k3 = np.empty(7)
    k4 = np.empty(7)
    tmp = np.empty(7)
    rel = np.empty(3)
    vrel = np.empty(3)
    at = np.zeros(3)
    cmd = np.empty(3)
    tru = np.empty(9)
    g = np.empty(3)
    zero = np.zeros(3)
    cp = np.empty(3)
    n = y.shape[0]
    ref_pos = np.empty((cand.size, 3))  # the candidates at t_ref (placed at the first search of the call)
    ref_ok = np.zeros(cand.size, np.bool_)
    t_ref = math.nan
    n_ended = 0  # interceptors that end in this call (the return value)
    for i in range(n):
        if not active[i] or phase[i] == DONE:
            continue
        ty = typ[i]
        nav = P[ty, C_NAV]
        apn = P[ty, C_APN] > 0.0
        tau_c = P[ty, C_TAU]
        t = t_now[i]
        tr = age[i]
        yi = y[i]
        ai = aL[i]
        while t < t1 - 1e-12 and phase[i] != DONE:
            t_rel = tr
            h_burn = _next_phase_end(motor, ty, t_rel) - t_rel
            if h_burn < PHASE_TOL:  # on a phase end to rounding (t is absolute): the next phase starts now
                h_burn = _next_phase_end(motor, ty, t_rel + PHASE_TOL) - t_rel
            h = min(dt, t1 - t, h_burn) if land else min(dt, h_burn)
            # at burnout to rounding, as the phase end above: the kill vehicle separates on the step that
            # starts there (a strict test put it one step later whenever the rounding fell short)
            kv = P[ty, C_KV_MASS] > 0.0 and t_rel >= P[ty, C_TBURN] - PHASE_TOL
            if kv and yi[6] > P[ty, C_KV_MASS]:
                yi[6] = P[ty, C_KV_MASS]  # booster jettisoned at burnout
            S = P[ty, C_KV_S] if kv else P[ty, C_S]
            if phase[i] == LAUNCH and t_rel >= P[ty, C_GDELAY] - PHASE_TOL:
                phase[i] = MIDCOURSE
            gx, gy, gz = gravity_scalar(yi[0], yi[1], yi[2], yi[3], yi[4], yi[5], grav, rot)
            g[0], g[1], g[2] = gx, gy, gz
            speed = math.sqrt(yi[3] ** 2 + yi[4] ** 2 + yi[5] ** 2)
            # seeker acquisition: an object in range, inside the gimbal cone and the hand-over basket
            if phase[i] == MIDCOURSE and not point_mode:
                dtc = t - cue_t[i]
                for a in range(3):
                    cp[a] = cue[i, a] + cue[i, 3 + a] * dtc
                if cue_ball[i]:
                    cgx, cgy, cgz = gravity_scalar(cue[i, 0], cue[i, 1], cue[i, 2], 0.0, 0.0, 0.0, grav, False)
                    cp[0] += 0.5 * cgx * dtc * dtc
                    cp[1] += 0.5 * cgy * dtc * dtc
                    cp[2] += 0.5 * cgz * dtc * dtc
                dc = math.sqrt((cp[0] - yi[0]) ** 2 + (cp[1] - yi[1]) ** 2 + (cp[2] - yi[2]) ** 2)
                # search once the cued point is inside the seeker's range, so that a neighbour entering the
                # basket's near edge first is not taken for the target
                if dc <= P[ty, C_SEEK_R]:
                    best = -1
                    best_e = P[ty, C_BASKET]
                    cos_half = math.cos(P[ty, C_SEEK_HALF])
                    if t_ref != t_ref:  # first search of this call: place the candidates
                        t_ref = t
                        for c in range(cand.size):
                            ref_ok[c] = truth_position(cand[c], t, th_tl, th_dur, th_off, th_last, th_tau,
                                                       th_coef, tru)
                            for a in range(3):
                                ref_pos[c, a] = tru[a]
                    for c in range(cand.size):
                        j = cand[c]
                        if not alive[j]:
                            continue
                        if ref_ok[c]:
                            dx, dy_, dz = ref_pos[c, 0] - yi[0], ref_pos[c, 1] - yi[1], ref_pos[c, 2] - yi[2]
                            if (math.sqrt(dx * dx + dy_ * dy_ + dz * dz) - th_vmax[j] * abs(t - t_ref) - th_jump[j]
                                    - 1.0 > P[ty, C_SEEK_R]):
                                continue
                        if not truth_position(j, t, th_tl, th_dur, th_off, th_last, th_tau, th_coef, tru):
                            continue
                        dx, dy_, dz = tru[0] - yi[0], tru[1] - yi[1], tru[2] - yi[2]
                        d = math.sqrt(dx * dx + dy_ * dy_ + dz * dz)
                        if d > P[ty, C_SEEK_R] or d <= 0.0:
                            continue
                        if (dx * yi[3] + dy_ * yi[4] + dz * yi[5]) < cos_half * d * speed:
                            continue
                        e = math.sqrt((tru[0] - cp[0]) ** 2 + (tru[1] - cp[1]) ** 2 + (tru[2] - cp[2]) ** 2)
                        if e <= best_e:
                            best_e = e
                            best = j
                    if best >= 0:
                        target[i] = best
                        phase[i] = TERMINAL
            # relative geometry and the guidance command
            cmd[0] = cmd[1] = cmd[2] = 0.0
            closing = 1.0
            endgame = phase[i] == TERMINAL
            if phase[i] == TERMINAL:
                j = target[i]
                if not alive[j] or not truth_state(j, t, th_tl, th_dur, th_off, th_last, th_tau, th_coef,
                                                   tru):
                    reason[i] = TARGET_LOST
                    t_end[i] = t
                    phase[i] = DONE
                    break
                for a in range(3):
                    rel[a] = tru[a] - yi[a]
                    vrel[a] = tru[3 + a] - yi[3 + a]
                    at[a] = tru[6 + a]
                closing = _pn(rel, vrel, at, g, nav, apn, cmd)
            elif phase[i] == MIDCOURSE:
                for a in range(3):
                    rel[a] = aim[i, a] - yi[a]
                    vrel[a] = -yi[3 + a]
                # trajectory shaping: a pseudo-target above the aim point, lowered as the range closes
                Rg = math.sqrt(rel[0] ** 2 + rel[1] ** 2 + rel[2] ** 2)
                # a table flight to a point: the last seeker range is flown as the endgame would be
                endgame = point_mode and Rg <= P[ty, C_SEEK_R]
                lift = 0.0 if kv else P[ty, C_LOFT] * max(Rg - P[ty, C_SEEK_R], 0.0)
                if lift > 0.0:
                    an = math.sqrt(aim[i, 0] ** 2 + aim[i, 1] ** 2 + aim[i, 2] ** 2)
                    for a in range(3):
                        rel[a] += lift * aim[i, a] / an
                closing = _pn(rel, vrel, zero, g, nav, True, cmd)
            if phase[i] >= MIDCOURSE:
                Rn = math.sqrt(rel[0] ** 2 + rel[1] ** 2 + rel[2] ** 2)
                if closing > 0.0 and Rn < 2.0 * dt * closing:
                    h = min(h, dt / FINE)
            # perpendicular to the velocity, limited, through the lag
            if speed > 0.0:
                d = (cmd[0] * yi[3] + cmd[1] * yi[4] + cmd[2] * yi[5]) / (speed * speed)
                for a in range(3):
                    cmd[a] -= d * yi[3 + a]
            # the kill vehicle's midcourse corrections may spend half its divert budget; the rest is kept
            # for the endgame (terminal homing, or the last seeker range of a table flight)
            dv_use = dv_left[i] if endgame else max(dv_left[i] - 0.5 * P[ty, C_DIVERT_DV], 0.0)
            # the air at the step's start, once: the capacity, the divert budget and the step's first stage
            rho_y, a_y = us1976_scalar(radial_altitude_scalar(yi[0], yi[1], yi[2]))
            amax = lateral_capacity(yi, ty, t_rel, dv_use, P, rho_y)
            cm = math.sqrt(cmd[0] ** 2 + cmd[1] ** 2 + cmd[2] ** 2)
            if cm > amax:
                for a in range(3):
                    cmd[a] *= amax / cm
            lag = math.exp(-h / tau_c) if tau_c > 0.0 else 0.0
            for a in range(3):
                ai[a] = cmd[a] + (ai[a] - cmd[a]) * lag
            if speed > 0.0:
                d = (ai[0] * yi[3] + ai[1] * yi[4] + ai[2] * yi[5]) / (speed * speed)
                for a in range(3):
                    ai[a] -= d * yi[3 + a]
            am = math.sqrt(ai[0] ** 2 + ai[1] ** 2 + ai[2] ** 2)
            if am > amax:
                for a in range(3):
                    ai[a] *= amax / am
                am = amax
            if kv:
                aero = _aero_limit(yi, ty, S, P, rho_y)
                dv_left[i] = max(dv_left[i] - max(am - aero, 0.0) * h, 0.0)
            # one RK4 step, then the end conditions
            for a in range(7):
                y_prev[i, a] = yi[a]
            t_prev[i] = t
            _rk4(yi, t_rel, h, ai, ty, S, P, motor, cd_mach, cd, grav, rot, k1, k2, k3, k4, tmp, rho_y, a_y, gx, gy, gz)
            t += h
            tr += h
            t_rel = tr
            if phase[i] >= MIDCOURSE:
                if phase[i] == TERMINAL:
                    ok = truth_state(target[i], t, th_tl, th_dur, th_off, th_last, th_tau, th_coef, tru)
                    if not ok:
                        continue  # handled at the start of the next step (target lost)
                    opening = 0.0
                    for a in range(3):
                        opening += (tru[a] - yi[a]) * (tru[3 + a] - yi[3 + a])
                else:
                    opening = 0.0
                    for a in range(3):
                        opening -= (aim[i, a] - yi[a]) * yi[3 + a]
                if opening >= 0.0 and closing > 0.0:
                    # closest approach inside the step just taken, from the relative state at its start
                    vv = vrel[0] ** 2 + vrel[1] ** 2 + vrel[2] ** 2
                    s = -(rel[0] * vrel[0] + rel[1] * vrel[1] + rel[2] * vrel[2]) / vv if vv > 0 else 0.0
                    s = min(max(s, 0.0), h)
                    for a in range(3):
                        miss_vec[i, a] = rel[a] + vrel[a] * s
                        rel_vel[i, a] = vrel[a]
                    t_end[i] = t - h + s
                    if phase[i] == TERMINAL:
                        reason[i] = CPA
                    else:
                        reason[i] = POINT_REACHED if point_mode else NO_ACQUISITION
                    if phase[i] > max_phase[i]:
                        max_phase[i] = phase[i]
                    phase[i] = DONE
                    break
            alt = radial_altitude_scalar(yi[0], yi[1], yi[2])
            sp = math.sqrt(yi[3] ** 2 + yi[4] ** 2 + yi[5] ** 2)
            ground = 0.0
            if alt < ter_top:
                ground = ground_below(ter_lat, ter_lon, ter_elev, yi[0], yi[1], yi[2])
            if alt < ground:
                reason[i] = GROUND
            elif t_rel >= P[ty, C_TMAX] - PHASE_TOL:
                reason[i] = TIMEOUT
            elif t_rel >= P[ty, C_TBURN] - PHASE_TOL and sp < P[ty, C_VMIN]:
                reason[i] = SLOW
            if reason[i] != FLYING:
                t_end[i] = t
                if phase[i] > max_phase[i]:
                    max_phase[i] = phase[i]
                phase[i] = DONE
                break
        if phase[i] != DONE and phase[i] > max_phase[i]:
            max_phase[i] = phase[i]
        if phase[i] == DONE:
            n_ended += 1
        t_now[i] = t
        age[i] = tr
        end_speed[i] = math.sqrt(yi[3] ** 2 + yi[4] ** 2 + yi[5] ** 2)
        end_alt[i] = radial_altitude_scalar(yi[0], yi[1], yi[2])
    return n_ended


@njit
def lateral_capacity_many(y, typ, t_rel, dv_left, P):
    """:func:`lateral_capacity` of ``n`` states (``y (n, 7)``)."""
    out = np.empty(y.shape[0])
    for i in range(y.shape[0]):
        out[i] = lateral_capacity(y[i], typ[i], t_rel[i], dv_left[i], P)
    return out


def launch_direction(r0, aim, t_guess, loft=0.0, r_switch=0.0, grav_up=G0):
    """Unit launch vectors ``(n, 3)`` from ``r0`` toward ``aim`` (ECEF): toward the midcourse pseudo-target
    (``loft * max(|d| - r_switch, 0)`` above the aim point) and lofted to offset gravity's pull over a first
    guess ``t_guess`` of the flight time, ``+ g t^2 / 2 * up``; at least 10 degrees above the horizontal."""
    r0 = np.atleast_2d(np.asarray(r0, float))
    d = np.atleast_2d(np.asarray(aim, float)) - r0
    up = r0 / np.linalg.norm(r0, axis=1, keepdims=True)
    lift = np.asarray(loft, float) * np.maximum(np.linalg.norm(d, axis=1) - np.asarray(r_switch, float), 0.0)
    u = d + (lift + 0.5 * grav_up * np.asarray(t_guess, float) ** 2)[:, None] * up
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    el = np.arcsin(np.clip(np.einsum("ij,ij->i", u, up), -1.0, 1.0))
    low = el < np.radians(10.0)
    if low.any():
        horiz = u[low] - np.einsum("ij,ij->i", u[low], up[low])[:, None] * up[low]
        horiz /= np.linalg.norm(horiz, axis=1, keepdims=True)
        e = np.radians(10.0)
        u[low] = np.cos(e) * horiz + np.sin(e) * up[low]
    return u


def ideal_delta_v(spec) -> float:
    """Rocket-equation speed gain ``sum_i Isp_i g0 ln(m_i / m_{i+1})`` of the motor phases (m/s)."""
    m = spec.launch_mass
    dv = 0.0
    for ph in spec.motor:
        m1 = m - ph.thrust * ph.burn_time / (ph.isp * G0)
        dv += ph.isp * G0 * np.log(m / m1)
        m = m1
    return float(dv)
