"""The catalog interceptors' kinematic envelopes, flown from the 3-DOF model: reach, time of flight, speed.

    python benchmarks/envelopes.py

Builds each table afresh (no cache) and prints a markdown table for benchmarks/RESULTS.md: build time, the
largest ground range reached, the longest time of flight, the reach at the lowest, middle and highest
altitude of the type's band, the arrival speed at the farthest node, and the single-shot kill probability
the doctrine plans with per threat class.
"""

from __future__ import annotations

import time

import numpy as np

from iadsim.assignment.doctrine import planned_pk
from iadsim.engagement.envelope import build_envelope
from iadsim.scenario.catalog import catalog_names, resolve


def main() -> None:
    print("| type (altitude band) | build (s) | reach (km) | longest flight (s) | reach at lowest / middle / highest "
          "altitude (km) | speed at the farthest node (m/s) | planned Pk ballistic / cruise / drone / aircraft |")
    print("|---|---|---|---|---|---|---|")
    for name in catalog_names("interceptor"):
        spec = resolve("interceptor", name)
        t0 = time.perf_counter()
        tab = build_envelope(spec)
        build = time.perf_counter() - t0
        reach = [tab.rho[tab.feasible[:, j]][-1] / 1e3 if tab.feasible[:, j].any() else 0.0
                 for j in (0, tab.h.size // 2, tab.h.size - 1)]
        i = np.flatnonzero(tab.feasible.any(axis=1))[-1]
        j = np.flatnonzero(tab.feasible[i])[0]
        pk = planned_pk(spec)
        print(f"| {name} ({spec.min_altitude / 1e3:g}-{spec.max_altitude / 1e3:g} km) | {build:.1f} | "
              f"{tab.max_range / 1e3:.0f} | {tab.max_tof:.0f} | " + " / ".join(f"{r:.0f}" for r in reach)
              + f" | {tab.speed[i, j]:.0f} | " + " / ".join(f"{p:.2f}" for p in pk) + " |")


if __name__ == "__main__":
    main()
