"""How one replication scales with the raid: CPU time, peak memory and where the time goes, per raid size.

    python benchmarks/scaling.py [--scenario SCENARIO] [--k 1 2 4 8 16] [--seed 0] [--summary-only]
                                 [--profile same|separate|off]

For each factor ``k`` every raid's ``count`` in the scenario (default ``examples/scenarios/layered_defense.yaml``,
320 threats) is multiplied by ``k`` (nothing else changes: same defence, same arrival windows, so the raid
gets ``k`` times denser), and one replication runs in a fresh Python process. Reported per ``k``:

* child CPU: user + system CPU of the whole child process (``os.wait4`` rusage: imports, scenario
  compilation, the run); run CPU: ``time.process_time()`` around ``simulate`` alone;
* peak RSS: the child's ``ru_maxrss``, overall and at the end of each stage (``ru_maxrss`` only grows, so
  each is the peak up to that point): scenario and raid realization (``Simulation`` built), the event loop
  (just before the results build), the results build (metrics and tables);
* run CPU per threat, and the local exponent ``log(cpu_k / cpu_k') / log(k / k')`` between successive ``k``;
* CPU time per stage, from a cProfile of the run with a CPU-time clock (``time.process_time``): tracker
  step (``Tracker.step``), command-post cycle (``Simulation._c2`` minus the fly-out advance it calls),
  fly-out advance (``Engagements.advance``, from every caller), radar measurement (``Radar.measure``),
  results build (``build_result``, and of it the tracking metrics ``tracking_quality``: GOSPA, continuity).

``--profile same`` (default) profiles the measured run itself (one replication per ``k``; the profiler's
overhead is inside the CPU and memory numbers); ``separate`` runs a second, profiled child per ``k`` so the
CPU and memory columns come from an unprofiled run; ``off`` skips the stage table. ``--summary-only`` builds
the result as Monte Carlo does (no tables). The output is two markdown tables.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "examples" / "scenarios" / "layered_defense.yaml"

#: stage name -> (file path suffix, function name) of its entry in the profile
STAGES = {
    "tracker step": ("tracking/tracker.py", "step"),
    "command-post cycle": ("engine/simulation.py", "_c2"),
    "fly-out advance": ("engagement/engagements.py", "advance"),
    "radar measurement": ("sensors/radar.py", "measure"),
    "results build": ("engine/result.py", "build_result"),
    "of which tracking metrics": ("metrics/engagement.py", "tracking_quality"),
}
RUN = ("engine/simulation.py", "run")


def scaled_scenario(path: Path, k: int):
    """The scenario at ``path`` with every raid's count multiplied by ``k`` (compiled)."""
    from iadsim.scenario import scenario_from_data
    from iadsim.scenario.yamlio import load_yaml

    data, lines = load_yaml(path)
    for raid in data.get("raids", []):
        raid["count"] = int(raid["count"]) * k
    return scenario_from_data(data, lines, file=str(path))


def _find(stats, key):
    suffix, name = key
    return [f for f in stats if f[2] == name and f[0].replace(os.sep, "/").endswith(suffix)]


def _stage_times(prof) -> dict:
    import pstats

    st = pstats.Stats(prof).stats  # func -> (cc, nc, tt, ct, callers{caller: (cc, nc, tt, ct)})
    out = {}
    for stage, key in STAGES.items():
        out[stage] = sum(st[f][3] for f in _find(st, key))
    # the command-post cycle without the fly-out advance it triggers (reported in its own column)
    c2 = _find(st, STAGES["command-post cycle"])
    for f in _find(st, STAGES["fly-out advance"]):
        out["command-post cycle"] -= sum(edge[3] for caller, edge in st[f][4].items() if caller in c2)
    out["run"] = sum(st[f][3] for f in _find(st, RUN))
    return out


def child(args) -> None:
    """One replication; prints one JSON line."""
    import cProfile
    import resource

    import iadsim  # noqa: F401  (imports before the clock starts)
    import iadsim.engine.simulation as simulation_module
    from iadsim.engine import Simulation

    def maxrss_mib() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux

    k = args.k[0]  # the parent passes one factor
    c = scaled_scenario(Path(args.scenario), k)
    sim = Simulation(c, args.seed)
    rss = {"setup": maxrss_mib()}
    build = simulation_module.build_result

    def build_with_rss(*a, **kw):  # the end of the event loop is the start of the results build
        rss["loop"] = maxrss_mib()
        return build(*a, **kw)

    simulation_module.build_result = build_with_rss
    if args.summary_only:
        sim.result_tables = False
    prof = cProfile.Profile(time.process_time) if args.child_profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if prof:
        prof.enable()
    res = sim.run()
    if prof:
        prof.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    rss["results"] = maxrss_mib()
    tot = res.summary["threats"]["total"]
    out = {"k": k, "threats": int(c.n_threats), "run_cpu_s": cpu, "run_wall_s": wall,
           "leaked": tot["leaked"], "intercepted": tot["intercepted"],
           "frames": res.summary["tracking"].get("frames", 0), "rss_mib": rss}
    if prof:
        out["stages"] = _stage_times(prof)
    print(json.dumps(out), flush=True)


def spawn(args, k: int, profile: bool) -> dict:
    """Run one child; its report plus its own CPU time and peak memory from ``os.wait4``."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--scenario", str(args.scenario),
           "--k", str(k), "--seed", str(args.seed)]
    if args.summary_only:
        cmd.append("--summary-only")
    if profile:
        cmd.append("--child-profile")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    text = proc.stdout.read()
    proc.stdout.close()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child for k={k} failed with exit code {proc.returncode}")
    rep = json.loads(text.strip().splitlines()[-1])
    rep["child_cpu_s"] = ru.ru_utime + ru.ru_stime
    rep["peak_rss_mib"] = ru.ru_maxrss / 1024.0  # KiB on Linux
    return rep


def _fmt_rss(rss) -> str:
    if not rss:
        return ""
    return " / ".join(f"{rss[k]:.0f}" if k in rss else "-" for k in ("setup", "loop", "results"))


def _fmt_stage(sec, total):
    return f"{sec:.2f} ({100.0 * sec / total:.0f} %)" if total > 0 else f"{sec:.2f}"


def tables(reps: list[dict], profiled_in_run: bool) -> str:
    lines = ["| k | threats | child CPU (s) | run CPU (s) | run wall (s) | run CPU / threat (ms) | exponent | "
             "peak RSS (MiB) | peak RSS after setup / loop / results (MiB) | intercepted / leaked |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    prev = None
    for r in reps:
        exp = "" if prev is None else \
            f"{math.log(r['run_cpu_s'] / prev['run_cpu_s']) / math.log(r['k'] / prev['k']):.2f}"
        lines.append(f"| {r['k']} | {r['threats']} | {r['child_cpu_s']:.1f} | {r['run_cpu_s']:.1f} | "
                     f"{r['run_wall_s']:.1f} | {1000.0 * r['run_cpu_s'] / r['threats']:.1f} | {exp} | "
                     f"{r['peak_rss_mib']:.0f} | {_fmt_rss(r.get('rss_mib'))} | {r['intercepted']} / {r['leaked']} |")
        prev = r
    if any("stages" in r for r in reps):
        names = list(STAGES)
        lines += ["", "CPU seconds per stage (share of the profiled run)"
                  + ("" if profiled_in_run else "; profiled in a second child") + ":", "",
                  "| k | profiled run (s) | " + " | ".join(names) + " | other |",
                  "|---|---|" + "---|" * (len(names) + 1)]
        for r in reps:
            s = r.get("stages")
            if not s:
                continue
            total = s["run"]
            other = total - sum(s[n] for n in names if not n.startswith("of which"))
            cells = " | ".join(_fmt_stage(s[n], total) for n in names)
            lines.append(f"| {r['k']} | {total:.1f} | {cells} | {_fmt_stage(other, total)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(DEFAULT))
    ap.add_argument("--k", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--summary-only", action="store_true", help="build the result without tables (as Monte Carlo)")
    ap.add_argument("--profile", choices=("same", "separate", "off"), default="same")
    ap.add_argument("--no-warmup", action="store_true", help="skip the warm-up child (numba cache, envelopes)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child-profile", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    print(f"scenario: {args.scenario}, seed {args.seed}, k = {args.k}, "
          f"{'summary only' if args.summary_only else 'full result'}, profile: {args.profile}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} at "
          f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}", flush=True)
    if not args.no_warmup:
        spawn(argparse.Namespace(**{**vars(args), "scenario": ROOT / "examples/scenarios/quickstart.yaml"}), 1, False)
    reps = []
    for k in args.k:
        rep = spawn(args, k, args.profile == "same")
        if args.profile == "separate":
            rep["stages"] = spawn(args, k, True)["stages"]
        reps.append(rep)
        print(f"k={k}: {rep['threats']} threats, run CPU {rep['run_cpu_s']:.1f} s, "
              f"peak RSS {rep['peak_rss_mib']:.0f} MiB", file=sys.stderr, flush=True)
    print()
    print(tables(reps, args.profile == "same"))


if __name__ == "__main__":
    main()
