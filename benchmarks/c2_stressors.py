"""What each C2 stressor of examples/scenarios/contested.yaml costs (issue 10), one at a time against the
unstressed baseline, and the run speed with everything on.

Variants (same seeds, so the differences are paired): ``baseline`` (no network, no ARMs, no EMCON rule),
``latency`` (the network without its cut), ``cut`` (the network's cut with instant, lossless links),
``arms`` (the ARM raid and SR-1's EMCON-when-threatened rule, no network), ``arms_no_emcon`` (the ARM raid
without the rule), ``all`` (the example as shipped). Per replication: the leakage of the threats aimed at
assets (the ARMs excluded: leaked / launched), the interceptors fired, the radars lost, the radars' silent
time by their EMCON rule, the wall time of the event loop. Prints the means with 95 % t intervals of the
paired differences against the baseline, as a Markdown table.

    python benchmarks/c2_stressors.py --seeds 4
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import yaml
from scipy import stats

from iadsim.engine.simulation import Simulation
from iadsim.scenario.load import scenario_from_data
from iadsim.status import LEAKED

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "examples" / "scenarios" / "contested.yaml"
ARM_RAID = "Anti-radiation missiles"


def variants(d):
    base = copy.deepcopy(d)
    base.pop("network")
    base.pop("emcon", None)
    base["raids"] = [r for r in base["raids"] if r["name"] != ARM_RAID]
    lat = copy.deepcopy(d)
    lat["raids"] = base["raids"]
    lat["network"]["cuts"] = []
    cut = copy.deepcopy(lat)
    cut["network"]["cuts"] = d["network"]["cuts"]
    cut["network"]["links"] = [{"name": lk["name"], "ends": lk["ends"]} for lk in d["network"]["links"]]
    lat.pop("emcon", None)
    cut.pop("emcon", None)
    arms = copy.deepcopy(d)
    arms.pop("network")
    bare = copy.deepcopy(arms)
    bare.pop("emcon", None)
    return {"baseline": base, "latency": lat, "cut": cut, "arms": arms, "arms_no_emcon": bare, "all": d}


def replicate(data, seed):
    c = scenario_from_data(data, file=str(FILE))
    sim = Simulation(c, seed)
    t0 = time.perf_counter()
    sim.run(tables=False)
    wall = time.perf_counter() - t0
    th = sim.threats
    names = [r.name for r in c.raids]
    n = th.n_threats
    aimed = np.array([names[k] != ARM_RAID for k in th.raid[:n]])
    leak = float(np.mean(sim.threat_state.status[:n][aimed] == LEAKED))
    lost = sum(not sim.c2.radar_alive(k) for k in range(len(c.radars)))
    silent = sum(r["silent_s"] for r in sim.c2.emcon_summary(c.duration).values())
    return leak, int(sim.fire_units.fired.sum()), wall, c.duration, lost, silent


def ci(x):
    x = np.asarray(x, float)
    if x.size < 2:
        return float(x.mean()), float("nan")
    return float(x.mean()), float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    args = ap.parse_args()
    d = yaml.safe_load(FILE.read_text())
    out = {}
    for name, data in variants(d).items():
        out[name] = [replicate(data, s) for s in range(1, args.seeds + 1)]
        print(f"# {name}: done", flush=True)
    b = np.array(out["baseline"])
    print(f"\n{args.seeds} seeds (1..{args.seeds}), paired against the baseline; 95 % t intervals\n")
    print("| variant | leakage | d leakage | interceptors | d interceptors | radars lost | EMCON silent s | loop s "
          "| speed (x real time) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, rows in out.items():
        r = np.array(rows)
        lk, lk_h = ci(r[:, 0])
        fi, fi_h = ci(r[:, 1])
        dl, dl_h = ci(r[:, 0] - b[:, 0])
        df, df_h = ci(r[:, 1] - b[:, 1])
        wall = r[:, 2].mean()
        print(f"| {name} | {lk:.3f} ± {lk_h:.3f} | {dl:+.3f} ± {dl_h:.3f} | {fi:.1f} ± {fi_h:.1f} | "
              f"{df:+.1f} ± {df_h:.1f} | {r[:, 4].mean():.2f} | {r[:, 5].mean():.0f} | {wall:.1f} | "
              f"{r[0, 3] / wall:.0f} |")


if __name__ == "__main__":
    main()
