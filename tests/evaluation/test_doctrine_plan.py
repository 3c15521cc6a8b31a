"""Doctrine.plan on small geometries: cost-aware hold fire, layering, one salvo per look, the WTA methods."""

import numpy as np
import pytest

from iadsim.assignment.doctrine import Doctrine, FireUnitKinematics
from iadsim.engagement.envelope import EnvelopeSet, constant_speed_envelope
from iadsim.frames import geodetic2ecef

SITE = geodetic2ecef(0.0, 0.0, 0.0)
UP = SITE / np.linalg.norm(SITE)
EAST = np.array([0.0, 1.0, 0.0])


def units(layers, r_max, speed, cost, pk_drone, salvo=1, channels=4):
    """Fire units at one site with idealised constant-speed envelopes (``tof = d / s`` up to ``r_max``)."""
    F = len(layers)
    pk = np.zeros((F, 4))
    pk[:, 2] = pk_drone  # drone column of THREAT_CLASSES
    pk[:, 0] = 0.8
    env = EnvelopeSet([constant_speed_envelope(s, 500.0, r, 0.0, 20e3) for s, r in zip(speed, r_max, strict=True)])
    return FireUnitKinematics(
        pos=np.repeat(SITE[None], F, 0), typ=np.arange(F), env=env, reaction=np.full(F, 2.0),
        layer=np.asarray(layers), pk=pk, salvo=np.full(F, salvo), a_need=np.zeros((F, 4)),
        min_closing=np.zeros(F), has_fcr=np.zeros(F, bool),
        fcr_pos=np.zeros((F, 3)), fcr_C=np.repeat(np.eye(3)[None], F, 0), fcr_rmax=np.full(F, np.inf),
        fcr_az_center=np.zeros(F), fcr_az_half=np.full(F, np.pi), fcr_el_min=np.full(F, -np.pi),
        fcr_el_max=np.full(F, np.pi), cost=np.asarray(cost, float), channels=np.full(F, channels))


def drones(ranges, speed=50.0):
    """Drones at 300 m altitude, east of the site, flying west at ``speed``."""
    x = np.array([np.r_[SITE + UP * 300.0 + EAST * r, -EAST * speed] for r in ranges])
    return x, np.full(len(ranges), 2, np.int8)


def test_cost_aware_leaves_a_drone_to_the_cheap_later_layer():
    # middle tier (expensive, 60 km) can fire now at a drone 30 km out; lower tier (cheap, 20 km) only later
    # (the drone enters its reach after 200 s, inside the 300 s look-ahead); the lower tier offers one shot
    fu = units(layers=[1, 2], r_max=[60e3, 20e3], speed=[1200.0, 700.0], cost=[1e6, 5e4], pk_drone=[0.9, 0.9])
    # value 30, cost weight 10 per M$: a middle-tier shot costs 10, a lower-tier shot 0.5 (value units);
    # now: 30 * 0.1 + 10 = 13; later cheap: 30 * 0.19 + 0.5 = 6.2; both: 30 * 0.019 + 10.5 = 11.07
    x, cls = drones([30e3])
    args = dict(now=0.0, x=x, cls=cls, value=np.array([30.0]), t_end=np.array([1000.0]),
                eligible=np.ones(1, bool), shots=np.array([2, 2]), later_shots=np.array([4, 1]))
    value_only = Doctrine(fu, cycle=2.0, method="exact", cost_weight=0.0).plan(**args)
    assert value_only.fire_unit.tolist() == [0]  # fire now with what reaches
    cost_aware = Doctrine(fu, cycle=2.0, method="exact", cost_weight=10.0 / 1e6).plan(**args)
    assert len(cost_aware) == 0  # hold fire: the cheap layer gets a shot before the drone arrives
    # a valuable drone (value 100) is worth both the expensive shot now and the cheap backup later
    rich = Doctrine(fu, cycle=2.0, method="exact", cost_weight=10.0 / 1e6).plan(**{**args, "value": np.array([100.0])})
    assert rich.fire_unit.tolist() == [0]
    # ... but with no later shot possible (no look-ahead) even the cost-aware doctrine fires now
    no_later = Doctrine(fu, cycle=2.0, method="exact", cost_weight=10.0 / 1e6, look_ahead=0.0).plan(**args)
    assert no_later.fire_unit.tolist() == [0]


@pytest.mark.parametrize("method", ["greedy", "local_search", "exact"])
def test_one_salvo_per_look_and_capacity(method):
    fu = units(layers=[1, 1], r_max=[60e3, 60e3], speed=[1200.0, 1200.0], cost=[1e6, 1e6], pk_drone=[0.6, 0.7],
               channels=3)
    x, cls = drones([20e3, 25e3, 30e3])
    orders = Doctrine(fu, cycle=2.0, method=method).plan(
        now=0.0, x=x, cls=cls, value=np.array([100.0, 50.0, 10.0]), t_end=np.full(3, 1e3),
        eligible=np.ones(3, bool), shots=np.array([1, 1]), later_shots=np.zeros(2, int))
    assert len(np.unique(orders.track_row)) == len(orders)  # at most one salvo per track per look
    assert (np.bincount(orders.fire_unit, minlength=2) <= 1).all()  # no unit beyond its shots
    assert set(orders.track_row.tolist()) == {0, 1}  # the two most valuable threats
    assert (orders.t_launch >= 2.0 - 1e-9).all() and (orders.t_intercept > orders.t_launch).all()


def test_layering_keeps_lower_tier_for_what_upper_cannot_take():
    fu = units(layers=[0, 2], r_max=[60e3, 60e3], speed=[1500.0, 700.0], cost=[1e6, 5e4], pk_drone=[0.8, 0.9])
    x, cls = drones([30e3, 35e3])
    plan = dict(now=0.0, x=x, cls=cls, value=np.array([100.0, 90.0]), t_end=np.full(2, 1e3),
                eligible=np.ones(2, bool), later_shots=np.zeros(2, int))
    both = Doctrine(fu, cycle=2.0, layering=True).plan(shots=np.array([2, 2]), **plan)
    assert sorted(both.fire_unit.tolist()) == [0, 0]  # the upper tier takes both
    saturated = Doctrine(fu, cycle=2.0, layering=True).plan(shots=np.array([0, 2]), **plan)
    assert sorted(saturated.fire_unit.tolist()) == [1, 1]  # upper tier out of channels: lower tier backs up


def test_shoot_shoot_look_salvo():
    fu = units(layers=[1], r_max=[60e3], speed=[1200.0], cost=[1e6], pk_drone=[0.7], salvo=2)
    x, cls = drones([30e3])
    d = Doctrine(fu, cycle=2.0)
    orders = d.plan(now=0.0, x=x, cls=cls, value=np.array([10.0]), t_end=np.array([1e3]),
                    eligible=np.ones(1, bool), shots=np.array([1]))
    assert orders.salvo.tolist() == [2]
    assert orders.pk[0] == pytest.approx(1 - 0.3**2)
