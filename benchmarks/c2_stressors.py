"""What each stressor of examples/scenarios/contested.yaml costs (issue 10), one at a time against the unstressed
baseline, and the run speed with everything on.

Variants, all built from the shipped file (same seeds, so the differences are paired):

* ``baseline``: no terrain (a flat sea), no jammers, no C2 network (instant, lossless links), no EMCON, no ARMs;
* ``terrain``: the baseline on the file's terrain (masking, land clutter; threats that follow the terrain do);
* ``jamming``: the baseline under the file's jammers (stand-off and self-screening);
* ``latency``: the baseline over the file's network, its link cut removed (latency, jitter, loss, capacity);
* ``cut``: the baseline with the file's link cut on instant, lossless links;
* ``arms``: the baseline with the anti-radiation missiles, no EMCON;
* ``arms+emcon``: the ARMs against the file's EMCON rules (only if the file has an ``emcon`` section: SR-1 goes
  silent while a fast track closes inside 40 km);
* ``all``: the example as shipped.

Per replication: the leakage of the threats aimed at assets (the ARMs excluded: leaked / launched), the
interceptors fired, the radars lost, the radars' silent time by their EMCON rules and the CPU time of the event
loop. Prints the means with 95 % t intervals, and the paired
differences against the baseline with theirs (Law, *Simulation Modeling and Analysis*, 5th ed., sect. 10.2.2),
as a Markdown table.

    python benchmarks/c2_stressors.py --seeds 50 --workers 2
"""

from __future__ import annotations

import argparse
import copy
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import yaml
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "examples" / "scenarios" / "contested.yaml"
ARM_RAID = "Anti-radiation missiles"


def variants(d: dict) -> dict:
    """The variants of the module docstring, as scenario data."""
    base = copy.deepcopy(d)
    for key in ("terrain", "jammers", "network", "emcon"):
        base.pop(key, None)
    base["raids"] = [r for r in base["raids"] if r["name"] != ARM_RAID]
    out = {"baseline": base}
    terrain = copy.deepcopy(base)
    terrain["terrain"] = d["terrain"]
    out["terrain"] = terrain
    jam = copy.deepcopy(base)
    jam["jammers"] = d["jammers"]
    out["jamming"] = jam
    lat = copy.deepcopy(base)
    lat["network"] = {**copy.deepcopy(d["network"]), "cuts": []}
    out["latency"] = lat
    cut = copy.deepcopy(base)
    cut["network"] = {**copy.deepcopy(d["network"]),
                      "links": [{"name": lk["name"], "ends": lk["ends"]} for lk in d["network"]["links"]]}
    out["cut"] = cut
    arms = copy.deepcopy(base)
    arms["raids"] = copy.deepcopy(d["raids"])
    out["arms"] = arms
    if d.get("emcon"):
        ae = copy.deepcopy(arms)
        ae["emcon"] = d["emcon"]
        out["arms+emcon"] = ae
    out["all"] = d
    return out


def replicate(job):
    """One replication: (leakage of the asset-aimed threats, interceptors fired, loop CPU s, duration s, radars
    lost, EMCON silent s)."""
    from iadsim.engine.simulation import Simulation
    from iadsim.scenario.load import scenario_from_data
    from iadsim.status import LEAKED

    name, data, seed = job
    c = scenario_from_data(data, file=str(FILE))
    sim = Simulation(c, seed)
    t0 = time.process_time()
    sim.run(tables=False)
    cpu = time.process_time() - t0
    th = sim.threats
    names = [r.name for r in c.raids]
    n = th.n_threats
    aimed = np.array([names[k] != ARM_RAID for k in th.raid[:n]])
    leak = float(np.mean(sim.threat_state.status[:n][aimed] == LEAKED))
    lost = sum(not sim.c2.radar_alive(k) for k in range(len(c.radars)))
    silent = sum(r["silent_s"] for r in sim.c2.emcon_summary(c.duration).values())
    return name, seed, (leak, int(sim.fire_units.fired.sum()), cpu, c.duration, lost, silent)


def ci(x):
    x = np.asarray(x, float)
    if x.size < 2:
        return float(x.mean()), float("nan")
    return float(x.mean()), float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--only", nargs="*", help="variant names to run (default: all)")
    args = ap.parse_args()
    d = yaml.safe_load(FILE.read_text())
    vs = variants(d)
    if args.only:
        vs = {k: v for k, v in vs.items() if k in args.only or k == "baseline"}
    seeds = range(1, args.seeds + 1)
    jobs = [(name, data, s) for s in seeds for name, data in vs.items()]
    out = {name: {} for name in vs}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        for k, (name, seed, row) in enumerate(pool.map(replicate, jobs), 1):
            out[name][seed] = row
            if k % len(vs) == 0:
                print(f"# seed {seed} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    b = np.array([out["baseline"][s] for s in seeds])
    print(f"\n{args.seeds} seeds (1..{args.seeds}), paired against the baseline; 95 % t intervals\n")
    print("| variant | leakage | d leakage | interceptors | d interceptors | radars lost | EMCON silent s | "
          "loop CPU s | speed (x real time, CPU) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in vs:
        r = np.array([out[name][s] for s in seeds])
        lk, lk_h = ci(r[:, 0])
        fi, fi_h = ci(r[:, 1])
        dl, dl_h = ci(r[:, 0] - b[:, 0])
        df, df_h = ci(r[:, 1] - b[:, 1])
        cpu = r[:, 2].mean()
        print(f"| {name} | {lk:.3f} ± {lk_h:.3f} | {dl:+.3f} ± {dl_h:.3f} | {fi:.1f} ± {fi_h:.1f} | "
              f"{df:+.1f} ± {df_h:.1f} | {r[:, 4].mean():.2f} | {r[:, 5].mean():.0f} | {cpu:.1f} | "
              f"{r[0, 3] / cpu:.0f} |")


if __name__ == "__main__":
    main()
