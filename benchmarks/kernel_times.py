"""Wall time inside each compiled kernel the run calls from Python, over one replication.

    python benchmarks/kernel_times.py [SCENARIO] [--seed 1]

Wraps the module attributes of the top-level numba kernels (the fly-out, the tracker scan, the window
search, the threat evaluation, the radar passes, the truth state, the shot solver's flights, GOSPA) with
``time.perf_counter`` accumulators and runs one ``Simulation``: each row is the time spent inside that
kernel, its calls and the time per call; the first line gives the set-up, the run (with the results) and
the sum of the rows. A kernel called from another kernel is inside its caller's row. What the rows leave
of the run is Python: the handlers, numpy's small calls, the tables. Complements ``stage_times.py`` (CPU per
handler).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: module -> its kernels called from Python
KERNELS = {
    "iadsim.engagement.airframe": ["advance"],
    "iadsim.tracking._kernels": ["scan", "finish", "track_table"],
    "iadsim.tracking._imm_kernels": ["scan", "finish", "track_table"],
    "iadsim.assignment._windows": ["_windows_kernel"],
    "iadsim.evaluation.threat_evaluation": ["_evaluate_kernel"],
    "iadsim.sensors.radar": ["_geometry_kernel", "_detected_kernel", "_plain_scan_kernel", "_near_cover_kernel",
                             "_pd_plain_kernel"],
    "iadsim.threats.truth": ["_state_kernel"],
    "iadsim.threats.rocket": ["fly", "fly_parallel"],
    "iadsim.metrics.tracking": ["_gospa_kernel"],
    "iadsim.engagement.engagements": ["_pip_kernel"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "examples/scenarios/layered_defense.yaml"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    import iadsim.engine  # noqa: F401 (the engine first: the kernel modules import each other through it)
    from iadsim.engine.simulation import Simulation
    from iadsim.scenario import load_scenario

    acc: dict[str, float] = collections.defaultdict(float)
    cnt: collections.Counter = collections.Counter()
    for mod, names in KERNELS.items():
        try:
            m = importlib.import_module(mod)
        except ImportError:  # an older tree without this module (comparing commits)
            continue
        for name in names:
            f = getattr(m, name)
            label = f"{mod.rsplit('.', 1)[-1]}.{name}"

            def timed(*a, _f=f, _label=label, **k):
                t0 = time.perf_counter()
                try:
                    return _f(*a, **k)
                finally:
                    acc[_label] += time.perf_counter() - t0
                    cnt[_label] += 1

            setattr(m, name, timed)
    c = load_scenario(args.scenario)
    t0 = time.perf_counter()
    sim = Simulation(c, args.seed)
    t1 = time.perf_counter()
    sim.run()
    t2 = time.perf_counter()
    print(f"scenario {args.scenario}, seed {args.seed}: set-up {t1 - t0:.2f} s, run and results {t2 - t1:.2f} s, "
          f"inside the kernels {sum(acc.values()):.2f} s")
    print("| kernel | wall (s) | calls | per call (us) |")
    print("| --- | ---: | ---: | ---: |")
    for k, v in sorted(acc.items(), key=lambda kv: -kv[1]):
        print(f"| {k} | {v:.3f} | {cnt[k]:,} | {1e6 * v / cnt[k]:.1f} |")


if __name__ == "__main__":
    main()
