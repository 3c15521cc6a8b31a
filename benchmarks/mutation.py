"""Mutation testing of the kill-chain bookkeeping: lethality, fire units, threat state (issue 16).

Runs mutmut 3 (``pip install mutmut`` into the virtualenv; it is not a project dependency) on

    src/iadsim/engagement/lethality.py
    src/iadsim/engagement/fire_units.py
    src/iadsim/threats/state.py

with the fast unit tests of those modules, and prints per file how many mutants were killed, survived, had no
covering test or timed out, the surviving-mutant rate ``survived / (killed + survived + timeout)`` (the
mutants some test ran against) and the survivors with their diffs.

mutmut rewrites the source it mutates, so the run happens in a scratch copy of the project (``src/``,
``tests/``, ``examples/`` and a small ``pyproject.toml`` holding only the mutmut and pytest settings); the
working tree is never touched. The simulation-level tests of ``tests/engagement/test_engagements.py`` (the
kill-draw statistics, ~11 s) are left out by the ``-k`` expression: every mutant of the lethality module
would rerun them; its fire-unit and lethality unit tests stay in.

Usage (from the repository root, the virtualenv active)::

    nice -n 10 python benchmarks/mutation.py                  # ~10 min bound, 2 workers
    nice -n 10 python benchmarks/mutation.py --budget 300 --max-children 1
    python benchmarks/mutation.py --tests tests/engagement/test_lethality.py   # a baseline selection

The run stops at ``--budget`` seconds; mutants not reached are reported as "not checked".
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("src/iadsim/engagement/lethality.py", "src/iadsim/engagement/fire_units.py",
           "src/iadsim/threats/state.py")
MODULES = {"iadsim.engagement.lethality": TARGETS[0], "iadsim.engagement.fire_units": TARGETS[1],
           "iadsim.threats.state": TARGETS[2]}
DEFAULT_TESTS = ("tests/engagement/test_lethality.py", "tests/threats/test_threat_state.py",
                 "tests/engagement/test_engagements.py")
#: leave out the simulation-level kill-draw tests (the two parametrizations of their module fixture)
DEFAULT_K = "not (carleton_catalog or hit_to_kill_override)"


def _toml_list(xs) -> str:
    return "[" + ", ".join('"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"' for x in xs) + "]"


def make_workspace(work: Path, tests: list[str], k_expr: str | None) -> None:
    shutil.copytree(ROOT / "src", work / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(ROOT / "examples", work / "examples")
    (work / "tests").mkdir()
    for t in tests:
        dst = work / t
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / t, dst)
        # helpers a test file may import from its own folder (e.g. wta_helpers.py) and conftest files
        for extra in (ROOT / t).parent.glob("*.py"):
            if not extra.name.startswith("test_"):
                shutil.copy2(extra, dst.parent / extra.name)
    for conf in (ROOT / "tests").rglob("conftest.py"):
        dst = work / conf.relative_to(ROOT)
        if dst.parent.exists():
            shutil.copy2(conf, dst)
    selection = list(tests) + (["-k", k_expr] if k_expr else [])
    (work / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        'source_paths = ["src/"]\n'
        'also_copy = ["examples/"]\n'
        f"only_mutate = {_toml_list(TARGETS)}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(selection)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
        "use_git_change_detection = false\n"
        "\n[tool.pytest.ini_options]\n"
        'testpaths = ["tests"]\n')
    # numba caches next to the source, so the scratch copy compiles its own kernels once (none is mutated);
    # envelope tables are shared with the user's cache (keyed by the type's parameters, not the path)


def run_mutmut(work: Path, max_children: int, budget: float) -> tuple[float, bool]:
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children)]
    t0 = time.perf_counter()
    log = open(work / "mutmut-run.log", "w")
    proc = subprocess.Popen(cmd, cwd=work, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    finished = True
    try:
        proc.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        finished = False
        os.killpg(proc.pid, signal.SIGTERM)  # the group of the process this script started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    log.close()
    return time.perf_counter() - t0, finished


def results(work: Path) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=work,
                         capture_output=True, text=True, check=False).stdout
    status = {}
    for line in out.splitlines():
        m = re.match(r"\s+(\S+): (.+)$", line)
        if m:
            status[m.group(1)] = m.group(2).strip()
    return status


def module_of(name: str) -> str:
    for mod in MODULES:
        if name.startswith(mod + "."):
            return mod
    return "?"


def show(work: Path, name: str) -> str:
    return subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=work, capture_output=True,
                          text=True, check=False).stdout


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tests", nargs="+", default=list(DEFAULT_TESTS), help="test files (repository paths)")
    ap.add_argument("-k", dest="k_expr", default=None,
                    help=f"pytest -k selection (default with the default tests: {DEFAULT_K!r})")
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--budget", type=float, default=600.0, help="wall-clock bound of the mutmut run (s)")
    ap.add_argument("--workdir", type=Path, default=None, help="scratch directory (default: a new temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--no-diffs", action="store_true", help="list survivors without their diffs")
    a = ap.parse_args(argv)
    k_expr = a.k_expr if a.k_expr is not None else (DEFAULT_K if a.tests == list(DEFAULT_TESTS) else None)
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print("mutmut is not installed: pip install mutmut (into the virtualenv; not a project dependency)")
        return 2
    work = a.workdir or Path(tempfile.mkdtemp(prefix="iadsim-mutation-"))
    if a.workdir and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    make_workspace(work, a.tests, k_expr)
    print(f"workspace {work}\ntests     {' '.join(a.tests)}" + (f"  -k {k_expr!r}" if k_expr else ""))
    wall, finished = run_mutmut(work, a.max_children, a.budget)
    status = results(work)
    if not any(v != "not checked" for v in status.values()):
        log = (work / "mutmut-run.log").read_text().splitlines()
        print("mutmut checked no mutant; the end of its log:\n" + "\n".join(log[-30:]))
        print(f"kept {work}")
        return 1
    print(f"mutmut run: {wall:.0f} s{'' if finished else ' (stopped at the budget)'}, {len(status)} mutants")
    by_mod: dict[str, Counter] = defaultdict(Counter)
    for name, s in status.items():
        by_mod[module_of(name)][s] += 1
    tot = Counter()
    print(f"\n{'module':34s} {'mutants':>7s} {'killed':>6s} {'survived':>8s} {'no tests':>8s} {'timeout':>7s} "
          f"{'other':>5s} {'surviving rate':>14s}")
    for mod in list(MODULES) + sorted(set(by_mod) - set(MODULES)):
        c = by_mod.get(mod, Counter())
        tot += c
        _row(mod, c)
    _row("total", tot)
    survivors = sorted(n for n, s in status.items() if s == "survived")
    print(f"\nsurvivors ({len(survivors)}):")
    for n in survivors:
        if a.no_diffs:
            print("  ", n)
        else:
            print(show(work, n).rstrip() + "\n")
    if not finished:
        print(f"(log: {work / 'mutmut-run.log'})")
    if not a.keep and finished:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}")
    return 0


def _row(mod: str, c: Counter) -> None:
    n = sum(c.values())
    tested = c["killed"] + c["survived"] + c["timeout"]
    other = n - tested - c["no tests"]
    rate = f"{c['survived'] / tested:.1%}" if tested else "-"
    print(f"{mod:34s} {n:7d} {c['killed']:6d} {c['survived']:8d} {c['no tests']:8d} {c['timeout']:7d} "
          f"{other:5d} {rate:>14s}")


if __name__ == "__main__":
    sys.exit(main())
