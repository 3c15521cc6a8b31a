"""Simulated-to-wall time ratio of one replication (the issue's bar: >= 200x real time on 2 cores).

    python benchmarks/run_speed.py [SCENARIO] [--seeds 0 1 2]

Runs the scenario once to warm imports, then once per seed, and prints per-seed wall time, the ratio of
simulated to wall time, and where the time went (tracker, radar scans, command-post cycles, outputs) from
cProfile of the first seed. There is no peer simulator to run on the same input in one process here: the
ratio to real time is the measure the issue sets.
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import time
from pathlib import Path

import iadsim

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "examples/scenarios/layered_defense.yaml"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--profile", action="store_true", help="cProfile the first seed")
    args = ap.parse_args()
    c = iadsim.load_scenario(args.scenario)
    print(f"scenario: {args.scenario} ({c.n_threats} threats, {c.duration:.0f} s simulated)")
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    iadsim.simulate(iadsim.load_scenario(ROOT / "examples/scenarios/quickstart.yaml"), 0)  # warm-up
    ratios = []
    for k, seed in enumerate(args.seeds):
        prof = cProfile.Profile() if (args.profile and k == 0) else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        r = iadsim.simulate(c, seed)
        if prof:
            prof.disable()
        wall = time.perf_counter() - t0
        ratios.append(c.duration / wall)
        tot = r.summary["threats"]["total"]
        print(f"seed {seed}: wall {wall:6.2f} s  sim/wall {c.duration / wall:6.0f}x  "
              f"intercepted {tot['intercepted']}/{tot['launched']}  leaked {tot['leaked']}")
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(12)
    ratios.sort()
    print(f"median sim/wall ratio: {ratios[len(ratios) // 2]:.0f}x real time")


if __name__ == "__main__":
    main()
