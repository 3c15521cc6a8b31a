"""Monte Carlo studies that cannot mix (issue 11): the study manifest, a killed worker retried, and
confidence intervals of proportions that stay inside [0, 1]."""

import json
import multiprocessing
import os
import signal
import time

import numpy as np
import pyarrow.parquet as pq
import pytest
from helpers import QUICK, QUICK_PATH, assert_one_line_exit_3, cli
from scipy import stats

from iadsim.errors import InputError
from iadsim.montecarlo import run_monte_carlo, summarize_rows, wilson_interval


def test_resuming_with_another_scenario_is_refused(tmp_path, capsys):
    out = tmp_path / "study"
    run_monte_carlo(QUICK_PATH, [0, 1], out=out)
    manifest = json.loads((out / "study.json").read_text())
    assert manifest["seeds"] == [0, 1] and len(manifest["scenario_hash"]) == 64
    other = tmp_path / "forty.yaml"
    other.write_text(QUICK.replace("count: 4", "count: 40", 1))  # 4 drones changed to 40
    code, out_text, err = cli(["mc", other, "--runs", "2", "--workers", "1", "--out", out], capsys)
    assert_one_line_exit_3(code, err, "study.json:", "holds replications of another scenario", "use another --out")
    assert "replications" not in out_text
    # the same scenario resumes (and extends) the study
    again = run_monte_carlo(QUICK_PATH, [0, 1, 2], out=out)
    assert [r["seed"] for r in again.rows] == [0, 1, 2]
    assert json.loads((out / "study.json").read_text())["seeds"] == [0, 1, 2]


def test_other_version_and_parts_without_manifest_are_refused(tmp_path):
    out = tmp_path / "study"
    run_monte_carlo(QUICK_PATH, [0], out=out)
    m = json.loads((out / "study.json").read_text())
    m["iadsim_version"] = "0.0.1"
    (out / "study.json").write_text(json.dumps(m))
    with pytest.raises(InputError, match="run by iadsim 0.0.1"):
        run_monte_carlo(QUICK_PATH, [0, 1], out=out)
    (out / "study.json").unlink()
    with pytest.raises(InputError, match="holds replication parts but no study.json"):
        run_monte_carlo(QUICK_PATH, [0, 1], out=out)


def test_a_killed_worker_is_retried_and_every_replication_is_there_once(tmp_path):
    out = tmp_path / "study"
    seeds = list(range(6))
    killed = []

    def progress(done, total):
        # after the first finished replication, kill one worker process by its PID (SIGKILL: no cleanup)
        if done >= 1 and not killed:
            workers = multiprocessing.active_children()
            if workers:
                os.kill(workers[0].pid, signal.SIGKILL)
                killed.append(workers[0].pid)

    t0 = time.perf_counter()
    res = run_monte_carlo(QUICK_PATH, seeds, workers=2, out=out, progress=progress)
    assert time.perf_counter() - t0 < 60.0
    assert killed, "no worker was killed"
    assert res.pool_restarts >= 1  # the pool broke and was started again (before: BrokenProcessPool)
    assert [r["seed"] for r in res.rows] == seeds
    parts = sorted(p.name for p in (out / "replications").glob("*.parquet"))
    assert parts == [f"seed={s:08d}.parquet" for s in seeds]
    table = pq.read_table(out / "replications")
    assert sorted(table.column("seed").to_pylist()) == seeds  # each exactly once
    serial = run_monte_carlo(QUICK_PATH, [0, 5])
    strip = lambda rows: [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]
    assert strip([res.rows[0], res.rows[5]]) == strip(serial.rows)


def test_wilson_interval_matches_scipy_for_bernoulli_counts():
    for k, n in ((0, 10), (1, 8), (5, 20), (20, 20), (37, 120)):
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        lo, hi = wilson_interval(k / n, n, float(stats.norm.ppf(0.975)))
        assert (lo, hi) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_proportion_ci_stays_inside_0_1():
    # the case: most replications leak nothing, one leaks a lot -> the t interval went below 0
    leak = [0.0] * 7 + [1.0]
    s = summarize_rows([{"seed": i, "leakage": v, "threats_leaked": 8 * v} for i, v in enumerate(leak)])
    m, sd, n = np.mean(leak), np.std(leak, ddof=1), len(leak)
    t_lo = m - stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
    assert t_lo < 0  # what the Student interval gave
    lo, hi = s["leakage"]["ci95"]
    assert 0.0 <= lo < m < hi <= 1.0 and s["leakage"]["ci_method"] == "wilson"
    assert s["threats_leaked"]["ci_method"] == "student_t"
    # every replication without a leak: a one-sided interval from 0, not the point [0, 0]
    z = summarize_rows([{"seed": i, "leakage": 0.0} for i in range(10)])["leakage"]["ci95"]
    assert z[0] == 0.0 and 0.2 < z[1] < 0.4
    # away from the bounds with many replications it agrees with the Student interval
    rng = np.random.default_rng(3)
    x = rng.beta(20, 30, 400)
    w = summarize_rows([{"seed": i, "leakage": float(v)} for i, v in enumerate(x)])["leakage"]["ci95"]
    t = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert w == pytest.approx(list(t), abs=2e-3)


def test_one_replication_writes_valid_json(tmp_path):
    out = tmp_path / "one"
    run_monte_carlo(QUICK_PATH, [4], out=out)
    text = (out / "summary.json").read_text()
    assert "NaN" not in text
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard constant {c}"))
    assert data["leakage"]["ci95"] == [None, None]
