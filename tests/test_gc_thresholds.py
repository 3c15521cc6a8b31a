"""iadsim's own processes (the console entry point, the Monte Carlo pool's workers) run with the collector
thresholds of ``iadsim._gc``; importing iadsim or calling the CLI in process leaves the caller's alone."""

from __future__ import annotations

import gc
import subprocess
import sys

from iadsim import _gc
from iadsim.cli import main


def test_console_entry_sets_the_thresholds_before_the_command():
    code = ("import gc, iadsim.cli as c\n"
            "c.main = lambda: (print(gc.get_threshold(), flush=True), 0)[1]\n"
            "c.entry()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(_gc.THRESHOLDS)


def test_pool_worker_sets_them_and_the_library_leaves_them():
    from iadsim import montecarlo

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        assert main(["--version"]) == 0  # the CLI in process: the caller's thresholds stay
        assert gc.get_threshold() == (700, 10, 10)
        montecarlo._init_worker(())
        assert gc.get_threshold() == _gc.THRESHOLDS
    finally:
        gc.set_threshold(*before)
        montecarlo._WORKER.clear()
