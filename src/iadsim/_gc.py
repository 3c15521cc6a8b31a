"""The cyclic garbage collector's thresholds in iadsim's own processes (the command line and the Monte
Carlo pool's workers; a library user's process is left as it is).

A run makes millions of short-lived objects (small arrays, tuples, the events' payloads), almost none of
them in reference cycles (a finished ``Simulation`` is freed by reference counting alone). With CPython's
default thresholds ``(700, 10, 10)`` every tenth young collection is followed by an older one, and a full
one walks every tracked object, about 150,000 once numba, scipy and pydantic are imported: on the layered
raid 420 young, 39 middle and 3 full collections took 0.18-0.23 s of a 6-7 s command (``gc.callbacks``
timing). With ``(5000, 100, 100)`` the same run has 64 young collections (0.04 s) and no older one;
``(700, 1000, 1000)`` and ``(20000, 50, 100)`` gave 0.04 s and 0.065 s. What that costs is memory only:
garbage in a cycle waits longer before it is freed; 40 replications in one process peak at the same RSS
(294 MiB) with either setting. Results cannot change (the collector frees only unreachable objects).
Python docs, ``gc.set_threshold``.
"""

from __future__ import annotations

import gc

#: ``gc.set_threshold`` of iadsim's processes: net allocations between young collections, then the young and
#: middle collections between two of the next generation's
THRESHOLDS = (5_000, 100, 100)


def tune() -> None:
    """Set :data:`THRESHOLDS` for this process (the command line's entry point, a pool worker's start)."""
    gc.set_threshold(*THRESHOLDS)
