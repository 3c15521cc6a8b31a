"""The radar stressors in a whole run (examples/scenarios/contested.yaml) and their scenario language."""

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from iadsim.engine.simulation import Simulation
from iadsim.errors import InputError
from iadsim.scenario.catalog import resolve
from iadsim.scenario.load import scenario_from_data

ROOT = Path(__file__).resolve().parents[2]
CONTESTED = ROOT / "examples" / "scenarios" / "contested.yaml"


def _contested(**changes):
    d = yaml.safe_load(CONTESTED.read_text())
    d.update(changes)
    return d


def test_radar_types_and_scenarios_without_the_new_fields_hash_as_before():
    # the scenario hash covers the radar types' dumps: a type that does not give the new fields dumps (and so
    # hashes) as before, so scenarios without them keep their hash
    dump = resolve("radar", "fire_control_radar").model_dump()
    assert "bandwidth" not in dump and "scan" not in dump
    assert resolve("radar", "mfr_fire_control_radar").model_dump()["bandwidth"] == 5e6


def test_contested_run_jams_triangulates_and_is_deterministic():
    """15 minutes of the contested scenario: the jammers strobe, strobes of two radars become fixes, a
    confirmed track follows the stand-off jammer on its racetrack, SR-1 goes silent as the ARMs close and
    survives them, and the same seed gives the same summary."""
    c = scenario_from_data(_contested(duration="15 min"), file=str(CONTESTED))
    assert c.terrain is not None and len(c.jammers) == 2
    sim = Simulation(c, 4)
    res = sim.run(tables=False)
    assert sim.n_strobes > 100 and sim.strobes.n_fixes > 50
    # the stand-off jammer flies its racetrack: a confirmed track follows it
    soj = c.jammers[0].orbit.ecef(c.duration)
    tracks = sim.tracker.predict_confirmed(c.duration)
    assert len(tracks) and np.min(np.linalg.norm(tracks.x[:, :3] - soj, axis=1)) < 5e3
    # SR-1's EMCON rule: silent while the ARMs close, so each of them loses the emitter and SR-1 survives
    kinds = sim.log.events["kind"]
    assert kinds.count("emcon_silent") >= 1 and kinds.count("arm_lost_emitter") == 4
    assert "node_destroyed" not in kinds and sim.c2.radar_alive(0)
    assert res.summary["emcon"]["SR-1"]["silent_s"] > 60.0
    again = Simulation(scenario_from_data(_contested(duration="15 min"), file=str(CONTESTED)), 4).run(tables=False)
    strip = lambda s: {k: v for k, v in s.items() if k != "time"}
    assert strip(res.summary) == strip(again.summary)


def test_jammer_declarations_are_checked():
    d = _contested()
    bad = copy.deepcopy(d)
    bad["jammers"][0]["raid"] = "Strike fighters"
    with pytest.raises(InputError, match="exactly one"):
        scenario_from_data(bad)
    bad = copy.deepcopy(d)
    bad["jammers"][1]["raid"] = "Bombers"
    with pytest.raises(InputError, match=r"jammers\[1\]\.raid: jammer rides on raid 'Bombers', which is not a "
                                         r"declared raid"):
        scenario_from_data(bad)
    bad = copy.deepcopy(d)
    bad["jammers"][0]["power"] = "100 km"
    with pytest.raises(InputError, match=r"jammers\[0\]\.power: .*not a power"):
        scenario_from_data(bad)
    bad = copy.deepcopy(d)
    bad["jammers"][0]["gain"] = 20
    with pytest.raises(InputError, match="decibels"):
        scenario_from_data(bad)
    bad = copy.deepcopy(d)
    bad["sensors"][0]["type"] = "surveillance_radar"
    with pytest.raises(InputError, match=r"sensors\[0\]\.type: the scenario has jammers, but radar type "
                                         r"'surveillance_radar' cannot be jammed: it lacks frequency"):
        scenario_from_data(bad)
    bad = copy.deepcopy(d)
    bad["sensors"][0]["override"] = {"scan": "rotating", "azimuth_width": "90 deg"}
    with pytest.raises(InputError, match="scan: rotating needs azimuth_width 360 deg"):
        scenario_from_data(bad)


ORBIT = {"center": {"lat": -19.9, "lon": -16.2}, "altitude": "9 km", "heading": "0 deg", "leg_length": "60 km",
         "radius": "20 km", "speed": "200 m/s"}


@pytest.mark.parametrize(("change", "match"), [
    ({"position": {"lat": -19.9, "lon": -15.9, "alt": "9 km"}},
     r"jammers\[0\]: .*raid \(raid: NAME\), fixed \(position: \.\.\.\), flies an orbit "
     r"\(orbit: \.\.\.\) or escorts a raid \(escort: \{raid, behind\}\), exactly one"),
    ({"orbit": None}, r"jammers\[0\]: .*exactly one"),
    ({"position": None, "orbit": {**ORBIT, "speed": "0 m/s"}}, r"jammers\[0\]\.orbit\.speed: .*greater than 0"),
    ({"position": None, "orbit": {**ORBIT, "speed": "-200 m/s"}}, r"jammers\[0\]\.orbit\.speed"),
    ({"position": None, "orbit": {**ORBIT, "radius": "0 km"}}, r"jammers\[0\]\.orbit\.radius: .*greater than 0"),
    ({"position": None, "orbit": {**ORBIT, "radius": "-5 km"}}, r"jammers\[0\]\.orbit\.radius"),
    ({"position": None, "orbit": {**ORBIT, "leg_length": "-1 km"}}, r"jammers\[0\]\.orbit\.leg_length"),
    ({"position": None, "orbit": {**ORBIT, "speed": "200 m"}}, r"jammers\[0\]\.orbit\.speed: .*not a speed"),
    ({"position": None, "orbit": {**ORBIT, "legs": 2}}, r"jammers\[0\]\.orbit\.legs"),
    ({"position": None, "orbit": {**ORBIT, "turn": "up"}}, r"jammers\[0\]\.orbit\.turn"),
    ({"position": None, "orbit": {k: v for k, v in ORBIT.items() if k != "radius"}}, r"jammers\[0\]\.orbit\.radius"),
    ({"position": None, "orbit": {**ORBIT, "center": {"lat": -19.9, "lon": -16.2, "alt": "9 km"}}},
     r"jammers\[0\]\.orbit: .*height is its altitude"),
])
def test_bad_orbits_are_one_line(change, match):
    d = _contested()
    assert "orbit" in d["jammers"][0] and "position" not in d["jammers"][0]
    d["jammers"][0] = {k: v for k, v in {**d["jammers"][0], **change}.items() if v is not None}
    with pytest.raises(InputError, match=match) as e:
        scenario_from_data(d)
    assert "\n" not in str(e.value)


def test_an_escort_jammer_flies_behind_the_raids_lead():
    """``escort: {raid, behind}``: one jammer, ``behind`` back along the lead fighter's track (its first
    launched threat), radiating only while the lead flies."""
    d = _contested()
    d["jammers"] = [{"name": "Escort", "power": "100 W", "gain": "20 dB", "bandwidth": "400 MHz",
                     "escort": {"raid": "Strike fighters", "behind": "30 km"}}]
    c = scenario_from_data(d, file=str(CONTESTED))
    sim = Simulation(c, 2)
    th = sim.threats
    names = [r.name for r in c.raids]
    own = np.flatnonzero(np.array([names[r] for r in th.raid[:th.n_threats]]) == "Strike fighters")
    lead = own[np.argmin(th.t_launch[own])]
    assert len(sim.jammers) == 1 and sim.jammers.carrier.tolist() == [lead]
    t0 = float(th.t_launch[lead])
    for t in (t0 + 30.0, t0 + 300.0, t0 + 600.0):
        flying = sim.threat_state.flying(t)
        flying[lead] = True
        jam = sim.jammers.at(t, flying, th.truth.state)
        p, v = th.truth.state(t, np.array([lead]))
        want = p[0] - 30e3 * v[0] / np.linalg.norm(v[0])
        np.testing.assert_allclose(jam.pos[0], want, atol=1e-6)
        assert np.linalg.norm(jam.pos[0] - p[0]) == pytest.approx(30e3)
    flying = np.zeros(len(th), bool)
    assert len(sim.jammers.at(t0 + 30.0, flying, th.truth.state)) == 0  # the lead down: the escort leaves
    bad = copy.deepcopy(d)
    bad["jammers"][0]["escort"]["raid"] = "Bombers"
    with pytest.raises(InputError, match=r"jammers\[0\]\.escort\.raid: jammer escorts raid 'Bombers', which is not"):
        scenario_from_data(bad)
    bad["jammers"][0]["escort"] = {"raid": "Strike fighters", "behind": "-3 km"}
    with pytest.raises(InputError, match=r"jammers\[0\]\.escort\.behind"):
        scenario_from_data(bad)
    bad["jammers"][0]["raid"] = "Strike fighters"
    bad["jammers"][0]["escort"]["behind"] = "3 km"
    with pytest.raises(InputError, match=r"jammers\[0\]: .*exactly one"):
        scenario_from_data(bad)
