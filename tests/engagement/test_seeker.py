"""Seeker acquisition in the fly-out kernel (``iadsim.engagement.airframe.advance``, midcourse phase).

The rule (airframe module docstring): a midcourse interceptor acquires an object of the raid that is alive,
inside its ``seeker_range``, inside the gimbal cone of ``seeker_half_angle`` about its velocity and inside
the hand-over basket of radius ``seeker_basket`` about the uplinked cue (the cue's position extrapolated at
its velocity from its time); of several, the one nearest the cue wins. With nothing acquired, the
interceptor ends ``NO_ACQUISITION`` when it passes its aim point.

Hand-computed geometry, driven through ``envelope.new_state / run``: gravity off (``NO_GRAVITY``, no
rotation), a drag-free, thrust-free interceptor (so it flies straight at constant speed while its aim is
dead ahead), 1000 m/s due north from 25 km above the equator at 0 E; objects at constant velocity
(``ThreatTruth`` Hermite pieces reproduce a straight line exactly). Local frame at the start point: up = +x,
east = +y, north = +z (ECEF). Seeker: range 20 km, half-angle 30 deg, basket 2 km. Every negative case has
a control differing in the one property its name gives.
"""

import numpy as np
import pytest

from iadsim.engagement import airframe as af
from iadsim.engagement.envelope import new_state, run
from iadsim.physics.gravity import NO_GRAVITY
from iadsim.scenario.catalog_models import InterceptorType
from iadsim.threats.truth import ThreatTruth

A_E = 6378137.0
O = np.array([A_E + 25e3, 0.0, 0.0])
UP, EAST, NORTH = np.eye(3)
V = 1000.0
DT = 0.05
SEEK_R, HALF_DEG, BASKET = 20e3, 30.0, 2e3


def _spec():
    """Drag-free, thrust-free, lift never limiting (the approach of test_airframe.make_spec)."""
    d = {"layer": "middle", "launch_mass": "300 kg", "reference_area": "0.05 m^2",
         "motor": [{"thrust": 0, "burn_time": "1 s", "isp": "250 s"}],
         "drag": {"mach": [0.0, 10.0], "cd": [0.0, 0.0]}, "induced_drag_factor": 0.0, "cl_max": 1e6,
         "g_limit": 200.0, "time_constant": 0, "navigation_ratio": 4.0, "guidance": "pn",
         "launch_speed": f"{V} m/s", "guidance_delay": 0, "loft": 0.0, "seeker_range": f"{SEEK_R} m",
         "seeker_half_angle": HALF_DEG, "seeker_basket": f"{BASKET} m", "max_flight_time": "2000 s",
         "min_speed": 0, "min_range": 0, "max_altitude": "1000 km",
         "lethality": {"kind": "hit_to_kill", "radius": "0.5 m", "vulnerability": {"ballistic": 1.0}},
         "cost": 0.0}
    return InterceptorType(**d)


TABLE = af.AirframeTable.from_types([_spec()])


def at(north=0.0, east=0.0, up=0.0):
    """ECEF point at local (north, east, up) metres from the start point."""
    return O + north * NORTH + east * EAST + up * UP


def truth_of(p0, v=None, t_end=120.0):
    """Constant-velocity objects from ``t = 0``: ``p0 (n, 3)``, ``v (n, 3)`` ECEF."""
    p0 = np.atleast_2d(np.asarray(p0, float))
    v = np.zeros_like(p0) if v is None else np.atleast_2d(np.asarray(v, float))
    t = np.arange(0.0, t_end + 0.5, 1.0)
    pos = p0[:, None] + v[:, None] * t[None, :, None]
    vel = np.broadcast_to(v[:, None], pos.shape).copy()
    return ThreatTruth.build(ballistic=(t, pos, vel, np.full(p0.shape[0], np.nan)),
                             t_launch=np.zeros(p0.shape[0]))


def state(cue, aim, cue_vel=None, cue_t=0.0, heading=NORTH):
    st = new_state(1)
    st["y"][0, :3] = O
    st["y"][0, 3:6] = V * heading
    st["y"][0, 6] = 300.0
    st["phase"][0] = af.MIDCOURSE
    st["max_phase"][0] = af.MIDCOURSE
    st["aim"][0] = aim
    st["cue"][0, :3] = cue
    st["cue"][0, 3:] = 0.0 if cue_vel is None else cue_vel
    st["cue_t"][0] = cue_t
    return st


def fly(st, truth, t1, alive=None):
    n = len(truth)
    alive = np.ones(n, bool) if alive is None else np.asarray(alive, bool)
    run(st, t1, DT, False, NO_GRAVITY, False, TABLE, np.ones(1, bool), np.arange(n), truth, alive)
    return st


def acquired(st):
    return int(st["target"][0]) if st["phase"][0] != af.MIDCOURSE else None


# --- the hand-over basket -----------------------------------------------------------------------------------

def test_outside_the_basket_not_acquired_and_no_acquisition_at_the_aim_point():
    """Object 3 km east of the cue (basket 2 km), 10.4 km away at 16.7 deg off the nose: not acquired; the
    interceptor flies straight to its aim point 10 km ahead and ends there, at t = 10 s."""
    cue = aim = at(north=10e3)
    st = fly(state(cue, aim), truth_of([at(north=10e3, east=3e3)]), 30.0)
    assert st["reason"][0] == af.NO_ACQUISITION
    assert st["target"][0] == -1 and st["max_phase"][0] == af.MIDCOURSE
    assert st["t_end"][0] == pytest.approx(10.0, abs=1e-6)
    assert np.linalg.norm(st["miss_vec"][0]) < 1e-3  # it passes through the aim point


def test_inside_the_basket_acquired_control():
    cue = aim = at(north=10e3)
    st = fly(state(cue, aim), truth_of([at(north=10e3, east=1.9e3)]), DT)
    assert acquired(st) == 0 and st["phase"][0] == af.TERMINAL


@pytest.mark.parametrize("near_first", [True, False])
def test_two_in_the_basket_the_one_nearest_the_cue_wins(near_first):
    """A: 1.12 km from the cue but 9.0 km from the interceptor; B: 0.6 km from the cue, 10.6 km away. B wins
    (nearest the cue, not nearest the interceptor, not the first or last id)."""
    cue = aim = at(north=10e3)
    a, b = at(north=9e3, east=0.5e3), at(north=10.6e3)
    objs = [b, a] if near_first else [a, b]
    truth = truth_of(objs)
    st = fly(state(cue, aim), truth, DT)
    want = 0 if near_first else 1
    assert acquired(st) == want
    # then it homes on B and ends at its closest approach to it, 10.6 km ahead
    fly(st, truth, 30.0)
    assert st["reason"][0] == af.CPA and st["target"][0] == want
    assert np.linalg.norm(st["miss_vec"][0]) < 0.5
    assert st["t_end"][0] == pytest.approx(10.6, abs=0.01)


def test_the_basket_is_about_the_cue_extrapolated_to_now():
    """Cue uplinked 25 s ago 2.5 km west of where it is now (it moves east at 100 m/s). Object M moves with
    it (at the extrapolated cue now); object S sits 0.2 km from the stale cue, 2.3 km from the current one.
    M wins; a kernel using the stale cue would take S (and would not see M, 2.5 km off)."""
    now = at(north=10e3)
    v_east = 100.0 * EAST
    cue_then = now - 25.0 * v_east
    truth = truth_of([now, cue_then + 0.2e3 * EAST], [v_east, np.zeros(3)])
    st = fly(state(cue_then, now, cue_vel=v_east, cue_t=-25.0), truth, DT)
    assert acquired(st) == 0


# --- the gimbal cone -------------------------------------------------------------------------------------

def test_an_object_behind_is_ignored():
    """Object 3 km behind, the cue on it: in range and in the basket, outside the cone: never acquired."""
    behind = at(north=-3e3)
    st = fly(state(behind, at(north=10e3)), truth_of([behind]), 30.0)
    assert st["reason"][0] == af.NO_ACQUISITION and st["target"][0] == -1
    assert st["t_end"][0] == pytest.approx(10.0, abs=1e-6)


def test_the_same_object_ahead_is_acquired_control():
    ahead = at(north=3e3)
    st = fly(state(ahead, at(north=10e3)), truth_of([ahead]), DT)
    assert acquired(st) == 0


@pytest.mark.parametrize("off_deg,seen", [(HALF_DEG - 1.0, True), (HALF_DEG + 1.0, False)])
def test_cone_edge(off_deg, seen):
    """Object 8 km away at 29 / 31 deg off the velocity (half-angle 30 deg), the cue on it."""
    a = np.radians(off_deg)
    p = at(north=8e3 * np.cos(a), east=8e3 * np.sin(a))
    st = fly(state(p, at(north=10e3)), truth_of([p]), DT)
    assert (acquired(st) == 0) is seen


def test_the_cone_is_about_the_velocity_not_the_aim():
    """Interceptor heading east, aim and object north: the object is 90 deg off the velocity, unseen."""
    p = at(north=8e3)
    st = fly(state(p, p, heading=EAST), truth_of([p]), DT)
    assert acquired(st) is None
    st = fly(state(p, p, heading=NORTH), truth_of([p]), DT)
    assert acquired(st) == 0


# --- the seeker range ----------------------------------------------------------------------------------------

def test_acquired_once_inside_the_seeker_range():
    """Object and cue 25 km ahead, range 20 km: out of range until t = 5 s (d = 25 km - V t)."""
    p = at(north=25e3)
    truth = truth_of([p])
    st = fly(state(p, p), truth, 4.9)
    assert acquired(st) is None, "acquired beyond the seeker range"
    fly(st, truth, 5.1)
    assert acquired(st) == 0


# --- dead objects -------------------------------------------------------------------------------------------

def test_a_dead_object_is_ignored():
    cue = aim = at(north=10e3)
    dead, live = at(north=10e3), at(north=10e3, east=1e3)
    truth = truth_of([dead, live])
    st = fly(state(cue, aim), truth, DT, alive=[False, True])
    assert acquired(st) == 1
    st = fly(state(cue, aim), truth, DT, alive=[True, True])
    assert acquired(st) == 0  # control: alive, it is the nearest to the cue


def test_only_a_dead_object_no_acquisition():
    cue = aim = at(north=10e3)
    st = fly(state(cue, aim), truth_of([cue]), 30.0, alive=[False])
    assert st["reason"][0] == af.NO_ACQUISITION and st["target"][0] == -1


def test_an_object_not_among_the_candidates_is_ignored():
    """The kernel looks only at the candidate ids it is given (the engine passes the threats in flight)."""
    cue = aim = at(north=10e3)
    truth = truth_of([cue, at(north=10e3, east=1e3)])
    st = state(cue, aim)
    run(st, DT, DT, False, NO_GRAVITY, False, TABLE, np.ones(1, bool), np.array([1]), truth, np.ones(2, bool))
    assert acquired(st) == 1
