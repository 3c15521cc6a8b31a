"""Monte Carlo: rows independent of worker count, resume without losing or repeating a replication, CIs."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

from iadsim.montecarlo import run_monte_carlo, summarize_rows

QUICK = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "quickstart.yaml"


def _strip(rows):
    return [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]


def test_workers_do_not_change_rows_and_resume(tmp_path):
    serial = run_monte_carlo(QUICK, [3, 1, 2])
    out = tmp_path / "study"
    first = run_monte_carlo(QUICK, [1, 2], workers=2, out=out)
    assert _strip(first.rows) == _strip([r for r in serial.rows if r["seed"] in (1, 2)])
    # mark a finished replication: a resumed study must reuse it, not run it again
    part = out / "replications" / "seed=00000001.parquet"
    row = pq.read_table(part).to_pylist()[0]
    row["wall_s"] = -1.0
    pq.write_table(pa.Table.from_pylist([row]), part)
    resumed = run_monte_carlo(QUICK, [1, 2, 3], workers=2, out=out)
    assert [r["seed"] for r in resumed.rows] == [1, 2, 3]
    assert resumed.rows[0]["wall_s"] == -1.0  # reused
    assert _strip(resumed.rows) == _strip(serial.rows)
    assert len(list((out / "replications").glob("*.parquet"))) == 3
    assert pq.read_table(out / "replications").num_rows == 3
    assert (out / "summary.json").exists()


def test_confidence_interval_is_student_t():
    rng = np.random.default_rng(0)
    x = rng.normal(10.0, 2.0, 25)
    s = summarize_rows([{"seed": i, "m": float(v)} for i, v in enumerate(x)])["m"]
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert s["ci95"] == pytest.approx([lo, hi])
    assert s["mean"] == pytest.approx(x.mean()) and s["n"] == 25


def test_distinct_seeds_required():
    with pytest.raises(ValueError):
        run_monte_carlo(QUICK, [1, 1])


def test_rows_count_released_objects_and_the_interceptors_they_drew():
    """A replication row (the summary-only path) carries the released objects: four missiles with three decoys
    and one spent stage each release 12 decoys and 4 stages, and the interceptors drawn by each role are the
    full run's."""
    import yaml

    from iadsim.engine import Simulation
    from iadsim.scenario.load import scenario_from_data

    file = QUICK.parent / "decoys_and_maneuvers.yaml"
    data = yaml.safe_load(file.read_text())
    data["raids"] = [{**r, "count": 4} for r in data["raids"] if r["threat"] == "mrbm_penaid"]
    c = scenario_from_data(data, file=str(file))
    row = run_monte_carlo(c, [4]).rows[0]
    assert (row["decoy_released"], row["stage_released"]) == (12, 4)
    full = Simulation(c, 4).run().summary["objects"]
    assert row["interceptors_on_decoy"] == full["decoy"]["interceptors_on"]
    assert row["interceptors_on_stage"] == full["stage"]["interceptors_on"]
    assert row["interceptors_on_decoy"] + row["interceptors_on_stage"] > 0  # the defense does shoot at them
