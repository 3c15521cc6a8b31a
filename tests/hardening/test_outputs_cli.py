"""Seeds, output locations, whole-run replacement and the wall-clock phases (issue 11)."""

import json
import time

import pyarrow.parquet as pq
import pytest
from helpers import EXAMPLES, QUICK_PATH, assert_one_line_exit_3, cli

import iadsim
from iadsim.engine.result import COLUMN_DOCS, PHASES
from iadsim.rundir import read_run_dir

SENSORS = EXAMPLES / "track" / "sensors.yaml"
DETECTIONS = EXAMPLES / "track" / "detections.csv"
INSTANCE = EXAMPLES / "wta" / "instance.json"


def test_negative_seeds_stop_before_any_work(tmp_path, capsys):
    code, _, err = cli(["run", QUICK_PATH, "--seed", "-1", "--out", tmp_path / "r"], capsys)
    assert_one_line_exit_3(code, err, "seed: a seed must be an integer from 0 to 2^63 - 1, got -1")
    code, _, err = cli(["mc", QUICK_PATH, "--first-seed", "-5", "--runs", "2", "--out", tmp_path / "m"], capsys)
    assert_one_line_exit_3(code, err, "got -5")
    assert not (tmp_path / "m").exists() and not (tmp_path / "r").exists()
    with pytest.raises(iadsim.errors.InputError):
        iadsim.simulate(iadsim.load_scenario(QUICK_PATH), seed=-1)


@pytest.mark.parametrize("argv,what", [
    (["run", QUICK_PATH, "--out", "{bad}/run"], "run"),
    (["mc", QUICK_PATH, "--runs", "2", "--out", "{bad}/study"], "mc"),
    (["track", DETECTIONS, "--sensors", SENSORS, "--out", "{bad}/tracks.csv"], "track"),
    (["schema", "--out", "{bad}/schema.json"], "schema"),
    (["wta", INSTANCE, "--out", "{bad}/result.json"], "wta"),
], ids=["run", "mc", "track", "schema", "wta"])
def test_unwritable_out_stops_before_the_work(tmp_path, capsys, argv, what):
    # a regular file where a directory is needed: not creatable, even for root (os.access would say yes)
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory\n")
    argv = [str(a).replace("{bad}", str(blocker)) for a in argv]
    t0 = time.perf_counter()
    code, out, err = cli(argv, capsys)
    assert_one_line_exit_3(code, err, "--out:", "is not a directory")
    assert time.perf_counter() - t0 < 10.0  # nothing was simulated or solved
    assert "replications" not in out and "scans" not in out


def test_run_out_needs_overwrite_and_replaces_the_whole_directory(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "stray.txt").write_text("an older file\n")
    code, _, err = cli(["run", QUICK_PATH, "--seed", "1", "--out", out, "--quiet"], capsys)
    assert_one_line_exit_3(code, err, "directory exists and is not empty; pass --overwrite")
    assert sorted(p.name for p in out.iterdir()) == ["stray.txt"]  # untouched
    code, _, err = cli(["run", QUICK_PATH, "--seed", "1", "--out", out, "--quiet", "--overwrite"], capsys)
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert "stray.txt" not in names and "summary.json" in names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary directory left
    read_run_dir(out)  # the checked reader still opens it


def test_wall_time_is_the_whole_command_split_in_phases(tmp_path, capsys):
    out = tmp_path / "run"
    t0 = time.perf_counter()
    code, stdout, err = cli(["run", QUICK_PATH, "--seed", "2", "--out", out, "--quiet"], capsys)
    elapsed = time.perf_counter() - t0
    assert code == 0, err
    tm = json.loads((out / "summary.json").read_text())["time"]
    assert set(tm["phases"]) == set(PHASES)
    assert all(v >= 0 for v in tm["phases"].values()) and tm["phases"]["write_s"] > 0
    assert tm["wall_s"] == pytest.approx(sum(tm["phases"].values()))
    # the whole command: at least the loop and writing, at most what the caller measured around it
    assert tm["phases"]["loop_s"] < tm["wall_s"] <= elapsed
    assert tm["wall_s"] > 0.5 * elapsed
    assert f"{tm['wall_s']:.2f} s wall" in stdout


def test_parquet_fields_carry_unit_and_description(tmp_path):
    res = iadsim.simulate(iadsim.load_scenario(QUICK_PATH), seed=3)
    res.write(tmp_path / "r")
    for name, docs in COLUMN_DOCS.items():
        schema = pq.read_schema(tmp_path / "r" / f"{name}.parquet")
        assert set(schema.names) == set(docs), name
        for f in schema:
            meta = {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}
            assert meta["description"], (name, f.name)
            assert meta["unit"] == docs[f.name][0]
    truth = pq.read_schema(tmp_path / "r" / "truth.parquet")
    assert truth.field("alt_m").metadata[b"unit"] == b"m"
    assert truth.field("vx").metadata[b"unit"] == b"m/s"


def test_version_option():
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-c", "from iadsim.cli import entry; entry()", "--version"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == f"iadsim {iadsim.__version__}"
