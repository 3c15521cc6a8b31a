"""The objects of a replication as a component: their status, kills, and what arriving warheads do.

Status codes are those of :mod:`iadsim.status`. An object is flying from its launch (or release) until it
is intercepted or reaches the end of its flight (``Ev.IMPACT``). An object released by another (a spent
stage, a decoy, a stand-off weapon) is launched only if its parent was not intercepted before the release
(it is then ``CANCELLED``).

At the end of its flight:

* a warhead (the raids' own threats, except aircraft) is a leaker: it damages the assets about its impact
  point (:mod:`iadsim.threats.damage`) with its type's ``warhead``: the warhead works with probability
  ``p_damage`` (one draw from the replication's ``damage`` generator), and then adds the damage fraction
  ``D(r) (1 - hardness)`` to every asset at ground distance ``r``; an asset whose cumulative damage reaches
  its threshold is destroyed. A type without a ``warhead`` keeps the first-fidelity rule: it destroys the
  asset it was aimed at with probability ``p_damage (1 - hardness)``, wherever it lands;
* an aircraft that reaches the end of its route has egressed: a leaker that does no damage by itself;
* a decoy or a spent stage ends (``ENDED``) and does nothing.

Debris: when a warhead of a type with ``debris`` is intercepted below the debris ``max_altitude``, with the
debris ``probability`` a damaging part falls about the point the threat was flying to, scattered by a
circular normal of per-axis ``spread x intercept altitude``, and damages with a Carleton function of the
debris lethal radius (draws from the ``damage`` generator: one uniform, two normals). Debris damage is
reported separately (``debris`` events and the summary's ``debris`` counts).
"""

from __future__ import annotations

import numpy as np

from iadsim.frames import ecef2geodetic, enu_rotation
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.status import CANCELLED, ENDED, FLYING, INTERCEPTED, LEAKED
from iadsim.threats.damage import CARLETON, COOKIE_CUTTER, damage_fraction, ground_distance


def _up(lat, lon):
    """Local up (the ellipsoid normal) at geodetic ``lat, lon``: the third row of the ENU rotation."""
    return enu_rotation(lat, lon)[..., 2, :]


class ThreatState:
    """Status of every object of the raid realization ``threats`` (module docstring)."""

    def __init__(self, threats, assets, damage_rng, log, types=None):
        self.threats = threats
        self.assets = assets
        self.rng = damage_rng
        self.log = log
        self.types = types
        N = len(threats)
        self.status = np.zeros(N, np.int8)
        self._alive = None  # alive()'s arrays; every status change below clears it
        self.t_kill = np.full(N, np.nan)
        A = len(assets.names)
        self.asset_destroyed = np.zeros(A, bool)
        self.asset_hits = np.zeros(A, np.int64)
        self.asset_damage = np.zeros(A)
        self.debris_falls = 0
        self.debris_damage = np.zeros(A)
        self.impact_miss = np.full(N, np.nan)  # ground distance of a leaker's impact from its aimed asset
        self._up = _up(assets.lat, assets.lon)
        self._threshold = assets.damage_threshold
        self.aircraft = THREAT_CLASSES.index("aircraft")

    def alive(self) -> tuple[np.ndarray, np.ndarray]:
        """``(status == FLYING (N,), its indices)``, kept until a status changes (read-only arrays)."""
        if self._alive is None:
            mask = self.status == FLYING
            idx = np.flatnonzero(mask)
            mask.flags.writeable = idx.flags.writeable = False
            self._alive = (mask, idx)
        return self._alive

    def flying(self, t: float) -> np.ndarray:
        th = self.threats
        return (self.status == FLYING) & (th.t_launch <= t) & (t < th.t_end)

    def kill(self, j: int, t: float) -> None:
        self.status[j] = INTERCEPTED
        self._alive = None
        self.t_kill[j] = t
        spec = self._spec(j)
        deb = spec.debris if spec is not None else None
        if deb is not None and self._is_warhead(j):
            p, _ = self.threats.truth.state(t, np.array([j]))
            alt = float(np.ravel(ecef2geodetic(p)[2])[0])
            if alt < deb.max_altitude and self.rng.random() < deb.probability:
                self._debris(j, t, alt, deb)

    def on_launch(self, t, i) -> None:
        th = self.threats
        par = int(th.parent[i])
        if par >= 0 and self.status[par] in (INTERCEPTED, CANCELLED):
            self.status[i] = CANCELLED
            self._alive = None
            return
        self.status[i] = FLYING
        self._alive = None
        if par >= 0 and self._is_threat(i):  # a stand-off weapon leaves its aircraft
            self.log.event(t, "weapon_release", threat=i, asset=self._asset(i),
                           detail=f"{THREAT_CLASSES[th.cls[i]]} from threat {par}")
        elif par >= 0:
            self.log.event(t, "object_release", threat=i, asset=self._asset(i), detail=self._role(i))
        else:
            self.log.event(t, "threat_launch", threat=i, asset=self._asset(i), detail=THREAT_CLASSES[th.cls[i]])

    def on_impact(self, t, i) -> None:
        if self.status[i] != FLYING:
            return
        th = self.threats
        if not self._is_threat(i):
            self.status[i] = ENDED
            self._alive = None
            self.log.event(t, "object_end", threat=i, detail=self._role(i))
            return
        self.status[i] = LEAKED
        self._alive = None
        a = int(th.target[i])
        if a >= len(self.assets.names):  # aimed at a defense node: its effect is the C2 stage's (iadsim.c2)
            self.log.event(t, "leak", threat=i, detail="at a defense node")
            return
        self.asset_hits[a] += 1
        if th.cls[i] == self.aircraft:
            self.log.event(t, "leak", threat=i, asset=a, detail="aircraft egressed")
            return
        p_imp = th.truth.end_pos[i]
        self.impact_miss[i] = float(ground_distance(p_imp, self.assets.ecef[a:a + 1], self._up[a:a + 1])[0])
        spec = self._spec(i)
        wh = spec.warhead if spec is not None else None
        u = self.rng.random()
        if wh is None:
            # first fidelity: the aimed asset, by one draw against p_damage (1 - hardness)
            works = bool(u < th.p_damage[i] * (1.0 - self.assets.hardness[a]))
            f = np.zeros(len(self.assets.names))
            f[a] = float(works)
        else:
            works = bool(u < th.p_damage[i])
            kind = COOKIE_CUTTER if wh.damage_function == "cookie_cutter" else CARLETON
            r = ground_distance(p_imp, self.assets.ecef, self._up)
            f = damage_fraction(kind, wh.lethal_radius, r) * (1.0 - self.assets.hardness) * works
        if wh is None:
            detail = "damage roll failed" if not works else ("already destroyed" if self.asset_destroyed[a]
                                                             else "asset destroyed")
        else:
            detail = f"impact {self.impact_miss[i]:.0f} m from the aim asset" + ("" if works else ", warhead failed")
        self.log.event(t, "leak", threat=i, asset=a, detail=detail)
        self._apply(t, i, f, "asset_destroyed")

    # --- helpers -----------------------------------------------------------------------------------
    def _asset(self, i) -> int:
        """The aimed asset of threat ``i`` (-1 when it is aimed at a defense node, :mod:`iadsim.c2`)."""
        a = int(self.threats.target[i])
        return a if a < len(self.assets.names) else -1

    def _apply(self, t, i, f, kind):
        for b in np.flatnonzero(f > 0.0):
            self.asset_damage[b] = 1.0 - (1.0 - self.asset_damage[b]) * (1.0 - f[b])
            if not self.asset_destroyed[b] and self.asset_damage[b] >= self._threshold[b] - 1e-12:
                self.asset_destroyed[b] = True
                self.log.event(t, kind, threat=i, asset=int(b), detail=self.assets.names[b])

    def _debris(self, j, t, alt, deb):
        th = self.threats
        centre = th.truth.end_pos[j]
        lat, lon, _ = (float(np.ravel(x)[0]) for x in ecef2geodetic(centre[None, :]))
        east, north, _ = enu_rotation(lat, lon)
        d = self.rng.standard_normal(2) * deb.spread * alt
        p = centre + d[0] * east + d[1] * north
        r = ground_distance(p, self.assets.ecef, self._up)
        f = damage_fraction(CARLETON, deb.lethal_radius, r) * (1.0 - self.assets.hardness)
        self.debris_falls += 1
        self.debris_damage += f
        a = int(np.argmin(r))
        self.log.event(t, "debris", threat=j, asset=a, detail=f"falls {r[a]:.0f} m from {self.assets.names[a]}")
        self._apply(t, j, f, "asset_destroyed_by_debris")

    def _spec(self, i):
        if self.types is None:
            return None
        return self.types[int(self.threats.type_index[i])]

    def _is_threat(self, i) -> bool:
        th = self.threats
        return int(th.role[i]) == 0

    def _is_warhead(self, i) -> bool:
        return self._is_threat(i) and self.threats.cls[i] != self.aircraft

    def _role(self, i) -> str:
        from iadsim.threats.ballistic_raid import ROLE_NAMES

        return ROLE_NAMES[int(self.threats.role[i])]
