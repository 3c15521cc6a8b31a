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
    confirmed track sits on the stand-off jammer's position, and the same seed gives the same summary."""
    c = scenario_from_data(_contested(duration="15 min"), file=str(CONTESTED))
    assert c.terrain is not None and len(c.jammers) == 2
    sim = Simulation(c, 4)
    res = sim.run(tables=False)
    assert sim.n_strobes > 100 and sim.strobes.n_fixes > 50
    soj = c.jammers[0].ecef
    tracks = sim.tracker.confirmed()
    assert len(tracks) and np.min(np.linalg.norm(tracks.x[:, :3] - soj, axis=1)) < 5e3
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
