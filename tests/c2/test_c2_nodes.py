"""Threats to the defense (issue 10): an anti-radiation missile destroys the radar it homes on, which then stops
scanning and producing detections; EMCON silence over its impact makes it lose the emitter; a destroyed command
post leaves its fire units autonomous."""

from copy import deepcopy

import numpy as np

from iadsim.engine.simulation import Simulation
from iadsim.scenario.load import scenario_from_data

BASE = {
    "name": "ARMs against a surveillance radar",
    "duration": "5 min",
    "assets": [{"name": "Port Aurel", "position": {"lat": -20.0, "lon": -15.0, "alt": "10 m"}, "value": 100}],
    "sensors": [{"name": "EW-1", "type": "surveillance_radar", "position": {"lat": -20.0, "lon": -15.1, "alt": "30 m"}},
                {"name": "FCR-1", "type": "fire_control_radar", "facing": "270 deg",
                 "position": {"lat": -20.0, "lon": -15.05, "alt": "30 m"}}],
    "raids": [{"name": "ARMs", "threat": "arm", "count": 2, "targets": ["EW-1"],
               "launch_area": {"center": {"lat": -20.0, "lon": -15.8}, "radius": "1 km"},
               "launch_window": {"start": "10 s", "end": "20 s"}}],
}


def simulate_with_spy(data, seed=3):
    sim = Simulation(scenario_from_data(data), seed)
    scans = {k: [] for k in range(len(sim.radars))}
    for k, radar in enumerate(sim.radars):
        def spy(t, *args, _k=k, _m=radar.measure, **kw):
            det = _m(t, *args, **kw)
            scans[_k].append((t, len(det)))
            return det
        radar.measure = spy
    result = sim.run()
    ev = result.tables["events"].to_pydict()
    log = list(zip(ev["time"], ev["kind"], ev["detail"], strict=True))
    return sim, scans, log


def test_arm_destroys_the_emitting_radar_which_stops_detecting():
    sim, scans, log = simulate_with_spy(deepcopy(BASE))
    killed = [(t, d) for t, k, d in log if k == "node_destroyed"]
    assert len(killed) == 1 and killed[0][1] == "EW-1"
    t_kill = killed[0][0]
    impacts = sim.threats.t_end[:2]
    assert t_kill == impacts.min()  # the first ARM to arrive
    assert any(n > 0 for t, n in scans[0] if t < t_kill)  # it was detecting before
    assert scans[0] and max(t for t, _ in scans[0]) < t_kill  # no scan at all after its loss
    assert max(t for t, _ in scans[1]) > t_kill + 60  # the other radar goes on
    assert not sim.c2.radar_alive(0) and sim.c2.radar_alive(1)


def test_emcon_silence_over_the_impact_defeats_the_arm():
    data = deepcopy(BASE)
    sim0, _, _ = simulate_with_spy(deepcopy(BASE))
    t_imp = sim0.threats.t_end[:2]
    lo, hi = float(t_imp.min()) - 20.0, float(t_imp.max()) + 20.0
    data["emcon"] = [{"radar": "EW-1", "silent": [{"start": f"{lo} s", "end": f"{hi} s"}]}]
    sim, scans, log = simulate_with_spy(data)
    assert not [1 for _, k, _ in log if k == "node_destroyed"]
    assert sum(k == "arm_lost_emitter" for _, k, _ in log) == 2
    times = np.array([t for t, _ in scans[0]])
    assert not np.any((times >= lo) & (times < hi))  # silent: no scans in the window
    assert np.any(times >= hi) and np.any(times < lo)  # and scanning again after it


def test_destroyed_command_post_leaves_its_units_autonomous():
    data = deepcopy(BASE)
    data["command_post"] = {"name": "CP", "position": {"lat": -20.0, "lon": -15.2, "alt": "10 m"}}
    # a battery far from the command post cannot defend it from the cruise missile aimed at it
    data["fire_units"] = [{"name": "Bravo-1", "position": {"lat": -20.0, "lon": -13.5, "alt": "20 m"},
                           "interceptor": "sr_interceptor", "launchers": 1, "missiles_per_launcher": 2,
                           "fire_channels": 1, "radars": []}]
    data["raids"] = [{"name": "At the CP", "count": 1, "targets": ["CP"],
                      "threat": {"type": "cruise_missile", "override": {"p_damage": 1.0}},
                      "launch_area": {"center": {"lat": -20.0, "lon": -15.7}, "radius": "0 km"},
                      "launch_window": {"start": "0 s", "end": "0 s"}}]
    data["duration"] = "6 min"
    sim, _, log = simulate_with_spy(data)
    t_imp = float(sim.threats.t_end[0])
    assert t_imp < 360.0
    got = [(t, k, d) for t, k, d in log if k in ("node_destroyed", "c2_autonomous")]
    assert got == [(t_imp, "node_destroyed", "CP"), (t_imp, "c2_autonomous", "engage on own radars")]
    assert not sim.c2.cp_alive and sim.c2.autonomous.tolist() == [True]
