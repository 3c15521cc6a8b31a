"""The multifunction radar time budget (iadsim.sensors.scheduler): per-frame invariants and the stretch rule
as hypothesis properties, a hand-computed overload, the engagement channel count, the scenario language
and a whole run where an overloaded radar updates its low-priority tracks less often."""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iadsim.engine.simulation import Simulation
from iadsim.errors import InputError
from iadsim.scenario.catalog import resolve
from iadsim.scenario.load import scenario_from_data
from iadsim.sensors.scheduler import (
    ENGAGED,
    OTHER,
    THREATENING,
    BudgetParams,
    Scheduler,
    engagement_channels,
    schedule_frame,
)

EPS = 1e-9

params_st = st.builds(
    BudgetParams,
    frame=st.floats(0.5, 4.0),
    search_time=st.floats(0.05, 5.0),
    track_dwell=st.floats(0.002, 0.3),
    uplink_dwell=st.floats(0.001, 0.2),
    revisit=st.tuples(st.floats(0.5, 4.0), st.floats(0.5, 8.0), st.floats(0.5, 16.0)),
    track_capacity=st.integers(1, 60),
    search_reserve=st.floats(0.0, 0.9),
)


@st.composite
def frame_case(draw):
    p = draw(params_st)
    n = draw(st.integers(0, 80))
    prio = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), np.int64)
    age = np.array(draw(st.lists(st.one_of(st.just(np.inf), st.floats(0.0, 40.0)), min_size=n, max_size=n)))
    ids = np.array(draw(st.permutations(range(1, n + 1))), np.int64)
    return p, draw(st.integers(0, 120)), prio, age, ids


@settings(max_examples=300, deadline=None)
@given(frame_case())
def test_no_frame_is_overbooked_and_the_priority_rule_holds(case):
    p, n_up, prio, age, ids = case
    fp = schedule_frame(p, n_up, prio, age, ids)
    # no frame overbooked: uplinks and dwells within B = T (1 - reserve), search gets the rest
    assert fp.busy <= p.budget + EPS
    assert fp.busy == pytest.approx(fp.uplinks * p.uplink_dwell + fp.tracks.size * p.track_dwell)
    assert fp.search == pytest.approx(p.frame - fp.busy) and fp.search >= p.frame * p.search_reserve - EPS
    assert fp.search_fraction == pytest.approx(min(1.0, fp.search / p.search_time))
    # uplinks first: all of them, or as many as fit
    assert fp.uplinks == min(n_up, int(np.floor(p.budget / p.uplink_dwell + EPS)))
    # capacity: the top tracks by (class, id), at most track_capacity
    assert fp.maintained.sum() == min(prio.size, p.track_capacity)
    rank = sorted(range(prio.size), key=lambda j: (prio[j], ids[j]))
    assert set(np.flatnonzero(fp.maintained)) == set(rank[: p.track_capacity])
    # only due, maintained tracks get dwells, each at most once
    served = fp.tracks
    assert len(set(served.tolist())) == served.size
    assert fp.due[served].all() and fp.maintained[served].all()
    interval = p.frames[prio] * p.frame
    assert np.array_equal(fp.due, fp.maintained & (age >= interval - 0.5 * p.frame - EPS))
    # priority rule: a due track waits only when the frame has no room for one more dwell, and only behind
    # tracks ranked before it (class, then most overdue, then id)
    waiting = np.setdiff1d(np.flatnonzero(fp.due), served)
    if waiting.size:
        assert p.budget - fp.busy < p.track_dwell + EPS

        def key(j):
            return (prio[j], -min(age[j] / interval[j], 1e300), ids[j])

        assert max(key(j) for j in served) < min(key(j) for j in waiting) if served.size else True


@st.composite
def steady_case(draw):
    frames = [draw(st.integers(1, 4)) for _ in range(3)]
    counts = [draw(st.integers(0, 12)) for _ in range(3)]
    room = draw(st.integers(1, 20))  # track dwells per frame
    return frames, counts, room


@settings(max_examples=150, deadline=None)
@given(steady_case())
def test_classes_that_fit_keep_their_revisit_and_none_is_served_faster(case):
    """Over 40 frames with a fixed track load: every class is dwelled on at most at its desired rate; the
    classes whose cumulative track count fits in the frame's dwells keep their revisit exactly (the stretch
    falls on the lower classes)."""
    frames, counts, room = case
    T = 1.0
    p = BudgetParams(frame=T, search_time=1.0, track_dwell=0.9 / room, uplink_dwell=0.05,
                     revisit=tuple(map(float, frames)), track_capacity=1000, search_reserve=0.1)
    assert int(np.floor(p.budget / p.track_dwell + EPS)) == room
    prio = np.repeat([0, 1, 2], counts)
    ids = np.arange(1, prio.size + 1)
    s = Scheduler(p, (0.02, 0.02), (0.0, 2 * np.pi))
    F = 40
    for f in range(F):
        fp = s.plan(f * T, ids, prio, 0)
        assert fp.busy <= p.budget + EPS
    times = {int(i): [] for i in ids}
    for t, i, _ in s.dwells:
        times[i].append(t)
    for q in range(3):
        fits = sum(counts[: q + 1]) <= room
        for i in ids[prio == q]:
            d = np.diff(times[int(i)])
            assert (d >= frames[q] * T - EPS).all()  # never more often than desired
            if fits:
                assert times[int(i)][0] == 0.0 and np.allclose(d, frames[q] * T)


def test_hand_computed_overload():
    """T = 1 s, 20% kept for search: B = 0.8 s. Two uplinks of 50 ms take 0.1 s, so 7 track dwells of 0.1 s
    fit. Two engaged tracks (revisit 1 s) take 2 of them each frame; 15 other tracks (revisit 2 s, i.e. 7.5
    dwells per frame wanted) share the 5 left: each is dwelled on every 15 / 5 = 3 frames (3 s). Search
    keeps 1 - 0.1 - 0.7 = 0.2 s; a full search needs 0.5 s, so a frame covers 0.4 of the sector and the
    search frame stretches to 2.5 s."""
    p = BudgetParams(frame=1.0, search_time=0.5, track_dwell=0.1, uplink_dwell=0.05, revisit=(1.0, 1.0, 2.0),
                     track_capacity=100, search_reserve=0.2)
    prio = np.array([ENGAGED] * 2 + [OTHER] * 15)
    ids = np.arange(1, 18)
    s = Scheduler(p, (0.02, 0.02), (0.0, 2 * np.pi))
    plans = [s.plan(float(f), ids, prio, 2) for f in range(30)]
    for fp in plans:
        assert fp.uplinks == 2 and fp.tracks.size == 7
        assert fp.busy == pytest.approx(0.8) and fp.search_fraction == pytest.approx(0.4)
    times = {int(i): [t for t, j, _ in s.dwells if j == i] for i in ids}
    for i in (1, 2):
        assert np.allclose(np.diff(times[i]), 1.0)
    for i in range(3, 18):
        assert np.allclose(np.diff(times[i][1:]), 3.0)  # after the first round
        assert len(times[i]) == 10
    # the search slice advances by 0.4 of the sector per frame: 2.5 frames per full search
    assert min(s.pointer, 1.0 - s.pointer) == pytest.approx(0.0, abs=1e-9)  # 30 x 0.4 = 12 full searches
    # without load, the same radar searches the whole sector every frame
    assert schedule_frame(p, 0, [], [], []).search_fraction == 1.0


def test_track_capacity_is_a_hard_limit():
    """Capacity 10: the 2 engaged tracks and the 8 oldest others are maintained (dwelled every 2 frames:
    2 + 8/2 = 6 dwells per frame fit in 7); the 7 newest others never get a dwell."""
    p = BudgetParams(frame=1.0, search_time=0.5, track_dwell=0.1, uplink_dwell=0.05, revisit=(1.0, 1.0, 2.0),
                     track_capacity=10, search_reserve=0.2)
    prio = np.array([OTHER] * 15 + [ENGAGED] * 2)
    ids = np.arange(1, 18)
    s = Scheduler(p, (0.02, 0.02), (0.0, 2 * np.pi))
    for f in range(12):
        s.plan(float(f), ids, prio, 2)
    dwelled = {j for _, j, _ in s.dwells}
    assert dwelled == set(range(1, 9)) | {16, 17}
    for i in range(1, 9):
        assert np.allclose(np.diff([t for t, j, _ in s.dwells if j == i]), 2.0)


def test_engagement_channels_follow_the_budget():
    """c = salvo x uplink + track dwell / n_0 = 2 x 0.05 + 0.1 = 0.2 s per frame: floor(0.8 / 0.2) = 4."""
    p = BudgetParams(frame=1.0, search_time=0.5, track_dwell=0.1, uplink_dwell=0.05, revisit=(1.0, 1.0, 2.0),
                     track_capacity=100, search_reserve=0.2)
    assert engagement_channels(p, 2) == 4
    assert engagement_channels(p, 1) == 5  # 0.8 / 0.15
    p2 = BudgetParams(frame=1.0, search_time=0.5, track_dwell=0.1, uplink_dwell=0.05, revisit=(2.0, 2.0, 2.0),
                      track_capacity=3, search_reserve=0.2)
    assert engagement_channels(p2, 1) == 3  # 0.8 / 0.1 = 8, held to the capacity


def test_search_slice_and_beams():
    s = Scheduler(BudgetParams(1.0, 0.5, 0.1, 0.05, (1.0, 1.0, 2.0), 10, 0.2), (np.radians(2), np.radians(2)),
                  (np.radians(90), np.radians(120)))
    s.slice = (0.25, 0.5)  # the middle half of the 30-150 deg sector: 60-120 deg
    az = np.radians([40.0, 61.0, 119.0, 125.0])
    assert s.in_slice(az).tolist() == [False, True, True, False]
    s.set_beams(np.radians([40.0]), np.radians([10.0]))
    assert s.in_beams(np.radians([40.5, 42.0, 40.0]), np.radians([10.0, 10.0, 11.5])).tolist() == [True, False, False]
    assert s.looked(np.radians([40.5, 125.0]), np.radians([10.0, 10.0])).tolist() == [True, False]


# --- the scenario language ------------------------------------------------------------------------------
def test_catalog_budget_and_validation():
    r = resolve("radar", "multifunction_radar")
    assert r.budget.track_capacity == 100 and r.budget.track_dwell == pytest.approx(0.005)
    assert "budget" not in resolve("radar", "mfr_fire_control_radar").model_dump()
    d = _scenario()
    d["sensors"][0]["override"] = {"budget": {**BUDGET, "revisit_other": "0.5 s"}}
    with pytest.raises(InputError, match="revisit_other must be at least the frame"):
        scenario_from_data(d, file="t.yaml")
    d["sensors"][0]["override"] = {"budget": {**BUDGET, "track_dwell": "3 furlongs"}}
    with pytest.raises(InputError, match="track_dwell"):
        scenario_from_data(d, file="t.yaml")
    d["sensors"][0]["override"] = {"budget": {**BUDGET, "sweeps": 3}}
    with pytest.raises(InputError, match="sweeps"):
        scenario_from_data(d, file="t.yaml")


# --- a whole run ----------------------------------------------------------------------------------------
BUDGET = {"search_time": "0.6 s", "track_dwell": "5 ms", "uplink_dwell": "10 ms", "revisit_engaged": "1 s",
          "revisit_threat": "2 s", "revisit_other": "4 s", "track_capacity": 100, "search_reserve": 0.2}


def _scenario(budget=None):
    sensor = {"name": "MFR", "type": "multifunction_radar", "position": {"lat": -19.61, "lon": -14.62, "alt": "80 m"},
              "facing": "270 deg"}
    if budget is not None:
        sensor["override"] = {"budget": budget}
    return {
        "name": "MFR budget", "duration": "6 min", "truth_sample": "5 s",
        "assets": [{"name": "Base", "position": {"lat": -19.60, "lon": -14.60, "alt": "40 m"}, "value": 100}],
        "sensors": [sensor],
        "fire_units": [{"name": "Dome", "position": {"lat": -19.58, "lon": -14.63, "alt": "40 m"},
                        "interceptor": "sr_interceptor", "launchers": 3, "missiles_per_launcher": 20, "reserve": 0,
                        "reload_time": "10 min", "fire_channels": 8, "radars": ["MFR"]}],
        "command_post": {"cycle": "2 s", "doctrine": {"mode": "shoot-look-shoot"}},
        "raids": [{"name": "Swarm", "threat": "owa_drone", "count": 40,
                   "launch_area": {"center": {"lat": -19.60, "lon": -15.05}, "radius": "8 km"},
                   "launch_window": {"start": "0 min", "end": "1 min"}, "targets": ["Base"]}],
    }


def _run(budget, seed=3):
    sim = Simulation(scenario_from_data(_scenario(budget), file="mfr.yaml"), seed)
    res = sim.run(tables=False)
    return sim, res


def _intervals(sched, cls):
    """Intervals between consecutive dwells on one track while it stayed in class ``cls``."""
    by = {}
    for t, i, c in sched.dwells:
        by.setdefault(i, []).append((t, c))
    out = [b[0] - a[0] for v in by.values() for a, b in zip(v, v[1:], strict=False) if a[1] == b[1] == cls]
    return np.array(out)


def test_an_overloaded_radar_updates_its_low_priority_tracks_less_often():
    """The same drone raid against a radar with 5 ms track dwells and one with 60 ms dwells (13 per frame of
    0.8 s): both keep their engaged tracks at the 1 s revisit; the loaded one stretches the others' 4 s
    intervals, its search slows (less than the whole sector in most frames), no frame is overbooked, and
    its engagements are held to floor(0.8 / (0.01 + 0.06)) = 11 at once (53 for the light one)."""
    light, _ = _run(None)
    heavy, _ = _run({**BUDGET, "track_dwell": "60 ms"})
    sl, sh = light.schedulers[0], heavy.schedulers[0]
    for s in (sl, sh):
        busy = [u * s.params.uplink_dwell + n * s.params.track_dwell for _, u, n, _, _ in s.frames]
        assert max(busy) <= s.params.budget + EPS
        engaged = _intervals(s, ENGAGED)
        assert engaged.size > 1000 and np.median(engaged) == 1.0 and engaged.min() >= 1.0 - EPS
        # a class is never revisited faster than it asks (threatening: 2 s; tracks may change class between)
        assert _intervals(s, THREATENING).min() >= 2.0 - EPS and _intervals(s, OTHER).min() >= 4.0 - EPS
    other_l, other_h = _intervals(sl, OTHER), _intervals(sh, OTHER)
    assert other_l.size > 500 and other_h.size > 200
    assert np.median(other_l) == 4.0 and np.mean(other_l) < 4.1
    assert np.mean(other_h) > 1.5 * np.mean(other_l)
    frac_l = np.array([f for *_, f in sl.frames])
    frac_h = np.array([f for *_, f in sh.frames])
    assert (frac_l == 1.0).all() and (frac_h < 1.0).mean() > 0.8
    assert light.fire_units.radar_channels[1].tolist() == [53]
    assert heavy.fire_units.radar_channels[1].tolist() == [11]


def test_budget_run_is_deterministic_and_without_budget_unchanged():
    a, ra = _run({**BUDGET, "track_dwell": "60 ms"}, seed=5)
    b, rb = _run({**BUDGET, "track_dwell": "60 ms"}, seed=5)
    sa, sb = copy.deepcopy(ra.summary), copy.deepcopy(rb.summary)
    for s in (sa, sb):
        s.pop("time", None)
    assert sa == sb and a.schedulers[0].dwells == b.schedulers[0].dwells
