"""The command post: its cycle of threat evaluation, weapon assignment and launch orders.

Every ``cycle`` seconds (``Ev.C2``) the command post takes its picture of the air (the confirmed tracks,
predicted to now), evaluates the threats (:class:`~iadsim.evaluation.threat_evaluation.ThreatEvaluator`:
threatened asset, time to go, value), asks the doctrine (:class:`~iadsim.assignment.doctrine.Doctrine`: the
weapon-target assignment over envelope-feasible windows) for launch orders and hands them on.

The picture and the hand-over are the network's business (:mod:`iadsim.c2.network`, :mod:`iadsim.c2.stage`):
without a network the picture is the central tracker's, predicted to now, and the orders go straight to the
fire units, exactly as a command post wired to everything with zero latency. The cycle follows the
command-and-control loop of observe, orient, decide, act (Boyd; Hall & Llinas, *Handbook of Multisensor Data
Fusion*, 2001, ch. 2, the JDL levels 1-3: tracks, situation, threat).
"""

from __future__ import annotations

import numpy as np

from iadsim.assignment.doctrine import Doctrine
from iadsim.evaluation.threat_evaluation import ThreatEvaluator


class CommandPost:
    """Threat evaluation and doctrine of the command post (module docstring).

    ``plan(t, tracks, eligible, shots, later)`` returns ``(orders, cls)`` for the confirmed track table
    ``tracks`` at time ``t``: the doctrine's :class:`~iadsim.assignment.doctrine.FireOrders` and the
    evaluated class of each track row.
    """

    def __init__(self, compiled, kin):
        c = compiled
        doctrine = c.doctrine
        self.kin = kin
        self.F = len(c.fire_units)
        self.doctrine = Doctrine(kin, cycle=c.c2_cycle, layering=doctrine.layering, method=doctrine.assignment,
                                 cost_weight=doctrine.cost_per_usd, look_ahead=doctrine.look_ahead,
                                 time_limit=doctrine.wta_time_limit, beta=doctrine.assumed_ballistic_coefficient)
        #: how many later engagements a unit may offer: its channels for each started minute of look-ahead
        self.later_cap = c.fire_units.fire_channels * max(1, int(np.ceil(doctrine.look_ahead / 60.0)))
        self.evaluator = ThreatEvaluator(c.assets.ecef, c.assets.value, doctrine.priorities,
                                         doctrine.threat_radius, doctrine.assumed_ballistic_coefficient)

    def plan(self, t, tracks, eligible, shots, rounds):
        """Evaluate ``tracks`` and plan this cycle's launch orders; ``shots (F,)`` engagements each unit can
        start now, ``rounds (F,)`` rounds each unit has (for the later windows). Returns ``(orders, cls)``."""
        # only the eligible tracks can be engaged: the others need no value or time to go (nor the costly
        # ballistic impact prediction); each evaluated row is what evaluating all of them gives
        ev = self.evaluator.evaluate(tracks.x, tracks.cls, rows=eligible)
        has_deadline = (ev.asset >= 0) | (ev.cls == 0)
        t_end = np.where(has_deadline, t + ev.t_go, np.inf)
        later = np.minimum(rounds // self.kin.salvo, self.later_cap)
        orders = self.doctrine.plan(t, tracks.x, ev.cls, ev.value, t_end, eligible, shots, later)
        return orders, ev.cls
