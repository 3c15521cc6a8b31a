"""EMCON when threatened (issue 10): one surveillance radar, one anti-radiation missile launched straight at it.

The radar goes silent at the first command-post cycle whose picture puts the ARM inside the rule's range
(checked against a hand computation from the ARM's launch point, cruise height and speed), makes no
detections while silent, emits again ``hold`` after the threat has gone, and the ARM, flying on its memory
to the last emitting position, finds nothing emitting there: the radar survives. Without the rule the same
ARM destroys it; a threat of another class, or a rule for other classes or faster threats, does not trigger
it. Bad rules are one line."""

from copy import deepcopy

import numpy as np
import pymap3d.vincenty
import pytest
import yaml

from iadsim.cli import main
from iadsim.engine.simulation import Simulation
from iadsim.errors import InputError
from iadsim.scenario.load import scenario_from_data

RADAR = {"lat": -20.0, "lon": -15.1, "alt": 30.0}
LAUNCH = {"lat": -20.0, "lon": -15.8}
T_LAUNCH = 10.0
RULE = {"range": "40 km", "hold": "60 s"}
BASE = {
    "name": "One ARM at one radar",
    "duration": "5 min",
    "assets": [{"name": "Port Aurel", "position": {"lat": -20.0, "lon": -15.0, "alt": "10 m"}, "value": 100}],
    "sensors": [{"name": "EW-1", "type": "surveillance_radar",
                 "position": {"lat": RADAR["lat"], "lon": RADAR["lon"], "alt": "30 m"}}],
    "raids": [{"name": "ARM", "threat": "arm", "count": 1, "targets": ["EW-1"],
               "launch_area": {"center": LAUNCH, "radius": "0 km"},
               "launch_window": {"start": f"{T_LAUNCH} s", "end": f"{T_LAUNCH} s"}}],
}


def run(data, seed=3):
    """Simulate with a spy on the radar's measurements; returns the simulation, the scans ``(t, detections)``,
    the event log ``(t, kind, detail)`` and the summary."""
    sim = Simulation(scenario_from_data(data), seed)
    scans = []
    radar = sim.radars[0]

    def spy(t, *args, _m=radar.measure, **kw):
        det = _m(t, *args, **kw)
        scans.append((t, len(det)))
        return det

    radar.measure = spy
    result = sim.run()
    ev = result.tables["events"].to_pydict()
    return sim, scans, list(zip(ev["time"], ev["kind"], ev["detail"], strict=True)), result.summary


def with_rule(rule=None, data=None):
    d = deepcopy(BASE if data is None else data)
    d["emcon"] = [{"radar": "EW-1", "when_threatened": RULE if rule is None else rule}]
    return d


def hand_silence_time():
    """When the ARM comes within 40 km (slant) of the radar: it flies at its catalog cruise height h = 8 km and
    650 m/s over the ground straight at the radar from the launch point (launched at altitude), so its slant
    range is 40 km at the ground distance sqrt(40^2 - (h - radar alt)^2); the ground distance from the launch
    point is the Vincenty geodesic, the height seen from the radar grows by d^2 / (2 R_e) with the earth's
    curvature."""
    D, _ = pymap3d.vincenty.vdist(LAUNCH["lat"], LAUNCH["lon"], RADAR["lat"], RADAR["lon"])
    dh = 8000.0 - RADAR["alt"]
    g = np.sqrt(40e3 ** 2 - dh ** 2)
    g = np.sqrt(40e3 ** 2 - (dh + g * g / (2 * 6371e3)) ** 2)
    return T_LAUNCH + (float(D) - g) / 650.0


def test_the_arm_silences_the_radar_which_survives_and_resumes():
    sim, scans, log, summary = run(with_rule())
    cycle = sim.c.c2_cycle
    silent = [t for t, k, _ in log if k == "emcon_silent"]
    resumed = [t for t, k, _ in log if k == "emcon_resumed"]
    assert len(silent) == 1 and len(resumed) == 1
    t_off, t_on = silent[0], resumed[0]
    # silent at the first cycle of the picture with the ARM inside 40 km: within one cycle of the hand time
    t_hand = hand_silence_time()
    assert t_hand - cycle <= t_off <= t_hand + cycle, (t_off, t_hand)
    assert t_off % cycle == 0.0
    # no measurement (so no detection) while silent; detections before; scanning again after
    times = np.array([t for t, _ in scans])
    assert not np.any((times >= t_off) & (times < t_on))
    assert any(n > 0 for t, n in scans if t < t_off)
    scan_period = sim.radars[0].params.scan_period
    assert times[times >= t_on].min() < t_on + scan_period
    # the ARM flies on its memory to the last emitting position: it lands at the radar, which emitted last
    # ~60 s before (seeker memory 5 s): it loses the emitter, the radar survives
    t_imp = float(sim.threats.t_end[0])
    miss = np.linalg.norm(sim.threats.truth.end_pos[0] - sim.radars[0].ecef)
    assert miss < 30.0
    assert t_imp - t_off > 5.0
    assert [k for _, k, _ in log if k in ("arm_lost_emitter", "node_destroyed")] == ["arm_lost_emitter"]
    assert sim.c2.radar_alive(0)
    # the picture's ARM track (dead-reckoned, the radar silent) stops closing as it passes the radar, at the
    # impact: the radar emits again ``hold`` later, at a cycle
    assert t_imp + 60.0 - cycle <= t_on <= t_imp + 60.0 + cycle
    assert summary["emcon"] == {"EW-1": {"silenced": 1, "silent_s": pytest.approx(t_on - t_off)}}
    # the same scenario without the rule loses the radar at the impact
    sim0, scans0, log0, summary0 = run(deepcopy(BASE))
    assert [(t, k) for t, k, _ in log0 if k in ("node_destroyed", "arm_lost_emitter")] == \
        [(float(sim0.threats.t_end[0]), "node_destroyed")]
    assert max(t for t, _ in scans0) < float(sim0.threats.t_end[0]) and "emcon" not in summary0


def test_a_scheduled_window_and_the_rule_together():
    """The rule adds silences to the scheduled windows: no scans in either."""
    d = with_rule()
    d["emcon"].append({"radar": "EW-1", "silent": [{"start": "20 s", "end": "40 s"}]})
    sim, scans, log, _ = run(d)
    times = np.array([t for t, _ in scans])
    t_off, t_on = (t for t, k, _ in log if k.startswith("emcon_"))
    assert not np.any((times >= 20.0) & (times < 40.0)) and not np.any((times >= t_off) & (times < t_on))
    assert np.any((times >= 40.0) & (times < t_off))


def _closest_tracks(sim):
    """Wrap the rule's evaluation: the closest confirmed track each cycle saw (range m, class, speed m/s)."""
    seen = []
    orig = sim.c2._emcon

    def spy(t, tracks):
        if len(tracks):
            r = np.linalg.norm(tracks.x[:, :3] - sim.radars[0].ecef, axis=1)
            j = int(np.argmin(r))
            seen.append((float(r[j]), int(tracks.cls[j]), float(np.linalg.norm(tracks.x[j, 3:6]))))
        orig(t, tracks)

    sim.c2._emcon = spy
    return seen


@pytest.mark.parametrize("case", ["drone", "rule for drones", "faster than the arm"])
def test_other_threats_do_not_trigger_the_rule(case):
    d = with_rule()
    if case == "drone":  # a drone flying at the radar: class drone, not in the default classes
        d["raids"] = [{"name": "Drone", "threat": "owa_drone", "count": 1, "targets": ["EW-1"],
                       "launch_area": {"center": {"lat": -20.0, "lon": -15.5}, "radius": "0 km"},
                       "launch_window": {"start": "0 s", "end": "0 s"}}]
        d["duration"] = "15 min"
    elif case == "rule for drones":
        d = with_rule({**RULE, "classes": ["drone", "ballistic"]})
    else:
        d = with_rule({**RULE, "min_speed": "800 m/s"})
    sim = Simulation(scenario_from_data(d), 3)
    seen = _closest_tracks(sim)
    res = sim.run()
    kinds = res.tables["events"].to_pydict()["kind"]
    assert not [k for k in kinds if k.startswith("emcon")]
    # the picture did hold the threat inside the range (so the rule was asked and said no)
    assert min(r for r, _, _ in seen) < 40e3
    if case == "drone":  # a slow drone (its early track may score aircraft: the rule's speed keeps it out)
        assert max(v for r, _, v in seen if r < 40e3) < 100.0
        assert 2 in {c for r, c, _ in seen if r < 40e3}
    else:
        assert "node_destroyed" in kinds  # and the radar was lost as without the rule


@pytest.mark.parametrize(("emcon", "match"), [
    ({"radar": "EW-1"}, r"emcon\[0\]: .*needs silent windows .* or a rule"),
    ({"radar": "EW-1", "when_threatened": {"range": "40 km", "when": 3}}, r"emcon\[0\]\.when_threatened\.when"),
    ({"radar": "EW-1", "when_threatened": {"hold": "60 s"}}, r"emcon\[0\]\.when_threatened\.range"),
    ({"radar": "EW-1", "when_threatened": {"range": "0 km"}}, r"emcon\[0\]\.when_threatened\.range"),
    ({"radar": "EW-1", "when_threatened": {"range": "40 s"}}, r"emcon\[0\]\.when_threatened\.range"),
    ({"radar": "EW-1", "when_threatened": {"range": "40 km", "hold": "-1 s"}}, r"when_threatened\.hold"),
    ({"radar": "EW-1", "when_threatened": {"range": "40 km", "classes": ["arm"]}}, r"when_threatened\.classes"),
    ({"radar": "EW-1", "when_threatened": {"range": "40 km", "classes": []}}, r"when_threatened\.classes"),
    ({"radar": "EW-2", "when_threatened": {"range": "40 km"}}, r"emcon\[0\]\.radar: emcon names radar 'EW-2'"),
])
def test_bad_rules_are_one_line(emcon, match):
    d = deepcopy(BASE)
    d["emcon"] = [emcon]
    with pytest.raises(InputError, match=match) as e:
        scenario_from_data(d)
    assert "\n" not in str(e.value)


def test_two_rules_for_one_radar_are_refused():
    d = with_rule()
    d["emcon"].append({"radar": "EW-1", "when_threatened": {"range": "20 km"}})
    with pytest.raises(InputError, match=r"emcon\[1\]\.when_threatened: radar 'EW-1' already has an emcon rule"):
        scenario_from_data(d)


def test_the_cli_exits_3_on_a_bad_rule(tmp_path, capsys):
    d = with_rule({"range": "40 km", "hold": "0 s"})
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(d))
    assert main(["run", str(f), "--out", str(tmp_path / "run"), "--quiet"]) == 3
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "when_threatened.hold" in lines[0], err
    assert not (tmp_path / "run").exists()
