"""Scenario loading: units, overrides, and bad input -> one line naming file, line and field, exit code 3."""

from pathlib import Path

import pytest

from iadsim.cli import main
from iadsim.errors import InputError
from iadsim.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
QUICK = (EXAMPLES / "quickstart.yaml").read_text()


def test_examples_load():
    for name in ("quickstart.yaml", "layered_defense.yaml", "drone_swarm.yaml"):
        c = load_scenario(EXAMPLES / name)
        assert c.n_threats > 0
    ld = load_scenario(EXAMPLES / "layered_defense.yaml")
    counts = {}
    for raid in ld.raids:
        kind = ld.threat_types[raid.threat_type][1].kind
        counts[kind] = counts.get(kind, 0) + raid.count
    assert counts == {"ballistic": 120, "cruise": 30, "drone": 170}


def test_units_and_override(tmp_path):
    text = QUICK.replace("interceptor: mr_interceptor",
                         "interceptor: {type: mr_interceptor, override: {seeker_range: 8 NM, launch_mass: 0.35 t, "
                         "motor: [{thrust: 70 kN, burn_time: 5 s, isp: 255 s}]}}")
    f = tmp_path / "s.yaml"
    f.write_text(text)
    c = load_scenario(f)
    name, spec = c.interceptor_types[0]
    assert spec.seeker_range == pytest.approx(8 * 1852.0)
    assert spec.launch_mass == pytest.approx(350.0)
    assert [(m.thrust, m.burn_time, m.isp) for m in spec.motor] == [(70e3, 5.0, 255.0)]
    assert spec.min_range == pytest.approx(3000.0)  # untouched catalog field
    assert c.duration == pytest.approx(1200.0)
    assert c.radars[0].facing == pytest.approx(4.71238898038469)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BAD = [
    # (replace old, with new, expected words, line needle)
    ("duration: 20 min", "duration: 20 min\nbogus_field: 3", ["bogus_field", "unknown field"], "bogus_field"),
    ("type: fire_control_radar", "type: laser_radar", ["sensors[0].type", "unknown radar type 'laser_radar'"],
     "laser_radar"),
    ("cycle: 2 s", "cycle: 2 km", ["command_post.cycle", "is not a duration"], "cycle: 2 km"),
    ("launch_area: {center: {lat: -20.0, lon: -15.5}, radius: 3 km}",
     "launch_area: {center: {lat: -20.0, lon: -15.5}, radius: -3 km}", ["raids[0].launch_area.radius",
                                                                         "greater than or equal to 0"], "-3 km"),
    ("    targets: [Port Aurel]\n  - name: Cruise", "    targets: [Atlantis]\n  - name: Cruise",
     ["raids[0].targets[0]", "'Atlantis', which is not a declared asset"], "Atlantis"),
    ("missiles_per_launcher: 4", "missiles_per_launcher: -4", ["fire_units[0].missiles_per_launcher"],
     "missiles_per_launcher: -4"),
    ("radars: [FCR-1]", "radars: [FCR-9]", ["fire_units[0].radars[0]", "not a declared sensor"], "FCR-9"),
    # interceptor physics: a force in kilograms, and a motor that burns more than the missile weighs
    ("interceptor: mr_interceptor",
     "interceptor: {type: mr_interceptor, override: {motor: [{thrust: 50 kg, burn_time: 5 s, isp: 250 s}]}}",
     ["fire_units[0].interceptor.override.motor[0].thrust", "is not a force"], "thrust: 50 kg"),
    ("interceptor: mr_interceptor",
     "interceptor: {type: mr_interceptor, override: {motor: [{thrust: 60 kN, burn_time: 60 s, isp: 250 s}]}}",
     ["fire_units[0].interceptor.override", "more than the launch mass allows"], "burn_time: 60 s"),
]


@pytest.mark.parametrize("old,new,words,needle", BAD, ids=[b[2][0] for b in BAD])
def test_bad_scenario_one_line_exit_3(tmp_path, capsys, old, new, words, needle):
    assert old in QUICK
    text = QUICK.replace(old, new, 1)
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    code = main(["validate", str(f)])
    err = capsys.readouterr().err.strip()
    assert code == 3
    assert len(err.splitlines()) == 1, err
    assert f"{f}:{_line_of(text, needle)}:" in err, err
    for w in words:
        assert w in err, err
    assert "Traceback" not in err


def test_missing_file(tmp_path, capsys):
    code = main(["run", str(tmp_path / "nope.yaml")])
    err = capsys.readouterr().err.strip()
    assert code == 3 and err == f"error: {tmp_path / 'nope.yaml'}: file not found"


def test_broken_yaml(tmp_path, capsys):
    f = tmp_path / "broken.yaml"
    f.write_text("name: x\nassets: [\n  - {name: a\n")
    code = main(["validate", str(f)])
    err = capsys.readouterr().err.strip()
    assert code == 3 and len(err.splitlines()) == 1
    assert err.startswith(f"error: {f}:") and "broken YAML" in err


def test_threat_beyond_its_range(tmp_path):
    text = QUICK.replace("launch_area: {center: {lat: -20.2, lon: -17.5}, radius: 5 km}",
                         "launch_area: {center: {lat: -20.2, lon: -25.5}, radius: 5 km}")
    f = tmp_path / "far.yaml"
    f.write_text(text)
    with pytest.raises(InputError, match="beyond the 500 km range of threat type 'srbm'"):
        load_scenario(f)


def test_schema_exports_json(capsys):
    import json

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False
    assert {"assets", "sensors", "fire_units", "raids"} <= set(schema["properties"])
