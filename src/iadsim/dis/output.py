"""DIS out: an observer of the run that publishes its entities, fires and detonations.

:class:`DisOutput` is a :class:`~iadsim.engine.simulation.Simulation` observer (it reads the world, never
changes it: a run gives the same results with or without it). Every ``period`` (default 0.5 s of
simulated time) it looks at

* the entities: the command post, the radar sites, the fire units (static, dead-reckoning algorithm 1),
  every threat in flight (exact truth) and every interceptor in flight (its state at its last integration,
  extrapolated to the tick with its velocity and acceleration), and sends an Entity State PDU for those
  the issuance rules of :mod:`iadsim.dis.dead_reckoning` make due (first appearance, dead-reckoning drift
  past the threshold, heartbeat), plus a last one, deactivated (and destroyed if killed), when a threat or
  interceptor leaves the world (dated when the sender learns of it, so that it is the entity's last PDU
  in time order). Entity types: :mod:`iadsim.dis.entity_types`. Orientation from the
  velocity. The acceleration of a threat is the central difference of its truth velocity over 0.05 s, that
  of an interceptor the difference of its velocities at two ticks.
* the events logged since the last tick: an interceptor launch gives a Fire PDU (firing entity: the fire
  unit; munition: the interceptor; target: the threat nearest the planned intercept point at the planned
  time, an annotation from truth that the command post never sees; location: the launcher; velocity: the
  interceptor's at its first Entity State PDU; range: launcher to PIP), the end of that round a Detonation
  PDU with the same event id (result: entity impact for a hit-to-kill kill, entity proximate detonation for
  a blast-fragmentation kill, "none (dud)" for a miss; location in the target's body axes), and a threat that
  reaches its end of flight a Detonation PDU of its own (firing: none; exploding: the threat; ground impact).

Entity numbers (application ``site:application``): 1 the command post, then the radars, the fire units
(scenario order), then the threats (``S + 1 + i``), then the interceptors (``S + N + 1 + row``), while they fit
in 16 bits (what does not fit is counted in ``unnumbered`` and not sent). Event numbers count from 1.

Timestamps are relative (time past the hour of the simulated time). The sinks are
:class:`~iadsim.dis.transport.UdpSender` and :class:`~iadsim.dis.transport.PcapWriter` objects (``send(t,
data)``): a run's recording holds exactly the PDUs sent on the network.
"""

from __future__ import annotations

import numpy as np

from iadsim.dis import entity_types as et
from iadsim.dis.dead_reckoning import (
    DR_RVW,
    DR_STATIC,
    HBT_ESPDU,
    DeadReckoningState,
    body_axes,
    euler_angles,
    local_frame,
    orientation_and_rates,
)
from iadsim.dis.pdu import NO_ENTITY, Detonation, EntityId, EntityState, Fire, MunitionDescriptor, timestamp
from iadsim.engagement.envelope import states_at
from iadsim.frames import geodetic2ecef

#: seconds between two looks at the world (simulated time)
PERIOD = 0.5
_ACC_STEP = 0.025
_MAX_ENTITY = 65534


class DisOutput:
    """The DIS publisher of one run (module docstring).

    ``external``: the live mode's :class:`~iadsim.live.external.ExternalThreats` (their threats are
    published by their own simulation, not here; Fire and Detonation PDUs name them by their ids)."""

    def __init__(self, sinks, *, site: int = 1, application: int = 1, exercise: int = 1, period: float = PERIOD,
                 threshold: float = 1.0, heartbeat: float = HBT_ESPDU, external=None):
        self.sinks = list(sinks)
        self.site, self.app, self.exercise = int(site), int(application), int(exercise)
        self.period = float(period)
        self.threshold, self.heartbeat = float(threshold), float(heartbeat)
        self.external = external
        self.counts = {"entity_state": 0, "fire": 0, "detonation": 0, "unnumbered": 0}
        self._ready = False

    # --- set-up at the first look -----------------------------------------------------------------
    def _setup(self, sim) -> None:
        c = sim.c
        th = sim.threats
        cp = c.scenario.command_post.position
        cp_ecef = geodetic2ecef(cp.lat, cp.lon, cp.alt) if cp is not None else \
            geodetic2ecef(c.origin_lat, c.origin_lon, c.origin_alt)
        pos = [np.asarray(cp_ecef, float)] + [r.ecef for r in c.radars] + list(c.fire_units.ecef)
        self.static_pos = np.array(pos, float).reshape(-1, 3)
        north, down = local_frame(self.static_pos)
        east = np.cross(down, north)
        facing = np.array([0.0] + [r.facing for r in c.radars] + [0.0] * len(c.fire_units))
        fwd = np.cos(facing)[:, None] * north + np.sin(facing)[:, None] * east
        self.static_ori = euler_angles(*body_axes(self.static_pos, fwd))
        self.static_type = [et.COMMAND_POST] + [et.radar_type(r.spec.role) for r in c.radars] + \
            [et.FIRE_UNIT] * len(c.fire_units)
        self.static_mark = [c.scenario.command_post.name] + [r.name for r in c.radars] + list(c.fire_units.names)
        S = self.S = len(pos)
        N = self.N = len(th)
        self.fu_base = 1 + 1 + len(c.radars)  # entity number of fire unit 0
        types = [spec for _, spec in c.threat_types]
        self.threat_types = [et.threat_type(et_cls, getattr(types[k], "max_range", None))
                             for et_cls, k in zip(np.array(["ballistic", "cruise", "drone", "aircraft"])[th.cls],
                                                  th.type_index, strict=True)]
        self.dr = DeadReckoningState(S + N, self.threshold, self.heartbeat)
        self.int_prev_t = np.zeros(0)
        self.int_prev_v = np.zeros((0, 3))
        self.int_event: dict[int, EntityId] = {}
        self.int_ended: set[int] = set()
        self.int_first_vel: dict[int, tuple] = {}
        self.cursor = 0
        self.n_launch = 0
        self.next_event = 1
        specs = [spec for _, spec in c.interceptor_types]
        self.int_descriptor = [MunitionDescriptor(et.INTERCEPTOR, *et.warhead_fuse(s.lethality.kind)) for s in specs]
        self.int_kill_result = [et.RESULT_ENTITY_IMPACT if s.lethality.kind == "hit_to_kill" else
                                et.RESULT_ENTITY_PROXIMATE for s in specs]
        self._ready = True

    # --- ids ---------------------------------------------------------------------------------------
    def _eid(self, number: int) -> EntityId:
        return EntityId(self.site, self.app, number)

    def threat_id(self, j: int) -> EntityId:
        if j < 0:
            return NO_ENTITY
        if self.external is not None and self.external.is_external[j]:
            return self.external.entity_id(j)
        n = self.S + 1 + j
        return self._eid(n) if n <= _MAX_ENTITY else NO_ENTITY

    def interceptor_number(self, row: int) -> int:
        return self.S + self.N + 1 + row

    def _event_id(self) -> EntityId:
        e = EntityId(self.site, self.app, self.next_event & 0xFFFF)
        self.next_event += 1
        return e

    def _emit(self, t: float, pdu) -> None:
        data = pdu.encode()
        for s in self.sinks:
            s.send(t, data)
        self.counts[{1: "entity_state", 2: "fire", 3: "detonation"}[pdu.pdu_type]] += 1

    def _espdu(self, t, number, etype, force, p, v, a, ori, rates, alg, mark, appearance=0) -> None:
        if number > _MAX_ENTITY:
            self.counts["unnumbered"] += 1
            return
        self._emit(t, EntityState(
            entity_id=self._eid(number), force=force, entity_type=etype, velocity=tuple(map(float, v)),
            location=tuple(map(float, p)), orientation=tuple(map(float, ori)), appearance=appearance,
            dr_algorithm=alg, acceleration=tuple(map(float, a)), angular_velocity=tuple(map(float, rates)),
            marking=mark, exercise=self.exercise, timestamp=timestamp(t)))

    # --- the observer ------------------------------------------------------------------------------
    def observe(self, t: float, sim) -> None:
        if not self._ready:
            self._setup(sim)
        self._interceptors(t, sim)
        self._events(t, sim)
        self._static(t)
        self._threats(t, sim)

    def finish(self, t: float, sim) -> None:
        """End of the run: the last events, then every entity still known leaves (deactivated)."""
        if not self._ready:
            self._setup(sim)
        self._interceptors(t, sim)
        self._events(t, sim)
        act = np.flatnonzero(self.dr.active)
        for k in act.tolist():
            if k < self.S:
                self._espdu(t, k + 1, self.static_type[k], et.FORCE_FRIENDLY, self.static_pos[k], np.zeros(3),
                            np.zeros(3), self.static_ori[k], np.zeros(3), DR_STATIC, self.static_mark[k],
                            et.APPEARANCE_DEACTIVATED)
            else:
                self._threat_leaves(t, sim, k - self.S, final=True)
        for row in range(self.int_prev_t.size):
            if self.int_prev_t[row] > -np.inf and row not in self.int_ended:
                self._interceptor_leaves(t, sim, row)
        for s in self.sinks:
            if hasattr(s, "flush"):
                s.flush(np.inf)

    def _static(self, t: float) -> None:
        rows = np.arange(self.S)
        due = self.dr.due(rows, t, self.static_pos)
        for k in rows[due].tolist():
            self._espdu(t, k + 1, self.static_type[k], et.FORCE_FRIENDLY, self.static_pos[k], np.zeros(3),
                        np.zeros(3), self.static_ori[k], np.zeros(3), DR_STATIC, self.static_mark[k])
        self.dr.sent(rows[due], t, self.static_pos[due], np.zeros((due.sum(), 3)), np.zeros((due.sum(), 3)),
                     DR_STATIC)

    def _threat_state(self, sim, t, idx):
        truth = sim.threats.truth
        pos, vel = truth.state(t, idx)
        _, v1 = truth.state(t + _ACC_STEP, idx)
        _, v0 = truth.state(t - _ACC_STEP, idx)
        return pos, vel, (v1 - v0) / (2 * _ACC_STEP)

    def _threats(self, t: float, sim) -> None:
        flying = sim.threat_state.flying(t)
        if self.external is not None:
            flying &= ~self.external.is_external
        known = self.dr.active[self.S: self.S + self.N]
        for j in np.flatnonzero(known & ~flying).tolist():
            self._threat_leaves(t, sim, j)
        idx = np.flatnonzero(flying)
        if idx.size == 0:
            return
        pos, vel, acc = self._threat_state(sim, t, idx)
        due = self.dr.due(self.S + idx, t, pos)
        if not due.any():
            return
        idx, pos, vel, acc = idx[due], pos[due], vel[due], acc[due]
        ori, rates = orientation_and_rates(pos, vel, acc)
        cls = sim.threats.cls
        for k, j in enumerate(idx.tolist()):
            self._espdu(t, self.S + 1 + j, self.threat_types[j], et.FORCE_OPPOSING, pos[k], vel[k], acc[k],
                        ori[k], rates[k], DR_RVW, f"{('BAL', 'CRU', 'DRN', 'AIR')[cls[j]]}{j}")
        self.dr.sent(self.S + idx, t, pos, vel, acc, DR_RVW)

    def _threat_leaves(self, t, sim, j, final=False) -> None:
        ts = sim.threat_state
        killed = ts.status[j] == 2  # INTERCEPTED
        t_stop = ts.t_kill[j] if killed else min(t, sim.threats.t_end[j])
        if final and not killed:
            t_stop = t
        pos, vel, acc = self._threat_state(sim, t_stop, np.array([j]))
        ori, _ = orientation_and_rates(pos, vel, acc)
        app = et.APPEARANCE_DEACTIVATED | (et.APPEARANCE_DESTROYED if killed else 0)
        self._espdu(t, self.S + 1 + j, self.threat_types[j], et.FORCE_OPPOSING, pos[0], np.zeros(3), np.zeros(3),
                    ori[0], np.zeros(3), DR_STATIC, f"{('BAL', 'CRU', 'DRN', 'AIR')[sim.threats.cls[j]]}{j}", app)
        self.dr.active[self.S + j] = False

    # --- interceptors ------------------------------------------------------------------------------
    def _interceptors(self, t: float, sim) -> None:
        eng = sim.engagements
        n = eng.n
        if n > self.int_prev_t.size:
            k = n - self.int_prev_t.size
            self.int_prev_t = np.concatenate([self.int_prev_t, np.full(k, -np.inf)])
            self.int_prev_v = np.concatenate([self.int_prev_v, np.zeros((k, 3))])
            self.dr.grow(self.S + self.N + n)
        rows = eng.in_flight()
        if rows.size == 0:
            return
        st = eng.st
        t_row = st["t_now"][rows].copy()
        p = st["y"][rows, :3].copy()
        v = st["y"][rows, 3:6].copy()
        ahead = t_row > t  # a state past the tick (the fly-out keeps its own steps): back within its step
        if ahead.any():
            p[ahead], v[ahead] = states_at(st, rows[ahead], t)
            t_row[ahead] = t
        seen = np.isfinite(self.int_prev_t[rows]) & (t_row > self.int_prev_t[rows] + 1e-9)
        a = np.zeros_like(v)
        a[seen] = (v[seen] - self.int_prev_v[rows[seen]]) / (t_row[seen] - self.int_prev_t[rows[seen]])[:, None]
        keep = ~np.isfinite(self.int_prev_t[rows]) | (t_row > self.int_prev_t[rows] + 1e-9)
        self.int_prev_t[rows[keep]] = t_row[keep]
        self.int_prev_v[rows[keep]] = v[keep]
        dt = (t - t_row)[:, None]
        p = p + v * dt + 0.5 * a * dt * dt
        v = v + a * dt
        dr_rows = self.S + self.N + rows
        due = self.dr.due(dr_rows, t, p)
        if not due.any():
            return
        rows, p, v, a = rows[due], p[due], v[due], a[due]
        ori, rates = orientation_and_rates(p, v, a)
        for k, row in enumerate(rows.tolist()):
            self.int_first_vel.setdefault(row, tuple(map(float, v[k])))
            self._espdu(t, self.interceptor_number(row), et.INTERCEPTOR, et.FORCE_FRIENDLY, p[k], v[k], a[k], ori[k],
                        rates[k], DR_RVW, f"INT{row}")
        self.dr.sent(self.S + self.N + rows, t, p, v, a, DR_RVW)

    def _interceptor_leaves(self, t, sim, row) -> None:
        st = sim.engagements.st
        p = st["y"][row, :3]
        v = st["y"][row, 3:6]
        if st["t_now"][row] > t:  # a state past t (the fly-out keeps its own steps): back within its step
            p, v = (a[0] for a in states_at(st, [row], t))
        ori, _ = orientation_and_rates(p[None, :], v[None, :], np.zeros((1, 3)))
        self._espdu(t, self.interceptor_number(row), et.INTERCEPTOR, et.FORCE_FRIENDLY, p, np.zeros(3), np.zeros(3),
                    ori[0], np.zeros(3), DR_STATIC, f"INT{row}", et.APPEARANCE_DEACTIVATED | et.APPEARANCE_DESTROYED)
        self.int_ended.add(row)
        self.dr.active[self.S + self.N + row] = False

    # --- events ------------------------------------------------------------------------------------
    def _events(self, t: float, sim) -> None:
        ev = sim.log.events
        n = len(ev["kind"])
        for i in range(self.cursor, n):
            kind = ev["kind"][i]
            if kind == "interceptor_launch":
                self._fire(ev["time"][i], sim, self.n_launch, ev["engagement"][i])
                self.n_launch += 1
            elif kind in ("intercept", "miss"):
                self._detonation(ev["time"][i], sim, ev["engagement"][i], kind == "intercept", t)
            elif kind == "leak":
                self._impact(ev["time"][i], sim, ev["threat"][i])
        self.cursor = n

    def _fire(self, t_ev, sim, row, e) -> None:
        eng = sim.engagements
        L = eng.cols
        f = L["fire_unit"][e]
        typ = int(eng.type_of_fu[f])
        pip = np.array([L["pip_x"][e], L["pip_y"][e], L["pip_z"][e]])
        t_plan = L["t_intercept_planned"][e]
        target = -1
        alive = np.flatnonzero(sim.threat_state.flying(t_ev))
        if alive.size:
            pos, _ = sim.threats.truth.state(t_plan, alive)
            target = int(alive[np.argmin(np.linalg.norm(pos - pip, axis=1))])
        event = self.int_event[row] = self._event_id()
        launcher = sim.kin.pos[f]
        vel = self.int_first_vel.get(row, tuple(map(float, eng.st["y"][row, 3:6])))
        self._emit(t_ev, Fire(firing=self._eid(self.fu_base + f), target=self.threat_id(target),
                              munition=self._eid(self.interceptor_number(row)), event=event,
                              location=tuple(map(float, launcher)), descriptor=self.int_descriptor[typ],
                              velocity=vel, range=float(np.linalg.norm(pip - launcher)),
                              exercise=self.exercise, timestamp=timestamp(t_ev)))

    def _detonation(self, t_ev, sim, e, kill, t_now) -> None:
        eng = sim.engagements
        st = eng.st
        rows = np.flatnonzero((eng.row_eng[: eng.n] == e) & (st["phase"][: eng.n] == 3))
        rows = [r for r in rows.tolist() if r not in self.int_ended]
        if not rows:
            return
        row = min(rows, key=lambda r: abs(float(st["t_end"][r]) - t_ev))
        f = eng.cols["fire_unit"][e]
        typ = int(st["typ"][row])
        j = int(st["target"][row])
        p = st["y"][row, :3]
        v = st["y"][row, 3:6]
        rel = np.zeros(3)
        if j >= 0:
            tp, tv, ta = self._threat_state(sim, float(st["t_end"][row]), np.array([j]))
            x, y, z = body_axes(tp, tv)
            d = p - tp[0]
            rel = np.array([x[0] @ d, y[0] @ d, z[0] @ d])
        event = self.int_event.get(row) or self._event_id()
        self._emit(t_ev, Detonation(
            firing=self._eid(self.fu_base + f), target=self.threat_id(j),
            exploding=self._eid(self.interceptor_number(row)), event=event, location=tuple(map(float, p)),
            descriptor=self.int_descriptor[typ], result=self.int_kill_result[typ] if kill else 6,
            velocity=tuple(map(float, v)), location_in_entity=tuple(map(float, rel)), exercise=self.exercise,
            timestamp=timestamp(t_ev)))
        self._interceptor_leaves(max(t_now, self.dr.t_sent[self.S + self.N + row]), sim, row)

    def _impact(self, t_ev, sim, j) -> None:
        if self.external is not None and self.external.is_external[j]:
            return  # the external simulation reports its own
        pos, vel, _ = self._threat_state(sim, t_ev, np.array([j]))
        self._emit(t_ev, Detonation(
            firing=NO_ENTITY, target=NO_ENTITY, exploding=self.threat_id(j), event=self._event_id(),
            location=tuple(map(float, pos[0])), descriptor=MunitionDescriptor(self.threat_types[j], 1000,
                                                                               et.FUSE_CONTACT),
            result=et.RESULT_GROUND_IMPACT, velocity=tuple(map(float, vel[0])), exercise=self.exercise,
            timestamp=timestamp(t_ev)))
