"""One replication of a scenario: ``simulate(compiled, seed) -> RunResult``.

All mutable state of a replication lives in one :class:`Simulation` object; nothing global, so
replications are independent and ``simulate`` is a pure function of ``(compiled, seed)``.

Time. Threat motion is precomputed at launch by the fixed-step physics (RK4 at ``time_step`` for
ballistic arcs, arc-length tables for waypoint flight: :mod:`iadsim.threats`), so every event evaluates
truth exactly at its own time. Interceptors are integrated inside the event loop
(:mod:`iadsim.engagement.airframe`, all in flight together): before any handler reads the world at time
``t`` (a scan, a command-post cycle, an impact, a kill assessment, a sample) the fly-out is advanced to
``t``, so radars never see a threat after it was killed and kill assessment sees real timing. Sparse
happenings are events on one queue ordered by ``(time, priority, sequence)`` (:mod:`iadsim.engine.events`):
threat launches and impacts, radar scans, command-post cycles, interceptor launches, fly-out ticks, kill
assessments, reloads, and the output sampling tick. See docs/architecture.md for the component map.

Information flow (docs/architecture.md): radars read truth and produce detections; the tracker reads only
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
from dataclasses import replace

import numpy as np

from iadsim.assignment.doctrine import FireUnitKinematics, planned_pk
from iadsim.c2.stage import C2
from iadsim.engagement.engagements import Engagements
from iadsim.engagement.envelope import EnvelopeSet, envelope_table, required_accel
from iadsim.engagement.fire_units import FireUnits
from iadsim.engine.events import Ev, EventLog, EventQueue
from iadsim.engine.raid import RaidRealization, realize_raids
from iadsim.engine.result import RunResult, build_result
from iadsim.errors import InputError
from iadsim.scenario.catalog_models import LAYERS, THREAT_CLASSES
from iadsim.scenario.compiled import CompiledScenario
from iadsim.sensors.jamming import JammerTable
from iadsim.sensors.radar import Radar, RadarParams
from iadsim.sensors.resolution import C_LIGHT, range_resolution
from iadsim.sensors.scan import ScanClock
from iadsim.sensors.scheduler import ENGAGED, OTHER, THREATENING, BudgetParams, Scheduler, engagement_channels
from iadsim.status import FLYING, INTERCEPTED, LEAKED, NOT_LAUNCHED, STATUS_NAMES  # noqa: F401 (re-exported)
from iadsim.threats.state import ThreatState
from iadsim.tracking import EKF, SensorGeometry, Tracker, TrackerConfig
from iadsim.tracking.imm import IMM
from iadsim.tracking.motion import NCV, Ballistic

#: RCS (m^2) of the small target the tracker assumes when deciding whether a scan should have seen a track
SMALL_TARGET_RCS = 0.1


def small_target_counting(radars, schedulers=None) -> SmallTargetCounting:
    """``counted(sensor, pos)`` for the tracker: a scan counts against a track only where the sensor should
    have seen it, i.e. inside its coverage (range window, azimuth sector, elevation limits, 4/3-earth horizon:
    :meth:`iadsim.sensors.radar.Radar.geometry`) and within its detection range for a small target of
    ``SMALL_TARGET_RCS`` at the reference Pd, ``r_ref (sigma / sigma_ref)^(1/4)``. A fire-control radar's
    sector, or a low drone below a radar's horizon, then does not delete the track another radar holds.
    A scan with jam strobes also counts along them at any range (the strobes' triangulated fixes are that
    scan's detections of the jammers: :meth:`~iadsim.sensors.radar.Radar.along_strobes`). A radar with a time
    budget counts only where its frame looked (``schedulers``: :meth:`iadsim.sensors.scheduler.Scheduler.looked`)."""
    return SmallTargetCounting(radars, schedulers)


class SmallTargetCounting:
    """The counting of :func:`small_target_counting`: called as ``counted(sensor, pos)``, and
    :meth:`plain_args` for the tracker's fused scan."""

    def __init__(self, radars, schedulers=None):
        self.radars, self.schedulers = radars, schedulers
        self.r_small = [r.params.r_ref * (SMALL_TARGET_RCS / r.params.rcs_ref) ** 0.25 for r in radars]

    def _scheduler(self, sensor: int):
        return None if self.schedulers is None else self.schedulers[sensor]

    def __call__(self, sensor: int, pos: np.ndarray) -> np.ndarray:
        radar = self.radars[sensor]
        # a rotating radar's scan counts only in the sector it just looked at
        out, az_el = radar.cover_within(pos, self.r_small[sensor], radar.last_sector)
        sched = self._scheduler(sensor)
        if sched is not None and out.any():
            out[out] = sched.looked(az_el[out, 0], az_el[out, 1])
        if len(radar.last_strobes):
            out |= radar.along_strobes(pos)
        return out

    def plain_args(self, sensor: int) -> tuple | None:
        """The counting of ``sensor``'s latest scan as :meth:`~iadsim.sensors.radar.Radar.cover_args`, for the
        tracker's fused scan, when it is the coverage alone (no terrain, time budget or strobes), else None."""
        radar = self.radars[sensor]
        if radar.terrain is not None or len(radar.last_strobes) or self._scheduler(sensor) is not None:
            return None
        return radar.cover_args(self.r_small[sensor], radar.last_sector)


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
    # the ballistic mode's process noise is the high one: it covers what the drag-free mode does not model, the
    # tens of m/s^2 of re-entry drag and the thrust of a boosting missile (measured on the quickstart raid,
    # seeds 1 and 2: one confirmed track per threat with q_high, a broken re-entry track with q_low; a
    # drag-augmented mode with an estimated ballistic coefficient did worse, 14-15 tracks for 8 threats)
    return IMM([EKF(NCV(spec.q_low, frame="ecef")), EKF(Ballistic(spec.q_high, frame="ecef", max_step=5.0))],
               [[0.98, 0.02], [0.02, 0.98]], [0.5, 0.5], dt_ref=5.0)


def component_rng(seed: int, name: str) -> np.random.Generator:
    """The generator of one named component of one replication (module docstring)."""
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(key,)))


def radar_params(site) -> RadarParams:
    """Catalog radar type + site -> :class:`RadarParams` (SI). A type with resolution cells and no stated
    ``false_alarms_per_scan`` gets ``Pfa x cells`` (:mod:`iadsim.sensors.resolution`)."""
    s = site.spec
    measured = ("r", "az", "el", "rdot") if s.sigma_range_rate is not None else ("r", "az", "el")
    bw_az, bw_el = s.beamwidths
    p = RadarParams(
        name=site.name, lat=site.lat, lon=site.lon, alt=site.alt, r_max=s.instrumented_range,
        r_ref=s.detection_range, rcs_ref=s.reference_rcs, pd_ref=s.reference_pd, pfa=s.pfa, r_min=s.min_range,
        az_center=site.facing, az_width=s.azimuth_width, el_min=s.elevation_min, el_max=s.elevation_max,
        scan_period=s.scan_period, swerling=s.swerling, n_pulses=s.n_pulses, sigma_r=s.sigma_range,
        sigma_az=s.sigma_azimuth, sigma_el=s.sigma_elevation,
        # a radar without range rate never uses sigma_rdot; RadarParams only needs a positive placeholder
        sigma_rdot=s.sigma_range_rate if s.sigma_range_rate is not None else 1.0, measured=measured,
        fa_per_scan=s.false_alarms_per_scan, beamwidth_az=bw_az, beamwidth_el=bw_el,
        range_resolution=float(range_resolution(s.bandwidth)) if s.bandwidth is not None else None,
        doppler_filters=s.doppler_filters, sidelobe=s.sidelobe_level, mti_notch=s.mti_notch,
        clutter_attenuation=s.clutter_attenuation,
        wavelength=C_LIGHT / s.frequency if s.frequency is not None else None, antenna_gain=s.antenna_gain,
        noise_figure=s.noise_figure, bandwidth=s.bandwidth, sectors=s.scan_sectors if s.scan == "rotating" else 1)
    if p.resolved and "false_alarms_per_scan" not in s.model_fields_set:
        p = replace(p, fa_per_scan=p.pfa * p.cells)
    return p


def radar_scheduler(site, params: RadarParams) -> Scheduler | None:
    """The frame scheduler of a radar type with a ``budget`` (:mod:`iadsim.sensors.scheduler`), else None."""
    b = site.spec.budget
    if b is None:
        return None
    bp = BudgetParams(frame=params.scan_period, search_time=b.search_time, track_dwell=b.track_dwell,
                      uplink_dwell=b.uplink_dwell, revisit=(b.revisit_engaged, b.revisit_threat, b.revisit_other),
                      track_capacity=b.track_capacity, search_reserve=b.search_reserve)
    return Scheduler(bp, (params.beamwidth_az, params.beamwidth_el), (params.az_center, params.az_width))


def budget_channels(c: CompiledScenario, schedulers, salvo):
    """``FireUnits``' ``radar_channels``: each unit's first linked radar if it has a time budget, and the
    engagements each such radar can guide at the largest salvo of its units; None without budgets."""
    group = np.array([r[0] if r and schedulers[r[0]] is not None else -1 for r in c.fire_units.radars], np.int64)
    if not (group >= 0).any():
        return None
    limit = np.array([engagement_channels(s.params, int(salvo[group == k].max())) if (group == k).any() else 0
                      for k, s in enumerate(schedulers)], np.int64)
    return group, limit


class Simulation:
    """One replication: wires the components and runs the event loop (module docstring).

    Components and the state they own: :class:`~iadsim.threats.state.ThreatState` (threat status, leaker
    damage), the radars and the central :class:`~iadsim.tracking.Tracker`, the C2 stage
    :class:`~iadsim.c2.stage.C2` (the command post's threat evaluation and doctrine, the network, degraded
    modes), :class:`~iadsim.engagement.fire_units.FireUnits` and
    :class:`~iadsim.engagement.engagements.Engagements` (interceptors in flight). The simulation object keeps
    only the queue, the log and the output samples.

    Hooks (for outputs and the live mode, :mod:`iadsim.dis`, :mod:`iadsim.live`): ``observers`` are objects
    with a ``period`` (s) and ``observe(t, sim)``, called on their own ``Ev.OBSERVE`` events (from t = 0,
    every ``period``, after every other event at equal times) and, if they have one, ``finish(t, sim)``
    once at the end. They read the world as it is (they do not advance the interceptors, so a run's
    results do not depend on its observers) and may set ``sim.stopped`` to end the run early.
    ``threats_hook(realization) -> realization`` may extend the raid realization before the components
    are built (the live mode's external threat slots).
    """

    def __init__(self, compiled: CompiledScenario, seed: int, *, observers=(), threats_hook=None):
        wall0 = _time.perf_counter()
        c = self.c = compiled
        self.seed = check_seed(seed)
        self.queue = EventQueue()
        self.log = EventLog()
        self.threats: RaidRealization = realize_raids(c, component_rng(seed, "raid"))
        if threats_hook is not None:
            self.threats = threats_hook(self.threats)
        self.observers = list(observers)
        self.stopped = False
        self.threat_state = ThreatState(self.threats, c.assets, component_rng(seed, "damage"), self.log,
                                        types=[spec for _, spec in c.threat_types])

        # sensors and the central tracker (ECEF frame)
        self.radars = [Radar(radar_params(site), sensor=i, terrain=c.terrain, gamma_land=c.gamma_land,
                             gamma_sea=c.gamma_sea) for i, site in enumerate(c.radars)]
        self.radar_rngs = [component_rng(seed, f"radar:{site.name}") for site in c.radars]
        self.schedulers = [radar_scheduler(site, r.params) for site, r in zip(c.radars, self.radars, strict=True)]
        self.scan_clock = ScanClock([r.params.scan_period for r in self.radars],
                                    [r.params.sectors for r in self.radars])
        self.jammers = JammerTable.build(c.jammers, self.threats.raid, self.threats.t_launch[:self.threats.n_threats])
        geom = SensorGeometry(position=np.array([r.ecef for r in self.radars]),
                              C=np.array([r.C for r in self.radars]),
                              dims=tuple(r.params.measured for r in self.radars))
        ts = c.scenario.tracker
        cfg = TrackerConfig(v_max=3500.0, pos_std_max=8000.0, max_range=tuple(r.params.r_max for r in self.radars),
                            tentative_timeout=tuple(2.5 * r.params.scan_period for r in self.radars),
                            gate_probability=ts.gate_probability, confirm_m=ts.confirm_m, confirm_n=ts.confirm_n,
                            max_misses=ts.max_misses)
        if c.scenario.validation is not None and c.scenario.validation.perfect_tracking:
            # validation mode: perfect tracks from the truth (docs/validation.md)
            from iadsim.tracking.truth_tracker import TruthTracker

            self.tracker = TruthTracker(self.threats, self.threat_state)
        else:
            budgets = self.schedulers if any(s is not None for s in self.schedulers) else None
            self.tracker = Tracker(geom, tracking_filter(ts), cfg, counted=small_target_counting(self.radars, budgets))
        self.strobes = None
        if len(self.jammers):
            from iadsim.tracking.strobes import StrobeFixer

            self.strobes = StrobeFixer(geom, max_age=max(r.params.scan_period for r in self.radars))

        # fire units, interceptors in flight, and the C2 stage (command post, network, degraded modes)
        doctrine = c.doctrine
        self.kin = fire_unit_kinematics(c, self.radars)
        self.F = len(c.fire_units)
        self.fire_units = FireUnits(c.fire_units, self.kin.salvo, self.queue, self.log,
                                    budget_channels(c, self.schedulers, self.kin.salvo))
        self.engagements = Engagements(
            c, self.kin, self.fire_units, self.threats, self.threat_state, self.tracker,
            [component_rng(seed, f"fire_unit:{name}") for name in c.fire_units.names], self.queue, self.log,
            doctrine.kill_assessment_delay)
        self.c2 = C2(c, self.kin, self.tracker, self.radars, self.fire_units, self.engagements, self.threats,
                     self.queue, self.log, component_rng(seed, "network"))
        self.doctrine = self.c2.cp.doctrine
        self.evaluator = self.c2.cp.evaluator

        self.truth_rows: list[tuple] = []
        self.track_rows: list[tuple] = []
        self.interceptor_rows: list[tuple] = []
        self.n_detections = 0
        self.n_false = 0
        self.n_scans = 0
        #: wall seconds by phase (summary ``time.phases``): load (the compiled scenario's), precompute (this
        #: constructor: threat trajectories, envelopes), loop, metrics (summary and tables), write
        self.phases = {"load_s": float(getattr(c, "load_s", 0.0)), "precompute_s": _time.perf_counter() - wall0}
        self.n_strobes = 0

    # ---------------------------------------------------------------------------------------------
    def run(self, progress: Callable[[float], None] | None = None, tables: bool = True) -> RunResult:
        """Run the replication to the scenario's end; ``tables=False`` builds the summary only (the same
        numbers, no Parquet tables: :func:`~iadsim.engine.result.build_result`)."""
        c = self.c
        q = self.queue
        th = self.threats
        ts = self.threat_state
        eng = self.engagements
        wall0 = _time.perf_counter()
        for i in np.argsort(th.t_launch, kind="stable"):
            q.push(th.t_launch[i], Ev.LAUNCH, int(i))
            q.push(th.t_end[i], Ev.IMPACT, int(i))
        for k, radar in enumerate(self.radars):
            phase = self.radar_rngs[k].uniform(0.0, radar.params.scan_period)
            q.push(phase / radar.params.sectors, Ev.SCAN, k)
        self.c2.start()
        q.push(0.0, Ev.SAMPLE, None)
        for k in range(len(self.observers)):
            q.push(0.0, Ev.OBSERVE, k)

        c2 = self.c2

        def impact(t, i):
            eng.advance(t)  # an interceptor may reach the threat just before it lands
            ts.on_impact(t, i)
            if c2.active:
                c2.on_impact(t, i)

        def kill_assess(t, e):
            eng.advance(t)
            eng.on_kill_assess(t, e)
            c2.on_assessed(t, e)

        handlers = {Ev.LAUNCH: ts.on_launch, Ev.IMPACT: impact, Ev.SCAN: self._scan, Ev.C2: c2.on_cycle,
                    Ev.ROUND: eng.on_round, Ev.FLYOUT: eng.on_tick, Ev.KILL_ASSESS: kill_assess,
                    Ev.RELOAD: self.fire_units.on_reload, Ev.SAMPLE: self._sample, Ev.OBSERVE: self._observe,
                    Ev.LINK: c2.on_link, Ev.TRACK_REPORT: c2.on_report, Ev.ORDER: c2.on_order,
                    Ev.KA_REPORT: c2.on_ka_report}
        next_progress = 0.0
        t_last, t = c.duration, 0.0
        while len(q) and q.peek_time() <= c.duration:
            if self.stopped:
                t_last = t
                break
            t, kind, payload = q.pop()
            handlers[kind](t, payload)
            if progress is not None and t >= next_progress:
                progress(t)
                next_progress = t + c.duration / 200.0
        if progress is not None:
            progress(c.duration)
        eng.advance(t_last)
        for obs in self.observers:
            if hasattr(obs, "finish"):
                obs.finish(t_last, self)
        self.phases["loop_s"] = _time.perf_counter() - wall0
        return build_result(self, tables=tables)

    # --- handlers ----------------------------------------------------------------------------------
    def _scan(self, t, k):
        self.engagements.advance(t)  # the radar sees the world as the interceptors have left it
        radar = self.radars[k]
        if self.c2.active and not self.c2.scanning(t, k):  # EMCON silence or a destroyed radar
            if self.c2.radar_alive(k):
                self.queue.push(t + self.scan_clock.dwell(k), Ev.SCAN, k)
                self.scan_clock.step(k)
            return
        self.queue.push(t + self.scan_clock.dwell(k), Ev.SCAN, k)
        flying = self.threat_state.flying(t)
        idx = np.flatnonzero(flying)
        th = self.threats
        pos, vel = th.truth.state(t, idx)
        jam = self.jammers.at(t, flying, th.truth.state) if len(self.jammers) else None
        sched = self.schedulers[k]
        if sched is not None:  # a radar with a time budget looks only where its frame's plan points it
            lit, uplinks = self._plan_frame(t, k, pos, vel)
            idx, pos, vel = idx[lit], pos[lit], vel[lit]
        det = radar.measure(t, pos, vel, th.rcs[idx], idx, self.radar_rngs[k], jammers=jam,
                            sector=self.scan_clock.step(k))
        if sched is not None:
            det = sched.keep_detections(det, radar.params.measured)
            radar.last_strobes = det.strobes
        self.n_scans += 1
        self.n_detections += len(det)
        self.n_false += int(np.count_nonzero(det.truth_id < 0))
        z, R = det.z, det.R
        if self.strobes is not None:  # strobes of two radars triangulated into fixes of the jammers
            self.n_strobes += len(det.strobes)
            zf, Rf = self.strobes.add(t, k, det.strobes.z, det.strobes.R)
            if zf.shape[0]:
                m = zf.shape[1]
                R = np.concatenate([np.broadcast_to(R, (z.shape[0], m, m)), Rf])
                z = np.vstack([z, zf])
        self.tracker.step(t, k, z, R)
        self.engagements.uplink(t, k, None if sched is None else uplinks)
        self.c2.on_scan(t, k)

    def _plan_frame(self, t, k, pos, vel):
        """One frame of radar ``k``'s time budget (:mod:`iadsim.sensors.scheduler`): the candidate tracks
        (the tracker's, extrapolated at constant velocity to ``t``, inside the radar's coverage) with their
        class (engaged; threatening an asset by :class:`~iadsim.evaluation.threat_evaluation.ThreatEvaluator`
        on confirmed tracks; other) and the uplinks asked. Returns the truth objects the frame illuminates
        (``pos``, ``vel`` (N, 3)) and the uplinks granted."""
        radar, sched, tr = self.radars[k], self.schedulers[k], self.tracker
        ids, prio, beams = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4))
        if len(tr.id):
            x = tr.state.x[:, :6]
            p = x[:, :3] + x[:, 3:6] * (t - tr.t)[:, None]
            geo, cover = radar.geometry(p, x[:, 3:6])
            rows = np.flatnonzero(cover)
            ids, beams = tr.id[rows], geo[rows]
            prio = np.full(rows.size, OTHER, np.int64)
            conf = np.flatnonzero(tr.status[rows] == 1)
            if conf.size:
                ev = self.evaluator.evaluate(np.hstack([p[rows[conf]], x[rows[conf], 3:6]]))
                prio[conf[ev.asset >= 0]] = THREATENING
            engaged = np.fromiter(self.engagements.engaged_until, np.int64, len(self.engagements.engaged_until))
            prio[np.isin(ids, engaged)] = ENGAGED
        fp = sched.plan(t, ids, prio, self.engagements.uplink_demand(k))
        sched.set_beams(beams[fp.tracks, 1], beams[fp.tracks, 2])
        geo = radar.geometry(pos, vel)[0]
        return sched.looked(geo[:, 1], geo[:, 2]), fp.uplinks

    def _observe(self, t, k):
        obs = self.observers[k]
        self.queue.push(t + obs.period, Ev.OBSERVE, k)
        obs.observe(t, self)

    def _detectable(self, t, pos, vel, idx) -> np.ndarray:
        """Truth threats some radar covers with a single-scan Pd of at least 0.5 (for the metrics; with
        clutter, the Doppler notch and jamming as the radars see them)."""
        out = np.zeros(idx.size, bool)
        rcs = self.threats.rcs[idx]
        jam = None
        if len(self.jammers):
            flying = np.zeros(len(self.threats), bool)
            flying[idx] = True
            jam = self.jammers.at(t, flying, self.threats.truth.state)
        for radar in self.radars:
            out |= radar.pd_expected(pos, vel, rcs, jam) >= 0.5
        return out

    def _sample(self, t, _):
        self.queue.push(t + self.c.truth_sample, Ev.SAMPLE, None)
        self.engagements.advance(t)
        idx = np.flatnonzero(self.threat_state.flying(t))
        if idx.size:
            pos, vel = self.threats.truth.state(t, idx)
            self.truth_rows.append((np.full(idx.size, t), idx, pos, vel, self._detectable(t, pos, vel, idx)))
        tr = self.tracker.predict_confirmed(t)
        if len(tr):
            # the tracks table keeps only the position uncertainty: 8 bytes a sample instead of the covariance
            pos_std = np.sqrt(np.clip(np.trace(tr.P[:, :3, :3], axis1=1, axis2=2), 0, None))
            self.track_rows.append((np.full(len(tr), t), tr.id, tr.x, pos_std, tr.cls))
        rows, pos = self.engagements.positions(t)
        if rows.size:
            self.interceptor_rows.append((np.full(rows.size, t), rows, pos))


def fire_unit_kinematics(c: CompiledScenario, radars) -> FireUnitKinematics:
    """The doctrine's static arrays of every fire unit: position, envelope (flown once per interceptor type
    and cached: :func:`iadsim.engagement.envelope.envelope_table`), planned kill probabilities, no-escape margins,
    the first linked fire-control radar's coverage."""
    fu = c.fire_units
    F = len(fu)
    itypes = [spec for _, spec in c.interceptor_types]
    env = EnvelopeSet([envelope_table(s) for s in itypes])
    spec_of = [itypes[k] for k in fu.type_index]
    salvo = np.array([c.doctrine.salvo_size(s.layer) for s in spec_of], dtype=np.int64)
    first = [r[0] if r else -1 for r in fu.radars]
    fcr = [radars[k] if k >= 0 else None for k in first]
    eye = np.eye(3)
    return FireUnitKinematics(
        pos=fu.ecef, typ=np.asarray(fu.type_index, np.int64), env=env,
        reaction=np.array([s.reaction_time for s in spec_of]),
        layer=np.array([LAYERS.index(s.layer) for s in spec_of], dtype=np.int64),
        pk=np.array([planned_pk(s) for s in spec_of]).reshape(F, len(THREAT_CLASSES)),
        salvo=salvo,
        a_need=np.array([required_accel(THREAT_CLASSES, s.maneuver_ratio) for s in spec_of]).reshape(
            F, len(THREAT_CLASSES)),
        min_closing=np.array([s.min_closing_speed for s in spec_of]),
        has_fcr=np.array([k >= 0 for k in first], bool),
        fcr_pos=np.array([r.ecef if r else np.zeros(3) for r in fcr]).reshape(F, 3),
        fcr_C=np.array([r.C if r else eye for r in fcr]).reshape(F, 3, 3),
        fcr_rmax=np.array([r.params.r_max if r else np.inf for r in fcr]),
        fcr_az_center=np.array([r.params.az_center if r else 0.0 for r in fcr]),
        fcr_az_half=np.array([min(r.params.az_width, 2 * np.pi) / 2 if r else np.pi for r in fcr]),
        fcr_el_min=np.array([r.params.el_min if r else -np.pi for r in fcr]),
        fcr_el_max=np.array([r.params.el_max if r else np.pi for r in fcr]),
        cost=np.array([s.cost for s in spec_of]), channels=fu.fire_channels.copy(),
        fcr_k=np.array([r.params.k_earth if r else 4.0 / 3.0 for r in fcr]),
    )


def check_seed(seed) -> int:
    """``seed`` as an int if it is a valid replication seed (an integer in [0, 2^63 - 1], what
    ``numpy.random.SeedSequence`` and the int64 seed columns take), else :class:`~iadsim.errors.InputError`."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**63:
        raise InputError(f"a seed must be an integer from 0 to 2^63 - 1, got {seed!r}", field="seed")
    return int(seed)


def simulate(compiled: CompiledScenario, seed: int = 0,
             progress: Callable[[float], None] | None = None, observers=()):
    """Run one replication of ``compiled`` with ``seed``; returns a :class:`~iadsim.engine.result.RunResult`.

    Pure: the same scenario and seed give identical results (``observers``, e.g. the DIS output of
    :mod:`iadsim.dis.output`, only read the world: :class:`Simulation`).
    """
    return Simulation(compiled, seed, observers=observers).run(progress)
