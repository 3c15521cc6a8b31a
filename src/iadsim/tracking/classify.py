r"""Kinematic classification of tracks into ``("ballistic", "cruise", "drone", "aircraft")``.

Features, from the track estimate ``x (M, >=6)`` in the tracker frame (:mod:`iadsim.tracking.motion`):

* speed ``V = |v|`` (m/s);
* altitude ``h`` (m): :func:`iadsim.tracking.motion.altitude` (WGS-84 in ECEF, ``alt0 + z`` in ENU);
* climb rate ``c = v . u`` (m/s), ``u`` the local up;
* optionally the IMM probability ``mu_b`` of a mode named ``"ballistic"`` (``mu``, ``model_names``).

Each class ``k`` has a membership ``m_k`` = product over features of a smooth box
``B(f; lo, hi, w) = s((f - lo)/w) (1 - s((f - hi)/w))``, ``s`` the logistic function, floored at
``eps = 0.01`` so that a single feature cannot veto a class (``m = eps + (1 - eps) B``). Membership boxes
(lower edge, upper edge, edge width):

============  ============================  ==========================  =====================
class         speed V (m/s)                 altitude h (m)              climb |c| (m/s)
============  ============================  ==========================  =====================
ballistic     900 .. inf        (w 150)     any                         any
cruise        150 .. 1100       (w 30)      -inf .. 2000    (w 250)     0 .. 60   (w 15)
drone         -inf .. 70        (w 8)       -inf .. 5500    (w 400)     0 .. 25   (w 5)
aircraft      60 .. 750         (w 25)      300 .. 20000    (w 250)     any
============  ============================  ==========================  =====================

Sources for the boxes (open literature):

* ballistic: the minimum-energy burnout speed ``v^2 = (2 GM / R) sin(theta/2) / (1 + sin(theta/2))``
  (range angle ``theta``; e.g. Wilkening, "A simple model for calculating ballistic missile defense
  effectiveness", Science & Global Security 8(2), 1999; Zarchan, *Tactical and Strategic Missile
  Guidance*) is 1.7 km/s for 300 km and 2.4 km/s for 600 km range, and re-entry speeds are of the same
  order, while no air-breathing threat of interest exceeds ~1000 m/s; hence ``V > 1200 m/s`` is
  unambiguously ballistic and 900 m/s the soft lower edge;
* cruise: subsonic land-attack/anti-ship cruise missiles fly at Mach 0.6-0.9 (200-300 m/s) at 15-150 m
  terrain- or sea-skimming altitudes, supersonic ones up to Mach ~3 (~1000 m/s) low over the sea (CSIS
  Missile Defense Project, "Missile Threat" fact sheets: Tomahawk, Kh-101, P-800, BrahMos); high-altitude
  supersonic cruise missiles (e.g. Kh-22 at 20+ km) are not separable kinematically and score ballistic
  or aircraft;
* drone: US DoD UAS groups (Unmanned Aircraft System Airspace Integration Plan, 2011): group 1 below
  100 kt (51 m/s) and 1,200 ft AGL, group 2 below 250 kt and 3,500 ft, group 3 below FL180 (5.5 km);
  one-way attack drones fly at ~50 m/s (CSIS, Shahed-136). The 70 m/s edge captures group 1 and the
  slow attack drones; faster group 2-3 UAS are kinematically light aircraft and score ``aircraft``;
* aircraft: airliners cruise at ~240 m/s at 10-12 km, fighters at 150-600 m/s from low level up to
  ~15 km (Mach 2 at altitude), propeller transports and helicopters from ~60 m/s.

Uncertainty: with ``P`` the feature standard deviations ``sigma_f`` (first order: ``sigma_V^2 = e^T P_vv e``,
``e = v/|v|``; ``sigma_h^2 = u^T P_pp u``; ``sigma_c^2 = u^T P_vv u``) widen each logistic edge to
``w' = sqrt(w^2 + (sigma_f / 1.7)^2)``, the probit approximation of the expected membership of a Gaussian
feature (``s(t) ~ Phi(t / 1.7)``, so ``E[s((f - a)/w)] ~ s((f_hat - a)/w')``). An uncertain track therefore
gets a lower confidence.

IMM evidence: if a ``"ballistic"`` mode probability ``mu_b`` is given, the memberships are multiplied by
``mu_b`` (ballistic) and ``1 - mu_b`` (all others), both floored at ``eps`` - a dominating ballistic-mode
probability therefore makes the track ballistic even below 900 m/s.

Output: ``cls`` (index into :data:`CLASSES`, int8) = arg max of the memberships, and ``conf`` = its
normalized membership ``m_cls / sum_k m_k`` in ``[1/4, 1]``. This is a transparent rule-based score in the
form of a naive Bayes posterior with equal priors, not a calibrated probability.
"""

from __future__ import annotations

import numpy as np

from iadsim.tracking.motion import _check_frame, altitude, up

CLASSES = ("ballistic", "cruise", "drone", "aircraft")
BALLISTIC, CRUISE, DRONE, AIRCRAFT = range(4)
EPS = 0.01
_PROBIT = 1.7

# (lo, hi, w) per class and feature; None = feature not used by the class
_BOXES = {
    "speed": [(900.0, np.inf, 150.0), (150.0, 1100.0, 30.0), (-np.inf, 70.0, 8.0), (60.0, 750.0, 25.0)],
    "alt": [None, (-np.inf, 2000.0, 250.0), (-np.inf, 5500.0, 400.0), (300.0, 20000.0, 250.0)],
    "climb": [None, (-np.inf, 60.0, 15.0), (-np.inf, 25.0, 5.0), None],
}


def _logistic(t):
    return 0.5 * (1.0 + np.tanh(0.5 * t))


def _box(f, sigma, lo, hi, w):
    """Smooth box membership ``s((f-lo)/w') (1 - s((f-hi)/w'))`` with ``w' = sqrt(w^2 + (sigma/1.7)^2)``."""
    wp = np.sqrt(w * w + (sigma / _PROBIT) ** 2)
    m = np.ones_like(f)
    if np.isfinite(lo):
        m = m * _logistic((f - lo) / wp)
    if np.isfinite(hi):
        m = m * (1.0 - _logistic((f - hi) / wp))
    return m


def features(x, P=None, frame: str = "ecef", alt0: float = 0.0):
    """Speed, altitude, |climb rate| ``(M,)`` each, and their standard deviations (zeros if ``P`` is None)."""
    _check_frame(frame)
    x = np.asarray(x, dtype=float)
    p, v = x[:, 0:3], x[:, 3:6]
    u = up(p, frame)
    speed = np.linalg.norm(v, axis=1)
    alt = altitude(p, frame, alt0)
    climb = np.sum(v * u, axis=1)
    if P is None:
        z = np.zeros_like(speed)
        return (speed, alt, np.abs(climb)), (z, z, z)
    P = np.asarray(P, dtype=float)
    e = v / np.maximum(speed, 1e-9)[:, None]
    Ppp, Pvv = P[:, 0:3, 0:3], P[:, 3:6, 3:6]
    s_speed = np.sqrt(np.maximum(np.einsum("mi,mij,mj->m", e, Pvv, e), 0.0))
    s_alt = np.sqrt(np.maximum(np.einsum("mi,mij,mj->m", u, Ppp, u), 0.0))
    s_climb = np.sqrt(np.maximum(np.einsum("mi,mij,mj->m", u, Pvv, u), 0.0))
    return (speed, alt, np.abs(climb)), (s_speed, s_alt, s_climb)


def memberships(x, P=None, frame: str = "ecef", mu=None, model_names=None, alt0: float = 0.0):
    """Class memberships ``(M, 4)`` (unnormalized, each in ``(0, 1]``); see the module docstring."""
    (speed, alt, climb), sig = features(x, P, frame, alt0)
    M = speed.shape[0]
    m = np.ones((M, len(CLASSES)))
    for (fname, f), s in zip((("speed", speed), ("alt", alt), ("climb", climb)), sig, strict=True):
        for k, box in enumerate(_BOXES[fname]):
            if box is not None:
                m[:, k] *= EPS + (1.0 - EPS) * _box(f, s, *box)
    if mu is not None:
        if model_names is None:
            raise ValueError("classify: model_names is required with mu")
        names = tuple(model_names)
        if "ballistic" in names:
            mu_b = np.asarray(mu, dtype=float)[:, names.index("ballistic")]
            m[:, BALLISTIC] *= EPS + (1.0 - EPS) * mu_b
            m[:, 1:] *= (EPS + (1.0 - EPS) * (1.0 - mu_b))[:, None]
    return m


def classify(x, P=None, frame: str = "ecef", mu=None, model_names=None, alt0: float = 0.0):
    """Kinematic class and confidence of ``M`` tracks.

    Parameters
    ----------
    x : (M, >=6) states (position, velocity first) in the tracker frame; P : (M, >=6, >=6) or None.
    frame : ``"ecef"`` or ``"enu"``; alt0 : altitude of the ENU origin above the ellipsoid (m).
    mu : optional (M, r) IMM mode probabilities; model_names : the r mode names (e.g. ``IMM.model_names``).

    Returns
    -------
    cls : (M,) int8 index into :data:`CLASSES`; conf : (M,) float in [0.25, 1].
    """
    x = np.asarray(x, dtype=float)
    if x.shape[0] == 0:
        return np.zeros(0, dtype=np.int8), np.zeros(0)
    m = memberships(x, P, frame, mu, model_names, alt0)
    post = m / m.sum(axis=1, keepdims=True)
    cls = np.argmax(post, axis=1)
    return cls.astype(np.int8), post[np.arange(x.shape[0]), cls]
