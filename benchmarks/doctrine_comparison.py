"""Doctrine comparison on a scenario by Monte Carlo: leakage, assets lost and interceptor cost with 95 % CIs.

    python benchmarks/doctrine_comparison.py [SCENARIO] --runs 50 --workers 2 --out runs/doctrine

Variants change one factor at a time from the baseline doctrine (greedy assignment, shoot-look-shoot,
value-only objective): exact assignment; shoot-shoot-look; cost-aware objective. Every variant runs the
same seeds, so the raids, radar noise and Pk draws are common random numbers across variants (each
component has its own generator keyed by name, see iadsim.engine.simulation). Studies are resumable: rerun
the same command to finish an interrupted one. Prints a markdown table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import yaml
from scipy import stats as st

from iadsim.montecarlo import run_monte_carlo

ROOT = Path(__file__).resolve().parents[1]

VARIANTS = {
    "baseline (greedy, SLS, value)": {},
    "exact WTA": {"assignment": "exact"},
    "shoot-shoot-look": {"mode": "shoot-shoot-look"},
    "cost-aware (10 per M$)": {"objective": "cost_aware", "cost_weight": 10.0},
}
METRICS = [("leakage", "leakage", "{:.3f}"), ("threats leaked", "threats_leaked", "{:.1f}"),
           ("ballistic leaked", "ballistic_leaked", "{:.1f}"), ("assets lost (of 6)", "assets_lost", "{:.2f}"),
           ("value surviving", "value_surviving_fraction", "{:.3f}"),
           ("interceptors fired", "interceptors_fired", "{:.0f}"),
           ("upper tier fired", "fired_lr_interceptor", "{:.1f}"),
           ("middle tier fired", "fired_mr_interceptor", "{:.1f}"),
           ("lower tier fired", "fired_sr_interceptor", "{:.1f}"),
           ("interceptor cost (M$)", "interceptor_cost", "{:.1f}")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "examples/scenarios/layered_defense.yaml"))
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="runs/doctrine")
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS))
    args = ap.parse_args()
    base = yaml.safe_load(Path(args.scenario).read_text())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stats, rows = {}, {}
    for name in args.variants:
        d = dict(base)
        cp = dict(d.get("command_post", {}))
        doc = dict(cp.get("doctrine", {}))
        doc.update(VARIANTS[name])
        if doc.get("mode") == "shoot-shoot-look":
            doc.pop("salvo", None)  # salvo 2 per engagement in every layer
        cp["doctrine"] = doc
        d["command_post"] = cp
        slug = "".join(ch if ch.isalnum() else "_" for ch in name).strip("_")
        path = out / f"{slug}.yaml"
        path.write_text(yaml.safe_dump(d, sort_keys=False))
        t0 = time.perf_counter()
        res = run_monte_carlo(path, range(args.runs), workers=args.workers, out=out / slug,
                              progress=lambda k, n, s=name: print(f"\r{s}: {k}/{n}", end="", flush=True))
        print(f"\r{name}: {res.stats['replications']} replications in {time.perf_counter() - t0:.0f} s")
        stats[name] = res.stats
        rows[name] = res.rows
    print(f"\nmachine: {platform.machine()}, python {platform.python_version()}; "
          f"{args.runs} seeds per variant (0..{args.runs - 1}), common random numbers\n")
    names = list(stats)
    print("| metric (mean, 95% CI) | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for label, key, fmt in METRICS:
        cells = []
        for n in names:
            s = stats[n].get(key)
            if s is None:
                cells.append("-")
                continue
            scale = 1e-6 if key == "interceptor_cost" else 1.0
            lo, hi = (v * scale for v in s["ci95"])
            cells.append(f"{fmt.format(s['mean'] * scale)} [{fmt.format(lo)}, {fmt.format(hi)}]")
        print(f"| {label} | " + " | ".join(cells) + " |")
    # paired differences against the baseline: same seeds, so the common random numbers cancel
    base = names[0]
    print("\n| paired difference vs baseline (mean, 95% CI) | " + " | ".join(names[1:]) + " |")
    print("|---" * len(names) + "|")
    for label, key, fmt in METRICS:
        cells = []
        for n in names[1:]:
            a = {r["seed"]: r.get(key) for r in rows[base]}
            d = np.array([r[key] - a[r["seed"]] for r in rows[n] if r.get(key) is not None
                          and a.get(r["seed"]) is not None], float)
            scale = 1e-6 if key == "interceptor_cost" else 1.0
            m = d.mean() * scale
            h = st.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size) * scale if d.size > 1 else np.nan
            cells.append(f"{fmt.format(m)} [{fmt.format(m - h)}, {fmt.format(m + h)}]")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
