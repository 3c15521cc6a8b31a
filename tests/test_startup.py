"""Start-up cost of the command line: ``iadsim --help`` / ``--version`` import no heavy dependency, and the
lazy public API (PEP 562) still exposes the same names.

Wall times are not asserted (they depend on the machine); which modules get imported is deterministic.
"""

import json
import subprocess
import sys

import pytest

# (not pydantic: Typer itself imports it to parse a subcommand's parameters)
HEAVY = ("numba", "scipy", "scipy.optimize", "scipy.stats", "scipy.linalg", "pint", "pyarrow", "highspy",
         "iadsim.engine", "iadsim.scenario", "iadsim.tracking", "iadsim.assignment", "iadsim.montecarlo")


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["validate", "--help"], ["wta", "--help"]])
def test_cli_help_and_version_import_no_heavy_module(argv):
    code = f"""
import contextlib, io, json, sys
from iadsim.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    rc = main({argv!r})
print(json.dumps({{"rc": rc, "out": out.getvalue(), "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""
    p = run_python(code)
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout.strip().splitlines()[-1])
    assert res["rc"] == 0
    assert res["heavy"] == [], f"iadsim {' '.join(argv)} imported {res['heavy']}"
    if argv == ["--version"]:
        import iadsim

        assert res["out"].strip() == f"iadsim {iadsim.__version__}"
    else:
        assert "Usage" in res["out"]


def test_import_iadsim_is_lazy_and_the_public_api_is_unchanged():
    p = run_python(f"""
import sys
import iadsim
heavy = [m for m in {HEAVY!r} if m in sys.modules]
assert heavy == [], heavy
from iadsim import load_scenario, run_monte_carlo
from iadsim.engine import RunResult, simulate
from iadsim.montecarlo import run_monte_carlo as rmc
from iadsim.scenario import load_scenario as ls
assert iadsim.simulate is simulate and iadsim.RunResult is RunResult
assert load_scenario is ls and run_monte_carlo is rmc
assert sorted(iadsim.__all__) == ["RunResult", "__version__", "load_scenario", "run_monte_carlo", "simulate"]
assert set(iadsim.__all__) <= set(dir(iadsim))
import iadsim.tracking
assert iadsim.tracking is sys.modules["iadsim.tracking"]
try:
    iadsim.no_such_name
except AttributeError:
    pass
else:
    raise SystemExit("expected AttributeError")
print("ok")
""")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"


def test_subpackages_are_attributes_on_first_access():
    p = run_python("import iadsim, sys; m = iadsim.errors; print(m is sys.modules['iadsim.errors'])")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "True"


def test_console_entry_exits_with_the_code_its_output_and_exit_handlers(tmp_path):
    """entry() ends the process with os._exit after the command (no interpreter teardown): the exit code is
    the command's, everything it printed reaches the pipes, and exit handlers still run."""
    marker = tmp_path / "atexit.txt"
    code = f"""
import atexit, sys
atexit.register(lambda: open({str(marker)!r}, "w").write("ran"))
sys.argv = ["iadsim"] + sys.argv[1:]
from iadsim.cli import entry
entry()
raise SystemExit("not reached")
"""
    ok = subprocess.run([sys.executable, "-c", code, "validate", "examples/scenarios/quickstart.yaml"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: examples/scenarios/quickstart.yaml") and ok.stdout.endswith("\n")
    assert marker.read_text() == "ran"
    marker.unlink()
    bad = subprocess.run([sys.executable, "-c", code, "validate", str(tmp_path / "missing.yaml")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 3
    assert bad.stderr.strip().endswith("missing.yaml: file not found") and bad.stdout == ""
    assert marker.read_text() == "ran"


def test_the_engine_loads_highs_only_for_an_exact_solve():
    """HiGHS (``highspy``) is imported by the exact WTA solver's functions when they run, not by the doctrine
    or the engine that import the solvers: the shipped runs that never solve exactly do not load it."""
    p = run_python("""
import sys
import iadsim.engine, iadsim.assignment.doctrine
from iadsim.assignment import _exact
assert "highspy" not in sys.modules
h = _exact._new_highs()
assert "highspy" in sys.modules
print(type(h).__name__, h.getOptionValue("threads")[1])
""")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "Highs 1"
