"""Noise jamming: the jamming equation, burn-through, and the jammers of a scenario.

Units: SI (W, Hz, m); gains and ratios linear.

A barrage noise jammer of power ``P_j``, antenna gain ``G_j`` toward the radar and noise bandwidth ``B_j``
at range ``R_j`` puts into a radar receiver of bandwidth ``B_r`` (radar antenna gain ``G_r`` toward the
jammer, wavelength ``lambda``) the power ``J = P_j G_j G_r lambda^2 min(1, B_r / B_j) / ((4 pi)^2 R_j^2)``
(one-way propagation; the radar receives only the part of the jamming spectrum inside its band). Against
the receiver noise ``N = k T0 F B_r`` this is the **jamming-to-noise ratio** :func:`jnr`; the radar model
adds it to the noise, ``SINR = SNR / (1 + CNR / I + JNR)``, and draws the detection with the fluctuation
model at that SINR (noise jamming is noise-like: Schleher, *Electronic Warfare in the Information Age*,
1999, ch. 3; Adamy, *EW 101*, 2001, ch. 9 "Jamming").

With the monostatic radar equation ``S = P_t G_t^2 lambda^2 sigma / ((4 pi)^3 R_t^4)`` the ratio is the
jamming equation (Skolnik, *Introduction to Radar Systems*, 3rd ed., 2001, the jamming equations of the
electronic counter-countermeasures chapter; Adamy 2001, ch. 9, in dB form
``J/S = ERP_j - ERP_r + 71 + 20 log R - 10 log sigma``):

* **self-screening** (the jammer on the target, ``R_j = R_t = R``, ``G_r = G_t``):
  ``J/S = 4 pi P_j G_j R^2 B_r / (P_t G_t sigma B_j)`` (:func:`js_self_screening`);
* **stand-off** (an escort at ``R_j``, seen by the radar's sidelobe or main beam ``G_r``):
  ``J/S = 4 pi P_j G_j G_r R_t^4 B_r / (P_t G_t^2 sigma R_j^2 B_j)`` (:func:`js_stand_off`).

**Burn-through** (self-screening): the signal grows as ``R^-4`` and the jamming as ``R^-2``, so below
``R_bt = sqrt(P_t G_t sigma B_j / (4 pi P_j G_j B_r (J/S)_req))`` the radar "burns through" (Adamy 2001,
ch. 9, burn-through range; :func:`burn_through_range`). With receiver noise included the detection
range under jamming solves ``SNR(R) / (1 + JNR(R)) = SNR_req``, i.e. with ``SNR = A / R^4`` and
``JNR = C / R^2``: ``R^2 = (-C + sqrt(C^2 + 4 A / SNR_req)) / 2`` (:func:`jammed_detection_range`).

The radar model never uses ``P_t``: the reference detection gives its ``SNR`` and the radar's wavelength,
gain, noise figure and bandwidth give ``JNR``; ``J/S = JNR / SNR``.

**Where a jammer is.** Carried by a threat (its truth position), escorting a raid's lead aircraft (a fixed
distance behind it along its track), fixed, or on an orbit: a stand-off jammer flies a racetrack at constant
speed (:class:`Racetrack`), its position a closed-form function of time, so every scan evaluates it at the
scan's time (no integration, no state).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from iadsim.frames import enu2ecef, enu_rotation, geodetic2ecef

__all__ = ["BOLTZMANN", "T0", "ActiveJammers", "JammerTable", "Racetrack", "burn_through_range",
           "jammed_detection_range", "jnr", "js_self_screening", "js_stand_off"]

#: Boltzmann's constant, J/K
BOLTZMANN = 1.380649e-23
#: the standard reference temperature of the noise figure, K
T0 = 290.0


@dataclass(frozen=True)
class ActiveJammers:
    """Jammers radiating at one instant: ``pos`` (J, 3) ECEF m, ``power`` (J,) W, ``gain`` (J,) linear,
    ``bandwidth`` (J,) Hz, ``index`` (J,) row in the :class:`JammerTable` (for the metrics)."""

    pos: np.ndarray
    power: np.ndarray
    gain: np.ndarray
    bandwidth: np.ndarray
    index: np.ndarray

    def __len__(self) -> int:
        return self.index.size


@dataclass(frozen=True)
class Racetrack:
    """A racetrack orbit flown at constant ``speed`` (m/s): two legs of length ``leg`` (m) parallel to
    ``heading`` (rad, clockwise from north: the first leg's direction), joined by half-turns of ``radius``
    (m), ``turn`` +1 to the right (clockwise seen from above) or -1 to the left, centred on the geodetic point
    ``(lat, lon)`` (rad) at height ``alt`` (m); at ``start`` (s) the aircraft begins the first leg.

    In the local east-north plane of the center, with ``u = (sin heading, cos heading)`` along the first leg,
    ``r = turn (cos heading, -sin heading)`` toward the turns' side, perimeter ``P = 2 L + 2 pi R`` and arc
    length ``s = speed (t - start) mod P``:

    * first leg, ``0 <= s < L``: ``-(L/2) u - R r + s u``;
    * first turn, ``theta = (s - L) / R`` in ``[0, pi)``: ``(L/2) u - R r cos(theta) + R u sin(theta)``;
    * second leg, ``s' = s - L - pi R`` in ``[0, L)``: ``(L/2) u + R r - s' u``;
    * second turn, ``theta = (s - 2 L - pi R) / R``: ``-(L/2) u + R r cos(theta) - R u sin(theta)``.

    The position is continuous with a continuous velocity of magnitude ``speed`` (the turns at angular rate
    ``speed / R``); ``L = 0`` is a circle. The plane is the center's tangent plane at ``alt`` (a flat-earth
    orbit: at a distance ``d`` from the center the height above the ellipsoid grows by about ``d^2 / (2 R_e)``,
    100 m at 36 km, negligible for jamming). This is the holding pattern of ICAO Doc 8168 (PANS-OPS) vol. I,
    part II, section 5 "holding procedures" (right turns standard), generalised to any leg and radius.
    """

    lat: float
    lon: float
    alt: float
    heading: float
    leg: float
    radius: float
    speed: float
    turn: int = 1
    start: float = 0.0

    @property
    def perimeter(self) -> float:
        return 2.0 * self.leg + 2.0 * np.pi * self.radius

    def enu(self, t) -> np.ndarray:
        """East-north-up offsets ``(..., 3)`` (m) from the center at height ``alt`` at times ``t`` (s)."""
        t = np.asarray(t, float)
        L, R = self.leg, self.radius
        u = np.array([np.sin(self.heading), np.cos(self.heading)])
        r = self.turn * np.array([np.cos(self.heading), -np.sin(self.heading)])
        s = np.mod(self.speed * (t - self.start), self.perimeter)[..., None]
        half = 0.5 * L * u
        leg1 = -half - R * r + s * u
        th1 = (s - L) / R
        turn1 = half - R * r * np.cos(th1) + R * u * np.sin(th1)
        leg2 = half + R * r - (s - L - np.pi * R) * u
        th2 = (s - 2.0 * L - np.pi * R) / R
        turn2 = -half + R * r * np.cos(th2) - R * u * np.sin(th2)
        en = np.where(s < L, leg1, np.where(s < L + np.pi * R, turn1, np.where(s < 2.0 * L + np.pi * R, leg2, turn2)))
        return np.concatenate([en, np.zeros(en.shape[:-1] + (1,))], axis=-1)

    @cached_property
    def _frame(self):
        return (np.asarray(geodetic2ecef(self.lat, self.lon, self.alt), float).reshape(3),
                enu_rotation(self.lat, self.lon))

    def ecef(self, t) -> np.ndarray:
        """ECEF position ``(..., 3)`` (m) at times ``t`` (s)."""
        origin, C = self._frame
        return enu2ecef(self.enu(t), origin, C)


@dataclass(frozen=True)
class JammerTable:
    """The jammers of one replication (arrays over ``J``): ``power`` (W), ``gain`` (linear, toward the
    radars), ``bandwidth`` (Hz); ``carrier`` (J,) the threat carrying each jammer (-1: fixed at ``ecef``
    (J, 3), or on its orbit); ``spec`` (J,) the declared jammer (scenario order); ``orbits`` ``(row,
    Racetrack)`` pairs of the jammers on an orbit; ``behind`` (J,) m, an escort's distance behind its
    carrier along the carrier's velocity (0: on the carrier). A jammer declared on a raid is carried by
    every threat of that raid; an escort flies with the raid's lead (its first launched threat, lowest
    index on a tie), ``p - behind v / |v|``, and jams while the lead flies (it leaves with it: a
    simplification, the escort is not a target)."""

    power: np.ndarray
    gain: np.ndarray
    bandwidth: np.ndarray
    carrier: np.ndarray
    ecef: np.ndarray
    spec: np.ndarray
    orbits: tuple[tuple[int, Racetrack], ...] = ()
    behind: np.ndarray | None = None

    def __len__(self) -> int:
        return self.spec.size

    @classmethod
    def build(cls, specs, threat_raid, t_launch=None) -> JammerTable:
        """From the compiled jammers (:class:`~iadsim.scenario.compiled.JammerSpec`), each threat's raid and,
        for escorts, each of the raids' own threats' launch time ``t_launch``."""
        rows = []
        threat_raid = np.asarray(threat_raid)
        for k, j in enumerate(specs):
            behind = 0.0
            if getattr(j, "escort", -1) >= 0:
                n = len(t_launch)
                own = np.flatnonzero(threat_raid[:n] == j.escort)
                carriers = own[np.argsort(np.asarray(t_launch)[own], kind="stable")[:1]] if own.size else own
                behind = float(j.behind)
            else:
                carriers = np.flatnonzero(threat_raid == j.raid) if j.raid >= 0 else np.array([-1])
            rows += [(j.power, j.gain, j.bandwidth, int(c), j.ecef, k, behind) for c in carriers]
        if not rows:
            return cls(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, int), np.zeros((0, 3)), np.zeros(0, int))
        p, g, b, c, e, k, behind = zip(*rows, strict=True)
        orbits = tuple((row, specs[kk].orbit) for row, kk in enumerate(k) if getattr(specs[kk], "orbit", None))
        return cls(np.array(p), np.array(g), np.array(b), np.array(c, int), np.array(e).reshape(-1, 3),
                   np.array(k, int), orbits, np.array(behind) if any(behind) else None)

    def at(self, t, flying, state) -> ActiveJammers:
        """The jammers radiating at ``t``: fixed ones, those on an orbit (at their position at ``t``), and
        those whose carrier flies (``flying`` (N,) bool); carriers' positions from ``state(t, idx) -> (pos,
        vel)``."""
        on = np.flatnonzero((self.carrier < 0) | flying[np.maximum(self.carrier, 0)])
        pos = self.ecef[on].copy()
        moving = self.carrier[on] >= 0
        if moving.any():
            p, v = state(t, self.carrier[on][moving])
            if self.behind is not None:
                back = self.behind[on][moving]
                p = p - back[:, None] * v / np.maximum(np.linalg.norm(v, axis=1), 1e-9)[:, None]
            pos[moving] = p
        for row, orbit in self.orbits:  # never carried, so always radiating: row ``row`` of ``on`` is in it
            pos[np.searchsorted(on, row)] = orbit.ecef(t)
        return ActiveJammers(pos=pos, power=self.power[on], gain=self.gain[on], bandwidth=self.bandwidth[on],
                             index=on)


def jnr(power, gain, bandwidth, radar_gain, wavelength, r_j, noise_figure, radar_bandwidth):
    """Jamming-to-noise ratio in the radar receiver (module docstring):
    ``P_j G_j G_r lambda^2 min(1, B_r / B_j) / ((4 pi)^2 R_j^2 k T0 F B_r)``."""
    r_j = np.asarray(r_j, float)
    frac = np.minimum(1.0, radar_bandwidth / np.asarray(bandwidth, float))
    j = np.asarray(power, float) * gain * radar_gain * wavelength ** 2 * frac / ((4 * np.pi) ** 2 * r_j * r_j)
    return j / (BOLTZMANN * T0 * noise_figure * radar_bandwidth)


def js_self_screening(power, gain, bandwidth, pt, gt, rcs, r, radar_bandwidth):
    """Self-screening jamming-to-signal ratio ``4 pi P_j G_j R^2 B_r / (P_t G_t sigma B_j)`` (B_j >= B_r)."""
    frac = np.minimum(1.0, radar_bandwidth / np.asarray(bandwidth, float))
    return 4 * np.pi * power * gain * np.asarray(r, float) ** 2 * frac / (pt * gt * rcs)


def js_stand_off(power, gain, bandwidth, radar_gain, pt, gt, rcs, r_t, r_j, radar_bandwidth):
    """Stand-off jamming-to-signal ratio ``4 pi P_j G_j G_r R_t^4 B_r / (P_t G_t^2 sigma R_j^2 B_j)``."""
    frac = np.minimum(1.0, radar_bandwidth / np.asarray(bandwidth, float))
    r_t = np.asarray(r_t, float)
    return 4 * np.pi * power * gain * radar_gain * r_t ** 4 * frac / (pt * gt * gt * rcs * np.asarray(r_j) ** 2)


def burn_through_range(power, gain, bandwidth, pt, gt, rcs, radar_bandwidth, js_required=1.0):
    """Self-screening burn-through range (m): where ``J/S`` falls to ``js_required`` (module docstring)."""
    frac = np.minimum(1.0, radar_bandwidth / np.asarray(bandwidth, float))
    return np.sqrt(pt * gt * rcs / (4 * np.pi * power * gain * frac * js_required))


def jammed_detection_range(a, c, snr_required):
    """Range (m) where ``SNR / (1 + JNR) = snr_required`` for ``SNR = a / R^4`` and ``JNR = c / R^2``."""
    return np.sqrt(0.5 * (-c + np.sqrt(c * c + 4.0 * a / snr_required)))
