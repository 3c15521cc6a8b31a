r"""Interceptor lethality: single-shot kill probability from the miss distance at closest approach.

An interceptor that reaches its closest point of approach to the threat at miss distance ``d`` (m, the
distance between the two in the miss plane, ``d >= 0``) kills it with probability

    Pk(d) = rho * nu * D(d),

where ``rho`` is the *reliability* (the interceptor functions, its fuze fires and its warhead or kill
vehicle works), ``nu`` the *vulnerability* of the threat class (the probability that a hit inside the lethal
region actually kills it) and ``D`` the *damage function*: the kill probability of a working weapon at miss
``d`` against a vulnerable target (Washburn & Kress 2009, ch. 2). Two damage functions are provided, with
integer codes so that a kind can be carried in a numpy array:

* ``HIT_TO_KILL = 0`` (``"hit_to_kill"``), the *cookie cutter* of radius ``r_hit``::

      D(d) = 1  if d <= r_hit,  else 0.

  A hit-to-kill vehicle has no warhead: it must strike the target body, so ``r_hit`` is an effective hit
  radius covering the body size and the aimpoint offset, and hit-to-kill needs sub-metre misses (Zarchan,
  *Tactical and Strategic Missile Guidance*, AIAA, on hit-to-kill miss-distance requirements).
* ``CARLETON = 1`` (``"carleton"``), the Carleton (diffuse Gaussian) damage function of lethal radius ``R_L``
  for a blast-fragmentation warhead, truncated at ``c = CARLETON_CUTOFF = 3`` lethal radii::

      D(d) = exp(-d^2 / R_L^2)  if d <= c R_L,  else 0.

  Its lethal area ``int_0^inf D(d) 2 pi d dd = pi R_L^2`` (untruncated) equals that of the cookie cutter of
  radius ``R_L``; the truncation removes the fraction ``exp(-c^2) = exp(-9) ~ 1.2e-4`` of it and gives the
  function a finite support ``d <= 3 R_L`` (with a jump of ``exp(-9)`` at its edge). The "Gaussian" damage
  function ``exp(-d^2 / (2 sigma_L^2))`` is the same function written with ``sigma_L = R_L / sqrt(2)``, so it
  is not provided separately (Washburn & Kress 2009, ch. 2).

A radius of 0 is the limit of both: ``D(0) = 1`` and ``D(d) = 0`` for ``d > 0``.

Expected damage under a circular-normal miss. When the miss vector in the miss plane is circular normal with
per-axis standard deviation ``sigma`` (m) about the target, the miss distance is Rayleigh(``sigma``),
``f(d) = d / sigma^2 exp(-d^2 / (2 sigma^2))``, and ``E[D] = int_0^inf D(d) f(d) dd`` has closed forms
(Washburn & Kress 2009, ch. 2; Driels, *Weaponeering: Conventional Weapon System Effectiveness*, AIAA 2004,
for the circular-normal delivery error):

* cookie cutter: ``E[D] = 1 - exp(-R^2 / (2 sigma^2))``;
* Carleton, untruncated: ``E[D] = R_L^2 / (R_L^2 + 2 sigma^2)``;
* Carleton truncated at ``c R_L`` (what ``damage_function`` evaluates): with ``a = 1/R_L^2 + 1/(2 sigma^2)``,
  ``E[D] = int_0^{c R_L} d / sigma^2 exp(-a d^2) dd = (1 - exp(-a c^2 R_L^2)) / (2 a sigma^2)``, i.e.::

      E[D] = R_L^2 / (R_L^2 + 2 sigma^2) * (1 - exp(-c^2 (1 + R_L^2 / (2 sigma^2)))).

``sigma = 0`` (no error) gives ``D(0) = 1`` for every radius ``>= 0``.

Salvo. ``n`` independent shots with single-shot kill probabilities ``p_i`` kill with probability
``1 - prod_i (1 - p_i)`` (Washburn & Kress 2009, ch. 2; the same rule as ``flyout.salvo_pk`` for identical
shots).

Units: metres for every distance; probabilities are dimensionless in ``[0, 1]``. Every function broadcasts
its array arguments together with numpy rules and returns a float array of the broadcast shape (a 0-d array
for scalar inputs).

References
----------
* A. Washburn, M. Kress, *Combat Modeling*, Springer 2009, ch. 2 (damage functions: cookie cutter,
  Carleton / diffuse Gaussian; circular-normal expectations; independent shots).
* M. R. Driels, *Weaponeering: Conventional Weapon System Effectiveness*, AIAA Education Series 2004.
* P. Zarchan, *Tactical and Strategic Missile Guidance*, AIAA Progress in Astronautics and Aeronautics.
"""

from __future__ import annotations

import numpy as np

#: Damage-function kinds; a kind's integer code is its index in this tuple.
KINDS = ("hit_to_kill", "carleton")
HIT_TO_KILL = 0
CARLETON = 1

#: Support of the truncated Carleton damage function, in lethal radii: ``D(d) = 0`` for ``d > 3 R_L``.
CARLETON_CUTOFF = 3.0


def kind_code_of(kind: str) -> int:
    """Integer code of a damage-function kind name (``"hit_to_kill"`` -> 0, ``"carleton"`` -> 1)."""
    try:
        return KINDS.index(kind)
    except ValueError:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}") from None


def _kind(kind_code) -> np.ndarray:
    k = np.asarray(kind_code)
    if k.dtype.kind not in "iuf":
        raise TypeError(f"kind_code must be an integer code {tuple(range(len(KINDS)))} (see kind_code_of), "
                        f"got dtype {k.dtype}")
    if not np.isin(k, (HIT_TO_KILL, CARLETON)).all():
        raise ValueError(f"kind_code must be {HIT_TO_KILL} (hit_to_kill) or {CARLETON} (carleton), got {k}")
    return k


def _nonneg(name: str, x, allow_inf: bool = False) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    ok = x >= 0 if allow_inf else (x >= 0) & np.isfinite(x)
    if not ok.all():
        bound = "in [0, inf]" if allow_inf else "finite and >= 0"
        raise ValueError(f"{name} must be {bound} (m), got {x}")
    return x


def _prob(name: str, p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if not ((p >= 0) & (p <= 1)).all():
        raise ValueError(f"{name} must be a probability in [0, 1], got {p}")
    return p


def damage_function(kind_code, miss, radius) -> np.ndarray:
    """Kill probability ``D(d)`` of a working interceptor at miss distance ``miss`` (module docstring).

    ``kind_code``: ``HIT_TO_KILL`` or ``CARLETON`` (scalar or integer array); ``miss``: miss distance ``d``
    (m, ``>= 0``; ``inf`` for "never came close", giving 0); ``radius``: the hit radius ``r_hit`` (hit to
    kill) or the lethal radius ``R_L`` (Carleton), m, finite and ``>= 0``. The three broadcast together.

    * hit to kill: ``D = 1 if d <= r_hit else 0``;
    * Carleton: ``D = exp(-d^2 / R_L^2) if d <= 3 R_L else 0``.

    Raises ``ValueError`` for an unknown code, a negative or NaN miss, or a negative or non-finite radius.
    """
    k = _kind(kind_code)
    d = _nonneg("miss", miss, allow_inf=True)
    r = _nonneg("radius", radius)
    shape = np.broadcast_shapes(k.shape, d.shape, r.shape)
    d, r = np.broadcast_to(d, shape), np.broadcast_to(r, shape)
    u = np.divide(d, r, out=np.zeros(shape), where=r > 0)  # r = 0: only d = 0 is inside the support
    carleton = np.where(d <= CARLETON_CUTOFF * r, np.exp(-u * u), 0.0)
    htk = (d <= r).astype(float)
    return np.where(k == HIT_TO_KILL, htk, carleton)


def support_radius(kind_code, radius) -> np.ndarray:
    """Largest miss distance (m) with nonzero damage: ``r_hit`` (hit to kill) or ``3 R_L`` (Carleton).

    ``kind_code`` and ``radius`` (m, finite, ``>= 0``) broadcast together. A miss beyond this radius can be
    scored as a certain survival without evaluating the damage function.
    """
    k = _kind(kind_code)
    r = _nonneg("radius", radius)
    return np.where(k == HIT_TO_KILL, r, CARLETON_CUTOFF * r)


def single_shot_pk(kind_code, miss, radius, reliability, vulnerability) -> np.ndarray:
    """Single-shot kill probability ``rho * nu * D(miss)`` (module docstring).

    ``reliability`` ``rho``: probability the interceptor functions, fuzes and its warhead/kill vehicle works;
    ``vulnerability`` ``nu``: probability that a hit inside the lethal region kills this threat class; both
    in ``[0, 1]``. All five arguments broadcast together; ``miss`` and ``radius`` as in
    ``damage_function``.
    """
    rho = _prob("reliability", reliability)
    nu = _prob("vulnerability", vulnerability)
    return rho * nu * damage_function(kind_code, miss, radius)


def expected_pk_circular_normal(kind_code, radius, sigma) -> np.ndarray:
    """Expected damage ``E[D(d)]`` for a circular-normal miss vector (Rayleigh miss distance).

    ``sigma``: per-axis standard deviation (m, finite, ``>= 0``) of the two-dimensional miss vector in the
    miss plane, centred on the target, so ``d ~ Rayleigh(sigma)``; ``radius`` as in ``damage_function``.
    With ``R`` the radius and ``t = R^2 / (2 sigma^2)``:

    * hit to kill (cookie cutter): ``1 - exp(-t)``;
    * Carleton truncated at ``3 R_L``: ``R_L^2 / (R_L^2 + 2 sigma^2) * (1 - exp(-9 (1 + t)))`` (the
      untruncated ``R_L^2 / (R_L^2 + 2 sigma^2)`` times the Rayleigh-weighted fraction inside the support).

    ``sigma = 0`` gives ``D(0) = 1``. Multiply by reliability and vulnerability for the expected single-shot
    kill probability. Derivation and sources in the module docstring.
    """
    k = _kind(kind_code)
    r = _nonneg("radius", radius)
    s = _nonneg("sigma", sigma)
    shape = np.broadcast_shapes(k.shape, r.shape, s.shape)
    r2, s2 = np.broadcast_to(r * r, shape), np.broadcast_to(2.0 * s * s, shape)
    t = np.divide(r2, s2, out=np.full(shape, np.inf), where=s2 > 0)  # sigma = 0: t = inf
    htk = -np.expm1(-t)
    frac = np.divide(r2, r2 + s2, out=np.ones(shape), where=(r2 + s2) > 0)  # R = sigma = 0: D(0) = 1
    carleton = frac * -np.expm1(-CARLETON_CUTOFF**2 * (1.0 + t))
    return np.where(k == HIT_TO_KILL, htk, carleton)


def salvo_kill_probability(pk) -> np.ndarray:
    """Kill probability of independent shots: ``1 - prod_i (1 - pk_i)`` over the last axis of ``pk``.

    ``pk (..., n)``: single-shot kill probabilities in ``[0, 1]``; returns ``(...)``. A scalar is one shot; an
    empty last axis (no shots) gives 0. Evaluated as ``-expm1(sum log1p(-pk))`` so that salvos of small
    ``pk`` keep full relative precision.
    """
    p = np.atleast_1d(_prob("pk", pk))
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf: a certain kill
        return -np.expm1(np.sum(np.log1p(-p), axis=-1))
