"""Monte Carlo scaling: replications per second with 1 and 2 workers on the local pool and on a Dask
LocalCluster, and the per-replication overhead of each backend (wall time per replication minus the
replication's own simulate time, ``wall_s`` of its row).

    python benchmarks/mc_scaling.py [--runs 12] [--scenario tests/studies/data/tiny.yaml]

The scenario is compiled once; each backend runs the same seeds (warm numba cache: one replication first).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from iadsim.montecarlo import run_monte_carlo
from iadsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--scenario", default=str(ROOT / "tests" / "studies" / "data" / "tiny.yaml"))
    a = ap.parse_args()
    compiled = load_scenario(a.scenario)
    run_monte_carlo(compiled, [0])  # compile the kernels once
    seeds = list(range(1, a.runs + 1))
    print(f"{Path(a.scenario).name}: {a.runs} replications")
    print(f"{'backend':<24}{'workers':>8}{'rep/s':>9}{'sim s/rep':>11}{'overhead s/rep':>16}")
    for backend, workers in (("in process", 1), ("local pool", 2), ("LocalCluster", 1), ("LocalCluster", 2)):
        client = cluster = None
        sched = None
        if backend == "LocalCluster":
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None)
            client = Client(cluster)
            run_monte_carlo(compiled, [0], scheduler=client)  # workers warm (imports, numba cache)
            sched = client
        t0 = time.perf_counter()
        r = run_monte_carlo(compiled, seeds, workers=workers, scheduler=sched)
        wall = time.perf_counter() - t0
        sim = sum(x["wall_s"] for x in r.rows) / len(r.rows)
        over = wall * workers / len(seeds) - sim
        print(f"{backend:<24}{workers:>8}{len(seeds) / wall:>9.2f}{sim:>11.3f}{over:>16.3f}")
        if client is not None:
            client.close()
            cluster.close()


if __name__ == "__main__":
    main()
