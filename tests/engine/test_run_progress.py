"""``iadsim run``'s progress bar in a terminal: drawn from the run's own progress calls, throttled to one
draw per ``PROGRESS_REFRESH`` s of wall time, without rich's refresh thread (which drew ten times a second
on the second core's GIL: about 3 % of a short run), and its last draw at the end of the simulated time."""

from __future__ import annotations

import importlib
import io
import threading
import time
from pathlib import Path

from rich.console import Console

import iadsim.engine.simulation as simulation
from iadsim.cli import main

cli_run = importlib.import_module("iadsim.cli.run")  # the module (the package's ``run`` is the command)

QUICK = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "quickstart.yaml"


def test_progress_bar_draws_throttled_without_a_refresh_thread(tmp_path, monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(cli_run, "console", Console(file=buf, force_terminal=True, width=100))
    threads, calls = set(), []
    real_run = simulation.Simulation.run

    def run(self, progress=None, tables=True):
        def spy(t):
            calls.append(time.perf_counter())
            threads.update(th.name for th in threading.enumerate())
            progress(t)
        return real_run(self, spy, tables)

    monkeypatch.setattr(simulation.Simulation, "run", run)
    t0 = time.perf_counter()
    assert main(["run", str(QUICK), "--seed", "1", "--out", str(tmp_path / "r")]) == 0
    wall = time.perf_counter() - t0
    out = buf.getvalue()
    draws = out.count("simulating")
    assert len(calls) > 100  # the engine reports often ...
    # ... the bar is drawn a few times a second: the throttled draws plus at most five others (the start, the
    # first and the last progress call, the stop; rich's thread drew 12 in a 0.74 s run, against 7.9 here)
    assert 1 <= draws <= wall / cli_run.PROGRESS_REFRESH + 5
    assert "t =    1200 / 1200 s" in out  # the last draw shows the end
    assert not any("Refresh" in name for name in threads), threads  # no rich refresh thread ran
