"""Wall time of the whole ``iadsim run`` command in fresh processes, this tree against another (issue 9's bar).

    python benchmarks/command_speed.py [SCENARIO] [--base TREE] [--rounds 6] [--seed 1]

The bar is the command as a user runs it: a fresh process, imports, numba's start-up and cached kernels, the
scenario, the run, the results and the run directory. On a shared host whose speed drifts within the hour,
one tree's timings from one hour are not comparable with another tree's from the next; so ``--base`` (the
root of another checkout, e.g. ``git worktree add /tmp/base <commit>``) runs the same command from that
tree's sources in alternation with this one's, round after round, and the ratio of the medians is the
comparison. Each tree runs once first to warm its kernel cache (a tree's kernels are cached under the
digest of its own sources) and is not timed.

Every run is ``python -c 'iadsim.cli.entry()' run SCENARIO --seed S --out DIR --overwrite`` with
``PYTHONPATH`` set to the tree's ``src`` and output piped (no terminal, so no progress bar), timed from
outside the process (``time.perf_counter`` around ``subprocess.run``). Prints one line per round, then the
medians, the real-time factor of each (simulated duration over median wall time), the ratio of the medians
and whether each tree meets 1000x. The run directories of the last round are compared table by table
(``compare_runs.py``): the speed work keeps results identical, so a difference ends the script with exit 1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the issue's bar: simulated time over the command's wall time
BAR = 1000.0
ENTRY = "import sys; from iadsim.cli import entry; sys.argv = ['iadsim'] + sys.argv[1:]; entry()"
#: seconds one command may take (a first run compiles the kernels: about two minutes here)
TIMEOUT = 1800.0


def run_once(tree: Path, scenario: Path, seed: int, out: Path) -> float:
    """Wall time (s) of one ``iadsim run`` of ``scenario`` from the sources of ``tree``, in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    for var in ("NUMBA_CACHE_DIR", "IADSIM_NUMBA_CACHE_DIR", "NUMBA_DISABLE_JIT"):
        env.pop(var, None)  # each tree its own kernel cache (iadsim._numba); compiled, as a user runs it
    cmd = [sys.executable, "-c", ENTRY, "run", str(scenario), "--seed", str(seed), "--out", str(out), "--overwrite"]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        sys.exit(f"command_speed: {tree}: iadsim run took more than {TIMEOUT:.0f} s; stopped")
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"command_speed: {tree}: iadsim run failed (exit {p.returncode}): "
                 f"{(p.stderr.strip().splitlines() or ['no output'])[-1]}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", type=Path, default=ROOT / "examples/scenarios/layered_defense.yaml")
    ap.add_argument("--base", type=Path, help="root of another checkout to run in alternation with this tree")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.base is not None and not (args.base / "src" / "iadsim").is_dir():
        sys.exit(f"command_speed: --base {args.base}: no src/iadsim there (the root of a checkout)")
    if args.rounds < 1:
        sys.exit("command_speed: --rounds must be at least 1")
    sys.path.insert(0, str(ROOT / "src"))
    from iadsim.errors import InputError
    from iadsim.scenario import load_scenario

    try:
        duration = load_scenario(args.scenario).duration
    except InputError as exc:
        sys.exit(f"command_speed: {exc}")
    trees = {"this": ROOT} | ({"base": args.base.resolve()} if args.base is not None else {})
    with tempfile.TemporaryDirectory(prefix="command_speed_") as tmp:
        outs = {name: Path(tmp) / name for name in trees}
        for name, tree in trees.items():  # warm each tree's kernel cache and the envelope tables
            run_once(tree, args.scenario, args.seed, outs[name])
        times: dict[str, list[float]] = {name: [] for name in trees}
        for r in range(args.rounds):
            order = list(trees) if r % 2 == 0 else list(trees)[::-1]  # alternate who goes first
            for name in order:
                times[name].append(run_once(trees[name], args.scenario, args.seed, outs[name]))
            print(f"round {r + 1}: " + ", ".join(f"{name} {times[name][-1]:.2f} s" for name in trees), flush=True)
        print(f"scenario {args.scenario.name}, seed {args.seed}, {duration:.0f} s simulated, {args.rounds} rounds")
        med = {name: statistics.median(v) for name, v in times.items()}
        for name in trees:
            x = duration / med[name]
            print(f"{name} ({trees[name]}): median {med[name]:.2f} s (range {min(times[name]):.2f}-"
                  f"{max(times[name]):.2f}), {x:.0f}x real time, 1000x bar {'met' if x >= BAR else 'not met'}")
        if "base" in trees:
            print(f"this / base (medians): {med['this'] / med['base']:.3f}")
            cmp = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare_runs.py"), str(outs["base"]),
                                  str(outs["this"])], capture_output=True, text=True)
            if cmp.returncode != 0:  # the speed work keeps results identical: a difference fails the script
                sys.exit("results: DIFFERENT\n" + cmp.stdout + cmp.stderr)
            print("results: identical tables")


if __name__ == "__main__":
    main()
