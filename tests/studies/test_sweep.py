"""Sweeps (issue 13): paths resolve and validate with one line, grids and Latin hypercubes, common random
numbers (a point repeated gives identical rows), the point-tagged study directory the report reads, resume."""

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.stats import qmc

from iadsim.cli import main
from iadsim.errors import InputError
from iadsim.montecarlo import run_monte_carlo
from iadsim.scenario.yamlio import load_yaml
from iadsim.studies import grid_design, lhs_design, parse_path, parse_vary, run_sweep
from iadsim.studies.sweep import resolve_params

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
QUICK = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "quickstart.yaml"


def _strip(rows, drop=("wall_s",)):
    return [{k: v for k, v in r.items() if k not in drop} for r in rows]


def test_paths_resolve_by_name_prefix_index_and_brackets():
    data, _ = load_yaml(QUICK)
    assert parse_path("raids.Drones.count").locate(data) == (("raids", 0, "count"), 4)
    assert parse_path("raids[Cruise missiles].count").locate(data) == (("raids", 1, "count"), 2)
    assert parse_path("raids.2.count").locate(data) == (("raids", 2, "count"), 2)
    assert parse_path("fire_units.Bravo-1.position.lat").locate(data)[1] == -20.0
    assert parse_path("fire_units.Bravo-1.reserve").locate(data) == (("fire_units", 0, "reserve"), None)
    changed = parse_path("raids.Drones.count").set(data, 9)
    assert changed["raids"][0]["count"] == 9 and data["raids"][0]["count"] == 4  # a copy


@pytest.mark.parametrize("text, words", [
    ("raids.Nothing.count=1,2", "no entry 'Nothing' in raids"),
    ("raid.Drones.count=1,2", "no field 'raid'"),
    ("raids.Drones.count.x=1,2", "is a value"),
    ("raids.Drones.count=1.5,2", "whole numbers"),
    ("raids.Drones.count=1,2 km", "remove the unit"),
    ("duration=10,20", "give the swept values a unit"),
    ("raids.Drones.count=a,b", "cannot read the values"),
    ("raids.Drones.count=10:1:2", "start <= stop"),
    ("raids.Drones.count", "expected PATH=VALUES"),
])
def test_bad_paths_and_values_are_one_line(text, words):
    data, _ = load_yaml(QUICK)
    with pytest.raises(InputError) as e:
        resolve_params([parse_vary(text)], data)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_wrong_unit_and_impossible_value_fail_at_validation_naming_the_point(tmp_path, capsys):
    code = main(["sweep", str(TINY), "--vary", "duration=4,6 km", "--runs", "1", "--out", str(tmp_path / "a")])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1
    assert "sweep point 0 (duration=4 km)" in err and "is not a duration" in err
    code = main(["sweep", str(TINY), "--vary", "raids.Drones.count=1,-3", "--runs", "1", "--out", str(tmp_path / "b")])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and "sweep point 1 (raids.Drones.count=-3)" in err
    assert not (tmp_path / "b" / "replications").exists() or not any((tmp_path / "b" / "replications").iterdir())


def test_grid_and_lhs_designs():
    data, _ = load_yaml(QUICK)
    a, b = resolve_params([parse_vary("raids.Drones.count=50:500:50"),
                           parse_vary("fire_units.Bravo-1.reserve=0,8,16")], data)
    assert a.values == tuple(range(50, 501, 50)) and a.integer
    g = grid_design([a, b])
    assert len(g) == 30 and g[0] == (50, 0) and g[1] == (50, 8) and g[-1] == (500, 16)
    c = resolve_params([parse_vary("sensors.FCR-1.facing=250:290 deg")], data)[0]
    pts = lhs_design([a, c], 8, seed=3)
    # the scipy design itself, scaled: one point in each of the 8 strata of each axis
    u = qmc.LatinHypercube(d=2, seed=3).random(8)
    assert [p[1] for p in pts] == pytest.approx(list(250 + 40 * u[:, 1]))
    assert sorted(np.floor((np.array([p[1] for p in pts]) - 250) / 5).astype(int)) == list(range(8))
    assert all(float(p[0]).is_integer() and 50 <= p[0] <= 500 for p in pts)


def test_repeated_point_gives_identical_rows_and_matches_plain_monte_carlo(tmp_path):
    out = tmp_path / "sweep"
    res = run_sweep(TINY, [parse_vary("fire_units.Bravo-1.missiles_per_launcher=2,1,2")], [0, 1], out=out)
    assert [(r["point"], r["seed"]) for r in res.rows] == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    by_point = {k: _strip([r for r in res.rows if r["point"] == k], ("wall_s", "point")) for k in range(3)}
    assert by_point[0] == by_point[2]  # common random numbers: the same values, the same seeds, the same rows
    assert all(r["sweep_fire_units_Bravo_1_missiles_per_launcher"] == v
               for k, v in enumerate((2, 1, 2)) for r in res.rows if r["point"] == k)
    # point 0 is the scenario as written: its rows are the plain Monte Carlo's
    mc = run_monte_carlo(TINY, [0, 1])
    assert _strip(by_point[0], ("wall_s", "sweep_fire_units_Bravo_1_missiles_per_launcher")) == _strip(mc.rows)
    # one part per (point, seed), the dataset, the per-point table, the report reads it as a sweep
    assert len(list((out / "replications").glob("*.parquet"))) == 6
    assert pq.read_table(out / "replications").num_rows == 6
    pts = pq.read_table(out / "points.parquet").to_pydict()
    assert pts["replications"] == [2, 2, 2]
    lk = [r["leakage"] for r in res.rows if r["point"] == 1]
    assert pts["leakage_mean"][1] == pytest.approx(np.mean(lk))
    from iadsim.report.study import read_study_dir

    st = read_study_dir(out)
    assert st.sweep == ["sweep_fire_units_Bravo_1_missiles_per_launcher"] and len(st.rows) == 6


def test_interrupted_sweep_resumes_without_repeating(tmp_path):
    out = tmp_path / "sweep"
    vary = [parse_vary("raids.Drones.count=1,2")]
    calls = []

    def stop_after_two(done, total):
        calls.append(done)
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(TINY, vary, [0, 1], out=out, progress=stop_after_two)
    parts = sorted(p.name for p in (out / "replications").glob("*.parquet"))
    assert len(parts) == 2 and not (out / "summary.json").exists()
    mtimes = {p: (out / "replications" / p).stat().st_mtime_ns for p in parts}
    counted = []
    res = run_sweep(TINY, vary, [0, 1], out=out, progress=lambda d, t: counted.append(d))
    assert counted[0] == 2 and counted[-1] == 4 and len(res.rows) == 4
    assert {p: (out / "replications" / p).stat().st_mtime_ns for p in parts} == mtimes  # not rewritten
    fresh = run_sweep(TINY, vary, [0, 1])
    assert _strip(res.rows) == _strip(fresh.rows)
    # another design in the same directory is refused
    with pytest.raises(InputError, match="another design"):
        run_sweep(TINY, [parse_vary("raids.Drones.count=1,3")], [0, 1], out=out)


def test_sweep_file_and_cli(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text("vary: ['raids.Drones.count=1,2']\nruns: 1\n")
    assert main(["sweep", str(TINY), "--file", str(f), "--workers", "1", "--out", str(tmp_path / "o")]) == 0
    assert "2 points x 1 replications" in capsys.readouterr().out
    f.write_text("vary: ['raids.Drones.count=1,2']\nrunz: 1\n")
    assert main(["sweep", str(TINY), "--file", str(f), "--out", str(tmp_path / "p")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "s.yaml:2" in err and "runz" in err and "unknown field" in err
