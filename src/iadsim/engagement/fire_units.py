"""Fire units as one array-state component: launcher rounds, reserve, fire channels, reloads.

A fire unit has ``launchers`` launchers of ``missiles_per_launcher`` ready rounds, a ``reserve`` of reload
rounds and ``fire_channels`` simultaneous engagements it can guide. A salvo takes its rounds from the
fullest launchers first; a launcher emptied while reserve remains is refilled ``reload_time`` after the
salvo's launch (an ``Ev.RELOAD`` event). A channel is held from the launch order until the engagement's
last interceptor ends. Invariant (tested): fired + ready + reserve = the unit's initial rounds, none negative.

Channels drawn on a radar's time budget (``radar_channels``): units whose fire-control radar has a time
budget share the engagements it can guide (:func:`iadsim.sensors.scheduler.engagement_channels`); the
headroom ``limit - busy`` of each radar is handed to its units in unit order, so the units of one radar
together never start more engagements than it can guide.
"""

from __future__ import annotations

import numpy as np

from iadsim.engine.events import Ev


class FireUnits:
    """State of every fire unit of a replication (module docstring); ``salvo (F,)`` rounds per engagement."""

    def __init__(self, table, salvo, queue, log, radar_channels=None):
        self.table = table
        #: ``(group (F,), limit (G,))``: each unit's budgeted radar (-1: none) and the channels each can guide
        self.radar_channels = radar_channels
        self.salvo = np.asarray(salvo, np.int64)
        self.queue = queue
        self.log = log
        F = len(table)
        self.launcher_rounds = [np.full(int(table.launchers[f]), int(table.missiles_per_launcher[f]))
                                for f in range(F)]
        self.reserve = table.reserve.copy()
        self.channels_busy = np.zeros(F, np.int64)
        self.reloading = [set() for _ in range(F)]
        self.fired = np.zeros(F, np.int64)

    def __len__(self) -> int:
        return len(self.table)

    def ready(self) -> np.ndarray:
        """Ready rounds per unit ``(F,)``."""
        return np.array([int(r.sum()) for r in self.launcher_rounds], dtype=np.int64)

    def shots(self) -> np.ndarray:
        """Engagements each unit can start now: free channels and ready rounds for a salvo."""
        free = self.table.fire_channels - self.channels_busy
        can = np.maximum(np.minimum(free, self.ready() // self.salvo), 0)
        if self.radar_channels is not None:
            group, limit = self.radar_channels
            on = group >= 0
            busy = np.bincount(group[on], weights=self.channels_busy[on], minlength=limit.size)
            left = limit - busy.astype(np.int64)
            for f in np.flatnonzero(on):  # a few units per radar
                can[f] = max(min(can[f], left[group[f]]), 0)
                left[group[f]] -= can[f]
        return can

    def rounds(self) -> np.ndarray:
        """Ready plus reserve rounds per unit."""
        return self.ready() + self.reserve

    def expend(self, f: int, n: int, t_launch: float) -> None:
        """Take ``n`` rounds of unit ``f`` for a salvo launched at ``t_launch`` and hold one channel."""
        rounds = self.launcher_rounds[f]
        need = n
        for li in np.argsort(-rounds, kind="stable"):  # fullest launchers first (a few per unit)
            take = min(need, int(rounds[li]))
            rounds[li] -= take
            need -= take
            if rounds[li] == 0 and self.reserve[f] > 0 and li not in self.reloading[f]:
                self.reloading[f].add(int(li))
                self.queue.push(t_launch + self.table.reload_time[f], Ev.RELOAD, (f, int(li)))
            if need == 0:
                break
        self.channels_busy[f] += 1
        self.fired[f] += n

    def release(self, f: int) -> None:
        self.channels_busy[f] -= 1

    def on_reload(self, t, payload) -> None:
        """``Ev.RELOAD`` handler: refill launcher ``li`` of unit ``f`` from the reserve."""
        f, li = payload
        self.reloading[f].discard(li)
        per = int(self.table.missiles_per_launcher[f])
        add = int(min(per - self.launcher_rounds[f][li], self.reserve[f]))
        self.launcher_rounds[f][li] += add
        self.reserve[f] -= add
        self.log.event(t, "reload", fire_unit=f, detail=f"launcher {li}: +{add}")
