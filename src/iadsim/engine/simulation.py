"""One replication of a scenario: ``simulate(compiled, seed) -> RunResult``.

All mutable state of a replication lives in one :class:`Simulation` object; nothing global, so
replications are independent and ``simulate`` is a pure function of ``(compiled, seed)``.

Time. Threat motion is precomputed at launch by the fixed-step physics (RK4 at ``time_step`` for
ballistic arcs, arc-length tables for waypoint flight: :mod:`iadsim.threats`), so every event evaluates
truth exactly at its own time. Sparse happenings are events on one queue ordered by
``(time, priority, sequence)`` (:mod:`iadsim.engine.events`): threat launches and impacts, radar scans,
command-post cycles, interceptor arrivals, kill assessments, reloads, and the output sampling tick.

Information flow (DESIGN.md): radars read truth and produce detections; the tracker reads only
detections; threat evaluation and doctrine read only confirmed tracks; the engagement physics (seeker
acquisition and the Pk draw) and the metrics read truth.

Randomness. One ``SeedSequence(seed)`` per replication; each component draws from its own child generator
whose spawn key is a stable hash of the component's name (``raid``, ``damage``, ``radar:<name>``,
``fire_unit:<name>``), so adding a radar does not change the threat draws or another radar's noise.
"""

from __future__ import annotations

import time as _time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from iadsim.assignment.doctrine import Doctrine, FireUnitKinematics
from iadsim.engagement.flyout import resolve_intercept
from iadsim.engine.events import Ev, EventQueue
from iadsim.engine.raid import RaidRealization, realize_raids
from iadsim.engine.result import RunResult, build_result
from iadsim.evaluation.threat_evaluation import ThreatEvaluator
from iadsim.scenario.catalog_models import LAYERS, THREAT_CLASSES
from iadsim.scenario.compiled import CompiledScenario
from iadsim.sensors.detection import snr_from_reference
from iadsim.sensors.radar import Radar, RadarParams
from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig
from iadsim.tracking.imm import IMM
from iadsim.tracking.motion import NCV, Ballistic

# threat status codes
NOT_LAUNCHED, FLYING, INTERCEPTED, LEAKED = 0, 1, 2, 3
STATUS_NAMES = ("not_launched", "flying", "intercepted", "leaked")


#: RCS (m^2) of the small target the tracker assumes when deciding whether a scan should have seen a track
SMALL_TARGET_RCS = 0.1


def small_target_counting(radars):
    """``counted(sensor, pos)`` for the tracker: a scan counts against a track only where the sensor should
    have seen it, i.e. inside its coverage (range window, azimuth sector, elevation limits, 4/3-earth horizon:
    :meth:`iadsim.sensors.radar.Radar.geometry`) and within its detection range for a small target of
    ``SMALL_TARGET_RCS`` at the reference Pd, ``r_ref (sigma / sigma_ref)^(1/4)``. A fire-control radar's
    sector, or a low drone below a radar's horizon, then does not delete the track another radar holds."""
    r_small = [r.params.r_ref * (SMALL_TARGET_RCS / r.params.rcs_ref) ** 0.25 for r in radars]

    def counted(sensor: int, pos: np.ndarray) -> np.ndarray:
        out = np.zeros(pos.shape[0], bool)
        d = pos - radars[sensor].ecef
        near = np.flatnonzero(np.einsum("mi,mi->m", d, d) <= r_small[sensor] ** 2)  # cheap range cut first
        if near.size:
            out[near] = radars[sensor].geometry(pos[near], np.zeros((near.size, 3)))[1]
        return out

    return counted


def tracking_filter(spec):
    """The tracker's filter for a scenario's ``tracker`` section (ECEF frame).

    IMM transition probabilities: 0.05 per ``dt_ref = 5 s`` for ``imm_ncv`` (a manoeuvre every ~100 s) and
    0.02 for ``imm_ballistic`` (a threat rarely changes class), scaled to each prediction interval
    (Bar-Shalom, Li & Kirubarajan 2001, sect. 11.6).
    """
    if spec.filter == "ekf_ncv":
        return EKF(NCV(spec.q, frame="ecef"))
    if spec.filter == "imm_ncv":
        return IMM([EKF(NCV(spec.q_low, frame="ecef")), EKF(NCV(spec.q_high, frame="ecef"))],
                   [[0.95, 0.05], [0.05, 0.95]], [0.5, 0.5], dt_ref=5.0)
    return IMM([EKF(NCV(spec.q_low, frame="ecef")), EKF(Ballistic(spec.q_low, frame="ecef", max_step=5.0))],
               [[0.98, 0.02], [0.02, 0.98]], [0.5, 0.5], dt_ref=5.0)


def component_rng(seed: int, name: str) -> np.random.Generator:
    """The generator of one named component of one replication (module docstring)."""
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(key,)))


def radar_params(site) -> RadarParams:
    """Catalog radar type + site -> :class:`RadarParams` (SI)."""
    s = site.spec
    measured = ("r", "az", "el", "rdot") if s.sigma_range_rate is not None else ("r", "az", "el")
    return RadarParams(
        name=site.name, lat=site.lat, lon=site.lon, alt=site.alt, r_max=s.instrumented_range,
        r_ref=s.detection_range, rcs_ref=s.reference_rcs, pd_ref=s.reference_pd, pfa=s.pfa, r_min=s.min_range,
        az_center=site.facing, az_width=s.azimuth_width, el_min=s.elevation_min, el_max=s.elevation_max,
        scan_period=s.scan_period, swerling=s.swerling, n_pulses=s.n_pulses, sigma_r=s.sigma_range,
        sigma_az=s.sigma_azimuth, sigma_el=s.sigma_elevation,
        # a radar without range rate never uses sigma_rdot; RadarParams only needs a positive placeholder
        sigma_rdot=s.sigma_range_rate if s.sigma_range_rate is not None else 1.0, measured=measured,
        fa_per_scan=s.false_alarms_per_scan)


@dataclass
class _Log:
    """Column lists of the sparse outputs (events and engagements are few: appended per happening)."""

    events: dict = field(default_factory=lambda: {k: [] for k in (
        "time", "kind", "threat", "track", "fire_unit", "engagement", "asset", "detail")})
    engagements: dict = field(default_factory=lambda: {k: [] for k in (
        "engagement", "fire_unit", "interceptor", "track", "t_decision", "t_launch", "t_intercept", "salvo",
        "pk_planned", "value", "pip_x", "pip_y", "pip_z", "threat", "result", "seeker_distance")})

    def event(self, t, kind, threat=-1, track=-1, fire_unit=-1, engagement=-1, asset=-1, detail=""):
        ev = self.events
        ev["time"].append(float(t))
        ev["kind"].append(kind)
        ev["threat"].append(int(threat))
        ev["track"].append(int(track))
        ev["fire_unit"].append(int(fire_unit))
        ev["engagement"].append(int(engagement))
        ev["asset"].append(int(asset))
        ev["detail"].append(detail)


class Simulation:
    """All state of one replication (module docstring)."""

    def __init__(self, compiled: CompiledScenario, seed: int):
        c = self.c = compiled
        self.seed = int(seed)
        self.threats: RaidRealization = realize_raids(c, component_rng(seed, "raid"))
        N = len(self.threats)
        self.status = np.zeros(N, np.int8)
        self.t_kill = np.full(N, np.nan)
        self.damage_rng = component_rng(seed, "damage")

        # sensors and the central tracker (ECEF frame)
        self.radars = [Radar(radar_params(site), sensor=i) for i, site in enumerate(c.radars)]
        self.radar_rngs = [component_rng(seed, f"radar:{site.name}") for site in c.radars]
        geom = SensorGeometry(position=np.array([r.ecef for r in self.radars]),
                              C=np.array([r.C for r in self.radars]),
                              dims=tuple(r.params.measured for r in self.radars))
        ts = c.scenario.tracker
        cfg = TrackerConfig(v_max=3500.0, pos_std_max=8000.0, max_range=tuple(r.params.r_max for r in self.radars),
                            tentative_timeout=tuple(2.5 * r.params.scan_period for r in self.radars),
                            gate_probability=ts.gate_probability, confirm_m=ts.confirm_m, confirm_n=ts.confirm_n,
                            max_misses=ts.max_misses)
        self.tracker = Tracker(geom, tracking_filter(ts), cfg, counted=small_target_counting(self.radars))

        # fire units
        fu = c.fire_units
        F = len(fu)
        self.F = F
        itypes = [spec for _, spec in c.interceptor_types]
        spec_of = [itypes[k] for k in fu.type_index]
        doctrine = c.doctrine
        salvo = np.array([doctrine.salvo_size(s.layer) for s in spec_of], dtype=np.int64)
        first = [r[0] if r else -1 for r in fu.radars]
        has_fcr = np.array([k >= 0 for k in first])
        fcr = [self.radars[k] if k >= 0 else None for k in first]
        eye = np.eye(3)
        kin = FireUnitKinematics(
            pos=fu.ecef, speed=np.array([s.average_speed for s in spec_of]),
            reaction=np.array([s.reaction_time for s in spec_of]),
            r_min=np.array([s.min_range for s in spec_of]), r_max=np.array([s.max_range for s in spec_of]),
            h_min=np.array([s.min_altitude for s in spec_of]), h_max=np.array([s.max_altitude for s in spec_of]),
            layer=np.array([LAYERS.index(s.layer) for s in spec_of], dtype=np.int64),
            pk=np.array([[s.pk.get(k, 0.0) for k in THREAT_CLASSES] for s in spec_of]).reshape(F, len(THREAT_CLASSES)),
            salvo=salvo, has_fcr=has_fcr,
            fcr_pos=np.array([r.ecef if r else np.zeros(3) for r in fcr]).reshape(F, 3),
            fcr_C=np.array([r.C if r else eye for r in fcr]).reshape(F, 3, 3),
            fcr_rmax=np.array([r.params.r_max if r else np.inf for r in fcr]),
            fcr_az_center=np.array([r.params.az_center if r else 0.0 for r in fcr]),
            fcr_az_half=np.array([min(r.params.az_width, 2 * np.pi) / 2 if r else np.pi for r in fcr]),
            fcr_el_min=np.array([r.params.el_min if r else -np.pi for r in fcr]),
            fcr_el_max=np.array([r.params.el_max if r else np.pi for r in fcr]),
            cost=np.array([s.cost for s in spec_of]), channels=fu.fire_channels.copy(),
        )
        self.kin = kin
        self.spec_of = spec_of
        self.fu_rngs = [component_rng(seed, f"fire_unit:{name}") for name in fu.names]
        self.launcher_rounds = [np.full(int(fu.launchers[f]), int(fu.missiles_per_launcher[f])) for f in range(F)]
        self.reserve = fu.reserve.copy()
        self.channels_busy = np.zeros(F, np.int64)
        self.reloading = [set() for _ in range(F)]
        self.fired = np.zeros(F, np.int64)
        self.doctrine = Doctrine(kin, cycle=c.c2_cycle, layering=doctrine.layering, method=doctrine.assignment,
                                 cost_weight=doctrine.cost_per_usd, look_ahead=doctrine.look_ahead,
                                 time_limit=doctrine.wta_time_limit)
        self.later_cap = fu.fire_channels * max(1, int(np.ceil(doctrine.look_ahead / 60.0)))
        self.evaluator = ThreatEvaluator(c.assets.ecef, c.assets.value, doctrine.priorities,
                                         doctrine.threat_radius)
        self.ka_delay = doctrine.kill_assessment_delay

        # engagement bookkeeping (per engaged track: sparse dicts, not per target per step)
        self.engaged_until: dict[int, float] = {}
        self.assessed_kill: dict[int, float] = {}
        self.eng_track: list[int] = []
        self.eng_fu: list[int] = []
        self.eng_pip: list[np.ndarray] = []
        self.eng_t_int: list[float] = []

        self.asset_destroyed = np.zeros(len(c.assets.names), bool)
        self.asset_hits = np.zeros(len(c.assets.names), np.int64)
        self.log = _Log()
        self.truth_rows: list[tuple] = []
        self.track_rows: list[tuple] = []
        self.interceptor_rows: list[tuple] = []
        self.n_detections = 0
        self.n_false = 0
        self.n_scans = 0
        self.queue = EventQueue()

    # ---------------------------------------------------------------------------------------------
    def _flying(self, t: float) -> np.ndarray:
        th = self.threats
        return (self.status == FLYING) & (th.t_launch <= t) & (t < th.t_end)

    def run(self, progress: Callable[[float], None] | None = None) -> RunResult:
        c = self.c
        q = self.queue
        th = self.threats
        wall0 = _time.perf_counter()
        for i in np.argsort(th.t_launch, kind="stable"):
            q.push(th.t_launch[i], Ev.LAUNCH, int(i))
            q.push(th.t_end[i], Ev.IMPACT, int(i))
        for k, radar in enumerate(self.radars):
            phase = self.radar_rngs[k].uniform(0.0, radar.params.scan_period)
            q.push(phase, Ev.SCAN, k)
        q.push(0.0, Ev.C2, None)
        q.push(0.0, Ev.SAMPLE, None)
        handlers = {Ev.LAUNCH: self._launch, Ev.IMPACT: self._impact, Ev.SCAN: self._scan, Ev.C2: self._c2,
                    Ev.INTERCEPT: self._intercept, Ev.KILL_ASSESS: self._kill_assess, Ev.RELOAD: self._reload,
                    Ev.SAMPLE: self._sample}
        next_progress = 0.0
        while len(q) and q.peek_time() <= c.duration:
            t, kind, payload = q.pop()
            handlers[kind](t, payload)
            if progress is not None and t >= next_progress:
                progress(t)
                next_progress = t + c.duration / 200.0
        if progress is not None:
            progress(c.duration)
        return build_result(self, _time.perf_counter() - wall0)

    # --- handlers ----------------------------------------------------------------------------------
    def _launch(self, t, i):
        self.status[i] = FLYING
        self.log.event(t, "threat_launch", threat=i, asset=self.threats.target[i],
                       detail=THREAT_CLASSES[self.threats.cls[i]])

    def _impact(self, t, i):
        if self.status[i] != FLYING:
            return
        th = self.threats
        self.status[i] = LEAKED
        a = int(th.target[i])
        self.asset_hits[a] += 1
        p = th.p_damage[i] * (1.0 - self.c.assets.hardness[a])
        destroyed = bool(self.damage_rng.random() < p)
        if not destroyed:
            detail = "damage roll failed"
        elif self.asset_destroyed[a]:
            detail = "already destroyed"
        else:
            detail = "asset destroyed"
        self.log.event(t, "leak", threat=i, asset=a, detail=detail)
        if destroyed and not self.asset_destroyed[a]:
            self.asset_destroyed[a] = True
            self.log.event(t, "asset_destroyed", threat=i, asset=a, detail=self.c.assets.names[a])

    def _scan(self, t, k):
        radar = self.radars[k]
        self.queue.push(t + radar.params.scan_period, Ev.SCAN, k)
        idx = np.flatnonzero(self._flying(t))
        th = self.threats
        pos, vel = th.truth.state(t, idx)
        det = radar.measure(t, pos, vel, th.rcs[idx], idx, self.radar_rngs[k])
        self.n_scans += 1
        self.n_detections += len(det)
        self.n_false += int(np.count_nonzero(det.truth_id < 0))
        self.tracker.step(t, k, det.z, det.R)

    def _shots(self) -> np.ndarray:
        ready = np.array([int(r.sum()) for r in self.launcher_rounds], dtype=np.int64)
        free = self.c.fire_units.fire_channels - self.channels_busy
        return np.maximum(np.minimum(free, ready // self.kin.salvo), 0)

    def _c2(self, t, _):
        self.queue.push(t + self.c.c2_cycle, Ev.C2, None)
        tracks = self.tracker.predict_confirmed(t)
        if len(tracks) == 0 or self.F == 0:
            return
        ev = self.evaluator.evaluate(tracks.x, tracks.cls)
        has_deadline = (ev.asset >= 0) | (ev.cls == 0)
        t_end = np.where(has_deadline, t + ev.t_go, np.inf)
        # not while an engagement is in flight or awaiting its kill assessment; not after an assessed kill
        # unless the track has been updated since (the threat was seen again)
        eligible = ~np.isin(tracks.id, np.fromiter(self.engaged_until, np.int64, len(self.engaged_until)))
        if self.assessed_kill:
            ids = np.fromiter(self.assessed_kill, np.int64, len(self.assessed_kill))
            when = np.fromiter(self.assessed_kill.values(), float, len(self.assessed_kill))
            order = np.argsort(ids)
            ids, when = ids[order], when[order]
            pos = np.minimum(np.searchsorted(ids, tracks.id), ids.size - 1)
            eligible &= ~((ids[pos] == tracks.id) & (tracks.last_update <= when[pos]))
        shots = self._shots()
        rounds = np.array([int(r.sum()) for r in self.launcher_rounds], dtype=np.int64) + self.reserve
        later = np.minimum(rounds // self.kin.salvo, self.later_cap)
        orders = self.doctrine.plan(t, tracks.x, ev.cls, ev.value, t_end, eligible, shots, later)
        for o in range(len(orders)):
            self._fire(t, orders, o, int(tracks.id[orders.track_row[o]]))

    def _fire(self, t, orders, o, track_id):
        f = int(orders.fire_unit[o])
        salvo = int(orders.salvo[o])
        rounds = self.launcher_rounds[f]
        need = salvo
        for li in np.argsort(-rounds, kind="stable"):  # fullest launchers first (a few per unit)
            take = min(need, int(rounds[li]))
            rounds[li] -= take
            need -= take
            if rounds[li] == 0 and self.reserve[f] > 0 and li not in self.reloading[f]:
                self.reloading[f].add(int(li))
                self.queue.push(orders.t_launch[o] + self.c.fire_units.reload_time[f], Ev.RELOAD, (f, int(li)))
            if need == 0:
                break
        self.channels_busy[f] += 1
        self.fired[f] += salvo
        e = len(self.eng_track)
        t_int = float(orders.t_intercept[o])
        self.eng_track.append(track_id)
        self.eng_fu.append(f)
        self.eng_pip.append(orders.pip[o])
        self.eng_t_int.append(t_int)
        self.engaged_until[track_id] = t_int + self.ka_delay
        L = self.log.engagements
        L["engagement"].append(e)
        L["fire_unit"].append(f)
        L["interceptor"].append(self.c.interceptor_types[self.c.fire_units.type_index[f]][0])
        L["track"].append(track_id)
        L["t_decision"].append(float(t))
        L["t_launch"].append(float(orders.t_launch[o]))
        L["t_intercept"].append(t_int)
        L["salvo"].append(salvo)
        L["pk_planned"].append(float(orders.pk[o]))
        L["value"].append(float(orders.value[o]))
        for axis, name in enumerate(("pip_x", "pip_y", "pip_z")):
            L[name].append(float(orders.pip[o][axis]))
        L["threat"].append(-1)
        L["result"].append("in_flight")
        L["seeker_distance"].append(np.nan)
        self.log.event(orders.t_launch[o], "interceptor_launch", track=track_id, fire_unit=f, engagement=e,
                       detail=f"salvo {salvo}")
        self.queue.push(t_int, Ev.INTERCEPT, e)

    def _intercept(self, t, e):
        f = self.eng_fu[e]
        self.channels_busy[f] -= 1
        flying = self._flying(t)
        th = self.threats
        pos = np.zeros((th.t_launch.size, 3))
        idx = np.flatnonzero(flying)
        pos[idx] = th.truth.state(t, idx)[0]
        # midcourse update: the command post uplinks the engaged track's latest estimate until seeker
        # acquisition, so the aim point is the current track predicted to now (the planned PIP if the track
        # was dropped)
        aim = self.eng_pip[e]
        tr = self.tracker
        rows = np.flatnonzero((tr.id == self.eng_track[e]) & (tr.status == 1))
        if rows.size:
            st = tr.filter.predict(tr.state.take(rows[:1]), np.array([t - tr.t[rows[0]]]))
            aim = st.x[0, :3]
        j, dist = resolve_intercept(aim, pos, flying, self.spec_of[f].seeker_basket)
        L = self.log.engagements
        L["seeker_distance"][e] = dist
        result = "no_target"
        if j >= 0:
            L["threat"][e] = j
            pk = self.kin.pk[f, th.cls[j]]
            hits = self.fu_rngs[f].random(int(self.kin.salvo[f])) < pk
            if hits.any():
                result = "kill"
                self.status[j] = INTERCEPTED
                self.t_kill[j] = t
            else:
                result = "miss"
        L["result"][e] = result
        self.log.event(t, "intercept" if result == "kill" else "miss", threat=j, track=self.eng_track[e],
                       fire_unit=f, engagement=e, detail=result)
        self.queue.push(t + self.ka_delay, Ev.KILL_ASSESS, e)

    def _kill_assess(self, t, e):
        """Look again: a track updated after the intercept time is still there (a miss)."""
        tid = self.eng_track[e]
        self.engaged_until.pop(tid, None)
        tr = self.tracker
        rows = np.flatnonzero(tr.id == tid)
        seen_again = rows.size > 0 and tr.last_update[rows[0]] > self.eng_t_int[e] + 1e-9
        if seen_again:
            self.assessed_kill.pop(tid, None)
        else:
            self.assessed_kill[tid] = t
        self.log.event(t, "kill_assessment", track=tid, fire_unit=self.eng_fu[e], engagement=e,
                       detail="seen again: re-engage" if seen_again else "not seen: assessed killed")

    def _reload(self, t, payload):
        f, li = payload
        self.reloading[f].discard(li)
        per = int(self.c.fire_units.missiles_per_launcher[f])
        add = int(min(per - self.launcher_rounds[f][li], self.reserve[f]))
        self.launcher_rounds[f][li] += add
        self.reserve[f] -= add
        self.log.event(t, "reload", fire_unit=f, detail=f"launcher {li}: +{add}")

    def _detectable(self, pos, vel, idx) -> np.ndarray:
        """Truth threats some radar covers with a single-scan Pd of at least 0.5 (for the metrics)."""
        out = np.zeros(idx.size, bool)
        rcs = self.threats.rcs[idx]
        for radar in self.radars:
            geo, cover = radar.geometry(pos, vel)
            p = radar.params
            snr = snr_from_reference(geo[:, 0], rcs, p.r_ref, p.rcs_ref, radar.snr_ref)
            out |= cover & (radar.pd(snr) >= 0.5)
        return out

    def _sample(self, t, _):
        self.queue.push(t + self.c.truth_sample, Ev.SAMPLE, None)
        idx = np.flatnonzero(self._flying(t))
        if idx.size:
            pos, vel = self.threats.truth.state(t, idx)
            self.truth_rows.append((np.full(idx.size, t), idx, pos, vel, self._detectable(pos, vel, idx)))
        tr = self.tracker.predict_confirmed(t)
        if len(tr):
            self.track_rows.append((np.full(len(tr), t), tr.id, tr.x, tr.P, tr.cls))
        # interceptors in flight: straight line from launcher to PIP at constant speed
        L = self.log.engagements
        if L["engagement"]:
            t_l = np.array(L["t_launch"])
            t_i = np.array(L["t_intercept"])
            live = np.flatnonzero((t_l <= t) & (t < t_i))
            if live.size:
                f = np.array(self.eng_fu)[live]
                frac = ((t - t_l[live]) / (t_i[live] - t_l[live]))[:, None]
                pip = np.array(self.eng_pip)[live]
                pos = self.kin.pos[f] + frac * (pip - self.kin.pos[f])
                self.interceptor_rows.append((np.full(live.size, t), live, pos))


def simulate(compiled: CompiledScenario, seed: int = 0,
             progress: Callable[[float], None] | None = None):
    """Run one replication of ``compiled`` with ``seed``; returns a :class:`~iadsim.engine.result.RunResult`.

    Pure: the same scenario and seed give identical results.
    """
    return Simulation(compiled, seed).run(progress)
