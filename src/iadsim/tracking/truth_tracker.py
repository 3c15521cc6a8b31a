r"""Perfect sensing and tracking from the threat truth: a **validation mode** (docs/validation.md).

:class:`TruthTracker` stands in for :class:`iadsim.tracking.Tracker` when a scenario sets
``validation: {perfect_tracking: true}``. It is an idealisation for validating the rest of the kill chain
against closed-form models, and it breaks on purpose the engine's rule that the tracker never reads truth
(docs/architecture.md): here the tracker *is* the truth.

Contract (the part of the :class:`~iadsim.tracking.Tracker` interface the engine, the command post and
:class:`~iadsim.engagement.engagements.Engagements` use):

* Track ``id = i + 1`` for threat ``i`` (row ``i`` of the raid realization); every track is confirmed
  (``status = 1``); its state is the exact truth ``x = (p, v)`` (ECEF, m and m/s) with ``P = 0``; its class
  is the threat's true class (index into :data:`iadsim.scenario.catalog_models.THREAT_CLASSES`, confidence 1).
* :meth:`step` (one scan of any sensor at ``t``; the detections are ignored): the track file becomes the
  threats flying at ``t`` (:meth:`iadsim.threats.state.ThreatState.flying`), each updated at ``t`` by that
  sensor (``t = last_update = t``, ``last_sensor = sensor``). A killed or ended threat's track therefore
  disappears at the next scan, so a kill assessment finds it not updated after the intercept; an alive
  threat's track is updated by every scan, so a miss is seen again at the next scan.
* :meth:`predict_confirmed` ``(t)``: every threat flying at ``t`` with its exact state at ``t`` (a threat is
  a track from its launch, before any scan); ``last_update`` is the time of the last scan that updated it,
  or its launch time if none has yet.

The arrays ``id, status, t, last_update, last_sensor, n_updates`` and ``state.take(rows).x`` describe the
track file as of the last scan, as for the real tracker.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.tracking.tracker import TrackTable


@dataclass(frozen=True)
class TruthState:
    """Track states ``x (M, 6)`` with ``P (M, 6, 6) = 0``: the part of a filter state the engine reads."""

    x: np.ndarray
    P: np.ndarray

    def take(self, idx) -> TruthState:
        idx = np.asarray(idx, np.intp)
        return TruthState(self.x[idx], self.P[idx])


class TruthTracker:
    """Perfect tracks of every threat in flight, from the truth (module docstring; a validation mode).

    ``threats``: the :class:`~iadsim.engine.raid.RaidRealization`; ``threat_state``: the
    :class:`~iadsim.threats.state.ThreatState` (which threats are flying).
    """

    filter = None

    def __init__(self, threats, threat_state):
        self.threats = threats
        self.ts = threat_state
        N = len(threats)
        self._last = np.full(N, np.nan)  # time of the last scan that updated each threat's track
        self._n = np.zeros(N, np.int64)
        self._sensor = np.zeros(N, np.int64)
        self.time = -np.inf
        self._set(np.zeros(0, np.int64), 0.0, np.zeros((0, 6)))

    def _set(self, idx, t, x) -> None:
        M = idx.size
        self.id = idx.astype(np.int64) + 1
        self.status = np.ones(M, np.int8)
        self.t = np.full(M, float(t))
        self.last_update = self._last[idx].copy()
        self.last_sensor = self._sensor[idx].copy()
        self.n_updates = self._n[idx].copy()
        self.state = TruthState(x, np.zeros((M, 6, 6)))

    def __len__(self) -> int:
        return self.id.shape[0]

    def _truth(self, t):
        idx = np.flatnonzero(self.ts.flying(t))
        pos, vel = self.threats.truth.state(t, idx)
        return idx, np.concatenate([np.reshape(pos, (-1, 3)), np.reshape(vel, (-1, 3))], axis=1)

    def step(self, t: float, sensor: int, z=None, R=None) -> None:
        """One scan of ``sensor`` at ``t``: every threat flying is updated with its exact state (``z``, ``R``
        are ignored)."""
        t = float(t)
        if t < self.time:
            raise ValueError(f"scan at t={t} is older than the previous scan ({self.time})")
        self.time = t
        idx, x = self._truth(t)
        self._last[idx] = t
        self._sensor[idx] = sensor
        self._n[idx] += 1
        self._set(idx, t, x)

    def _table(self, idx, x, t) -> TrackTable:
        M = idx.size
        last = np.where(np.isnan(self._last[idx]), self.threats.t_launch[idx], self._last[idx])
        return TrackTable(id=idx.astype(np.int64) + 1, x=x, P=np.zeros((M, 6, 6)), t=np.asarray(t, float),
                          n_updates=self._n[idx].copy(), last_update=last, status=np.ones(M, np.int8),
                          cls=self.threats.cls[idx].astype(np.int8), cls_conf=np.ones(M))

    def predict_confirmed(self, t: float) -> TrackTable:
        """Every threat flying at ``t``, at its exact state at ``t`` (module docstring)."""
        idx, x = self._truth(float(t))
        return self._table(idx, x, np.full(idx.size, float(t)))

    def confirmed(self) -> TrackTable:
        """The track file as of the last scan."""
        idx = self.id - 1
        return self._table(idx, self.state.x.copy(), self.t.copy())

    all_tracks = confirmed
