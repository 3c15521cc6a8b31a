"""A stand-off aircraft end to end: launch, release of its two cruise missiles, egress.

The scenario: one strike fighter (catalog ``fighter``: 250 m/s at 6 km, two ``cruise_missile`` released
150 km from the aim, 2 s apart, then back along its route) launched at t = 60 s from a point 400-odd km west
of Port Aurel, defended by one medium-range battery at the port. Times are computed independently of the
waypoint code from geodesic ground lengths (``pymap3d.vincenty.vdist`` on WGS-84): release at
``60 + (D - 150 km) / 250``, egress complete at ``60 + 2 (D - 150 km) / 250``; the missiles' ends follow
from their own path. The event trace of the aircraft and its weapons is checked in full, in order; the
battery (60 km reach) never engages the aircraft, which stays 150 km out.
"""

import numpy as np
import pytest
from pymap3d.vincenty import vdist

from iadsim.engine.simulation import Simulation
from iadsim.scenario.load import scenario_from_data
from iadsim.status import CANCELLED, INTERCEPTED, LEAKED

LAUNCH = (-20.0, -19.0)
ASSET = (-20.0, -15.0)


def _scenario():
    return scenario_from_data({
        "name": "stand-off strike", "origin": {"lat": ASSET[0], "lon": ASSET[1]}, "duration": "60 min",
        "assets": [{"name": "Port Aurel", "position": {"lat": ASSET[0], "lon": ASSET[1], "alt": "0 m"},
                    "value": 100}],
        "sensors": [{"name": "FCR-1", "type": "fire_control_radar",
                     "position": {"lat": -20.0, "lon": -15.05, "alt": "30 m"}, "facing": "270 deg"}],
        "fire_units": [{"name": "Bravo-1", "position": {"lat": -20.0, "lon": -15.05, "alt": "20 m"},
                        "interceptor": "mr_interceptor", "launchers": 4, "missiles_per_launcher": 4,
                        "fire_channels": 4, "radars": ["FCR-1"]}],
        "command_post": {"cycle": "2 s"},
        "raids": [{"name": "strike", "threat": "fighter", "count": 1,
                   "launch_area": {"center": {"lat": LAUNCH[0], "lon": LAUNCH[1]}, "radius": "0 m"},
                   "launch_window": {"start": "60 s", "end": "60 s"}, "targets": ["Port Aurel"]}],
    })


@pytest.fixture(scope="module")
def run():
    c = _scenario()
    sim = Simulation(c, 3)
    res = sim.run()
    return c, sim, res


def test_the_aircraft_releases_its_weapons_and_egresses(run):
    c, sim, res = run
    th = sim.threats
    D = vdist(*LAUNCH, *ASSET)[0]
    t_rel = 60.0 + (D - 150e3) / 250.0
    t_back = 60.0 + 2 * (D - 150e3) / 250.0
    assert len(th) == 3 and th.cls.tolist() == [3, 1, 1] and th.parent.tolist() == [-1, 0, 0]
    # the weapons leave at the release point, 2 s apart
    assert th.t_launch[1] == pytest.approx(t_rel, rel=2e-3)
    assert th.t_launch[2] - th.t_launch[1] == pytest.approx(2.0, abs=1e-9)
    p_rel, _ = th.truth.state(th.t_launch[1], np.array([0]))
    from iadsim.frames import ecef2geodetic

    la, lo, alt = (float(np.ravel(x)[0]) for x in ecef2geodetic(p_rel))
    assert vdist(np.degrees(la), np.degrees(lo), *ASSET)[0] == pytest.approx(150e3, rel=5e-3)
    assert alt == pytest.approx(6000.0, abs=1.0)
    # the aircraft turns back and flies home: its flight ends at the launch point
    assert th.t_end[0] == pytest.approx(t_back, rel=2e-3)
    la, lo, _ = (float(np.ravel(x)[0]) for x in ecef2geodetic(th.truth.end_pos[0][None]))
    assert vdist(np.degrees(la), np.degrees(lo), *LAUNCH)[0] < 100.0

    ev = res.tables["events"].to_pydict()
    mine = [(round(t, 3), k, j) for t, k, j in zip(ev["time"], ev["kind"], ev["threat"], strict=True)
            if j == 0 or (k in ("weapon_release",) and j in (1, 2))]
    assert [k for _, k, _ in mine] == ["threat_launch", "weapon_release", "weapon_release", "leak"]
    assert [j for _, _, j in mine] == [0, 1, 2, 0]
    assert mine[0][0] == 60.0 and mine[1][0] == pytest.approx(th.t_launch[1], abs=1e-3)
    leak = [d for k, j, d in zip(ev["kind"], ev["threat"], ev["detail"], strict=True) if k == "leak" and j == 0]
    assert leak == ["aircraft egressed"]
    # an egressing aircraft does no damage; the battery never engages it (it stays 150 km out)
    eng = res.tables["engagements"].to_pydict()
    assert 0 not in eng["threat"]
    # the weapons end intercepted or leaking, and each weapon's end is logged once
    assert set(sim.threat_state.status[1:].tolist()) <= {INTERCEPTED, LEAKED}
    assert sim.threat_state.status[0] == LEAKED
    assert res.summary["threats"]["by_class"]["aircraft"] == {"launched": 1, "intercepted": 0, "leaked": 1,
                                                               "in_flight": 0}
    assert res.summary["threats"]["by_class"]["cruise"]["launched"] == 2


def test_weapons_of_an_aircraft_shot_down_before_release_are_never_launched(run):
    c, sim0, _ = run
    sim = Simulation(c, 3)
    th = sim.threats
    ts = sim.threat_state
    ts.on_launch(60.0, 0)
    ts.kill(0, th.t_launch[1] - 10.0)
    ts.on_launch(th.t_launch[1], 1)
    ts.on_launch(th.t_launch[2], 2)
    assert ts.status.tolist() == [INTERCEPTED, CANCELLED, CANCELLED]
    assert not ts.flying(th.t_launch[2] + 1.0).any()


def test_time_on_target_coordinates_arrivals():
    """A wave of drones and one of SRBMs from different ranges, each timed to arrive at 20 min (+ 30 s):
    every threat's flight ends inside [tot, tot + spread], whatever its own flight time."""
    from iadsim.engine.raid import realize_raids
    from iadsim.engine.simulation import component_rng

    d = {"name": "tot", "origin": {"lat": ASSET[0], "lon": ASSET[1]}, "duration": "40 min",
         "assets": [{"name": "A", "position": {"lat": ASSET[0], "lon": ASSET[1], "alt": "0 m"}, "value": 10}],
         "sensors": [{"name": "R", "type": "fire_control_radar", "position": {"lat": -20.0, "lon": -15.05}}],
         "raids": [{"name": "drones", "threat": "owa_drone", "count": 6, "targets": ["A"],
                    "launch_area": {"center": {"lat": -20.0, "lon": -15.6}, "radius": "20 km"},
                    "time_on_target": {"time": "20 min", "spread": "30 s"}},
                   {"name": "bm", "threat": "srbm", "count": 3, "targets": ["A"],
                    "launch_area": {"center": {"lat": -20.3, "lon": -18.0}, "radius": "30 km"},
                    "time_on_target": {"time": "20 min", "spread": "30 s"}}]}
    c = scenario_from_data(d)
    th = realize_raids(c, component_rng(5, "raid"))
    arrive = th.t_end[th.role == 0]
    assert (arrive >= 1200.0 - 1e-6).all() and (arrive <= 1230.0 + 1e-6).all()
    # and the launch times differ by the flight times (drones fly for ~12 min, the SRBMs for ~5)
    assert th.t_launch[th.cls == 2].max() < 1200.0 - 600.0 < th.t_launch[th.cls == 0].min()
