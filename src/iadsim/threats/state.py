"""The threats of a replication as a component: their status, kills, and what leakers do on arrival.

Status codes are those of :mod:`iadsim.status`. A threat is flying from its launch until it is intercepted
or reaches the end of its flight (``Ev.IMPACT``); a threat still flying then is a leaker. Damage (first
fidelity, kept until threats damage by impact point): a leaker reaching its aimed asset destroys it with
probability ``p_damage (1 - hardness)``, one draw from the replication's ``damage`` generator per leaker.
"""

from __future__ import annotations

import numpy as np

from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.status import FLYING, INTERCEPTED, LEAKED


class ThreatState:
    """Status of every threat of the raid realization ``threats`` (module docstring)."""

    def __init__(self, threats, assets, damage_rng, log):
        self.threats = threats
        self.assets = assets
        self.rng = damage_rng
        self.log = log
        N = len(threats)
        self.status = np.zeros(N, np.int8)
        self.t_kill = np.full(N, np.nan)
        self.asset_destroyed = np.zeros(len(assets.names), bool)
        self.asset_hits = np.zeros(len(assets.names), np.int64)

    def flying(self, t: float) -> np.ndarray:
        th = self.threats
        return (self.status == FLYING) & (th.t_launch <= t) & (t < th.t_end)

    def kill(self, j: int, t: float) -> None:
        self.status[j] = INTERCEPTED
        self.t_kill[j] = t

    def on_launch(self, t, i) -> None:
        self.status[i] = FLYING
        self.log.event(t, "threat_launch", threat=i, asset=self.threats.target[i],
                       detail=THREAT_CLASSES[self.threats.cls[i]])

    def on_impact(self, t, i) -> None:
        if self.status[i] != FLYING:
            return
        th = self.threats
        self.status[i] = LEAKED
        a = int(th.target[i])
        self.asset_hits[a] += 1
        p = th.p_damage[i] * (1.0 - self.assets.hardness[a])
        destroyed = bool(self.rng.random() < p)
        if not destroyed:
            detail = "damage roll failed"
        elif self.asset_destroyed[a]:
            detail = "already destroyed"
        else:
            detail = "asset destroyed"
        self.log.event(t, "leak", threat=i, asset=a, detail=detail)
        if destroyed and not self.asset_destroyed[a]:
            self.asset_destroyed[a] = True
            self.log.event(t, "asset_destroyed", threat=i, asset=a, detail=self.assets.names[a])
