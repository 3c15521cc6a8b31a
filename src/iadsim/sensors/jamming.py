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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BOLTZMANN", "T0", "ActiveJammers", "JammerTable", "burn_through_range", "jammed_detection_range", "jnr",
           "js_self_screening", "js_stand_off"]

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
class JammerTable:
    """The jammers of one replication (arrays over ``J``): ``power`` (W), ``gain`` (linear, toward the
    radars), ``bandwidth`` (Hz); ``carrier`` (J,) the threat carrying each jammer (-1: fixed at ``ecef``
    (J, 3)); ``spec`` (J,) the declared jammer (scenario order). A jammer declared on a raid is carried by
    every threat of that raid."""

    power: np.ndarray
    gain: np.ndarray
    bandwidth: np.ndarray
    carrier: np.ndarray
    ecef: np.ndarray
    spec: np.ndarray

    def __len__(self) -> int:
        return self.spec.size

    @classmethod
    def build(cls, specs, threat_raid) -> JammerTable:
        """From the compiled jammers (:class:`~iadsim.scenario.compiled.JammerSpec`) and each threat's raid."""
        rows = []
        for k, j in enumerate(specs):
            carriers = np.flatnonzero(np.asarray(threat_raid) == j.raid) if j.raid >= 0 else np.array([-1])
            rows += [(j.power, j.gain, j.bandwidth, int(c), j.ecef, k) for c in carriers]
        if not rows:
            return cls(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, int), np.zeros((0, 3)), np.zeros(0, int))
        p, g, b, c, e, k = zip(*rows, strict=True)
        return cls(np.array(p), np.array(g), np.array(b), np.array(c, int), np.array(e).reshape(-1, 3),
                   np.array(k, int))

    def at(self, t, flying, state) -> ActiveJammers:
        """The jammers radiating at ``t``: fixed ones, and those whose carrier flies (``flying`` (N,) bool);
        carriers' positions from ``state(t, idx) -> (pos, vel)``."""
        on = np.flatnonzero((self.carrier < 0) | flying[np.maximum(self.carrier, 0)])
        pos = self.ecef[on].copy()
        moving = self.carrier[on] >= 0
        if moving.any():
            pos[moving] = state(t, self.carrier[on][moving])[0]
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
