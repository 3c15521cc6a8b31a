"""The work a scenario asks for, estimated at validation, against documented limits.

A few numbers bound the cost of one replication (:class:`~iadsim.engine.simulation.Simulation`), and each
follows from the scenario alone, before anything runs:

=====================  ===================================================  =============  ==================
estimate               counts                                               limit          what it costs
=====================  ===================================================  =============  ==================
``threats``            threats of all raids                                 10,000         every stage
``radar_scans``        ``sum_radars duration / scan_period``                1,000,000      tracker, sensors
``tracker_load``       ``radar_scans x threats`` (upper bound)              100,000,000    tracker
``c2_cycles``          ``duration / command_post.cycle``                    1,000,000      doctrine, WTA
``truth_samples``      ``duration / truth_sample``                          1,000,000      outputs, metrics
``truth_rows``         ``truth_samples x threats`` (upper bound)            50,000,000     memory, outputs
``trajectory_points``  ``ballistic threats x duration / time_step``         20,000,000     memory (RK4 table)
=====================  ===================================================  =============  ==================

The limits are set where one replication on the project's reference machine (benchmarks/RESULTS.md,
section 1: the 320-threat ``layered_defense.yaml`` runs in about 15 s with 8,640 scans, 2,400 cycles and a
``tracker_load`` of 2.8 million; its 10x raid in about 440 s) would take about 30 minutes or hold several
GB: e.g. ``duration: 1000 h`` (1.8 million scans), ``cycle: 1 ms``, ``truth_sample: 1 ms`` or a raid
``count: 100000`` are refused. The shipped examples use at most 3 % of any limit.

Beyond a limit, :func:`check_work` raises one :class:`~iadsim.errors.InputError` at the field that drives
that estimate (the raid count, the cycle, the duration...) saying how to go on anyway: ``--allow-large`` on
the command line, ``allow_large=True`` in :func:`iadsim.scenario.load_scenario`.
"""

from __future__ import annotations

import math

from iadsim.errors import InputError
from iadsim.scenario.yamlio import LineMap, dotted, line_of

#: estimate -> limit (module docstring)
LIMITS = {
    "threats": 10_000,
    "radar_scans": 1_000_000,
    "tracker_load": 100_000_000,
    "c2_cycles": 1_000_000,
    "truth_samples": 1_000_000,
    "truth_rows": 50_000_000,
    "trajectory_points": 20_000_000,
}


def estimate_work(compiled) -> dict[str, int]:
    """The estimates of the module docstring for a :class:`~iadsim.scenario.compiled.CompiledScenario`."""
    c = compiled
    T = c.duration
    threats = int(c.n_threats)
    ballistic = sum(r.count for r in c.raids if c.threat_types[r.threat_type][1].kind == "ballistic")
    scans = sum(T / r.spec.scan_period for r in c.radars)
    samples = T / c.truth_sample
    return {
        "threats": threats,
        "radar_scans": math.ceil(scans),
        "tracker_load": math.ceil(scans * threats),
        "c2_cycles": math.ceil(T / c.c2_cycle),
        "truth_samples": math.ceil(samples),
        "truth_rows": math.ceil(samples * threats),
        "trajectory_points": math.ceil(ballistic * T / c.time_step),
    }


def _largest_raid(c) -> tuple:
    i = max(range(len(c.raids)), key=lambda k: c.raids[k].count)
    return ("raids", i, "count"), f"{c.raids[i].count:,} threats in raid {c.raids[i].name!r}"


def _driver(c, name: str) -> tuple[tuple, str]:
    """The scenario field that drives estimate ``name`` and what to say about it."""
    s = c.scenario
    long_run = c.duration > 48 * 3600.0
    if name == "threats" or (name in ("tracker_load", "truth_rows") and not long_run
                             and not (name == "truth_rows" and c.truth_sample < 1.0)):
        return _largest_raid(c)
    if name == "radar_scans" and not long_run:
        k = min(range(len(c.radars)), key=lambda r: c.radars[r].spec.scan_period)
        return (("sensors", k),
                f"sensor {c.radars[k].name!r} scans every {c.radars[k].spec.scan_period:g} s")
    if name == "c2_cycles" and s.command_post.cycle < 0.5:
        return ("command_post", "cycle"), f"the command post cycles every {s.command_post.cycle:g} s"
    if name in ("truth_samples", "truth_rows") and s.truth_sample < 1.0:
        return ("truth_sample",), f"truth is sampled every {s.truth_sample:g} s"
    if name == "trajectory_points" and s.time_step < 0.1:
        return ("time_step",), f"ballistic flight is integrated every {s.time_step:g} s"
    return ("duration",), f"the scenario lasts {c.duration / 3600:.4g} h"


_WHAT = {
    "threats": "threats in all",
    "radar_scans": "radar scans",
    "tracker_load": "tracker updates (scans x threats)",
    "c2_cycles": "command-post cycles",
    "truth_samples": "truth sample times",
    "truth_rows": "truth rows (sample times x threats)",
    "trajectory_points": "ballistic trajectory points (threats x duration / time_step)",
}


def check_work(compiled, *, lines: LineMap | None = None, file: str = "<scenario>",
               allow_large: bool = False) -> dict[str, int]:
    """Return :func:`estimate_work`; unless ``allow_large``, raise :class:`InputError` at the driving field
    of the first estimate above its limit."""
    work = estimate_work(compiled)
    if allow_large:
        return work
    for name, limit in LIMITS.items():
        if work[name] > limit:
            loc, why = _driver(compiled, name)
            raise InputError(
                f"{why}: about {work[name]:,} {_WHAT[name]}, above the limit of {limit:,} (a replication of more "
                f"than about 30 min or several GB); change this field, or pass --allow-large to run it anyway",
                file=file, line=line_of(lines or {}, loc), field=dotted(loc))
    return work
