"""The C2 stage: the command post's cycle over the network, degraded modes, EMCON and the loss of nodes.

One component of the engine (docs/architecture.md, "Command and control") with its handlers:

* ``on_cycle`` (``Ev.C2``, every command-post cycle): the command post plans on its picture
  (:class:`~iadsim.c2.command_post.CommandPost`) for the fire units it can reach; every fire unit it cannot
  reach (a cut link, a lost node, a destroyed command post) is **autonomous** and, under ``autonomous:
  engage``, runs the same doctrine for itself alone on its own radars' tracks (under ``hold`` it does not
  fire).
* ``on_scan`` (after each scan's tracker step): which tracks each radar holds (updated within
  ``local_window``), and the scan's **track reports** (the confirmed tracks it updated, one message each)
  sent to the command post (``Ev.TRACK_REPORT``); ``on_report`` puts them in the command post's picture,
  newest estimate per track, predicted to the cycle's time (ballistic coast for a ballistic class,
  constant velocity otherwise: :mod:`iadsim.evaluation.predict`). A track without a report for
  ``picture_timeout`` leaves the picture.
* orders: each launch order travels from the command post to its fire unit (``Ev.ORDER``); the unit carries
  it out on arrival with its launch and planned intercept times shifted by the delay, if it still has a free
  channel and a salvo and the track is not already engaged; until then (at most ``order_timeout``) the
  command post counts the track as engaged and the salvo as spent. A lost order times out.
* kill assessments: the fire unit's assessment (``Engagements.on_kill_assess``) is reported back
  (``Ev.KA_REPORT``); the command post does not re-plan on the track before the report arrives.
* ``on_link`` (``Ev.LINK``): the scheduled cuts and restorations; the modes of the fire units are
  re-evaluated at once (``c2_autonomous`` / ``c2_connected`` events).
* EMCON: ``scanning(t, k)`` is false while radar ``k`` is in a silent window, silent by its rule, or destroyed.
  **EMCON when threatened** (``_emcon``, at the start of every command-post cycle): a radar with a rule
  (:class:`~iadsim.scenario.compiled.EmconRule`) goes silent at the first cycle whose picture (the command
  post's, predicted to the cycle; the central confirmed tracks if the command post is destroyed) holds a
  threat to it: a track of one of the rule's classes, at least ``min_speed`` fast, inside ``range`` of the
  radar and closing on it (negative range rate); it emits again at the first cycle ``hold`` after the last
  cycle with such a track (hysteresis: a track that flickers in and out does not toggle the radar). The
  command post's picture rather than the radar's own because a silent radar no longer tracks its threat:
  the other radars' reports keep it in the picture, and the decision is the air defense commander's
  emission control order (Neri 2006, ch. 7; Adamy, *EW 102*, 2004, ch. 8 on ARM countermeasures). Silence
  by the rule is silence like a scheduled window: no scans, no detections, no midcourse uplinks from the
  radar (its fire units' rounds fly to their last aim point), no tracks held for its fire units' own
  pictures, and an ARM whose radar stopped emitting more than its ``seeker_memory`` before impact loses it
  (:mod:`iadsim.c2.nodes`). Events ``emcon_silent`` / ``emcon_resumed``; the summary's ``emcon`` gives each
  ruled radar's silences and silent time.
* ``on_impact``: a leaker aimed at a defense node may destroy it (:mod:`iadsim.c2.nodes`): a radar stops
  scanning, a fire unit stops firing, a command post leaves every unit autonomous; the network loses the
  node at once.

Engage-on-remote: with ``engage_on_remote: false`` a fire unit may engage only tracks its own radars hold;
the command post then plans unit by unit in fire-unit order (each the doctrine's assignment for one unit,
tracks taken by an earlier unit removed), a sequential simplification of the joint assignment.

Simplification (documented in docs/architecture.md): the tracker stays central. A fire unit's "own" picture
is the central confirmed tracks restricted to those its linked radars updated within ``local_window``.

Without a ``network`` section, EMCON and node targets, ``on_cycle`` is the command post's cycle as it was
(the central picture predicted to now, orders carried out at once): the earlier results keep their bytes.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from iadsim.c2.command_post import CommandPost
from iadsim.c2.network import Network
from iadsim.c2.nodes import emitted_within, node_destroyed
from iadsim.engine.events import Ev
from iadsim.evaluation.predict import coast_at
from iadsim.tracking.classify import CLASSES
from iadsim.tracking.tracker import TrackTable


def _rows(table, rows):
    """A dataclass of arrays (``TrackTable``, ``FireOrders``) restricted to ``rows``."""
    return type(table)(**{f.name: getattr(table, f.name)[rows] for f in fields(table)})


class C2:
    """The C2 stage of one replication (module docstring)."""

    def __init__(self, compiled, kin, tracker, radars, fire_units, engagements, threats, queue, log, rng):
        c = self.c = compiled
        self.cp = CommandPost(c, kin)
        self.kin = kin
        self.tracker = tracker
        self.radars = radars
        self.fu = fire_units
        self.eng = engagements
        self.threats = threats
        self.queue = queue
        self.log = log
        self.rng = rng
        self.F = len(c.fire_units)
        self.S = len(c.radars)
        spec = c.network
        self.net = Network(spec, rng) if spec is not None else None
        self.spec = spec
        self.emcon = c.emcon if c.emcon else tuple(() for _ in range(self.S))
        self.rules = c.emcon_rules if c.emcon_rules else tuple(None for _ in range(self.S))
        self.rule_silent = np.zeros(self.S, bool)
        self.last_threat = np.full(self.S, -np.inf)
        #: per radar, its silences by the rule ``[start, end]`` (end inf while silent)
        self.rule_windows: list[list[list[float]]] = [[] for _ in range(self.S)]
        self.radar_dead_at = np.full(self.S, np.inf)
        self.fu_alive = np.ones(self.F, bool)
        self.cp_alive = True
        self.fu_radars = [tuple(r) for r in c.fire_units.radars]
        self.local_window = spec.local_window if spec is not None else 20.0
        self.autonomous_rule = spec.autonomous if spec is not None else "engage"
        self.autonomous = np.zeros(self.F, bool)
        #: per radar, track id -> time of its last update by that radar
        self.seen_by: list[dict[int, float]] = [{} for _ in range(self.S)]
        #: the command post's picture: track id -> (t of the estimate, TrackTable row of one track)
        self.picture: dict[int, tuple[float, TrackTable]] = {}
        #: orders sent and not yet delivered: order key -> (track id, fire unit, expiry)
        self.pending: dict[int, tuple[int, int, float]] = {}
        self.n_orders = 0
        #: tracks whose kill-assessment report has not reached the command post: track id -> expiry
        self.ka_hold: dict[int, float] = {}
        self.aim_nodes = c.aim_nodes
        self.n_assets = len(c.assets.names)
        self.types = [s for _, s in c.threat_types]
        #: whether anything of this stage is in use (else the cycle is the plain one, bytes unchanged)
        self.active = spec is not None or bool(c.emcon) or bool(c.aim_nodes) or bool(c.emcon_rules)
        self.n_dropped = 0

    # --- start ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Push the first cycle and the scheduled link cuts and restorations."""
        self.queue.push(0.0, Ev.C2, None)
        if self.spec is not None:
            for k, t0, t1 in self.spec.cuts:
                self.queue.push(t0, Ev.LINK, (k, False))
                if np.isfinite(t1):
                    self.queue.push(t1, Ev.LINK, (k, True))

    # --- nodes and modes ---------------------------------------------------------------------------
    def _fu_node(self, f: int) -> int:
        return 1 + self.S + f

    def reachable(self) -> np.ndarray:
        """``(F,)`` fire units the command post can reach now."""
        if not self.cp_alive:
            return np.zeros(self.F, bool)
        if self.net is None:
            return self.fu_alive.copy()
        return np.array([self.fu_alive[f] and self.net.connected(0, self._fu_node(f)) for f in range(self.F)],
                        bool)

    def _update_modes(self, t: float) -> None:
        auto = self.fu_alive & ~self.reachable()
        for f in np.flatnonzero(auto != self.autonomous):
            detail = f"{self.autonomous_rule} on own radars" if auto[f] else "orders from the command post"
            self.log.event(t, "c2_autonomous" if auto[f] else "c2_connected", fire_unit=int(f), detail=detail)
        self.autonomous = auto

    def on_link(self, t, payload) -> None:
        """``Ev.LINK``: a scheduled cut (``up`` false) or restoration of link ``k``."""
        k, up = payload
        self.net.link_up[k] = up
        self.log.event(t, "link_up" if up else "link_cut", detail=self.spec.links[k].name)
        self._update_modes(t)

    def scanning(self, t: float, k: int) -> bool:
        """Whether radar ``k`` scans (and emits) at ``t``: alive, outside its EMCON silent windows and not
        silent by its EMCON rule."""
        if t >= self.radar_dead_at[k] or self.rule_silent[k]:
            return False
        return not any(s <= t < e for s, e in self.emcon[k])

    def silences(self, k: int) -> tuple[tuple[float, float], ...]:
        """Radar ``k``'s silent intervals ``((start, end), ...)``: its EMCON windows and its rule's silences."""
        return tuple(self.emcon[k]) + tuple((a, b) for a, b in self.rule_windows[k])

    def _emcon(self, t: float, tracks: TrackTable) -> None:
        """EMCON when threatened at the cycle ``t`` on the picture ``tracks`` (module docstring)."""
        x = tracks.x
        for k, rule in enumerate(self.rules):
            if rule is None or not self.radar_alive(k):
                continue
            name = self.c.radars[k].name
            hit = np.zeros(len(tracks), bool)
            if len(tracks):
                d = x[:, :3] - self.radars[k].ecef
                rng = np.linalg.norm(d, axis=1)
                rdot = np.einsum("ij,ij->i", d, x[:, 3:6]) / np.maximum(rng, 1e-9)
                hit = (np.isin(tracks.cls, rule.classes) & (np.linalg.norm(x[:, 3:6], axis=1) >= rule.min_speed)
                       & (rng <= rule.range) & (rdot < 0.0))
            if hit.any():
                self.last_threat[k] = t
                if not self.rule_silent[k]:
                    j = np.flatnonzero(hit)[np.argmin(rng[hit])]
                    self.rule_silent[k] = True
                    self.rule_windows[k].append([float(t), np.inf])
                    self.log.event(t, "emcon_silent", track=int(tracks.id[j]),
                                   detail=f"{name}: {CLASSES[int(tracks.cls[j])]} track at "
                                          f"{rng[j] / 1e3:.1f} km closing at {-rdot[j]:.0f} m/s")
            elif self.rule_silent[k] and t - self.last_threat[k] >= rule.hold:
                self.rule_silent[k] = False
                self.rule_windows[k][-1][1] = float(t)
                self.log.event(t, "emcon_resumed", detail=f"{name}: no threat for {t - self.last_threat[k]:.0f} s")

    def emcon_summary(self, duration: float) -> dict:
        """The summary's ``emcon``: per radar with a rule, how often it went silent by the rule and its silent
        time (s, up to ``duration`` or its destruction)."""
        out = {}
        for k, rule in enumerate(self.rules):
            if rule is None:
                continue
            end = min(duration, float(self.radar_dead_at[k]))
            silent = sum(max(0.0, min(b, end) - min(a, end)) for a, b in self.rule_windows[k])
            out[self.c.radars[k].name] = {"silenced": len(self.rule_windows[k]), "silent_s": round(silent, 6)}
        return out

    def radar_alive(self, k: int) -> bool:
        return np.isinf(self.radar_dead_at[k])

    # --- sensors to the command post ----------------------------------------------------------------
    def on_scan(self, t: float, k: int) -> None:
        """After radar ``k``'s scan at ``t`` updated the tracker: its held tracks and its track reports."""
        if not self.active:
            return
        tr = self.tracker
        if len(tr.id) == 0:
            return
        upd = np.flatnonzero((tr.status == 1) & (tr.last_sensor == k) & (tr.last_update >= t))
        seen = self.seen_by[k]
        for i in tr.id[upd].tolist():
            seen[i] = t
        if self.net is None or upd.size == 0:
            return
        rows = tr.predict_confirmed(t)
        rows = _rows(rows, np.isin(rows.id, tr.id[upd]))
        t_arr, ok = self.net.send(t, 1 + k, 0, len(rows))
        if t_arr is not None and ok.any():
            self.queue.push(t_arr, Ev.TRACK_REPORT, (t, _rows(rows, ok)))

    def on_report(self, t, payload) -> None:
        """``Ev.TRACK_REPORT``: track reports reach the command post (newest estimate per track kept)."""
        t_sent, rows = payload
        if not self.cp_alive:
            return
        for j, tid in enumerate(rows.id.tolist()):
            old = self.picture.get(tid)
            if old is None or old[0] < t_sent:
                self.picture[tid] = (t_sent, _rows(rows, slice(j, j + 1)))

    def _picture(self, t: float) -> TrackTable:
        """The command post's picture at ``t``: the reported tracks, predicted to ``t``."""
        if self.net is None:
            return self.tracker.predict_confirmed(t)
        timeout = self.spec.picture_timeout
        for tid in [i for i, (tx, _) in self.picture.items() if t - tx > timeout]:
            del self.picture[tid]
        if not self.picture:
            return self.tracker._empty()
        ids = sorted(self.picture)
        parts = [self.picture[i][1] for i in ids]
        tab = type(parts[0])(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                                for f in fields(parts[0])})
        dt = t - tab.t
        x = tab.x.copy()
        x[:, :3] += x[:, 3:6] * dt[:, None]
        ball = tab.cls == 0
        if ball.any():
            x[ball, :3] = coast_at(tab.x[ball, :3], tab.x[ball, 3:6], dt[ball],
                                   self.c.doctrine.assumed_ballistic_coefficient)
        return TrackTable(id=tab.id, x=x, P=tab.P, t=np.full(len(ids), float(t)), n_updates=tab.n_updates,
                          last_update=tab.last_update, status=tab.status, cls=tab.cls, cls_conf=tab.cls_conf)

    def _held(self, t: float, f: int, ids: np.ndarray) -> np.ndarray:
        """Tracks ``ids`` that fire unit ``f``'s own radars updated within ``local_window`` of ``t``."""
        out = np.zeros(ids.size, bool)
        for k in self.fu_radars[f]:
            seen = self.seen_by[k]
            out |= np.array([seen.get(i, -np.inf) >= t - self.local_window for i in ids.tolist()], bool)
        return out

    # --- the cycle -----------------------------------------------------------------------------------
    def on_cycle(self, t, _) -> None:
        """``Ev.C2``: the command post's cycle, then the autonomous fire units' own cycles."""
        self.queue.push(t + self.c.c2_cycle, Ev.C2, None)
        self.eng.advance(t)
        if not self.active:
            tracks = self.tracker.predict_confirmed(t)
            if len(tracks) == 0 or self.F == 0:
                return
            orders, cls = self.cp.plan(t, tracks, self.eng.eligible(tracks), self.fu.shots(), self.fu.rounds())
            self.eng.fire(t, orders, tracks, cls)
            return
        tracks = None
        if self.c.emcon_rules:
            tracks = self._picture(t) if self.cp_alive else self.tracker.predict_confirmed(t)
            self._emcon(t, tracks)
        if self.F == 0:
            return
        self._update_modes(t)
        for key in [k for k, (_, _, exp) in self.pending.items() if exp <= t]:
            del self.pending[key]
        for tid in [i for i, exp in self.ka_hold.items() if exp <= t]:
            del self.ka_hold[tid]
        reach = self.reachable()
        if reach.any():
            self._command_post_cycle(t, reach, tracks if self.cp_alive else None)
        if self.autonomous_rule == "engage":
            for f in np.flatnonzero(self.autonomous):
                self._autonomous_cycle(t, int(f))

    def _shots(self, units: np.ndarray):
        shots = self.fu.shots().copy()
        rounds = self.fu.rounds().copy()
        for _, f, _ in self.pending.values():
            shots[f] -= 1
            rounds[f] -= int(self.kin.salvo[f])
        keep = np.zeros(self.F, bool)
        keep[units] = True
        return np.where(keep, np.maximum(shots, 0), 0), np.where(keep, np.maximum(rounds, 0), 0)

    def _command_post_cycle(self, t: float, reach: np.ndarray, tracks: TrackTable | None = None) -> None:
        tracks = self._picture(t) if tracks is None else tracks
        if len(tracks) == 0:
            return
        eligible = self.eng.eligible(tracks)
        blocked = {tid for tid, _, _ in self.pending.values()} | set(self.ka_hold)
        if blocked:
            eligible &= ~np.isin(tracks.id, np.fromiter(blocked, np.int64, len(blocked)))
        if self.spec is None or self.spec.engage_on_remote:
            groups = [np.flatnonzero(reach)]
        else:
            groups = [np.array([f]) for f in np.flatnonzero(reach)]
        for units in groups:
            ok = eligible.copy()
            if self.spec is not None and not self.spec.engage_on_remote:
                ok &= self._held(t, int(units[0]), tracks.id)
            shots, rounds = self._shots(units)
            orders, cls = self.cp.plan(t, tracks, ok, shots, rounds)
            if len(orders) == 0:
                continue
            eligible[orders.track_row] = False
            self._dispatch(t, orders, tracks, cls)

    def _dispatch(self, t: float, orders, tracks, cls) -> None:
        """Send the command post's orders to their fire units (at once without a network)."""
        if self.net is None:
            self.eng.fire(t, orders, tracks, cls)
            return
        for o in range(len(orders)):
            f = int(orders.fire_unit[o])
            row = int(orders.track_row[o])
            t_arr, ok = self.net.send(t, 0, self._fu_node(f), 1)
            key = self.n_orders
            self.n_orders += 1
            self.pending[key] = (int(tracks.id[row]), f, t + self.spec.order_timeout)
            if t_arr is None or not ok[0]:
                self.log.event(t, "order_lost", track=int(tracks.id[row]), fire_unit=f)
                continue
            one = _rows(orders, slice(o, o + 1))
            self.queue.push(t_arr, Ev.ORDER, (key, t, one, _rows(tracks, slice(row, row + 1)), cls[row:row + 1]))

    def on_order(self, t, payload) -> None:
        """``Ev.ORDER``: a launch order reaches its fire unit (module docstring)."""
        key, t_dec, order, track, cls = payload
        self.pending.pop(key, None)
        f = int(order.fire_unit[0])
        tid = int(track.id[0])
        self.eng.advance(t)
        why = None
        if not self.fu_alive[f]:
            why = "fire unit destroyed"
        elif self.fu.shots()[f] < 1:
            why = "no free channel or salvo"
        elif not self.eng.eligible(track)[0]:
            why = "track already engaged"
        if why is not None:
            self.n_dropped += 1
            self.log.event(t, "order_dropped", track=tid, fire_unit=f, detail=why)
            return
        d = t - t_dec
        order = type(order)(**{**{fl.name: getattr(order, fl.name) for fl in fields(order)},
                               "t_launch": order.t_launch + d, "t_intercept": order.t_intercept + d,
                               "track_row": np.zeros(1, np.int64)})
        self.log.event(t, "order_received", track=tid, fire_unit=f, detail=f"delay {d:.3f} s")
        self.eng.fire(t_dec, order, track, cls)

    def _autonomous_cycle(self, t: float, f: int) -> None:
        if not self.fu_radars[f]:
            return
        tracks = self.tracker.predict_confirmed(t)
        if len(tracks) == 0:
            return
        own = self._held(t, f, tracks.id)
        if not own.any():
            return
        tracks = _rows(tracks, own)
        shots, rounds = self._shots(np.array([f]))
        if shots[f] < 1:
            return
        orders, cls = self.cp.plan(t, tracks, self.eng.eligible(tracks), shots, rounds)
        if len(orders):
            self.eng.fire(t, orders, tracks, cls)

    # --- kill assessment reports -------------------------------------------------------------------------
    def on_assessed(self, t: float, e: int) -> None:
        """After fire unit's kill assessment of engagement ``e``: its report to the command post."""
        if self.net is None:
            return
        tid = int(self.eng.cols["track"][e])
        f = int(self.eng.cols["fire_unit"][e])
        t_arr, ok = self.net.send(t, self._fu_node(f), 0, 1)
        if t_arr is None or not ok[0]:
            self.ka_hold[tid] = t + self.spec.order_timeout
            return
        if t_arr > t:
            self.ka_hold[tid] = np.inf
            self.queue.push(t_arr, Ev.KA_REPORT, tid)

    def on_ka_report(self, t, tid) -> None:
        """``Ev.KA_REPORT``: the kill assessment of track ``tid`` reaches the command post."""
        self.ka_hold.pop(tid, None)

    # --- threats to the defense --------------------------------------------------------------------
    def on_impact(self, t: float, i: int) -> None:
        """After ``ThreatState.on_impact``: a leaker aimed at a defense node may destroy it."""
        a = int(self.threats.target[i])
        if a < self.n_assets or i >= self.threats.n_threats:
            return
        node = self.aim_nodes[a - self.n_assets]
        spec = self.types[int(self.threats.type_index[i])]
        u = self.rng.random()
        if getattr(spec, "anti_radiation", False):
            k = node - 1
            if not 0 <= k < self.S or not emitted_within(self.silences(k), self.radar_dead_at[k], t,
                                                         spec.seeker_memory):
                self.log.event(t, "arm_lost_emitter", threat=i, detail=self._name(node))
                return
        miss = float(np.linalg.norm(self.threats.truth.end_pos[i] - self.c.aim_points.ecef[a]))
        if not node_destroyed(spec, float(self.threats.p_damage[i]), miss, u):
            self.log.event(t, "node_survived", threat=i, detail=f"impact {miss:.0f} m from it")
            return
        self.destroy(t, node)

    def _name(self, node: int) -> str:
        return ([self.c.scenario.command_post.name] + [r.name for r in self.c.radars]
                + list(self.c.fire_units.names))[node]

    def destroy(self, t: float, node: int) -> None:
        """Node ``node`` is destroyed at ``t`` (the network loses it at once)."""
        name = self._name(node)
        if node == 0:
            if not self.cp_alive:
                return
            self.cp_alive = False
            self.picture.clear()
            self.pending.clear()
        elif node <= self.S:
            if not self.radar_alive(node - 1):
                return
            self.radar_dead_at[node - 1] = t
        else:
            f = node - 1 - self.S
            if not self.fu_alive[f]:
                return
            self.fu_alive[f] = False
        if self.net is not None:
            self.net.node_alive[node] = False
        self.log.event(t, "node_destroyed", fire_unit=node - 1 - self.S if node > self.S else -1, detail=name)
        self._update_modes(t)
