"""Terrain following: the lowest altitude profile over the ground that respects a clearance and climb/dive limits.

Model
-----
A terrain-following threat flies its ground track at a set clearance ``h_c`` above the ground
``e(s)`` (the scenario's terrain grid, :class:`iadsim.terrain.Terrain`; 0 m, sea level, over the sea and
without a ``terrain`` section), where ``s`` is the ground arc length along the track.  It cannot climb
steeper than ``gamma_c`` or dive steeper than ``gamma_d`` (flight-path angles), so it must start climbing
before a ridge and comes down after it more slowly than the ground falls away.  The commanded altitude is
the *lowest* such profile (classic look-ahead terrain following: the "optimal path" of Funk,
"Optimal-path precision terrain-following system", *J. Aircraft* 14(2), 1977, with the path constraints
reduced to flight-path-angle limits; set clearances of 30-100 m for cruise missiles, CSIS *Missile Threat*,
as in the catalog's ``cruise_missile``)::

    h(s) = min { z(s) :  z >= f = e + h_c  everywhere,   -tan gamma_d <= dz/ds <= tan gamma_c }

whose closed form is the max-plus envelope ("rolling" a cone of half-slopes ``tan gamma_c`` ahead and
``tan gamma_d`` behind over the floor ``f``; the smallest Lipschitz majorant of McShane, "Extension of range
of functions", *Bull. AMS* 40, 1934, with the asymmetric slope bound; in mathematical morphology the dilation
of ``f`` by that cone, Serra, *Image Analysis and Mathematical Morphology*, 1982)::

    h(s) = max_{s'}  f(s') - k(s - s'),     k(d) = d tan gamma_d (d >= 0, floor behind),  -d tan gamma_c (d < 0, ahead)

Each term is a cone under which ``z`` may not pass, so ``h`` is feasible and nothing lower is; its slopes
are within the limits because each cone's are.  On the samples ``s_0 <= s_1 <= ...`` of a path it is two
sequential passes, each a running maximum (``a = tan gamma_d``, ``b = tan gamma_c``)::

    forward  (limits the dive):   F_i = max(f_i, F_{i-1} - a (s_i - s_{i-1}))  =  cummax_{j<=i}(f_j + a s_j) - a s_i
    backward (starts the climb):  h_i = max(F_i, h_{i+1} - b (s_{i+1} - s_i)) =  cummax_{j>=i}(F_j - b s_j) + b s_i

(the backward pass over ``F`` picks, for ``j < i``, the term ``f_j - a (s_i - s_j)`` at ``j = i`` and, for
``j > i``, ``f_j - b (s_j - s_i)``: exactly the envelope).  Both passes are ``numpy.maximum.accumulate``
along the samples of all paths of a raid at once.  Over flat ground the envelope is ``h = e + h_c``
exactly; ahead of a ridge of crest height ``H`` whose sides are steeper than ``gamma_c``, flown at
``h_0`` before it, the climb starts ``(H + h_c - h_0) / tan gamma_c`` before the crest.

Between path samples the altitude is linear (:mod:`iadsim.threats.airbreathing`) while the bilinear
ground has kinks at the grid lines, so a terrain-following leg is sampled at a quarter of the grid spacing
(:data:`SAMPLE_FRACTION`; at most :data:`MAX_LEG_SAMPLES` samples per leg) and each sample's floor is the
highest of the ground at the sample and halfway to its neighbours: a kink of the ground (a jump ``kappa`` of
its slope along the track) between two samples ``ds`` apart can then rise above the straight chord by at
most about ``kappa ds / 8`` (``kappa ds / 4`` with the samples' ground alone), e.g. a few metres at a sharp
crest of 0.3 slope on each side on a 600 m grid, none on a ridge aligned with the samples. The model has no
normal-load limit: the pull-up at the foot of a climb and the push-over at a crest are instantaneous
changes of flight-path angle (a minimum pull-up radius ``V^2 / ((n - 1) g)`` would round them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Following", "follow_envelope", "SAMPLE_FRACTION"]

#: a terrain-following leg is sampled at this fraction of the terrain grid spacing
SAMPLE_FRACTION = 0.25
#: never sample a terrain-following leg finer than this (m)
MIN_SAMPLE = 10.0
#: at most this many samples on one terrain-following leg (a 1000 km leg at 244 m): bounds the memory
MAX_LEG_SAMPLES = 4096


def follow_envelope(s, floor, tan_climb, tan_dive) -> np.ndarray:
    """The lowest profile at or above ``floor`` with slopes within ``[-tan_dive, tan_climb]`` (module docstring).

    Parameters
    ----------
    s : (N, K) ground arc length (m), non-decreasing along each row.
    floor : (N, K) lowest allowed altitude (m) at each sample; ``-inf`` where unconstrained.
    tan_climb, tan_dive : scalars or (N,), tangents of the largest climb and dive flight-path angles (> 0).

    Returns
    -------
    (N, K) altitude (m); ``-inf`` only on rows with no constraint at all.
    """
    s = np.atleast_2d(np.asarray(s, float))
    f = np.atleast_2d(np.asarray(floor, float))
    b = np.broadcast_to(np.asarray(tan_climb, float), (s.shape[0],))[:, None]
    a = np.broadcast_to(np.asarray(tan_dive, float), (s.shape[0],))[:, None]
    # measure s from each row's start so that a s stays small (round-off ~ 1e-16 a s)
    s = s - s[:, :1]
    fwd = np.maximum.accumulate(f + a * s, axis=1) - a * s
    h = np.maximum.accumulate((fwd - b * s)[:, ::-1], axis=1)[:, ::-1] + b * s
    # where the envelope is the floor itself, the shifts by a s and b s leave a round-off of a few ulp of
    # (a + b) s: snap it back, so that the profile is the floor exactly there (and never below it)
    ok = np.isfinite(f)
    f0 = np.where(ok, f, 0.0)
    tol = 16.0 * np.finfo(float).eps * (np.abs(f0) + (a + b) * s + 1.0)
    return np.where(ok & (h - f0 <= tol), f, h)


@dataclass(frozen=True)
class Following:
    """Terrain following of N waypoint paths for :func:`iadsim.threats.airbreathing.waypoint_tracks`.

    Attributes
    ----------
    terrain : :class:`iadsim.terrain.Terrain` or None (sea level everywhere).
    clearance : (N,) m above the ground.
    tan_climb, tan_dive : (N,) tangents of the climb and dive limits.
    end : (N,) int, the last waypoint column of the followed span, which runs from the first waypoint;
        the leg after it descends (or climbs) linearly from the followed altitude to its next waypoint's.
        A negative value: that path does not follow the terrain.
    """

    terrain: object | None
    clearance: np.ndarray
    tan_climb: np.ndarray
    tan_dive: np.ndarray
    end: np.ndarray

    @property
    def sample(self) -> float | None:
        """Largest sample spacing on a followed leg (m): a quarter of the grid spacing, at least ``MIN_SAMPLE``
        (None without terrain)."""
        if self.terrain is None:
            return None
        return max(SAMPLE_FRACTION * float(self.terrain.spacing), MIN_SAMPLE)

    def ground(self, lat, lon) -> np.ndarray:
        """Ground height (m) under ``lat, lon`` (rad): the terrain, 0 without one."""
        if self.terrain is None:
            return np.zeros(np.shape(lat))
        return self.terrain.elevation_at(lat, lon)
