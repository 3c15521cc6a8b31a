r"""Damage by impact point: damage functions, their expected coverage, and cumulative asset damage.

A warhead landing at ground distance ``r`` from an asset inflicts the damage fraction ``D(r) (1 - H)``
(``H``: the asset's hardness), with one of two damage functions of lethal radius ``R``
(Przemieniecki, *Mathematical Methods in Defense Analyses*, 3rd ed., AIAA 2000, sect. 4.3; Washburn &
Kress, *Combat Modeling*, 2009, ch. 3):

* cookie-cutter: ``D(r) = 1`` for ``r <= R``, else 0;
* Carleton: ``D(r) = exp(-r^2 / R^2)`` (lethal area ``pi R^2``, the same as the cookie-cutter's).

For a point target and a circular-normal impact error of per-axis standard deviation ``sigma`` about it
(``CEP = 1.1774 sigma``) the expected damage (the single-shot kill probability of a point target) is in
closed form:

* cookie-cutter: ``E[D] = 1 - exp(-R^2 / (2 sigma^2))`` (the Rayleigh distribution's CDF);
* Carleton: ``E[D] = R^2 / (R^2 + 2 sigma^2)``.

Cumulative damage: an asset's damage ``d`` starts at 0; each arrival of fraction ``f`` makes it
``1 - (1 - d)(1 - f)`` (independent fractional damage, Przemieniecki sect. 4.4); the asset is destroyed
when ``d`` reaches its ``damage_threshold``. The warhead works with probability ``p_damage`` (its type's
reliability and fuzing: one draw per arrival).
"""

from __future__ import annotations

import numpy as np

COOKIE_CUTTER, CARLETON = 0, 1


def damage_fraction(kind: int, lethal_radius, r):
    """``D(r)`` of the damage function ``kind`` (module docstring), elementwise."""
    r = np.asarray(r, float)
    R = np.asarray(lethal_radius, float)
    if kind == COOKIE_CUTTER:
        return (r <= R).astype(float)
    return np.exp(-(r * r) / (R * R))


def expected_coverage(kind: int, lethal_radius: float, sigma: float) -> float:
    """Closed-form ``E[D]`` against a point target for a circular-normal error ``sigma`` per axis."""
    R2, s2 = lethal_radius * lethal_radius, sigma * sigma
    if s2 == 0.0:
        return 1.0
    if kind == COOKIE_CUTTER:
        return float(1.0 - np.exp(-R2 / (2.0 * s2)))
    return float(R2 / (R2 + 2.0 * s2))


def ground_distance(p, assets_ecef, assets_up):
    """Horizontal distance (m) from the point ``p (3,)`` to each asset: the ECEF offset less its component
    along each asset's local up (exact enough within tens of km)."""
    d = np.asarray(p, float)[None, :] - assets_ecef
    up = np.einsum("ij,ij->i", d, assets_up)
    return np.sqrt(np.maximum(np.einsum("ij,ij->i", d, d) - up * up, 0.0))
