"""Threats to the defense itself: leakers and anti-radiation missiles aimed at radars, command posts, launchers.

A raid may name a defense node (a sensor, a fire unit or a placed command post) among its ``targets``; its
threats then aim at the node's position (:func:`iadsim.scenario.load.compile_scenario` appends the nodes to
the aim table after the assets). When such a threat leaks, the node is destroyed by the same rule as an asset
(:mod:`iadsim.threats.damage`): with a warhead, if the warhead works (a ``p_damage`` draw) and the damage
fraction ``D(r)`` of its damage function at the impact's ground distance ``r`` reaches one half; without one,
on a ``p_damage`` draw.

An anti-radiation missile (a cruise type with ``anti_radiation: true``) homes on the emission of the radar
it is aimed at. Its path is flown at launch like any cruise missile's, so the homing enters only the end
game: it hits only if its radar emitted at some time within ``seeker_memory`` before the impact (the memory
of the last bearing of a passive seeker; Neri, *Introduction to Electronic Defense Systems*, 2006, ch. 7 on
anti-radiation missiles and emission control). A radar that has gone silent (EMCON) for longer than that
survives it. This is the simplification: an ARM does not re-target another emitter.
"""

from __future__ import annotations

import numpy as np

from iadsim.threats.damage import CARLETON, COOKIE_CUTTER, damage_fraction


def node_destroyed(spec, p_damage: float, miss: float, u: float) -> bool:
    """Whether a leaker of threat type ``spec`` with ``p_damage`` whose impact is ``miss`` metres (ground
    distance) from a node destroys it, with ``u`` a uniform draw (module docstring)."""
    wh = getattr(spec, "warhead", None)
    if u >= p_damage:
        return False
    if wh is None:
        return True
    kind = COOKIE_CUTTER if wh.damage_function == "cookie_cutter" else CARLETON
    return bool(float(damage_fraction(kind, wh.lethal_radius, np.array([miss]))[0]) >= 0.5)


def emitted_within(windows, alive_until: float, t: float, memory: float) -> bool:
    """Whether a radar with EMCON silent ``windows`` ``((start, end), ...)``, alive until ``alive_until``,
    emitted at some time in ``[t - memory, t]``."""
    lo, hi = t - memory, min(t, alive_until)
    if hi < lo:
        return False
    # silent windows are [start, end): walk them from lo, looking for an emitting gap before hi
    x = lo
    for s, e in sorted(windows):
        if s > x:
            break
        x = max(x, e)
    return x <= hi
