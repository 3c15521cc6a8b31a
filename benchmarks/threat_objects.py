"""The layered raid's released objects, debris and speed per replication (section 11 of RESULTS.md).

    python benchmarks/threat_objects.py [--seeds 0 1 2]

Per seed, summary only: CPU and wall time of the replication (raid realization, shot solving and the event
loop included), the spent stages and decoys released and intercepted and the interceptors the defense spent
on them, the debris falls and the median miss of the leakers' impacts from their aimed assets.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from iadsim.engine.simulation import Simulation
from iadsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    c = load_scenario(ROOT / "examples/scenarios/layered_defense.yaml")
    Simulation(c, args.seeds[0])  # warm the compiled kernels and the envelope cache
    for seed in args.seeds:
        p, w = time.process_time(), time.perf_counter()
        s = Simulation(c, seed).run(tables=False).summary
        cpu, wall = time.process_time() - p, time.perf_counter() - w
        print(json.dumps({"seed": seed, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                          "x_cpu": round(c.duration / cpu), "x_wall": round(c.duration / wall),
                          "objects": s["objects"], "debris": s["assets"]["debris_falls"],
                          "impact_miss_median_m": s["assets"]["impact_miss_median_m"]}))


if __name__ == "__main__":
    main()
