"""Engagements and the interceptors in flight: one component with its handlers.

Life of an engagement (the doctrine's launch order for a salvo from fire unit ``f`` at track ``k``):

1. ``fire``: the rounds leave the magazine (:class:`~iadsim.engagement.fire_units.FireUnits`), a channel is
   held, and each round of the salvo is launched ``salvo_interval`` after the previous (``Ev.ROUND``).
2. ``on_round``: the interceptor leaves the launcher toward the predicted intercept point (PIP) of the
   track's latest estimate, as a row of the fly-out state arrays (:mod:`iadsim.engagement.airframe`).
3. ``uplink`` (after every scan of a fire-control radar linked to the unit that updated the track): the
   command post sends the new track state; the PIP is re-predicted from it with the envelope table's time
   of flight (``t* = t_launch + tof(p(t*))``, three fixed-point passes) and becomes the midcourse aim point.
   No uplink, no update: a track the unit's radar no longer holds leaves the interceptor on its last aim.
4. ``advance`` (called by the engine before anything reads the world at time ``t``): all interceptors in
   flight are integrated together to ``t``, each in its own steps (``FLYOUT_DT``, cut only on its motor
   phase ends, refined near its closest approach): a state stops at the end of the first step that reaches
   ``t``, so it may be up to one step ahead of ``t``, and a flight is the same whenever and however often
   it is advanced (the output sampling, an observer or another radar's scans do not change it). What
   reaches a round between its steps (uplinks, the threats alive) takes effect at its next step. A round
   that ends by ``t`` is resolved (one that ends inside a step past ``t`` waits for the first advance at or
   after its end, so rounds are resolved in the order they end): at its closest approach to the
   object its seeker acquired, the miss is the integrated miss vector plus the unmodelled guidance error
   (a circular normal of the type's ``miss_sigma`` in the miss plane); inside the fuze window (the type's
   altitude band and at least ``min_range`` from the launcher) the kill is a draw with
   ``Pk = reliability * vulnerability(class) * D(miss)`` (:mod:`iadsim.engagement.lethality`) from the fire
   unit's generator. Other ends (ground, time-out, too slow, nothing acquired, target gone) are misses
   with their reason.
5. When the salvo's last round has ended the channel is freed and the kill assessment is due
   ``kill_assessment_delay`` later (``on_kill_assess``): a track updated after the intercept is still there
   (a miss: the track becomes eligible again); otherwise it is assessed killed.

Randomness: each round's end draws two normals and one uniform from its fire unit's generator, in the
order the rounds end (row order at equal times), whatever the outcome.
"""

from __future__ import annotations

import math

import numpy as np

from iadsim._numba import njit
from iadsim.engagement import airframe as af
from iadsim.engagement import lethality as leth
from iadsim.engagement.envelope import call, kernel_args, new_state, positions_at
from iadsim.engine.events import Ev
from iadsim.evaluation.predict import ASSUMED_BETA, coast_at
from iadsim.frames import R_EARTH, WGS84
from iadsim.physics.gravity import J2
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.status import FLYING, INTERCEPTED
from iadsim.threats import rocket as rk

#: fixed integration step of the fly-out (s); refined 50x near the closest approach
FLYOUT_DT = 0.05
#: longest interval between two fly-out advances while interceptors fly (s)
FLYOUT_TICK = 1.0
#: lethality code of the constant-Pk validation mode (``Lethality(kind="fixed")``; not a damage function)
FIXED_PK = -1

ENGAGEMENT_COLUMNS = (
    "engagement", "fire_unit", "interceptor", "track", "t_decision", "t_launch", "t_intercept_planned",
    "t_intercept", "salvo", "pk_planned", "value", "pip_x", "pip_y", "pip_z", "threat", "result",
    "miss_distance", "closing_speed", "interceptor_speed", "intercept_alt", "guidance_phase", "end_reason",
    "t_complete")


def _predict_at(x, ball, dt, beta=ASSUMED_BETA):
    """Positions ``(n, 3)`` of track states ``x (n, >=6)`` predicted ``dt (n,)`` ahead, each its own interval:
    the coast with drag over the rotating earth (:func:`iadsim.evaluation.predict.coast_at`) where ``ball``,
    constant velocity elsewhere, as :func:`iadsim.evaluation.predict.predict_positions` does for a grid."""
    out = x[:, :3] + x[:, 3:6] * dt[:, None]
    if ball.any():
        out[ball] = coast_at(x[ball, :3], x[ball, 3:6], dt[ball], beta)
    return out


_A_WGS, _B_WGS = WGS84.semimajor_axis, WGS84.semiminor_axis  # as iadsim.threats.ballistic.ellipsoid_radius


@njit
def _predict_one(x, i, ball, dt, beta, out):
    """:func:`_predict_at` of row ``i`` into ``out (3,)`` (the coast as :func:`iadsim.evaluation.predict.coast_at`
    steps it, through :func:`iadsim.threats.rocket.coast_each`)."""
    if ball:
        r = np.empty((1, 3))
        v = np.empty((1, 3))
        for a in range(3):
            r[0, a] = x[i, a]
            v[0, a] = x[i, 3 + a]
        b = np.full(1, beta)
        d = np.full(1, dt)
        o = np.empty((1, 6))
        rk.coast_each(r, v, b, d, rk.DT_EXO_PREDICT, J2, True, o)
        for a in range(3):
            out[a] = o[0, a]
    else:
        for a in range(3):
            out[a] = x[i, a] + x[i, 3 + a] * dt


@njit
def _pip_kernel(typ, r0, x, t_x, ball, t_launch, t_plan, beta, rho0, drho, h0, dh, tof, ok, n_iter):
    """:meth:`Engagements._pip` row by row: ``n_iter`` passes of ``t* = t_launch + tof(p(t*))`` with the
    envelope table's bilinear time of flight (:meth:`iadsim.engagement.envelope.EnvelopeSet.lookup`) at the
    ground range and radial altitude (:func:`iadsim.engagement.envelope.ground_range_altitude`) of the
    predicted point, keeping ``t_plan`` where the table has no answer; the same operations in the same order
    as the array form (:meth:`Engagements._pip_reference`). Returns ``aim (n, 3), t* (n,)``."""
    n = typ.shape[0]
    NR, NH = tof.shape[1], tof.shape[2]
    aim = np.empty((n, 3))
    tp = t_plan.astype(np.float64).copy()
    p = np.empty(3)
    for i in range(n):
        ty = typ[i]
        sn = math.sqrt(r0[i, 0] * r0[i, 0] + r0[i, 1] * r0[i, 1] + r0[i, 2] * r0[i, 2])
        for _ in range(n_iter):
            _predict_one(x, i, ball[i], tp[i] - t_x[i], beta, p)
            pn = math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2])
            dot = p[0] * (r0[i, 0] / sn) + p[1] * (r0[i, 1] / sn) + p[2] * (r0[i, 2] / sn)
            cosang = min(max(dot / pn, -1.0), 1.0)
            rho = R_EARTH * math.acos(cosang)
            q = p[2] / pn
            s2 = q * q
            h = pn - _A_WGS * _B_WGS / math.sqrt(_B_WGS * _B_WGS * (1.0 - s2) + _A_WGS * _A_WGS * s2)
            fi = (rho - rho0[ty]) / drho[ty]
            fj = (h - h0[ty]) / dh[ty]
            inside = fi >= 0 and fi <= NR - 1 and fj >= -1e-9 and fj <= NH - 1 + 1e-9
            ii = min(max(int(math.floor(fi)), 0), NR - 2)
            jj = min(max(int(math.floor(fj)), 0), NH - 2)
            wi = min(max(fi - ii, 0.0), 1.0)
            wj = min(max(fj - jj, 0.0), 1.0)
            if inside and ok[ty, ii, jj] and ok[ty, ii + 1, jj] and ok[ty, ii, jj + 1] and ok[ty, ii + 1, jj + 1]:
                a00, a10 = tof[ty, ii, jj], tof[ty, ii + 1, jj]
                a01, a11 = tof[ty, ii, jj + 1], tof[ty, ii + 1, jj + 1]
                tp[i] = t_launch[i] + ((1 - wi) * ((1 - wj) * a00 + wj * a01) + wi * ((1 - wj) * a10 + wj * a11))
        _predict_one(x, i, ball[i], tp[i] - t_x[i], beta, p)
        for a in range(3):
            aim[i, a] = p[a]
    return aim, tp


class Engagements:
    """Engagement bookkeeping and the fly-out of every interceptor (module docstring)."""

    def __init__(self, compiled, kin, fire_units, threats, threat_state, tracker, fu_rngs, queue, log,
                 ka_delay: float):
        c = compiled
        self.c = c
        self.beta = float(c.doctrine.assumed_ballistic_coefficient)
        self.kin = kin
        self.fu = fire_units
        self.threats = threats
        self.ts = threat_state
        self.tracker = tracker
        self.rngs = fu_rngs
        self.queue = queue
        self.log = log
        self.ka_delay = float(ka_delay)
        specs = [spec for _, spec in c.interceptor_types]
        self.specs = specs
        self.air = af.AirframeTable.from_types(specs)
        self.type_of_fu = np.asarray(c.fire_units.type_index, np.int64)
        self.leth_kind = np.array([FIXED_PK if s.lethality.kind == "fixed" else leth.kind_code_of(s.lethality.kind)
                                   for s in specs], np.int64)
        self.leth_radius = np.array([s.lethality.radius for s in specs])
        self.leth_rel = np.array([s.lethality.reliability for s in specs])
        self.leth_sigma = np.array([s.lethality.miss_sigma for s in specs])
        self.vuln = np.array([[s.lethality.vulnerability.get(k, 0.0) for k in THREAT_CLASSES] for s in specs])
        # linked[f, s]: fire unit f takes uplinks from radar s
        self.linked = np.zeros((len(c.fire_units), len(c.radars)), bool)
        for f, radars in enumerate(c.fire_units.radars):
            self.linked[f, list(radars)] = True
        self.st = new_state(0)
        self.n = 0
        self._views = (None, -1, {}, None, None)  # (state dict, n, its views of the first n rows, truth, kernel_args)
        self.row_eng = np.zeros(0, np.int64)
        self.row_uplink = np.zeros(0)
        self.resolved = np.zeros(0, bool)  # per row: ended and resolved (not in flight any more)
        self.row_fu = np.zeros(0, np.int64)  # per row: its fire unit
        self.n_live = 0  # rows the kernel has not ended yet (phase != DONE)
        self._in_flight = None  # in_flight()'s rows, until a row is added or resolved
        self.unresolved = 0  # rounds ended in the kernel and not resolved yet
        self.t_advanced = 0.0
        self.tick_pending = False
        # per engagement (few: lists)
        self.cols = {k: [] for k in ENGAGEMENT_COLUMNS}
        self.e_rounds_left: list[int] = []
        self.e_best_miss: list[float] = []
        self.e_cls: list[int] = []
        self.e_x: list[np.ndarray] = []
        self.engaged_until: dict[int, float] = {}
        self.assessed_kill: dict[int, float] = {}

    # --- state storage ------------------------------------------------------------------------------
    def _grow(self, k: int) -> None:
        cap = self.row_eng.size
        if self.n + k <= cap:
            return
        new = max(2 * cap, self.n + k, 64)
        st = new_state(new)
        for key, arr in self.st.items():
            st[key][: self.n] = arr[: self.n]
        self.st = st
        eng = np.full(new, -1, np.int64)
        eng[: self.n] = self.row_eng[: self.n]
        up = np.full(new, -np.inf)
        up[: self.n] = self.row_uplink[: self.n]
        res = np.zeros(new, bool)
        res[: self.n] = self.resolved[: self.n]
        fu = np.zeros(new, np.int64)
        fu[: self.n] = self.row_fu[: self.n]
        self.row_eng, self.row_uplink, self.resolved, self.row_fu = eng, up, res, fu

    def in_flight(self) -> np.ndarray:
        """Rows of the interceptors still flying (a round whose end lies past the last advance flies until
        it is resolved); kept until a row is added or resolved (read-only)."""
        if self._in_flight is None:
            self._in_flight = np.flatnonzero(~self.resolved[: self.n])
            self._in_flight.flags.writeable = False
        return self._in_flight

    # --- eligibility for the doctrine -----------------------------------------------------------------
    def eligible(self, tracks) -> np.ndarray:
        """Tracks the doctrine may engage now: not while an engagement is in flight or awaiting its kill
        assessment; not after an assessed kill unless the track has been updated since (seen again)."""
        # dictionary look-ups over the (tens of) tracks: cheaper than np.isin / searchsorted on small arrays
        engaged, killed = self.engaged_until, self.assessed_kill
        ids = tracks.id.tolist()
        if not killed:
            return np.array([i not in engaged for i in ids], bool)
        return np.array([i not in engaged and not (i in killed and lu <= killed[i])
                         for i, lu in zip(ids, tracks.last_update.tolist(), strict=True)], bool)

    # --- handlers -------------------------------------------------------------------------------------
    def fire(self, t, orders, tracks, cls) -> None:
        """Carry out the doctrine's launch orders of this cycle (``tracks``: the table it planned on)."""
        for o in range(len(orders)):
            f = int(orders.fire_unit[o])
            salvo = int(orders.salvo[o])
            row = int(orders.track_row[o])
            track_id = int(tracks.id[row])
            typ = int(self.type_of_fu[f])
            spec = self.specs[typ]
            self.fu.expend(f, salvo, float(orders.t_launch[o]))
            e = len(self.e_rounds_left)
            self.e_rounds_left.append(salvo)
            self.e_best_miss.append(np.inf)
            self.e_cls.append(int(cls[row]))
            self.e_x.append(tracks.x[row, :6].copy())
            self.engaged_until[track_id] = np.inf
            L = self.cols
            vals = {"engagement": e, "fire_unit": f, "interceptor": self.c.interceptor_types[typ][0],
                    "track": track_id, "t_decision": float(t), "t_launch": float(orders.t_launch[o]),
                    "t_intercept_planned": float(orders.t_intercept[o]), "t_intercept": np.nan, "salvo": salvo,
                    "pk_planned": float(orders.pk[o]), "value": float(orders.value[o]),
                    "pip_x": float(orders.pip[o][0]), "pip_y": float(orders.pip[o][1]),
                    "pip_z": float(orders.pip[o][2]), "threat": -1, "result": "in_flight",
                    "miss_distance": np.nan, "closing_speed": np.nan, "interceptor_speed": np.nan,
                    "intercept_alt": np.nan, "guidance_phase": "", "end_reason": "", "t_complete": np.nan}
            for k, v in vals.items():
                L[k].append(v)
            for k in range(salvo):
                self.queue.push(float(orders.t_launch[o]) + k * spec.salvo_interval, Ev.ROUND, (e, k, float(t)))

    def on_round(self, t, payload) -> None:
        """``Ev.ROUND``: one interceptor of engagement ``e`` leaves its launcher."""
        e, k, _ = payload
        self.advance(t)
        L = self.cols
        f = L["fire_unit"][e]
        typ = int(self.type_of_fu[f])
        spec = self.specs[typ]
        self._grow(1)
        i = self.n
        self.n += 1
        st = self.st
        r0 = self.kin.pos[f]
        # aim: the PIP re-predicted from the latest estimate of the track (the order's state if dropped)
        x, t_x = self._track_state(L["track"][e], e)
        t_plan = L["t_intercept_planned"][e] + k * spec.salvo_interval
        aim, t_plan = self._pip(np.array([typ]), r0[None, :], x[None, :], np.array([t_x]),
                                np.array([self.e_cls[e] == 0]), np.array([t]), np.array([t_plan]))
        u = af.launch_direction(r0[None, :], aim, np.array([t_plan[0] - t]), spec.loft, spec.seeker_range)
        st["y"][i, :3] = r0
        st["y"][i, 3:6] = u[0] * spec.launch_speed
        st["y"][i, 6] = spec.launch_mass
        st["aL"][i] = 0.0
        st["dv_left"][i] = spec.kill_vehicle.divert_delta_v if spec.kill_vehicle is not None else 0.0
        st["t_now"][i] = t
        st["t_launch"][i] = t
        st["age"][i] = 0.0
        st["typ"][i] = typ
        st["phase"][i] = af.LAUNCH
        st["target"][i] = -1
        st["aim"][i] = aim[0]
        st["cue"][i] = x
        st["cue_t"][i] = t_x
        st["cue_ball"][i] = self.e_cls[e] == 0
        st["reason"][i] = af.FLYING
        st["max_phase"][i] = af.LAUNCH
        self.row_eng[i] = e
        self.row_fu[i] = f
        self.row_uplink[i] = t_x
        self.resolved[i] = False
        self.n_live += 1
        self._in_flight = None
        self.log.event(t, "interceptor_launch", track=L["track"][e], fire_unit=f, engagement=e,
                       detail=f"round {k + 1} of {L['salvo'][e]}")
        if not self.tick_pending:
            self.tick_pending = True
            self.queue.push(t + FLYOUT_TICK, Ev.FLYOUT, None)

    def on_tick(self, t, _) -> None:
        """``Ev.FLYOUT``: advance while interceptors fly (bounds the interval between advances)."""
        self.tick_pending = False
        self.advance(t)
        if self.in_flight().size:
            self.tick_pending = True
            self.queue.push(t + FLYOUT_TICK, Ev.FLYOUT, None)

    def _track_state(self, track_id, e):
        tr = self.tracker
        rows = np.flatnonzero((tr.id == track_id) & (tr.status == 1))
        if rows.size:
            return tr.state.take(rows[:1]).x[0, :6].copy(), float(tr.t[rows[0]])
        return self.e_x[e], float(self.cols["t_decision"][e])

    def _pip(self, typ, r0, x, t_x, ball, t_launch, t_plan):
        """PIP re-prediction ``t* = t_launch + tof(p(t*))`` (module docstring); keeps ``t_plan`` where the
        table has no answer. Returns ``aim (n, 3), t* (n,)``. One compiled pass (:func:`_pip_kernel`);
        :meth:`_pip_reference` is the array form it is tested against."""
        env = self.kin.env
        f = np.ascontiguousarray
        return _pip_kernel(f(typ, np.int64), f(r0, float), f(x, float), f(t_x, float), f(ball, np.bool_),
                           f(t_launch, float), f(t_plan, float), self.beta, env.rho0, env.drho, env.h0, env.dh,
                           env.tof, env.ok, 3)

    def _pip_reference(self, typ, r0, x, t_x, ball, t_launch, t_plan):
        """:meth:`_pip` in array form (the envelope's vectorised lookup over the rows)."""
        from iadsim.engagement.envelope import ground_range_altitude

        env = self.kin.env
        tp = t_plan.astype(float).copy()
        for _ in range(3):
            rho, h = ground_range_altitude(r0, _predict_at(x, ball, tp - t_x, self.beta))
            tof, _, _, ok = env.lookup(typ, rho, h)
            tp = np.where(ok, t_launch + tof, tp)
        return _predict_at(x, ball, tp - t_x, self.beta), tp

    def _uplink_rows(self, sensor: int):
        """Rows, engagements and fire units of the interceptors in midcourse whose unit is linked to radar
        ``sensor`` (None when there are none)."""
        rows = self.in_flight()
        if rows.size == 0:
            return None
        rows = rows[self.st["phase"][rows] <= af.MIDCOURSE]
        if rows.size == 0:
            return None
        eng = self.row_eng[rows]
        fus = self.row_fu[rows]
        linked = self.linked[fus, sensor]
        return rows[linked], eng[linked], fus[linked]

    def uplink_demand(self, sensor: int) -> int:
        """Interceptors in midcourse that radar ``sensor`` guides (one uplink each per frame of a radar with
        a time budget, :mod:`iadsim.sensors.scheduler`)."""
        got = self._uplink_rows(sensor)
        return 0 if got is None else int(got[0].size)

    def uplink(self, t, sensor: int, limit: int | None = None) -> None:
        """After a scan of radar ``sensor``: new aim points for the midcourse interceptors whose fire unit is
        linked to it and whose track it has just updated; ``limit``: the uplinks the radar's time budget
        granted this frame (the first rows, in launch order)."""
        got = self._uplink_rows(sensor)
        if got is None:
            return
        rows, eng, fus = got if limit is None else (a[:limit] for a in got)
        st = self.st
        if rows.size == 0 or len(self.tracker.id) == 0:
            return
        # the track rows (ids are unique) that this radar has just updated
        tr = self.tracker
        tids = np.array(self.cols["track"], np.int64)[eng]
        order = np.argsort(tr.id, kind="stable")
        pos = np.minimum(np.searchsorted(tr.id[order], tids), order.size - 1)
        k = order[pos]
        held = (tr.id[k] == tids) & (tr.status[k] == 1) & (tr.last_sensor[k] == sensor) & (tr.last_update[k] >= t)
        if not held.any():
            return
        rows, eng, fus, k = rows[held], eng[held], fus[held], k[held]
        x = tr.state.take(k).x[:, :6]
        ball = np.array(self.e_cls, np.int64)[eng] == 0
        t_x = np.full(rows.size, float(t))
        t_launch = st["t_launch"][rows]
        typ = st["typ"][rows]
        t_plan = np.array([self.cols["t_intercept_planned"][e] for e in eng.tolist()])
        aim, _ = self._pip(typ, self.kin.pos[fus], x, t_x, ball, t_launch, t_plan)
        st["aim"][rows] = aim
        st["cue"][rows] = x
        st["cue_t"][rows] = t
        self.row_uplink[rows] = t

    def advance(self, t) -> None:
        """Fly every interceptor to time ``t`` and resolve the rounds that end (module docstring)."""
        if t <= self.t_advanced or self.n == 0:
            self.t_advanced = max(self.t_advanced, t)
            return
        self.t_advanced = t
        truth = self.threats.truth
        if self._views[0] is not self.st or self._views[1] != self.n or self._views[3] is not truth.kernel_arrays():
            # views of the first n rows and the kernel's arrays: once per size (or new truth)
            views = {k: v[: self.n] for k, v in self.st.items()}
            self._views = (self.st, self.n, views, truth.kernel_arrays(),
                           kernel_args(views, self.air, truth, self.c.terrain))
            self._all_rows = np.ones(self.n, bool)
        st = self._views[2]
        if self.n_live:  # the kernel skips the rows that have ended or are at t already (one step past it)
            alive, cand = self.ts.alive()
            ended = call(self._views[4], t, FLYOUT_DT, False, J2, True, False, self._all_rows, cand, alive)
            self.n_live -= ended
            self.unresolved += ended
        if not self.unresolved:  # rounds end rarely: most advances have none to resolve
            return
        ended = np.flatnonzero((st["phase"] == af.DONE) & ~self.resolved[: self.n] & (st["t_end"] <= t))
        self.unresolved -= ended.size
        self._in_flight = None
        for i in ended[np.argsort(st["t_end"][ended], kind="stable")]:
            self.resolved[i] = True
            self._resolve(int(i))

    def _resolve(self, i: int) -> None:
        """Resolve round ``i`` that has ended (module docstring, step 4): two normals and one uniform ``u``
        from its fire unit's generator, whatever the outcome; at a closest approach (``CPA``) inside the fuze
        window the round kills when ``u < Pk``, with ``Pk = reliability * vulnerability(class) * D(miss)``, or,
        for the constant-Pk **validation mode** (``Lethality(kind="fixed")``, docs/validation.md),
        ``Pk = pk[class]`` whatever the miss distance."""
        st = self.st
        e = int(self.row_eng[i])
        L = self.cols
        f = L["fire_unit"][e]
        typ = int(st["typ"][i])
        spec = self.specs[typ]
        rng = self.rngs[f]
        n1, n2 = rng.standard_normal(2)
        u = rng.random()
        reason = int(st["reason"][i])
        j = int(st["target"][i])
        t_end = float(st["t_end"][i])
        miss = np.inf
        result = af.REASON_NAMES[reason]
        vrel = st["rel_vel"][i]
        if reason == af.CPA:
            w = vrel / max(np.linalg.norm(vrel), 1e-9)
            e1 = np.cross(w, [0.0, 0.0, 1.0] if abs(w[2]) < 0.9 else [1.0, 0.0, 0.0])
            e1 /= np.linalg.norm(e1)
            e2 = np.cross(w, e1)
            mv = st["miss_vec"][i] + self.leth_sigma[typ] * (n1 * e1 + n2 * e2)
            miss = float(np.linalg.norm(mv))
            pos = st["y"][i, :3]
            slant = float(np.linalg.norm(pos - self.kin.pos[f]))
            alt = float(st["end_alt"][i])
            if self.ts.status[j] != FLYING:
                result = "target_already_killed" if self.ts.status[j] == INTERCEPTED else "target_gone"
            elif not (spec.min_altitude <= alt <= spec.max_altitude and slant >= spec.min_range):
                result = "outside_fuze_window"
            elif self.leth_kind[typ] == FIXED_PK:  # validation mode: a constant Pk per shot and class
                pk = spec.lethality.pk.get(THREAT_CLASSES[self.threats.cls[j]], 0.0)
                result = "kill" if u < pk else "miss"
            else:
                pk = float(leth.single_shot_pk(self.leth_kind[typ], miss, self.leth_radius[typ],
                                               self.leth_rel[typ], self.vuln[typ, self.threats.cls[j]]))
                result = "kill" if u < pk else "miss"
        if reason == af.TARGET_LOST and j >= 0 and self.ts.status[j] == INTERCEPTED:
            result = "target_already_killed"  # another engagement (a duplicate track) got it first
        kill = result == "kill"
        if kill:
            self.ts.kill(j, t_end)
        self.log.event(t_end, "intercept" if kill else "miss", threat=j, track=L["track"][e], fire_unit=f,
                       engagement=e, detail=f"{result}, miss {miss:.1f} m" if np.isfinite(miss) else result)
        # the engagement keeps its best round (a kill, else the smallest miss)
        if L["result"][e] == "kill":
            better = False
        elif kill or reason == af.CPA:
            better = kill or miss < self.e_best_miss[e]
        else:
            better = not np.isfinite(self.e_best_miss[e])
        if better:
            self.e_best_miss[e] = miss
            L["result"][e] = "kill" if kill else ("miss" if reason == af.CPA else result)
            L["threat"][e] = j
            L["t_intercept"][e] = t_end
            L["miss_distance"][e] = miss
            L["closing_speed"][e] = float(np.linalg.norm(vrel)) if reason == af.CPA else np.nan
            L["interceptor_speed"][e] = float(st["end_speed"][i])
            L["intercept_alt"][e] = float(st["end_alt"][i])
            L["guidance_phase"][e] = af.PHASE_NAMES[int(st["max_phase"][i])]
            L["end_reason"][e] = result
        self.e_rounds_left[e] -= 1
        if self.e_rounds_left[e] == 0:
            self.fu.release(f)
            L["t_complete"][e] = t_end
            t_int = L["t_intercept"][e]
            self.engaged_until[L["track"][e]] = t_int + self.ka_delay
            self.queue.push(max(t_end, t_int) + self.ka_delay, Ev.KILL_ASSESS, e)

    def on_kill_assess(self, t, e) -> None:
        """Look again: a track updated after the intercept time is still there (a miss)."""
        L = self.cols
        tid = L["track"][e]
        self.engaged_until.pop(tid, None)
        tr = self.tracker
        rows = np.flatnonzero(tr.id == tid)
        seen_again = rows.size > 0 and tr.last_update[rows[0]] > L["t_intercept"][e] + 1e-9
        if seen_again:
            self.assessed_kill.pop(tid, None)
        else:
            self.assessed_kill[tid] = t
        self.log.event(t, "kill_assessment", track=tid, fire_unit=L["fire_unit"][e], engagement=e,
                       detail="seen again: re-engage" if seen_again else "not seen: assessed killed")

    def positions(self, t):
        """``(rows, ECEF positions)`` of the interceptors in flight at ``t`` (for the truth samples), after
        :meth:`advance` to ``t`` (:func:`iadsim.engagement.envelope.positions_at`: a state ahead of ``t`` is
        taken back within its last step)."""
        rows = self.in_flight()
        return rows, positions_at(self.st, rows, t)
