"""Scan timing: a rotating radar illuminates each azimuth at its own time.

A mechanically rotating radar of period ``T`` sweeps the azimuths at ``omega = 2 pi / T``: a target at
azimuth ``az`` is illuminated at ``t0 + az / omega`` (Skolnik, *Introduction to Radar Systems*, 3rd ed.,
2001, ch. 2, the time on target of a scanning antenna). The engine splits each revolution into ``S``
azimuth sectors ``[j, j + 1) 2 pi / S`` and gives each sector its own scan event, ``T / S`` after the
previous one: sector ``j``'s targets are measured, and reach the tracker, at that event's time. The tracker
keeps its contract of one time per call (``Tracker.step(t, k, z, R)``), and the timing error of a
detection is at most the sector's dwell ``T / S`` instead of the whole period (at ``S = 12`` and a 10 s
period, 0.83 s). This was preferred to per-detection times in the tracker: the batched filter predicts all
tracks of a call to one time, and sectors keep that batching. An electronically steered radar looks
everywhere at its scan time (``scan: instant``).
"""

from __future__ import annotations

__all__ = ["ScanClock"]


class ScanClock:
    """Which sector each radar scans next and when: ``periods`` (s) and ``sectors`` per radar (1: the whole
    coverage at once)."""

    def __init__(self, periods, sectors):
        self.periods = [float(p) for p in periods]
        self.sectors = [int(s) for s in sectors]
        self.current = [0] * len(self.sectors)

    def dwell(self, k: int) -> float:
        """Time between two scan events of radar ``k``: ``T / S``."""
        return self.periods[k] / self.sectors[k]

    def step(self, k: int) -> int | None:
        """The sector radar ``k`` scans now (None for an instant scan); moves it to the next."""
        if self.sectors[k] == 1:
            return None
        j = self.current[k]
        self.current[k] = (j + 1) % self.sectors[k]
        return j
