"""Benchmark the static WTA solvers on seeded random instances (a script, not a test).

Instance families:
  ahuja     one weapon per type, n = m, V_j integer uniform [25, 100], p_ij uniform [0.6, 0.9]
            (Ahuja, Kumar, Jha & Orlin, Oper. Res. 55(6), 2007);
  ahuja01   the same with p_ij uniform (0, 1);
  andersen  p_ij uniform (0, 1), V_j integer uniform [1, 99], m = 2n targets, mu weapons per type
            (Andersen, Pavlikov & Toffolo, Ann. Oper. Res. 2022).

Usage:
  python benchmarks/wta.py --family ahuja --sizes 50 100 200 --methods greedy local_search exact
  python benchmarks/wta.py --family andersen --sizes 50 100 --mu 1 2 3 --time-limit 60
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from iadsim.assignment import WTAProblem, solve_wta


def ahuja(n: int, seed: int, p_low: float = 0.6, p_high: float = 0.9) -> WTAProblem:
    rng = np.random.default_rng(seed)
    V = rng.integers(25, 101, n).astype(float)
    p = rng.uniform(p_low, p_high, (n, n))
    return WTAProblem(values=V, pk=p, counts=np.ones(n, np.int64))


def andersen(n: int, mu: int, seed: int) -> WTAProblem:
    rng = np.random.default_rng(seed)
    m = 2 * n
    V = rng.integers(1, 100, m).astype(float)
    p = rng.uniform(0.0, 1.0, (n, m))
    return WTAProblem(values=V, pk=p, counts=np.full(n, mu, np.int64))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", choices=["ahuja", "ahuja01", "andersen"], default="ahuja")
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200],
                    help="n (number of weapon types; targets m = n, or 2n for andersen)")
    ap.add_argument("--mu", type=int, nargs="+", default=[1, 2, 3], help="weapons per type (andersen)")
    ap.add_argument("--methods", nargs="+", default=["greedy", "local_search", "exact"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per exact solve")
    args = ap.parse_args(argv)

    # compile the numba kernels once so that the first timing is not the JIT's
    solve_wta(ahuja(5, 0), method="exact")
    print("| family | n x m | mu | seed | method | objective | bound | gap | status | time [s] |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for mu in (args.mu if args.family == "andersen" else [1]):
            for seed in args.seeds:
                if args.family == "ahuja":
                    prob = ahuja(n, seed)
                elif args.family == "ahuja01":
                    prob = ahuja(n, seed, 0.0, 1.0)
                else:
                    prob = andersen(n, mu, seed)
                for method in args.methods:
                    t = time.perf_counter()
                    res = solve_wta(prob, method=method, time_limit=args.time_limit)
                    wall = time.perf_counter() - t
                    print(f"| {args.family} | {prob.n}x{prob.m} | {mu} | {seed} | {method} | "
                          f"{res.objective:.6f} | {res.bound:.6f} | {res.gap:.2e} | {res.status} | "
                          f"{wall:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
