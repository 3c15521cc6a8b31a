"""CPU time per event handler and per stage of one replication, without a profiler's overhead.

    python benchmarks/stage_times.py [SCENARIO] [--seed 1]

Wraps the handlers and stage methods of one ``Simulation`` (radar scan, command-post cycle, fly-out advance,
uplinks, truth samples, tracker step and tables, radar measurement and expected Pd, the tracker's counting,
the truth state) with ``time.process_time`` accumulators and runs it once: each row is the CPU spent inside
that call, children included (the scan handler contains the tracker step and the measurement). Nested
calls are counted in every wrapper they pass through, so rows do not add up. cProfile's per-call overhead
distorts a run made of many short calls; this does not (two clock reads per wrapped call).
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "examples/scenarios/layered_defense.yaml"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    import iadsim
    from iadsim.engine import Simulation

    acc: dict[str, float] = collections.defaultdict(float)
    cnt: collections.Counter = collections.Counter()

    def wrap(obj, name, label):
        f = getattr(obj, name)

        def timed(*a, **k):
            t0 = time.process_time()
            try:
                return f(*a, **k)
            finally:
                acc[label] += time.process_time() - t0
                cnt[label] += 1

        setattr(obj, name, timed)

    t0 = time.process_time()
    c = iadsim.load_scenario(args.scenario)
    t1 = time.process_time()
    sim = Simulation(c, args.seed)
    t2 = time.process_time()
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
    t3 = time.process_time()
    sim.run()
    t4 = time.process_time()
    print(f"scenario {args.scenario}, seed {args.seed}: CPU load {t1 - t0:.2f} s, raid and set-up {t2 - t1:.2f} s, "
          f"run and results {t4 - t3:.2f} s")
    print("| stage | CPU (s) | calls | per call (us) |\n| --- | ---: | ---: | ---: |")
    for k, v in sorted(acc.items(), key=lambda x: -x[1]):
        print(f"| {k} | {v:.3f} | {cnt[k]:,} | {v / cnt[k] * 1e6:.1f} |")


if __name__ == "__main__":
    main()
