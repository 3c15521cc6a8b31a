"""Damage by impact point (:mod:`iadsim.threats.damage`, :class:`iadsim.threats.state.ThreatState`).

* closed forms: the cookie-cutter's ``1 - exp(-R^2 / 2 sigma^2)`` and Carleton's ``R^2 / (R^2 + 2 sigma^2)``
  against the mean damage of 200,000 circular-normal impacts about a point target (within 4 standard errors);
* by impact point, hand-computed: a warhead that lands between two assets damages both by its damage
  function of the ground distance, a near miss on one asset hits another, damage accumulates to the
  threshold, an aircraft that egresses does no damage, a failed warhead does none;
* debris: an intercept below the debris ceiling with probability 1 drops debris about the aim, reported
  apart from leaks; above the ceiling it drops none.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from iadsim.engine.events import EventLog
from iadsim.frames import geodetic2ecef
from iadsim.status import INTERCEPTED, LEAKED
from iadsim.threats.damage import CARLETON, COOKIE_CUTTER, damage_fraction, expected_coverage, ground_distance
from iadsim.threats.state import ThreatState


@pytest.mark.parametrize("kind", [COOKIE_CUTTER, CARLETON])
@pytest.mark.parametrize("R,sigma", [(100.0, 42.5), (60.0, 150.0)])
def test_expected_coverage_of_a_point_target(kind, R, sigma):
    rng = np.random.default_rng(3)
    xy = rng.standard_normal((200_000, 2)) * sigma
    d = damage_fraction(kind, R, np.hypot(xy[:, 0], xy[:, 1]))
    se = d.std() / np.sqrt(d.size)
    assert abs(d.mean() - expected_coverage(kind, R, sigma)) < 4 * se
    if R > sigma:  # there the two functions differ, and the test tells them apart
        other = CARLETON if kind == COOKIE_CUTTER else COOKIE_CUTTER
        assert abs(d.mean() - expected_coverage(other, R, sigma)) > 10 * se


LAT, LON = np.radians(-20.0), np.radians(-15.0)


def _assets(east_m, hardness, threshold=0.5):
    east_m = np.asarray(east_m, float)
    lon = LON + east_m / (6378137.0 * np.cos(LAT))
    lat = np.full(east_m.size, LAT)
    return SimpleNamespace(names=tuple(f"A{k}" for k in range(east_m.size)), lat=lat, lon=lon,
                           alt=np.zeros(east_m.size), ecef=geodetic2ecef(lat, lon, np.zeros(east_m.size)),
                           hardness=np.asarray(hardness, float), damage_threshold=np.full(east_m.size, threshold))


def _raid(end_east_m, cls=0, target=0, p_damage=1.0, end_alt=0.0):
    e = np.atleast_1d(np.asarray(end_east_m, float))
    n = e.size
    lon = LON + e / (6378137.0 * np.cos(LAT))
    end = geodetic2ecef(np.full(n, LAT), lon, np.full(n, end_alt))

    class Truth:
        end_pos = end

        def state(self, t, idx):
            return end[idx] + np.array([0.0, 0.0, 0.0]), np.zeros((len(idx), 3))

    return SimpleNamespace(truth=Truth(), t_launch=np.zeros(n), t_end=np.full(n, 100.0),
                           target=np.full(n, target), cls=np.full(n, cls, np.int8), p_damage=np.full(n, p_damage),
                           type_index=np.zeros(n, np.int64), role=np.zeros(n, np.int8),
                           parent=np.full(n, -1), __len__=lambda self=None: n)


class _Raid(SimpleNamespace):
    def __len__(self):
        return self.t_launch.size


def _state(raid, assets, spec, seed=0):
    return ThreatState(_Raid(**vars(raid)), assets, np.random.default_rng(seed), EventLog(), types=[spec])


def _spec(kind="carleton", R=100.0, debris=None):
    return SimpleNamespace(warhead=SimpleNamespace(lethal_radius=R, damage_function=kind), debris=debris)


def test_damage_by_ground_distance_to_every_asset():
    assets = _assets([0.0, 150.0, 5000.0], [0.0, 0.2, 0.0])
    ts = _state(_raid([60.0]), assets, _spec("carleton", 100.0))
    ts.on_launch(0.0, 0)
    ts.on_impact(100.0, 0)
    assert ts.status[0] == LEAKED
    r = ground_distance(ts.threats.truth.end_pos[0], assets.ecef, np.stack(
        [np.cos(assets.lat) * np.cos(assets.lon), np.cos(assets.lat) * np.sin(assets.lon), np.sin(assets.lat)], -1))
    assert r == pytest.approx([60.0, 90.0, 4940.0], rel=1e-3)  # (sphere offsets in the stand-in, ellipsoid here)
    expect = np.exp(-(r / 100.0) ** 2) * (1 - assets.hardness)
    assert ts.asset_damage == pytest.approx(expect, rel=1e-9)
    # exp(-0.36) = 0.70 >= 0.5 destroys A0; 0.8 exp(-0.81) = 0.36 leaves A1 standing; A2 is out of reach
    assert expect[0] > 0.69 and 0.35 < expect[1] < 0.37 and expect[2] < 1e-100
    assert list(ts.asset_destroyed) == [True, False, False]


def test_near_miss_on_one_asset_hits_another_and_damage_accumulates():
    assets = _assets([0.0, 400.0], [0.0, 0.0], threshold=0.9)
    ts = _state(_raid([390.0, 395.0, 2000.0], target=0), assets, _spec("cookie_cutter", 50.0))
    for i in range(3):
        ts.on_launch(0.0, i)
        ts.on_impact(100.0, i)
    assert ts.asset_damage[0] == 0.0  # aimed at A0, missed it by 390 m
    assert ts.asset_damage[1] == pytest.approx(1.0)  # and hit A1
    assert list(ts.asset_destroyed) == [False, True]
    # cumulative: two Carleton hits of 0.6 each make 0.84 (1 - 0.4^2), the second crosses a 0.8 threshold
    assets = _assets([0.0], [0.0], threshold=0.8)
    R = 100.0
    r = R * np.sqrt(-np.log(0.6))
    ts = _state(_raid([r, r]), assets, _spec("carleton", R))
    ts.on_launch(0.0, 0)
    ts.on_impact(100.0, 0)
    assert ts.asset_damage[0] == pytest.approx(0.6, abs=1e-3) and not ts.asset_destroyed[0]
    ts.on_launch(0.0, 1)
    ts.on_impact(100.0, 1)
    assert ts.asset_damage[0] == pytest.approx(0.84, abs=2e-3) and ts.asset_destroyed[0]


def test_aircraft_and_failed_warheads_do_no_damage():
    assets = _assets([0.0], [0.0])
    ts = _state(_raid([0.0], cls=3), assets, _spec())
    ts.on_launch(0.0, 0)
    ts.on_impact(100.0, 0)
    assert ts.status[0] == LEAKED and ts.asset_damage[0] == 0.0
    ts = _state(_raid([0.0], p_damage=0.0), assets, _spec())
    ts.on_launch(0.0, 0)
    ts.on_impact(100.0, 0)
    assert ts.asset_damage[0] == 0.0


def test_debris_below_the_ceiling_only():
    assets = _assets([0.0], [0.0])
    deb = SimpleNamespace(probability=1.0, lethal_radius=40.0, max_altitude=15e3, spread=0.0)
    low = _state(_raid([0.0], end_alt=0.0), assets, _spec(debris=deb))
    low.on_launch(0.0, 0)
    low.kill(0, 50.0)  # the stand-in truth puts the threat at its end point, on the ground: below the ceiling
    assert low.status[0] == INTERCEPTED and low.debris_falls == 1
    assert low.debris_damage[0] == pytest.approx(1.0) and low.asset_destroyed[0]
    kinds = low.log.events["kind"]
    assert "debris" in kinds and "leak" not in kinds
    high = _state(_raid([0.0], end_alt=20e3), assets, _spec(debris=deb))
    high.on_launch(0.0, 0)
    high.kill(0, 50.0)
    assert high.debris_falls == 0 and high.asset_damage[0] == 0.0
