"""External threats: entities of another simulation, flown from its Entity State PDUs.

Design: pre-allocated slots. ``ExternalThreats(compiled, slots)`` appends ``slots`` threats to the raid
realization (:meth:`hook`, the ``threats_hook`` of :class:`~iadsim.engine.simulation.Simulation`), not yet
launched. They are threats like the scenario's: the radars scan them, the tracker and the command post see
only what the radars report, the seekers home on them and the lethality model kills them. What differs is
where their truth comes from: instead of a precomputed trajectory, each accepted Entity State PDU
(:class:`~iadsim.dis.receiver.Receiver`) adds a piece to the slot's piecewise polynomial in the one truth table
(:meth:`iadsim.threats.truth.ThreatTruth.replace_paths`): from the PDU's arrival ``t0`` (simulated time), the
receiver's dead reckoning of IEEE 1278.1 Annex E, ``p(t) = P0 + V0 (t - t0) + A0 (t - t0)^2 / 2`` (``A0 = 0``
for the first-order algorithms; body-axis algorithms rotated to world axes), which is exactly a cubic
piece with ``c3 = 0``. Between updates the threat flies its dead reckoning; a new PDU starts a new piece.

* The first PDU of an unknown entity takes the next free slot (none left: counted in ``no_slot``) and
  launches it (``threat_launch`` event); its class follows from its entity type
  (:func:`iadsim.dis.entity_types.threat_class_of`), its radar cross-section, cost and damage from the
  catalog type of that class (``CLASS_TYPES``), else from ``default_type``; its aimed asset is the asset
  nearest to where it appears.
* A PDU with the deactivated (or destroyed) appearance ends it: within the command post's threat radius
  of an asset that is an arrival (a leaker, with the scenario's damage roll); elsewhere it just leaves
  (still counted in flight in the summary). So does silence longer than the DIS entity timeout
  (``HBT_ESPDU * HBT_TIMEOUT_MPLIER`` = 12 s).
* A threat iadsim has killed ignores further PDUs of its entity.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np

from iadsim.dis.dead_reckoning import DR_STATIC, HBT_ESPDU, HBT_TIMEOUT_MPLIER, body_axes, body_x
from iadsim.dis.entity_types import APPEARANCE_DEACTIVATED, APPEARANCE_DESTROYED, threat_class_of
from iadsim.dis.pdu import EntityId, EntityState
from iadsim.errors import InputError
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.status import FLYING, NOT_LAUNCHED

log = logging.getLogger("iadsim.dis")

#: the catalog type standing for each threat class of an external entity
CLASS_TYPES = {"ballistic": "srbm", "cruise": "cruise_missile", "drone": "owa_drone", "aircraft": "fighter"}
TIMEOUT = HBT_ESPDU * HBT_TIMEOUT_MPLIER
_SECOND_ORDER = (4, 5, 8, 9)
_BODY = (6, 7, 8, 9)


def _catalog_threat(name: str):
    from iadsim.scenario.catalog import resolve

    try:
        return resolve("threat", name)
    except LookupError as exc:
        raise InputError(str(exc), field="--external-threat") from None


class ExternalThreats:
    """Slots for ``slots`` external threats (module docstring)."""

    def __init__(self, compiled, slots: int, default_type: str = "cruise_missile"):
        if slots < 0:
            raise InputError("must be at least 0", field="--external")
        self.c = compiled
        self.slots = int(slots)
        self.default = _catalog_threat(default_type)
        self.class_specs = {k: _catalog_threat(v) for k, v in CLASS_TYPES.items()}
        self.base = 0
        self.is_external = np.zeros(0, bool)
        self.slot_of: dict[EntityId, int] = {}
        self.ids: list[EntityId] = []
        self.knots: dict[int, list] = {}
        self.coefs: dict[int, list] = {}
        self.last_seen: dict[int, float] = {}
        self.ended: set[int] = set()
        self.dirty: set[int] = set()
        self.counts = {"entities": 0, "updates": 0, "no_slot": 0, "ended": 0, "timed_out": 0, "after_kill": 0}
        self._logged: set[str] = set()

    def entity_id(self, j: int) -> EntityId:
        return self.ids[j - self.base]

    # --- the realization hook ------------------------------------------------------------------------
    def hook(self, th):
        """Append the slots to the raid realization ``th`` (not launched; a placeholder piece)."""
        n, k = len(th), self.slots
        self.base = n
        self.is_external = np.concatenate([np.zeros(n, bool), np.ones(k, bool)])
        if k == 0:
            return th
        c = self.c
        p0 = c.assets.ecef[0]
        horizon = c.duration + 3600.0
        th.truth.replace_paths(range(n, n + k), [np.zeros(1)] * k, [np.array([[p0, 0 * p0, 0 * p0, 0 * p0]])] * k,
                               np.full(k, np.inf), np.full(k, horizon))
        d = self.default
        cls = THREAT_CLASSES.index(d.kind)
        ext = {
            "raid": np.full(k, -1), "type_index": np.full(k, -1), "cls": np.full(k, cls, np.int8),
            "target": np.zeros(k, np.int64), "t_launch": np.full(k, np.inf), "t_end": np.full(k, np.inf),
            "rcs": np.full(k, d.rcs), "cost": np.full(k, d.cost), "p_damage": np.full(k, d.p_damage),
            "launch_lat": np.full(k, np.nan), "launch_lon": np.full(k, np.nan),
            "role": np.zeros(k, np.int8), "parent": np.full(k, -1, np.int64), "aim": np.tile(p0, (k, 1))}
        # every per-object array gains the slots (truth and the count of the raids' own threats stay)
        cols = {f.name: np.concatenate([getattr(th, f.name), v]).astype(getattr(th, f.name).dtype, copy=False)
                for f in dataclasses.fields(th) if f.name not in ("truth", "n_threats") for v in [ext[f.name]]}
        return dataclasses.replace(th, **cols)

    # --- updates -------------------------------------------------------------------------------------
    def _once(self, kind: str, msg: str) -> None:
        if kind not in self._logged:
            self._logged.add(kind)
            log.warning("dis: %s (further ones are counted, not logged)", msg)

    def apply(self, t: float, pdus: list[EntityState], sim) -> None:
        """Take the accepted PDUs that arrived by simulated time ``t`` (in arrival order)."""
        for p in pdus:
            j = self.slot_of.get(p.entity_id)
            dead = bool(p.appearance & APPEARANCE_DEACTIVATED) or (p.appearance & APPEARANCE_DESTROYED) == \
                APPEARANCE_DESTROYED
            if j is None:
                if dead:
                    continue
                if len(self.ids) >= self.slots:
                    self.counts["no_slot"] += 1
                    self._once("no_slot", f"entity {p.entity_id}: all {self.slots} external threat slots taken")
                    continue
                j = self._launch(t, p, sim)
            if j in self.ended:
                continue
            if sim.threat_state.status[j] != FLYING:
                self.counts["after_kill"] += 1
                continue
            if dead:
                self._end(t, j, sim, arrival=True)
                continue
            self._piece(t, j, p, sim)

    def _launch(self, t, p: EntityState, sim) -> int:
        j = self.base + len(self.ids)
        self.slot_of[p.entity_id] = j
        self.ids.append(p.entity_id)
        self.counts["entities"] += 1
        th = sim.threats
        cls = threat_class_of(p.entity_type)
        spec = self.class_specs[cls] if cls is not None else self.default
        th.cls[j] = THREAT_CLASSES.index(spec.kind)
        th.rcs[j], th.cost[j], th.p_damage[j] = spec.rcs, spec.cost, spec.p_damage
        loc = np.asarray(p.location, float)
        th.target[j] = int(np.argmin(np.linalg.norm(sim.c.assets.ecef - loc, axis=1)))
        th.t_launch[j] = t
        th.t_end[j] = t + self.c.duration + 3600.0
        self.knots[j], self.coefs[j] = [], []
        sim.threat_state.on_launch(t, j)
        return j

    def _piece(self, t, j, p: EntityState, sim) -> None:
        v = np.asarray(p.velocity, float)
        a = np.asarray(p.acceleration, float) if p.dr_algorithm in _SECOND_ORDER else np.zeros(3)
        if p.dr_algorithm == DR_STATIC:
            v = np.zeros(3)
        if p.dr_algorithm in _BODY:
            x, y, z = body_axes(np.asarray(p.location)[None, :], body_x(np.asarray(p.orientation))[0][None, :])
            R = np.stack([x[0], y[0], z[0]], -1)  # columns: body axes in world coordinates (roll ignored)
            v, a = R @ v, R @ a
        tau = t - sim.threats.t_launch[j]
        kn, co = self.knots[j], self.coefs[j]
        piece = np.array([p.location, v, 0.5 * a, np.zeros(3)])
        if kn and kn[-1] >= tau - 1e-12:
            co[-1] = piece  # two PDUs in one step: the latest wins
        else:
            kn.append(tau)
            co.append(piece)
        self.last_seen[j] = t
        self.dirty.add(j)
        self.counts["updates"] += 1

    def _end(self, t, j, sim, arrival: bool) -> None:
        th = sim.threats
        self.commit(sim)
        if arrival:
            pos, _ = th.truth.state(t, [j])
            d = np.linalg.norm(sim.c.assets.ecef - pos[0], axis=1)
            a = int(np.argmin(d))
            if d[a] <= sim.c.doctrine.threat_radius:
                th.target[j] = a
                sim.threat_state.on_impact(t, j)
        th.t_end[j] = t
        self.ended.add(j)
        self.dirty.add(j)
        self.counts["ended"] += 1

    def tick(self, t: float, sim) -> None:
        """Time out silent entities, then write the new pieces into the truth table."""
        for j, seen in list(self.last_seen.items()):
            if j not in self.ended and t - seen > TIMEOUT and sim.threat_state.status[j] == FLYING:
                self.counts["timed_out"] += 1
                self._once("timeout", f"entity {self.entity_id(j)} silent for more than {TIMEOUT:.0f} s: removed")
                self._end(t, j, sim, arrival=False)
        self.commit(sim)

    def commit(self, sim) -> None:
        if not self.dirty:
            return
        th = sim.threats
        rows = sorted(j for j in self.dirty if self.knots.get(j))
        self.dirty.clear()
        if not rows:
            return
        th.truth.replace_paths(rows, [np.array(self.knots[j]) for j in rows], [np.array(self.coefs[j]) for j in rows],
                               [th.t_launch[j] for j in rows], [th.t_end[j] - th.t_launch[j] for j in rows])

    def launched(self, sim) -> int:
        return int(np.count_nonzero(sim.threat_state.status[self.base:] != NOT_LAUNCHED))
