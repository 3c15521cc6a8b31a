"""Non-finite and unbounded scenario values (issue 11): refused at validate time with one line naming the
field, and the work estimate against its documented limits (``iadsim.scenario.work``)."""

from pathlib import Path

import pytest
from helpers import EXAMPLES, QUICK, assert_one_line_exit_3, cli

from iadsim.scenario import load_scenario
from iadsim.scenario.work import LIMITS, estimate_work


def _write(tmp_path, old, new) -> Path:
    assert old in QUICK
    f = tmp_path / "s.yaml"
    f.write_text(QUICK.replace(old, new, 1))
    return f


def _line(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln)


@pytest.mark.parametrize("old,new,field,words", [
    ("duration: 20 min", "duration: inf min", "duration", "is not a finite duration"),
    ("duration: 20 min", "duration: 1.0e+999 min", "duration", "is not a finite duration"),
    ("value: 100", "value: .inf", "assets[0].value", "must be a finite number"),
    ("value: 100", "value: .nan", "assets[0].value", "must be a finite number, got nan"),
    ("hardness: 0.1", "hardness: .nan", "assets[0].hardness", "must be a finite number"),
    ("count: 2", "count: true", "count", "expected a number or text, not true/false"),
    ("radius: 3 km", "radius: 30000 km", "raids[0].launch_area.radius", "30,000 km radius is larger than the 2000"),
], ids=["inf-duration", "overflow-duration", "inf-value", "nan-value", "nan-hardness", "bool-count",
        "huge-radius"])
def test_bad_value_is_one_line_at_its_field(tmp_path, capsys, old, new, field, words):
    f = _write(tmp_path, old, new)
    code, _, err = cli(["validate", f], capsys)
    line = assert_one_line_exit_3(code, err, field, words)
    assert f"s.yaml:{_line(f, new.split(':')[0] + ': ' + new.split(': ', 1)[1])}:" in line


def test_launch_area_message_is_consistent(tmp_path, capsys):
    # a radius that reaches beyond the threat's range from a centre within it: the message says so
    f = _write(tmp_path, "radius: 5 km}", "radius: 1900 km}")
    code, _, err = cli(["validate", f], capsys)
    line = assert_one_line_exit_3(code, err, "raids[2].launch_area.radius", "farthest point is")
    far, rng = (float(line.split(p)[1].split(" km")[0].replace(",", "")) for p in ("farthest point is ", "beyond the "))
    assert far > rng


@pytest.mark.parametrize("old,new,field,estimate", [
    ("duration: 20 min", "duration: 1000 h", "duration", "radar scans"),
    ("cycle: 2 s", "cycle: 1 ms", "command_post.cycle", "command-post cycles"),
    ("duration: 20 min", "duration: 20 min\ntruth_sample: 1 ms", "truth_sample", "truth sample times"),
    ("count: 4", "count: 100000", "raids[0].count", "threats in all"),
], ids=["duration", "cycle", "truth_sample", "count"])
def test_work_beyond_the_limits_needs_allow_large(tmp_path, capsys, old, new, field, estimate):
    f = _write(tmp_path, old, new)
    code, _, err = cli(["validate", f], capsys)
    line = assert_one_line_exit_3(code, err, f"{field}:", estimate, "--allow-large")
    assert f"s.yaml:{_line(f, new.splitlines()[-1])}:" in line
    code, out, err = cli(["validate", f, "--allow-large"], capsys)
    assert code == 0 and out.startswith("ok:"), err


def test_shipped_examples_are_well_inside_the_limits():
    for f in sorted((EXAMPLES / "scenarios").glob("*.yaml")):
        w = estimate_work(load_scenario(f))
        for k, limit in LIMITS.items():
            assert w[k] <= 0.05 * limit, (f.name, k, w[k])


def test_estimate_counts_what_the_engine_does():
    # the quickstart: one 2-s fire-control radar over 20 min, 2-s cycles, 5-s truth samples, 8 threats
    # of which 2 ballistic at a 1-s time step (independent arithmetic, not the package's)
    w = estimate_work(load_scenario(EXAMPLES / "scenarios" / "quickstart.yaml"))
    assert w == {"threats": 8, "radar_scans": 600, "tracker_load": 4800, "c2_cycles": 600, "truth_samples": 240,
                 "truth_rows": 1920, "trajectory_points": 2400}
