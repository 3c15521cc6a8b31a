"""The fly-out keeps its own steps: a flight does not depend on when, or how often, it is advanced.

Before, every advance cut the interceptors' last step on the advance time, so an output setting (the truth
sample interval) moved miss distances by metres on the layered raid (up to 6.4 m, seed 1, 5 s against 4 s).
Now each interceptor steps ``min(dt, motor phase end)`` (fine near its closest approach) whatever the call
times, a state may stop up to one step past the advance time, output positions are taken back within that
step (:func:`iadsim.engagement.envelope.positions_at`), and a round that ends past the advance time is
resolved at the first advance at or after its end. The seeker's search skips candidates that provably
cannot be in range (:meth:`iadsim.threats.truth.ThreatTruth.motion_bounds`); it must take what the full
search takes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from iadsim.engagement import airframe as af
from iadsim.engagement.envelope import new_state, positions_at, run
from iadsim.engine.simulation import Simulation
from iadsim.physics.gravity import J2, NO_GRAVITY
from iadsim.scenario import scenario_from_data
from iadsim.scenario.catalog_models import InterceptorType
from iadsim.threats.truth import ThreatTruth

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
A_E = 6378137.0  # WGS-84 semi-major axis (m)
DT = 0.05


def _spec(**over) -> InterceptorType:
    """A drag-free, thrust-free interceptor with true PN (N = 4), a 0.2 s lag and a 20 km seeker."""
    d = {"layer": "middle", "launch_mass": "300 kg", "reference_area": "0.05 m^2",
         "motor": [{"thrust": 0, "burn_time": "1 s", "isp": "250 s"}],
         "drag": {"mach": [0.0, 10.0], "cd": [0.0, 0.0]}, "induced_drag_factor": 0.0, "cl_max": 1e6,
         "g_limit": 30.0, "time_constant": "0.2 s", "navigation_ratio": 4.0, "guidance": "pn",
         "launch_speed": "30 m/s", "guidance_delay": 0, "loft": 0.0, "seeker_range": "20 km",
         "seeker_half_angle": 60.0, "seeker_basket": "5 km", "max_flight_time": "200 s", "min_speed": 0,
         "min_range": 0, "max_altitude": "1000 km",
         "lethality": {"kind": "hit_to_kill", "radius": "0.5 m", "vulnerability": {"ballistic": 1.0}},
         "cost": 0.0}
    d.update(over)
    return InterceptorType(**d)


def _truth(p0, v0, t_end=120.0, h=1.0) -> ThreatTruth:
    """Targets at constant velocity (Hermite pieces reproduce a line exactly)."""
    p0, v0 = np.atleast_2d(p0).astype(float), np.atleast_2d(v0).astype(float)
    t = np.arange(0.0, t_end + 0.5 * h, h)
    pos = p0[:, None] + v0[:, None] * t[None, :, None]
    vel = np.broadcast_to(v0[:, None], pos.shape).copy()
    return ThreatTruth.build(ballistic=(t, pos, vel, np.full(p0.shape[0], np.nan)), t_launch=np.zeros(p0.shape[0]))


def _midcourse(n_targets=6, seed=3):
    """Four interceptors in midcourse toward cued points, among ``n_targets`` objects (two of them fast and
    far: they come into the seeker's range during a long advance), 12 km up over the equator."""
    rng = np.random.default_rng(seed)
    r0 = np.array([A_E + 12e3, 0.0, 0.0])
    p0 = r0 + np.c_[rng.uniform(-2e3, 2e3, n_targets), rng.uniform(25e3, 45e3, n_targets),
                    rng.uniform(-3e3, 3e3, n_targets)]
    v0 = np.c_[np.zeros(n_targets), -rng.uniform(200.0, 900.0, n_targets), np.zeros(n_targets)]
    p0[:2, 1] = 60e3  # fast and far: outside the seeker's range when the search starts
    v0[:2, 1] = -2500.0
    truth = _truth(p0, v0)
    n = 4
    st = new_state(n)
    st["y"][:, :3] = r0 + np.c_[np.zeros(n), np.arange(n) * 300.0, np.zeros(n)]
    st["y"][:, 3:6] = [0.0, 1200.0, 0.0]
    st["y"][:, 6] = 300.0
    st["phase"][:] = af.MIDCOURSE
    cue_rows = np.array([0, 1, 2, 3]) % n_targets
    st["cue"][:, :3] = p0[cue_rows] + v0[cue_rows] * 8.0  # where the uplink said they would be at t = 8 s
    st["cue"][:, 3:6] = v0[cue_rows]
    st["cue_t"][:] = 8.0
    st["aim"][:] = st["cue"][:, :3] + v0[cue_rows] * 5.0
    return st, truth


def _advance(st, table, truth, times, land):
    for t1 in times:
        run(st, t1, DT, False, NO_GRAVITY, False, table, np.ones(st["y"].shape[0], bool),
            np.arange(len(truth)), truth, np.ones(len(truth), bool), land=land)
    return st


def _copy(st):
    return {k: v.copy() for k, v in st.items()}


def test_a_flight_advanced_in_many_calls_is_the_flight_advanced_in_one():
    """The same interceptors advanced to 30 s in one call, and in 400 calls at irregular times (as the events
    of a run fall), end bit for bit in the same state: the steps are the flight's own."""
    table = af.AirframeTable.from_types([_spec()])
    st, truth = _midcourse()
    one = _advance(_copy(st), table, truth, [30.0], land=False)
    rng = np.random.default_rng(7)
    times = np.sort(rng.uniform(0.0, 30.0, 399)).tolist() + [30.0]
    many = _advance(_copy(st), table, truth, times, land=False)
    assert np.all(one["phase"] == af.DONE) and set(one["reason"].tolist()) == {af.CPA}
    for k in ("y", "aL", "t_now", "phase", "target", "reason", "t_end", "miss_vec", "rel_vel"):
        np.testing.assert_array_equal(one[k], many[k], err_msg=k)
    # the old behaviour (every call cuts the last step) gives another flight: the test can tell them apart
    cut = _advance(_copy(st), table, truth, times, land=True)
    assert not np.array_equal(cut["miss_vec"], one["miss_vec"])


def test_positions_at_takes_a_state_back_within_its_last_step():
    """After an advance that stops past ``t``, the interpolated position equals the flight advanced to land
    exactly on ``t`` (the last step cut there) within a millimetre; a state on ``t`` is returned unchanged."""
    table = af.AirframeTable.from_types([_spec()])
    st, truth = _midcourse()
    worst = 0.0
    for t in (0.37, 3.1234, 7.77, 11.01):
        free = _advance(_copy(st), table, truth, [t], land=False)
        land = _advance(_copy(st), table, truth, [t], land=True)
        rows = np.arange(st["y"].shape[0])
        assert np.all(free["t_now"] >= t - 1e-12) and np.all(free["t_now"] <= t + DT + 1e-12)
        assert np.any(free["t_now"] > t + 1e-9)
        np.testing.assert_allclose(land["t_now"], t, atol=1e-12)
        worst = max(worst, float(np.abs(positions_at(free, rows, t) - land["y"][:, :3]).max()))
        np.testing.assert_array_equal(positions_at(land, rows, t), land["y"][:, :3])
    assert worst < 1e-3, worst


def test_motion_bounds_bound_every_displacement():
    """``|p(t) - p(t')| <= v_max |t - t'| + jump`` on 20,000 random pairs of in-flight times of the quickstart
    raid's threats (ballistic missiles and drones), and the bound is not vacuous: ``v_max`` is within 15 % of
    the largest sampled speed of each threat (it adds ``|a| S`` over a piece of length ``S``: about 120 m/s
    for a re-entry vehicle decelerating at 12 g over 1 s pieces)."""
    c = scenario_from_data(yaml.safe_load((EXAMPLES / "quickstart.yaml").read_text()))
    truth = Simulation(c, 1).threats.truth
    v_max, jump = truth.motion_bounds()
    rng = np.random.default_rng(11)
    n = len(truth)
    rows = rng.integers(0, n, 20000)
    t0 = truth.t_launch[rows] + rng.uniform(0.0, 1.0, rows.size) * truth.duration[rows]
    t1 = truth.t_launch[rows] + rng.uniform(0.0, 1.0, rows.size) * truth.duration[rows]
    p0, _ = truth.state(t0, rows)
    p1, _ = truth.state(t1, rows)
    d = np.linalg.norm(p1 - p0, axis=1)
    assert np.all(d <= v_max[rows] * np.abs(t1 - t0) + jump[rows] + 1e-6)
    for i in range(n):
        ts = truth.t_launch[i] + np.linspace(0.0, truth.duration[i], 2001)
        _, v = truth.state(ts, np.full(ts.size, i))
        top = np.linalg.norm(v, axis=1).max()
        assert top <= v_max[i] <= 1.15 * top, (i, top, v_max[i])


class _NoBounds:
    """A truth whose motion bounds are infinite: the seeker's search then evaluates every candidate."""

    def __init__(self, truth):
        self._t = truth

    def __len__(self):
        return len(self._t)

    def kernel_arrays(self):
        return self._t.kernel_arrays()

    def motion_bounds(self):
        return np.full(len(self._t), np.inf), np.zeros(len(self._t))


def test_the_seekers_skip_takes_what_the_full_search_takes():
    """Interceptors searching among objects, two of which enter the seeker's range during a 14 s advance
    (at about 11 s, after the others' searches placed every candidate):
    with the skip (the truth's motion bounds) and without it (infinite bounds) the flights are the same,
    bit for bit, and the fast objects are acquired."""
    table = af.AirframeTable.from_types([_spec()])
    st, truth = _midcourse()
    # the last two interceptors are cued on the fast objects: the first two search earlier (the kernel takes
    # the rows in order), so the candidates are placed while the fast ones are still far
    st["cue"][2:, :3] = [A_E + 12e3, 60e3 - 2500.0 * 8.0, 0.0]
    st["cue"][2:, 3:6] = [0.0, -2500.0, 0.0]
    st["cue"][:2, :3] = st["y"][:2, :3] + [0.0, 15e3 + 1200.0 * 8.0, 0.0]  # in range at once: search from t = 0
    st["cue"][:2, 3:6] = 0.0
    fast = _advance(_copy(st), table, truth, [14.0], land=False)
    full = _advance(_copy(st), table, _NoBounds(truth), [14.0], land=False)
    for k in ("y", "t_now", "phase", "target", "reason", "t_end", "miss_vec"):
        np.testing.assert_array_equal(fast[k], full[k], err_msg=k)
    assert set(fast["target"][2:].tolist()) <= {0, 1} and np.all(fast["target"][2:] >= 0), fast["target"]


@pytest.fixture(scope="module")
def quickstart():
    return yaml.safe_load((EXAMPLES / "quickstart.yaml").read_text())


def test_the_output_sampling_does_not_change_the_engagements(quickstart):
    """The quickstart run with truth samples every 5 s and every 2 s: the same engagements and events, to
    the bit (the sampled tables differ, as they should)."""
    out = []
    for dt in ("5 s", "2 s"):
        d = dict(quickstart)
        d["truth_sample"] = dt
        out.append(Simulation(scenario_from_data(d), 1).run().tables)
    a, b = out
    assert a["engagements"].num_rows > 0
    assert a["engagements"].equals(b["engagements"])
    assert a["events"].equals(b["events"])
    assert a["truth"].num_rows != b["truth"].num_rows


def _lr_round(aim, t0, t_guess):
    """The catalog's long-range round (it has a kill vehicle) on the launcher at sea level on the equator at
    time ``t0``, launched toward ``aim`` (its launch direction for a flight of ``t_guess``): type table, state."""
    from iadsim.scenario.catalog import resolve

    spec = resolve("interceptor", "lr_interceptor")
    table = af.AirframeTable.from_types([spec])
    r0 = np.array([A_E, 0.0, 0.0])
    u = af.launch_direction(r0[None, :], aim[None, :], np.array([t_guess]), spec.loft, spec.seeker_range)[0]
    st = new_state(1)
    st["y"][0, :3] = r0
    st["y"][0, 3:6] = u * table.P[0, af.C_V0]
    st["y"][0, 6] = table.P[0, af.C_MASS0]
    st["dv_left"][:] = table.P[0, af.C_DIVERT_DV]
    st["t_now"][:] = st["t_launch"][:] = t0
    st["phase"][:] = af.LAUNCH
    st["aim"][0] = aim
    st["cue"][0, :3] = aim
    st["cue_t"][:] = t0
    return table, st


def test_the_flight_is_the_same_whatever_the_launch_time():
    """Times are absolute, so a step ending on the guidance delay or the booster's burnout lands on it only to
    rounding. The guidance must start, and the kill vehicle separate, on the step that starts there in every
    case: the same long-range round launched at 40 different absolute times (advanced at random times) flies
    the same flight relative to its launch (30 s, through burnout and separation) within a centimetre. With
    strict tests the rounding fell short for some launch times and the event came one 50 ms step later:
    those flights ended 111.6 m (guidance delay) and 6.9 m (separation) apart."""
    aim = np.array([A_E + 30e3, 150e3, 60e3])  # far: no seeker search or end within the 30 s flown
    rng = np.random.default_rng(5)
    launches = np.concatenate([[0.0], rng.uniform(100.0, 5000.0, 39)])
    ends = []
    for t0 in launches:
        table, st = _lr_round(aim, t0, 120.0)
        burn = float(table.P[0, af.C_TBURN])
        assert 0.0 < burn < 30.0 and table.P[0, af.C_KV_MASS] > 0.0
        for t1 in [*(t0 + np.sort(rng.uniform(0.0, 30.0, 60))), t0 + 30.0]:
            run(st, t1, DT, False, J2, True, table, np.ones(1, bool), np.zeros(0, np.int64), None, land=False)
        assert st["phase"][0] != af.DONE, af.REASON_NAMES[st["reason"][0]]
        assert st["y"][0, 6] == table.P[0, af.C_KV_MASS]
        ends.append(positions_at(st, [0], t0 + 30.0)[0])
    ends = np.array(ends)
    assert np.abs(ends - ends[0]).max() < 1e-2, np.abs(ends - ends[0]).max(axis=1)


def test_the_time_limit_ends_every_flight_on_time_whatever_the_launch_time():
    """A flight's clock is the sum of its steps (``age``), not the absolute time less the launch time, whose
    rounding grows with the absolute time: the same round launched at 0 s and up to 20,000 s after the
    start ends at its 80 s flight-time limit on the same step (before, every launch after 8,192 s ended one
    50 ms step late: 80.05 s)."""
    aim = np.array([A_E, 2000e3, 1500e3])  # far out of reach: the flight runs into its time limit
    rng = np.random.default_rng(9)
    ends = []
    for t0 in (0.0, 4321.987, 8300.0, 12000.0, 19876.5):
        table, st = _lr_round(aim, t0, 300.0)
        t_max = float(table.P[0, af.C_TMAX])
        for t1 in [*(t0 + np.sort(rng.uniform(0.0, t_max + 5.0, 100))), t0 + t_max + 5.0]:
            run(st, t1, DT, False, J2, True, table, np.ones(1, bool), np.zeros(0, np.int64), None, land=False)
        assert af.REASON_NAMES[st["reason"][0]] == "timeout"
        ends.append((st["t_end"][0] - t0, st["age"][0], st["y"][0].copy()))
    for dt_end, age, y in ends:
        assert abs(dt_end - t_max) < 1e-6 and abs(age - t_max) < 1e-9, (dt_end, age)
        np.testing.assert_array_equal(y, ends[0][2])  # the same flight, bit for bit
