"""CPU time per event handler and per stage of one replication, without a profiler's overhead.

    python benchmarks/stage_times.py [SCENARIO] [--seed 1] [--kernels]

Wraps the handlers and stage methods of one ``Simulation`` (radar scan, command-post cycle, fly-out advance,
uplinks, truth samples, tracker step and tables, radar measurement and expected Pd, the tracker's counting,
the truth state) with ``time.process_time`` accumulators and runs it once: each row is the CPU spent inside
that call, children included (the scan handler contains the tracker step and the measurement). Nested
calls are counted in every wrapper they pass through, so rows do not add up. cProfile's per-call overhead
distorts a run made of many short calls; this does not (two clock reads per wrapped call).

``--kernels``: instead, the wall time inside each compiled kernel the run calls from Python (the fly-out,
the tracker scans, the window search, the threat evaluation, the radar passes, the truth state, the shot
solver's flights, GOSPA), set-up included; a kernel called from another kernel is in its caller's row, and
what the rows leave of the run is Python.
"""

from __future__ import annotations

import argparse
import collections
import importlib
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: module -> its kernels called from Python (``--kernels``)
KERNELS = {
    "iadsim.engagement.airframe": ["advance"],
    "iadsim.tracking._kernels": ["scan", "finish", "scan_counted_finish", "track_table"],
    "iadsim.tracking._imm_kernels": ["scan", "finish", "track_table"],
    "iadsim.assignment._windows": ["_windows_kernel"],
    "iadsim.evaluation.threat_evaluation": ["_evaluate_kernel"],
    "iadsim.sensors.radar": ["_geometry_kernel", "_detected_kernel", "_plain_scan_kernel", "_near_cover_kernel",
                             "_pd_plain_kernel", "_one_pass_scan_kernel"],
    "iadsim.threats.truth": ["_state_kernel"],
    "iadsim.threats.rocket": ["fly", "fly_parallel"],
    "iadsim.metrics.tracking": ["_gospa_kernel"],
    "iadsim.engagement.engagements": ["_pip_kernel"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "examples/scenarios/layered_defense.yaml"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kernels", action="store_true", help="wall time inside each compiled kernel instead")
    args = ap.parse_args()
    import iadsim
    from iadsim.engine import Simulation

    acc: dict[str, float] = collections.defaultdict(float)
    cnt: collections.Counter = collections.Counter()
    clock = time.perf_counter if args.kernels else time.process_time

    def wrap(obj, name, label):
        f = getattr(obj, name)

        def timed(*a, **k):
            t0 = clock()
            try:
                return f(*a, **k)
            finally:
                acc[label] += clock() - t0
                cnt[label] += 1

        setattr(obj, name, timed)

    if args.kernels:
        for mod, names in KERNELS.items():
            try:
                m = importlib.import_module(mod)
            except ImportError:  # an older tree without this module (comparing commits)
                continue
            for name in names:
                wrap(m, name, f"{mod.rsplit('.', 1)[-1]}.{name}")
    t0 = clock()
    c = iadsim.load_scenario(args.scenario)
    t1 = clock()
    sim = Simulation(c, args.seed)
    t2 = clock()
    if not args.kernels:
        wrap(sim.tracker, "step", "tracker.step (with counted)")
        wrap(sim.tracker, "predict_confirmed", "tracker.predict_confirmed")
        if sim.tracker.counted is not None:
            wrap(sim.tracker, "counted", "counted")
        for r in sim.radars:
            wrap(r, "measure", "radar.measure")
            wrap(r, "pd_expected", "radar.pd_expected")
        for name in ("advance", "uplink", "on_round", "on_tick"):
            wrap(sim.engagements, name, f"engagements.{name}")
        wrap(sim.c2, "on_cycle", "c2.on_cycle")
        wrap(sim, "_scan", "handler: radar scan")
        wrap(sim, "_sample", "handler: truth sample")
        wrap(sim.threats.truth, "state", "truth.state")
    t3 = clock()
    sim.run()
    t4 = clock()
    what = "wall" if args.kernels else "CPU"
    print(f"scenario {args.scenario}, seed {args.seed}: {what} load {t1 - t0:.2f} s, raid and set-up "
          f"{t2 - t1:.2f} s, run and results {t4 - t3:.2f} s"
          + (f", inside the kernels {sum(acc.values()):.2f} s" if args.kernels else ""))
    print(f"| {'kernel' if args.kernels else 'stage'} | {what} (s) | calls | per call (us) |")
    print("| --- | ---: | ---: | ---: |")
    for k, v in sorted(acc.items(), key=lambda x: -x[1]):
        print(f"| {k} | {v:.3f} | {cnt[k]:,} | {v / cnt[k] * 1e6:.1f} |")


if __name__ == "__main__":
    main()
