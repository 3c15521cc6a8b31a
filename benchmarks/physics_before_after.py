"""How the layered raid's answer moved with the interceptor physics: before/after table with 95 % CIs.

    python benchmarks/physics_before_after.py --after runs/doctrine/baseline__greedy__SLS__value \
        [--before benchmarks/data/layered_baseline_first_fidelity.csv]

``--before`` defaults to the replication rows of the first-fidelity engine (constant-speed chords, a fixed
range/altitude box, constant Pk per class), produced at commit 974ea7a with
``python benchmarks/doctrine_comparison.py --runs 50 --workers 1 --variants "baseline (greedy, SLS, value)"``
and kept as a CSV. ``--after`` is a Monte Carlo directory of the same scenario and seeds (its
``replications`` Parquet parts). Both use the same raid draws per seed (the raid generator is keyed by name
and did not change), so the table also gives paired differences. Cost per layer is rounds fired times the
catalog unit cost of that layer's interceptor.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow.csv as pc
import pyarrow.parquet as pq
from scipy import stats as st

ROOT = Path(__file__).resolve().parents[1]
UNIT_COST = {"lr_interceptor": 3.0, "mr_interceptor": 1.0, "sr_interceptor": 0.05}  # M$, the catalog's
METRICS = [("leakage (fraction of threats)", "leakage", "{:.3f}"), ("threats leaked", "threats_leaked", "{:.1f}"),
           ("ballistic leaked", "ballistic_leaked", "{:.1f}"), ("cruise leaked", "cruise_leaked", "{:.1f}"),
           ("drones leaked", "drone_leaked", "{:.1f}"), ("assets lost (of 6)", "assets_lost", "{:.2f}"),
           ("upper tier fired", "fired_lr_interceptor", "{:.1f}"),
           ("middle tier fired", "fired_mr_interceptor", "{:.1f}"),
           ("lower tier fired", "fired_sr_interceptor", "{:.1f}"),
           ("upper tier cost (M$)", "cost_lr_interceptor", "{:.1f}"),
           ("middle tier cost (M$)", "cost_mr_interceptor", "{:.1f}"),
           ("lower tier cost (M$)", "cost_sr_interceptor", "{:.2f}"),
           ("interceptor cost (M$)", "interceptor_cost_musd", "{:.1f}")]


def _rows(path: Path) -> dict[int, dict]:
    table = pc.read_csv(path) if path.suffix == ".csv" else pq.read_table(path / "replications")
    out = {}
    for row in table.to_pylist():
        for name, c in UNIT_COST.items():
            row[f"cost_{name}"] = row.get(f"fired_{name}", 0) * c
        row["interceptor_cost_musd"] = row["interceptor_cost"] / 1e6
        out[int(row["seed"])] = row
    return out


def _ci(x):
    x = np.asarray(x, float)
    h = st.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return x.mean(), x.mean() - h, x.mean() + h


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=str(ROOT / "benchmarks/data/layered_baseline_first_fidelity.csv"))
    ap.add_argument("--after", required=True)
    ap.add_argument("--labels", nargs=2, default=["first-fidelity fly-out", "3-DOF fly-out"],
                    help="column titles of --before and --after")
    args = ap.parse_args()
    before, after = _rows(Path(args.before)), _rows(Path(args.after))
    seeds = sorted(set(before) & set(after))
    print(f"{len(seeds)} seeds in both ({seeds[0]}..{seeds[-1]})\n")
    print(f"| metric (mean, 95% CI) | {args.labels[0]} | {args.labels[1]} | paired difference |")
    print("|---|---|---|---|")
    for label, key, fmt in METRICS:
        b = [before[s][key] for s in seeds]
        a = [after[s][key] for s in seeds]
        cells = []
        for x in (b, a, np.subtract(a, b)):
            m, lo, hi = _ci(x)
            cells.append(f"{fmt.format(m)} [{fmt.format(lo)}, {fmt.format(hi)}]")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
