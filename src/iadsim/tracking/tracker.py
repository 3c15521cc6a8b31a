r"""Central multi-sensor tracker: predict, associate (GNN), update, initiate, confirm, delete.

One call of :meth:`Tracker.step` processes one scan of one sensor (all its detections stamped ``t``);
scans from different sensors arrive in time order and are fused into one track file (centralized
measurement fusion, BLK2001 sec. 8 / Blackman & Popoli 1999 sec. 7). Per scan:

1. predict every track to ``t`` with the filter (one batched call);
2. tracks whose predicted position is in the sensor's coverage get a predicted measurement and ``H P H^T``;
3. GNN association (or, as an option, JPDA for the confirmed tracks) with chi-square gating and KD-tree
   pre-gating (:mod:`iadsim.tracking.association`),
   by default in two passes: confirmed tracks first, then tentative tracks on the detections left over
   (track-priority association, Blackman & Popoli 1999 sec. 6.3: a clutter-born tentative track with its
   wide initiation gate must not take a detection from an established track);
4. batched filter update of the assigned tracks;
5. M-of-N (or SPRT track-score) confirmation and deletion (:mod:`iadsim.tracking.management`);
6. each unassigned detection starts a tentative track.

The detections are first put in a canonical order (lexicographic on their values), so their order
inside a scan does not change the result (track ids included).

For ``EKF(NCV)`` with GNN association and M-of-N confirmation (every shipped scenario) steps 1-6 and the
output tables run in compiled kernels (:mod:`iadsim.tracking._kernels`, ``Tracker(fast=...)``) with the same
equations, and so do they for a two-mode ``IMM`` of ``EKF`` modes ``NCV`` or vacuum ECEF ``Ballistic`` with
``dt_ref`` (the scenario options ``imm_ncv`` and ``imm_ballistic``; :mod:`iadsim.tracking._imm_kernels`); the
batched numpy code here is the path of every other configuration and the reference the kernels are tested
against (equal to round-off).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.tracking.association import associate, candidate_pairs, gated_costs, jpda_probabilities
from iadsim.tracking.classify import classify
from iadsim.tracking.filters import EKF, EKFState
from iadsim.tracking.imm import IMM, IMMState
from iadsim.tracking.management import (
    TrackerConfig,
    confirm_and_delete,
    horizontal_pos_std,
    initiate_from_detections,
    record_scan,
    score_increment_hit,
)
from iadsim.tracking.measurements import COMPONENTS, SensorGeometry, residual
from iadsim.tracking.motion import NCV, Ballistic


@dataclass(frozen=True)
class TrackTable:
    """A snapshot of tracks (arrays over ``M`` tracks).

    id (M,) int64 stable track ids; x (M, 6) position/velocity; P (M, 6, 6); t (M,) time of the estimate;
    n_updates (M,) detections used; last_update (M,) time of the last detection; status (M,) 0 tentative,
    1 confirmed; cls (M,) int8 kinematic class (index into :data:`iadsim.tracking.classify.CLASSES`) and
    cls_conf (M,) its confidence.
    """

    id: np.ndarray
    x: np.ndarray
    P: np.ndarray
    t: np.ndarray
    n_updates: np.ndarray
    last_update: np.ndarray
    status: np.ndarray
    cls: np.ndarray
    cls_conf: np.ndarray

    def __len__(self) -> int:
        return self.id.shape[0]


class Tracker:
    """Multi-target, multi-sensor tracker over any ``TrackFilter`` (EKF, UKF, IMM).

    Parameters
    ----------
    geom : sensors in the tracker frame.
    filter : a TrackFilter (e.g. ``EKF(NCV(q, frame))``).
    config : :class:`TrackerConfig`.
    frame : ``"enu"`` or ``"ecef"`` (defines the local vertical for deletion and classification); taken
        from the filter's motion model (``filter.motion`` or ``filter.filters[0].motion``) when not given.
    alt0 : altitude of the ENU origin above the ellipsoid (m), for classification in the ``"enu"`` frame.
    counted : optional ``counted(sensor, pos (M, 3)) -> (M,) bool``: where a scan of ``sensor`` should have
        detected a track at ``pos``. Every track in the sensor's coverage (``config.max_range``) may be
        associated; only the counted ones take the scan into M-of-N confirmation, the consecutive-miss
        count and the SPRT score. A simulator passes its sensor model here (sector, horizon, Pd), so a
        radar that cannot see a target does not delete the track another radar holds. A ``counted`` with a
        ``plain_args(sensor)`` attribute that returns the arguments of
        :func:`iadsim.sensors.radar._near_cover_kernel` (its coverage alone) lets the compiled path count
        inside the scan's kernel (:func:`iadsim.tracking._kernels.scan_counted_finish`, the same results).
    fast : run each scan in the compiled kernels of :mod:`iadsim.tracking._kernels` or
        :mod:`iadsim.tracking._imm_kernels` (same results to round-off). ``None`` (default): when the
        configuration has them (:func:`fast_eligible`: ``EKF(NCV)`` or the two-mode IMM, GNN association and
        M-of-N confirmation); ``False``: the batched numpy path (the reference) always; ``True``:
        required (``ValueError`` otherwise). The attribute ``fast`` may be switched off (or back on where
        the configuration has the kernels) between scans: both paths keep the same track file.

    Output tables carry the kinematic class of :func:`iadsim.tracking.classify.classify` (with the IMM
    mode probabilities when the filter state has ``mu`` and the filter ``model_names``).
    """

    def __init__(self, geom: SensorGeometry, filter, config: TrackerConfig | None = None,
                 frame: str | None = None, alt0: float = 0.0, counted=None, fast: bool | None = None):
        self.geom = geom
        self.counted = counted
        self.filter = filter
        self.config = config or TrackerConfig()
        motion = getattr(filter, "motion", None)
        if motion is None and getattr(filter, "filters", None):
            motion = getattr(filter.filters[0], "motion", None)
        self.frame = frame or getattr(motion, "frame", None) or "ecef"
        if self.config.association == "jpda" and not hasattr(filter, "update_pda"):
            raise ValueError("association='jpda' needs a filter with update_pda (e.g. EKF)")
        self.alt0 = float(alt0)
        self.state = None
        self.id = np.zeros(0, np.int64)
        self.t = np.zeros(0)
        self.status = np.zeros(0, np.int8)
        self.hist = np.zeros(0, np.int64)
        self.scans = np.zeros(0, np.int64)
        self.misses = np.zeros(0, np.int64)
        self.n_updates = np.zeros(0, np.int64)
        self.last_update = np.zeros(0)
        self.last_sensor = np.zeros(0, np.int64)  # sensor of the last detection (tentative timeouts)
        self.score = np.zeros(0)
        self.next_id = 1
        self.time = -np.inf
        self._gates = {}
        ok = fast_eligible(filter, self.config)
        if fast and not ok:
            raise ValueError("Tracker(fast=True) needs EKF(NCV(q)) or an IMM of two EKF modes (NCV or vacuum ECEF "
                             "Ballistic) with dt_ref, association='gnn' and confirmation='m_of_n'")
        self.fast = ok if fast is None else bool(fast)
        self._imm = ok and type(filter) is IMM
        self._consts = None
        self._imm_file = None  # (state, xm, Pm): the per-mode arrays behind the state the IMM kernels built

    # -- helpers -----------------------------------------------------------------------------------
    _fields = ("id", "t", "status", "hist", "scans", "misses", "n_updates", "last_update", "last_sensor",
               "score")

    def __len__(self) -> int:
        return self.id.shape[0]

    def _keep(self, keep: np.ndarray) -> None:
        if keep.all():
            return
        idx = np.flatnonzero(keep)
        self.state = self.state.take(idx)
        for f in self._fields:
            setattr(self, f, getattr(self, f)[idx])

    def _gate(self, m: int) -> float:
        if m not in self._gates:
            self._gates[m] = self.config.gate(m)
        return self._gates[m]

    def _in_coverage(self, sensor: int, pos: np.ndarray) -> np.ndarray:
        mr = self.config.max_range
        if mr is None or mr[sensor] is None:
            return np.ones(pos.shape[0], bool)
        d = pos - self.geom.position[sensor]
        return np.einsum("mi,mi->m", d, d) <= float(mr[sensor]) ** 2

    # -- the role's verb -------------------------------------------------------------------------
    def step(self, t: float, sensor: int, z, R) -> None:
        """Process one scan: detections ``z (K, m)`` of ``sensor`` at time ``t``, covariances ``R``.

        ``R`` is ``(K, m, m)`` or ``(m, m)``; columns follow ``geom.dims[sensor]``.
        """
        t = float(t)
        if t < self.time:
            raise ValueError(f"scan at t={t} is older than the previous scan ({self.time})")
        self.time = t
        if self.fast:
            return self._step_fast_imm(t, sensor, z, R) if self._imm else self._step_fast(t, sensor, z, R)
        comps = self.geom.dims[sensor]
        m = len(comps)
        z = np.asarray(z, dtype=float).reshape(-1, m)
        K = z.shape[0]
        R = np.broadcast_to(np.asarray(R, dtype=float), (K, m, m))
        if K > 1:  # canonical order: the result must not depend on the detection order in a scan
            order = np.lexsort(z.T[::-1])
            z, R = z[order], R[order]
        cfg = self.config
        M = len(self)
        assigned_det = np.zeros(K, bool)
        if M:
            self.state = self.filter.predict(self.state, t - self.t)
            self.t = np.full(M, t)
            cov = self._in_coverage(sensor, self.state.x[:, 0:3])
            ci = np.flatnonzero(cov)
            hit = np.zeros(M, bool)
            if ci.size and K:
                sub = self.state.take(ci)
                sens = np.full(ci.size, sensor)
                # h and H once per scan; the update of the assigned tracks reuses their rows (EKF)
                lin = self.filter.linearize(sub, self.geom, sens, comps) if hasattr(self.filter, "linearize") \
                    else None
                if lin is None:
                    zhat, S0 = self.filter.predicted_measurement(sub, self.geom, sens, comps)
                else:
                    zhat, S0 = self.filter.predicted_measurement(sub, self.geom, sens, comps, lin=lin)
                if cfg.association == "jpda":
                    # JPDA for confirmed tracks; tentative tracks by GNN on the detections left over
                    conf = self.status[ci] == 1
                    used = self._jpda_update(ci[conf], zhat[conf], S0[conf], z, R, comps, sensor, hit)
                    assigned_det |= used
                    free = np.flatnonzero(~used)
                    tent = np.flatnonzero(~conf)
                    ti, dj = associate(zhat[tent], S0[tent], z[free], R[free], comps, self._gate(m),
                                       pregate=cfg.pregate)
                    rows, di = ci[tent[ti]], free[dj]
                else:
                    rows, di = self._associate(ci, zhat, S0, z, R, comps)
                if rows.size and cfg.confirmation == "sprt":
                    pos = np.searchsorted(ci, rows)
                    y = residual(z[di], zhat[pos], comps)
                    S = S0[pos] + R[di]
                    d2 = np.einsum("ki,ki->k", y, np.linalg.solve(S, y[..., None])[..., 0])
                    self.score[rows] += score_increment_hit(d2, S, cfg)
                if rows.size:
                    kw = {} if lin is None else {"lin": (lin[0][np.searchsorted(ci, rows)],
                                                        lin[1][np.searchsorted(ci, rows)])}
                    upd = self.filter.update(self.state.take(rows), z[di], R[di], self.geom,
                                             np.full(rows.size, sensor), comps, **kw)
                    self._merge(rows, upd)
                    hit[rows] = True
                    assigned_det[di] = True
                self.n_updates = self.n_updates + hit
                self.last_update = np.where(hit, t, self.last_update)
                self.last_sensor = np.where(hit, sensor, self.last_sensor)
            if self.counted is not None:
                cov = cov & self.counted(sensor, self.state.x[:, 0:3])
            self.hist, self.scans, self.misses = record_scan(self.hist, self.scans, self.misses, cov, hit,
                                                             cfg.confirm_n)
            self.score = self.score + np.where(cov & ~hit, np.log1p(-cfg.pd), 0.0)

            pos_std = horizontal_pos_std(self.state.x, self.state.P, self.frame)
            self.status, keep = confirm_and_delete(self.status, self.hist, self.scans, self.misses,
                                                   pos_std, cfg, self.score)
            self.status = self.status.astype(np.int8)
            if cfg.tentative_timeout is not None:
                limit = np.asarray(cfg.tentative_timeout, float)
                if limit.ndim:
                    limit = limit[self.last_sensor]
                keep &= ~((self.status == 0) & (t - self.last_update > limit))
            self._keep(keep)
        new = np.flatnonzero(~assigned_det)
        if new.size:
            self._initiate(t, sensor, z[new], R[new], comps)

    def _fast_consts(self):
        """Per-sensor constants of the compiled scan (built once, on the first fast scan)."""
        if self._consts is None:
            from iadsim.tracking import _kernels

            cfg, S = self.config, self.geom.S
            mr = cfg.max_range
            max_r2 = np.array([np.inf if mr is None or mr[s] is None else float(mr[s]) ** 2 for s in range(S)])
            tt = cfg.tentative_timeout
            if tt is None:
                timeout = np.full(S, np.inf)
            else:
                timeout = np.broadcast_to(np.asarray(tt, float), (S,)).astype(float)
            codes = [np.array([COMPONENTS.index(c) for c in d], np.int64) for d in self.geom.dims]
            iparams = np.array([cfg.confirm_m, cfg.confirm_n, cfg.max_misses, self.frame == "ecef"], np.int64)
            fparams = np.array([cfg.pos_std_max, np.log1p(-cfg.pd), cfg.init_up, cfg.init_up_sigma,
                                cfg.v_max / cfg.v_max_sigmas, np.log(cfg.new_target_density / cfg.clutter_density)])
            if self._imm:
                from iadsim.tracking import _imm_kernels as kern

                params = _imm_params(self.filter)
            else:
                kern, params = _kernels, float(self.filter.motion.q)
            self._consts = (kern, max_r2, timeout, codes, iparams, fparams, params, np.zeros((0, 6)),
                            np.zeros((0, 6, 6)))
        return self._consts

    def _fast_input(self, sensor: int, z, R):
        """``z (K, m)`` and ``R`` (``(K, m, m)`` or ``(1, m, m)`` shared) as C-contiguous float arrays: one
        compiled signature per kernel whatever the caller passes."""
        m = len(self.geom.dims[sensor])
        z = np.ascontiguousarray(z, dtype=float).reshape(-1, m)
        R = np.ascontiguousarray(R, dtype=float)
        if R.ndim == 2:
            R = R.reshape(1, m, m)
        elif R.shape[0] != z.shape[0]:
            R = np.ascontiguousarray(np.broadcast_to(R, (z.shape[0], m, m)))
        return z, R

    def _step_fast(self, t: float, sensor: int, z, R) -> None:
        """:meth:`step` in the compiled kernels (:mod:`iadsim.tracking._kernels`; ``EKF(NCV)``, GNN, M-of-N)."""
        kern, max_r2, timeout, codes, iparams, fparams, q, x0, P0 = self._fast_consts()
        m = len(self.geom.dims[sensor])
        z, R = self._fast_input(sensor, z, R)
        pos, C = self.geom.position[sensor], self.geom.C[sensor]
        st = self.state
        x, P = (x0, P0) if st is None else (st.x, st.P)
        scan_args = (x, P, self.t, self.status, t, pos, C, codes[sensor], max_r2[sensor], q, z, R, self._gate(m),
                     self.config.confirmed_first)
        # the M-of-N bookkeeping arrays, then the scan's identity and the constants: finish's arguments
        book = (self.hist, self.scans, self.misses, self.n_updates, self.last_update, self.last_sensor, self.score)
        tail = (iparams, fparams, timeout, self.next_id)
        plain = getattr(self.counted, "plain_args", None)
        cargs = plain(sensor) if plain is not None else None
        if cargs is not None:  # a counting that is a radar's coverage alone: scan, count and finish in one call
            out = kern.scan_counted_finish(*scan_args, self.id, *book, sensor, *tail, *cargs)
        else:
            x, P, cov, hit, used, order = kern.scan(*scan_args)
            if self.counted is not None and x.shape[0]:
                cov &= self.counted(sensor, x[:, 0:3])
            out = kern.finish(self.id, x, P, self.status, *book, cov, hit, z, R, order, used, t, sensor, pos, C,
                              codes[sensor], *tail)
        (self.id, x, P, self.status, self.hist, self.scans, self.misses, self.n_updates, self.last_update,
         self.last_sensor, self.score, self.t, n_new) = out
        self.next_id += n_new
        if st is not None or n_new:
            self.state = EKFState(x, P)

    def _imm_arrays(self):
        """The per-mode track file ``xm (M, 2, 6)``, ``Pm (M, 2, 6, 6)``, ``mu (M, 2)`` of the IMM kernels: the
        arrays behind ``state`` when the kernels built it, else stacked from ``state.modes`` (after a scan of
        the numpy path)."""
        st = self.state
        if st is None:
            return np.zeros((0, 2, 6)), np.zeros((0, 2, 6, 6)), np.zeros((0, 2))
        if self._imm_file is not None and self._imm_file[0] is st:
            return self._imm_file[1], self._imm_file[2], st.mu
        xm = np.ascontiguousarray(np.stack([s.x for s in st.modes], axis=1), dtype=float)
        Pm = np.ascontiguousarray(np.stack([s.P for s in st.modes], axis=1), dtype=float)
        return xm, Pm, np.ascontiguousarray(st.mu, dtype=float)

    def _step_fast_imm(self, t: float, sensor: int, z, R) -> None:
        """:meth:`step` in the compiled IMM kernels (:mod:`iadsim.tracking._imm_kernels`)."""
        kern, max_r2, timeout, codes, iparams, fparams, prm, _, _ = self._fast_consts()
        kinds, qs, max_step, max_sub, a, b, mu0, _ = prm
        m = len(self.geom.dims[sensor])
        z, R = self._fast_input(sensor, z, R)
        pos, C = self.geom.position[sensor], self.geom.C[sensor]
        st = self.state
        xm, Pm, mu = self._imm_arrays()
        xm, Pm, mu, x, P, cov, hit, used, order = kern.scan(
            xm, Pm, mu, self.t, self.status, t, pos, C, codes[sensor], max_r2[sensor], kinds, qs, max_step, max_sub,
            a, b, z, R, self._gate(m), self.config.confirmed_first)
        if self.counted is not None and x.shape[0]:
            cov &= self.counted(sensor, x[:, 0:3])
        out, xm, Pm, mu = kern.finish(
            self.id, x, P, xm, Pm, mu, self.status, self.hist, self.scans, self.misses, self.n_updates,
            self.last_update, self.last_sensor, self.score, cov, hit, z, R, order, used, t, sensor, pos, C,
            codes[sensor], iparams, fparams, timeout, self.next_id, mu0)
        (self.id, x, P, self.status, self.hist, self.scans, self.misses, self.n_updates, self.last_update,
         self.last_sensor, self.score, self.t, n_new) = out
        self.next_id += n_new
        if st is not None or n_new:
            modes = tuple(EKFState(xm[:, j], Pm[:, j]) for j in range(2))
            self.state = IMMState(x, P, mu, modes)
            self._imm_file = (self.state, xm, Pm)

    def _merge(self, rows, upd) -> None:
        """Write the updated states ``upd`` of tracks ``rows`` back into the track file."""
        # in place: the track file's arrays are this tracker's own (predict, take and concat return new
        # arrays; tables copy), so no one else sees them change; same values as a rebuilt file
        self.state.put(rows, upd)

    def _jpda_update(self, ti, zhat, S0, z, R, comps, sensor, hit) -> np.ndarray:
        """JPDA update of tracks ``ti`` (their ``zhat``, ``S0``); marks ``hit``; returns used detections.

        A track is *hit* (for M-of-N and the miss counter) when a detection falls in its gate; a
        detection is *used* (does not start a new track) when ``sum_i beta_ij >= 0.5``.
        """
        cfg = self.config
        K = z.shape[0]
        used = np.zeros(K, bool)
        if ti.size == 0:
            return used
        gate = self._gate(len(comps))
        if cfg.pregate:
            Rmax = np.diag(np.max(np.einsum("kii->ki", R), axis=0))
            r0, c0 = candidate_pairs(zhat, S0 + Rmax, z, comps, gate)
        else:
            r0 = c0 = None
        rows, cols, d2 = gated_costs(zhat, S0, z, R, comps, gate, r0, c0)
        if rows.size == 0:
            return used
        S = S0[rows] + R[cols]
        _, logdet = np.linalg.slogdet(S)
        m = len(comps)
        L = cfg.pd * np.exp(-0.5 * d2 - 0.5 * logdet - 0.5 * m * np.log(2 * np.pi)) / cfg.clutter_density
        beta, _, _ = jpda_probabilities(rows, cols, L, ti.size, K, cfg.pd * cfg.gate_probability)
        has = np.unique(rows)
        sub = self.state.take(ti[has])
        local = np.searchsorted(has, rows)
        upd = self.filter.update_pda(sub, local, z[cols], beta, R[cols], self.geom,
                                     np.full(has.size, sensor), comps)
        self._merge(ti[has], upd)
        hit[ti[has]] = True
        used = np.bincount(cols, weights=beta, minlength=K) >= 0.5
        return used

    def _associate(self, ci, zhat, S0, z, R, comps):
        """GNN over tracks ``ci``; confirmed tracks first when ``config.confirmed_first``."""
        gate, pg = self._gate(len(comps)), self.config.pregate
        if not self.config.confirmed_first:
            ti, di = associate(zhat, S0, z, R, comps, gate, pregate=pg)
            return ci[ti], di
        conf = self.status[ci] == 1
        out_t, out_d = [], []
        free = np.arange(z.shape[0])
        for sel in (np.flatnonzero(conf), np.flatnonzero(~conf)):
            if sel.size == 0 or free.size == 0:
                continue
            ti, dj = associate(zhat[sel], S0[sel], z[free], R[free], comps, gate, pregate=pg)
            out_t.append(ci[sel[ti]])
            out_d.append(free[dj])
            keep = np.ones(free.size, bool)
            keep[dj] = False
            free = free[keep]
        if not out_t:
            return np.zeros(0, np.intp), np.zeros(0, np.intp)
        return np.concatenate(out_t), np.concatenate(out_d)

    def _initiate(self, t, sensor, z, R, comps) -> None:
        cfg = self.config
        x0, P0 = initiate_from_detections(z, R, self.geom, sensor, comps, cfg)
        new_state = self.filter.initiate(x0, P0)
        K = z.shape[0]
        self.state = new_state if self.state is None else type(self.state).concat([self.state, new_state])
        ids = np.arange(self.next_id, self.next_id + K, dtype=np.int64)
        self.next_id += K
        one = np.ones(K, np.int64)
        confirmed_now = np.int8(1 if cfg.confirm_m == 1 and cfg.confirmation == "m_of_n" else 0)
        add = {"id": ids, "t": np.full(K, t), "status": np.full(K, confirmed_now, np.int8), "hist": one,
               "scans": one, "misses": np.zeros(K, np.int64), "n_updates": one,
               "last_update": np.full(K, t), "last_sensor": np.full(K, sensor, np.int64),
               "score": np.full(K, np.log(cfg.new_target_density / cfg.clutter_density))}
        for f in self._fields:
            setattr(self, f, np.concatenate([getattr(self, f), add[f]]))

    # -- outputs ---------------------------------------------------------------------------------
    def _table(self, idx, state=None, t=None) -> TrackTable:
        st = self.state.take(idx) if state is None else state
        x, P = st.x[:, 0:6].copy(), st.P[:, 0:6, 0:6].copy()
        names = getattr(self.filter, "model_names", None)
        mu = getattr(st, "mu", None) if names is not None else None
        cls, conf = classify(x, P, frame=self.frame, mu=mu, model_names=names, alt0=self.alt0)
        return TrackTable(id=self.id[idx].copy(), x=x, P=P,
                          t=self.t[idx].copy() if t is None else np.full(idx.size, float(t)),
                          n_updates=self.n_updates[idx].copy(), last_update=self.last_update[idx].copy(),
                          status=self.status[idx].copy(), cls=cls, cls_conf=conf)

    def _empty(self) -> TrackTable:
        return TrackTable(np.zeros(0, np.int64), np.zeros((0, 6)), np.zeros((0, 6, 6)), np.zeros(0),
                          np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int8), np.zeros(0, np.int8),
                          np.zeros(0))

    def _table_fast(self, idx, t=None) -> TrackTable:
        """:meth:`_table` in one kernel (:func:`iadsim.tracking._kernels.track_table`), predicted to ``t``
        unless ``None``."""
        kern, q = self._fast_consts()[0], self._consts[6]
        lo, hi, w, used = _class_boxes()
        tt = 0.0 if t is None else float(t)
        if self._imm:
            kinds, qs, max_step, max_sub, a, b, _, ib = q
            xm, Pm, mu = self._imm_arrays()
            x, P, cls, conf = kern.track_table(
                xm, Pm, mu, np.ascontiguousarray(self.state.x, dtype=float),
                np.ascontiguousarray(self.state.P, dtype=float), self.t, idx, tt, t is not None, kinds, qs, max_step,
                max_sub, a, b, self.frame == "ecef", self.alt0, lo, hi, w, used, ib)
        else:
            x, P, cls, conf = kern.track_table(self.state.x, self.state.P, self.t, idx, tt, q, t is not None,
                                               self.frame == "ecef", self.alt0, lo, hi, w, used)
        return TrackTable(id=self.id[idx], x=x, P=P, t=self.t[idx] if t is None else np.full(idx.size, float(t)),
                          n_updates=self.n_updates[idx], last_update=self.last_update[idx],
                          status=self.status[idx], cls=cls, cls_conf=conf)

    def confirmed(self) -> TrackTable:
        """Confirmed tracks at the time of their last processed scan."""
        if self.state is None:
            return self._empty()
        idx = np.flatnonzero(self.status == 1)
        return self._table_fast(idx) if self.fast else self._table(idx)

    def all_tracks(self) -> TrackTable:
        """Every track, tentative included (diagnostics)."""
        if self.state is None:
            return self._empty()
        idx = np.arange(len(self))
        return self._table_fast(idx) if self.fast else self._table(idx)

    def predict_confirmed(self, t: float) -> TrackTable:
        """Confirmed tracks predicted to time ``t`` (the tracker's state is not changed)."""
        if self.state is None:
            return self._empty()
        idx = np.flatnonzero(self.status == 1)
        if self.fast:
            return self._table_fast(idx, t)
        st = self.filter.predict(self.state.take(idx), float(t) - self.t[idx])
        return self._table(idx, state=st, t=t)


def _class_boxes():
    """The membership boxes of :mod:`iadsim.tracking.classify` as arrays ``(3 features, 4 classes)``: lower
    and upper edges, widths and whether the class uses the feature (for the compiled track tables)."""
    if not _BOXES_ARRAYS:
        from iadsim.tracking.classify import _BOXES, CLASSES

        feats = ("speed", "alt", "climb")
        lo, hi, w = (np.zeros((3, len(CLASSES))) for _ in range(3))
        used = np.zeros((3, len(CLASSES)), bool)
        for f, name in enumerate(feats):
            for k, box in enumerate(_BOXES[name]):
                if box is not None:
                    (lo[f, k], hi[f, k], w[f, k]), used[f, k] = box, True
        _BOXES_ARRAYS.extend((lo, hi, w, used))
    return tuple(_BOXES_ARRAYS)


_BOXES_ARRAYS: list = []


def _imm_mode_kind(f) -> int | None:
    """0 for ``EKF(NCV)``, 1 for ``EKF(Ballistic)`` without drag in ECEF (n = 6), else ``None``."""
    m = getattr(f, "motion", None)
    if type(f) is not EKF or f.n != 6:
        return None
    if type(m) is NCV:
        return 0
    if type(m) is Ballistic and not m.drag and m.frame == "ecef" and m.n == 6:
        return 1
    return None


def _imm_params(f: IMM) -> tuple:
    """The IMM kernels' parameters: mode kinds and PSDs, the ballistic sub-step limits, the switching rates
    ``a = G[0, 1]``, ``b = G[1, 0]``, ``mu0`` and the index of a mode named ``"ballistic"`` (``-1``: none)."""
    kinds = np.array([_imm_mode_kind(g) for g in f.filters], np.int64)
    qs = np.array([g.motion.q for g in f.filters], float)
    ball = [g.motion for g in f.filters if type(g.motion) is Ballistic]
    max_step = float(ball[0].max_step) if ball else 1.0
    max_sub = int(ball[0].max_substeps) if ball else 1
    names = tuple(f.model_names)
    ib = names.index("ballistic") if "ballistic" in names else -1
    return (kinds, qs, max_step, max_sub, float(f._G[0, 1]), float(f._G[1, 0]),
            np.ascontiguousarray(f.mu0, dtype=float), ib)


def fast_eligible(filter, config: TrackerConfig) -> bool:
    """Whether :class:`Tracker` has the compiled scan for this filter and configuration: GNN association,
    M-of-N confirmation and either ``EKF(NCV(q))`` (6 states) or an ``IMM`` of two ``EKF`` modes, each ``NCV``
    or ``Ballistic`` without drag in ECEF (n = 6), with ``dt_ref`` (the time-scaled transition of both
    scenario IMM options) and, for two ballistic modes, one sub-step rule. Every other option keeps the numpy path."""
    if config.association != "gnn" or config.confirmation != "m_of_n":
        return False
    if type(filter) is EKF:
        return type(getattr(filter, "motion", None)) is NCV and filter.n == 6
    if not (type(filter) is IMM and filter.r == 2 and filter.dt_ref is not None
            and all(_imm_mode_kind(f) is not None for f in filter.filters)):
        return False
    # one sub-step rule for the kernels' ballistic modes (two ballistic modes with different limits: numpy)
    return len({(f.motion.max_step, f.motion.max_substeps) for f in filter.filters if type(f.motion) is Ballistic}) <= 1
