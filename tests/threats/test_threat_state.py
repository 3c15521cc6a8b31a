"""``iadsim.threats.state.ThreatState``: status, kills and what a leaker does on arrival.

Evidence by kind:

* **statistical** (seeded, many independent draws): a leaker destroys its asset with probability
  ``p_damage (1 - hardness)``; the destroyed count of 4000 leakers, each on its own asset, lies inside the
  two-sided binomial test at ``p > 1e-3`` for three (p_damage, hardness) pairs chosen so that the usual
  wrong formulas (``p_damage``, ``p_damage * hardness``, ``1 - hardness``) are all rejected.
* **exact** (the documented stream replayed): one uniform from the damage generator per leaker, in
  impact order, and the asset is destroyed exactly when ``u < p``; a threat that is not flying draws nothing.
* **hand-computed**: the "already destroyed" detail, the event log rows, the flying window.

The raid is a small stand-in holding the attributes ``ThreatState`` reads (``t_launch``, ``t_end``,
``target``, ``cls``, ``p_damage``, ``parent``, ``role``, ``type_index``, ``len``), and the assets a stand-in with
``names``, ``hardness`` and ``damage_threshold``.
"""

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from iadsim.engine.events import EventLog
from iadsim.scenario.catalog_models import THREAT_CLASSES
from iadsim.status import CANCELLED, ENDED, FLYING, INTERCEPTED, LEAKED, NOT_LAUNCHED
from iadsim.threats.state import ThreatState

SEED = 41


@dataclass
class FakeRaid:
    t_launch: np.ndarray
    t_end: np.ndarray
    target: np.ndarray
    cls: np.ndarray
    p_damage: np.ndarray

    def __len__(self):
        return self.t_launch.size

    @property
    def truth(self):  # impacts exactly on the (stand-in) asset position
        return type("T", (), {"end_pos": np.zeros((self.t_launch.size, 3))})()

    @property
    def type_index(self):
        return np.zeros(self.t_launch.size, np.int64)

    @property
    def parent(self):  # no released objects: every threat is launched on its own
        return np.full(self.t_launch.size, -1, np.int64)

    @property
    def role(self):  # every object is a threat (no decoys or stages)
        return np.zeros(self.t_launch.size, np.int8)


@dataclass
class FakeAssets:
    names: tuple
    hardness: np.ndarray

    @property
    def lat(self):
        return np.zeros(self.hardness.size)

    @property
    def lon(self):
        return np.zeros(self.hardness.size)

    @property
    def ecef(self):
        return np.zeros((self.hardness.size, 3))

    @property
    def damage_threshold(self):  # the scenario's default
        return np.full(self.hardness.size, 0.5)


def _raid(n, target, p_damage, cls=0, t_launch=0.0, t_end=100.0):
    return FakeRaid(t_launch=np.full(n, float(t_launch)), t_end=np.full(n, float(t_end)),
                    target=np.broadcast_to(np.asarray(target, np.int64), (n,)).copy(),
                    cls=np.full(n, cls, np.int8), p_damage=np.full(n, float(p_damage)))


def _assets(hardness):
    h = np.atleast_1d(np.asarray(hardness, float))
    return FakeAssets(names=tuple(f"A{k}" for k in range(h.size)), hardness=h)


def _rows(log):
    ev = log.events
    return [dict(zip(EventLog.COLUMNS, vals, strict=True)) for vals in zip(*(ev[k] for k in EventLog.COLUMNS),
                                                                           strict=True)]


def _launch_all(ts):
    for i in range(len(ts.threats)):
        ts.on_launch(0.0, i)


# --- statistical ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p_damage,hardness", [(0.6, 0.25), (0.9, 0.0), (0.5, 0.8)])
def test_leaker_destroys_its_asset_with_p_damage_times_one_minus_hardness(p_damage, hardness):
    n = 4000
    raid = _raid(n, np.arange(n), p_damage)  # each leaker on its own asset: independent draws
    ts = ThreatState(raid, _assets(np.full(n, hardness)), np.random.default_rng(SEED), EventLog())
    _launch_all(ts)
    for i in range(n):
        ts.on_impact(50.0, i)
    k = int(ts.asset_destroyed.sum())
    p = p_damage * (1.0 - hardness)
    assert stats.binomtest(k, n, p).pvalue > 1e-3, f"{k}/{n} destroyed, model p = {p}"
    for wrong in {p_damage, p_damage * hardness, 1.0 - hardness} - {p}:
        assert stats.binomtest(k, n, wrong).pvalue < 1e-3, f"cannot tell p = {p} from {wrong}"
    assert (ts.status == LEAKED).all()
    np.testing.assert_array_equal(ts.asset_hits, np.ones(n))


# --- exact: the damage stream -------------------------------------------------------------------------------

def test_one_uniform_per_leaker_in_impact_order_and_destroyed_iff_below_p():
    n = 300
    hardness = np.linspace(0.0, 0.9, n)
    raid = _raid(n, np.arange(n), 0.7)
    ts = ThreatState(raid, _assets(hardness), np.random.default_rng(SEED), EventLog())
    _launch_all(ts)
    order = np.random.default_rng(1).permutation(n)
    for i in order:
        ts.on_impact(10.0, int(i))
    u = np.random.default_rng(SEED).random(n)
    expected = np.zeros(n, bool)
    expected[order] = u < 0.7 * (1.0 - hardness[order])
    np.testing.assert_array_equal(ts.asset_destroyed, expected)
    # the generator advanced by exactly n draws
    ref = np.random.default_rng(SEED)
    ref.random(n)
    assert ts.rng.random() == ref.random()


def test_p_zero_never_destroys_and_p_one_always_does():
    raid = _raid(2, [0, 1], 1.0)
    ts = ThreatState(raid, _assets([0.0, 0.0]), np.random.default_rng(SEED), EventLog())
    raid.p_damage[1] = 0.0
    _launch_all(ts)
    ts.on_impact(5.0, 0)
    ts.on_impact(6.0, 1)
    np.testing.assert_array_equal(ts.asset_destroyed, [True, False])
    details = [r["detail"] for r in _rows(ts.log) if r["kind"] == "leak"]
    assert details == ["asset destroyed", "damage roll failed"]


# --- hand-computed ----------------------------------------------------------------------------------------

def test_second_leaker_on_a_destroyed_asset_is_already_destroyed():
    raid = _raid(3, [0, 0, 0], 1.0)  # p = 1: every roll succeeds
    ts = ThreatState(raid, _assets([0.0]), np.random.default_rng(SEED), EventLog())
    _launch_all(ts)
    ts.log = EventLog()  # keep only the impact rows
    for i, t in enumerate((10.0, 11.0, 12.0)):
        ts.on_impact(t, i)
    rows = _rows(ts.log)
    assert [(r["kind"], r["threat"], r["detail"]) for r in rows] == [
        ("leak", 0, "asset destroyed"), ("asset_destroyed", 0, "A0"),
        ("leak", 1, "already destroyed"), ("leak", 2, "already destroyed")]
    assert ts.asset_destroyed.tolist() == [True]
    assert ts.asset_hits.tolist() == [3]


def test_a_failed_roll_before_a_destroying_one():
    """A leaker whose roll fails leaves the asset standing: the next leaker that succeeds destroys it."""
    raid = _raid(2, [0, 0], 0.5)
    rng_seed = next(s for s in range(1000)
                    if (lambda u: u[0] >= 0.5 and u[1] < 0.5)(np.random.default_rng(s).random(2)))
    ts = ThreatState(raid, _assets([0.0]), np.random.default_rng(rng_seed), EventLog())
    _launch_all(ts)
    ts.on_impact(1.0, 0)
    assert not ts.asset_destroyed[0]
    ts.on_impact(2.0, 1)
    assert ts.asset_destroyed[0]
    details = [r["detail"] for r in _rows(ts.log) if r["kind"] == "leak"]
    assert details == ["damage roll failed", "asset destroyed"]


@pytest.mark.parametrize("status", [NOT_LAUNCHED, INTERCEPTED, LEAKED])
def test_impact_of_a_threat_not_flying_does_nothing(status):
    raid = _raid(2, [0, 0], 1.0)
    ts = ThreatState(raid, _assets([0.0]), np.random.default_rng(SEED), EventLog())
    ts.status[0] = status
    before = ts.rng.bit_generator.state
    ts.on_impact(20.0, 0)
    assert ts.status[0] == status
    assert ts.log.events["kind"] == []
    assert ts.asset_hits.tolist() == [0] and ts.asset_destroyed.tolist() == [False]
    assert ts.rng.bit_generator.state == before, "a threat that is not flying drew from the damage stream"


def test_event_log_rows_of_launch_and_impact():
    raid = _raid(2, [1, 0], 1.0, cls=THREAT_CLASSES.index("cruise"))
    raid.cls[1] = THREAT_CLASSES.index("drone")
    ts = ThreatState(raid, _assets([0.0, 0.0]), np.random.default_rng(SEED), EventLog())
    ts.on_launch(3.5, 0)
    ts.on_launch(4.0, 1)
    ts.on_impact(90.25, 0)
    rows = _rows(ts.log)
    base = {"track": -1, "fire_unit": -1, "engagement": -1}
    assert rows == [
        {"time": 3.5, "kind": "threat_launch", "threat": 0, "asset": 1, "detail": "cruise", **base},
        {"time": 4.0, "kind": "threat_launch", "threat": 1, "asset": 0, "detail": "drone", **base},
        {"time": 90.25, "kind": "leak", "threat": 0, "asset": 1, "detail": "asset destroyed", **base},
        {"time": 90.25, "kind": "asset_destroyed", "threat": 0, "asset": 1, "detail": "A1", **base},
    ]
    assert ts.status.tolist() == [LEAKED, FLYING]
    assert ts.asset_destroyed.tolist() == [False, True]


def test_status_kill_and_flying_window():
    raid = _raid(3, [0, 0, 0], 0.5)
    raid.t_launch[:] = [10.0, 20.0, 30.0]
    raid.t_end[:] = [50.0, 60.0, 70.0]
    ts = ThreatState(raid, _assets([0.0]), np.random.default_rng(SEED), EventLog())
    assert ts.status.tolist() == [NOT_LAUNCHED] * 3
    assert np.isnan(ts.t_kill).all()
    assert not ts.flying(15.0).any()  # not launched yet: status, not only the time window
    for i in range(3):
        ts.on_launch(raid.t_launch[i], i)
    assert ts.flying(10.0).tolist() == [True, False, False]  # t_launch <= t
    assert ts.flying(20.0).tolist() == [True, True, False]
    assert ts.flying(50.0).tolist() == [False, True, True]  # t < t_end
    ts.kill(1, 42.0)
    assert ts.status.tolist() == [FLYING, INTERCEPTED, FLYING]
    assert ts.t_kill[1] == 42.0 and np.isnan(ts.t_kill[[0, 2]]).all()
    assert ts.flying(45.0).tolist() == [True, False, True]
    ts.on_impact(60.0, 1)  # a killed threat's end of flight is no leak
    assert ts.status[1] == INTERCEPTED and ts.asset_hits.tolist() == [0]


def test_alive_follows_every_status_change():
    """ThreatState.alive() (kept between status changes, for the fly-out's seeker) is ``status == FLYING``
    and its indices after each launch, kill, cancelled release, leak and end of a decoy."""
    @dataclass
    class Released(FakeRaid):  # object 4 is a decoy of threat 1, object 5 a decoy of threat 2
        @property
        def parent(self):
            return np.array([-1, -1, -1, -1, 1, 2], np.int64)

        @property
        def role(self):
            return np.array([0, 0, 0, 0, 1, 1], np.int8)

    base = _raid(6, [0] * 6, 0.5)
    raid = Released(base.t_launch, base.t_end, base.target, base.cls, base.p_damage)
    ts = ThreatState(raid, _assets([0.0]), np.random.default_rng(SEED), EventLog())

    def check():
        mask, idx = ts.alive()
        assert mask.tolist() == (ts.status == FLYING).tolist()
        assert idx.tolist() == np.flatnonzero(ts.status == FLYING).tolist()

    check()
    for i in range(4):
        ts.on_launch(float(i), i)
        check()
    ts.on_launch(4.0, 4)  # released by a flying threat: flying
    check()
    ts.kill(2, 5.0)
    check()
    ts.on_launch(5.5, 5)  # its parent was intercepted: cancelled
    assert ts.status[5] == CANCELLED
    check()
    ts.on_impact(6.0, 0)  # a leaker
    check()
    ts.on_impact(7.0, 4)  # a decoy's end
    assert ts.status[4] == ENDED
    check()
    assert ts.alive()[1].tolist() == [1, 3]


class _FixedU:
    """A damage generator whose uniforms are given (the edges of ``u < p``)."""

    def __init__(self, *u):
        self.u = list(u)

    def random(self):
        return self.u.pop(0)


def test_the_roll_is_strictly_below_p():
    """``u`` is uniform on [0, 1): ``P(u < p) = p`` needs the strict inequality (p = 0 never destroys,
    even for u = 0; u = p does not destroy)."""
    raid = _raid(2, [0, 1], 0.0)
    raid.p_damage[1] = 0.5
    ts = ThreatState(raid, _assets([0.0, 0.0]), _FixedU(0.0, 0.5), EventLog())
    _launch_all(ts)
    ts.on_impact(1.0, 0)
    ts.on_impact(1.0, 1)
    assert ts.asset_destroyed.tolist() == [False, False]


def test_state_array_types():
    ts = ThreatState(_raid(3, [0, 1, 1], 0.5), _assets([0.0, 0.2]), np.random.default_rng(SEED), EventLog())
    assert ts.status.dtype == np.int8 and ts.status.shape == (3,)
    assert ts.t_kill.dtype == np.float64
    assert ts.asset_destroyed.dtype == np.bool_ and ts.asset_destroyed.shape == (2,)
    assert ts.asset_hits.dtype == np.int64 and ts.asset_hits.shape == (2,)
