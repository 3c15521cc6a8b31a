"""The Dask backend (issue 13): a LocalCluster of 2 worker processes gives the local pool's rows, Parquet
parts equal column by column; a worker killed mid-study costs only time (every replication exactly once);
a sweep runs on the same cluster; an unreachable scheduler is one line."""

import os
import signal
from pathlib import Path

import distributed
import pyarrow.parquet as pq
import pytest

from iadsim.cli import main
from iadsim.montecarlo import run_monte_carlo
from iadsim.studies import parse_vary, run_sweep

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _table(out):
    t = pq.read_table(out / "replications")
    return t.drop_columns(["wall_s"]).sort_by("seed")


def test_local_cluster_rows_equal_the_local_pool(client, tmp_path):
    seeds = [0, 1, 2, 3]
    pool = run_monte_carlo(TINY, seeds, workers=2, out=tmp_path / "pool")
    dask = run_monte_carlo(TINY, seeds, scheduler=client, out=tmp_path / "dask")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]
    assert strip(dask.rows) == strip(pool.rows)
    a, b = _table(tmp_path / "pool"), _table(tmp_path / "dask")
    assert a.schema == b.schema and a.equals(b)  # every column but the wall time, value for value


def test_a_killed_dask_worker_costs_only_time(client, tmp_path):
    out = tmp_path / "killed"
    pids = client.run(os.getpid)
    seen, killed = [], []

    def kill_one(done, total):
        seen.append(done)
        if done >= 1 and not killed:
            pid = next(iter(pids.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    seeds = list(range(6))
    res = run_monte_carlo(TINY, seeds, scheduler=client, out=out, progress=kill_one)
    assert killed
    assert [r["seed"] for r in res.rows] == seeds
    assert seen == list(range(len(seeds) + 1))  # each replication recorded exactly once
    assert sorted(p.name for p in (out / "replications").iterdir()) == [f"seed={s:08d}.parquet" for s in seeds]
    serial = run_monte_carlo(TINY, seeds)
    assert [{k: v for k, v in r.items() if k != "wall_s"} for r in res.rows] == \
        [{k: v for k, v in r.items() if k != "wall_s"} for r in serial.rows]


def test_sweep_on_the_cluster_matches_in_process(client, tmp_path):
    vary = [parse_vary("raids.Drones.count=1,2")]
    a = run_sweep(TINY, vary, [0, 1], scheduler=client, out=tmp_path / "s")
    b = run_sweep(TINY, vary, [0, 1])
    strip = lambda rows: [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]
    assert strip(a.rows) == strip(b.rows)


def test_unreachable_scheduler_is_one_line(tmp_path, capsys):
    code = main(["mc", str(TINY), "--runs", "2", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and "cannot reach the Dask scheduler" in err
